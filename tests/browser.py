"""Open an HTML output in headless Chromium as a user would, and report what went wrong.

Used by the tests (console errors, uncaught exceptions, failed requests and images that did not load fail
them) and by hand for the pictures in docs/:  python -m tests.browser FILE.html --screenshot out.png
"""

from __future__ import annotations

import argparse
import os
import shutil
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

#: Flags for a headless Chromium on a machine with no network (as root, in CI): no sandbox, no GPU, and none of
#: the background connections that a closed network refuses.
CHROMIUM_ARGS = ["--no-sandbox", "--disable-gpu", "--disable-quic", "--no-first-run", "--disable-background-networking",
                 "--disable-component-update", "--disable-sync", "--disable-dev-shm-usage"]


def chromium_path() -> str | None:
    """Debian's Chromium (or $CHROMIUM), if installed."""
    for cand in (os.environ.get("CHROMIUM"), "chromium", "chromium-browser", "google-chrome"):
        if cand and (found := shutil.which(cand)):
            return found
    return None


@dataclass
class PageReport:
    console_errors: list[str] = field(default_factory=list)
    page_errors: list[str] = field(default_factory=list)
    failed_requests: list[str] = field(default_factory=list)
    broken_images: list[str] = field(default_factory=list)
    images: int = 0
    facts: Any = None  # what ``probe`` (a JS expression) returned

    @property
    def problems(self) -> list[str]:
        return ([f"console error: {m}" for m in self.console_errors] + [f"page error: {m}" for m in self.page_errors]
                + [f"request failed: {m}" for m in self.failed_requests]
                + [f"image did not load: {m}" for m in self.broken_images])


def open_page(path: Path, *, probe: str | None = None, screenshot: Path | None = None,
              viewport: tuple[int, int] = (1400, 900), full_page: bool = False, actions: Any = None) -> PageReport:
    """Load ``path`` (file://) in headless Chromium, wait for it to settle, and report problems.

    ``probe`` is a JS expression evaluated in the page after load; ``actions(page)`` may click before it.
    """
    from playwright.sync_api import sync_playwright

    exe = chromium_path()
    if exe is None:
        raise RuntimeError("Chromium is not installed: apt-get install chromium (or set $CHROMIUM)")
    report = PageReport()
    with sync_playwright() as pw:
        browser = pw.chromium.launch(executable_path=exe, args=CHROMIUM_ARGS)
        try:
            page = browser.new_page(viewport={"width": viewport[0], "height": viewport[1]})
            page.on("console", lambda m: report.console_errors.append(m.text) if m.type == "error" else None)
            page.on("pageerror", lambda e: report.page_errors.append(str(e)))
            page.on("requestfailed", lambda r: report.failed_requests.append(f"{r.url[:120]} ({r.failure})"))
            page.goto(Path(path).resolve().as_uri(), wait_until="load")
            page.wait_for_load_state("networkidle")
            images = page.evaluate("[...document.images].map(i => [i.currentSrc.slice(0, 80) || i.alt, "
                                   "i.complete && i.naturalWidth > 0])")
            report.images = len(images)
            report.broken_images = [src for src, ok in images if not ok]
            if actions is not None:
                actions(page)
            if probe is not None:
                report.facts = page.evaluate(probe)
            if screenshot is not None:
                page.screenshot(path=str(screenshot), full_page=full_page)
        finally:
            browser.close()
    return report


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("html", type=Path)
    ap.add_argument("--screenshot", type=Path)
    ap.add_argument("--width", type=int, default=1400)
    ap.add_argument("--height", type=int, default=900)
    ap.add_argument("--full-page", action="store_true")
    args = ap.parse_args()
    rep = open_page(args.html, screenshot=args.screenshot, viewport=(args.width, args.height),
                    full_page=args.full_page)
    print(f"{args.html}: {rep.images} images; " + ("; ".join(rep.problems) or "no problems"))
    raise SystemExit(1 if rep.problems else 0)


if __name__ == "__main__":
    main()
