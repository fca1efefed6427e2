"""Differential tests of the tail-call, multi-memory and exception-handling proposals against
the current wasmtime.

Every program below runs, export by export with the same arguments, on wasmlab and on the
`wasmtime` PyPI package (with `wasm_tail_call`, `wasm_multi_memory` and `wasm_exceptions` on); results must be
equal (floats bit for bit), traps must happen on both (compared by class: the messages
differ in wording), and the exported and imported memories must hold the same bytes and
pages afterwards. Host functions log their calls, and the logs must be equal too.

Two binaries per program: the one wasmlab encodes from its own parse of the text, which
wasmtime compiles; and the one wasmtime's `wat2wasm` makes, which wasmlab must decode (with
features="all"), re-encode byte for byte, and run like wasmtime does.

The main venv pins wasmtime 0.22, which has neither proposal: there these tests skip (a plain
skip, not `skip_or_fail`: scripts/test.sh runs them in the current-wasmtime venv).
"""

from __future__ import annotations

import importlib.metadata
import math
import struct
from collections.abc import Callable
from dataclasses import dataclass, field
from typing import Any

import pytest

import wasmlab
from wasmlab.errors import Trap
from wasmlab.syntax.module import Module
from wasmlab.syntax.types import ExternKind

# --- programs ---------------------------------------------------------------------------------


@dataclass(frozen=True)
class HostFunc:
    """An imported host function: `fn` gets the (signed) arguments and returns the results."""

    params: tuple[str, ...]
    results: tuple[str, ...]
    fn: Callable[..., Any]


@dataclass(frozen=True)
class HostMemory:
    """An imported memory, filled with `init` at address 0 before instantiation."""

    min: int
    max: int | None = None
    init: bytes = b""


@dataclass
class Program:
    wat: str
    calls: list[tuple[str, tuple[Any, ...]]]
    imports: dict[str, dict[str, HostFunc | HostMemory]] = field(default_factory=dict)


def _pattern(n: int, seed: int) -> bytes:
    return bytes((i * 37 + seed) & 0xFF for i in range(n))


def _add3(a: int, b: int, c: int) -> int:
    return a + 2 * b + 3 * c


def _split(x: int) -> tuple[int, int]:
    return x & 0xFFFF, x >> 16


PROGRAMS: dict[str, Program] = {}


def program(name: str, wat: str, calls: list[tuple[str, tuple[Any, ...]]], **imports: Any) -> None:
    assert name not in PROGRAMS
    PROGRAMS[name] = Program(wat, calls, dict(imports))


# ---- tail calls

program(
    "even-odd-100000",
    """
(module
  (func $even (export "even") (param i64) (result i32)
    (if (result i32) (i64.eqz (local.get 0))
      (then (i32.const 1))
      (else (return_call $odd (i64.sub (local.get 0) (i64.const 1))))))
  (func $odd (export "odd") (param i64) (result i32)
    (if (result i32) (i64.eqz (local.get 0))
      (then (i32.const 0))
      (else (return_call $even (i64.sub (local.get 0) (i64.const 1)))))))
""",
    [("even", (100_000,)), ("odd", (100_000,)), ("even", (100_001,)), ("odd", (7,)), ("even", (0,))],
)

program(
    "sum-accumulator-100000",
    """
(module
  (func $sum (export "sum") (param $n i64) (param $acc i64) (result i64)
    (if (i64.eqz (local.get $n)) (then (return (local.get $acc))))
    (return_call $sum (i64.sub (local.get $n) (i64.const 1))
                      (i64.add (local.get $acc) (i64.mul (local.get $n) (local.get $n))))))
""",
    [("sum", (100_000, 0)), ("sum", (1, -5)), ("sum", (0, 42))],
)

program("many-params-multi-value", """
(module
  ;; rotates its eight values a few times, then returns four of them
  (func $rot (export "rot") (param $k i32) (param i32 i64 f32 f64 i32 i64 f32 f64)
        (result i32 i64 f32 f64)
    (if (i32.eqz (local.get $k))
      (then (return (local.get 1) (local.get 2) (local.get 3) (local.get 4))))
    (return_call $rot (i32.sub (local.get $k) (i32.const 1))
      (i32.add (local.get 5) (i32.const 1)) (i64.mul (local.get 6) (i64.const 3))
      (f32.add (local.get 7) (f32.const 0.1)) (f64.div (local.get 8) (f64.const 3))
      (local.get 1) (local.get 2) (local.get 3) (local.get 4)))
  (func (export "entry") (param i32) (result i32 i64 f32 f64)
    (return_call $rot (local.get 0)
      (i32.const -7) (i64.const 0x7fff_ffff_ffff) (f32.const 1.5) (f64.const -2.25)
      (i32.const 100) (i64.const -1) (f32.const -0.0) (f64.const 1e300))))
""", [("entry", (0,)), ("entry", (1,)), ("entry", (2,)), ("entry", (5,)), ("entry", (1001,)),
      ("rot", (3, 1, 2, 0.5, 0.25, 3, 4, 8.0, 16.0))])  # fmt: skip

program(
    "multi-result-chain",
    """
(module
  (func $swap (param i32 i64 f64) (result f64 i64 i32)
    (local.get 2) (local.get 1) (local.get 0))
  (func $pass (param i32 i64 f64) (result f64 i64 i32)
    (return_call $swap (i32.mul (local.get 0) (i32.const 2)) (local.get 1) (local.get 2)))
  (func (export "go") (param i32 i64 f64) (result f64 i64 i32)
    (return_call $pass (local.get 0) (i64.sub (i64.const 0) (local.get 1)) (f64.sqrt (local.get 2))))
  (func (export "sum") (param i32) (result i64)
    (local $f f64) (local $l i64) (local $i i32)
    (call $pass (local.get 0) (i64.const 10) (f64.const 2))
    (local.set $i) (local.set $l) (local.set $f)
    (i64.add (i64.add (local.get $l) (i64.extend_i32_s (local.get $i))) (i64.trunc_f64_s (local.get $f)))))
""",
    [("go", (21, 5, 2.0)), ("go", (-1, -(2**63), -1.0)), ("sum", (4,)), ("sum", (-4,))],
)

program("entry-tail-calls", """
(module
  (type $t (func (param i32) (result i32)))
  (table 2 funcref)
  (elem (i32.const 0) $sq $neg)
  (func $sq (type $t) (i32.mul (local.get 0) (local.get 0)))
  (func $neg (type $t) (i32.sub (i32.const 0) (local.get 0)))
  (func (export "direct") (param i32) (result i32) (return_call $sq (local.get 0)))
  (func (export "indirect") (param i32 i32) (result i32)
    (return_call_indirect (type $t) (local.get 0) (local.get 1)))
  (func (export "nothing") (return_call $void))
  (func $void))
""", [("direct", (9,)), ("direct", (-65536,)), ("indirect", (12, 0)), ("indirect", (12, 1)),
      ("indirect", (12, 2)), ("nothing", ())])  # fmt: skip

