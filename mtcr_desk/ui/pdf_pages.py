"""PDF pages as images, for the memo preview and for printing.

QtPdf (PySide6_Pdf) would do this, but it is published only for PySide6 6.12,
which this project cannot use yet (see pyproject.toml). PDFium through pypdfium2
renders the same pages: each page is rasterised on white and handed to Qt as a
QImage that owns its pixels.
"""

from __future__ import annotations

import pypdfium2
from PySide6.QtGui import QImage

#: PDF coordinates are in points: 72 to the inch.
POINTS_PER_INCH = 72.0


def page_count(pdf: bytes) -> int:
    """Return the number of pages of a PDF."""
    document = pypdfium2.PdfDocument(pdf)
    try:
        return len(document)
    finally:
        document.close()


def first_page_size(pdf: bytes) -> tuple[float, float]:
    """Width and height of the first page, in points (the paper the PDF was made for)."""
    document = pypdfium2.PdfDocument(pdf)
    try:
        width, height = document[0].get_size()
        return float(width), float(height)
    finally:
        document.close()


def render_pages(pdf: bytes, *, dpi: float, first: int = 0,
                 last: int | None = None) -> list[QImage]:
    """Rasterise pages ``first``..``last`` (inclusive, 0-based; default all) at ``dpi``."""
    document = pypdfium2.PdfDocument(pdf)
    try:
        end = len(document) - 1 if last is None else min(last, len(document) - 1)
        images = []
        for index in range(first, end + 1):
            page = document[index]
            try:
                bitmap = page.render(scale=dpi / POINTS_PER_INCH, prefer_bgrx=True,
                                     fill_color=(255, 255, 255, 255))
                # BGRx bytes are Qt's RGB32 on little-endian machines; copy() so the
                # image owns its pixels once PDFium's bitmap is freed.
                image = QImage(bitmap.buffer, bitmap.width, bitmap.height, bitmap.stride,
                               QImage.Format.Format_RGB32).copy()
                image.setDotsPerMeterX(round(dpi / 0.0254))
                image.setDotsPerMeterY(round(dpi / 0.0254))
                images.append(image)
                bitmap.close()
            finally:
                page.close()
        return images
    finally:
        document.close()
