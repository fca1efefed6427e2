"""Modules in the text format (spec 6.6): `parse_module(text) -> Module`.

Parsing takes two passes over the module fields, as the spec's identifier context
requires (a function may call one defined later):

1. *scan*: every field binds its `$id`s in the index spaces (imports first, so
   "import after function" is reported here) and type definitions are read in full;
2. *parse*: every field is parsed with all identifiers known; inline type uses that
   match no type append an implicit type definition, in the order they appear.

Both passes are dispatch tables keyed by the field keyword (`FIELDS`), so new fields
(module linking's `module`, `instance`, `alias`) are additions, not a rewrite.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from typing import Any

from ..syntax.features import Features
from ..syntax.module import (
    Custom,
    Data,
    Elem,
    Export,
    Func,
    Global,
    Import,
    Instr,
    Memory,
    Module,
    Span,
    Table,
    Tag,
)
from ..syntax.opcodes import BY_NAME
from ..syntax.types import (
    ArrayType,
    DefType,
    ExternKind,
    FieldType,
    FuncType,
    GlobalType,
    Limits,
    MemType,
    Packed,
    StructType,
    SubType,
    TableType,
    ValType,
)
from .context import FuncContext, ModuleContext, fill_names
from .cursor import REFTYPES
from .instructions import InstrParser
from .lexer import EOF, ID, KEYWORD, LPAREN, NAT, RPAREN, STRING, Token, Tokens, string_name, tokenize

_END = BY_NAME["end"]
_I32_CONST = BY_NAME["i32.const"]
_I64_CONST = BY_NAME["i64.const"]
_REF_FUNC = BY_NAME["ref.func"]
PAGE_SIZE = 65536


@dataclass(frozen=True)
class Field:
    """How one kind of module field is scanned (pass 1) and parsed (pass 2).

    Both get the parser and the index of the field's `(`; `scan` returns the value handed
    to `parse` (or None to skip the field in pass 2).
    """

    scan: Callable[[ModuleParser, int], object]
    parse: Callable[[ModuleParser, int, object], None] | None


#: field keyword -> Field; extend with `register_field`
FIELDS: dict[str, Field] = {}

#: module linking's driver (`wasmlab.text.linking`): `wants(parser)`, `run(parser)`
LINKING: Any = None

#: import/export descriptor keyword -> (external kind, index space)
EXTERN_KINDS: dict[str, tuple[ExternKind, str]] = {
    "func": (ExternKind.FUNC, "func"),
    "table": (ExternKind.TABLE, "table"),
    "memory": (ExternKind.MEMORY, "memory"),
    "global": (ExternKind.GLOBAL, "global"),
    "tag": (ExternKind.TAG, "tag"),
}

#: definition kind -> the word of "import after ... definition"
_DEFINITION_WORDS = {
    "func": "function",
    "table": "table",
    "memory": "memory",
    "global": "global",
    "tag": "tag",
}


def register_field(keyword: str, scan: Callable[..., object], parse: Callable[..., None] | None) -> None:
    FIELDS[keyword] = Field(scan, parse)


class ModuleParser(InstrParser):
    """Parses the module fields between token indices; `run()` returns the Module."""

    def __init__(self, tokens: Tokens, start: int, stop: int, module_id: Token | None = None) -> None:
        super().__init__(tokens, start)
        self.stop = stop
        self.ctx = ModuleContext(self.source)
        self.fctx = FuncContext(self.source)
        self.uses_data_index = False
        self.module = Module()
        if module_id is not None:
            self.module.id = module_id.text
            self.module.names.module = module_id.text[1:]
        self.last_definition: str | None = None
        #: function index -> the context of its body (its locals' and labels' names)
        self.func_contexts: dict[int, FuncContext] = {}
        #: module linking: the enclosing module's parser when this is a nested module
        self.parent: ModuleParser | None = None
        #: GC: type definitions read after every type's name is bound (they may refer to
        #: later ones): (type index, token index of the definition's `(`)
        self.pending_types: list[tuple[int, int]] = []
        #: `(@name "...")` annotations (3.0 text format): Names attribute -> index -> name
        self.annotated_names: dict[str, dict[int, str]] = {}
        self.first_field = start

    def run(self) -> Module:
        try:
            return self._run()
        except RecursionError:
            raise self.error("expressions nested too deeply (use the flat form for deep nesting)") from None

    def _run(self) -> Module:
        if LINKING is not None and LINKING.wants(self):
            return LINKING.run(self)  # module linking (wasmlab.text.linking)
        toks = self.toks
        close = self.close
        pending: list[tuple[Field, int, object]] = []
        i = self.i
        stray: Token | None = None  # reported after the fields before it (textual order)
        while i < self.stop:
            t = toks[i]
            if t.kind != LPAREN:
                stray = t
                break
            kw = toks[i + 1]
            field = FIELDS.get(kw.text) if kw.kind == KEYWORD else None
            if field is None:
                stray = kw
                break
            self.i = i
            info = field.scan(self, i)
            if field.parse is not None:
                pending.append((field, i, info))
            i = close[i] + 1
        self.finish_types()
        for field, i, info in pending:
            self.i = i
            assert field.parse is not None
            field.parse(self, i, info)
        if stray is not None:
            self.unexpected("a module field", tok=stray)
        m = self.module
        m.types = self.ctx.types
        if self.uses_data_index and m.datas:  # as WABT: no DataCount without data segments
            m.data_count = len(m.datas)
        fill_names(m.names, self.ctx, self.func_contexts)
        for attr, names in self.annotated_names.items():  # (@name ...) wins over $ids
            getattr(m.names, attr).update(names)
        return m

    def name_annotation(self, attr: str, idx: int) -> None:
        """An optional `(@name "...")` after a definition's id: its name in the name section."""
        if not self.at_lparen("@name"):
            return
        self.i += 2
        tok = self.toks[self.i]
        if tok.kind != STRING:
            self.unexpected("a name string")
        self.i += 1
        self.annotated_names.setdefault(attr, {})[idx] = string_name(tok, self.source)
        self.expect_rparen()

    # --- shared pieces ------------------------------------------------------------------

    def finish_types(self) -> None:
        """Read the type definitions whose names the scan bound (GC types may refer ahead)."""
        for idx, i in self.pending_types:
            self.ctx.types[idx] = read_subtype(self, idx, i)
        self.pending_types = []

    def field_span(self, lp_index: int) -> Span:
        first = self.toks[lp_index]
        last = self.toks[self.close[lp_index]]
        return Span(first.line, first.col, last.line, last.col + 1, self.source.filename)

    def note_import(self, lp_index: int) -> None:
        if self.last_definition is not None:
            raise self.source.error_at(f"import after {self.last_definition} definition", self.toks[lp_index])

    def inline_import_at(self, i: int) -> int | None:
        """From `i` (after a field's optional id), skip `(export ..)`s; the index of an
        inline `(import ...)` there, else None."""
        toks = self.toks
        while toks[i].kind == LPAREN and toks[i + 1].kind == KEYWORD:
            word = toks[i + 1].text
            if word == "import":
                return i
            if word != "export":
                return None
            i = self.close[i] + 1
        return None

    def inline_exports(self, kind: ExternKind, idx: int) -> None:
        while self.at_lparen("export"):
            first = self.toks[self.i]
            self.i += 2
            name = self.expect_name()
            self.expect_rparen()
            self.module.exports.append(Export(name, kind, idx, span=self.span_from(first)))

    def inline_import(self) -> tuple[str, str | None]:
        self.i += 2  # ( import
        module = self.expect_name()
        name = self.optional_name()
        self.expect_rparen()
        return module, name

    def imported_field(self, lp: int, kind: ExternKind, desc: Callable[[], Any]) -> bool:
        """`(kind $id? (export ..)* (import "m" "n") desc)`: when the field at `lp` is an inline
        import, parse it (its descriptor with `desc`), record the import and say so."""
        if not self.at_lparen("import"):
            return False
        module, name = self.inline_import()
        d = desc()
        self.expect_rparen()
        self.module.imports.append(Import(module, name, kind, d, span=self.field_span(lp)))
        return True

    def optional_name(self) -> str | None:
        """A field name, absent in module linking's single-level imports."""
        return self.expect_name() if self.toks[self.i].kind == STRING else None

    def address_type(self) -> bool:
        """An optional address type before limits (memory64/table64): whether it is i64."""
        if self.at_keyword("i64"):
            self.i += 1
            return True
        if self.at_keyword("i32"):
            self.i += 1
        return False

    def limits(self, is64: bool | None = None) -> Limits:
        """Limits, after an optional address type (`i64 1 2`) unless `is64` was read already."""
        if is64 is None:
            is64 = self.address_type()
        # memory64: the bounds are u64 in the text (validation bounds a 32-bit one); 2.0: u32
        features = self.tokens.features
        wide = is64 or features is None or "memory64" in features
        read = self.expect_u64 if wide else self.expect_u32
        lo = read("a limit (a number)")
        hi = None
        if self.toks[self.i].kind == NAT:
            hi = read()
        return Limits(lo, hi, is64)

    def table_type(self) -> TableType:
        limits = self.limits()
        return TableType(limits, self.reftype())

    def global_type(self) -> GlobalType:
        if self.at_lparen("mut"):
            self.i += 2
            t = self.valtype()
            self.expect_rparen()
            return GlobalType(t, True)
        return GlobalType(self.valtype(), False)

    def func_typeuse(self, locals_: FuncContext | None) -> int:
        """A function's type use; binds parameter ids as locals in `locals_` when given."""
        idx, type_tok = self.type_ref()
        params, names, results = self.params_results(named=True)
        ft = FuncType(tuple(params), tuple(results))
        if idx is not None:
            if params or results:
                self.check_inline_type(idx, type_tok, ft)
            elif locals_ is not None and idx < len(self.ctx.types):
                t = self.ctx.types[idx]
                for _ in getattr(t, "params", ()):
                    locals_.bind_local(None)
                return idx
        else:
            idx = self.ctx.implicit_type(ft)
        if locals_ is not None:
            for name in names:
                locals_.bind_local(name)
        return idx

    def const_expr(self) -> list[Instr]:
        """An expression up to (not past) the closing `)`, outside any function."""
        self.fctx = FuncContext(self.source)
        return self.expr()

    def offset_expr(self) -> list[Instr]:
        """`(offset instr*)` or one folded instruction (the abbreviation)."""
        if self.at_lparen("offset"):
            self.i += 2
            e = self.const_expr()
            self.expect_rparen()
            return e
        if self.toks[self.i].kind != LPAREN:
            self.unexpected("an offset expression")
        return self.single_folded()

    def single_folded(self) -> list[Instr]:
        self.fctx = FuncContext(self.source)
        out: list[Instr] = []
        self.folded(out)
        last = self.toks[self.i - 1]
        out.append(
            Instr(_END, None, span=Span(last.line, last.col, last.line, last.col + 1, self.source.filename))
        )
        return out


