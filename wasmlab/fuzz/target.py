"""One input through the engine: decode (a binary) or parse (WAT text), validate, then, with
fuel and a small call-depth limit, instantiate and call every exported function with typed
zeros. Every `WasmError` is an expected answer and is counted by stage; anything else
escapes to the caller, which records it as a crash."""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from typing import Any

from .. import Exhaustion, Func, Global, LimitExceeded, LinkError, Memory, Table, Trap, WasmError
from .. import Limits as StoreLimits
from .. import decode as _decode
from .. import instantiate as _instantiate
from .. import validate as _validate
from ..api import default_value
from ..syntax import ExternKind
from ..syntax.signatures import canonical_types
from ..text import parse_module

#: the counters, in the order the report shows them
STATS = (
    "inputs", "binary_suite", "binary_smith", "wat",
    "decode", "decode_rejected", "parse", "parse_rejected",
    "validate", "validate_rejected",
    "instantiate", "instantiate_over_budget", "instantiate_unprovided", "instantiate_link_error", "instantiate_trap",
    "instantiate_exhausted", "instantiated",
    "calls", "calls_returned", "calls_trapped", "calls_exhausted", "calls_rejected", "instructions",
    "crashes", "hangs", "limit_breaches",
)  # fmt: skip
INDEX = {name: i for i, name in enumerate(STATS)}


@dataclass(frozen=True)
class Budget:
    """What one input may use: instructions per call, call depth, memory pages and table
    elements per memory/table. The store's limits (`wasmlab.Limits`) hold a module to them:
    a memory or table declared bigger is refused at instantiation (counted as over the
    budget), and `memory.grow`/`table.grow` past them return -1."""

    fuel: int = 10_000
    depth: int = 64
    pages: int = 256  # 16 MiB
    table_elements: int = 100_000

    @property
    def limits(self) -> StoreLimits:
        memory = self.pages << 16
        return StoreLimits(
            max_memory=memory, max_store_memory=4 * memory, max_table_elements=self.table_elements,
            max_call_depth=self.depth, fuel=self.fuel,
        )  # fmt: skip


Count = Callable[[str, int], None]


def imports_for(module: Any, budget: Budget) -> dict[str, dict[str, Any]] | None:
    """Host values matching each import's type: functions returning zeros, memories, tables,
    globals of the declared type; None if one cannot be made within the budget."""
    out: dict[str, dict[str, Any]] = {}
    canon = canonical_types(module.types, module.subtypes, module.recs)  # (the module is valid)
    for imp in module.imports:
        if imp.name is None:
            return None  # a module-linking instance/module import: left to fail linking
        ns = out.setdefault(imp.module, {})
        if imp.kind is ExternKind.FUNC:
            ft = module.types[imp.desc] if 0 <= imp.desc < len(module.types) else None
            if ft is None or not hasattr(ft, "results"):
                return None
            ns[imp.name] = Func.returning_zeros(ft, f"{imp.module}.{imp.name}", deftype=canon[imp.desc])
        elif imp.kind is ExternKind.MEMORY:
            lim = imp.desc.limits
            if lim.min > budget.pages:
                return None
            ns[imp.name] = Memory(min=lim.min, max=lim.max)
        elif imp.kind is ExternKind.TABLE:
            lim = imp.desc.limits
            if lim.min > budget.table_elements:
                return None
            ns[imp.name] = Table(min=lim.min, max=lim.max, elem=imp.desc.elem)
        elif imp.kind is ExternKind.GLOBAL:
            ns[imp.name] = Global(
                type=imp.desc.type, value=default_value(imp.desc.type), mutable=imp.desc.mutable
            )
        else:
            return None
    return out


def run_module(module: Any, features: str | None, budget: Budget, count: Count) -> None:
    """Validate, instantiate within the budget and call each exported function."""
    count("validate", 1)
    try:
        _validate(module, features=features)
    except WasmError:
        count("validate_rejected", 1)
        return
    count("instantiate", 1)
    imports = imports_for(module, budget)
    if imports is None:  # a module-linking or tag import, or an imported memory/table over the budget
        count("instantiate_unprovided", 1)
        return
    try:
        inst = _instantiate(module, imports, fuel=budget.fuel, limits=budget.limits)
    except LimitExceeded:
        count("instantiate_over_budget", 1)
        return
    except Exhaustion:
        count("instantiate_exhausted", 1)
        return
    except Trap:
        count("instantiate_trap", 1)
        return
    except (LinkError, WasmError):
        count("instantiate_link_error", 1)
        return
    count("instantiated", 1)
    for name in list(inst.exports):
        value = inst.exports[name]
        if not isinstance(value, Func):
            continue
        count("calls", 1)
        machine = None
        try:
            machine = value.machine(*(default_value(t) for t in value.type.params), depth_limit=budget.depth)
            machine.run()
            count("calls_returned", 1)
        except Exhaustion:
            count("calls_exhausted", 1)
        except Trap:
            count("calls_trapped", 1)
        except WasmError:
            count("calls_rejected", 1)
        if machine is not None:
            count("instructions", machine.steps)


def run_input(kind: str, data: bytes, features: str | None, budget: Budget, count: Count) -> None:
    """One input (`kind` "wat" for text, else a binary) through every stage it gets to."""
    if kind == "wat":
        count("parse", 1)
        try:
            module = parse_module(data.decode("utf-8", errors="replace"))
        except WasmError:
            count("parse_rejected", 1)
            return
    else:
        count("decode", 1)
        try:
            module = _decode(data, features=features)
        except WasmError:
            count("decode_rejected", 1)
            return
    run_module(module, features, budget, count)


__all__ = ["INDEX", "STATS", "Budget", "imports_for", "run_input", "run_module"]
