"""Command line for case review, users, reference data and verification.

``mtcr-desk case ...``, ``mtcr-desk user ...``, ``mtcr-desk reference ...`` and
``mtcr-desk verify``. Commands that change something take ``--as USER``; the
password comes from ``MTCR_DESK_PASSWORD`` or, in a terminal, a prompt. Drafting
and countersigning check it again, as a signature. Exit codes as everywhere:
0 ok, 1 not found, 2 invalid input, 3 refused by a rule (every unmet rule is
listed), 4 storage problem.
"""

from __future__ import annotations

import argparse
import getpass
import json
import os
import sys
from collections.abc import Callable
from pathlib import Path
from typing import TextIO

from mtcr_desk.domain.cases import (
    AssessmentStatus,
    Assurance,
    Case,
    Factor,
    Finding,
    Item,
    Outcome,
    Party,
    PartyRole,
)
from mtcr_desk.domain.errors import EXIT_OK, EXIT_RULE_REFUSED, InvalidInputError
from mtcr_desk.domain.users import Role, User
from mtcr_desk.services import reference_data, users
from mtcr_desk.services.cases import CaseService
from mtcr_desk.storage import audit
from mtcr_desk.storage.database import Store

PASSWORD_VARIABLE = "MTCR_DESK_PASSWORD"
NEW_PASSWORD_VARIABLE = "MTCR_DESK_NEW_PASSWORD"

ASSURANCE_CHOICES = {
    "use-as-stated": Assurance.USE_AS_STATED,
    "no-modification": Assurance.NO_MODIFICATION,
    "no-retransfer": Assurance.NO_RETRANSFER,
}


def _dashed(value: str) -> str:
    return value.replace(" ", "-")


def _choices(enum_type) -> dict[str, object]:
    return {_dashed(member.value): member for member in enum_type}


# --- signing in -------------------------------------------------------------------------


def read_password(prompt: str, variable: str = PASSWORD_VARIABLE) -> str:
    """Return the password from the environment or, in a terminal, a prompt."""
    password = os.environ.get(variable)
    if password is not None:
        return password
    if not sys.stdin.isatty():
        raise InvalidInputError(f"no password: set {variable} or run the command in a terminal")
    return getpass.getpass(prompt)


def signed_in(store: Store, args: argparse.Namespace) -> tuple[User, str]:
    """Authenticate ``--as USER``; return the user and the password (re-asked to sign)."""
    username = getattr(args, "as_user", None)
    if not username:
        raise InvalidInputError("this command changes the record: say who you are with --as USER")
    if not users.has_users(store):
        raise InvalidInputError("this database has no users yet: add its administrator first "
                                "(mtcr-desk user add NAME --role administrator)")
    password = read_password(f"Password for {username}: ")
    return users.authenticate(store, username=username, password=password), password


# --- parsers ----------------------------------------------------------------------------


