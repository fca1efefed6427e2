"""The Debugger widget's watch list in a real browser: an expression typed into the watch
box of the last Debugger of 01-stack-machine shows its value, and the value changes when the
step button is clicked (the list is re-evaluated on every move)."""

from __future__ import annotations

from typing import Any

from tests.browser.test_lab import (  # noqa: F401 - the fixtures `lab` and `browser`
    ACTIVE,
    browser,
    lab,
    open_notebook,
    run_all,
    shots_dir,
    step_button_to,
)


def test_watch_expression_updates_on_a_step(browser: Any, lab: dict[str, Any]) -> None:  # noqa: F811
    page = open_notebook(browser, lab, "01-stack-machine.ipynb")
    try:
        run_all(page)
        dbg = page.locator(f"{ACTIVE} .wasmlab-dbg").last
        dbg.wait_for(state="visible")
        dbg.scroll_into_view_if_needed()
        box = dbg.locator(".wl-watch-input")
        box.fill("step * 10")
        box.press("Enter")
        rows = dbg.locator(".wl-watches tr")
        rows.first.wait_for(state="visible")
        page.wait_for_function(
            "(el) => el.querySelector('.wl-watches tr') && el.querySelector('.wl-watches tr').textContent.includes('i64')",
            arg=dbg.element_handle(),
        )
        before = rows.first.inner_text()
        assert "step * 10" in before and "0" in before, before
        step_button_to(page, dbg, 1)
        page.wait_for_function(
            "(el) => el.querySelector('.wl-watches tr').textContent.includes('10')",
            arg=dbg.element_handle(),
            timeout=15_000,
        )
        after = rows.first.inner_text()
        assert after != before and "10" in after, (before, after)
        dbg.screenshot(path=str(shots_dir() / "debugger-watch.png"))
    finally:
        page.close()
