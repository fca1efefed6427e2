"""The notebooks in a real browser: JupyterLab started as `wasmlab lab` starts it, driven by
Playwright with Debian's Chromium (browsers cannot be downloaded here, so `executable_path`).

- 01-stack-machine: run all cells with the wasmlab kernel, click the last Debugger's step
  button three times: the value stack and the highlighted source line change; WAT cells are
  syntax highlighted (CodeMirror token spans with their own colours);
- 05-module-linking: run all cells: the initializer graph is shown as an SVG picture;
- 05 and 01 opened WITHOUT running (a fresh clone: not trusted): the stored graphs show as
  pictures (the PNG beside each SVG), no stored output is typeset as math;
- a notebook of one's own: `%frames` with two named locals reads `$n=i32 10` (no LaTeX), the
  Debugger's memory "go" box selects the typed byte, the layout fits (the `%help`, `%types`
  and `%tier` tables, the source pane, no empty memory box).

Screenshots go to artifacts/browser/ (gitignored); the README's pictures in docs/images/ are
copies of them (`WASMLAB_SCREENSHOTS=docs/images` writes them there directly).
"""

from __future__ import annotations

import json
import os
import secrets
import shutil
import socket
import subprocess
import sys
import time
import urllib.request
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest

from tests.conftest import ROOT, skip_or_fail

ARTIFACTS = ROOT / "artifacts" / "browser"
CHROMIUM_PATHS = ("/usr/lib/chromium/chromium", "/usr/bin/chromium", "/usr/bin/chromium-browser")
CHROMIUM_ARGS = [
    "--headless=new", "--no-sandbox", "--disable-gpu", "--disable-dev-shm-usage",
    "--disable-background-networking", "--disable-component-update", "--disable-sync",
    "--no-first-run", "--no-default-browser-check", "--disable-extensions",
    "--disable-features=Translate,OptimizationHints,MediaRouter",
]  # fmt: skip
SERVER_TIMEOUT = 90.0
RUN_TIMEOUT = 180_000  # ms: all cells of a notebook
ACTIVE = ".jp-NotebookPanel:not(.lm-mod-hidden)"  # the notebook on show


def chromium_path() -> str:
    env = os.environ.get("WASMLAB_CHROMIUM")
    for p in ([env] if env else []) + list(CHROMIUM_PATHS):
        if p and Path(p).is_file() and os.access(p, os.X_OK):
            return p
    skip_or_fail("chromium is not installed (run scripts/setup-debian.sh)")
    raise AssertionError  # not reached


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def write_settings(settings_dir: Path) -> None:
    """JupyterLab user settings for a quiet, fully rendered test browser: no news or update
    checks, and every cell in the DOM (no windowing), so far-down outputs can be found."""
    items = {
        "@jupyterlab/notebook-extension/tracker": {"windowingMode": "none"},
        "@jupyterlab/apputils-extension/notification": {"fetchNews": "false", "checkForUpdates": False},
    }
    for name, value in items.items():
        plugin_dir, _, plugin = name.rpartition("/")
        path = settings_dir / plugin_dir / f"{plugin}.jupyterlab-settings"
        path.parent.mkdir(parents=True, exist_ok=True)
        path.write_text(json.dumps(value))


