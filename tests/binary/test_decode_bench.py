"""The decode+validate benchmark measures the real modules it finds (no timing asserted)."""

from __future__ import annotations

from wasmlab.bench.decoding import REPO, measure, modules


def test_decode_benchmark_finds_and_measures_modules() -> None:
    found = modules()
    assert REPO / "tests" / "c" / "hello.wasm" in found
    rows = measure([REPO / "tests" / "c" / "hello.wasm"], repeat=1)
    assert rows[0]["bytes"] > 1000 and rows[0]["decode"] > 0 and rows[0]["validate"] > 0
