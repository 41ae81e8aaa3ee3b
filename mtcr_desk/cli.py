"""Command line: ``mtcr-desk [--db PATH | --demo] [COMMAND ...]``.

With no command the desktop application opens. Every command takes
``--db PATH`` (or ``--demo``) and ``--json``; errors are one line on stderr and
the exit code says what kind of problem it was (see
:mod:`mtcr_desk.domain.errors`): 0 ok, 1 not found, 2 invalid input or usage,
3 refused by a rule, 4 storage problem.

The services a single command needs (importing an edition, memos, backups, case
files) are imported by that command's handler, so that the window, which starts
here too, does not wait for them (bench/startup.py).
"""

from __future__ import annotations

import argparse
import getpass
import json
import os
import sys
from collections.abc import Callable, Sequence
from pathlib import Path
from typing import TYPE_CHECKING, NoReturn, TextIO

from mtcr_desk import APP_NAME, APP_SLUG, __version__, build_info, paths
from mtcr_desk.cli_backup import add_parsers as add_backup_parsers
from mtcr_desk.cli_cases import add_parsers as add_case_parsers
from mtcr_desk.cli_cases import affected_cases_json, print_affected_cases
from mtcr_desk.cli_memos import add_parsers as add_memo_parsers
from mtcr_desk.cli_settings import add_parsers as add_settings_parsers
from mtcr_desk.cli_training import add_parsers as add_training_parsers
from mtcr_desk.domain.control_list import MATCH_END, MATCH_START, EntryDetail, SearchHit
from mtcr_desk.domain.errors import (
    EXIT_INVALID_INPUT,
    EXIT_OK,
    EXIT_STORAGE,
    MtcrDeskError,
    RulesNotMet,
)
from mtcr_desk.services.control_list import ControlListService
from mtcr_desk.services.database import open_database
from mtcr_desk.services.demo import open_demo_database
from mtcr_desk.storage.database import DatabaseError, Store

if TYPE_CHECKING:
    from mtcr_desk.services.edition_import import ImportReport


class CommandLineError(MtcrDeskError):
    """A usage error found by argparse (exit code 2)."""


class _Parser(argparse.ArgumentParser):
    """An argument parser whose errors are one line and exit 2, never a usage dump."""

    def error(self, message: str) -> NoReturn:
        raise CommandLineError(f"{message} (see {self.prog} --help)")


def _add_common_options(parser: argparse.ArgumentParser, *, top_level: bool) -> None:
    # On subcommands the defaults are SUPPRESS so that an option given before the
    # subcommand is not overwritten by the subcommand's default.
    default = None if top_level else argparse.SUPPRESS
    where = parser.add_mutually_exclusive_group()
    where.add_argument("--db", type=Path, metavar="PATH", default=default,
                       help="database file to open (default: the live database in the "
                            "user data folder)")
    where.add_argument("--demo", action="store_true",
                       default=False if top_level else argparse.SUPPRESS,
                       help="open the demo database instead of the live one")
    where.add_argument("--training", action="store_true",
                       default=False if top_level else argparse.SUPPRESS,
                       help="open the training sandbox (its own database; everything in it "
                            "is marked TRAINING)")
    parser.add_argument("--json", action="store_true",
                        default=False if top_level else argparse.SUPPRESS,
                        help="machine-readable output")


