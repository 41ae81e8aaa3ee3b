"""``mtcr-desk --smoke``: one line per step, exit 0 only when every step passed, no trace left."""

from __future__ import annotations

import io
import os
import re

import pytest

from mtcr_desk import smoke
from mtcr_desk.domain.users import Role
from mtcr_desk.services.demo import demo_users
from mtcr_desk.smoke import run_smoke

STEP_NAMES = [name for name, _step, _needs_database in smoke.STEPS]
LINE = re.compile(r"^(ok|FAIL|skip)  +([a-z -]+): (.+)$")


def _step_lines(output: str) -> dict[str, tuple[str, str]]:
    """Return ``{step name: (status, detail)}`` from the smoke test's output."""
    found = {}
    for line in output.splitlines():
        match = LINE.match(line)
        if match:
            found[match.group(2)] = (match.group(1), match.group(3))
    return found


@pytest.fixture
def data_dir(tmp_path, monkeypatch):
    """The user data folder the smoke test must leave untouched."""
    folder = tmp_path / "user-data"
    folder.mkdir()
    monkeypatch.setenv("MTCR_DESK_DATA_DIR", str(folder))
    return folder


def test_every_step_passes_on_the_shipped_data_and_nothing_is_left_behind(qapp, data_dir):
    out = io.StringIO()

    code = run_smoke(out)

    output = out.getvalue()
    steps = _step_lines(output)
    assert code == 0, output
    assert list(steps) == STEP_NAMES
    assert steps["demo database"][0] == "ok"
    assert re.match(r"\d+ cases, \d+ control-list editions", steps["demo database"][1])
    assert steps["sign-in"][0] == "ok"
    administrator = next(u for u in demo_users() if u.role is Role.ADMINISTRATOR)
    assert steps["sign-in"][1].startswith(f"{administrator.username} (administrator)")
    assert steps["audit chain"][1].startswith("intact, ")
    assert steps["memo"][0] == "ok"
    assert re.match(r"MTCR-\d{4}-\d{4}, [\d,]+ bytes", steps["memo"][1])
    assert steps["window"][0] == "ok"
    assert "every page built" in steps["window"][1]
    assert output.splitlines()[-1].startswith("smoke: passed")
    # The run used a temporary folder of its own and put the environment back.
    assert list(data_dir.iterdir()) == []
    assert os.environ["MTCR_DESK_DATA_DIR"] == str(data_dir)


def test_missing_shipped_data_fails_the_run_and_the_steps_that_need_it_are_skipped(
        qapp, data_dir, tmp_path, monkeypatch):
    # A bundle built without its database/ folder: what the smoke test is there to catch.
    empty = tmp_path / "no-shipped-data"
    empty.mkdir()
    monkeypatch.setenv("MTCR_DESK_SHIPPED_DATA", str(empty))
    out = io.StringIO()

    code = run_smoke(out)

    steps = _step_lines(out.getvalue())
    assert code == 1
    assert steps["demo database"][0] == "FAIL"
    assert "users.json" in steps["demo database"][1]
    for name in STEP_NAMES[1:]:
        assert steps[name] == ("skip", "needs the demo database")
    assert out.getvalue().splitlines()[-1].startswith("smoke: FAILED (demo database, sign-in")


def test_a_build_without_the_memo_fails(qapp, data_dir, monkeypatch):
    monkeypatch.setattr(smoke, "MEMO_MODULE", "mtcr_desk.services.no_such_memo_module")
    out = io.StringIO()

    code = run_smoke(out)

    assert code == 1, out.getvalue()
    assert any(line.startswith("FAIL  memo: the memo cannot be made")
               for line in out.getvalue().splitlines())


def test_a_workstation_without_fonts_fails_the_window_step(qapp, data_dir, monkeypatch):
    # Qt starts without any font and draws boxes; the step must say what to install.
    from mtcr_desk.ui import smoke_window

    monkeypatch.setattr(smoke_window, "default_font_family", lambda: "")
    out = io.StringIO()

    code = run_smoke(out)

    steps = _step_lines(out.getvalue())
    assert code == 1
    assert steps["window"][0] == "FAIL"
    assert "fonts-dejavu-core" in steps["window"][1]
    assert steps["audit chain"][0] == "ok"


def test_the_font_check_names_a_font_qt_has(qapp):
    # The test machines have fonts-dejavu-core (packaging/install-system-libs.sh).
    from PySide6.QtGui import QFontDatabase

    from mtcr_desk.ui.smoke_window import default_font_family

    family = default_font_family()
    assert family in QFontDatabase.families()
    assert family not in {"Sans Serif", "Serif", "Monospace"}  # Qt's names for "any font"
