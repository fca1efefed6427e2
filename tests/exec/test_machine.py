"""The stepping machine: stepping ends exactly where running ends; traps, limits, fuel, host calls."""

from __future__ import annotations

import pytest

import wasmlab
from wasmlab.bench.workloads import WORKLOADS
from wasmlab.errors import Exhaustion, Trap, WasmError

PROGRAMS = {
    "br_table": (
        """(module
          (func (export "f") (param $x i32) (result i32)
            (block $c (block $b (block $a
              (br_table $a $b $c (local.get $x)))
              (return (i32.const 10)))
              (return (i32.const 20)))
            (i32.const 30)))""",
        [(0,), (1,), (2,), (7,)],
    ),
    "indirect": (
        """(module
          (type $t (func (param i32) (result i32)))
          (table 3 funcref)
          (elem (i32.const 0) $double $square $double)
          (func $double (type $t) (i32.mul (local.get 0) (i32.const 2)))
          (func $square (type $t) (i32.mul (local.get 0) (local.get 0)))
          (func (export "f") (param $x i32) (result i32)
            (call_indirect (type $t) (local.get $x) (i32.rem_u (local.get $x) (i32.const 3)))))""",
        [(4,), (5,), (6,)],
    ),
    "multi": (
        """(module
          (func $swap (param i32 i32) (result i32 i32) (local.get 1) (local.get 0))
          (func (export "f") (param i32 i32) (result i32 i32 i32)
            (block (result i32 i32) (call $swap (local.get 0) (local.get 1)))
            (i32.const 9)))""",
        [(1, 2)],
    ),
    "memory": (
        """(module
          (memory 1)
          (global $g (mut i32) (i32.const 0))
          (func (export "f") (param $n i32) (result i32)
            (local $i i32)
            (loop $l
              (i32.store (i32.mul (local.get $i) (i32.const 4)) (i32.mul (local.get $i) (local.get $i)))
              (global.set $g (i32.add (global.get $g) (i32.load (i32.mul (local.get $i) (i32.const 4)))))
              (br_if $l (i32.lt_u (local.tee $i (i32.add (local.get $i) (i32.const 1))) (local.get $n))))
            (drop (memory.grow (i32.const 1)))
            (global.get $g)))""",
        [(10,), (100,)],
    ),
}


def _state(inst: wasmlab.Instance, m: object) -> tuple:
    mem = [bytes(x.data) for x in inst.inst.mems]
    globs = [g.value for g in inst.inst.globals]
    return (m.results, m.steps, mem, globs, list(m.stack))  # type: ignore[attr-defined]


def _cases() -> list:
    out = []
    for name, (wat, calls) in PROGRAMS.items():
        for args in calls:
            out.append(pytest.param(wat, "f", args, id=f"{name}{args}"))
    for w in WORKLOADS:
        out.append(pytest.param(w.wat, "run", (min(w.arg, 300) if w.name != "fib" else 10,), id=w.name))
    return out


@pytest.mark.parametrize(("wat", "name", "args"), _cases())
def test_stepping_ends_where_running_ends(wat: str, name: str, args: tuple) -> None:
    ran = wasmlab.load(wat)
    m1 = ran.machine(name, *args)
    m1.run()
    stepped = wasmlab.load(wat)
    m2 = stepped.machine(name, *args)
    count = 0
    while not m2.finished:
        assert m2.instr is not None
        m2.step()
        count += 1
    assert count == m1.steps == m2.steps
    assert _state(ran, m1) == _state(stepped, m2)
    # mixed: some steps, then run
    mixed = wasmlab.load(wat)
    m3 = mixed.machine(name, *args)
    m3.step(7)
    m3.run(max_steps=5)
    m3.run()
    assert _state(ran, m1) == _state(mixed, m3)


def test_results_and_python_values() -> None:
    inst = wasmlab.load(PROGRAMS["multi"][0])
    assert inst.exports.f(1, 2) == (2, 1, 9)
    fib = wasmlab.load(WORKLOADS[0].wat)
    assert fib.exports.run(20) == 6765
    neg = wasmlab.load(
        '(module (func (export "n") (result i32 i64 f32) (i32.const -1) (i64.const -2) (f32.const 1.5)))'
    )
    assert neg.exports.n() == (-1, -2, 1.5)


def test_step_returns_the_instruction_executed() -> None:
    inst = wasmlab.load(PROGRAMS["br_table"][0])
    m = inst.machine("f", 1)
    first = m.instr
    assert m.step() is first
    assert first is not None and first.name == "block"
    assert m.steps == 1


def test_trap_stops_at_the_instruction_with_operands() -> None:
    inst = wasmlab.load(
        """(module (func $div (param i32 i32) (result i32) (i32.div_s (local.get 0) (local.get 1)))
                   (func (export "f") (param i32) (result i32) (call $div (i32.const 7) (local.get 0))))"""
    )
    assert inst.exports.f(7) == 1
    m = inst.machine("f", 0)
    with pytest.raises(Trap) as e:
        m.run()
    assert e.value.kind == "integer divide by zero"
    assert e.value.stack == ["f", "div"]
    assert m.instr is not None and m.instr.name == "i32.div_s"
    assert m.stack[-2:] == [7, 0]  # the operands are still there
    assert m.trap is e.value
    with pytest.raises(Trap):
        m.run()


