"""The briefing PDF's tables: column widths from their content, so that no figure is split across lines.

Each column gets at least the width of its widest unbreakable piece, measured with reportlab's ``stringWidth``
at the font and size the table is set in: in a number column every whole cell (a figure, a money amount, a
percentage, a low – high range); in a text column each short cell whole and the words of longer ones (text
wraps at spaces only); in every header its longest word, in bold (headers wrap at spaces only). What the frame
has left goes to the columns that would rather be wider (a header or a text on one line), in proportion to what
each lacks, as a browser lays out a table. A table whose least widths do not fit the portrait frame is set a
size smaller, then on a landscape page (:class:`Layout`), then smaller still until it fits; a text column that
wraps is first given room for about 40 characters a line, so that a long note does not become a narrow strip.

Cells that hold a machine path show its file name only (:func:`cell_text`). This module knows nothing of plans
or of :mod:`planner.report.document`, which calls :func:`layout` and :func:`pdf_table`.
"""

from __future__ import annotations

import html
import re
from dataclasses import dataclass
from pathlib import PurePosixPath, PureWindowsPath
from typing import Any

#: The fonts of the tables (registered by :func:`planner.report.document.render_pdf`).
FONT, BOLD = "DejaVuSans", "DejaVuSans-Bold"
#: Font sizes (pt) tried for a table, largest first, on a portrait page and then on a landscape one.
PORTRAIT_SIZES = (6.8, 6.2)
LANDSCAPE_SIZES = (6.8, 6.2, 5.6)
#: The smallest size a table is ever set in (only a table too wide for a landscape page at 5.6 pt gets there).
MIN_SIZE = 3.0
#: Left and right padding of a cell, pt.
PAD = 3.0
#: Allowance for rounding in the line breaker, pt: a measured piece always fits its column.
SLACK = 0.6
#: A text column that wraps is given at least this many ems (about 40 characters) where the page allows.
READ = 24.0
#: The page's margin left and right and the frame's own padding, pt (15 mm and 6 pt).
MARGIN, FRAME_PAD = 15 * 72 / 25.4, 6.0
#: A text cell up to this many characters is kept on one line where the page allows (``10 years``, ``0.10 s``).
SHORT = 16

_PATH = re.compile(r"(?:/|~/|[A-Za-z]:[\\/])\S*")


def cell_text(cell: str) -> str:
    """The text of a cell as the PDF shows it: a machine path (``/home/…/tiny.yaml``, ``C:\\…``) as its file name."""
    s = cell.strip()
    if _PATH.fullmatch(s):
        return (PureWindowsPath(s) if "\\" in s else PurePosixPath(s)).name or s
    return cell


@dataclass(frozen=True)
class Layout:
    """How a table is set: font size (pt), column widths (pt, padding included) and the page's orientation."""

    size: float
    widths: list[float]
    landscape: bool


def frame_widths() -> tuple[float, float]:
    """The width (pt) a table may take on a portrait and on a landscape A4 page."""
    from reportlab.lib.pagesizes import A4

    return A4[0] - 2 * (MARGIN + FRAME_PAD), A4[1] - 2 * (MARGIN + FRAME_PAD)


def _width(text: str, font: str, size: float) -> float:
    from reportlab.pdfbase.pdfmetrics import stringWidth

    return float(stringWidth(text, font, size))


def _pieces(cell: str, numeric: bool, whole_short: bool) -> list[str]:
    """The pieces of a cell that one line must hold: the whole cell (a number column's, or a short text), else its
    words."""
    if numeric or (whole_short and len(cell) <= SHORT):
        return [cell.strip()]
    return cell.split()


def column_limits(columns: list[str], rows: list[list[str]], numeric: list[bool], size: float,
                  whole_short: bool = True) -> tuple[list[float], list[float]]:
    """(least, natural) width of each column at ``size`` pt, padding included: least holds the widest unbreakable
    piece of any cell or of the header; natural holds each cell and the header on one line."""
    least, natural = [], []
    edge = 2 * PAD + SLACK
    for k, (head, num) in enumerate(zip(columns, numeric, strict=True)):
        cells = [cell_text(r[k]) for r in rows]
        lo = max([_width(w, BOLD, size) for w in head.split()]
                 + [_width(p, FONT, size) for c in cells for p in _pieces(c, num, whole_short)] + [0.0])
        hi = max([_width(head, BOLD, size)] + [_width(c.strip(), FONT, size) for c in cells])
        least.append(lo + edge)
        natural.append(max(lo, hi) + edge)
    return least, natural


