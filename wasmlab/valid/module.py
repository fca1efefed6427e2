"""Module validation (spec 3.4): every definition, then every function body.

The checks run in the order of the reference interpreter, so that a module with
several faults reports the same one: imports, globals, tables, memories, element and
data segments, function bodies, the start function, exports, and finally the number of
memories.

Hooks for module linking: definitions and imports of the kinds 2.0 does not know
(module and instance types, module/instance imports and exports) are dispatched through
`TYPE_CHECKS`, `IMPORT_CHECKS` and `EXPORT_SPACES`; a module that uses module linking is
checked by `wasmlab.valid.linking.validate_linking` right after its imports, which also
sets the context's index spaces (imports and aliases interleave) and validates the nested
modules. `EXTRA_CHECKS` is for sections kept in `Module.extra`.
"""

from __future__ import annotations

import gc
from collections.abc import Callable

from ..errors import ValidationError
from ..syntax.features import DEFAULT, Features
from ..syntax.module import Elem, Export, Import, Module, ParentType
from ..syntax.types import (
    ArrayType,
    ExternKind,
    FuncType,
    GlobalType,
    HeapType,
    InstanceType,
    ModuleType,
    RefType,
    StructType,
    ValType,
)
from .const import check_const
from .context import Context, malformed_ast_guard
from .instructions import BodyChecker
from .linking import needs_linking, validate_linking
from .types import check_mem_type, check_table_type, check_type_defs

# --- hooks (module linking extends these) --------------------------------------------------


def _no_linking(what: str) -> Callable[..., None]:
    def check(*_args: object) -> None:
        raise ValidationError(f"{what} needs module linking, which the validator does not support yet")

    return check


#: type definition class -> check(ctx_or_module, typeidx, deftype); module and instance
#: types (and parent type aliases) are checked by `validate_linking`
TYPE_CHECKS: dict[type, Callable[[Module, int, object], None]] = {
    FuncType: lambda module, idx, t: None,
    StructType: lambda module, idx, t: None,  # (checked by check_type_defs)
    ArrayType: lambda module, idx, t: None,
    ModuleType: lambda module, idx, t: None,
    InstanceType: lambda module, idx, t: None,
    ParentType: lambda module, idx, t: None,
}

#: import kind -> check(ctx, import); 2.0 kinds are checked below, others go through here
#: (module and instance imports: by `validate_linking`)
IMPORT_CHECKS: dict[ExternKind, Callable[[Context, Import], None]] = {
    ExternKind.TAG: lambda ctx, imp: check_tag_type(ctx, imp.desc, f"import {imp.module!r} {imp.name!r}"),
    ExternKind.MODULE: lambda ctx, imp: None,
    ExternKind.INSTANCE: lambda ctx, imp: None,
}

#: export kind -> size of that index space in the context
EXPORT_SPACES: dict[ExternKind, Callable[[Context], int]] = {
    ExternKind.FUNC: lambda c: len(c.funcs),
    ExternKind.TABLE: lambda c: len(c.tables),
    ExternKind.MEMORY: lambda c: len(c.mems),
    ExternKind.GLOBAL: lambda c: len(c.globals),
    ExternKind.TAG: lambda c: len(c.tags),
    ExternKind.MODULE: lambda c: len(c.linking.modules) if c.linking else 0,
    ExternKind.INSTANCE: lambda c: len(c.linking.instances) if c.linking else 0,
}

#: key of `Module.extra` -> check(module, ctx), for sections 2.0 does not have
EXTRA_CHECKS: dict[str, Callable[[Module, Context], None]] = {}


def check_tag_type(ctx: Context, typeidx: int, where: str) -> None:
    """A tag's type: a function type with no results (exception handling)."""
    if "exceptions" not in ctx.features:
        raise ValidationError(f"tags need the exceptions feature (in {where})")
    if ctx.func_type_at(typeidx, where).results:
        raise ValidationError(f"non-empty tag result type (in {where})")


def _exnref_free(module: Module) -> None:
    """Without the exceptions feature, no type anywhere in the module may be exnref."""
    types: list[object] = []
    for t in module.types:
        if isinstance(t, FuncType):
            types += [*t.params, *t.results]
    types += [g.type.type for g in module.globals] + [t.type.elem for t in module.tables]
    types += [e.type for e in module.elems]
    for imp in module.imports:
        desc = imp.desc
        types.append(getattr(desc, "type", None) or getattr(desc, "elem", None))
    for f in module.funcs:
        types += f.locals
        types += [i.imm for i in f.body if i.op.imm in ("reftype", "blocktype")]
        types += [t for i in f.body if i.op.imm == "select_t" for t in i.imm]
    if ValType.EXNREF in types:
        raise ValidationError("exnref needs the exceptions feature")


