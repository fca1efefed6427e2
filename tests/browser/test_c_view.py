"""Notebook 10 (debugging C at the source level) in a real browser, and the Debugger's C view
driven by clicks:

- run all cells: the Debugger under `%debug _start` opens in the C view of grades.c and
  follows the notebook's moves (it ends on line 26, after `%backl 3`);
- a click on the gutter of line 27 sets a breakpoint (the dot), ▶▶ continue runs to it; the
  Variables pane shows `passed` living at `memory 0x112b8 (frame base = local 2, +72)`, right
  after `bands` (+32); the wasm instructions of the line unfold under it; ▶ next line twice
  shows `passed` changed by line 27 and again by line 28 (`bands[10]++`, the bug); ◀ back line
  goes back to line 28 with `passed` as it was; a click on where `passed` lives selects its
  bytes in the memory view; the WAT button switches views and back;
- opened without running (a fresh clone): the stored outputs show, no math, no error.

Screenshots go to artifacts/browser/ (c-view-*.png).
"""

from __future__ import annotations

from typing import Any

from tests.browser.test_lab import (  # noqa: F401 - the fixtures `lab` and `browser`
    ACTIVE,
    NO_MATH_IN_OUTPUTS,
    browser,
    lab,
    open_notebook,
    open_unrun,
    run_all,
    shots_dir,
)

NOTEBOOK = "10-debugging-c.ipynb"


def c_state(dbg: Any) -> dict[str, Any]:
    """What the C view shows: the current line's number and text, breakpoint lines, the
    Variables pane's rows (name, type, value, where) and the status line."""
    return dbg.evaluate(
        """(el) => ({
            status: el.querySelector('.wl-status').textContent,
            cpos: el.querySelector('.wl-cpos').textContent,
            line: el.querySelector('.wl-line-cur') ? Number(el.querySelector('.wl-line-cur').dataset.line) : 0,
            text: el.querySelector('.wl-line-cur .wl-code') ? el.querySelector('.wl-line-cur .wl-code').textContent : '',
            bps: [...el.querySelectorAll('.wl-line-bp')].map(r => Number(r.dataset.line)),
            vars: [...el.querySelectorAll('.wl-vtable tr')].slice(1).map(r =>
                [...r.querySelectorAll('td')].map(td => td.textContent)),
            changed: [...el.querySelectorAll('.wl-vtable tr.wl-changed td.wl-vname')].map(td => td.textContent),
            error: el.querySelector('.wl-error').textContent,
        })"""
    )


def wait_line(page: Any, dbg: Any, line: int, timeout: float = 30_000) -> None:
    page.wait_for_function(
        "([el, n]) => el.querySelector('.wl-line-cur') && Number(el.querySelector('.wl-line-cur').dataset.line) === n"
        " && !el.querySelector('button[data-action=\"next_line\"]').disabled",
        arg=[dbg.element_handle(), line],
        timeout=timeout,
    )


def variable(state: dict[str, Any], name: str) -> list[str]:
    (row,) = [r for r in state["vars"] if r[0] == name]
    return row


