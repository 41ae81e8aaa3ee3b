"""Command line for the training sandbox: ``mtcr-desk demo SCENARIO --out DIR``.

Renders a scenario's demonstration (the model answer worked step by step in the
workspace) to one PNG per step and writes the memo PDF, without a display: Qt runs
offscreen when no display is set. The demonstration works in a fresh temporary
training database, or in the sandbox named with ``--db`` (which keeps the case).
"""

from __future__ import annotations

import json
import os
from pathlib import Path
from typing import TextIO

from mtcr_desk.domain.errors import EXIT_OK


def add_parsers(commands, add_common, parser_class) -> None:  # noqa: ARG001 - same shape as cli_cases
    """Add the ``demo`` command."""
    demo = commands.add_parser(
        "demo", help="render a training scenario's demonstration to PNG and PDF",
        description="Work a training scenario's model answer step by step in the case "
                    "workspace (offscreen), write one PNG per step and the memo PDF.")
    add_common(demo, top_level=False)
    demo.add_argument("scenario", metavar="SCENARIO", help="scenario id, e.g. T04")
    demo.add_argument("--out", type=Path, required=True, metavar="DIR",
                      help="folder for step-NN-*.png and memo-REF.pdf (created if needed)")
    demo.set_defaults(handler=cmd_demo)


def cmd_demo(args, out: TextIO) -> int:
    """``demo SCENARIO --out DIR``: write the pictures and the memo; list them."""
    if not os.environ.get("QT_QPA_PLATFORM") and not (
            os.environ.get("DISPLAY") or os.environ.get("WAYLAND_DISPLAY")):
        # Set before Qt is first imported: without a display Qt would abort.
        os.environ["QT_QPA_PLATFORM"] = "offscreen"
    # Imported here so that the rest of the command line never loads Qt.
    from mtcr_desk.ui.training.demonstration import run_headless_demo

    database = getattr(args, "db", None)
    written = run_headless_demo(args.scenario, args.out, database=database)
    if getattr(args, "json", False):
        json.dump({"written": [str(path) for path in written]}, out, indent=2)
        out.write("\n")
    else:
        for path in written:
            print(path, file=out)
        print(f"{len(written) - 1} steps and the memo written to {args.out}", file=out)
    return EXIT_OK
