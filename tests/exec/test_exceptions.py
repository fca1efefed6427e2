"""Exception handling (tags, `throw`, `throw_ref`, `try_table`, `exnref`): catching by tag and
by reference across frames and host functions, uncaught exceptions, stepping that ends where
running ends, the debugger, binary and text forms (WABT as referee), and the errors."""

from __future__ import annotations

import subprocess
from pathlib import Path

import pytest

import wasmlab
from tests.conftest import need_tool
from wasmlab.binary import decode, encode
from wasmlab.debug import debug
from wasmlab.errors import DecodeError, ParseError, Thrown, Trap, ValidationError
from wasmlab.text import parse_module, print_wat
from wasmlab.viz.cfg import basic_blocks

SRC = """(module
  (tag $e (export "e") (param i32))
  (tag $f)
  (func $thrower (param i32) (throw $e (local.get 0)))
  (func (export "catch") (param i32) (result i32)
    (block $h (result i32)
      (try_table (result i32) (catch $e $h)
        (call $thrower (local.get 0))
        (i32.const -1))))
  (func (export "rethrow") (result i32)
    (block $h (result i32)
      (try_table (result i32) (catch $e $h)
        (block $h2 (result exnref)
          (try_table (catch_all_ref $h2) (throw $e (i32.const 42))) (unreachable))
        (throw_ref))))
  (func (export "uncaught") (param i32) (call $thrower (local.get 0)))
  (func (export "other-tag") (result i32)
    (block $h (result i32)
      (try_table (result i32) (catch $e $h) (throw $f))))
  (func (export "null") (throw_ref (ref.null exn)))
  (func (export "nested") (result i32) (local $n i32)
    (loop $again
      (block $h
        (try_table (catch $f $h)
          (local.set $n (i32.add (local.get $n) (i32.const 1)))
          (br_if $again (i32.lt_u (local.get $n) (i32.const 3)))
          (throw $f)))
      (br_if $again (i32.lt_u (local.get $n) (i32.const 5))))
    (local.get $n))
  (func (export "catch-all") (param i32) (result i32)
    (block $h
      (try_table (catch_all $h) (call $thrower (local.get 0))))
    (i32.add (local.get 0) (i32.const 1)))
)"""


def load() -> wasmlab.Instance:
    return wasmlab.load(SRC, features="exceptions")


def test_catching_by_tag_and_by_reference() -> None:
    e = load().exports
    assert e.catch(7) == 7 and e.rethrow() == 42 and e.nested() == 5 and e["catch-all"](9) == 10


def test_uncaught_exceptions_and_null_references() -> None:
    e = load().exports
    with pytest.raises(Thrown, match="uncaught exception") as info:
        e.uncaught(3)
    assert info.value.exn.values == [3] and "thrower" in str(info.value)
    with pytest.raises(Thrown):
        e["other-tag"]()  # a catch of another tag lets it through
    with pytest.raises(Trap, match="null exception reference") as trap:
        e.null()
    assert not isinstance(trap.value, Thrown)


def test_an_uncaught_exception_leaves_the_machine_at_the_throw() -> None:
    m = load().machine("uncaught", 3)
    with pytest.raises(Thrown):
        m.run()
    assert m.instr is not None and m.instr.op.name == "throw" and m.depth == 2


def test_traps_are_not_exceptions() -> None:
    inst = wasmlab.load(
        """(module (func (export "f") (result i32)
          (block $h (try_table (catch_all $h) (unreachable))) (i32.const 1)))""",
        features="exceptions",
    )
    with pytest.raises(Trap, match="unreachable"):
        inst.exports.f()


def _outer_through_host(inner: wasmlab.Instance, calls: list) -> wasmlab.Instance:
    def host(x: int) -> None:
        calls.append(x)
        inner.exports.uncaught(x + 1)

    return wasmlab.load(
        """(module
          (import "inner" "e" (tag $e (param i32)))
          (import "host" "call_uncaught" (func $host (param i32)))
          (func (export "f") (param i32) (result i32)
            (block $h (result i32)
              (try_table (result i32) (catch $e $h) (call $host (local.get 0)) (i32.const -1)))))""",
        {"inner": {"e": inner.exports.e}, "host": {"call_uncaught": host}},
        features="exceptions",
    )