@pytest.fixture(scope="module")
def lab(tmp_path_factory: pytest.TempPathFactory) -> Iterator[dict[str, Any]]:
    """A JupyterLab server on a copy of notebooks/ (running cells must not touch the repo)."""
    try:
        import jupyterlab  # noqa: F401
    except ImportError:
        skip_or_fail("jupyterlab is not installed (pip install -e '.[test]')")
    from wasmlab.lab import lab_command

    tmp = tmp_path_factory.mktemp("lab")
    notebooks = tmp / "notebooks"
    shutil.copytree(ROOT / "notebooks", notebooks)
    home = tmp / "home"
    settings = tmp / "settings"
    for d in (home, settings, tmp / "workspaces", tmp / "runtime", tmp / "config"):
        d.mkdir(parents=True, exist_ok=True)
    write_settings(settings)
    port = free_port()
    token = secrets.token_hex(16)
    env = dict(os.environ, HOME=str(home), JUPYTER_CONFIG_DIR=str(tmp / "config"),
               JUPYTER_RUNTIME_DIR=str(tmp / "runtime"), XDG_CACHE_HOME=str(home / ".cache"))  # fmt: skip
    # the kernel of this checkout's Python, whatever other kernelspec is installed (another
    # checkout's would test its code, not this one's); `wasmlab lab` does the same when none is
    from wasmlab.kernel.install import write_spec

    write_spec(tmp / "jupyter" / "kernels" / "wasmlab", sys.executable)
    env["JUPYTER_PATH"] = str(tmp / "jupyter")
    cmd = lab_command(notebooks, [
        "--no-browser", "--ServerApp.ip=127.0.0.1", f"--ServerApp.port={port}", "--ServerApp.port_retries=0",
        f"--IdentityProvider.token={token}", "--LabApp.news_url=None",
        "--LabApp.check_for_updates_class=jupyterlab.NeverCheckForUpdate",
        f"--LabApp.user_settings_dir={settings}", f"--LabApp.workspaces_dir={tmp / 'workspaces'}",
    ])  # fmt: skip
    log = open(tmp / "lab.log", "wb")  # noqa: SIM115 - closed below
    proc = subprocess.Popen(cmd, env=env, stdout=log, stderr=subprocess.STDOUT, cwd=tmp)
    base = f"http://127.0.0.1:{port}"
    try:
        deadline = time.monotonic() + SERVER_TIMEOUT
        while True:
            if proc.poll() is not None:
                raise AssertionError(f"jupyter lab exited: {(tmp / 'lab.log').read_text()[-3000:]}")
            try:
                with urllib.request.urlopen(f"{base}/api/status?token={token}", timeout=5) as r:
                    if r.status == 200:
                        break
            except OSError:
                pass
            if time.monotonic() > deadline:
                raise AssertionError(f"jupyter lab did not answer: {(tmp / 'lab.log').read_text()[-3000:]}")
            time.sleep(0.5)
        with urllib.request.urlopen(f"{base}/api/kernelspecs?token={token}", timeout=10) as r:
            specs = json.load(r)["kernelspecs"]
        assert "wasmlab" in specs, f"the wasmlab kernel is not available to JupyterLab: {sorted(specs)}"
        yield {"base": base, "token": token, "dir": notebooks, "log": tmp / "lab.log"}
    finally:
        proc.terminate()
        try:
            proc.wait(timeout=20)
        except subprocess.TimeoutExpired:
            proc.kill()
            proc.wait()
        log.close()


@pytest.fixture(scope="module")
def browser(lab: dict[str, Any]) -> Iterator[Any]:
    try:
        from playwright.sync_api import sync_playwright
    except ImportError:
        skip_or_fail("playwright is not installed (pip install -e '.[test]')")
    exe = chromium_path()
    with sync_playwright() as p:
        b = p.chromium.launch(executable_path=exe, args=CHROMIUM_ARGS, headless=True)
        try:
            yield b
        finally:
            b.close()


def shots_dir() -> Path:
    out = Path(os.environ.get("WASMLAB_SCREENSHOTS", ARTIFACTS))
    if not out.is_absolute():
        out = ROOT / out
    out.mkdir(parents=True, exist_ok=True)
    return out


def open_notebook(browser: Any, lab: dict[str, Any], name: str) -> Any:
    page = browser.new_page(viewport={"width": 1400, "height": 1000})
    page.set_default_timeout(60_000)
    # `reset`: a fresh workspace, so only this notebook is open (JupyterLab restores tabs)
    page.goto(f"{lab['base']}/lab/tree/{name}?reset&token={lab['token']}")
    page.wait_for_selector(f"{ACTIVE} .jp-Notebook .jp-Cell", state="attached")
    kernel_idle(page)
    return page


