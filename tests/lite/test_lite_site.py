"""The JupyterLite site in a real browser (`scripts/lite.sh build`, lite/build.py): built from
scratch into a temporary folder with packages from the registries only, served on 127.0.0.1,
and driven with Playwright and Debian's chromium. Every request to another host is aborted by
a route filter, and the tests fail if one was attempted.

- The first page (the site's index.html) says what the site is and links the notebooks.
- 01-stack-machine and 05-module-linking run with the WebAssembly (wasmlab) kernel (the
  `@wasmlab/lite` extension over the Pyodide kernel), 08-python-embedding with the Python
  (Pyodide) kernel; each runs top to bottom and its outputs, read from the notebook model, must
  be the stored ones after notebooks/sanitize.cfg (as nbval compares them on the desktop),
  except for these documented differences:
    * a widget's `model_id` (each run makes new widget models; the live widget is on show);
    * an error's `ename`: the Pyodide kernel reports the Python class that carried the error
      (`wasmlab.kernel.lite.WasmCellError`), the desktop kernel the wasmlab name; the message
      and the lines shown (`evalue`, `traceback`) must be the same;
    * consecutive stream outputs are joined before comparing (a browser kernel may cut them
      elsewhere);
    * a graph's PNG twin (`image/png`, stored so that an untrusted notebook shows pictures) is
      not made in the browser, whose Graphviz draws SVG only: the live SVG is on show.
- In notebook 1 the last Debugger's step button is clicked three times (the widget is live),
  and Tab completion answers WAT instructions.
- 10-debugging-c runs with the wasmlab kernel (its program, c/grades.wasm, reads its DWARF and
  its C source from the site's files) and its outputs are the stored ones; the Debugger shows
  the C view with the current line and the Variables pane.
- 11-structs-arrays-and-the-heap runs with the wasmlab kernel (GC structs and arrays, the
  %heap pictures drawn by the browser's Graphviz) and its outputs are the stored ones.
- In notebook 8's kernel: the step limit (100 million instructions under Pyodide) stops a
  runaway loop, as the site's first page and the README say.
- Measured and written to artifacts/lite/timings.json: the site's size, time to the first
  kernel ready, time to run notebook 1, fib(20) in the browser beside CPython.

The tests skip with the reason when npm or the registries cannot be reached, or chromium,
Playwright or jupyterlite are missing; under WASMLAB_REQUIRE_ALL=1 (CI) such a skip fails.
`WASMLAB_LITE_SITE=DIR` reuses a site built before (for working on the tests only).
"""

from __future__ import annotations

import configparser
import json
import os
import re
import shutil
import subprocess
import sys
import threading
import time
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest

from tests.browser.test_lab import CHROMIUM_ARGS, chromium_path, debugger_state, menu, step_button_to
from tests.conftest import ROOT, skip_or_fail

ARTIFACTS = ROOT / "artifacts" / "lite"
ACTIVE = ".jp-NotebookPanel:not(.lm-mod-hidden)"
READY_TIMEOUT = 180_000  # ms: the first kernel loads Pyodide and wasmlab
RUN_TIMEOUT = 300_000  # ms: all cells of a notebook
TIMINGS: dict[str, Any] = {}

FIB = """(module (func $fib (export "fib") (param $n i32) (result i32)
  (if (result i32) (i32.lt_u (local.get $n) (i32.const 2)) (then (local.get $n))
    (else (i32.add (call $fib (i32.sub (local.get $n) (i32.const 1)))
                   (call $fib (i32.sub (local.get $n) (i32.const 2))))))))"""
FIB_CODE = f"""import time as _time, wasmlab as _wasmlab
_fib = _wasmlab.load({FIB!r}).exports.fib
_best = None
for _ in range(3):
    _t = _time.perf_counter(); _r = _fib(20); _d = _time.perf_counter() - _t
    _best = _d if _best is None else min(_best, _d)
print(_r, _best)
"""


