"""Regenerate docs/screenshots/*.png from the demo database (``make screenshots``).

Runs the real main window offscreen at 1366×768 on a fresh copy of the demo
database, signed in as the demo officer, and saves one picture per view: the
case list, each page of a case workspace, the control-list browser with a
search, and the decision checklist. Look at every picture after regenerating.
"""

from __future__ import annotations

import os
import sys
import tempfile
from pathlib import Path

os.environ.setdefault("QT_QPA_PLATFORM", "offscreen")
ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

from mtcr_desk.services import users  # noqa: E402
from mtcr_desk.services.demo import open_demo_database  # noqa: E402
from mtcr_desk.ui.app import create_application  # noqa: E402
from mtcr_desk.ui.context import AppContext  # noqa: E402
from mtcr_desk.ui.main_window import MainWindow  # noqa: E402

OUTPUT = ROOT / "docs" / "screenshots"
CASE_IN_REVIEW = "MTCR-2026-0011"
CASE_DECIDED = "MTCR-2026-0001"


def settle(application, rounds: int = 5) -> None:
    for _ in range(rounds):
        application.processEvents()


def save(window, application, name: str) -> Path:
    settle(application)
    path = OUTPUT / f"{name}.png"
    window.grab().save(str(path))
    print(path.relative_to(ROOT))
    return path


def main() -> int:
    OUTPUT.mkdir(parents=True, exist_ok=True)
    application = create_application()
    with tempfile.TemporaryDirectory() as folder:
        os.environ["MTCR_DESK_DATA_DIR"] = folder
        store = open_demo_database(Path(folder) / "demo.sqlite")
        context = AppContext(store=store, database_path=store.path, demo=True,
                             user=users.get_user(store, "olga.officer"))
        window = MainWindow(context)
        window.resize(1366, 768)
        window.show()
        save(window, application, "case-list")

        cases = window.pages["cases"]
        workspace = cases.open_case(CASE_IN_REVIEW)
        for page in ("overview", "parties", "items", "evaluation", "decision", "notes",
                     "history"):
            workspace.show_page(page)
            if page == "items":
                workspace.select_item(1)
            save(window, application, f"workspace-{page}")

        final = cases.open_case(CASE_DECIDED)
        final.show_page("decision")
        save(window, application, "workspace-decided-case")
        final.show_page("memo")
        save(window, application, "workspace-memo")

        window.show_page("control_list")
        browser = window.pages["control_list"]
        browser.set_query("production facilities")
        save(window, application, "control-list-search")
        eu = browser.edition_combo.findData("eu-2021-821-2025-11") \
            if hasattr(browser, "edition_combo") else -1
        if eu >= 0:
            browser.edition_combo.setCurrentIndex(eu)
        browser.show_entry("eu-2021-821-2025-11", "9A101")
        save(window, application, "control-list-entry")
        window.close()
        store.close()
    return 0


if __name__ == "__main__":
    sys.exit(main())
