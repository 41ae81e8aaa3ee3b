"""Parse the text of the official MTCR Annex into control-list entries.

Input is the Annex as printed, one printed line per line with its indentation:
the text from :func:`mtcr_desk.services.pdf_text.extract_pdf_text`, or a text
version of the Annex laid out the same way (tabs count as 8 columns). Output is
the list of edition-format entry dicts (``docs/edition-format.md``) in document
order, parents before children, plus warnings for everything that could not be
placed. Nothing is dropped silently: a line that fits nowhere is a warning.

Layout rules
============

* **Page furniture.** A line that is only the document id (``MTCR/TEM/2024/Annex``)
  is a page header; ``12 of 99``, ``- 12 -`` and ``Page 12 (of 99)`` are page
  footers. Both are removed; the first id gives ``document_id`` and ``year``.
  Lines with dot leaders (``ITEM 1 ....... 12``) are table-of-contents lines and
  are reported, not imported. Blank lines carry no meaning.
* **Definitions.** A heading line ``DEFINITIONS`` (optionally numbered, ``2.
  DEFINITIONS``) opens the definitions part, kept as a node ``Definitions``
  (kind ``section``, parent null, title as printed, text = any introductory
  sentence). Each line starting at the left edge of the part with a term in
  double quotes whose first letter is a capital (``"Production" means ...``, or
  ``"Accuracy"`` alone with its meaning on the following lines; a number such
  as ``(1)`` or ``2.a.`` before the term is allowed) starts a definition: code
  ``Definition "<term>"`` (straight quotes in the code, the text as printed),
  parent ``Definitions``, title the term, text the meaning. The part ends at
  the next ``CATEGORY``/``ITEM`` line or at another all-capitals heading
  (``TERMINOLOGY``), whose text is reported, not imported.
* **Items.** ``CATEGORY I``/``CATEGORY II`` sets the category of what follows.
  ``ITEM 3 TITLE`` starts Item 3 (code ``3``); all-capital lines right after a
  heading continue its title.
* **Sections.** ``3.A.  TITLE`` at the left edge starts section ``3.A`` (title in
  capitals, or one of the five standard titles in any case); text in a section
  before its first entry (``None.``) is the section's text, and a note there
  belongs to the section (``3.A Note``).
* **Entries.** ``3.A.1.`` at the left edge starts entry ``3.A.1``. Inside an
  entry, lines starting with ``a.`` (letters) or ``1.`` (numbers) start
  sub-entries; the parent is found by indentation: a marker belongs to the
  nearest open (sub-)entry whose marker is to its left, so ``3.A.1.a`` then a
  deeper ``1.`` gives ``3.A.1.a.1``. A marker of the unexpected kind (numbers
  where letters should come, ``c.`` after ``a.``) is kept and reported.
* **Notes.** ``Note:``, ``Note 2:``, ``Notes:``, ``Technical Note:``,
  ``Technical Notes:`` and ``N.B.`` start notes owned by the (sub-)entry whose
  body they are indented into (a note at the indentation of 3.A.1's sub-entries
  belongs to 3.A.1). Code ``<owner> <Label>``: ``Note``, ``Note 2``,
  ``Technical Note``, ``N.B.``; a plural label followed by numbered paragraphs
  ``1.``, ``2.`` gives ``... Note 1``, ``... Note 2``; a repeated code gets
  `` (2)``. Markers indented deeper than a note's own marker are part of the
  note's text.
* **Text.** A line without a marker continues the innermost open node it is
  indented into (further right than that node's marker); a line at the left edge
  continues the open entry (no hanging indent), and a line at or right of a
  note's label continues the note (notes end their entry). Lines are joined with
  single spaces; markers and labels are not part of ``text``. Quotes are kept as
  printed. Indentations within 2 columns of each other count as equal.

Hyphenation rule
================

A line ending in ``-`` right after a non-space character is joined to the next
line without a space. The hyphen is **dropped** (a typesetter's hyphen,
``com-`` + ``ponents`` -> ``components``) only when it follows a letter, the
next line starts with a lower-case letter, and the joined word occurs elsewhere
in the document as a word (compared case-insensitively, headings included);
otherwise it is **kept** (``pretend-`` + ``hour`` -> ``pretend-hour``, and
always before a capital or a digit: ``3-`` + ``5`` -> ``3-5``). Keeping is the
default because the Annex is typeset without automatic hyphenation, so a
line-end hyphen is usually a real one; a soft-hyphenated word printed nowhere
else keeps a visible hyphen rather than losing a real one. A dash after a space
(``such as -``) is joined with a space; a Unicode soft hyphen (U+00AD) is always
dropped.

Entries carry no ``notes`` text (notes are nodes of their own), empty ``flags``
except ``implied_parent`` for an item or section the text never heads (a text
starting mid-Annex), and empty ``sources`` (the edition records its source).
"""

