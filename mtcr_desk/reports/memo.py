"""The PDF decision memorandum of a licence case, built with reportlab Platypus.

The memo is what a reviewer reads and what is kept with a final decision: the
case as recorded (parties, destination and its flags, end use and assurances,
items with their assessments, the six evaluation factors), the decision with its
conditions and rationale, the control-list edition it was made against, and the
signatures with their UTC times. Everything comes from a :class:`MemoInput` the
service fills; this module never reads the database and never imports Qt.

* Same input, same bytes: the document is built in reportlab's invariant mode
  with fixed metadata, and prints no time but those in the record, so the SHA-256
  of a memo of record can be checked later by rendering it again.
* User text is made visible and safe before it becomes Paragraph markup:
  characters the memo font lacks print as ``[U+XXXX]`` (and the memo says so),
  then ``&``, ``<`` and ``>`` are escaped and line breaks kept.
* "Page X of Y" and the DRAFT / TRAINING / AMENDED BY marks are drawn by
  :class:`_MemoCanvas` once the page is complete, so that table backgrounds never
  hide a mark.

:class:`MemoRenderer` has overridable steps in the manner of a report class:
:meth:`~MemoRenderer.stylesheet`, :meth:`~MemoRenderer.story` (one method per
section), :meth:`~MemoRenderer.page_templates` and the page decorations.
"""

from __future__ import annotations

import datetime
import functools
import io
import math
from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field
from xml.sax.saxutils import escape

from reportlab.lib import colors
from reportlab.lib.enums import TA_CENTER
from reportlab.lib.pagesizes import A4, LETTER
from reportlab.lib.styles import ParagraphStyle
from reportlab.lib.units import mm
from reportlab.pdfbase.pdfmetrics import stringWidth
from reportlab.pdfgen.canvas import Canvas
from reportlab.platypus import (
    BaseDocTemplate,
    CondPageBreak,
    Flowable,
    Frame,
    KeepTogether,
    PageTemplate,
    Paragraph,
    Spacer,
    Table,
    TableStyle,
)

from mtcr_desk import APP_NAME, __version__
from mtcr_desk.domain.cases import (
    Assurance,
    Case,
    Decision,
    Factor,
    Finding,
    Item,
    PartyRole,
)
from mtcr_desk.domain.control_list import Category, Edition, TextStatus
from mtcr_desk.domain.errors import InvalidInputError
from mtcr_desk.domain.rules import DestinationFlags
from mtcr_desk.reports.fonts import BOLD, OBLIQUE, REGULAR, FontCoverage

TITLE = "Licence decision memorandum"

PAGE_SIZES = {"A4": A4, "Letter": LETTER}

#: What the memo prints for a missing value.
NONE_RECORDED = "none recorded"
DASH = "\u2014"

# Colours: dark ink for text, one restrained accent for headings, light rules.
INK = colors.HexColor("#1A1A1A")
ACCENT = colors.HexColor("#1F3A5F")
MUTED = colors.HexColor("#5A6470")
RULE = colors.HexColor("#B9C0C8")
HEADER_FILL = colors.HexColor("#E9EDF2")
NOTE_FILL = colors.HexColor("#FFF6DB")
NOTE_BORDER = colors.HexColor("#D9B54A")
DRAFT_RED = colors.HexColor("#9B1C1C")
#: Watermark: mid grey, mostly transparent, so the text under it stays readable.
WATERMARK_GREY = colors.Color(0.45, 0.45, 0.45)
WATERMARK_ALPHA = 0.22

PARTY_ORDER = list(PartyRole)
FINDING_EMPHASIS = {Finding.CONCERN, Finding.SERIOUS_CONCERN}


@dataclass(frozen=True)
class MemoSettings:
    """Office settings printed on every memo."""

    organisation: str = "Export Control Office"
    security_marking: str = "OFFICIAL"
    page_size: str = "A4"  # "A4" or "Letter"


@dataclass(frozen=True)
class MemoInput:
    """Everything a memo prints; the service fills it, the renderer only reads it."""

    case: Case  # everything recorded on the case
    settings: MemoSettings
    edition: Edition  # the pinned edition
    destination: DestinationFlags  # partner/adherent status and UN measures of case.destination
    case_category: Category | None  # highest MTCR category of the case
    item_categories: Mapping[int, Category | None]  # by item line
    entry_titles: Mapping[str, str]  # entry code -> title, for the codes the items cite
    people: Mapping[str, str]  # username -> display name (falls back to the username)
    amended_by: str | None = None  # reference of the case that amends this one (superseded)
    #: ISO code -> country name, for the parties' countries (falls back to the code).
    country_names: Mapping[str, str] = field(default_factory=dict)

    @property
    def decision(self) -> Decision | None:
        """The decision the memo prints: the case's current one, if any."""
        return self.case.current_decision

    @property
    def is_draft(self) -> bool:
        """True until the current decision is final (countersigned, agreed)."""
        decision = self.decision
        return decision is None or not decision.is_final


class MemoParagraph(Paragraph):
    """A Paragraph that remembers its line breaks for the width it was last wrapped to.

    Tables wrap every cell again each time they split across a page, and frames wrap a
    flowable before splitting it: without this, the long cells of a many-page table are
    broken into lines over and over (most of the rendering time of a 20-item memo).
    The lines depend only on the width, so the last result is reused for the same width.
    """

    _wrapped: tuple[float, float, float] | None = None

    def wrap(self, availWidth, availHeight):  # noqa: N803 - reportlab's names
        wrapped = self._wrapped
        if wrapped is not None and wrapped[0] == availWidth:
            return wrapped[1], wrapped[2]
        width, height = super().wrap(availWidth, availHeight)
        self._wrapped = (availWidth, width, height)
        return width, height


