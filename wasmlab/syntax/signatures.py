"""Canonical module and instance types (the module-linking proposal).

A module or instance type written with type indices (`syntax.types.ModuleType`,
`InstanceType`) is made *canonical* by validation: its entries hold the canonical types of
what they name instead of indices. Canonical types compare structurally and need no
context (a type aliased from the parent means the same thing in the child), so they are
what subtyping (`wasmlab.valid.linking`) compares and what `wasmlab.linking.TypeTables`
interns. An `Entity` is a kind with such a type (or the table/memory/global type itself).
"""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any

from .types import PLAIN, ArrayType, ExternKind, FieldType, FuncType, RefType, StructType, SubType

#: (kind, canonical payload): FuncType | TableType | MemType | GlobalType | ModuleSig | InstanceSig
Entity = tuple[ExternKind, Any]


@dataclass(frozen=True)
class InstanceSig:
    """The type of an instance: its exports, in order, with their canonical types."""

    exports: tuple[tuple[str, Entity], ...] = ()
    _hash: int = field(default=0, init=False, repr=False, compare=False)

    def __post_init__(self) -> None:
        object.__setattr__(self, "_hash", hash(("instance", self.exports)))

    def __hash__(self) -> int:  # kept: canonical types nest deeply and are hashed often
        return self._hash

    def export(self, name: str) -> Entity | None:
        for n, e in self.exports:
            if n == name:
                return e
        return None

    def __str__(self) -> str:
        return "(instance" + "".join(f' (export "{n}" {entity_text(e)})' for n, e in self.exports) + ")"


@dataclass(frozen=True)
class ModuleSig:
    """The type of a module: its imports (module, field or None, type) and exports, in order."""

    imports: tuple[tuple[str, str | None, Entity], ...] = ()
    exports: tuple[tuple[str, Entity], ...] = ()
    _hash: int = field(default=0, init=False, repr=False, compare=False)

    def __post_init__(self) -> None:
        object.__setattr__(self, "_hash", hash(("module", self.imports, self.exports)))

    def __hash__(self) -> int:
        return self._hash

    @property
    def instance(self) -> InstanceSig:
        """The type of an instance of this module."""
        return InstanceSig(self.exports)

    def __str__(self) -> str:
        parts = []
        for m, f, e in self.imports:
            where = f'"{m}"' if f is None else f'"{m}" "{f}"'
            parts.append(f" (import {where} {entity_text(e)})")
        parts += [f' (export "{n}" {entity_text(e)})' for n, e in self.exports]
        return "(module" + "".join(parts) + ")"


Canonical = FuncType | ModuleSig | InstanceSig


def entity_text(e: Entity) -> str:
    kind, t = e
    if kind is ExternKind.FUNC:
        return f"(func {t})"
    if kind in (ExternKind.MODULE, ExternKind.INSTANCE):
        return str(t)
    return f"({kind.text} {t})"


# --- GC: iso-recursive canonical types (spec 3.2.x "defined types", 4.2.x rolling) -----------


class DefinedType:
    """A type definition made canonical: one object per distinct (recursion group, index)
    across every module, so two modules' types are equal exactly when they are the same
    object. `comp` is the composite type with its type indices replaced by the
    `DefinedType`s they name (closed); `supers` the declared supertype (closed);
    `ancestors` every supertype, transitively (for a subtype test by membership)."""

    __slots__ = (
        "group", "index", "comp", "final", "supers", "ancestors", "kind", "serial", "label", "__weakref__",
    )  # fmt: skip

    _count = 0

    def __init__(self, group: tuple, index: int) -> None:
        self.group = group
        self.index = index
        self.comp: Any = None
        self.final = True
        self.supers: tuple[DefinedType, ...] = ()
        self.ancestors: frozenset[DefinedType] = frozenset()
        self.kind = "func"  # "func" | "struct" | "array"
        DefinedType._count += 1
        self.serial = DefinedType._count
        #: how the type is written when it is shown: a module's `$name` for it (the debugger
        #: sets it from the name sections it reads), else None
        self.label: str | None = None

    def __str__(self) -> str:
        return self.label or f"<{self.kind} type #{self.serial}>"

    __repr__ = __str__

    def matches(self, other: DefinedType) -> bool:
        """Declared subtyping: self is other, or other is one of its (transitive) supertypes."""
        return self is other or other in self.ancestors


#: group key -> its canonical types (kept for the life of the process: types are few)
_GROUPS: dict[tuple, tuple[DefinedType, ...]] = {}


def _heap_key(h: Any, start: int, n: int, canon: list[Any]) -> Any:
    if isinstance(h, int) and not isinstance(h, bool):
        if start <= h < start + n:
            return ("rec", h - start)
        if 0 <= h < start and canon[h] is not None:
            return canon[h]
        raise _Unknown(h)
    return h