from __future__ import annotations

import re
from dataclasses import dataclass

from mtcr_desk.domain.control_list import SECTION_TITLES
from mtcr_desk.domain.errors import InvalidInputError

MAX_TEXT_CHARS = 50 * 1024 * 1024
MAX_CODE_LENGTH = 64
#: Columns by which two indentations may differ and still be the same level.
TOLERANCE = 2
#: Characters of unplaced text quoted in full in a warning.
MAX_EXCERPT = 2_000

_HEADER = re.compile(r"(MTCR/TEM/(\d{4})/Annex)\b[\s.]*")
_FOOTER = re.compile(r"(\d{1,4}\s+of\s+\d{1,4}|-\s*\d{1,4}\s*-|Page\s+\d{1,4}(\s+of\s+\d{1,4})?)")
_TOC = re.compile(r"(\.\s?){4,}\s*\d*\s*$|…\s*\d+\s*$")
_CATEGORY = re.compile(r"CATEGORY\s+(II|I)")
_ITEM = re.compile(r"ITEM\s+(\d{1,2})(?:\s*[-–—:.]\s*|\s+|$)(.*)")
_DEFINITIONS = re.compile(r"(?:\d{1,2}\.\s*)?(DEFINITIONS):?")
_HEADING = re.compile(r"(?:\d{1,2}\.\s*)?[A-Z][A-Z ,&()/'-]{3,}:?")
_SECTION = re.compile(r"(\d{1,2})\.([A-E])\.?(?:\s+(\D.*))?")
_ENTRY = re.compile(r"(\d{1,2})\.([A-E])\.(\d{1,3})\.?(?:\s+(.*))?")
_LETTER = re.compile(r"([a-z])\.(?:\s+(.*))?")
_NUMBER = re.compile(r"(\d{1,2})\.(?:\s+(.*))?")
_NOTE = re.compile(r"(Technical\s+Notes?|Notes?)(?:\s+(\d{1,2}))?\s*:\s*(.*)")
_NB = re.compile(r"N\.\s?B\.(?:\s+(\d{1,2}))?\s*:?\s*(.*)")
_TERM = re.compile(
    r"(?:\(\d{1,2}\)|\([a-z]\)|\d{1,2}\.(?:[a-z]\.)?)?\s*"  # an optional number: (1), 2.a.
    r"([\"“])([A-Z][^\"“”]{0,100}?)([\"”])[:,]?(?:\s+(.*))?"
)
_WORD = re.compile(r"[A-Za-z]+")
_CONTROL_CHARACTERS = re.compile(r"[\x00-\x08\x0b\x0c\x0e-\x1f\x7f]")
_STANDARD_SECTION_TITLES = {title.lower() for title in SECTION_TITLES.values()}


@dataclass(frozen=True)
class AnnexText:
    """The entries parsed from the Annex text, with what could not be placed."""

    document_id: str | None
    year: int | None
    entries: list[dict]
    warnings: list[str]


@dataclass
class _Block:
    """An open node on the indentation stack (entry, note, definition)."""

    kind: str  # "entry", "note", "notes" (a plural label awaiting paragraphs), "definition"
    indent: int
    node: dict | None
    # for "notes": the owner, base label, note kind and the next paragraph number
    owner: dict | None = None
    label: str = ""
    note_kind: str = "note"
    next_number: int = 1
    last_child: str | None = None  # marker of the last sub-entry, for sequence checks


