"""Differential tests: module-linking programs give the same results on wasmlab and on the
released wasmtime 0.22.0 (its Python package, `Config.wasm_module_linking = True`).

Both run the bytes wasmtime's own `wat2wasm` makes (wasmtime 0.22's encoding); wasmlab
decodes them itself. Outcomes compared per action: a value, a trap (by kind), or a link
error; the instantiation's outcome too.
"""

from __future__ import annotations

import functools
import math
import re
import struct
import subprocess
import sys
from typing import Any

import pytest

import wasmlab
from tests.conftest import skip_or_fail
from tests.linking.programs import PROGRAMS, HostFunc, HostInstance, HostModule, Program, host_func_impl
from wasmlab.syntax.types import FuncType, ValType

try:
    import wasmtime
except ImportError:  # pragma: no cover - a test-only dependency
    wasmtime = None  # type: ignore[assignment]


@functools.cache
def _wasmtime_start_error() -> str:
    """Why wasmtime 0.22 cannot make an engine here ("" if it can), asked of a child process:
    on a CPU it does not know, it aborts the process (see scripts/wasmtime022_cpuid.py)."""
    child = subprocess.run(
        [sys.executable, "-c", "import wasmtime; wasmtime.Engine(wasmtime.Config())"],
        capture_output=True,
        text=True,
    )
    lines = child.stderr.strip().splitlines()
    return "" if child.returncode == 0 else (lines[0] if lines else f"exit status {child.returncode}")


def need_wasmtime() -> Any:
    if wasmtime is None:
        skip_or_fail("wasmtime==0.22.0 is not installed (pip install -e .[test])")
    if error := _wasmtime_start_error():
        skip_or_fail(f"wasmtime 0.22 cannot start here ({error}); run scripts/wasmtime022_cpuid.py")
    return wasmtime


_TRAP_KINDS = [
    ("unreachable", "unreachable"),
    ("divide by zero", "integer divide by zero"),
    ("integer overflow", "integer overflow"),
    ("out of bounds memory", "out of bounds memory access"),
    ("indirect call type mismatch", "indirect call type mismatch"),
    ("uninitialized element", "uninitialized element"),
    ("undefined element", "undefined element"),
    ("out of bounds table", "undefined element"),
]


def trap_kind(message: str) -> str:
    first = message.strip().splitlines()[0] if message.strip() else message
    for needle, kind in _TRAP_KINDS:
        if needle in first:
            return kind
    return first


def norm(value: Any) -> Any:
    if isinstance(value, list):
        return tuple(norm(v) for v in value)
    if isinstance(value, tuple):
        return tuple(norm(v) for v in value)
    if isinstance(value, float):
        return (
            ("f64", struct.unpack("<Q", struct.pack("<d", value))[0]) if not math.isnan(value) else ("nan",)
        )
    return value


# --- wasmtime ----------------------------------------------------------------------------------


def _wt_valtype(name: str) -> Any:
    return {"i32": wasmtime.ValType.i32(), "i64": wasmtime.ValType.i64(), "f32": wasmtime.ValType.f32(),
            "f64": wasmtime.ValType.f64()}[name]  # fmt: skip


class WasmtimeRun:
    def __init__(self) -> None:
        config = wasmtime.Config()
        config.wasm_module_linking = True
        self.engine = wasmtime.Engine(config)
        self.store = wasmtime.Store(self.engine)

    def module(self, wat: str) -> Any:
        return wasmtime.Module(self.engine, wasmtime.wat2wasm(wat))

    def host_value(self, spec: Any) -> Any:
        if isinstance(spec, HostFunc):
            ft = wasmtime.FuncType(
                [_wt_valtype(p) for p in spec.params], [_wt_valtype(r) for r in spec.results]
            )
            return wasmtime.Func(self.store, ft, host_func_impl(spec.name))
        if isinstance(spec, HostInstance):
            return wasmtime.Instance(self.store, self.module(spec.wat), [])
        if isinstance(spec, HostModule):
            return self.module(spec.wat)
        raise TypeError(spec)

    def start(self, program: Program) -> tuple[Any, Any]:
        try:
            module = self.module(program.wat)
        except wasmtime.WasmtimeError:
            return None, ("invalid",)
        try:
            imports = [self.host_value(spec) for _, _, spec in program.imports]
            inst = wasmtime.Instance(self.store, module, imports)
        except wasmtime.Trap as e:
            return None, ("trap", trap_kind(e.message.replace("wasm trap: ", "")))
        except wasmtime.WasmtimeError as e:
            return None, ("link", "incompatible" in str(e) or "import" in str(e))
        return inst, ("ok",)

    def call(self, inst: Any, path: str, args: tuple[Any, ...]) -> Any:
        try:
            target = inst
            parts = path.split("/")
            for part in parts[:-1]:
                if part.endswith("!"):
                    target = wasmtime.Instance(self.store, target.exports[part[:-1]], [])
                else:
                    target = target.exports[part]
            return ("ok", norm(target.exports[parts[-1]](*args)))
        except wasmtime.Trap as e:
            return ("trap", trap_kind(e.message.replace("wasm trap: ", "")))


