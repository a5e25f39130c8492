"""A briefing document: sections of paragraphs, bullet lists, tables and figures, rendered to one
self-contained HTML page (:func:`render_html`, pictures inlined) and to an A4 PDF (:func:`render_pdf`, reportlab:
no browser). The content is built by :mod:`planner.report.brief`; this module knows nothing of plans.

Text blocks take two bits of markup, ``**bold**`` and ```code```; everything else is escaped.
"""

from __future__ import annotations

import base64
import functools
import html
import io
import re
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from planner.report import marking_colour

#: Longest side, in pixels, of the pictures inlined into the HTML and PDF (the full-resolution files sit beside).
INLINE_MAX_PX = 1600


@dataclass
class Table:
    caption: str
    columns: list[str]
    rows: list[list[str]]
    note: str = ""
    numeric: list[bool] | None = None  # right-align these columns (default: guessed from the first row)


@dataclass
class Figure:
    caption: str
    image: Path  # full-resolution PNG
    links: list[Path] = field(default_factory=list)  # the same picture in other formats, beside the report


@dataclass
class Section:
    title: str
    anchor: str
    blocks: list[str | Table | Figure | list[str]] = field(default_factory=list)  # str: a paragraph; list: bullets


@dataclass
class Briefing:
    title: str
    subtitle: str
    marking: str
    bluf: list[str]
    sections: list[Section]
    links: list[tuple[str, str]] = field(default_factory=list)  # (label, relative path)


def _inline_markup(text: str) -> str:
    """Escape, then **bold** and `code` (the only markup the briefing's text uses)."""
    t = html.escape(text, quote=False)
    t = re.sub(r"\*\*(.+?)\*\*", r"<b>\1</b>", t)
    return re.sub(r"`(.+?)`", r"<code>\1</code>", t)


@functools.lru_cache(maxsize=64)
def _small_image(path: Path, fmt: str = "PNG", max_px: int = INLINE_MAX_PX) -> tuple[bytes, str]:
    """The picture scaled to ``max_px`` on its longest side: a 256-colour PNG for the HTML (maps and charts are
    flat colours and text, which stay crisp) or a JPEG for the PDF (embedded as it is, small and fast)."""
    from PIL import Image

    with Image.open(path) as im:
        im = im.convert("RGB")
        im.thumbnail((max_px, max_px), Image.LANCZOS, reducing_gap=2.0)
        buf = io.BytesIO()
        if fmt == "PNG":
            im.quantize(256, method=Image.Quantize.FASTOCTREE).save(buf, format="PNG")
        else:
            im.save(buf, format="JPEG", quality=90)
    return buf.getvalue(), f"image/{fmt.lower()}"


def _is_numeric(cell: str) -> bool:
    return bool(re.fullmatch(r"[-+−]?€?[\d,.]+(%|bn|M|k)?|n/a", cell.strip()))


def _numeric(t: Table) -> list[bool]:
    """Which columns hold numbers (right-aligned, never wrapped): as the table says, else guessed from its first row."""
    return t.numeric or [_is_numeric(c) for c in (t.rows[0] if t.rows else t.columns)]


_NUM = {True: ' class="n"', False: ""}  # numbers are right-aligned