def kernel_idle(page: Any, timeout: float = 90_000) -> None:
    """Wait until the notebook's kernel is connected and idle (the status bar says so)."""
    page.wait_for_function(
        """() => [...document.querySelectorAll('.jp-StatusBar-TextItem')]
                   .some(e => /\\(wasmlab\\) \\| Idle|\\(ipykernel\\) \\| Idle/.test(e.textContent))""",
        timeout=timeout,
    )


def menu(page: Any, top: str, item: str) -> None:
    page.locator(".lm-MenuBar-itemLabel", has_text=top).first.click()
    page.locator(".lm-Menu-itemLabel", has_text=item).first.click()


def run_all(page: Any) -> None:
    """Clear the stored outputs (so nothing below is left over from the saved notebook), then
    run every cell and wait until each one has run."""
    menu(page, "Edit", "Clear Outputs of All Cells")
    page.wait_for_function(
        """() => [...document.querySelectorAll('.jp-NotebookPanel:not(.lm-mod-hidden) .jp-Notebook .jp-CodeCell .jp-InputPrompt')]
                   .every(p => !/\\d/.test(p.textContent))"""
    )
    for attempt in range(3):  # a menu click can land while the previous menu still closes
        page.keyboard.press("Escape")
        menu(page, "Run", "Run All Cells")
        try:
            page.wait_for_function(
                """() => [...document.querySelectorAll('.jp-NotebookPanel:not(.lm-mod-hidden) .jp-Notebook .jp-CodeCell .jp-InputPrompt')]
                           .some(p => /\\*|\\d/.test(p.textContent))""",
                timeout=10_000,
            )
            break
        except Exception:
            if attempt == 2:
                raise
    # every code cell has an execution count and nothing is queued or running
    try:
        wait_all_ran(page)
    except Exception:
        page.screenshot(path=str(shots_dir() / "failed-run-all.png"))
        raise
    kernel_idle(page)


def wait_all_ran(page: Any) -> None:
    page.wait_for_function(
        """() => {
            const prompts = [...document.querySelectorAll('.jp-NotebookPanel:not(.lm-mod-hidden) .jp-Notebook .jp-CodeCell .jp-InputPrompt')];
            return prompts.length > 0 && prompts.every(p => /\\[\\d+\\]/.test(p.textContent));
        }""",
        timeout=RUN_TIMEOUT,
    )


def debugger_state(dbg: Any) -> dict[str, str]:
    return {
        "status": dbg.locator(".wl-status").inner_text(),
        "stack": dbg.locator(".wl-right .wl-pane").first.inner_text(),
        "line": dbg.locator(".wl-line-cur").first.inner_text() if dbg.locator(".wl-line-cur").count() else "",
    }


def step_button_to(page: Any, dbg: Any, k: int) -> None:
    """Click the Debugger's step button until its status says `step k:` (a click on a button
    that is still disabled while the previous move's state arrives does nothing)."""
    for attempt in range(3):
        if f"step {k}:" not in dbg.locator(".wl-status").inner_text():
            dbg.locator("button[data-action='step']:not([disabled])").click()
        try:
            page.wait_for_function(
                "([el, want]) => el.querySelector('.wl-status').textContent.startsWith(want)",
                arg=[dbg.element_handle(), f"step {k}:"],
                timeout=15_000,
            )
            return
        except Exception:
            if attempt == 2:
                raise


