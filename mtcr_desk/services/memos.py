"""Decision memos: what goes into one, the memo of record, export and verification.

A memo is rendered by :mod:`mtcr_desk.reports.memo` from domain objects this
module gathers (case, categories, destination flags, edition, names, office
settings). When a decision is countersigned, its memo is rendered once, its
SHA-256 goes on the decision (and so into the audit chain) and the PDF is kept:
the memo of record. Every later export of that decision hands out exactly those
bytes, and ``verify_memo`` recognises them by their hash.

Drafts and cases without a decision are rendered fresh every time (marked DRAFT).
A decided case that has since been amended is rendered fresh as well, marked
AMENDED BY with the new reference; its memo of record stays what it was.

A database written before memos were kept has final decisions without one: each
gets its memo of record the first time it is shown, printed or exported where the
database may be written (never all at once when the database opens: thousands of
them would take minutes). Until then it is rendered from the record, and says so.
"""

from __future__ import annotations

import hashlib
import logging
from collections.abc import Callable, Iterable
from dataclasses import dataclass
from pathlib import Path

from mtcr_desk.domain.cases import Case
from mtcr_desk.domain.errors import InvalidInputError, NotFoundError, StorageError
from mtcr_desk.services import reference_data
from mtcr_desk.services.files import write_file_atomically
from mtcr_desk.services.settings import load_settings
from mtcr_desk.storage import control_lists, memos
from mtcr_desk.storage import users as user_store
from mtcr_desk.storage.database import Store

#: Memo files are named after the case: MTCR-2026-0001-memo.pdf.
MEMO_FILE_SUFFIX = "-memo.pdf"
#: Actor and action recorded when a final decision of an older database gets its memo
#: of record on first use (see the module docstring).
BACKFILL_ACTOR = "mtcr-desk"
BACKFILL_ACTION = "keep memo of record (upgrade)"

logger = logging.getLogger(__name__)


def sha256_hex(data: bytes) -> str:
    return hashlib.sha256(data).hexdigest()


def memo_input(store: Store, case: Case):
    """Gather everything the memo of ``case`` prints (the case as given, not as stored)."""
    # Imported here: reportlab costs start-up time, and most sessions print no memo.
    from mtcr_desk.reports.memo import MemoInput, MemoSettings
    from mtcr_desk.services.cases import CaseService

    cases = CaseService(store)
    office = load_settings(store)
    edition = control_lists.get_edition(store.connection, case.edition_id)
    if edition is None:
        raise NotFoundError(f"{case.reference}: its edition {case.edition_id} is not loaded")
    entry_titles: dict[str, str] = {}
    for item in case.items:
        for code in item.assessment.entry_codes:
            entry = control_lists.get_entry(store.connection, case.edition_id, code)
            if entry is not None and entry.title:
                entry_titles[code] = entry.title
    usernames = {case.officer, case.created_by}
    for decision in case.decisions:
        usernames.update((decision.drafted_by, decision.countersigned_by))
    for finding in case.factors:
        usernames.add(finding.recorded_by)
    for item in case.items:
        usernames.add(item.assessment.assessed_by)
    people: dict[str, str] = {}
    for username in sorted(name for name in usernames if name):
        user = user_store.get_user(store.connection, username)
        people[username] = user.display_name if user else username
    amended_by = cases.amended_by(case.reference) if case.current_decision else []
    country_names: dict[str, str] = {}
    for party in case.parties:
        if party.country and party.country not in country_names:
            country_names[party.country] = reference_data.country(store, party.country)["name"]
    return MemoInput(
        case=case,
        settings=MemoSettings(organisation=office.organisation,
                              security_marking=office.security_marking,
                              page_size=office.page_size),
        edition=edition,
        destination=reference_data.destination_flags(store, case.destination),
        case_category=cases.category(case),
        item_categories={item.line: cases.item_category(case, item) for item in case.items},
        entry_titles=entry_titles,
        people=people,
        amended_by=amended_by[-1] if amended_by else None,
        country_names=country_names,
    )


def render_case_memo(store: Store, case: Case) -> bytes:
    """Render the memo of ``case`` as it stands (never the stored memo of record)."""
    from mtcr_desk.reports.memo import render_memo

    return render_memo(memo_input(store, case))


@dataclass(frozen=True)
class MemoDocument:
    """The memo of a case as it would be printed or exported now."""

    reference: str
    pdf: bytes
    #: True for the memo kept when the decision became final (byte for byte).
    of_record: bool
    #: True while the decision is not final (the memo is marked DRAFT).
    draft: bool
    #: True when the case has been amended since its final decision (marked AMENDED BY).
    amended: bool = False

    @property
    def awaiting_record(self) -> bool:
        """A final decision of an older database whose memo of record is not kept yet."""
        return not (self.of_record or self.draft or self.amended)

    @property
    def sha256(self) -> str:
        return sha256_hex(self.pdf)


