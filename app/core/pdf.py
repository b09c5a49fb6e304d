"""Korean PDF documents: a title, headings, paragraphs and tables, typeset in 나눔고딕.

The fonts ship in ``app/fonts`` (SIL OFL 1.1, see its README) and are embedded as subsets,
so a document reads the same on a machine without Korean fonts. They are registered with
ReportLab once per process. ``invariant`` output leaves out the creation time and the random
document id: the same content gives the same bytes, so a document's SHA-256 says what it holds.
"""
from __future__ import annotations

import io
import threading
from pathlib import Path
from types import SimpleNamespace
from xml.sax.saxutils import escape

FONT_DIR = Path(__file__).resolve().parent.parent / "fonts"
FONT = "NanumGothic"
FONT_BOLD = "NanumGothicBold"

_lock = threading.Lock()
_registered = False


def _rl() -> SimpleNamespace:
    """ReportLab's names, imported on the first document: a process that never typesets one
    (most web requests) does not carry its ~7 MB."""
    from reportlab.lib import colors
    from reportlab.lib.pagesizes import A4
    from reportlab.lib.styles import ParagraphStyle
    from reportlab.lib.units import mm
    from reportlab.pdfbase import pdfmetrics
    from reportlab.pdfbase.ttfonts import TTFont
    from reportlab.platypus import Paragraph, SimpleDocTemplate, Spacer, Table, TableStyle

    return SimpleNamespace(colors=colors, A4=A4, ParagraphStyle=ParagraphStyle, mm=mm, pdfmetrics=pdfmetrics,
                           TTFont=TTFont, Paragraph=Paragraph, SimpleDocTemplate=SimpleDocTemplate, Spacer=Spacer,
                           Table=Table, TableStyle=TableStyle)


def register_fonts() -> None:
    """Register the Korean fonts with ReportLab, once."""
    global _registered
    with _lock:
        if _registered:
            return
        rl = _rl()
        pdfmetrics, TTFont = rl.pdfmetrics, rl.TTFont
        pdfmetrics.registerFont(TTFont(FONT, str(FONT_DIR / "NanumGothic.ttf")))
        pdfmetrics.registerFont(TTFont(FONT_BOLD, str(FONT_DIR / "NanumGothicBold.ttf")))
        pdfmetrics.registerFontFamily(FONT, normal=FONT, bold=FONT_BOLD, italic=FONT, boldItalic=FONT_BOLD)
        _registered = True


def _styles() -> dict:
    rl = _rl()
    ParagraphStyle, mm = rl.ParagraphStyle, rl.mm
    # Korean wraps between any two syllables; wordWrap="CJK" lets a long line break there.
    body = ParagraphStyle("body", fontName=FONT, fontSize=10, leading=15, wordWrap="CJK")
    return {
        "title": ParagraphStyle("title", parent=body, fontName=FONT_BOLD, fontSize=16, leading=22,
                                alignment=1, spaceAfter=6 * mm),
        "heading": ParagraphStyle("heading", parent=body, fontName=FONT_BOLD, fontSize=12, leading=17,
                                  spaceBefore=4 * mm, spaceAfter=2 * mm),
        "body": body,
        "cell": ParagraphStyle("cell", parent=body, fontSize=9, leading=13),
        "cell_head": ParagraphStyle("cell_head", parent=body, fontName=FONT_BOLD, fontSize=9, leading=13),
    }


def _text(value) -> str:
    """Plain text for a Paragraph, whose input is a small markup language: nothing in it is markup."""
    return escape("" if value is None else str(value)).replace("\n", "<br/>")


class KoreanDocument:
    """Build a document piece by piece, then ``render()`` it to PDF bytes."""

    def __init__(self, title: str, *, subject: str = "", author: str = ""):
        register_fonts()
        self.title = title
        self.subject = subject
        self.author = author
        self.styles = _styles()
        self.rl = _rl()
        self.flow: list = [self.rl.Paragraph(_text(title), self.styles["title"])]

    def heading(self, text: str) -> "KoreanDocument":
        self.flow.append(self.rl.Paragraph(_text(text), self.styles["heading"]))
        return self

    def paragraph(self, text: str) -> "KoreanDocument":
        self.flow.append(self.rl.Paragraph(_text(text), self.styles["body"]))
        self.flow.append(self.rl.Spacer(1, 1.5 * self.rl.mm))
        return self

    def table(self, rows: list[list], *, header: bool = True, widths: list[float] | None = None) -> "KoreanDocument":
        """A grid of plain values; the first row is the header when ``header``; ``widths`` are
        fractions of the text width."""
        if not rows:
            return self
        rl = self.rl
        Paragraph, Table, TableStyle, Spacer, colors, mm = rl.Paragraph, rl.Table, rl.TableStyle, rl.Spacer, rl.colors, rl.mm
        usable = rl.A4[0] - 40 * mm
        cells = [[Paragraph(_text(v), self.styles["cell_head" if header and i == 0 else "cell"]) for v in row]
                 for i, row in enumerate(rows)]
        col_widths = [usable * w for w in widths] if widths else None
        table = Table(cells, colWidths=col_widths, repeatRows=1 if header else 0)
        style = [("GRID", (0, 0), (-1, -1), 0.5, colors.grey), ("VALIGN", (0, 0), (-1, -1), "TOP")]
        if header:
            style.append(("BACKGROUND", (0, 0), (-1, 0), colors.Color(0.92, 0.92, 0.92)))
        table.setStyle(TableStyle(style))
        self.flow.append(table)
        self.flow.append(Spacer(1, 3 * mm))
        return self

    def render(self) -> bytes:
        out = io.BytesIO()
        A4, mm = self.rl.A4, self.rl.mm
        doc = self.rl.SimpleDocTemplate(out, pagesize=A4, leftMargin=20 * mm, rightMargin=20 * mm, topMargin=20 * mm,
                                bottomMargin=20 * mm, title=self.title, subject=self.subject, author=self.author,
                                invariant=1)
        doc.build(self.flow, onFirstPage=self._page_number, onLaterPages=self._page_number)
        return out.getvalue()

    @staticmethod
    def _page_number(canvas, doc) -> None:
        canvas.saveState()
        canvas.setFont(FONT, 8)
        rl = _rl()
        canvas.drawCentredString(rl.A4[0] / 2, 10 * rl.mm, f"- {doc.page} -")
        canvas.restoreState()
