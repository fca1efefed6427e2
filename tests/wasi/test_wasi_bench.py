"""The WASI benchmark runs (tiny input) and both engines agree on the output."""

from __future__ import annotations

from pathlib import Path

from wasmlab.bench.wasi import bench_wasi, lines


def test_wasi_benchmark_small(wasm_programs: dict[str, Path]) -> None:
    b = bench_wasi(8, wasm=wasm_programs["qsort"])
    assert b.wasmlab_instructions > 10_000 and b.wasmlab_ips > 0
    text = "\n".join(lines(b))
    assert "Minstr/s" in text
    if b.pywasm_instructions is not None:
        assert b.same_output is True
        # the same program on the same input: nearly the same instruction count
        assert abs(b.pywasm_instructions - b.wasmlab_instructions) < 0.05 * b.wasmlab_instructions
