"""The class overview of the training sandbox as a PDF: trainees × scenarios, latest and best.

Like the memo, it takes plain values (never the database), embeds DejaVu Sans and
is rendered in reportlab's invariant mode; every page carries TRAINING.
"""

from __future__ import annotations

import io
from collections.abc import Mapping, Sequence
from xml.sax.saxutils import escape

from reportlab.lib import colors
from reportlab.lib.pagesizes import A4, landscape
from reportlab.lib.styles import ParagraphStyle
from reportlab.lib.units import mm
from reportlab.platypus import Paragraph, SimpleDocTemplate, Spacer, Table, TableStyle

from mtcr_desk import APP_NAME, __version__
from mtcr_desk.reports.fonts import BOLD, REGULAR, register_fonts


def _percent(value: float | None) -> str:
    return "—" if value is None else f"{value:.1f} %"


def render_class_report(cells: Sequence, scenario_titles: Mapping[str, str]) -> bytes:
    """Render the overview cells (``services.training.OverviewCell``) as PDF bytes."""
    register_fonts()
    body = ParagraphStyle("body", fontName=REGULAR, fontSize=9, leading=12)
    heading = ParagraphStyle("heading", fontName=BOLD, fontSize=16, leading=20,
                             spaceAfter=4 * mm)
    buffer = io.BytesIO()
    document = SimpleDocTemplate(
        buffer, pagesize=landscape(A4), leftMargin=18 * mm, rightMargin=18 * mm,
        topMargin=18 * mm, bottomMargin=18 * mm, invariant=1,
        title="Training class overview", author=APP_NAME,
        creator=f"{APP_NAME} {__version__}", subject="TRAINING")
    rows = [[Paragraph(f"<b>{label}</b>", body) for label in
             ("Trainee", "Scenario", "Attempts", "Submitted", "Latest", "Best")]]
    for cell in cells:
        title = scenario_titles.get(cell.scenario_id, "")
        rows.append([Paragraph(escape(cell.trainee), body),
                     Paragraph(escape(f"{cell.scenario_id} {title}".strip()), body),
                     str(cell.attempts), str(cell.submitted),
                     _percent(cell.latest), _percent(cell.best)])
    if len(rows) == 1:
        rows.append([Paragraph("No attempts yet.", body), "", "", "", "", ""])
    table = Table(rows, colWidths=[45 * mm, 120 * mm, 22 * mm, 24 * mm, 24 * mm, 24 * mm],
                  repeatRows=1)
    table.setStyle(TableStyle([
        ("FONTNAME", (0, 0), (-1, -1), REGULAR),
        ("FONTSIZE", (0, 0), (-1, -1), 9),
        ("BACKGROUND", (0, 0), (-1, 0), colors.HexColor("#e8edf3")),
        ("GRID", (0, 0), (-1, -1), 0.4, colors.HexColor("#b8c2cc")),
        ("VALIGN", (0, 0), (-1, -1), "TOP"),
        ("ALIGN", (2, 1), (-1, -1), "RIGHT"),
    ]))

    def mark_training(canvas, doc) -> None:
        canvas.saveState()
        canvas.setFont(BOLD, 10)
        canvas.setFillColor(colors.HexColor("#b45309"))
        canvas.drawString(18 * mm, landscape(A4)[1] - 11 * mm, "TRAINING — not a licensing record")
        canvas.setFont(REGULAR, 8)
        canvas.setFillColor(colors.black)
        canvas.drawRightString(landscape(A4)[0] - 18 * mm, 10 * mm, f"Page {doc.page}")
        canvas.restoreState()

    document.build([Paragraph("Training class overview", heading),
                    Paragraph("Latest and best score of each trainee on each scenario, as "
                              "percentages of the model answer's points.", body),
                    Spacer(1, 4 * mm), table],
                   onFirstPage=mark_training, onLaterPages=mark_training)
    return buffer.getvalue()