class _Unknown(Exception):
    def __init__(self, index: int) -> None:
        self.index = index


def _val_key(t: Any, start: int, n: int, canon: list[Any]) -> Any:
    if isinstance(t, RefType) and isinstance(t.heap, int):
        return ("ref", t.nullable, _heap_key(t.heap, start, n, canon))
    return t


def _comp_key(c: Any, start: int, n: int, canon: list[Any]) -> Any:
    def vk(t: Any) -> Any:
        return _val_key(t, start, n, canon)

    if isinstance(c, FuncType):
        return ("func", tuple(map(vk, c.params)), tuple(map(vk, c.results)))
    if isinstance(c, StructType):
        return ("struct", tuple((vk(f.storage), f.mutable) for f in c.fields))
    if isinstance(c, ArrayType):
        return ("array", vk(c.field.storage), c.field.mutable)
    return None


def close_type(t: Any, resolve: Any) -> Any:
    """`t` with a type index as heap type replaced by `resolve(index)` (a DefinedType)."""
    if isinstance(t, RefType) and isinstance(t.heap, int):
        return RefType(t.nullable, resolve(t.heap))
    return t


def _close_comp(c: Any, resolve: Any) -> Any:
    def ct(t: Any) -> Any:
        return close_type(t, resolve)

    if isinstance(c, FuncType):
        return FuncType(tuple(map(ct, c.params)), tuple(map(ct, c.results)))
    if isinstance(c, StructType):
        return StructType(tuple(FieldType(ct(f.storage), f.mutable) for f in c.fields))
    if isinstance(c, ArrayType):
        return ArrayType(FieldType(ct(c.field.storage), c.field.mutable))
    return c


def rec_groups(ntypes: int, recs: list[tuple[int, int]]) -> list[tuple[int, int]]:
    """Every recursion group of a type section, in order: the explicit ones and a group of
    one for each type outside them."""
    out: list[tuple[int, int]] = []
    i = 0
    for start, count in sorted(recs):
        while i < start:
            out.append((i, 1))
            i += 1
        out.append((start, count))
        i = start + count
    while i < ntypes:
        out.append((i, 1))
        i += 1
    return out


def canonical_types(
    types: list[Any], subtypes: dict[int, SubType] | None = None, recs: list[tuple[int, int]] | None = None
) -> list[DefinedType | None]:
    """The canonical `DefinedType` of each type index (None for module-linking types).

    Raises ValueError("unknown type N") for a reference to a later group (a type may only
    refer to earlier groups and to its own)."""
    subtypes = subtypes or {}
    canon: list[Any] = [None] * len(types)
    for start, n in rec_groups(len(types), recs or []):
        members = types[start : start + n]
        if not all(isinstance(c, (FuncType, StructType, ArrayType)) for c in members):
            continue  # module-linking types are compared by their signatures instead
        try:
            keys = []
            for j, c in enumerate(members):
                sub = subtypes.get(start + j, PLAIN)
                sups = tuple(_heap_key(x, start, n, canon) for x in sub.supers)
                keys.append((sub.final, sups, _comp_key(c, start, n, canon)))
        except _Unknown as e:
            raise ValueError(f"unknown type {e.index}") from None
        gkey = tuple(keys)
        group = _GROUPS.get(gkey)
        if group is None:
            group = tuple(DefinedType(gkey, j) for j in range(n))

            def resolve(h: int, start: int = start, group: tuple = group) -> Any:
                return group[h - start] if start <= h < start + len(group) else canon[h]

            for j, c in enumerate(members):
                d = group[j]
                sub = subtypes.get(start + j, PLAIN)
                d.comp = _close_comp(c, resolve)
                d.final = sub.final
                d.kind = (
                    "func" if isinstance(c, FuncType) else "struct" if isinstance(c, StructType) else "array"
                )
                d.supers = tuple(resolve(x) for x in sub.supers)
                anc: set[DefinedType] = set()
                for s in d.supers:
                    anc.add(s)
                    anc |= s.ancestors
                d.ancestors = frozenset(anc)
            _GROUPS[gkey] = group
        canon[start : start + n] = group
    return canon


def canonical_func(ft: FuncType) -> DefinedType:
    """The canonical type of a plain function type of its own (a host function's)."""
    d = canonical_types([ft])[0]
    assert d is not None
    return d


__all__ = [
    "Canonical", "DefinedType", "Entity", "InstanceSig", "ModuleSig", "canonical_func", "canonical_types",
    "close_type", "entity_text", "rec_groups",
]  # fmt: skip
