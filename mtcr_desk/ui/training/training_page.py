"""The Training page of the sandbox: scenarios, my attempts and scores, the class overview.

A trainee picks a scenario from the library, reads its briefing and objectives and
starts it: a fresh copy of its case opens in the ordinary workspace on the Cases
page. Back here, *Submit for scoring* scores the attempt against the model answer
and shows the breakdown, every missed point highlighted. A trainer also sees the
class overview (trainee × scenario: attempts, latest and best score) and exports it
as CSV or PDF. *Demonstrate…* walks through a scenario's model answer step by step.
"""

from __future__ import annotations

from html import escape
from pathlib import Path

from PySide6.QtCore import QCoreApplication, Qt, Signal
from PySide6.QtGui import QBrush, QColor, QFont
from PySide6.QtWidgets import (
    QAbstractItemView,
    QDialog,
    QDialogButtonBox,
    QFileDialog,
    QGroupBox,
    QHBoxLayout,
    QHeaderView,
    QLabel,
    QMessageBox,
    QPushButton,
    QSplitter,
    QTableWidget,
    QTableWidgetItem,
    QTextBrowser,
    QVBoxLayout,
    QWidget,
)
from shiboken6 import isValid

from mtcr_desk.domain.errors import MtcrDeskError
from mtcr_desk.domain.training import Score
from mtcr_desk.domain.users import Role
from mtcr_desk.services import training
from mtcr_desk.ui.context import AppContext
from mtcr_desk.ui.dialogs.refusal import show_refusal
from mtcr_desk.ui.table_filling import filling

#: The background of a score line that earned less than it could.
MISSED_BACKGROUND = "#fde2e2"
MISSED_FOREGROUND = "#7f1d1d"


def _table(columns: tuple[str, ...], name: str) -> QTableWidget:
    table = QTableWidget(0, len(columns))
    table.setHorizontalHeaderLabels(
        [QCoreApplication.translate("TrainingPage", column) for column in columns])
    table.setAccessibleName(name)
    table.setEditTriggers(QAbstractItemView.EditTrigger.NoEditTriggers)
    table.setSelectionBehavior(QAbstractItemView.SelectionBehavior.SelectRows)
    table.setSelectionMode(QAbstractItemView.SelectionMode.SingleSelection)
    table.verticalHeader().setVisible(False)
    table.setAlternatingRowColors(True)
    header = table.horizontalHeader()
    header.setSectionResizeMode(QHeaderView.ResizeMode.ResizeToContents)
    header.setStretchLastSection(True)
    return table


def _cell(text: str, data=None) -> QTableWidgetItem:
    cell = QTableWidgetItem(text)
    if data is not None:
        cell.setData(Qt.ItemDataRole.UserRole, data)
    return cell


def _percent(value: float | None) -> str:
    return "" if value is None else f"{value:.1f} %"


def _points(value: float) -> str:
    return f"{value:g}"


class ScoreDialog(QDialog):
    """An attempt's score: total, percentage and every line, misses highlighted."""

    def __init__(self, attempt: training.Attempt, title: str, parent: QWidget | None = None):
        super().__init__(parent)
        score: Score = attempt.score or Score()
        self.setWindowTitle(self.tr("Score — %1").replace("%1", attempt.scenario_id))
        self.resize(1000, 620)
        self.summary = QLabel(self.tr("<b>%1 %2</b> — case %3<br>Score: <b>%4 of %5 points "
                                      "(%6 %)</b>; %7 line(s) missed, highlighted below.")
                              .replace("%1", escape(attempt.scenario_id))
                              .replace("%2", escape(title))
                              .replace("%3", escape(attempt.reference))
                              .replace("%4", _points(score.earned))
                              .replace("%5", _points(score.possible))
                              .replace("%6", f"{score.percentage:.1f}")
                              .replace("%7", str(sum(1 for li in score.lines if li.missed))))
        self.summary.setAccessibleName(self.tr("Score total"))
        self.table = _table(("Section", "Subject", "Earned / possible", "Explanation"),
                            self.tr("Score breakdown"))
        self.table.setWordWrap(True)
        self.table.setRowCount(len(score.lines))
        missed_brush = QBrush(QColor(MISSED_BACKGROUND))
        missed_text = QBrush(QColor(MISSED_FOREGROUND))
        for row, line in enumerate(score.lines):
            values = (line.section, line.subject,
                      f"{_points(line.earned)} / {_points(line.possible)}", line.explanation)
            for column, text in enumerate(values):
                cell = _cell(text, line.missed)
                if line.missed:
                    cell.setBackground(missed_brush)
                    cell.setForeground(missed_text)
                    if column == 2:
                        font = QFont(cell.font())
                        font.setBold(True)
                        cell.setFont(font)
                self.table.setItem(row, column, cell)
        self.table.resizeRowsToContents()
        buttons = QDialogButtonBox(QDialogButtonBox.StandardButton.Close)
        buttons.rejected.connect(self.reject)
        layout = QVBoxLayout(self)
        layout.addWidget(self.summary)
        layout.addWidget(self.table, stretch=1)
        layout.addWidget(buttons)

    def missed_rows(self) -> list[int]:
        """The rows of the breakdown that earned less than they could."""
        return [row for row in range(self.table.rowCount())
                if self.table.item(row, 0).data(Qt.ItemDataRole.UserRole)]


