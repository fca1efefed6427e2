"""The GC benchmark's pieces run at a small depth (the full one: `python -m wasmlab.bench --only gc`)."""

from __future__ import annotations

import wasmlab
from wasmlab.bench.gc import BINARY_TREES, gc_benchmark, plain_binary_trees


def test_binary_trees_agree_with_plain_python() -> None:
    inst = wasmlab.load(BINARY_TREES, features="all")
    for depth in (0, 1, 4, 7):
        assert (
            inst.exports.run(depth)
            == plain_binary_trees(depth)
            == 2 ** (depth + 1) - 1 + sum(2 ** (d + 1) - 1 for d in range(4, depth + 1, 2))
        )


def test_small_benchmark_run() -> None:
    r = gc_benchmark(depth=6, repeat=1)
    assert r["nodes"] == plain_binary_trees(6) and r["steps"] > 1000
    assert r["run"] > 0 and r["session"] > 0 and r["plain"] > 0
