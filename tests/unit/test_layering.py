"""The architecture rules of DESIGN.md section 3, checked on every import statement.

* Only ``ui/`` imports PySide6.
* Only ``storage/`` talks to SQLite (sqlite3, sqlite_utils) or holds SQL.
* ``domain/`` imports nothing of ours but ``domain``.
* Nothing imports a network module: the app never opens a socket.
"""

from __future__ import annotations

import ast
from pathlib import Path

import pytest

PACKAGE = Path(__file__).resolve().parents[2] / "mtcr_desk"
NETWORK_MODULES = {"socket", "urllib", "http", "requests", "httpx", "ftplib", "smtplib",
                   "ssl", "asyncio", "xmlrpc", "telnetlib", "poplib", "imaplib"}
SQLITE_MODULES = {"sqlite3", "sqlite_utils"}


def _modules() -> list[Path]:
    return sorted(PACKAGE.rglob("*.py"))


def _imports(path: Path) -> set[str]:
    """Every module a file imports, relative imports resolved to absolute names."""
    tree = ast.parse(path.read_text(encoding="utf-8"))
    package = ["mtcr_desk", *path.relative_to(PACKAGE).parts[:-1]]
    names: set[str] = set()
    for node in ast.walk(tree):
        if isinstance(node, ast.Import):
            names.update(alias.name for alias in node.names)
        elif isinstance(node, ast.ImportFrom):
            if node.level == 0:
                base = node.module or ""
            else:
                anchor = package[: len(package) - (node.level - 1)]
                base = ".".join(anchor + ([node.module] if node.module else []))
            names.add(base)
            # "from mtcr_desk import storage" imports a module too.
            names.update(f"{base}.{alias.name}" for alias in node.names)
    return names


def _layer(path: Path) -> str:
    relative = path.relative_to(PACKAGE)
    return relative.parts[0] if len(relative.parts) > 1 else relative.stem


@pytest.mark.parametrize("path", _modules(), ids=lambda p: str(p.relative_to(PACKAGE)))
def test_layering(path):
    layer = _layer(path)
    imports = _imports(path)
    roots = {name.split(".")[0] for name in imports}
    if layer != "ui":
        assert "PySide6" not in roots, "only mtcr_desk/ui may import PySide6"
    if layer != "storage":
        assert not roots & SQLITE_MODULES, "only mtcr_desk/storage may use SQLite"
    if layer == "ui":
        assert not any(name.startswith("mtcr_desk.storage") for name in imports), (
            "the GUI calls services, never storage"
        )
    if layer == "domain":
        ours = {name for name in imports if name.startswith("mtcr_desk.")}
        assert all(name.startswith("mtcr_desk.domain") for name in ours)
    assert not roots & NETWORK_MODULES, "MTCR Desk never uses the network"


def test_every_module_has_a_docstring():
    for path in _modules():
        tree = ast.parse(path.read_text(encoding="utf-8"))
        assert ast.get_docstring(tree), f"{path.relative_to(PACKAGE)} has no module docstring"
