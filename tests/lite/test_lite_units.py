"""The pieces of the browser site that run without a browser: the wasmlab kernel's logic as the
JupyterLite kernel runs it (`wasmlab.kernel.lite`), the step limit that stands in for the stop
button there, the markers that keep desktop-only dependencies out of Pyodide, and the kernel
extension's language_info against the desktop kernel's."""

from __future__ import annotations

import re
import tomllib

import pytest

from tests.conftest import ROOT
from tests.lite.test_lite_site import lite_module
from wasmlab.kernel.info import LANGUAGE_INFO
from wasmlab.kernel.lite import LiteKernel, WasmCellError
from wasmlab.script import Workspace
from wasmlab.script.workspace import Interrupted, default_step_limit

LOOP = '(module (func (export "spin") (loop (br 0)))) (invoke "spin")'


def test_lite_kernel_runs_a_cell_and_reports_results() -> None:
    shown: list = []

    class Shell:
        execution_count = 4

        def displayhook(self, obj: object) -> None:
            shown.append(obj)

    k = LiteKernel(Shell())
    k.execute('(module (func (export "seven") (result i32) i32.const 7))\n(invoke "seven")')
    assert [o.data["text/plain"] for o in shown] == ["(i32.const 7)"]  # an execute_result


def test_lite_kernel_errors_render_as_the_desktop_kernel_shows_them() -> None:
    k = LiteKernel(None)
    k.execute(
        '(module (func (export "div") (param i32 i32) (result i32) (i32.div_s (local.get 0) (local.get 1))))'
    )
    with pytest.raises(WasmCellError) as info:
        k.execute('(invoke "div" (i32.const 1) (i32.const 0))')
    lines = info.value._render_traceback_()
    assert lines[0] == "\x1b[0;31mTrap\x1b[0m: integer divide by zero", lines
    assert str(info.value) == "integer divide by zero"


def test_lite_kernel_completes_wat() -> None:
    import json

    reply = json.loads(LiteKernel(None).complete("(module (func i32.ad", 20))
    assert "i32.add" in reply["matches"]


def test_step_limit_stops_a_runaway_call(monkeypatch: pytest.MonkeyPatch) -> None:
    ws = Workspace()
    ws.step_limit = 50_000
    with pytest.raises(Interrupted, match="step limit"):
        list(ws.run(LOOP))
    monkeypatch.setenv("WASMLAB_STEP_LIMIT", "123456")
    assert default_step_limit() == 123456
    monkeypatch.setenv("WASMLAB_STEP_LIMIT", "0")
    assert default_step_limit() is None
    monkeypatch.delenv("WASMLAB_STEP_LIMIT")
    assert default_step_limit() is None  # CPython: no limit; under Pyodide 100 million


@pytest.mark.parametrize("tier", ["auto", "machine"])
@pytest.mark.parametrize("limit", [1, 1_000, 150_001, 200_000])
def test_the_step_limit_stops_at_exactly_that_many_steps(
    limit: int, tier: str, monkeypatch: pytest.MonkeyPatch
) -> None:
    # compiled code stops where its blocks allow, the machine takes the rest: never past it
    from wasmlab.exec import fast

    monkeypatch.setattr(fast, "TIER", tier)
    ws = Workspace()
    ws.step_limit = limit
    with pytest.raises(Interrupted, match=f"stopped after {limit:,} instructions"):
        list(ws.run(LOOP))


def test_pyodide_gets_no_desktop_only_dependency() -> None:
    from packaging.requirements import Requirement

    markers = lite_module("build").PYODIDE_MARKERS
    deps = tomllib.loads((ROOT / "pyproject.toml").read_text())["project"]["dependencies"]
    under_pyodide = {Requirement(d).name for d in deps if Requirement(d).marker is None
                     or Requirement(d).marker.evaluate(markers)}  # fmt: skip
    assert under_pyodide.isdisjoint({"ipykernel", "jupyter_client", "graphviz-pure"}), under_pyodide
    assert {"ipywidgets", "anywidget", "graphviz"} <= under_pyodide


def test_the_extension_says_the_desktop_kernels_language_info() -> None:
    js = (ROOT / "lite" / "extension" / "static" / "remoteEntry.js").read_text()
    block = js[js.index("const LANGUAGE_INFO = {") : js.index("};", js.index("const LANGUAGE_INFO = {"))]
    assert dict(re.findall(r'(\w+): "([^"]*)"', block)) == LANGUAGE_INFO
