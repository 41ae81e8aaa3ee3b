"""A whole review from the command line, with exit codes and messages."""

from __future__ import annotations

import io
import json

import pytest

from mtcr_desk.cli import main
from tests.conftest import PASSWORDS


def run(*args: str) -> tuple[int, str]:
    out = io.StringIO()
    code = main(list(args), out=out)
    return code, out.getvalue()


@pytest.fixture
def db(ready_database_path, monkeypatch):
    path = str(ready_database_path)
    monkeypatch.setenv("MTCR_DESK_NEW_PASSWORD", PASSWORDS["admin"])
    assert run("--db", path, "user", "add", "admin", "--role", "administrator")[0] == 0
    monkeypatch.setenv("MTCR_DESK_PASSWORD", PASSWORDS["admin"])
    for username, role in (("olga", "officer"), ("sam", "senior-officer")):
        monkeypatch.setenv("MTCR_DESK_NEW_PASSWORD", PASSWORDS[username])
        assert run("--db", path, "user", "add", username, "--role", role, "--as", "admin")[0] == 0
    return path


def as_user(monkeypatch, username):
    monkeypatch.setenv("MTCR_DESK_PASSWORD", PASSWORDS[username])


def test_a_whole_review_from_the_command_line(db, monkeypatch, capsys):
    as_user(monkeypatch, "olga")
    code, out = run("--db", db, "case", "new", "--applicant", "Fictional Rocketry Ltd",
                    "--destination", "KP", "--item", "Rocket motor case;2;pieces;FR;FR-100;25000",
                    "--item", "Bench power supply;1", "--as", "olga")
    assert (code, out.strip()) == (0, "Opened MTCR-2026-0001 (2 items, edition "
                                      "mtcr-2024-structure).")
    assert run("--db", db, "case", "assess", "MTCR-2026-0001", "--line", "1", "--entries",
               "3a3", "--rationale", "Motor case", "--as", "olga")[1].strip() == \
        "MTCR-2026-0001 line 1: controlled 3.A.3 (Category II)."
    assert run("--db", db, "case", "assess", "MTCR-2026-0001", "--line", "2",
               "--not-controlled", "--rationale", "General purpose", "--as", "olga")[0] == 0
    for factor in "abcde":
        assert run("--db", db, "case", "factor", "MTCR-2026-0001", "--factor", factor,
                   "--finding", "no-concern", "--as", "olga")[0] == 0
    assert run("--db", db, "case", "factor", "MTCR-2026-0001", "--factor", "f",
               "--finding", "serious-concern", "--note", "Sanctioned destination",
               "--as", "olga")[0] == 0

    # An approval to a UN-measures destination without the flags acknowledged: refused, exit 3.
    code, _ = run("--db", db, "case", "decide", "MTCR-2026-0001", "--outcome", "approve",
                  "--rationale", "x", "--as", "olga")
    err = capsys.readouterr().err
    assert code == 3
    assert err.startswith("mtcr-desk: refused: draft the decision on MTCR-2026-0001: 2 rules")
    assert "  - destination flags acknowledged: " in err
    assert "  - end-user statement: " in err

    code, out = run("--db", db, "case", "decide", "MTCR-2026-0001", "--outcome", "deny",
                    "--rationale", "UN measures apply", "--acknowledge-flags", "--as", "olga")
    assert code == 0 and "awaits countersignature" in out

    code, _ = run("--db", db, "case", "countersign", "MTCR-2026-0001", "--agree", "--as", "olga")
    assert code == 3 and "four eyes" in capsys.readouterr().err

    as_user(monkeypatch, "sam")
    code, out = run("--db", db, "case", "countersign", "MTCR-2026-0001", "--agree",
                    "--as", "sam")
    assert (code, out.strip()) == (0, "MTCR-2026-0001 decided: deny (countersigned, final).")

    shown = json.loads(run("--db", db, "case", "show", "MTCR-2026-0001", "--json")[1])
    assert shown["status"] == "decided"
    assert shown["decisions"][0]["countersigned_by"] == "sam"
    assert shown["flags_acknowledged_by"] == "olga"
    assert [i["assessment"]["entries"] for i in shown["items"]] == [["3.A.3"], []]

    code, out = run("--db", db, "verify")
    assert code == 0 and out.startswith("Audit chain intact: ")


def test_wrong_password_and_missing_signer(db, monkeypatch, capsys):
    monkeypatch.setenv("MTCR_DESK_PASSWORD", "not-the-password")
    code, _ = run("--db", db, "case", "new", "--applicant", "A", "--destination", "FR",
                  "--as", "olga")
    assert code == 3 and "wrong password (4 attempts left)" in capsys.readouterr().err
    code, _ = run("--db", db, "case", "new", "--applicant", "A", "--destination", "FR",
                  "--as", "nobody")
    assert code == 1 and "No user 'nobody'" in capsys.readouterr().err
    monkeypatch.delenv("MTCR_DESK_PASSWORD")
    code, _ = run("--db", db, "case", "new", "--applicant", "A", "--destination", "FR",
                  "--as", "olga")
    assert code == 2 and "set MTCR_DESK_PASSWORD" in capsys.readouterr().err


