"""Matching of closed value and heap types (spec 3.3: subtyping of WebAssembly 3.0).

A *closed* type's heap types are abstract (`HeapType`) or canonical (`DefinedType`), never
type indices: the validator closes a module's types with its canonical types before it
compares them, the machine and import matching hold closed types already.

The abstract hierarchies: any > eq > i31, struct, array > none; func > nofunc; extern >
noextern; exn > noexn. A concrete struct type is below struct, an array type below
array, a function type below func, and every concrete type is above its hierarchy's
bottom type.
"""

from __future__ import annotations

from typing import Any

from .signatures import DefinedType
from .types import HeapType, RefType, ValType

H = HeapType

_ABOVE: dict[HeapType, frozenset[HeapType]] = {
    H.ANY: frozenset({H.ANY}),
    H.EQ: frozenset({H.EQ, H.ANY}),
    H.I31: frozenset({H.I31, H.EQ, H.ANY}),
    H.STRUCT: frozenset({H.STRUCT, H.EQ, H.ANY}),
    H.ARRAY: frozenset({H.ARRAY, H.EQ, H.ANY}),
    H.NONE: frozenset({H.NONE, H.I31, H.STRUCT, H.ARRAY, H.EQ, H.ANY}),
    H.FUNC: frozenset({H.FUNC}),
    H.NOFUNC: frozenset({H.NOFUNC, H.FUNC}),
    H.EXTERN: frozenset({H.EXTERN}),
    H.NOEXTERN: frozenset({H.NOEXTERN, H.EXTERN}),
    H.EXN: frozenset({H.EXN}),
    H.NOEXN: frozenset({H.NOEXN, H.EXN}),
}

#: the abstract heap types above each kind of concrete type
_KIND_ABOVE = {
    "func": frozenset({H.FUNC}),
    "struct": frozenset({H.STRUCT, H.EQ, H.ANY}),
    "array": frozenset({H.ARRAY, H.EQ, H.ANY}),
}
_KIND_BOTTOM = {"func": H.NOFUNC, "struct": H.NONE, "array": H.NONE}
_KIND_TOP = {"func": H.FUNC, "struct": H.ANY, "array": H.ANY}


def heap_matches(a: Any, b: Any) -> bool:
    """Closed heap type `a` <: `b`."""
    if a is b:
        return True
    if isinstance(a, HeapType):
        if isinstance(b, HeapType):
            return b in _ABOVE[a]
        return isinstance(b, DefinedType) and a is _KIND_BOTTOM[b.kind]
    if isinstance(a, DefinedType):
        if isinstance(b, HeapType):
            return b in _KIND_ABOVE[a.kind]
        return isinstance(b, DefinedType) and b in a.ancestors
    return False


def top_of(h: Any) -> HeapType:
    """The top type of a closed heap type's hierarchy."""
    if isinstance(h, HeapType):
        return h.top
    return _KIND_TOP[h.kind]


def bottom_of(h: Any) -> HeapType:
    if isinstance(h, HeapType):
        return h.bottom
    return _KIND_BOTTOM[h.kind]


def matches(a: Any, b: Any) -> bool:
    """Closed value type `a` <: `b` (number and vector types only match themselves)."""
    if a is b:
        return True
    if isinstance(a, ValType):
        if not a.is_ref:
            return False
        if isinstance(b, ValType):
            return False  # two different shorthands
        if not isinstance(b, RefType) or not b.nullable:
            return False
        return heap_matches(a.heap, b.heap)
    if isinstance(a, RefType):
        if isinstance(b, ValType):
            if not b.is_ref:
                return False
        elif not isinstance(b, RefType):
            return False
        if a.nullable and not b.nullable:
            return False
        return heap_matches(a.heap, b.heap)
    return False


__all__ = ["bottom_of", "heap_matches", "matches", "top_of"]
