"""Validation of types (spec 3.2): limits, table types, memory types."""

from __future__ import annotations

from ..errors import ValidationError
from ..syntax.types import (
    ArrayType,
    FieldType,
    FuncType,
    Limits,
    MemType,
    Packed,
    StructType,
    TableType,
)
from .context import Context

MAX_PAGES = 65536
MAX_TABLE = 0xFFFF_FFFF
#: memory64 and table64: the bounds of 64-bit memories (pages) and tables
MAX_PAGES64 = 1 << 48
MAX_TABLE64 = 0xFFFF_FFFF_FFFF_FFFF


def check_limits(limits: Limits, bound: int, too_big: str, where: str) -> None:
    lo, hi = limits.min, limits.max
    if not 0 <= lo <= bound:
        raise ValidationError(f"{too_big} (in {where}: minimum {lo})")
    if hi is not None:
        if not 0 <= hi <= bound:
            raise ValidationError(f"{too_big} (in {where}: maximum {hi})")
        if lo > hi:
            raise ValidationError(f"size minimum must not be greater than maximum (in {where}: {lo} > {hi})")


def check_table_type(tt: TableType, where: str, ctx: Context | None = None) -> None:
    if tt.limits.is64:
        check_limits(tt.limits, MAX_TABLE64, "table size must be at most 2^64-1", where)
    else:
        check_limits(tt.limits, MAX_TABLE, "table size must be at most 2^32-1", where)
    if not getattr(tt.elem, "is_ref", False):
        raise ValidationError(f"type mismatch: {where} holds {tt.elem}, not a reference type")
    if ctx is not None:
        ctx.check_valtype(tt.elem, where)


def check_mem_type(mt: MemType, where: str, shared_ok: bool = False) -> None:
    if mt.limits.is64:
        check_limits(mt.limits, MAX_PAGES64, "memory size must be at most 2^48 pages (2^64 bytes)", where)
    else:
        check_limits(mt.limits, MAX_PAGES, "memory size must be at most 65536 pages (4GiB)", where)
    if mt.shared and not shared_ok:  # (module linking's types may describe shared memories)
        raise ValidationError(f"threads must be enabled for shared memories (in {where})")


# --- type definitions (3.0: recursion groups, subtypes, structs and arrays) -------------------


def _field_matches(ctx: Context, a: FieldType, b: FieldType) -> bool:
    if a.mutable != b.mutable:
        return False
    sa, sb = a.storage, b.storage
    if isinstance(sa, Packed) or isinstance(sb, Packed):
        return sa is sb
    if a.mutable:
        return ctx.matches(sa, sb) and ctx.matches(sb, sa)
    return ctx.matches(sa, sb)


def _comp_matches(ctx: Context, a: object, b: object) -> bool:
    """Composite type `a` <: `b` (spec 3.3: the structural rule a declared subtype must obey)."""
    if isinstance(a, FuncType) and isinstance(b, FuncType):
        return (
            len(a.params) == len(b.params)
            and len(a.results) == len(b.results)
            and all(ctx.matches(pb, pa) for pa, pb in zip(a.params, b.params))
            and all(ctx.matches(ra, rb) for ra, rb in zip(a.results, b.results))
        )
    if isinstance(a, StructType) and isinstance(b, StructType):
        return len(a.fields) >= len(b.fields) and all(
            _field_matches(ctx, fa, fb) for fa, fb in zip(a.fields, b.fields)
        )
    if isinstance(a, ArrayType) and isinstance(b, ArrayType):
        return _field_matches(ctx, a.field, b.field)
    return False


def check_type_defs(ctx: Context) -> None:
    """Every type definition: its value types exist, struct and array types need GC, a
    declared supertype comes before it, is not final and is matched structurally."""
    module = ctx.module
    for i, t in enumerate(module.types):
        where = f"type {i}"
        if isinstance(t, FuncType):
            for v in (*t.params, *t.results):
                ctx.check_valtype(v, where)
        elif isinstance(t, (StructType, ArrayType)):
            if not ctx.gc:
                raise ValidationError(f"struct and array types need the gc feature (in {where})")
            fields = t.fields if isinstance(t, StructType) else (t.field,)
            for f in fields:
                if not isinstance(f.storage, Packed):
                    ctx.check_valtype(f.storage, where)
        else:
            continue
        sub = module.subtypes.get(i)
        if sub is None:
            continue
        if (not sub.final or sub.supers) and not ctx.gc:
            raise ValidationError(f"sub types need the gc feature (in {where})")
        if len(sub.supers) > 1:
            raise ValidationError(f"multiple supertypes (in {where})")
        for s in sub.supers:
            if not isinstance(s, int) or not 0 <= s < i:
                raise ValidationError(f"unknown type {s} (in {where}: a supertype must be defined before it)")
            if s not in module.subtypes or module.subtypes[s].final:
                raise ValidationError(
                    f"sub type {i} does not match its supertype {s}: the supertype is final"
                )
            if not _comp_matches(ctx, t, module.types[s]):
                raise ValidationError(f"sub type {i} does not match its supertype {s}")
