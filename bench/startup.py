"""Benchmark: process start to the first painted main window, against a bare Qt window.

Each run is a fresh process (offscreen platform). The bare baseline imports
PySide6, shows a QMainWindow and waits for its first paint; ours does what
``mtcr-desk --demo`` does (error handling, instance lock, the demo database
created beforehand as after the first start), builds the main window for the
signed-in demo officer and waits for its first paint. A third program shows
the same kind of window in plain PySide with no application code, to tell what
Qt alone costs for those widgets. Runs alternate so that all see the same
machine load. Prints the medians and ratios and one ``RESULT {json}`` line.
Target (DESIGN.md section 7): <= 1.5x the bare window.

The sign-in dialog is not timed: it waits for a person.

All three run from compiled bytecode, as an installed or packaged MTCR Desk always
does (pip and PyInstaller compile it). The bytecode goes to a cache folder of this run
(``PYTHONPYCACHEPREFIX``), written by one warm-up start of each, so that a machine
with ``PYTHONDONTWRITEBYTECODE`` set does not time the compiler on every start.

    python bench/startup.py [--runs N]
"""

from __future__ import annotations

import argparse
import json
import os
import statistics
import subprocess
import sys
import tempfile
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

from mtcr_desk.paths import DEMO_DATABASE_NAME  # noqa: E402 - needs the line above

TARGET_RATIO = 1.5

# Every program ends with this: show ``window`` and quit at its first paint (each one
# imports QEvent and QObject and names its QApplication ``app``).
SHOW_UNTIL_PAINTED = """
class Painted(QObject):
    def eventFilter(self, obj, event):
        if event.type() == QEvent.Type.Paint:
            app.quit()
        return False
watch = Painted()
window.installEventFilter(watch)
window.show()
app.exec()
"""

BARE = """
import sys
from PySide6.QtCore import QEvent, QObject
from PySide6.QtWidgets import QApplication, QMainWindow
app = QApplication(sys.argv[:1])
window = QMainWindow()
window.resize(1280, 760)
""" + SHOW_UNTIL_PAINTED

# The same kind of window in plain PySide, with no application code: navigation, a tab
# with a filter bar (a text box, four drop-downs, a check box, a button) over a
# 9-column table of the demo database's cases, six menus holding 26 actions with
# shortcuts, a toolbar of eight with standard icons, four labels in the status bar.
# What it costs over the bare window is what these Qt classes cost to load and show,
# whatever the application does; it tells how much of the target is left for ours.
SAME_WIDGETS = """
import sqlite3, sys
from PySide6.QtCore import QAbstractTableModel, QEvent, QModelIndex, QObject, Qt
from PySide6.QtGui import QAction, QKeySequence
from PySide6.QtWidgets import (QAbstractItemView, QApplication, QCheckBox, QComboBox,
    QHBoxLayout, QHeaderView, QLabel, QLineEdit, QListWidget, QMainWindow, QPushButton,
    QStackedWidget, QStyle, QTableView, QTabWidget, QVBoxLayout, QWidget)
app = QApplication(sys.argv[:1])
connection = sqlite3.connect(sys.argv[1])
rows = connection.execute("SELECT * FROM cases LIMIT 200").fetchall()
class Model(QAbstractTableModel):
    def rowCount(self, parent=QModelIndex()):
        return 0 if parent.isValid() else len(rows)
    def columnCount(self, parent=QModelIndex()):
        return 9
    def data(self, index, role=Qt.ItemDataRole.DisplayRole):
        if role == Qt.ItemDataRole.DisplayRole:
            return str(rows[index.row()][index.column()])
        return None
    def headerData(self, section, orientation, role=Qt.ItemDataRole.DisplayRole):
        if role == Qt.ItemDataRole.DisplayRole and orientation == Qt.Orientation.Horizontal:
            return f"Column {section}"
        return None
window = QMainWindow()
window.resize(1280, 760)
navigation = QListWidget()
navigation.addItems(["Cases", "Control list"])
navigation.setMaximumWidth(180)
tabs = QTabWidget()
tabs.setTabsClosable(True)
tabs.setDocumentMode(True)
page = QWidget()
page_layout = QVBoxLayout(page)
filters = QHBoxLayout()
filters.addWidget(QLineEdit())
for _ in range(4):
    choice = QComboBox()
    choice.addItems(["Any", "one", "other"])
    filters.addWidget(choice)
filters.addWidget(QCheckBox("Overdue"))
filters.addWidget(QPushButton("Save filter"))
page_layout.addLayout(filters)
table = QTableView()
table.setModel(Model(table))
table.setSortingEnabled(True)
table.setSelectionBehavior(QAbstractItemView.SelectionBehavior.SelectRows)
table.horizontalHeader().setSectionResizeMode(QHeaderView.ResizeMode.Interactive)
page_layout.addWidget(table)
page_layout.addWidget(QLabel(f"{len(rows)} cases"))
tabs.addTab(page, "All cases")
stack = QStackedWidget()
stack.addWidget(tabs)
stack.addWidget(QWidget())
body = QHBoxLayout()
body.addWidget(navigation)
body.addWidget(stack, 1)
central = QWidget()
central.setLayout(body)
window.setCentralWidget(central)
actions = []
for number in range(26):
    action = QAction(f"Action {number}", window)
    action.setShortcut(QKeySequence(f"Ctrl+Shift+{chr(65 + number)}"))
    if number < 8:
        action.setIcon(QApplication.style().standardIcon(QStyle.StandardPixmap.SP_DirIcon))
    actions.append(action)
for number in range(6):
    menu = window.menuBar().addMenu(f"Menu {number}")
    for action in actions[number * 5:(number + 1) * 5]:
        menu.addAction(action)
toolbar = window.addToolBar("Main")
for action in actions[:8]:
    toolbar.addAction(action)
for text in ("user", "database", "edition", "audit"):
    window.statusBar().addPermanentWidget(QLabel(text))
""" + SHOW_UNTIL_PAINTED

