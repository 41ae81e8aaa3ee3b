"""Text of a PDF, laid out line by line with its indentation, in pure Python (pypdf).

The official MTCR Annex is a PDF whose structure (entry, sub-entry, note) is
carried largely by indentation, so the text must keep each line's left edge.
pypdf's own ``extraction_mode="layout"`` is not used: it converts x positions
to columns with a character width averaged *per page* and shifts every page so
that its leftmost text is column 0, so the same indentation lands on different
columns on different pages (measured: 24 vs 29 columns for one x position), and
a page that starts mid-list loses its indentation altogether.

Instead each piece of text is collected with its position (pypdf's text
visitor in plain mode, upright text only), pieces are grouped into lines by
their baseline, and every line is indented by its x position measured from the
leftmost text of the *whole document* in one document-wide unit (half the
median font size, about one average character). Pieces on one line are padded
to their own column, so a marker and the text after it stay apart like
``3.A.1.    Example ...``. Pages follow each other in order; page headers and
footers are left in (the Annex parser removes them).

Every failure is an :class:`InvalidInputError` with one line naming the
problem; no pypdf exception, log record or warning reaches the user.
"""

from __future__ import annotations

import io
import logging
import math
import statistics
import warnings
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass

from mtcr_desk.domain.errors import InvalidInputError

MAX_PDF_BYTES = 50 * 1024 * 1024
MAX_PAGES = 5_000
#: Indentation cap (columns), against text placed absurdly far right.
MAX_COLUMN = 400

NO_TEXT_MESSAGE = "contains no text; it may be a scanned image — import the text version instead"

# Typographic ligatures some PDF producers emit as one character.
_LIGATURES = str.maketrans({
    "\ufb00": "ff", "\ufb01": "fi", "\ufb02": "fl", "\ufb03": "ffi", "\ufb04": "ffl",
    "\ufb05": "st", "\ufb06": "st", "\u00a0": " ",
})


@dataclass(frozen=True)
class _Piece:
    page: int
    x: float
    y: float
    size: float
    text: str


def extract_pdf_text(data: bytes, *, source_name: str) -> str:
    """Return the text of a PDF, one printed line per line, indentation kept.

    Raise :class:`InvalidInputError` when the bytes are not a readable PDF with
    text: empty, too large, not a PDF, truncated or damaged, password-protected,
    or without any extractable text (a scanned image).
    """
    _check_envelope(data, source_name)
    with _quiet_pypdf():
        pieces = _read_pieces(data, source_name)
    if not any(piece.text.strip() for piece in pieces):
        raise InvalidInputError(f"{source_name}: {NO_TEXT_MESSAGE}")
    return _lay_out(pieces)


def _check_envelope(data: bytes, source_name: str) -> None:
    if not isinstance(data, bytes | bytearray | memoryview):
        raise InvalidInputError(f"{source_name}: expected the bytes of a PDF file")
    if len(data) == 0:
        raise InvalidInputError(f"{source_name}: the file is empty; not a PDF")
    if len(data) > MAX_PDF_BYTES:
        raise InvalidInputError(
            f"{source_name}: file too large ({len(data) / 1024 / 1024:.1f} MB; "
            f"at most {MAX_PDF_BYTES // 1024 // 1024} MB)"
        )
    head = bytes(data[:1024])
    if b"%PDF-" not in head:
        raise InvalidInputError(f"{source_name}: not a PDF file{_what_it_is(head)}")
    if b"%%EOF" not in bytes(data[-2048:]):
        raise InvalidInputError(
            f"{source_name}: truncated or damaged PDF (no end-of-file marker); "
            "copy or download the file again"
        )


def _what_it_is(head: bytes) -> str:
    """A short hint at what a non-PDF file is, for the refusal message."""
    signatures = (
        (b"PK\x03\x04", "a ZIP archive, or a Word or Excel file"),
        (b"\xd0\xcf\x11\xe0", "an old-style Office document"),
        (b"\x89PNG", "a PNG image"),
        (b"\xff\xd8\xff", "a JPEG image"),
        (b"II*\x00", "a TIFF image"),
        (b"MM\x00*", "a TIFF image"),
        (b"{\\rtf", "an RTF document"),
        (b"SQLite format 3", "an SQLite database"),
    )
    for signature, name in signatures:
        if head.startswith(signature):
            return f" (it is {name})"
    try:
        head.decode("utf-8")
    except UnicodeDecodeError:
        return " (no %PDF header)"
    return " (it looks like plain text; import it as text instead)"


@contextmanager
def _quiet_pypdf() -> Iterator[None]:
    """Silence pypdf's log records and warnings for the duration of the call."""
    logger = logging.getLogger("pypdf")
    old_level = logger.level
    logger.setLevel(logging.CRITICAL + 10)
    try:
        with warnings.catch_warnings():
            warnings.simplefilter("ignore")
            yield
    finally:
        logger.setLevel(old_level)


