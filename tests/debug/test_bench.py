"""The debugging benchmark's pieces run (the full benchmark is `python -m wasmlab.bench.debugging`)."""

from __future__ import annotations

import math

import wasmlab
from wasmlab.bench.debugging import lines, pywasm_seconds, session_seconds, with_never
from wasmlab.bench.workloads import FIB, Workload, plain_fib


def test_with_never_adds_an_uncalled_function() -> None:
    inst = wasmlab.load(with_never(FIB))
    assert set(inst.exports) == {"run", "never"}


def test_small_run_of_each_piece() -> None:
    w = Workload("fib", FIB, 10, plain_fib)
    assert session_seconds(w) > 0
    p = pywasm_seconds(w)
    assert p > 0 or math.isnan(p)
    out = lines(
        [("fib: session vs pywasm", 0.01, 0.1), ("back() (ms)", 3.0, 50.0), ("slow (ms)", 80.0, 50.0)]
    )
    assert "10.0x faster" in out[0] and out[1].endswith("ok") and out[2].endswith("TOO SLOW")


def test_a_wrong_answer_is_named() -> None:
    w = Workload("fib", FIB, 10, plain_fib)
    w.check(10, [55], "x")
    try:
        w.check(10, 54, "somebody")
    except AssertionError as e:
        assert "somebody" in str(e) and "55" in str(e)
    else:
        raise AssertionError("a wrong answer passed")