# --- type ---------------------------------------------------------------------------------


def _scan_type(p: ModuleParser, lp: int) -> None:
    p.i = lp + 2
    tok = p.take_id()
    toks = p.toks
    if toks[p.i].kind == LPAREN and _deferred(p, p.i):
        idx = p.ctx.define_type(tok, FuncType())  # (read in full by finish_types)
        p.pending_types.append((idx, p.i))
        _scan_field_names(p, idx, p.i)
        return None
    p.expect_lparen("a type definition '(func ...)'")
    t = p.keyword_in(DEFTYPES, "'func'")(p)
    p.expect_rparen()
    p.expect_rparen()
    p.ctx.define_type(tok, t)
    return None


def _deferred(p: ModuleParser, i: int) -> bool:
    """Whether the type definition at `i` is read after the scan: GC types, and function
    types naming other types (`(ref $t)`), which may come later. (Module linking's module and
    instance types are read at once: they name function types the scan has read.)"""
    toks = p.toks
    kw = toks[i + 1].text
    if kw in ("struct", "array", "sub"):
        return True
    if kw != "func":
        return False
    for j in range(i + 2, p.close[i]):
        if toks[j].kind == LPAREN and toks[j + 1].text == "ref":
            k = j + 3 if toks[j + 2].text == "null" else j + 2
            if toks[k].kind in (ID, NAT):
                return True
    return False


