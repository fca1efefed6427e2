"""Types of the WebAssembly 2.0 abstract syntax (spec 2.3), plus module-linking's module/instance types."""

from __future__ import annotations

import enum
from dataclasses import dataclass


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
#: reference type -> its heap type's word in the text format (`ref.null exn`)
HEAP_TYPE_TEXT = {ValType.FUNCREF: "func", ValType.EXTERNREF: "extern", ValType.EXNREF: "exn"}

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


def types_text(types: tuple[ValType, ...] | list[ValType]) -> str:
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


DefType = FuncType | ModuleType | InstanceType
