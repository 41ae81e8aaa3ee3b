"""Command line for the office settings: ``mtcr-desk settings show`` and ``settings set``.

The settings (organisation and security marking printed on every memo, paper
size, backup folder and how many automatic backups are kept) live in the
database, audited; only an administrator changes them.
"""

from __future__ import annotations

import json
from dataclasses import asdict, fields
from typing import TextIO

from mtcr_desk.cli_cases import PASSWORD_VARIABLE, signed_in
from mtcr_desk.domain.errors import EXIT_OK, InvalidInputError
from mtcr_desk.services.settings import OfficeSettings, load_settings, update_settings

#: Setting names as typed on the command line (dashes) -> field names.
SETTING_NAMES = {setting.name.replace("_", "-"): setting.name
                 for setting in fields(OfficeSettings)}


def add_parsers(commands, add_common, parser_class) -> None:
    """Add the ``settings`` command."""
    settings = commands.add_parser("settings", help="office settings: memo header, paper, "
                                                    "backups")
    add_common(settings, top_level=False)
    actions = settings.add_subparsers(dest="settings_command", metavar="ACTION",
                                      parser_class=parser_class, required=True)
    show = actions.add_parser("show", help="the settings in force")
    add_common(show, top_level=False)
    show.set_defaults(handler=cmd_settings_show)
    change = actions.add_parser("set", help="change one setting (administrators)")
    add_common(change, top_level=False)
    change.add_argument("name", choices=sorted(SETTING_NAMES), metavar="NAME",
                        help=", ".join(sorted(SETTING_NAMES)))
    change.add_argument("value")
    change.add_argument("--as", dest="as_user", metavar="USER", required=True,
                        help=f"the administrator (password from {PASSWORD_VARIABLE} or a prompt)")
    change.set_defaults(handler=cmd_settings_set)


def _open(args):
    from mtcr_desk.cli import _open as open_database_for

    return open_database_for(args)


def _print(settings: OfficeSettings, out: TextIO, *, as_json: bool) -> None:
    if as_json:
        json.dump(asdict(settings), out, indent=2, ensure_ascii=False)
        out.write("\n")
        return
    for name, field_name in SETTING_NAMES.items():
        value = getattr(settings, field_name)
        print(f"{name:17} {value if value != '' else '(default)'}", file=out)


def cmd_settings_show(args, out: TextIO) -> int:
    with _open(args) as store:
        _print(load_settings(store), out, as_json=args.json)
    return EXIT_OK


def cmd_settings_set(args, out: TextIO) -> int:
    field_name = SETTING_NAMES[args.name]
    value: object = args.value
    if field_name == "backups_kept":
        try:
            value = int(args.value)
        except ValueError:
            raise InvalidInputError(f"{args.name}: a whole number, not {args.value!r}") from None
    with _open(args) as store:
        actor, _password = signed_in(store, args)
        settings = update_settings(store, actor=actor, **{field_name: value})
        _print(settings, out, as_json=args.json)
    return EXIT_OK