def build_parser(*, commands: bool = True) -> argparse.ArgumentParser:
    """Return the argument parser for every command.

    With ``commands=False`` only the options of the window itself (``--db``,
    ``--demo``, ...): enough to open the window, without the cost of the forty-odd
    command parsers (see :func:`parse_arguments`).
    """
    parser = _Parser(prog=APP_SLUG, description=f"{APP_NAME}: MTCR licence-review desk.",
                     add_help=commands)
    parser.set_defaults(command=None)
    if commands:
        # Only here: ``list editions --version`` must stay the full parser's mistake.
        parser.add_argument("--version", action="version",
                            version=f"{APP_NAME} {__version__} (build {build_info.BUILD})")
    parser.add_argument("--smoke", action="store_true",
                        help="check that this installation works (demo database in a "
                             "temporary folder, audit chain, memo, main window offscreen) "
                             "and exit: 0 when every step passed")
    _add_common_options(parser, top_level=True)
    if not commands:
        return parser
    command_parsers = parser.add_subparsers(dest="command", metavar="COMMAND",
                                            parser_class=_Parser)

    gui = command_parsers.add_parser("gui", help="open the desktop application (the default)")
    _add_common_options(gui, top_level=False)
    gui.set_defaults(handler=run_gui)

    control_list = command_parsers.add_parser(
        "list", help="the control lists: editions, search, show")
    _add_common_options(control_list, top_level=False)
    list_commands = control_list.add_subparsers(dest="list_command", metavar="ACTION",
                                                parser_class=_Parser, required=True)

    editions = list_commands.add_parser("editions", help="list the loaded editions")
    _add_common_options(editions, top_level=False)
    editions.set_defaults(handler=cmd_list_editions)

    search = list_commands.add_parser("search", help="search codes, titles and text")
    _add_common_options(search, top_level=False)
    search.add_argument("query", help="words or a code in any form (2.A.1.c, 9a1, 9A101)")
    search.add_argument("--edition", metavar="ID", help="only this edition")
    search.add_argument("--item", type=_item_number, metavar="N", help="only this MTCR Item")
    search.add_argument("--category", choices=["I", "II"], help="only this MTCR category")
    search.add_argument("--limit", type=int, default=20, metavar="N",
                        help="at most N results (default 20)")
    search.set_defaults(handler=cmd_list_search)

    show = list_commands.add_parser("show", help="show one entry with its place in the tree")
    _add_common_options(show, top_level=False)
    show.add_argument("code", help="entry code in any form (2.A.1.c, 2a1c, Item 3)")
    show.add_argument("--edition", metavar="ID", help="only this edition")
    show.set_defaults(handler=cmd_list_show)

    export = list_commands.add_parser("export", help="write an edition as edition JSON")
    _add_common_options(export, top_level=False)
    export.add_argument("edition", metavar="EDITION", help="edition id (see: list editions)")
    export.add_argument("-o", "--output", type=Path, required=True, metavar="FILE",
                        help="file to write (replaced atomically)")
    export.set_defaults(handler=cmd_list_export)

    import_ = list_commands.add_parser(
        "import", help="import an edition: the official MTCR Annex (PDF or text) or edition JSON")
    _add_common_options(import_, top_level=False)
    import_.add_argument("file", type=Path, metavar="FILE", help="PDF, text or edition JSON")
    import_.add_argument("--id", dest="edition_id", metavar="ID",
                         help="edition id (default: mtcr-YEAR from the Annex header)")
    import_.add_argument("--title", help="edition title (default: from the document)")
    import_.add_argument("--dry-run", action="store_true",
                         help="print the validation report and write nothing")
    import_.set_defaults(handler=cmd_list_import)

    diff = list_commands.add_parser("diff", help="entries added, removed and changed")
    _add_common_options(diff, top_level=False)
    diff.add_argument("old", metavar="OLD", help="old edition id")
    diff.add_argument("new", metavar="NEW", help="new edition id")
    diff.set_defaults(handler=cmd_list_diff)

    add_case_parsers(command_parsers, _add_common_options, _Parser)
    add_memo_parsers(command_parsers, _add_common_options, _Parser)
    add_backup_parsers(command_parsers, _add_common_options, _Parser)
    add_training_parsers(command_parsers, _add_common_options, _Parser)
    add_settings_parsers(command_parsers, _add_common_options, _Parser)
    return parser


def _item_number(text: str) -> int:
    if not text.isdigit() or not 1 <= int(text) <= 20:
        raise argparse.ArgumentTypeError(f"invalid item {text!r}: expected 1 to 20")
    return int(text)


