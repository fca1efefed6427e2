"""WASI benchmark: instructions per second running a real C program (tests/c/qsort.c built
for wasm32-wasi: scanf, qsort, printf over N numbers on stdin) on wasmlab and on pywasm's
WASI (`pywasm.wasi.Preview1`), same binary, same input, in one run.

    python -m wasmlab.bench.wasi [N]      # or: python -m wasmlab.bench --only wasi

Each engine's instructions are its own count: wasmlab's machine counts steps; pywasm's are
counted in a separate, untimed run (its interpreter logs every instruction through
`pywasm.log.debugln`, which that run counts). Timings cover the run only, not parsing.
"""

from __future__ import annotations

import contextlib
import io
import os
import random
import sys
import time
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path

PROGRAMS = Path(__file__).resolve().parents[2] / "tests" / "c"


@dataclass(frozen=True)
class WasiBench:
    program: str
    numbers: int
    wasmlab_instructions: int
    wasmlab_seconds: float
    pywasm_instructions: int | None
    pywasm_seconds: float | None
    same_output: bool | None
    machine_seconds: float | None = None  # the machine alone (WASMLAB_TIER=machine)
    warm_seconds: float | None = None  # compiled tier, the module's code already translated

    @property
    def wasmlab_ips(self) -> float:
        return self.wasmlab_instructions / self.wasmlab_seconds

    @property
    def pywasm_ips(self) -> float | None:
        if self.pywasm_instructions is None or not self.pywasm_seconds:
            return None
        return self.pywasm_instructions / self.pywasm_seconds

    @property
    def speedup(self) -> float | None:
        """wasmlab instructions/s over pywasm's."""
        peer = self.pywasm_ips
        return None if peer is None else self.wasmlab_ips / peer


def numbers(n: int, seed: int = 2024) -> bytes:
    rng = random.Random(seed)
    return (" ".join(str(rng.randint(-(10**9), 10**9)) for _ in range(n)) + "\n").encode()


def run_wasmlab(
    wasm: Path, stdin: bytes, tier: str | None = None, module: object = None
) -> tuple[int, float, bytes]:
    """(instructions, seconds, stdout) of one run on wasmlab; `tier`: force one (exec.fast),
    `module`: a parsed module to instantiate again (its compiled code is kept with it)."""
    import wasmlab
    from wasmlab.exec import fast
    from wasmlab.wasi import WasiConfig

    cfg = WasiConfig(args=[wasm.stem], stdin=stdin, stdout=bytearray(), stderr=bytearray())
    saved = fast.TIER
    if tier is not None:
        fast.TIER = tier
    try:
        inst = wasmlab.instantiate(module, wasi=cfg) if module is not None else wasmlab.load(wasm, wasi=cfg)
        t = time.perf_counter()
        status = cfg.run(inst)
        seconds = time.perf_counter() - t
    finally:
        fast.TIER = saved
    if status != 0:
        raise RuntimeError(f"{wasm.name} exited with {status} on wasmlab: {cfg.errors!r}")
    return cfg.machine.steps, seconds, cfg.output


@contextlib.contextmanager
def _real_std_streams() -> Iterator[None]:
    """pywasm's Preview1 asks sys.stdin/stdout/stderr for file numbers: give it real ones
    (pytest and notebooks replace them)."""
    saved = sys.stdin, sys.stdout, sys.stderr
    null = [open(os.devnull, mode) for mode in ("r", "w", "w")]  # noqa: SIM115
    try:
        sys.stdin, sys.stdout, sys.stderr = null
        yield
    finally:
        sys.stdin, sys.stdout, sys.stderr = saved
        for f in null:
            f.close()


