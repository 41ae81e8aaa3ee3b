#!/usr/bin/env python3
"""Build the EU dual-use list edition (Regulation (EU) 2021/821, Annex I) from its source.

Usage::

    python database/scripts/build_eu_annex.py [--source DIR] [--output DIR] [--report]

``build_control_lists.py`` calls :func:`build_eu_edition` too, so ``make data``
rebuilds this edition with the others.

The source, ``sources/eu_annex_i_en_2025-11.json``, is a third-party split of the
EUR-Lex consolidated text of 15.11.2025 into 552 records (code, label, category,
subgroup, depth, full_content). The split is faulty (``sources/EU_QUALITY.md``): only
the 382 depth-0 records are entries; the 170 depth>0 records are Notes whose first
word was a code reference ("Note: 0A001.i. does not control ..."); headings,
preambles and Notes are glued to whatever record precedes them; and some text is
lost. The text itself is usable: reading the records in file order and joining
``code label full_content`` gives back the running text of the Annex. So this script
ignores the source's split and re-splits that running text itself:

* Entries: the depth-0 records (plus ``4D002``/``4D003``, glued into ``4D001`` as
  "Not used."); the label is the entry's title.
* Headings: category headings ("PART III Category 1 CATEGORY 1 - ..."), the two part
  headings of Category 5 and subgroup headings ("0B Test, Inspection and Production
  Equipment", "5A2 Systems, Equipment and Components") become category (``item``)
  and subgroup (``section``) nodes; what follows a heading up to the next entry is
  its preamble, filed as notes owned by it. Headings the source lost (categories 0,
  4, 6 and a dozen subgroups) are implied and flagged ``implied_parent``.
* Sub-entries: the paragraph markers ``a.`` ``1.`` ``a.`` ``1.`` ... in nesting
  order. A marker is taken only where the sequence allows it (the first child of the
  current item, or the next sibling at some level), never twice. Where it fits two
  levels, or could also continue a note's own list, each reading is tried on the rest
  of the entry and the one kept that creates more of the sub-entry codes the Annex
  cites elsewhere ("specified in 0B001.c.3."), lets more notes name a (sub-)entry
  already read ("In 0A001.h. ..."), and skips fewer items.
* Notes: ``Note:``, ``Note 1:``, ``Notes:``, ``Technical Note(s):`` and ``N.B.`` start
  note nodes (one per numbered item of a ``Notes:``/``Technical Notes:`` block) that
  run up to the next marker taken, label or heading. A list opened by a colon inside
  a note stays in the note. A note is owned by the code its body starts with
  ("0A001.i. does not control ...", "In 0A001.h. ...", "For the purposes of 1B001:
  ..."; the nearest existing parent when that code was lost), else by the sub-entry
  in whose scope it ends (the item before the next sibling taken), else by the entry.
* Lost text (``sources/eu_quality.json`` and what the re-split finds): entries whose
  Notes or items the source lost are flagged ``text_incomplete``; a "Note:" left
  with no text is dropped; sub-entries that a Note names ("Note: 1C002.c.1.a.
  includes ...") or that items skip to are created empty and flagged.
* Repairs: three markers that lost their full stop (``TEXT_REPAIRS``); the
  deposition-techniques Table of 2E003.f with its Notes and Technical Note, glued
  after "2E503.g", is moved to 2E003.f; the Technical Note on "Adjusted Peak
  Performance" glued to 4E001 goes to Category 4; the Annex footnotes and the
  Official Journal footer glued to 9E102 are dropped.

The output is deterministic (same source, same bytes). ``--report`` prints every
repair and guess instead of writing the file.
"""

from __future__ import annotations

import argparse
import hashlib
import json
import re
import sys
from dataclasses import dataclass, field
from pathlib import Path

DATABASE_DIR = Path(__file__).resolve().parent.parent
DEFAULT_SOURCE_DIR = DATABASE_DIR / "sources"
DEFAULT_OUTPUT_DIR = DATABASE_DIR / "control_lists"

SOURCE_FILE = "eu_annex_i_en_2025-11.json"
QUALITY_FILE = "eu_quality.json"
EDITION_ID = "eu-2021-821-2025-11"
SOURCE_TAG = "eur-lex-2025-11-15"

EDITION_FORMAT = "mtcr-desk/edition"
EDITION_FORMAT_VERSION = 1

ACKNOWLEDGEMENT = (
    "Source: Regulation (EU) 2021/821, Annex I, consolidated text of 15.11.2025, EUR-Lex, "
    "© European Union. Only the Official Journal is authentic."
)

# Subgroup headings as printed in Annex I (the same in every category).
SUBGROUP_TITLES = {
    "A": "Systems, Equipment and Components",
    "B": "Test, Inspection and Production Equipment",
    "C": "Materials",
    "D": "Software",
    "E": "Technology",
}

# Titles of the categories whose heading the source lost (0, 4 and 6), as in
# Annex I; the others are taken from the text.
MISSING_CATEGORY_TITLES = {
    "0": "Nuclear materials, facilities, and equipment",
    "4": "Computers",
    "6": "Sensors and lasers",
}

# The deposition-techniques Table with its Notes and Technical Note belongs to
# 2E003.f ("The table and Technical Note appear after entry 2E301"); the source has
# it after "2E503.g".
TABLE_OWNER = "2E003.f"

# Weights of the evidence used to choose between two readings of a marker.
SCORE_CITED = 1.0        # a sub-entry code the text cites elsewhere is created
SCORE_GAP = -1.5         # a marker skips items (text lost, or a wrong reading)
SCORE_NOTE_REF = 1.0     # a note names a (sub-)entry already read ("In 0A001.h. ...")

# ---------------------------------------------------------------------------
# Patterns of the running text
# ---------------------------------------------------------------------------

