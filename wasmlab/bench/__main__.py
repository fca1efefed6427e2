"""`python -m wasmlab.bench`: wasmlab against pywasm on the same workloads, in the same run.

Prints, per workload, the best of several timings for each engine and the ratio
pywasm / wasmlab (higher is better for wasmlab). Sections for the debugger, WASI, the
text parser, source-level debugging (needs clang) and the kernel run when their modules
are present. Not a test: numbers only.
"""

from __future__ import annotations

import argparse
import importlib
import io
import shutil
import sys
import time
from collections.abc import Callable
from typing import Any

from .workloads import WORKLOADS


def best_of(
    fn: Callable[[], Any], repeat: int, check: Callable[[Any], None] | None = None
) -> tuple[float, Any]:
    """The best seconds of `repeat` runs of `fn`, and its last result; `check` sees every
    run's result (outside the timing)."""
    best = float("inf")
    out = None
    for _ in range(repeat):
        t = time.perf_counter()
        out = fn()
        best = min(best, time.perf_counter() - t)
        if check is not None:
            check(out)
    return best, out


def engines_benchmark(repeat: int = 3, scale: float = 1.0) -> list[dict[str, Any]]:
    """Per workload: its instructions and the best seconds of wasmlab, of its plain-Python
    version and of pywasm (nan when pywasm is missing). Every run's result is checked
    against the plain-Python version's (an AssertionError names the one that differs)."""
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
        counts: set[int] = set()  # every run's instruction count: one value on both tiers

        def ours(inst: Any = inst, arg: int = arg, tier: str = "auto") -> Any:
            m = inst.machine("run", arg, tier=tier)
            return m.run(), m.steps

        def check(out: tuple[Any, int], tier: str, w: Any = w, arg: int = arg, counts: set = counts) -> None:
            w.check(arg, out[0], f"wasmlab ({tier})")
            counts.add(out[1])

        quick = 3 * repeat  # (milliseconds each: more runs steady the best)
        t_ours, _ = best_of(ours, quick, lambda out, check=check: check(out, "compiled"))
        t_machine, _ = best_of(
            lambda ours=ours: ours(tier="machine"), repeat, lambda out, check=check: check(out, "machine")
        )
        if len(counts) != 1:
            raise AssertionError(f"{w.name}: the runs counted different instructions: {sorted(counts)}")
        steps = counts.pop()
        t_plain, _ = best_of(lambda w=w, arg=arg: w.plain(arg), quick)
        t_peer = float("nan")
        if pywasm is not None:
            rt = pywasm.core.Runtime()
            pinst = rt.instance(pywasm.core.ModuleDesc.from_reader(io.BytesIO(data)))

            t_peer, _ = best_of(
                lambda rt=rt, pinst=pinst, arg=arg: rt.invocate(pinst, "run", [arg]),
                repeat,
                lambda out, w=w, arg=arg: w.check(arg, _unsigned(out, w), "pywasm"),
            )
        rows.append(
            {
                "name": w.name,
                "steps": steps,
                "wasmlab": t_ours,
                "machine": t_machine,
                "plain": t_plain,
                "pywasm": t_peer,
            }
        )
    return rows


def _unsigned(out: Any, w: Any) -> Any:
    """pywasm returns signed integers; wasmlab's machine and the plain versions unsigned."""
    v = out[0] if isinstance(out, (list, tuple)) and len(out) == 1 else out
    if isinstance(v, int):
        bits = 64 if "i64" in w.name else 32
        return v & ((1 << bits) - 1)
    return v


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
    p.add_argument(
        "--only",
        choices=["engine", "gc", "debug", "source", "wasi", "dispatch", "parse", "decode", "kernel"],
        action="append",
    )
    a = p.parse_args(argv)
    only = set(a.only or ["engine", "gc", "debug", "source", "wasi", "dispatch", "parse", "decode", "kernel"])
    if "engine" in only:
        print(
            f"[run mode] wasmlab vs plain Python and pywasm (best of {3 * a.repeat} for the compiled tier and "
            f"plain Python, {a.repeat} for the others; every result checked against the plain-Python version's)"
        )
        print(
            "  wasmlab: the compiled tier (exec.fast); machine: WASMLAB_TIER=machine (handlers, superinstructions)"
        )
        print("  /plain: wasmlab time / plain-Python time (lower is better);")
        print("  xpywasm: pywasm time / wasmlab time (higher is better)")
        print(
            f"{'workload':<12} {'instrs':>9} {'wasmlab s':>10} {'Minstr/s':>9} {'machine s':>10} {'plain s':>9}"
            f" {'/plain':>7} {'pywasm s':>9} {'xpywasm':>8}"
        )
        for r in engines_benchmark(a.repeat):
            ours, steps = r["wasmlab"], r["steps"]
            print(
                f"{r['name']:<12} {steps:>9} {ours:>10.4f} {steps / ours / 1e6:>9.2f} {r['machine']:>10.4f}"
                f" {r['plain']:>9.4f} {ours / r['plain']:>6.1f}x {r['pywasm']:>9.3f} {r['pywasm'] / ours:>7.1f}x"
            )
    if "gc" in only:
        _section("GC: binary trees (run mode and a session, vs plain Python)", "wasmlab.bench.gc", "main")
    if "debug" in only:
        _section("debugger", "wasmlab.bench.debugging", "main")
    if "source" in only and shutil.which("clang"):
        _section("source level (DWARF)", "wasmlab.bench.sourcelevel", "main")
    if "wasi" in only:
        _section("wasi", "wasmlab.bench.wasi", "main")
    if "dispatch" in only:
        _section("machine dispatches (counts)", "wasmlab.bench.dispatch", "main")
    if "parse" in only:
        _section("text parser", "wasmlab.bench.parsing", "main")
    if "decode" in only:
        _section("decode+validate on real modules", "wasmlab.bench.decoding", "main")
    if "kernel" in only:
        _section("kernel", "wasmlab.bench.kernel", "main")
    return 0


if __name__ == "__main__":
    sys.exit(main())
