"""16:9 slide images of the briefing (issue #17): the bottom line as text, then the overview map and each chart, each
on a slide with its title and the marking, ready to drop into a presentation (``brief/slides/slide-NN-<name>.png``),
and the same slides as one PowerPoint file (``brief/slides/briefing.pptx``) where python-pptx is installed (the
``pptx`` extra)."""

from __future__ import annotations

import importlib.util
import logging
import re
import textwrap
from pathlib import Path

import matplotlib

matplotlib.use("Agg")
import matplotlib.image as mpimg  # noqa: E402
import matplotlib.pyplot as plt  # noqa: E402
import numpy as np  # noqa: E402

from planner.report import marking_colour  # noqa: E402

__all__ = ["SLIDE_INCHES", "write_pptx", "write_slides"]

log = logging.getLogger(__name__)

#: A 16:9 slide, inches (PowerPoint's and Keynote's widescreen size); written at 150 dpi: 2,000 × 1,125 pixels.
SLIDE_INCHES = (40 / 3, 7.5)
SLIDE_DPI = 150
_BOLD = re.compile(r"\*\*(.+?)\*\*")
_CODE = re.compile(r"`([^`]+)`")


def _plain(text: str) -> str:
    return _CODE.sub(r"\1", _BOLD.sub(r"\1", text))


def _frame(fig: plt.Figure, title: str, marking: str) -> None:
    colour = marking_colour(marking)
    for y in (0.975, 0.025):
        fig.text(0.5, y, marking, ha="center", va="center", fontsize=11, fontweight="bold", color="white",
                 bbox={"boxstyle": "square,pad=0.35", "facecolor": colour, "edgecolor": colour})
    fig.text(0.04, 0.905, title, ha="left", va="center", fontsize=22, fontweight="bold", color="#1a1a1a")


def bullet_lines(bullets: list[str], width: int = 138) -> list[tuple[str, bool]]:
    """Each bullet as its bold lead ("**The decision.**") on a line of its own, then its text wrapped: (line, bold)."""
    out: list[tuple[str, bool]] = []
    for b in bullets:
        lead = _BOLD.match(b)
        rest = b[lead.end():].strip() if lead else b
        if lead:
            out.append((_plain(lead.group(1)), True))
        out += [(line, False) for line in textwrap.wrap(_plain(rest), width=width)]
        out.append(("", False))
    return out[:-1] if out else out


def _bottom_line(path: Path, title: str, bullets: list[str], marking: str) -> Path:
    fig = plt.figure(figsize=SLIDE_INCHES)
    try:
        _frame(fig, title, marking)
        lines = bullet_lines(bullets)
        size = 11.5 if len(lines) <= 30 else max(7.0, 11.5 * 30 / len(lines))
        step = 0.8 / max(len(lines), 30)
        for k, (line, bold) in enumerate(lines):
            fig.text(0.05, 0.84 - k * step, line, ha="left", va="top", fontsize=size + (0.5 if bold else 0),
                     fontweight="bold" if bold else "normal", color="#1a1a1a")
        fig.savefig(path, dpi=SLIDE_DPI)
    finally:
        plt.close(fig)
    return path


def trimmed(pixels: np.ndarray, *, banners: bool) -> np.ndarray:
    """An image (rows, columns, channels) without its white margins, and without the marking banners at its top and
    bottom edges where it has them (a map page: the slide carries its own)."""
    if banners:
        rows = pixels.shape[0]
        pixels = pixels[int(0.03 * rows): int(0.975 * rows)]
    ink = (pixels[..., :3] < 0.97).any(axis=2)
    ys, xs = np.flatnonzero(ink.any(axis=1)), np.flatnonzero(ink.any(axis=0))
    if not len(ys) or not len(xs):
        return pixels
    pad = 8
    return pixels[max(ys[0] - pad, 0): ys[-1] + pad + 1, max(xs[0] - pad, 0): xs[-1] + pad + 1]


def _image(path: Path, title: str, image: Path, marking: str) -> Path:
    fig = plt.figure(figsize=SLIDE_INCHES)
    try:
        _frame(fig, title, marking)
        ax = fig.add_axes((0.03, 0.07, 0.94, 0.79))
        pixels = trimmed(mpimg.imread(image), banners=image.stem.startswith("map-"))
        ax.imshow(pixels, interpolation="antialiased")  # the picture whole, its aspect kept
        ax.set_axis_off()
        fig.savefig(path, dpi=SLIDE_DPI)
    finally:
        plt.close(fig)
    return path


def write_slides(folder: Path, *, title: str, bullets: list[str], images: list[tuple[str, str, Path]],
                 marking: str) -> list[Path]:
    """The bottom line, then each (name, title, PNG) of ``images``, as ``folder/slide-NN-<name>.png``."""
    folder.mkdir(parents=True, exist_ok=True)
    paths = [_bottom_line(folder / "slide-01-bottom-line.png", f"Bottom line: {title}", bullets, marking)]
    titles = [f"Bottom line: {title}"]
    for k, (name, caption, image) in enumerate(images, start=2):
        paths.append(_image(folder / f"slide-{k:02d}-{name}.png", caption, image, marking))
        titles.append(caption)
    if importlib.util.find_spec("pptx") is not None:
        write_pptx(folder / "briefing.pptx", list(zip(titles, paths, strict=True)))
    else:
        log.info("python-pptx is not installed: the slides are PNG images only (pip install 'dronewall[pptx]')")
    return paths


def write_pptx(path: Path, slides: list[tuple[str, Path]]) -> Path:
    """A 16:9 PowerPoint file, one slide per (title, PNG): the image over the whole slide (its title and marking are
    in it), the title as the picture's name and in the slide's notes."""
    from pptx import Presentation
    from pptx.util import Inches

    deck = Presentation()
    deck.slide_width, deck.slide_height = Inches(SLIDE_INCHES[0]), Inches(SLIDE_INCHES[1])
    blank = deck.slide_layouts[6]
    for title, image in slides:
        slide = deck.slides.add_slide(blank)
        picture = slide.shapes.add_picture(str(image), 0, 0, width=deck.slide_width, height=deck.slide_height)
        picture.name = title[:250]
        slide.notes_slide.notes_text_frame.text = title
    deck.save(str(path))
    return path