CODE = r"\d[A-E]\d{3}"
CATEGORY_RE = re.compile(
    r"PART [IVX]+ Category (?P<num>\d) CATEGORY (?P=num)\s*[–-]\s*(?P<title>.+?)"
    r"(?=\s+(?:\d[A-E]\d? (?:Systems|Test|Materials|Software|Technology)\b|Part \d - ))"
)
PART_RE = re.compile(r'Part (?P<num>[12]) - (?P<title>"?[A-Z][A-Z ]{3,}[A-Z]"?)(?=\s|$)')
SUBGROUP_RE = re.compile(
    r"(?P<code>\d[A-E]\d?) (?P<title>Systems, Equipment and Components|"
    r"Test, Inspection and Production Equipment|Materials|Software|Technology)"
    r"(?: (?P<none>None)\.?)?(?=\s|$)"
)
TABLE_RE = re.compile(r"Table Deposition techniques\b")
TABLE_NOTES_RE = re.compile(r"TABLE - DEPOSITION TECHNIQUES - NOTES\b")
TABLE_TN_RE = re.compile(r"TABLE - DEPOSITION TECHNIQUES - TECHNICAL NOTE\b")
CATEGORY_TN_RE = re.compile(r'TECHNICAL NOTE ON(?= "[A-Z])')
LABEL_RE = re.compile(
    r"(?P<tn>Technical Notes?)(?: (?P<tnn>\d{1,2}))?\s*(?::|\.(?=\s)|(?=\s+(?:For|In)\b))"
    r"|(?P<nt>Note to the Cryptography Note)\s*:"
    r"|(?P<n>Notes?)(?: (?P<nn>\d{1,2}))?\s*(?::|(?=\s+" + CODE + r"))"
    r"|(?P<nb>N\.B\.)(?:\s?(?P<nbn>\d)\.?(?=\s))?"
)
MARKER_RE = re.compile(r"(?P<m>[a-z]|([a-z])\2|\d{1,2})\.(?=\s|$)")
HEADING_PATTERNS = (
    ("category", CATEGORY_RE), ("part", PART_RE), ("subgroup", SUBGROUP_RE),
    ("table", TABLE_RE), ("table notes", TABLE_NOTES_RE), ("table tn", TABLE_TN_RE),
    ("category tn", CATEGORY_TN_RE),
)
HEADING_KINDS = {kind for kind, _ in HEADING_PATTERNS}

FOOTER_RE = re.compile(r"\s*’\.\s*\(1\)\s*https?://")
GLUED_HEADING_RE = re.compile(r"(?:(?<=^)|(?<=[.;] ))(" + CODE + r") (?=Not used\.)")
REF_RE = re.compile(
    r"^(?:In |For the purposes? of )?(" + CODE + r"(?:\.(?:[a-z]{1,2}|\d{1,2}))*)\.?(?=[\s,:;]|$)"
)
CITED_RE = re.compile(
    r"(?<![\w.])(" + CODE + r")((?:\.?[a-z]{1,2}(?![a-z])|\.\d{1,2}(?!\d))*)"
)
BOUNDARY_RE = re.compile(r"(?:[.;:)\"”’']|\b(?:or|and))$")
STRICT_BOUNDARY_RE = re.compile(r"[.;:]$")
CONNECTOR_RE = re.compile(r"\b(?:or|and)$")
NB_CODE_END_RE = re.compile(CODE + r"(?:\.[a-z0-9]{1,2})*\.?$")
FOR_THE_PURPOSES_RE = re.compile(r"For the purposes? of \S+$")


# Paragraph markers that lost their full stop in the source.
TEXT_REPAIRS = (
    ("producing strains; 12 Clostridium perfringens",
     "producing strains; 12. Clostridium perfringens"),
    ("(e.g., without sparsity). b Microwave or millimetre wave items",
     "(e.g., without sparsity). b. Microwave or millimetre wave items"),
    ("having all of the following: 1 The placement and configuration",
     "having all of the following: 1. The placement and configuration"),
)


def sha256_of(path: Path) -> str:
    return hashlib.sha256(path.read_bytes()).hexdigest()


def clean(text: str) -> str:
    """Collapse runs of white space and strip."""
    return re.sub(r"\s+", " ", text).strip()


def sentence_case(title: str) -> str:
    lowered = title.lower()
    for index, char in enumerate(lowered):
        if char.isalpha():
            return lowered[:index] + char.upper() + lowered[index + 1:]
    return lowered


def succ(label: str) -> str:
    """The marker after ``label``: b after a, aa after z, bb after aa, 3 after 2."""
    if label.isdigit():
        return str(int(label) + 1)
    if len(label) == 2:
        return chr(ord(label[0]) + 1) * 2 if label[0] != "z" else "zz"
    return "aa" if label == "z" else chr(ord(label) + 1)


def label_key(label: str) -> tuple:
    return (0, int(label)) if label.isdigit() else (1, len(label), label)


def is_letter(label: str) -> bool:
    return label.isalpha()


def ahead(path: list[str], current: list[str]) -> bool:
    """Whether sub-entry ``path`` comes after the position ``current`` in the text."""
    for a, b in zip(path, current, strict=False):
        if a != b:
            return label_key(a) > label_key(b)
    return len(path) > len(current)


def code_of(top: str, path: list[str]) -> str:
    return ".".join([top, *path])


def mtcr_origin(code: str) -> bool:
    number = code[2:5]
    return number.isdigit() and 100 <= int(number) <= 199


# ---------------------------------------------------------------------------
# The tree being built
# ---------------------------------------------------------------------------