def database_path(args: argparse.Namespace) -> Path:
    """Return the database file the arguments select."""
    if getattr(args, "db", None) is not None:
        return args.db
    if getattr(args, "demo", False):
        return paths.demo_database_path()
    if getattr(args, "training", False):
        from mtcr_desk.services.training import training_database_path

        return training_database_path()
    return paths.default_database_path()


def _open(args: argparse.Namespace) -> Store:
    """Open the database the arguments select (the demo one is filled on first use)."""
    if getattr(args, "demo", False) and getattr(args, "db", None) is None:
        return open_demo_database()
    if getattr(args, "training", False):
        from mtcr_desk.services.training import open_training_database

        return open_training_database()
    return open_database(database_path(args))


# --- list editions -----------------------------------------------------------------


def cmd_list_editions(args: argparse.Namespace, out: TextIO) -> int:
    with _open(args) as store:
        editions = ControlListService(store).editions()
    if args.json:
        _print_json(out, [
            {
                "id": e.id, "regime": e.regime, "title": e.title, "version": e.version,
                "edition_date": e.edition_date, "text_status": e.text_status.value,
                "has_mtcr_categories": e.has_mtcr_categories, "entries": e.entry_count,
                "provenance": e.provenance, "source_file": e.source_file,
                "source_sha256": e.source_sha256, "licence": e.licence,
                "acknowledgement": e.acknowledgement, "imported_at": e.imported_at,
                "imported_by": e.imported_by, "limitations": e.limitations,
            }
            for e in editions
        ])
        return EXIT_OK
    for edition in editions:
        print(f"{edition.id}  {edition.title}", file=out)
        print(f"  regime {edition.regime}, version {edition.version}, "
              f"date {edition.edition_date or 'not stated'}, text {edition.text_status.value}, "
              f"{edition.entry_count} entries", file=out)
        print(f"  imported {edition.imported_at} by {edition.imported_by}", file=out)
        if edition.limitations:
            print(f"  NOTE: {edition.limitations}", file=out)
        print(f"  provenance: {edition.provenance}", file=out)
        if edition.licence:
            print(f"  licence: {edition.licence}", file=out)
        if edition.acknowledgement:
            print(f"  source: {edition.acknowledgement}", file=out)
    return EXIT_OK


# --- list search ---------------------------------------------------------------------


def _highlights(snippet: str) -> tuple[str, list[list[int]]]:
    """Return the plain snippet and ``[start, end)`` offsets of the marked matches."""
    plain: list[str] = []
    spans: list[list[int]] = []
    start = 0
    length = 0
    for character in snippet:
        if character == MATCH_START:
            start = length
        elif character == MATCH_END:
            spans.append([start, length])
        else:
            plain.append(character)
            length += 1
    return "".join(plain), spans


def _hit_json(hit: SearchHit, acknowledgement: str | None) -> dict:
    snippet, highlights = _highlights(hit.snippet)
    return {
        "edition": hit.edition_id, "code": hit.code, "kind": hit.kind.value,
        "title": hit.title, "category": hit.category.value if hit.category else None,
        "snippet": snippet, "highlights": highlights, "rank": _finite(hit.rank),
        "exact_code_match": hit.exact_code_match, "refs": list(hit.refs),
        "acknowledgement": acknowledgement,
    }


def _finite(rank: float) -> float | None:
    return None if rank == float("-inf") else round(rank, 4)


def cmd_list_search(args: argparse.Namespace, out: TextIO) -> int:
    with _open(args) as store:
        service = ControlListService(store)
        hits = service.search(
            args.query, edition_id=args.edition, item=args.item, category=args.category,
            limit=args.limit,
        )
        # Text shown from an edition carries that edition's reuse acknowledgement.
        acknowledgements = {
            edition_id: service.edition(edition_id).acknowledgement
            for edition_id in sorted({hit.edition_id for hit in hits})
        }
    if args.json:
        _print_json(out, [_hit_json(hit, acknowledgements[hit.edition_id]) for hit in hits])
        return EXIT_OK
    if not hits:
        print(f"No entries match {args.query!r}.", file=out)
        return EXIT_OK
    for hit in hits:
        category = f"Cat {hit.category.value}" if hit.category else "no MTCR cat"
        marker = "=" if hit.exact_code_match else " "
        print(f"{marker} {hit.code:<14} {category:<11} {hit.edition_id}", file=out)
        snippet = hit.snippet_marked("[", "]")
        if snippet:
            print(f"    {snippet}", file=out)
        if hit.refs:
            print(f"    see: {', '.join(hit.refs)}", file=out)
    for edition_id, acknowledgement in acknowledgements.items():
        if acknowledgement:
            print(f"{edition_id}: {acknowledgement}", file=out)
    return EXIT_OK


