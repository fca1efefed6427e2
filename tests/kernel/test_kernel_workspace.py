"""The engine behind the kernel, without Jupyter: cells, modules, commands, errors, completion."""

from __future__ import annotations

import threading
import time
from pathlib import Path

import pytest

import wasmlab
from wasmlab.kernel.complete import complete, inspect, is_complete, token_bounds
from wasmlab.kernel.outputs import CellError, Output, describe_error, table
from wasmlab.kernel.workspace import Workspace, scan_parens, split_cell

FIB = """(module $fib
  (memory (export "mem") 1)
  (global $g (export "g") (mut i32) (i32.const 0))
  (func $fib (export "fib") (param $n i32) (result i32)
    (i32.store (i32.const 1024) (local.get $n))
    (global.set $g (local.get $n))
    (if (result i32) (i32.lt_u (local.get $n) (i32.const 2))
      (then (local.get $n))
      (else (i32.add (call $fib (i32.sub (local.get $n) (i32.const 1)))
                     (call $fib (i32.sub (local.get $n) (i32.const 2)))))))
  (func (export "spin") (loop $l (br $l))))"""


class Cell:
    def __init__(self, ws: Workspace) -> None:
        self.ws = ws

    def __call__(self, code: str) -> list[Output]:
        outs: list[Output] = []
        self.ws.run_cell(code, outs.append)
        return outs

    def text(self, code: str) -> str:
        return "\n".join(o.text for o in self(code))

    def error(self, code: str) -> CellError:
        with pytest.raises(CellError) as info:
            self(code)
        return info.value


@pytest.fixture
def ws() -> Workspace:
    return Workspace()


@pytest.fixture
def run(ws: Workspace) -> Cell:
    ws.show_widgets = False
    return Cell(ws)


# --- cells ---------------------------------------------------------------------------------


def test_split_cell_keeps_order_and_ignores_percent_inside_parens() -> None:
    code = '(module\n%not a command\n)\n%step 2\n(invoke "f")\n%stack'
    chunks = split_cell(code)
    assert [(c.kind, c.line) for c in chunks] == [("wast", 1), ("magic", 4), ("wast", 5), ("magic", 6)]
    assert chunks[0].text.count("%not") == 1


def test_scan_parens_strings_and_comments() -> None:
    assert scan_parens('(a "(" ;; (\n (; ( ;) )') == (0, False, False)
    assert scan_parens('(a "abc') == (1, True, False)
    assert scan_parens("(a (; (; ;) ") == (1, False, True)
    assert is_complete("(module)") == {"status": "complete"}
    assert is_complete("(module (func")["status"] == "incomplete"
    assert is_complete("(module))") == {"status": "invalid"}
    assert is_complete("%step 3\n(module)") == {"status": "complete"}


def test_define_invoke_and_typed_results(run: Cell) -> None:
    out = run(FIB)
    assert "module $fib" in out[0].text and "fib     func    [i32] -> [i32]" in out[0].text
    assert "text/html" in out[0].data
    res = run('(invoke "fib" (i32.const 20))')
    assert [o.text for o in res] == ["(i32.const 6765)"] and res[0].result
    run('(module $v (func (export "many") (result i32 i64 f32 f64 v128 funcref externref)'
        " (i32.const -1) (i64.const -2) (f32.const 1.5) (f64.const nan:0x4)"
        " (v128.const i32x4 1 2 3 4) (ref.null func) (ref.null extern)))")  # fmt: skip
    text = run.text('(invoke "many")')
    assert text.splitlines() == [
        "(i32.const -1)", "(i64.const -2)", "(f32.const 1.5)", "(f64.const nan:0x4)",
        "(v128.const i32x4 0x1 0x2 0x3 0x4)", "(ref.null func)", "(ref.null extern)",
    ]  # fmt: skip


def test_named_module_replaced_others_kept(ws: Workspace, run: Cell) -> None:
    run('(module $a (func (export "v") (result i32) (i32.const 1)))')
    run('(module $b (func (export "w") (result i32) (i32.const 2)))')
    run('(module $a (func (export "v") (result i32) (i32.const 3)))')
    assert list(ws.entries) == ["$b", "$a"]
    assert run.text('(invoke $a "v")\n(invoke $b "w")') == "(i32.const 3)\n(i32.const 2)"
    run('(module (func (export "x") (result i32) (i32.const 4)))')
    run('(module (func (export "y") (result i32) (i32.const 5)))')
    assert None in ws.entries and len(ws.entries) == 3
    assert ws.entry().name is None and "(unnamed module)" in run.text("%modules")