program("return-call-indirect-traps", """
(module
  (type $ii (func (param i32) (result i32)))
  (type $li (func (param i64) (result i32)))
  (table 6 funcref)
  (elem (i32.const 0) $inc $dbl $wide)
  (func $inc (type $ii) (i32.add (local.get 0) (i32.const 1)))
  (func $dbl (type $ii) (i32.shl (local.get 0) (i32.const 1)))
  (func $wide (type $li) (i32.wrap_i64 (i64.shr_u (local.get 0) (i64.const 32))))
  (func (export "call") (param $f i32) (param $x i32) (result i32)
    (return_call_indirect (type $ii) (local.get $x) (local.get $f)))
  (func (export "call64") (param $f i32) (param $x i64) (result i32)
    (return_call_indirect (type $li) (local.get $x) (local.get $f))))
""", [("call", (0, 5)), ("call", (1, 5)), ("call", (2, 5)), ("call", (3, 5)), ("call", (5, 5)),
      ("call", (6, 5)), ("call", (-1, 5)), ("call64", (2, 0x1234_5678_0000_0000)), ("call64", (0, 1)),
      ("call64", (4, 1)), ("call64", (99, 1))])  # fmt: skip

program(
    "indirect-state-machine-100000",
    """
(module
  (type $step (func (param i32 i32) (result i32)))
  (table $t 3 funcref)
  (elem (table $t) (i32.const 0) func $a $b $c)
  ;; state a -> b -> c -> a ..., each adding a different amount, until the counter runs out
  (func $next (param $n i32) (param $acc i32) (param $state i32) (result i32)
    (if (i32.eqz (local.get $n)) (then (return (local.get $acc))))
    (return_call_indirect $t (type $step)
      (i32.sub (local.get $n) (i32.const 1)) (local.get $acc) (local.get $state)))
  (func $a (type $step) (return_call $next (local.get 0) (i32.add (local.get 1) (i32.const 1)) (i32.const 1)))
  (func $b (type $step) (return_call $next (local.get 0) (i32.xor (local.get 1) (i32.const 0x55)) (i32.const 2)))
  (func $c (type $step) (return_call $next (local.get 0) (i32.mul (local.get 1) (i32.const 3)) (i32.const 0)))
  (func (export "run") (param i32) (result i32) (return_call $next (local.get 0) (i32.const 0) (i32.const 0))))
""",
    [("run", (100_000,)), ("run", (1,)), ("run", (0,)), ("run", (99_999,))],
)

program("tail-call-host", """
(module
  (import "env" "add3" (func $add3 (param i32 i32 i32) (result i32)))
  (import "env" "split" (func $split (param i32) (result i32 i32)))
  (type $s (func (param i32) (result i32 i32)))
  (table 2 funcref)
  (elem (i32.const 0) $split $local)
  (func $local (type $s) (local.get 0) (i32.const 0))
  (func (export "add") (param i32 i32) (result i32)
    (return_call $add3 (local.get 0) (local.get 1) (i32.const 1000)))
  (func (export "split_direct") (param i32) (result i32 i32) (return_call $split (local.get 0)))
  (func (export "split_indirect") (param i32 i32) (result i32 i32)
    (return_call_indirect (type $s) (local.get 1) (local.get 0)))
  (func (export "then_add") (param i32) (result i32)
    (i32.const 77) ;; left below the arguments: the tail call drops it
    (return_call $add3 (local.get 0) (local.get 0) (local.get 0))))
""", [("add", (1, 2)), ("add", (-50, 7)), ("split_direct", (0x1234_5678,)), ("split_indirect", (0, 0xABCDEF)),
      ("split_indirect", (1, 0xABCDEF)), ("split_indirect", (2, 1)), ("then_add", (11,))],
    env={"add3": HostFunc(("i32", "i32", "i32"), ("i32",), _add3),
         "split": HostFunc(("i32",), ("i32", "i32"), _split)})  # fmt: skip

program(
    "fresh-frame-locals",
    """
(module
  (func $callee (param $x i32) (result i32 i32 i64)
    (local $a i32) (local $b i64)
    ;; a fresh frame: its locals are zero whatever the caller's were
    (local.get $a) (i32.add (local.get $x) (local.get $a)) (local.get $b))
  (func (export "f") (param i32) (result i32 i32 i64)
    (local $junk i32) (local $more i64)
    (local.set $junk (i32.const -1)) (local.set $more (i64.const -1))
    (i32.const 1) (i32.const 2) (i64.const 3)  ;; operands the tail call discards
    (return_call $callee (local.get 0))))
""",
    [("f", (5,)), ("f", (-5,))],
)

program(
    "tail-call-in-blocks",
    """
(module
  (func $id (param i32) (result i32) (local.get 0))
  (func (export "f") (param $n i32) (result i32)
    (block $out (result i32)
      (loop $l (result i32)
        (if (i32.gt_s (local.get $n) (i32.const 10))
          (then (block (return_call $id (i32.mul (local.get $n) (i32.const 2))))))
        (local.set $n (i32.add (local.get $n) (i32.const 3)))
        (br_if $l (i32.lt_s (local.get $n) (i32.const 8)))
        (block (result i32)
          (br_table 0 2 (i32.const 42) (i32.and (local.get $n) (i32.const 1)))))))
  (func (export "g") (param i32) (result i32)
    (i32.add (i32.const 1000) (call $id (local.get 0)))))
""",
    [("f", (0,)), ("f", (1,)), ("f", (11,)), ("f", (-20,)), ("g", (5,))],
)

program("trap-after-tail-call", """
(module
  (func $div (param i32 i32) (result i32) (i32.div_s (local.get 0) (local.get 1)))
  (func $trunc (param f64) (result i32) (i32.trunc_f64_s (local.get 0)))
  (func $never (result i32) (unreachable))
  (func (export "div") (param i32 i32) (result i32) (return_call $div (local.get 0) (local.get 1)))
  (func (export "trunc") (param f64) (result i32) (return_call $trunc (local.get 0)))
  (func (export "never") (result i32) (return_call $never)))
""", [("div", (7, 2)), ("div", (7, 0)), ("div", (-(2**31), -1)), ("trunc", (1e10,)), ("trunc", (math.nan,)),
      ("trunc", (-3.9,)), ("never", ())])  # fmt: skip

