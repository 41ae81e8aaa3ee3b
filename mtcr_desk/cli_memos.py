"""Command line for decision memos: ``mtcr-desk memo`` and ``mtcr-desk verify --memo``.

``memo REF -o FILE.pdf`` writes the memo of one case (the memo of record for a
final decision); ``memo --all-final -o DIR`` writes one file per case with a final
decision. ``verify --memo FILE.pdf`` says which final decision a PDF is the memo of
record of (exit 0), or that it is none (exit 3).
"""

from __future__ import annotations

import json
from pathlib import Path
from typing import TextIO

from mtcr_desk.domain.errors import EXIT_OK, EXIT_RULE_REFUSED, InvalidInputError


def add_parsers(commands, add_common, parser_class) -> None:  # noqa: ARG001 - same shape as cli_cases
    """Add the ``memo`` command."""
    memo = commands.add_parser(
        "memo", help="write decision memos as PDF",
        description="Write the decision memo of a case (the memo of record once the decision "
                    "is final; marked DRAFT before), or of every case with a final decision.")
    add_common(memo, top_level=False)
    memo.add_argument("reference", nargs="?", metavar="REF", help="case reference")
    memo.add_argument("--all-final", action="store_true",
                      help="every case with a final decision (then -o is a folder)")
    memo.add_argument("-o", "--output", type=Path, required=True, metavar="PATH",
                      help="the PDF file to write, or the folder for --all-final")
    memo.set_defaults(handler=cmd_memo)


def _open(args):
    from mtcr_desk.cli import _open as open_database_for

    return open_database_for(args)


def cmd_memo(args, out: TextIO) -> int:
    from mtcr_desk.services import memos

    if bool(args.reference) == bool(args.all_final):
        raise InvalidInputError("memo: give either a case reference or --all-final")
    with _open(args) as store:
        if args.all_final:
            references = memos.final_references(store)
            written = memos.export_memos(store, references, args.output)
            if args.json:
                json.dump({"written": [str(path) for path in written]}, out, indent=2)
                out.write("\n")
            else:
                for path in written:
                    print(path, file=out)
                print(f"{len(written)} memo{'s' if len(written) != 1 else ''} written to "
                      f"{args.output}", file=out)
            return EXIT_OK
        path = memos.export_memo(store, args.reference.strip().upper(), args.output)
    if args.json:
        json.dump({"written": [str(path)]}, out, indent=2)
        out.write("\n")
    else:
        print(f"Wrote {path}", file=out)
    return EXIT_OK


def verify_memo(store, path: Path, out: TextIO, *, as_json: bool) -> int:
    """``verify --memo FILE``: exit 0 when the file is a memo of record, 3 when it is not."""
    from mtcr_desk.services import memos

    match = memos.verify_memo_file(store, path)
    if as_json:
        json.dump({"memo": str(path), "genuine": match is not None,
                   "reference": match.reference if match else None,
                   "decision_id": match.decision_id if match else None,
                   "countersigned_at": match.countersigned_at if match else None,
                   "sha256": match.sha256 if match else None,
                   "amended_by": list(match.amended_by) if match else []}, out, indent=2)
        out.write("\n")
    elif match is None:
        print(f"NOT A MEMO OF RECORD: {path} is not the memo of any final decision in this "
              "database (it may have been altered, or come from another database)", file=out)
    else:
        print(f"Genuine: {path} is the memo of record of {match.reference} (decision "
              f"{match.decision_id}, countersigned {match.countersigned_at}); "
              f"SHA-256 {match.sha256}", file=out)
        if match.amended_by:
            print(f"Note: {match.reference} has since been amended by "
                  f"{', '.join(match.amended_by)}", file=out)
    return EXIT_OK if match is not None else EXIT_RULE_REFUSED