def add_parsers(commands, add_common: Callable, parser_class) -> None:
    """Add the ``case``, ``user``, ``reference`` and ``verify`` commands."""

    def sub(parent, name: str, help_text: str, handler: Callable, *, writes: bool = False):
        parser = parent.add_parser(name, help=help_text)
        add_common(parser, top_level=False)
        if writes:
            parser.add_argument("--as", dest="as_user", metavar="USER", required=True,
                                help=f"who you are (password from {PASSWORD_VARIABLE} or a "
                                     "prompt)")
        parser.set_defaults(handler=handler)
        return parser

    # user
    user = commands.add_parser("user", help="local user accounts")
    add_common(user, top_level=False)
    user_commands = user.add_subparsers(dest="user_command", metavar="ACTION",
                                        parser_class=parser_class, required=True)
    add = sub(user_commands, "add", "add a user (the first one is the administrator)",
              cmd_user_add)
    add.add_argument("username")
    add.add_argument("--role", required=True, choices=[_dashed(r.value) for r in Role])
    add.add_argument("--name", help="full name (default: the username)")
    add.add_argument("--as", dest="as_user", metavar="USER",
                     help="the administrator adding the user (not needed for the first one)")
    sub(user_commands, "list", "list the users", cmd_user_list)

    # case
    case = commands.add_parser("case", help="licence cases: review, decide, countersign")
    add_common(case, top_level=False)
    case_commands = case.add_subparsers(dest="case_command", metavar="ACTION",
                                        parser_class=parser_class, required=True)
    new = sub(case_commands, "new", "open a case", cmd_case_new, writes=True)
    new.add_argument("--applicant", required=True)
    new.add_argument("--destination", required=True, metavar="CC",
                     help="ISO 3166 alpha-2 code of the destination country")
    new.add_argument("--end-use", default="")
    new.add_argument("--received", metavar="YYYY-MM-DD")
    new.add_argument("--due", metavar="YYYY-MM-DD")
    new.add_argument("--edition", metavar="ID", help="control-list edition to pin")
    new.add_argument("--officer", metavar="USER", help="assigned officer (default: you)")
    new.add_argument("--item", action="append", default=[], metavar="DESCRIPTION;QTY[;...]",
                     help="an item: DESCRIPTION;QUANTITY[;UNIT;MANUFACTURER;PART NUMBER;VALUE;"
                          "CURRENCY] (repeat for each line)")
    new.add_argument("--party", action="append", default=[], metavar="ROLE;NAME[;COUNTRY]",
                     help=f"a party; ROLE one of {', '.join(_choices(PartyRole))}")
    new.add_argument("--end-user-statement", default="", metavar="REFERENCE")
    new.add_argument("--assurance", action="append", default=[],
                     choices=list(ASSURANCE_CHOICES))

    listing = sub(case_commands, "list", "list cases", cmd_case_list)
    listing.add_argument("--status", choices=[_dashed(s) for s in
                                              ("draft", "in review", "awaiting countersignature",
                                               "decided", "returned", "withdrawn")])
    show = sub(case_commands, "show", "show a case", cmd_case_show)
    show.add_argument("reference")

    edit = sub(case_commands, "edit", "record end use, end-user statement, assurances",
               cmd_case_edit, writes=True)
    edit.add_argument("reference")
    edit.add_argument("--end-use")
    edit.add_argument("--end-user-statement", metavar="REFERENCE")
    edit.add_argument("--assurance", action="append", choices=list(ASSURANCE_CHOICES),
                      help="the recipient government's assurances on file (repeat)")
    edit.add_argument("--due", metavar="YYYY-MM-DD")

    add_item = sub(case_commands, "add-item", "add an item", cmd_case_add_item, writes=True)
    add_item.add_argument("reference")
    add_item.add_argument("item", metavar="DESCRIPTION;QTY[;...]")

    assess = sub(case_commands, "assess", "assess one item", cmd_case_assess, writes=True)
    assess.add_argument("reference")
    assess.add_argument("--line", type=int, required=True)
    how = assess.add_mutually_exclusive_group(required=True)
    how.add_argument("--entries", metavar="CODES", help="comma-separated entry codes")
    how.add_argument("--not-controlled", action="store_true")
    how.add_argument("--catch-all", action="store_true")
    assess.add_argument("--category", choices=["I", "II"],
                        help="MTCR category (required with an edition without categories)")
    assess.add_argument("--rationale", required=True)

    factor = sub(case_commands, "factor", "record a finding on an evaluation factor",
                 cmd_case_factor, writes=True)
    factor.add_argument("reference")
    factor.add_argument("--factor", required=True, choices=[f.value for f in Factor])
    factor.add_argument("--finding", required=True, choices=list(_choices(Finding)))
    factor.add_argument("--note", default="")

    flags = sub(case_commands, "acknowledge-flags", "acknowledge the destination flags",
                cmd_case_acknowledge, writes=True)
    flags.add_argument("reference")

    decide = sub(case_commands, "decide", "draft the decision (asks your password again)",
                 cmd_case_decide, writes=True)
    decide.add_argument("reference")
    decide.add_argument("--outcome", required=True, choices=list(_choices(Outcome)))
    decide.add_argument("--rationale", required=True)
    decide.add_argument("--condition", action="append", default=[])
    decide.add_argument("--acknowledge-flags", action="store_true",
                        help="acknowledge the destination flags with this decision")
    decide.add_argument("--acknowledge-presumption", action="store_true",
                        help="acknowledge the strong presumption of denial (Category I)")

    countersign = sub(case_commands, "countersign", "agree or return the drafted decision",
                      cmd_case_countersign, writes=True)
    countersign.add_argument("reference")
    verdict = countersign.add_mutually_exclusive_group(required=True)
    verdict.add_argument("--agree", action="store_true")
    verdict.add_argument("--return", dest="return_", action="store_true")
    countersign.add_argument("--comment", default="")

    note = sub(case_commands, "note", "add a note", cmd_case_note, writes=True)
    note.add_argument("reference")
    note.add_argument("--text", required=True)

    withdraw = sub(case_commands, "withdraw", "close a withdrawn application",
                   cmd_case_withdraw, writes=True)
    withdraw.add_argument("reference")
    withdraw.add_argument("--reason", required=True)

    amend = sub(case_commands, "amend", "open a new version of a decided case", cmd_case_amend,
                writes=True)
    amend.add_argument("reference")
    amend.add_argument("--reason", required=True)

    import_case = sub(case_commands, "import", "import a case file (all or nothing)",
                      cmd_case_import, writes=True)
    import_case.add_argument("file", type=Path, metavar="FILE")
    export_case = sub(case_commands, "export", "write a case file", cmd_case_export)
    export_case.add_argument("reference")
    export_case.add_argument("-o", "--output", type=Path, required=True, metavar="FILE")

    precedents = sub(case_commands, "precedents", "earlier assessments of similar items",
                     cmd_case_precedents)
    precedents.add_argument("reference")
    precedents.add_argument("--line", type=int, required=True)
    precedents.add_argument("--limit", type=int, default=10)
    apply = sub(case_commands, "apply-precedent", "copy an earlier assessment onto an item",
                cmd_case_apply_precedent, writes=True)
    apply.add_argument("reference")
    apply.add_argument("--line", type=int, required=True)
    apply.add_argument("--from", dest="source", required=True, metavar="REF:LINE",
                       help="the precedent, e.g. MTCR-2026-0003:2")

    repin = sub(case_commands, "repin", "move a case to another edition (re-opens changed "
                                        "assessments)", cmd_case_repin, writes=True)
    repin.add_argument("reference")
    repin.add_argument("--edition", required=True, metavar="ID")

    # reference data
    ref = commands.add_parser("reference", help="countries, MTCR partners, UN measures")
    add_common(ref, top_level=False)
    ref_commands = ref.add_subparsers(dest="reference_command", metavar="ACTION",
                                      parser_class=parser_class, required=True)
    show_country = sub(ref_commands, "show", "show a country's status", cmd_reference_show)
    show_country.add_argument("country", metavar="CC")
    set_country = sub(ref_commands, "set", "change a country's status (administrators)",
                      cmd_reference_set, writes=True)
    set_country.add_argument("country", metavar="CC")
    set_country.add_argument("--mtcr-status", choices=["partner", "adherent", "none"])
    set_country.add_argument("--un-measures", metavar="RESOLUTIONS",
                             help="comma-separated resolution numbers, or '' for none")

    verify = sub(commands, "verify",
                 "recompute the audit chain and check every record against it",
                 cmd_verify)
    verify.add_argument("--memo", type=Path, metavar="FILE.pdf",
                        help="instead: say whether FILE.pdf is the memo of a final decision "
                             "in this database, and which")


