"""The control-list browser: edition, tree, instant search and the entry with all it says.

Layout, top to bottom: the edition selector with its text status (and, for a
structure-only edition, the plain warning that the wording must be imported);
the search box; the tree of Items, sections and entries, which the search
results replace while there is a query; the entry pane with the full text,
sub-entries, notes, technical notes, category, flags and cross-references as
links. Wherever an edition's text is shown, its reuse acknowledgement is shown
with it.

In picker mode (classifying a case item) the edition is locked to the case's
pinned edition and "Tag item with this entry" collects entries in a small
list; :func:`pick_entries` shows the browser so in a modal dialog.

Search runs on the GUI thread after a short pause in typing: it takes about a
millisecond, so a worker thread would cost more than it saves, and the pause
keeps a burst of keystrokes to one query.
"""

from __future__ import annotations

import html
import re

from PySide6.QtCore import QEvent, QModelIndex, QObject, QRectF, QSize, Qt, QTimer, QUrl, Signal
from PySide6.QtGui import QAbstractTextDocumentLayout, QKeySequence, QPalette, QTextDocument
from PySide6.QtWidgets import (
    QAbstractItemView,
    QApplication,
    QComboBox,
    QDialog,
    QDialogButtonBox,
    QHBoxLayout,
    QHeaderView,
    QLabel,
    QLineEdit,
    QListView,
    QListWidget,
    QListWidgetItem,
    QPushButton,
    QSizePolicy,
    QSplitter,
    QStackedWidget,
    QStyle,
    QStyledItemDelegate,
    QStyleOptionViewItem,
    QTextBrowser,
    QToolButton,
    QTreeView,
    QVBoxLayout,
    QWidget,
)

from mtcr_desk.domain.control_list import (
    Edition,
    EntryDetail,
    EntryKind,
    SearchHit,
    TextStatus,
)
from mtcr_desk.domain.errors import MtcrDeskError
from mtcr_desk.services.control_list_tree import ControlListTreeService
from mtcr_desk.ui.context import AppContext
from mtcr_desk.ui.models.control_list_tree_model import (
    COL_CATEGORY,
    COL_CODE,
    COL_TITLE,
    FLAG_TEXTS,
    CodeRole,
    ControlListTreeModel,
    EntryRole,
    HtmlRole,
    SearchResultsModel,
    entry_summary,
    node_name,
)
from mtcr_desk.ui.view_state import remember_splitter

#: Pause after the last keystroke before the search runs (milliseconds).
SEARCH_DEBOUNCE_MS = 120
#: Results shown for one query; the best come first, and more would not be read.
SEARCH_LIMIT = 100
#: Links in the entry pane that open another entry of the same edition.
ENTRY_SCHEME = "entry"
#: Kinds shown inside the entry they belong to rather than on their own.
_NOTE_KINDS = (EntryKind.NOTE, EntryKind.TECHNICAL_NOTE)
_PAGE_TREE, _PAGE_RESULTS = 0, 1

_CATEGORY_COLOURS = {"I": "#991b1b", "II": "#92400e"}
_FLAG_COLOURS = {"mtcr_origin": "#1d4ed8", "text_incomplete": "#b45309",
                 "implied_parent": "#4b5563"}
_WARNING_STYLE = ("background:#fff7ed;color:#7c2d12;border:1px solid #fdba74;"
                  "padding:6px;")
_ACKNOWLEDGEMENT_STYLE = "color:#374151;background:#f3f4f6;padding:4px;"


def _escape(text: str) -> str:
    return html.escape(text, quote=True)


def _paragraphs(text: str) -> str:
    """Return escaped text with its line breaks kept."""
    return "<br>".join(_escape(line) for line in text.splitlines())


def entry_link(code: str) -> str:
    """Return the URL of a link that opens an entry of the edition shown."""
    url = QUrl()
    url.setScheme(ENTRY_SCHEME)
    url.setPath(code)
    return url.toString(QUrl.ComponentFormattingOption.FullyEncoded)


def _badge(text: str, colour: str) -> str:
    return (f"<span style='background-color:{colour};color:white;font-weight:bold'>"
            f"&nbsp;{_escape(text)}&nbsp;</span>")


class _HtmlDelegate(QStyledItemDelegate):
    """Paints a row's :data:`HtmlRole` rich text, wrapped to the width of the view."""

    _MARGIN = 4

    def __init__(self, view: QListView):
        super().__init__(view)
        self._view = view
        self._heights: dict[tuple[str, int], int] = {}

    def _document(self, index: QModelIndex, width: int, selected: bool) -> QTextDocument:
        document = QTextDocument()
        document.setDocumentMargin(self._MARGIN)
        # Matches stand out by weight and, unless the row is selected, a soft background.
        document.setDefaultStyleSheet(
            ".muted { color: #6b7280; }" if not selected else "",
        )
        document.setDefaultFont(self._view.font())
        document.setHtml(index.model().data(index, HtmlRole) or "")
        document.setTextWidth(max(width, 50))
        return document

    def paint(self, painter, option, index) -> None:
        options = QStyleOptionViewItem(option)
        self.initStyleOption(options, index)
        options.text = ""  # the style paints background, selection and focus; we the text
        style = options.widget.style() if options.widget else QApplication.style()
        style.drawControl(QStyle.ControlElement.CE_ItemViewItem, options, painter, options.widget)
        selected = bool(option.state & QStyle.StateFlag.State_Selected)
        document = self._document(index, option.rect.width(), selected)
        context = QAbstractTextDocumentLayout.PaintContext()
        role = QPalette.ColorRole.HighlightedText if selected else QPalette.ColorRole.Text
        context.palette.setColor(QPalette.ColorRole.Text, option.palette.color(role))
        painter.save()
        painter.translate(option.rect.topLeft())
        painter.setClipRect(QRectF(0, 0, option.rect.width(), option.rect.height()))
        document.documentLayout().draw(painter, context)
        painter.restore()

    def sizeHint(self, option, index) -> QSize:  # noqa: N802 - Qt's name
        # The list asks for every row's size after each keystroke; laying out the same
        # rich text again at the same width is the costly part, so heights are kept.
        width = self._view.viewport().width()
        key = (index.model().data(index, HtmlRole) or "", width)
        height = self._heights.get(key)
        if height is None:
            if len(self._heights) > 5000:
                self._heights.clear()
            height = int(self._document(index, width, False).size().height()) + 2
            self._heights[key] = height
        return QSize(width, height)


