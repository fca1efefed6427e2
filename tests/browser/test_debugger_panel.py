"""JupyterLab's own debugger panel on a WAT cell, in a real browser (Playwright + Debian's
chromium): switch the debugger on (the bug button), click the gutter of line 11 of the
defining cell, run the cell that invokes the function: the cell pauses, the line is
highlighted, Variables shows the locals; step over, step back (our toolbar button, from
labextension/), continue to the next hit, remove the breakpoint, continue to the end.

The server gets this checkout's kernelspec and its built labextension through a private
JUPYTER_PATH (nothing is installed anywhere). Screenshots: artifacts/browser/debugger-panel-*.png
(docs/images/debugger-panel.png is debugger-panel-07-reverse-continue.png). The second test
follows notebook 7's walk through the panel.
"""

from __future__ import annotations

import json
import os
import secrets
import shutil
import subprocess
import sys
import time
import urllib.request
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest

from tests.browser.test_lab import (
    ACTIVE,
    CHROMIUM_ARGS,
    SERVER_TIMEOUT,
    chromium_path,
    free_port,
    kernel_idle,
    run_all,
    shots_dir,
    write_settings,
)
from tests.conftest import ROOT, skip_or_fail

LABEXT = ROOT / "wasmlab" / "kernel" / "labextension"

DEFINE = """(module
  (global $g (mut i32) (i32.const 7))
  (memory (export "mem") 1)
  (func $sum (export "sum") (param $n i32) (result i32)
    (local $i i32) (local $acc i32)

    (block $done
      (loop $top
        (br_if $done (i32.ge_s (local.get $i) (local.get $n)))
        (local.set $acc
          (i32.add (local.get $acc) (local.get $i)))
        (local.set $i (i32.add (local.get $i) (i32.const 1)))
        (br $top)))
    (global.set $g (local.get $acc))
    (local.get $acc)))"""
BREAK_LINE = 11  # (i32.add (local.get $acc) (local.get $i)))
INVOKE = '(invoke "sum" (i32.const 4))'


def notebook() -> dict[str, Any]:
    cells = [
        {
            "cell_type": "code",
            "execution_count": None,
            "id": f"c{k}",
            "metadata": {},
            "outputs": [],
            "source": src,
        }
        for k, src in enumerate((DEFINE, INVOKE))
    ]
    return {
        "cells": cells,
        "metadata": {
            "kernelspec": {"name": "wasmlab", "display_name": "WebAssembly (wasmlab)", "language": "wast"},
            "language_info": {"name": "wast"},
        },
        "nbformat": 4,
        "nbformat_minor": 5,
    }


def built_labextension() -> Path:
    if not list((LABEXT / "static").glob("remoteEntry.*.js")):
        r = subprocess.run(["bash", str(ROOT / "scripts" / "labext.sh")], capture_output=True, text=True)
        if r.returncode != 0:
            skip_or_fail(f"the labextension could not be built: {r.stderr.strip()[-400:]}")
    return LABEXT


@pytest.fixture(scope="module")
def panel_lab(tmp_path_factory: pytest.TempPathFactory) -> Iterator[dict[str, Any]]:
    try:
        import jupyterlab  # noqa: F401
    except ImportError:
        skip_or_fail("jupyterlab is not installed (pip install -e '.[test]')")
    from wasmlab.kernel.install import write_spec
    from wasmlab.lab import lab_command

    ext = built_labextension()
    tmp = tmp_path_factory.mktemp("panel")
    notebooks = tmp / "notebooks"
    notebooks.mkdir()
    (notebooks / "debug.ipynb").write_text(json.dumps(notebook(), indent=1))
    shutil.copy(ROOT / "notebooks" / "07-time-travel-debugging.ipynb", notebooks)
    home, settings = tmp / "home", tmp / "settings"
    for d in (home, settings, tmp / "workspaces", tmp / "runtime", tmp / "config"):
        d.mkdir(parents=True, exist_ok=True)
    write_settings(settings)
    jpath = tmp / "jupyter"
    write_spec(jpath / "kernels" / "wasmlab", sys.executable)
    (jpath / "labextensions" / "@wasmlab").mkdir(parents=True)
    (jpath / "labextensions" / "@wasmlab" / "time-travel").symlink_to(ext, target_is_directory=True)
    port = free_port()
    token = secrets.token_hex(16)
    env = dict(os.environ, HOME=str(home), JUPYTER_CONFIG_DIR=str(tmp / "config"), JUPYTER_PATH=str(jpath),
               JUPYTER_RUNTIME_DIR=str(tmp / "runtime"), XDG_CACHE_HOME=str(home / ".cache"))  # fmt: skip
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
            spec = json.load(r)["kernelspecs"]["wasmlab"]["spec"]
        assert spec["metadata"]["debugger"] is True
        yield {"base": base, "token": token, "log": tmp / "lab.log"}
    finally:
        proc.terminate()
        try:
            proc.wait(timeout=20)
        except subprocess.TimeoutExpired:
            proc.kill()
            proc.wait()
        log.close()


