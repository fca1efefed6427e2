"""wasmlab.script.Workspace, the REPL facade below the front ends: WAST command lists run in a
session that keeps its modules, registrations and WASI worlds, whatever goes wrong."""

from __future__ import annotations

from pathlib import Path

import pytest

import wasmlab
from wasmlab.errors import LinkError, ParseError, Trap, ValidationError, WasmError
from wasmlab.script import (
    CommandFailed,
    Defined,
    Interrupted,
    Passed,
    Registered,
    Returned,
    WasiSetup,
    Workspace,
    WorkspaceError,
    parse_arg,
)
from wasmlab.syntax import ValType

ADD = """(module $math
  (func (export "add") (param i32 i32) (result i32) local.get 0 local.get 1 i32.add)
  (func (export "div") (param i32 i32) (result i32) local.get 0 local.get 1 i32.div_s)
  (global (export "answer") i32 (i32.const 42)))"""

HELLO = """(module
  (import "wasi_snapshot_preview1" "fd_write" (func $fd_write (param i32 i32 i32 i32) (result i32)))
  (import "wasi_snapshot_preview1" "proc_exit" (func $exit (param i32)))
  (memory (export "memory") 1)
  (data (i32.const 16) "hi\\n")
  (func (export "_start")
    (i32.store (i32.const 0) (i32.const 16))
    (i32.store (i32.const 4) (i32.const 3))
    (drop (call $fd_write (i32.const 1) (i32.const 0) (i32.const 1) (i32.const 8)))
    (call $exit (i32.const 3))))"""


def run(ws: Workspace, source: str) -> list:
    return list(ws.run(source, "input[1]"))


def test_the_facade_is_public() -> None:
    assert wasmlab.Workspace is Workspace


def test_a_definition_is_recorded_and_becomes_current() -> None:
    ws = Workspace()
    (record,) = run(ws, ADD)
    assert isinstance(record, Defined) and record.entry.name == "$math"
    assert ws.current is record.entry and ws.entry("math") is record.entry
    assert record.entry.export_names == ["add", "div", "answer"]
    assert record.entry.source == ADD and record.entry.filename == "input[1]"
    assert ws.instance().exports["add"](2, 3) == 5  # the public API's Instance


def test_invoke_and_get_return_values_with_their_types() -> None:
    ws = Workspace()
    records = run(ws, ADD + '\n(invoke "add" (i32.const 2) (i32.const -3))\n(get "answer")')
    invoked, got = records[1:]
    assert isinstance(invoked, Returned) and invoked.values == [0xFFFFFFFF]
    assert invoked.types == (ValType.I32,) and invoked.line == 5
    assert isinstance(got, Returned) and got.values == [42]


def test_register_makes_exports_importable() -> None:
    ws = Workspace()
    records = run(ws, ADD + '\n(register "m" $math)')
    assert records[-1] == Registered("m", "$math", 5)
    user = """(module $user (import "m" "add" (func $add (param i32 i32) (result i32)))
      (func (export "inc") (param i32) (result i32) local.get 0 i32.const 1 call $add))"""
    run(ws, user + '\n(assert_return (invoke "inc" (i32.const 41)) (i32.const 42))')
    assert set(ws.entries) == {"$math", "$user"}


def test_a_module_defined_again_under_its_name_replaces_the_old_one() -> None:
    ws = Workspace()
    run(ws, ADD)
    run(ws, '(module $math (func (export "add") (result i32) i32.const 7))')
    assert list(ws.entries) == ["$math"] and ws.entry().export_names == ["add"]


def test_assertions_pass_and_fail_with_their_line() -> None:
    ws = Workspace()
    records = run(ws, ADD + '\n(assert_return (invoke "add" (i32.const 1) (i32.const 1)) (i32.const 2))')
    assert records[-1] == Passed("assert_return", 5)
    with pytest.raises(CommandFailed) as info:
        run(ws, '\n\n(assert_return (invoke "add" (i32.const 1) (i32.const 1)) (i32.const 3))')
    e = info.value
    assert e.word == "assert_return" and e.line == 3 and e.assertion
    assert "got [2], expected ['3']" in e.reason


def test_a_trap_says_where_it_happened() -> None:
    ws = Workspace()
    run(ws, ADD)
    with pytest.raises(Trap) as info:
        run(ws, '(invoke "div" (i32.const 1) (i32.const 0))')
    assert "divide by zero" in str(info.value)
    entry, span = ws.fault_site()
    assert entry is ws.entry("$math") and span is not None and span.line == 3


def test_an_expected_trap_is_an_assertion_that_holds() -> None:
    ws = Workspace()
    records = run(
        ws, ADD + '\n(assert_trap (invoke "div" (i32.const 1) (i32.const 0)) "integer divide by zero")'
    )
    assert records[-1] == Passed("assert_trap", 5)


def test_bad_wat_raises_and_defines_nothing() -> None:
    ws = Workspace()
    with pytest.raises(ParseError):
        run(ws, '(module (func (export "f") i32.bogus))')
    with pytest.raises(ValidationError):
        run(ws, '(module (func (export "f") (result i32) f32.const 1))')
    with pytest.raises(LinkError):
        run(ws, '(module (import "nowhere" "f" (func)))')
    assert ws.entries == {} and ws.current is None


