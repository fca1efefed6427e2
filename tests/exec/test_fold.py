"""Run mode folds structural instructions (exec.fold); every observable stays step mode's.

Random programs of nested blocks, loops, ifs with and without else, br/br_if/br_table to
every kind of label (with values kept and dropped), nops, calls, stores and instructions
that may trap: a plain `run()` (run-mode handlers, folded) ends with the same results or
trap, at the same pc, after the same number of steps, with the same memory and globals as
single steps; a run cut anywhere by `max_steps`, or by single steps, then finished by a
plain `run()` (switching handler lists at that pc), ends in that state too.
"""

from __future__ import annotations

import random
from typing import Any

import pytest

import wasmlab
from wasmlab.debug import patches
from wasmlab.errors import Trap
from wasmlab.exec.machine import Machine

LOCALS = ("$a", "$b", "$x", "$y")


class Gen:
    """A random valid module: `$main (param $a $b) (result i32)` calling `$h`."""

    def __init__(self, seed: int) -> None:
        self.rng = random.Random(seed)
        self.labels = 0
        self.calls = True

    def expr(self, depth: int = 0) -> str:
        r = self.rng
        k = r.randrange(12 if depth < 3 else 3)
        if k == 0:
            return f"(local.get {r.choice(LOCALS)})"
        if k == 1:
            return f"(i32.const {r.choice((0, 1, 2, 3, 7, 100, -1))})"
        if k == 2:
            return "(global.get $g)"
        if k in (3, 4):
            op = r.choice(("add", "sub", "and", "or", "xor", "mul", "lt_u", "gt_s", "eq", "ne", "shl"))
            return f"(i32.{op} {self.expr(depth + 1)} {self.expr(depth + 1)})"
        if k == 5:
            return f"(i32.eqz {self.expr(depth + 1)})"
        if k == 6:
            return f"(i32.load (i32.and {self.expr(depth + 1)} (i32.const 0xFFFC)))"
        if k == 7:
            return f"(select {self.expr(depth + 1)} {self.expr(depth + 1)} {self.expr(depth + 1)})"
        if k == 8:
            return f"(if (result i32) {self.expr(depth + 1)} (then {self.expr(depth + 1)}) (else {self.expr(depth + 1)}))"
        if k == 9:
            return f"(block (result i32) (nop) {self.expr(depth + 1)})"
        if k == 10 and self.calls:
            return f"(call $h {self.expr(depth + 1)})"
        return f"(local.get {r.choice(LOCALS)})"

    def cond(self) -> str:
        return self.expr(1)

    def body(self, labels: list[tuple[str, str]], depth: int, loops: int) -> str:
        n = self.rng.randrange(1, 5 if depth < 3 else 3)
        return " ".join(self.stmt(labels, depth, loops) for _ in range(n))

    def label(self) -> str:
        self.labels += 1
        return f"$l{self.labels}"

    def stmt(self, labels: list[tuple[str, str]], depth: int, loops: int) -> str:
        r = self.rng
        plain = [name for name, kind in labels if kind != "value"]
        k = r.randrange(17 if depth < 4 else 6)
        if k == 0:
            return f"(local.set {r.choice(('$x', '$y'))} {self.expr()})"
        if k == 1:
            return "(nop)"
        if k == 2:
            return f"(global.set $g {self.expr()})"
        if k == 3:  # a store, rarely out of bounds
            addr = "(i32.const 65534)" if r.random() < 0.05 else f"(i32.and {self.expr()} (i32.const 0xFFFC))"
            return f"(i32.store {addr} {self.expr()})"
        if k == 4 and plain:
            return f"(br_if {r.choice(plain)} {self.cond()})"
        if k == 5 and plain and r.random() < 0.3:
            return f"(br {r.choice(plain)})"
        if k in (6, 7):
            name = self.label()
            return f"(block {name} {self.body([(name, 'block'), *labels], depth + 1, loops)})"
        if k in (8, 9) and loops < 3:
            name, out = self.label(), self.label()
            c = f"$c{loops}"
            inner = [(name, "loop"), (out, "block"), *labels]
            back = f"(br_if {name} {self.cond()})" if r.random() < 0.7 else f"(br {name})"
            return (
                f"(local.set {c} (i32.const 0)) (block {out} (loop {name}"
                f" (br_if {out} (i32.gt_u (local.tee {c} (i32.add (local.get {c}) (i32.const 1))) (i32.const 3)))"
                f" {self.body(inner, depth + 1, loops + 1)} {back}))"
            )
        if k == 10:
            name = self.label()
            then = self.body([(name, "if"), *labels], depth + 1, loops)
            if r.random() < 0.5:
                return f"(if {name} {self.cond()} (then {then}))"
            other = self.body([(name, "if"), *labels], depth + 1, loops)
            return f"(if {name} {self.cond()} (then {then}) (else {other}))"
        if k == 11 and plain:
            targets = " ".join(r.choice(plain) for _ in range(r.randrange(1, 4)))
            return f"(br_table {targets} {r.choice(plain)} {self.expr()})"
        if k == 12:  # a value block: br with the value, br_if keeping one value and dropping one
            name = self.label()
            inner = self.body([(name, "value"), *labels], depth + 1, loops)
            return (
                f"(local.set $y (block {name} (result i32) {inner}"
                f" (i32.const 7) (br_if {name} {self.expr()} {self.cond()}) drop drop"
                f" (if {self.cond()} (then (br {name} {self.expr()}))) {self.expr()}))"
            )
        if k == 13 and r.random() < 0.3:
            return f"(drop (i32.div_u {self.expr()} {self.expr()}))"  # may trap
        if k == 14 and r.random() < 0.2:
            return f"(if {self.cond()} (then (return {self.expr()})))"
        if k == 15 and r.random() < 0.1:
            return f"(if (i32.eq {self.expr()} (i32.const 77)) (then unreachable))"
        return f"(local.set $x {self.expr()})"

    def module(self) -> str:
        scratch = " ".join(f"(local $c{i} i32)" for i in range(3))
        self.calls = False
        h = self.body([], 0, 0)
        self.calls = True
        main = self.body([], 0, 0)
        return f"""(module
          (memory 1)
          (global $g (mut i32) (i32.const 5))
          (func $h (param $a i32) (result i32) (local $b i32) (local $x i32) (local $y i32) {scratch}
            {h} (block (nop)) (i32.add (local.get $x) (local.get $a)))
          (func (export "main") (param $a i32) (param $b i32) (result i32)
            (local $x i32) (local $y i32) {scratch}
            {main} (local.get $x)))"""


