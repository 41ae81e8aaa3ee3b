"""The Memo page of a case: preview of the decision memo, Print and Export PDF.

The memo shown is exactly what Print and Export produce: the memo of record
once the decision is final (its SHA-256 is shown, so a reader can check a paper
or file copy against it), otherwise a fresh render of the record marked DRAFT.
Pages are rasterised with PDFium (:mod:`ui.pdf_pages`) at the zoom chosen.

The batch export of many cases' memos lives here too, as a function the case
list calls: it runs off the GUI thread with its own database connection.
"""

from __future__ import annotations

from pathlib import Path

from PySide6.QtCore import QCoreApplication, QMarginsF, QRectF, QSizeF, Qt, QTimer
from PySide6.QtGui import QPageLayout, QPageSize, QPainter, QPalette, QPixmap
from PySide6.QtPrintSupport import QPrintDialog, QPrinter
from PySide6.QtWidgets import (
    QComboBox,
    QFileDialog,
    QHBoxLayout,
    QLabel,
    QMessageBox,
    QPushButton,
    QScrollArea,
    QVBoxLayout,
    QWidget,
)

from mtcr_desk.domain.errors import MtcrDeskError
from mtcr_desk.services import memos
from mtcr_desk.services.database import open_database
from mtcr_desk.services.settings import load_settings
from mtcr_desk.ui.context import AppContext
from mtcr_desk.ui.dialogs.refusal import show_refusal
from mtcr_desk.ui.pdf_pages import first_page_size, page_count, render_pages
from mtcr_desk.ui.workers import JobCancelled, run_in_background

#: Zoom choices: (label, scale); 0 means "fit the page width to the window".
ZOOMS = (("Fit width", 0.0), ("50 %", 0.5), ("75 %", 0.75), ("100 %", 1.0),
         ("125 %", 1.25), ("150 %", 1.5), ("200 %", 2.0))
#: Screen resolution the zoom percentages refer to (100 % = the paper size on a 96 dpi screen).
SCREEN_DPI = 96.0
#: Printing never rasterises finer than this: sharp text, bounded memory.
MAX_PRINT_DPI = 300
#: The preview shows at most this many pages: a 150-page memo (a case with hundreds of
#: items) would otherwise take gigabytes as images. Print and Export have every page.
MAX_PREVIEW_PAGES = 12
#: A4 width in points, for "fit width" before the first page is known.
A4_WIDTH_POINTS = 595.0


def _tr(text: str) -> str:
    return QCoreApplication.translate("MemoPage", text)