@dataclass
class Node:
    code: str | None
    kind: str
    parent: str | None = None
    section: str | None = None
    title: str | None = None
    parts: list[str] = field(default_factory=list)
    flags: list[str] = field(default_factory=list)
    # Notes only: the label ("Note 1"), and who owns the note.
    label: str | None = None
    owner: str | None = None          # fixed owner (preambles, the Table)
    ref_owner: str | None = None      # the code the body starts with
    pos_owner: str | None = None      # the owner given by the note's place
    entry: str | None = None          # the entry the note sits in

    def text(self) -> str | None:
        return clean(" ".join(self.parts)) or None

    def flag(self, name: str) -> None:
        if name not in self.flags:
            self.flags.append(name)


@dataclass
class NoteState:
    node: Node
    plural: bool                # "Notes:" / "Technical Notes:"
    kind_label: str             # "Note", "Technical Note", "N.B."
    absorb: bool = False        # takes everything up to the next heading
    preface: str = ""           # "For the purposes of 1B001:" before item 1
    item_no: str | None = None  # the numbered item being read
    list_stack: list[str] = field(default_factory=list)
    list_types: list[bool] = field(default_factory=list)
    loose_list: bool = False    # its list began after a full stop, not a colon
    outer: NoteState | None = None   # the note whose list this one interrupts
    nested_at: int = 0          # list depth at which a note label was read as list text


