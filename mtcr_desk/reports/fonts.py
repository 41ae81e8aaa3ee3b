"""The memo's fonts: DejaVu Sans shipped in ``resources/fonts``, registered once, embedded.

reportlab has no font fallback: a character the font lacks prints as an empty box
(or nothing), silently. :class:`FontCoverage` therefore checks every character of
user text against the font's character map and replaces the ones it cannot show
with a visible ``[U+XXXX]``, remembering that it did so, so that the memo can say
that the record holds the original text.

Registering a TrueType font parses the whole file (tens of milliseconds), so it
happens lazily, once per process, under a lock (memos may be rendered off the GUI
thread).
"""

from __future__ import annotations

import threading
from dataclasses import dataclass
from pathlib import Path

from reportlab.lib.fonts import addMapping
from reportlab.pdfbase import pdfmetrics
from reportlab.pdfbase.ttfonts import TTFont

from mtcr_desk import paths
from mtcr_desk.domain.errors import StorageError

#: reportlab names of the memo faces (also the names Paragraph markup uses).
REGULAR = "MemoSans"
BOLD = "MemoSans-Bold"
OBLIQUE = "MemoSans-Oblique"

#: The font file of each face, in ``resources/fonts``.
FONT_FILES = {
    REGULAR: "DejaVuSans.ttf",
    BOLD: "DejaVuSans-Bold.ttf",
    OBLIQUE: "DejaVuSans-Oblique.ttf",
}

#: Faces that print user text: a character must be in all of them to be shown.
#: (The oblique face covers fewer characters; the memo uses it for its own words only.)
USER_TEXT_FACES = (REGULAR, BOLD)

_lock = threading.Lock()
_registered: frozenset[int] | None = None


def fonts_dir() -> Path:
    """Return the folder holding the memo's font files."""
    return paths.resources_dir() / "fonts"


def register_fonts() -> frozenset[int]:
    """Register the memo faces with reportlab (once per process); return the shown code points.

    Raise :class:`StorageError` naming the file when a font file is missing or unreadable:
    the installation is damaged, and a memo with a substitute font would not be the memo
    of record.
    """
    global _registered
    with _lock:
        if _registered is not None:
            return _registered
        folder = fonts_dir()
        coverage: set[int] | None = None
        for name, file_name in FONT_FILES.items():
            path = folder / file_name
            try:
                font = TTFont(name, str(path))
            except Exception as error:  # reportlab raises several kinds (TTFError, OSError)
                raise StorageError(
                    f"The memo font {path} cannot be read ({error}); reinstall MTCR Desk"
                ) from error
            pdfmetrics.registerFont(font)
            if name in USER_TEXT_FACES:
                characters = set(font.face.charToGlyph)
                coverage = characters if coverage is None else coverage & characters
        # <b> and <i> in Paragraph markup pick the matching face.
        addMapping(REGULAR, 0, 0, REGULAR)
        addMapping(REGULAR, 1, 0, BOLD)
        addMapping(REGULAR, 0, 1, OBLIQUE)
        addMapping(REGULAR, 1, 1, BOLD)
        _registered = frozenset(coverage or ())
        return _registered


@dataclass
class FontCoverage:
    """Replaces characters the memo font cannot show, and remembers which it replaced."""

    shown: frozenset[int]
    #: Code points replaced so far, in order of first appearance.
    replaced: list[int]

    @classmethod
    def for_memo_fonts(cls) -> FontCoverage:
        """Return a fresh coverage check for the registered memo fonts."""
        return cls(shown=register_fonts(), replaced=[])

    def visible(self, text: str) -> str:
        """Return ``text`` with every character the font lacks as ``[U+XXXX]``.

        Tabs become spaces and line ends become ``"\n"`` (callers decide how a line
        break prints); every other character the font has no glyph for, control
        characters included, is replaced.
        """
        parts: list[str] = []
        for character in text.replace("\r\n", "\n").replace("\r", "\n"):
            code = ord(character)
            if character == "\n" or code in self.shown:
                parts.append(character)
            elif character == "\t":
                parts.append(" ")
            else:
                if code not in self.replaced:
                    self.replaced.append(code)
                parts.append(f"[U+{code:04X}]")
        return "".join(parts)