def _scan_rec(p: ModuleParser, lp: int) -> None:
    """`(rec (type ...)*)`: a recursion group (GC)."""
    start = len(p.ctx.types)
    i = lp + 2
    toks = p.toks
    while toks[i].kind == LPAREN:
        if toks[i + 1].text != "type":
            p.i = i + 1
            p.unexpected("a type definition in a rec group")
        _scan_type(p, i)
        i = p.close[i] + 1
    if toks[i].kind != RPAREN:
        p.i = i
        p.unexpected("a type definition or ')'")
    n = len(p.ctx.types) - start
    p.module.recs.append((start, n))
    p.ctx.nonplain.update(range(start, start + n)) if n > 1 else None


def _scan_field_names(p: ModuleParser, idx: int, i: int) -> None:
    """Bind a struct type's `(field $x ...)` names (struct.get $t $x resolves them)."""
    toks = p.toks
    if toks[i + 1].text == "sub":
        i += 2
        while toks[i].kind != LPAREN and toks[i].kind != RPAREN:
            i += 1
        if toks[i].kind != LPAREN:
            return
    if toks[i + 1].text != "struct":
        return
    names = p.ctx.field_names.setdefault(idx, {})
    j = i + 2
    k = 0
    while toks[j].kind == LPAREN and toks[j + 1].text == "field":
        end = p.close[j]
        if toks[j + 2].kind == ID:
            if toks[j + 2].text in names:
                raise p.source.error_at(f"duplicate field {toks[j + 2].text}", toks[j + 2])
            names[toks[j + 2].text] = k
            k += 1
        else:
            m = j + 2
            while m < end:
                m = p.close[m] + 1 if toks[m].kind == LPAREN else m + 1
                k += 1
        j = end + 1


