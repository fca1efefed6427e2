"""`python -m wasmlab.bench`: wasmlab against pywasm on the same workloads, in the same run.

Prints, per workload, the best of several timings for each engine and the ratio
pywasm / wasmlab (higher is better for wasmlab). Sections for the debugger, WASI, the
text parser and the kernel run when their modules are present. Not a test: numbers only.
"""

from __future__ import annotations

import argparse
import importlib
import io
import sys
import time
from collections.abc import Callable
from typing import Any

from .workloads import WORKLOADS


def best_of(fn: Callable[[], Any], repeat: int) -> tuple[float, Any]:
    best = float("inf")
    out = None
    for _ in range(repeat):
        t = time.perf_counter()
        out = fn()
        best = min(best, time.perf_counter() - t)
    return best, out


def engines_benchmark(repeat: int = 3, scale: float = 1.0) -> list[tuple[str, float, float, int]]:
    """(workload, wasmlab seconds, pywasm seconds, instructions) for the five workloads."""
    import wasmlab

    try:
        import pywasm
    except ImportError:
        pywasm = None
    rows = []
    for w in WORKLOADS:
        arg = max(1, int(w.arg * scale)) if w.name != "fib" else w.arg
        module = wasmlab.parse(w.wat)
        data = wasmlab.encode(module)
        inst = wasmlab.instantiate(module)

        def ours(inst: Any = inst, arg: int = arg) -> Any:
            m = inst.machine("run", arg)
            m.run()
            return m

        t_ours, machine = best_of(ours, repeat)
        t_peer = float("nan")
        if pywasm is not None:
            rt = pywasm.core.Runtime()
            pinst = rt.instance(pywasm.core.ModuleDesc.from_reader(io.BytesIO(data)))
            t_peer, _ = best_of(lambda rt=rt, pinst=pinst, arg=arg: rt.invocate(pinst, "run", [arg]), repeat)
        rows.append((w.name, t_ours, t_peer, machine.steps))
    return rows


def _section(name: str, module: str, func: str) -> None:
    try:
        mod = importlib.import_module(module)
    except ImportError:
        print(f"\n[{name}] not available ({module} missing)")
        return
    fn = getattr(mod, func, None)
    if fn is None:
        print(f"\n[{name}] not available ({module}.{func} missing)")
        return
    print(f"\n[{name}]")
    fn()


def main(argv: list[str] | None = None) -> int:
    p = argparse.ArgumentParser(prog="python -m wasmlab.bench")
    p.add_argument("--repeat", type=int, default=3)
    p.add_argument("--only", choices=["engine", "debug", "wasi", "parse", "kernel"], action="append")
    a = p.parse_args(argv)
    only = set(a.only or ["engine", "debug", "wasi", "parse", "kernel"])
    if "engine" in only:
        print(f"[run mode] wasmlab vs pywasm (best of {a.repeat}; ratio = pywasm time / wasmlab time)")
        print(
            f"{'workload':<12} {'instrs':>9} {'wasmlab s':>10} {'Minstr/s':>9} {'pywasm s':>9} {'ratio':>7}"
        )
        for name, ours, peer, steps in engines_benchmark(a.repeat):
            print(
                f"{name:<12} {steps:>9} {ours:>10.4f} {steps / ours / 1e6:>9.2f} {peer:>9.3f} {peer / ours:>6.1f}x"
            )
    if "debug" in only:
        _section("debugger", "wasmlab.bench.debugging", "main")
    if "wasi" in only:
        _section("wasi", "wasmlab.bench.wasi", "main")
    if "parse" in only:
        _section("text parser", "wasmlab.bench.parsing", "main")
    if "kernel" in only:
        _section("kernel", "wasmlab.bench.kernel", "main")
    return 0


if __name__ == "__main__":
    sys.exit(main())
