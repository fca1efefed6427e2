"""The wasmlab kernel through jupyter_client: modules and invokes, every % command, a run of
bad cells, interrupts, the Debugger widget's comm and a simulated button click."""

from __future__ import annotations

import subprocess
import time
from pathlib import Path

import pytest

from tests.conftest import need_tool
from tests.kernel.driver import Driver

PROGRAM = """(module $prog
  (memory (export "mem") 1)
  (global $count (export "count") (mut i32) (i32.const 0))
  (func $fib (export "fib") (param $n i32) (result i32)
    (i32.store (i32.const 1024) (local.get $n))
    (global.set $count (i32.add (global.get $count) (i32.const 1)))
    (if (result i32) (i32.lt_u (local.get $n) (i32.const 2))
      (then (local.get $n))
      (else (i32.add (call $fib (i32.sub (local.get $n) (i32.const 1)))
                     (call $fib (i32.sub (local.get $n) (i32.const 2)))))))
  (func (export "spin") (loop $l (br $l)))
  (func $rec (export "rec") (call $rec))
  (func (export "div") (param i32 i32) (result i32) (i32.div_s (local.get 0) (local.get 1))))"""


def test_kernel_info_says_debugger(kernel: Driver) -> None:
    msg_id = kernel.kc.kernel_info()
    reply = kernel.shell_reply(msg_id)["content"]
    assert "debugger" in reply.get("supported_features", [])  # our own (kernel/dap.py)
    li = reply["language_info"]
    assert (li["name"], li["mimetype"], li["codemirror_mode"], li["pygments_lexer"], li["file_extension"]) == (
        "wast", "text/webassembly", "webassembly", "wat", ".wat"
    )  # fmt: skip
    assert reply["implementation"] == "wasmlab"


def test_define_and_invoke(kernel: Driver) -> None:
    r = kernel.ok(PROGRAM)
    assert "module $prog" in r.text() and "fib" in r.text()
    r = kernel.ok('(invoke "fib" (i32.const 20))')
    assert [c["data"]["text/plain"] for c in r.of("execute_result")] == ["(i32.const 6765)"]
    r = kernel.ok('(assert_return (invoke "fib" (i32.const 10)) (i32.const 55))\n(get "count")')
    assert "1 assertion passed" in r.text()
    r = kernel.ok('(invoke "div" (i32.const -7) (i32.const 2))')
    assert "(i32.const -3)" in r.text()


def test_latest_definition_replaces_same_name(kernel: Driver) -> None:
    kernel.ok('(module $a (func (export "v") (result i32) (i32.const 1)))')
    kernel.ok('(module $b (func (export "w") (result i32) (i32.const 2)))')
    kernel.ok('(module $a (func (export "v") (result i32) (i32.const 3)))')
    r = kernel.ok('(invoke $a "v")\n(invoke $b "w")')
    assert [c["data"]["text/plain"] for c in r.of("execute_result")] == ["(i32.const 3)", "(i32.const 2)"]
    r = kernel.ok("%modules")
    text = r.text()
    assert text.count("$a") == 1 and "$b" in text and "$prog" in text


BAD_CELLS = [
    ("(module (func (i32.const)))", "ParseError"),
    ("(module (func", "ParseError"),
    ("(module (func (i32.frobnicate)))", "ParseError"),
    ("(module (func (result i32) (i64.const 1)))", "ValidationError"),
    ("(module (func (local.get 5)))", "ValidationError"),
    ('(module (import "nowhere" "f" (func)))', "LinkError"),
    ("(module (func $s unreachable) (start $s))", "Trap"),
    ('(invoke "no_such_export")', "CommandFailed"),
    ('(invoke $prog "div" (i32.const 1) (i32.const 0))', "Trap"),
    ('(invoke $prog "fib")', "WasmError"),
    ('(assert_return (invoke $prog "fib" (i32.const 5)) (i32.const 6))', "AssertionFailed"),
    ('(invoke $prog "rec")', "Exhaustion"),
    ("%frobnicate", "UnknownCommand"),
    ("%step", "NoSession"),
    ("%debug no_such_function 1", "NoExport"),
    ("%load /no/such/file.wasm", "FileError"),
    ("%graph wibble", "GraphUnavailable"),
    ("%graph cfg no_such_func $prog", "WasmError"),
    ('(module binary "\\00asm\\02\\00\\00\\00")', "DecodeError"),
    ("%print $no_such_module", "NoModule"),
    ('(get $prog "fib")', "CommandFailed"),
    ("%memory 99999999", "UsageError"),
    ("%tier prog", "UsageError"),
]


