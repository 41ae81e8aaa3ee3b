"""Benchmark: process start to the first painted main window, against a bare Qt window.

Each run is a fresh process (offscreen platform). The bare baseline imports
PySide6, shows a QMainWindow and waits for its first paint; ours opens the demo
database (created beforehand, as after the first start), builds the main window
for the signed-in demo officer and waits for its first paint. Runs alternate so
that both see the same machine load. Prints the medians and their ratio and one
``RESULT {json}`` line. Target (DESIGN.md section 7): <= 1.5x the bare window.

The sign-in dialog is not timed: it waits for a person.

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
TARGET_RATIO = 1.5

BARE = """
import sys
from PySide6.QtCore import QEvent, QObject
from PySide6.QtWidgets import QApplication, QMainWindow
app = QApplication(sys.argv[:1])
window = QMainWindow()
window.resize(1280, 760)
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

OURS = """
import sys
from pathlib import Path
from PySide6.QtCore import QEvent, QObject
from mtcr_desk.services import users
from mtcr_desk.services.demo import open_demo_database
from mtcr_desk.ui.app import create_application
from mtcr_desk.ui.context import AppContext
from mtcr_desk.ui.main_window import MainWindow
app = create_application()
path = Path(sys.argv[1])
store = open_demo_database(path)
context = AppContext(store=store, database_path=path, demo=True,
                     user=users.get_user(store, "olga.officer"))
window = MainWindow(context)
class Painted(QObject):
    def eventFilter(self, obj, event):
        if event.type() == QEvent.Type.Paint:
            app.quit()
        return False
watch = Painted()
window.installEventFilter(watch)
window.show()
app.exec()
store.close()
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
                   PYTHONPATH=str(ROOT))
        demo = Path(folder) / "demo.sqlite"
        timed_run(OURS, str(demo), env=env)  # first start builds the demo database
        bare_times, our_times = [], []
        for _ in range(args.runs):
            bare_times.append(timed_run(BARE, env=env))
            our_times.append(timed_run(OURS, str(demo), env=env))
    bare = statistics.median(bare_times)
    ours = statistics.median(our_times)
    result = {
        "bench": "startup", "runs": args.runs,
        "ours_median_s": round(ours, 4), "bare_median_s": round(bare, 4),
        "ratio": round(ours / bare, 2), "target": f"<= {TARGET_RATIO}x a bare Qt window",
        "meets_target": ours / bare <= TARGET_RATIO,
    }
    print(f"start to first painted main window, {args.runs} runs each (offscreen)")
    print(f"  MTCR Desk on the demo database  median {ours * 1000:.0f} ms")
    print(f"  bare QApplication + QMainWindow median {bare * 1000:.0f} ms")
    print(f"  ratio {result['ratio']:.2f}x  ({result['target']}: "
          f"{'met' if result['meets_target'] else 'NOT met'})")
    print("RESULT " + json.dumps(result))
    return 0


if __name__ == "__main__":
    sys.exit(main())