def outcome(inst: wasmlab.Instance, m: Machine, go: Any) -> tuple:
    """What a move leaves: results or the trap with where it stopped, steps, memory, globals."""
    try:
        go()
        end: Any = ("results", m.results)
    except Trap as t:
        end = ("trap", str(t), [(fr.func.name, fr.pc) for fr in m.frames], list(m.stack))
    mem = [bytes(x.data) for x in inst.inst.mems]
    return end, m.steps, mem, [g.value for g in inst.inst.globals]


def stepped(m: Machine) -> None:
    while not m.finished:
        m.step()


def finish(m: Machine, k: int, single: bool) -> Any:
    def go() -> None:
        if single:
            m.step(k)
        else:
            m.run(max_steps=k)
        if not m.finished:
            m.run()

    return go


SEEDS = range(120)


@pytest.mark.parametrize("seed", SEEDS)
def test_run_mode_ends_where_single_steps_end(seed: int) -> None:
    module = wasmlab.parse(Gen(seed).module())
    for args in ((0, 0), (1, 5), (3, 2)):
        inst = wasmlab.instantiate(module)
        ref_m = inst.machine("main", *args, tier="machine")
        ref = outcome(inst, ref_m, lambda m=ref_m: stepped(m))
        inst = wasmlab.instantiate(module)
        m = inst.machine("main", *args, tier="machine")
        assert outcome(inst, m, m.run) == ref, (seed, args)
        total = ref[1]
        rng = random.Random(seed)
        cuts = {1, 2, 3, total - 1, total, *(rng.randrange(1, total + 1) for _ in range(4))}
        for k in sorted(c for c in cuts if 0 < c <= total):
            for single in (False, True):
                inst = wasmlab.instantiate(module)
                m = inst.machine("main", *args, tier="machine")
                assert outcome(inst, m, finish(m, k, single)) == ref, (seed, args, k, single)