program(
    "gcd-fib-tail",
    """
(module
  (func $gcd (export "gcd") (param i64 i64) (result i64)
    (if (i64.eqz (local.get 1)) (then (return (local.get 0))))
    (return_call $gcd (local.get 1) (i64.rem_u (local.get 0) (local.get 1))))
  (func $fib (param $n i32) (param $a i64) (param $b i64) (result i64)
    (if (i32.eqz (local.get $n)) (then (return (local.get $a))))
    (return_call $fib (i32.sub (local.get $n) (i32.const 1)) (local.get $b) (i64.add (local.get $a) (local.get $b))))
  (func (export "fib") (param i32) (result i64) (return_call $fib (local.get 0) (i64.const 0) (i64.const 1))))
""",
    [("gcd", (1071, 462)), ("gcd", (2**62, 3 * 2**40)), ("gcd", (-1, 6)), ("fib", (90,)), ("fib", (10_000,))],
)

program("tail-call-float-bits", """
(module
  (func $f32 (param f32 f32) (result f32) (f32.div (local.get 0) (local.get 1)))
  (func $f64 (param f64 f64) (result f64) (f64.min (local.get 0) (local.get 1)))
  (func (export "div32") (param f32 f32) (result f32) (return_call $f32 (local.get 0) (local.get 1)))
  (func (export "min64") (param f64 f64) (result f64) (return_call $f64 (local.get 0) (local.get 1)))
  (func (export "bits") (param f32) (result i32)
    (i32.reinterpret_f32 (call $f32 (local.get 0) (f32.const 0)))))
""", [("div32", (1.0, 3.0)), ("div32", (-1.0, 0.0)), ("div32", (1e-45, 2.0)), ("min64", (-0.0, 0.0)),
      ("min64", (0.0, -0.0)), ("min64", (5e-324, -5e-324)), ("bits", (2.5,)), ("bits", (-2.5,))])  # fmt: skip

program(
    "deep-non-tail-recursion-exhausts",
    """
(module
  (func (export "tail_down") (param i32) (result i32) (return_call $down (local.get 0)))
  (func $down (export "down") (param i32) (result i32)
    (if (result i32) (i32.eqz (local.get 0)) (then (i32.const 0))
      (else (i32.add (i32.const 1) (call $down (i32.sub (local.get 0) (i32.const 1)))))))
  (func $forever (export "forever") (param i32) (result i32)
    (i32.add (i32.const 1) (call $forever (local.get 0)))))
""",
    [("down", (1000,)), ("forever", (0,)), ("tail_down", (5,)), ("tail_down", (9000,))],
)

program(
    "tail-table-index",
    """
(module
  (type $v (func (result i32)))
  (table $t0 1 funcref)
  (table $t1 3 funcref)
  (elem (table $t0) (i32.const 0) func $one)
  (elem (table $t1) (i32.const 1) func $two $three)
  (func $one (result i32) (i32.const 1))
  (func $two (result i32) (i32.const 2))
  (func $three (result i32) (i32.const 3))
  (func (export "t0") (param i32) (result i32) (return_call_indirect $t0 (type $v) (local.get 0)))
  (func (export "t1") (param i32) (result i32) (return_call_indirect $t1 (type $v) (local.get 0))))
""",
    [("t0", (0,)), ("t0", (1,)), ("t1", (0,)), ("t1", (1,)), ("t1", (2,)), ("t1", (3,))],
)

# ---- multi-memory

program("two-memories", """
(module
  (memory $a (export "a") 1)
  (memory $b (export "b") 1)
  (func (export "put") (param $addr i32) (param $v i32)
    (i32.store $a (local.get $addr) (local.get $v))
    (i32.store $b offset=4 (local.get $addr) (i32.xor (local.get $v) (i32.const -1))))
  (func (export "get") (param $addr i32) (result i32 i32)
    (i32.load $a (local.get $addr)) (i32.load $b (local.get $addr)))
  (func (export "get_b") (param i32) (result i32) (i32.load $b offset=4 (local.get 0))))
""", [("put", (0, 0x1122_3344)), ("put", (100, -2)), ("get", (0,)), ("get", (4,)), ("get", (100,)),
      ("get_b", (0,)), ("get_b", (65528,)), ("get_b", (65529,)), ("put", (65532, 1)), ("get", (65532,))])  # fmt: skip

program("four-memories-all-widths", """
(module
  (memory $m0 (export "m0") 1)
  (memory $m1 (export "m1") 1 2)
  (memory $m2 (export "m2") 2)
  (memory $m3 (export "m3") 1)
  (func (export "store_all") (param $a i32) (param $x i64)
    (i64.store $m0 (local.get $a) (local.get $x))
    (i32.store16 1 offset=1 (local.get $a) (i32.wrap_i64 (local.get $x)))
    (i64.store32 $m2 offset=65536 (local.get $a) (local.get $x))
    (i32.store8 3 offset=3 align=1 (local.get $a) (i32.wrap_i64 (local.get $x)))
    (f64.store $m3 offset=16 (local.get $a) (f64.reinterpret_i64 (local.get $x)))
    (f32.store $m1 offset=24 (local.get $a) (f32.reinterpret_i32 (i32.wrap_i64 (local.get $x)))))
  (func (export "load_all") (param $a i32) (result i64 i32 i64 i32 i64 i32 i64)
    (i64.load $m0 (local.get $a))
    (i32.load16_s 1 offset=1 (local.get $a))
    (i64.load32_s $m2 offset=65536 (local.get $a))
    (i32.load8_u $m3 offset=3 (local.get $a))
    (i64.reinterpret_f64 (f64.load $m3 offset=16 (local.get $a)))
    (i32.reinterpret_f32 (f32.load $m1 offset=24 (local.get $a)))
    (i64.load8_s $m0 offset=7 (local.get $a)))
  (func (export "f64_at") (param i32) (result f64) (f64.load $m3 offset=16 (local.get 0))))
""", [("store_all", (8, -0x0123_4567_89AB_CDF0)), ("store_all", (40, 0x7FF8_0000_0000_0001)),
      ("load_all", (8,)), ("load_all", (40,)), ("load_all", (1000,)), ("f64_at", (8,)),
      ("store_all", (65520, 5)), ("load_all", (65520,)), ("load_all", (65529,))])  # fmt: skip

