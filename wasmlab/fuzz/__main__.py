"""`python -m wasmlab.fuzz [--workers N] [--inputs N] [--seconds S] [--seed K] [--out DIR]`;
`python -m wasmlab.fuzz --replay FILE` runs one reproducer again, in this process."""

from __future__ import annotations

import argparse
import json
import os
import sys
import traceback
from pathlib import Path

from .campaign import ROUNDS, Config, run_campaign, signature
from .target import STATS, Budget, run_input


def replay(path: Path, budget: Budget) -> int:
    """Run one reproducer (with the `.json` beside it, if any) and say what happened."""
    meta_path = path.with_suffix(".json")
    meta = json.loads(meta_path.read_text()) if meta_path.exists() else {}
    kind = meta.get("kind") or ("wat" if path.suffix in (".wat", ".wast") else "binary")
    features = meta.get("features")
    counts = dict.fromkeys(STATS, 0)

    def count(name: str, n: int) -> None:
        counts[name] += n

    print(f"replaying {path} ({kind}, features={features})")
    try:
        run_input(kind, path.read_bytes(), features, budget, count)
    except Exception as exc:  # noqa: BLE001
        traceback.print_exc()
        print(f"CRASH: {signature(exc)}")
        return 1
    finally:
        print(", ".join(f"{k} {v}" for k, v in counts.items() if v))
    return 0


def main(argv: list[str] | None = None) -> int:
    p = argparse.ArgumentParser(prog="python -m wasmlab.fuzz", description=__doc__)
    p.add_argument(
        "--workers", type=int, default=os.cpu_count() or 1, help="worker processes (default: one per core)"
    )
    p.add_argument("--inputs", type=int, help="inputs in all (the campaign's indices 0..N-1)")
    p.add_argument("--seconds", type=float, help="stop after this long")
    p.add_argument(
        "--seed", type=int, default=0, help="the campaign's seed: the same seed makes the same inputs"
    )
    p.add_argument(
        "--out", type=Path, default=Path("fuzz-out"), help="reproducers and report.json (default fuzz-out)"
    )
    p.add_argument(
        "--timeout", type=float, default=10.0, help="seconds per input before it is a hang (default 10)"
    )
    p.add_argument(
        "--max-rss-mb", type=int, default=1024, help="resident size bound per worker, MiB (default 1024)"
    )
    p.add_argument("--fuel", type=int, default=10_000, help="instructions per call (default 10000)")
    p.add_argument("--depth", type=int, default=64, help="call depth limit (default 64)")
    p.add_argument("--pages", type=int, default=256, help="memory pages per memory (default 256 = 16 MiB)")
    p.add_argument("--table-elements", type=int, default=100_000, help="elements per table (default 100000)")
    p.add_argument(
        "--smith", type=int, default=300, help="modules from wasm-tools smith (default 300; 0: none)"
    )
    p.add_argument(
        "--suite", type=Path, help="the spec test suite (default $WASMLAB_TESTSUITE or ../shared/testsuite)"
    )
    p.add_argument("--max-files", type=int, help="use only the first N .wast and .wasm files of the suite")
    p.add_argument("--extra", action="append", default=[], metavar="GLOB",
                   help="more .wast seeds: a glob under the suite, e.g. 'proposals/*/*.wast' (repeatable)")  # fmt: skip
    p.add_argument(
        "--mix",
        default="0.4,0.25,0.35",
        help="weights of binaries from the suite, from smith and WAT texts (default 0.4,0.25,0.35)",
    )
    p.add_argument(
        "--rounds",
        default=",".join(map(str, ROUNDS)),
        help="mutations per input, drawn from this list (default %(default)s)",
    )
    p.add_argument("--progress", type=float, default=30.0, help="seconds between progress lines (0: none)")
    p.add_argument(
        "--replay", type=Path, metavar="FILE", help="run one reproducer again and show its traceback"
    )
    a = p.parse_args(argv)
    try:
        mix = tuple(float(x) for x in a.mix.split(","))
        rounds = tuple(int(x) for x in a.rounds.split(","))
    except ValueError:
        p.error("--mix takes three numbers and --rounds whole numbers, comma-separated")
    if len(mix) != 3 or min(mix) < 0 or not any(mix) or not rounds or min(rounds) < 0:
        p.error("--mix takes three weights (not all 0); --rounds numbers >= 0")
    budget = Budget(fuel=a.fuel, depth=a.depth, pages=a.pages, table_elements=a.table_elements)
    if a.replay is not None:
        return replay(a.replay, budget)
    if a.inputs is None and a.seconds is None:
        p.error("give --inputs N and/or --seconds S")
    if a.workers < 1:
        p.error("--workers must be at least 1")
    cfg = Config(seed=a.seed, workers=a.workers, inputs=a.inputs, seconds=a.seconds, out=a.out, timeout=a.timeout,
                 max_rss_mb=a.max_rss_mb, budget=budget, smith=a.smith, suite=a.suite, max_files=a.max_files,
                 progress=a.progress, weights=mix, rounds=rounds, extra=tuple(a.extra))  # fmt: skip
    report = run_campaign(cfg)
    print(report.text())
    print(f"report: {cfg.out / 'report.json'}")
    c = report.counts
    return 1 if c["crashes"] or c["hangs"] or c["limit_breaches"] else 0


if __name__ == "__main__":
    sys.exit(main())