def test_linking_by_name_and_register(run: Cell) -> None:
    run(
        '(module $lib (func (export "twice") (param i32) (result i32) (i32.mul (local.get 0) (i32.const 2))))'
    )
    run('(module $app (import "lib" "twice" (func $t (param i32) (result i32)))'
        ' (func (export "go") (result i32) (call $t (i32.const 21))))')  # fmt: skip
    assert run.text('(invoke "go")') == "(i32.const 42)"
    assert "registered" in run.text('(register "math" $lib)')
    run('(module (import "math" "twice" (func $t (param i32) (result i32)))'
        ' (func (export "go2") (result i32) (call $t (i32.const 5))))')  # fmt: skip
    assert run.text('(invoke "go2")') == "(i32.const 10)"


def test_assertions(run: Cell) -> None:
    run(FIB)
    code = """(assert_return (invoke "fib" (i32.const 10)) (i32.const 55))
(assert_trap (module (func $s unreachable) (start $s)) "unreachable")
(assert_invalid (module (func (result i32) (i64.const 0))) "type mismatch")
(assert_malformed (module quote "(func (i32.bad))") "unknown operator")
(assert_exhaustion (invoke "fib" (i32.const -1)) "call stack exhausted")"""
    # fib(-1) recurses forever (unsigned compare): exhaustion
    assert "5 assertions passed" in run.text(code)
    err = run.error('(assert_return (invoke "fib" (i32.const 3)) (i32.const 2))\n'
                    '(assert_return (invoke "fib" (i32.const 4)) (i32.const 4))')  # fmt: skip
    assert err.ename == "AssertionFailed"
    assert "cell[" in err.lines[0] and ":2:" in err.lines[0] and "got [3], expected ['4']" in err.lines[0]
    assert "(1 assertion before it passed)" in err.lines


def test_spectest_prints(run: Cell, capsys: pytest.CaptureFixture[str]) -> None:
    run(
        '(module (import "spectest" "print_i32" (func $p (param i32))) (func (export "f") (call $p (i32.const 7))))'
    )
    run('(invoke "f")\n%echo hello, world')
    assert capsys.readouterr().out == "print_i32(7)\nhello, world\n"


# --- errors --------------------------------------------------------------------------------


def test_errors_say_where_and_keep_state(ws: Workspace, run: Cell) -> None:
    run(FIB)
    err = run.error("\n\n(module (func (result i32)\n   (i32.add (i32.const 1))))")
    assert err.ename == "ValidationError"
    assert err.lines[0].startswith(f"cell[{ws.cell}]:4:4: invalid module")
    assert err.lines[1:] == ["   (i32.add (i32.const 1))))", "   ^"]
    err = run.error("(module (func (i32.const)))")
    assert err.ename == "ParseError" and "1:" in err.lines[0] and err.lines[-1].endswith("^")
    err = run.error(
        '(module (func (export "t") (drop (i32.div_u (i32.const 1) (i32.const 0)))))\n(invoke "t")'
    )
    assert err.ename == "Trap" and err.evalue == "integer divide by zero"
    assert any("(i32.div_u" in line for line in err.lines) and any("^" in line for line in err.lines)
    err = run.error('(module (import "env" "nope" (func)))')
    assert err.ename == "LinkError" and "env" in err.lines[0]
    err = run.error('(invoke "nope")')
    assert err.ename == "CommandFailed" and "unknown export 'nope'" in err.lines[0]
    assert run.text('(invoke $fib "fib" (i32.const 6))') == "(i32.const 8)"


def test_describe_error_for_bugs_and_tables() -> None:
    e = describe_error(ZeroDivisionError("x"))
    assert e.ename == "InternalError" and "wasmlab bug" in e.lines[0]
    assert describe_error(wasmlab.WasmError("plain")).lines == ["plain"]
    text, html = table(["a", "b"], [(1, "<x>")], caption="cap", highlight={0})
    assert text.splitlines() == ["cap", "a  b", "1  <x> *"] and "&lt;x&gt;" in html and "fff3b0" in html
    assert table(["a"], [])[0].endswith("(none)")