class ControlListBrowser(QWidget):
    """Browse and search one control-list edition and read its entries."""

    #: Picker mode: (edition id, every code picked so far) after each tag or removal.
    entries_picked = Signal(str, list)

    def __init__(self, context: AppContext, *, picker: bool = False,
                 edition_id: str | None = None, parent: QWidget | None = None):
        super().__init__(parent)
        self._context = context
        self._control_list = context.control_list
        self._picker = picker
        self._editions: list[Edition] = self._control_list.editions()
        self._edition: Edition | None = None
        #: The entry in the pane (a note found by search shows its entry).
        self._detail: EntryDetail | None = None
        self._history: list[tuple[str, str]] = []
        self._syncing_tree = False

        self._build_header()
        self._build_search()
        self._build_panes()
        self._build_picker_bar()
        self._lay_out()
        self._set_tab_order()

        chosen = self._initial_edition(edition_id)
        if chosen is not None:
            self.edition_combo.setCurrentIndex(
                [e.id for e in self._editions].index(chosen))
            self._set_edition(chosen)
        else:
            self.entry_pane.setHtml(_escape(self.tr("No control-list edition is loaded.")))
        if picker:
            self.edition_combo.setEnabled(False)
            self.edition_combo.setToolTip(self.tr(
                "Locked to the edition the case is pinned to: entries are tagged against it."))

    # --- building ----------------------------------------------------------------------

    def _build_header(self) -> None:
        self.edition_combo = QComboBox()
        self.edition_combo.setAccessibleName(self.tr("Control-list edition"))
        self.edition_combo.setSizeAdjustPolicy(
            QComboBox.SizeAdjustPolicy.AdjustToMinimumContentsLengthWithIcon)
        self.edition_combo.setMinimumContentsLength(40)
        for edition in self._editions:
            self.edition_combo.addItem(self._edition_label(edition), edition.id)
            self.edition_combo.setItemData(self.edition_combo.count() - 1, edition.provenance,
                                           Qt.ItemDataRole.ToolTipRole)
        self.edition_combo.currentIndexChanged.connect(self._edition_chosen)
        self.edition_label = QLabel(self.tr("&Edition:"))
        self.edition_label.setBuddy(self.edition_combo)

        self.text_status_label = QLabel()
        self.text_status_label.setAccessibleName(self.tr("Text status of the edition"))
        self.details_button = QToolButton()
        self.details_button.setText(self.tr("Edition &details"))
        self.details_button.setAccessibleName(self.tr("Show the edition's provenance"))
        self.details_button.setToolTip(self.tr(
            "Show where this edition comes from, its licence and how far it can be trusted"))
        self.details_button.clicked.connect(self.show_edition_details)

        self.limitation_banner = QLabel()
        self.limitation_banner.setWordWrap(True)
        self.limitation_banner.setAccessibleName(self.tr("Edition limitation"))
        self.limitation_banner.setStyleSheet(_WARNING_STYLE)

    def _build_search(self) -> None:
        self.search_edit = QLineEdit()
        self.search_edit.setAccessibleName(self.tr("Search the control list"))
        self.search_edit.setPlaceholderText(self.tr(
            "Code or words: 2.A.1.c, 9A101, gyro, production facilities"))
        self.search_edit.setClearButtonEnabled(True)
        self.search_edit.setMaxLength(500)
        self.search_edit.installEventFilter(self)
        self.search_label = QLabel(self.tr("&Search:"))
        self.search_label.setBuddy(self.search_edit)
        self.search_status = QLabel()
        self.search_status.setAccessibleName(self.tr("Search status"))
        self.search_status.linkActivated.connect(self._search_status_link)
        self.search_status.setMinimumWidth(160)
        self._search_timer = QTimer(self)
        self._search_timer.setSingleShot(True)
        self._search_timer.setInterval(SEARCH_DEBOUNCE_MS)
        self._search_timer.timeout.connect(self._run_search)
        self.search_edit.textChanged.connect(lambda _text: self._search_timer.start())

    def _build_panes(self) -> None:
        self.tree_model = ControlListTreeModel(ControlListTreeService(self._context.store),
                                               parent=self)
        self.tree_view = QTreeView()
        self.tree_view.setAccessibleName(self.tr("Control-list tree"))
        self.tree_view.setModel(self.tree_model)
        self.tree_view.setUniformRowHeights(True)
        self.tree_view.setEditTriggers(QAbstractItemView.EditTrigger.NoEditTriggers)
        self.tree_view.setSelectionMode(QAbstractItemView.SelectionMode.SingleSelection)
        header = self.tree_view.header()
        header.setStretchLastSection(False)
        header.setSectionResizeMode(COL_CODE, QHeaderView.ResizeMode.ResizeToContents)
        header.setSectionResizeMode(COL_TITLE, QHeaderView.ResizeMode.Stretch)
        header.setSectionResizeMode(COL_CATEGORY, QHeaderView.ResizeMode.ResizeToContents)
        self.tree_view.selectionModel().currentChanged.connect(self._tree_current_changed)
        self.tree_view.doubleClicked.connect(self._double_clicked)

        self.results_model = SearchResultsModel(self)
        self.results_view = QListView()
        self.results_view.setAccessibleName(self.tr("Search results"))
        self.results_view.setModel(self.results_model)
        self.results_view.setItemDelegate(_HtmlDelegate(self.results_view))
        self.results_view.setResizeMode(QListView.ResizeMode.Adjust)
        self.results_view.setVerticalScrollMode(QAbstractItemView.ScrollMode.ScrollPerPixel)
        self.results_view.setEditTriggers(QAbstractItemView.EditTrigger.NoEditTriggers)
        self.results_view.setAlternatingRowColors(True)
        # Rows wrap to the width of the view; a scroll bar that comes and goes would
        # change that width under them.
        self.results_view.setHorizontalScrollBarPolicy(Qt.ScrollBarPolicy.ScrollBarAlwaysOff)
        self.results_view.setVerticalScrollBarPolicy(Qt.ScrollBarPolicy.ScrollBarAlwaysOn)
        self.results_view.selectionModel().currentChanged.connect(self._result_current_changed)
        self.results_view.doubleClicked.connect(self._double_clicked)

        self.left_stack = QStackedWidget()
        self.left_stack.addWidget(self.tree_view)
        self.left_stack.addWidget(self.results_view)
        self.left_acknowledgement = self._acknowledgement_label()

        self.entry_pane = QTextBrowser()
        self.entry_pane.setAccessibleName(self.tr("Entry text"))
        self.entry_pane.setOpenLinks(False)
        self.entry_pane.anchorClicked.connect(self._link_clicked)
        self.back_button = QToolButton()
        self.back_button.setText(self.tr("◀ Back"))
        self.back_button.setAccessibleName(self.tr("Back to the previous entry"))
        self.back_button.setToolTip(self.tr("Back to the previous entry (Alt+Left)"))
        self.back_button.setShortcut(QKeySequence(QKeySequence.StandardKey.Back))
        # Reached with Alt+Left; out of the Tab chain so that Tab goes from the
        # results straight into the entry.
        self.back_button.setFocusPolicy(Qt.FocusPolicy.NoFocus)
        self.back_button.setEnabled(False)
        self.back_button.clicked.connect(self.go_back)
        self.entry_heading = QLabel()
        self.entry_heading.setAccessibleName(self.tr("Entry shown"))
        # A long title is cut at the pane's edge rather than widening the pane.
        self.entry_heading.setSizePolicy(QSizePolicy.Policy.Ignored,
                                         QSizePolicy.Policy.Preferred)

    def _acknowledgement_label(self) -> QLabel:
        label = QLabel()
        label.setWordWrap(True)
        label.setAccessibleName(self.tr("Reuse acknowledgement"))
        label.setStyleSheet(_ACKNOWLEDGEMENT_STYLE)
        label.setTextInteractionFlags(Qt.TextInteractionFlag.TextSelectableByMouse)
        return label

    def _build_picker_bar(self) -> None:
        self.tag_button: QPushButton | None = None
        self.picked_list: QListWidget | None = None
        self.remove_button: QPushButton | None = None
        if not self._picker:
            return
        self.tag_button = QPushButton(self.tr("&Tag item with this entry"))
        self.tag_button.setAccessibleName(self.tr("Tag item with this entry"))
        self.tag_button.setEnabled(False)
        self.tag_button.clicked.connect(self.tag_current_entry)
        self.picked_list = QListWidget()
        self.picked_list.setAccessibleName(self.tr("Entries picked for the item"))
        self.picked_list.setMaximumHeight(72)
        self.picked_list.setHorizontalScrollBarPolicy(Qt.ScrollBarPolicy.ScrollBarAlwaysOff)
        self.picked_list.itemSelectionChanged.connect(self._update_picker_buttons)
        self.picked_label = QLabel(self.tr("&Picked:"))
        self.picked_label.setBuddy(self.picked_list)
        self.remove_button = QPushButton(self.tr("&Remove"))
        self.remove_button.setAccessibleName(self.tr("Remove the selected picked entry"))
        self.remove_button.setEnabled(False)
        self.remove_button.clicked.connect(self.remove_selected_pick)

    def _lay_out(self) -> None:
        header = QHBoxLayout()
        header.addWidget(self.edition_label)
        header.addWidget(self.edition_combo, stretch=1)
        header.addWidget(self.text_status_label)
        header.addWidget(self.details_button)

        search = QHBoxLayout()
        search.addWidget(self.search_label)
        search.addWidget(self.search_edit, stretch=1)
        search.addWidget(self.search_status)

        left = QWidget()
        left_layout = QVBoxLayout(left)
        left_layout.setContentsMargins(0, 0, 0, 0)
        left_layout.addLayout(search)
        left_layout.addWidget(self.left_stack, stretch=1)
        left_layout.addWidget(self.left_acknowledgement)

        right = QWidget()
        right_layout = QVBoxLayout(right)
        right_layout.setContentsMargins(0, 0, 0, 0)
        pane_header = QHBoxLayout()
        pane_header.addWidget(self.back_button)
        pane_header.addWidget(self.entry_heading, stretch=1)
        right_layout.addLayout(pane_header)
        right_layout.addWidget(self.entry_pane, stretch=1)
        if self._picker:
            bar = QHBoxLayout()
            bar.addWidget(self.tag_button)
            bar.addWidget(self.picked_label)
            bar.addWidget(self.picked_list, stretch=1)
            bar.addWidget(self.remove_button)
            right_layout.addLayout(bar)

        self.splitter = QSplitter(Qt.Orientation.Horizontal)
        self.splitter.setChildrenCollapsible(False)
        self.splitter.addWidget(left)
        self.splitter.addWidget(right)
        self.splitter.setStretchFactor(0, 2)
        self.splitter.setStretchFactor(1, 3)
        self.splitter.setSizes([520, 780])
        remember_splitter(self.splitter,
                          "entry_picker/splitter" if self._picker else "control_list/splitter")

        layout = QVBoxLayout(self)
        layout.addLayout(header)
        layout.addWidget(self.limitation_banner)
        layout.addWidget(self.splitter, stretch=1)

    def _set_tab_order(self) -> None:
        chain: list[QWidget] = [self.edition_combo, self.details_button, self.search_edit,
                                self.results_view, self.tree_view, self.entry_pane]
        if self._picker:
            chain += [self.tag_button, self.picked_list, self.remove_button]
        for first, second in zip(chain, chain[1:], strict=False):
            QWidget.setTabOrder(first, second)

    # --- editions ----------------------------------------------------------------------

    def _edition_label(self, edition: Edition) -> str:
        status = self.tr("structure only") if edition.text_status is TextStatus.STRUCTURE \
            else self.tr("full text")
        return f"{edition.title}  [{edition.id}; {status}]"

    def _initial_edition(self, edition_id: str | None) -> str | None:
        ids = [edition.id for edition in self._editions]
        if edition_id is not None:
            if edition_id not in ids:
                # The pinned edition is always loaded; say so rather than guess another.
                self._control_list.edition(edition_id)  # raises NotFoundError
            return edition_id
        default = self._context.control_list.default_edition()
        if default in ids:
            return default
        return ids[0] if ids else None

    def _edition_chosen(self, row: int) -> None:
        if 0 <= row < len(self._editions) and (
                self._edition is None or self._editions[row].id != self._edition.id):
            self._set_edition(self._editions[row].id)

    def _set_edition(self, edition_id: str) -> None:
        edition = next(e for e in self._editions if e.id == edition_id)
        self._edition = edition
        self._detail = None
        self._history.clear()
        self.back_button.setEnabled(False)
        self.tree_model.set_edition(edition.id, regime=edition.regime)
        self.tree_view.setColumnHidden(COL_CATEGORY, not edition.has_mtcr_categories)
        if edition.text_status is TextStatus.STRUCTURE:
            self.text_status_label.setText(_badge(self.tr("Structure only"), "#b45309"))
            self.limitation_banner.setText(self.tr(
                "<b>Structure only — the wording must be imported.</b> This edition holds "
                "the entry codes, their hierarchy and categories, but not the official "
                "wording of the entries. Import the official MTCR Annex (an administrator "
                "runs <i>mtcr-desk list import</i>) before classifying against the text."))
            self.limitation_banner.show()
        else:
            self.text_status_label.setText(_badge(self.tr("Full text"), "#166534"))
            self.limitation_banner.hide()
        self.text_status_label.setToolTip(edition.limitations or self.tr(
            "This edition carries the wording of every entry."))
        acknowledgement = edition.acknowledgement or ""
        self.left_acknowledgement.setText(_escape(acknowledgement))
        self.left_acknowledgement.setVisible(bool(acknowledgement))
        self.show_edition_details()
        if self.search_edit.text().strip():
            self._run_search()

    @property
    def edition(self) -> Edition | None:
        """The edition browsed."""
        return self._edition

    def show_edition_details(self) -> None:
        """Show the edition's provenance, licence and limits in the entry pane."""
        edition = self._edition
        if edition is None:
            return
        self._detail = None
        self._update_picker_buttons()
        self.entry_heading.setText("<b>" + _escape(edition.title) + "</b>")
        rows = [
            (self.tr("Edition"), edition.id),
            (self.tr("Regime"), edition.regime),
            (self.tr("Version"), edition.version),
            (self.tr("Date"), edition.edition_date or self.tr("not established")),
            (self.tr("Text"), self.tr("structure only (no wording)")
             if edition.text_status is TextStatus.STRUCTURE else self.tr("full text")),
            (self.tr("MTCR categories"), self.tr("carried by each entry")
             if edition.has_mtcr_categories
             else self.tr("none: record the category with each assessment")),
            (self.tr("Nodes"), str(edition.entry_count)),
            (self.tr("Source file"), edition.source_file or self.tr("none recorded")),
            (self.tr("Source SHA-256"), edition.source_sha256 or self.tr("none recorded")),
            (self.tr("Imported"), f"{edition.imported_at} {self.tr('by')} {edition.imported_by}"),
        ]
        parts = [f"<h2>{_escape(edition.title)}</h2>"]
        if edition.limitations:
            parts.append(self._warning_box(
                self.tr("The wording must be imported. ") + edition.limitations))
        parts.append("<table cellspacing='0' cellpadding='3'>" + "".join(
            f"<tr><td><b>{_escape(label)}</b></td><td>{_escape(value)}</td></tr>"
            for label, value in rows) + "</table>")
        parts.append(f"<h3>{_escape(self.tr('Provenance'))}</h3>"
                     f"<p>{_paragraphs(edition.provenance)}</p>")
        if edition.licence:
            parts.append(f"<h3>{_escape(self.tr('Licence'))}</h3>"
                         f"<p>{_paragraphs(edition.licence)}</p>")
        if edition.acknowledgement:
            parts.append(self._acknowledgement_box(edition.acknowledgement))
        hint = self.tr("Search, or browse the tree, to read an entry.")
        parts.append(f"<p style='color:#6b7280'>{_escape(hint)}</p>")
        self.entry_pane.setHtml("".join(parts))

    # --- search ------------------------------------------------------------------------

    def set_query(self, text: str) -> None:
        """Put ``text`` in the search box and search now, without waiting for the pause."""
        self.search_edit.setText(text)
        self._search_timer.stop()
        self._run_search()

    def focus_search(self) -> None:
        """Move the keyboard focus to the search box, its text selected."""
        self.search_edit.setFocus(Qt.FocusReason.ShortcutFocusReason)
        self.search_edit.selectAll()

    def _run_search(self) -> None:
        self._search_timer.stop()
        text = self.search_edit.text().strip()
        if not text or self._edition is None:
            self.results_model.set_hits([])
            self.search_status.setText("")
            self.left_stack.setCurrentIndex(_PAGE_TREE)
            return
        try:
            hits = self._control_list.search(text, edition_id=self._edition.id,
                                             limit=SEARCH_LIMIT)
            message = None
        except MtcrDeskError as error:
            hits, message = [], error.message
        self.results_model.set_hits(hits)
        self.left_stack.setCurrentIndex(_PAGE_RESULTS)
        if message:
            self.search_status.setText(_escape(message))
        elif not hits:
            self.search_status.setText(self._no_match_text(text))
        elif hits[0].exact_code_match:
            self.search_status.setText(self.tr("Code found"))
        elif len(hits) >= SEARCH_LIMIT:
            self.search_status.setText(self.tr("Best %n results", "", len(hits)))
        else:
            self.search_status.setText(self.tr("1 result") if len(hits) == 1 else
                                       self.tr("%n results, best first", "", len(hits)))
        if hits and hits[0].exact_code_match:
            # A code goes straight to its entry.
            self.results_view.setCurrentIndex(self.results_model.index(0))

    def _no_match_text(self, text: str) -> str:
        """"No match", with a link to another edition that has matches (the EU text has
        the wording the structure-only MTCR edition lacks)."""
        for edition in self._editions:
            if self._edition is not None and edition.id == self._edition.id:
                continue
            try:
                elsewhere = self._control_list.search(text, edition_id=edition.id,
                                                      limit=SEARCH_LIMIT)
            except MtcrDeskError:
                continue
            if elsewhere:
                count = (self.tr("%1+").replace("%1", str(SEARCH_LIMIT))
                         if len(elsewhere) >= SEARCH_LIMIT else str(len(elsewhere)))
                return self.tr('No match here; <a href="edition:%1">%2 in %3</a>').replace(
                    "%1", _escape(edition.id)).replace("%2", count).replace(
                    "%3", _escape(edition.id))
        return self.tr("No match in any edition")

    def _search_status_link(self, link: str) -> None:
        """The link of "No match here": browse that edition with the same search."""
        edition_id = link.removeprefix("edition:")
        row = next((i for i, e in enumerate(self._editions) if e.id == edition_id), -1)
        if row >= 0:
            self.edition_combo.setCurrentIndex(row)  # runs the search again there

    @property
    def hits(self) -> list[SearchHit]:
        """The search results shown, best first."""
        return self.results_model.hits

    def eventFilter(self, watched: QObject, event: QEvent) -> bool:  # noqa: N802
        if watched is self.search_edit and event.type() == QEvent.Type.KeyPress:
            key = event.key()
            if key in (Qt.Key.Key_Return, Qt.Key.Key_Enter):
                # Search now and open the best result; never the dialog's default button.
                self._run_search()
                if self.results_model.rowCount():
                    self.results_view.setCurrentIndex(self.results_model.index(0))
                return True
            if key == Qt.Key.Key_Down and self.left_stack.currentIndex() == _PAGE_RESULTS \
                    and self.results_model.rowCount():
                self.results_view.setFocus(Qt.FocusReason.TabFocusReason)
                if not self.results_view.currentIndex().isValid():
                    self.results_view.setCurrentIndex(self.results_model.index(0))
                return True
            if key == Qt.Key.Key_Escape and self.search_edit.text():
                self.search_edit.clear()
                self._run_search()
                return True
        return super().eventFilter(watched, event)

    # --- showing entries ---------------------------------------------------------------

    def show_entry(self, edition_id: str, code: str) -> bool:
        """Show an entry of an edition in the pane; return False when it cannot be shown.

        A note or technical note is shown inside the entry it belongs to.
        """
        return self._show(edition_id, code, remember=True)

    def _show(self, edition_id: str, code: str, *, remember: bool) -> bool:
        if self._edition is None:
            return False
        if edition_id != self._edition.id:
            if self._picker:
                self._show_message(self.tr(
                    "%1 is in edition %2; this case is pinned to edition %3.")
                    .replace("%1", code).replace("%2", edition_id)
                    .replace("%3", self._edition.id))
                return False
            if edition_id not in [e.id for e in self._editions]:
                self._show_message(self.tr("No edition %1 is loaded.").replace("%1", edition_id))
                return False
            self.edition_combo.setCurrentIndex([e.id for e in self._editions].index(edition_id))
        try:
            detail = self._control_list.show(code, edition_id=edition_id)[0]
        except MtcrDeskError as error:
            self._show_message(error.message)
            return False
        note_code = None
        if detail.entry.kind in _NOTE_KINDS:
            owner = next((a for a in reversed(detail.ancestors) if a.kind not in _NOTE_KINDS),
                         None)
            if owner is not None:
                note_code = detail.entry.code
                detail = self._control_list.show(owner.code, edition_id=edition_id)[0]
        if remember and self._detail is not None \
                and self._detail.entry.code != detail.entry.code:
            self._history.append((self._detail.entry.edition_id, self._detail.entry.code))
            self.back_button.setEnabled(True)
        self._display(detail, note_code)
        return True

    def go_back(self) -> None:
        """Show the entry shown before the last link or result was followed."""
        if not self._history:
            return
        edition_id, code = self._history.pop()
        self.back_button.setEnabled(bool(self._history))
        self._show(edition_id, code, remember=False)

    @property
    def current_detail(self) -> EntryDetail | None:
        """The entry in the pane with its tree, or None when the edition details are shown."""
        return self._detail

    def _show_message(self, message: str) -> None:
        self.entry_pane.setHtml(f"<p>{_escape(message)}</p>")

    def _display(self, detail: EntryDetail, note_code: str | None) -> None:
        self._detail = detail
        entry = detail.entry
        self.entry_heading.setText(
            f"<b>{_escape(node_name(entry, detail.edition.regime))}</b> "
            f"{_escape(entry_summary(entry))}")
        self.entry_heading.setToolTip(entry.display_title)
        self.entry_pane.setHtml(self.entry_html(detail, highlight=note_code))
        if note_code:
            self.entry_pane.scrollToAnchor(_anchor(note_code))
        self._sync_tree(detail)
        self._update_picker_buttons()

    def _sync_tree(self, detail: EntryDetail) -> None:
        """Select the entry in the tree, expanding its parents, without showing it again."""
        path = [a.code for a in detail.ancestors] + [detail.entry.code]
        index = self.tree_model.index_for_path(path)
        if not index.isValid():
            return
        self._syncing_tree = True
        try:
            self.tree_view.setCurrentIndex(index)
            self.tree_view.scrollTo(index)
        finally:
            self._syncing_tree = False

    def _tree_current_changed(self, current: QModelIndex, _previous: QModelIndex) -> None:
        if self._syncing_tree or not current.isValid() or self._edition is None:
            return
        self._show(self._edition.id, self.tree_model.data(current, CodeRole), remember=True)

    def _result_current_changed(self, current: QModelIndex, _previous: QModelIndex) -> None:
        if not current.isValid():
            return
        hit: SearchHit = self.results_model.data(current, EntryRole)
        self._show(hit.edition_id, hit.code, remember=True)

    def _double_clicked(self, index: QModelIndex) -> None:
        if self._picker and index.isValid():
            self.tag_current_entry()

    def _link_clicked(self, url: QUrl) -> None:
        if url.scheme() == ENTRY_SCHEME and self._edition is not None:
            code = url.path(QUrl.ComponentFormattingOption.FullyDecoded)
            self._show(self._edition.id, code, remember=True)
        elif url.hasFragment() and not url.scheme():
            self.entry_pane.scrollToAnchor(url.fragment())

    # --- the entry as rich text --------------------------------------------------------

    def entry_html(self, detail: EntryDetail, *, highlight: str | None = None) -> str:
        """Return the entry pane's rich text for an entry: every user text escaped.

        ``highlight`` is the code of a note or sub-entry to mark (the one a search found).
        """
        entry, edition = detail.entry, detail.edition
        parts: list[str] = []
        if detail.ancestors:
            crumbs = " › ".join(
                f"<a href='{entry_link(a.code)}'>{_escape(node_name(a, edition.regime))}</a>"
                + (f" {_escape(_shorten(a.title, 48))}" if a.title else "")
                for a in detail.ancestors)
            parts.append(f"<p style='color:#6b7280'>{crumbs}</p>")
        parts.append(f"<h2>{_escape(node_name(entry, edition.regime))}"
                     f"<span style='font-weight:normal;color:#6b7280;font-size:small'>"
                     f"&nbsp;&nbsp;{_escape(self.tr(entry.kind.value))}</span></h2>")
        parts.append(f"<p>{self._badges(detail)}</p>")
        if entry.title:
            status = ""
            if entry.title_status in ("corroborated", "unverified"):
                status = (f" <span style='color:#6b7280;font-size:small'>"
                          f"({_escape(self.tr('title %1').replace('%1', entry.title_status))})"
                          f"</span>")
            parts.append(f"<h3>{self._linked(entry.title, entry.refs)}{status}</h3>")
        if entry.text:
            parts.append(f"<p>{self._linked(entry.text, entry.refs, multiline=True)}</p>")
        elif edition.text_status is TextStatus.STRUCTURE:
            parts.append(self._warning_box(self.tr(
                "The wording of %1 must be imported: this edition is structure only and "
                "holds no official text. Read the entry in the official MTCR Annex, and have "
                "an administrator import it (mtcr-desk list import) before classifying "
                "against its wording.").replace("%1", entry.code)))
        if entry.notes:
            parts.append(f"<h3>{_escape(self.tr('Notes'))}</h3>"
                         f"<p>{self._linked(entry.notes, entry.refs, multiline=True)}</p>")
        if entry.kind in (EntryKind.ITEM, EntryKind.SECTION):
            parts.append(self._children_html(detail))
        elif detail.descendants:
            parts.append(self._tree_html(detail, highlight))
        if entry.refs:
            links = ", ".join(f"<a href='{entry_link(code)}'>{_escape(code)}</a>"
                              for code in entry.refs)
            parts.append(f"<p><b>{_escape(self.tr('See also:'))}</b> {links}</p>")
        parts.append(self._provenance_footer(detail))
        return "".join(parts)

    def _badges(self, detail: EntryDetail) -> str:
        entry, edition = detail.entry, detail.edition
        badges = []
        if entry.category is not None:
            meaning = self.tr("strong presumption of denial") if entry.category.value == "I" \
                else self.tr("case by case")
            badges.append(_badge(self.tr("Category ") + entry.category.value + " — " + meaning,
                                 _CATEGORY_COLOURS[entry.category.value]))
        elif not edition.has_mtcr_categories and entry.kind is EntryKind.ENTRY:
            badges.append(_badge(self.tr("No MTCR category in this list: record it with the "
                                         "assessment"), "#4b5563"))
        for flag in entry.flags:
            badges.append(_badge(self.tr(FLAG_TEXTS.get(flag, flag)),
                                 _FLAG_COLOURS.get(flag, "#4b5563")))
        return " ".join(badges)

    def _linked(self, text: str, refs: tuple[str, ...], *, multiline: bool = False) -> str:
        """Escape text and turn the codes it refers to into links to those entries."""
        escaped = _paragraphs(text) if multiline else _escape(text)
        if not refs:
            return escaped
        # Longest first, so that 9A112.a is linked whole rather than as 9A112.
        alternatives = "|".join(re.escape(_escape(code))
                                for code in sorted(refs, key=len, reverse=True))
        pattern = re.compile(rf"(?<![\w.])({alternatives})(?!\w|\.\w)")
        return pattern.sub(lambda m: f"<a href='{entry_link(html.unescape(m[1]))}'>{m[1]}</a>",
                           escaped)

    def _children_html(self, detail: EntryDetail) -> str:
        if not detail.children:
            return f"<p style='color:#6b7280'>{_escape(self.tr('No entries.'))}</p>"
        rows = "".join(
            f"<li><a href='{entry_link(child.code)}'>"
            f"{_escape(node_name(child, detail.edition.regime))}</a> "
            f"{_escape(entry_summary(child))}"
            + (f" <i>({_escape(self.tr('Category'))} {child.category.value})</i>"
               if child.category and child.category != detail.entry.category else "")
            + "</li>"
            for child in detail.children)
        return f"<h3>{_escape(self.tr('Contents'))}</h3><ul>{rows}</ul>"

    def _tree_html(self, detail: EntryDetail, highlight: str | None) -> str:
        """Sub-entries, notes and technical notes, indented as in the Annex."""
        lines = [f"<h3>{_escape(self.tr('Sub-entries and notes'))}</h3>"]
        for node in detail.descendants:
            depth = detail.depth_of(node)
            label = _node_label(node)
            words = " ".join(part for part in (node.title, node.text) if part)
            own_flags = [flag for flag in node.flags if flag not in detail.entry.flags]
            extras = ""
            if own_flags:
                extras += " " + " ".join(_badge(self.tr(FLAG_TEXTS.get(f, f)),
                                                _FLAG_COLOURS.get(f, "#4b5563"))
                                         for f in own_flags)
            if node.category and node.category != detail.entry.category:
                extras += " " + _badge(self.tr("Category ") + node.category.value,
                                       _CATEGORY_COLOURS[node.category.value])
            code_link = (f" <a href='{entry_link(node.code)}' style='color:#6b7280;"
                         f"font-size:small'>{_escape(node.code)}</a>")
            body = self._linked(words, node.refs, multiline=True) if words else (
                f"<span style='color:#6b7280'>{_escape(self.tr('(no text in this edition)'))}"
                "</span>")
            is_note = node.kind in _NOTE_KINDS
            style = f"margin-left:{18 * depth}px;margin-top:4px;margin-bottom:4px;"
            if node.code == highlight:
                style += "background-color:#fef9c3;"
            if is_note:
                body = f"<b>{_escape(label)}</b> <i>{body}</i>"
                code_link = ""
            else:
                body = f"<b>{_escape(label)}</b> {body}{code_link}"
            lines.append(f"<p style='{style}'><a name='{_anchor(node.code)}'></a>"
                         f"{body}{extras}</p>")
        return "".join(lines)

    def _provenance_footer(self, detail: EntryDetail) -> str:
        entry, edition = detail.entry, detail.edition
        sources = ", ".join(entry.sources) or self.tr("none listed")
        parts = ["<hr>", f"<p style='color:#6b7280;font-size:small'>"
                         f"{_escape(self.tr('Edition'))}: {_escape(edition.id)} — "
                         f"{_escape(edition.title)}<br>"
                         f"{_escape(self.tr('Sources of this entry'))}: {_escape(sources)}"]
        if edition.licence:
            parts.append(f"<br>{_escape(self.tr('Licence'))}: {_escape(edition.licence)}")
        parts.append("</p>")
        if edition.acknowledgement:
            parts.append(self._acknowledgement_box(edition.acknowledgement))
        return "".join(parts)

    def _warning_box(self, text: str) -> str:
        return ("<table width='100%' cellpadding='8' cellspacing='0' bgcolor='#fff7ed' "
                "style='border:1px solid #fdba74'><tr><td style='color:#7c2d12'>"
                f"<b>{_escape(text)}</b></td></tr></table>")

    def _acknowledgement_box(self, text: str) -> str:
        return ("<table width='100%' cellpadding='6' cellspacing='0' bgcolor='#f3f4f6'>"
                f"<tr><td style='color:#374151'>{_escape(text)}</td></tr></table>")

    # --- picker ------------------------------------------------------------------------

    def picked_codes(self) -> list[str]:
        """The codes picked so far, in the order they were picked (picker mode)."""
        if self.picked_list is None:
            return []
        return [self.picked_list.item(row).data(Qt.ItemDataRole.UserRole)
                for row in range(self.picked_list.count())]

    def tag_current_entry(self) -> None:
        """Add the entry shown to the picked list and say so with :attr:`entries_picked`."""
        if not self._picker or not self._can_tag():
            return
        entry = self._detail.entry
        item = QListWidgetItem(f"{entry.code} — {entry_summary(entry)}")
        item.setData(Qt.ItemDataRole.UserRole, entry.code)
        item.setToolTip(entry.display_title)
        self.picked_list.addItem(item)
        self._update_picker_buttons()
        self.entries_picked.emit(self._edition.id, self.picked_codes())

    def remove_selected_pick(self) -> None:
        """Take the selected entry off the picked list."""
        if self.picked_list is None:
            return
        for item in self.picked_list.selectedItems():
            self.picked_list.takeItem(self.picked_list.row(item))
        self._update_picker_buttons()
        self.entries_picked.emit(self._edition.id, self.picked_codes())

    def _can_tag(self) -> bool:
        # Items, sections and definitions do not control goods: only entries are tagged.
        return (self._detail is not None and self._detail.entry.kind is EntryKind.ENTRY
                and self._detail.entry.code not in self.picked_codes())

    def _update_picker_buttons(self) -> None:
        if not self._picker:
            return
        self.tag_button.setEnabled(self._can_tag())
        if self._detail is None:
            tip = self.tr("Choose an entry first.")
        elif self._detail.entry.kind is not EntryKind.ENTRY:
            tip = self.tr("Only entries are tagged; choose an entry under this %1.").replace(
                "%1", self.tr(self._detail.entry.kind.value))
        elif self._detail.entry.code in self.picked_codes():
            tip = self.tr("Already picked.")
        else:
            tip = self.tr("Add %1 to the entries of this item.").replace(
                "%1", self._detail.entry.code)
        self.tag_button.setToolTip(tip)
        self.remove_button.setEnabled(bool(self.picked_list.selectedItems()))


