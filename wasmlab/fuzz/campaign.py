"""A fuzzing campaign: worker processes, a watchdog in each, the parent's bookkeeping.

Input `i` of a campaign with seed `s` is a pure function of `(s, i)` (`make_input`), so any
input can be made again from its index; worker `w` of `n` takes the indices `w, w+n, ...`.
Counters live in shared memory (one row per worker), so a worker that is ended by its
watchdog loses none of them. Each worker has a watchdog thread: an input running longer
than the timeout is a hang, a resident size (getrusage's peak) over the bound is a limit
breach; either way the watchdog writes the reproducer and ends the worker, and the parent
starts a new one at the next index. The parent kills a worker whose watchdog itself does
not answer (stuck in C code) and records that hang from the index.
"""

from __future__ import annotations

import hashlib
import json
import multiprocessing as mp
import os
import random
import resource
import signal
import sys
import threading
import time
import traceback
from collections.abc import Sequence
from dataclasses import asdict, dataclass, field
from pathlib import Path
from typing import Any

from .. import WasmError
from .mutate import mutate_binary, mutate_text
from .seeds import Seeds, default_testsuite, smith_modules, suite_seeds
from .target import INDEX, STATS, Budget, run_input

EXIT_HANG = 70
EXIT_BREACH = 71
#: rounds of mutation per input: a few unmutated seeds, mostly one or a few edits
ROUNDS = (0, 1, 1, 1, 2, 2, 3, 4, 6, 10)
PACKAGE_DIR = str(Path(__file__).resolve().parent.parent)
FUZZ_DIR = str(Path(__file__).resolve().parent)


@dataclass
class Config:
    """A campaign. `inputs` and/or `seconds` bound it (at least one is needed)."""

    seed: int = 0
    workers: int = field(default_factory=lambda: os.cpu_count() or 1)
    inputs: int | None = None
    seconds: float | None = None
    out: Path = Path("fuzz-out")
    timeout: float = 10.0  # seconds per input
    max_rss_mb: int = 1024  # resident size bound per worker
    budget: Budget = field(default_factory=Budget)
    smith: int = 300  # modules from wasm-tools smith
    suite: Path | None = None
    max_files: int | None = None  # of the suite's .wast and .wasm files (a small sample)
    extra: tuple[str, ...] = ()  # more .wast files: glob patterns under the suite
    weights: tuple[float, float, float] = (0.4, 0.25, 0.35)  # binary-suite, binary-smith, wat
    rounds: tuple[int, ...] = ROUNDS  # mutations per input, drawn from these
    progress: float = 30.0  # seconds between progress lines (0: none)


@dataclass
class Input:
    index: int
    kind: str  # "binary_suite" | "binary_smith" | "wat"
    data: bytes
    features: str | None

    @property
    def suffix(self) -> str:
        return ".wat" if self.kind == "wat" else ".wasm"


def make_input(
    seeds: Seeds,
    seed: int,
    index: int,
    weights: Sequence[float] = (0.4, 0.25, 0.35),
    rounds: Sequence[int] = ROUNDS,
) -> Input:
    """Input `index` of the campaign with `seed`: a seed module after a few mutations."""
    rng = random.Random(f"{seed}:{index}")
    w = list(weights)
    pools = (seeds.binaries, seeds.smith, seeds.texts)
    w = [x if pools[k] else 0.0 for k, x in enumerate(w)]
    if not any(w):
        raise ValueError("no seeds")
    k = rng.choices(range(3), w)[0]
    n = rng.choice(rounds)
    if k == 2:
        text = mutate_text(rng, rng.choice(seeds.texts), seeds.texts, n)
        data = text.encode("utf-8", errors="surrogatepass")
        kind = "wat"
    else:
        pool = pools[k]
        donors = seeds.binaries if rng.random() < 0.5 or not seeds.smith else seeds.smith
        data = mutate_binary(rng, rng.choice(pool), donors, n)
        kind = ("binary_suite", "binary_smith")[k]
    # every proposal, strict 2.0, or the default (3.0)
    r, p = rng.random(), (0.8 if k == 1 else 0.5)
    features = "all" if r < p else "2.0" if r < (1 + p) / 2 else None
    return Input(index, kind, data, features)


def signature(exc: BaseException) -> str:
    """Exception type and the innermost wasmlab frame (outside the fuzzer) it passed through."""
    where = "?"
    for fs in traceback.extract_tb(exc.__traceback__):
        if fs.filename.startswith(PACKAGE_DIR) and not fs.filename.startswith(FUZZ_DIR):
            rel = os.path.relpath(fs.filename, os.path.dirname(PACKAGE_DIR))
            where = f"{rel}:{fs.lineno} in {fs.name}"
    return f"{type(exc).__name__} at {where}"