def test_stack_machine_debugger_steps(browser: Any, lab: dict[str, Any]) -> None:
    page = open_notebook(browser, lab, "01-stack-machine.ipynb")
    out = shots_dir()
    try:
        run_all(page)
        dbgs = page.locator(f"{ACTIVE} .wasmlab-dbg")
        dbgs.last.wait_for(state="visible")
        assert dbgs.count() >= 2, "01-stack-machine shows a Debugger widget for each %debug"
        errors = page.locator(
            ".jp-Notebook .jp-OutputArea-output[data-mime-type='application/vnd.jupyter.stderr']"
        )
        texts = [t for t in errors.all_inner_texts() if t.strip()]
        dbg = dbgs.last
        dbg.scroll_into_view_if_needed()
        before = debugger_state(dbg)
        assert "step 0" in before["status"], before
        assert before["line"].strip(), "the current instruction's line is highlighted"
        states = [before]
        for k in range(1, 4):
            step_button_to(page, dbg, k)
            states.append(debugger_state(dbg))
        after = states[-1]
        assert "step 3" in after["status"], after
        assert after["stack"] != before["stack"], (before, after)
        assert after["line"] != before["line"], (before, after)
        # poly(5) after 3 steps: i32.const 3, local.get $x, local.get $x: the stack, top first
        rows = dbg.locator(".wl-right .wl-pane").first.locator("tr").all_inner_texts()
        assert [r.split("\t")[:2] for r in rows] == [["i32", "5"], ["i32", "5"], ["i32", "3"]], rows
        dbg.screenshot(path=str(out / "debugger.png"))
        # WAT cells are syntax highlighted: CodeMirror wraps tokens in spans that have colours
        cell = page.locator(f"{ACTIVE} .jp-Notebook .jp-CodeCell").first
        cell.scroll_into_view_if_needed()
        colours = page.evaluate(
            """(cell) => {
                const spans = [...cell.querySelectorAll('.cm-content .cm-line span')];
                return spans.map(s => [s.textContent, getComputedStyle(s).color]);
            }""",
            cell.element_handle(),
        )
        words = {text for text, _ in colours}
        assert any("module" in w or "func" in w or "i32" in w for w in words), colours
        assert len({c for _, c in colours}) >= 2, f"tokens in at least two colours: {colours}"
        page.locator(f"{ACTIVE} .jp-Notebook .jp-Cell").nth(2).scroll_into_view_if_needed()
        page.screenshot(path=str(out / "notebook.png"))
        assert not any("InternalError" in t for t in texts), texts  # only the lessons' own errors
    finally:
        page.close()


def test_module_linking_initializer_graph(browser: Any, lab: dict[str, Any]) -> None:
    page = open_notebook(browser, lab, "05-module-linking.ipynb")
    out = shots_dir()
    try:
        run_all(page)
        # the first %graph initializers output: an SVG picture with the module's cluster
        svg_out = page.locator(f"{ACTIVE} .jp-OutputArea-output[data-mime-type='image/svg+xml']")
        svg_out.first.wait_for(state="visible")
        assert svg_out.count() >= 3, "initializer graphs and the TypeTables graph are pictures"
        first = svg_out.first
        first.scroll_into_view_if_needed()
        text = (
            first.inner_text() if first.locator("svg").count() == 0 else first.locator("svg").text_content()
        )
        img = first.locator("img")
        if img.count():  # JupyterLab may show SVG through an <img>: check it loaded
            assert page.evaluate("(i) => i.complete && i.naturalWidth > 0", img.first.element_handle())
            src = img.first.get_attribute("src") or ""
            assert "svg" in src
        else:
            assert "instantiate" in (text or ""), text
        box = first.bounding_box()
        assert box is not None and box["width"] > 200 and box["height"] > 200, box
        # no picture runs past the right edge of its output (the $top graph did)
        for k in range(svg_out.count()):
            svg_out.nth(k).scroll_into_view_if_needed()
            over = svg_out.nth(k).evaluate(
                """(o) => { const area = o.closest('.jp-OutputArea').getBoundingClientRect().right;
                           const pic = (o.querySelector('img, svg') || o).getBoundingClientRect().right;
                           return [pic - area, [o, o.parentElement, o.closest('.jp-OutputArea'), o.querySelector('img, svg')]
                             .map(e => e && `${e.tagName}.${e.className} ${e.getBoundingClientRect().left}-${e.getBoundingClientRect().right} ${getComputedStyle(e).maxWidth}`)]; }"""
            )
            assert over[0] <= 1, f"SVG output {k} runs {over}px past the right edge"
        first.screenshot(path=str(out / "initializer-graph.png"))
    finally:
        page.close()