program("size-and-grow", """
(module
  (memory $a (export "a") 1 3)
  (memory $b (export "b") 0)
  (memory $c (export "c") 2 2)
  (func (export "sizes") (result i32 i32 i32) (memory.size $a) (memory.size 1) (memory.size $c))
  (func (export "grow_a") (param i32) (result i32) (memory.grow $a (local.get 0)))
  (func (export "grow_b") (param i32) (result i32) (memory.grow $b (local.get 0)))
  (func (export "grow_c") (param i32) (result i32) (memory.grow 2 (local.get 0)))
  (func (export "poke") (param $addr i32) (param $which i32)
    (if (i32.eqz (local.get $which))
      (then (i32.store8 $a (local.get $addr) (i32.const 0xAA)))
      (else (i32.store8 $b (local.get $addr) (i32.const 0xBB)))))
  (func (export "peek") (param $addr i32) (result i32 i32)
    (i32.load8_u $a (local.get $addr)) (i32.load8_u $b (local.get $addr))))
""", [("sizes", ()), ("poke", (0, 1)), ("grow_b", (2,)), ("sizes", ()), ("poke", (70_000, 1)), ("peek", (70_000,)),
      ("poke", (70_000, 0)), ("grow_a", (1,)), ("poke", (70_000, 0)), ("peek", (70_000,)), ("grow_a", (2,)),
      ("grow_a", (1,)), ("grow_c", (0,)), ("grow_c", (1,)), ("sizes", ()), ("grow_b", (-1,)), ("grow_b", (0,)),
      ("sizes", ())])  # fmt: skip

program("copy-between-memories", """
(module
  (memory $a (export "a") 1)
  (memory $b (export "b") 1)
  (memory $small (export "small") 0 1)
  (data $a (i32.const 0) "0123456789abcdefghijklmnopqrstuvwxyz")
  (func (export "a_to_b") (param $dst i32) (param $src i32) (param $n i32)
    (memory.copy $b $a (local.get $dst) (local.get $src) (local.get $n)))
  (func (export "b_to_a") (param $dst i32) (param $src i32) (param $n i32)
    (memory.copy 0 1 (local.get $dst) (local.get $src) (local.get $n)))
  (func (export "within_a") (param $dst i32) (param $src i32) (param $n i32)
    (memory.copy $a $a (local.get $dst) (local.get $src) (local.get $n)))
  (func (export "within_b") (param $dst i32) (param $src i32) (param $n i32)
    (memory.copy $b $b (local.get $dst) (local.get $src) (local.get $n)))
  (func (export "a_to_small") (param $dst i32) (param $src i32) (param $n i32)
    (memory.copy $small $a (local.get $dst) (local.get $src) (local.get $n)))
  (func (export "grow_small") (result i32) (memory.grow $small (i32.const 1))))
""", [("a_to_b", (100, 0, 36)), ("within_a", (2, 0, 10)), ("within_a", (40, 42, 20)), ("within_b", (104, 100, 30)),
      ("within_b", (100, 104, 8)), ("b_to_a", (65530, 100, 6)), ("b_to_a", (65530, 100, 7)),
      ("a_to_b", (0, 65535, 2)), ("a_to_b", (65536, 0, 0)), ("a_to_b", (65537, 0, 0)), ("a_to_b", (0, -1, 1)),
      ("a_to_small", (0, 0, 0)), ("a_to_small", (0, 0, 1)), ("a_to_small", (1, 0, 0)), ("grow_small", ()),
      ("a_to_small", (65500, 0, 36)), ("a_to_small", (65501, 0, 36)), ("within_a", (0, 0, 65536))])  # fmt: skip

program("fill-per-memory", """
(module
  (memory $a (export "a") 1)
  (memory $b (export "b") 1)
  (memory $c (export "c") 1)
  (func (export "fill") (param $m i32) (param $d i32) (param $v i32) (param $n i32)
    (block $done
      (block $c (block $b (block $a (br_table $a $b $c $done (local.get $m))))
        (memory.fill $a (local.get $d) (local.get $v) (local.get $n)) (return))
      (memory.fill 1 (local.get $d) (local.get $v) (local.get $n)) (return))
    (memory.fill $c (local.get $d) (local.get $v) (local.get $n))))
""", [("fill", (0, 10, 0x41, 20)), ("fill", (1, 15, 0x1FF, 3)), ("fill", (2, 65530, 7, 6)), ("fill", (2, 65530, 8, 7)),
      ("fill", (1, 65536, 9, 0)), ("fill", (1, 65537, 9, 0)), ("fill", (0, 0, 3, -1)), ("fill", (3, 0, 0, 0))])  # fmt: skip

program("init-and-drop", """
(module
  (memory $a (export "a") 1)
  (memory $b (export "b") 1)
  (memory $c (export "c") 1)
  (data $hello "Hello, memories!")
  (data $nums "\\01\\02\\03\\04\\05\\06\\07\\08")
  (func (export "init_b") (param $d i32) (param $s i32) (param $n i32)
    (memory.init $b $hello (local.get $d) (local.get $s) (local.get $n)))
  (func (export "init_c") (param $d i32) (param $s i32) (param $n i32)
    (memory.init 2 $nums (local.get $d) (local.get $s) (local.get $n)))
  (func (export "init_a") (param $d i32) (param $s i32) (param $n i32)
    (memory.init $nums (local.get $d) (local.get $s) (local.get $n)))
  (func (export "drop_hello") (data.drop $hello))
  (func (export "sum_c") (result i64) (i64.load $c (i32.const 8))))
""", [("init_b", (0, 0, 16)), ("init_b", (100, 7, 9)), ("init_c", (8, 0, 8)), ("init_a", (3, 2, 4)),
      ("init_c", (65530, 0, 6)), ("init_c", (65530, 0, 7)), ("init_c", (0, 8, 0)), ("init_c", (0, 9, 0)),
      ("init_b", (65536, 16, 0)), ("drop_hello", ()), ("init_b", (0, 0, 0)), ("init_b", (0, 0, 1)), ("sum_c", ())])  # fmt: skip

program(
    "active-data-segments",
    """
(module
  (memory $a (export "a") 1)
  (memory $b (export "b") 1)
  (memory $c (export "c") 2)
  (data (memory $b) (i32.const 16) "in memory b")
  (data (memory 2) (i32.const 65534) "spans two pages")
  (data (memory $c) (i32.const 512) "\\de\\ad\\be\\ef")
  (data (i32.const 0) "memory zero")
  (data $a (offset (i32.const 32)) "also a")
  (func (export "peek") (param i32) (result i32 i32 i32)
    (i32.load $a (local.get 0)) (i32.load $b (local.get 0)) (i32.load $c (local.get 0))))
""",
    [("peek", (0,)), ("peek", (16,)), ("peek", (512,)), ("peek", (65534,)), ("peek", (65536,))],
)