def _sig_id(sig: str) -> str:
    return hashlib.sha1(sig.encode()).hexdigest()[:10]


def write_reproducer(out: Path, folder: str, name: str, inp: Input, meta: dict[str, Any]) -> Path:
    """The input as `out/folder/name.wasm|.wat` with a `.json` beside it saying how to replay it."""
    d = out / folder
    d.mkdir(parents=True, exist_ok=True)
    path = d / f"{name}{inp.suffix}"
    path.write_bytes(inp.data)
    info = {"index": inp.index, "kind": inp.kind, "features": inp.features, "file": path.name, **meta}
    (d / f"{name}.json").write_text(json.dumps(info, indent=2) + "\n")
    return path


# --- the worker ------------------------------------------------------------------------------------


class _Worker:
    def __init__(self, w: int, cfg: Config, seeds: Seeds, counters: Any, current: Any, queue: Any) -> None:
        self.w = w
        self.cfg = cfg
        self.seeds = seeds
        self.row = w * len(STATS)
        self.counters = counters
        self.current = current  # per worker: [index, started (monotonic), peak rss kB]
        self.queue = queue
        self.inp: Input | None = None
        self.started = 0.0
        self.seen: dict[str, int] = {}
        self.bound_kb = cfg.max_rss_mb * 1024

    def count(self, name: str, n: int) -> None:
        self.counters[self.row + INDEX[name]] += n

    def peak_kb(self) -> int:
        kb = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss
        if kb > self.current[3 * self.w + 2]:
            self.current[3 * self.w + 2] = kb
        return kb

    def watchdog(self) -> None:
        while True:
            time.sleep(0.05)
            inp, started = self.inp, self.started
            if inp is None:
                continue
            if time.monotonic() - started > self.cfg.timeout:
                self.finish(inp, "hangs", f"no answer after {self.cfg.timeout:g} s", EXIT_HANG)
            kb = self.peak_kb()
            if kb > self.bound_kb:
                self.finish(inp, "limit_breaches", f"resident size {kb // 1024} MiB over {self.cfg.max_rss_mb} MiB",
                            EXIT_BREACH)  # fmt: skip

    def finish(self, inp: Input, what: str, message: str, code: int) -> None:
        """Record a hang or a breach of `inp` and end this worker at once."""
        try:
            self.count(what, 1)
            stack = "".join(traceback.format_stack(sys._current_frames().get(threading.main_thread().ident)))
            write_reproducer(self.cfg.out, what, f"{what[:-1]}-{inp.index}", inp,
                             {"what": what[:-1], "message": message, "stack": stack, "seed": self.cfg.seed})  # fmt: skip
        finally:
            os._exit(code)

    def crash(self, inp: Input, exc: BaseException) -> None:
        sig = signature(exc)
        self.count("crashes", 1)
        n = self.seen[sig] = self.seen.get(sig, 0) + 1
        path = None
        if n <= 3:
            tb = "".join(traceback.format_exception(exc))
            path = write_reproducer(self.cfg.out, f"crashes/{_sig_id(sig)}", f"crash-{inp.index}", inp,
                                    {"signature": sig, "traceback": tb, "seed": self.cfg.seed})  # fmt: skip
        self.queue.put(
            ("crash", sig, inp.index, str(path) if path else None, f"{type(exc).__name__}: {exc}"[:500])
        )

    def run(self, start: int, stride: int, deadline: float | None) -> None:
        threading.Thread(target=self.watchdog, daemon=True).start()
        cfg = self.cfg
        limit = cfg.inputs
        i = start
        slot = 3 * self.w
        while (limit is None or i < limit) and (deadline is None or time.time() < deadline):
            inp = make_input(self.seeds, cfg.seed, i, cfg.weights, cfg.rounds)
            self.current[slot] = i
            self.started = time.monotonic()
            self.current[slot + 1] = self.started
            self.inp = inp
            try:
                run_input(inp.kind, inp.data, inp.features, cfg.budget, self.count)
            except WasmError:
                pass  # an answer, though one a stage should have counted
            except Exception as exc:  # noqa: BLE001  (every other exception is a finding)
                self.crash(inp, exc)
            self.inp = None
            self.current[slot + 1] = 0.0
            self.count("inputs", 1)
            self.count(inp.kind, 1)
            if self.peak_kb() > self.bound_kb:
                self.finish(inp, "limit_breaches", f"resident size over {cfg.max_rss_mb} MiB after the input",
                            EXIT_BREACH)  # fmt: skip
            i += stride
        self.current[slot] = -1


def _worker_main(w: int, cfg: Config, seeds: Seeds, counters: Any, current: Any, queue: Any, start: int,
                 deadline: float | None) -> None:  # fmt: skip
    signal.signal(signal.SIGINT, signal.SIG_IGN)  # the parent decides when to stop
    _Worker(w, cfg, seeds, counters, current, queue).run(start, cfg.workers, deadline)


