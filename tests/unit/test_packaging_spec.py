"""The PyInstaller spec, run without PyInstaller: names, entry point, shipped data, build id.

PyInstaller calls the spec with ``Analysis``, ``PYZ``, ``EXE`` and ``COLLECT`` in its
namespace; here they are stand-ins that record what the spec asked for. Building the
real bundle is ``make package-smoke`` (packaging/smoke-test.sh), not a unit test.
"""

from __future__ import annotations

import ast
import importlib
import sys
from pathlib import Path

import pytest

from mtcr_desk import APP_NAME, APP_SLUG, __version__, build_info

ROOT = Path(__file__).resolve().parents[2]
SPEC = ROOT / "packaging" / "mtcr_desk.spec"


class _Recorded:
    """A stand-in for a PyInstaller build object: remembers its arguments."""

    def __init__(self, *args, **kwargs):
        self.args = args
        self.kwargs = kwargs


class _Analysis(_Recorded):
    """Analysis: hands back the data it was given, plus files the Qt hooks would add."""

    def __init__(self, scripts, **kwargs):
        super().__init__(scripts, **kwargs)
        self.scripts = scripts
        self.pure = []
        self.binaries = []
        # PyInstaller's table of contents: (name in the bundle, source, kind).
        self.datas = [(f"{folder}/{Path(source).name}", source, "DATA")
                      for source, folder in kwargs["datas"]] + [
            ("PySide6/Qt/translations/qtbase_de.qm", "/x/qtbase_de.qm", "DATA"),
            ("PySide6/Qt/resources/icudtl.dat", "/x/icudtl.dat", "DATA"),
        ]


def run_spec(workpath: Path) -> dict:
    """Execute the spec as PyInstaller would; return its namespace."""
    namespace = {
        "__name__": "__main__", "__file__": str(SPEC), "SPEC": str(SPEC),
        "SPECPATH": str(SPEC.parent), "workpath": str(workpath), "DISTPATH": "dist",
        "Analysis": _Analysis, "PYZ": _Recorded, "EXE": _Recorded, "COLLECT": _Recorded,
    }
    exec(compile(SPEC.read_text(encoding="utf-8"), str(SPEC), "exec"), namespace)  # noqa: S102
    return namespace


def _data_destinations(namespace) -> dict[str, str]:
    """``{source file relative to the project: folder in the bundle}`` of the shipped data."""
    found = {}
    for source, folder in namespace["a"].kwargs["datas"]:
        path = Path(source)
        if path.is_relative_to(ROOT):
            found[path.relative_to(ROOT).as_posix()] = folder
    return found


@pytest.fixture
def spec(tmp_path, monkeypatch):
    monkeypatch.setenv("MTCR_DESK_BUILD_ID", "1234abcd 2026-05-04T09:12Z")
    return run_spec(tmp_path / "work")


def test_the_spec_takes_version_and_names_from_the_package():
    tree = ast.parse(SPEC.read_text(encoding="utf-8"))
    imported = {alias.name for node in ast.walk(tree)
                if isinstance(node, ast.ImportFrom) and node.module == "mtcr_desk"
                for alias in node.names}
    assert {"__version__", "APP_NAME", "APP_SLUG"} <= imported
    # No version or name typed into the spec itself.
    strings = {node.value for node in ast.walk(tree) if isinstance(node, ast.Constant)}
    assert __version__ not in strings
    assert APP_SLUG not in strings and APP_NAME not in strings


def test_one_console_executable_from_the_real_entry_point(spec):
    if sys.platform == "win32":
        pytest.skip("the Windows layout is checked below")
    analysis, collect = spec["a"], spec["coll"]
    assert [Path(script).resolve() for script in analysis.scripts] == [
        Path(importlib.import_module("mtcr_desk").__file__).resolve().parent / "__main__.py"]
    executables = [arg for arg in collect.args if isinstance(arg, _Recorded)]
    assert len(executables) == 1
    assert executables[0].kwargs["name"] == APP_SLUG
    assert executables[0].kwargs["console"] is True
    assert collect.kwargs["name"].startswith(f"{APP_SLUG}-{__version__}-")
    assert all(obj.kwargs.get("upx") is False for obj in [*executables, collect])