def test_exceptions_cross_host_functions() -> None:
    """wasm -> host -> wasm that throws: the exception goes on into the outer wasm frames."""
    calls: list = []
    assert _outer_through_host(load(), calls).exports.f(10) == 11 and calls == [10]


def test_the_debugger_replays_a_host_call_that_threw() -> None:
    """History records the exception a host call let out; replaying gives the same exception
    (the same tag, so the same catch) without calling the host again."""
    calls: list = []
    s = debug(_outer_through_host(load(), calls), "f", 10)
    assert "[i32 11]" in s.continue_().reason and calls == [10]
    s.goto(0)
    assert "[i32 11]" in s.continue_().reason and calls == [10] and s.host_calls == 1


def test_tags_are_per_instance() -> None:
    """Two instances of one module have different tags: one's catch does not see the other's."""
    a, b = load(), load()
    mod = """(module
      (import "x" "e" (tag $e (param i32)))
      (import "x" "uncaught" (func $throw (param i32)))
      (func (export "f") (result i32)
        (block $h (result i32) (try_table (result i32) (catch $e $h) (call $throw (i32.const 5)) (i32.const -1)))))"""
    same = wasmlab.load(mod, {"x": {"e": a.exports.e, "uncaught": a.exports.uncaught}}, features="exceptions")
    assert same.exports.f() == 5
    other = wasmlab.load(
        mod, {"x": {"e": b.exports.e, "uncaught": a.exports.uncaught}}, features="exceptions"
    )
    with pytest.raises(Thrown):
        other.exports.f()


def test_importing_a_tag_of_another_type_does_not_link() -> None:
    with pytest.raises(wasmlab.LinkError, match="incompatible import type"):
        wasmlab.load('(module (import "x" "e" (tag (param i64))))', {"x": {"e": load().exports.e}},
                     features="exceptions")  # fmt: skip


@pytest.mark.parametrize(
    ("name", "args"),
    [("catch", (7,)), ("rethrow", ()), ("nested", ()), ("catch-all", (2,)), ("other-tag", ())],
)
def test_stepping_ends_where_running_ends(name: str, args: tuple) -> None:
    ran = load().machine(name, *args)
    outcome = None
    try:
        ran.run()
    except Thrown as t:
        outcome = t.kind
    stepped = load().machine(name, *args)
    n = 0
    try:
        while not stepped.finished:
            stepped.step()
            n += 1
    except Thrown as t:
        assert t.kind == outcome
        n += 1
    assert (stepped.results, stepped.steps, stepped.stack, stepped.depth) == (
        ran.results, ran.steps, ran.stack, ran.depth,
    )  # fmt: skip
    assert n == ran.steps or outcome  # (a throw nothing catches is not a completed step)


def test_the_debugger_steps_into_the_catch_and_back() -> None:
    s = debug(load(), "catch", 7)
    s.break_at("thrower")
    assert s.continue_().kind == "breakpoint"
    while not s.position.instr.startswith("throw"):
        s.step()
    depth = len(s.frames)
    s.step()  # the throw: unwinds one frame, lands on the end of the catching block
    assert len(s.frames) == depth - 1 and s.position.instr == "end"
    assert [v.value for v in s.stack] == [7]
    s.back()
    assert s.position.instr.startswith("throw") and len(s.frames) == depth
    stop = s.continue_()
    assert stop.kind == "returned" and "[i32 7]" in stop.reason, stop.reason


def test_cfg_has_catch_edges() -> None:
    module = parse_module(SRC)
    rethrow = module.funcs[2].body
    edges = {label for bb in basic_blocks(rethrow) for _, label in bb.succ}
    assert {"catch_all_ref", "catch", "throw"} <= edges


def test_binary_round_trip_and_wabt(tmp_path: Path) -> None:
    module = parse_module(SRC)
    data = encode(module)
    assert encode(decode(data, features="exceptions")) == data
    with pytest.raises(DecodeError, match="exceptions feature|illegal opcode|malformed"):
        decode(data, features=frozenset())  # strict 2.0
    tool = need_tool("wat2wasm")
    (tmp_path / "m.wat").write_text(SRC)
    subprocess.run([tool, str(tmp_path / "m.wat"), "-o", str(tmp_path / "m.wasm")], check=True)
    assert (tmp_path / "m.wasm").read_bytes() == data


