"""Real programs the debugger tests run: recursion, br_table loops, indirect calls, memory
writes, traps, host imports."""

from __future__ import annotations

from typing import Any

import wasmlab

FIB = """(module
  (func $fib (export "fib") (param $n i32) (result i32)
    (if (result i32) (i32.lt_u (local.get $n) (i32.const 2))
      (then (local.get $n))
      (else (i32.add (call $fib (i32.sub (local.get $n) (i32.const 1)))
                     (call $fib (i32.sub (local.get $n) (i32.const 2))))))))
"""

# a loop dispatching on i % 4 through br_table; counts the cases in globals
BR_TABLE = """(module
  (global $zeros (export "zeros") (mut i32) (i32.const 0))
  (global $odds (export "odds") (mut i32) (i32.const 0))
  (func (export "run") (param $n i32) (result i32)
    (local $i i32) (local $acc i32)
    (block $done
      (loop $next
        (br_if $done (i32.ge_u (local.get $i) (local.get $n)))
        (block $other
          (block $odd
            (block $zero
              (br_table $zero $odd $other $odd (i32.rem_u (local.get $i) (i32.const 4))))
            (global.set $zeros (i32.add (global.get $zeros) (i32.const 1)))
            (br $other))
          (global.set $odds (i32.add (global.get $odds) (i32.const 1))))
        (local.set $acc (i32.add (local.get $acc) (local.get $i)))
        (local.set $i (i32.add (local.get $i) (i32.const 1)))
        (br $next)))
    (local.get $acc)))
"""

INDIRECT = """(module
  (type $t (func (param i32) (result i32)))
  (table 3 funcref)
  (elem (i32.const 0) $double $square $double)
  (func $double (type $t) (i32.mul (local.get 0) (i32.const 2)))
  (func $square (type $t) (i32.mul (local.get 0) (local.get 0)))
  (func (export "pick") (param $x i32) (result i32)
    (call_indirect (type $t) (local.get $x) (i32.rem_u (local.get $x) (i32.const 3))))
  (func (export "bad") (result i32)
    (call_indirect (type $t) (i32.const 1) (i32.const 7))))
"""

MEMORY = """(module
  (memory (export "mem") 1)
  (data (i32.const 100) "hello")
  (global $last (export "last") (mut i32) (i32.const 0))
  (func (export "fill") (param $n i32) (result i32)
    (local $i i32)
    (loop $l
      (i32.store (i32.add (i32.const 1024) (i32.mul (local.get $i) (i32.const 4)))
                 (i32.mul (local.get $i) (local.get $i)))
      (global.set $last (local.get $i))
      (br_if $l (i32.lt_u (local.tee $i (i32.add (local.get $i) (i32.const 1))) (local.get $n))))
    (memory.fill (i32.const 2048) (i32.const 0xab) (i32.const 8))
    (memory.copy (i32.const 3000) (i32.const 100) (i32.const 5))
    (drop (memory.grow (i32.const 1)))
    (i32.load (i32.const 1032))))
"""

TRAPS = """(module
  (memory 1)
  (func $inner (param $d i32) (result i32) (i32.div_s (i32.const 100) (local.get $d)))
  (func (export "div") (param $d i32) (result i32) (i32.add (i32.const 1) (call $inner (local.get $d))))
  (func (export "oob") (result i32) (i32.load (i32.const 70000)))
  (func (export "unreachable") (unreachable))
  (func $deep (export "deep") (param i32) (result i32)
    (call $deep (i32.add (local.get 0) (i32.const 1)))))
"""

HOST = """(module
  (import "env" "tick" (func $tick (param i32) (result i32)))
  (import "env" "note" (func $note (param f64)))
  (memory (export "mem") 1)
  (func (export "run") (param $n i32) (result i32)
    (local $i i32) (local $acc i32)
    (loop $l
      (local.set $acc (i32.add (local.get $acc) (call $tick (local.get $i))))
      (call $note (f64.convert_i32_u (local.get $acc)))
      (i32.store8 (local.get $i) (local.get $acc))
      (br_if $l (i32.lt_u (local.tee $i (i32.add (local.get $i) (i32.const 1))) (local.get $n))))
    (local.get $acc)))
"""

TYPES = """(module
  (table $t 2 funcref)
  (elem (i32.const 0) $f)
  (func $f (export "f") (param $x f64) (param $r externref) (result f64)
    (local $v i64) (local $fr funcref)
    (local.set $fr (table.get $t (i32.const 0)))
    (local.set $v (i64.const -5))
    (f64.add (local.get $x) (f64.const 1.5))
    (ref.null extern)
    (table.get $t (i32.const 0))
    (i64.const -1)
    (drop) (drop) (drop)))
"""


class Ticker:
    """A host function with its own state: replaying a recorded call must not call it again."""

    def __init__(self, mem_holder: dict[str, Any] | None = None) -> None:
        self.calls = 0
        self.notes: list[float] = []
        self.mem_holder = mem_holder

    def tick(self, i: int) -> int:
        self.calls += 1
        if self.mem_holder and "mem" in self.mem_holder:  # a host call that writes memory
            self.mem_holder["mem"].write(4000 + (self.calls % 16), bytes([self.calls & 0xFF]))
        return i * 3 + self.calls

    def note(self, x: float) -> None:
        self.notes.append(x)


def load_host() -> tuple[wasmlab.Instance, Ticker]:
    holder: dict[str, Any] = {}
    t = Ticker(holder)
    inst = wasmlab.load(HOST, {"env": {"tick": t.tick, "note": t.note}})
    holder["mem"] = inst.exports["mem"]
    return inst, t