def test_deep_recursion_is_a_clean_exhaustion() -> None:
    inst = wasmlab.load('(module (func $f (export "f") (call $f)))')
    with pytest.raises(Exhaustion, match="call stack exhausted"):
        inst.exports.f()
    m = inst.machine("f", depth_limit=50)
    with pytest.raises(Exhaustion):
        m.run()
    assert m.depth == 50


def test_fuel() -> None:
    inst = wasmlab.load('(module (func (export "spin") (loop $l (br $l))))', fuel=1000)
    with pytest.raises(Exhaustion, match="fuel"):
        inst.exports.spin()
    m = wasmlab.load('(module (func (export "spin") (loop $l (br $l))))').machine("spin", fuel=10)
    with pytest.raises(Exhaustion):
        m.run()
    assert m.steps == 10


def test_host_functions_and_imports() -> None:
    seen: list[int] = []
    inst = wasmlab.load(
        """(module (import "env" "log" (func $log (param i32) (result i32)))
                   (func (export "f") (param i32) (result i32) (call $log (local.get 0))))""",
        {"env": {"log": lambda x: seen.append(x) or x * 2}},
    )
    assert inst.exports.f(-4) == -8
    assert seen == [-4]
    with pytest.raises(wasmlab.LinkError, match="unknown import"):
        wasmlab.load('(module (import "env" "nope" (func)))', {"env": {}})


def test_host_function_failure_is_a_trap() -> None:
    def boom(x: int) -> int:
        raise RuntimeError("no")

    inst = wasmlab.load(
        '(module (import "env" "f" (func $f (param i32) (result i32))) (func (export "g") (result i32) (call $f (i32.const 1))))',
        {"env": {"f": boom}},
    )
    with pytest.raises(Trap, match="host function"):
        inst.exports.g()


def test_bad_arguments_are_wasm_errors() -> None:
    inst = wasmlab.load(PROGRAMS["br_table"][0])
    with pytest.raises(WasmError):
        inst.exports.f()
    with pytest.raises(WasmError):
        inst.exports.f("x")
    with pytest.raises(AttributeError):
        inst.exports.nope  # noqa: B018


def test_a_deep_mutual_recursion_backtrace_is_cut_short() -> None:
    inst = wasmlab.load(
        """(module
      (func $even (export "even") (param i32) (result i32)
        (if (result i32) (local.get 0) (then (call $odd (i32.sub (local.get 0) (i32.const 1)))) (else (i32.const 1))))
      (func $odd (param i32) (result i32)
        (if (result i32) (local.get 0) (then (call $even (i32.sub (local.get 0) (i32.const 1)))) (else (i32.const 0)))))"""
    )
    with pytest.raises(Exhaustion) as e:
        inst.exports.even(100_000)
    assert len(e.value.stack) == 10_000  # every frame is kept
    lines = str(e.value).splitlines()
    assert len(lines) <= 27 and any("more lines" in line for line in lines)
    assert lines[-1].endswith("even")  # the outermost frame is shown


@pytest.mark.parametrize("mode", ["run", "step"])
def test_call_stack_exhausted_at_call_indirect_keeps_its_operands(mode: str) -> None:
    """The callee travels from the call handler to the machine on the value stack; no step
    ever shows it there, and a call_indirect that cannot happen keeps its table index."""
    inst = wasmlab.load(
        """(module (type $t (func (param i32))) (table 1 funcref) (elem (i32.const 0) $f)
                   (func $f (export "f") (type $t) (call_indirect (type $t) (local.get 0) (i32.const 0))))"""
    )
    m = inst.machine("f", 7, depth_limit=5)
    with pytest.raises(Exhaustion, match="call stack exhausted"):
        if mode == "run":
            m.run()
        while mode == "step":
            m.step()
            assert all(isinstance(v, int) for v in m.stack)
    assert m.depth == 5 and m.instr is not None and m.instr.name == "call_indirect"
    assert m.stack == [7, 0]  # the arguments of the call that could not happen, and its index
    assert [fr.locals for fr in m.frames] == [(7,)] * 5


def test_frames_are_read_only_views() -> None:
    inst = wasmlab.load(PROGRAMS["indirect"][0])
    m = inst.machine("f", 4)
    m.step(5)
    fr = m.frame
    assert fr is not None and fr.func.name != "f" and fr.pc == 0 and fr.locals == (4,)
    assert fr.base == len(m.stack) and fr.instr is m.instr
    with pytest.raises(AttributeError):
        fr.pc = 3  # type: ignore[misc]
    assert [f.func for f in m.frames][-1] is fr.func and m.depth == 2 and not m.host_entry