# --- helpers ----------------------------------------------------------------------------


def _open(args):
    from mtcr_desk.cli import _open as open_database_for

    return open_database_for(args)


def _print_json(out: TextIO, value: object) -> None:
    json.dump(value, out, ensure_ascii=False, indent=2)
    out.write("\n")


def parse_item(text: str) -> Item:
    """Parse ``DESCRIPTION;QUANTITY[;UNIT;MANUFACTURER;PART NUMBER;VALUE;CURRENCY]``."""
    parts = [part.strip() for part in text.split(";")]
    if len(parts) < 2 or len(parts) > 7:
        raise InvalidInputError(
            f"item {text!r}: expected DESCRIPTION;QUANTITY[;UNIT;MANUFACTURER;PART NUMBER;"
            "VALUE;CURRENCY]")
    parts += [""] * (7 - len(parts))
    description, quantity, unit, manufacturer, part_number, value, currency = parts
    try:
        quantity_number = float(quantity)
    except ValueError as error:
        raise InvalidInputError(f"item {description!r}: quantity {quantity!r} is not a number") \
            from error
    try:
        value_number = float(value) if value else None
    except ValueError as error:
        raise InvalidInputError(f"item {description!r}: value {value!r} is not a number") \
            from error
    return Item(line=0, description=description, quantity=quantity_number,
                unit=unit or "pieces", manufacturer=manufacturer, part_number=part_number,
                value=value_number, currency=(currency or "EUR").upper())