#: proposals whose instructions have no typing rule that names the feature: without the
#: feature, any of their instructions makes the module invalid
_GATED_BY_OPCODE = ("relaxed-simd", "legacy-exceptions")


def _proposal_instructions(module: Module, features: Features) -> None:
    off = [f for f in _GATED_BY_OPCODE if f not in features]
    if not off:
        return
    n_imported = sum(1 for imp in module.imports if imp.kind is ExternKind.FUNC)
    for i, f in enumerate(module.funcs):
        for ins in f.body:
            if ins.op.feature in off:
                raise ValidationError(
                    f"{ins.op.name} needs the {ins.op.feature} feature",
                    func=n_imported + i, instr=ins.op.name, offset=ins.offset, span=ins.span,
                )  # fmt: skip


# --- the module --------------------------------------------------------------------------------


def _check_import(ctx: Context, imp: Import) -> None:
    where = f"import {imp.module!r} {imp.name!r}"
    kind = imp.kind
    if kind is ExternKind.FUNC:
        return  # the type index was checked when the context was built
    if kind is ExternKind.TABLE:
        check_table_type(imp.desc, where, ctx)
    elif kind is ExternKind.MEMORY:
        check_mem_type(imp.desc, where)
    elif kind is ExternKind.GLOBAL:
        if not isinstance(imp.desc, GlobalType):
            raise ValidationError(f"malformed import descriptor for {where}")
        ctx.check_valtype(imp.desc.type, where)
    else:
        check = IMPORT_CHECKS.get(kind)
        if check is None:
            raise ValidationError(f"{where}: imports of kind {kind} are not supported")
        check(ctx, imp)


def _check_elem(ctx: Context, i: int, seg: Elem) -> None:
    where = f"elem segment {i}"
    t = seg.type
    if not getattr(t, "is_ref", False):
        raise ValidationError(f"type mismatch: {where} has element type {t}, not a reference type")
    ctx.check_valtype(t, where)
    for k, expr in enumerate(seg.init):
        check_const(ctx, expr, t, f"{where} item {k}")
    if seg.mode == "active":
        tables = ctx.tables
        if not 0 <= seg.table < len(tables):
            raise ValidationError(f"unknown table {seg.table} (in {where})")
        check_const(ctx, seg.offset_expr, tables[seg.table].limits.address, f"{where} offset")
        elem = tables[seg.table].elem
        if t is ValType.FUNCREF and ctx.typed_refs and _only_functions(seg):
            t = RefType(False, HeapType.FUNC)  # 3.0: a list of function indices is (ref func)
        if elem is not t and not ctx.matches(t, elem):
            raise ValidationError(
                f"type mismatch: {where} holds {t.text} but table {seg.table} holds {elem.text}",
                expected=f"[{elem.text}]",
                found=f"[{t.text}]",
            )
    elif seg.mode not in ("passive", "declarative"):
        raise ValidationError(f"{where} has unknown mode {seg.mode!r}")


def _only_functions(seg: Elem) -> bool:
    """Whether the segment is a list of function indices (`func $f $g`, binary flags 0-3)."""
    if (seg.flags is not None and seg.flags >= 4) or seg.written_type:
        return False
    return all(
        len(e) <= 2 and e and e[0].op.name == "ref.func" and (len(e) == 1 or e[1].op.name == "end")
        for e in seg.init
    )


_KIND_WORDS = {
    ExternKind.FUNC: "function",
    ExternKind.TABLE: "table",
    ExternKind.MEMORY: "memory",
    ExternKind.GLOBAL: "global",
    ExternKind.TAG: "tag",
}


def _check_export_index(ctx: Context, ex: Export) -> None:
    space = EXPORT_SPACES.get(ex.kind)
    if space is None:
        raise ValidationError(f"export {ex.name!r}: exports of kind {ex.kind} are not supported")
    if not 0 <= ex.index < space(ctx):
        raise ValidationError(
            f"unknown {_KIND_WORDS.get(ex.kind, ex.kind.text)} {ex.index} (in export {ex.name!r})"
        )


