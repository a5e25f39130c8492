"""Make the briefing pictures in docs/img from a briefing of the default scenario (run by hand).

    make plan                                   # plan, stress test and briefing of the default scenario
    .venv/bin/dronewall uncertainty out/eastern-flank
    .venv/bin/dronewall frontier configs/eastern-flank.yaml --out out/frontier
    .venv/bin/dronewall premium configs/eastern-flank.yaml --out out/premium
    .venv/bin/dronewall brief out/eastern-flank -a out/frontier -a out/premium
    PYTHONPATH=. .venv/bin/python docs/img/make_briefing_images.py out/eastern-flank/brief

Screenshots come from headless Chromium (tests/browser.py), PDF pages from pdftoppm (poppler-utils).
"""

from __future__ import annotations

import subprocess
import sys
import tempfile
from pathlib import Path

from PIL import Image

from tests.browser import open_page

IMG = Path(__file__).resolve().parent


def main(brief: Path) -> None:
    rep = open_page(brief / "briefing.html", screenshot=IMG / "brief-report.png", viewport=(1200, 1000))
    assert not rep.problems, rep.problems
    rep = open_page(brief / "interactive-map.html", screenshot=IMG / "brief-webmap.png", viewport=(1200, 900))
    assert not rep.problems, rep.problems

    def zoom(page) -> None:  # Poland–Belarus, the popup of the border cell nearest the view's centre
        page.evaluate("""(() => {
            const map = dronewallMap.map, target = L.latLng(52.25, 23.75);
            let best = null;
            dronewallMap.layers.cells.getLayers()[1].eachLayer((l) => {
                const d = map.distance(l.getCenter(), target);
                if (!best || d < best[0]) best = [d, l];
            });
            map.setView([52.35, 23.45], 9, {animate: false});
            best[1].openPopup();
        })()""")
        page.locator(".leaflet-popup-content", has_text="border cell").wait_for()
        page.wait_for_timeout(500)

    rep = open_page(brief / "interactive-map.html", screenshot=IMG / "brief-webmap-popup.png", viewport=(1200, 900),
                    actions=zoom)
    assert not rep.problems, rep.problems
    with Image.open(brief / "charts" / "spending.png") as im:
        im.convert("RGB").resize((880, round(880 * im.height / im.width)), Image.LANCZOS).save(
            IMG / "chart-spending-eastern-flank.png", optimize=True)
    with tempfile.TemporaryDirectory() as tmp:
        subprocess.run(["pdftoppm", "-r", "40", "-png", str(brief / "briefing.pdf"), f"{tmp}/p"], check=True)
        pages = [Image.open(p).convert("RGB") for p in sorted(Path(tmp).glob("p-*.png"))][:16]
        w, h = pages[0].size
        sheet = Image.new("RGB", (w * 8 + 9 * 6, h * ((len(pages) + 7) // 8) + 6 * 3), "#888888")
        for k, page in enumerate(pages):
            sheet.paste(page, (6 + (k % 8) * (w + 6), 6 + (k // 8) * (h + 6)))
        sheet.save(IMG / "brief-pdf-pages.png", optimize=True)
    for name in ("brief-report", "brief-webmap", "brief-webmap-popup"):  # screenshots: 256 colours keep them small
        path = IMG / f"{name}.png"
        with Image.open(path) as im:
            small = im.convert("RGB").quantize(256, method=Image.Quantize.FASTOCTREE)
        small.save(path, optimize=True)
    print("wrote", ", ".join(p.name for p in sorted(IMG.glob("brief*.png"))), "chart-spending-eastern-flank.png")


if __name__ == "__main__":
    main(Path(sys.argv[1]))