def lite_module(name: str) -> Any:
    """lite/NAME.py (the build's scripts are not a package)."""
    import importlib.util

    spec = importlib.util.spec_from_file_location(f"wasmlab_lite_{name}", ROOT / "lite" / f"{name}.py")
    assert spec is not None and spec.loader is not None
    module = importlib.util.module_from_spec(spec)
    sys.modules[spec.name] = module
    spec.loader.exec_module(module)
    return module


STEP_LIMIT_CODE = """from wasmlab.script import Workspace as _Workspace
_ws = _Workspace()
_default = _ws.step_limit
_ws.step_limit = 200_000
try:
    list(_ws.run('(module (func (export "spin") (loop (br 0)))) (invoke "spin")'))
except Exception as _e:
    print(_default, type(_e).__name__, str(_e).split()[2])
"""


def run_code(page: Any, code: str) -> str:
    """Run Python code in the notebook's kernel (not in a cell); what it printed."""
    return page.evaluate(
        """async (code) => {
            const k = window.jupyterapp.shell.currentWidget.sessionContext.session.kernel;
            const f = k.requestExecute({code});
            let out = '';
            f.onIOPub = (m) => { if (m.header.msg_type === 'stream') out += m.content.text; };
            await f.done;
            return out;
        }""",
        code,
    )


def registries_reachable() -> str | None:
    """None when npm and PyPI answer (through their ordinary clients), else why not."""
    if shutil.which("npm") is None:
        return "npm is not installed (Node 20 with npm)"
    PYODIDE_VERSION = lite_module("build").PYODIDE_VERSION

    checks = [
        ["npm", "view", f"pyodide@{PYODIDE_VERSION}", "version"],
        [sys.executable, "-m", "pip", "download", "-q", "--no-deps", "--only-binary=:all:", "--python-version",
         "3.14", "--implementation", "py", "--abi", "none", "--platform", "any", "-d", str(ARTIFACTS / ".probe"),
         "micropip==0.11.1"],
    ]  # fmt: skip
    for cmd in checks:
        try:
            done = subprocess.run(cmd, capture_output=True, text=True, timeout=120)
        except (OSError, subprocess.TimeoutExpired) as e:
            return f"{cmd[0]} could not reach its registry: {e}"
        if done.returncode != 0:
            first = " ".join(done.stderr.strip().splitlines()[:2])[:300]
            return f"package registry unreachable ({' '.join(cmd[:3])}): {first}"
    shutil.rmtree(ARTIFACTS / ".probe", ignore_errors=True)
    return None


@pytest.fixture(scope="module")
def site(tmp_path_factory: pytest.TempPathFactory) -> Path:
    reuse = os.environ.get("WASMLAB_LITE_SITE")
    if reuse:
        return Path(reuse).resolve()
    for mod, what in (("jupyterlite_core", "jupyterlite-core"), ("jupyterlite_pyodide_kernel", "jupyterlite-pyodide-kernel")):  # fmt: skip
        try:
            __import__(mod)
        except ImportError:
            skip_or_fail(f"{what} is not installed (pip install -e '.[test]')")
    why = registries_reachable()
    if why:
        skip_or_fail(why)
    tmp = tmp_path_factory.mktemp("lite")
    out = tmp / "site"
    t0 = time.monotonic()
    done = subprocess.run([sys.executable, str(ROOT / "lite" / "build.py"), "--out", str(out), "--work",
                           str(tmp / "work")], capture_output=True, text=True, cwd=ROOT)  # fmt: skip
    assert done.returncode == 0, f"the site did not build:\n{done.stdout[-3000:]}\n{done.stderr[-3000:]}"
    TIMINGS["build_s"] = round(time.monotonic() - t0, 1)
    return out


@pytest.fixture(scope="module")
def server(site: Path) -> Iterator[str]:
    srv = lite_module("serve").make_server(site)
    thread = threading.Thread(target=srv.serve_forever, daemon=True)
    thread.start()
    try:
        yield f"http://127.0.0.1:{srv.server_address[1]}"
    finally:
        srv.shutdown()
        srv.server_close()


