"""The demonstration window: the workspace, a large narration, Next / Back, Reset.

Used by the Training page ("Demonstrate…") and, offscreen, by
:func:`mtcr_desk.ui.training.demonstration.run_headless_demo`. Each step's action is
performed the first time the step is reached with Next; Back only re-shows an
earlier step (its page, outline and narration) and undoes nothing on the case.
Reset scenario starts a fresh pristine copy of the case and returns to step 1.
"""

from __future__ import annotations

from PySide6.QtCore import QPoint, Qt, QTimer
from PySide6.QtGui import QFont, QKeySequence, QShortcut
from PySide6.QtWidgets import (
    QApplication,
    QCheckBox,
    QFrame,
    QHBoxLayout,
    QLabel,
    QPushButton,
    QScrollArea,
    QSplitter,
    QVBoxLayout,
    QWidget,
)

from mtcr_desk.domain.errors import MtcrDeskError
from mtcr_desk.domain.training import Scenario
from mtcr_desk.ui.context import AppContext
from mtcr_desk.ui.dialogs.refusal import show_refusal
from mtcr_desk.ui.main_window import TRAINING_BANNER, TRAINING_BANNER_STYLE
from mtcr_desk.ui.training.demonstration import DemonstrationRun, highlight_target

#: The narration's point size (before the presentation scale).
NARRATION_POINTS = 15
#: What the presentation scale multiplies fonts by.
PRESENTATION_SCALE = 1.5
HIGHLIGHT_STYLE = "QFrame#demo_highlight {border: 4px solid #e11d48; border-radius: 6px;}"