def variables(page: Any) -> dict[str, str]:
    """The Variables panel's rows: name -> the value shown."""
    rows = page.evaluate(
        """() => [...document.querySelectorAll('.jp-DebuggerVariables .jp-TreeItem')].map(r => [
              (r.querySelector('.jp-DebuggerVariables-name') || {}).textContent || '',
              (r.querySelector('.jp-DebuggerVariables-detail') || {}).textContent || ''])"""
    )
    return {name: value for name, value in rows if name}


def top_frame(page: Any) -> str:
    frames = page.locator(".jp-DebuggerCallstackFrame-name")
    return frames.first.inner_text() if frames.count() else ""


def wait_frame(page: Any, test: str, timeout: float = 30_000) -> None:
    page.wait_for_function(
        f"""() => {{ const f = document.querySelector('.jp-DebuggerCallstackFrame-name');
                    return f && ({test})(f.textContent); }}""",
        timeout=timeout,
    )


def test_debugger_panel_steps_back(panel_lab: dict[str, Any]) -> None:
    try:
        from playwright.sync_api import sync_playwright
    except ImportError:
        skip_or_fail("playwright is not installed (pip install -e '.[test]')")
    exe = chromium_path()
    out = shots_dir()
    with sync_playwright() as p:
        browser = p.chromium.launch(executable_path=exe, args=CHROMIUM_ARGS, headless=True)
        page = browser.new_page(viewport={"width": 1500, "height": 1000})
        page.set_default_timeout(60_000)
        try:
            page.goto(f"{panel_lab['base']}/lab/tree/debug.ipynb?reset&token={panel_lab['token']}")
            page.wait_for_selector(f"{ACTIVE} .jp-Notebook .jp-Cell", state="attached")
            kernel_idle(page)
            cells = page.locator(f"{ACTIVE} .jp-Notebook .jp-CodeCell")
            # run the defining cell
            cells.nth(0).locator(".cm-content").click()
            page.keyboard.press("Shift+Enter")
            page.wait_for_function(
                """() => /\\[1\\]/.test(document.querySelector(
                    '.jp-NotebookPanel:not(.lm-mod-hidden) .jp-CodeCell .jp-InputPrompt').textContent)"""
            )
            kernel_idle(page)
            # the bug button: enabled by the kernelspec; it turns the debugger on
            bug = page.locator(f"{ACTIVE} .jp-DebuggerBugButton")
            bug.wait_for(state="visible")
            page.wait_for_function(
                "() => !document.querySelector('.jp-NotebookPanel:not(.lm-mod-hidden) .jp-DebuggerBugButton').disabled"
            )
            bug.click()
            page.wait_for_selector(".jp-DebuggerCallstack", state="visible")
            # our two buttons sit in the callstack's toolbar, off while nothing is paused
            back = page.locator("[data-command='wasmlab-debugger:step-back']")
            reverse = page.locator("[data-command='wasmlab-debugger:reverse-continue']")
            back.wait_for(state="attached")
            assert reverse.count() == 1
            # a gutter breakpoint on line 11 of the defining cell
            cell = cells.nth(0)
            line = cell.locator(".cm-line").nth(BREAK_LINE - 1)
            gutter = cell.locator(".cm-breakpoint-gutter").first
            lb, gb = line.bounding_box(), gutter.bounding_box()
            assert lb is not None and gb is not None
            page.mouse.click(gb["x"] + gb["width"] / 2, lb["y"] + lb["height"] / 2)
            page.wait_for_selector(f"{ACTIVE} .cm-breakpoint-icon", state="attached")
            page.wait_for_function(
                "() => document.querySelectorAll('.jp-DebuggerBreakpoint').length > 0", timeout=30_000
            )
            # run the invoking cell: it pauses on line 11
            cells.nth(1).locator(".cm-content").click()
            page.keyboard.press("Shift+Enter")
            page.wait_for_selector(f"{ACTIVE} .jp-DebuggerEditor-highlight", state="attached")
            highlighted = cell.locator(".jp-DebuggerEditor-highlight").first.inner_text()
            assert "(i32.add (local.get $acc) (local.get $i))" in highlighted, highlighted
            page.wait_for_function(
                "() => [...document.querySelectorAll('.jp-DebuggerVariables-name')].some(e => e.textContent === '$n')"
            )
            vs = variables(page)
            assert vs.get("$n") == "i32 4" and vs.get("$i") == "i32 0" and vs.get("$acc") == "i32 0", vs
            first = top_frame(page)
            assert "sum" in first and "(local.get $acc)" in first, first  # as the cell writes it
            page.screenshot(path=str(out / "debugger-panel-paused.png"))

            # step over: one instruction on
            page.locator("[data-command='debugger:next']").click()
            wait_frame(page, "t => t.includes('(local.get $i)')")
            stepped = top_frame(page)
            page.screenshot(path=str(out / "debugger-panel-stepped.png"))
            # step back (ours): the same place as before the step
            page.wait_for_function(
                "() => !document.querySelector(\"[data-command='wasmlab-debugger:step-back']\").disabled"
            )
            back.click()
            wait_frame(page, "t => t.includes('(local.get $acc)')")
            assert top_frame(page) == first != stepped
            page.screenshot(path=str(out / "debugger-panel-stepped-back.png"))

            # continue: the next time round the loop ($i = 1)
            page.locator("[data-command='debugger:continue']").click()
            page.wait_for_function(
                """() => [...document.querySelectorAll('.jp-DebuggerVariables .jp-TreeItem')].some(r =>
                      (r.querySelector('.jp-DebuggerVariables-name') || {}).textContent === '$i' &&
                      (r.querySelector('.jp-DebuggerVariables-detail') || {}).textContent === 'i32 1')"""
            )
            assert variables(page)["$i"] == "i32 1"
            # reverse continue (ours): back to the first hit ($i = 0)
            reverse.click()
            page.wait_for_function(
                """() => [...document.querySelectorAll('.jp-DebuggerVariables .jp-TreeItem')].some(r =>
                      (r.querySelector('.jp-DebuggerVariables-name') || {}).textContent === '$i' &&
                      (r.querySelector('.jp-DebuggerVariables-detail') || {}).textContent === 'i32 0')"""
            )
            page.screenshot(path=str(out / "debugger-panel-reverse-continue.png"))
            # remove the breakpoint (click its gutter again), continue: the cell ends with 6
            lb = cell.locator(".cm-line").nth(BREAK_LINE - 1).bounding_box()
            gb = cell.locator(".cm-breakpoint-gutter").first.bounding_box()
            page.mouse.click(gb["x"] + gb["width"] / 2, lb["y"] + lb["height"] / 2)
            page.wait_for_function("() => document.querySelectorAll('.jp-DebuggerBreakpoint').length === 0")
            page.locator("[data-command='debugger:continue']").click()
            result = cells.nth(1).locator(".jp-OutputArea-output")
            result.first.wait_for(state="visible")
            page.wait_for_function(
                "(el) => el.textContent.includes('(i32.const 6)')", arg=cells.nth(1).element_handle()
            )
            kernel_idle(page)
            page.screenshot(path=str(out / "debugger-panel-done.png"))
        except Exception:
            page.screenshot(path=str(out / "debugger-panel-failed.png"))
            print((panel_lab["log"]).read_text()[-3000:])
            raise
        finally:
            page.close()
            browser.close()