class TrainingPage(QWidget):
    """Scenario library, the signed-in user's attempts and (trainers) the class overview."""

    #: A case the main window should open in the ordinary workspace.
    open_case_requested = Signal(str)

    def __init__(self, context: AppContext, parent: QWidget | None = None):
        super().__init__(parent)
        self.context = context
        self.scenarios = list(training.scenario_library(context.store))
        #: The last score dialog shown (kept so that it stays open).
        self.score_dialog: ScoreDialog | None = None
        self.demonstration = None
        user = context.user
        self.is_trainer = user is not None and user.role is Role.TRAINER
        may_attempt = context.may_write and user is not None and user.role in (
            Role.OFFICER, Role.SENIOR_OFFICER, Role.TRAINER)

        # The scenario library and the selected scenario's briefing.
        self.scenario_table = _table(("ID", "Title", "Difficulty", "Topics"),
                                     self.tr("Training scenarios"))
        self.scenario_table.setRowCount(len(self.scenarios))
        for row, scenario in enumerate(self.scenarios):
            for column, text in enumerate((scenario.id, scenario.title,
                                           scenario.difficulty.value,
                                           ", ".join(scenario.topics))):
                self.scenario_table.setItem(row, column, _cell(text, scenario.id))
        self.scenario_table.horizontalHeader().setSectionResizeMode(
            1, QHeaderView.ResizeMode.Stretch)
        self.scenario_table.itemSelectionChanged.connect(self._scenario_selected)
        self.briefing = QTextBrowser()
        self.briefing.setAccessibleName(self.tr("Scenario briefing"))
        self.start_button = QPushButton(self.tr("&Start scenario"))
        self.start_button.setToolTip(self.tr("Import a fresh copy of the case and open it"))
        self.start_button.setEnabled(may_attempt)
        self.demonstrate_button = QPushButton(self.tr("&Demonstrate…"))
        self.demonstrate_button.setToolTip(self.tr(
            "Walk through the model answer step by step on a fresh copy of the case"))
        # Demonstrations act as the training accounts: a trainer's tool, not a trainee's.
        self.demonstrate_button.setEnabled(context.may_write and self.is_trainer)
        self.start_button.clicked.connect(self.start_selected)
        self.demonstrate_button.clicked.connect(self.demonstrate_selected)
        briefing_box = QWidget()
        briefing_layout = QVBoxLayout(briefing_box)
        briefing_layout.setContentsMargins(0, 0, 0, 0)
        briefing_layout.addWidget(self.briefing, stretch=1)
        start_row = QHBoxLayout()
        start_row.addStretch(1)
        start_row.addWidget(self.demonstrate_button)
        start_row.addWidget(self.start_button)
        briefing_layout.addLayout(start_row)
        library = QSplitter(Qt.Orientation.Horizontal)
        library.addWidget(self.scenario_table)
        library.addWidget(briefing_box)
        library.setSizes([640, 460])
        library_box = QGroupBox(self.tr("Scenario library"))
        QVBoxLayout(library_box).addWidget(library)

        # My attempts.
        self.attempts_table = _table(("Attempt", "Scenario", "Case", "Started", "Submitted",
                                      "Score"), self.tr("My attempts"))
        self.attempts_table.itemSelectionChanged.connect(self._update_buttons)
        self.attempts_table.itemDoubleClicked.connect(lambda _item: self.open_selected_case())
        self.open_button = QPushButton(self.tr("&Open case"))
        self.submit_button = QPushButton(self.tr("Su&bmit for scoring"))
        self.score_button = QPushButton(self.tr("Show s&core…"))
        self.open_button.clicked.connect(self.open_selected_case)
        self.submit_button.clicked.connect(self.submit_selected)
        self.score_button.clicked.connect(self.show_selected_score)
        attempts_box = QGroupBox(self.tr("My attempts"))
        attempts_layout = QVBoxLayout(attempts_box)
        attempts_layout.addWidget(self.attempts_table)
        attempt_buttons = QHBoxLayout()
        attempt_buttons.addStretch(1)
        for button in (self.open_button, self.score_button, self.submit_button):
            attempt_buttons.addWidget(button)
        attempts_layout.addLayout(attempt_buttons)

        # The class overview (trainers).
        self.overview_box = QGroupBox(self.tr("Class overview"))
        self.overview_table = _table(("Trainee", "Scenario", "Attempts", "Submitted",
                                      "Latest", "Best"), self.tr("Class overview"))
        self.export_csv_button = QPushButton(self.tr("Export &CSV…"))
        self.export_pdf_button = QPushButton(self.tr("Export &PDF…"))
        self.export_csv_button.clicked.connect(lambda: self.export_overview(suffix=".csv"))
        self.export_pdf_button.clicked.connect(lambda: self.export_overview(suffix=".pdf"))
        overview_layout = QVBoxLayout(self.overview_box)
        overview_layout.addWidget(self.overview_table)
        export_row = QHBoxLayout()
        export_row.addStretch(1)
        export_row.addWidget(self.export_csv_button)
        export_row.addWidget(self.export_pdf_button)
        overview_layout.addLayout(export_row)
        self.overview_box.setVisible(self.is_trainer)

        lower = QSplitter(Qt.Orientation.Horizontal)
        lower.addWidget(attempts_box)
        lower.addWidget(self.overview_box)
        outer = QSplitter(Qt.Orientation.Vertical)
        outer.addWidget(library_box)
        outer.addWidget(lower)
        outer.setSizes([460, 300])
        layout = QVBoxLayout(self)
        layout.setContentsMargins(0, 0, 0, 0)
        layout.addWidget(outer)

        if self.scenarios:
            self.scenario_table.selectRow(0)
        self.refresh()

    # --- scenarios ------------------------------------------------------------------------

    def selected_scenario(self):
        rows = self.scenario_table.selectionModel().selectedRows()
        return self.scenarios[rows[0].row()] if rows else None

    def select_scenario(self, scenario_id: str) -> None:
        for row, scenario in enumerate(self.scenarios):
            if scenario.id == scenario_id:
                self.scenario_table.selectRow(row)
                return

    def _scenario_selected(self) -> None:
        scenario = self.selected_scenario()
        if scenario is None:
            self.briefing.clear()
            return
        objectives = "".join(f"<li>{escape(o)}</li>" for o in scenario.objectives)
        paragraphs = "".join(f"<p>{escape(p)}</p>" for p in scenario.briefing.split("\n\n"))
        self.briefing.setHtml(
            f"<h3>{escape(scenario.id)} — {escape(scenario.title)}</h3>"
            f"<p><i>{escape(scenario.difficulty.value)}; "
            f"{escape(', '.join(scenario.topics))}</i></p>"
            f"<h4>{self.tr('Briefing')}</h4>{paragraphs}"
            f"<h4>{self.tr('Objectives')}</h4><ul>{objectives}</ul>")

    def start_selected(self) -> str | None:
        """Start the selected scenario; its case opens in the workspace. Return it."""
        scenario = self.selected_scenario()
        if scenario is None or self.context.user is None:
            return None
        try:
            attempt = training.start_attempt(self.context.store, scenario.id,
                                             trainee=self.context.user)
        except MtcrDeskError as error:
            show_refusal(self, error)
            return None
        self.refresh()
        self.open_case_requested.emit(attempt.reference)
        return attempt.reference

    def demonstrate_selected(self):
        """Open the demonstration window on the selected scenario; return it."""
        from mtcr_desk.ui.training.demonstration_view import DemonstrationView

        scenario = self.selected_scenario()
        if scenario is None:
            return None
        if self.demonstration is not None and isValid(self.demonstration):
            self.demonstration.close()  # one demonstration at a time
        try:
            # A child of the main window (as a window of its own): it closes with it, and
            # never outlives a sign-out acting as the accounts of the session before.
            view = DemonstrationView(self.context, scenario, parent=self.window())
        except MtcrDeskError as error:
            show_refusal(self, error)
            return None
        view.setWindowFlag(Qt.WindowType.Window)
        view.setAttribute(Qt.WidgetAttribute.WA_DeleteOnClose)
        view.resize(1500, 900)
        view.show()
        self.demonstration = view
        self.refresh()
        return view

    # --- attempts --------------------------------------------------------------------------

    def refresh(self) -> None:
        """Read the attempts (and the class overview) again."""
        user = self.context.user
        self.attempts = training.list_attempts(self.context.store,
                                               trainee=user.username if user else "")
        with filling(self.attempts_table) as table:
            table.setRowCount(len(self.attempts))
            for row, attempt in enumerate(self.attempts):
                values = (str(attempt.id), attempt.scenario_id, attempt.reference,
                          attempt.started_at.replace("T", " ").removesuffix("Z"),
                          (attempt.submitted_at or "").replace("T", " ").removesuffix("Z"),
                          _percent(attempt.percentage))
                for column, text in enumerate(values):
                    table.setItem(row, column, _cell(text, attempt.id))
        if self.is_trainer:
            cells = training.class_overview(self.context.store)
            with filling(self.overview_table) as table:
                table.setRowCount(len(cells))
                for row, cell in enumerate(cells):
                    values = (cell.trainee, cell.scenario_id, str(cell.attempts),
                              str(cell.submitted), _percent(cell.latest), _percent(cell.best))
                    for column, text in enumerate(values):
                        table.setItem(row, column, _cell(text))
        self._update_buttons()

    def showEvent(self, event) -> None:  # noqa: N802 - Qt's name
        # Attempts change on the Cases page and in other windows: read them on each visit.
        self.refresh()
        super().showEvent(event)

    def selected_attempt(self) -> training.Attempt | None:
        rows = self.attempts_table.selectionModel().selectedRows()
        return self.attempts[rows[0].row()] if rows else None

    def select_attempt(self, attempt_id: int) -> None:
        for row, attempt in enumerate(self.attempts):
            if attempt.id == attempt_id:
                self.attempts_table.selectRow(row)
                return

    def _update_buttons(self) -> None:
        attempt = self.selected_attempt()
        self.open_button.setEnabled(attempt is not None)
        self.score_button.setEnabled(attempt is not None and attempt.score is not None)
        self.submit_button.setEnabled(attempt is not None and attempt.submitted_at is None
                                      and self.context.may_write)

    def open_selected_case(self) -> None:
        attempt = self.selected_attempt()
        if attempt is not None:
            self.open_case_requested.emit(attempt.reference)

    def submit_selected(self) -> training.Attempt | None:
        """Score the selected attempt (after a confirmation) and show the score."""
        attempt = self.selected_attempt()
        if attempt is None or self.context.user is None:
            return None
        answer = QMessageBox.question(
            self, self.tr("Submit for scoring"),
            self.tr("Submit attempt %1 (%2, case %3) for scoring? It is scored once; to try "
                    "again, start the scenario again.").replace("%1", str(attempt.id))
            .replace("%2", attempt.scenario_id).replace("%3", attempt.reference))
        if answer != QMessageBox.StandardButton.Yes:
            return None
        try:
            scored = training.submit_attempt(self.context.store, attempt.id,
                                             actor=self.context.user)
        except MtcrDeskError as error:
            show_refusal(self, error)
            return None
        self.refresh()
        self.select_attempt(scored.id)
        self.show_score(scored)
        return scored

    def show_selected_score(self) -> None:
        attempt = self.selected_attempt()
        if attempt is not None and attempt.score is not None:
            self.show_score(attempt)

    def show_score(self, attempt: training.Attempt) -> ScoreDialog:
        titles = {s.id: s.title for s in self.scenarios}
        self.score_dialog = ScoreDialog(attempt, titles.get(attempt.scenario_id, ""), self)
        self.score_dialog.show()
        return self.score_dialog

    # --- the class overview -----------------------------------------------------------------

    def export_overview(self, destination: Path | None = None, *,
                        suffix: str = ".csv") -> Path | None:
        """Export the class overview (CSV or PDF, by the file's suffix); ask where if needed."""
        if destination is None:
            kind = "PDF (*.pdf)" if suffix == ".pdf" else "CSV (*.csv)"
            chosen, _filter = QFileDialog.getSaveFileName(
                self, self.tr("Export class overview"), f"class-overview{suffix}", kind)
            if not chosen:
                return None
            destination = Path(chosen)
            if not destination.suffix:
                destination = destination.with_suffix(suffix)
        try:
            written = training.export_overview(self.context.store, destination)
        except MtcrDeskError as error:
            show_refusal(self, error)
            return None
        window = self.window()
        status_bar = getattr(window, "statusBar", None)
        if status_bar is not None:
            status_bar().showMessage(self.tr("Wrote ") + str(written), 10_000)
        return written
