"""Run spec scripts: WABT `wast2json` .json files and .wast files, counting every assertion.

Both formats become the same command dictionaries (wast2json's shape, with a module given
as a filename, bytes, a parsed Module or quoted text), which `Runner.run_command` executes
against a registry of named instances and the `spectest` host module.
"""

from __future__ import annotations

import json
import math
from collections.abc import Iterable
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from ..errors import DecodeError, Exhaustion, LinkError, ParseError, Thrown, Trap, ValidationError, WasmError
from ..exec import numerics as N
from ..exec.instantiate import instantiate
from ..exec.machine import Machine
from ..exec.runtime import I31, ArrayInst, ExternRef, FuncInst, GlobalInst, ModuleInst, Store, StructInst
from ..syntax.features import DEFAULT, Features
from ..syntax.module import Module
from ..syntax.types import ExternKind
from .spectest import spectest_exports

LANE_BITS = {"i8": 8, "i16": 16, "i32": 32, "i64": 64, "f32": 32, "f64": 64}


@dataclass
class Result:
    """Counts for one script, and what failed (line: message)."""

    name: str
    passed: int = 0
    failed: int = 0
    skipped: int = 0
    failures: list[str] = field(default_factory=list)
    skips: list[str] = field(default_factory=list)

    def line(self) -> str:
        return f"{self.name}: {self.passed} passed, {self.failed} failed, {self.skipped} skipped"


class Skip(Exception):
    """An assertion this engine does not run (yet); counted as skipped with the reason."""


class Failure(Exception):
    pass


# --- values --------------------------------------------------------------------------------


def value_from_json(v: dict[str, Any]) -> Any:
    t = v["type"]
    val = v.get("value")
    if t == "ref.null":  # a null of a GC heap type (any, none, $t, ...)
        return None
    if t in ("i32", "i64"):
        return int(val)
    if t == "f32":
        return N.f32_from_bits(int(val))
    if t == "f64":
        return N.f64_from_bits(int(val))
    if t == "v128":
        bits = LANE_BITS[v["lane_type"]]
        out = 0
        for i, lane in enumerate(val):
            out |= (int(lane) & ((1 << bits) - 1)) << (i * bits)
        return out
    if t in ("funcref", "externref"):
        if val == "null":
            return None
        return ExternRef(int(val)) if t == "externref" else ("funcref", val)
    raise Skip(f"value type {t}")


def _float_matches(actual_bits: int, expected: str, width: int) -> bool:
    if width == 32:
        exp_mask, quiet, payload = 0x7F800000, 0x00400000, 0x007FFFFF
    else:
        exp_mask, quiet, payload = 0x7FF0000000000000, 0x0008000000000000, 0x000FFFFFFFFFFFFF
    if expected == "nan:canonical":
        return actual_bits & exp_mask == exp_mask and actual_bits & payload == quiet
    if expected == "nan:arithmetic":
        return actual_bits & exp_mask == exp_mask and actual_bits & quiet != 0
    return actual_bits == int(expected)


_REF_KINDS: dict[str, tuple[type, ...]] = {
    "struct": (StructInst,),
    "array": (ArrayInst,),
    "i31": (I31,),
    "eq": (StructInst, ArrayInst, I31),
    "any": (StructInst, ArrayInst, I31, ExternRef),
}


def ref_kind_matches(actual: Any, kind: str) -> bool:
    """GC's result patterns: `(ref.struct)` matches any struct, `(ref.eq)` any struct, array or i31."""
    return isinstance(actual, _REF_KINDS[kind])