class MemoPage(QWidget):
    """Preview of one case's memo, with Print and Export PDF."""

    def __init__(self, context: AppContext, parent: QWidget | None = None):
        super().__init__(parent)
        self.context = context
        self.reference: str | None = None
        #: The memo on show (None until the first render, or when it failed).
        self.document: memos.MemoDocument | None = None
        self._page_width_points = A4_WIDTH_POINTS
        # Keep the printer alive while a dialog uses it (a temporary one crashed Qt).
        self._printer: QPrinter | None = None

        self.status_label = QLabel()
        self.status_label.setAccessibleName(self.tr("Memo status"))
        self.status_label.setWordWrap(True)
        self.status_label.setTextInteractionFlags(Qt.TextInteractionFlag.TextSelectableByMouse)
        self.zoom_combo = QComboBox()
        self.zoom_combo.setAccessibleName(self.tr("Zoom"))
        self.zoom_label = QLabel(self.tr("&Zoom:"))
        self.zoom_label.setBuddy(self.zoom_combo)
        for label, scale in ZOOMS:
            self.zoom_combo.addItem(self.tr(label), scale)
        self.refresh_button = QPushButton(self.tr("&Refresh"))
        self.refresh_button.setAccessibleName(self.tr("Refresh memo"))
        self.refresh_button.setToolTip(self.tr("Render the memo again from the record"))
        self.print_button = QPushButton(self.tr("&Print…"))
        self.print_button.setAccessibleName(self.tr("Print memo"))
        self.export_button = QPushButton(self.tr("E&xport PDF…"))
        self.export_button.setAccessibleName(self.tr("Export memo as PDF"))

        self.pages_widget = QWidget()
        self.pages_widget.setAccessibleName(self.tr("Memo pages"))
        self.pages_layout = QVBoxLayout(self.pages_widget)
        self.pages_layout.setAlignment(Qt.AlignmentFlag.AlignHCenter | Qt.AlignmentFlag.AlignTop)
        self.pages_layout.setSpacing(12)
        self.scroll = QScrollArea()
        self.scroll.setAccessibleName(self.tr("Memo preview"))
        self.scroll.setWidgetResizable(True)
        self.scroll.setWidget(self.pages_widget)
        # Pages lie on a darker desk, as in any PDF viewer (and in a dark palette too).
        self.pages_widget.setBackgroundRole(QPalette.ColorRole.Dark)
        self.pages_widget.setAutoFillBackground(True)
        self._refit_timer = QTimer(self)
        self._refit_timer.setSingleShot(True)
        self._refit_timer.setInterval(150)
        self._refit_timer.timeout.connect(self._show_pages)
        self.page_labels: list[QLabel] = []

        bar = QHBoxLayout()
        bar.addWidget(self.status_label, stretch=1)
        bar.addWidget(self.zoom_label)
        bar.addWidget(self.zoom_combo)
        bar.addWidget(self.refresh_button)
        bar.addWidget(self.print_button)
        bar.addWidget(self.export_button)
        layout = QVBoxLayout(self)
        layout.addLayout(bar)
        layout.addWidget(self.scroll, stretch=1)
        for first, second in ((self.zoom_combo, self.refresh_button),
                              (self.refresh_button, self.print_button),
                              (self.print_button, self.export_button),
                              (self.export_button, self.scroll)):
            QWidget.setTabOrder(first, second)

        self.zoom_combo.currentIndexChanged.connect(self._show_pages)
        self.refresh_button.clicked.connect(self.refresh)
        self.print_button.clicked.connect(self.print_memo)
        self.export_button.clicked.connect(self.export_pdf)
        self._set_buttons_enabled(False)

    # --- showing ------------------------------------------------------------------------

    def show_case(self, reference: str) -> None:
        """Render and show the memo of a case (the workspace calls this when shown)."""
        self.reference = reference
        self.refresh()

    def refresh(self) -> None:
        """Render the memo again from the record as it stands."""
        if self.reference is None:
            return
        try:
            self.document = memos.memo_document(self.context.store, self.reference)
        except MtcrDeskError as error:
            self.document = None
            self.status_label.setText(self.tr("The memo cannot be rendered: ") + str(error))
            self._clear_pages()
            self._set_buttons_enabled(False)
            return
        self._describe()
        self._show_pages()
        self._set_buttons_enabled(True)

    def _describe(self) -> None:
        document = self.document
        assert document is not None
        if document.of_record:
            text = self.tr("Memo of record of the final decision: exports and prints are "
                           "these very bytes.\nSHA-256 %1").replace("%1", document.sha256)
        elif document.draft:
            text = self.tr("Draft: rendered from the record as it stands; marked DRAFT until "
                           "the decision is countersigned.")
        elif document.amended:
            text = self.tr("Rendered from the record as it stands (the case has been amended "
                           "since the decision; its memo of record is kept unchanged).")
        else:
            text = self.tr("Final decision from before memos were kept: rendered from the "
                           "record. Its memo of record is kept the first time it is shown or "
                           "exported in a window that may change this database.")
        self.status_label.setText(text)

    def resizeEvent(self, event) -> None:  # noqa: N802 - Qt's name
        super().resizeEvent(event)
        if self.document is not None and not self.zoom_combo.currentData():
            self._refit_timer.start()  # fit width again once the user stops resizing

    def _zoom_dpi(self) -> float:
        scale = self.zoom_combo.currentData() or 0.0
        if scale:
            return SCREEN_DPI * scale
        # Fit width: the page fills the viewport less the scroll bar and margins.
        available = max(200, self.scroll.viewport().width() - 40)
        return available * 72.0 / self._page_width_points

    def _clear_pages(self) -> None:
        for label in self.page_labels:
            self.pages_layout.removeWidget(label)
            label.hide()  # gone from the screen now; deleted when the event loop next runs
            label.deleteLater()
        self.page_labels = []

    def _show_pages(self) -> None:
        if self.document is None:
            return
        ratio = self.devicePixelRatioF()
        dpi = self._zoom_dpi()
        total = page_count(self.document.pdf)
        images = render_pages(self.document.pdf, dpi=dpi * ratio, last=MAX_PREVIEW_PAGES - 1)
        if images:
            self._page_width_points = images[0].width() * 72.0 / (dpi * ratio)
        self._clear_pages()
        for number, image in enumerate(images, start=1):
            pixmap = QPixmap.fromImage(image)
            pixmap.setDevicePixelRatio(ratio)  # crisp on high-DPI screens
            label = QLabel()
            label.setPixmap(pixmap)
            label.setAccessibleName(self.tr("Memo page %1 of %2").replace(
                "%1", str(number)).replace("%2", str(len(images))))
            label.setStyleSheet("border: 1px solid palette(mid);")
            # Centred at its own size: the border follows the page, not the widest row.
            self.pages_layout.addWidget(label, alignment=Qt.AlignmentFlag.AlignHCenter)
            self.page_labels.append(label)
        if total > len(images):
            note = QLabel(self.tr("Pages %1 to %2 are not shown here; Print and Export PDF "
                                  "have every page.").replace("%1", str(len(images) + 1))
                          .replace("%2", str(total)))
            note.setAccessibleName(self.tr("Pages not previewed"))
            self.pages_layout.addWidget(note)
            self.page_labels.append(note)

    def _set_buttons_enabled(self, enabled: bool) -> None:
        for button in (self.print_button, self.export_button):
            button.setEnabled(enabled)

    # --- printing and exporting -----------------------------------------------------------

    def _page_size(self) -> QPageSize:
        """The paper the memo was made for (a memo of record keeps its own size)."""
        if self.document is None:
            size = load_settings(self.context.store).page_size
            return QPageSize(QPageSize.PageSizeId.Letter if size == "Letter"
                             else QPageSize.PageSizeId.A4)
        width, height = first_page_size(self.document.pdf)
        return QPageSize(QSizeF(width, height), QPageSize.Unit.Point, "",
                         QPageSize.SizeMatchPolicy.FuzzyMatch)

    def print_memo(self) -> bool:
        """File > Print: the print dialog, then the memo's pages on the chosen printer."""
        if self.document is None:
            return False
        self._printer = QPrinter(QPrinter.PrinterMode.HighResolution)
        self._printer.setPageSize(self._page_size())
        self._printer.setPageOrientation(QPageLayout.Orientation.Portrait)
        self._printer.setDocName(memos.memo_file_name(self.document.reference))
        dialog = QPrintDialog(self._printer, self)
        dialog.setWindowTitle(self.tr("Print memo %1").replace("%1", self.document.reference))
        if dialog.exec() != QPrintDialog.DialogCode.Accepted:
            return False
        return self.print_to(self._printer)

    def print_to(self, printer: QPrinter) -> bool:
        """Paint every page of the memo on ``printer``, each scaled to the paper."""
        if self.document is None:
            return False
        printer.setFullPage(True)  # the memo carries its own margins
        printer.setPageMargins(QMarginsF(0, 0, 0, 0), QPageLayout.Unit.Point)
        dpi = min(printer.resolution(), MAX_PRINT_DPI)
        pages = page_count(self.document.pdf)
        painter = QPainter()
        if not painter.begin(printer):
            show_refusal(self, OSError(self.tr("The printer could not be opened")))
            return False
        try:
            for index in range(pages):
                # One page at a time: a long memo never sits in memory as images at once.
                image = render_pages(self.document.pdf, dpi=dpi, first=index, last=index)[0]
                if index:
                    printer.newPage()
                paper = QRectF(printer.pageLayout().fullRectPixels(printer.resolution()))
                scale = min(paper.width() / image.width(), paper.height() / image.height())
                width, height = image.width() * scale, image.height() * scale
                # Centred: on other paper than the memo's the margins stay even.
                target = QRectF((paper.width() - width) / 2, (paper.height() - height) / 2,
                                width, height)
                painter.drawImage(target, image)
        finally:
            painter.end()
        return True

    def export_pdf(self, path: str | Path | None = None) -> Path | None:
        """Write the memo to a file chosen by the user (atomically); return the file."""
        if self.document is None:
            return None
        if path is None:
            chosen, _filter = QFileDialog.getSaveFileName(
                self, self.tr("Export memo"), memos.memo_file_name(self.document.reference),
                self.tr("PDF files (*.pdf)"))
            if not chosen:
                return None
            path = chosen
        try:
            written = memos.export_memo(self.context.store, self.document.reference, Path(path))
        except (MtcrDeskError, OSError) as error:
            show_refusal(self, error)
            return None
        window = self.window()
        status_bar = getattr(window, "statusBar", None)
        if callable(status_bar):
            status_bar().showMessage(self.tr("Wrote ") + str(written), 10_000)
        return written