def test_on_windows_a_windowed_app_and_a_console_cli_share_one_folder(tmp_path, monkeypatch):
    monkeypatch.setattr(sys, "platform", "win32")
    namespace = run_spec(tmp_path / "work")
    collect = namespace["coll"]
    executables = {arg.kwargs["name"]: arg.kwargs["console"] for arg in collect.args
                   if isinstance(arg, _Recorded)}
    assert executables == {APP_SLUG: False, f"{APP_SLUG}-cli": True}
    assert collect.kwargs["name"] == f"{APP_SLUG}-{__version__}-windows-" + \
        collect.kwargs["name"].rsplit("-", 1)[-1]


def test_the_shipped_data_is_in_the_bundle_and_the_sources_are_not(spec):
    destinations = _data_destinations(spec)
    for folder in ("database/control_lists", "database/reference", "database/demo",
                   "database/training", "resources"):
        files = [path for path in (ROOT / folder).rglob("*")
                 if path.is_file() and "__pycache__" not in path.parts]
        if folder != "database/training":
            assert files, f"{folder} is empty in the checkout"
        for path in files:
            relative = path.relative_to(ROOT)
            assert destinations[relative.as_posix()] == str(relative.parent)
    assert not [name for name in destinations
                if name.startswith(("database/sources/", "database/scripts/"))]
    assert "mtcr_desk" not in {name.split("/")[0] for name in destinations}


def test_the_build_id_goes_into_resources(spec, tmp_path):
    entries = [(Path(source), folder) for source, folder in spec["a"].kwargs["datas"]
               if Path(source).name == build_info.BUILD_FILE_NAME]
    assert entries == [(tmp_path / "work" / "BUILD", "resources")]
    assert entries[0][0].read_text(encoding="utf-8") == "1234abcd 2026-05-04T09:12Z\n"


def test_without_a_build_id_the_bundle_says_unknown(tmp_path, monkeypatch):
    monkeypatch.delenv("MTCR_DESK_BUILD_ID", raising=False)
    run_spec(tmp_path / "work")
    assert (tmp_path / "work" / "BUILD").read_text(encoding="utf-8") == "unknown\n"


def test_every_module_of_ours_is_bundled_and_unused_parts_are_left_out(spec):
    analysis = spec["a"]
    hidden = set(analysis.kwargs["hiddenimports"])
    # Imported lazily or by name: PyInstaller would not find them by reading imports.
    assert {"mtcr_desk.ui.app", "mtcr_desk.smoke", "mtcr_desk.ui.smoke_window",
            "mtcr_desk.build_info"} <= hidden
    assert {"tkinter", "unittest", "pytest", "PySide6.QtNetwork", "PySide6.QtQml"} <= set(
        analysis.kwargs["excludes"])
    assert "PySide6.QtPrintSupport" not in analysis.kwargs["excludes"]
    kept = [destination for destination, _source, _kind in analysis.datas]
    assert "PySide6/Qt/translations/qtbase_de.qm" not in kept
    assert "PySide6/Qt/resources/icudtl.dat" in kept


def test_a_checkout_reports_the_source_build():
    assert build_info.BUILD == build_info.SOURCE_BUILD == "source"


def test_a_bundle_reports_the_build_id_it_ships(tmp_path, monkeypatch):
    (tmp_path / "resources").mkdir()
    (tmp_path / "resources" / "BUILD").write_text("1234abcd 2026-05-04T09:12Z\n",
                                                  encoding="utf-8")
    monkeypatch.setattr(sys, "_MEIPASS", str(tmp_path), raising=False)
    try:
        assert importlib.reload(build_info).BUILD == "1234abcd 2026-05-04T09:12Z"
        (tmp_path / "resources" / "BUILD").unlink()
        assert importlib.reload(build_info).BUILD == "source"
    finally:
        monkeypatch.undo()
        importlib.reload(build_info)