def parse_party(text: str) -> Party:
    """Parse ``ROLE;NAME[;COUNTRY]``."""
    parts = [part.strip() for part in text.split(";")]
    roles = _choices(PartyRole)
    if len(parts) not in (2, 3) or parts[0] not in roles:
        raise InvalidInputError(f"party {text!r}: expected ROLE;NAME[;COUNTRY] with ROLE one of "
                                f"{', '.join(roles)}")
    return Party(role=roles[parts[0]], name=parts[1],
                 country=parts[2].upper() if len(parts) == 3 else "")


def case_json(service: CaseService, case: Case) -> dict:
    """A case as the CLI's JSON shows it."""
    category = service.category(case)
    return {
        "reference": case.reference, "status": case.status.value, "applicant": case.applicant,
        "destination": case.destination, "end_use": case.end_use,
        "received_on": case.received_on, "due_on": case.due_on, "officer": case.officer,
        "edition": case.edition_id, "training": case.training,
        "category": category.value if category else None,
        "assurances": sorted(a.value for a in case.assurances),
        "end_user_statement": case.end_user_statement,
        "flags_acknowledged_by": case.flags_acknowledged_by, "amends": case.amends,
        "amended_by": service.amended_by(case.reference),
        "parties": [{"role": p.role.value, "name": p.name, "country": p.country}
                    for p in case.parties],
        "items": [{
            "line": i.line, "description": i.description, "quantity": i.quantity,
            "unit": i.unit, "manufacturer": i.manufacturer, "part_number": i.part_number,
            "value": i.value, "currency": i.currency,
            "assessment": {"status": i.assessment.status.value,
                           "entries": list(i.assessment.entry_codes),
                           "category": (c.value if (c := service.item_category(case, i))
                                        else None),
                           "rationale": i.assessment.rationale,
                           "assessed_by": i.assessment.assessed_by,
                           "precedent": i.assessment.precedent}}
            for i in case.items],
        "factors": [{"factor": f.factor.value, "finding": f.finding.value, "note": f.note,
                     "recorded_by": f.recorded_by} for f in case.factors],
        "decisions": [{"outcome": d.outcome.value, "rationale": d.rationale,
                       "conditions": list(d.conditions), "drafted_by": d.drafted_by,
                       "drafted_at": d.drafted_at, "countersigned_by": d.countersigned_by,
                       "countersigned_at": d.countersigned_at,
                       "countersignature": d.countersignature,
                       "return_comment": d.return_comment, "audit_head": d.audit_head}
                      for d in case.decisions],
        "notes": [{"text": n.text, "author": n.author, "at": n.created_at} for n in case.notes],
    }


