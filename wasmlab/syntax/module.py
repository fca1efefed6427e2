"""The module AST (spec 2.5): what text and binary both become, flat instruction sequences included.

Instruction bodies are *flat*, as in the binary format: `block`/`loop`/`if` open a
structure, `else` and `end` are instructions of their own. Every node keeps where it
came from: `offset` (byte offset in the binary it was decoded from) and `span` (source
span in the text it was parsed from).
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass, field
from typing import TYPE_CHECKING, Any

from .types import (
    DefType,
    ExternKind,
    FuncType,
    GlobalType,
    MemType,
    SubType,
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
    call_indirect -> (typeidx, tableidx); memarg -> (align_log2, offset, memidx);
    memarg_lane -> (align_log2, offset, memidx, lane); i32/i64 -> unsigned int bits;
    f32/f64 -> int bits (NaN payloads exact); select_t -> tuple[ValType, ...];
    reftype -> ValType; table_copy -> (dst, src); table_init -> (elem, table);
    memory (memory.size/grow) -> memidx; memory_init -> (data index, memidx);
    memory_copy -> (dst memidx, src memidx); memory_fill -> memidx; v128/shuffle -> 16 bytes.
    (A memory index other than 0 needs the multi-memory proposal.)
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


def memarg_words(instr: Instr, mem_ref: Callable[[int], str] = str) -> list[str]:
    """The memory-argument words of a load/store as in WAT: a memory index other than 0
    (as `mem_ref` writes it), `offset=` when not 0 and `align=` when not natural (the lane of
    a lane access apart)."""
    align, offset, mem = instr.imm[:3]
    parts = [mem_ref(mem)] if mem else []
    if offset:
        parts.append(f"offset={offset}")
    if align != instr.op.natural_alignment:
        parts.append(f"align={1 << align}")
    return parts


def memory_words(
    instr: Instr, mem_ref: Callable[[int], str] = str, data_ref: Callable[[int], str] = str
) -> list[str]:
    """The memory indices of memory.size/grow/fill/copy/init as in WAT, where memory 0 is
    implied (memory.init: the memory, if not 0, then the data segment); `mem_ref` and
    `data_ref` write an index (as a number, or as its `$name`)."""
    kind, imm = instr.op.imm, instr.imm
    if kind in ("memory", "memory_fill"):
        return [mem_ref(imm)] if imm else []
    if kind == "memory_copy":
        return [] if imm == (0, 0) else [mem_ref(imm[0]), mem_ref(imm[1])]
    data, mem = imm  # memory_init
    return [mem_ref(mem), data_ref(data)] if mem else [data_ref(data)]


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
    # what the machine prepares from the body once (its side table), shared by every instance
    prepared: Any = field(default=None, compare=False, repr=False)
    #: branch hints of the text format's `(@metadata.code.branch_hint ...)`: pc of an if or
    #: br_if -> 0 (unlikely taken) or 1 (likely taken)
    branch_hints: dict[int, int] = field(default_factory=dict, compare=False, repr=False)


@dataclass
class Table:
    type: TableType
    #: the table's initial element (typed function references: `(table 1 (ref $t) (ref.func $f))`);
    #: None fills it with null
    init: Expr | None = None
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


#: the catch clauses of `try_table` (exception handling), by their binary code 0-3; a clause
#: is `(kind, tag index or None, label depth)`, the *_ref kinds also push the exnref
CATCH_KINDS = ("catch", "catch_ref", "catch_all", "catch_all_ref")


def catch_words(
    catches: tuple, tag_ref: Callable[[int], str] = str, label_ref: Callable[[int], str] = str
) -> list[str]:
    """try_table's catch clauses as in WAT: `(catch 0 1)`, `(catch_all_ref 0)`; `tag_ref` and
    `label_ref` write a tag index and a label depth (as a number, or by name)."""
    return [
        f"({CATCH_KINDS[kind]} {'' if tag is None else tag_ref(tag) + ' '}{label_ref(label)})"
        for kind, tag, label in catches
    ]


@dataclass
class Tag:
    """An exception tag (exception handling): `type` indexes a function type with no results,
    whose parameters are the values an exception of this tag carries."""

    type: int
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
    #: the text wrote the element type and expressions (`funcref (ref.func 0)`), not function
    #: indices: with typed references its type is what it says, not `(ref func)`
    written_type: bool = field(default=False, compare=False, repr=False)


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


#: index space (the text format's) -> the `Names` field that names its items
NAMES_OF_SPACE: dict[str, str] = {
    "type": "types", "func": "funcs", "table": "tables", "memory": "memories",
    "global": "globals", "elem": "elems", "data": "datas", "tag": "tags",
}  # fmt: skip

#: extern kind -> the index space (as in NAMES_OF_SPACE) of the items it names
KIND_SPACE: dict[ExternKind, str] = {
    ExternKind.FUNC: "func", ExternKind.TABLE: "table", ExternKind.MEMORY: "memory",
    ExternKind.GLOBAL: "global", ExternKind.TAG: "tag", ExternKind.TYPE: "type",
}  # fmt: skip

#: name-section subsection id -> the `Names` field it holds: 1 of the 2.0 spec, 4-9 of the
#: extended name section (as WABT, wasm-tools and LLVM write them); 0 is the module's name,
#: 2 and 3 are maps per function (INDIRECT_NAME_SUBSECTIONS); later ones are skipped
NAME_SUBSECTIONS: dict[int, str] = {
    1: "funcs", 4: "types", 5: "tables", 6: "memories", 7: "globals", 8: "elems", 9: "datas",
    11: "tags",
}  # fmt: skip


#: name-section subsection id -> the `Names` field of its map per function: locals, labels
INDIRECT_NAME_SUBSECTIONS: dict[int, str] = {2: "locals", 3: "labels", 10: "fields"}


@dataclass
class Names:
    """The `name` custom section, or the `$identifiers` of a text module: index -> name per
    index space, and per function its locals'."""

    module: str | None = None
    funcs: dict[int, str] = field(default_factory=dict)
    locals: dict[int, dict[int, str]] = field(default_factory=dict)
    #: function -> block number (its block/loop/if instructions in order) -> label name
    labels: dict[int, dict[int, str]] = field(default_factory=dict)
    types: dict[int, str] = field(default_factory=dict)
    #: GC: type -> field index -> field name (subsection 10)
    fields: dict[int, dict[int, str]] = field(default_factory=dict)
    tables: dict[int, str] = field(default_factory=dict)
    memories: dict[int, str] = field(default_factory=dict)
    globals: dict[int, str] = field(default_factory=dict)
    elems: dict[int, str] = field(default_factory=dict)
    datas: dict[int, str] = field(default_factory=dict)
    tags: dict[int, str] = field(default_factory=dict)

    def of_space(self, space: str) -> dict[int, str]:
        """The names of index space `space` ("func", "global", ...; see NAMES_OF_SPACE)."""
        return getattr(self, NAMES_OF_SPACE[space])

    def __bool__(self) -> bool:
        return self.module is not None or any(
            getattr(self, attr) for attr in [*NAME_SUBSECTIONS.values(), *INDIRECT_NAME_SUBSECTIONS.values()]
        )