def test_bad_cells_in_a_row_keep_the_kernel_and_modules(kernel: Driver) -> None:
    kernel.ok(PROGRAM)
    assert len(BAD_CELLS) >= 20
    for code, ename in BAD_CELLS:
        r = kernel.execute(code)
        assert r.status == "error", code
        errors = r.of("error")
        assert len(errors) == 1, (code, r.outputs)
        err = errors[0]
        assert err["ename"] == ename, (code, err)
        text = "\n".join(err["traceback"])
        assert "Traceback (most recent call last)" not in text and "internal error" not in text, text
    # the kernel answers and the earlier module is intact
    r = kernel.ok('(invoke $prog "fib" (i32.const 12))')
    assert "(i32.const 144)" in r.text()


def test_error_says_where(kernel: Driver) -> None:
    r = kernel.execute("(module\n  (func (result i32)\n    (i32.add (i32.const 1))))")
    tb = "\n".join(r.of("error")[0]["traceback"])
    assert ":3:5:" in tb and "(i32.add (i32.const 1))" in tb and "^" in tb
    r = kernel.execute('(invoke $prog "div" (i32.const 1) (i32.const 0))')
    tb = "\n".join(r.of("error")[0]["traceback"])
    assert "integer divide by zero" in tb and "(i32.div_s" in tb


def test_interrupt_a_runaway_invoke(kernel: Driver) -> None:
    kernel.ok(PROGRAM)
    msg_id = kernel.kc.execute('(invoke $prog "spin")')
    time.sleep(0.5)
    t0 = time.monotonic()
    kernel.km.interrupt_kernel()
    reply = kernel.shell_reply(msg_id, timeout=30)["content"]
    waited = time.monotonic() - t0
    kernel.collect(msg_id)
    assert reply["status"] == "error" and reply["ename"] == "Interrupted", reply
    assert waited < 1.0, waited
    r = kernel.ok('(invoke $prog "fib" (i32.const 7))')
    assert "(i32.const 13)" in r.text()


def test_interrupt_a_debug_continue_leaves_it_inspectable(kernel: Driver) -> None:
    kernel.ok(PROGRAM)
    kernel.ok("%debug spin")
    msg_id = kernel.kc.execute("%continue")
    time.sleep(0.5)
    t0 = time.monotonic()
    kernel.km.interrupt_kernel()
    reply = kernel.shell_reply(msg_id, timeout=30)["content"]
    waited = time.monotonic() - t0
    outs = kernel.collect(msg_id)
    assert reply["status"] == "ok", reply
    assert waited < 1.0, waited
    assert "interrupted" in "\n".join(c["data"]["text/plain"] for t, c in outs if t == "display_data")
    r = kernel.ok("%where\n%stack\n%back 5")
    assert "spin" in r.text()


def _widget_model(reply) -> str:  # noqa: ANN001
    for c in reply.of("display_data"):
        view = c["data"].get("application/vnd.jupyter.widget-view+json")
        if view:
            return view["model_id"]
    raise AssertionError("no widget view in the outputs")