class Builder:
    """Re-splits the running text of the source into the edition's nodes."""

    def __init__(self, records: list[dict], quality: dict):
        self.records = records
        self.quality = quality
        self.order: list[Node] = []
        self.by_code: dict[str, Node] = {}
        self.notes: list[Node] = []
        self.report: list[str] = []
        self.items_missing = set(quality["content_items_missing"])
        self.category: str | None = None
        self.subgroup: str | None = None
        self.part: str | None = None
        self.heading_node: Node | None = None
        self.runs = 0
        # Every code the text cites ("specified in 1C111.a.2.b."): evidence of which
        # sub-entries exist, used where a marker can be read at two levels.
        self.cited: set[str] = set()
        for record in records:
            running = f"{record['label']} {record['full_content']}"
            if record["depth"] > 0:
                running = f"{record['code']}. {running}"
            for match in CITED_RE.finditer(running):
                parts = re.findall(r"[a-z]{1,2}|\d{1,2}", match[2])
                self.cited.add(".".join([match[1], *parts]))

    # -- nodes -------------------------------------------------------------

    def add(self, node: Node) -> Node:
        self.order.append(node)
        if node.code is not None:
            if node.code in self.by_code:
                raise SystemExit(f"{SOURCE_FILE}: duplicate code {node.code}")
            self.by_code[node.code] = node
        if node.kind in ("note", "technical note"):
            self.notes.append(node)
        return node

    def ensure_category(self, number: str, title: str | None = None) -> Node:
        node = self.by_code.get(number)
        if node is None:
            node = self.add(Node(number, "item", None, None,
                                 title or MISSING_CATEGORY_TITLES[number]))
            if title is None:
                node.flag("implied_parent")
                self.report.append(f"category {number}: heading lost in the source, implied")
        elif title is not None:
            node.title = title
        if number != self.category:
            self.category = number
            self.subgroup = None
            self.part = None
        return node

    def ensure_subgroup(self, code: str, title: str | None = None) -> Node:
        if code[0] != self.category:
            self.ensure_category(code[0])
        node = self.by_code.get(code)
        if node is None:
            node = self.add(Node(code, "section", code[0], code[1],
                                 title or SUBGROUP_TITLES[code[1]]))
            if title is None:
                node.flag("implied_parent")
                self.report.append(f"subgroup {code}: heading lost in the source, implied")
        self.subgroup = code
        return node

    # -- the running text --------------------------------------------------

    def entries(self) -> list[tuple[str, str, str]]:
        """(code, heading, body) of every entry, from the records in file order."""
        joined: list[list[str]] = []
        for record in self.records:
            if record["depth"] == 0:
                joined.append([record["code"], record["label"], record["full_content"]])
                continue
            # A Note fragment: its code was the first word of the Note's body.
            code = record["code"]
            match = re.fullmatch(r"(" + CODE + r"(?:\.[a-z0-9]{1,2})*)\.([a-z]{3,})", code)
            ref = f"{match[1]}. {match[2]}" if match else f"{code}."   # 3A002.d.includes
            joined[-1][2] += f" {ref} {record['label']} {record['full_content']}"
        result: list[tuple[str, str, str]] = []
        for code, label, body in joined:
            pieces = GLUED_HEADING_RE.split(body)   # "... 4D002 Not used. 4D003 Not used."
            result.append((code, label, pieces[0]))
            for index in range(1, len(pieces), 2):
                heading, _, tail = pieces[index + 1].partition(".")
                result.append((pieces[index], clean(heading) + ".", tail))
                self.report.append(f"{pieces[index]}: heading glued into {code}, split off")
        return result

    def build(self) -> None:
        for code, label, body in self.entries():
            self.parse_entry(code, clean(label), body)
        self.finish()

    @staticmethod
    def tokens(text: str) -> list[tuple[int, list[tuple[str, re.Match]]]]:
        """Every place a heading, a note label or a marker could start, in order."""
        found = []
        for pos in range(len(text)):
            if pos > 0 and text[pos - 1] not in " :":
                continue
            if not (text[pos].isalnum() or text[pos] == "'"):
                continue
            candidates = []
            for kind, regex in HEADING_PATTERNS:
                match = regex.match(text, pos)
                if match:
                    candidates.append((kind, match))
            match = LABEL_RE.match(text, pos)
            if match:
                candidates.append(("label", match))
            match = MARKER_RE.match(text, pos)
            if match:
                candidates.append(("marker", match))
            if candidates:
                found.append((pos, candidates))
        return found

    # -- one entry ---------------------------------------------------------

    def parse_entry(self, top: str, heading: str, body: str) -> None:
        if top[0] != self.category:
            self.ensure_category(top[0])
        sub = f"5{top[1]}{self.part or '1'}" if top[0] == "5" else top[:2]
        if sub != self.subgroup:
            self.ensure_subgroup(sub)
        footer = FOOTER_RE.search(body)
        if footer:
            self.report.append(f"{top}: Annex footnotes and Official Journal footer dropped "
                               f"({clean(body[footer.start():])[:60]}...)")
            body = body[:footer.start()]
        text = clean(body)
        for wrong, right in TEXT_REPAIRS:
            if wrong in text:
                text = text.replace(wrong, right)
                self.report.append(f"{top}: marker repaired: '{wrong}' -> '{right}'")
        tokens = self.tokens(text)

        # Where a marker can be read two ways, try each and keep the reading that
        # creates more of the codes the text cites, with fewer skipped items.
        forced: dict[int, int] = {}
        while True:
            _, points = self.run(top, heading, sub, text, tokens, forced, simulate=True)
            open_points = [p for p in points if p[0] not in forced]
            if not open_points:
                break
            pos, count = open_points[0]
            scores = []
            for option in range(count):
                score, _ = self.run(top, heading, sub, text, tokens, {**forced, pos: option},
                                    simulate=True)
                scores.append(score)
            forced[pos] = scores.index(max(scores))
        self.run(top, heading, sub, text, tokens, forced, simulate=False)

    def run(self, top, heading, sub, text, tokens, forced, *, simulate):
        """Read one entry's text; with ``simulate``, score the reading and undo it."""
        self.runs += 1
        saved = (len(self.order), len(self.notes), len(self.report),
                 self.category, self.subgroup, self.part, self.heading_node)
        self.top = top
        self.top_node = self.add(Node(top, "entry", sub, top[1], heading))
        self.stack: list[str] = []
        self.letters_first = True
        self.closed: list[bool] = []     # per level: the list's last item has begun
        self.lost_ref: list[str] | None = None
        self.sink: Node = self.top_node
        self.note: NoteState | None = None
        self.last_note: NoteState | None = None
        self.pending: list[Node] = []    # notes waiting for their owner by place
        self.mode = "entry"              # entry | preamble | table
        self.forced = forced
        self.points: list[tuple[int, int]] = []
        self.gaps = 0
        self.note_refs = 0

        last_end = 0
        stopped = False
        for pos, candidates in tokens:
            if pos < last_end:
                continue
            gap = text[last_end:pos]
            for kind, match in candidates:
                action = self.decide(kind, match, text, pos, gap)
                if action is None:
                    continue
                if simulate and kind in HEADING_KINDS:
                    stopped = True      # only the entry's own text is scored
                    break
                self.emit_text(gap)
                action()
                last_end = match.end()
                break
            if stopped:
                break
        else:
            self.emit_text(text[last_end:])
        if not simulate:
            self.close_note()
            self.resolve_pending(None)
            return 0, self.points

        created = [n.code for n in self.order[saved[0]:] if n.code and n.code.startswith(top + ".")]
        score = SCORE_CITED * sum(1 for code in created if code in self.cited) \
            + SCORE_GAP * self.gaps + SCORE_NOTE_REF * self.note_refs
        for node in self.order[saved[0]:]:
            if node.code is not None:
                del self.by_code[node.code]
        del self.order[saved[0]:]
        del self.notes[saved[1]:]
        del self.report[saved[2]:]
        self.category, self.subgroup, self.part, self.heading_node = saved[3:]
        return score, self.points

    def decide(self, kind: str, match: re.Match, text: str, pos: int, gap: str):
        """Return the action for a candidate token, or None when it is plain text."""
        note = self.note
        if note is not None and not note.node.parts and gap.strip() and self.mode == "entry" \
                and note.node.ref_owner is None:
            self.note_ref(note.node, gap)
        tail = gap.rstrip()
        at_boundary = not gap.strip() or bool(BOUNDARY_RE.search(tail))

        if kind in HEADING_KINDS:
            if not at_boundary and kind not in ("table notes", "table tn", "category tn"):
                return None
            if kind == "subgroup" and not self.subgroup_follows(match["code"]):
                return None
            handler = getattr(self, "on_" + kind.replace(" ", "_"))
            return lambda: handler(match)
        if (note is not None and note.absorb) or self.mode == "table":
            return None
        if kind == "label":
            strong = bool(match["tn"]) and match.group(0).rstrip().endswith(":")
            if not (at_boundary or strong):
                return None
            if not self.label_is_text(match, tail):
                return lambda: self.on_label(match)
            if note is not None and note.list_stack and not note.nested_at:
                note.nested_at = len(note.list_stack)
            return None
        # A marker.
        following = text[match.end():match.end() + 2].strip()[:1]
        if not at_boundary and note is not None and note.kind_label == "N.B." \
                and NB_CODE_END_RE.search(tail):
            at_boundary = True      # "N.B. SEE ALSO 2B226 a. Equipment ..."
        if not at_boundary and match["m"] in ("a", "1") and following.isupper() \
                and (tail.endswith(",") or tail.endswith(" following")):
            at_boundary = True      # "... therefor, a. Having ..." (colon missing)
        if not at_boundary and tail.endswith(",") and note is not None \
                and any(succ(label) == match["m"] for label in note.list_stack):
            at_boundary = True      # "... materials: a. aluminium, b. aluminium alloys, ..."
        if not at_boundary:
            return None
        strict = (pos == 0 or bool(STRICT_BOUNDARY_RE.search(tail))) \
            and bool(following) and (following.isupper() or following in "\"'‘“")
        return self.marker_decision(match["m"], tail, strict, pos)

    def subgroup_follows(self, code: str) -> bool:
        """A subgroup heading belongs to this category or starts the next one."""
        return code[0] == self.top[0] or int(code[0]) == int(self.top[0]) + 1

    def label_is_text(self, match: re.Match, tail: str) -> bool:
        """Whether a label is running text rather than the start of a new note.

        "For the purposes of 4A003.g. Note: 1." names a note; a Technical Note or
        N.B. inside the list of a note ("...; Technical Note: ...") belongs to it.
        """
        if FOR_THE_PURPOSES_RE.search(tail):
            return True
        note = self.note
        if note is None or not note.list_stack or match["n"] or match["nt"]:
            return False
        return tail.endswith(";")

    # -- text --------------------------------------------------------------

    def emit_text(self, chunk: str) -> None:
        if not chunk.strip():
            return
        if self.note is not None:
            node = self.note.node
            if not node.parts and self.mode == "entry" and node.ref_owner is None:
                self.note_ref(node, chunk)
            node.parts.append(chunk)
            return
        self.sink.parts.append(chunk)

    def note_ref(self, node: Node, chunk: str) -> None:
        """Record the code a Note's body starts with ("0A001.i. does not control ...")."""
        match = REF_RE.match(chunk.strip())
        if not match:
            return
        ref = match[1]
        node.ref_owner = ref
        path = ref.split(".")[1:]
        if ref.startswith(self.top + ".") and ref not in self.by_code \
                and ahead(path, self.stack):
            # Items may have been lost before this Note: decided at the next marker.
            self.lost_ref = path

    # -- headings ----------------------------------------------------------

    def start_preamble(self, node: Node) -> None:
        self.close_note()
        self.resolve_pending(None)
        self.mode = "preamble"
        self.heading_node = node
        self.sink = node

    def on_category(self, match: re.Match) -> None:
        node = self.ensure_category(match["num"], sentence_case(clean(match["title"])))
        self.start_preamble(node)

    def on_part(self, match: re.Match) -> None:
        self.part = match["num"]
        title = sentence_case(match["title"].strip('"'))
        if match["title"].startswith('"'):
            title = f'"{title}"'
        node = self.by_code["5"]
        node.parts.append(f"Part {match['num']} - {title}.")
        self.subgroup = None
        self.start_preamble(node)

    def on_subgroup(self, match: re.Match) -> None:
        code = match["code"]
        if len(code) == 3:
            self.part = code[2]
        node = self.ensure_subgroup(code, match["title"])
        if match["none"]:
            node.parts.append("None.")
        self.start_preamble(node)

    def on_table(self, match: re.Match) -> None:
        self.close_note()
        self.resolve_pending(None)
        self.mode = "table"
        self.sink = self.by_code[TABLE_OWNER]
        self.sink.parts.append("Table - Deposition techniques:")
        self.report.append(f"{TABLE_OWNER}: deposition-techniques Table, its Notes and "
                           f"Technical Note moved there from after {self.top}.g")

    def on_table_notes(self, match: re.Match) -> None:
        self.mode = "preamble"
        self.heading_node = self.by_code[TABLE_OWNER]
        self.new_note("Note", plural=True, owner=TABLE_OWNER)

    def on_table_tn(self, match: re.Match) -> None:
        self.mode = "preamble"
        self.new_note("Technical Note", plural=False, owner=TABLE_OWNER, absorb=True)

    def on_category_tn(self, match: re.Match) -> None:
        # "TECHNICAL NOTE ON "ADJUSTED PEAK PERFORMANCE" ..." closes Category 4.
        self.close_note()
        self.resolve_pending(None)
        self.mode = "preamble"
        self.heading_node = self.by_code[self.category]
        node = self.new_note("Technical Note", plural=False, owner=self.category, absorb=True)
        node.parts.append("TECHNICAL NOTE ON")

    # -- notes -------------------------------------------------------------

    def new_note(self, kind_label: str, *, plural: bool, number: str | None = None,
                 owner: str | None = None, absorb: bool = False) -> Node:
        self.last_note = self.note
        self.close_note()
        kind = "technical note" if kind_label == "Technical Note" else "note"
        label = kind_label if number is None else f"{kind_label} {number}"
        if owner is None and self.mode == "preamble":
            owner = self.heading_node.code
        previous = self.last_note
        node = self.add(Node(None, kind, label=label, owner=owner, entry=self.top))
        self.note = NoteState(node, plural, kind_label, absorb=absorb)
        if previous is not None and not absorb:
            # A note inside another note's list ("...; b. Not used; Technical Note: ...
            # c. ..."): that list may go on after it.
            if previous.list_stack or previous.item_no is not None:
                self.note.outer = previous
            else:
                self.note.outer = previous.outer
        if owner is None:
            self.pending.append(node)
        return node

    def on_label(self, match: re.Match) -> None:
        if match["tn"]:
            self.new_note("Technical Note", plural=match["tn"].endswith("s"),
                          number=match["tnn"])
        elif match["nt"]:
            self.new_note("Note", plural=False)
            self.note.node.parts.append("Note to the Cryptography Note:")
        elif match["n"]:
            self.new_note("Note", plural=match["n"].endswith("s"), number=match["nn"])
        else:
            self.new_note("N.B.", plural=False)

    def close_note(self) -> None:
        note = self.note
        if note is None:
            return
        self.note = None
        node = note.node
        if not clean(" ".join(node.parts)):
            # "Note:" with nothing after it: the Note's text was lost in the source.
            self.order.remove(node)
            self.notes.remove(node)
            if node in self.pending:
                self.pending.remove(node)
            owner = self.by_code[node.owner] if node.owner else self.top_node
            owner.flag("text_incomplete")
            if self.mode == "entry":
                self.top_node.flag("text_incomplete")
            self.report.append(f"{owner.code}: '{node.label}:' with its text lost in the source")
            return
        if note.item_no is not None and note.preface and node.parts[0] != note.preface:
            node.parts.insert(0, note.preface)
        if self.mode == "entry" and node.ref_owner in self.by_code:
            self.note_refs += 1

    def start_numbered_item(self, number: str) -> None:
        """Start item ``number`` of a "Notes:"/"Technical Notes:" block: a note of its own."""
        note = self.note
        node = note.node
        if note.item_no is None:
            note.preface = clean(" ".join(node.parts))
            node.parts = []
            node.label = f"{note.kind_label} {number}"
            node.ref_owner = None
        else:
            self.close_note()
            new = self.add(Node(None, node.kind, label=f"{note.kind_label} {number}",
                                owner=node.owner, entry=self.top))
            if new.owner is None:
                self.pending.append(new)
            note = NoteState(new, True, note.kind_label, preface=note.preface)
            self.note = note
        match = REF_RE.match(note.preface)
        if match:
            note.node.ref_owner = match[1]
        note.item_no = number

    # -- markers -----------------------------------------------------------

    def child_is_letter(self, stack: list[str]) -> bool:
        """Levels alternate a. 1. a. 1. ...; a few entries (1C350) start with 1."""
        return not is_letter(stack[-1]) if stack else self.letters_first

    def candidates(self, stack: list[str], marker: str, tail: str = "") -> list[list[str]]:
        """Moves ``marker`` allows from ``stack`` without skipping items, deepest first."""
        found: list[list[str]] = []
        if marker in ("a", "1") and self.child_is_letter(stack) == is_letter(marker):
            found.append(stack + [marker])
        elif not stack and marker == "1" and self.sink is self.top_node \
                and not self.top_node.parts:
            found.append(["1"])     # the entry's items are numbered (1C350)
        for k in range(len(stack) - 1, -1, -1):
            if succ(stack[k]) == marker:
                found.append(stack[:k] + [marker])
        found = [c for c in found if code_of(self.top, c) not in self.by_code]
        if not found and stack and marker in ("a", "1") and tail.endswith(":") \
                and code_of(self.top, stack + [marker]) not in self.by_code:
            # "10. ... having all of the following: 1. ..." (0B004.b.10): a list
            # that does not alternate.
            found.append(stack + [marker])
        # A level whose current item followed "or"/"and" has ended: try it last.
        open_first = [c for c in found if not self.is_closed(c)]
        return open_first + [c for c in found if self.is_closed(c)]

    def is_closed(self, path: list[str]) -> bool:
        k = len(path) - 1
        return k < len(self.closed) and self.closed[k] and path != self.stack[: k + 1]

    def gap_candidates(self, stack: list[str], marker: str) -> list[list[str]]:
        """Moves that skip items (text lost in the source): cited codes first."""
        found: list[list[str]] = []
        for k in range(len(stack)):
            if is_letter(stack[k]) == is_letter(marker) \
                    and label_key(marker) > label_key(succ(stack[k])):
                found.append(stack[:k] + [marker])
        if self.child_is_letter(stack) == is_letter(marker) and marker not in ("a", "1"):
            found.append(stack + [marker])
        found = [c for c in found if code_of(self.top, c) not in self.by_code]
        cited = [c for c in found if self.is_cited(c)]
        return cited + [c for c in found if c not in cited]

    def is_cited(self, path: list[str]) -> bool:
        code = code_of(self.top, path)
        return code in self.cited or any(c.startswith(code + ".") for c in self.cited)

    def note_move(self, marker: str, tail: str) -> tuple[str, bool] | None:
        """How the current note can take ``marker`` ('item' or 'list'), and how surely."""
        note = self.note
        if note is None or note.absorb:
            return None
        stack = note.list_stack
        types = note.list_types
        letter = is_letter(marker)
        inner = stack and not types[-1] and succ(stack[-1]) == marker
        if note.plural and marker.isdigit() and not inner and (
                note.item_no is None and marker == "1"
                or note.item_no is not None and marker == succ(note.item_no)):
            return "item", True
        if not stack:
            if marker in ("a", "1"):
                # A list opened by a colon is the note's; otherwise maybe.
                return "list", tail.endswith(":") or tail.endswith(" following;")
            return None
        for k in range(len(stack) - 1, -1, -1):
            if types[k] == letter and succ(stack[k]) == marker:
                # After a note nested in the item, the full stop ends that note.
                return "list", not tail.endswith(".") or k < note.nested_at
        if marker in ("a", "1") and types[-1] != letter:
            return "list", tail.endswith(":")
        if marker in ("a", "1") and tail.endswith(":"):
            return "list", True     # "Width: ... a. ... c. ...; Height: ...: a. ..."
        return None

    def outer_move(self, marker: str) -> str | None:
        """Whether ``marker`` continues the list of the note the current one interrupts."""
        note = self.note
        outer = note.outer if note is not None else None
        if outer is None:
            return None
        stack = outer.list_stack
        if any(succ(label) == marker for label in stack):
            return "list"
        if outer.plural and outer.item_no is not None and marker == succ(outer.item_no):
            return "item"
        return None

    def resume_outer(self, marker: str, how: str) -> None:
        outer = self.note.outer
        self.close_note()
        self.note = outer
        if how == "item":
            self.start_numbered_item(marker)
        else:
            self.note_list_marker(marker)

    def marker_decision(self, marker: str, tail: str, strict: bool, pos: int):
        if self.mode not in ("entry", "preamble"):
            return None
        options: list = []
        note_how = self.note_move(marker, tail) if self.note is not None else None
        moves: list = []
        if self.mode == "entry":
            moves = [(c, None, False) for c in self.candidates(self.stack, marker, tail)]
            if not moves and self.lost_ref is not None:
                moves = [(c, self.lost_ref, False)
                         for c in self.candidates(self.lost_ref, marker)]
            if not moves and strict and (self.note is None or not self.note.list_stack):
                moves = [(c, None, True) for c in self.gap_candidates(self.stack, marker)]
        if note_how is not None and note_how[1]:
            moves = []      # the note's own list (or numbered item) goes on
        # Otherwise both may go on: decided by trying both (parse_entry), first the
        # entry, or the note when its list itself began after a full stop.
        note_first = note_how is not None and self.note.loose_list and self.note.list_stack
        if note_how is not None and note_first:
            options.append(("note", note_how[0]))
        options.extend(("entry", move) for move in moves)
        if note_how is not None and not note_first:
            options.append(("note", note_how[0]))
        if note_how is None and self.note is not None:
            outer = self.outer_move(marker)
            if outer is not None:
                options.append(("outer", outer))
        if not options:
            return None
        choice = 0
        if len(options) > 1:
            self.points.append((pos, len(options)))
            choice = self.forced.get(pos, 0)
            if choice >= len(options):
                choice = 0
        how, detail = options[choice]
        if how == "outer":
            return lambda: self.resume_outer(marker, detail)
        if how == "note":
            if detail == "item":
                return lambda: self.start_numbered_item(marker)
            loose = not note_how[1]
            return lambda: self.note_list_marker(marker, loose)
        connector = bool(CONNECTOR_RE.search(tail))
        return lambda: self.apply_move(detail, connector)

    def note_list_marker(self, marker: str, loose: bool = False) -> None:
        note = self.note
        if not note.list_stack:
            note.loose_list = loose
        stack = note.list_stack
        types = note.list_types
        letter = is_letter(marker)
        for k in range(len(stack) - 1, -1, -1):
            if types[k] == letter and succ(stack[k]) == marker:
                del stack[k + 1:]
                del types[k + 1:]
                stack[k] = marker
                if k < note.nested_at:
                    note.nested_at = 0
                break
        else:
            if stack and types[-1] == letter:
                # The list starts again at the deepest level of this kind.
                k = max(i for i, kind in enumerate(types) if kind == letter)
                del stack[k:]
                del types[k:]
            stack.append(marker)
            types.append(letter)
        note.node.parts.append(f"{marker}.")

    def apply_move(self, move, connector: bool) -> None:
        new_stack, lost_path, gap_move = move
        self.close_note()
        if lost_path is not None:
            # A Note named a sub-entry the source lost ("Note: 1C002.c.1.a. includes
            # ..." right after the heading): create it and its parents, empty.
            self.resolve_pending(self.stack[: min(len(self.stack), len(lost_path))])
            self.create_path(lost_path, "named by a Note")
            self.stack = list(lost_path)
            self.closed = [False] * len(lost_path)
        old = self.stack
        self.resolve_pending(old[: min(len(old), len(new_stack))])
        if gap_move:
            self.gaps += 1
            self.report.append(f"{code_of(self.top, new_stack)}: the items before it are "
                               f"missing in the source (after {code_of(self.top, old)})")
            self.top_node.flag("text_incomplete")
        self.lost_ref = None
        closed = self.closed[: len(new_stack) - 1]
        self.closed = closed + [False] * (len(new_stack) - 1 - len(closed)) + [connector]
        if new_stack == ["1"] and self.letters_first:
            self.letters_first = False
        self.stack = new_stack
        self.create_path(new_stack[:-1], "a parent skipped")
        code = code_of(self.top, new_stack)
        self.sink = self.add(Node(code, "entry", code_of(self.top, new_stack[:-1]), self.top[1]))

    def create_path(self, path: list[str], why: str) -> None:
        for depth in range(1, len(path) + 1):
            code = code_of(self.top, path[:depth])
            if code in self.by_code:
                continue
            node = self.add(Node(code, "entry", code_of(self.top, path[:depth - 1]),
                                 self.top[1]))
            node.flag("text_incomplete")
            self.top_node.flag("text_incomplete")
            self.report.append(f"{code}: text lost in the source ({why}); created empty")

    def resolve_pending(self, owner_path: list[str] | None) -> None:
        """Notes so far belong to the (sub-)entry whose scope they close in."""
        owner = self.top if not owner_path else code_of(self.top, owner_path)
        for node in self.pending:
            node.pos_owner = owner
        self.pending = []

    # -- finishing ---------------------------------------------------------

    def finish(self) -> None:
        for code in sorted(set(self.quality["dangling_note_text_apparently_lost"])
                           | self.items_missing):
            self.by_code[code.split(".")[0]].flag("text_incomplete")
        used: dict[str, int] = {}
        for node in self.notes:
            owner = node.owner
            if owner is None:
                ref = node.ref_owner
                while ref and ref not in self.by_code and "." in ref:
                    ref = ref.rsplit(".", 1)[0]
                owner = ref if ref in self.by_code else node.pos_owner or node.entry
            node.parent = owner
            node.section = self.by_code[owner].section
            base = f"{owner} {node.label}"
            used[base] = used.get(base, 0) + 1
            node.code = base if used[base] == 1 else f"{base} ({used[base]})"
            if node.code in self.by_code:
                raise SystemExit(f"duplicate note code {node.code}")
            self.by_code[node.code] = node
        parents = {node.parent for node in self.order}
        for node in self.order:
            if node.kind == "entry" and node.code in parents and not node.parts \
                    and "text_incomplete" in node.flags and "." in node.code:
                node.flag("implied_parent")

    # -- output ------------------------------------------------------------

    def records_out(self) -> list[dict]:
        out = []
        for node in self.order:
            is_entry = node.kind == "entry"
            flags = set(node.flags)
            if is_entry and mtcr_origin(node.code):
                flags.add("mtcr_origin")
            record = {
                "code": node.code,
                "parent": node.parent,
                "kind": node.kind,
                "item": None,
                "section": node.section,
                "category": None,
                "title": node.title if not (is_entry and "." in node.code) else None,
                "title_status": None,
                "text": node.text(),
                "notes": None,
                "flags": [f for f in ("implied_parent", "text_incomplete", "mtcr_origin")
                          if f in flags],
            }
            if is_entry:
                record["sources"] = [SOURCE_TAG]
            elif node.kind in ("item", "section"):
                # A heading the source lost is listed by no source.
                record["sources"] = [] if "implied_parent" in flags else [SOURCE_TAG]
            out.append(record)
        return out