program("imported-memories", """
(module
  (import "env" "m0" (memory $m0 1))
  (import "env" "m1" (memory $m1 1 4))
  (memory $own (export "own") 1)
  (export "m1_again" (memory $m1))
  (data (memory $m1) (i32.const 4) "seg")
  (func (export "mix") (param $addr i32) (result i32)
    (i32.store $own (local.get $addr)
      (i32.add (i32.load $m0 (local.get $addr)) (i32.load $m1 (local.get $addr))))
    (i32.load $own (local.get $addr)))
  (func (export "copy_to_m0") (param $d i32) (param $s i32) (param $n i32)
    (memory.copy $m0 $own (local.get $d) (local.get $s) (local.get $n)))
  (func (export "grow_m1") (param i32) (result i32) (memory.grow $m1 (local.get 0)))
  (func (export "store_m1") (param i32 i32) (i32.store $m1 (local.get 0) (local.get 1))))
""", [("mix", (0,)), ("mix", (4,)), ("mix", (200,)), ("copy_to_m0", (1000, 0, 300)), ("grow_m1", (2,)),
      ("store_m1", (3 * 65536 - 4, -1)), ("store_m1", (3 * 65536 - 3, -1)), ("grow_m1", (2,)), ("mix", (65533,))],
    env={"m0": HostMemory(1, None, _pattern(4096, 1)), "m1": HostMemory(1, 4, _pattern(300, 99))})  # fmt: skip

program(
    "segment-trap-at-instantiation",
    """
(module
  (import "env" "m0" (memory $m0 1))
  (import "env" "m1" (memory $m1 1))
  (data (memory $m0) (i32.const 0) "written first")
  (data (memory $m1) (i32.const 65530) "too long for memory one")
  (data (memory $m0) (i32.const 100) "never written")
  (func (export "unused") (result i32) (i32.const 0)))
""",
    [("unused", ())],
    env={"m0": HostMemory(1), "m1": HostMemory(1, None, b"keep")},
)

program("simd-lanes-with-memidx", """
(module
  (memory $in (export "in") 1)
  (memory $out (export "out") 1)
  (memory $third (export "third") 1)
  (data $in (i32.const 0) "\\00\\01\\02\\03\\04\\05\\06\\07\\08\\09\\0a\\0b\\0c\\0d\\0e\\0f\\f0\\f1\\f2\\f3\\f4\\f5\\f6\\f7")
  (func (export "run") (param $p i32)
    (v128.store $out (i32.const 0) (v128.load $in (local.get $p)))
    (v128.store $out offset=16 (i32.const 0)
      (v128.load8_lane $in 3 (local.get $p) (v128.load $out (i32.const 0))))
    (v128.store $out offset=32 (i32.const 0)
      (v128.load16_lane $in offset=2 1 (local.get $p) (v128.const i32x4 -1 -1 -1 -1)))
    (v128.store $out offset=48 (i32.const 0) (v128.load32_zero $in offset=16 (local.get $p)))
    (v128.store $out offset=64 (i32.const 0) (v128.load8x8_s $in offset=16 (local.get $p)))
    (v128.store $out offset=80 (i32.const 0) (v128.load64_splat $in offset=8 (local.get $p)))
    (v128.store $out offset=96 (i32.const 0) (v128.load16x4_u 0 offset=14 (local.get $p)))
    (v128.store32_lane $third offset=4 2 (local.get $p) (v128.load $in (i32.const 4)))
    (v128.store8_lane 2 15 (i32.const 0) (v128.load $in (i32.const 8)))
    (v128.store64_lane $third 1 (i32.const 24) (v128.load $out offset=64 (i32.const 0))))
  (func (export "lane") (param i32) (result i32)
    (i32x4.extract_lane 3 (v128.load $out (local.get 0))))
  (func (export "oob") (param i32) (result i32)
    (i8x16.extract_lane_s 0 (v128.load8_splat $third (local.get 0)))))
""", [("run", (0,)), ("lane", (0,)), ("lane", (64,)), ("run", (3,)), ("lane", (96,)), ("oob", (65535,)),
      ("oob", (65536,)), ("run", (65520,)), ("run", (65530,)), ("lane", (65521,))])  # fmt: skip

program("simd-oob-in-small-memory", """
(module
  (memory $big (export "big") 2)
  (memory $tiny (export "tiny") 1 1)
  (func (export "big_store") (param i32)
    (v128.store $big (local.get 0) (v128.const i64x2 0x0102030405060708 -1)))
  (func (export "tiny_store") (param i32)
    (v128.store $tiny (local.get 0) (v128.const i64x2 0x0102030405060708 -1)))
  (func (export "tiny_store_lane") (param i32)
    (v128.store16_lane $tiny offset=65534 7 (local.get 0) (v128.const i16x8 1 2 3 4 5 6 7 8)))
  (func (export "tiny_load") (param i32) (result i64)
    (i64x2.extract_lane 1 (v128.load32x2_s $tiny offset=8 (local.get 0)))))
""", [("big_store", (65530,)), ("tiny_store", (65530,)), ("tiny_store", (65520,)), ("tiny_store_lane", (0,)),
      ("tiny_store_lane", (1,)), ("tiny_load", (65520,)), ("tiny_load", (65521,)), ("tiny_load", (-8,))])  # fmt: skip

program("bounds-traps-by-memory", """
(module
  (memory $a (export "a") 1)
  (memory $b (export "b") 2)
  (func (export "a64") (param i32) (result i64) (i64.load $a offset=65528 (local.get 0)))
  (func (export "b64") (param i32) (result i64) (i64.load $b offset=65528 (local.get 0)))
  (func (export "b_far") (param i32) (result i32) (i32.load8_u $b offset=0xffffffff (local.get 0)))
  (func (export "store_b_partial") (param i32)
    ;; an out-of-bounds store writes nothing
    (i64.store $b (local.get 0) (i64.const -1)))
  (func (export "div_then_load") (param i32) (result i32)
    (i32.load $b (i32.div_u (i32.const 65536) (local.get 0)))))
""", [("a64", (0,)), ("a64", (1,)), ("b64", (65536,)), ("b64", (65537,)), ("b_far", (0,)), ("b_far", (-1,)),
      ("store_b_partial", (131068,)), ("store_b_partial", (131070,)), ("div_then_load", (2,)),
      ("div_then_load", (0,)), ("div_then_load", (1,))])  # fmt: skip

