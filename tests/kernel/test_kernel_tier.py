"""`%tier`: where the functions of the workspace's modules run (compiled, on the machine and why,
held by the debugger, host), its caption (the tier setting and the counts), bad arguments."""

from __future__ import annotations

import pytest

from wasmlab.exec import fast
from wasmlab.kernel.complete import complete
from wasmlab.kernel.outputs import CellError, Output
from wasmlab.kernel.registry import lookup
from wasmlab.kernel.workspace import Workspace

FIB = """(module $fib
  (func $fib (export "fib") (param $n i32) (result i32)
    (if (result i32) (i32.lt_u (local.get $n) (i32.const 2))
      (then (local.get $n))
      (else (i32.add (call $fib (i32.sub (local.get $n) (i32.const 1)))
                     (call $fib (i32.sub (local.get $n) (i32.const 2))))))))"""

# an imported function (the spectest host's) and a SIMD body next to a plain one
MIXED = """(module $mixed
  (import "spectest" "print_i32" (func $print (param i32)))
  (func $splat (export "splat") (param i32) (result i32)
    (i32x4.extract_lane 0 (i32x4.splat (local.get 0))))
  (func $twice (export "twice") (param i32) (result i32) (i32.add (local.get 0) (local.get 0))))"""


def run(ws: Workspace, code: str) -> list[Output]:
    outs: list[Output] = []
    ws.run_cell(code, outs.append)
    return outs


def text(ws: Workspace, code: str) -> str:
    return "\n".join(o.text for o in run(ws, code))


def error(ws: Workspace, code: str) -> CellError:
    with pytest.raises(CellError) as info:
        run(ws, code)
    return info.value


@pytest.fixture
def ws() -> Workspace:
    return Workspace()


def test_no_module_yet_says_the_setting(ws: Workspace) -> None:
    assert text(ws, "%tier") == f"tier {fast.TIER}: no module yet; %tier shows where a module's functions run"
    assert "no module yet" in text(ws, "%tier all")


def test_the_latest_module_before_and_after_a_run(ws: Workspace) -> None:
    run(ws, FIB)
    out = run(ws, "%tier")
    assert len(out) == 1 and "text/html" in out[0].data
    lines = out[0].text.splitlines()
    assert (
        lines[0] == f"tier {fast.TIER} (WASMLAB_TIER): 1 function body run compiled, 0 on the machine ($fib)"
    )
    assert lines[1].split() == ["index", "function", "runs", "why"]
    assert lines[2].split() == ["0", "fib", "compiled", "(not", "run", "yet)"]
    run(ws, '(invoke "fib" (i32.const 10))')
    assert text(ws, "%tier $fib").splitlines()[2].split() == ["0", "fib", "compiled"]


def test_host_and_kept_functions_and_all_modules(ws: Workspace) -> None:
    run(ws, FIB)
    run(ws, MIXED)
    out = text(ws, "%tier")
    rows = {ln.split()[1]: ln for ln in out.splitlines()[2:]}
    assert (
        "host" in rows["print"]
        and "imports spectest.print_i32" in rows["print"]
        and "compiled" in rows["twice"]
    )
    splat = ws.instance().func("splat").inst
    if fast.source_of(splat) is None:  # the compiled tier does not translate this SIMD body
        assert (
            "machine" in rows["splat"]
            and "an instruction the compiled tier does not translate" in rows["splat"]
        )
        assert ", 1 on the machine, 1 host function ($mixed)" in out.splitlines()[0]
    both = text(ws, "%tier all").splitlines()
    assert both[1].split() == ["module", "index", "function", "runs", "why"]
    assert [ln.split()[0] for ln in both[2:]] == ["$fib", "$mixed", "$mixed", "$mixed"]
    assert both == text(ws, "%tier $fib $mixed $fib").splitlines()


def test_the_machine_tier_and_the_debugger(ws: Workspace, monkeypatch: pytest.MonkeyPatch) -> None:
    run(ws, FIB)
    run(ws, "%break fib")
    run(ws, "%debug fib 3")
    out = text(ws, "%tier")
    assert "0 function bodies run compiled, 1 on the machine (1 held by the debugger)" in out
    assert "debugger  a breakpoint or watchpoint is set in it" in out
    run(ws, "%delete all")
    monkeypatch.setattr(fast, "TIER", "machine")
    out = text(ws, "%tier")
    assert out.startswith("tier machine (WASMLAB_TIER): 0 function bodies run compiled, 1 on the machine")
    assert "the tier is machine (WASMLAB_TIER=machine)" in out


@pytest.mark.parametrize(
    ("line", "ename", "words"),
    [
        ("%tier fib", "UsageError", "name modules as $NAME, or say all; not 'fib'"),
        ("%tier $fib everything", "UsageError", "not 'everything'"),
        ("%tier $", "UsageError", "not '$'"),
        ("%tier all $fib", "UsageError", "not 'all'"),
        ("%tier $nothing", "NoModule", "no module named $nothing (defined: $fib)"),
        ("%tier 'unclosed", "UsageError", "cannot read the arguments"),
    ],
)
def test_bad_arguments(ws: Workspace, line: str, ename: str, words: str) -> None:
    run(ws, FIB)
    e = error(ws, line)
    assert e.ename == ename and words in "\n".join(e.lines), (e.ename, e.lines)
    if ename == "UsageError" and "usage" in e.lines[-1]:
        assert e.lines[-1] == "usage: %tier [$MODULE ... | all]"
    assert "compiled" in text(ws, "%tier")  # the kernel goes on


def test_help_and_completion(ws: Workspace) -> None:
    run(ws, FIB)
    assert complete(ws, "%ti", 3)["matches"] == ["%tier"]
    assert complete(ws, "%tier $f", 8)["matches"] == ["$fib"]
    cmd = lookup("tier")
    assert cmd is not None and cmd.group == "modules" and cmd.args == "module"
    assert "%tier [$MODULE ... | all]" in text(ws, "%help")
    assert "where each function runs" in text(ws, "%help tier")