# --- module linking (wasmtime 0.22) -----------------------------------------------------------

#: ids of the sections that may repeat and interleave before the function section (module
#: linking, in wasmtime 0.22's numbering): type, import, module, instance, alias
TYPE_SECTION, IMPORT_SECTION, MODULE_SECTION, INSTANCE_SECTION, ALIAS_SECTION = 1, 2, 14, 15, 16
MODULE_CODE_SECTION = 17


@dataclass
class Alias:
    """An `alias`: export number `index` of instance `instance` (by position in the
    instance's type), or, with `instance` None, item `index` of the parent module."""

    kind: ExternKind
    instance: int | None
    index: int
    offset: int | None = None
    span: Span | None = None
    id: str | None = None  # the text format's `$id`

    @property
    def is_parent(self) -> bool:
        return self.instance is None

    def __str__(self) -> str:
        if self.instance is None:
            return f"an alias of the parent's {self.kind.text} {self.index}"
        return f"an alias of export {self.index} of instance {self.instance}"


@dataclass(frozen=True)
class ParentType:
    """Stands in `Module.types` for a parent type alias whose parent type is not known
    (a module decoded or built on its own); a nested module holds the parent's type there."""

    index: int


@dataclass
class InstanceDef:
    """An entry of the instance section: instantiate module `module` with positional `args`."""

    module: int
    args: list[tuple[ExternKind, int]] = field(default_factory=list)
    offset: int | None = None
    span: Span | None = None
    id: str | None = None  # the text format's `$id`