program(
    "tail-recursive-cross-memory-copy",
    """
(module
  (memory $src (export "src") 1)
  (memory $dst (export "dst") 1)
  (data $src (i32.const 0) "The quick brown fox jumps over the lazy dog")
  ;; copies byte by byte from $src to $dst, reversed, summing as it goes: one tail call a byte
  (func $rev (param $i i32) (param $n i32) (param $sum i32) (result i32)
    (local $byte i32)
    (if (i32.ge_u (local.get $i) (local.get $n)) (then (return (local.get $sum))))
    (local.set $byte (i32.load8_u $src (local.get $i)))
    (i32.store8 $dst (i32.sub (i32.sub (local.get $n) (i32.const 1)) (local.get $i)) (local.get $byte))
    (return_call $rev (i32.add (local.get $i) (i32.const 1)) (local.get $n)
      (i32.add (i32.mul (local.get $sum) (i32.const 31)) (local.get $byte))))
  (func (export "rev") (param i32) (result i32) (return_call $rev (i32.const 0) (local.get 0) (i32.const 0)))
  (func (export "fill_src") (param $n i32)
    (memory.fill $src (i32.const 43) (i32.const 0x5a) (local.get $n))))
""",
    [("rev", (43,)), ("fill_src", (20_000,)), ("rev", (20_043,)), ("rev", (65537,))],
)

program("grow-host-visible", """
(module
  (import "env" "mem" (memory $shared 1 3))
  (import "env" "note" (func $note (param i32 i32)))
  (memory $private 1)
  (func (export "grow") (param i32) (result i32)
    (local $r i32)
    (local.set $r (memory.grow $shared (local.get 0)))
    (call $note (local.get $r) (memory.size $private))
    (if (i32.ge_s (local.get $r) (i32.const 0))
      (then (i32.store $shared (i32.mul (local.get $r) (i32.const 65536)) (i32.const 0x6e6f7267))))
    (local.get $r))
  (func (export "note_sizes") (return_call $note (memory.size $shared) (memory.size $private))))
""", [("grow", (1,)), ("note_sizes", ()), ("grow", (1,)), ("grow", (1,)), ("note_sizes", ())],
    env={"mem": HostMemory(1, 3, b"abc"), "note": HostFunc(("i32", "i32"), (), lambda a, b: None)})  # fmt: skip

program(
    "align-and-offset-hints",
    """
(module
  (memory $x 1)
  (memory $y (export "y") 1)
  (func (export "unaligned") (param $p i32) (result i64)
    (i64.store $y offset=3 align=1 (local.get $p) (i64.const 0x0807060504030201))
    (i32.store16 $x offset=1 align=1 (local.get $p) (i32.const 0xBEEF))
    (i64.add (i64.load $y offset=2 align=2 (local.get $p))
             (i64.load16_u $x offset=1 align=1 (local.get $p)))))
""",
    [("unaligned", (0,)), ("unaligned", (1,)), ("unaligned", (65529,)), ("unaligned", (65530,))],
)

program(
    "multi-memory-default-zero",
    """
(module
  (memory (export "zero") 1)
  (memory $one (export "one") 1)
  (func (export "f") (param i32) (result i32)
    (i32.store (local.get 0) (i32.const 1))        ;; memory 0
    (i32.store 0 offset=4 (local.get 0) (i32.const 2))
    (i32.store $one (local.get 0) (i32.const 3))
    (memory.fill (i32.const 100) (i32.const 9) (i32.const 4))  ;; memory 0
    (memory.copy (i32.const 200) (i32.const 100) (i32.const 4))
    (i32.add (i32.load (local.get 0)) (i32.load $one (local.get 0)))))
""",
    [("f", (0,)), ("f", (8,)), ("f", (65532,))],
)


# ---- exception handling

program(
    "exceptions-values-across-frames",
    """
(module
  (tag $e (param i32 i64 f32 f64))
  (func $deep (param $n i32)
    (if (i32.eqz (local.get $n))
      (then (throw $e (i32.const 7) (i64.const -8) (f32.const 1.5) (f64.const -0.25))))
    (call $deep (i32.sub (local.get $n) (i32.const 1))))
  (func (export "catch") (param i32) (result i32 i64 f32 f64)
    (block $h (result i32 i64 f32 f64)
      (try_table (catch $e $h) (call $deep (local.get 0)))
      (return (i32.const 0) (i64.const 0) (f32.const 0) (f64.const 0)))))
""",
    [("catch", (0,)), ("catch", (50,)), ("catch", (1000,))],
)

program(
    "exceptions-catch-ref-rethrow",
    """
(module
  (tag $a (param i32))
  (tag $b (param i32))
  (func $throw (param $which i32) (param $v i32)
    (if (local.get $which) (then (throw $b (local.get $v))))
    (throw $a (local.get $v)))
  (func (export "route") (param i32 i32) (result i32)
    (block $got_a (result i32)
      (block $got_b (result i32)
        (try_table (catch $a $got_a) (catch $b $got_b)
          ;; catch everything with its reference, then throw it again
          (throw_ref
            (block $any (result exnref)
              (try_table (catch_all_ref $any) (call $throw (local.get 0) (local.get 1)))
              (unreachable))))
        (unreachable))
      (return (i32.add (i32.const 1000))))
    (i32.add (i32.const 2000)))
  (func (export "uncaught") (param i32) (call $throw (local.get 0) (i32.const 1)))
  (func (export "null") (throw_ref (ref.null exn))))
""",
    [
        ("route", (0, 5)),
        ("route", (1, 5)),
        ("route", (7, -1)),
        ("uncaught", (0,)),
        ("uncaught", (1,)),
        ("null", ()),
    ],
)

program(
    "exceptions-loop-retry",
    """
(module
  (tag $retry (param i32))
  (global $tries (mut i32) (i32.const 0))
  (func $attempt (param $n i32) (result i32)
    (global.set $tries (i32.add (global.get $tries) (i32.const 1)))
    (if (i32.lt_u (global.get $tries) (local.get $n))
      (then (throw $retry (global.get $tries))))
    (global.get $tries))
  (func (export "run") (param $n i32) (result i32) (local $last i32)
    (global.set $tries (i32.const 0))
    (loop $again
      (block $failed (result i32)
        (try_table (result i32) (catch $retry $failed)
          (return (i32.add (call $attempt (local.get $n)) (i32.mul (local.get $last) (i32.const 100))))))
      (local.set $last)
      (br $again))
    (unreachable)))
""",
    [("run", (1,)), ("run", (5,)), ("run", (40,))],
)

program(
    "exceptions-traps-are-not-caught",
    """
(module
  (tag $e)
  (memory 1)
  (func (export "trap-in-try") (param i32) (result i32)
    (block $h
      (try_table (catch_all $h) (return (i32.div_u (i32.const 1) (local.get 0)))))
    (i32.const -1))
  (func (export "oob-in-try") (param i32) (result i32)
    (block $h
      (try_table (catch $e $h) (return (i32.load (local.get 0)))))
    (i32.const -2))
  (func (export "throw-or-not") (param i32) (result i32)
    (block $h
      (try_table (catch $e $h)
        (if (local.get 0) (then (throw $e)))
        (return (i32.const 1))))
    (i32.const 2)))
""",
    [
        ("trap-in-try", (0,)),
        ("trap-in-try", (2,)),
        ("oob-in-try", (65536,)),
        ("oob-in-try", (4,)),
        ("throw-or-not", (0,)),
        ("throw-or-not", (1,)),
    ],
)

