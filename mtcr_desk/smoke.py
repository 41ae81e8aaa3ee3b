"""``mtcr-desk --smoke``: prove that this installation works, in a few seconds, leaving no trace.

Built for the packaged application, where a missing library or data file only shows
when the code that needs it runs. Each step prints one line (``ok``, ``FAIL`` or
``skip``, the step's name, what it found):

1. demo database: built from the shipped data in a temporary folder;
2. sign-in: the demo administrator's public password (scrypt from the bundled OpenSSL);
3. audit chain: recomputed and checked;
4. memo: a decided demo case exported to a PDF file (the memo of record) and page 1
   rendered by pypdfium2 (the engine of the memo preview);
5. window: Qt finds a font; the main window built offscreen, every page visited, a case
   opened, the window grabbed into a PNG file.

The exit code is 0 only when no step failed. Everything happens in a temporary
folder, which is also the user data and log folder for the run, so the user's own
databases and settings are never touched. Qt is imported only by the window step.
"""

from __future__ import annotations

import importlib
import os
import tempfile
import time
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from dataclasses import dataclass, field
from pathlib import Path
from typing import TextIO

from mtcr_desk import APP_NAME, __version__, build_info, paths
from mtcr_desk.domain.cases import CaseStatus
from mtcr_desk.domain.users import Role, User
from mtcr_desk.services import audit_check, users
from mtcr_desk.services.cases import CaseService
from mtcr_desk.services.control_list import ControlListService
from mtcr_desk.services.demo import demo_users, open_demo_database

#: The module the memo step uses.
MEMO_MODULE = "mtcr_desk.services.memos"

_PDF_MAGIC = b"%PDF-"


class StepFailed(Exception):
    """A smoke step found a problem; its message is the step's line."""


@dataclass
class _Run:
    """What the steps share: the temporary folder and what earlier steps produced."""

    folder: Path
    store: object | None = None
    user: User | None = None
    decided_case: str | None = None
    lines: list[str] = field(default_factory=list)


# --- the steps ---------------------------------------------------------------------------


def _demo_database(run: _Run) -> str:
    path = run.folder / paths.DEMO_DATABASE_NAME
    run.store = open_demo_database(path)
    cases = CaseService(run.store).list(training=None)
    editions = ControlListService(run.store).editions()
    if not cases or not editions:
        raise StepFailed(f"{len(cases)} cases and {len(editions)} editions in {path.name}")
    decided = CaseService(run.store).list(status=CaseStatus.DECIDED.value, training=None)
    run.decided_case = decided[0][0] if decided else None
    return f"{len(cases)} cases, {len(editions)} control-list editions"


def _sign_in(run: _Run) -> str:
    administrator = next(u for u in demo_users() if u.role is Role.ADMINISTRATOR)
    run.user = users.authenticate(run.store, username=administrator.username,
                                  password=administrator.password)
    return f"{run.user.username} ({run.user.role.value})"


def _audit_chain(run: _Run) -> str:
    result = audit_check.verify(run.store)
    if not result.ok:
        raise StepFailed(audit_check.describe(result))
    return f"intact, {result.rows} rows"


def _memo(run: _Run) -> str:
    try:
        memos = importlib.import_module(MEMO_MODULE)
    except ModuleNotFoundError as error:
        # A bundle without the memo (or what it needs) cannot print a decision.
        raise StepFailed(f"the memo cannot be made: {error.name} is missing") from error
    if run.decided_case is None:
        raise StepFailed("the demo database has no decided case")
    target = memos.export_memo(run.store, run.decided_case,
                               run.folder / memos.memo_file_name(run.decided_case))
    pdf = Path(target).read_bytes()
    if not pdf.startswith(_PDF_MAGIC):
        raise StepFailed(f"{run.decided_case}: the memo is not a PDF document")
    return f"{run.decided_case}, {len(pdf):,} bytes, {_pdf_pages(pdf)}"


