"""Tail calls (`return_call`, `return_call_indirect`): the callee takes the caller's frame, so
tail recursion runs in constant depth; stepping ends where running ends; bad uses are errors."""

from __future__ import annotations

import pytest

import wasmlab
from wasmlab.binary import decode
from wasmlab.errors import DecodeError, Trap, ValidationError
from wasmlab.exec.instantiate import host_func
from wasmlab.syntax.types import FuncType, ValType
from wasmlab.text import parse_module, print_wat

EVEN_ODD = """(module
  (func $even (export "even") (param i64) (result i32)
    (if (result i32) (i64.eqz (local.get 0)) (then (i32.const 1))
      (else (return_call $odd (i64.sub (local.get 0) (i64.const 1))))))
  (func $odd (export "odd") (param i64) (result i32)
    (if (result i32) (i64.eqz (local.get 0)) (then (i32.const 0))
      (else (return_call $even (i64.sub (local.get 0) (i64.const 1))))))
  (func $fac (param i64 i64) (result i64)
    (if (result i64) (i64.eqz (local.get 0)) (then (local.get 1))
      (else (return_call $fac (i64.sub (local.get 0) (i64.const 1))
                              (i64.mul (local.get 0) (local.get 1))))))
  (func (export "fac") (param i64) (result i64) (return_call $fac (local.get 0) (i64.const 1)))
  (func $swap (param i32 i32 i32) (result i32 i32 i32) (local.get 2) (local.get 1) (local.get 0))
  (func (export "rot") (param i32 i32 i32) (result i32 i32 i32)
    (local i32)  ;; a local of the caller that must not leak into the callee
    (local.set 3 (i32.const 99))
    (i32.const 7) (drop)
    (return_call $swap (local.get 0) (local.get 1) (local.get 2)))
  (type $t (func (param i32) (result i32)))
  (table funcref (elem $inc $dbl))
  (func $inc (type $t) (i32.add (local.get 0) (i32.const 1)))
  (func $dbl (type $t) (i32.mul (local.get 0) (i32.const 2)))
  (func $i64 (param i64) (result i64) (local.get 0))
  (func (export "dispatch") (param i32 i32) (result i32)
    (return_call_indirect (type $t) (local.get 1) (local.get 0)))
  (func (export "bad_sig") (param i32) (result i32)
    (return_call_indirect (param i64) (result i32) (i64.extend_i32_u (local.get 0)) (i32.const 1))))
"""


def load(src: str = EVEN_ODD, imports: dict | None = None) -> wasmlab.Instance:
    return wasmlab.load(src, imports, features="tail-call")


def test_tail_recursion_runs_in_constant_depth() -> None:
    inst = load()
    assert inst.exports.even(100_001) == 0
    assert inst.exports.odd(100_001) == 1
    assert inst.exports.fac(20) == 2432902008176640000
    m = inst.machine("even", 3000, depth_limit=3)  # plain calls this deep would exhaust
    assert m.run() == [1]


def test_depth_stays_and_the_frame_is_replaced_while_stepping() -> None:
    inst = load()
    m = inst.machine("even", 5)
    depths, funcs = set(), []
    while not m.finished:
        depths.add(m.depth)
        if m.instr is not None and m.instr.op.name == "return_call":
            m.step()
            funcs.append(m.frame.func.name if m.frame else None)
            assert m.frame is not None and m.frame.pc == 0 and m.depth == 1
            continue
        m.step()
    assert depths == {1}
    assert len(funcs) == 5 and m.results == [0]


@pytest.mark.parametrize(
    ("name", "args"),
    [("even", (9,)), ("fac", (12,)), ("rot", (1, 2, 3)), ("dispatch", (0, 5)), ("dispatch", (1, 5))],
)
def test_stepping_ends_where_running_ends(name: str, args: tuple) -> None:
    ran = load().machine(name, *args)
    ran.run()
    stepped = load().machine(name, *args)
    n = 0
    while not stepped.finished:
        stepped.step()
        n += 1
    assert (stepped.results, stepped.steps, stepped.stack) == (ran.results, ran.steps, ran.stack)
    assert n == ran.steps


def test_results_and_locals_are_the_callees() -> None:
    inst = load()
    assert inst.exports.rot(1, 2, 3) == (3, 2, 1)
    assert inst.exports.dispatch(0, 5) == 6
    assert inst.exports.dispatch(1, 5) == 10


def test_indirect_traps_stop_at_the_instruction() -> None:
    inst = load()
    for args, kind in [((2, 5), "undefined element"), ((9, 5), "undefined element")]:
        m = inst.machine("dispatch", *args)
        with pytest.raises(Trap, match=kind):
            m.run()
        assert m.instr is not None and m.instr.op.name == "return_call_indirect"
        assert m.stack == [args[1], args[0]]  # the operands are still there
    with pytest.raises(Trap, match="indirect call type mismatch"):
        inst.exports.bad_sig(3)


def test_tail_call_to_a_host_function() -> None:
    calls = []

    def host(x: int) -> int:
        calls.append(x)
        return x * 10

    src = """(module (import "h" "f" (func $f (param i32) (result i32)))
      (func (export "g") (param i32) (result i32) (return_call $f (i32.add (local.get 0) (i32.const 1)))))"""
    inst = load(src, {"h": {"f": host_func(FuncType((ValType.I32,), (ValType.I32,)), host, "h.f")}})
    assert inst.exports.g(4) == 50
    m = inst.machine("g", 1)
    while not m.finished:
        m.step()
    assert m.results == [20] and calls == [5, 2]


def test_encode_decode_print_parse_round_trip() -> None:
    m = parse_module(EVEN_ODD)
    data = wasmlab.encode(m)
    assert b"\x12" in data and b"\x13" in data
    back = decode(data, features=frozenset({"tail-call"}))
    assert wasmlab.encode(back) == data
    again = parse_module(print_wat(back))
    assert wasmlab.encode(again) == data


def test_without_the_feature_it_is_refused_with_the_reason() -> None:
    data = wasmlab.encode(parse_module(EVEN_ODD))
    with pytest.raises(DecodeError, match=r"illegal opcode 12 \(return_call needs the tail-call feature\)"):
        decode(data, features=frozenset())  # strict 2.0
    with pytest.raises(ValidationError, match="return_call needs the tail-call feature") as e:
        wasmlab.load(EVEN_ODD, features="2.0")
    assert e.value.span is not None and e.value.span.line == 4  # text errors say where


@pytest.mark.parametrize(
    ("body", "message"),
    [
        ("(func $f (result i64) (i64.const 1)) (func (result i32) (return_call $f))", "type mismatch"),
        ("(func $f (param i32)) (func (return_call $f))", "type mismatch"),
        ("(func (return_call 7))", "unknown function 7"),
        ("(func (return_call_indirect (i32.const 0)))", "unknown table 0"),
        ("(table 1 externref) (func (return_call_indirect (i32.const 0)))", "funcref table"),
        ("(type $t (func (result i32))) (table 1 funcref) (func (return_call_indirect (type $t) (i32.const 0)))",
         "type mismatch"),
    ],
)  # fmt: skip
def test_invalid_tail_calls(body: str, message: str) -> None:
    with pytest.raises(ValidationError, match=message):
        wasmlab.parse(f"(module {body})", features="all")


def test_code_after_a_tail_call_is_unreachable() -> None:
    src = """(module (func $f (result i32) (i32.const 1))
      (func (export "g") (result i32) (return_call $f) (f32.add) (drop) (i32.const 0)))"""
    assert load(src).exports.g() == 1