def _shorten(text: str, length: int) -> str:
    return text if len(text) <= length else text[:length - 1].rstrip() + "…"


def _anchor(code: str) -> str:
    """Return the anchor name of a node inside the entry pane."""
    return "node-" + re.sub(r"[^A-Za-z0-9]", "_", code)


def _node_label(node) -> str:
    """Return how a node is introduced in an entry: ``a.``, ``Note 1:``, ``Technical Note:``."""
    if node.kind in (*_NOTE_KINDS, EntryKind.DEFINITION):
        owner = node.parent_code or ""
        label = node.code[len(owner):].strip() if node.code.startswith(owner) else node.code
        return label if label.endswith((".", ":")) else f"{label}:"
    return node.code.rsplit(".", 1)[-1] + "."


class EntryPickerDialog(QDialog):
    """A modal browser in picker mode with OK and Cancel."""

    def __init__(self, context: AppContext, edition_id: str, parent: QWidget | None = None):
        super().__init__(parent)
        self.setWindowTitle(self.tr("Tag item with control-list entries"))
        self.browser = ControlListBrowser(context, picker=True, edition_id=edition_id,
                                          parent=self)
        self.buttons = QDialogButtonBox(QDialogButtonBox.StandardButton.Ok
                                        | QDialogButtonBox.StandardButton.Cancel)
        ok = self.buttons.button(QDialogButtonBox.StandardButton.Ok)
        ok.setText(self.tr("Use picked entries"))
        ok.setAccessibleName(self.tr("Use the picked entries for the item"))
        ok.setEnabled(False)
        self.buttons.button(QDialogButtonBox.StandardButton.Cancel).setAccessibleName(
            self.tr("Cancel without tagging"))
        for button in self.buttons.buttons():
            # Return belongs to the search box; OK is a deliberate click or Alt key.
            button.setAutoDefault(False)
            button.setDefault(False)
        self.buttons.accepted.connect(self.accept)
        self.buttons.rejected.connect(self.reject)
        self.browser.entries_picked.connect(
            lambda _edition, codes: ok.setEnabled(bool(codes)))
        layout = QVBoxLayout(self)
        layout.addWidget(self.browser, stretch=1)
        layout.addWidget(self.buttons)
        self.resize(1200, 720)
        self.browser.focus_search()

    def picked_codes(self) -> list[str]:
        return self.browser.picked_codes()


def pick_entries(context: AppContext, edition_id: str,
                 parent: QWidget | None = None) -> list[str] | None:
    """Let the officer pick entries of ``edition_id``; return their codes, None when cancelled."""
    dialog = EntryPickerDialog(context, edition_id, parent)
    try:
        if dialog.exec() != QDialog.DialogCode.Accepted:
            return None
        return dialog.picked_codes()
    finally:
        dialog.deleteLater()
