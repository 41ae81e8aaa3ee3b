"""Which build is running: ``"source"`` from a checkout, the build id in a packaged app.

``make package`` hands the PyInstaller spec a build id (git commit and UTC date,
or ``unknown``), and the spec ships it as the text file ``resources/BUILD`` inside
the bundle. Nothing generated is written into the source tree, so a checkout or a
``pip install`` always reports ``source``.
"""

from __future__ import annotations

import sys
from pathlib import Path

#: The file inside a bundle's ``resources/`` folder that holds the build id.
BUILD_FILE_NAME = "BUILD"
#: What a checkout, an editable install or a plain ``pip install`` reports.
SOURCE_BUILD = "source"


def _bundled_build_id() -> str | None:
    """Return the build id shipped with a PyInstaller bundle, or None when not frozen."""
    bundle_root = getattr(sys, "_MEIPASS", None)
    if bundle_root is None:
        return None
    try:
        text = (Path(bundle_root) / "resources" / BUILD_FILE_NAME).read_text(encoding="utf-8")
    except (OSError, UnicodeDecodeError):
        return None
    return text.strip() or None


#: ``"source"``, or the id of the packaged build (for example ``1a2b3c4d 2026-05-04T09:12Z``).
BUILD = _bundled_build_id() or SOURCE_BUILD