def _storage_type(p: ModuleParser) -> object:
    t = p.toks[p.i]
    if t.kind == KEYWORD and t.text in ("i8", "i16"):
        p.i += 1
        return Packed.I8 if t.text == "i8" else Packed.I16
    return p.valtype()


def _field_type(p: ModuleParser) -> FieldType:
    if p.at_lparen("mut"):
        p.i += 2
        st = _storage_type(p)
        p.expect_rparen()
        return FieldType(st, True)
    return FieldType(_storage_type(p), False)


def _struct_deftype(p: ModuleParser) -> StructType:
    fields: list[FieldType] = []
    toks = p.toks
    while p.at_lparen("field"):
        p.i += 2
        if toks[p.i].kind == ID:
            p.i += 1
            fields.append(_field_type(p))
        else:
            while toks[p.i].kind != RPAREN:
                fields.append(_field_type(p))
        p.expect_rparen()
    return StructType(tuple(fields))


def _array_deftype(p: ModuleParser) -> ArrayType:
    return ArrayType(_field_type(p))


GC_DEFTYPES = ("func", "struct", "array", "sub")
_COMPOSITES = {"func": lambda p: _func_deftype(p), "struct": _struct_deftype, "array": _array_deftype}


def read_subtype(p: ModuleParser, idx: int, i: int) -> DefType:
    """`(sub final? $super* comp)` or a composite type, at token `i` (its `(`)."""
    p.i = i + 1
    if p.toks[p.i].text == "sub":
        p.i += 1
        final = p.toks[p.i].kind == KEYWORD and p.toks[p.i].text == "final"
        if final:
            p.i += 1
        supers: list[int] = []
        while p.toks[p.i].kind in (ID, NAT):
            supers.append(p.var("type"))
        p.module.subtypes[idx] = SubType(final, tuple(supers))
        p.ctx.nonplain.add(idx)
        p.expect_lparen("a composite type (func, struct or array)")
        t = p.keyword_in(_COMPOSITES, "a composite type (func, struct or array)")(p)
        p.expect_rparen()
    else:
        t = p.keyword_in(_COMPOSITES, "a composite type (func, struct or array)")(p)
    p.expect_rparen()
    return t


def _func_deftype(p: ModuleParser) -> FuncType:
    params, _, results = p.params_results(named=True)
    return FuncType(tuple(params), tuple(results))


#: `(type (KEYWORD ...))` -> the parser of that kind of type (module linking adds
#: `module` and `instance` types); it starts after the keyword, stops before the `)`
DEFTYPES: dict[str, Callable[[ModuleParser], DefType]] = {"func": _func_deftype}


# --- import -------------------------------------------------------------------------------


def _scan_import(p: ModuleParser, lp: int) -> None:
    p.i = lp + 2
    p.expect_name()
    p.optional_name()
    p.expect_lparen("an import description")
    entry = p.keyword_in(EXTERN_KINDS, "an import description (func, table, memory, global or tag)")
    p.note_import(lp)
    p.ctx.bind(entry[1], p.take_id())


