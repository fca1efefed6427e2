"""Instantiation (spec 4.5.4) as a list of initializers, the way wasmtime does it.

`initializers(module)` turns a validated module into data: one `Import` per import, then
the module's own definitions, exports, segments and start. `instantiate` walks that list
keeping one list per index space. Module linking adds initializer kinds (instantiate a
nested module, alias, define a module) in `wasmlab.linking` without changing this loop.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from typing import Any

from ..errors import LinkError, Trap
from ..syntax.module import Module
from ..syntax.types import ExternKind, FuncType, GlobalType, Limits, MemType, TableType
from .compile import types_canon
from .const_expr import eval_const
from .machine import Machine
from .runtime import (
    DataInst,
    ElemInst,
    FuncInst,
    GlobalInst,
    MemoryInst,
    ModuleInst,
    Store,
    TableInst,
    TagInst,
)

# --- initializers ---------------------------------------------------------------------------


@dataclass(frozen=True)
class Import:
    """Take the next supplied value for import number `index` and check its type."""

    module: str
    field: str | None
    kind: ExternKind
    desc: Any
    index: int


@dataclass(frozen=True)
class DefineFuncs:
    pass


@dataclass(frozen=True)
class DefineTables:
    pass


@dataclass(frozen=True)
class DefineMemories:
    pass


@dataclass(frozen=True)
class DefineTags:
    """Exception tags (exception handling); before globals, as in the binary."""


@dataclass(frozen=True)
class DefineGlobals:
    pass


@dataclass(frozen=True)
class DefineSegments:
    """Element and data segment instances (before exports, so exports can name everything)."""


@dataclass(frozen=True)
class Exports:
    pass


@dataclass(frozen=True)
class InitElems:
    """Active element segments: `table.init` then `elem.drop`, in order (may trap)."""


@dataclass(frozen=True)
class InitDatas:
    """Active data segments: `memory.init` then `data.drop`, in order (may trap)."""


@dataclass(frozen=True)
class Start:
    func: int


Initializer = Any


def initializers(module: Module) -> list[Initializer]:
    inits: list[Initializer] = [
        Import(imp.module, imp.name, imp.kind, imp.desc, i) for i, imp in enumerate(module.imports)
    ]
    inits += [
        DefineFuncs(),
        DefineTables(),
        DefineMemories(),
        DefineTags(),
        DefineGlobals(),
        DefineSegments(),
    ]
    inits.append(Exports())
    inits += [InitElems(), InitDatas()]
    if module.start is not None:
        inits.append(Start(module.start))
    return inits


# --- import matching (spec 4.5.1) ------------------------------------------------------------


def extern_kind(value: Any) -> ExternKind | None:
    if isinstance(value, FuncInst):
        return ExternKind.FUNC
    if isinstance(value, TableInst):
        return ExternKind.TABLE
    if isinstance(value, MemoryInst):
        return ExternKind.MEMORY
    if isinstance(value, GlobalInst):
        return ExternKind.GLOBAL
    if isinstance(value, TagInst):
        return ExternKind.TAG
    return None


def check_import(value: Any, kind: ExternKind, desc: Any, types: list[Any], what: str) -> None:
    """Raise LinkError('incompatible import type') unless `value` matches the import."""
    actual = extern_kind(value)
    if actual is not kind:
        raise LinkError(
            f"incompatible import type for {what}: expected {kind.text}, got {actual and actual.text}"
        )
    ok = True
    if kind is ExternKind.FUNC:
        ok = value.type == types[desc]
    elif kind is ExternKind.TABLE:
        assert isinstance(desc, TableType)
        ok = value.type.elem == desc.elem and Limits(len(value.elements), value.type.limits.max).matches(
            desc.limits
        )
    elif kind is ExternKind.MEMORY:
        assert isinstance(desc, MemType)
        ok = Limits(value.pages, value.type.limits.max).matches(desc.limits)
    elif kind is ExternKind.GLOBAL:
        assert isinstance(desc, GlobalType)
        ok = value.type == desc
    elif kind is ExternKind.TAG:
        ok = value.type == types_canon(types[desc])
    if not ok:
        raise LinkError(f"incompatible import type for {what}")


# --- the walk ---------------------------------------------------------------------------------

Resolver = Callable[[str, str | None, ExternKind, Any], Any]


def instantiate(
    store: Store,
    module: Module,
    resolve: Resolver,
    *,
    name: str | None = None,
    run_start: bool = True,
    inits: list[Initializer] | None = None,
    handlers: dict[type, Callable[..., None]] | None = None,
) -> ModuleInst:
    """Walk the initializers of a validated `module`. `resolve(module, field, kind, desc)`
    supplies each import (raising LinkError when it has none). `handlers` lets module
    linking add initializer kinds."""
    inst = ModuleInst(module, name)
    for init in inits if inits is not None else initializers(module):
        if handlers and type(init) in handlers:
            handlers[type(init)](inst, init)
        else:
            _apply(store, inst, module, init, resolve, run_start)
    store.instances.append(inst)
    return inst


def _apply(
    store: Store, inst: ModuleInst, module: Module, init: Any, resolve: Resolver, run_start: bool
) -> None:
    if isinstance(init, Import):
        what = f'"{init.module}" "{init.field}"' if init.field is not None else f'"{init.module}"'
        value = resolve(init.module, init.field, init.kind, init.desc)
        if init.kind <= ExternKind.TAG:  # (module linking checks its own kinds)
            check_import(value, init.kind, init.desc, inst.types, what)
        inst.space(init.kind).append(value)
    elif isinstance(init, DefineFuncs):
        base = len(inst.funcs)
        for i, f in enumerate(module.funcs):
            ft = types_canon(inst.types[f.type])
            inst.funcs.append(FuncInst(ft, inst, f, base + i, module.func_name(base + i)))
    elif isinstance(init, DefineTables):
        for t in module.tables:
            inst.tables.append(TableInst(t.type))
    elif isinstance(init, DefineMemories):
        for m in module.mems:
            inst.mems.append(MemoryInst(m.type))
    elif isinstance(init, DefineTags):
        base = len(inst.tags)
        for i, t in enumerate(module.tags):
            inst.tags.append(TagInst(types_canon(inst.types[t.type]), module.names.tags.get(base + i)))
    elif isinstance(init, DefineGlobals):
        for g in module.globals:
            inst.globals.append(GlobalInst(g.type, eval_const(g.init, inst)))
    elif isinstance(init, DefineSegments):
        for e in module.elems:
            inst.elems.append(ElemInst(e.type, [eval_const(x, inst) for x in e.init]))
        for d in module.datas:
            inst.datas.append(DataInst(d.init))
    elif isinstance(init, Exports):
        for ex in module.exports:
            inst.exports[ex.name] = inst.space(ex.kind)[ex.index]
    elif isinstance(init, InitElems):
        for i, e in enumerate(module.elems):
            seg = inst.elems[i]
            if e.mode == "active":
                offset = eval_const(e.offset_expr or [], inst)
                table = inst.tables[e.table]
                n = len(seg.elements)
                if offset + n > len(table.elements):
                    raise Trap("out of bounds table access")
                table.elements[offset : offset + n] = seg.elements
                seg.elements = []
            elif e.mode == "declarative":
                seg.elements = []
    elif isinstance(init, InitDatas):
        for i, d in enumerate(module.datas):
            if d.mode != "active":
                continue
            seg = inst.datas[i]
            offset = eval_const(d.offset_expr or [], inst)
            mem = inst.mems[d.memory]
            n = len(seg.data)
            if offset + n > len(mem.data):
                raise Trap("out of bounds memory access")
            mem.data[offset : offset + n] = seg.data
            seg.data = b""
    elif isinstance(init, Start):
        if run_start:
            Machine(inst.funcs[init.func], (), depth_limit=store.call_depth_limit).run()
    else:  # pragma: no cover - a new initializer kind without a handler
        raise TypeError(f"no handler for initializer {init!r}")


def host_func(type: FuncType, fn: Callable[..., Any], name: str = "host") -> FuncInst:
    """A host function instance."""
    return FuncInst(types_canon(type), None, None, 0, name, host=fn)