def test_time_travel_debugger_memory(browser: Any, lab: dict[str, Any]) -> None:
    """07: after %rcontinue and %back the Debugger sits on the corrupting store in `init`,
    its memory view marks the bytes the last move changed."""
    page = open_notebook(browser, lab, "07-time-travel-debugging.ipynb")
    out = shots_dir()
    try:
        run_all(page)
        dbg = page.locator(f"{ACTIVE} .wasmlab-dbg").last
        dbg.wait_for(state="visible")
        dbg.scroll_into_view_if_needed()
        state = debugger_state(dbg)
        assert "step 126" in state["status"] and "init" in state["status"], state
        assert "i32.store" in state["line"], state
        # the memory view marks the bytes the last move changed (the store, undone by %back)
        marked = dbg.locator(".wl-bchanged")
        assert marked.count() >= 1, "the changed bytes are marked"
        dbg.screenshot(path=str(out / "time-travel.png"))
    finally:
        page.close()


def open_unrun(browser: Any, lab: dict[str, Any], name: str) -> Any:
    """A notebook as a fresh clone shows it: opened, not run, not trusted."""
    page = browser.new_page(viewport={"width": 1400, "height": 1000})
    page.set_default_timeout(60_000)
    page.goto(f"{lab['base']}/lab/tree/{name}?reset&token={lab['token']}")
    page.wait_for_selector(f"{ACTIVE} .jp-Notebook .jp-OutputArea-output", state="attached")
    return page


NO_MATH_IN_OUTPUTS = (
    "() => document.querySelectorAll('.jp-OutputArea mjx-container, .jp-OutputArea .MathJax').length"
)


def test_unrun_notebook_shows_its_stored_pictures(browser: Any, lab: dict[str, Any]) -> None:
    """05 opened before running: every stored graph is a picture (a PNG: an untrusted notebook
    shows no SVG), none is raw DOT text, none runs past the right edge, no output is math."""
    page = open_unrun(browser, lab, "05-module-linking.ipynb")
    out = shots_dir()
    try:
        pngs = page.locator(f"{ACTIVE} .jp-OutputArea-output[data-mime-type='image/png']")
        pngs.first.wait_for(state="attached")
        assert pngs.count() >= 4, "the four stored %graph outputs are pictures"
        # untrusted: no SVG output was rendered, and no stored output shows as DOT text
        assert page.locator(f"{ACTIVE} .jp-OutputArea-output[data-mime-type='image/svg+xml']").count() == 0
        texts = page.locator(f"{ACTIVE} .jp-OutputArea-output[data-mime-type='text/plain']").all_inner_texts()
        assert not [t for t in texts if "digraph" in t], "a graph shown as its DOT source"
        for k in range(pngs.count()):
            box = pngs.nth(k)
            box.scroll_into_view_if_needed()
            img = box.locator("img")
            page.wait_for_function("(i) => i.complete && i.naturalWidth > 100", arg=img.element_handle())
            area = box.evaluate("(e) => e.closest('.jp-OutputArea').getBoundingClientRect().right")
            right = img.evaluate("(i) => i.getBoundingClientRect().right")
            assert right <= area + 1, f"graph {k} runs past the right edge: {right} > {area}"
        top = pngs.nth(pngs.count() - 1)  # the $top initializer graph
        top.scroll_into_view_if_needed()
        top.screenshot(path=str(out / "unrun-top-graph.png"))
        pngs.first.scroll_into_view_if_needed()
        page.screenshot(path=str(out / "unrun-notebook.png"))
        assert page.evaluate(NO_MATH_IN_OUTPUTS) == 0
    finally:
        page.close()
    page = open_unrun(browser, lab, "01-stack-machine.ipynb")
    try:
        page.wait_for_timeout(1500)  # (the typesetter runs after the outputs render)
        assert page.evaluate(NO_MATH_IN_OUTPUTS) == 0, "a stored output typeset as math"
    finally:
        page.close()