def print_case(service: CaseService, case: Case, out: TextIO) -> None:
    """Print a case as a readable page."""
    category = service.category(case)
    destination = reference_data.destination_flags(service._store, case.destination)
    print(f"{case.reference}  [{case.status.value}]  "
          f"{'Category ' + category.value if category else 'no MTCR category yet'}"
          + ("  TRAINING" if case.training else ""), file=out)
    print(f"  Applicant:   {case.applicant}", file=out)
    print(f"  Destination: {destination.country_name} ({case.destination}), "
          f"{destination.mtcr_status or 'not an MTCR partner or adherent'}", file=out)
    for flag in destination.raised:
        acknowledged = (f" (acknowledged by {case.flags_acknowledged_by})"
                        if case.flags_acknowledged_by else " (not yet acknowledged)")
        print(f"  FLAG:        {flag}{acknowledged}", file=out)
    print(f"  End use:     {case.end_use or '-'}", file=out)
    print(f"  End-user statement: {case.end_user_statement or 'none recorded'}", file=out)
    print(f"  Assurances:  {', '.join(sorted(a.value for a in case.assurances)) or 'none'}",
          file=out)
    print(f"  Received {case.received_on}, due {case.due_on or '-'}, officer "
          f"{case.officer or '-'}, edition {case.edition_id}", file=out)
    if case.amends:
        print(f"  Amends:      {case.amends}", file=out)
    for later in service.amended_by(case.reference):
        print(f"  AMENDED BY:  {later}", file=out)
    for party in case.parties:
        print(f"  {party.role.value.capitalize():<22} {party.name}"
              + (f" ({party.country})" if party.country else ""), file=out)
    print("  Items:", file=out)
    for item in case.items:
        a = item.assessment
        item_cat = service.item_category(case, item)
        detail = ", ".join(a.entry_codes) if a.entry_codes else ""
        print(f"    {item.line}. {item.description} x {item.quantity:g} {item.unit}: "
              f"{a.status.value}{' ' + detail if detail else ''}"
              f"{' (Category ' + item_cat.value + ')' if item_cat else ''}", file=out)
        if a.rationale:
            print(f"       {a.rationale}", file=out)
    print("  Factors:", file=out)
    for factor in Factor:
        found = case.factor(factor)
        print(f"    ({factor.value}) {found.finding.value if found else 'no finding yet'}"
              + (f": {found.note}" if found and found.note else ""), file=out)
    for decision in case.decisions:
        print(f"  Decision: {decision.outcome.value}, drafted by {decision.drafted_by} at "
              f"{decision.drafted_at}", file=out)
        for number, condition in enumerate(decision.conditions, start=1):
            print(f"    condition {number}: {condition}", file=out)
        print(f"    rationale: {decision.rationale}", file=out)
        if decision.countersignature:
            print(f"    countersigned ({decision.countersignature}) by "
                  f"{decision.countersigned_by} at {decision.countersigned_at}"
                  + (f": {decision.return_comment}" if decision.return_comment else ""),
                  file=out)
    for note in case.notes:
        print(f"  Note {note.created_at} {note.author}: {note.text}", file=out)


def _finish(service: CaseService, case: Case, args, out: TextIO, message: str) -> int:
    if args.json:
        _print_json(out, case_json(service, case))
    else:
        print(message, file=out)
    return EXIT_OK


# --- handlers ---------------------------------------------------------------------------


def cmd_user_add(args, out: TextIO) -> int:
    with _open(args) as store:
        actor = None
        if users.has_users(store):
            actor, _ = signed_in(store, args)
        password = read_password(f"Password for the new user {args.username}: ",
                                 NEW_PASSWORD_VARIABLE)
        role = Role(args.role.replace("-", " "))
        user = users.add_user(store, username=args.username,
                              display_name=args.name or args.username, role=role,
                              password=password, actor=actor)
    print(f"Added {user.username} ({user.role.value}).", file=out)
    return EXIT_OK


def cmd_user_list(args, out: TextIO) -> int:
    with _open(args) as store:
        accounts = users.list_users(store)
    if args.json:
        _print_json(out, [{"username": u.username, "name": u.display_name, "role": u.role.value,
                           "active": u.active, "locked_until": u.locked_until}
                          for u in accounts])
        return EXIT_OK
    for account in accounts:
        print(f"{account.username:<16} {account.role.value:<15} {account.display_name}", file=out)
    return EXIT_OK


def cmd_case_new(args, out: TextIO) -> int:
    items = [parse_item(text) for text in args.item]
    parties = [parse_party(text) for text in args.party]
    with _open(args) as store:
        actor, _ = signed_in(store, args)
        service = CaseService(store)
        case = service.create(
            actor=actor, applicant=args.applicant, destination=args.destination,
            end_use=args.end_use, received_on=args.received, due_on=args.due,
            officer=args.officer, edition_id=args.edition, parties=parties, items=items,
            assurances=[ASSURANCE_CHOICES[a] for a in args.assurance],
            end_user_statement=args.end_user_statement)
        return _finish(service, case, args, out, f"Opened {case.reference} ({len(case.items)} "
                                                 f"items, edition {case.edition_id}).")


