"""Types of the WebAssembly abstract syntax (spec 2.3), plus module-linking's module/instance types.

Number and vector types and the three nullable shorthands `funcref`, `externref` and
`exnref` are the `ValType` enum (so `t is ValType.I32` stays a cheap test); every other
reference type of WebAssembly 3.0 (typed function references and GC) is a `RefType`:
nullability and a heap type, which is an abstract `HeapType`, or a type index (in a
module's AST), or a canonical `signatures.DefinedType` (in a running store). Build
reference types with `ref_type`, which returns the `ValType` shorthand where there is
one, so that equal types compare equal.
"""

from __future__ import annotations

import enum
from dataclasses import dataclass
from typing import Any, ClassVar


class ValType(enum.IntEnum):
    """Value types, numbered by their binary encoding."""

    I32 = 0x7F
    I64 = 0x7E
    F32 = 0x7D
    F64 = 0x7C
    V128 = 0x7B
    FUNCREF = 0x70
    EXTERNREF = 0x6F
    EXNREF = 0x69  # the exception-handling proposal's reference to a caught exception

    @property
    def text(self) -> str:
        return _VALTYPE_TEXT[self]

    @property
    def is_ref(self) -> bool:
        return self in (ValType.FUNCREF, ValType.EXTERNREF, ValType.EXNREF)

    @property
    def is_num(self) -> bool:
        return self in (ValType.I32, ValType.I64, ValType.F32, ValType.F64)

    @property
    def nullable(self) -> bool:
        return True

    @property
    def heap(self) -> HeapType:
        """The heap type of a reference shorthand (`funcref` -> func)."""
        return _SHORTHAND_HEAP[self]

    def __str__(self) -> str:
        return self.text

    @classmethod
    def from_text(cls, name: str) -> ValType | None:
        return _VALTYPE_BY_TEXT.get(name)


_VALTYPE_TEXT = {
    ValType.I32: "i32",
    ValType.I64: "i64",
    ValType.F32: "f32",
    ValType.F64: "f64",
    ValType.V128: "v128",
    ValType.FUNCREF: "funcref",
    ValType.EXTERNREF: "externref",
    ValType.EXNREF: "exnref",
}
_VALTYPE_BY_TEXT = {v: k for k, v in _VALTYPE_TEXT.items()}


class HeapType(enum.Enum):
    """The abstract heap types, valued by their binary encoding (s33, one byte). Not an
    IntEnum: a heap type must never compare equal to a type index."""

    NOEXN = 0x74
    NOFUNC = 0x73
    NOEXTERN = 0x72
    NONE = 0x71
    FUNC = 0x70
    EXTERN = 0x6F
    ANY = 0x6E
    EQ = 0x6D
    I31 = 0x6C
    STRUCT = 0x6B
    ARRAY = 0x6A
    EXN = 0x69

    @property
    def text(self) -> str:
        return self.name.lower()

    def __str__(self) -> str:
        return self.text

    @property
    def top(self) -> HeapType:
        """The top of this type's hierarchy (any, func, extern or exn)."""
        return _TOP[self]

    @property
    def bottom(self) -> HeapType:
        """The bottom of this type's hierarchy (none, nofunc, noextern or noexn)."""
        return _BOTTOM[_TOP[self]]


