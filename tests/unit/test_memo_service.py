"""The memo of record: kept at countersigning, exported byte for byte, recognised later."""

from __future__ import annotations

import hashlib
import io
import os
from pathlib import Path

import pytest
from pypdf import PdfReader

from mtcr_desk.cli import main
from mtcr_desk.domain.errors import NotFoundError, StorageError
from mtcr_desk.services import memos, users
from mtcr_desk.services.audit_check import verify
from mtcr_desk.services.cases import CaseService

#: Demo case awaiting the countersignature of a senior officer (Category I).
AWAITING = "MTCR-2026-0008"
#: Demo cases decided in the demo data.
DECIDED = "MTCR-2026-0001"
OTHER_DECIDED = "MTCR-2026-0002"
SENIOR, SENIOR_PASSWORD = "sam.senior", "demo-senior"


def pdf_text(pdf: bytes) -> str:
    return "\n".join(page.extract_text() for page in PdfReader(io.BytesIO(pdf)).pages)


def countersign(store, reference: str):
    senior = users.get_user(store, SENIOR)
    return CaseService(store).countersign(reference, actor=senior, password=SENIOR_PASSWORD,
                                          agree=True)


def test_countersigning_keeps_the_memo_of_record_and_audits_its_hash(demo_store):
    before = memos.memo_document(demo_store, AWAITING)
    assert before.draft and not before.of_record
    assert "DRAFT" in pdf_text(before.pdf)

    case = countersign(demo_store, AWAITING)
    decision = case.current_decision
    document = memos.memo_document(demo_store, AWAITING)
    assert document.of_record and not document.draft
    assert decision.memo_sha256 == hashlib.sha256(document.pdf).hexdigest()
    assert "DRAFT" not in pdf_text(document.pdf)
    assert decision.audit_head and decision.audit_head in pdf_text(document.pdf).replace("\n", "")
    # The hash is in the audit chain with the countersignature, and the chain holds.
    after = demo_store.connection.execute(
        "SELECT after FROM audit_log WHERE entity = 'decisions' ORDER BY seq DESC LIMIT 1"
    ).fetchone()[0]
    assert decision.memo_sha256 in after
    assert verify(demo_store).ok


def test_the_memo_of_record_is_what_the_record_renders_to(demo_store):
    """Rendering is deterministic: the final record gives the very bytes that were kept."""
    countersign(demo_store, AWAITING)
    kept = memos.memo_document(demo_store, AWAITING).pdf
    case = CaseService(demo_store).get(AWAITING)
    assert memos.render_case_memo(demo_store, case) == kept


def test_returning_a_decision_keeps_no_memo(demo_store):
    senior = users.get_user(demo_store, SENIOR)
    case = CaseService(demo_store).countersign(AWAITING, actor=senior,
                                               password=SENIOR_PASSWORD, agree=False,
                                               comment="cite the end-user statement")
    assert case.current_decision.memo_sha256 is None
    assert memos.memo_document(demo_store, AWAITING).draft


def test_a_memo_is_recognised_and_named_and_a_changed_byte_is_not(demo_store):
    memo = memos.memo_document(demo_store, DECIDED).pdf
    other = memos.memo_document(demo_store, OTHER_DECIDED).pdf
    assert memos.verify_memo(demo_store, memo).reference == DECIDED
    assert memos.verify_memo(demo_store, other).reference == OTHER_DECIDED
    middle = len(memo) // 2
    altered = memo[:middle] + bytes([memo[middle] ^ 0x01]) + memo[middle + 1:]
    assert memos.verify_memo(demo_store, altered) is None
    draft = memos.memo_document(demo_store, AWAITING).pdf
    assert memos.verify_memo(demo_store, draft) is None


