"""The debugger's benchmark: what a session costs.

1. The five workloads run under a `Session` with a breakpoint armed that is never hit and
   history recording on, against pywasm in the same run (the bound: at least 5x faster).
2. On a 1,000,000-instruction run (the sieve workload): `back()` latency (< 50 ms),
   `goto(500_000)` latency (< 1 s) and the peak memory the run allocates while
   recording history, measured with tracemalloc (< 200 MB).

`debug_benchmark()` returns rows `(what, measured, bound)`; `python -m wasmlab.bench.debugging`
prints them.
"""

from __future__ import annotations

import io
import math
import time
import tracemalloc
from collections.abc import Callable

from .workloads import SIEVE, WORKLOADS, Workload

Row = tuple[str, float, float]

NEVER = '\n  (func $never (export "never") nop))'


def with_never(wat: str) -> str:
    """The workload plus a function nothing calls: the place of the armed breakpoint."""
    text = wat.rstrip()
    return text[:-1] + NEVER


def _timed(fn: Callable[[], object]) -> float:
    t = time.perf_counter()
    fn()
    return time.perf_counter() - t


def session_seconds(w: Workload) -> float:
    import wasmlab
    from wasmlab.debug import debug

    s = debug(wasmlab.load(with_never(w.wat)), "run", w.arg)
    s.break_at("never")
    seconds = _timed(s.continue_)
    w.check(w.arg, s.result, "a session")
    s.close()
    return seconds


def conditional_seconds(w: Workload, condition: str = "$n == 1000") -> float:
    """A session with history and a conditional breakpoint at the (recursive) function's
    entry whose condition never holds: what checking it at every call costs."""
    import wasmlab
    from wasmlab.debug import debug

    s = debug(wasmlab.load(w.wat), "run", w.arg)
    s.break_at("$fib", condition=condition)
    seconds = _timed(s.continue_)
    w.check(w.arg, s.result, "a session with a conditional breakpoint")
    s.close()
    return seconds


def pywasm_seconds(w: Workload) -> float:
    try:
        import pywasm  # type: ignore[import-not-found]
    except ImportError:
        return math.nan
    import wasmlab

    data = wasmlab.encode(wasmlab.parse(w.wat))
    rt = pywasm.core.Runtime()
    inst = rt.instance(pywasm.core.ModuleDesc.from_reader(io.BytesIO(data)))
    out: list = []
    seconds = _timed(lambda: out.append(rt.invocate(inst, "run", [w.arg])))
    bits = 64 if "i64" in w.name else 32
    v = out[0][0] if isinstance(out[0], (list, tuple)) else out[0]
    w.check(w.arg, v & ((1 << bits) - 1) if isinstance(v, int) else v, "pywasm")
    return seconds


def history_figures(arg: int = 30000) -> list[Row]:
    """back() and goto(500_000) after a ~1,000,000-instruction sieve run, and its peak memory."""
    import wasmlab
    from wasmlab.debug import debug

    s = debug(wasmlab.load(SIEVE), "run", arg)
    s.continue_()
    steps = s.position.step
    back = _timed(s.back)
    goto = _timed(lambda: s.goto(min(500_000, steps)))
    s.close()
    inst = wasmlab.load(SIEVE)
    tracemalloc.start()
    try:
        s = debug(inst, "run", arg)
        s.continue_()
        _, peak = tracemalloc.get_traced_memory()
    finally:
        tracemalloc.stop()
    h = s.history
    s.close()
    return [
        (f"back() after {steps} instructions (ms)", back * 1000, 50.0),
        (f"goto(500000) after {steps} instructions (ms)", goto * 1000, 1000.0),
        (f"peak memory of that run with history, {h.checkpoints} checkpoints (MB)", peak / 1e6, 200.0),
    ]


def debug_benchmark() -> list[Row]:
    """Rows `(what, measured, bound)`. Workload rows: (name, session seconds, pywasm seconds),
    where pywasm / session must be at least 5. History rows: measured value and its bound."""
    rows: list[Row] = []
    for w in WORKLOADS:
        rows.append(
            (f"{w.name}: session+breakpoint+history s vs pywasm s", session_seconds(w), pywasm_seconds(w))
        )
    fib = WORKLOADS[0]
    rows.append(
        (
            "fib: session+history+false conditional breakpoint s vs pywasm s",
            conditional_seconds(fib),
            pywasm_seconds(fib),
        )
    )
    rows += history_figures()
    return rows


def lines(rows: list[Row]) -> list[str]:
    out = []
    for what, value, bound in rows:
        if "pywasm" in what:
            ratio = bound / value if value else math.inf
            need = 10 if "conditional" in what else 50  # (the compiled tier's targets)
            out.append(f"{what:<66} {value:8.3f} {bound:8.3f}  {ratio:6.1f}x faster (need >= {need}x)")
        else:
            ok = "ok" if value < bound else "TOO SLOW"
            out.append(f"{what:<66} {value:8.1f}  bound {bound:g}  {ok}")
    return out


def main() -> None:
    for line in lines(debug_benchmark()):
        print(line)


if __name__ == "__main__":
    main()
