"""The validation context C (spec 3.1.1), built once per module.

C holds the types of everything a function body or a constant expression may refer
to: function, table, memory, global, element and data index spaces, and `refs`, the
set of function indices that `ref.func` may name (functions referenced anywhere in the
module outside of function bodies). Building it checks what the index spaces rest on:
every function's type index must name a function type.
"""

from __future__ import annotations

from collections.abc import Iterable, Iterator
from contextlib import contextmanager

from ..errors import ValidationError
from ..syntax.features import ALL, Features
from ..syntax.module import Instr, Module
from ..syntax.signatures import DefinedType, canonical_types
from ..syntax.subtyping import matches
from ..syntax.types import (
    FUNCREF,
    ExternKind,
    FuncType,
    GlobalType,
    HeapType,
    MemType,
    RefType,
    TableType,
    ValType,
)


class Context:
    """The spec's C for one module (without the per-function parts: locals, labels, return)."""

    __slots__ = (
        "module",
        "types",
        "funcs",
        "tables",
        "mems",
        "globals",
        "num_imported_globals",
        "elems",
        "num_datas",
        "data_count",
        "refs",
        "linking",
        "features",
        "tags",
        "canon",
        "func_typeidx",
        "typed_refs",
        "gc",
    )

    def __init__(self, module: Module, features: Features = ALL) -> None:
        self.module = module
        self.features = features  # the proposals this module may use (validate passes its own)
        self.types = module.types
        self.typed_refs = "function-references" in features or "gc" in features  # (GC brings them)
        self.gc = "gc" in features
        try:
            self.canon: list[DefinedType | None] = canonical_types(module.types, module.subtypes, module.recs)
        except ValueError as e:
            raise ValidationError(str(e)) from None
        #: the type index of each function (typed function references: `ref.func` has type `(ref $t)`)
        self.func_typeidx: list[int] = []
        funcs: list[FuncType] = []
        tables: list[TableType] = []
        mems: list[MemType] = []
        globals_: list[GlobalType] = []
        tags: list[FuncType] = []
        for imp in module.imports:
            kind, desc = imp.kind, imp.desc
            if kind is ExternKind.FUNC:
                funcs.append(self.func_type_at(desc, f"import {imp.module!r} {imp.name!r}"))
                self.func_typeidx.append(desc)
            elif kind is ExternKind.TABLE:
                tables.append(_expect(desc, TableType, imp))
            elif kind is ExternKind.MEMORY:
                mems.append(_expect(desc, MemType, imp))
            elif kind is ExternKind.GLOBAL:
                globals_.append(_expect(desc, GlobalType, imp))
            elif kind is ExternKind.TAG:
                tags.append(self.func_type_at(desc, f"import {imp.module!r} {imp.name!r}"))
            # other kinds (module linking) add no entries to the 2.0 index spaces here
        self.num_imported_globals = len(globals_)
        for f in module.funcs:
            funcs.append(self.func_type_at(f.type, f"func {len(funcs)}", func=len(funcs)))
            self.func_typeidx.append(f.type)
        tables.extend(t.type for t in module.tables)
        mems.extend(m.type for m in module.mems)
        globals_.extend(g.type for g in module.globals)
        tags.extend(self.func_type_at(t.type, f"tag {len(tags)}") for t in module.tags)
        self.tags = tags  # exception handling: each tag's function type
        self.funcs = funcs
        self.tables = tables
        self.mems = mems
        self.globals = globals_
        self.elems: list[ValType] = [e.type for e in module.elems]
        self.num_datas = len(module.datas)
        self.data_count = module.data_count
        self.refs = declared_func_refs(module)
        self.linking: object = None  # module linking: its `Scope`, set by `validate_linking`

    def close(self, t: object) -> object:
        """A value type with its type index (if any) replaced by the canonical type."""
        if isinstance(t, RefType) and isinstance(t.heap, int):
            canon = self.canon
            h = t.heap
            if 0 <= h < len(canon) and canon[h] is not None:
                return RefType(t.nullable, canon[h])
        return t

    def matches(self, got: object, want: object) -> bool:
        """`got` <: `want` (spec 3.3), for value types written with this module's type indices."""
        if got is want or got == want:
            return True
        return matches(self.close(got), self.close(want))

    def check_valtype(self, t: object, where: str, func: int | None = None) -> None:
        """A value type must be well-formed: a reference's type index must exist; typed
        references need their feature."""
        if isinstance(t, RefType):
            if not self.typed_refs:
                raise ValidationError(
                    f"{t.text} needs the function-references feature (in {where})", func=func
                )
            h = t.heap
            if isinstance(h, int) and not 0 <= h < len(self.types):
                raise ValidationError(f"unknown type {h} (in {where})", func=func)
            if isinstance(h, HeapType) and h.top is HeapType.ANY and not self.gc:
                raise ValidationError(f"{t.text} needs the gc feature (in {where})", func=func)
        elif not isinstance(t, ValType):
            raise ValidationError(f"malformed value type {t!r} (in {where})", func=func)

    def func_ref_type(self, funcidx: int) -> object:
        """The type of `ref.func funcidx`: `(ref $t)` with typed references, else funcref."""
        if self.typed_refs and len(self.func_typeidx) == len(self.funcs):
            return RefType(False, self.func_typeidx[funcidx])
        return FUNCREF

    def func_type_at(self, typeidx: object, where: str, func: int | None = None) -> FuncType:
        """`C.types[typeidx]`, which must be a function type ("unknown type" otherwise)."""
        types = self.types
        if not isinstance(typeidx, int) or not 0 <= typeidx < len(types):
            raise ValidationError(f"unknown type {typeidx} (in {where})", func=func)
        t = types[typeidx]
        if not isinstance(t, FuncType):
            raise ValidationError(f"unknown type {typeidx}: not a function type (in {where})", func=func)
        return t


def _expect(desc: object, cls: type, imp: object) -> object:
    if not isinstance(desc, cls):
        name = f"{getattr(imp, 'module', '?')!r} {getattr(imp, 'name', '?')!r}"
        raise ValidationError(f"malformed import descriptor for {name}: expected a {cls.__name__}")
    return desc


def _ref_funcs(exprs: Iterable[list[Instr] | None]) -> Iterable[int]:
    for expr in exprs:
        if not expr:
            continue
        for ins in expr:
            if ins.op.name == "ref.func" and isinstance(ins.imm, int):
                yield ins.imm


def declared_func_refs(module: Module) -> frozenset[int]:
    """The spec's C.refs: function indices occurring outside function bodies.

    These are the functions named by `ref.func` in element segments and global
    initializers, and the exported functions. Only these may be used by `ref.func`
    inside function bodies. The start function does not count.
    """
    refs: set[int] = set()
    refs.update(_ref_funcs(g.init for g in module.globals))
    for e in module.elems:
        refs.update(_ref_funcs(e.init))
        refs.update(_ref_funcs([e.offset_expr]))
    for d in module.datas:
        refs.update(_ref_funcs([d.offset_expr]))
    for ex in module.exports:
        if ex.kind is ExternKind.FUNC:
            refs.add(ex.index)
    return frozenset(refs)


@contextmanager
def malformed_ast_guard() -> Iterator[None]:
    """Turn Python errors from a malformed hand-built AST into ValidationError."""
    try:
        yield
    except ValidationError:
        raise
    except (TypeError, ValueError, IndexError, KeyError, AttributeError) as e:
        raise ValidationError(f"malformed module AST: {type(e).__name__}: {e}") from e