def test_text_round_trip_flat_and_folded() -> None:
    module = parse_module(SRC)
    for folded in (False, True):
        text = print_wat(module, folded=folded)
        assert "(catch $e $h)" in text and "(catch_all_ref $h2)" in text and "(tag $e (;0;)" in text
        assert encode(parse_module(text), names=True) == encode(module, names=True)


@pytest.mark.parametrize(
    ("wat", "message"),
    [
        ("(module (tag (result i32)))", "non-empty tag result type"),
        ('(module (import "" "" (tag (result i32))))', "non-empty tag result type"),
        ("(module (func (throw 0)))", "unknown tag 0"),
        ("(module (tag (param i32)) (func (throw 0)))", "type mismatch"),
        ("(module (func (throw_ref (i32.const 0))))", r"expected \[exnref\]"),
        ("(module (tag (param i32)) (func (block (result i64) (try_table (catch 0 0)))))",
         r"catch passes \[i32\] to label 0, which takes \[i64\]"),
        ("(module (func (block (result exnref) (try_table (catch_all 0))) (drop)))",
         r"catch_all passes \[\] to label 0, which takes \[exnref\]"),
        ("(module (func (try_table (catch_all 1))))", "unknown label 1"),
        ("(module (tag) (func (try_table (catch 1 0))))", "unknown tag 1"),
    ],
)  # fmt: skip
def test_invalid_modules(wat: str, message: str) -> None:
    with pytest.raises(ValidationError, match=message):
        wasmlab.parse(wat, features="exceptions")


@pytest.mark.parametrize(
    ("wat", "message"),
    [
        ("(module (tag))", "tags need the exceptions feature"),
        ("(module (func (local exnref)))", "exnref needs the exceptions feature"),
        ("(module (func (try_table)))", "try_table needs the exceptions feature"),
        ("(module (func (result (ref exn)) unreachable))", "needs the function-references feature"),
    ],
)
def test_plain_2_0_names_the_feature(wat: str, message: str) -> None:
    with pytest.raises(ValidationError, match=message):
        wasmlab.parse(wat, features="2.0")


@pytest.mark.parametrize(
    ("wat", "message"),
    [
        ("(module (func (try_table (catch_foo 0))))", "unknown operator catch_foo"),
        ("(module (func (try_table (catch $nope 0))))", "unknown tag \\$nope"),
        ("(module (func (try_table (catch_all $nope))))", "unknown label \\$nope"),
    ],
)
def test_text_errors(wat: str, message: str) -> None:
    with pytest.raises(ParseError, match=message):
        parse_module(wat)


def test_malformed_binaries() -> None:
    data = encode(parse_module("(module (tag) (func (block (try_table (catch_all 1)))))"))
    bad = data.replace(bytes([0x1F, 0x40, 0x01, 0x02, 0x01]), bytes([0x1F, 0x40, 0x01, 0x07, 0x01]))
    assert bad != data
    with pytest.raises(DecodeError, match="malformed catch clause"):
        decode(bad, features="exceptions")
    tag_section = bytes([13, 2, 1, 0])  # one tag... with its type index missing
    with pytest.raises(DecodeError):
        decode(bytes(data[:8]) + tag_section, features="exceptions")


def test_bit_flipped_exception_modules_only_raise_wasm_errors() -> None:
    """Every single-bit flip of the module: decoding and validating with the proposal on give a
    module or a WasmError (never another exception)."""
    from wasmlab.errors import WasmError
    from wasmlab.syntax.features import ALL
    from wasmlab.valid import validate

    data = encode(parse_module(SRC))
    outcomes = {"ok": 0, "error": 0}
    for bit in range(8, len(data) * 8):
        flipped = bytearray(data)
        flipped[bit // 8] ^= 1 << (bit % 8)
        try:
            validate(decode(bytes(flipped), features=ALL), features=ALL)
            outcomes["ok"] += 1
        except WasmError:
            outcomes["error"] += 1
    assert outcomes["ok"] and outcomes["error"]
