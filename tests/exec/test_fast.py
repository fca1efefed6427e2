"""The compiled tier (exec.translate, exec.fast): the same results, step counts and, when it
stops (a trap, an exception, a call too deep), the same machine state as the machine."""

from __future__ import annotations

from typing import Any

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

import wasmlab
from wasmlab.bench.workloads import WORKLOADS
from wasmlab.errors import Trap
from wasmlab.exec import fast


def state(m: Any) -> tuple:
    """Everything the debugger can see of a machine."""
    frames = [(f.func.name, f.pc, f.locals, f.base) for f in m.frames]
    trap = None if m.trap is None else (type(m.trap).__name__, m.trap.kind, list(m.trap.stack))
    return (list(m.stack), frames, m.steps, m.results, trap)


def both(wat: str, name: str, *args: Any, imports: Any = None, **options: Any) -> tuple[tuple, tuple]:
    """Run `name(*args)` on a compiled-tier machine and on a machine-only one (fresh
    instances each); their states afterwards."""
    out = []
    for tier in ("auto", "machine"):
        inst = wasmlab.load(wat, imports=imports) if imports else wasmlab.load(wat)
        m = inst.machine(name, *args, tier=tier, **options)
        try:
            m.run()
        except Trap:
            pass
        out.append(state(m))
    return out[0], out[1]


@pytest.mark.parametrize("w", WORKLOADS, ids=[w.name for w in WORKLOADS])
def test_workloads(w: Any) -> None:
    arg = w.arg if w.name == "fib" else min(w.arg, 2000)
    ours, machine = both(w.wat, "run", arg)
    assert ours == machine
    w.check(arg, ours[3], "the compiled tier")


def test_workloads_are_compiled() -> None:
    before = fast.stats().get("compiled", 0)
    for w in WORKLOADS:
        wasmlab.load(w.wat).exports.run(3)
    assert fast.stats().get("compiled", 0) >= before  # (once per module body: cached)
    src = fast.source_of(wasmlab.load(WORKLOADS[0].wat).func("run").inst)
    assert src is not None and "def f(l0, d, b):" in src


TRAPS = """
(module
  (memory 1)
  (table 2 funcref)
  (elem (i32.const 0) $id)
  (type $ii (func (param i32) (result i32)))
  (type $v (func))
  (func $id (param i32) (result i32) (local.get 0))
  (func $load (export "load") (param i32) (result i32)
    (i32.add (i32.const 1) (i32.load offset=4 (local.get 0))))
  (func $store (export "store") (param i32) (result i32)
    (local i32)
    (local.set 1 (i32.const 7))
    (i64.store (local.get 0) (i64.const 5))
    (local.get 1))
  (func $div (export "div") (param i32 i32) (result i32)
    (i32.const 100) (i32.div_s (local.get 0) (local.get 1)) (i32.add))
  (func $deep (export "deep") (param i32) (result i32)
    (i32.add (local.get 0) (call $load (i32.mul (local.get 0) (i32.const 1000)))))
  (func $loop (export "loop") (param i32) (result i32)
    (local $i i32)
    (block $done
      (loop $next
        (br_if $done (i32.ge_u (local.get $i) (i32.const 100)))
        (drop (i32.load (i32.mul (local.get $i) (local.get 0))))
        (local.set $i (i32.add (local.get $i) (i32.const 1)))
        (br $next)))
    (local.get $i))
  (func $ind (export "ind") (param i32 i32) (result i32)
    (call_indirect (type $ii) (local.get 1) (local.get 0)))
  (func $ind_v (export "ind_v") (param i32)
    (call_indirect (type $v) (local.get 0)))
  (func $unr (export "unr") (param i32) (result i32)
    (if (local.get 0) (then unreachable))
    (i32.const 3))
  (func $rec (export "rec") (param i32) (result i32)
    (i32.add (i32.const 1) (call $rec (i32.add (local.get 0) (i32.const 1)))))
  (func $trunc (export "trunc") (param f64) (result i32)
    (i32.trunc_f64_s (local.get 0)))
  (func $fill (export "fill") (param i32 i32) (memory.fill (local.get 0) (i32.const 7) (local.get 1)))
  (func $copy (export "copy") (param i32 i32 i32)
    (memory.copy (local.get 0) (local.get 1) (local.get 2)))
  (func $st16 (export "st16") (param i32) (result i32)
    (i32.store16 offset=2 (local.get 0) (i32.const 0x12345))
    (i32.store8 (i32.add (local.get 0) (i32.const 4)) (i32.const 0x1FF))
    (i32.load16_u offset=2 (local.get 0))))
"""