# --- list show -----------------------------------------------------------------------


def _detail_json(detail: EntryDetail) -> dict:
    entry = detail.entry
    edition = detail.edition
    return {
        "edition": edition.id, "edition_title": edition.title,
        "text_status": edition.text_status.value, "code": entry.code,
        "kind": entry.kind.value, "item": entry.item, "section": entry.section,
        "category": entry.category.value if entry.category else None, "title": entry.title,
        "title_status": entry.title_status, "text": entry.text, "notes": entry.notes,
        "flags": list(entry.flags), "sources": list(entry.sources),
        "refs": list(entry.refs), "parent": entry.parent_code,
        "path": [{"code": a.code, "title": a.title} for a in detail.ancestors],
        "children": [{"code": c.code, "title": c.title} for c in detail.children],
        "tree": [
            {"code": n.code, "parent": n.parent_code, "kind": n.kind.value,
             "depth": detail.depth_of(n), "title": n.title, "text": n.text,
             "flags": list(n.flags), "refs": list(n.refs)}
            for n in detail.descendants
        ],
        "provenance": edition.provenance, "licence": edition.licence,
        "acknowledgement": edition.acknowledgement, "limitations": edition.limitations,
    }


def _print_detail(detail: EntryDetail, out: TextIO) -> None:
    entry = detail.entry
    edition = detail.edition
    category = f"Category {entry.category.value}" if entry.category else "no MTCR category"
    label = _node_name(entry, edition)
    print(f"{label}  ({entry.kind.value}, {category})", file=out)
    print(f"  Title:      {entry.display_title}"
          + (f"  [{entry.title_status}]" if entry.title and entry.title_status else ""), file=out)
    if detail.ancestors:
        path = " > ".join(
            _node_name(a, edition) + (f" {a.title}" if a.title else "")
            for a in detail.ancestors
        )
        print(f"  Path:       {path}", file=out)
    if entry.text:
        print(f"  Text:       {entry.text}", file=out)
    elif edition.limitations:
        print("  Text:       not in this edition (structure only; import the official "
              "MTCR Annex for the wording)", file=out)
    if entry.notes:
        print(f"  Notes:      {entry.notes}", file=out)
    if entry.refs:
        print(f"  See:        {', '.join(entry.refs)}", file=out)
    if entry.flags:
        print(f"  Flags:      {', '.join(_flag_text(flag) for flag in entry.flags)}", file=out)
    if detail.descendants and any(node.text for node in detail.descendants):
        print("  Entry tree:", file=out)
        for node in detail.descendants:
            _print_tree_node(detail, node, out)
    elif detail.children:
        print(f"  Sub-entries: {', '.join(child.code for child in detail.children)}", file=out)
    print(f"  Sources:    {', '.join(entry.sources) or 'none listed'}", file=out)
    print(f"  Edition:    {edition.id}: {edition.title}", file=out)
    print(f"  Provenance: {edition.provenance}", file=out)
    if edition.licence:
        print(f"  Licence:    {edition.licence}", file=out)
    if edition.acknowledgement:
        print(f"  Reuse:      {edition.acknowledgement}", file=out)


def _node_name(entry, edition) -> str:
    """Return how an entry is named: ``Item 3`` in the MTCR Annex, ``Category 9`` in the EU list."""
    if entry.kind.value != "item":
        return entry.code
    return f"{'Item' if edition.regime == 'MTCR' else 'Category'} {entry.code}"