program(
    "exceptions-and-tail-calls",
    """
(module
  (tag $done (param i64))
  (func $count (param $n i64) (param $acc i64)
    (if (i64.eqz (local.get $n)) (then (throw $done (local.get $acc))))
    (return_call $count (i64.sub (local.get $n) (i64.const 1)) (i64.add (local.get $acc) (local.get $n))))
  (func (export "sum") (param i64) (result i64)
    (block $h (result i64)
      (try_table (catch $done $h) (call $count (local.get 0) (i64.const 0)))
      (i64.const -1))))
""",
    [("sum", (0,)), ("sum", (10,)), ("sum", (20_000,))],
)


# --- the engines ---------------------------------------------------------------------------------

TRAP_CLASSES: list[tuple[tuple[str, ...], str]] = [
    (("uncaught exception", "thrown wasm exception"), "uncaught exception"),
    (("null exception reference", "null reference"), "null exception reference"),
    (("undefined element", "out of bounds table"), "table out of bounds"),
    (("uninitialized element",), "null function"),
    (("indirect call type mismatch",), "signature mismatch"),
    (("unreachable",), "unreachable"),
    (("out of bounds memory",), "memory out of bounds"),
    (("divide by zero",), "integer divide by zero"),
    (("integer overflow",), "integer overflow"),
    (("invalid conversion",), "invalid conversion"),
    (("call stack exhausted", "stack overflow"), "stack exhausted"),
]


def trap_class(message: str) -> str:
    low = message.lower()
    for needles, name in TRAP_CLASSES:
        if any(n in low for n in needles):
            return name
    return "other: " + message.splitlines()[0]


Outcome = tuple[str, Any]  # ("ok", normalized results) or ("trap", class)


def normalize(results: Any, types: tuple[str, ...]) -> tuple[Any, ...]:
    """Results as a tuple of ints (floats as their bits, NaNs without their sign), whatever
    form an engine gives them in."""
    if not types:
        assert results is None or results == [] or results == ()
        return ()
    values = list(results) if len(types) > 1 else [results]
    assert len(values) == len(types)
    out: list[Any] = []
    for v, t in zip(values, types):
        if t == "f32":
            bits = struct.unpack("<I", struct.pack("<f", v))[0]
            # a NaN's sign is not deterministic (spec: nans{} may have either sign)
            out.append(("f32", bits & 0x7FFF_FFFF if math.isnan(v) else bits))
        elif t == "f64":
            bits = struct.unpack("<Q", struct.pack("<d", v))[0]
            out.append(("f64", bits & 0x7FFF_FFFF_FFFF_FFFF if math.isnan(v) else bits))
        else:
            out.append(int(v))
    return tuple(out)


@dataclass
class Run:
    """What one engine did with one program."""

    instantiation: Outcome
    calls: list[Outcome]
    memories: dict[str, tuple[int, bytes]]  # name -> (pages, contents) at the end
    snapshots: list[dict[str, tuple[int, bytes]]]
    host_log: list[tuple[Any, ...]]


def _memory_names(module: Module) -> list[str]:
    return [e.name for e in module.exports if e.kind is ExternKind.MEMORY]


def _logged(log: list[tuple[Any, ...]], name: str, fn: Callable[..., Any]) -> Callable[..., Any]:
    def call(*args: Any) -> Any:
        log.append((name, *args))
        return fn(*args)

    return call


def _wasmlab_imports(imports: dict[str, dict[str, HostFunc | HostMemory]],
                     log: list[tuple[Any, ...]]) -> tuple[dict[str, dict[str, Any]], dict[str, Any]]:  # fmt: skip
    out: dict[str, dict[str, Any]] = {}
    memories: dict[str, Any] = {}
    for mod, fields in imports.items():
        for name, spec in fields.items():
            if isinstance(spec, HostFunc):
                value: Any = _logged(log, name, spec.fn)
            else:
                value = wasmlab.Memory(min=spec.min, max=spec.max)
                value.write(0, spec.init)
                memories[f"import {mod}.{name}"] = value
            out.setdefault(mod, {})[name] = value
    return out, memories


def _wasmlab_snapshot(mems: dict[str, Any]) -> dict[str, tuple[int, bytes]]:
    return {n: (m.pages, bytes(m.data)) for n, m in mems.items()}


def run_wasmlab(prog: Program, module: Module,
                types: dict[str, tuple[tuple[str, ...], tuple[str, ...]]]) -> Run:  # fmt: skip
    log: list[tuple[Any, ...]] = []
    imports, mems = _wasmlab_imports(prog.imports, log)
    run = Run(("ok", ()), [], {}, [], log)
    try:
        inst = wasmlab.instantiate(module, imports)
    except Trap as e:
        run.instantiation = ("trap", trap_class(e.kind))
        run.memories = _wasmlab_snapshot(mems)
        return run
    for name in _memory_names(module):
        mems[name] = inst.exports[name]
    for name, args in prog.calls:
        try:
            out = inst.exports[name](*args)
            run.calls.append(("ok", normalize(out, types[name][1])))
        except Trap as e:
            run.calls.append(("trap", trap_class(e.kind)))
        run.snapshots.append(_wasmlab_snapshot(mems))
    run.memories = _wasmlab_snapshot(mems)
    return run


def wasmtime_or_skip() -> Any:
    wasmtime = pytest.importorskip("wasmtime")
    missing = [
        a for a in ("wasm_tail_call", "wasm_multi_memory", "wasm_exceptions") if a not in dir(wasmtime.Config)
    ]
    if missing:
        version = importlib.metadata.version("wasmtime")
        # a plain skip, not skip_or_fail: scripts/test.sh runs these in the current-wasmtime venv
        pytest.skip(f"wasmtime {version} has no {' or '.join(missing)} (needs the current wasmtime)")
    return wasmtime


def _wasmtime_valtype(wasmtime: Any, t: str) -> Any:
    return getattr(wasmtime.ValType, t)()