@dataclass(frozen=True)
class Plain:
    """Text without markup for a table cell, already made visible in the memo font.

    Drawn as a single line when it fits the cell (much cheaper than a Paragraph, which
    parses markup and breaks lines), wrapped as a Paragraph when it does not.
    """

    text: str
    style: str = "small"


class _TextLine(Flowable):
    """One line of plain text, placed exactly where a one-line Paragraph would put it."""

    def __init__(self, text: str, style: ParagraphStyle):
        super().__init__()
        self.text = text
        self.style = style
        self.width = stringWidth(text, style.fontName, style.fontSize)
        self.height = style.leading

    def wrap(self, availWidth, availHeight):  # noqa: N803 - reportlab's names
        return self.width, self.height

    def draw(self):
        canvas = self.canv
        canvas.setFont(self.style.fontName, self.style.fontSize)
        canvas.setFillColor(self.style.textColor)
        # A Paragraph puts its first baseline one font size below its top.
        canvas.drawString(0, self.height - self.style.fontSize, self.text)


@dataclass(frozen=True)
class PageDecorations:
    """The strings drawn on every page, already made visible in the memo font."""

    organisation: str
    security_marking: str
    running_title: str
    #: Diagonal marks drawn over the content (DRAFT, TRAINING, AMENDED BY ...).
    marks: tuple[str, ...]


class MemoText:
    """Turns user text into safe, visible Paragraph markup or canvas strings."""

    def __init__(self, coverage: FontCoverage):
        self.coverage = coverage

    def markup(self, text: str | None, *, empty: str = NONE_RECORDED) -> str:
        """Return Paragraph markup printing ``text`` as typed (line breaks kept).

        Empty text prints ``empty`` in italics, so a blank field is visibly blank.
        """
        if text is None or not text.strip():
            return f"<i>{escape(empty)}</i>"
        visible = self.coverage.visible(text.strip("\n"))
        return escape(visible).replace("\n", "<br/>")

    def plain(self, text: str) -> str:
        """Return ``text`` for drawing straight on the canvas (one line, visible)."""
        return " ".join(self.coverage.visible(text).split())

    @property
    def replaced(self) -> list[int]:
        """The code points replaced so far."""
        return self.coverage.replaced


class _MemoCanvas(Canvas):
    """A canvas that holds pages back until the end to print "Page X of Y" and the marks.

    Drawing them after the page content puts them on top of table backgrounds.
    """

    def __init__(self, *args, decorations: PageDecorations, page_label_y: float,
                 right_edge: float, **kwargs):
        super().__init__(*args, **kwargs)
        self._decorations = decorations
        self._page_label_y = page_label_y
        self._right_edge = right_edge
        self._held_pages: list[dict] = []

    def showPage(self):  # noqa: N802 - reportlab's name
        self._held_pages.append(dict(self.__dict__))
        self._startPage()

    def save(self):
        total = len(self._held_pages)
        for state in self._held_pages:
            self.__dict__.update(state)
            self._draw_page_label(total)
            self._draw_marks()
            super().showPage()
        super().save()

    def _draw_page_label(self, total: int) -> None:
        self.saveState()
        self.setFont(REGULAR, 8)
        self.setFillColor(MUTED)
        self.drawRightString(self._right_edge, self._page_label_y,
                             f"Page {self._pageNumber} of {total}")
        self.restoreState()

    def _draw_marks(self) -> None:
        marks = self._decorations.marks
        if not marks:
            return
        width, height = self._pagesize
        diagonal = math.hypot(width, height)
        angle = math.degrees(math.atan2(height, width))
        # One size for all marks: the largest that fits the longest along the diagonal.
        longest = max(stringWidth(mark, BOLD, 100) for mark in marks) / 100
        size = min(110.0, 0.62 * diagonal / longest, 0.55 * height / max(1, len(marks)) / 1.3)
        spacing = size * 1.25
        self.saveState()
        self.setFillColor(WATERMARK_GREY)
        self.setFillAlpha(WATERMARK_ALPHA)
        self.setFont(BOLD, size)
        self.translate(width / 2, height / 2)
        self.rotate(angle)
        first = (len(marks) - 1) * spacing / 2
        for index, mark in enumerate(marks):
            # Centre each line on the diagonal; cap height is about 0.73 of the size.
            self.drawCentredString(0, first - index * spacing - 0.36 * size, mark)
        self.restoreState()


