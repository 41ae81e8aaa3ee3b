"""The administrator pages: users (add an account) and reference data (edit a country)."""

from __future__ import annotations

import pytest
from PySide6.QtCore import Qt

from mtcr_desk.domain.users import Role
from mtcr_desk.services import audit_check, reference_data, reference_listing, users
from mtcr_desk.ui.context import AppContext
from mtcr_desk.ui.views.reference_view import (
    COL_NAME,
    COL_STATUS,
    COL_UN,
    ReferenceView,
    parse_resolutions,
)
from mtcr_desk.ui.views.users_view import (
    COL_LOCKED,
    COL_ROLE,
    AddUserDialog,
    UsersView,
)

NEW_PASSWORD = "new-user-pass"


def context_for(store, user, *, read_only=False) -> AppContext:
    return AppContext(store=store, database_path=store.path, user=user, read_only=read_only)


def users_view(qtbot, store, user, **kwargs) -> UsersView:
    view = UsersView(context_for(store, user, **kwargs))
    qtbot.addWidget(view)
    return view


def reference_view(qtbot, store, user, **kwargs) -> ReferenceView:
    view = ReferenceView(context_for(store, user, **kwargs))
    qtbot.addWidget(view)
    return view


def fill(dialog: AddUserDialog, username="nina", name="Nina Newcomer",
         role=Role.SENIOR_OFFICER, password=NEW_PASSWORD, repeat=None) -> None:
    dialog.username.setText(username)
    dialog.display_name.setText(name)
    dialog.role.setCurrentIndex(dialog.role.findData(role.value))
    dialog.password.setText(password)
    dialog.repeat.setText(password if repeat is None else repeat)


# --- users ----------------------------------------------------------------------------


def test_the_users_table_lists_every_account_with_role_and_lock(qtbot, store, people):
    for _ in range(users.MAX_FAILED_ATTEMPTS):
        with pytest.raises(users.AuthenticationError):
            users.authenticate(store, username="otto", password="wrong-password")
    view = users_view(qtbot, store, people["admin"])
    assert view.usernames() == ["admin", "olga", "otto", "sam", "tina"]
    assert view.count_label.text() == "5 users"
    row = view.model.row_of("sam")
    assert view.model.index(row, COL_ROLE).data() == "Senior officer"
    otto = view.model.row_of("otto")
    assert view.model.index(otto, COL_LOCKED).data().endswith("UTC")
    assert view.model.index(row, COL_LOCKED).data() == ""
    assert view.add_button.isEnabled()


def test_an_administrator_adds_a_user_who_can_then_sign_in(qtbot, store, people,
                                                           monkeypatch):
    view = users_view(qtbot, store, people["admin"])

    def fill_and_accept(dialog):
        fill(dialog)
        assert dialog.create_user()
        return 1

    # The button opens the dialog modally; here it is filled and accepted at once.
    monkeypatch.setattr(AddUserDialog, "exec", fill_and_accept)
    qtbot.mouseClick(view.add_button, Qt.MouseButton.LeftButton)
    assert "nina" in view.usernames()
    assert view.count_label.text() == "6 users"
    selected = view.table.selectionModel().selectedRows()
    assert [view.model.user_at(index.row()).username for index in selected] == ["nina"]
    signed_in = users.authenticate(store, username="nina", password=NEW_PASSWORD)
    assert signed_in.role is Role.SENIOR_OFFICER
    assert signed_in.display_name == "Nina Newcomer"
    assert audit_check.verify(store).ok


@pytest.mark.parametrize(("fields", "message"), [
    ({"username": "olga"}, "add user: olga already exists"),
    ({"password": "short"}, "password: at least 8 characters"),
    ({"username": "Not Valid"}, "username 'Not Valid'"),
    ({"name": "  "}, "name: give the user's full name"),
    ({"repeat": "another-password"}, "The two passwords differ."),
])
def test_a_refused_user_is_shown_in_the_dialog_and_nothing_is_added(
        qtbot, store, people, fields, message):
    view = users_view(qtbot, store, people["admin"])
    dialog = view.new_user_dialog()
    fill(dialog, **fields)
    assert not dialog.create_user()
    assert dialog.message.isVisibleTo(dialog)
    assert dialog.message.text().startswith(message)
    assert dialog.user is None and dialog.result() == 0
    assert len(users.list_users(store)) == 5
    assert view.usernames() == ["admin", "olga", "otto", "sam", "tina"]
    # Putting it right in the same dialog works.
    fill(dialog, username="nina")
    assert dialog.create_user()
    assert "nina" in view.usernames()


def test_a_non_administrator_cannot_add_users(qtbot, store, people):
    view = users_view(qtbot, store, people["olga"])
    assert not view.add_button.isEnabled()
    assert "Only an administrator" in view.note_label.text()
    dialog = view.new_user_dialog()  # even if the dialog were reached, the service refuses
    fill(dialog)
    assert not dialog.create_user()
    assert "only an administrator adds users" in dialog.message.text()
    assert users.get_user(store, "nina") is None


def test_a_read_only_users_page_cannot_add(qtbot, store, people):
    view = users_view(qtbot, store, people["admin"], read_only=True)
    assert not view.add_button.isEnabled()
    assert "Read-only" in view.note_label.text()


# --- reference data -------------------------------------------------------------------