# --- wasmlab -----------------------------------------------------------------------------------

_VT = {"i32": ValType.I32, "i64": ValType.I64, "f32": ValType.F32, "f64": ValType.F64}


class WasmlabRun:
    """wasmlab on wasmtime's bytes, or (`text=True`) on its own parse of the same text."""

    def __init__(self, text: bool = False) -> None:
        self.text = text

    def compile(self, wat: str) -> Any:
        if self.text:
            return wasmlab.parse(wat)
        return wasmlab.parse(bytes(wasmtime.wat2wasm(wat)))

    def host_value(self, spec: Any) -> Any:
        if isinstance(spec, HostFunc):
            ft = FuncType(tuple(_VT[p] for p in spec.params), tuple(_VT[r] for r in spec.results))
            return wasmlab.Func.wrap(ft, host_func_impl(spec.name), spec.name)
        if isinstance(spec, HostInstance):
            return wasmlab.instantiate(self.compile(spec.wat))
        if isinstance(spec, HostModule):
            return self.compile(spec.wat)
        raise TypeError(spec)

    def start(self, program: Program) -> tuple[Any, Any]:
        imports: dict[str, Any] = {}
        for module, field, spec in program.imports:
            value = self.host_value(spec)
            if field is None:
                imports[module] = value
            else:
                imports.setdefault(module, {})[field] = value
        try:
            module = self.compile(program.wat)
        except (wasmlab.DecodeError, wasmlab.ValidationError, wasmlab.ParseError):
            return None, ("invalid",)
        try:
            inst = wasmlab.instantiate(module, imports)
        except wasmlab.Trap as e:
            return None, ("trap", trap_kind(e.kind))
        except wasmlab.LinkError as e:
            return None, ("link", "incompatible" in str(e) or "import" in str(e))
        return inst, ("ok",)

    def call(self, inst: Any, path: str, args: tuple[Any, ...]) -> Any:
        try:
            target = inst
            parts = path.split("/")
            for part in parts[:-1]:
                if part.endswith("!"):
                    target = target.exports[part[:-1]].instantiate()
                else:
                    target = target.exports[part]
            return ("ok", norm(target.exports[parts[-1]](*args)))
        except wasmlab.Trap as e:
            return ("trap", trap_kind(e.kind))


def run_program(engine: Any, program: Program) -> list[Any]:
    inst, outcome = engine.start(program)
    out = [("instantiate", outcome)]
    if inst is not None:
        for path, args in program.calls:
            out.append((path, args, engine.call(inst, path, args)))
    return out


@pytest.mark.parametrize("program", PROGRAMS, ids=[p.name for p in PROGRAMS])
def test_same_results_as_wasmtime(program: Program, tier: str) -> None:
    need_wasmtime()
    theirs = run_program(WasmtimeRun(), program)
    ours = run_program(WasmlabRun(), program)
    assert ours == theirs


@pytest.mark.parametrize("program", PROGRAMS, ids=[p.name for p in PROGRAMS])
def test_same_results_from_our_text_parser(program: Program, tier: str) -> None:
    """The same programs parsed by wasmlab's own text parser (its encoding choices are
    wast 27's, not wasmtime's, so the bytes differ; the behaviour must not)."""
    need_wasmtime()
    theirs = run_program(WasmtimeRun(), program)
    ours = run_program(WasmlabRun(text=True), program)
    assert ours == theirs


def test_the_programs_cover_the_brief() -> None:
    need_wasmtime()
    instantiated = [p for p in PROGRAMS if run_program(WasmtimeRun(), p)[0][1] == ("ok",)]
    assert len(instantiated) >= 25, [p.name for p in PROGRAMS if p not in instantiated]
    assert max(p.depth for p in PROGRAMS) >= 4
    tags = set().union(*(p.tags for p in PROGRAMS))
    for needed in ("import-instance", "import-module", "export-instance", "export-module", "alias-func",
                   "alias-global", "alias-memory", "alias-table", "alias-instance", "alias-module",
                   "alias-parent-type", "alias-parent-module", "trap", "nested"):  # fmt: skip
        assert needed in tags, needed


def test_wasmtime_is_the_expected_version() -> None:
    wt = need_wasmtime()
    from importlib.metadata import version

    assert re.match(r"0\.22\.", version("wasmtime")), wt