def render_html(b: Briefing, folder: Path) -> str:
    """The briefing as one self-contained HTML page (pictures inlined; links point to files beside it)."""
    toc = "".join(f'<li><a href="#{s.anchor}">{html.escape(s.title)}</a></li>' for s in b.sections)
    parts = ['<section id="bluf"><h2>Bottom line up front</h2><ul class="bluf">'
             + "".join(f"<li>{_inline_markup(x)}</li>" for x in b.bluf) + "</ul></section>"]
    fig_no = tab_no = 0
    for s in b.sections:
        body = []
        for block in s.blocks:
            if isinstance(block, str):
                body.append(f"<p>{_inline_markup(block)}</p>")
            elif isinstance(block, list):
                body.append("<ul>" + "".join(f"<li>{_inline_markup(x)}</li>" for x in block) + "</ul>")
            elif isinstance(block, Figure):
                fig_no += 1
                data, mime = _small_image(block.image)
                rel = [p.relative_to(folder).as_posix() for p in (block.image, *block.links) if p.is_relative_to(folder)]
                links = " · ".join(f'<a href="{html.escape(r)}">{html.escape(Path(r).suffix[1:].upper())}</a>'
                                   for r in rel)
                body.append(f'<figure><img src="data:{mime};base64,{base64.b64encode(data).decode()}" '
                            f'alt="{html.escape(block.caption)}"><figcaption>Figure {fig_no}. '
                            f'{html.escape(block.caption)}{" (" + links + ")" if links else ""}</figcaption></figure>')
            else:
                tab_no += 1
                num = _numeric(block)
                head = "".join(f'<th{_NUM[n]}>{html.escape(c)}</th>' for c, n in zip(block.columns, num, strict=True))
                rows = "".join("<tr>" + "".join(f"<td{_NUM[n]}>{html.escape(c)}</td>" for c, n in zip(r, num, strict=True))
                               + "</tr>" for r in block.rows)
                note = f'<p class="note">{_inline_markup(block.note)}</p>' if block.note else ""
                body.append(f'<div class="table"><table><caption>Table {tab_no}. {html.escape(block.caption)}</caption>'
                            f"<thead><tr>{head}</tr></thead><tbody>{rows}</tbody></table>{note}</div>")
        parts.append(f'<section id="{s.anchor}"><h2>{html.escape(s.title)}</h2>{"".join(body)}</section>')
    links = "".join(f' · <a href="{html.escape(href)}">{html.escape(label)}</a>' for label, href in b.links)
    marking = html.escape(b.marking)
    colour = marking_colour(b.marking)
    return _PAGE.format(title=html.escape(b.title), subtitle=html.escape(b.subtitle), marking=marking, colour=colour,
                        toc=toc, links=links, body="\n".join(parts), css=_PAGE_CSS,
                        print_css=_print_css(b.marking, colour))


def _print_css(marking: str, colour: str) -> str:
    """Page margin boxes that carry the marking on every printed page (Chromium 131 and later)."""
    text = '"' + re.sub(r'["\\<\n]', lambda m: f"\\{ord(m.group()):x} ", marking) + '"'
    box = (f"content: {text}; background: {colour}; color: #fff; font: bold 9pt 'DejaVu Sans', Arial, sans-serif; "
           "width: 100%; -webkit-print-color-adjust: exact; print-color-adjust: exact;")
    return f"@page {{ size: A4; margin: 16mm 12mm; @top-center {{ {box} }} @bottom-center {{ {box} }} }}"


_PAGE = """<!doctype html>
<html lang="en">
<head>
<meta charset="utf-8">
<meta name="viewport" content="width=device-width, initial-scale=1">
<meta name="generator" content="dronewall">
<title>{title}</title>
<style>{css}</style>
<style>{print_css}</style>
</head>
<body>
<div class="marking top" style="background:{colour}">{marking}</div>
<main>
<header><h1>{title}</h1><p class="subtitle">{subtitle}</p>
<nav><b>Contents:</b> <a href="#bluf">Bottom line up front</a><ol>{toc}</ol>{links}</nav></header>
{body}
</main>
<div class="marking bottom" style="background:{colour}">{marking}</div>
</body>
</html>
"""

_PAGE_CSS = """
body { margin: 0; font-family: "DejaVu Sans", "Helvetica Neue", Arial, sans-serif; color: #1b1b1b; line-height: 1.45;
       font-size: 15px; background: #fff; }
main { max-width: 1080px; margin: 0 auto; padding: 2.4em 1.2em 3em 1.2em; }
.marking { position: fixed; left: 0; right: 0; color: #fff; text-align: center; font-weight: bold; padding: 3px;
           font-size: 13px; letter-spacing: .05em; z-index: 10; }
.marking.top { top: 0; } .marking.bottom { bottom: 0; }
h1 { font-size: 1.6em; margin: .3em 0 .1em 0; } h2 { border-bottom: 2px solid #1b1b1b; padding-bottom: .1em; margin-top: 1.6em; }
.subtitle { font-size: 1.05em; color: #333; margin-top: 0; }
nav { font-size: .9em; } nav ol { display: inline; padding: 0; } nav li { display: inline; margin-left: .8em; }
.bluf li { margin-bottom: .6em; }
figure { margin: 1.2em 0; page-break-inside: avoid; } figure img { max-width: 100%; height: auto; border: 1px solid #ccc; }
figcaption { font-size: .9em; color: #333; }
.table { overflow-x: auto; margin: 1em 0 1.4em 0; }
table { border-collapse: collapse; font-size: .82em; width: 100%; }
caption { text-align: left; font-weight: bold; padding-bottom: .3em; }
th, td { border-bottom: 1px solid #ccc; padding: 2px 6px; vertical-align: top; text-align: left; }
th { background: #eef2f6; } td.n, th.n { text-align: right; white-space: nowrap; }
.note { font-size: .85em; color: #444; margin-top: .3em; }
code { background: #f2f2f2; padding: 0 .2em; }
/* Print (Chromium): the marking in the top and bottom margin of every page, never over the text; a figure
   stays with its caption, tables wrap to the page. */
@media print {
  .marking { display: none; }
  main { max-width: none; padding: 0; } a { color: inherit; }
  figure { break-inside: avoid; } figure img { max-height: 225mm; width: auto; }
  .table { overflow: visible; } table { font-size: 7.5pt; } td, th { overflow-wrap: anywhere; }
  tr, caption { break-inside: avoid; } caption, h2 { break-after: avoid; }
}
"""


