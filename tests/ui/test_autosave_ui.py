"""The autosaver in the GUI: saves typed text on a timer and on focus-out, offers it back,
and a process killed while typing leaves a draft that the next start restores."""

from __future__ import annotations

import os
import signal
import sys
import textwrap
import time

import pytest
from PySide6.QtCore import QTimer
from PySide6.QtWidgets import (
    QApplication,
    QLineEdit,
    QListWidget,
    QMessageBox,
    QPlainTextEdit,
    QTextEdit,
    QVBoxLayout,
    QWidget,
)

from mtcr_desk.services.autosave import DraftStore
from mtcr_desk.ui.autosave import TextAutosaver, ask_restore, offer_recovered_drafts
from tests.conftest import PROJECT_ROOT
from tests.processes import child_process, kill_hard

REFERENCE = "MTCR-2026-0007"


@pytest.fixture
def drafts(tmp_path) -> DraftStore:
    return DraftStore(tmp_path / "desk.sqlite", "olga", root=tmp_path / "autosave")


def test_typed_text_is_saved_when_the_timer_fires(qtbot, drafts):
    edit = QPlainTextEdit()
    qtbot.addWidget(edit)
    saver = TextAutosaver(drafts, REFERENCE, interval_ms=300)
    saver.watch("decision-rationale", edit)
    qtbot.keyClicks(edit, "Deny: end user linked to a missile programme")
    assert drafts.load(REFERENCE, "decision-rationale") is None  # not before the timer
    qtbot.waitUntil(lambda: drafts.load(REFERENCE, "decision-rationale") is not None,
                    timeout=3000)
    assert drafts.load(REFERENCE, "decision-rationale").text == \
        "Deny: end user linked to a missile programme"
    # Recorded: the draft goes, and text equal to the record is not saved again.
    saver.committed("decision-rationale")
    assert drafts.load(REFERENCE, "decision-rationale") is None
    edit.setPlainText("recorded text")
    saver.watch("new-note", QLineEdit())
    saver._watched[0].committed = lambda: "recorded text"
    saver.save_now()
    assert drafts.list() == []


def test_text_is_saved_when_the_box_loses_focus(qtbot, drafts):
    window = QWidget()
    qtbot.addWidget(window)
    note, other = QLineEdit(window), QLineEdit(window)
    layout = QVBoxLayout(window)
    layout.addWidget(note)
    layout.addWidget(other)
    saver = TextAutosaver(drafts, REFERENCE, interval_ms=600_000)  # only focus-out saves
    saver.watch("factor-a-note", note)
    window.show()
    window.activateWindow()
    qtbot.waitUntil(window.isActiveWindow, timeout=2000)
    note.setFocus()
    qtbot.waitUntil(note.hasFocus, timeout=2000)
    qtbot.keyClicks(note, "checked with the ministry")
    assert drafts.load(REFERENCE, "factor-a-note") is None
    other.setFocus()
    qtbot.waitUntil(lambda: drafts.load(REFERENCE, "factor-a-note") is not None, timeout=2000)
    assert drafts.load(REFERENCE, "factor-a-note").text == "checked with the ministry"
    # Emptied box: the draft goes at the next save (stop saves what changed).
    note.clear()
    saver.stop()
    assert drafts.load(REFERENCE, "factor-a-note") is None


def test_a_field_that_follows_the_selection(qtbot, drafts):
    edit = QTextEdit()  # rich-text boxes are watched as plain text
    qtbot.addWidget(edit)
    selected = {"line": None}
    saver = TextAutosaver(drafts, REFERENCE, interval_ms=600_000)
    saver.watch(lambda: None if selected["line"] is None else f"item-{selected['line']}-"
                "rationale", edit)
    edit.setPlainText("no item selected")
    saver.save_now()
    assert drafts.list() == []
    selected["line"] = 2
    edit.setPlainText("item two is not controlled")
    saver.save_now()
    assert drafts.load(REFERENCE, "item-2-rationale").text == "item two is not controlled"


def test_text_from_a_list_is_watched_too(qtbot, drafts):
    conditions = QListWidget()
    qtbot.addWidget(conditions)
    saver = TextAutosaver(drafts, REFERENCE, interval_ms=600_000)
    model = conditions.model()
    saver.watch_source("decision-conditions",
                       (model.rowsInserted, model.rowsRemoved, model.modelReset),
                       lambda: "\n".join(conditions.item(row).text()
                                         for row in range(conditions.count())))
    saver.save_now()
    assert drafts.list() == []  # nothing changed yet
    conditions.addItem("No re-export without consent")
    conditions.addItem("End-use check within 12 months")
    saver.save_now()
    assert drafts.load(REFERENCE, "decision-conditions").text == \
        "No re-export without consent\nEnd-use check within 12 months"
    conditions.clear()
    saver.save_now()
    assert drafts.list() == []