def build_eu_edition(source_dir: Path) -> tuple[dict, Builder]:
    """Return the ``eu-2021-821-2025-11`` edition document and the builder (for reports)."""
    source_path = source_dir / SOURCE_FILE
    source = json.loads(source_path.read_text(encoding="utf-8"))
    quality = json.loads((source_dir / QUALITY_FILE).read_text(encoding="utf-8"))
    builder = Builder(source["entries"], quality)
    builder.build()
    entries = parents_first(builder.records_out())
    tops = [e for e in entries if e["kind"] == "entry" and "." not in e["code"]]
    incomplete = sum(1 for e in tops if "text_incomplete" in e["flags"])
    provenance = (
        "Full text of Annex I to Regulation (EU) 2021/821 (the EU dual-use list), "
        "consolidated text of 15.11.2025 including Delegated Regulation (EU) 2025/2003, as "
        "published on EUR-Lex. The text comes from a third-party split of the EUR-Lex "
        "English text (github.com/dkmcustoms-web/dual-use-v1, data/annex_i_en_2025-11.json, "
        "commit 2e697d03), whose repository carries no licence; its split was faulty, so "
        "we re-split the running text ourselves into entries, sub-entries, notes, "
        "technical notes and N.B.s (database/scripts/build_eu_annex.py). The copy lost "
        f"some text: {incomplete} of the {len(tops)} entries are flagged text_incomplete "
        "and must be read in the official text. Only the Official Journal of the European "
        "Union is authentic."
    )
    document = {
        "format": EDITION_FORMAT,
        "format_version": EDITION_FORMAT_VERSION,
        "edition": {
            "id": EDITION_ID,
            "regime": "EU",
            "title": ("EU dual-use list: Regulation (EU) 2021/821, Annex I "
                      "(consolidated 15.11.2025)"),
            "version": "consolidated text of 15.11.2025, incl. Delegated Regulation (EU) 2025/2003",
            "edition_date": "2025-11-15",
            "text_status": "full",
            "has_mtcr_categories": False,
            "provenance": provenance,
            "source_file": SOURCE_FILE,
            "source_sha256": sha256_of(source_path),
            "licence": None,
            "acknowledgement": ACKNOWLEDGEMENT,
        },
        "entries": entries,
    }
    return document, builder


