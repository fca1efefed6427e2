"""Instantiation (spec 4.5.4): imports, then the module's own definitions, then its active
segments and start function.

`instantiate(store, module, resolve)` is the whole of it for a 2.0 module: each import is
resolved and matched (4.5.1), `define` makes the instances of the module's functions,
tables, memories, tags, globals and segments and its exports, and `initialize` copies the
active segments and runs the start function. Module linking (`wasmlab.linking`) fills the
imports, aliases and nested instances by its initializers and then calls the same `define`
and `initialize`, as wasmtime 0.22's instance.rs does after walking its `Initializer`s.
"""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

from ..errors import LinkError, Trap
from ..syntax.module import Module
from ..syntax.signatures import close_type
from ..syntax.subtyping import matches
from ..syntax.types import ExternKind, FuncType, GlobalType, MemType, RefType, TableType
from .compile import types_canon
from .const_expr import eval_const
from .limits import Limiter
from .machine import Machine
from .runtime import (
    PAGE_SIZE,
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


def closed(t: Any, inst: ModuleInst) -> Any:
    """A value type of `inst`'s module with its type index (if any) made canonical."""
    return close_type(t, inst.deftype)


def check_import(
    value: Any, kind: ExternKind, desc: Any, types: list[Any], what: str, inst: ModuleInst | None = None
) -> None:
    """Raise LinkError('incompatible import type') unless `value` matches the import
    (`inst`: the importing instance, whose canonical types the import's type names)."""
    actual = extern_kind(value)
    if actual is not kind:
        raise LinkError(
            f"incompatible import type for {what}: expected {kind.text}, got {actual and actual.text}"
        )
    ok = True
    if kind is ExternKind.FUNC:
        if inst is not None:
            ok = value.deftype.matches(inst.deftype(desc))
        else:
            ok = value.type == types[desc]
    elif kind is ExternKind.TABLE:
        assert isinstance(desc, TableType)
        want = closed(desc.elem, inst) if inst is not None else desc.elem
        ok = value.type.elem == want and value.type.limits.resized(len(value.elements)).matches(desc.limits)
    elif kind is ExternKind.MEMORY:
        assert isinstance(desc, MemType)
        ok = value.type.limits.resized(value.pages).matches(desc.limits)
    elif kind is ExternKind.GLOBAL:
        assert isinstance(desc, GlobalType)
        want = closed(desc.type, inst) if inst is not None else desc.type
        got = value.type
        if got.mutable != desc.mutable:
            ok = False
        elif desc.mutable:
            ok = got.type == want
        else:
            ok = matches(got.type, want)
    elif kind is ExternKind.TAG:
        ok = (
            value.deftype is inst.deftype(desc)
            if inst is not None
            else value.type == types_canon(types[desc])
        )
    if not ok:
        raise LinkError(f"incompatible import type for {what}")


# --- the steps ---------------------------------------------------------------------------------

Resolver = Callable[[str, str | None, ExternKind, Any], Any]


def instantiate(
    store: Store, module: Module, resolve: Resolver, *, name: str | None = None, run_start: bool = True
) -> ModuleInst:
    """Instantiate a validated 2.0 `module`. `resolve(module, field, kind, desc)` supplies each
    import (raising LinkError when it has none); it must match the import's type."""
    store.limiter.instance(f"instance {name or module.names.module or ''}".rstrip())
    inst = ModuleInst(module, name)
    store.limiter.track("instance", inst)
    for imp in module.imports:
        what = f'"{imp.module}" "{imp.name}"' if imp.name is not None else f'"{imp.module}"'
        value = resolve(imp.module, imp.name, imp.kind, imp.desc)
        check_import(value, imp.kind, imp.desc, inst.types, what, inst)
        inst.space(imp.kind).append(value)
    define(inst, module, limiter=store.limiter)
    initialize(store, inst, module, run_start)
    store.instances.append(inst)
    return inst


def define(inst: ModuleInst, module: Module, path: str | None = None, limiter: Limiter | None = None) -> None:
    """The module's own definitions, after its imports (and aliases) in each index space,
    then its exports. `path` names a nested instance (`$c1`): its functions are `$c1.$inc`.
    `limiter` (the store's) may refuse a table or memory: a LinkError naming it."""
    base = len(inst.funcs)
    for i, f in enumerate(module.funcs):
        name = module.func_name(base + i)
        if path:
            label = module.names.funcs.get(base + i)
            name = f"{path}.{'$' + label if label else name}"
        inst.funcs.append(
            FuncInst(types_canon(inst.types[f.type]), inst, f, base + i, name, deftype=inst.deftype(f.type))
        )
    for t in module.tables:
        tt = TableType(t.type.limits, closed(t.type.elem, inst))
        table = _table(inst, module, tt, path, limiter)
        if t.init is not None:
            v = eval_const(t.init, inst)
            if v is not None:
                table.elements[:] = [v] * len(table.elements)
        inst.tables.append(table)
    for m in module.mems:
        inst.mems.append(_memory(inst, module, m.type, path, limiter))
    base = len(inst.tags)  # (tags before globals, as in the binary)
    for i, t in enumerate(module.tags):
        inst.tags.append(
            TagInst(types_canon(inst.types[t.type]), module.names.tags.get(base + i), inst.deftype(t.type))
        )
    for g in module.globals:
        gt = (
            g.type
            if not isinstance(g.type.type, RefType)
            else GlobalType(closed(g.type.type, inst), g.type.mutable)
        )
        inst.globals.append(GlobalInst(gt, eval_const(g.init, inst)))
    # segment instances before the exports, so exports can name everything
    for e in module.elems:
        inst.elems.append(ElemInst(closed(e.type, inst), [eval_const(x, inst) for x in e.init]))
    for d in module.datas:
        inst.datas.append(DataInst(d.init))
    for ex in module.exports:
        inst.exports[ex.name] = inst.space(ex.kind)[ex.index]


def _label(kind: str, index: int, name: str | None, path: str | None) -> str:
    label = f"{kind} {index}" + (f" (${name})" if name else "")
    return f"{path}.{label}" if path else label


def _table(
    inst: ModuleInst, module: Module, t: TableType, path: str | None, limiter: Limiter | None
) -> TableInst:
    index = len(inst.tables)
    label = _label("table", index, module.names.tables.get(index), path)
    if limiter is not None:
        limiter.table(label, t.limits.min)
    try:
        return TableInst(t, None, limiter, label)
    except (MemoryError, OverflowError):
        raise LinkError(f"{label}: cannot allocate {t.limits.min:,} elements (out of host memory)") from None


def _memory(
    inst: ModuleInst, module: Module, m: MemType, path: str | None, limiter: Limiter | None
) -> MemoryInst:
    index = len(inst.mems)
    label = _label("memory", index, module.names.memories.get(index), path)
    if limiter is not None:
        limiter.memory(label, m.limits.min * PAGE_SIZE)
    try:
        return MemoryInst(m, limiter, label)
    except MemoryError as e:
        raise LinkError(f"{label}: cannot allocate {m.limits.min} pages ({e})") from None


def initialize(store: Store, inst: ModuleInst, module: Module, run_start: bool = True) -> None:
    """Active element segments (`table.init` then `elem.drop`), active data segments
    (`memory.init` then `data.drop`), in order, then the start function (with the store's
    `start_fuel`: a start function that loops for ever ends in `Exhaustion`). May trap."""
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
    if module.start is not None and run_start:
        Machine(inst.funcs[module.start], (), depth_limit=store.call_depth_limit, fuel=store.start_fuel).run()


def host_func(type: FuncType, fn: Callable[..., Any], name: str = "host", deftype: Any = None) -> FuncInst:
    """A host function instance (`deftype`: its canonical type, when `type` names a module's
    types; by default the canonical type of `type` alone)."""
    return FuncInst(types_canon(type), None, None, 0, name, host=fn, deftype=deftype)