def test_an_amended_decision_prints_superseded_and_its_memo_of_record_still_verifies(
        demo_store):
    kept = memos.memo_document(demo_store, DECIDED).pdf
    officer = users.get_user(demo_store, "olga.officer")
    amendment = CaseService(demo_store).amend(DECIDED, actor=officer,
                                              reason="applicant changed the quantity")
    now = memos.memo_document(demo_store, DECIDED)
    assert not now.of_record and now.amended and not now.awaiting_record
    assert "AMENDED BY" in pdf_text(now.pdf) and amendment.reference in pdf_text(now.pdf)
    match = memos.verify_memo(demo_store, kept)
    assert match.reference == DECIDED
    assert match.amended_by == (amendment.reference,)


def test_export_writes_the_memo_and_never_over_the_database(demo_store, tmp_path):
    target = memos.export_memo(demo_store, DECIDED, tmp_path / "memo.pdf")
    assert target.read_bytes() == memos.memo_document(demo_store, DECIDED).pdf
    with pytest.raises(Exception, match="open database"):
        memos.export_memo(demo_store, DECIDED, demo_store.path)
    with pytest.raises(NotFoundError):
        memos.export_memo(demo_store, "MTCR-2026-9999", tmp_path / "none.pdf")
    assert not (tmp_path / "none.pdf").exists()


def test_a_failed_write_leaves_no_half_file(demo_store, tmp_path, monkeypatch):
    real_fsync = os.fsync

    def disk_full(descriptor):
        raise OSError(28, "No space left on device")

    folder = tmp_path / "out"
    folder.mkdir()
    monkeypatch.setattr(os, "fsync", disk_full)
    with pytest.raises(StorageError, match="No space left"):
        memos.export_memo(demo_store, DECIDED, folder / "memo.pdf")
    monkeypatch.setattr(os, "fsync", real_fsync)
    assert list(folder.iterdir()) == []


def test_batch_export_writes_one_memo_per_case_and_stops_when_cancelled(demo_store, tmp_path):
    tmp_path = tmp_path / "out"
    tmp_path.mkdir()
    finals = memos.final_references(demo_store)
    assert DECIDED in finals and AWAITING not in finals
    seen = []
    written = memos.export_memos(demo_store, finals, tmp_path,
                                 progress=lambda done, total, ref: seen.append((done, total)))
    assert [path.name for path in written] == [f"{ref}-memo.pdf" for ref in finals]
    assert seen[-1] == (len(finals), len(finals))
    for path in written:
        assert memos.verify_memo_file(demo_store, path) is not None

    cancelled_folder = tmp_path / "cancelled"
    cancelled_folder.mkdir()
    calls = iter([False, True])
    partial = memos.export_memos(demo_store, finals, cancelled_folder,
                                 cancelled=lambda: next(calls, True))
    assert len(partial) == 1 and sorted(cancelled_folder.iterdir()) == partial


# --- command line --------------------------------------------------------------------------


def run(*args: str) -> tuple[int, str]:
    out = io.StringIO()
    return main(list(args), out=out), out.getvalue()


