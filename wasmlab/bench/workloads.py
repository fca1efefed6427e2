"""The benchmark workloads, as WAT text: each exports `run` taking one i32 size argument.

Each has a plain-Python version of the same algorithm (`plain`): it gives the expected
answer at any argument (every benchmark run checks its result against it) and the time
a Python programmer's own code takes, which the benchmark prints next to wasmlab's.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass


@dataclass(frozen=True)
class Workload:
    name: str
    wat: str
    arg: int
    plain: Callable[[int], int | float]

    @property
    def expected(self) -> int | float:
        """The answer at `arg` (from the plain-Python version)."""
        return self.plain(self.arg)

    def check(self, arg: int, result: object, who: str) -> None:
        """Raise when `result` (what `who` returned at `arg`) is not the plain version's."""
        want = self.plain(arg)
        if isinstance(result, (list, tuple)):
            result = result[0] if len(result) == 1 else result
        if isinstance(result, int) and isinstance(want, int):  # signed or unsigned: the same bits
            mask = (1 << (64 if "i64" in self.name else 32)) - 1
            result, want = result & mask, want & mask
        if result != want:
            raise AssertionError(f"{self.name}({arg}) on {who} returned {result!r}, expected {want!r}")


FIB = """
(module
  (func $fib (export "run") (param $n i32) (result i32)
    (if (result i32) (i32.lt_u (local.get $n) (i32.const 2))
      (then (local.get $n))
      (else (i32.add (call $fib (i32.sub (local.get $n) (i32.const 1)))
                     (call $fib (i32.sub (local.get $n) (i32.const 2))))))))
"""

SUM_I64 = """
(module
  (func (export "run") (param $n i32) (result i64)
    (local $i i64) (local $sum i64) (local $end i64)
    (local.set $end (i64.extend_i32_u (local.get $n)))
    (block $done
      (loop $next
        (br_if $done (i64.ge_u (local.get $i) (local.get $end)))
        (local.set $sum (i64.add (local.get $sum) (i64.mul (local.get $i) (local.get $i))))
        (local.set $i (i64.add (local.get $i) (i64.const 1)))
        (br $next)))
    (local.get $sum)))
"""

SIEVE = """
(module
  (memory 2)
  (func (export "run") (param $n i32) (result i32)
    (local $i i32) (local $j i32) (local $count i32)
    (memory.fill (i32.const 0) (i32.const 1) (local.get $n))
    (local.set $i (i32.const 2))
    (block $outer_done
      (loop $outer
        (br_if $outer_done (i32.gt_u (i32.mul (local.get $i) (local.get $i)) (local.get $n)))
        (if (i32.load8_u (local.get $i))
          (then
            (local.set $j (i32.mul (local.get $i) (local.get $i)))
            (block $inner_done
              (loop $inner
                (br_if $inner_done (i32.ge_u (local.get $j) (local.get $n)))
                (i32.store8 (local.get $j) (i32.const 0))
                (local.set $j (i32.add (local.get $j) (local.get $i)))
                (br $inner)))))
        (local.set $i (i32.add (local.get $i) (i32.const 1)))
        (br $outer)))
    (local.set $i (i32.const 2))
    (block $count_done
      (loop $count_loop
        (br_if $count_done (i32.ge_u (local.get $i) (local.get $n)))
        (local.set $count (i32.add (local.get $count) (i32.load8_u (local.get $i))))
        (local.set $i (i32.add (local.get $i) (i32.const 1)))
        (br $count_loop)))
    (local.get $count)))
"""

FNV1A = """
(module
  (memory 1)
  (func (export "run") (param $n i32) (result i32)
    (local $i i32) (local $h i32)
    ;; fill [0, n) with a byte pattern, then hash it
    (block $filled
      (loop $fill
        (br_if $filled (i32.ge_u (local.get $i) (local.get $n)))
        (i32.store8 (local.get $i) (i32.mul (local.get $i) (i32.const 7)))
        (local.set $i (i32.add (local.get $i) (i32.const 1)))
        (br $fill)))
    (local.set $h (i32.const 0x811c9dc5))
    (local.set $i (i32.const 0))
    (block $done
      (loop $hash
        (br_if $done (i32.ge_u (local.get $i) (local.get $n)))
        (local.set $h (i32.mul (i32.xor (local.get $h) (i32.load8_u (local.get $i)))
                               (i32.const 0x01000193)))
        (local.set $i (i32.add (local.get $i) (i32.const 1)))
        (br $hash)))
    (local.get $h)))
"""