def test_c_view_clicks_gutter_run_next_and_back_lines(browser: Any, lab: dict[str, Any]) -> None:  # noqa: F811
    page = open_notebook(browser, lab, NOTEBOOK)
    out = shots_dir()
    try:
        run_all(page)
        dbg = page.locator(f"{ACTIVE} .wasmlab-dbg").last
        dbg.wait_for(state="visible")
        dbg.scroll_into_view_if_needed()
        # the notebook's last move: %backl 3, to line 26 in main
        wait_line(page, dbg, 26)
        st = c_state(dbg)
        assert "int score = scores[i];" in st["text"] and "grades.c:26" in st["cpos"], st
        assert dbg.locator("button.wl-view.wl-on").inner_text() == "C"
        assert variable(st, "i")[1:] == ["int", "9", "memory 0x1128c (frame base = local 2, +28)"], st
        dbg.screenshot(path=str(out / "c-view-notebook.png"))

        # a click on line 27's number sets a breakpoint there; ▶▶ continue runs to it
        dbg.locator(".wl-line[data-line='27'] .wl-gutter").click()
        page.wait_for_function(
            "(el) => el.querySelector(\".wl-line[data-line='27']\").classList.contains('wl-line-bp')",
            arg=dbg.element_handle(),
        )
        assert "●" in dbg.locator(".wl-line[data-line='27'] .wl-gutter").inner_text()
        dbg.locator("button[data-action='continue']").click()
        wait_line(page, dbg, 27)
        st = c_state(dbg)
        assert "breakpoint" in st["status"] and st["bps"] == [27] and not st["error"], st
        assert variable(st, "score")[1:] == ["int", "100", "memory 0x11288 (frame base = local 2, +24)"], st
        assert variable(st, "passed") == [
            "passed",
            "int",
            "8",
            "memory 0x112b8 (frame base = local 2, +72)",
        ], st
        assert variable(st, "bands")[1:] == [
            "int[10]", "{0, 0, 0, 0, 2, 1, 1, 1, 1, 1}", "memory 0x11290 (frame base = local 2, +32)"
        ], st  # fmt: skip
        dbg.screenshot(path=str(out / "c-view-breakpoint.png"))

        # the wasm instructions of the current line unfold under it
        dbg.locator(".wl-fold summary").click()
        instrs = dbg.locator(".wl-fold .wl-instr")
        instrs.first.wait_for(state="visible")
        assert instrs.count() > 5 and dbg.locator(".wl-fold .wl-instr-cur").count() == 1
        dbg.screenshot(path=str(out / "c-view-instructions.png"))

        # ▶ next line twice: line 27 counts the 100 as a pass, line 28 (bands[10]++) too
        dbg.locator("button[data-action='next_line']").click()
        wait_line(page, dbg, 28)
        st = c_state(dbg)
        assert variable(st, "passed")[2] == "9" and st["changed"] == ["passed"], st
        assert dbg.locator(".wl-fold").get_attribute("open") is not None, "the fold stays open across moves"
        dbg.locator("button[data-action='next_line']").click()
        wait_line(page, dbg, 25)
        st = c_state(dbg)
        assert variable(st, "passed")[2] == "10" and st["changed"] == ["passed"], st
        dbg.screenshot(path=str(out / "c-view-next-line.png"))

        # ◀ back line: back to the start of line 28, passed is 9 again
        dbg.locator("button[data-action='back_line']").click()
        wait_line(page, dbg, 28)
        st = c_state(dbg)
        assert variable(st, "passed")[2] == "9" and not st["error"], st
        assert "bands[band_of(score)]++;" in st["text"], st
        dbg.screenshot(path=str(out / "c-view-back-line.png"))

        # a click on where `passed` lives selects its bytes in the memory view: 9, little-endian
        dbg.locator(".wl-vtable td.wl-where-mem", has_text="+72)").click()
        page.wait_for_function(
            "(el) => el.querySelector('.wl-sel').textContent.startsWith('0x000112b8')",
            arg=dbg.element_handle(),
        )
        assert "i32 9" in dbg.locator(".wl-sel").inner_text()
        assert dbg.locator(".wl-bsel").get_attribute("data-addr") == str(0x112B8)

        # the WAT view and back
        dbg.locator("button.wl-view[data-view='wat']").click()
        page.wait_for_function(
            "(el) => el.querySelector('mark.wl-cur') !== null && !el.classList.contains('wl-cview')",
            arg=dbg.element_handle(),
        )
        assert "(module" in dbg.locator(".wl-source").inner_text()[:2000]
        assert "local.get 2" in dbg.locator(".wl-line-cur").inner_text()  # line 28 starts with the frame base
        dbg.screenshot(path=str(out / "c-view-wat.png"))
        dbg.locator("button.wl-view[data-view='c']").click()
        wait_line(page, dbg, 28)
    finally:
        page.close()


def test_notebook_10_unrun_shows_its_stored_outputs(browser: Any, lab: dict[str, Any]) -> None:  # noqa: F811
    page = open_unrun(browser, lab, NOTEBOOK)
    try:
        outputs = page.locator(f"{ACTIVE} .jp-OutputArea-output")
        text = "\n".join(outputs.all_inner_texts())
        assert "10 of 10 passed" in text and "where it lives" in text
        assert "memory 0x112b8 (frame base = local 2, +72)" in text
        assert "=>   28 |         bands[band_of(score)]++;" in text
        assert page.evaluate(NO_MATH_IN_OUTPUTS) == 0
        errors = page.locator(
            f"{ACTIVE} .jp-OutputArea-output[data-mime-type='application/vnd.jupyter.stderr']"
        )
        assert errors.count() == 0
        page.locator(f"{ACTIVE} .jp-Notebook .jp-Cell").nth(12).scroll_into_view_if_needed()
        page.screenshot(path=str(shots_dir() / "c-notebook-unrun.png"))
    finally:
        page.close()