def run_pywasm(wasm: Path, stdin: bytes, count: bool = False) -> tuple[int | None, float, bytes]:
    """(instructions if counted, seconds, stdout) of one run on pywasm's WASI."""
    import pywasm

    with _real_std_streams():
        runtime = pywasm.core.Runtime()
        wasi = pywasm.wasi.Preview1([wasm.stem], {}, {})
    wasi.fd[0].pipe = io.BytesIO(stdin)
    wasi.fd[1].pipe = io.BytesIO()
    wasi.fd[2].pipe = io.BytesIO()
    wasi.bind(runtime)
    inst = runtime.instance_from_file(str(wasm))
    counted = [0]
    saved = pywasm.log.debugln
    if count:

        def debugln(*args: object) -> None:
            if args and args[0] == "    ":
                counted[0] += 1

        pywasm.log.debugln = debugln
    try:
        t = time.perf_counter()
        status = wasi.main(runtime, inst)
        seconds = time.perf_counter() - t
    finally:
        pywasm.log.debugln = saved
    if status != 0:
        raise RuntimeError(f"{wasm.name} exited with {status} on pywasm")
    out = wasi.fd[1].pipe.getvalue()  # type: ignore[union-attr]
    return (counted[0] if count else None), seconds, out


def bench_wasi(n: int = 1000, program: str = "qsort", wasm: Path | None = None) -> WasiBench:
    """Run `program` (qsort or wc) over `n` numbers on both engines."""
    import wasmlab

    path = wasm or PROGRAMS / f"{program}.wasm"
    stdin = numbers(n)
    _, machine_seconds, machine_out = run_wasmlab(path, stdin, tier="machine")
    module = wasmlab.parse(path.read_bytes())
    steps, seconds, out = run_wasmlab(path, stdin, module=module)
    warm_steps, warm_seconds, warm_out = run_wasmlab(path, stdin, module=module)
    if not (machine_out == out == warm_out and warm_steps == steps):
        raise AssertionError(f"{program}: the tiers disagree")
    try:
        import pywasm  # noqa: F401
    except ImportError:
        return WasiBench(program, n, steps, seconds, None, None, None, machine_seconds, warm_seconds)
    peer_steps, _, _ = run_pywasm(path, stdin, count=True)
    _, peer_seconds, peer_out = run_pywasm(path, stdin)
    return WasiBench(
        program, n, steps, seconds, peer_steps, peer_seconds, peer_out == out, machine_seconds, warm_seconds
    )


def lines(b: WasiBench) -> list[str]:
    out = [
        f"{b.program}.wasm over {b.numbers} numbers on stdin (scanf, qsort, printf)",
        f"  wasmlab: {b.wasmlab_instructions:>10} instructions {b.wasmlab_seconds:8.3f} s "
        f"{b.wasmlab_ips / 1e6:6.2f} Minstr/s (compiled tier, translating as it goes)",
    ]
    if b.warm_seconds is not None:
        out.append(
            f"  wasmlab: {b.wasmlab_instructions:>10} instructions {b.warm_seconds:8.3f} s "
            f"{b.wasmlab_instructions / b.warm_seconds / 1e6:6.2f} Minstr/s (compiled tier, module translated before)"
        )
    if b.machine_seconds is not None:
        out.append(
            f"  wasmlab: {b.wasmlab_instructions:>10} instructions {b.machine_seconds:8.3f} s "
            f"{b.wasmlab_instructions / b.machine_seconds / 1e6:6.2f} Minstr/s (the machine alone)"
        )
        speed = f"{b.machine_seconds / b.wasmlab_seconds:.1f}x"
        if b.warm_seconds:
            speed += f", translated before {b.machine_seconds / b.warm_seconds:.1f}x"
        out.append(f"  compiled tier / machine: {speed} faster")
    if b.pywasm_ips is None:
        out.append("  pywasm:  not installed")
    else:
        assert b.pywasm_seconds is not None and b.speedup is not None
        out.append(
            f"  pywasm:  {b.pywasm_instructions:>10} instructions {b.pywasm_seconds:8.3f} s "
            f"{b.pywasm_ips / 1e6:6.2f} Minstr/s"
        )
        out.append(
            f"  wasmlab / pywasm: {b.speedup:.1f}x instructions per second; same output: {b.same_output}"
        )
    return out


def main(n: int = 1000) -> None:
    """Print the figures (what `python -m wasmlab.bench` calls)."""
    from wasmlab.exec import fast

    print("\n".join(lines(bench_wasi(n))))
    kept = {k: v for k, v in fast.stats().items() if k != "compiled"}
    print(
        f"  compiled tier: {fast.stats().get('compiled', 0)} function bodies compiled; kept on the machine: {kept or 'none'}"
    )


if __name__ == "__main__":
    main(int(sys.argv[1]) if len(sys.argv) > 1 else 1000)
