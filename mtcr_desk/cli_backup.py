"""Command line for backups: ``mtcr-desk backup [-o FILE]`` and ``mtcr-desk restore FILE``.

``backup`` writes a verified copy of the database (the SQLite backup API, then
integrity and audit chain checked on the copy) with a JSON record beside it,
by default into the backup folder of the office settings. ``restore`` checks a
backup and puts it in place of the database, keeping the replaced file aside;
it refuses while the desktop app has the database open. Exit codes as
everywhere: 0 ok, 1 not found, 2 invalid input, 4 storage problem (refused or
failed; the database is then unchanged).
"""

from __future__ import annotations

import argparse
import json
from collections.abc import Callable
from pathlib import Path
from typing import TextIO

from mtcr_desk.domain.errors import EXIT_OK
from mtcr_desk.services.settings import load_settings


def add_parsers(commands, add_common: Callable, parser_class) -> None:
    """Add the ``backup`` and ``restore`` commands."""
    make = commands.add_parser("backup", help="write a verified backup of the database")
    add_common(make, top_level=False)
    make.add_argument("-o", "--output", type=Path, metavar="FILE",
                      help="file to write (must not exist; default: a time-stamped file in "
                           "the backup folder of the settings)")
    make.set_defaults(handler=cmd_backup)

    restore = commands.add_parser(
        "restore", help="replace the database by a backup (checked first; the current file "
                        "is kept aside)")
    add_common(restore, top_level=False)
    restore.add_argument("file", type=Path, metavar="FILE", help="the backup to restore")
    restore.set_defaults(handler=cmd_restore)


def _cli():
    # Imported when run: the main module imports this one.
    from mtcr_desk import cli

    return cli


def _print_json(out: TextIO, value: object) -> None:
    json.dump(value, out, ensure_ascii=False, indent=2)
    out.write("\n")


def cmd_backup(args: argparse.Namespace, out: TextIO) -> int:
    from mtcr_desk.services import backup

    cli = _cli()
    with cli._open(args) as store:
        if args.output is not None:
            result = backup.create_backup(store, args.output, kind=backup.MANUAL)
        else:
            folder = backup.backup_folder(load_settings(store), store.path)
            result = backup.create_backup(store, folder=folder, kind=backup.MANUAL)
    if args.json:
        _print_json(out, {"file": str(result.path), "record": str(backup.sidecar_path(
            result.path)), "seconds": round(result.seconds, 3), **result.record})
    else:
        record = result.record
        print(f"Backup written: {result.path}", file=out)
        print(f"  {record['size']:,} bytes, sha256 {record['sha256']}", file=out)
        print(f"  audit chain intact: {record['audit_rows']} rows, head {record['audit_head']}",
              file=out)
        print(f"  record: {backup.sidecar_path(result.path)}", file=out)
    return EXIT_OK


def cmd_restore(args: argparse.Namespace, out: TextIO) -> int:
    from mtcr_desk.services import backup

    database = _cli().database_path(args)
    result = backup.restore(database, args.file)
    if args.json:
        _print_json(out, {"database": str(result.database), "restored_from": str(args.file),
                          "kept_aside": str(result.kept_aside) if result.kept_aside else None,
                          "audit_rows": result.check.audit_rows,
                          "audit_head": result.check.head_hash})
    else:
        print(f"Restored {result.database} from {args.file}", file=out)
        print(f"  audit chain intact: {result.check.audit_rows} rows, head "
              f"{result.check.head_hash}", file=out)
        if result.kept_aside is not None:
            print(f"  the replaced database was kept as {result.kept_aside}", file=out)
    return EXIT_OK