def test_unknown_case_and_bad_items(db, monkeypatch, capsys):
    assert run("--db", db, "case", "show", "MTCR-2026-0099")[0] == 1
    assert "No case MTCR-2026-0099" in capsys.readouterr().err
    as_user(monkeypatch, "olga")
    code, _ = run("--db", db, "case", "new", "--applicant", "A", "--destination", "FR",
                  "--item", "Gyro;lots", "--as", "olga")
    assert code == 2 and "quantity 'lots' is not a number" in capsys.readouterr().err


def test_verify_names_the_first_bad_row(db, ready_database_path, capsys):
    import sqlite3

    connection = sqlite3.connect(ready_database_path)
    connection.execute("DROP TRIGGER audit_log_no_update")
    connection.execute("UPDATE audit_log SET actor = 'mallory' WHERE seq = 251")
    connection.commit()
    connection.close()
    code, out = run("--db", db, "verify")
    assert code == 3
    assert "AUDIT CHAIN BROKEN: audit row 251 " in out


def _reviewed_case(db, monkeypatch, *, part="FR-100"):
    as_user(monkeypatch, "olga")
    code, out = run("--db", db, "case", "new", "--applicant", "Fictional Rocketry Ltd",
                    "--destination", "FR", "--item",
                    f"Rocket motor case;2;pieces;Fictional Rocketry;{part};25000",
                    "--as", "olga")
    assert code == 0, out
    reference = out.split()[1]
    assert run("--db", db, "case", "assess", reference, "--line", "1", "--entries", "3.A.3",
               "--rationale", "Motor case", "--as", "olga")[0] == 0
    return reference


def test_export_import_precedents_and_apply(db, monkeypatch, tmp_path):
    first = _reviewed_case(db, monkeypatch)
    path = tmp_path / "case.json"
    code, out = run("--db", db, "case", "export", first, "-o", str(path))
    assert code == 0 and path.exists()
    code, out = run("--db", db, "case", "import", str(path), "--as", "olga")
    assert code == 0 and "as MTCR-2026-0002" in out

    code, out = run("--db", db, "case", "new", "--applicant", "Other Ltd", "--destination",
                    "DE", "--item", "Rocket motor case;1;pieces;Fictional Rocketry;FR-100",
                    "--as", "olga")
    target = out.split()[1]
    found = json.loads(run("--db", db, "case", "precedents", target, "--line", "1",
                           "--json")[1])
    # The original and its imported copy: same part number, same assessment.
    assert {p["case"] for p in found[:2]} == {first, "MTCR-2026-0002"}
    assert found[0]["part_number_match"] and found[0]["applicable"]
    code, out = run("--db", db, "case", "apply-precedent", target, "--line", "1", "--from",
                    f"{first}:1", "--as", "olga")
    assert code == 0
    shown = json.loads(run("--db", db, "case", "show", target, "--json")[1])
    assert shown["items"][0]["assessment"]["entries"] == ["3.A.3"]
    assert shown["items"][0]["assessment"]["precedent"] == f"{first} line 1"
    assert run("--db", db, "verify")[0] == 0


def test_diff_lists_the_cases_to_review_again(db, monkeypatch, tmp_path):
    reference = _reviewed_case(db, monkeypatch)
    exported = tmp_path / "structure.json"
    assert run("--db", db, "list", "export", "mtcr-2024-structure", "-o", str(exported))[0] == 0
    document = json.loads(exported.read_text(encoding="utf-8"))
    document["edition"]["id"] = "mtcr-2024-structure-b"
    for entry in document["entries"]:
        if entry["code"] == "3.A.3":
            entry["text"] = "Rocket motor cases, reworded in the new edition."
    exported.write_text(json.dumps(document), encoding="utf-8")
    assert run("--db", db, "list", "import", str(exported))[0] == 0

    code, out = run("--db", db, "list", "diff", "mtcr-2024-structure",
                    "mtcr-2024-structure-b", "--json")
    assert code == 0
    affected = json.loads(out)["affected_cases"]
    assert affected == [{"reference": reference, "status": "in review", "training": False,
                         "lines": [{"line": 1, "code": "3.A.3", "change": "changed"}]}]
    code, out = run("--db", db, "list", "diff", "mtcr-2024-structure", "mtcr-2024-structure-b")
    assert f"  {reference}  [in review]  line 1 3.A.3 changed" in out

    code, out = run("--db", db, "case", "repin", reference, "--edition",
                    "mtcr-2024-structure-b", "--json", "--as", "olga")
    assert code == 0
    shown = json.loads(out)
    assert shown["edition"] == "mtcr-2024-structure-b"
    assert shown["items"][0]["assessment"]["status"] == "unassessed"
    assert run("--db", db, "verify")[0] == 0
