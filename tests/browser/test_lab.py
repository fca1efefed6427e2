"""The notebooks in a real browser: JupyterLab started as `wasmlab lab` starts it, driven by
Playwright with Debian's Chromium (browsers cannot be downloaded here, so `executable_path`).

- 01-stack-machine: run all cells with the wasmlab kernel, click the last Debugger's step
  button three times: the value stack and the highlighted source line change; WAT cells are
  syntax highlighted (CodeMirror token spans with their own colours);
- 05-module-linking: run all cells: the initializer graph is shown as an SVG picture.

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
    from wasmlab.lab import kernelspec_installed, lab_command

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
    if not kernelspec_installed():  # as `wasmlab lab` does for an editable install
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
        assert "3" in after["stack"] and "5" in after["stack"], after  # poly(5): 3, x, x
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
        dbg.screenshot(path=str(out / "time-travel.png"))
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