@pytest.mark.parametrize("seed", range(0, 120, 7))
def test_a_limited_run_stops_after_exactly_that_many_steps(seed: int) -> None:
    module = wasmlab.parse(Gen(seed).module())
    inst = wasmlab.instantiate(module)
    ref_m = inst.machine("main", 1, 5, tier="machine")
    trail = []
    while not ref_m.finished:
        fr = ref_m.frame
        trail.append((ref_m.depth, fr.pc if fr else None, len(ref_m.stack)))
        try:
            ref_m.step()
        except Trap:
            break
    for k in range(len(trail)):
        inst = wasmlab.instantiate(module)
        m = inst.machine("main", 1, 5, tier="machine")
        m.run(max_steps=k)
        fr = m.frame
        assert m.steps == k
        assert (m.depth, fr.pc if fr else None, len(m.stack)) == trail[k], (seed, k)


def folded(f: Any) -> int:
    """How many of `f`'s run-mode handlers fold structural instructions (or fuse)."""
    from wasmlab.exec import fold

    names = (fold.__file__, "<fused")
    return sum(1 for h in f.fast or () if h.__code__.co_filename.startswith(names))


LOOP = """(module
  (func (export "count") (param $n i32) (result i32) (local $i i32) (local $s i32)
    (block $out
      (loop $top
        (block $skip
          (br_if $skip (i32.and (local.get $i) (i32.const 1)))
          (local.set $s (i32.add (local.get $s) (local.get $i))))
        (nop)
        (br_if $out (i32.ge_u (local.tee $i (i32.add (local.get $i) (i32.const 1))) (local.get $n)))
        (br $top)))
    (local.get $s)))"""


def test_structural_instructions_are_folded_and_still_counted() -> None:
    inst = wasmlab.instantiate(wasmlab.parse(LOOP))
    ref = inst.machine("count", 10, tier="machine")
    stepped(ref)
    m = inst.machine("count", 10, tier="machine")
    assert m.run() == ref.results == [20]
    assert m.steps == ref.steps
    f = inst.func("count").inst
    assert folded(f) >= 3


def test_run_mode_stops_at_a_breakpoint_on_a_structural_instruction() -> None:
    """A pc the debugger patched is neither folded over nor folded: even a plain run (as a
    host call's nested machine makes) stops there, after exactly the steps before it."""
    inst = wasmlab.instantiate(wasmlab.parse(LOOP))
    f = inst.func("count").inst
    body = f.func.body
    at = next(pc for pc, ins in enumerate(body) if ins.op.name == "nop")
    ref = inst.machine("count", 10, tier="machine")
    while ref.frame is not None and ref.frame.pc != at:
        ref.step()
    inst.machine("count", 10, tier="machine").run()  # run-mode handlers made before the patch
    assert f.fast is not None
    sw = patches.Switch()
    patches.install(f, at, sw, "break")
    try:
        assert f.fast is None  # made again, around the patched pc
        sw.breaks = True
        m = inst.machine("count", 10, tier="machine")
        m.run()
        assert m.paused is not None and m.frame is not None
        assert (m.frame.pc, m.steps) == (at, ref.steps)
        sw.breaks = False
        m.run()
        assert m.results == [20]
    finally:
        patches.uninstall(f, at, sw, "break")
    assert f.fast is None
    m = inst.machine("count", 10, tier="machine")
    assert m.run() == [20]
    assert folded(f) >= 3


def test_a_loop_of_branches_only_is_not_folded_forever() -> None:
    """`loop (br 0)` never ends: folding stops before closing the cycle, so the machine still
    counts each step (fuel ends it exactly)."""
    src = """(module (func (export "spin") (loop (nop) (block (br 1)))))"""
    inst = wasmlab.instantiate(wasmlab.parse(src))
    m = inst.machine("spin", tier="machine", fuel=1000)
    with pytest.raises(Exception, match="fuel"):
        m.run()
    assert m.steps == 1000
    from wasmlab.exec.compile import compile_fast

    f = inst.func("spin").inst
    code = compile_fast(f)
    S: list = []
    pc, steps = 0, 0
    from wasmlab.exec.fuse import EXTRA

    x0 = EXTRA[0]
    for _ in range(10):
        pc = code[pc](S, [], pc)
        steps += 1
    steps += EXTRA[0] - x0
    EXTRA[0] = x0
    assert 0 <= pc < len(f.func.body) and steps > 10


