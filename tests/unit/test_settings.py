"""Office settings: defaults, validation, administrators only, audited."""

from __future__ import annotations

import pytest

from mtcr_desk.domain.errors import InvalidInputError, RuleViolation
from mtcr_desk.services.audit_check import verify
from mtcr_desk.services.settings import OfficeSettings, load_settings, update_settings


def test_a_new_database_has_the_defaults(store):
    assert load_settings(store) == OfficeSettings()


def test_an_administrator_changes_settings_and_they_persist(store, people, ready_database_path):
    changed = update_settings(store, actor=people["admin"], organisation="  Ministry of Trade  ",
                              page_size="Letter", backups_kept=30)
    assert changed.organisation == "Ministry of Trade"
    assert changed.page_size == "Letter"
    assert changed.backups_kept == 30
    assert load_settings(store) == changed
    assert verify(store).ok


def test_each_change_is_audited(store, people):
    update_settings(store, actor=people["admin"], security_marking="SECRET")
    update_settings(store, actor=people["admin"], security_marking="SECRET")  # no change
    update_settings(store, actor=people["admin"], security_marking="OFFICIAL")
    rows = store.connection.execute(
        "SELECT actor, action FROM audit_log WHERE entity = 'settings' ORDER BY seq").fetchall()
    assert rows == [("admin", "change setting"), ("admin", "change setting")]


def test_only_an_administrator_changes_settings(store, people):
    with pytest.raises(RuleViolation, match="only an administrator"):
        update_settings(store, actor=people["olga"], organisation="Elsewhere")
    assert load_settings(store) == OfficeSettings()


@pytest.mark.parametrize(("changes", "message"), [
    ({"organisation": "  "}, "organisation: must not be empty"),
    ({"security_marking": "A\nB"}, "security marking: "),
    ({"organisation": "x" * 121}, "at most 120"),
    ({"page_size": "A3"}, "page size: one of A4, Letter"),
    ({"backups_kept": 0}, "backups kept: a number from 1 to 365"),
    ({"colour": "red"}, "no setting called colour"),
    ({"backup_folder": "backups"}, "give a full path"),
])
def test_bad_settings_are_refused_and_nothing_changes(store, people, changes, message):
    with pytest.raises(InvalidInputError, match=message):
        # A valid change alongside the bad one must not be written either.
        update_settings(store, actor=people["admin"], **{"page_size": "Letter", **changes})
    assert load_settings(store) == OfficeSettings()


def test_a_setting_changed_behind_the_applications_back_is_found(store, people):
    update_settings(store, actor=people["admin"], organisation="Ministry of Trade")
    store.connection.execute("UPDATE settings SET value = 'Forged' WHERE key = 'organisation'")
    result = verify(store)
    assert not result.ok
    assert "settings" in result.problem.message


def test_settings_from_the_command_line(demo_store, monkeypatch, capsys):
    import io

    from mtcr_desk.cli import main

    db = str(demo_store.path)
    demo_store.close()

    def run(*args):
        out = io.StringIO()
        return main(["--db", db, *args], out=out), out.getvalue()

    code, out = run("settings", "show")
    assert code == 0 and "OFFICIAL-SENSITIVE" in out
    monkeypatch.setenv("MTCR_DESK_PASSWORD", "demo-admin")
    code, out = run("settings", "set", "page-size", "Letter", "--as", "ada.admin")
    assert code == 0 and "Letter" in out
    assert run("settings", "set", "backups-kept", "many", "--as", "ada.admin")[0] == 2
    assert "a whole number" in capsys.readouterr().err
    monkeypatch.setenv("MTCR_DESK_PASSWORD", "demo-officer")
    assert run("settings", "set", "organisation", "X", "--as", "olga.officer")[0] == 3
    code, out = run("--json", "settings", "show")
    assert code == 0 and '"page_size": "Letter"' in out and '"organisation": "Export' in out