def _parse_import(p: ModuleParser, lp: int, info: object) -> None:
    p.i = lp + 2
    module = p.expect_name()
    name = p.optional_name()
    p.i += 1  # (
    kind, _ = EXTERN_KINDS[p.next().text]
    p.take_id()
    desc = IMPORT_DESCS[kind](p)
    p.expect_rparen()
    p.expect_rparen()
    p.module.imports.append(Import(module, name, kind, desc, span=p.field_span(lp)))


IMPORT_DESCS: dict[ExternKind, Callable[[ModuleParser], object]] = {
    ExternKind.FUNC: lambda p: p.func_typeuse(None),
    ExternKind.TABLE: ModuleParser.table_type,
    ExternKind.MEMORY: lambda p: MemType(p.limits()),
    ExternKind.GLOBAL: ModuleParser.global_type,
    ExternKind.TAG: lambda p: p.func_typeuse(None),
}


# --- func, table, memory, global: definitions with inline imports/exports ---------------


def _scan_definition(space: str) -> Callable[[ModuleParser, int], object]:
    def scan(p: ModuleParser, lp: int) -> object:
        p.i = lp + 2
        tok = p.take_id()
        imp = p.inline_import_at(p.i)
        if imp is not None:
            p.note_import(lp)
        idx = p.ctx.bind(space, tok)
        if imp is None:
            p.last_definition = _DEFINITION_WORDS[space]
            if space == "table" and _table_has_elem(p):
                p.ctx.bind("elem", None)
            elif space == "memory" and p.at_lparen("data"):
                p.ctx.bind("data", None)
        return idx

    return scan


def _table_has_elem(p: ModuleParser) -> bool:
    i = p.i
    toks = p.toks
    while toks[i].kind == LPAREN and toks[i + 1].text == "export":
        i = p.close[i] + 1
    if toks[i].kind == KEYWORD and toks[i].text in ("i32", "i64"):  # (table64's address type)
        i += 1
    if toks[i].kind == LPAREN and toks[i + 1].text == "ref":  # `(ref null? ht)`
        return toks[p.close[i] + 1].kind == LPAREN and toks[p.close[i] + 2].text == "elem"
    return toks[i].text in REFTYPES and toks[i + 1].kind == LPAREN and toks[i + 2].text == "elem"


def _parse_func(p: ModuleParser, lp: int, info: object) -> None:
    idx = info
    assert isinstance(idx, int)
    p.i = lp + 2
    p.take_id()
    p.name_annotation("funcs", idx)
    p.inline_exports(ExternKind.FUNC, idx)
    if p.imported_field(lp, ExternKind.FUNC, lambda: p.func_typeuse(None)):
        return
    fctx = FuncContext(p.source)
    typeidx = p.func_typeuse(fctx)
    locals_: list[ValType] = []
    toks = p.toks
    while p.at_lparen("local"):
        p.i += 2
        if toks[p.i].kind == ID:
            fctx.bind_local(p.next())
            locals_.append(p.valtype())
        else:
            while toks[p.i].kind != RPAREN:
                locals_.append(p.valtype())
                fctx.bind_local(None)
        p.expect_rparen()
    p.fctx = fctx
    body = p.expr()
    p.expect_rparen()
    func = Func(typeidx, locals_, body, span=p.field_span(lp))
    if fctx.hints:  # branch hints: by the pc of the instruction each was given to
        where = {id(ins): pc for pc, ins in enumerate(body)}
        func.branch_hints = {where[id(ins)]: value for ins, value in fctx.hints}
    p.module.funcs.append(func)
    p.func_contexts[idx] = fctx