_FLAG_TEXTS = {
    "text_incomplete": "text incomplete in this copy",
    "implied_parent": "implied parent (no source lists this code; a sub-entry implies it)",
    "mtcr_origin": "MTCR origin",
}


def _flag_text(flag: str) -> str:
    return _FLAG_TEXTS.get(flag, flag)


def _node_label(detail: EntryDetail, node) -> str:
    """Return how a node is introduced in the tree: ``a.``, ``Note 1:``, ``N.B.``."""
    if node.kind.value in ("note", "technical note", "definition"):
        owner = node.parent_code or ""
        label = node.code[len(owner):].strip() if node.code.startswith(owner) else node.code
        return label if label.endswith((".", ":")) else f"{label}:"
    last = node.code.rsplit(".", 1)[-1]
    return f"{last}."


def _print_tree_node(detail: EntryDetail, node, out: TextIO) -> None:
    indent = "    " * detail.depth_of(node)
    words = " ".join(part for part in (node.title, node.text) if part)
    extras = []
    # Flags the shown entry carries itself (e.g. MTCR origin) would repeat on every line.
    own_flags = [flag for flag in node.flags if flag not in detail.entry.flags]
    if own_flags:
        extras.append("; ".join(_flag_text(flag) for flag in own_flags))
    if node.refs:
        extras.append("see " + ", ".join(node.refs))
    suffix = f"  [{' | '.join(extras)}]" if extras else ""
    print(f"  {indent}{_node_label(detail, node)} {words}{suffix}  ({node.code})", file=out)


def cmd_list_show(args: argparse.Namespace, out: TextIO) -> int:
    with _open(args) as store:
        details = ControlListService(store).show(args.code, edition_id=args.edition)
    if args.json:
        _print_json(out, [_detail_json(detail) for detail in details])
        return EXIT_OK
    for index, detail in enumerate(details):
        if index:
            print(file=out)
        _print_detail(detail, out)
    return EXIT_OK


# --- list export ---------------------------------------------------------------------


def cmd_list_export(args: argparse.Namespace, out: TextIO) -> int:
    with _open(args) as store:
        count = ControlListService(store).export_edition(args.edition, args.output)
    if args.json:
        _print_json(out, {"edition": args.edition, "file": str(args.output), "entries": count})
    else:
        print(f"Wrote edition {args.edition} ({count} entries) to {args.output}", file=out)
    return EXIT_OK


# --- list import ---------------------------------------------------------------------


def _current_user() -> str:
    """The operating-system account, until the app has signed-in users."""
    try:
        return getpass.getuser()
    except (KeyError, OSError):
        return "unknown user"


def _report_json(report: ImportReport) -> dict:
    return {
        "file": report.source_name, "kind": report.source_kind, "sha256": report.source_sha256,
        "edition": report.edition.id, "title": report.edition.title,
        "entries": report.entry_count,
        "entries_per_item": {str(item): count for item, count in report.entries_per_item},
        "notes": report.notes, "technical_notes": report.technical_notes,
        "definitions": report.definitions, "compared_with": report.compared_with,
        "missing_codes": list(report.missing_codes), "extra_codes": list(report.extra_codes),
        "warnings": list(report.warnings),
    }


def _print_report(report: ImportReport, out: TextIO) -> None:
    print(f"Validation report for {report.source_name} ({report.source_kind}, "
          f"sha256 {report.source_sha256[:16]}…)", file=out)
    print(f"  Edition:     {report.edition.id}: {report.edition.title}", file=out)
    print(f"  Nodes:       {report.entry_count} (notes {report.notes}, technical notes "
          f"{report.technical_notes}, definitions {report.definitions})", file=out)
    per_item = ", ".join(f"{item}: {count}" for item, count in report.entries_per_item)
    print(f"  Entries per Item: {per_item or 'none'}", file=out)
    if report.compared_with:
        print(f"  Against {report.compared_with}: {len(report.missing_codes)} codes missing, "
              f"{len(report.extra_codes)} extra", file=out)
        if report.missing_codes:
            print(f"    missing: {', '.join(report.missing_codes)}", file=out)
        if report.extra_codes:
            print(f"    extra:   {', '.join(report.extra_codes)}", file=out)
    else:
        print("  No structure edition loaded to compare codes with.", file=out)
    for warning in report.warnings:
        print(f"  warning: {warning}", file=out)