@pytest.fixture(scope="module")
def browser(server: str) -> Iterator[dict[str, Any]]:
    try:
        from playwright.sync_api import sync_playwright
    except ImportError:
        skip_or_fail("playwright is not installed (pip install -e '.[test]')")
    exe = chromium_path()
    blocked: list[str] = []
    with sync_playwright() as p:
        b = p.chromium.launch(executable_path=exe, args=CHROMIUM_ARGS, headless=True)
        ctx = b.new_context(viewport={"width": 1400, "height": 1000}, service_workers="allow")

        def route(r: Any) -> None:
            url = r.request.url
            if not url.startswith(server + "/"):
                blocked.append(url)
                r.abort()
            elif url.split("?")[0] == f"{server}/jupyter-lite.json":
                # the tests read the notebook model through window.jupyterapp: expose it
                resp = r.fetch()
                config = resp.json()
                config["jupyter-config-data"]["exposeAppInBrowser"] = "true"
                r.fulfill(response=resp, body=json.dumps(config))
            else:
                r.continue_()

        ctx.route("**/*", route)
        try:
            yield {"context": ctx, "base": server, "blocked": blocked}
        finally:
            ctx.close()
            b.close()
            ARTIFACTS.mkdir(parents=True, exist_ok=True)
            if TIMINGS:
                (ARTIFACTS / "timings.json").write_text(json.dumps(TIMINGS, indent=1) + "\n")


def shots() -> Path:
    ARTIFACTS.mkdir(parents=True, exist_ok=True)
    return ARTIFACTS


def kernel_idle(page: Any, timeout: float = READY_TIMEOUT) -> None:
    page.wait_for_function(
        """() => [...document.querySelectorAll('.jp-StatusBar-TextItem')]
                   .some(e => /\\((wasmlab|Pyodide)\\) \\| Idle/.test(e.textContent))""",
        timeout=timeout,
    )


def open_notebook(browser: dict[str, Any], name: str) -> tuple[Any, float]:
    """The notebook's page with its kernel ready; the seconds that took from navigation."""
    page = browser["context"].new_page()
    page.set_default_timeout(60_000)
    t0 = time.monotonic()
    page.goto(f"{browser['base']}/lab/index.html?path={name}")
    page.wait_for_selector(f"{ACTIVE} .jp-Notebook .jp-Cell", state="attached")
    kernel_idle(page)
    return page, time.monotonic() - t0


def run_all(page: Any) -> float:
    """Clear the outputs, run every cell, wait until each has run; the seconds it took."""
    menu(page, "Edit", "Clear Outputs of All Cells")
    page.keyboard.press("Escape")
    t0 = time.monotonic()
    menu(page, "Run", "Run All Cells")
    try:
        page.wait_for_function(
            """() => {
                const p = [...document.querySelectorAll('.jp-NotebookPanel:not(.lm-mod-hidden) .jp-Notebook .jp-CodeCell .jp-InputPrompt')];
                return p.length > 0 && p.every(e => /\\[\\d+\\]/.test(e.textContent));
            }""",
            timeout=RUN_TIMEOUT,
        )
        kernel_idle(page)
    except Exception:
        page.screenshot(path=str(shots() / "failed-run-all.png"))
        raise
    return time.monotonic() - t0


# --- comparing outputs ----------------------------------------------------------------------


def sanitizers() -> list[tuple[re.Pattern[str], str]]:
    cfg = configparser.ConfigParser(interpolation=None)
    cfg.read(ROOT / "notebooks" / "sanitize.cfg")
    return [(re.compile(cfg[s]["regex"]), cfg[s].get("replace", "")) for s in cfg.sections()]


SANITIZE = sanitizers()
ANSI = re.compile(r"\x1b\[[0-9;]*m")


def clean(text: Any) -> str:
    s = "".join(text) if isinstance(text, list) else str(text)
    for rx, rep in SANITIZE:
        s = rx.sub(rep, s)
    return ANSI.sub("", s)


