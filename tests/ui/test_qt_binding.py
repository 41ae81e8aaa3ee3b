"""The Qt binding must not leak or drop references (a crash waiting to happen).

PySide6 6.12.0 drops a reference to None on every method call that returns
nothing; on Python 3.11 None's count then reaches zero after a few thousand
calls and the interpreter aborts. pyproject.toml keeps that release out; this
test catches any binding that brings the fault back.
"""

from __future__ import annotations

import sys

from PySide6.QtWidgets import QLabel


def test_calls_returning_nothing_keep_none_alive(qtbot):
    label = QLabel()
    qtbot.addWidget(label)
    before = sys.getrefcount(None)
    for _ in range(5_000):
        label.setText("x")
    # Other code may take or drop a few references meanwhile; the fault drops 5,000.
    assert sys.getrefcount(None) - before > -100
