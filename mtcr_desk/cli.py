"""Command line: ``mtcr-desk [--db PATH | --demo] [COMMAND ...]``.

With no command the desktop application opens. Every command takes
``--db PATH`` (or ``--demo``) and ``--json``; errors are one line on stderr and
the exit code says what kind of problem it was (see
:mod:`mtcr_desk.domain.errors`): 0 ok, 1 not found, 2 invalid input or usage,
3 refused by a rule, 4 storage problem.
"""

from __future__ import annotations

import argparse
import json
import os
import sys
from collections.abc import Callable, Sequence
from pathlib import Path
from typing import NoReturn, TextIO

from mtcr_desk import APP_NAME, APP_SLUG, __version__, paths
from mtcr_desk.domain.control_list import MATCH_END, MATCH_START, EntryDetail, SearchHit
from mtcr_desk.domain.errors import (
    EXIT_INVALID_INPUT,
    EXIT_OK,
    EXIT_STORAGE,
    MtcrDeskError,
)
from mtcr_desk.services.control_list import ControlListService
from mtcr_desk.services.database import open_database
from mtcr_desk.storage.database import Store


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
    parser.add_argument("--json", action="store_true",
                        default=False if top_level else argparse.SUPPRESS,
                        help="machine-readable output")


def build_parser() -> argparse.ArgumentParser:
    """Return the argument parser for every command."""
    parser = _Parser(prog=APP_SLUG, description=f"{APP_NAME}: MTCR licence-review desk.")
    parser.add_argument("--version", action="version", version=f"{APP_NAME} {__version__}")
    _add_common_options(parser, top_level=True)
    commands = parser.add_subparsers(dest="command", metavar="COMMAND", parser_class=_Parser)

    gui = commands.add_parser("gui", help="open the desktop application (the default)")
    _add_common_options(gui, top_level=False)
    gui.set_defaults(handler=run_gui)

    control_list = commands.add_parser("list", help="the control lists: editions, search, show")
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
    return paths.default_database_path()


def _open(args: argparse.Namespace) -> Store:
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


def _hit_json(hit: SearchHit) -> dict:
    snippet, highlights = _highlights(hit.snippet)
    return {
        "edition": hit.edition_id, "code": hit.code, "kind": hit.kind.value,
        "title": hit.title, "category": hit.category.value if hit.category else None,
        "snippet": snippet, "highlights": highlights, "rank": _finite(hit.rank),
        "exact_code_match": hit.exact_code_match, "refs": list(hit.refs),
    }


def _finite(rank: float) -> float | None:
    return None if rank == float("-inf") else round(rank, 4)


def cmd_list_search(args: argparse.Namespace, out: TextIO) -> int:
    with _open(args) as store:
        hits = ControlListService(store).search(
            args.query, edition_id=args.edition, item=args.item, category=args.category,
            limit=args.limit,
        )
    if args.json:
        _print_json(out, [_hit_json(hit) for hit in hits])
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
        "parent": entry.parent_code,
        "path": [{"code": a.code, "title": a.title} for a in detail.ancestors],
        "children": [{"code": c.code, "title": c.title} for c in detail.children],
        "provenance": edition.provenance, "licence": edition.licence,
        "acknowledgement": edition.acknowledgement, "limitations": edition.limitations,
    }


def _print_detail(detail: EntryDetail, out: TextIO) -> None:
    entry = detail.entry
    edition = detail.edition
    category = f"Category {entry.category.value}" if entry.category else "no MTCR category"
    label = f"Item {entry.code}" if entry.kind.value == "item" else entry.code
    print(f"{label}  ({entry.kind.value}, {category})", file=out)
    print(f"  Title:      {entry.display_title}"
          + (f"  [{entry.title_status}]" if entry.title and entry.title_status else ""), file=out)
    if detail.ancestors:
        path = " > ".join(
            (f"Item {a.code}" if a.kind.value == "item" else a.code)
            + (f" {a.title}" if a.title else "")
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
    if detail.children:
        print(f"  Sub-entries: {', '.join(child.code for child in detail.children)}", file=out)
    if entry.flags:
        print(f"  Flags:      {', '.join(entry.flags)}", file=out)
    print(f"  Sources:    {', '.join(entry.sources) or 'none listed'}", file=out)
    print(f"  Edition:    {edition.id}: {edition.title}", file=out)
    print(f"  Provenance: {edition.provenance}", file=out)
    if edition.licence:
        print(f"  Licence:    {edition.licence}", file=out)
    if edition.acknowledgement:
        print(f"  Source:     {edition.acknowledgement}", file=out)


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

    return run_application(database_path(args))


# --- entry point ---------------------------------------------------------------------


def _print_json(out: TextIO, value: object) -> None:
    json.dump(value, out, ensure_ascii=False, indent=2)
    out.write("\n")


def main(argv: Sequence[str] | None = None, out: TextIO | None = None) -> int:
    """Run the command line; return the exit code."""
    out = out or sys.stdout
    try:
        args = build_parser().parse_args(argv)
        handler: Callable[[argparse.Namespace, TextIO], int] = getattr(args, "handler", run_gui)
        return handler(args, out)
    except MtcrDeskError as error:
        print(f"{APP_SLUG}: {error.message}", file=sys.stderr)
        return error.exit_code
    except BrokenPipeError:
        # The reader went away (``| head``): stop quietly, as other tools do.
        sys.stdout = open(os.devnull, "w")  # noqa: SIM115 - keeps interpreter exit quiet
        return EXIT_OK
    except KeyboardInterrupt:
        print(f"{APP_SLUG}: interrupted", file=sys.stderr)
        return 130
    except OSError as error:
        # Last line of defence: a file-system problem nobody translated yet.
        print(f"{APP_SLUG}: {error.strerror or error}", file=sys.stderr)
        return EXIT_STORAGE