@pytest.mark.parametrize(
    ("name", "args"),
    [
        ("load", (0,)),
        ("load", (65533,)),
        ("store", (65530,)),
        ("store", (8,)),
        ("div", (7, 0)),
        ("div", (0x80000000, 0xFFFFFFFF)),
        ("div", (7, 2)),
        ("deep", (3,)),
        ("deep", (70,)),
        ("loop", (0,)),
        ("loop", (700,)),
        ("ind", (0, 5)),
        ("ind", (1, 5)),
        ("ind", (2, 5)),
        ("ind_v", (0,)),
        ("unr", (0,)),
        ("unr", (1,)),
        ("trunc", (1e30,)),
        ("trunc", (float("nan"),)),
        ("trunc", (-7.9,)),
        ("fill", (65530, 6)),
        ("fill", (65530, 7)),
        ("copy", (65530, 0, 7)),
        ("copy", (0, 65530, 7)),
        ("copy", (1, 0, 100)),
        ("st16", (65531,)),
        ("st16", (65532,)),
        ("st16", (65533,)),
        ("st16", (0xFFFFFFFF,)),
    ],
)
def test_traps_leave_the_machines_state(name: str, args: tuple) -> None:
    ours, machine = both(TRAPS, name, *args)
    assert ours == machine


@pytest.mark.parametrize("limit", [5, 150, 201, 450, 10_000])
def test_deep_recursion_ends_in_the_machines_trap(limit: int) -> None:
    ours, machine = both(TRAPS, "rec", 0, depth_limit=limit)
    assert ours == machine
    assert ours[4][1] == "call stack exhausted"
    assert len(ours[1]) == limit


MIXED = """
(module
  (import "host" "f" (func $host (param i32) (result i32)))
  (memory 1)
  (table 1 funcref)
  (elem (i32.const 0) $other)
  (global $g (mut i32) (i32.const 0))
  (func $other (param i32) (result i32) (local.get 0))
  ;; table.get keeps this function on the machine
  (func $kept (param i32) (result i32)
    (drop (table.get 0 (i32.const 0)))
    (global.set $g (i32.add (global.get $g) (i32.const 1)))
    (call $host (i32.load (local.get 0))))
  (func (export "run") (param i32 i32) (result i32)
    (local $i i32) (local $s i32)
    (block $d (loop $l
      (br_if $d (i32.ge_u (local.get $i) (local.get 1)))
      (local.set $s (i32.add (local.get $s) (call $kept (i32.mul (local.get $i) (local.get 0)))))
      (local.set $i (i32.add (local.get $i) (i32.const 1)))
      (br $l)))
    (i32.add (local.get $s) (global.get $g))))
"""


def _host(x: int) -> int:
    if x == 99:
        raise ValueError("the host refuses 99")
    return x + 1


@pytest.mark.parametrize("args", [(4, 10), (30000, 10), (1, 5)])
def test_a_function_kept_on_the_machine_and_a_host_between_compiled_code(args: tuple) -> None:
    ours, machine = both(MIXED, "run", *args, imports={"host": {"f": _host}})
    assert ours == machine


