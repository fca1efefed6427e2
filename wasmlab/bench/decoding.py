"""Decode+validate throughput on real modules: MB/s of wasmlab next to wasmtime's validator.

The modules: the clang-built C programs the tests and notebooks run (tests/c, notebooks/c),
the source-level benchmark's ~150 KB `-g` program (built with clang when it is installed),
an emscripten-built module from an installed package when one is found (Playwright's
`webp_codec.wasm`), and any `.wasm` named in the `WASMLAB_BENCH_WASM` environment variable
(paths separated by the path separator). Each is decoded and validated with every
WebAssembly 3.0 feature on (`features=ALL`), best of `repeat` in CPU seconds; the peer is wasmtime's
`Module.validate` (which also decodes) in the same run, when the `wasmtime` package is there
and its engine accepts the module (its SIMD needs CPU support), else `wasm-tools validate
--features all` (a process per run, timed by the wall clock, so its figure includes the
process start).
"""

from __future__ import annotations

import importlib.util
import os
import shutil
import subprocess
import tempfile
import time
from collections.abc import Callable
from pathlib import Path
from typing import Any

REPO = Path(__file__).resolve().parents[2]


def _best(fn: Callable[[], Any], repeat: int, clock: Callable[[], float] = time.process_time) -> float:
    """The best of `repeat` timings; CPU seconds by default (in-process work, steadier than
    wall time on a shared machine)."""
    best = float("inf")
    for _ in range(repeat):
        t = clock()
        fn()
        best = min(best, clock() - t)
    return best


def _installed(package: str, relative: str) -> Path | None:
    spec = importlib.util.find_spec(package)
    if spec is None or not spec.submodule_search_locations:
        return None
    path = Path(next(iter(spec.submodule_search_locations))) / relative
    return path if path.is_file() else None


def modules(folder: Path | None = None) -> list[Path]:
    """The real modules to measure (the generated `-g` program is built into `folder`)."""
    found: list[Path] = []
    webp = _installed("playwright", "driver/package/lib/webp_codec.wasm")
    if webp is not None:
        found.append(webp)
    found += sorted((REPO / "notebooks" / "c").glob("*.wasm"))
    found += sorted((REPO / "tests" / "c").glob("*.wasm"))
    for extra in os.environ.get("WASMLAB_BENCH_WASM", "").split(os.pathsep):
        if extra and Path(extra).is_file():
            found.append(Path(extra))
    if folder is not None:
        try:
            from .sourcelevel import build

            found.append(build(folder))
        except (RuntimeError, OSError, ImportError, Exception):  # no clang or no wasi sysroot
            pass
    return found


def measure(paths: list[Path], repeat: int = 3) -> list[dict[str, Any]]:
    """Per module: its bytes, wasmlab's best decode and validate seconds, wasmtime's
    best validate seconds (nan without the package)."""
    from ..binary import decode
    from ..syntax.features import ALL
    from ..valid import validate

    try:
        import wasmtime
    except ImportError:
        wasmtime = None
    store = None
    if wasmtime is not None:
        config = wasmtime.Config()
        for flag in (
            "wasm_simd",
            "wasm_relaxed_simd",
            "wasm_multi_memory",
            "wasm_memory64",
            "wasm_bulk_memory",
        ):
            if hasattr(config, flag):
                setattr(config, flag, True)
        store = wasmtime.Store(wasmtime.Engine(config))
    rows = []
    for path in paths:
        data = path.read_bytes()
        t_dec = _best(lambda data=data: decode(data, features=ALL), repeat)
        module = decode(data, features=ALL)
        t_val = _best(lambda module=module: validate(module, features=ALL), repeat)
        t_peer, peer = float("nan"), "-"
        if store is not None:
            try:
                t_peer, peer = (
                    _best(lambda data=data: wasmtime.Module.validate(store, data), repeat),
                    "wasmtime",
                )
            except wasmtime.WasmtimeError:  # (e.g. no SIMD support on this CPU)
                pass
        tool = shutil.which("wasm-tools")
        if peer == "-" and tool is not None:
            run = [tool, "validate", "--features", "all", str(path)]
            t_peer, peer = (
                _best(
                    lambda run=run: subprocess.run(run, capture_output=True, check=True),
                    repeat,
                    time.perf_counter,
                ),
                "wasm-tools",
            )
        rows.append(
            {
                "name": path.name,
                "bytes": len(data),
                "decode": t_dec,
                "validate": t_val,
                "peer": t_peer,
                "by": peer,
            }
        )
    return rows


def main(repeat: int = 3) -> None:
    with tempfile.TemporaryDirectory() as d:
        rows = measure(modules(Path(d)), repeat)
    print(
        f"decode+validate, features=ALL, best of {repeat}; peer: wasmtime Module.validate (native), else wasm-tools validate"
    )
    print(
        f"{'module':<22} {'KB':>7} {'decode s':>9} {'valid s':>8} {'MB/s':>6} {'peer MB/s':>10} {'ratio':>7} peer"
    )
    total_bytes = total_ours = total_peer = 0.0
    for r in rows:
        ours = r["decode"] + r["validate"]
        total_bytes += r["bytes"]
        total_ours += ours
        total_peer += r["peer"]
        print(
            f"{r['name']:<22} {r['bytes'] / 1024:>7.1f} {r['decode']:>9.4f} {r['validate']:>8.4f}"
            f" {r['bytes'] / ours / 1e6:>6.2f} {r['bytes'] / r['peer'] / 1e6:>10.1f} {ours / r['peer']:>6.0f}x {r['by']}"
        )
    if rows:
        print(
            f"{'all':<22} {total_bytes / 1024:>7.1f} {'':>9} {'':>8} {total_bytes / total_ours / 1e6:>6.2f}"
            f" {total_bytes / total_peer / 1e6:>10.1f} {total_ours / total_peer:>6.0f}x"
            "   (ratio: wasmlab time / peer time)"
        )


if __name__ == "__main__":
    main()