@dataclass
class Module:
    types: list[DefType] = field(default_factory=list)
    imports: list[Import] = field(default_factory=list)
    funcs: list[Func] = field(default_factory=list)
    tables: list[Table] = field(default_factory=list)
    mems: list[Memory] = field(default_factory=list)
    globals: list[Global] = field(default_factory=list)
    tags: list[Tag] = field(default_factory=list)
    exports: list[Export] = field(default_factory=list)
    start: int | None = None
    elems: list[Elem] = field(default_factory=list)
    datas: list[Data] = field(default_factory=list)
    data_count: int | None = None  # the DataCount section's value, when present
    customs: list[Custom] = field(default_factory=list)
    names: Names = field(default_factory=Names)
    id: str | None = None  # the text format's `$id`
    #: GC: how each type definition declares itself (`sub`, final, supertypes), for the
    #: indices that are not plain (final, no supertypes)
    subtypes: dict[int, SubType] = field(default_factory=dict)
    #: GC: the explicit recursion groups (`rec`), as (first type index, number of types), in
    #: order; a type in none of them is a group of its own
    recs: list[tuple[int, int]] = field(default_factory=list)
    # module linking (filled by the linking issue; empty for plain 2.0 modules)
    extra: dict[str, Any] = field(default_factory=dict)
    #: nested module definitions (module + module-code sections), each a full Module
    modules: list[Module] = field(default_factory=list)
    #: for a nested module: the index of its declared module type in the parent's type space
    module_type: int | None = None
    instances: list[InstanceDef] = field(default_factory=list)
    aliases: list[Alias] = field(default_factory=list)
    #: the interleaved sections before Function as (section id, number of entries), in binary
    #: order; empty means the canonical order (see `initial_sections_or_default`)
    initial_sections: list[tuple[int, int]] = field(default_factory=list)
    #: byte offset of the code section's contents in the binary it was decoded from (the
    #: addresses of DWARF line tables and ranges count from there)
    code_offset: int | None = field(default=None, compare=False, repr=False)
    #: the file the module was read from, when it was read from one (the debugger looks for
    #: C sources beside it)
    origin: str | None = field(default=None, compare=False, repr=False)
    #: what `wasmlab.linking` compiled from this (validated) module: its blob, made once
    linked: Any = field(default=None, compare=False, repr=False)
    #: the types of the function index space when aliases take part in it (module linking),
    #: recorded by validation, which resolves what each alias names
    linked_func_types: list[FuncType] | None = field(default=None, compare=False, repr=False)

    # --- derived views -------------------------------------------------------------------

    @property
    def uses_linking(self) -> bool:
        """Whether this module needs the module-linking proposal to be encoded."""
        from .types import InstanceType, ModuleType

        return bool(
            self.modules
            or self.instances
            or self.aliases
            or self.initial_sections
            or any(isinstance(t, (ModuleType, InstanceType)) for t in self.types)
            or any(i.name is None or i.kind > ExternKind.TAG for i in self.imports)
            or any(e.kind > ExternKind.TAG for e in self.exports)
        )

    def initial_sections_or_default(self) -> list[tuple[int, int]]:
        """`initial_sections`, or the canonical layout: parent aliases, types, imports,
        modules, instances, then instance-export aliases."""
        if self.initial_sections:
            return list(self.initial_sections)
        n_type_aliases = sum(1 for a in self.aliases if a.kind is ExternKind.TYPE)
        lead = 0
        while lead < len(self.aliases) and self.aliases[lead].instance is None:
            lead += 1
        parts = [
            (ALIAS_SECTION, lead),
            (TYPE_SECTION, len(self.types) - n_type_aliases),
            (IMPORT_SECTION, len(self.imports)),
            (MODULE_SECTION, len(self.modules)),
            (INSTANCE_SECTION, len(self.instances)),
            (ALIAS_SECTION, len(self.aliases) - lead),
        ]
        return [(sid, n) for sid, n in parts if n > 0]

    def initial_items(self) -> list[tuple[int, Any]]:
        """The entries of the initial sections in binary order: (TYPE_SECTION, typeidx),
        (IMPORT_SECTION, Import), (MODULE_SECTION, nested module number),
        (INSTANCE_SECTION, InstanceDef), (ALIAS_SECTION, Alias). A type alias is listed as
        the alias; it also takes the next type index. Raises ValueError when
        `initial_sections` does not add up to the module's lists."""
        out: list[tuple[int, Any]] = []
        cursors = {
            TYPE_SECTION: 0,
            IMPORT_SECTION: 0,
            MODULE_SECTION: 0,
            INSTANCE_SECTION: 0,
            ALIAS_SECTION: 0,
        }
        lists: dict[int, list[Any]] = {
            IMPORT_SECTION: self.imports,
            INSTANCE_SECTION: self.instances,
            ALIAS_SECTION: self.aliases,
        }
        n_type_aliases = sum(1 for a in self.aliases if a.kind is ExternKind.TYPE)
        n_defined_types = len(self.types) - n_type_aliases
        next_type = 0
        for sid, count in self.initial_sections_or_default():
            if sid not in cursors or count < 0:
                raise ValueError(f"section {sid} cannot be an initial section")
            start = cursors[sid]
            if sid == TYPE_SECTION:
                if start + count > n_defined_types:
                    raise ValueError("initial_sections lists more types than the module defines")
                for _ in range(count):
                    out.append((sid, next_type))
                    next_type += 1
            elif sid == MODULE_SECTION:
                if start + count > len(self.modules):
                    raise ValueError("initial_sections lists more modules than the module defines")
                out.extend((sid, k) for k in range(start, start + count))
            else:
                items = lists[sid]
                if start + count > len(items):
                    raise ValueError(f"initial_sections lists more entries of section {sid} than there are")
                for item in items[start : start + count]:
                    out.append((sid, item))
                    if sid == ALIAS_SECTION and item.kind is ExternKind.TYPE:
                        next_type += 1
            cursors[sid] = start + count
        if (
            cursors[TYPE_SECTION] != n_defined_types
            or cursors[IMPORT_SECTION] != len(self.imports)
            or cursors[MODULE_SECTION] != len(self.modules)
            or cursors[INSTANCE_SECTION] != len(self.instances)
            or cursors[ALIAS_SECTION] != len(self.aliases)
        ):
            raise ValueError(
                "initial_sections does not account for every type, import, module, instance and alias"
            )
        return out

    def type_alias_indices(self) -> dict[int, Alias]:
        """Type index -> the alias that defines it (module linking's parent type aliases)."""
        out: dict[int, Alias] = {}
        next_type = 0
        for sid, item in self.initial_items():
            if sid == TYPE_SECTION:
                next_type += 1
            elif sid == ALIAS_SECTION and item.kind is ExternKind.TYPE:
                out[next_type] = item
                next_type += 1
        return out

    def imports_of(self, kind: ExternKind) -> list[Import]:
        return [i for i in self.imports if i.kind is kind]

    def base_index(self, kind: ExternKind) -> int:
        """How many items of `kind` come before the module's own definitions: its imports
        and (module linking) aliases. Use this, not `len(imports_of(kind))`, to number
        definitions."""
        return len(self.imports_of(kind)) + sum(1 for a in self.aliases if a.kind is kind)

    def func_source(self, funcidx: int) -> Import | Alias | Func:
        """What function `funcidx` is: its import, its alias (module linking: imports and
        aliases share the space before the definitions, in binary order) or its definition.
        IndexError when there is no such function."""
        base = self.base_index(ExternKind.FUNC)
        if funcidx >= base:
            return self.funcs[funcidx - base]
        if funcidx < 0:
            raise IndexError(funcidx)
        try:
            items = [item for _, item in self.initial_items()]
        except ValueError:  # inconsistent initial_sections: imports, then aliases
            items = [*self.imports, *self.aliases]
        sources = [x for x in items if isinstance(x, (Import, Alias)) and x.kind is ExternKind.FUNC]
        return sources[funcidx]

    def _linked_func_types(self) -> list[FuncType] | None:
        """The function index space's types when aliases take part in it (module linking)."""
        if not any(a.kind is ExternKind.FUNC for a in self.aliases):
            return None
        if self.linked_func_types is not None:
            return self.linked_func_types
        # not validated (or invalid): what the imports and aliases name is not known
        n = self.base_index(ExternKind.FUNC)
        return [FuncType()] * n + [self.types[f.type] for f in self.funcs]  # type: ignore[misc]

    def func_type(self, funcidx: int) -> FuncType:
        """The type of function `funcidx` in the function index space (imports first)."""
        linked = self._linked_func_types()
        if linked is not None:
            return linked[funcidx]
        imported = self.imports_of(ExternKind.FUNC)
        if funcidx < len(imported):
            t = self.types[imported[funcidx].desc]
        else:
            t = self.types[self.funcs[funcidx - len(imported)].type]
        assert isinstance(t, FuncType)
        return t

    def all_func_types(self) -> list[FuncType]:
        linked = self._linked_func_types()
        if linked is not None:
            return linked
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