def _parse_table(p: ModuleParser, lp: int, info: object) -> None:
    idx = info
    assert isinstance(idx, int)
    p.i = lp + 2
    p.take_id()
    p.name_annotation("tables", idx)
    p.inline_exports(ExternKind.TABLE, idx)
    if p.imported_field(lp, ExternKind.TABLE, p.table_type):
        return
    is64 = p.address_type()
    t = p.toks[p.i]
    if (t.kind == KEYWORD and t.text in REFTYPES) or p.at_lparen("ref"):
        reftype = p.reftype()
        elem_lp = p.i
        p.expect_lparen("'(elem ...)'")
        p.expect_keyword("elem")
        if p.toks[p.i].kind == LPAREN:
            init = _elem_exprs(p)
        else:
            init = _func_indices(p)
        p.expect_rparen()
        p.expect_rparen()
        n = len(init)
        p.module.tables.append(Table(TableType(Limits(n, n, is64), reftype), span=p.field_span(lp)))
        span = p.field_span(elem_lp)
        offset = [Instr(_I64_CONST if is64 else _I32_CONST, 0, span=span), Instr(_END, span=span)]
        p.module.elems.append(Elem(reftype, init, "active", idx, offset, span=span))
        return
    tt = TableType(p.limits(is64), p.reftype())
    init = None
    if p.toks[p.i].kind != RPAREN:  # typed function references: the table's initial element
        init = p.const_expr()
    p.expect_rparen()
    p.module.tables.append(Table(tt, init, span=p.field_span(lp)))


def _parse_memory(p: ModuleParser, lp: int, info: object) -> None:
    idx = info
    assert isinstance(idx, int)
    p.i = lp + 2
    p.take_id()
    p.name_annotation("memories", idx)
    p.inline_exports(ExternKind.MEMORY, idx)
    if p.imported_field(lp, ExternKind.MEMORY, lambda: MemType(p.limits())):
        return
    is64 = p.address_type()
    if p.at_lparen("data"):
        data_lp = p.i
        p.i += 2
        init = p.strings()
        p.expect_rparen()
        p.expect_rparen()
        pages = (len(init) + PAGE_SIZE - 1) // PAGE_SIZE
        p.module.mems.append(Memory(MemType(Limits(pages, pages, is64)), span=p.field_span(lp)))
        span = p.field_span(data_lp)
        offset = [Instr(_I64_CONST if is64 else _I32_CONST, 0, span=span), Instr(_END, span=span)]
        p.module.datas.append(Data(init, "active", idx, offset, span=span))
        return
    limits = p.limits(is64)
    p.expect_rparen()
    p.module.mems.append(Memory(MemType(limits), span=p.field_span(lp)))


def _parse_global(p: ModuleParser, lp: int, info: object) -> None:
    idx = info
    assert isinstance(idx, int)
    p.i = lp + 2
    p.take_id()
    p.name_annotation("globals", idx)
    p.inline_exports(ExternKind.GLOBAL, idx)
    if p.imported_field(lp, ExternKind.GLOBAL, p.global_type):
        return
    gt = p.global_type()
    init = p.const_expr()
    p.expect_rparen()
    p.module.globals.append(Global(gt, init, span=p.field_span(lp)))


def _parse_tag(p: ModuleParser, lp: int, info: object) -> None:
    idx = info
    assert isinstance(idx, int)
    p.i = lp + 2
    p.take_id()
    p.name_annotation("tags", idx)
    p.inline_exports(ExternKind.TAG, idx)
    if p.imported_field(lp, ExternKind.TAG, lambda: p.func_typeuse(None)):
        return
    typeidx = p.func_typeuse(None)
    p.expect_rparen()
    p.module.tags.append(Tag(typeidx, span=p.field_span(lp)))


# --- export, start ------------------------------------------------------------------------


def _parse_export(p: ModuleParser, lp: int, info: object) -> None:
    p.i = lp + 2
    name = p.expect_name()
    p.expect_lparen("an export description")
    entry = p.keyword_in(EXTERN_KINDS, "an export description (func, table, memory, global or tag)")
    idx = p.var(entry[1])
    p.expect_rparen()
    p.expect_rparen()
    p.module.exports.append(Export(name, entry[0], idx, span=p.field_span(lp)))


def _parse_start(p: ModuleParser, lp: int, info: object) -> None:
    p.i = lp + 2
    idx = p.var("func")
    p.expect_rparen()
    if p.module.start is not None:
        raise p.source.error_at("multiple start sections", p.toks[lp])
    p.module.start = idx


# --- elem, data ---------------------------------------------------------------------------


def _scan_segment(space: str) -> Callable[[ModuleParser, int], object]:
    def scan(p: ModuleParser, lp: int) -> object:
        p.i = lp + 2
        return p.ctx.bind(space, p.take_id())

    return scan


