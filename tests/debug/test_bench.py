"""The debugging benchmark's pieces run (the full benchmark is `python -m wasmlab.bench.debugging`)."""

from __future__ import annotations

import math

import wasmlab
from wasmlab.bench.debugging import lines, pywasm_seconds, session_seconds, with_never
from wasmlab.bench.workloads import FIB, Workload


def test_with_never_adds_an_uncalled_function() -> None:
    inst = wasmlab.load(with_never(FIB))
    assert set(inst.exports) == {"run", "never"}


def test_small_run_of_each_piece() -> None:
    w = Workload("fib", FIB, 10, 55)
    assert session_seconds(w) > 0
    p = pywasm_seconds(w)
    assert p > 0 or math.isnan(p)
    out = lines(
        [("fib: session vs pywasm", 0.01, 0.1), ("back() (ms)", 3.0, 50.0), ("slow (ms)", 80.0, 50.0)]
    )
    assert "10.0x faster" in out[0] and out[1].endswith("ok") and out[2].endswith("TOO SLOW")