def test_a_host_failure_inside_compiled_code() -> None:
    out = []
    for tier in ("auto", "machine"):
        inst = wasmlab.load(
            MIXED.replace("(memory 1)", '(memory (export "m") 1)'), imports={"host": {"f": _host}}
        )
        inst.exports.m.write(40, (99).to_bytes(4, "little"))
        m = inst.machine("run", 10, 10, tier=tier)
        with pytest.raises(Trap, match="refuses 99"):
            m.run()
        out.append(state(m))
    assert out[0] == out[1]


@settings(max_examples=60, deadline=None)
@given(
    st.sampled_from(["load", "store", "div", "deep", "loop", "ind", "unr"]),
    st.lists(st.integers(min_value=0, max_value=0xFFFFFFFF), min_size=2, max_size=2),
)
def test_random_arguments(name: str, pair: list[int]) -> None:
    nparams = {"div": 2, "ind": 2}.get(name, 1)
    ours, machine = both(TRAPS, name, *pair[:nparams])
    assert ours == machine


def test_forcing_the_machine() -> None:
    inst = wasmlab.load(WORKLOADS[0].wat)
    m = inst.machine("run", 10, tier="machine")
    assert m.run() == [55]


@settings(max_examples=40, deadline=None)
@given(st.sampled_from(range(5)), st.integers(min_value=0, max_value=3000))
def test_stopping_after_exactly_n_instructions(which: int, n: int) -> None:
    """With the tier "fast", `run(max_steps=n)` stops compiled code after exactly n
    instructions, in the state the machine reaches after n steps."""
    w = WORKLOADS[which]
    arg = 9 if w.name == "fib" else 200
    out = []
    for tier in ("fast", "machine"):
        m = wasmlab.load(w.wat).machine("run", arg, tier=tier)
        m.run(max_steps=n)
        out.append(state(m))
    assert out[0] == out[1]


@pytest.mark.parametrize("fuel", [1, 50, 1234, 5000])
def test_fuel_is_exact(fuel: int) -> None:
    out = []
    for tier in ("fast", "machine"):
        m = wasmlab.load(TRAPS).machine("loop", 3, tier=tier, fuel=fuel)
        try:
            m.run()
        except Trap:
            pass
        out.append(state(m))
    assert out[0] == out[1]


def test_an_interrupt_stops_compiled_code_in_the_machines_state() -> None:
    import threading

    w = WORKLOADS[1]
    m = wasmlab.load(w.wat).machine("run", 10**9, tier="fast")
    m.compiled = True
    timer = threading.Timer(0.05, fast.interrupt)
    timer.start()
    try:
        m.run(max_steps=10**9)
    finally:
        timer.join()
        fast.clear_interrupt()
    k = m.steps
    assert 0 < k < 10**8 and not m.finished
    m2 = wasmlab.load(w.wat).machine("run", 10**9, tier="machine")
    m2.run(max_steps=k)
    assert state(m) == state(m2)
    m.run(max_steps=5)  # and the machine goes on from there
    m2.run(max_steps=5)
    assert state(m) == state(m2)


def test_a_computed_address_with_an_offset() -> None:
    wat = """(module (memory 1)
      (func (export "f") (param i32) (result i32)
        (i32.store offset=0x100 (i32.shl (local.get 0) (i32.const 2)) (i32.const -1))
        (i32.store8 offset=3 (i32.add (local.get 0) (i32.const 1)) (i32.const 7))
        (i32.add (i32.load offset=0x100 (i32.shl (local.get 0) (i32.const 2)))
                 (i32.load8_u offset=3 (i32.add (local.get 0) (i32.const 1))))))"""
    for x in (0, 5, 1000):
        ours, machine = both(wat, "f", x)
        assert ours == machine


# --- random expressions: the translator's expression building against the machine ------------

_I32_BIN = [
    "i32.add", "i32.sub", "i32.mul", "i32.and", "i32.or", "i32.xor", "i32.shl", "i32.shr_u", "i32.shr_s",
    "i32.rotl", "i32.rotr", "i32.eq", "i32.ne", "i32.lt_s", "i32.lt_u", "i32.gt_s", "i32.gt_u", "i32.le_s",
    "i32.le_u", "i32.ge_s", "i32.ge_u", "i32.div_u", "i32.rem_s", "i32.rem_u",
]  # fmt: skip
_I32_UN = ["i32.eqz", "i32.clz", "i32.ctz", "i32.popcnt", "i32.extend8_s"]