def test_the_reference_table_filters_by_name_code_and_status(qtbot, store, people):
    view = reference_view(qtbot, store, people["admin"])
    assert view.model.rowCount() == len(reference_listing.list_countries(store)) > 200
    view.set_search("korea")
    names = {view.model.index(row, COL_NAME).data() for row in range(view.model.rowCount())}
    assert names == {"Korea, Democratic People's Republic of", "Korea, Republic of"}
    assert view.count_label.text() == "2 countries"
    view.set_search("")
    view.status_filter.setCurrentIndex(view.status_filter.findData("un-measures"))
    assert view.model.rowCount() == 1
    assert view.selected_code() == "KP"
    assert view.model.index(0, COL_UN).data().startswith("1718, 1874")
    assert "UN Security Council" in view.flags_label.text()
    view.status_filter.setCurrentIndex(view.status_filter.findData("adherent"))
    codes = [view.model.country_at(row).country for row in range(view.model.rowCount())]
    assert codes == ["EE", "LV"]


def test_an_administrator_changes_a_status_which_raises_and_clears_a_flag(
        qtbot, store, people):
    view = reference_view(qtbot, store, people["admin"])
    assert view.select_country("FR")
    assert reference_data.destination_flags(store, "FR").raised == ()
    assert not view.apply_button.isEnabled()

    view.status_combo.setCurrentIndex(view.status_combo.findData("none"))
    assert view.apply_button.isEnabled()
    assert "after Apply" in view.flags_heading.text()
    assert view.apply_changes()
    flags = reference_data.destination_flags(store, "FR")
    assert flags.mtcr_status is None
    assert flags.raised == ("France is neither an MTCR partner nor an adherent",)
    row = view.model.row_of("FR")
    assert view.model.index(row, COL_STATUS).data() == "neither"
    assert "Saved" in view.message_label.text()
    assert not view.apply_button.isEnabled()

    view.un_edit.setText("1718; 2397")
    assert view.apply_changes()
    assert reference_data.destination_flags(store, "FR").un_measures == ("1718", "2397")
    assert view.model.index(view.model.row_of("FR"), COL_UN).data() == "1718, 2397"

    view.status_combo.setCurrentIndex(view.status_combo.findData("partner"))
    view.un_edit.setText("")
    assert view.apply_changes()
    assert reference_data.destination_flags(store, "FR").raised == ()
    assert view.model.index(view.model.row_of("FR"), COL_STATUS).data() == "partner"
    assert "None" in view.flags_label.text()
    assert audit_check.verify(store).ok


def test_a_refused_reference_edit_is_shown_and_nothing_changes(qtbot, store, people):
    view = reference_view(qtbot, store, people["admin"])
    view.select_country("FR")
    view.un_edit.setText("1718, abc")
    assert not view.apply_changes()
    assert view.message_label.isVisibleTo(view)
    assert view.message_label.text() == "un measures: resolution numbers such as 1718"
    assert reference_data.destination_flags(store, "FR").un_measures == ()
    view.revert()
    assert view.un_edit.text() == "" and not view.message_label.isVisibleTo(view)


def test_an_edit_that_leaves_the_filter_keeps_the_country_shown(qtbot, store, people):
    view = reference_view(qtbot, store, people["admin"])
    view.status_filter.setCurrentIndex(view.status_filter.findData("adherent"))
    view.select_country("EE")
    view.status_combo.setCurrentIndex(view.status_combo.findData("partner"))
    assert view.apply_changes()
    assert view.model.row_of("EE") is None
    assert view.selected_code() == "EE"
    assert "Estonia" in view.country_label.text()


@pytest.mark.parametrize("role", ["olga", "sam", "tina"])
def test_non_administrators_cannot_edit_reference_data(qtbot, store, people, role):
    view = reference_view(qtbot, store, people[role])
    view.select_country("FR")
    assert not view.status_combo.isEnabled()
    assert not view.un_edit.isEnabled()
    assert not view.apply_button.isEnabled()
    assert "Only an administrator" in view.note_label.text()
    # Forced past the disabled widgets, the service still refuses.
    view.status_combo.setCurrentIndex(view.status_combo.findData("none"))
    assert not view.apply_changes()
    assert "only an administrator edits reference data" in view.message_label.text()
    assert reference_data.destination_flags(store, "FR").mtcr_status == "partner"


def test_a_read_only_reference_page_cannot_edit(qtbot, store, people):
    view = reference_view(qtbot, store, people["admin"], read_only=True)
    view.select_country("FR")
    assert not view.status_combo.isEnabled() and not view.apply_button.isEnabled()
    assert "Read-only" in view.note_label.text()


def test_resolutions_are_parsed_from_commas_semicolons_or_spaces():
    assert parse_resolutions(" 1718, 1874;2087  2094 ,") == ["1718", "1874", "2087", "2094"]
    assert parse_resolutions("  ") == []


def test_the_listing_service_refuses_an_unknown_status_filter(store):
    from mtcr_desk.domain.errors import InvalidInputError

    with pytest.raises(InvalidInputError):
        reference_listing.list_countries(store, status="friend")
    assert [c.country for c in reference_listing.list_countries(store, search="fra")] == [
        "FR"]


def test_the_admin_pages_in_the_main_window(qtbot, store, people, tmp_path):
    from mtcr_desk.ui.main_window import MainWindow

    context = context_for(store, people["admin"])
    pages = {"users": UsersView(context), "reference": ReferenceView(context)}
    window = MainWindow(context, pages=pages)
    qtbot.addWidget(window)
    window.resize(1366, 768)
    window.show()
    qtbot.waitExposed(window)
    window.show_page("users")
    assert window.stack.currentWidget() is pages["users"]
    window.show_page("reference")
    assert window.stack.currentWidget() is pages["reference"]
    window.grab().save(str(tmp_path / "reference.png"))