def test_memo_and_verify_memo_from_the_command_line(demo_store, tmp_path, capsys):
    db = str(demo_store.path)
    demo_store.close()
    memo = tmp_path / "memo.pdf"
    code, out = run("--db", db, "memo", DECIDED, "-o", str(memo))
    assert code == 0 and memo.is_file()
    code, out = run("--db", db, "verify", "--memo", str(memo))
    assert code == 0 and DECIDED in out and "Genuine" in out

    data = bytearray(memo.read_bytes())
    data[len(data) // 3] ^= 0x20
    forged = tmp_path / "forged.pdf"
    forged.write_bytes(bytes(data))
    code, out = run("--db", db, "verify", "--memo", str(forged))
    assert code == 3 and "NOT A MEMO OF RECORD" in out

    folder = tmp_path / "all"
    folder.mkdir()
    code, out = run("--db", db, "--json", "memo", "--all-final", "-o", str(folder))
    assert code == 0
    assert sorted(p.name for p in folder.iterdir()) == sorted(
        f"{ref}-memo.pdf" for ref in ("MTCR-2026-0001", "MTCR-2026-0002", "MTCR-2026-0003",
                                      "MTCR-2026-0004", "MTCR-2026-0005"))

    assert run("--db", db, "memo", "-o", str(tmp_path / "x.pdf"))[0] == 2
    assert "either a case reference or --all-final" in capsys.readouterr().err
    assert run("--db", db, "verify", "--memo", str(tmp_path / "missing.pdf"))[0] == 1
    assert not Path(tmp_path / "x.pdf").exists()


def test_an_older_database_gets_memos_of_record_on_first_use(older_demo_path, monkeypatch):
    """Final decisions made before memos were kept get theirs when first shown or exported.

    Never on opening: an office with thousands of such decisions would wait minutes.
    """
    from mtcr_desk.services.database import open_database
    from mtcr_desk.storage import memos as memo_store

    def no_rendering(*args, **kwargs):
        raise AssertionError("a memo was rendered while the database opened")

    monkeypatch.setattr(memos, "render_case_memo", no_rendering)
    reopened = open_database(older_demo_path)
    monkeypatch.undo()
    try:
        decision_id = CaseService(reopened).get(AWAITING).current_decision.id
        assert memo_store.memo_pdf(reopened.connection, decision_id) is None
        first = memos.memo_document(reopened, AWAITING)
        assert first.of_record and not first.draft and not first.awaiting_record
        assert memo_store.memo_pdf(reopened.connection, decision_id) == first.pdf
        again = memos.memo_document(reopened, AWAITING)
        assert again.pdf == first.pdf and again.of_record
        assert memos.verify_memo(reopened, first.pdf).reference == AWAITING
        # Kept once, audited as such (the second showing wrote nothing).
        assert reopened.connection.execute(
            "SELECT actor FROM audit_log WHERE entity = 'memo_documents' AND action = ?",
            [memos.BACKFILL_ACTION]).fetchall() == [(memos.BACKFILL_ACTOR,)]
        assert verify(reopened).ok
    finally:
        reopened.close()


def test_a_read_only_window_shows_an_older_memo_without_keeping_it(older_demo_path):
    from mtcr_desk.services.database import open_database
    from mtcr_desk.storage import memos as memo_store

    read_only = open_database(older_demo_path, read_only=True)
    try:
        document = memos.memo_document(read_only, AWAITING)
        assert document.pdf.startswith(b"%PDF") and document.awaiting_record
        decision_id = CaseService(read_only).get(AWAITING).current_decision.id
        assert memo_store.memo_pdf(read_only.connection, decision_id) is None
    finally:
        read_only.close()


def test_a_memo_that_cannot_be_kept_just_now_is_still_shown(older_demo_path, monkeypatch):
    from mtcr_desk.services.database import open_database
    from mtcr_desk.storage import memos as memo_store

    store = open_database(older_demo_path)
    try:
        def busy(*args, **kwargs):
            raise StorageError("The database is busy (another program is writing)")

        with monkeypatch.context() as locked:
            locked.setattr(memo_store, "insert_memo", busy)
            shown = memos.memo_document(store, AWAITING)
        assert shown.pdf.startswith(b"%PDF") and shown.awaiting_record
        kept = memos.memo_document(store, AWAITING)  # the next showing keeps it
        assert kept.of_record and kept.pdf == shown.pdf
    finally:
        store.close()


def test_an_older_decision_amended_since_gets_no_memo_of_record(older_demo_path):
    from mtcr_desk.services.database import open_database
    from mtcr_desk.storage import memos as memo_store

    store = open_database(older_demo_path)
    try:
        officer = users.get_user(store, "olga.officer")
        CaseService(store).amend(AWAITING, actor=officer, reason="quantity changed")
        document = memos.memo_document(store, AWAITING)
        assert document.amended and not document.of_record and not document.awaiting_record
        decision_id = CaseService(store).get(AWAITING).current_decision.id
        assert memo_store.memo_pdf(store.connection, decision_id) is None  # its record moved on
    finally:
        store.close()