def value_matches(actual: Any, v: dict[str, Any]) -> bool:
    t = v["type"]
    val = v.get("value")
    if t == "either":
        return any(value_matches(actual, option) for option in v["options"])
    if t == "ref.null":
        return actual is None
    if t == "refkind":
        return actual is not None and ref_kind_matches(actual, val)
    if t in ("i32", "i64"):
        return actual == int(val)
    if t == "f32":
        return isinstance(actual, float) and _float_matches(N.f32_to_bits(actual), val, 32)
    if t == "f64":
        return isinstance(actual, float) and _float_matches(N.f64_to_bits(actual), val, 64)
    if t == "v128":
        lt = v["lane_type"]
        bits = LANE_BITS[lt]
        mask = (1 << bits) - 1
        for i, lane in enumerate(val):
            got = (actual >> (i * bits)) & mask
            if lt in ("f32", "f64"):
                if not _float_matches(got, lane, bits):
                    return False
            elif got != int(lane) & mask:
                return False
        return True
    if t in ("funcref", "externref"):
        if val is None:  # any non-null reference of the type
            return actual is not None and (t == "externref") != isinstance(actual, FuncInst)
        if val == "null":
            return actual is None
        if t == "externref":
            return actual == ExternRef(int(val))
        return isinstance(actual, FuncInst)
    raise Skip(f"value type {t}")


def show(values: Iterable[Any]) -> str:
    out = []
    for x in values:
        if isinstance(x, float):
            out.append(f"{x!r}({N.f64_to_bits(x):#x})" if math.isnan(x) else repr(x))
        else:
            out.append(repr(x))
    return "[" + ", ".join(out) + "]"


# --- the runner ----------------------------------------------------------------------------