def _share(least: list[float], natural: list[float], numeric: list[bool], total: float) -> list[float]:
    """Widths filling ``total`` (at least ``least``): first toward ``natural`` in proportion to what each column
    lacks; what is left over goes to the text columns (all columns if none is text), in proportion to their width."""
    room = total - sum(least)
    lack = [n - lo for lo, n in zip(least, natural, strict=True)]
    if room <= sum(lack):
        f = room / sum(lack) if sum(lack) > 0 else 0.0
        return [lo + f * d for lo, d in zip(least, lack, strict=True)]
    spare = total - sum(natural)
    takers = [not n for n in numeric] if not all(numeric) else [True] * len(numeric)
    base = sum(n for n, t in zip(natural, takers, strict=True) if t) or 1.0
    return [n + (spare * n / base if t else 0.0) for n, t in zip(natural, takers, strict=True)]


def layout(columns: list[str], rows: list[list[str]], numeric: list[bool], portrait_w: float,
           landscape_w: float) -> Layout:
    """The first setting that fits, of portrait at 6.8 then 6.2 pt and landscape at 6.8, 6.2 and 5.6 pt: first
    with each text column at least :data:`READ` ems wide (or its longest cell, if shorter), then with short texts
    whole, then wrapped at any space; failing all, landscape at smaller sizes until it fits."""
    tries = [(False, s) for s in PORTRAIT_SIZES] + [(True, s) for s in LANDSCAPE_SIZES]
    for comfortable, whole_short in ((True, True), (False, True), (False, False)):
        for landscape, size in tries:
            total = landscape_w if landscape else portrait_w
            least, natural = column_limits(columns, rows, numeric, size, whole_short)
            if comfortable:
                least = [lo if num else max(lo, min(hi, READ * size))
                         for lo, hi, num in zip(least, natural, numeric, strict=True)]
            if sum(least) <= total:
                return Layout(size, _share(least, natural, numeric, total), landscape)
    size = LANDSCAPE_SIZES[-1]
    while size > MIN_SIZE:
        size = max(round(size - 0.2, 1), MIN_SIZE)
        least, natural = column_limits(columns, rows, numeric, size, False)
        if sum(least) <= landscape_w:
            break
    return Layout(size, _share(least, natural, numeric, max(landscape_w, sum(least))), True)


def pdf_table(columns: list[str], rows: list[list[str]], numeric: list[bool], how: Layout) -> Any:
    """The reportlab table (header repeated on each page) set as ``how`` says; number columns right-aligned."""
    from reportlab.lib import colors
    from reportlab.lib.enums import TA_LEFT, TA_RIGHT
    from reportlab.lib.styles import ParagraphStyle
    from reportlab.platypus import Paragraph, TableStyle
    from reportlab.platypus import Table as RLTable

    leading = round(how.size * 1.2, 2)
    styles = [ParagraphStyle(f"cell{k}", fontName=FONT, fontSize=how.size, leading=leading,
                             alignment=TA_RIGHT if n else TA_LEFT, splitLongWords=0) for k, n in enumerate(numeric)]
    data = [[Paragraph(f"<b>{html.escape(c)}</b>", styles[k]) for k, c in enumerate(columns)]]
    data += [[Paragraph(html.escape(cell_text(c)), styles[k]) for k, c in enumerate(r)] for r in rows]
    t = RLTable(data, colWidths=how.widths, repeatRows=1, hAlign="LEFT")
    t.setStyle(TableStyle([("BACKGROUND", (0, 0), (-1, 0), colors.HexColor("#eef2f6")),
                           ("LINEBELOW", (0, 0), (-1, -1), 0.25, colors.HexColor("#cccccc")),
                           ("VALIGN", (0, 0), (-1, -1), "TOP"),
                           ("LEFTPADDING", (0, 0), (-1, -1), PAD), ("RIGHTPADDING", (0, 0), (-1, -1), PAD),
                           ("TOPPADDING", (0, 0), (-1, -1), 1), ("BOTTOMPADDING", (0, 0), (-1, -1), 1)]))
    return t