def test_interrupt_a_running_invoke(ws: Workspace, run: Cell) -> None:
    run(FIB)
    threading.Timer(0.3, ws.interrupt).start()
    t0 = time.monotonic()
    err = run.error('(invoke "spin")')
    assert err.ename == "Interrupted" and "instructions in spin" in err.lines[0]
    assert time.monotonic() - t0 < 5
    assert run.text('(invoke "fib" (i32.const 5))') == "(i32.const 5)"


def test_sigint_handler_sets_the_flag(ws: Workspace) -> None:
    import os
    import signal

    with ws.sigint_handler():
        os.kill(os.getpid(), signal.SIGINT)
        time.sleep(0.05)
    assert ws._interrupted


# --- commands ------------------------------------------------------------------------------


def test_help_modules_unknown(run: Cell) -> None:
    text = run.text("%help")
    for name in ("%step", "%debug", "%graph", "%load", "%reset", "%trace", "%watch"):
        assert name in text
    assert "%next [N]" in run.text("%help next") and "also: %over" in run.text("%help over")
    err = run.error("%stpe")
    assert err.ename == "UnknownCommand" and "%step" in err.lines[0]
    assert run.error("%help nothing").ename == "UsageError"


def test_load_print_dump_types_graph(tmp_path: Path, ws: Workspace, run: Cell) -> None:
    wat = tmp_path / "adder.wat"
    wat.write_text('(module $adder (func $add (export "add") (param i32 i32) (result i32)\n'
                   "  (i32.add (local.get 0) (local.get 1))))")  # fmt: skip
    assert "module $adder" in run.text(f"%load {wat}")
    wasm = tmp_path / "bin.wasm"
    wasm.write_bytes(wasmlab.encode(wasmlab.parse(FIB)))
    assert "module $bin" in run.text(f"%load {wasm}")
    assert run.text('(invoke $bin "fib" (i32.const 7))') == "(i32.const 13)"
    assert "module $other" in run.text(f"%load {wasm} other")
    assert "(func" in run.text("%print $adder") and "(i32.add" in run.text("%print $adder --folded")
    assert "Sections:" in run.text("%dump $bin")
    types = run.text("%types $adder")
    assert "[i32 i32] -> [i32]" in types and "add" in types
    outs = run("%graph calls $bin")
    assert outs[0].data["image/svg+xml"].startswith("<svg") and "digraph" in outs[0].text
    assert "image/svg+xml" in run("%graph cfg add $adder")[0].data
    try:  # module linking's kinds, once that part registers them
        assert "image/svg+xml" in run("%graph initializers $adder")[0].data
    except CellError as err:
        assert err.ename == "GraphUnavailable" and "not available" in err.lines[0]
    bad = tmp_path / "bad.wat"
    bad.write_text("(module (func (i32.add)))")
    err = run.error(f"%load {bad}")
    assert err.ename == "ValidationError" and str(bad) in err.lines[0]
    assert run.error("%load").ename == "UsageError"
    assert "forgotten" in run.text("%reset") and not ws.entries
    assert run.error("%print").ename == "NoModule"


def test_memory_without_session(run: Cell) -> None:
    run(FIB)
    run('(invoke "fib" (i32.const 3))')
    text = run.text("%memory 1024 16")
    assert "00000400  01 00 00 00" in text
    assert run.error("%memory 70000").ename == "UsageError"
    assert run.error("%memory 0 0").ename == "UsageError"


# --- the debugger's commands ---------------------------------------------------------------