OWN = [
    """(module $m
  (memory 1)
  ;; a long line, as C programs have: the source pane must show it, not cut it off at the middle
  (func $f (export "f") (param $n i32) (result i32) (local $i i32)
    (local.set $i (i32.const 7))
    (i32.store (i32.const 0x1234) (local.get $n))
    (i32.add (local.get $n) (local.get $i))))""",
    "%debug f 10",
    "%step 2",
    "%frames",
    "%help",
    """(module $imp
  (import "spectest" "print_i32" (func $print_a_value_with_a_rather_long_name (param i32)))
  (func $caller_with_a_long_descriptive_name (export "run_the_program_with_a_long_name") (param i32)
    (call $print_a_value_with_a_rather_long_name (local.get 0))))
%types $imp""",
    """(module $nomem (func (export "g") nop))""",
    "%debug $nomem g",
    "%tier all",
]


def write_notebook(path: Path, cells: list[str]) -> None:
    nb = {
        "cells": [{"cell_type": "code", "execution_count": None, "id": f"c{k}", "metadata": {}, "outputs": [],
                   "source": src} for k, src in enumerate(cells)],
        "metadata": {"kernelspec": {"display_name": "WebAssembly (wasmlab)", "language": "wast", "name": "wasmlab"}},
        "nbformat": 4, "nbformat_minor": 5,
    }  # fmt: skip
    path.write_text(json.dumps(nb, indent=1))


def cell_output(page: Any, k: int) -> Any:
    return page.locator(f"{ACTIVE} .jp-Notebook .jp-CodeCell").nth(k).locator(".jp-OutputArea-output").first


def go_to(page: Any, dbg: Any, address: str, want: int) -> None:
    """Type `address` in the memory box, press go: the byte at `want` (as the person sees it:
    the row's address plus the column) is the one selected, and the values are read from it."""
    selected = """(el) => [...el.querySelectorAll('.wl-bsel')].map(b =>
        parseInt(b.parentElement.querySelector('.wl-maddr').textContent, 16)
        + [...b.parentElement.querySelectorAll('.wl-byte')].indexOf(b))"""
    dbg.locator(".wl-addr:not(.wl-watch-input)").fill(address)  # (the watch box shares the look)
    dbg.locator(".wl-memory .wl-btn").click()
    try:
        page.wait_for_function(
            f"([el, want]) => {{ const s = ({selected})(el); return s.length === 1 && s[0] === want; }}",
            arg=[dbg.element_handle(), want],
            timeout=10_000,
        )
    except Exception:
        got = dbg.evaluate(selected)
        raise AssertionError(f"go {address}: selected {[hex(a) for a in got]}, not {want:#x}") from None
    assert dbg.locator(".wl-sel").inner_text().startswith(f"0x{want:08x}"), dbg.locator(
        ".wl-sel"
    ).inner_text()