def _expr(depth: int) -> st.SearchStrategy[str]:
    leaf = st.one_of(
        st.integers(min_value=-(2**31), max_value=2**31 - 1).map(lambda v: f"(i32.const {v})"),
        st.integers(min_value=0, max_value=2).map(lambda i: f"(local.get {i})"),
        st.integers(min_value=0, max_value=2).map(lambda i: f"(local.tee {i} (i32.const 77))"),
        st.just("(global.get $g)"),
    )
    if depth == 0:
        return leaf
    sub = _expr(depth - 1)
    return st.one_of(
        leaf,
        st.tuples(st.sampled_from(_I32_BIN), sub, sub).map(lambda t: f"({t[0]} {t[1]} {t[2]})"),
        st.tuples(st.sampled_from(_I32_UN), sub).map(lambda t: f"({t[0]} {t[1]})"),
        st.tuples(sub, sub, sub).map(lambda t: f"(select {t[0]} {t[1]} {t[2]})"),
        st.tuples(st.sampled_from([0, 1, 3, 200]), sub).map(
            lambda t: f"(i32.load8_u offset={t[0]} (i32.and {t[1]} (i32.const 0xffff)))"
        ),
        st.tuples(sub, sub).map(lambda t: f"(if (result i32) {t[0]} (then {t[1]}) (else (i32.const 5)))"),
        st.tuples(sub, sub).map(
            lambda t: f"(block (result i32) (br_if 0 (i32.const 9) {t[0]}) (drop) {t[1]})"
        ),
    )


@settings(max_examples=120, deadline=None)
@given(_expr(3), _expr(2), st.lists(st.integers(min_value=0, max_value=0xFFFFFFFF), min_size=2, max_size=2))
def test_random_expressions(e1: str, e2: str, args: list[int]) -> None:
    """Random expression trees (wrapping, comparisons, select, loads with offsets, branches
    with values), compiled and on the machine: the same results, counts and traps."""
    wat = f"""(module (memory 1) (global $g (mut i32) (i32.const 3))
      (data (i32.const 0) "\\01\\02\\03\\04\\f0\\ff")
      (func (export "f") (param i32 i32) (result i32) (local i32)
        (local.set 2 {e2})
        (global.set $g (i32.add (global.get $g) (local.get 2)))
        (i32.store16 offset=2 (i32.and (local.get 0) (i32.const 0xfff)) {e1})
        (i32.add {e1} (local.get 2))))"""
    ours, machine = both(wat, "f", *args)
    assert ours == machine


LAZY = """
(module
  (func $leaf (param i32) (result i32) (i32.add (local.get 0) (i32.const 1)))
  (func $mid (param i32) (result i32) (call $leaf (call $leaf (local.get 0))))
  (func (export "run") (param i32) (result i32) (call $mid (local.get 0))))
"""


def test_a_translated_function_costs_only_its_translation() -> None:
    """A function that only ever runs as compiled code gets no machine handlers, a run without a
    bound translates only the form without budget checks, and the call sites' expressions (for
    checkpoints taken deeper) wait until a checkpoint needs them."""
    inst = wasmlab.load(LAZY)
    assert inst.exports.run(5) == 7
    mid = inst.inst.funcs[1]
    assert mid.translated and mid.code is None and mid.fast is None
    assert mid.free is not None and mid.compiled is None
    assert mid.layout is not None and mid.layout.nlocals == 1
    assert set(mid.layout.translated) == {True}  # (the free form's code alone)
    sites = fast.SITES[fast.ensure(mid).__code__]
    assert len(sites) == 2 and all(isinstance(expr, str) for _, expr in sites.values())
    # the machine's handlers are made when a frame of it runs on the machine after all
    m = inst.machine("run", 5, tier="machine")
    assert m.run() == [7] and mid.code is not None