class _MemoTable(Table):
    """A table that splits between rows, and inside a row only when the row needs it.

    reportlab's ``splitInRow`` splits a row whenever the rest of the page is too short,
    leaving a sliver of a cell at the foot of the page. Here a row is split inside
    only when it (with the repeated header) is taller than a whole frame and so would
    not fit on the next page either; otherwise the table moves on to the next page.
    """

    def __init__(self, data, *, frame_height: float = 0.0, **kwargs):
        kwargs.setdefault("splitByRow", 1)
        kwargs.setdefault("splitInRow", 1)
        super().__init__(data, **kwargs)
        self.frame_height = frame_height

    def split(self, availWidth, availHeight):  # noqa: N803 - reportlab's names
        self._calc(availWidth, availHeight)
        parts = self._splitRows(availHeight, doInRowSplit=0)
        if not parts:
            header_rows = self.repeatRows if isinstance(self.repeatRows, int) else 0
            needed = sum(self._rowHeights[:header_rows + 1])
            if needed <= self.frame_height:
                return []  # it fits on a fresh page: let the frame move on
            parts = self._splitRows(availHeight, doInRowSplit=1)
        # reportlab builds the parts without our arguments: pass the frame height on.
        for part in parts:
            part.frame_height = self.frame_height
        return parts