def cmd_list_import(args: argparse.Namespace, out: TextIO) -> int:
    from mtcr_desk.services.edition_import import commit_import, prepare_import

    user = _current_user()
    with _open(args) as store:
        service = ControlListService(store)
        prepared = prepare_import(service, args.file, edition_id=args.edition_id,
                                  title=args.title, imported_by=user)
        if not args.json:
            _print_report(prepared.report, out)
        if args.dry_run:
            if args.json:
                _print_json(out, {"report": _report_json(prepared.report), "written": False})
            else:
                print("Dry run: nothing was written.", file=out)
            return EXIT_OK
        edition = commit_import(service, prepared, imported_by=user)
    if args.json:
        _print_json(out, {"report": _report_json(prepared.report), "written": True})
    else:
        print(f"Loaded edition {edition.id} ({edition.entry_count} entries).", file=out)
    return EXIT_OK


# --- list diff -----------------------------------------------------------------------


def _entry_line(entry) -> str:
    words = entry.title or entry.text or ""
    if len(words) > 90:
        words = words[:89] + "…"
    return f"{entry.code}  {words}".rstrip()


def cmd_list_diff(args: argparse.Namespace, out: TextIO) -> int:
    from mtcr_desk.services.edition_diff import diff_editions

    with _open(args) as store:
        result = diff_editions(ControlListService(store), args.old, args.new)
        # The re-review list: cases pinning OLD that use entries NEW changed or removed.
        affected = affected_cases_json(store, args.old, args.new)
    if not args.json:
        _print_diff(result, out)
        print_affected_cases(affected, args.old, out)
        return EXIT_OK
    _print_json(out, {
        "old": result.old.id, "new": result.new.id,
        "added": [_diff_entry_json(entry) for entry in result.added],
        "removed": [_diff_entry_json(entry) for entry in result.removed],
        "changed": [
            {"code": change.code,
             "fields": [{"field": c.field, "old": c.old, "new": c.new, "diff": list(c.diff)}
                        for c in change.changes]}
            for change in result.changed
        ],
        "unchanged": result.unchanged_count,
        "affected_cases": affected,
    })
    return EXIT_OK


def _print_diff(result, out: TextIO) -> None:
    print(f"{result.old.id} -> {result.new.id}: {len(result.added)} added, "
          f"{len(result.removed)} removed, {len(result.changed)} changed, "
          f"{result.unchanged_count} unchanged", file=out)
    for heading, entries in (("Added", result.added), ("Removed", result.removed)):
        if entries:
            print(f"\n{heading}:", file=out)
            for entry in entries:
                print(f"  {_entry_line(entry)}", file=out)
    if result.changed:
        print("\nChanged:", file=out)
        for change in result.changed:
            print(f"  {change.code}: {', '.join(c.field for c in change.changes)}", file=out)
            for field_change in change.changes:
                if field_change.diff:
                    for line in field_change.diff:
                        print(f"      {line}", file=out)
                else:
                    print(f"      {field_change.field}: {field_change.old!r} -> "
                          f"{field_change.new!r}", file=out)


def _diff_entry_json(entry) -> dict:
    return {"code": entry.code, "kind": entry.kind.value, "parent": entry.parent_code,
            "title": entry.title, "text": entry.text}


# --- gui -----------------------------------------------------------------------------


def has_display() -> bool:
    """Return True when a Qt window can be shown (or a platform was chosen explicitly)."""
    if os.environ.get("QT_QPA_PLATFORM"):
        return True
    if sys.platform.startswith("linux"):
        return bool(os.environ.get("DISPLAY") or os.environ.get("WAYLAND_DISPLAY"))
    return True