OURS = """
from mtcr_desk import cli  # where `mtcr-desk` starts
args = cli.parse_arguments(["--demo"])
# What cli.run_gui -> ui.app.run_application then do, but for the sign-in dialog (it
# waits for a person): the demo officer is signed in directly.
from PySide6.QtCore import QEvent, QObject
from mtcr_desk.services import users
from mtcr_desk.services.instance_lock import InstanceLock
from mtcr_desk.ui import errors
from mtcr_desk.ui.app import create_application, open_session
from mtcr_desk.ui.main_window import MainWindow
app = create_application()
errors.install()
path = cli.database_path(args)
lock = InstanceLock(path)
context = open_session(path, demo=True, lock=lock)
context.user = users.get_user(context.store, "olga.officer")
window = MainWindow(context)
""" + SHOW_UNTIL_PAINTED + """
context.store.close()
lock.release()
"""


def timed_run(code: str, *args: str, env: dict) -> float:
    started = time.perf_counter()
    subprocess.run([sys.executable, "-c", code, *args], check=True, env=env,
                   stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL, cwd=ROOT)
    return time.perf_counter() - started


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--runs", type=int, default=7)
    args = parser.parse_args()
    with tempfile.TemporaryDirectory() as folder:
        env = dict(os.environ, QT_QPA_PLATFORM="offscreen", MTCR_DESK_DATA_DIR=folder,
                   PYTHONPATH=str(ROOT), PYTHONPYCACHEPREFIX=str(Path(folder) / "bytecode"),
                   MTCR_DESK_LOG_DIR=str(Path(folder) / "logs"))
        env.pop("PYTHONDONTWRITEBYTECODE", None)
        # Warm-up: writes the bytecode of each, and our first start builds the demo database.
        timed_run(BARE, env=env)
        timed_run(OURS, env=env)
        demo = str(Path(folder) / DEMO_DATABASE_NAME)  # built by the warm-up start
        timed_run(SAME_WIDGETS, demo, env=env)
        bare_times, widget_times, our_times = [], [], []
        for _ in range(args.runs):
            bare_times.append(timed_run(BARE, env=env))
            widget_times.append(timed_run(SAME_WIDGETS, demo, env=env))
            our_times.append(timed_run(OURS, env=env))
    bare = statistics.median(bare_times)
    same_widgets = statistics.median(widget_times)
    ours = statistics.median(our_times)
    result = {
        "bench": "startup", "runs": args.runs,
        "ours_median_s": round(ours, 4), "bare_median_s": round(bare, 4),
        "ratio": round(ours / bare, 2), "target": f"<= {TARGET_RATIO}x a bare Qt window",
        "meets_target": ours / bare <= TARGET_RATIO,
        "same_widgets_median_s": round(same_widgets, 4),
        "same_widgets_ratio": round(same_widgets / bare, 2),
    }
    print(f"start to first painted main window, {args.runs} runs each (offscreen)")
    print(f"  MTCR Desk on the demo database  median {ours * 1000:.0f} ms")
    print(f"  bare QApplication + QMainWindow median {bare * 1000:.0f} ms")
    print(f"  ratio {result['ratio']:.2f}x  ({result['target']}: "
          f"{'met' if result['meets_target'] else 'NOT met'})")
    print(f"  the same widgets in plain PySide, no application code: median "
          f"{same_widgets * 1000:.0f} ms = {result['same_widgets_ratio']:.2f}x the bare window")
    print("RESULT " + json.dumps(result))
    return 0


if __name__ == "__main__":
    sys.exit(main())