def test_notebook_7_walkthrough(panel_lab: dict[str, Any]) -> None:
    """Notebook 7's last section, as a reader follows it: the bug button, the Traps filter,
    the hunt cell pauses at the trapping store (line 14), the value stack shows the bad
    address, a gutter breakpoint on line 8 and reverse continue find the store of $init that
    wrote over `report` ($i = 8); continue ends the cell with the trap."""
    try:
        from playwright.sync_api import sync_playwright
    except ImportError:
        skip_or_fail("playwright is not installed (pip install -e '.[test]')")
    exe = chromium_path()
    out = shots_dir()
    with sync_playwright() as p:
        browser = p.chromium.launch(executable_path=exe, args=CHROMIUM_ARGS, headless=True)
        page = browser.new_page(viewport={"width": 1500, "height": 1000})
        page.set_default_timeout(60_000)
        try:
            page.goto(
                f"{panel_lab['base']}/lab/tree/07-time-travel-debugging.ipynb?reset&token={panel_lab['token']}"
            )
            page.wait_for_selector(f"{ACTIVE} .jp-Notebook .jp-Cell", state="attached")
            kernel_idle(page)
            run_all(page)
            page.locator(f"{ACTIVE} .jp-DebuggerBugButton").click()
            page.wait_for_selector(".jp-DebuggerCallstack", state="visible")
            # pause on exceptions: Traps
            button = page.locator(".jp-PauseOnExceptions")
            page.wait_for_function("() => { const b = document.querySelector('.jp-PauseOnExceptions'); "
                                   "return b && !b.disabled && !b.hasAttribute('aria-disabled') || "
                                   "(b && b.getAttribute('aria-disabled') === 'false'); }")  # fmt: skip
            button.click()
            item = page.locator(".jp-PauseOnExceptions-menu .lm-Menu-item").first
            item.wait_for(state="visible")
            item.click()
            cells = page.locator(f"{ACTIVE} .jp-Notebook .jp-Cell")
            ids = cells.evaluate_all("(cs) => cs.map(c => c.getAttribute('data-uid') || '')")
            sources = cells.evaluate_all(
                "(cs) => cs.map(c => (c.querySelector('.cm-content') || {}).textContent || '')"
            )
            hunt = next(i for i, t in enumerate(sources) if t.startswith("(module $hunt"))
            invoke = next(i for i, t in enumerate(sources) if t.startswith('(invoke $hunt "hunt")'))
            assert len(ids) == len(sources)
            cells.nth(invoke).scroll_into_view_if_needed()
            cells.nth(invoke).locator(".cm-content").click()
            page.keyboard.press("Shift+Enter")
            hunt_cell = cells.nth(hunt)
            page.wait_for_selector(f"{ACTIVE} .jp-DebuggerEditor-highlight", state="attached")
            line = hunt_cell.locator(".jp-DebuggerEditor-highlight").first.inner_text()
            assert "(i32.store (i32.load (i32.const 0x120)) (i32.const 229))" in line, line
            page.locator("select[aria-label='Scope']").select_option("Value stack")
            page.wait_for_function(
                "() => [...document.querySelectorAll('.jp-DebuggerVariables-detail')].some(e => e.textContent === 'i32 -1')"
            )
            vs = variables(page)
            assert vs.get("[0]") == "i32 229" and vs.get("[1]") == "i32 -1", vs
            hunt_cell.scroll_into_view_if_needed()
            page.screenshot(path=str(out / "debugger-panel-07-trap.png"))
            # a breakpoint on line 8 (the store in $init), then reverse continue
            lb = hunt_cell.locator(".cm-line").nth(7).bounding_box()
            gb = hunt_cell.locator(".cm-breakpoint-gutter").first.bounding_box()
            assert lb is not None and gb is not None
            page.mouse.click(gb["x"] + gb["width"] / 2, lb["y"] + lb["height"] / 2)
            page.wait_for_function("() => document.querySelectorAll('.jp-DebuggerBreakpoint').length > 0")
            page.locator("[data-command='wasmlab-debugger:reverse-continue']").click()
            page.wait_for_function(
                "() => [...document.querySelectorAll('.jp-DebuggerCallstackFrame-name')].some(e => e.textContent.includes('init'))"
            )
            page.locator("select[aria-label='Scope']").select_option("Locals")
            page.wait_for_function(
                """() => [...document.querySelectorAll('.jp-DebuggerVariables .jp-TreeItem')].some(r =>
                      (r.querySelector('.jp-DebuggerVariables-name') || {}).textContent === '$i' &&
                      (r.querySelector('.jp-DebuggerVariables-detail') || {}).textContent === 'i32 8')"""
            )
            line = hunt_cell.locator(".jp-DebuggerEditor-highlight").first.inner_text()
            assert "i32.store offset=0x100" in line, line
            page.screenshot(path=str(out / "debugger-panel-07-reverse-continue.png"))
            # continue: forwards to the trap again, and the cell ends with it
            page.locator("[data-command='debugger:continue']").click()
            page.wait_for_function(
                "(el) => el.textContent.includes('out of bounds memory access')",
                arg=cells.nth(invoke).element_handle(),
            )
            kernel_idle(page)
        except Exception:
            page.screenshot(path=str(out / "debugger-panel-07-failed.png"))
            print((panel_lab["log"]).read_text()[-3000:])
            raise
        finally:
            page.close()
            browser.close()