class MemoRenderer:
    """Renders a :class:`MemoInput` as PDF bytes; subclass to change a step."""

    left_margin = 20 * mm
    right_margin = 20 * mm
    top_margin = 27 * mm
    bottom_margin = 22 * mm

    # --- the whole document ----------------------------------------------------------

    def render(self, memo_input: MemoInput) -> bytes:
        """Return the memo as PDF bytes (the same input always gives the same bytes)."""
        settings = memo_input.settings
        if settings.page_size not in PAGE_SIZES:
            raise InvalidInputError(
                f"Memo page size {settings.page_size!r} is not known; use A4 or Letter")
        text = MemoText(FontCoverage.for_memo_fonts())
        decorations = self.page_decorations(memo_input, text)
        story = self.story(memo_input, text)
        buffer = io.BytesIO()
        document = self.document(buffer, memo_input)
        document.addPageTemplates(self.page_templates(document, decorations))
        width, _ = document.pagesize
        canvas_maker = functools.partial(
            _MemoCanvas, decorations=decorations,
            page_label_y=self.bottom_margin - 11 * mm,
            right_edge=width - self.right_margin)
        document.build(story, canvasmaker=canvas_maker)
        return buffer.getvalue()

    def document(self, buffer: io.BytesIO, memo_input: MemoInput) -> BaseDocTemplate:
        """Return the document template: page size, margins, fixed metadata, invariant."""
        case = memo_input.case
        decision = memo_input.decision
        decision_id = str(decision.id) if decision is not None and decision.id is not None \
            else "none"
        return BaseDocTemplate(
            buffer,
            pagesize=PAGE_SIZES[memo_input.settings.page_size],
            leftMargin=self.left_margin, rightMargin=self.right_margin,
            topMargin=self.top_margin, bottomMargin=self.bottom_margin,
            title=f"{TITLE} {case.reference}",
            author=memo_input.settings.organisation,
            subject=f"{case.reference} decision {decision_id}",
            creator=f"{APP_NAME} {__version__}",
            producer=f"{APP_NAME} {__version__} (reportlab)",
            keywords="",
            lang="en",
            # Fixed creation date and document id: the same record gives the same bytes.
            invariant=1,
        )

    def page_templates(self, document: BaseDocTemplate,
                       decorations: PageDecorations) -> list[PageTemplate]:
        """Return the page templates: one frame inside the margins, header and footer."""
        frame = Frame(document.leftMargin, document.bottomMargin, document.width,
                      document.height, id="body", leftPadding=0, rightPadding=0,
                      topPadding=0, bottomPadding=0)
        on_page = functools.partial(self.draw_header_and_footer, decorations=decorations)
        return [PageTemplate(id="memo", frames=[frame], onPage=on_page)]

    def page_decorations(self, memo_input: MemoInput, text: MemoText) -> PageDecorations:
        """Return the header/footer strings and the diagonal marks of every page."""
        case = memo_input.case
        marks = []
        if memo_input.is_draft:
            marks.append("DRAFT")
        if case.training:
            marks.append("TRAINING")
        if memo_input.amended_by:
            marks.append(f"AMENDED BY {text.plain(memo_input.amended_by)}")
        running = f"{TITLE} {text.plain(case.reference)}"
        if case.version > 1:
            running += f", version {case.version}"
        return PageDecorations(
            organisation=text.plain(memo_input.settings.organisation),
            security_marking=text.plain(memo_input.settings.security_marking),
            running_title=running,
            marks=tuple(marks),
        )

    def draw_header_and_footer(self, canvas: Canvas, document: BaseDocTemplate, *,
                               decorations: PageDecorations) -> None:
        """Draw the header and footer of one page (before its content)."""
        width, height = document.pagesize
        left = document.leftMargin
        right = width - document.rightMargin
        canvas.saveState()
        # Security marking centred at the very top and bottom, as on official papers.
        canvas.setFillColor(INK)
        canvas.setFont(BOLD, 9)
        canvas.drawCentredString(width / 2, height - 10 * mm, decorations.security_marking)
        canvas.drawCentredString(width / 2, 7 * mm, decorations.security_marking)
        header_y = height - self.top_margin + 8 * mm
        canvas.setFont(BOLD, 8.5)
        canvas.drawString(left, header_y, decorations.organisation)
        canvas.setFont(REGULAR, 8)
        canvas.setFillColor(MUTED)
        canvas.drawRightString(right, header_y, decorations.running_title)
        canvas.setStrokeColor(RULE)
        canvas.setLineWidth(0.6)
        canvas.line(left, header_y - 2.5 * mm, right, header_y - 2.5 * mm)
        footer_y = self.bottom_margin - 11 * mm
        canvas.line(left, footer_y + 4 * mm, right, footer_y + 4 * mm)
        canvas.drawString(left, footer_y, decorations.organisation)
        canvas.restoreState()

    # --- styles ----------------------------------------------------------------------

    def stylesheet(self) -> dict[str, ParagraphStyle]:
        """Return the paragraph styles by name."""
        body = ParagraphStyle("body", fontName=REGULAR, fontSize=9.5, leading=13,
                              textColor=INK, spaceAfter=4)
        small = ParagraphStyle("small", parent=body, fontSize=8.3, leading=10.6, spaceAfter=0)
        return {
            "body": body,
            "small": small,
            "small_bold": ParagraphStyle("small_bold", parent=small, fontName=BOLD),
            "small_italic": ParagraphStyle("small_italic", parent=small, fontName=OBLIQUE),
            "cell_head": ParagraphStyle("cell_head", parent=small, fontName=BOLD,
                                        textColor=ACCENT),
            "label": ParagraphStyle("label", parent=small, fontName=BOLD, textColor=MUTED),
            "title": ParagraphStyle("title", parent=body, fontName=BOLD, fontSize=19,
                                    leading=23, textColor=ACCENT, spaceAfter=2),
            "reference": ParagraphStyle("reference", parent=body, fontName=BOLD, fontSize=12,
                                        leading=16, spaceAfter=2),
            "status": ParagraphStyle("status", parent=body, fontName=BOLD, fontSize=10,
                                     leading=14, spaceAfter=8),
            "heading": ParagraphStyle("heading", parent=body, fontName=BOLD, fontSize=11.5,
                                      leading=15, textColor=ACCENT, spaceBefore=14,
                                      spaceAfter=6),
            "subheading": ParagraphStyle("subheading", parent=body, fontName=BOLD,
                                         fontSize=9.5, leading=13, spaceBefore=8,
                                         spaceAfter=3),
            "item_head": ParagraphStyle("item_head", parent=body, fontName=BOLD,
                                        spaceBefore=6, spaceAfter=1),
            "indented": ParagraphStyle("indented", parent=body, leftIndent=12),
            "condition": ParagraphStyle("condition", parent=body, leftIndent=20,
                                        bulletIndent=4, bulletFontName=BOLD),
            "outcome": ParagraphStyle("outcome", parent=body, fontName=BOLD, fontSize=12.5,
                                      leading=17, spaceAfter=4),
            "note": ParagraphStyle("note", parent=small, fontSize=8.5, leading=11.5),
            "hash": ParagraphStyle("hash", parent=small, fontSize=8, leading=10.5),
            "mark": ParagraphStyle("mark", parent=body, fontName=BOLD, alignment=TA_CENTER,
                                   textColor=DRAFT_RED),
        }

    # --- the story -------------------------------------------------------------------

    def story(self, memo_input: MemoInput, text: MemoText | None = None) -> list[Flowable]:
        """Return the flowables of the memo, section by section.

        ``text`` collects the characters the font cannot show; pass the one used for
        the page decorations so that the memo's note covers those too.
        """
        text = text or MemoText(FontCoverage.for_memo_fonts())
        styles = self.stylesheet()
        sections = [
            self.parties_section,
            self.destination_section,
            self.end_use_section,
            self.items_section,
            self.factors_section,
            self.decision_section,
            self.edition_section,
            self.signatures_section,
        ]
        body: list[Flowable] = []
        for number, section in enumerate(sections, start=1):
            body.extend(section(memo_input, text, styles, number))
        story = self.title_block(memo_input, text, styles)
        # Only now is it known whether any character had to be replaced.
        if text.replaced:
            story.append(self.replacement_note(text.replaced, styles))
        story.extend(body)
        return story

    def heading(self, number: int, title: str, styles) -> list[Flowable]:
        """Return a numbered section heading, never left alone at the foot of a page.

        A conditional page break starts a new page when little room is left below the
        heading. (reportlab's keepWithNext would move a whole table that fits on one
        page to the next page, leaving half a page empty; tables split by rows instead.)
        """
        return [CondPageBreak(40 * mm),
                MemoParagraph(f"{number}&nbsp;&nbsp;&nbsp;{escape(title)}", styles["heading"])]

    def subheading(self, title: str, styles) -> list[Flowable]:
        """Return a subheading with room for a few lines below it."""
        return [CondPageBreak(20 * mm), MemoParagraph(escape(title), styles["subheading"])]

    def title_block(self, memo_input: MemoInput, text: MemoText, styles) -> list[Flowable]:
        """Title, reference, status line and the case's key dates."""
        case = memo_input.case
        decision = memo_input.decision
        flowables: list[Flowable] = [MemoParagraph(escape(TITLE), styles["title"])]
        reference = text.markup(case.reference)
        if case.version > 1:
            reference += f" &#183; version {case.version}"
        if case.amends:
            reference += f" &#183; amends {text.markup(case.amends)}"
        flowables.append(MemoParagraph(reference, styles["reference"]))
        flowables.append(self.status_line(memo_input, text, styles))
        rows = [
            ("Received", text.markup(case.received_on)),
            ("Due", text.markup(case.due_on, empty="no due date")),
            ("Case status", escape(case.status.value)),
            ("Officer", self.person(memo_input, text, case.officer, empty="not assigned")),
            ("Decision drafted", self.moment(text, decision.drafted_at if decision else None,
                                             empty="not yet")),
            ("Countersigned", self.moment(text, decision.countersigned_at if decision else None,
                                          empty="not yet")),
        ]
        if case.training:
            rows.append(("Training", "Training case: fictional, from the training sandbox"))
        flowables.append(self.key_value_table(rows, styles, label_width=34 * mm, columns=2))
        return flowables

    def status_line(self, memo_input: MemoInput, text: MemoText, styles) -> Paragraph:
        """One line saying whether this memo records a final decision."""
        decision = memo_input.decision
        if memo_input.amended_by:
            return MemoParagraph(
                f"Superseded: this decision is amended by {text.markup(memo_input.amended_by)}",
                ParagraphStyle("superseded", parent=styles["status"], textColor=DRAFT_RED))
        if decision is None:
            wording = "Draft: no decision has been drafted yet"
        elif decision.is_final:
            return MemoParagraph("Final decision, countersigned", styles["status"])
        elif decision.countersignature == "returned":
            wording = "Draft: returned to the drafter by the countersigner"
        else:
            wording = "Draft: awaiting countersignature; not a decision of record"
        return MemoParagraph(escape(wording), ParagraphStyle(
            "draft_status", parent=styles["status"], textColor=DRAFT_RED))

    def replacement_note(self, replaced: Sequence[int], styles) -> Flowable:
        """A boxed note: some characters are printed as [U+XXXX]."""
        codes = ", ".join(f"U+{code:04X}" for code in replaced[:20])
        if len(replaced) > 20:
            codes += f" and {len(replaced) - 20} more"
        note = MemoParagraph(
            "<b>Note:</b> some characters could not be shown in the memo font and are "
            f"printed as [U+XXXX] ({codes}). The case record holds the original text.",
            styles["note"])
        return self.boxed([note])

    def boxed(self, flowables: list[Flowable]) -> Table:
        """Return ``flowables`` in a light yellow box (notices)."""
        box = Table([[flowables]], colWidths=["100%"])
        box.setStyle(TableStyle([
            ("BACKGROUND", (0, 0), (-1, -1), NOTE_FILL),
            ("BOX", (0, 0), (-1, -1), 0.6, NOTE_BORDER),
            ("LEFTPADDING", (0, 0), (-1, -1), 6), ("RIGHTPADDING", (0, 0), (-1, -1), 6),
            ("TOPPADDING", (0, 0), (-1, -1), 4), ("BOTTOMPADDING", (0, 0), (-1, -1), 5),
        ]))
        return box

    def parties_section(self, memo_input: MemoInput, text: MemoText, styles,
                        number: int) -> list[Flowable]:
        """The applicant and every party by role."""
        case = memo_input.case
        flowables: list[Flowable] = [
            *self.heading(number, "Applicant and parties", styles),
            MemoParagraph(f"<b>Applicant:</b> {text.markup(case.applicant)}", styles["body"]),
        ]
        parties = sorted(case.parties, key=lambda party: PARTY_ORDER.index(party.role))
        if not parties:
            flowables.append(MemoParagraph("<i>No parties recorded.</i>", styles["body"]))
            return flowables
        rows = [[Plain(party.role.value.capitalize(), "small_bold"),
                 MemoParagraph(text.markup(party.name), styles["small"]),
                 MemoParagraph(text.markup(party.address), styles["small"]),
                 MemoParagraph(self.country(memo_input, text, party.country), styles["small"])]
                for party in parties]
        flowables.append(self.grid_table(
            ["Role", "Name", "Address", "Country"], rows, styles,
            widths=[0.17, 0.31, 0.34, 0.18]))
        return flowables

    def destination_section(self, memo_input: MemoInput, text: MemoText, styles,
                            number: int) -> list[Flowable]:
        """The destination and the flags the reference data raises on it."""
        case = memo_input.case
        flags = memo_input.destination
        status = {"partner": "MTCR partner", "adherent": "MTCR unilateral adherent"}.get(
            flags.mtcr_status or "", "neither an MTCR partner nor an adherent")
        if flags.un_measures:
            measures = ("under UN Security Council measures: resolution"
                        + ("s " if len(flags.un_measures) > 1 else " ")
                        + text.markup(", ".join(flags.un_measures)))
        else:
            measures = "none recorded"
        if not flags.raised:
            acknowledged = "<i>no flags raised</i>"
        elif case.flags_acknowledged_by:
            acknowledged = (f"acknowledged by "
                            f"{self.person(memo_input, text, case.flags_acknowledged_by)}, "
                            f"{self.moment(text, case.flags_acknowledged_at)}")
        else:
            acknowledged = "<b>not acknowledged</b>"
        rows = [
            ("Destination", f"{text.markup(flags.country_name)} ({text.markup(case.destination)})"),
            ("MTCR status", escape(status)),
            ("UN Security Council", measures),
        ]
        rows.append(("Flags", acknowledged))
        return [*self.heading(number, "Destination", styles),
                self.key_value_table(rows, styles)]

    def end_use_section(self, memo_input: MemoInput, text: MemoText, styles,
                        number: int) -> list[Flowable]:
        """End use, end-user statement and the recipient government's assurances."""
        case = memo_input.case
        given = [assurance for assurance in Assurance if assurance in case.assurances]
        if given:
            assurances = "<br/>".join(f"&#8226; {escape(a.value)}" for a in given)
        else:
            assurances = f"<i>{NONE_RECORDED}</i>"
        rows = [
            ("End use", text.markup(case.end_use)),
            ("End-user statement", text.markup(case.end_user_statement)),
            ("Government assurances", assurances),
        ]
        return [*self.heading(number, "End use and assurances", styles),
                self.key_value_table(rows, styles)]

    def items_section(self, memo_input: MemoInput, text: MemoText, styles,
                      number: int) -> list[Flowable]:
        """The case category, the items table, then each item's rationale."""
        case = memo_input.case
        flowables: list[Flowable] = [
            *self.heading(number, "Items and classification", styles),
            MemoParagraph("<b>Case category:</b> "
                          + self.category_wording(memo_input.case_category), styles["body"]),
        ]
        if not case.items:
            flowables.append(MemoParagraph("<i>No items recorded.</i>", styles["body"]))
            return flowables
        rows = [self.item_row(memo_input, text, item, styles) for item in case.items]
        flowables.append(self.grid_table(
            ["Line", "Description", "Quantity", "Value", "Entries", "Assessment"], rows,
            styles, widths=[0.06, 0.30, 0.11, 0.16, 0.23, 0.14]))
        flowables.extend(self.subheading("Assessment of each item", styles))
        for item in case.items:
            flowables.extend(self.item_rationale(memo_input, text, item, styles))
        return flowables

    def item_row(self, memo_input: MemoInput, text: MemoText, item: Item,
                 styles) -> list[Flowable | Plain]:
        """One row of the items table."""
        small = styles["small"]
        description = text.markup(item.description)
        details = []
        if item.manufacturer:
            details.append(f"Manufacturer: {text.markup(item.manufacturer)}")
        if item.part_number:
            details.append(f"Part number: {text.markup(item.part_number)}")
        if details:
            description += "<br/><font color='#5A6470'>" + "<br/>".join(details) + "</font>"
        quantity = Plain(f"{self.number(item.quantity)} {text.plain(item.unit)}".strip())
        if item.value is None:
            value: Flowable | Plain = MemoParagraph("<i>not stated</i>", small)
        else:
            value = Plain(f"{item.value:,.2f} {text.plain(item.currency)}".strip())
        assessment = item.assessment
        entries = []
        for code in assessment.entry_codes:
            title = memo_input.entry_titles.get(code)
            line = f"<b>{text.markup(code)}</b>"
            if title:
                line += f" {text.markup(title)}"
            entries.append(line)
        category = memo_input.item_categories.get(item.line)
        status = escape(assessment.status.value)
        if category is not None:
            status += f"<br/><b>Category {category.value}</b>"
        return [
            Plain(str(item.line), "small_bold"),
            MemoParagraph(description, small),
            quantity,
            value,
            MemoParagraph("<br/>".join(entries) if entries else DASH, small),
            MemoParagraph(status, small),
        ]

    def item_rationale(self, memo_input: MemoInput, text: MemoText, item: Item,
                       styles) -> list[Flowable]:
        """The rationale of one item's assessment, its precedent and who assessed it."""
        assessment = item.assessment
        category = memo_input.item_categories.get(item.line)
        head = f"Line {item.line}: {assessment.status.value}"
        if category is not None:
            head += f", Category {category.value}"
        if assessment.entry_codes:
            head += f" ({text.plain(', '.join(assessment.entry_codes))})"
        rationale = text.markup(assessment.rationale, empty="no rationale recorded")
        details = []
        if assessment.precedent:
            details.append(f"Precedent applied: {text.markup(assessment.precedent)}")
        if assessment.assessed_by:
            details.append(f"Assessed by {self.person(memo_input, text, assessment.assessed_by)}"
                           f", {self.moment(text, assessment.assessed_at)}")
        if details:
            # One paragraph for the rationale and its details: half the line breaking.
            rationale += ("<br/><font size='8.3' color='#5A6470'>" + " &#183; ".join(details)
                          + "</font>")
        return [CondPageBreak(20 * mm),
                self.line(Plain(head, "item_head"), styles, self._frame_width),
                MemoParagraph(rationale, styles["indented"])]

    def factors_section(self, memo_input: MemoInput, text: MemoText, styles,
                        number: int) -> list[Flowable]:
        """The six evaluation factors with their findings and notes."""
        case = memo_input.case
        rows = []
        for factor in Factor:
            finding = case.factor(factor)
            if finding is None:
                result, note = Plain("not recorded", "small_italic"), ""
            else:
                emphasis = finding.finding in FINDING_EMPHASIS
                result = Plain(finding.finding.value, "small_bold" if emphasis else "small")
                note = text.markup(finding.note, empty="no note")
            rows.append([Plain(f"({factor.value})", "small_bold"),
                         MemoParagraph(escape(factor.description), styles["small"]),
                         result,
                         MemoParagraph(note, styles["small"])])
        return [*self.heading(number, "Evaluation factors", styles),
                self.grid_table(["", "Factor", "Finding", "Note"], rows, styles,
                                widths=[0.06, 0.36, 0.14, 0.44])]

    def decision_section(self, memo_input: MemoInput, text: MemoText, styles,
                         number: int) -> list[Flowable]:
        """Outcome, presumption of denial, numbered conditions and rationale."""
        decision = memo_input.decision
        flowables: list[Flowable] = [*self.heading(number, "Decision", styles)]
        if decision is None:
            flowables.append(MemoParagraph("No decision has been drafted yet.", styles["outcome"]))
            return flowables
        outcome = decision.outcome.value
        flowables.append(MemoParagraph(f"Outcome: {escape(outcome[0].upper() + outcome[1:])}",
                                       styles["outcome"]))
        if memo_input.case_category is Category.I or decision.presumption_acknowledged:
            if decision.presumption_acknowledged:
                wording = ("Category I: the strong presumption of denial applies; the drafter "
                           "acknowledged it (presumption of denial acknowledged).")
            else:
                wording = ("Category I: the strong presumption of denial applies; it was "
                           "<b>not</b> acknowledged.")
            flowables.append(MemoParagraph(wording, styles["body"]))
        if decision.conditions:
            flowables.extend(self.subheading("Conditions", styles))
            for index, condition in enumerate(decision.conditions, start=1):
                flowables.append(MemoParagraph(text.markup(condition), styles["condition"],
                                               bulletText=f"{index}."))
        flowables.extend(self.subheading("Rationale", styles))
        flowables.append(MemoParagraph(text.markup(decision.rationale), styles["body"]))
        return flowables

    def edition_section(self, memo_input: MemoInput, text: MemoText, styles,
                        number: int) -> list[Flowable]:
        """The control-list edition the assessments were made against, with provenance."""
        edition = memo_input.edition
        version = text.markup(edition.version)
        if edition.edition_date:
            version += f", {text.markup(edition.edition_date)}"
        wording = {TextStatus.FULL: "full text",
                   TextStatus.STRUCTURE: "structure only (codes, hierarchy, categories)"}
        rows = [
            ("Edition", text.markup(edition.title)),
            ("Version", version),
            ("Identifier", f"{text.markup(edition.id)} ({escape(edition.regime)}; "
                           f"{wording.get(edition.text_status, edition.text_status.value)})"),
            ("Provenance", text.markup(edition.provenance)),
        ]
        if edition.source_file:
            source = text.markup(edition.source_file)
            if edition.source_sha256:
                source += f"<br/>SHA-256 {text.markup(edition.source_sha256)}"
            rows.append(("Source file", source))
        if edition.licence:
            rows.append(("Licence", text.markup(edition.licence)))
        if edition.acknowledgement:
            rows.append(("Acknowledgement", text.markup(edition.acknowledgement)))
        if edition.limitations:
            rows.append(("Limitation", text.markup(edition.limitations)))
        return [*self.heading(number, "Control-list edition", styles),
                self.key_value_table(rows, styles)]

    def signatures_section(self, memo_input: MemoInput, text: MemoText, styles,
                           number: int) -> list[Flowable]:
        """Drafter and countersigner with their UTC times and what they signed."""
        decision = memo_input.decision
        small = styles["small"]
        flowables: list[Flowable] = [*self.heading(number, "Signatures", styles)]
        if decision is None:
            flowables.append(MemoParagraph("<i>No decision drafted: nothing signed.</i>",
                                           styles["body"]))
            return flowables
        drafter = self.person(memo_input, text, decision.drafted_by, empty="unknown")
        rows = [[Plain("Drafter", "small_bold"),
                 MemoParagraph(drafter, small),
                 MemoParagraph(self.moment(text, decision.drafted_at), small),
                 Plain("drafted")]]
        if decision.countersignature == "agreed":
            meaning = "countersigned \u2014 agreed"
        elif decision.countersignature == "returned":
            meaning = (f"returned: "
                       f"{text.markup(decision.return_comment, empty='no comment recorded')}")
        else:
            meaning = "<b>awaiting countersignature</b>"
        if decision.countersignature:
            signer = self.person(memo_input, text, decision.countersigned_by, empty="unknown")
            moment = self.moment(text, decision.countersigned_at)
        else:
            signer, moment = DASH, DASH
        rows.append([Plain("Countersigner", "small_bold"),
                     MemoParagraph(signer, small), MemoParagraph(moment, small),
                     MemoParagraph(meaning, small)])
        table = self.grid_table(["", "Name", "Time (UTC)", "Meaning"], rows, styles,
                                widths=[0.16, 0.30, 0.24, 0.30])
        flowables.append(table)
        if decision.is_final and decision.audit_head:
            flowables.append(Spacer(1, 6))
            flowables.append(MemoParagraph(
                f"<b>Audit chain head at decision:</b> {text.markup(decision.audit_head)}",
                styles["hash"]))
        return [flowables[0], KeepTogether(flowables[1:3]), *flowables[3:]]

    # --- building blocks -------------------------------------------------------------

    def grid_table(self, headings: Sequence[str], rows: list[list[Flowable | Plain]], styles,
                   *, widths: Sequence[float]) -> Table:
        """A table with a header row repeated on every page and a light grid.

        ``widths`` are fractions of the frame width. Rows split between pages, and a
        row too tall for a page splits inside its cells.
        """
        column_widths = [self._frame_width * w for w in widths]
        padding = 8  # left + right cell padding below
        data = [[self.line(Plain(heading, "cell_head"), styles, width - padding)
                 for heading, width in zip(headings, column_widths, strict=True)]]
        for row in rows:
            data.append([self.line(cell, styles, width - padding) if isinstance(cell, Plain)
                         else cell for cell, width in zip(row, column_widths, strict=True)])
        table = _MemoTable(data, colWidths=column_widths,
                           repeatRows=1, hAlign="LEFT", frame_height=self._frame_height)
        table.setStyle(TableStyle([
            ("BACKGROUND", (0, 0), (-1, 0), HEADER_FILL),
            ("LINEBELOW", (0, 0), (-1, 0), 0.8, ACCENT),
            ("GRID", (0, 1), (-1, -1), 0.35, RULE),
            ("BOX", (0, 0), (-1, -1), 0.5, RULE),
            ("VALIGN", (0, 0), (-1, -1), "TOP"),
            ("LEFTPADDING", (0, 0), (-1, -1), 4), ("RIGHTPADDING", (0, 0), (-1, -1), 4),
            ("TOPPADDING", (0, 0), (-1, -1), 3), ("BOTTOMPADDING", (0, 0), (-1, -1), 4),
        ]))
        return table

    def key_value_table(self, rows: Sequence[tuple[str, str]], styles, *,
                        label_width: float = 38 * mm, columns: int = 1) -> Table:
        """Labels and values (markup) in one or two label/value column pairs."""
        frame_width = self._frame_width
        cells = [(self.line(Plain(label, "label"), styles, label_width - 8),
                  MemoParagraph(value, styles["small"])) for label, value in rows]
        grid = []
        for start in range(0, len(cells), columns):
            row: list[Flowable | str] = []
            for label, value in cells[start:start + columns]:
                row.extend([label, value])
            row.extend([""] * (2 * columns - len(row)))
            grid.append(row)
        value_width = frame_width / columns - label_width
        table = _MemoTable(grid, colWidths=[label_width, value_width] * columns,
                           hAlign="LEFT", frame_height=self._frame_height)
        table.setStyle(TableStyle([
            ("LINEBELOW", (0, 0), (-1, -1), 0.35, RULE),
            ("VALIGN", (0, 0), (-1, -1), "TOP"),
            ("LEFTPADDING", (0, 0), (-1, -1), 2), ("RIGHTPADDING", (0, 0), (-1, -1), 6),
            ("TOPPADDING", (0, 0), (-1, -1), 3), ("BOTTOMPADDING", (0, 0), (-1, -1), 4),
        ]))
        return table

    @staticmethod
    def line(plain: Plain, styles, width: float) -> Flowable:
        """``plain`` as one drawn line when it fits ``width``, else as a wrapped Paragraph."""
        style = styles[plain.style]
        if "\n" not in plain.text and \
                stringWidth(plain.text, style.fontName, style.fontSize) <= width:
            return _TextLine(plain.text, style)
        return MemoParagraph(escape(plain.text).replace("\n", "<br/>"), style)

    @property
    def _frame_width(self) -> float:
        # A4 is narrower than Letter: size tables for the narrower page's frame, so one
        # story fits both (the difference is 6 mm).
        return min(A4[0], LETTER[0]) - self.left_margin - self.right_margin

    @property
    def _frame_height(self) -> float:
        # Letter is the shorter page: a row taller than its frame is split on either.
        return min(A4[1], LETTER[1]) - self.top_margin - self.bottom_margin

    @staticmethod
    def category_wording(category: Category | None) -> str:
        """``Category I`` with what it means, or ``not controlled``."""
        if category is Category.I:
            return "Category I (strong presumption of denial)"
        if category is Category.II:
            return "Category II (case by case)"
        return "not controlled (no item is a controlled MTCR item)"

    @staticmethod
    def person(memo_input: MemoInput, text: MemoText, username: str | None, *,
               empty: str = "unknown") -> str:
        """``Display Name (username)`` as markup; the username alone when no name is known."""
        if not username:
            return f"<i>{escape(empty)}</i>"
        name = memo_input.people.get(username)
        if not name or name == username:
            return text.markup(username)
        return f"{text.markup(name)} ({text.markup(username)})"

    @staticmethod
    def country(memo_input: MemoInput, text: MemoText, code: str) -> str:
        """``Country name (CODE)`` as markup, from what the memo input knows."""
        if not code:
            return f"<i>{NONE_RECORDED}</i>"
        name = memo_input.country_names.get(code)
        if name is None and code == memo_input.destination.country:
            name = memo_input.destination.country_name
        if not name:
            return text.markup(code)
        return f"{text.markup(name)} ({text.markup(code)})"

    @staticmethod
    def moment(text: MemoText, timestamp: str | None, *, empty: str = DASH) -> str:
        """A recorded timestamp as ``YYYY-MM-DD HH:MM:SS UTC`` (markup)."""
        if not timestamp:
            return f"<i>{escape(empty)}</i>" if empty != DASH else DASH
        try:
            parsed = datetime.datetime.fromisoformat(timestamp)
        except ValueError:
            return text.markup(timestamp)  # printed as recorded rather than guessed at
        if parsed.tzinfo is None:
            parsed = parsed.replace(tzinfo=datetime.UTC)  # the record keeps UTC times
        return parsed.astimezone(datetime.UTC).strftime("%Y-%m-%d %H:%M:%S UTC")

    @staticmethod
    def number(value: float) -> str:
        """A quantity without a needless ``.0``."""
        if float(value).is_integer():
            return f"{int(value):,}"
        return f"{value:,}"


_default_renderer = MemoRenderer()


def render_memo(memo_input: MemoInput) -> bytes:
    """Return the memo of ``memo_input`` as PDF bytes, with the default renderer."""
    return _default_renderer.render(memo_input)