def test_debug_publishes_a_widget_and_a_click_moves_the_session(kernel: Driver) -> None:
    kernel.ok(PROGRAM)
    r = kernel.ok("%debug fib 6")
    opens = r.of("comm_open")
    model_id = _widget_model(r)
    assert any(c["comm_id"] == model_id and c["target_name"] == "jupyter.widget" for c in opens)
    state = next(c for c in opens if c["comm_id"] == model_id)["data"]["state"]
    assert state["position"].startswith("step 0:")
    # a button click: the front end sends a custom message to the widget's comm
    outs = kernel.comm_msg(model_id, {"method": "custom", "content": {"action": "step"}})
    updates = [c["data"]["state"] for t, c in outs if t == "comm_msg" and c["data"].get("method") == "update"]
    assert any(u.get("position", "").startswith("step 1:") for u in updates), updates
    outs = kernel.comm_msg(model_id, {"method": "custom", "content": {"action": "continue"}})
    r = kernel.ok("%where")
    assert "returned" in r.text()
    # and a % move refreshes the widget
    kernel.comm_msg(model_id, {"method": "custom", "content": {"action": "reset"}})
    msg_id = kernel.kc.execute("%step 3")
    kernel.shell_reply(msg_id)
    outs = kernel.collect(msg_id)
    updates = [c["data"]["state"] for t, c in outs if t == "comm_msg" and c["data"].get("method") == "update"]
    assert any(u.get("position", "").startswith("step 3:") for u in updates), updates


def test_every_command(kernel: Driver, tmp_path) -> None:  # noqa: ANN001
    from wasmlab.kernel.registry import COMMANDS, all_names

    wat = tmp_path / "tiny.wat"
    wat.write_text('(module $tiny (func (export "one") (result i32) (i32.const 1)))')
    wasi = Path(__file__).resolve().parents[2] / "notebooks" / "c" / "fractions.wasm"
    # a C program built with -g, for the source-level commands
    c_wasm = tmp_path / "list.wasm"
    c_src = Path(__file__).resolve().parents[1] / "dwarf" / "list.c"
    subprocess.run(
        [need_tool("clang"), "--target=wasm32-wasi", "-g", str(c_src), "-o", str(c_wasm)], check=True
    )
    # each command and a text its output must hold (what a person would look for in it)
    script = [
        ("%help", "Cells hold WAST"), ("%help step", "execute N instructions"), ("%echo hi", "hi"),
        (f"%load {wat}", "module $tiny: 1 function, 1 export"), ("%modules", "$tiny*"),
        (PROGRAM, "module $prog: 4 functions, 6 exports"), ("%print", "(module $prog"),
        ("%print $prog --folded", "(loop $l\n      (br $l)))"), ("%dump $tiny", "module: 36 bytes"),
        ("%types", "[i32] -> [i32]"), ("%tier $prog", "run compiled"), ("%explore", "module $prog"), ("%explore $tiny", "module $tiny"),
        ("%graph calls", "digraph calls {"), ("%graph cfg fib", "digraph cfg {"),
        ("%memory 1024 16", "[0x400, 0x410)"), ("%debug fib 5", "paused before the first instruction"),
        ("%step", "step 1: fib+1"), ("%step 3", "step 4: fib+4"), ("%next", "step 5: fib+5"),
        ("%over 2", "step 7: fib+7"), ("%stack", "value stack (top first)"), ("%frames", "$n=i32 5"),
        ("%locals", "$n     i32 5"), ("%globals", "$count  mut i32  i32 1"),
        ("%heap", "no GC objects reachable at step 7"),
        ("%memory 1024 8", "00000400  05 00 00 00"), ("%changes", "global $count: i32 0 -> i32 1"),
        ("%break fib if n == 2", "breakpoint 1 at fib if n == 2"), ("%breakpoints", "break  fib    n == 2"),
        ("%continue", "breakpoint 1 at fib"), ("%locals", "$n     i32 2"),
        ("%watch memory 1024 4", "watchpoint w1"), ("%watch global 0", "watchpoint w2 on global $count"),
        ("%disable 1", "off"), ("%enable 1", "on"), ("%delete w1", "deleted w1"),
        ("%continue", "watchpoint 2: global $count"), ("%finish", "watchpoint 2: global $count"),
        ("%out", "stepped out"), ("%back 2", "went back 2 instructions"), ("%rcontinue", "watchpoint 2"),
        ("%goto 10", "step 10: fib+10"), ("%where", "step 10: fib+10"), ("%trace 4", "step 14: fib+16"),
        ("%history", "1 checkpoint every"), ("%break 7", "breakpoint 2 at line 7"),
        ("%delete all", "deleted 3 breakpoints and watchpoints"), ("%c", "returned [i32 5]"),
        ("%debug fib 5", "paused before the first instruction"), ("%break fib if $n == 2", "if $n == 2"),
        ("%continue", "step 45: fib+0"), ("%p $n + 1", "$n + 1 = i32 3"), ("%up", "#2 prog.fib @0x7a"),
        ("%down", "#3 prog.fib @0x5c"), ("%frame 0", "#0 prog.fib"), ("%set $n = 2", "$n = i32 2 (at step 45"),
        ("%rstep", "step 44: fib+16"), ("%step", "step 45: fib+0"), ("%rnext", "step 44: fib+16"),
        ("%step 2", "at fib\n"), ("%rfinish", "back at the call of fib"), ("%delete all", "deleted 1"),
        (f"%load {wasi} --wasi -- 1/2", "module $fractions"), ("%run", "1/2 = 1/2"), ("%output stdout", "bytes 0 to 10 of 10"),
        ("%features all", "tail-call"), ("%features", "features"), ("%features none", "off"),
        ("%limits", "max_memory          256 MiB"), ("%limits max_memory=64M fuel=none", "max_memory          64 MiB"),
        ("%limits reset", "max_memory          256 MiB"),
        (f"%load {c_wasm} --wasi -- list", "module $list"), ("%debug _start", "paused"),
        ("%break list.c:18", "list.c:18"), ("%continue", "at list.c:18"), ("%list 1", "=>   18 |"),
        ("%vars", "where it lives"), ("%cstack", "sum"), ("%nextl", "step "), ("%stepl", "step "), ("%backl", "back to list.c:"),
        ("%delete all", "deleted"), ("%reset", "all modules and sessions forgotten"),
    ]  # fmt: skip
    used = set()
    for code, want in script:
        r = kernel.execute(code)
        assert r.status == "ok", (code, r.text())
        assert want in r.text(), (code, want, r.text())
        if code.startswith("%"):
            used.add(code[1:].split()[0])
    from wasmlab.kernel.registry import lookup

    covered = {lookup(n).name for n in used}
    missing = set(COMMANDS) - covered
    assert not missing, f"commands not exercised: {sorted(missing)} (of {all_names()})"


