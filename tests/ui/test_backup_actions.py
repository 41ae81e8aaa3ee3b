"""Tools > Back up now, and the daily backup when a session on the live database ends."""

from __future__ import annotations

from mtcr_desk.services import backup, users
from mtcr_desk.services.settings import update_settings
from mtcr_desk.ui import app
from mtcr_desk.ui.actions import ActionId
from mtcr_desk.ui.context import AppContext
from mtcr_desk.ui.main_window import MainWindow


def test_back_up_now_writes_a_verified_backup_in_the_settings_folder(qtbot, demo_store,
                                                                     tmp_path):
    admin = users.get_user(demo_store, "ada.admin")
    folder = tmp_path / "backups"
    folder.mkdir()
    update_settings(demo_store, actor=admin, backup_folder=str(folder))
    context = AppContext(store=demo_store, database_path=demo_store.path, demo=True,
                         user=users.get_user(demo_store, "olga.officer"))
    window = MainWindow(context)
    qtbot.addWidget(window)
    tools = [a for a in window.menuBar().actions() if "Tools" in a.text()][0].menu()
    assert window.actions_by_id[ActionId.BACKUP_NOW] in tools.actions()
    written = window.back_up_now()
    assert written is not None and written.parent == folder
    assert backup.check_backup(written).audit_rows > 0  # raises when the file is not sound


def test_closing_a_live_session_makes_the_daily_backup_once(demo_store, tmp_path, monkeypatch):
    monkeypatch.setattr(backup, "default_backup_folder", lambda database=None: tmp_path / "auto")
    (tmp_path / "auto").mkdir()
    live = AppContext(store=demo_store, database_path=demo_store.path,
                      user=users.get_user(demo_store, "olga.officer"))
    app.backup_on_close(live)
    app.backup_on_close(live)  # the same day: not due again
    assert [b.kind for b in backup.list_backups(tmp_path / "auto")] == ["auto"]
    demo = AppContext(store=demo_store, database_path=demo_store.path, demo=True,
                      user=live.user)
    app.backup_on_close(demo)  # demo and training databases are not backed up
    assert len(backup.list_backups(tmp_path / "auto")) == 1
