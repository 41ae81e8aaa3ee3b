"""The main window: pages by role, read-only banner, actions, status bar, sign-in."""

from __future__ import annotations

import pytest

from mtcr_desk.domain.errors import StorageError
from mtcr_desk.services import users
from mtcr_desk.services.instance_lock import InstanceLock
from mtcr_desk.ui.actions import ActionId, action_specs
from mtcr_desk.ui.app import open_session
from mtcr_desk.ui.context import AppContext
from mtcr_desk.ui.dialogs.sign_in import FirstRunDialog, SignInDialog
from mtcr_desk.ui.main_window import MainWindow
from mtcr_desk.ui.views.editions_view import COL_ENTRIES, COL_ID, COL_TEXT
from tests.conftest import PASSWORDS, STRUCTURE_EDITION


def window_for(qtbot, store, user, *, read_only=False):
    context = AppContext(store=store, database_path=store.path, read_only=read_only, user=user)
    window = MainWindow(context)
    qtbot.addWidget(window)
    window.show()
    qtbot.waitExposed(window)
    return window


def nav_titles(window):
    return [window.navigation.item(i).text() for i in range(window.navigation.count())]


def test_an_officer_sees_cases_and_the_control_list(qtbot, store, people, tmp_path):
    window = window_for(qtbot, store, people["olga"])
    assert nav_titles(window) == ["Cases", "Control list"]
    assert "Olga Officer (officer)" in window.user_label.text()
    assert str(store.path) in window.database_label.text()
    assert window.edition_label.text().endswith(STRUCTURE_EDITION)
    assert window.audit_label.text() == "Audit: not verified this session"
    assert not window.actions_by_id[ActionId.GO_USERS].isEnabled()
    window.grab().save(str(tmp_path / "main.png"))


def test_an_administrator_also_sees_users_and_reference_data(qtbot, store, people):
    from mtcr_desk.ui.views.reference_view import ReferenceView
    from mtcr_desk.ui.views.users_view import UsersView

    window = window_for(qtbot, store, people["admin"])
    assert nav_titles(window) == ["Cases", "Control list", "Users", "Reference data"]
    window.actions_by_id[ActionId.GO_USERS].trigger()
    assert isinstance(window.stack.currentWidget(), UsersView)
    window.actions_by_id[ActionId.GO_REFERENCE].trigger()
    assert isinstance(window.stack.currentWidget(), ReferenceView)


def test_the_control_list_page_is_the_browser_and_find_focuses_its_search(
        qtbot, store, people):
    from mtcr_desk.ui.views.control_list_browser import ControlListBrowser

    window = window_for(qtbot, store, people["olga"])
    window.actions_by_id[ActionId.GO_CONTROL_LIST].trigger()
    page = window.pages["control_list"]
    assert isinstance(page, ControlListBrowser)
    assert window.stack.currentWidget() is page
    window.activateWindow()
    window.actions_by_id[ActionId.FIND].trigger()
    qtbot.waitUntil(lambda: window.focusWidget() is page.search_edit)
    page.set_query("production facilities")
    assert {hit.code for hit in page.hits[:2]} == {"2.B.1", "3.B.1"}


def test_the_editions_view_shows_provenance(qtbot, store, people):
    from mtcr_desk.ui.context import AppContext
    from mtcr_desk.ui.views.editions_view import EditionsView

    view = EditionsView(AppContext(store=store, database_path=store.path, user=people["olga"]))
    qtbot.addWidget(view)
    table = view.editions_table
    assert table.item(0, COL_ID).text() == STRUCTURE_EDITION
    assert table.item(0, COL_TEXT).text() == "structure only"
    assert table.item(0, COL_ENTRIES).text() == "387"
    assert table.item(1, COL_TEXT).text() == "full"
    assert "Structure only" in view.provenance_label.text()


def test_verify_updates_the_status_bar(qtbot, store, people, monkeypatch):
    from PySide6.QtWidgets import QMessageBox

    shown = []
    monkeypatch.setattr(QMessageBox, "information", lambda *args: shown.append(args[2]))
    window = window_for(qtbot, store, people["olga"])
    window.actions_by_id[ActionId.VERIFY].trigger()
    assert window.audit_label.text().startswith("Audit: intact (")
    assert shown and shown[0].startswith("The audit chain is intact")


def test_a_read_only_window_shows_the_banner_and_disables_edits(qtbot, store, people):
    window = window_for(qtbot, store, people["olga"], read_only=True)
    assert window.banner.isVisible()
    assert "(read-only)" in window.windowTitle()
    assert not window.actions_by_id[ActionId.NEW_CASE].isEnabled()


