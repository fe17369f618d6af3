"""Screenshots of the widget: JupyterLab light and dark at 1400 and 570 px wide, and an exported
page. ``make screenshots`` (or ``.venv/bin/python docs/screenshots.py [OUT_DIR]``) writes
``docs/screenshots/lab-{light,dark}-{1400,570}.png`` and ``page-1400.png``.

Uses the browser tests' harness (a JupyterLab server on loopback, the system Chromium).
"""

from __future__ import annotations

import sys
import tempfile
from pathlib import Path

HERE = Path(__file__).resolve().parent
sys.path.insert(0, str(HERE.parent / "tests" / "browser"))

from harness import expect, jupyter_server, launch_chromium, run_notebook, widget_root  # noqa: E402
from lab_feel import WIDTHS, set_theme  # noqa: E402

HEIGHT = 3200  # tall enough that the notebook does not cut the widget off (at 570 px too)
CODE = "from attnwidget import AttentionWidget\nw = AttentionWidget()\nw"


def lab_screenshots(browser, out: Path) -> list[Path]:
    """The default widget in JupyterLab, each width in light and dark: one PNG each."""
    written = []
    with tempfile.TemporaryDirectory() as tmp, jupyter_server("lab", Path(tmp)) as lab:
        page = browser.new_page(viewport={"width": WIDTHS[0], "height": HEIGHT})
        run_notebook(page, lab, Path(tmp), CODE)
        root = widget_root(page)
        expect(root).to_have_attribute("data-state", "ready", timeout=30_000)
        for width in WIDTHS:
            page.set_viewport_size({"width": width, "height": HEIGHT})
            for dark in (False, True):
                set_theme(page, dark)
                path = out / f"lab-{'dark' if dark else 'light'}-{width}.png"
                root.screenshot(path=str(path))
                written.append(path)
        page.close()
    return written


def page_screenshot(browser, out: Path) -> Path:
    """The default widget's exported page (``to_html``), opened from a file, 1400 px wide."""
    from attnwidget import AttentionWidget

    with tempfile.TemporaryDirectory() as tmp:
        html = Path(tmp) / "page.html"
        AttentionWidget().to_html(html, title="attnwidget")
        page = browser.new_page(viewport={"width": WIDTHS[0], "height": 1000})
        page.goto(html.as_uri())
        expect(widget_root(page)).to_have_attribute("data-state", "ready", timeout=30_000)
        path = out / f"page-{WIDTHS[0]}.png"
        page.screenshot(path=str(path), full_page=True)
        page.close()
    return path


def main(argv: list[str]) -> int:
    from playwright.sync_api import sync_playwright

    out = Path(argv[0]) if argv else HERE / "screenshots"
    out.mkdir(parents=True, exist_ok=True)
    with sync_playwright() as p:
        browser = launch_chromium(p)
        try:
            written = [*lab_screenshots(browser, out), page_screenshot(browser, out)]
        finally:
            browser.close()
    for path in written:
        print(f"wrote {path}")
    return 0


if __name__ == "__main__":
    raise SystemExit(main(sys.argv[1:]))