def validate(module: Module, *, features: Features = DEFAULT) -> None:
    """Validate `module` (spec chapter 3); raise `ValidationError` at the first fault.

    The error says which function and instruction (name, byte offset, source span) is
    at fault and, for type errors, the expected and found operand types. An AST that
    is not even well-formed (e.g. an immediate of the wrong Python type, as only a
    hand-built module can have) is reported as a ValidationError too. `features`: the
    post-2.0 proposals the module may use (`wasmlab.syntax.features`; default WebAssembly 3.0).
    """
    # (the checkers' frames and stacks have no cycles: no cycle-collector passes meanwhile)
    collecting = gc.isenabled()
    gc.disable()
    try:
        with malformed_ast_guard():
            _validate(module, features)
    finally:
        if collecting:
            gc.enable()


def _validate(module: Module, features: Features) -> None:
    for idx, t in enumerate(module.types):
        check = TYPE_CHECKS.get(type(t)) or _no_linking(f"type {idx} ({type(t).__name__})")
        check(module, idx, t)
    ctx = Context(module, features)
    check_type_defs(ctx)
    for imp in module.imports:
        _check_import(ctx, imp)
    if needs_linking(module):
        validate_linking(module, ctx, _validate)
    for key, value in module.extra.items():
        if value:
            check = EXTRA_CHECKS.get(key)
            if check is None:
                raise ValidationError(f"module linking section {key!r} is not supported by the validator yet")
            check(module, ctx)

    if "exceptions" not in features:
        _exnref_free(module)
    _proposal_instructions(module, features)
    n_imported_tags = len(ctx.tags) - len(module.tags)
    for i, t in enumerate(module.tags):
        check_tag_type(ctx, t.type, f"tag {n_imported_tags + i}")
    n_imported_globals = ctx.num_imported_globals
    for i, g in enumerate(module.globals):
        where = f"global {n_imported_globals + i}"
        ctx.check_valtype(g.type.type, where)
        check_const(ctx, g.init, g.type.type, f"{where} initializer", n_imported_globals + i)
    n_imported_tables = len(ctx.tables) - len(module.tables)
    for i, t in enumerate(module.tables):
        where = f"table {n_imported_tables + i}"
        check_table_type(t.type, where, ctx)
        if t.init is not None:
            if not ctx.typed_refs:
                raise ValidationError(f"table initializers need the function-references feature (in {where})")
            check_const(ctx, t.init, t.type.elem, f"{where} initializer", ctx.num_imported_globals)
        elif getattr(t.type.elem, "nullable", True) is False:
            raise ValidationError(
                f"type mismatch: {where} of non-nullable {t.type.elem.text} needs an initializer"
            )
    n_imported_mems = len(ctx.mems) - len(module.mems)
    for i, m in enumerate(module.mems):
        check_mem_type(m.type, f"memory {n_imported_mems + i}")
    for i, seg in enumerate(module.elems):
        _check_elem(ctx, i, seg)
    for i, d in enumerate(module.datas):
        if d.mode == "active":
            if not 0 <= d.memory < len(ctx.mems):
                raise ValidationError(f"unknown memory {d.memory} (in data segment {i})")
            check_const(ctx, d.offset_expr, ctx.mems[d.memory].limits.address, f"data segment {i} offset")
        elif d.mode != "passive":
            raise ValidationError(f"data segment {i} has unknown mode {d.mode!r}")

    n_imported_funcs = len(ctx.funcs) - len(module.funcs)
    for i, f in enumerate(module.funcs):
        funcidx = n_imported_funcs + i
        BodyChecker(ctx, funcidx, ctx.funcs[funcidx], f.locals).check(f.body)

    if module.start is not None:
        idx = module.start
        if not 0 <= idx < len(ctx.funcs):
            raise ValidationError(f"unknown function {idx} (the start function)")
        ft = ctx.funcs[idx]
        if ft.params or ft.results:
            raise ValidationError(
                f"start function must have type [] -> [], function {idx} has {ft}", func=idx
            )

    names: set[str] = set()
    for ex in module.exports:
        _check_export_index(ctx, ex)
        if ex.name in names:
            raise ValidationError(f"duplicate export name {ex.name!r}")
        names.add(ex.name)

    if "memory64" not in features:
        for what, types in (("memory", ctx.mems), ("table", ctx.tables)):
            for i, t in enumerate(types):
                if t.limits.is64:
                    raise ValidationError(f"{what} {i} has i64 addresses, which need the memory64 feature")
    if len(ctx.mems) > 1 and "multi-memory" not in features:
        raise ValidationError(
            f"multiple memories: a module may have at most one, this one has {len(ctx.mems)}"
            " (more need the multi-memory feature)"
        )