def parse_annex_text(text: str, *, source_name: str) -> AnnexText:
    """Parse Annex text into edition-format entries; refuse text with no Annex structure."""
    if not isinstance(text, str):
        raise InvalidInputError(f"{source_name}: expected text")
    if len(text) > MAX_TEXT_CHARS:
        raise InvalidInputError(f"{source_name}: text too large ({len(text)} characters)")
    if not text.strip():
        raise InvalidInputError(f"{source_name}: the text is empty; no MTCR Annex to import")
    # Control characters (from a damaged or odd extraction) are never Annex text.
    text = _CONTROL_CHARACTERS.sub(" ", text)
    parser = _Parser(source_name)
    parser.run(text)
    if not parser.structure_seen:
        raise InvalidInputError(
            f"{source_name}: no MTCR Annex structure found (no ITEM heading and no entry "
            "code such as 3.A.1.); is this the Annex?"
        )
    return AnnexText(
        document_id=parser.document_id,
        year=parser.year,
        entries=parser.entries,
        warnings=parser.warnings,
    )


class _Parser:
    def __init__(self, source_name: str):
        self.source_name = source_name
        self.document_id: str | None = None
        self.year: int | None = None
        self.entries: list[dict] = []
        self.codes: dict[str, dict] = {}
        self.repeats: dict[str, int] = {}  # code -> highest " (n)" given
        self.children: dict[str, list[str]] = {}
        self.node_lines: dict[str, list[str]] = {}
        self.warnings: list[str] = []
        self.attested: set[str] = set()
        self.structure_seen = False

        self.mode = "preamble"  # preamble | definitions | other | annex
        self.category: str | None = None
        self.item: dict | None = None
        self.section: dict | None = None
        self.definitions: dict | None = None
        self.stack: list[_Block] = []
        self.left: int | None = None  # column of section and entry codes
        self.term_left: int | None = None  # column of definition terms
        self.title_target: dict | None = None
        self.unplaced: list[tuple[int, str]] = []
        self.page_of: dict[int, int] = {}
        self.last_page: int | None = None

    # ----------------------------------------------------------------- driver

    def run(self, text: str) -> None:
        lines = self._content_lines(text)
        for _, _, content in lines:
            self.attested.update(word.lower() for word in _WORD.findall(content))
        for number, indent, content in lines:
            self._line(number, indent, content)
        self._close_all()
        self._flush_unplaced()
        for node in self.entries:
            lines_of = self.node_lines.get(node["code"])
            if lines_of:
                node["text"] = self._join(lines_of)

    def _content_lines(self, text: str) -> list[tuple[int, int, str]]:
        result = []
        pending: list[int] = []  # line numbers since the last page footer
        text = text.replace("\r\n", "\n").replace("\r", "\n").replace("\f", "\n")
        for number, raw in enumerate(text.split("\n"), start=1):
            line = raw.expandtabs(8).replace("\u00a0", " ").rstrip()
            content = line.strip()
            if not content:
                continue
            indent = len(line) - len(line.lstrip())
            header = _HEADER.fullmatch(content)
            if header:
                if self.document_id is None:
                    self.document_id = header.group(1)
                    self.year = int(header.group(2))
                elif header.group(1) != self.document_id:
                    self.warnings.append(
                        f"{self._where(number)}: page header {header.group(1)} differs from "
                        f"{self.document_id}"
                    )
                continue
            footer = _FOOTER.fullmatch(content)
            if footer:
                page = int(re.search(r"\d+", content).group(0))
                self.page_of.update((line_number, page) for line_number in pending)
                pending = []
                self.last_page = page
                continue
            pending.append(number)
            result.append((number, indent, content))
        if self.last_page is not None:
            self.page_of.update((line_number, self.last_page + 1) for line_number in pending)
        return result

    def _where(self, number: int) -> str:
        page = self.page_of.get(number)
        return f"page {page}, line {number}" if page is not None else f"line {number}"

    def _line(self, number: int, indent: int, content: str) -> None:
        if _TOC.search(content[-300:]):
            self._unplace(number, content)
            return
        category = _CATEGORY.fullmatch(content)
        if category:
            self._flush_unplaced()
            self._close_all()
            self.category = category.group(1)
            self.mode = "annex"
            self.item = self.section = None
            return
        item = _ITEM.fullmatch(content)
        if item:
            self._flush_unplaced()
            self._start_item(number, int(item.group(1)), item.group(2).strip() or None)
            return
        if self.mode in ("preamble", "definitions", "other"):
            heading = _DEFINITIONS.fullmatch(content)
            if heading:
                self._flush_unplaced()
                self._start_definitions(number, heading.group(1))
                return
            if (
                _HEADING.fullmatch(content)
                and any(c.isalpha() for c in content)
                and not _SECTION.fullmatch(content)
            ):
                if self.mode == "definitions":
                    self._close_all()
                    self.mode = "other"
                self._unplace(number, content)
                return
        if self.mode in ("preamble", "other"):
            if not self._structural(number, indent, content):
                self._unplace(number, content)
            return
        if self.mode == "definitions":
            self._definitions_line(number, indent, content)
            return
        if not self._structural(number, indent, content):
            self._body_line(number, indent, content)

    # -------------------------------------------------------------- headings

    def _structural(self, number: int, indent: int, content: str) -> bool:
        """Section and entry headings at the left edge; True when the line was one."""
        at_left = self.left is None or indent <= self.left + TOLERANCE
        if not at_left:
            return False
        entry = _ENTRY.fullmatch(content)
        if entry:
            self._flush_unplaced()
            if self.left is None:
                self.left = indent
            self._start_entry(number, indent, entry)
            return True
        section = _SECTION.fullmatch(content)
        if section:
            title = (section.group(3) or "").strip()
            standard = title.lower() in _STANDARD_SECTION_TITLES
            if title and (standard or not any(c.islower() for c in title)):
                self._flush_unplaced()
                if self.left is None:
                    self.left = indent
                self._start_section(number, int(section.group(1)), section.group(2), title)
                return True
        return False

    def _start_item(self, number: int, item_number: int, title: str | None) -> None:
        self._close_all()
        self.mode = "annex"
        self.structure_seen = True
        code = str(item_number)
        existing = self.codes.get(code)
        if existing is not None:
            self.warnings.append(
                f"{self._where(number)}: ITEM {item_number} heading appears again; "
                "continuing the earlier Item"
            )
            if title and not self.children.get(code):
                existing["title"] = title
            self.item = existing
        else:
            self.item = self._add(
                code=code, parent=None, kind="item", item=item_number, section=None,
                category=self._category_for(number, item_number), title=title,
            )
        self.section = None
        self.title_target = self.item

    def _start_section(self, number: int, item_number: int, letter: str, title: str) -> None:
        self._close_all()
        item = self._item_for(number, item_number)
        code = f"{item_number}.{letter}"
        existing = self.codes.get(code)
        if existing is not None:
            self.warnings.append(
                f"{self._where(number)}: section {code} heading appears again; continuing it"
            )
            self.section = existing
        else:
            self.section = self._add(
                code=code, parent=item["code"], kind="section", item=item_number,
                section=letter, category=item["category"], title=title,
            )
        self.mode = "annex"
        self.structure_seen = True
        self.title_target = self.section

    def _item_for(self, number: int, item_number: int) -> dict:
        code = str(item_number)
        if self.item is not None and self.item["code"] == code:
            return self.item
        if code in self.codes:
            self.warnings.append(f"{self._where(number)}: Item {code} text resumes out of order")
            self.item = self.codes[code]
            return self.item
        self.warnings.append(
            f"{self._where(number)}: no ITEM {code} heading before its entries; Item {code} added "
            "without a title"
        )
        self.item = self._add(
            code=code, parent=None, kind="item", item=item_number, section=None,
            category=self._category_for(number, item_number), title=None,
            flags=["implied_parent"],
        )
        self.section = None
        return self.item

    def _category_for(self, number: int, item_number: int) -> str:
        """The category in force, or the MTCR Guidelines' default when none was printed."""
        default = "I" if item_number <= 2 else "II"
        if self.category is None:
            self.warnings.append(
                f"{self._where(number)}: no CATEGORY line before Item {item_number}; "
                f"Category {default} assumed (Items 1-2 are Category I, 3-20 Category II)"
            )
            return default
        if self.category != default:
            self.warnings.append(
                f"{self._where(number)}: Item {item_number} is printed under CATEGORY "
                f"{self.category}, not the usual Category {default}; kept as printed"
            )
        return self.category

    def _section_for(self, number: int, item_number: int, letter: str) -> dict:
        code = f"{item_number}.{letter}"
        if self.section is not None and self.section["code"] == code:
            return self.section
        item = self._item_for(number, item_number)
        if code in self.codes:
            self.warnings.append(f"{self._where(number)}: section {code} text resumes out of order")
            self.section = self.codes[code]
            return self.section
        self.warnings.append(
            f"{self._where(number)}: no heading for section {code} before its entries; section "
            "added without a title"
        )
        self.section = self._add(
            code=code, parent=item["code"], kind="section", item=item_number, section=letter,
            category=item["category"], title=None, flags=["implied_parent"],
        )
        return self.section

    def _start_entry(self, number: int, indent: int, match: re.Match) -> None:
        self._close_all()
        self.mode = "annex"
        self.structure_seen = True
        item_number, letter, entry_number = int(match.group(1)), match.group(2), match.group(3)
        section = self._section_for(number, item_number, letter)
        code = self._unique(f"{section['code']}.{entry_number}", number)
        node = self._add(
            code=code, parent=section["code"], kind="entry", item=item_number, section=letter,
            category=section["category"], title=None,
        )
        block = _Block("entry", indent, node)
        self.stack.append(block)
        if match.group(4):
            self._text(node, match.group(4))

    # ----------------------------------------------------------- definitions

    def _start_definitions(self, number: int, title: str) -> None:
        self._close_all()
        self.mode = "definitions"
        if self.definitions is None:
            self.definitions = self._add(
                code="Definitions", parent=None, kind="section", item=None, section=None,
                category=None, title=title,
            )
        else:
            self.warnings.append(f"{self._where(number)}: a second DEFINITIONS heading; continuing")
        self.title_target = None

    def _definitions_line(self, number: int, indent: int, content: str) -> None:
        term = _TERM.fullmatch(content)
        at_left = self.term_left is None or indent <= self.term_left + TOLERANCE
        if term and at_left:
            self._close_all()
            if self.term_left is None:
                self.term_left = indent
            name = " ".join(term.group(2).split())
            code = self._unique(f'Definition "{name}"', number)
            node = self._add(
                code=code, parent=self.definitions["code"], kind="definition", item=None,
                section=None, category=None, title=name,
            )
            self.stack.append(_Block("definition", indent, node))
            if term.group(4):
                self._text(node, term.group(4))
            return
        if self._note_line(number, indent, content):
            return
        if self.stack:
            self._continue(indent, content)
        else:
            self._text(self.definitions, content)

    # ------------------------------------------------------------------ body

    def _body_line(self, number: int, indent: int, content: str) -> None:
        if self.title_target is not None and not self.stack:
            if not any(c.islower() for c in content) and any(c.isalpha() for c in content):
                if self.title_target.get("title"):
                    self.title_target["title"] += " " + " ".join(content.split())
                else:
                    self.title_target["title"] = " ".join(content.split())
                return
        self.title_target = None
        if self._note_line(number, indent, content):
            return
        if self._sub_entry_line(number, indent, content):
            return
        if self.stack:
            self._continue(indent, content)
        elif self.section is not None:
            self._text(self.section, content)
        elif self.item is not None:
            self._text(self.item, content)
        else:
            self._unplace(number, content)

    def _in_note(self, number: int, indent: int, marker: str, match: re.Match) -> bool:
        """A marker inside a note: a next numbered paragraph, or part of its text."""
        if not self.stack or self.stack[-1].kind not in ("note", "notes"):
            return False
        top = self.stack[-1]
        container = top if top.kind == "notes" else None
        if container is None and len(self.stack) > 1 and self.stack[-2].kind == "notes":
            container = self.stack[-2]
        if (
            container is not None
            and marker.isdigit()
            and int(marker) == container.next_number
            and indent >= container.indent - TOLERANCE
            and (top is container or indent <= top.indent + TOLERANCE)
        ):
            if top is not container:
                self._close(self.stack.pop())
            label = f"{container.label} {marker}"
            node = self._note_node(number, container.owner, label, container.note_kind)
            container.next_number += 1
            self.stack.append(_Block("note", indent, node))
            if match.group(2):
                self._text(node, match.group(2))
            return True
        if indent > top.indent + TOLERANCE:
            self._continue(indent, f"{marker}. {match.group(2) or ''}".strip())
            return True
        return False

    def _sub_entry_line(self, number: int, indent: int, content: str) -> bool:
        match = _LETTER.fullmatch(content) or _NUMBER.fullmatch(content)
        if not match:
            return False
        marker = match.group(1)
        if self._in_note(number, indent, marker, match):
            return True
        while self.stack and self.stack[-1].indent >= indent - TOLERANCE:
            self._close(self.stack.pop())
        while self.stack and self.stack[-1].kind != "entry":
            self._close(self.stack.pop())
        if not self.stack:
            owner = self.section or self.item
            self.warnings.append(
                f"{self._where(number)}: sub-entry marker '{marker}.' outside any entry; kept as "
                f"text of {owner['code'] if owner else 'nothing'}"
            )
            if owner is not None:
                self._text(owner, content)
            else:
                self._unplace(number, content)
            return True
        parent_block = self.stack[-1]
        parent = parent_block.node
        depth = parent["code"].count(".")  # 3.A.1 -> 2: letters; 3.A.1.a -> 3: numbers
        expects_letter = depth % 2 == 0
        expected = self._next_marker(parent_block.last_child, expects_letter)
        if marker.isalpha() != expects_letter:
            self.warnings.append(
                f"{self._where(number)}: unexpected marker '{marker}.' in {parent['code']} "
                f"(expected {'a letter' if expects_letter else 'a number'})"
            )
        elif marker != expected:
            self.warnings.append(
                f"{self._where(number)}: marker '{marker}.' in {parent['code']} out of sequence "
                f"(expected '{expected}.')"
            )
        parent_block.last_child = marker
        code = self._unique(f"{parent['code']}.{marker}", number)
        node = self._add(
            code=code, parent=parent["code"], kind="entry", item=parent["item"],
            section=parent["section"], category=parent["category"], title=None,
        )
        self.stack.append(_Block("entry", indent, node))
        if match.group(2):
            self._text(node, match.group(2))
        return True

    @staticmethod
    def _next_marker(last: str | None, letter: bool) -> str:
        if last is None:
            return "a" if letter else "1"
        if last.isdigit():
            return str(int(last) + 1)
        return chr(ord(last) + 1)

    def _note_line(self, number: int, indent: int, content: str) -> bool:
        note = _NOTE.fullmatch(content)
        nb = None if note else _NB.fullmatch(content)
        if not note and not nb:
            return False
        while self.stack and self.stack[-1].indent >= indent - TOLERANCE:
            self._close(self.stack.pop())
        while self.stack and self.stack[-1].kind in ("note", "notes"):
            self._close(self.stack.pop())
        owner = (
            self.stack[-1].node if self.stack
            else self.section or self.item or (self.definitions if self.mode == "definitions"
                                               else None)
        )
        if owner is None:
            self._unplace(number, content)
            return True
        if nb:
            label = "N.B." + (f" {nb.group(1)}" if nb.group(1) else "")
            node = self._note_node(number, owner, label, "note")
            self.stack.append(_Block("note", indent, node))
            if nb.group(2):
                self._text(node, nb.group(2))
            return True
        word = " ".join(note.group(1).split())
        kind = "technical note" if word.startswith("Technical") else "note"
        base = "Technical Note" if kind == "technical note" else "Note"
        rest = note.group(3)
        plural = word.endswith("s")
        first = _NUMBER.fullmatch(rest) if rest else None
        if (plural and not note.group(2)) or first:
            container = _Block("notes", indent, None, owner=owner, label=base, note_kind=kind)
            self.stack.append(container)
            if first:
                column = indent + len(content) - len(rest)
                self._in_note(number, column, first.group(1), first)
            elif rest:
                self._continue(indent + TOLERANCE + 1, rest)
            return True
        label = base + (f" {note.group(2)}" if note.group(2) else "")
        node = self._note_node(number, owner, label, kind)
        self.stack.append(_Block("note", indent, node))
        if rest:
            self._text(node, rest)
        return True

    def _note_node(self, number: int, owner: dict, label: str, kind: str) -> dict:
        code = self._unique(f"{owner['code']} {label}", number, quiet=True)
        return self._add(
            code=code, parent=owner["code"], kind=kind, item=owner.get("item"),
            section=owner.get("section"), category=owner.get("category"), title=None,
        )

    def _continue(self, indent: int, content: str) -> None:
        """Text without a marker: the innermost open node it is indented into."""
        while len(self.stack) > 1 and indent <= self.stack[-1].indent + TOLERANCE:
            if self.stack[-1].kind == "note" and indent >= self.stack[-1].indent - TOLERANCE:
                break  # a note wrapped back to its label: notes end their entry
            self._close(self.stack.pop())
        block = self.stack[-1]
        if block.kind == "notes":
            # A plural label with plain text instead of numbered paragraphs.
            block.node = self._note_node(0, block.owner, block.label, block.note_kind)
            block.kind = "note"
        self._text(block.node, content)

    # --------------------------------------------------------------- helpers

    def _add(self, *, code: str, parent: str | None, kind: str, item: int | None,
             section: str | None, category: str | None, title: str | None,
             flags: list[str] | None = None) -> dict:
        node = {
            "code": code,
            "parent": parent,
            "kind": kind,
            "item": item,
            "section": section,
            "category": category,
            "title": " ".join(title.split()) if title else None,
            "title_status": None,
            "text": None,
            "notes": None,
            "flags": list(flags or []),
            "sources": [],
        }
        self._flush_unplaced()
        self.entries.append(node)
        self.codes[code] = node
        if parent is not None:
            self.children.setdefault(parent, []).append(code)
        return node

    def _unique(self, code: str, number: int, quiet: bool = False) -> str:
        if len(code) > MAX_CODE_LENGTH:
            shortened = code[: MAX_CODE_LENGTH - 8].rstrip() + "…"
            self.warnings.append(f"{self._where(number)}: code {code!r} too long; shortened")
            code = shortened
        if code not in self.codes:
            return code
        index = self.repeats.get(code, 1) + 1
        while f"{code} ({index})" in self.codes:
            index += 1
        self.repeats[code] = index
        if not quiet:
            self.warnings.append(
                f"{self._where(number)}: {code} appears more than once; kept as {code} ({index})"
            )
        return f"{code} ({index})"

    def _text(self, node: dict, content: str) -> None:
        self._flush_unplaced()
        self.node_lines.setdefault(node["code"], []).append(" ".join(content.split()))

    def _close(self, block: _Block) -> None:
        if block.kind == "notes" and block.next_number == 1 and block.node is None:
            owner = block.owner["code"] if block.owner else "?"
            self.warnings.append(f"{owner}: '{block.label}s:' label with no text")

    def _close_all(self) -> None:
        while self.stack:
            self._close(self.stack.pop())
        self.title_target = None

    def _unplace(self, number: int, content: str) -> None:
        self.unplaced.append((number, content))

    def _flush_unplaced(self) -> None:
        if not self.unplaced:
            return
        first, last = self.unplaced[0][0], self.unplaced[-1][0]
        excerpt = " ".join(content for _, content in self.unplaced)
        if len(excerpt) > MAX_EXCERPT:
            more = len(excerpt) - MAX_EXCERPT
            excerpt = f"{excerpt[:MAX_EXCERPT]}… ({more} more characters)"
        where = self._where(first)
        if last != first:
            same_page = self.page_of.get(last) == self.page_of.get(first)
            where += f" to line {last}" if same_page else f" to {self._where(last)}"
        count = len(self.unplaced)
        self.warnings.append(
            f"{where}: {count} line{'s' if count > 1 else ''} outside the Annex structure, "
            f"not imported: {excerpt}"
        )
        self.unplaced = []

    def _join(self, lines: list[str]) -> str:
        """Join printed lines with single spaces, undoing hyphenated line breaks."""
        text = lines[0]
        for line in lines[1:]:
            if not line:
                continue
            if text.endswith("\u00ad"):
                text = text[:-1] + line
                continue
            if text.endswith("-") and len(text) > 1 and not text[-2].isspace() and (
                not text.endswith("--")
            ):
                before = re.search(r"([A-Za-z]+)-$", text)
                after = _WORD.match(line)
                joined = (before.group(1) + after.group(0)).lower() if before and after else ""
                if joined and line[0].islower() and joined in self.attested:
                    text = text[:-1] + line  # a typesetter's hyphen
                else:
                    text = text + line  # a real hyphen
                continue
            text = text + " " + line
        return text.replace("\u00ad", "")