class DemonstrationView(QWidget):
    """A scenario demonstrated step by step on a fresh copy of its case."""

    def __init__(self, context: AppContext, scenario: Scenario,
                 parent: QWidget | None = None):
        super().__init__(parent)
        self.context = context
        self.scenario = scenario
        self.setWindowTitle(self.tr("TRAINING — Demonstration: %1 %2")
                            .replace("%1", scenario.id).replace("%2", scenario.title))
        self.run = DemonstrationRun(context.store, scenario)
        self.index = 0
        #: Steps whose action has been performed on the current copy.
        self.performed: set[int] = set()
        #: Remarks the actions returned (a refusal, who drafted), by step.
        self.remarks: dict[int, str] = {}
        self.workspace = None
        self._base_font = QFont(QApplication.font())

        self.banner = QLabel(self.tr(TRAINING_BANNER))
        self.banner.setStyleSheet(TRAINING_BANNER_STYLE)
        self.banner.setAlignment(Qt.AlignmentFlag.AlignCenter)
        self.counter = QLabel()
        self.counter.setAccessibleName(self.tr("Step counter"))
        self.step_title = QLabel()
        self.step_title.setAccessibleName(self.tr("Step title"))
        self.step_title.setWordWrap(True)  # a long scenario title must not widen the window
        self.narration = QLabel()
        self.narration.setAccessibleName(self.tr("Narration"))
        self.narration.setWordWrap(True)
        self.narration.setAlignment(Qt.AlignmentFlag.AlignTop | Qt.AlignmentFlag.AlignLeft)
        self.narration.setTextInteractionFlags(Qt.TextInteractionFlag.TextSelectableByMouse)
        self.narration.setStyleSheet("padding:10px;background:#fffbeb;color:#1c1917;"
                                     "border:1px solid #f59e0b")
        narration_scroll = QScrollArea()
        narration_scroll.setWidgetResizable(True)
        narration_scroll.setWidget(self.narration)
        narration_scroll.setFrameShape(QFrame.Shape.NoFrame)

        self.back_button = QPushButton(self.tr("◀ &Back"))
        self.next_button = QPushButton(self.tr("&Next ▶"))
        # Mnemonics apart from the workspace's (Refresh, Return, Print, Apply precedent).
        self.reset_button = QPushButton(self.tr("Rese&t scenario"))
        self.reset_button.setToolTip(self.tr("Start a fresh, unassessed copy of the case and "
                                             "return to step 1"))
        self.scale_toggle = QCheckBox(self.tr("Presentation scal&e"))
        self.back_button.clicked.connect(self.back)
        self.next_button.clicked.connect(self.next)
        # Presentation clickers send Page Down / Page Up.
        for key, slot in ((Qt.Key.Key_PageDown, self.next), (Qt.Key.Key_PageUp, self.back)):
            shortcut = QShortcut(QKeySequence(key), self)
            shortcut.setContext(Qt.ShortcutContext.WindowShortcut)
            shortcut.activated.connect(slot)
        self.reset_button.clicked.connect(self.reset)
        self.scale_toggle.toggled.connect(self.set_presentation_scale)

        side = QWidget()
        side_layout = QVBoxLayout(side)
        side_layout.setContentsMargins(6, 0, 0, 0)
        side_layout.addWidget(self.counter)
        side_layout.addWidget(self.step_title)
        side_layout.addWidget(narration_scroll, stretch=1)
        buttons = QHBoxLayout()
        buttons.addWidget(self.back_button)
        buttons.addWidget(self.next_button)
        side_layout.addLayout(buttons)
        extras = QHBoxLayout()
        extras.addWidget(self.scale_toggle)
        extras.addStretch(1)
        extras.addWidget(self.reset_button)
        side_layout.addLayout(extras)

        self.workspace_holder = QWidget()
        self.workspace_layout = QVBoxLayout(self.workspace_holder)
        self.workspace_layout.setContentsMargins(0, 0, 0, 0)
        self.splitter = QSplitter(Qt.Orientation.Horizontal)
        self.splitter.addWidget(self.workspace_holder)
        self.splitter.addWidget(side)
        self.splitter.setStretchFactor(0, 3)
        self.splitter.setStretchFactor(1, 2)
        self.splitter.setSizes([1000, 560])
        layout = QVBoxLayout(self)
        layout.setContentsMargins(4, 4, 4, 4)
        layout.addWidget(self.banner)
        layout.addWidget(self.splitter, stretch=1)

        #: The outline around the highlighted control (a frame over the workspace).
        self.highlight = QFrame(self)
        self.highlight.setObjectName("demo_highlight")
        self.highlight.setStyleSheet(HIGHLIGHT_STYLE)
        self.highlight.setAttribute(Qt.WidgetAttribute.WA_TransparentForMouseEvents)
        self.highlight.hide()

        self._apply_fonts()
        self._start_copy()

    # --- steps --------------------------------------------------------------------------

    @property
    def steps(self):
        return self.run.steps

    def _start_copy(self) -> None:
        """A fresh copy of the case in a new workspace, at step 1."""
        from mtcr_desk.ui.views.case_workspace import CaseWorkspace

        reference = self.run.start()
        if self.workspace is not None:
            self.workspace_layout.removeWidget(self.workspace)
            self.workspace.deleteLater()
        # The demonstration picks no entries by hand: its steps record them.
        self.workspace = CaseWorkspace(self.context, reference, pick_entries=lambda _e: None)
        self.workspace_layout.addWidget(self.workspace)
        self.performed = set()
        self.remarks = {}
        self.go_to(0)

    def go_to(self, index: int) -> None:
        """Show step ``index``, performing its action the first time it is reached."""
        index = max(0, min(index, len(self.steps) - 1))
        step = self.steps[index]
        if step.action is not None and index not in self.performed:
            # Steps are performed in order: Next never skips an action.
            for earlier in range(index):
                if earlier not in self.performed:
                    self._perform(earlier)
            self._perform(index)
        self.performed.update(range(index + 1))
        self.index = index
        self.workspace.reload()
        self.workspace.show_page(step.page)
        if step.line is not None:
            self.workspace.select_item(step.line)
        self.counter.setText(self.tr("Step %1 of %2").replace("%1", str(index + 1))
                             .replace("%2", str(len(self.steps))))
        self.step_title.setText(f"<b>{step.title}</b>")
        text = step.narration
        if index in self.remarks:
            text += "\n\n" + self.remarks[index]
        self.narration.setText(text)
        self.back_button.setEnabled(index > 0)
        self.next_button.setEnabled(index < len(self.steps) - 1)
        QTimer.singleShot(0, self.place_highlight)

    def _perform(self, index: int) -> None:
        step = self.steps[index]
        if step.action is None or index in self.performed:
            return
        try:
            remark = step.action()
        except MtcrDeskError as error:
            remark = self.tr("Refused: ") + str(error)
        self.performed.add(index)
        if remark:
            self.remarks[index] = remark

    def next(self) -> None:
        self.go_to(self.index + 1)

    def back(self) -> None:
        """Re-show the previous step (nothing done to the case is undone)."""
        self.go_to(self.index - 1)

    def reset(self) -> None:
        """Start a fresh pristine copy of the scenario's case and return to step 1."""
        try:
            self._start_copy()
        except MtcrDeskError as error:  # a full disk, a busy database: say so, keep the view
            show_refusal(self, error)

    # --- outline and fonts --------------------------------------------------------------

    def place_highlight(self) -> None:
        """Put the outline around the current step's control."""
        if self.workspace is None:
            return
        target = highlight_target(self.workspace, self.steps[self.index].highlight)
        if not target.isVisible():
            self.highlight.hide()
            return
        margin = 4
        top_left = target.mapTo(self, QPoint(0, 0))
        self.highlight.setGeometry(top_left.x() - margin, top_left.y() - margin,
                                   target.width() + 2 * margin, target.height() + 2 * margin)
        self.highlight.show()
        self.highlight.raise_()

    def settle(self) -> None:
        """Let layouts and the memo render settle, then outline (for grabbing)."""
        for _ in range(3):
            QApplication.processEvents()
        self.place_highlight()
        QApplication.processEvents()

    def resizeEvent(self, event) -> None:  # noqa: N802 - Qt's name
        super().resizeEvent(event)
        QTimer.singleShot(0, self.place_highlight)

    def set_presentation_scale(self, on: bool) -> None:
        """Enlarge every font of the demonstration (workspace included) by 1.5, or not."""
        self._scaled = on
        self._apply_fonts()
        QTimer.singleShot(0, self.place_highlight)

    def _apply_fonts(self) -> None:
        scale = PRESENTATION_SCALE if getattr(self, "_scaled", False) else 1.0
        font = QFont(self._base_font)
        if font.pointSizeF() > 0:
            font.setPointSizeF(font.pointSizeF() * scale)
        self.setFont(font)
        narration = QFont(font)
        narration.setPointSizeF(NARRATION_POINTS * scale)
        self.narration.setFont(narration)
        title = QFont(narration)
        title.setPointSizeF((NARRATION_POINTS + 3) * scale)
        self.step_title.setFont(title)
        self.counter.setFont(narration)

    @property
    def presentation_scale(self) -> float:
        return PRESENTATION_SCALE if getattr(self, "_scaled", False) else 1.0