def cmd_case_list(args, out: TextIO) -> int:
    with _open(args) as store:
        rows = CaseService(store).list(status=args.status.replace("-", " ")
                                       if args.status else None)
    if args.json:
        _print_json(out, [dict(zip(("reference", "status", "applicant", "destination",
                                    "officer", "received_on", "due_on", "edition"), row,
                                   strict=True)) for row in rows])
        return EXIT_OK
    for reference, status, applicant, destination, officer, received, due, _ in rows:
        print(f"{reference}  {status:<26} {destination}  {received}  due {due or '-':<10}  "
              f"{officer or '-':<10} {applicant}", file=out)
    if not rows:
        print("No cases.", file=out)
    return EXIT_OK


def cmd_case_show(args, out: TextIO) -> int:
    with _open(args) as store:
        service = CaseService(store)
        case = service.get(args.reference)
        if args.json:
            _print_json(out, case_json(service, case))
        else:
            print_case(service, case, out)
    return EXIT_OK


def cmd_case_edit(args, out: TextIO) -> int:
    with _open(args) as store:
        actor, _ = signed_in(store, args)
        service = CaseService(store)
        case = service.update_details(
            args.reference, actor=actor, end_use=args.end_use,
            end_user_statement=args.end_user_statement,
            assurances=([ASSURANCE_CHOICES[a] for a in args.assurance]
                        if args.assurance is not None else None),
            due_on=args.due)
        return _finish(service, case, args, out, f"Updated {case.reference}.")


def cmd_case_add_item(args, out: TextIO) -> int:
    item = parse_item(args.item)
    with _open(args) as store:
        actor, _ = signed_in(store, args)
        service = CaseService(store)
        case = service.add_item(args.reference, item, actor=actor)
        return _finish(service, case, args, out,
                       f"Added line {case.items[-1].line} to {case.reference}.")


def cmd_case_assess(args, out: TextIO) -> int:
    if args.entries is not None:
        status = AssessmentStatus.CONTROLLED
        codes = [code.strip() for code in args.entries.split(",") if code.strip()]
    else:
        status = (AssessmentStatus.NOT_CONTROLLED if args.not_controlled
                  else AssessmentStatus.CATCH_ALL)
        codes = []
    with _open(args) as store:
        actor, _ = signed_in(store, args)
        service = CaseService(store)
        case = service.assess(args.reference, line=args.line, status=status, entry_codes=codes,
                              category=args.category, rationale=args.rationale, actor=actor)
        item = case.item(args.line)
        category = service.item_category(case, item)
        return _finish(service, case, args, out,
                       f"{case.reference} line {args.line}: {item.assessment.status.value}"
                       + (f" {', '.join(item.assessment.entry_codes)}"
                          if item.assessment.entry_codes else "")
                       + (f" (Category {category.value})" if category else "") + ".")


def cmd_case_factor(args, out: TextIO) -> int:
    with _open(args) as store:
        actor, _ = signed_in(store, args)
        service = CaseService(store)
        case = service.record_factor(args.reference, factor=Factor(args.factor),
                                     finding=_choices(Finding)[args.finding], note=args.note,
                                     actor=actor)
        return _finish(service, case, args, out,
                       f"{case.reference} factor ({args.factor}): "
                       f"{args.finding.replace('-', ' ')}.")


def cmd_case_acknowledge(args, out: TextIO) -> int:
    with _open(args) as store:
        actor, _ = signed_in(store, args)
        service = CaseService(store)
        case = service.acknowledge_flags(args.reference, actor=actor)
        return _finish(service, case, args, out,
                       f"Destination flags of {case.reference} acknowledged.")