def normal(outputs: list[dict[str, Any]]) -> list[dict[str, Any]]:
    """Outputs in the form they are compared in (see the module docstring)."""
    out: list[dict[str, Any]] = []
    for o in outputs:
        kind = o["output_type"]
        if kind == "stream":
            if out and out[-1]["output_type"] == "stream" and out[-1]["name"] == o["name"]:
                out[-1]["text"] += clean(o["text"])
            else:
                out.append({"output_type": "stream", "name": o["name"], "text": clean(o["text"])})
        elif kind == "error":
            out.append({"output_type": "error", "evalue": clean(o["evalue"]),
                        "traceback": [clean(t) for t in o["traceback"]]})  # fmt: skip
        else:
            data = {}
            for mime, value in o.get("data", {}).items():
                if mime == "image/png":
                    continue  # (see the module docstring)
                if mime == "application/vnd.jupyter.widget-view+json":
                    value = {k: v for k, v in value.items() if k != "model_id"}
                elif not isinstance(value, dict):
                    value = clean(value)
                data[mime] = value
            out.append({"output_type": kind, "data": data})
    return out


def stored_cells(name: str) -> list[list[dict[str, Any]]]:
    nb = json.loads((ROOT / "notebooks" / name).read_text(encoding="utf-8"))
    return [normal(c.get("outputs", [])) for c in nb["cells"] if c["cell_type"] == "code"]


def live_cells(page: Any) -> list[list[dict[str, Any]]]:
    nb = page.evaluate("() => window.jupyterapp.shell.currentWidget.content.model.toJSON()")
    return [normal(c.get("outputs", [])) for c in nb["cells"] if c["cell_type"] == "code"]


def compare(name: str, page: Any) -> None:
    want, got = stored_cells(name), live_cells(page)
    assert len(want) == len(got), (len(want), len(got))
    diffs = [f"code cell {i + 1}:\n  stored: {w}\n  browser: {g}" for i, (w, g) in enumerate(zip(want, got))
             if w != g]  # fmt: skip
    assert not diffs, f"{name}: {len(diffs)} cells differ:\n" + "\n".join(d[:3000] for d in diffs)


def no_foreign_requests(browser: dict[str, Any]) -> None:
    assert not browser["blocked"], f"requests to other hosts were attempted: {browser['blocked'][:10]}"


# --- the tests ----------------------------------------------------------------------------------


def test_first_page_says_what_the_site_is(browser: dict[str, Any]) -> None:
    page = browser["context"].new_page()
    try:
        page.goto(browser["base"] + "/")
        text = page.inner_text("body")
        assert "wasmlab" in text and "JupyterLite" in text and "nothing to install" in text, text
        assert page.locator("a[href='lab/index.html?path=01-stack-machine.ipynb']").count() >= 1
        page.screenshot(path=str(shots() / "index.png"))
    finally:
        page.close()
    no_foreign_requests(browser)


def test_stack_machine_in_the_browser(browser: dict[str, Any], site: Path) -> None:
    TIMINGS["site_bytes"] = sum(p.stat().st_size for p in site.rglob("*") if p.is_file())
    page, ready = open_notebook(browser, "01-stack-machine.ipynb")
    TIMINGS["first_kernel_ready_s"] = round(ready, 1)
    try:
        page.screenshot(path=str(shots() / "01-ready.png"))
        TIMINGS["notebook1_run_all_s"] = round(run_all(page), 1)
        compare("01-stack-machine.ipynb", page)
        # Tab completion is the wasmlab kernel's: instructions, not Python names
        matches = page.evaluate(
            """async () => {
                const k = window.jupyterapp.shell.currentWidget.sessionContext.session.kernel;
                const r = await k.requestComplete({code: '(module (func i32.ad', cursor_pos: 20});
                return r.content.matches;
            }"""
        )
        assert "i32.add" in matches, matches
        dbg = page.locator(f"{ACTIVE} .wasmlab-dbg").last
        dbg.wait_for(state="visible")
        dbg.scroll_into_view_if_needed()
        # the widget draws its state when the kernel's first message arrives: wait for it
        for _ in range(60):
            if (dbg.locator(".wl-status").text_content() or "").startswith("step 0"):
                break
            page.wait_for_timeout(500)
        dbg.scroll_into_view_if_needed()
        before = debugger_state(dbg)
        assert "step 0" in before["status"], before
        for k in range(1, 4):
            step_button_to(page, dbg, k)
        after = debugger_state(dbg)
        assert "step 3" in after["status"] and after["stack"] != before["stack"], (before, after)
        dbg.screenshot(path=str(shots() / "01-debugger.png"))
        page.locator(f"{ACTIVE} .jp-Notebook .jp-Cell").nth(2).scroll_into_view_if_needed()
        page.wait_for_timeout(1000)  # JupyterLab paints cells that scroll into view a moment later
        page.screenshot(path=str(shots() / "01-notebook.png"))
    finally:
        page.close()
    no_foreign_requests(browser)