def run_wasmtime(wasmtime: Any, prog: Program, binary: bytes, memory_names: list[str],
                 types: dict[str, tuple[tuple[str, ...], tuple[str, ...]]]) -> Run:  # fmt: skip
    config = wasmtime.Config()
    config.wasm_tail_call = True
    config.wasm_multi_memory = True
    config.wasm_exceptions = True
    engine = wasmtime.Engine(config)
    store = wasmtime.Store(engine)
    module = wasmtime.Module(engine, binary)
    log: list[tuple[Any, ...]] = []
    mems: dict[str, Any] = {}
    by_name: dict[tuple[str, str], Any] = {}
    for mod, fields in prog.imports.items():
        for name, spec in fields.items():
            if isinstance(spec, HostFunc):
                ft = wasmtime.FuncType([_wasmtime_valtype(wasmtime, t) for t in spec.params],
                                       [_wasmtime_valtype(wasmtime, t) for t in spec.results])  # fmt: skip
                value: Any = wasmtime.Func(store, ft, _logged(log, name, spec.fn))
            else:
                value = wasmtime.Memory(store, wasmtime.MemoryType(wasmtime.Limits(spec.min, spec.max)))
                value.write(store, spec.init, 0)
                mems[f"import {mod}.{name}"] = value
            by_name[(mod, name)] = value
    externs = [by_name[(imp.module, imp.name)] for imp in module.imports]

    def snapshot() -> dict[str, tuple[int, bytes]]:
        return {n: (m.size(store), bytes(m.read(store, 0, m.data_len(store)))) for n, m in mems.items()}

    run = Run(("ok", ()), [], {}, [], log)
    try:
        inst = wasmtime.Instance(store, module, externs)
    except wasmtime.Trap as e:
        run.instantiation = ("trap", trap_class(str(e)))
        run.memories = snapshot()
        return run
    exports = inst.exports(store)
    for name in memory_names:
        mems[name] = exports[name]
    for name, args in prog.calls:
        try:
            out = exports[name](store, *args)
            run.calls.append(("ok", normalize(out, types[name][1])))
        except wasmtime.Trap as e:
            run.calls.append(("trap", trap_class(str(e))))
        run.snapshots.append(snapshot())
    run.memories = snapshot()
    return run


def assert_same(ours: Run, theirs: Run, prog: Program) -> None:
    assert ours.instantiation == theirs.instantiation
    for i, ((name, args), a, b) in enumerate(zip(prog.calls, ours.calls, theirs.calls)):
        assert a == b, f"call {i}: {name}{args}: wasmlab {a}, wasmtime {b}"
        for mem in ours.snapshots[i]:
            pa, da = ours.snapshots[i][mem]
            pb, db = theirs.snapshots[i][mem]
            assert pa == pb, f"after call {i} {name}{args}: memory {mem}: {pa} pages, wasmtime {pb}"
            if da != db:
                first = next(j for j, (x, y) in enumerate(zip(da, db)) if x != y)
                raise AssertionError(f"after call {i} {name}{args}: memory {mem} differs from byte {first}: "
                                     f"wasmlab {da[first:first + 16].hex()}, wasmtime {db[first:first + 16].hex()}")  # fmt: skip
    assert len(ours.calls) == len(theirs.calls)
    assert ours.snapshots == theirs.snapshots
    assert ours.memories == theirs.memories
    assert ours.host_log == theirs.host_log


def _types(module: Module) -> dict[str, tuple[tuple[str, ...], tuple[str, ...]]]:
    """Export name -> (param types, result types), from the module itself."""
    imported = [imp.desc for imp in module.imports if imp.kind is ExternKind.FUNC]
    funcs = [*imported, *(f.type for f in module.funcs)]
    out = {}
    for e in module.exports:
        if e.kind is ExternKind.FUNC:
            ft = module.types[funcs[e.index]]
            out[e.name] = (tuple(t.text for t in ft.params), tuple(t.text for t in ft.results))
    return out


# --- the tests ---------------------------------------------------------------------------------


def test_enough_programs_for_wasmtime() -> None:
    assert len(PROGRAMS) >= 25
    assert sum(len(p.calls) for p in PROGRAMS.values()) >= 150


@pytest.mark.parametrize("name", list(PROGRAMS))
def test_wasmlab_binary_same_as_wasmtime(name: str, tier: str) -> None:
    """wasmlab's parse and encoding of the text, run on both engines."""
    wasmtime = wasmtime_or_skip()
    prog = PROGRAMS[name]
    module = wasmlab.parse(prog.wat, features="all")
    binary = wasmlab.encode(module)
    types = _types(module)
    ours = run_wasmlab(prog, module, types)
    theirs = run_wasmtime(wasmtime, prog, binary, _memory_names(module), types)
    assert_same(ours, theirs, prog)


@pytest.mark.parametrize("name", list(PROGRAMS))
def test_wasmtime_binary_decodes_and_runs_in_wasmlab(name: str, tier: str) -> None:
    """wasmtime's own text-to-binary: wasmlab decodes it, re-encodes it byte for byte, and
    runs it as wasmtime runs it; and the module is the same as wasmlab's parse of the text."""
    wasmtime = wasmtime_or_skip()
    prog = PROGRAMS[name]
    binary = bytes(wasmtime.wat2wasm(prog.wat))
    module = wasmlab.parse(binary, features="all")
    assert wasmlab.encode(module) == binary
    ours_from_text = wasmlab.encode(wasmlab.parse(prog.wat, features="all"))
    assert _sections(ours_from_text) == _sections(binary)
    types = _types(module)
    ours = run_wasmlab(prog, module, types)
    theirs = run_wasmtime(wasmtime, prog, binary, _memory_names(module), types)
    assert_same(ours, theirs, prog)


def _sections(binary: bytes) -> dict[int, bytes]:
    """Section id -> contents, without the custom sections (wat2wasm adds a name section) and
    the element section: `(elem (table $t) ...)` for table 0 has two encodings (flags 0 and
    2), and wat2wasm and wasmlab choose differently."""
    out: dict[int, bytes] = {}
    pos = 8
    while pos < len(binary):
        sid = binary[pos]
        size, shift, p = 0, 0, pos + 1
        while True:
            b = binary[p]
            p += 1
            size |= (b & 0x7F) << shift
            shift += 7
            if not b & 0x80:
                break
        if sid not in (0, 9):
            out[sid] = binary[p : p + size]
        pos = p + size
    return out


def test_wasmtime_features_are_needed() -> None:
    """Without the proposals neither engine takes these programs (so the tests above test them)."""
    wasmtime = wasmtime_or_skip()
    engine = wasmtime.Engine(_plain_config(wasmtime))
    rejected = 0
    for prog in PROGRAMS.values():
        binary = wasmlab.encode(wasmlab.parse(prog.wat, features="all"))
        with pytest.raises(wasmlab.errors.WasmError):
            wasmlab.parse(binary, features="2.0")
        try:
            wasmtime.Module(engine, binary)
        except wasmtime.WasmtimeError:
            rejected += 1
    assert rejected == len(PROGRAMS)


def _plain_config(wasmtime: Any) -> Any:
    config = wasmtime.Config()
    config.wasm_tail_call = False
    config.wasm_multi_memory = False
    config.wasm_exceptions = False
    return config
