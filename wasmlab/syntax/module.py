"""The module AST (spec 2.5): what text and binary both become, flat instruction sequences included.

Instruction bodies are *flat*, as in the binary format: `block`/`loop`/`if` open a
structure, `else` and `end` are instructions of their own. Every node keeps where it
came from: `offset` (byte offset in the binary it was decoded from) and `span` (source
span in the text it was parsed from).
"""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import TYPE_CHECKING, Any

from .types import (
    DefType,
    ExternKind,
    FuncType,
    GlobalType,
    MemType,
    TableType,
    ValType,
)

if TYPE_CHECKING:
    from .opcodes import Op


@dataclass(frozen=True)
class Span:
    """A place in source text: 1-based line and column of the start and of the end."""

    line: int
    col: int
    end_line: int
    end_col: int
    filename: str | None = None

    def __str__(self) -> str:
        return f"{self.filename or '<input>'}:{self.line}:{self.col}"


class Instr:
    """One instruction: its table row `op`, its immediates `imm`, where it came from.

    Immediates by `op.imm` kind (see opcodes.IMMEDIATE_KINDS):
    none -> None; blocktype -> None | ValType | int (type index); label/func/local/
    global/table/elem/data/lane/memory -> int; br_table -> (tuple[int,...], default);
    call_indirect -> (typeidx, tableidx); memarg -> (align_log2, offset);
    memarg_lane -> (align_log2, offset, lane); i32/i64 -> unsigned int bits;
    f32/f64 -> int bits (NaN payloads exact); select_t -> tuple[ValType, ...];
    reftype -> ValType; table_copy -> (dst, src); table_init -> (elem, table);
    memory_init -> data index; memory_copy/memory_fill -> None; v128/shuffle -> 16 bytes.
    """

    __slots__ = ("op", "imm", "offset", "span")

    def __init__(self, op: Op, imm: Any = None, offset: int | None = None, span: Span | None = None) -> None:
        self.op = op
        self.imm = imm
        self.offset = offset
        self.span = span

    @property
    def name(self) -> str:
        return self.op.name

    def __eq__(self, other: object) -> bool:
        return isinstance(other, Instr) and self.op is other.op and self.imm == other.imm

    def __hash__(self) -> int:
        return hash((self.op.name, repr(self.imm)))

    def __repr__(self) -> str:
        if self.imm is None:
            return f"Instr({self.op.name})"
        return f"Instr({self.op.name} {self.imm!r})"


Expr = list[Instr]


@dataclass
class Import:
    module: str
    name: str | None  # None: a module-linking single-level import
    kind: ExternKind
    desc: Any  # typeidx for func/module/instance; TableType | MemType | GlobalType otherwise
    offset: int | None = None
    span: Span | None = None


@dataclass
class Export:
    name: str
    kind: ExternKind
    index: int
    offset: int | None = None
    span: Span | None = None


@dataclass
class Func:
    type: int
    locals: list[ValType] = field(default_factory=list)
    body: Expr = field(default_factory=list)
    # how locals were grouped in the binary ((count, type) runs), kept so encoding is canonical
    local_groups: list[tuple[int, ValType]] | None = None
    offset: int | None = None  # byte offset of the body (its size field) in the code section
    span: Span | None = None


@dataclass
class Table:
    type: TableType
    offset: int | None = None
    span: Span | None = None


@dataclass
class Memory:
    type: MemType
    offset: int | None = None
    span: Span | None = None


@dataclass
class Global:
    type: GlobalType
    init: Expr
    offset: int | None = None
    span: Span | None = None


@dataclass
class Elem:
    """Element segment. `mode` is 'active', 'passive' or 'declarative'.

    `init` holds one constant expression per element. `flags` is the binary form (0..7) it
    was decoded from or should be encoded as; `None` lets the encoder pick the shortest.
    """

    type: ValType
    init: list[Expr]
    mode: str = "active"
    table: int = 0
    offset_expr: Expr | None = None
    flags: int | None = None
    offset: int | None = None
    span: Span | None = None


@dataclass
class Data:
    """Data segment. `mode` is 'active' or 'passive'."""

    init: bytes
    mode: str = "active"
    memory: int = 0
    offset_expr: Expr | None = None
    flags: int | None = None
    offset: int | None = None
    span: Span | None = None


@dataclass
class Custom:
    """A custom section, kept as raw bytes; `after` is the id of the section it followed (0: first)."""

    name: str
    data: bytes
    after: int = 0
    offset: int | None = None


@dataclass
class Names:
    """The decoded `name` custom section."""

    module: str | None = None
    funcs: dict[int, str] = field(default_factory=dict)
    locals: dict[int, dict[int, str]] = field(default_factory=dict)


@dataclass
class Module:
    types: list[DefType] = field(default_factory=list)
    imports: list[Import] = field(default_factory=list)
    funcs: list[Func] = field(default_factory=list)
    tables: list[Table] = field(default_factory=list)
    mems: list[Memory] = field(default_factory=list)
    globals: list[Global] = field(default_factory=list)
    exports: list[Export] = field(default_factory=list)
    start: int | None = None
    elems: list[Elem] = field(default_factory=list)
    datas: list[Data] = field(default_factory=list)
    data_count: int | None = None  # the DataCount section's value, when present
    customs: list[Custom] = field(default_factory=list)
    names: Names = field(default_factory=Names)
    id: str | None = None  # the text format's `$id`
    # module linking (filled by the linking issue; empty for plain 2.0 modules)
    extra: dict[str, Any] = field(default_factory=dict)

    # --- derived views -------------------------------------------------------------------

    def imports_of(self, kind: ExternKind) -> list[Import]:
        return [i for i in self.imports if i.kind is kind]

    def func_type(self, funcidx: int) -> FuncType:
        """The type of function `funcidx` in the function index space (imports first)."""
        imported = self.imports_of(ExternKind.FUNC)
        if funcidx < len(imported):
            t = self.types[imported[funcidx].desc]
        else:
            t = self.types[self.funcs[funcidx - len(imported)].type]
        assert isinstance(t, FuncType)
        return t

    def all_func_types(self) -> list[FuncType]:
        out: list[FuncType] = []
        for imp in self.imports_of(ExternKind.FUNC):
            out.append(self.types[imp.desc])  # type: ignore[arg-type]
        for f in self.funcs:
            out.append(self.types[f.type])  # type: ignore[arg-type]
        return out

    def all_table_types(self) -> list[TableType]:
        return [i.desc for i in self.imports_of(ExternKind.TABLE)] + [t.type for t in self.tables]

    def all_mem_types(self) -> list[MemType]:
        return [i.desc for i in self.imports_of(ExternKind.MEMORY)] + [m.type for m in self.mems]

    def all_global_types(self) -> list[GlobalType]:
        return [i.desc for i in self.imports_of(ExternKind.GLOBAL)] + [g.type for g in self.globals]

    def func_name(self, funcidx: int) -> str:
        """A readable name: the name section's, else an export's, else `func[N]`."""
        name = self.names.funcs.get(funcidx)
        if name:
            return name
        for e in self.exports:
            if e.kind is ExternKind.FUNC and e.index == funcidx:
                return e.name
        return f"func[{funcidx}]"