def render_pdf(b: Briefing, path: Path) -> Path:
    """The briefing as an A4 PDF (reportlab; DejaVu fonts from matplotlib for €, ≤ and the like). Tables are laid
    out by :mod:`planner.report.pdf_tables` (columns as wide as their widest figure; a table too wide for a
    portrait page is set smaller or on landscape pages)."""
    from matplotlib import font_manager
    from reportlab.lib import colors
    from reportlab.lib.enums import TA_CENTER
    from reportlab.lib.pagesizes import A4, landscape
    from reportlab.lib.styles import ParagraphStyle, getSampleStyleSheet
    from reportlab.lib.units import mm
    from reportlab.pdfbase import pdfmetrics
    from reportlab.pdfbase.ttfonts import TTFont
    from reportlab.platypus import (
        BaseDocTemplate,
        Frame,
        Image,
        KeepTogether,
        ListFlowable,
        ListItem,
        NextPageTemplate,
        PageBreak,
        PageTemplate,
        Paragraph,
        Spacer,
    )

    from planner.report.pdf_tables import FRAME_PAD, MARGIN, frame_widths, layout, pdf_table

    for name, weight in (("DejaVuSans", "normal"), ("DejaVuSans-Bold", "bold")):
        if name not in pdfmetrics.getRegisteredFontNames():
            pdfmetrics.registerFont(TTFont(name, font_manager.findfont(
                font_manager.FontProperties(family="DejaVu Sans", weight=weight), fallback_to_default=False)))
    pdfmetrics.registerFontFamily("DejaVuSans", normal="DejaVuSans", bold="DejaVuSans-Bold",
                                  italic="DejaVuSans", boldItalic="DejaVuSans-Bold")
    ss = getSampleStyleSheet()
    body = ParagraphStyle("body", parent=ss["BodyText"], fontName="DejaVuSans", fontSize=9.5, leading=12.5)
    h1 = ParagraphStyle("h1", parent=ss["Title"], fontName="DejaVuSans-Bold", fontSize=16, leading=20)
    h2 = ParagraphStyle("h2", parent=ss["Heading2"], fontName="DejaVuSans-Bold", fontSize=13, spaceBefore=10,
                        keepWithNext=1)
    cap = ParagraphStyle("cap", parent=body, fontSize=8.5, leading=10.5, textColor=colors.HexColor("#333333"))
    sub = ParagraphStyle("sub", parent=body, alignment=TA_CENTER)

    def markup(text: str) -> str:
        return re.sub(r"<code>(.+?)</code>", r'<font face="Courier">\1</font>', _inline_markup(text))

    colour = colors.HexColor(marking_colour(b.marking))
    margin, pad = MARGIN, FRAME_PAD  # page margin left and right; the frame's own padding

    def template(name: str, width: float, height: float) -> Any:
        def page(canvas: Any, doc: Any) -> None:
            canvas.saveState()
            for y in (height - 9 * mm, 3 * mm):
                canvas.setFillColor(colour)
                canvas.rect(0, y, width, 6 * mm, stroke=0, fill=1)
                canvas.setFillColor(colors.white)
                canvas.setFont("DejaVuSans-Bold", 9)
                canvas.drawCentredString(width / 2, y + 1.8 * mm, b.marking)
            canvas.setFillColor(colors.HexColor("#444444"))
            canvas.setFont("DejaVuSans", 7)
            canvas.drawRightString(width - margin, 11 * mm, f"{b.title} · page {doc.page}")
            canvas.restoreState()

        frame = Frame(margin, 17 * mm, width - 2 * margin, height - 33 * mm, leftPadding=pad, rightPadding=pad,
                      topPadding=pad, bottomPadding=pad, id=name)
        return PageTemplate(id=name, frames=[frame], onPage=page, pagesize=(width, height))

    width, height = A4
    frame_w, wide_w = frame_widths()
    flow: list[Any] = [Paragraph(html.escape(b.title), h1), Paragraph(html.escape(b.subtitle), sub), Spacer(1, 6),
                       Paragraph("Bottom line up front", h2),
                       ListFlowable([ListItem(Paragraph(markup(x), body), leftIndent=10) for x in b.bluf],
                                    bulletType="bullet", start="•", leftIndent=10)]
    counter = {"figure": 0, "table": 0}
    state = {"landscape": False}

    def turn(wide: bool) -> None:
        """Go on a new page of the other orientation, unless on one of that orientation already."""
        if state["landscape"] != wide:
            flow.extend([NextPageTemplate("landscape" if wide else "portrait"), PageBreak()])
            state["landscape"] = wide

    def flowables(block: str | list[str] | Figure | Table) -> list[Any]:
        if isinstance(block, str):
            return [Paragraph(markup(block), body)]
        if isinstance(block, list):
            return [ListFlowable([ListItem(Paragraph(markup(x), body)) for x in block], bulletType="bullet")]
        if isinstance(block, Figure):
            counter["figure"] += 1
            data, _ = _small_image(block.image, "JPEG")
            img = Image(io.BytesIO(data))
            scale = min(frame_w / img.imageWidth, (height - 80 * mm) / img.imageHeight)  # room for a heading
            img.drawWidth, img.drawHeight = img.imageWidth * scale, img.imageHeight * scale
            return [img, Paragraph(f"Figure {counter['figure']}. {html.escape(block.caption)}", cap), Spacer(1, 6)]
        counter["table"] += 1
        out = [Paragraph(f"<b>Table {counter['table']}.</b> {html.escape(block.caption)}", cap),
               pdf_table(block.columns, block.rows, _numeric(block), layouts[id(block)])]
        return out + ([Paragraph(markup(block.note), cap)] if block.note else []) + [Spacer(1, 8)]

    layouts = {id(t): layout(t.columns, t.rows, _numeric(t), frame_w, wide_w)
               for s in b.sections for t in s.blocks if isinstance(t, Table)}
    for s in b.sections:
        # a section starts on a portrait page (sources on a new one)
        if state["landscape"]:
            turn(False)
        else:
            flow.append(PageBreak() if s.anchor == "sources" else Spacer(1, 8))
        # a heading (and the text under it) stays on the page of the section's first figure or table; a
        # figure stays with its caption, a table with its caption (a long table still splits, header repeated);
        # a figure goes on a portrait page, a table too wide for one on landscape pages (the tables after it too)
        lead: list[Any] | None = [Paragraph(html.escape(s.title), h2)]
        for block in s.blocks:
            if isinstance(block, Figure):
                turn(False)
            elif isinstance(block, Table) and layouts[id(block)].landscape:
                turn(True)
            items = flowables(block)
            if lead is not None and isinstance(block, str | list):
                lead += items
                continue
            flow.append(KeepTogether((lead or []) + items) if isinstance(block, Figure | Table) else items[0])
            lead = None
        flow += lead or []
    # the paragraphs that introduce a list (a section's heading and text, a nation's name over its lines: up to three)
    # never end a page without it
    kept: list[Any] = []
    for item in flow:
        lead_in = 0
        while isinstance(item, ListFlowable) and lead_in < 3 and len(kept) > lead_in \
                and isinstance(kept[-1 - lead_in], Paragraph):
            lead_in += 1
        if lead_in:
            kept[-lead_in:] = [KeepTogether([*kept[-lead_in:], item])]
        else:
            kept.append(item)
    flow = kept
    doc = BaseDocTemplate(str(path), pagesize=A4, leftMargin=margin, rightMargin=margin, topMargin=16 * mm,
                          bottomMargin=17 * mm, title=b.title, author="dronewall", subject=b.subtitle,
                          pageTemplates=[template("portrait", width, height),
                                         template("landscape", *landscape(A4))])
    doc.build(flow)
    return Path(path)