def export_memos_of_cases(parent: QWidget, context: AppContext, references: list[str],
                          folder: Path | None = None) -> list[Path] | None:
    """Export the memos of several cases into a folder, off the GUI thread.

    Asks for the folder unless one is given. Returns the files written, or None
    when the user gave up or the export failed (the reason has been shown). A
    cancelled batch keeps the memos already written; each is complete.
    """
    if not references:
        return None
    if folder is None:
        chosen = QFileDialog.getExistingDirectory(parent, _tr("Export memos to folder"))
        if not chosen:
            return None
        folder = Path(chosen)
    path = context.database_path

    def job(progress, cancelled) -> list[Path]:
        progress(0, len(references))
        # Its own connection: the GUI's one must never be used from this thread. Writable
        # when the window is: a final decision from before memos were kept gets its memo
        # of record as it is exported.
        store = open_database(path, read_only=context.read_only)
        try:
            return memos.export_memos(store, references, folder,
                                      progress=lambda done, total, _ref: progress(done, total),
                                      cancelled=cancelled)
        finally:
            store.close()

    try:
        written = run_in_background(parent, _tr("Exporting memos…"), job, cancellable=True)
    except JobCancelled:
        QMessageBox.information(parent, _tr("Export memos"), _tr(
            "Export cancelled. The memos written before you cancelled are complete."))
        return None
    except (MtcrDeskError, OSError) as error:
        show_refusal(parent, error)
        return None
    QMessageBox.information(parent, _tr("Export memos"), _tr(
        "%1 memos written to %2").replace("%1", str(len(written))).replace("%2", str(folder)))
    return written