def _func_indices(p: ModuleParser) -> list[list[Instr]]:
    toks = p.toks
    out = []
    while toks[p.i].kind == NAT or toks[p.i].kind == ID:
        t = toks[p.i]
        idx = p.var("func")
        span = Span(t.line, t.col, t.line, t.col + len(t.text), p.source.filename)
        out.append([Instr(_REF_FUNC, idx, span=span), Instr(_END, span=span)])
    return out


def _elem_exprs(p: ModuleParser) -> list[list[Instr]]:
    out = []
    while p.toks[p.i].kind == LPAREN:
        if p.at_lparen("item"):
            p.i += 2
            out.append(p.const_expr())
            p.expect_rparen()
        else:
            out.append(p.single_folded())
    return out


def _elem_list(p: ModuleParser) -> tuple[ValType, list[list[Instr]]]:
    t = p.toks[p.i]
    if t.kind == KEYWORD and t.text == "func":
        p.i += 1
        return ValType.FUNCREF, _func_indices(p)
    if t.kind == KEYWORD and t.text in REFTYPES:
        p.i += 1
        return REFTYPES[t.text], _elem_exprs(p)
    if p.at_lparen("ref"):  # `(ref null? heaptype)`
        rt = p.reftype()
        return rt, _elem_exprs(p)
    if t.kind == NAT or t.kind == ID or t.kind == RPAREN:
        return ValType.FUNCREF, _func_indices(p)
    p.unexpected("an element list ('func', a reference type or function indices)")


def _parse_elem(p: ModuleParser, lp: int, info: object) -> None:
    p.i = lp + 2
    p.take_id()
    toks = p.toks
    mode, table, offset = "passive", 0, None
    if p.at_keyword("declare"):
        p.i += 1
        mode = "declarative"
    elif p.at_lparen("table"):
        p.i += 2
        table = p.var("table")
        p.expect_rparen()
        mode, offset = "active", p.offset_expr()
    elif toks[p.i].kind == LPAREN and toks[p.i + 1].text != "ref":  # (not a `(ref ...)` type)
        mode, offset = "active", p.offset_expr()
    written = (toks[p.i].kind == KEYWORD and toks[p.i].text in REFTYPES) or p.at_lparen("ref")
    elemtype, init = _elem_list(p)
    p.expect_rparen()
    seg = Elem(elemtype, init, mode, table, offset, span=p.field_span(lp))
    seg.written_type = written
    p.module.elems.append(seg)


def _parse_data(p: ModuleParser, lp: int, info: object) -> None:
    p.i = lp + 2
    p.take_id()
    mode, memory, offset = "passive", 0, None
    if p.at_lparen("memory"):
        p.i += 2
        memory = p.var("memory")
        p.expect_rparen()
        mode, offset = "active", p.offset_expr()
    elif p.toks[p.i].kind == LPAREN:
        mode, offset = "active", p.offset_expr()
    init = p.strings()
    if p.toks[p.i].kind != RPAREN:
        p.unexpected("a string or ')'")
    p.i += 1
    p.module.datas.append(Data(init, mode, memory, offset, span=p.field_span(lp)))


def _scan_nothing(p: ModuleParser, lp: int) -> None:
    return None


# --- custom sections: `(@custom "name" (after func)? "bytes"*)` (the annotation form) ---

#: section keyword -> section id, in the order sections are written
SECTION_IDS = {
    "type": 1, "import": 2, "func": 3, "table": 4, "memory": 5, "tag": 13, "global": 6, "export": 7,
    "start": 8, "elem": 9, "datacount": 12, "code": 10, "data": 11,
}  # fmt: skip
_SECTION_ORDER = list(SECTION_IDS.values())


def _parse_custom(p: ModuleParser, lp: int, info: object) -> None:
    p.i = lp + 2
    name = p.expect_name()
    after = 11  # default: after the last section
    if p.toks[p.i].kind == LPAREN:
        p.i += 1
        where = p.next()
        place = p.next()
        if where.text not in ("before", "after") or where.kind != KEYWORD:
            p.unexpected("'before' or 'after'", tok=where)
        if place.text == "first" and where.text == "before":
            after = 0
        elif place.text == "last" and where.text == "after":
            after = 11
        elif place.text in SECTION_IDS:
            sid = SECTION_IDS[place.text]
            if where.text == "after":
                after = sid
            else:
                k = _SECTION_ORDER.index(sid)
                after = _SECTION_ORDER[k - 1] if k else 0
        else:
            p.unexpected("a section name", tok=place)
        p.expect_rparen()
    data = p.strings()
    if p.toks[p.i].kind != RPAREN:
        p.unexpected("a string or ')'")
    p.module.customs.append(Custom(name, data, after))