def test_trap_sites_share_one_handler() -> None:
    """The statements that can trap and the calls have no `try` of their own: the body's one
    `except` finds the instruction by the line that raised (and every trap above, and every
    call that leaves for the machine, leaves the machine's state)."""
    inst = wasmlab.load(TRAPS)
    for name in ("st16", "deep", "ind"):  # (stores and loads, a call, an indirect call)
        for free in (False, True):
            src = fast.source_of(inst.func(name).inst, free)
            assert src is not None and src.count("try:") == 1 and src.count("except") == 1
    assert inst.exports.st16(8) == 0x2345


TICKING_FIB = """
(module
  (import "host" "tick" (func $tick (param i32)))
  (func $fib (export "run") (param $n i32) (result i32)
    (call $tick (local.get $n))
    (if (result i32) (i32.lt_u (local.get $n) (i32.const 2))
      (then (local.get $n))
      (else (i32.add (call $fib (i32.sub (local.get $n) (i32.const 1)))
                     (call $fib (i32.sub (local.get $n) (i32.const 2))))))))
"""


@settings(max_examples=25, deadline=None)
@given(st.integers(min_value=1, max_value=400))
def test_an_interrupt_stops_recursion_without_loops_in_run_mode(when: int) -> None:
    """A plain run (no bound: the forms that check no budget) of recursion without loops:
    an interrupt (here at the `when`-th host call) takes their callees away, so the run stops
    at the next call in the machine's exact state, and goes on from there to the same end."""
    calls = [0]

    def tick(n: int) -> None:
        calls[0] += 1
        if calls[0] == when:
            fast.interrupt()

    inst = wasmlab.load(TICKING_FIB, imports={"host": {"tick": tick}})
    m = inst.machine("run", 12, tier="auto")
    try:
        m.run()
    finally:
        fast.clear_interrupt()
    assert not m.finished and m.steps > 0
    k = m.steps
    other = wasmlab.load(TICKING_FIB, imports={"host": {"tick": lambda n: None}}).machine(
        "run", 12, tier="machine"
    )
    other.run(max_steps=k)
    assert state(m) == state(other)
    m.run()
    other.run()
    assert state(m) == state(other) and m.results == [144]


def test_an_interrupted_call_says_so() -> None:
    calls = [0]

    def tick(n: int) -> None:
        calls[0] += 1
        if calls[0] == 5:
            fast.interrupt()

    inst = wasmlab.load(TICKING_FIB, imports={"host": {"tick": tick}})
    try:
        with pytest.raises(wasmlab.WasmError, match=r"fib was interrupted after \d+ instructions"):
            inst.exports.run(12)
    finally:
        fast.clear_interrupt()
    assert inst.exports.run(5) == 5


I64 = """
(module
  (func (export "div_u") (param i64 i64) (result i64) (i64.div_u (local.get 0) (local.get 1)))
  (func (export "rem_u") (param i64 i64) (result i64) (i64.rem_u (local.get 0) (local.get 1)))
  (func (export "shr_s") (param i64 i64) (result i64) (i64.shr_s (local.get 0) (local.get 1)))
  (func (export "extend_s") (param i64 i64) (result i64)
    (i64.add (i64.extend_i32_s (i32.wrap_i64 (local.get 0))) (local.get 1))))
"""


@settings(max_examples=60, deadline=None)
@given(
    st.sampled_from(["div_u", "rem_u", "shr_s", "extend_s"]),
    st.sampled_from([0, 1, 7, 63, 64, 2**31, 2**32 - 1, 2**63, 2**64 - 1]) | st.integers(0, 2**64 - 1),
    st.sampled_from([0, 1, 3, 63, 2**63, 2**64 - 1]) | st.integers(0, 2**64 - 1),
)
def test_i64_operators_written_inline(name: str, a: int, b: int) -> None:
    """The operators the translator writes as Python expressions (a zero divisor: the machine's
    trap, in its state), against the machine."""
    ours, machine = both(I64, name, a, b)
    assert ours == machine