def test_recovered_drafts_are_offered_and_restored_or_discarded(qtbot, drafts):
    drafts.save(REFERENCE, "decision-rationale", "recovered rationale\nline two")
    drafts.save(REFERENCE, "new-note", "recovered note")
    drafts.save(REFERENCE, "item-1-rationale", "for item one")
    drafts.save("MTCR-2026-0001", "new-note", "another case")
    rationale, note = QPlainTextEdit(), QPlainTextEdit()
    qtbot.addWidget(rationale)
    qtbot.addWidget(note)
    put_back = []
    asked = []

    def ask(_parent, reference, found, _labels):
        asked.append((reference, [draft.field for draft in found]))
        return True

    widgets = {"decision-rationale": rationale, "new-note": note,
               "item-1-rationale": put_back.append}
    restored = offer_recovered_drafts(None, drafts, REFERENCE, widgets, ask=ask)
    assert len(restored) == 3 and asked[0][0] == REFERENCE
    assert rationale.toPlainText() == "recovered rationale\nline two"
    assert note.toPlainText() == "recovered note" and put_back == ["for item one"]

    declined = offer_recovered_drafts(None, drafts, REFERENCE, widgets,
                                      ask=lambda *_args: False)
    assert declined == [] and drafts.list(REFERENCE) == []
    assert [d.text for d in drafts.list()] == ["another case"]  # other cases untouched
    assert offer_recovered_drafts(None, drafts, REFERENCE, widgets, ask=ask) == []
    assert len(asked) == 1  # nothing left: not asked again


def test_the_recovery_dialog_names_case_field_time_and_first_line(qtbot, drafts):
    drafts.save(REFERENCE, "decision-rationale", "\nFirst words typed\nmore")
    seen = {}

    def answer():
        box = QApplication.activeModalWidget()
        assert isinstance(box, QMessageBox)
        seen["text"] = box.text() + "\n" + box.informativeText()
        restore = [b for b in box.buttons() if b.text().replace("&", "") == "Restore"]
        restore[0].click()

    QTimer.singleShot(100, answer)
    assert ask_restore(None, REFERENCE, drafts.list(REFERENCE),
                       {"decision-rationale": "Decision rationale"})
    assert f"Unsaved text was recovered for {REFERENCE}" in seen["text"]
    assert "Decision rationale" in seen["text"] and "First words typed" in seen["text"]
    assert "UTC" in seen["text"]


TYPIST = textwrap.dedent("""
    import sys
    sys.path.insert(0, {root!r})
    from pathlib import Path
    from PySide6.QtTest import QTest
    from PySide6.QtWidgets import QApplication, QPlainTextEdit
    from mtcr_desk.services.autosave import DraftStore
    from mtcr_desk.ui.autosave import TextAutosaver

    app = QApplication([])
    drafts = DraftStore(Path(sys.argv[1]), "olga", root=Path(sys.argv[2]))
    edit = QPlainTextEdit()
    edit.show()
    saver = TextAutosaver(drafts, "MTCR-2026-0007", interval_ms=200)
    saver.watch("new-note", edit)
    QTest.keyClicks(edit, "Typed before the crash: call the consignee")
    print("TYPED", flush=True)
    app.exec()
""")


@pytest.mark.skipif(not hasattr(signal, "SIGKILL"), reason="needs SIGKILL")
def test_a_process_killed_while_typing_leaves_a_draft_offered_at_next_start(qtbot, tmp_path,
                                                                            drafts):
    script = tmp_path / "typist.py"
    script.write_text(TYPIST.format(root=str(PROJECT_ROOT)))
    environment = dict(os.environ, QT_QPA_PLATFORM="offscreen")
    draft_file = drafts.path(REFERENCE, "new-note")
    with child_process([sys.executable, str(script), str(tmp_path / "desk.sqlite"),
                        str(tmp_path / "autosave")], env=environment) as process:
        assert process.stdout.readline() == b"TYPED\n", process.stderr.read()
        deadline = time.monotonic() + 20
        while not draft_file.exists() and time.monotonic() < deadline:
            time.sleep(0.05)
        assert draft_file.exists(), "the child never saved its draft"
        kill_hard(process)
    assert process.returncode == -signal.SIGKILL

    # The next start: the workspace opens the case and is offered the text back.
    note = QPlainTextEdit()
    qtbot.addWidget(note)
    restored = offer_recovered_drafts(None, drafts, REFERENCE, {"new-note": note},
                                      ask=lambda *_args: True)
    assert [draft.field for draft in restored] == ["new-note"]
    assert note.toPlainText() == "Typed before the crash: call the consignee"
    assert [p.name for p in draft_file.parent.iterdir()] == [draft_file.name]