MANDELBROT = """
(module
  (func (export "run") (param $size i32) (result i32)
    (local $px i32) (local $py i32) (local $iter i32) (local $total i32)
    (local $cx f64) (local $cy f64) (local $x f64) (local $y f64) (local $xt f64)
    (block $rows_done
      (loop $rows
        (br_if $rows_done (i32.ge_u (local.get $py) (local.get $size)))
        (local.set $px (i32.const 0))
        (block $cols_done
          (loop $cols
            (br_if $cols_done (i32.ge_u (local.get $px) (local.get $size)))
            (local.set $cx (f64.sub (f64.div (f64.mul (f64.convert_i32_u (local.get $px)) (f64.const 3.0))
                                             (f64.convert_i32_u (local.get $size))) (f64.const 2.0)))
            (local.set $cy (f64.sub (f64.div (f64.mul (f64.convert_i32_u (local.get $py)) (f64.const 2.0))
                                             (f64.convert_i32_u (local.get $size))) (f64.const 1.0)))
            (local.set $x (f64.const 0)) (local.set $y (f64.const 0)) (local.set $iter (i32.const 0))
            (block $escaped
              (loop $iterate
                (br_if $escaped (i32.ge_u (local.get $iter) (i32.const 50)))
                (br_if $escaped (f64.gt (f64.add (f64.mul (local.get $x) (local.get $x))
                                                 (f64.mul (local.get $y) (local.get $y))) (f64.const 4.0)))
                (local.set $xt (f64.add (f64.sub (f64.mul (local.get $x) (local.get $x))
                                                 (f64.mul (local.get $y) (local.get $y))) (local.get $cx)))
                (local.set $y (f64.add (f64.mul (f64.mul (f64.const 2.0) (local.get $x)) (local.get $y))
                                       (local.get $cy)))
                (local.set $x (local.get $xt))
                (local.set $iter (i32.add (local.get $iter) (i32.const 1)))
                (br $iterate)))
            (local.set $total (i32.add (local.get $total) (local.get $iter)))
            (local.set $px (i32.add (local.get $px) (i32.const 1)))
            (br $cols)))
        (local.set $py (i32.add (local.get $py) (i32.const 1)))
        (br $rows)))
    (local.get $total)))
"""


# --- the same algorithms in plain Python ---------------------------------------------------


def plain_fib(n: int) -> int:
    return n if n < 2 else plain_fib(n - 1) + plain_fib(n - 2)


def plain_sum_i64(n: int) -> int:
    total = 0
    for i in range(n):
        total = (total + i * i) & 0xFFFFFFFFFFFFFFFF
    return total


def plain_sieve(n: int) -> int:
    mem = bytearray(65536 * 2)
    mem[0:n] = b"\x01" * n
    i = 2
    while i * i <= n:
        if mem[i]:
            j = i * i
            while j < n:
                mem[j] = 0
                j += i
        i += 1
    count = 0
    for i in range(2, n):
        count += mem[i]
    return count


def plain_fnv1a(n: int) -> int:
    mem = bytearray(65536)
    for i in range(n):
        mem[i] = (i * 7) & 0xFF
    h = 0x811C9DC5
    for i in range(n):
        h = ((h ^ mem[i]) * 0x01000193) & 0xFFFFFFFF
    return h


def plain_mandelbrot(size: int) -> int:
    total = 0
    for py in range(size):
        for px in range(size):
            cx = px * 3.0 / size - 2.0
            cy = py * 2.0 / size - 1.0
            x = y = 0.0
            it = 0
            while it < 50 and x * x + y * y <= 4.0:
                x, y = x * x - y * y + cx, 2.0 * x * y + cy
                it += 1
            total += it
    return total


WORKLOADS = [
    Workload("fib", FIB, 18, plain_fib),
    Workload("sum_i64", SUM_I64, 30000, plain_sum_i64),
    Workload("sieve", SIEVE, 30000, plain_sieve),
    Workload("fnv1a", FNV1A, 20000, plain_fnv1a),
    Workload("mandelbrot", MANDELBROT, 24, plain_mandelbrot),
]