def parents_first(entries: list[dict]) -> list[dict]:
    """Return the entries in Annex order, moved only where a node came before its parent.

    A node the source lost (an implied sub-entry) is created where its first sub-entry or
    note names it; the edition format wants every parent before its children.
    """
    emitted: set[str] = set()
    waiting: dict[str, list[dict]] = {}
    ordered: list[dict] = []

    def emit(entry: dict) -> None:
        ordered.append(entry)
        emitted.add(entry["code"])
        for child in waiting.pop(entry["code"], []):
            emit(child)

    for entry in entries:
        if entry["parent"] is None or entry["parent"] in emitted:
            emit(entry)
        else:
            waiting.setdefault(entry["parent"], []).append(entry)
    if waiting:
        raise SystemExit(f"entries name parents that never come: {sorted(waiting)[:5]}")
    return ordered


def write_edition(edition: dict, output_dir: Path) -> Path:
    """Validate the edition with the app's own reader and write it in canonical form.

    Going through the app's reader and writer makes the file exactly what
    ``mtcr-desk list export`` gives back for it.
    """
    sys.path.insert(0, str(DATABASE_DIR.parent))
    from mtcr_desk.services.edition_format import (
        edition_document,
        parse_edition_document,
        serialise_edition,
    )

    parsed = parse_edition_document(edition, source_name=f"{edition['edition']['id']}.json")
    path = output_dir / f"{edition['edition']['id']}.json"
    path.write_bytes(serialise_edition(edition_document(parsed.edition, list(parsed.entries))))
    return path


def build(source_dir: Path, output_dir: Path) -> Path:
    """Build the EU edition from ``source_dir`` into ``output_dir``; return the file."""
    document, _ = build_eu_edition(source_dir)
    output_dir.mkdir(parents=True, exist_ok=True)
    return write_edition(document, output_dir)


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--source", type=Path, default=DEFAULT_SOURCE_DIR)
    parser.add_argument("--output", type=Path, default=DEFAULT_OUTPUT_DIR)
    parser.add_argument("--report", action="store_true",
                        help="print counts and the repairs made instead of writing")
    args = parser.parse_args(argv)
    document, builder = build_eu_edition(args.source)
    if args.report:
        for line in builder.report:
            print(line)
        kinds: dict[str, int] = {}
        for entry in document["entries"]:
            key = entry["kind"] if entry["kind"] != "entry" else (
                "sub-entry" if "." in entry["code"] else "entry")
            kinds[key] = kinds.get(key, 0) + 1
        print(kinds)
        return 0
    args.output.mkdir(parents=True, exist_ok=True)
    print(write_edition(document, args.output))
    return 0


if __name__ == "__main__":
    sys.exit(main())