def cmd_case_decide(args, out: TextIO) -> int:
    with _open(args) as store:
        actor, password = signed_in(store, args)
        service = CaseService(store)
        case = service.draft_decision(
            args.reference, actor=actor, password=password,
            outcome=_choices(Outcome)[args.outcome], rationale=args.rationale,
            conditions=args.condition, presumption_acknowledged=args.acknowledge_presumption,
            acknowledge_flags=args.acknowledge_flags)
        return _finish(service, case, args, out,
                       f"Drafted '{case.current_decision.outcome.value}' on {case.reference}; "
                       "it awaits countersignature by a second officer.")


def cmd_case_countersign(args, out: TextIO) -> int:
    with _open(args) as store:
        actor, password = signed_in(store, args)
        service = CaseService(store)
        case = service.countersign(args.reference, actor=actor, password=password,
                                   agree=args.agree, comment=args.comment)
        message = (f"{case.reference} decided: {case.current_decision.outcome.value} "
                   "(countersigned, final)." if args.agree
                   else f"{case.reference} returned to {case.current_decision.drafted_by}.")
        return _finish(service, case, args, out, message)


def cmd_case_note(args, out: TextIO) -> int:
    with _open(args) as store:
        actor, _ = signed_in(store, args)
        service = CaseService(store)
        case = service.add_note(args.reference, text=args.text, actor=actor)
        return _finish(service, case, args, out, f"Note added to {case.reference}.")


def cmd_case_withdraw(args, out: TextIO) -> int:
    with _open(args) as store:
        actor, _ = signed_in(store, args)
        service = CaseService(store)
        case = service.withdraw(args.reference, actor=actor, reason=args.reason)
        return _finish(service, case, args, out, f"{case.reference} withdrawn.")


def cmd_case_amend(args, out: TextIO) -> int:
    with _open(args) as store:
        actor, _ = signed_in(store, args)
        service = CaseService(store)
        case = service.amend(args.reference, actor=actor, reason=args.reason)
        return _finish(service, case, args, out,
                       f"Opened {case.reference}, amending {case.amends}.")


def cmd_case_import(args, out: TextIO) -> int:
    from mtcr_desk.services import case_format

    with _open(args) as store:
        actor, _ = signed_in(store, args)
        document = case_format.read_case_file(args.file, store=store)
        service = CaseService(store)
        case = case_format.import_case(store, document, actor=actor)
        return _finish(service, case, args, out,
                       f"Imported {args.file.name} as {case.reference} ({case.status.value}).")


def cmd_case_export(args, out: TextIO) -> int:
    from mtcr_desk.services import case_format

    with _open(args) as store:
        path = case_format.write_case_file(store, args.reference.strip().upper(), args.output)
    print(f"Wrote {args.reference.strip().upper()} to {path}", file=out)
    return EXIT_OK


def cmd_case_precedents(args, out: TextIO) -> int:
    from mtcr_desk.services import precedents

    with _open(args) as store:
        found = precedents.find_precedents(store, args.reference.strip().upper(),
                                           line=args.line, limit=args.limit)
    if args.json:
        _print_json(out, [{
            "case": p.case_reference, "line": p.line, "description": p.description,
            "manufacturer": p.manufacturer, "part_number": p.part_number,
            "status": p.status.value, "entries": list(p.entry_codes), "category": p.category,
            "rationale": p.rationale, "edition": p.edition_id, "score": round(p.score, 3),
            "part_number_match": p.part_number_match, "applicable": p.applicable,
            "reason": p.reason} for p in found])
        return EXIT_OK
    if not found:
        print("No earlier assessment of a similar item.", file=out)
    for p in found:
        marker = "applicable" if p.applicable else f"not applicable: {p.reason}"
        print(f"{p.case_reference}:{p.line}  score {p.score:.2f}  {p.status.value} "
              f"{', '.join(p.entry_codes)}  ({marker})", file=out)
        print(f"    {p.description}"
              + (f" / {p.manufacturer}" if p.manufacturer else "")
              + (f" / {p.part_number}" if p.part_number else ""), file=out)
        if p.rationale:
            print(f"    rationale: {p.rationale}", file=out)
    return EXIT_OK