def test_completion_and_inspection(kernel: Driver) -> None:
    kernel.ok(PROGRAM)

    def complete(code: str) -> list[str]:
        msg_id = kernel.kc.complete(code, len(code))
        return kernel.shell_reply(msg_id)["content"]["matches"]

    assert "i32.add" in complete("(i32.ad")
    assert "$fib" in complete("(call $fi")
    assert "fib" in complete('(invoke "fi')
    assert "%debug" in complete("%deb")
    assert "fib" in complete("%debug fi")
    assert "cfg" in complete("%graph c")

    def inspect(code: str) -> str:
        msg_id = kernel.kc.inspect(code, len(code))
        c = kernel.shell_reply(msg_id)["content"]
        return c["data"].get("text/plain", "") if c["found"] else ""

    assert "[i32 i32] -> [i32]" in inspect("i32.add")
    text = inspect("(call $fib")
    assert "[i32] -> [i32]" in text and "i32.lt_u" in text

    msg_id = kernel.kc.is_complete("(module (func")
    assert kernel.shell_reply(msg_id)["content"]["status"] == "incomplete"


@pytest.fixture(scope="module")
def kernel() -> Driver:  # noqa: F811 - one kernel for this module (conftest's fixture, module scope)
    from tests.kernel.conftest import need_kernel

    need_kernel()
    d = Driver()
    yield d
    d.close()