class Runner:
    """Executes spec commands; keeps the current module, named modules and registrations."""

    def __init__(
        self,
        base_dir: Path | None = None,
        name: str = "script",
        *,
        module_linking: bool = False,
        features: Features = DEFAULT,
    ) -> None:
        self.base_dir = base_dir or Path(".")
        self.store = Store()
        self.registry: dict[str, dict[str, Any]] = {"spectest": spectest_exports()}
        self.named: dict[str, ModuleInst] = {}
        self.current: ModuleInst | None = None
        self.result = Result(name)
        self.last_types: tuple[Any, ...] = ()  # the value types of the last action's results
        #: the module-linking proposal (wasmtime 0.22's): binaries may use it, a named
        #: module is registered under its name (without `$`) as wasmtime's runner does,
        #: and single-level imports get whole instances
        self.module_linking = module_linking
        self.features = features  # post-2.0 proposals the scripts' modules may use
        self.instances: dict[str, ModuleInst] = {}
        #: 3.0 scripts' `(module definition $M ...)`, by name (None: the latest)
        self.definitions: dict[str | None, Module] = {}

    # modules

    def load_module(self, spec: Any) -> Module:
        """A Module from a command's module: a filename, bytes, a Module, or ('quote', text)."""
        from ..valid import validate

        module = self.read_module(spec)
        validate(module, features=self.features)
        return module

    def read_module(self, spec: Any) -> Module:
        """A Module from a command's module, decoded or parsed but not validated."""
        if isinstance(spec, Module):
            return spec
        if hasattr(spec, "load"):  # a text script's module command
            if getattr(spec, "binary", None) is not None:
                from ..binary import decode as decode_binary

                return decode_binary(spec.binary, module_linking=self.module_linking, features=self.features)
            return spec.load()
        if isinstance(spec, tuple) and spec[0] == "quote":
            from ..text import parse_module

            return parse_module(spec[1], features=self.features)
        if isinstance(spec, (bytes, bytearray)):
            data = bytes(spec)
        else:
            path = self.base_dir / spec
            if path.suffix == ".wat":
                from ..text import parse_module

                return parse_module(
                    path.read_text(encoding="utf-8", errors="surrogateescape"),
                    filename=path.name,
                    features=self.features,
                )
            data = path.read_bytes()
        from ..binary import decode

        return decode(data, module_linking=self.module_linking, features=self.features)

    def resolve(self, module: str, name: str | None, kind: ExternKind, desc: Any) -> Any:
        ns = self.registry.get(module)
        if name is None and self.module_linking:  # a single-level import: a whole instance
            if module in self.instances:
                return self.instances[module]
            if ns is not None:
                from ..linking import HostInstance

                return HostInstance(ns, module)
        if ns is None or name not in ns:
            where = f'"{module}"' if name is None else f'"{module}" "{name}"'
            raise LinkError(f"unknown import {where}")
        return ns[name]

    def instantiate(self, module: Module) -> ModuleInst:
        if self.module_linking and module.uses_linking:
            from ..linking import ModuleValue, compile_blob, top_level_supply
            from ..linking import instantiate as linking_instantiate

            value = ModuleValue(compile_blob(module))
            return linking_instantiate(self.store, value, top_level_supply(value, self.resolve))
        return instantiate(self.store, module, self.resolve)

    # actions

    def target(self, name: str | None) -> ModuleInst:
        if name is not None:
            if name not in self.named:
                raise Failure(f"unknown module {name}")
            return self.named[name]
        if self.current is None:
            raise Failure("no current module")
        return self.current

    def action(self, act: dict[str, Any]) -> list[Any]:
        inst = self.target(act.get("module"))
        field_name = act["field"]
        if field_name not in inst.exports:
            raise Failure(f"unknown export {field_name!r}")
        value = inst.exports[field_name]
        if act["type"] == "get":
            if not isinstance(value, GlobalInst):
                raise Failure(f"{field_name!r} is not a global")
            self.last_types = (value.type.type,)
            return [value.value]
        if not isinstance(value, FuncInst):
            raise Failure(f"{field_name!r} is not a function")
        args = [value_from_json(a) for a in act.get("args", [])]
        self.last_types = tuple(value.type.results)
        return self.call(value, args)

    def call(self, func: FuncInst, args: list[Any]) -> list[Any]:
        """Run an invoked function to completion (front ends override how)."""
        return Machine(func, args, depth_limit=self.store.call_depth_limit).run() or []

    # commands

    def run_command(self, cmd: dict[str, Any]) -> None:
        kind = cmd["type"]
        line = cmd.get("line", 0)
        try:
            outcome = self.execute(kind, cmd)
        except Skip as e:
            self.result.skipped += 1
            self.result.skips.append(f"line {line}: {kind}: {e}")
            return
        except Failure as e:
            self.result.failed += 1
            self.result.failures.append(f"line {line}: {kind}: {e}")
            return
        except Exception as e:  # an engine bug: counted as a failure, never a crash
            self.result.failed += 1
            self.result.failures.append(f"line {line}: {kind}: internal error {type(e).__name__}: {e}")
            return
        if outcome == "assert":
            self.result.passed += 1

    def execute(self, kind: str, cmd: dict[str, Any]) -> str | None:
        """Run one command; "assert" for an assertion that held. Raises Failure or Skip."""
        if kind == "module_definition":  # 3.0 scripts: validated and kept, not instantiated
            try:
                module = self.load_module(cmd["filename"])
            except WasmError as e:
                raise Failure(f"module failed to load: {e}") from None
            self.definitions[cmd.get("name")] = self.definitions[None] = module
            return None
        if kind in ("module", "module_instance"):
            if kind == "module_instance":
                module = self.definitions.get(cmd.get("module"))
                if module is None:
                    raise Failure(f"unknown module definition {cmd.get('module')}")
            else:
                try:
                    module = self.load_module(cmd["filename"])
                except WasmError as e:
                    raise Failure(f"module failed to load: {e}") from None
            try:
                inst = self.instantiate(module)
            except LinkError as e:
                if self.module_linking and str(e).startswith("unknown import"):
                    # (module-linking scripts of wasm-tools only compile their modules)
                    raise Skip(f"compiled, not instantiated: {e}") from None
                raise Failure(f"module failed to load: {e}") from None
            except WasmError as e:
                raise Failure(f"module failed to load: {e}") from None
            self.current = inst
            if cmd.get("name"):
                self.named[cmd["name"]] = inst
                if self.module_linking:  # wasmtime's runner: a named module is registered
                    registered = cmd["name"].lstrip("$")
                    self.registry[registered] = dict(inst.exports)
                    self.instances[registered] = inst
            return None
        if kind == "register":
            inst = self.target(cmd.get("name"))
            self.registry[cmd["as"]] = dict(inst.exports)
            self.instances[cmd["as"]] = inst
            return None
        if kind == "action":
            try:
                self.action(cmd["action"])
            except WasmError as e:
                raise Failure(f"action failed: {e}") from None
            return None
        if kind == "assert_return":
            try:
                got = self.action(cmd["action"])
            except WasmError as e:
                raise Failure(f"{cmd['action']['field']}: unexpected {type(e).__name__}: {e}") from None
            expected = cmd["expected"]
            if len(got) != len(expected) or not all(value_matches(g, e) for g, e in zip(got, expected)):
                exp = [e.get("value") for e in expected]
                raise Failure(f"{cmd['action']['field']}: got {show(got)}, expected {exp}")
            return "assert"
        if kind == "assert_exception":
            try:
                got = self.action(cmd["action"])
            except Thrown:
                return "assert"
            except WasmError as e:
                raise Failure(f"expected an uncaught exception, got {type(e).__name__}: {e}") from None
            raise Failure(f"expected an uncaught exception, returned {show(got)}")
        if kind in ("assert_trap", "assert_exhaustion"):
            want = Exhaustion if kind == "assert_exhaustion" else Trap
            try:
                got = self.action(cmd["action"])
            except want as e:
                if kind == "assert_trap" and isinstance(e, Exhaustion):
                    raise Failure(f"expected trap {cmd['text']!r}, got exhaustion") from None
                if not e.kind.startswith(cmd["text"]) and cmd["text"] not in e.kind:
                    raise Failure(f"trapped with {e.kind!r}, expected {cmd['text']!r}") from None
                return "assert"
            except WasmError as e:
                raise Failure(f"expected {cmd['text']!r}, got {type(e).__name__}: {e}") from None
            raise Failure(f"expected {cmd['text']!r}, returned {show(got)}")
        if kind == "assert_invalid":
            if self.module_linking:  # wasmparser checks section order while validating
                return self._expect_rejected(cmd, (ValidationError, DecodeError), "validate")
            return self._expect_rejected(cmd, ValidationError, "validate")
        if kind == "assert_invalid_custom":  # (custom annotations are read while parsing)
            return self._expect_rejected(cmd, (ValidationError, ParseError), "validate")
        if kind == "assert_malformed":
            return self._expect_rejected(cmd, (DecodeError, ParseError), "decode")
        if kind == "assert_unlinkable":
            return self._expect_instantiation_error(cmd, LinkError, "a link error")
        if kind == "assert_uninstantiable":
            return self._expect_instantiation_error(cmd, Trap, "a trap")
        raise Skip(f"unknown command {kind}")

    def _expect_instantiation_error(self, cmd: dict[str, Any], error: type, what: str) -> str:
        try:
            module = self.load_module(cmd["filename"])
        except WasmError as e:
            raise Failure(f"module should be valid: {e}") from None
        try:
            self.instantiate(module)
        except error:
            return "assert"
        except WasmError as e:
            raise Failure(f"expected {what}, got {type(e).__name__}: {e}") from None
        raise Failure(f"expected {what}, but the module instantiated")

    def _expect_rejected(self, cmd: dict[str, Any], errors: Any, stage: str) -> str:
        try:
            self.load_module(cmd["filename"])
        except errors:
            return "assert"
        except ImportError as e:
            raise Skip(f"no {stage} support: {e}") from None
        except WasmError as e:
            raise Failure(f"expected {cmd['text']!r} at {stage}, got {type(e).__name__}: {e}") from None
        raise Failure(f"expected {cmd['text']!r}, but the module was accepted")


def run_json(path: Path, *, module_linking: bool = False, features: Features = DEFAULT) -> Result:
    data = json.loads(path.read_text())
    runner = Runner(path.parent, path.stem, module_linking=module_linking, features=features)
    for cmd in data["commands"]:
        runner.run_command(cmd)
    return runner.result