def run_gui(args: argparse.Namespace, out: TextIO) -> int:
    if not has_display():
        print(
            f"{APP_SLUG}: no display found; run it on a desktop, or with "
            f"QT_QPA_PLATFORM=offscreen, or use the command line ({APP_SLUG} --help)",
            file=sys.stderr,
        )
        return EXIT_INVALID_INPUT
    # Imported here so that the command line never loads Qt.
    from mtcr_desk.ui.app import run_application

    return run_application(database_path(args),
                           demo=bool(getattr(args, "demo", False)) and args.db is None,
                           training=bool(getattr(args, "training", False)))


def run_smoke(args: argparse.Namespace, out: TextIO) -> int:
    """``--smoke``: check this installation (see :mod:`mtcr_desk.smoke`), then exit."""
    # Imported here so that the other commands never load it.
    from mtcr_desk.smoke import run_smoke as run_smoke_steps

    return run_smoke_steps(out)


# --- entry point ---------------------------------------------------------------------


def _print_json(out: TextIO, value: object) -> None:
    json.dump(value, out, ensure_ascii=False, indent=2)
    out.write("\n")


def parse_arguments(argv: Sequence[str] | None) -> argparse.Namespace:
    """Parse the command line; build the command parsers only when they are needed.

    ``mtcr-desk``, ``mtcr-desk --demo`` and the like open the window: the options
    parser alone reads those. Anything else on the line (a command, ``--help``,
    ``--version``, a mistake) goes to the full parser, which decides and words it
    exactly as it always did. Building the full parser takes as long as a tenth of
    the window's start (bench/startup.py).
    """
    argv = sys.argv[1:] if argv is None else list(argv)
    try:
        args, rest = build_parser(commands=False).parse_known_args(argv)
    except CommandLineError:
        rest = argv  # e.g. ``--demo list editions --db x``: the full parser allows it
    if rest:
        return build_parser().parse_args(argv)
    return args


def main(argv: Sequence[str] | None = None, out: TextIO | None = None) -> int:
    """Run the command line; return the exit code."""
    out = out or sys.stdout
    try:
        args = parse_arguments(argv)
        handler: Callable[[argparse.Namespace, TextIO], int] = getattr(args, "handler", run_gui)
        if args.smoke:
            handler = run_smoke
        return handler(args, out)
    except RulesNotMet as error:
        # Every unmet rule on a line of its own, under one line that says what was refused.
        count = len(error.failures)
        _print_error(f"refused: {error.action}: {count} rule{'s' if count > 1 else ''} not met")
        for failure in error.failures:
            _print_error(f"  - {failure}", prefix=False)
        return error.exit_code
    except MtcrDeskError as error:
        _print_error(error.message)
        return error.exit_code
    except BrokenPipeError:
        # The reader went away (``| head``): stop quietly, as other tools do.
        sys.stdout = open(os.devnull, "w")  # noqa: SIM115 - keeps interpreter exit quiet
        return EXIT_OK
    except KeyboardInterrupt:
        print(f"{APP_SLUG}: interrupted", file=sys.stderr)
        return 130
    except OSError as error:
        # Last lines of defence: a problem nobody translated into a domain error yet.
        _print_error(str(error.strerror or error))
        return EXIT_STORAGE
    except DatabaseError as error:
        _print_error(f"database problem: {error}")
        return EXIT_STORAGE
    except UnicodeError:
        _print_error("invalid input: text that is not valid UTF-8 (an argument or file name)")
        return EXIT_INVALID_INPUT
    except (ValueError, OverflowError) as error:
        _print_error(f"invalid input: {error}")
        return EXIT_INVALID_INPUT


def _print_error(message: str, *, prefix: bool = True) -> None:
    """Print one line on stderr, whatever bytes the message holds (e.g. odd file names)."""
    line = f"{APP_SLUG}: {message}" if prefix else message
    safe = line.encode("utf-8", "backslashreplace").decode("utf-8").replace("\n", " ")
    print(safe, file=sys.stderr)