H = HeapType
_TOP = {
    H.ANY: H.ANY, H.EQ: H.ANY, H.I31: H.ANY, H.STRUCT: H.ANY, H.ARRAY: H.ANY, H.NONE: H.ANY,
    H.FUNC: H.FUNC, H.NOFUNC: H.FUNC, H.EXTERN: H.EXTERN, H.NOEXTERN: H.EXTERN,
    H.EXN: H.EXN, H.NOEXN: H.EXN,
}  # fmt: skip
_BOTTOM = {H.ANY: H.NONE, H.FUNC: H.NOFUNC, H.EXTERN: H.NOEXTERN, H.EXN: H.NOEXN}
HEAP_TYPES_BY_TEXT: dict[str, HeapType] = {h.text: h for h in HeapType}
_SHORTHAND_HEAP = {ValType.FUNCREF: H.FUNC, ValType.EXTERNREF: H.EXTERN, ValType.EXNREF: H.EXN}
_HEAP_SHORTHAND = {h: t for t, h in _SHORTHAND_HEAP.items()}
#: reference type -> its heap type's word in the text format (`ref.null exn`)
HEAP_TYPE_TEXT = {t: h.text for t, h in _SHORTHAND_HEAP.items()}
#: `anyref` & co: the nullable abstract reference types' short names
REF_SHORTHANDS: dict[str, HeapType] = {
    "funcref": H.FUNC, "externref": H.EXTERN, "exnref": H.EXN, "anyref": H.ANY, "eqref": H.EQ,
    "i31ref": H.I31, "structref": H.STRUCT, "arrayref": H.ARRAY, "nullref": H.NONE,
    "nullfuncref": H.NOFUNC, "nullexternref": H.NOEXTERN, "nullexnref": H.NOEXN,
}  # fmt: skip
_SHORTHAND_TEXT = {h: name for name, h in REF_SHORTHANDS.items()}


def heap_text(heap: Any) -> str:
    """An abstract heap type's word, a type index as a number, a canonical type as it says."""
    if isinstance(heap, HeapType):
        return heap.text
    return str(heap)


@dataclass(frozen=True, slots=True)
class RefType:
    """A reference type other than the shorthands `funcref`/`externref`/`exnref` (which are
    `ValType`s): `(ref null? heap)`. Make them with `ref_type`."""

    nullable: bool
    #: HeapType | int (a type index) | signatures.DefinedType (canonical, at run time)
    heap: Any

    is_ref: ClassVar[bool] = True
    is_num: ClassVar[bool] = False

    @property
    def text(self) -> str:
        if self.nullable and isinstance(self.heap, HeapType):
            return _SHORTHAND_TEXT[self.heap]
        return f"(ref {'null ' if self.nullable else ''}{heap_text(self.heap)})"

    def __str__(self) -> str:
        return self.text


def ref_type(nullable: bool, heap: Any) -> ValType | RefType:
    """`(ref null? heap)`: the `ValType` shorthand when there is one, else a `RefType`."""
    if nullable and heap in _HEAP_SHORTHAND and isinstance(heap, HeapType):
        return _HEAP_SHORTHAND[heap]
    return RefType(nullable, heap)


#: a value type: a number/vector type or reference shorthand, or any other reference type
AnyValType = ValType | RefType


class Packed(enum.IntEnum):
    """The packed storage types of struct fields and array elements."""

    I8 = 0x78
    I16 = 0x77

    @property
    def text(self) -> str:
        return self.name.lower()

    @property
    def bits(self) -> int:
        return 8 if self is Packed.I8 else 16

    @property
    def is_ref(self) -> bool:
        return False

    def __str__(self) -> str:
        return self.text


@dataclass(frozen=True)
class FieldType:
    """A struct field or an array element: a storage type (value type or packed), mutability."""

    storage: Any  # ValType | RefType | Packed
    mutable: bool = False

    @property
    def unpacked(self) -> Any:
        """The value type of the field on the stack (i32 for a packed field)."""
        return ValType.I32 if isinstance(self.storage, Packed) else self.storage

    def __str__(self) -> str:
        return f"(mut {self.storage.text})" if self.mutable else self.storage.text


@dataclass(frozen=True)
class StructType:
    fields: tuple[FieldType, ...] = ()

    def __str__(self) -> str:
        return "(struct" + "".join(f" (field {f})" for f in self.fields) + ")"


@dataclass(frozen=True)
class ArrayType:
    field: FieldType

    def __str__(self) -> str:
        return f"(array {self.field})"


@dataclass(frozen=True)
class SubType:
    """How a type definition declares itself (`sub`): final or not, and its supertypes (type
    indices; at most one). A plain definition is final with no supertypes."""

    final: bool = True
    supers: tuple[int, ...] = ()


PLAIN = SubType()