def _pdf_pages(pdf: bytes) -> str:
    """Open the memo with the PDF engine of the preview, when this build has it."""
    try:
        import pypdfium2
    except ImportError:
        return "no PDF preview engine in this build"
    document = pypdfium2.PdfDocument(pdf)
    try:
        page = document[0]
        bitmap = page.render(scale=0.5)  # 36 dpi: proves the engine renders, quickly
        width, height = bitmap.width, bitmap.height
        bitmap.close()
        page.close()
        return f"{len(document)} page(s), page 1 rendered {width}x{height}"
    finally:
        document.close()


def _window(run: _Run) -> str:
    # Imported here: everything before this step works without Qt.
    from mtcr_desk.ui.smoke_window import default_font_family, show_main_window

    font = default_font_family()
    if not font:
        raise StepFailed("Qt found no fonts: install the system packages fontconfig-config "
                         "and fonts-dejavu-core (see packaging/README.md)")
    screenshot = run.folder / "main-window.png"
    shown = show_main_window(run.store, run.folder / paths.DEMO_DATABASE_NAME, user=run.user,
                             open_case=run.decided_case, screenshot=screenshot)
    if not shown:
        raise StepFailed("the main window was not fully built or could not be grabbed")
    return (f"text in {font}, every page built, "
            f"{run.decided_case or 'no case'} opened, grabbed offscreen")


#: (name, step, needs the demo database): a step that needs it is skipped when it failed.
STEPS: tuple[tuple[str, Callable[[_Run], str], bool], ...] = (
    ("demo database", _demo_database, False),
    ("sign-in", _sign_in, True),
    ("audit chain", _audit_chain, True),
    ("memo", _memo, True),
    ("window", _window, True),
)


# --- running them ------------------------------------------------------------------------


@contextmanager
def _private_folders(folder: Path) -> Iterator[None]:
    """Point the user data and log folders at ``folder`` for the run, then restore them."""
    names = ("MTCR_DESK_DATA_DIR", "MTCR_DESK_LOG_DIR")
    saved = {name: os.environ.get(name) for name in names}
    for name in names:
        os.environ[name] = str(folder)
    try:
        yield
    finally:
        for name, value in saved.items():
            if value is None:
                os.environ.pop(name, None)
            else:
                os.environ[name] = value


def _line(status: str, name: str, detail: str, seconds: float | None = None) -> str:
    timing = f" ({seconds * 1000:.0f} ms)" if seconds is not None else ""
    return f"{status:<4}  {name}: {detail}{timing}"


def run_smoke(out: TextIO) -> int:
    """Run every step, print one line each and a summary; return 0 only when none failed."""
    started = time.perf_counter()
    print(f"{APP_NAME} {__version__} (build {build_info.BUILD}) smoke test", file=out)
    failed: list[str] = []
    with tempfile.TemporaryDirectory(prefix="mtcr-desk-smoke-") as temporary:
        run = _Run(folder=Path(temporary))
        with _private_folders(run.folder):
            try:
                for name, step, needs_database in STEPS:
                    if needs_database and run.store is None:
                        print(_line("skip", name, "needs the demo database"), file=out)
                        failed.append(name)
                        continue
                    step_started = time.perf_counter()
                    try:
                        detail = step(run)
                    except StepFailed as failure:
                        print(_line("FAIL", name, str(failure)), file=out)
                        failed.append(name)
                        continue
                    except Exception as error:  # noqa: BLE001 - every failure is reported
                        message = str(getattr(error, "message", None) or error)
                        print(_line("FAIL", name, f"{type(error).__name__}: {message}"),
                              file=out)
                        failed.append(name)
                        continue
                    print(_line("ok", name, detail, time.perf_counter() - step_started),
                          file=out)
            finally:
                if run.store is not None:
                    run.store.close()
    seconds = time.perf_counter() - started
    if failed:
        print(f"smoke: FAILED ({', '.join(failed)}) in {seconds:.1f} s", file=out)
        return 1
    print(f"smoke: passed in {seconds:.1f} s", file=out)
    return 0