def test_debug_session_commands(ws: Workspace, run: Cell) -> None:
    run(FIB)
    out = run.text("%debug fib 6")
    assert out.startswith("step 0: fib+0") and "(i32.store (i32.const 1024)" in out and "^" in out
    assert ws.session is not None and ws.widgets == []
    assert run.text("%step 3").startswith("step 3:")
    assert "i32 6" in run.text("%locals")
    run.text("%step")
    assert "i32 6" in run.text("%stack")
    run("%step")
    assert run.text("%globals").splitlines()[-1].endswith("i32 6 *")
    assert "06 00 00 00" in run.text("%memory 1024 4")
    assert "breakpoint 1 at fib if $n == 2" in run.text("%break fib if $n == 2")
    assert "breakpoint 1" in run.text("%continue")
    assert "$n=i32 2" in run.text("%frames")
    assert "watchpoint w1" in run.text("%watch memory 1024 4")
    assert "watchpoint 1: write to [0x400, 0x404) by i32.store at line 5" in run.text("%continue")
    assert "memory 0 [0x400, 0x401)" in run.text("%changes")
    assert "off" in run.text("%disable 1 w1") and "on" in run.text("%enable 1")
    assert "deleted 1, w1" in run.text("%delete 1 w1")
    assert run.text("%breakpoints").count("\n") >= 2
    assert run.text("%finish")
    assert "went back" in run.text("%back 2")
    assert run.text("%goto 5").startswith("step 5:")
    assert "(reversed)" in run.text("%break 7\n%continue\n%step 2\n%rcontinue")
    trace = run.text("%trace 3")
    assert "instruction" in trace and trace.count("\n") >= 4
    assert "1 checkpoint every" in run.text("%history")  # (not "1 checkpoints")
    assert "returned [i32 8]" in run.text("%delete all\n%continue")
    assert run.error("%step").ename == "DebugError"
    assert run.text("%where").startswith("step ")


def test_debug_usage_errors(run: Cell) -> None:
    run(FIB)
    assert run.error("%debug").ename == "UsageError"
    assert run.error("%debug fib").ename == "UsageError"
    assert run.error("%debug fib x").ename == "WasmError"
    assert run.error("%debug nope").ename == "NoExport"
    run("%debug fib 3")
    assert run.error("%step -1").ename == "UsageError"
    assert run.error("%step many").ename == "UsageError"
    assert run.error("%goto").ename == "UsageError"
    assert "breakpoints and watchpoints" in run.text("%break")
    assert run.error("%break nosuchfunc").ename == "DebugError"
    assert run.error("%break fib if ((").ename == "UsageError"
    assert run.error("%watch global $nope").ename == "DebugError"
    assert run.error("%delete 42").ename == "UsageError"
    assert run.error("%delete").ename == "UsageError"
    assert run.error("%memory 0 16 mem").ename == "UsageError"


def test_condition_error_and_unnamed_locals(run: Cell) -> None:
    run(FIB)
    run("%debug fib 4")
    run("%break fib if undefined_name > 1")
    out = run.text("%continue")
    assert "the condition of breakpoint 1 raised DebugError: unknown name" in out
    run('(module $u (func $f (export "f") (param i32) (result i32) (local.get 0))'
        ' (func (export "g") (result i32) (call $f (i32.const 4))))')  # fmt: skip
    run("%delete all")  # breakpoints outlive a session: 1 would bind again
    run("%debug $u g")
    assert "breakpoint 2 at f if l0 == 4" in run.text("%break f if l0 == 4")
    assert "breakpoint 2 at f" in run.text("%continue")


def test_interrupt_a_debug_continue(ws: Workspace, run: Cell) -> None:
    run(FIB)
    run("%debug spin")
    threading.Timer(0.3, ws.interrupt).start()
    out = run.text("%continue")
    assert "interrupted" in out
    assert run.text("%back 10").startswith("step ")


def test_debug_widget_is_made_and_refreshed(ws: Workspace) -> None:
    run = Cell(ws)
    run(FIB)
    outs = run("%debug fib 4")
    view = outs[0].data["application/vnd.jupyter.widget-view+json"]
    (widget,) = ws.widgets
    assert view["model_id"] == widget.model_id and outs[0].text.startswith("step 0:")
    run("%step 2")
    assert widget.position.startswith("step 2:")
    widget.send_action("step")
    assert run.text("%where").startswith("step 3:")
    outs = run("%explore")
    assert "application/vnd.jupyter.widget-view+json" in outs[0].data and "module $fib" in outs[0].text
    assert run.error("%explore $fib extra").ename == "UsageError"
    run("%reset")
    assert ws.widgets == [] and ws.session is None


# --- completion and inspection -------------------------------------------------------------