def test_module_linking_in_the_browser(browser: dict[str, Any]) -> None:
    page, _ = open_notebook(browser, "05-module-linking.ipynb")
    try:
        run_all(page)
        compare("05-module-linking.ipynb", page)
        svg = page.locator(f"{ACTIVE} .jp-OutputArea-output[data-mime-type='image/svg+xml']")
        assert svg.count() >= 3, "the initializer and TypeTables graphs are pictures"
        first = svg.first
        first.scroll_into_view_if_needed()
        box = first.bounding_box()
        assert box is not None and box["width"] > 200 and box["height"] > 100, box
        first.screenshot(path=str(shots() / "05-initializer-graph.png"))
    finally:
        page.close()
    no_foreign_requests(browser)


def test_python_embedding_in_the_browser(browser: dict[str, Any]) -> None:
    page, _ = open_notebook(browser, "08-python-embedding.ipynb")
    try:
        run_all(page)
        compare("08-python-embedding.ipynb", page)
        page.screenshot(path=str(shots() / "08-notebook.png"))
        # fib(20) in the browser's Python (best of 3), beside this CPython
        result, seconds = run_code(page, FIB_CODE).split()
        assert result == "6765", (result, seconds)
        TIMINGS["fib20_browser_s"] = round(float(seconds), 3)
        ns: dict[str, Any] = {}
        out = subprocess.run(
            [sys.executable, "-c", FIB_CODE], capture_output=True, text=True, cwd=ROOT, check=True
        )
        ns["cpython"] = float(out.stdout.split()[1])
        TIMINGS["fib20_cpython_s"] = round(ns["cpython"], 3)
        # no stop button reaches a running cell in the browser: the step limit stops a runaway
        # loop (100 million instructions by default there; a small one here to keep the test short)
        assert run_code(page, STEP_LIMIT_CODE).split() == ["100000000", "Interrupted", "200,000"]
    finally:
        page.close()
    no_foreign_requests(browser)


def test_c_source_level_debugging_in_the_browser(browser: dict[str, Any]) -> None:
    page, _ = open_notebook(browser, "10-debugging-c.ipynb")
    try:
        TIMINGS["notebook10_run_all_s"] = round(run_all(page), 1)
        compare("10-debugging-c.ipynb", page)
        dbg = page.locator(f"{ACTIVE} .wasmlab-dbg").last
        dbg.scroll_into_view_if_needed()
        cur = dbg.locator(".wl-line-cur")
        assert cur.get_attribute("data-line") == "26" and "int score = scores[i];" in (
            cur.text_content() or ""
        )
        assert "memory 0x112b8 (frame base = local 2, +72)" in (
            dbg.locator(".wl-vtable").text_content() or ""
        )
        dbg.screenshot(path=str(shots() / "10-debugger.png"))
    finally:
        page.close()
    no_foreign_requests(browser)


def test_the_heap_in_the_browser(browser: dict[str, Any]) -> None:
    page, _ = open_notebook(browser, "11-structs-arrays-and-the-heap.ipynb")
    try:
        TIMINGS["notebook11_run_all_s"] = round(run_all(page), 1)
        compare("11-structs-arrays-and-the-heap.ipynb", page)
        page.screenshot(path=str(shots() / "11-notebook.png"), full_page=True)
    finally:
        page.close()
    no_foreign_requests(browser)