# --- the parent ---------------------------------------------------------------------------------------


@dataclass
class Report:
    config: dict[str, Any]
    seeds: str
    notes: list[str]
    seconds: float
    counts: dict[str, int]
    per_worker: list[dict[str, Any]]
    crashes: dict[str, dict[str, Any]]  # signature -> {count, first, example, message}
    hangs: list[dict[str, Any]]
    breaches: list[dict[str, Any]]
    restarts: int

    @property
    def rate(self) -> float:
        return self.counts["inputs"] / self.seconds if self.seconds else 0.0

    def text(self) -> str:
        c = self.counts
        lines = [
            f"wasmlab fuzz: seed {self.config['seed']}, {self.config['workers']} workers, seeds: {self.seeds}",
            *[f"  {n}" for n in self.notes],
            f"inputs: {c['inputs']} in {self.seconds:.1f} s = {self.rate:.1f} inputs/s "
            f"(binary from the suite {c['binary_suite']}, binary from smith {c['binary_smith']}, WAT {c['wat']})",
            f"decode:      {c['decode']} in, {c['decode_rejected']} DecodeError, {c['decode'] - c['decode_rejected']} decoded",
            f"parse:       {c['parse']} in, {c['parse_rejected']} ParseError, {c['parse'] - c['parse_rejected']} parsed",
            f"validate:    {c['validate']} in, {c['validate_rejected']} ValidationError, "
            f"{c['validate'] - c['validate_rejected']} valid",
            f"instantiate: {c['instantiate']} in, {c['instantiated']} instantiated, {c['instantiate_link_error']} LinkError, "
            f"{c['instantiate_trap']} trapped, {c['instantiate_exhausted']} exhausted, "
            f"{c['instantiate_over_budget']} over the budget, {c['instantiate_unprovided']} with imports not provided",
            f"run:         {c['calls']} calls, {c['calls_returned']} returned, {c['calls_trapped']} trapped, "
            f"{c['calls_exhausted']} exhausted (fuel/depth), {c['calls_rejected']} rejected; "
            f"{c['instructions']} instructions",
            f"exceptions other than WasmError: {c['crashes']} ({len(self.crashes)} distinct)",
            f"hangs: {c['hangs']}   limit breaches: {c['limit_breaches']}   worker restarts: {self.restarts}",
            "peak resident size per worker: "
            + ", ".join(f"w{p['worker']} {p['peak_rss_mb']:.0f} MiB" for p in self.per_worker),
        ]
        for sig, info in sorted(self.crashes.items(), key=lambda kv: -kv[1]["count"]):
            lines.append(f"  CRASH x{info['count']}: {sig}: {info['message']}")
            lines.append(f"    reproducer: {info['example']}")
        for h in self.hangs:
            lines.append(f"  HANG input {h['index']}: {h.get('message', '')} ({h.get('file', '')})")
        for b in self.breaches:
            lines.append(f"  LIMIT input {b['index']}: {b.get('message', '')} ({b.get('file', '')})")
        return "\n".join(lines)


def load_seeds(cfg: Config) -> Seeds:
    root = cfg.suite or default_testsuite()
    seeds = (
        suite_seeds(root, cfg.max_files, cfg.extra)
        if root.exists()
        else Seeds(notes=[f"no test suite at {root}"])
    )
    smith, note = smith_modules(cfg.smith, cfg.seed)
    seeds.smith = smith
    seeds.notes.append(note)
    return seeds