def _read_pieces(data: bytes, source_name: str) -> list[_Piece]:
    # Imported here so that merely importing the service costs nothing.
    from pypdf import PdfReader
    from pypdf.errors import DependencyError

    try:
        reader = PdfReader(io.BytesIO(bytes(data)), strict=False)
        if reader.is_encrypted:
            try:
                opened = reader.decrypt("")
            except DependencyError as error:
                raise InvalidInputError(
                    f"{source_name}: encrypted PDF (AES) that MTCR Desk cannot open; "
                    "save an unencrypted copy or import the text version instead"
                ) from error
            if not opened:
                raise InvalidInputError(
                    f"{source_name}: encrypted PDF (password-protected); "
                    "save an unprotected copy or import the text version instead"
                )
        count = len(reader.pages)
    except InvalidInputError:
        raise
    except Exception as error:  # noqa: BLE001 - any pypdf failure is a damaged file
        raise InvalidInputError(
            f"{source_name}: damaged PDF; it cannot be read ({_reason(error)})"
        ) from error
    if count == 0:
        raise InvalidInputError(f"{source_name}: the PDF has no pages")
    if count > MAX_PAGES:
        raise InvalidInputError(f"{source_name}: too many pages ({count}; at most {MAX_PAGES})")

    pieces: list[_Piece] = []
    for number in range(count):
        try:
            page = reader.pages[number]
            page_pieces: list[_Piece] = []

            def visit(text, cm, tm, _font, font_size, _page=number, _out=page_pieces):
                if text and text.strip():
                    _out.extend(_pieces_of(_page, text, cm, tm, font_size))

            page.extract_text(orientations=(0,), visitor_text=visit)
        except Exception as error:  # noqa: BLE001 - any pypdf failure is a damaged file
            raise InvalidInputError(
                f"{source_name}: damaged PDF; page {number + 1} cannot be read ({_reason(error)})"
            ) from error
        pieces.extend(page_pieces)
    return pieces


def _reason(error: Exception) -> str:
    text = " ".join(str(error).split())[:120]
    return f"{type(error).__name__}: {text}" if text else type(error).__name__


def _pieces_of(page: int, text: str, cm, tm, font_size) -> list[_Piece]:
    """The visitor's text at its place on the page (text matrix times CTM)."""
    try:
        a, b, c, d, e, f = (float(value) for value in _multiply(tm, cm))
        size = abs(float(font_size)) * math.hypot(c, d)
    except (TypeError, ValueError):
        return []
    if not (math.isfinite(e) and math.isfinite(f) and math.isfinite(size)):
        return []
    if size <= 0:
        size = abs(float(font_size or 0)) or 10.0
    text = text.translate(_LIGATURES).replace("\r", "\n")
    result = []
    # A visitor call normally carries one line; the rare call carrying more is
    # laid out line by line below the first at its own x.
    for index, line in enumerate(text.split("\n")):
        if line.strip():
            result.append(_Piece(page, e, f - index * size * 1.2, size, line))
    return result


def _multiply(m, n) -> tuple[float, ...]:
    """The product of two PDF matrices [a b c d e f] (m applied first)."""
    a1, b1, c1, d1, e1, f1 = (float(value) for value in m)
    a2, b2, c2, d2, e2, f2 = (float(value) for value in n)
    return (
        a1 * a2 + b1 * c2,
        a1 * b2 + b1 * d2,
        c1 * a2 + d1 * c2,
        c1 * b2 + d1 * d2,
        e1 * a2 + f1 * c2 + e2,
        e1 * b2 + f1 * d2 + f2,
    )


def _lay_out(pieces: list[_Piece]) -> str:
    """Group pieces into lines per page and indent them in one document-wide unit."""
    sizes = [piece.size for piece in pieces if piece.text.strip()]
    unit = max(statistics.median(sizes) * 0.5, 1.0)
    left = min(piece.x for piece in pieces)
    pages: dict[int, list[_Piece]] = {}
    for piece in pieces:
        pages.setdefault(piece.page, []).append(piece)

    out: list[str] = []
    for number in sorted(pages):
        lines: list[list[_Piece]] = []
        for piece in sorted(pages[number], key=lambda p: (-p.y, p.x)):
            if lines and abs(lines[-1][0].y - piece.y) <= 0.4 * max(piece.size, 1.0):
                lines[-1].append(piece)
            else:
                lines.append([piece])
        for line in lines:
            text = ""
            for piece in sorted(line, key=lambda p: p.x):
                column = min(max(0, round((piece.x - left) / unit)), MAX_COLUMN)
                words = piece.text.strip()
                if not text:
                    text = " " * column + words
                elif column > len(text):
                    text += " " * (column - len(text)) + words
                else:
                    text += " " + words
            out.append(text.rstrip())
    return "\n".join(out) + "\n"