def test_state_is_kept_after_errors() -> None:
    ws = Workspace()
    run(ws, ADD + '\n(register "m")')
    for bad in [
        "(module",  # does not parse
        '(invoke "div" (i32.const 1) (i32.const 0))',  # traps
        '(assert_return (invoke "add" (i32.const 1) (i32.const 1)) (i32.const 0))',  # fails
        '(invoke "nope")',  # no such export
        '(invoke $other "add")',  # no such module
    ]:
        with pytest.raises(WasmError):
            run(ws, bad)
    with pytest.raises(WorkspaceError) as info:
        ws.entry("$other")
    assert info.value.kind == "NoModule" and "defined: $math" in info.value.lines[0]
    (record,) = run(ws, '(invoke "add" (i32.const 20) (i32.const 22))')
    assert record.values == [42]
    assert "m" in ws.runner.registry


def test_commands_before_a_failure_keep_their_effect() -> None:
    ws = Workspace()
    with pytest.raises(CommandFailed) as info:
        run(ws, ADD + '\n(invoke $nope "add")')
    assert info.value.word == "action" and not info.value.assertion
    assert ws.entry("$math").export_names


def test_an_interrupt_stops_a_running_call_and_the_session_lives_on() -> None:
    ws = Workspace()
    run(ws, '(module (func (export "spin") (loop br 0)) (func (export "one") (result i32) i32.const 1))')
    ws.interrupt()
    with pytest.raises(Interrupted, match="interrupted after"):
        run(ws, '(invoke "spin")')
    assert not ws.interrupted
    assert run(ws, '(invoke "one")')[0].values == [1]


def test_define_from_text_with_python_imports() -> None:
    ws = Workspace()
    entry = ws.define(
        '(module (import "py" "twice" (func $t (param i32) (result i32)))'
        ' (func (export "f") (param i32) (result i32) local.get 0 call $t))',
        "$p",
        imports={"py": {"twice": lambda x: 2 * x}},
    )
    assert ws.instance(entry).exports["f"](21) == 42


def test_a_wasi_program_runs_on_a_fresh_instance_each_time(capsys: pytest.CaptureFixture[str]) -> None:
    ws = Workspace()
    module = ws.parse(HELLO, "hello.wat")
    entry = ws.add_wasi_module("$hello", module, WasiSetup(["hello"]), source=HELLO, filename="hello.wat")
    first = entry.inst
    assert ws.run_wasi(entry) == 3
    assert entry.inst is not first
    assert capsys.readouterr().out == "hi\n"
    assert ws.run_wasi(entry, ["again"]) == 3
    assert entry.config.args_bytes == [b"hello", b"again"]


def test_a_module_without_wasi_cannot_run_as_a_program() -> None:
    ws = Workspace()
    (record,) = run(ws, ADD)
    with pytest.raises(WorkspaceError, match="no _start") as info:
        ws.run_wasi(record.entry)
    assert info.value.kind == "NoExport" and "$math exports no _start" in info.value.lines[0]
    with pytest.raises(WorkspaceError, match="not a WASI module"):
        ws.fresh_wasi(record.entry)


def test_reset_forgets_modules_and_keeps_features() -> None:
    from wasmlab.syntax import as_features

    ws = Workspace()
    ws.features = as_features("all")
    run(ws, ADD)
    ws.reset()
    assert ws.entries == {} and ws.features == as_features("all") and ws.runner.features == ws.features


@pytest.mark.parametrize(
    ("text", "t", "value"),
    [
        ("5", ValType.I32, 5),
        ("-1", ValType.I32, -1),
        ("0x10", ValType.I64, 16),
        ("1_000", ValType.I64, 1000),
        ("(i32.const 7)", ValType.I32, 7),
        ("1.5", ValType.F64, 1.5),
        ("-inf", ValType.F32, float("-inf")),
        ("0x1p-2", ValType.F64, 0.25),
        ("(f64.const 2.5)", ValType.F64, 2.5),
        ("null", ValType.FUNCREF, None),
    ],
)
def test_parse_arg_takes_every_syntax_of_the_command_line_and_the_kernel(
    text: str, t: ValType, value: object
) -> None:
    assert parse_arg(text, t) == value


def test_parse_arg_says_what_is_wrong() -> None:
    with pytest.raises(WasmError, match="argument 'x' is not an i32"):
        parse_arg("x", ValType.I32)
    with pytest.raises(WasmError, match="cannot pass '5' as a funcref"):
        parse_arg("5", ValType.FUNCREF)


def test_the_facade_keeps_no_path_state(tmp_path: Path) -> None:
    ws = Workspace()
    run(ws, ADD)
    assert ws.entry().binary is None and ws.export_names() == ["add", "div", "answer"]


def test_module_files_are_read_as_text_or_bytes() -> None:
    ws = Workspace()
    binary = wasmlab.encode(ws.parse(ADD))
    assert Workspace.module_text(binary, "m.wasm") is None
    assert Workspace.module_text(ADD.encode(), "m.wat") == ADD
    with pytest.raises(WorkspaceError, match="not UTF-8") as info:
        Workspace.module_text(b"\xff\xfe", "m.bin")
    assert info.value.kind == "FileError" and info.value.lines == [
        "m.bin: neither a wasm binary nor UTF-8 text"
    ]
    module = ws.decode(binary)
    entry = ws.add_module("$bin", module, source=None, filename="m.wasm", binary=binary)
    assert entry.func_exports == ["add", "div"] and entry.func_type("answer") is None
    assert str(entry.func_type("add")) == "[i32 i32] -> [i32]"


def test_memories_are_the_instance_bytes() -> None:
    ws = Workspace()
    (record,) = run(ws, '(module (memory 1) (data (i32.const 2) "hi"))')
    (mem,) = record.entry.memories
    assert len(mem) == 65536 and bytes(mem[:4]) == b"\0\0hi"