def test_own_notebook_frames_memory_go_and_layout(browser: Any, lab: dict[str, Any]) -> None:
    write_notebook(lab["dir"] / "own.ipynb", OWN)
    page = open_notebook(browser, lab, "own.ipynb")
    out = shots_dir()
    try:
        run_all(page)
        # %frames with two named locals: literal text, not LaTeX math
        frames = cell_output(page, 3)
        frames.scroll_into_view_if_needed()
        page.wait_for_timeout(1000)
        assert "$n=i32 10, $i=i32 7" in frames.inner_text(), frames.inner_text()
        assert frames.locator("mjx-container, .MathJax").count() == 0
        frames.screenshot(path=str(out / "frames.png"))
        # the memory "go" box selects the byte typed, outside the window, inside it, and back
        dbg = page.locator(f"{ACTIVE} .wasmlab-dbg").first
        dbg.scroll_into_view_if_needed()
        go_to(page, dbg, "0x1234", 0x1234)
        go_to(page, dbg, "0x1236", 0x1236)
        go_to(page, dbg, "16", 16)
        go_to(page, dbg, "0x1234", 0x1234)
        assert dbg.locator(".wl-sel").inner_text().startswith("0x00001234: i32 0"), dbg.locator(
            ".wl-sel"
        ).inner_text()
        # the source pane shows its long line whole (the right pane takes only what it needs)
        assert dbg.locator(".wl-source").evaluate("(e) => e.scrollWidth <= e.clientWidth + 1"), (
            "long line cut"
        )
        dbg.screenshot(path=str(out / "debugger-go.png"))
        # %help and %types fit the page: no table wider than its output, no clipped cell
        tier = cell_output(page, 8)
        tier.scroll_into_view_if_needed()
        text = tier.inner_text()
        assert "tier " in text and "$imp" in text and "spectest.print_i32" in text and "host" in text, text
        for k, name in ((4, "help"), (5, "types"), (8, "tier")):  # (types: its import column was clipped)
            o = page.locator(f"{ACTIVE} .jp-Notebook .jp-CodeCell").nth(k).locator(".jp-OutputArea-output")
            o.first.scroll_into_view_if_needed()
            bad = o.evaluate_all(
                """(outs) => outs.flatMap(o => [...o.querySelectorAll('table')].flatMap(t => {
                    const area = o.getBoundingClientRect();
                    const r = t.getBoundingClientRect();
                    const out = r.right > area.right + 1 ? [`table ${r.width}px past ${area.width}px`] : [];
                    for (const c of t.querySelectorAll('td')) {
                        if (c.scrollWidth > c.clientWidth + 1) out.push(`clipped: ${c.textContent.slice(0, 40)}`);
                    }
                    return out;
                }))"""
            )
            assert bad == [], (name, bad)
            area = page.locator(f"{ACTIVE} .jp-Notebook .jp-CodeCell").nth(k).locator(".jp-Cell-outputArea")
            area.screenshot(path=str(out / f"{name}.png"))
        # a module without memory: no empty memory box
        nomem = page.locator(f"{ACTIVE} .wasmlab-dbg").last
        nomem.scroll_into_view_if_needed()
        assert nomem.locator(".wl-mem").is_hidden()
        assert nomem.locator(".wl-memory").bounding_box()["height"] < 40
        nomem.screenshot(path=str(out / "debugger-no-memory.png"))
    finally:
        page.close()


LABELS_FIT = """() => {
  const bad = [];
  for (const g of document.querySelectorAll('g.node, g.cluster')) {
    const shape = g.querySelector('polygon, path, ellipse');
    if (!shape) continue;
    const s = shape.getBBox();
    for (const t of g.querySelectorAll('text')) {
      const b = t.getBBox();
      if (b.x < s.x - 0.5 || b.x + b.width > s.x + s.width + 0.5) {
        bad.push(`${t.textContent}: text [${b.x.toFixed(1)}, ${(b.x + b.width).toFixed(1)}] ` +
                 `box [${s.x.toFixed(1)}, ${(s.x + s.width).toFixed(1)}]`);
      }
    }
  }
  return bad;
}"""


def test_graph_labels_fit_their_boxes_in_the_browser(browser: Any) -> None:
    """Graphviz sizes each box by its font metrics; the browser must draw the label inside it
    (on Linux that needs a Helvetica-metric font: scripts/setup-debian.sh installs
    fonts-liberation)."""
    import wasmlab
    from tests.linking.test_instantiate import THREE_LEVELS
    from wasmlab.viz.render import render_svg

    module = wasmlab.parse(THREE_LEVELS)
    graphs = [wasmlab.graph(module, "initializers"), wasmlab.graph(module, "types")]
    page = browser.new_page()
    try:
        for graph in graphs:
            page.set_content(f"<html><body>{render_svg(graph)}</body></html>")
            assert page.locator("g.node").count() >= 3
            assert page.evaluate(LABELS_FIT) == []
    finally:
        page.close()
