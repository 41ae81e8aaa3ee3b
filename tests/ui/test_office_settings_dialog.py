"""Tools > Office settings: administrators change them, others only read them."""

from __future__ import annotations

from mtcr_desk.services import users
from mtcr_desk.services.settings import OfficeSettings, load_settings
from mtcr_desk.ui.context import AppContext
from mtcr_desk.ui.dialogs import office_settings
from mtcr_desk.ui.dialogs.office_settings import OfficeSettingsDialog


def dialog_for(qtbot, store, username):
    context = AppContext(store=store, database_path=store.path, demo=True,
                         user=users.get_user(store, username))
    dialog = OfficeSettingsDialog(context)
    qtbot.addWidget(dialog)
    return dialog


def test_an_administrator_saves_only_what_changed(qtbot, demo_store, tmp_path):
    dialog = dialog_for(qtbot, demo_store, "ada.admin")
    assert dialog.editable and dialog.organisation.isEnabled()
    dialog.organisation.setText("Ministry of Trade")
    dialog.page_size.setCurrentText("Letter")
    dialog.backups_kept.setValue(30)
    assert set(dialog.changes()) == {"organisation", "page_size", "backups_kept"}
    assert dialog.save()
    saved = load_settings(demo_store)
    assert (saved.organisation, saved.page_size, saved.backups_kept) == (
        "Ministry of Trade", "Letter", 30)


def test_a_refused_value_keeps_the_dialog_open_and_changes_nothing(qtbot, demo_store,
                                                                   monkeypatch):
    shown = []
    monkeypatch.setattr(office_settings, "show_refusal", lambda parent, error: shown.append(error))
    dialog = dialog_for(qtbot, demo_store, "ada.admin")
    dialog.organisation.setText("   ")
    dialog.page_size.setCurrentText("Letter")
    assert not dialog.save()
    assert "organisation: must not be empty" in str(shown[0])
    assert load_settings(demo_store) == OfficeSettings()


def test_an_officer_sees_the_settings_read_only(qtbot, demo_store):
    dialog = dialog_for(qtbot, demo_store, "olga.officer")
    assert not dialog.editable
    assert not dialog.organisation.isEnabled() and not dialog.backups_kept.isEnabled()