def cmd_case_apply_precedent(args, out: TextIO) -> int:
    from mtcr_desk.services import precedents

    reference, _, line = args.source.partition(":")
    if not line.isdigit():
        raise InvalidInputError(f"--from {args.source!r}: expected REFERENCE:LINE, e.g. "
                                "MTCR-2026-0003:2")
    with _open(args) as store:
        actor, _ = signed_in(store, args)
        case = precedents.apply_precedent(
            store, args.reference.strip().upper(), line=args.line,
            precedent_reference=reference.strip().upper(), precedent_line=int(line),
            actor=actor)
        return _finish(CaseService(store), case, args, out,
                       f"{case.reference} line {args.line}: assessment of {reference}:{line} "
                       "applied.")


def cmd_case_repin(args, out: TextIO) -> int:
    from mtcr_desk.services import rereview

    with _open(args) as store:
        actor, _ = signed_in(store, args)
        case = rereview.repin_case(store, args.reference.strip().upper(),
                                   new_edition=args.edition, actor=actor)
        return _finish(CaseService(store), case, args, out,
                       f"{case.reference} now pins {case.edition_id}; see its notes for the "
                       "assessments re-opened.")


def affected_cases_json(store: Store, old: str, new: str) -> list[dict]:
    """The cases to look at again when ``new`` replaces ``old`` (for ``list diff``)."""
    from mtcr_desk.services import rereview

    return [{"reference": a.reference, "status": a.status.value, "training": a.training,
             "lines": [{"line": line.line, "code": line.code, "change": line.change}
                       for line in a.lines]}
            for a in rereview.affected_cases(store, old, new)]


def print_affected_cases(affected: list[dict], old: str, out: TextIO) -> None:
    """Print the re-review list (from :func:`affected_cases_json`) under ``list diff``."""
    print(f"\nCases pinning {old} that use changed or removed entries: {len(affected)}",
          file=out)
    for case in affected:
        lines = "; ".join(f"line {line['line']} {line['code']} {line['change']}"
                          for line in case["lines"])
        print(f"  {case['reference']}  [{case['status']}]  {lines}", file=out)


def cmd_reference_show(args, out: TextIO) -> int:
    with _open(args) as store:
        country = reference_data.country(store, args.country)
        flags = reference_data.destination_flags(store, args.country).raised
    if args.json:
        _print_json(out, {**country, "flags": list(flags)})
        return EXIT_OK
    print(f"{country['name']} ({country['code']}): "
          f"{country['mtcr_status'] or 'not an MTCR partner or adherent'}", file=out)
    if country["un_measures"]:
        print(f"  UN Security Council measures: resolutions "
              f"{', '.join(country['un_measures'])}", file=out)
    for flag in flags:
        print(f"  FLAG: {flag}", file=out)
    return EXIT_OK


def cmd_reference_set(args, out: TextIO) -> int:
    measures = None
    if args.un_measures is not None:
        measures = [m.strip() for m in args.un_measures.split(",") if m.strip()]
    with _open(args) as store:
        actor, _ = signed_in(store, args)
        country = reference_data.set_country_status(store, code=args.country, actor=actor,
                                                    mtcr_status=args.mtcr_status,
                                                    un_measures=measures)
    print(f"{country['name']}: {country['mtcr_status'] or 'not a partner'}; UN measures "
          f"{', '.join(country['un_measures']) or 'none'}.", file=out)
    return EXIT_OK


def cmd_verify(args, out: TextIO) -> int:
    if args.memo is not None:
        from mtcr_desk.cli_memos import verify_memo

        with _open(args) as store:
            return verify_memo(store, args.memo, out, as_json=args.json)
    with _open(args) as store:
        result = audit.verify(store.connection)
    if args.json:
        _print_json(out, {"ok": result.ok, "rows": result.rows, "head": result.head_hash,
                          "problem": None if result.ok else {"seq": result.problem.seq,
                                                             "message": result.problem.message}})
    elif result.ok:
        print(f"Audit chain intact: {result.rows} rows, every record matches its audit; "
              f"head {result.head_hash}", file=out)
    else:
        print(f"AUDIT CHAIN BROKEN: {result.problem.message}", file=out)
        print(f"Verified up to head {result.head_hash} ({result.rows} rows read)", file=out)
    return EXIT_OK if result.ok else EXIT_RULE_REFUSED