I32, I64, F32, F64, V128 = ValType.I32, ValType.I64, ValType.F32, ValType.F64, ValType.V128
FUNCREF, EXTERNREF = ValType.FUNCREF, ValType.EXTERNREF
EXNREF = ValType.EXNREF


class ExternKind(enum.IntEnum):
    """External kinds, numbered as in import/export descriptors (exception handling adds 4,
    module linking 5, 6 and 7)."""

    FUNC = 0
    TABLE = 1
    MEMORY = 2
    GLOBAL = 3
    TAG = 4
    MODULE = 5
    INSTANCE = 6
    TYPE = 7

    @property
    def text(self) -> str:
        return self.name.lower() if self is not ExternKind.MEMORY else "memory"

    def __str__(self) -> str:
        return self.text


#: the attribute holding each index space, on a module instance and on the validator's scope
SPACE_ATTRS: dict[ExternKind, str] = {
    ExternKind.FUNC: "funcs",
    ExternKind.TABLE: "tables",
    ExternKind.MEMORY: "mems",
    ExternKind.GLOBAL: "globals",
    ExternKind.TAG: "tags",
    ExternKind.MODULE: "modules",
    ExternKind.INSTANCE: "instances",
}


def types_text(types: tuple[Any, ...] | list[Any]) -> str:
    return "[" + " ".join(t.text for t in types) + "]"


@dataclass(frozen=True)
class FuncType:
    params: tuple[ValType, ...] = ()
    results: tuple[ValType, ...] = ()

    def __str__(self) -> str:
        return f"{types_text(self.params)} -> {types_text(self.results)}"


@dataclass(frozen=True)
class Limits:
    """A memory's or table's size bounds, with its address type (memory64/table64: `is64`
    means i64 addresses; in the binary format the address type is a bit of the limits' flag)."""

    min: int
    max: int | None = None
    is64: bool = False

    @property
    def address(self) -> ValType:
        """The address type: i64 for a 64-bit memory or table, else i32."""
        return ValType.I64 if self.is64 else ValType.I32

    def resized(self, min: int) -> Limits:
        """The same limits with a new minimum (a grown memory's or table's type)."""
        return Limits(min, self.max, self.is64)

    def __str__(self) -> str:
        text = f"{self.min}" if self.max is None else f"{self.min} {self.max}"
        return f"i64 {text}" if self.is64 else text

    def matches(self, expected: Limits) -> bool:
        """Import matching (spec 4.5.1): the same address type, at least `expected.min`, and
        within its max if it has one."""
        if self.min < expected.min or self.is64 != expected.is64:
            return False
        if expected.max is None:
            return True
        return self.max is not None and self.max <= expected.max


@dataclass(frozen=True)
class TableType:
    limits: Limits
    elem: ValType = ValType.FUNCREF

    def __str__(self) -> str:
        return f"{self.limits} {self.elem.text}"


@dataclass(frozen=True)
class MemType:
    limits: Limits
    #: threads' shared memories; module linking's module and instance types may name them
    shared: bool = False

    def __str__(self) -> str:
        return f"{self.limits} shared" if self.shared else str(self.limits)


@dataclass(frozen=True)
class GlobalType:
    type: ValType
    mutable: bool = False

    def __str__(self) -> str:
        return f"(mut {self.type.text})" if self.mutable else self.type.text


# --- module linking (wasmtime 0.22): types that describe modules and instances -------------


@dataclass(frozen=True)
class ExportType:
    """`name importdesc` inside module and instance types."""

    name: str
    kind: ExternKind
    desc: object  # typeidx (func/module/instance) | TableType | MemType | GlobalType


@dataclass(frozen=True)
class ImportType:
    module: str
    name: str | None
    kind: ExternKind
    desc: object


@dataclass(frozen=True)
class ModuleType:
    imports: tuple[ImportType, ...] = ()
    exports: tuple[ExportType, ...] = ()


@dataclass(frozen=True)
class InstanceType:
    exports: tuple[ExportType, ...] = ()


DefType = FuncType | StructType | ArrayType | ModuleType | InstanceType