def memo_document(store: Store, reference: str) -> MemoDocument:
    """The memo to show, print or export for a case.

    A final decision that has not been amended gives its memo of record, byte for
    byte; anything else is rendered from the record as it stands now. A final
    decision of an older database that has no memo of record yet gets one now
    (rendered, kept and audited), unless the database is open read-only or cannot
    be written just now: it is then rendered, and kept another time.
    """
    from mtcr_desk.services.cases import CaseService

    cases = CaseService(store)
    case = cases.get(reference)
    decision = case.current_decision
    final = decision is not None and decision.is_final
    amended = final and bool(cases.amended_by(case.reference))
    if final and decision.id is not None and not amended:
        kept = memos.memo_pdf(store.connection, decision.id)
        if kept is not None:
            return MemoDocument(case.reference, kept, of_record=True, draft=False)
        return _keep_memo_of_older_decision(store, case, decision.id)
    return MemoDocument(case.reference, render_case_memo(store, case), of_record=False,
                        draft=not final, amended=amended)


def _keep_memo_of_older_decision(store: Store, case: Case, decision_id: int) -> MemoDocument:
    pdf = render_case_memo(store, case)
    if store.read_only:
        return MemoDocument(case.reference, pdf, of_record=False, draft=False)
    try:
        with store.write() as connection:
            # Another connection (a memo export in the background) may have kept one.
            kept = memos.memo_pdf(connection, decision_id)
            if kept is None:
                memos.insert_memo(connection, decision_id, sha256=sha256_hex(pdf), pdf=pdf,
                                  actor=BACKFILL_ACTOR, action=BACKFILL_ACTION)
                kept = pdf
    except StorageError as error:
        # Busy, full or read-only disk: showing the memo matters more; keep it next time.
        logger.warning("memo of record not kept: %s", type(error).__name__)
        return MemoDocument(case.reference, pdf, of_record=False, draft=False)
    return MemoDocument(case.reference, kept, of_record=True, draft=False)


def export_memo(store: Store, reference: str, destination: Path) -> Path:
    """Write the memo of a case to ``destination`` (atomically: no half file, ever)."""
    write_file_atomically(Path(destination), memo_document(store, reference).pdf,
                          protected=(store.path,))
    return Path(destination)


@dataclass(frozen=True)
class MemoMatch:
    """Which final decision a PDF is the memo of record of."""

    reference: str
    decision_id: int
    countersigned_at: str
    sha256: str
    #: References of the cases that amend this one since (the memo is then superseded).
    amended_by: tuple[str, ...] = ()


def verify_memo(store: Store, pdf: bytes) -> MemoMatch | None:
    """Return the final decision whose memo of record ``pdf`` is, or None."""
    from mtcr_desk.services.cases import CaseService

    digest = sha256_hex(pdf)
    found = memos.find_memo(store.connection, digest)
    if found is None:
        return None
    reference, decision_id, countersigned_at = found
    return MemoMatch(reference=reference, decision_id=decision_id,
                     countersigned_at=countersigned_at, sha256=digest,
                     amended_by=tuple(CaseService(store).amended_by(reference)))


def verify_memo_file(store: Store, path: Path) -> MemoMatch | None:
    """Read a PDF file and say whose memo of record it is (None when it is none)."""
    try:
        data = Path(path).read_bytes()
    except FileNotFoundError:
        raise NotFoundError(f"{path}: no such file") from None
    except IsADirectoryError:
        raise InvalidInputError(f"{path}: is a folder, not a PDF file") from None
    return verify_memo(store, data)


def final_references(store: Store, *, training: bool = False) -> list[str]:
    """References of the cases with a final decision, in reference order."""
    # dict.fromkeys keeps the first of each in order (a list lookup was quadratic: 18 s
    # for 80,000 decisions).
    return list(dict.fromkeys(
        reference
        for reference, _decision_id in memos.final_decisions(store.connection,
                                                             training=training)))


def memo_file_name(reference: str) -> str:
    return f"{reference}{MEMO_FILE_SUFFIX}"


def export_memos(store: Store, references: Iterable[str], folder: Path, *,
                 progress: Callable[[int, int, str], None] | None = None,
                 cancelled: Callable[[], bool] | None = None) -> list[Path]:
    """Write the memo of each case into ``folder``; return the files written.

    Each file is written atomically, so a cancelled or failed batch leaves only
    complete memos behind. ``progress(done, total, reference)`` is called after
    each one; when ``cancelled()`` turns true the batch stops before the next.
    """
    folder = Path(folder)
    if not folder.is_dir():
        raise NotFoundError(f"{folder}: no such folder")
    wanted = list(dict.fromkeys(references))
    written: list[Path] = []
    for done, reference in enumerate(wanted, start=1):
        if cancelled is not None and cancelled():
            break
        written.append(export_memo(store, reference, folder / memo_file_name(reference)))
        if progress is not None:
            progress(done, len(wanted), reference)
    return written