def test_fold_leaves_the_function_as_compiled_handlers_do() -> None:
    from wasmlab.exec import compile, fold

    assert fold.RETURN == compile.RETURN


HANDWRITTEN = {
    "exceptions": (
        """(module
          (tag $e (param i32))
          (func $thrower (param $x i32)
            (block (block (nop) (br_if 1 (i32.eqz (local.get $x)))))
            (if (i32.and (local.get $x) (i32.const 1)) (then (throw $e (local.get $x)))))
          (func (export "main") (param $a i32) (param $b i32) (result i32) (local $i i32) (local $s i32)
            (block $out (loop $top
              (br_if $out (i32.ge_u (local.get $i) (local.get $a)))
              (block $caught (result i32)
                (try_table (catch $e $caught)
                  (block (nop) (block (call $thrower (local.get $i))))
                  (nop))
                (i32.const 100))
              (local.set $s (i32.add (local.get $s)))
              (local.set $i (i32.add (local.get $i) (i32.const 1)))
              (br $top)))
            (local.get $s)))""",
        [(0, 0), (5, 0), (9, 1)],
    ),
    "multi_value": (
        """(module
          (func (export "main") (param $a i32) (param $b i32) (result i32)
            (local.get $a) (local.get $b)
            (block (param i32 i32) (result i32 i32)
              (loop (param i32 i32) (result i32 i32)
                (block (param i32 i32) (result i32 i32) (nop))
                (br_if 1 (i32.gt_u (local.get $b) (i32.const 3)))
                (local.set $b (i32.add (local.get $b) (i32.const 1)))
                (drop) (drop) (local.get $a) (local.get $b)
                (br 0)))
            (i32.add)
            (block (result i32) (block (result i32) (i32.const 1)))
            (i32.add)
            (return)))""",
        [(0, 0), (2, 7)],
    ),
    "traps_after_runs": (
        """(module (memory 1)
          (func (export "main") (param $a i32) (param $b i32) (result i32)
            (block (block (block (nop))))
            (if (local.get $a) (then (block (nop))) (else (nop)))
            (i32.store (i32.mul (local.get $b) (i32.const 30000)) (i32.const 1))
            (block (loop (block (nop))))
            (i32.div_u (i32.const 1) (local.get $a))))""",
        [(0, 0), (1, 1), (1, 3), (0, 1)],
    ),
}


@pytest.mark.parametrize("name", sorted(HANDWRITTEN))
def test_handwritten_programs_end_where_single_steps_end(name: str) -> None:
    src, cases = HANDWRITTEN[name]
    module = wasmlab.parse(src)
    for args in cases:
        inst = wasmlab.instantiate(module)
        ref_m = inst.machine("main", *args, tier="machine")
        ref = outcome(inst, ref_m, lambda m=ref_m: stepped(m))
        for k in range(ref[1] + 1):
            inst = wasmlab.instantiate(module)
            m = inst.machine("main", *args, tier="machine")
            assert outcome(inst, m, finish(m, k, False) if k else m.run) == ref, (name, args, k)


def test_compiled_c_runs_with_fewer_dispatches_and_the_same_steps() -> None:
    """qsort.wasm (clang): a plain run takes the steps single steps take, and dispatches no
    structural instruction but at a function's entry or after a call."""
    from wasmlab.bench.dispatch import STRUCTURAL, dispatch_counts, lines

    r = dispatch_counts(20)  # (it checks that both runs count the same steps)
    structural = sum(r["by_name"][k] for k in STRUCTURAL)
    assert structural > 0.1 * r["steps"]
    assert r["dispatched"] < r["steps"] - 0.9 * structural
    assert r["structural_dispatched"] < 0.05 * structural
    assert "dispatches" in "\n".join(lines(r))