register_field("type", _scan_type, None)
register_field("rec", _scan_rec, None)
register_field("import", _scan_import, _parse_import)
register_field("func", _scan_definition("func"), _parse_func)
register_field("table", _scan_definition("table"), _parse_table)
register_field("memory", _scan_definition("memory"), _parse_memory)
register_field("global", _scan_definition("global"), _parse_global)
register_field("tag", _scan_definition("tag"), _parse_tag)
register_field("export", _scan_nothing, _parse_export)
register_field("start", _scan_nothing, _parse_start)
register_field("elem", _scan_segment("elem"), _parse_elem)
register_field("data", _scan_segment("data"), _parse_data)
register_field("@custom", _scan_nothing, _parse_custom)


def _scan_module_name(p: ModuleParser, lp: int) -> None:
    """`(@name "...")` as a module field: the module's name, only as the first field."""
    if lp != p.first_field:
        raise p.error("misplaced @name annotation (a module's name comes before its fields)", p.toks[lp + 1])
    p.i = lp + 2
    tok = p.toks[p.i]
    if tok.kind != STRING:
        p.unexpected("a name string")
    p.i += 1
    p.module.names.module = string_name(tok, p.source)
    p.expect_rparen()


register_field("@name", _scan_module_name, None)


# --- entry points -------------------------------------------------------------------------


def parse_module(text: str, filename: str | None = None, features: Features | None = None) -> Module:
    """Parse a module: `(module $id? field*)`, or the bare fields without the wrapper.

    `(module binary "...")` is decoded, `(module quote "...")` parsed, as in scripts.
    `features`: the proposals accepted where the text format depends on them (memory64's
    u64 offsets); None accepts every form and leaves the rest to validation.
    """
    tokens = tokenize(text, filename)
    tokens.features = features
    module, end = parse_module_at(tokens, 0, allow_bare=True)
    t = tokens.toks[end]
    if t.kind != EOF:
        raise tokens.source.error_at(f"unexpected token '{t.text}' after the module", t)
    return module


def parse_module_at(tokens: Tokens, i: int, *, allow_bare: bool = False) -> tuple[Module, int]:
    """The module starting at token `i`; returns it and the index after it."""
    toks = tokens.toks
    if toks[i].kind == LPAREN and toks[i + 1].kind == KEYWORD and toks[i + 1].text == "module":
        end = tokens.close[i]
        j = i + 2
        if toks[j].kind == KEYWORD and toks[j].text == "definition":  # 3.0 scripts
            j += 1
        module_id = toks[j] if toks[j].kind == ID else None
        if module_id is not None:
            j += 1
        word = toks[j]
        if word.kind == KEYWORD and word.text in ("binary", "quote"):
            cur = ModuleParser(tokens, j + 1, end)
            data = cur.strings()
            if cur.i != end or toks[end].kind != RPAREN:
                cur.unexpected("a string or ')'")
            module = binary_module(data, word) if word.text == "binary" else quoted_module(data, word, tokens)
            if module_id is not None:
                module.id = module_id.text
            return module, end + 1
        module = ModuleParser(tokens, j, end, module_id).run()
        if toks[end].kind != RPAREN:
            ModuleParser(tokens, end, end).unexpected("')'")
        return module, end + 1
    if not allow_bare:
        p = ModuleParser(tokens, i, i)
        p.unexpected("'(module ...)'")
    stop = tokens.eof
    return ModuleParser(tokens, i, stop).run(), stop


def binary_module(data: bytes, at: Token) -> Module:
    from ..binary import decode  # the binary format is optional for text-only use

    return decode(data)


def quoted_module(data: bytes, at: Token, tokens: Tokens) -> Module:
    try:
        text = data.decode("utf-8")
    except UnicodeDecodeError:
        raise tokens.source.error_at("malformed UTF-8 encoding", at) from None
    filename = f"{tokens.source.filename or '<input>'}:{at.line}:quote"
    return parse_module(text, filename, tokens.features)