def test_completion(ws: Workspace, run: Cell) -> None:
    run(FIB)

    def matches(code: str, pos: int | None = None) -> list[str]:
        return complete(ws, code, len(code) if pos is None else pos)["matches"]

    assert "i32.add" in matches("(i32.ad") and "i32.add" not in matches("(i64.ad")
    assert {"module", "memory"} <= set(matches("(m"))
    assert "$fib" in matches("(call $f") and "$n" in matches("(local.get $")
    assert "$fib" in matches("%print $f")
    assert matches('(invoke "f') == ["fib"]
    assert "%step" in matches("%st") and "%stack" in matches("%st")
    assert "fib" in matches("%debug f") and "spin" in matches("%debug ")
    assert set(matches("%graph ")) >= {"calls", "cfg", "initializers", "types"}
    assert "memory" in matches("%watch m")
    r = complete(ws, "(i32.ad foo)", 7)
    assert r["cursor_start"] == 1 and r["cursor_end"] == 7
    assert token_bounds("(call $fib)", 8) == (6, 10)


def test_inspection(ws: Workspace, run: Cell) -> None:
    run(FIB)
    op = inspect(ws, "(i32.add", 8)
    assert op is not None and op.startswith("i32.add  [i32 i32] -> [i32]") and "0x6a" in op
    fn = inspect(ws, "(call $fib)", 8)
    assert fn is not None and "func fib [i32] -> [i32]" in fn and "(i32.store" in fn
    assert "func fib" in (inspect(ws, "fib", 3) or "")
    assert "%step [N]" in (inspect(ws, "%step", 3) or "")
    assert inspect(ws, "nothing_here", 4) is None
    assert inspect(ws, "", 0) is None
    run(f"%load {_binary(ws)}")
    fn = inspect(ws, "bfib", 2)
    assert fn is not None and "local.get" in fn


def _binary(ws: Workspace) -> Path:
    import tempfile

    p = Path(tempfile.mkdtemp()) / "bmod.wasm"
    p.write_bytes(
        wasmlab.encode(
            wasmlab.parse('(module (func (export "bfib") (param i32) (result i32) (local.get 0)))')
        )
    )
    return p


def test_features_command_turns_proposals_on_and_survives_reset(ws: Workspace, run: Cell) -> None:
    src = """(module (memory 1) (memory $b 1)
      (func $f (param i32) (result i32) (i32.load $b (local.get 0)))
      (func (export "g") (param i32) (result i32) (i32.store $b (i32.const 4) (i32.const 9))
        (return_call $f (local.get 0))))"""
    run(src)  # the default: WebAssembly 3.0
    assert "off" not in run.text("%features 3.0").replace("legacy-exceptions    off", "")
    assert "off" in run.text("%features 2.0")
    err = run.error(src)
    assert "multi-memory feature" in err.evalue or "tail-call feature" in err.evalue
    assert "on" in run.text("%features 2.0 tail-call multi-memory")
    run(src)
    assert "9" in run.text('(invoke "g" (i32.const 4))')
    run("%reset")
    run(src)  # still on after %reset (it forgets modules, not settings)
    assert "unknown feature 'simd'" in run.error("%features simd").evalue
    run("%features none")
    assert "feature" in run.error(src).evalue
    assert ws.features == frozenset()


def test_watch_and_memory_of_memory_1(ws: Workspace, run: Cell) -> None:
    run("%features multi-memory")
    run("""(module (memory 1) (memory $b 1)
      (func (export "put") (param i32 i32) (i32.store $b (local.get 0) (local.get 1))))""")
    run("%debug put 16 258")
    assert "memory 1 at 0x10" in run.text("%watch memory 16 4 mem 1")
    assert "watchpoint" in run.text("%continue")
    text = run.text("%memory 16 4 mem 1")
    assert "memory 1" in text and "02 01 00 00" in text
    assert "give a memory index" in run.error("%watch memory 0 4 mem").evalue


def test_memory_follows_the_latest_module_once_the_session_ended(ws: Workspace, run: Cell) -> None:
    run(FIB)
    run("%debug fib 2")
    run("%continue")
    run('(module $other (memory 1) (data (i32.const 0) "other"))')
    assert "6f 74 68 65 72" in run.text("%memory 0 5")  # "other", not fib's memory
    run("%debug $fib fib 3")  # a running session: its memory
    assert "6f 74 68" not in run.text("%memory 0 5")