_EDGES = [0, 1, 2, 3, 0x7FFFFFFF, 0x80000000, 0xFFFFFFFE, 0xFFFFFFFF]
_EDGES64 = [0, 1, 2, 0x7FFFFFFFFFFFFFFF, 0x8000000000000000, 0xFFFFFFFFFFFFFFFE, 0xFFFFFFFFFFFFFFFF]


@settings(max_examples=150, deadline=None)
@given(
    st.sampled_from(["i32", "i64"]),
    st.sampled_from(["lt_u", "le_u", "gt_u", "ge_u", "eq", "ne"]),
    st.booleans(),
    st.sampled_from(["add", "sub"]),
    st.data(),
)
def test_conditions_bound_locals_exactly(t: str, rel: str, negate: bool, op: str, data: Any) -> None:
    """What a condition says about a local lets + and - skip their wrap-around mask: at the
    edges of the range, the compiled tier still wraps exactly where the machine does."""
    edges = _EDGES if t == "i32" else _EDGES64
    c, k, x, y = (data.draw(st.sampled_from(edges) | st.integers(0, 5)) for _ in range(4))
    cond = f"({t}.{rel} (local.get 0) ({t}.const {c}))"
    if negate:
        cond = f"(i32.eqz {cond})"
    other = "(local.get 1)" if data.draw(st.booleans()) else f"({t}.const {k})"
    arith = f"({t}.{op} (local.get 0) {other})"
    wat = f"""(module (func (export "f") (param {t} {t}) (result {t} {t})
      (local $r {t})
      (if {cond} (then (local.set $r {arith})) (else (local.set $r ({t}.{op} {other} (local.get 0)))))
      (block $out (loop $l
        (br_if $out ({t}.ge_u (local.get 0) (local.get 1)))
        (local.set 0 {arith})
        (br_if $out ({t}.eqz (local.get 0)))
        (br $out)))
      (local.get $r) (local.get 0)))"""
    ours, machine = both(wat, "f", x, y)
    assert ours == machine


DEEP = """
(module
  (func $down (export "down") (param $n i32) (result i32)
    (local f64 f64 f64 f64 f64 f64 f64 f64 f64 f64 f64 f64 f64 f64 f64 f64)
    (if (result i32) (i32.eqz (local.get $n))
      (then (i32.const 0))
      (else (i32.add (i32.const 1) (call $down (i32.sub (local.get $n) (i32.const 1))))))))
"""


@pytest.mark.parametrize("n", [150, 2500, 20000])
def test_a_deep_recursion_hands_its_frames_over_once(n: int) -> None:
    """Deeper than compiled code may nest Python calls: it hands its frames to the machine,
    which makes the deeper calls itself from then on (not compiled code again, which would
    hand over again every `PYTHON_DEPTH` frames), and ends in the machine's state."""
    ours, machine = both(DEEP, "down", n, depth_limit=10000)
    assert ours == machine
    m = wasmlab.load(DEEP).machine("down", 2500, tier="auto")
    assert m.run() == [2500]
    assert m.deep_at <= fast.PYTHON_DEPTH + 2


def test_a_frames_locals_as_any_mapping() -> None:
    """From Python 3.13 on (JupyterLite's Pyodide), a frame's `f_locals` is a mapping of its
    own, not a dict: the wasm locals are read out of it all the same."""
    from types import MappingProxyType

    fi = wasmlab.load(MIXED, imports={"host": {"f": _host}}).func("run").inst
    names = {f"l{i}": 10 + i for i in range(len(fi.local_types))}
    want = [10 + i for i in range(len(fi.local_types))]
    assert fast._locals(fi, MappingProxyType(names)) == fast._locals(fi, names) == want  # noqa: SLF001
    assert fast._locals(fi, tuple(want)) == want  # noqa: SLF001
