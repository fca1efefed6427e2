"""Notebook 11 in a real browser: its %heap pictures are drawn, and the last Debugger's graph
pane, switched to "heap", draws the GC objects its session can reach (the half-filled array
and the tree in `$root`), with screenshots of both."""

from __future__ import annotations

from typing import Any

from tests.browser.test_lab import (  # noqa: F401 - the fixtures `lab` and `browser`
    ACTIVE,
    browser,
    lab,
    open_notebook,
    run_all,
    shots_dir,
)


def test_heap_pictures_and_the_debuggers_heap_graph(browser: Any, lab: dict[str, Any]) -> None:  # noqa: F811
    page = open_notebook(browser, lab, "11-structs-arrays-and-the-heap.ipynb")
    try:
        run_all(page)
        # the %heap outputs: pictures (JupyterLab shows an SVG output as an image)
        shown = page.locator(f"{ACTIVE} .jp-RenderedSVG, {ACTIVE} .jp-RenderedImage")
        shown.first.wait_for(state="visible")
        assert shown.count() >= 5, shown.count()
        shown.nth(1).scroll_into_view_if_needed()
        shown.nth(1).screenshot(path=str(shots_dir() / "heap-list.png"))
        dbg = page.locator(f"{ACTIVE} .wasmlab-dbg").last
        dbg.wait_for(state="visible")
        dbg.scroll_into_view_if_needed()
        dbg.locator(".wl-graphsel").select_option("heap")
        page.wait_for_function(
            "(el) => { const g = el.querySelector('.wl-graph'); return g && g.querySelector('svg') && g.textContent.includes('$vec #8'); }",
            arg=dbg.element_handle(),
            timeout=30_000,
        )
        dbg.screenshot(path=str(shots_dir() / "debugger-heap.png"))
        text = " ".join(dbg.locator(".wl-graph").text_content().split())
        # (the tree in `$root` is the one the notebook's last `grow` made: the session shares its instance)
        assert "$vec #8 (len 6)" in text and "$root = #" in text and "$tree #" in text, text
    finally:
        page.close()
