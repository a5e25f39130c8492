"""The briefing's PDF as a reader gets it: the text pdftotext extracts holds every figure (and every word) of every
table whole, on one line, where the old layout had split them (``€202.⏎4M``, a border's 57 km as ``5⏎7``, headers
letter by letter); a table too wide for a portrait page is set on landscape pages; no machine path is shown.

The expected figures come from the same tables the PDF is made from (the briefing built from the run folder),
never typed in here."""

from __future__ import annotations

import re
import shutil
import subprocess
from collections import Counter
from pathlib import Path

import pytest

from planner.report.brief import build_briefing, load_run, write_briefing
from planner.report.document import Briefing, Section, Table, render_pdf
from planner.report.pdf_tables import PAD, cell_text, frame_widths, layout
from tests.conftest import ROOT

PDFTOTEXT = shutil.which("pdftotext")
pytestmark = pytest.mark.skipif(PDFTOTEXT is None, reason="pdftotext (poppler-utils) is not installed: the PDF's "
                                                          "text cannot be extracted (apt-get install poppler-utils)")


def pdf_text(path: Path) -> str:
    """The PDF's text as pdftotext lays it out (-layout: one line of the page, one line of text)."""
    assert PDFTOTEXT is not None
    return subprocess.run([PDFTOTEXT, "-layout", "-enc", "UTF-8", str(path), "-"], check=True, capture_output=True,
                          text=True).stdout


def briefing_tables(b: Briefing) -> list[Table]:
    return [block for s in b.sections for block in s.blocks if isinstance(block, Table)]


def whole(piece: str) -> re.Pattern[str]:
    """``piece`` standing whole in the text: not run on by a letter or a digit on either side (pdftotext may drop
    a narrow space, as in ``1–4``, so a neighbour's dash or bracket may touch it), nor by more digits after a
    decimal point or a thousands separator. A line break or a space inside it leaves it unmatched."""
    left = r"(?<![\w.,])" if piece[0].isalnum() else ""
    right = r"(?!\w)(?![.,]\d)" if piece[-1].isalnum() else ""
    return re.compile(left + re.escape(piece) + right)


def broken_pieces(text: str, tables: list[Table], figures_only: bool) -> list[str]:
    """What of each table is not whole in ``text``: each table's part of the text runs from its caption ("Table N.")
    to the next one; every whitespace-free piece of each cell and header (as the PDF shows it: file names for paths)
    must stand there whole (:func:`whole`) as often as the table has it. A figure split by a line break or a space
    is missing. ``figures_only``: only the pieces holding a digit."""
    starts, at = [], 0
    for n in range(1, len(tables) + 1):
        at = text.index(f"Table {n}. ", at)
        starts.append(at)
    missing = []
    for n, (t, start, end) in enumerate(zip(tables, starts, [*starts[1:], len(text)], strict=True), start=1):
        part = text[start:end]
        want = Counter(p for cell in [*t.columns, *(cell_text(c) for r in t.rows for c in r)] for p in cell.split()
                       if not figures_only or re.search(r"\d", p))
        for p, k in want.items():
            found = len(whole(p).findall(part))
            if found < k:
                missing.append(f"table {n} ({t.caption[:40]}…): {p!r} {k}× in the table, {found}× whole in the text")
    return missing


@pytest.fixture(scope="module")
def briefed(tmp_path_factory: pytest.TempPathFactory, tiny_briefed_run: Path) -> tuple[Path, str, Briefing]:
    """The tiny plan with a stress test, frontier, premium and simulation (tests/conftest.py, shared), its
    briefing written at 72 dpi (the maps and charts do not matter here), the PDF's text and the briefing's content."""
    out, root = tiny_briefed_run, tmp_path_factory.mktemp("brief_pdf")  # the run is shared with tests/test_brief.py
    write_briefing(out, root / "brief", analyses=(out.parent / "premium",), dpi=72)
    # the same content as the PDF's: the tables need only the run folder (no maps, no charts)
    briefing = build_briefing(load_run(out, (out.parent / "premium",)), [], [])
    return out.parent, pdf_text(root / "brief" / "briefing.pdf"), briefing


def test_every_table_figure_is_whole(briefed: tuple[Path, str, Briefing]) -> None:
    _, text, briefing = briefed
    tables = briefing_tables(briefing)
    assert len(tables) >= 12  # the plan's, the analyses', the sources and the manifest
    figures = sum(1 for t in tables for r in t.rows for c in r for p in c.split() if re.search(r"\d", p))
    assert figures > 500
    assert not broken_pieces(text, tables, figures_only=True), "\n".join(broken_pieces(text, tables, True))
    # headers and text break at spaces only, never inside a word
    assert not broken_pieces(text, tables, figures_only=False), "\n".join(broken_pieces(text, tables, False))


def test_figures_are_for_people_and_paths_are_file_names(briefed: tuple[Path, str, Briefing]) -> None:
    root, text, briefing = briefed
    assert not re.search(r"\d\.?\d*e[+-]\d\d", text), "a figure in scientific notation"
    cells = [c for t in briefing_tables(briefing) for r in t.rows for c in r]
    # catalog figures of 1,000 and more carry thousands separators (1,500, not 1500)
    assert not [c for c in cells if re.fullmatch(r"\d{4,}(\.\d+)?", c)]
    assert str(root) not in text and str(ROOT) not in text
    assert "tiny.yaml" in text and "threats.yaml" in text


def _wide_table() -> Table:
    """A table made to be too wide for a portrait page: a long text column and ten columns of long money figures
    under long headers, the kind the old layout (3.9 pt a character) split inside the figures."""
    rows = [[f"border sector {k} between two neighbours along the river", f"{k * 57}",
             *(f"€{k * 1_234_567 + j * 1_000:,}" for j in range(9))] for k in range(1, 5)]
    return Table("Too wide for a portrait page", ["sector", "km", *(f"effector acquisition {j}" for j in range(9))],
                 rows, numeric=[False] + [True] * 10)


def test_a_wide_table_keeps_its_figures_whole(tmp_path: Path) -> None:
    t = _wide_table()
    narrow = Table("Two narrow number columns", ["nation", "km"], [["FI", "57"], ["RO", "1,225"]])
    b = Briefing("wide", "a table wider than the page", "TEST", ["one line"],
                 [Section("Tables", "tables", ["Two tables.", t, narrow])])
    pdf = render_pdf(b, tmp_path / "wide.pdf")
    assert not broken_pieces(pdf_text(pdf), [t, narrow], figures_only=False)
    portrait_w, landscape_w = frame_widths()
    how = layout(t.columns, t.rows, [False] + [True] * 10, portrait_w, landscape_w)
    assert how.landscape or how.size < 6.8
    from reportlab.pdfbase.pdfmetrics import stringWidth

    for k in range(1, 11):  # each number column holds its widest figure, padding included
        assert how.widths[k] >= max(stringWidth(r[k], "DejaVuSans", how.size) for r in t.rows) + 2 * PAD
    assert sum(how.widths) <= landscape_w + 1e-6
