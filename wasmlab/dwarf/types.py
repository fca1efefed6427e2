"""C types as DWARF describes them (base, pointer, array, struct/union, enum, typedef,
const/volatile), read once per DIE, with their sizes and C spellings."""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any

#: DW_ATE_* encodings of base types
ATE_BOOLEAN, ATE_FLOAT, ATE_SIGNED, ATE_SIGNED_CHAR, ATE_UNSIGNED, ATE_UNSIGNED_CHAR = 2, 4, 5, 6, 7, 8


@dataclass(eq=False)
class CType:
    """A C type: `kind` is base, pointer, array, struct, union, enum, typedef, const,
    volatile, void or function; `target` the type it is made from (pointer, array element,
    typedef, qualifiers, enum's underlying type)."""

    kind: str
    name: str = ""
    size: int = 0
    encoding: int = 0  # base types: DW_ATE_*
    target: CType | None = None
    count: int | None = None  # arrays: elements (None: unknown)
    members: list[tuple[str, int, CType]] = field(default_factory=list)  # (name, offset, type)
    enumerators: dict[int, str] = field(default_factory=dict)

    def strip(self) -> CType:
        """Without typedefs and qualifiers: what the value's bits are."""
        t = self
        while t.kind in ("typedef", "const", "volatile") and t.target is not None:
            t = t.target
        return t

    @property
    def byte_size(self) -> int:
        t = self.strip()
        if t.kind == "array":
            return (t.count or 0) * (t.target.byte_size if t.target else 0)
        if t.kind == "pointer":
            return t.size or 4
        return t.size

    def member(self, name: str) -> tuple[int, CType] | None:
        for n, offset, t in self.strip().members:
            if n == name:
                return offset, t
        return None

    @property
    def spelling(self) -> str:
        """The type as C writes it: `int`, `struct node *`, `int[5]`, `const char *`."""
        k = self.kind
        if k in ("base", "typedef", "void"):
            return self.name or "void"
        if k in ("struct", "union", "enum"):
            return f"{k} {self.name}" if self.name else f"{k} <anonymous>"
        if k == "pointer":
            if self.target is not None and self.target.kind == "array":  # int (*)[4]
                elem = self.target.spelling
                cut = elem.index("[")
                return f"{elem[:cut]} (*){elem[cut:]}"
            inner = self.target.spelling if self.target else "void"
            return inner + ("*" if inner.endswith("*") else " *")
        if k == "array":  # int[3][4]: an array of 3 arrays of 4 ints
            dims, elem = "", self
            while elem.kind == "array":
                dims += f"[{'' if elem.count is None else elem.count}]"
                elem = elem.target or CType("base", "?")
            return f"{elem.spelling}{dims}"
        if k in ("const", "volatile"):
            inner = self.target.spelling if self.target else "void"
            return f"{k} {inner}" if not inner.endswith("*") else f"{inner} {k}"
        return self.name or k

    def __repr__(self) -> str:
        return f"<CType {self.spelling}>"


VOID = CType("void", "void")
INT = CType("base", "int", 4, ATE_SIGNED)
UNSIGNED_LONG = CType("base", "unsigned long", 4, ATE_UNSIGNED)


_KINDS = {
    "DW_TAG_base_type": "base", "DW_TAG_pointer_type": "pointer", "DW_TAG_array_type": "array",
    "DW_TAG_structure_type": "struct", "DW_TAG_union_type": "union", "DW_TAG_enumeration_type": "enum",
    "DW_TAG_typedef": "typedef", "DW_TAG_const_type": "const", "DW_TAG_volatile_type": "volatile",
    "DW_TAG_subroutine_type": "function", "DW_TAG_reference_type": "pointer",
    "DW_TAG_restrict_type": "const", "DW_TAG_atomic_type": "volatile",
}  # fmt: skip


class TypeReader:
    """Reads the types DIEs refer to, once each (cycles through pointers are fine)."""

    def __init__(self) -> None:
        self._done: dict[int, CType] = {}

    def of(self, die: Any) -> CType:
        """The type named by `die`'s DW_AT_type (void when it has none)."""
        if "DW_AT_type" not in die.attributes:
            return VOID
        return self.read(die.get_DIE_from_attribute("DW_AT_type"))

    def read(self, die: Any) -> CType:
        known = self._done.get(die.offset)
        if known is not None:
            return known
        a = die.attributes
        kind = _KINDS.get(die.tag, "base")
        name = _text(a["DW_AT_name"].value) if "DW_AT_name" in a else ""
        t = CType(kind, name, a["DW_AT_byte_size"].value if "DW_AT_byte_size" in a else 0)
        if kind == "base":
            t.encoding = a["DW_AT_encoding"].value if "DW_AT_encoding" in a else 0
        self._done[die.offset] = t  # before the parts: a struct may point at itself
        if kind == "pointer":
            t.size = t.size or 4
        if kind != "base" and "DW_AT_type" in a:
            t.target = self.of(die)
        if kind == "array":  # int m[3][4]: one DIE, two subranges; an array of arrays here
            counts = _array_counts(die)
            t.count = counts[0] if counts else None
            for n in reversed(counts[1:]):
                t.target = CType("array", target=t.target, count=n)
        elif kind in ("struct", "union"):
            for m in die.iter_children():
                if m.tag != "DW_TAG_member":
                    continue
                ma = m.attributes
                offset = ma["DW_AT_data_member_location"].value if "DW_AT_data_member_location" in ma else 0
                mname = _text(ma["DW_AT_name"].value) if "DW_AT_name" in ma else ""
                t.members.append((mname, offset if isinstance(offset, int) else 0, self.of(m)))
        elif kind == "enum":
            for e in die.iter_children():
                if e.tag == "DW_TAG_enumerator":
                    t.enumerators[e.attributes["DW_AT_const_value"].value] = _text(
                        e.attributes["DW_AT_name"].value
                    )
            if t.target is None:
                t.target = CType("base", "int", t.size or 4, ATE_SIGNED)
        return t


def _array_counts(die: Any) -> list[int | None]:
    """The element count of each dimension (None: unknown, as in `int xs[]`)."""
    counts: list[int | None] = []
    for sub in die.iter_children():
        if sub.tag != "DW_TAG_subrange_type":
            continue
        a = sub.attributes
        if "DW_AT_count" in a:
            counts.append(a["DW_AT_count"].value)
        elif "DW_AT_upper_bound" in a and isinstance(a["DW_AT_upper_bound"].value, int):
            counts.append(a["DW_AT_upper_bound"].value + 1)
        else:
            counts.append(None)
    return counts


def _text(value: Any) -> str:
    return value.decode("utf-8", "replace") if isinstance(value, bytes) else str(value)


__all__ = ["INT", "VOID", "CType", "TypeReader"]
