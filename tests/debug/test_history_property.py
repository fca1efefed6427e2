"""Property: for random programs and random n, `goto(n)` (and `back`) after running to the end
reaches exactly the state that stepping n instructions from the start reaches: stack, frames,
locals, globals, memory, tables, step count. The programs call a host function with state of
its own (it counts its calls and writes memory): replays must never call it again."""

from __future__ import annotations

from typing import Any

from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

import wasmlab
from wasmlab.debug import debug
from wasmlab.exec.runtime import FuncInst

from .test_history import snapshot

HEADER = """(module
  (import "env" "h" (func $h (param i32) (result i32)))
  (memory (export "mem") 1)
  (global $g (mut i32) (i32.const 7))
  (type $t (func (param i32) (result i32)))
  (table 4 funcref)
  (elem (i32.const 0) $a $b $a $b)
  (func $a (type $t) (i32.add (local.get 0) (i32.const 3)))
  (func $b (type $t) (i32.xor (i32.mul (local.get 0) (i32.const 5)) (global.get $g)))
"""


def expr(draw: Any, depth: int) -> str:
    """A random i32 expression (never traps: addresses are masked, calls are total)."""
    leaves = ["(i32.const {c})", "(local.get $x)", "(local.get $i)", "(global.get $g)"]
    if depth <= 0:
        return draw(st.sampled_from(leaves)).format(c=draw(st.integers(-50, 50)))
    kind = draw(st.integers(0, 9))
    sub = lambda: expr(draw, depth - 1)  # noqa: E731
    if kind <= 2:
        return draw(st.sampled_from(leaves)).format(c=draw(st.integers(-50, 50)))
    if kind <= 5:
        op = draw(st.sampled_from(["i32.add", "i32.sub", "i32.mul", "i32.xor", "i32.and", "i32.shl"]))
        return f"({op} {sub()} {sub()})"
    if kind == 6:
        return f"(i32.load (i32.and {sub()} (i32.const 0xffc)))"
    if kind == 7:
        return f"(call {draw(st.sampled_from(['$a', '$b']))} {sub()})"
    if kind == 8:
        return f"(call_indirect (type $t) {sub()} (i32.and {sub()} (i32.const 3)))"
    return f"(call $h {sub()})"


def statement(draw: Any) -> str:
    e = lambda: expr(draw, 2)  # noqa: E731
    kind = draw(st.integers(0, 7))
    if kind == 0:
        return f"(i32.store (i32.and {e()} (i32.const 0xffc)) {e()})"
    if kind == 1:
        return f"(global.set $g {e()})"
    if kind == 2:
        return f"(local.set $x {e()})"
    if kind == 3:
        return f"(drop (call $h {e()}))"
    if kind == 4:
        return f"(memory.fill (i32.and {e()} (i32.const 0xff0)) {e()} (i32.const 8))"
    if kind == 5:
        return f"(table.set (i32.and {e()} (i32.const 3)) (table.get (i32.and {e()} (i32.const 3))))"
    if kind == 6:  # br_table over three blocks
        return (
            f"(block $c (block $b2 (block $a2 (br_table $a2 $b2 $c (i32.and {e()} (i32.const 3))))"
            f" (local.set $x (i32.add (local.get $x) (i32.const 1))) (br $c))"
            f" (global.set $g (i32.sub (global.get $g) (i32.const 1))))"
        )
    return f"(if (i32.and {e()} (i32.const 1)) (then (local.set $x {e()})) (else (drop {e()})))"


@st.composite
def programs(draw: Any) -> str:
    body = " ".join(statement(draw) for _ in range(draw(st.integers(1, 5))))
    return (
        HEADER
        + """  (func (export "main") (param $n i32) (result i32) (local $i i32) (local $x i32)
    (loop $L """
        + body
        + """
      (br_if $L (i32.lt_u (local.tee $i (i32.add (local.get $i) (i32.const 1))) (local.get $n))))
    (i32.add (local.get $x) (global.get $g))))"""
    )


def normal(x: Any) -> Any:
    """`x` with every function instance replaced by its index."""
    if isinstance(x, FuncInst):
        return ("func", x.index)
    if isinstance(x, tuple):
        return tuple(normal(v) for v in x)
    return x


class Host:
    def __init__(self) -> None:
        self.calls = 0
        self.mem: Any = None

    def h(self, x: int) -> int:
        self.calls += 1
        if self.mem is not None:
            self.mem.write(3000 + self.calls % 32, bytes([self.calls & 0xFF]))
        return (x * 7 + self.calls) & 0xFFFF


def instance_of(wat: str) -> tuple[wasmlab.Instance, Host]:
    host = Host()
    inst = wasmlab.load(wat, {"env": {"h": host.h}})
    host.mem = inst.exports["mem"]
    return inst, host


@settings(max_examples=40, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(
    wat=programs(),
    arg=st.integers(1, 6),
    interval=st.sampled_from([1, 2, 7, 64, 4096]),
    ns=st.lists(st.floats(0, 1), min_size=1, max_size=5),
)
def test_goto_equals_stepping(wat: str, arg: int, interval: int, ns: list[float]) -> None:
    inst, host = instance_of(wat)
    s = debug(inst, "main", arg, checkpoint_interval=interval, max_checkpoints=6)
    stop = s.continue_()
    assert stop.kind == "returned"
    end = s.position.step
    calls = host.calls
    final = snapshot(s)
    for frac in ns:
        n = int(frac * end)
        s.goto(n)
        ref_inst, _ = instance_of(wat)
        m = ref_inst.machine("main", arg)
        m.step(n)
        ref = (
            m.steps,
            tuple(m.stack),
            tuple((fr.func.index, fr.pc, fr.locals, fr.base) for fr in m.frames),
            tuple(g.value for g in ref_inst.inst.globals),
            tuple(bytes(x.data) for x in ref_inst.inst.mems),
            tuple(tuple(t.elements) for t in ref_inst.inst.tables),
            None if m.results is None else tuple(m.results),
            m.trap is not None,
        )
        # function references belong to two different instantiations: compare their indices
        assert normal(snapshot(s)) == normal(ref), n
        if n > 0:
            s.back()
            assert s.position.step == n - 1
    s.goto(end)
    assert snapshot(s) == final
    assert host.calls == calls  # no host call ran again
    assert s.history.host_calls == calls