def run_campaign(cfg: Config, seeds: Seeds | None = None, log: Any = None) -> Report:
    """Run the campaign `cfg` and write `report.json` to `cfg.out`; the report."""
    if cfg.inputs is None and cfg.seconds is None:
        raise ValueError("give inputs and/or seconds")
    log = log or (lambda s: print(s, file=sys.stderr, flush=True))
    cfg.out.mkdir(parents=True, exist_ok=True)
    seeds = seeds or load_seeds(cfg)
    log(f"seeds: {seeds.summary()}")
    ctx = mp.get_context("fork")
    n = cfg.workers
    counters = ctx.RawArray("q", n * len(STATS))
    current = ctx.RawArray("d", 3 * n)
    queue = ctx.SimpleQueue()
    t0 = time.time()
    deadline = t0 + cfg.seconds if cfg.seconds is not None else None
    procs: list[Any] = [None] * n
    restarts = 0
    crashes: dict[str, dict[str, Any]] = {}
    hangs: list[dict[str, Any]] = []
    breaches: list[dict[str, Any]] = []

    def start(w: int, first: int) -> None:
        current[3 * w] = first
        current[3 * w + 1] = 0.0
        p = ctx.Process(target=_worker_main, args=(w, cfg, seeds, counters, current, queue, first, deadline),
                        name=f"wasmlab-fuzz-{w}", daemon=True)  # fmt: skip
        p.start()
        procs[w] = p

    def total(name: str) -> int:
        k = INDEX[name]
        return sum(counters[w * len(STATS) + k] for w in range(n))

    def drain() -> None:
        while not queue.empty():
            msg = queue.get()
            if msg[0] == "crash":
                _, sig, index, path, text = msg
                info = crashes.setdefault(sig, {"count": 0, "first": index, "example": path, "message": text})
                info["count"] += 1
                if info["example"] is None and path:
                    info["example"] = path
                if info["count"] == 1:
                    log(f"CRASH {sig}: {text} (input {index}, {path})")

    def record(folder: str, w: int, index: int, fallback: str) -> dict[str, Any]:
        what = folder[:-1]
        meta = cfg.out / folder / f"{what}-{index}.json"
        if meta.exists():
            info = json.loads(meta.read_text())
        else:  # the watchdog did not get to write it: the input is made again from its index
            inp = make_input(seeds, cfg.seed, index, cfg.weights, cfg.rounds)
            counters[w * len(STATS) + INDEX[folder]] += 1
            write_reproducer(cfg.out, folder, f"{what}-{index}", inp, {"what": what, "message": fallback})
            info = json.loads(meta.read_text())
        info["file"] = str(cfg.out / folder / info["file"])
        log(f"{what.upper()} input {index}: {info.get('message')} ({info['file']})")
        return info

    for w in range(n):
        start(w, w)
    last_progress = time.time()
    stopped = False
    try:
        while True:
            drain()
            alive = 0
            for w, p in enumerate(procs):
                if p is None:
                    continue
                if p.is_alive():
                    alive += 1
                    began = current[3 * w + 1]
                    if began and time.monotonic() - began > 2 * cfg.timeout + 5:  # the watchdog is stuck too
                        p.kill()
                        p.join()
                    else:
                        continue
                p.join()
                index = int(current[3 * w])
                code = p.exitcode
                procs[w] = None
                if code == 0 or index < 0:
                    continue
                if code == EXIT_BREACH:
                    breaches.append(record("limit_breaches", w, index, "resident size over the bound"))
                elif code == EXIT_HANG or code == -signal.SIGKILL:
                    hangs.append(record("hangs", w, index, f"killed after {2 * cfg.timeout + 5:g} s"))
                else:
                    inp = make_input(seeds, cfg.seed, index, cfg.weights, cfg.rounds)
                    sig = f"worker died (exit code {code})"
                    path = write_reproducer(cfg.out, f"crashes/{_sig_id(sig)}", f"crash-{index}", inp,
                                            {"signature": sig, "seed": cfg.seed})  # fmt: skip
                    counters[w * len(STATS) + INDEX["crashes"]] += 1
                    crashes.setdefault(
                        sig, {"count": 0, "first": index, "example": str(path), "message": sig}
                    )
                    crashes[sig]["count"] += 1
                    log(f"CRASH {sig} at input {index} ({path})")
                more = (cfg.inputs is None or index + n < cfg.inputs) and (
                    deadline is None or time.time() < deadline
                )
                if more and not stopped:
                    restarts += 1
                    start(w, index + n)
                    alive += 1
            if alive == 0:
                break
            now = time.time()
            if cfg.progress and now - last_progress >= cfg.progress:
                last_progress = now
                k = total("inputs")
                log(f"[{now - t0:7.0f} s] {k} inputs, {k / (now - t0):.1f}/s, crashes {total('crashes')}, "
                    f"hangs {total('hangs')}, limit breaches {total('limit_breaches')}")  # fmt: skip
            time.sleep(0.1)
    except KeyboardInterrupt:
        stopped = True
        log("interrupted: stopping the workers")
        for p in procs:
            if p is not None:
                p.kill()
                p.join()
    drain()
    elapsed = time.time() - t0
    counts = {name: total(name) for name in STATS}
    per_worker = [
        {
            "worker": w,
            "inputs": counters[w * len(STATS) + INDEX["inputs"]],
            "peak_rss_mb": current[3 * w + 2] / 1024,
        }
        for w in range(n)
    ]
    cfg_dict = asdict(cfg)
    cfg_dict["out"] = str(cfg.out)
    cfg_dict["suite"] = str(cfg.suite) if cfg.suite else None
    report = Report(cfg_dict, seeds.summary(), seeds.notes, elapsed, counts, per_worker, crashes, hangs,
                    breaches, restarts)  # fmt: skip
    (cfg.out / "report.json").write_text(json.dumps({**asdict(report), "rate": report.rate}, indent=2) + "\n")
    return report
