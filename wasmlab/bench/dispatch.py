"""How much of a real C program the machine dispatches: instructions by kind, and handler calls
in run mode (superinstructions, exec.fuse, and folded structure, exec.fold, run the rest).

    python -m wasmlab.bench.dispatch [N]      # or: python -m wasmlab.bench --only dispatch

tests/c/qsort.wasm over N numbers (default 1000) on the machine alone, twice: single steps
counted per instruction (each step-mode handler wrapped by a counter), then a plain run with
every run-mode handler wrapped the same way. Counts, not timings: the same on every machine.
"""

from __future__ import annotations

import sys
from collections import Counter
from collections.abc import Callable
from typing import Any

from .wasi import PROGRAMS, numbers

#: the instructions that only move the pc (what exec.fold folds away in run mode)
STRUCTURAL = ("block", "loop", "end", "nop", "else", "br")


def _counted(inst: Any, kind: str, tally: Callable[[Any, int], Callable[..., int]]) -> None:
    from wasmlab.exec.compile import compile_fast, compile_function

    for f in inst.inst.funcs:
        if f.host is not None:
            continue
        if kind == "code":
            f.code = compile_function(f)
            handlers = f.code
        else:
            f.fast = compile_fast(f)
            handlers = f.fast
        for pc, h in enumerate(handlers):
            handlers[pc] = tally(f, pc)(h)


def dispatch_counts(n: int = 1000, program: str = "qsort") -> dict[str, Any]:
    """Instructions by name (single steps) and run-mode handler calls of one run of `program`."""
    import wasmlab
    from wasmlab.exec import fast
    from wasmlab.wasi import WasiConfig

    path = PROGRAMS / f"{program}.wasm"
    stdin = numbers(n)
    saved = fast.TIER
    fast.TIER = "machine"
    try:
        by_name: Counter[str] = Counter()
        per_pc: Counter[tuple[int, int]] = Counter()
        funcs: dict[int, Any] = {}

        def per_instruction(f: Any, pc: int) -> Callable[..., Callable[..., int]]:
            funcs[id(f)] = f
            key = (id(f), pc)

            def wrap(h: Callable[..., int]) -> Callable[..., int]:
                def counted(S: list, L: list, p: int) -> int:
                    per_pc[key] += 1
                    return h(S, L, p)

                return counted

            return wrap

        cfg = WasiConfig(args=[program], stdin=stdin, stdout=bytearray(), stderr=bytearray())
        inst = wasmlab.load(path, wasi=cfg)
        _counted(inst, "code", per_instruction)
        cfg.bind(inst)
        m = inst.func("_start").machine()

        def drive() -> None:
            while m.run(max_steps=1 << 20) is None:  # (a limit: step-mode handlers)
                pass

        if cfg.command_status(m, drive) != 0:
            raise AssertionError(f"{program} failed: {cfg.errors!r}")
        stepped = m.steps
        for (fid, pc), count in per_pc.items():
            by_name[funcs[fid].func.body[pc].op.name] += count

        calls = [0, 0]  # all handlers, those at an instruction that only moves the pc

        def per_call(f: Any, pc: int) -> Callable[..., Callable[..., int]]:
            slot = 1 if f.func.body[pc].op.name in STRUCTURAL else 0

            def wrap(h: Callable[..., int]) -> Callable[..., int]:
                def counted(S: list, L: list, p: int) -> int:
                    calls[0] += 1
                    calls[slot] += slot
                    return h(S, L, p)

                return counted

            return wrap

        cfg = WasiConfig(args=[program], stdin=stdin, stdout=bytearray(), stderr=bytearray())
        inst = wasmlab.load(path, wasi=cfg)
        _counted(inst, "fast", per_call)
        status = cfg.run(inst)
        if status != 0 or cfg.machine.steps != stepped:
            raise AssertionError(
                f"{program}: run mode took {cfg.machine.steps} steps, single steps {stepped}"
            )
    finally:
        fast.TIER = saved
    return {
        "program": program,
        "numbers": n,
        "steps": stepped,
        "by_name": by_name,
        "dispatched": calls[0],
        "structural_dispatched": calls[1],
    }


def lines(r: dict[str, Any]) -> list[str]:
    steps = r["steps"]
    by_name = r["by_name"]
    structural = sum(by_name[k] for k in STRUCTURAL)
    share = ", ".join(f"{k} {100 * by_name[k] / steps:.1f}%" for k in STRUCTURAL)
    top = ", ".join(f"{k} {100 * v / steps:.1f}%" for k, v in by_name.most_common(6))
    return [
        f"{r['program']}.wasm over {r['numbers']} numbers, the machine alone: {steps} instructions",
        f"  most executed: {top}",
        f"  only moving the pc: {100 * structural / steps:.1f}% ({share})",
        f"  run mode dispatches {r['dispatched']} handlers: {100 * r['dispatched'] / steps:.1f}% of the instructions"
        " (superinstructions and folded structure run the rest)",
        f"  of them at instructions that only move the pc: {r['structural_dispatched']}"
        f" ({100 * r['structural_dispatched'] / max(structural, 1):.1f}% of those executed)",
    ]


def main(n: int = 1000) -> None:
    print("\n".join(lines(dispatch_counts(n))))


if __name__ == "__main__":
    main(int(sys.argv[1]) if len(sys.argv) > 1 else 1000)