def test_a_second_instance_opens_read_only_and_cannot_write(ready_database_path, people):
    first_lock, second_lock = InstanceLock(ready_database_path), InstanceLock(ready_database_path)
    first = open_session(ready_database_path, demo=False, lock=first_lock)
    second = open_session(ready_database_path, demo=False, lock=second_lock)
    try:
        assert not first.read_only and second.read_only
        with pytest.raises(StorageError, match="read-only"):
            users.authenticate(second.store, username="olga", password="wrong-password")
    finally:
        first.store.close()
        second.store.close()
        first_lock.release()
        second_lock.release()


def test_every_action_has_a_unique_shortcut():
    shortcuts = [str(spec.shortcut) for spec in action_specs().values() if spec.shortcut]
    assert len(shortcuts) == len(set(shortcuts))


def test_sign_in_refuses_a_wrong_password_and_accepts_the_right_one(qtbot, store, people):
    dialog = SignInDialog(store)
    qtbot.addWidget(dialog)
    dialog.username.setText("olga")
    dialog.password.setText("nope")
    dialog.try_sign_in()
    assert "wrong password" in dialog.message.text()
    assert dialog.user is None
    dialog.password.setText(PASSWORDS["olga"])
    dialog.try_sign_in()
    assert dialog.user is not None and dialog.user.username == "olga"


def test_first_run_creates_the_administrator(qtbot, store):
    dialog = FirstRunDialog(store)
    qtbot.addWidget(dialog)
    dialog.username.setText("chief")
    dialog.display_name.setText("Chief Administrator")
    dialog.password.setText("long-password")
    dialog.repeat.setText("other-password")
    dialog.create_administrator()
    assert "differ" in dialog.message.text() and dialog.user is None
    dialog.repeat.setText("long-password")
    dialog.create_administrator()
    assert dialog.user is not None and dialog.user.role.value == "administrator"


def test_sign_out_closes_the_window_and_says_so(qtbot, store, people):
    window = window_for(qtbot, store, people["olga"])
    with qtbot.waitSignal(window.sign_out_requested):
        window.actions_by_id[ActionId.SIGN_OUT].trigger()
    assert window.signed_out
    assert not window.isVisible()


def test_toolbar_actions_have_icons(qtbot, store, people):
    window = window_for(qtbot, store, people["olga"])
    for action_id in (ActionId.NEW_CASE, ActionId.UNDO, ActionId.FIND, ActionId.CLASSIFY):
        assert not window.actions_by_id[action_id].icon().isNull()


def test_import_actions_are_wired_and_edition_import_is_for_administrators(
        qtbot, store, people, monkeypatch):
    from mtcr_desk.domain.cases import Item
    from mtcr_desk.ui.dialogs import case_files

    officer_window = window_for(qtbot, store, people["olga"])
    assert not officer_window.actions_by_id[ActionId.IMPORT_EDITION].isVisible()
    case = officer_window.context.cases.create(
        actor=people["olga"], applicant="Fictional Ltd", destination="FR",
        items=[Item(line=0, description="Gyro", quantity=1)])
    monkeypatch.setattr(case_files, "import_case_file", lambda parent, context: case.reference)
    officer_window.actions_by_id[ActionId.IMPORT_CASE].trigger()
    workspace = officer_window.pages["cases"].current_workspace()
    assert workspace is not None and workspace.reference == case.reference
    admin_window = window_for(qtbot, store, people["admin"])
    assert admin_window.actions_by_id[ActionId.IMPORT_EDITION].isVisible()


def test_the_demo_database_is_built_off_the_gui_thread(qtbot, tmp_path, monkeypatch):
    import threading

    from mtcr_desk.services import demo as demo_service
    from mtcr_desk.ui import app as app_module

    threads = []
    real = demo_service.open_demo_database

    def recording(path=None, **options):
        threads.append(threading.current_thread())
        return real(path, **options)

    monkeypatch.setattr(app_module, "open_demo_database", recording)
    path = tmp_path / "demo.sqlite"
    lock = InstanceLock(path)
    context = open_session(path, demo=True, lock=lock)
    try:
        assert threads[0] is not threading.main_thread()  # the first build
        assert threads[-1] is threading.main_thread()  # then opened for the window
        assert len(context.cases.list(training=None)) >= 12
    finally:
        context.store.close()
        lock.release()


def test_the_first_start_creates_the_user_data_folder(tmp_path, monkeypatch):
    from mtcr_desk import paths

    monkeypatch.setenv("MTCR_DESK_DATA_DIR", str(tmp_path / "new-profile" / "data"))
    path = paths.demo_database_path()
    lock = InstanceLock(path)
    context = open_session(path, demo=True, lock=lock)
    try:
        assert path.exists() and not context.read_only
    finally:
        context.store.close()
        lock.release()


def test_a_database_in_a_missing_folder_is_refused_with_a_message(tmp_path):
    path = tmp_path / "no-such-folder" / "desk.sqlite"
    with pytest.raises(StorageError, match="does not exist"):
        open_session(path, demo=False, lock=InstanceLock(path))
