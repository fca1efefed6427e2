"""Module linking in the text format: the syntax of the `wast` crate of wasmtime 0.22's era.

Additions to the module parser (`wasmlab.text.parser`), through its dispatch tables:

- fields `(module $m? (export "n")* (type $t)? field*)` (nested), `(module $m? (export "n")*
  (import "m" "f"?) <module type>)` (imported), `(instance $i? (export "n")* (instantiate
  $m (kind $x)*))`, `(instance $i? (export "n")* (import "m" "f"?) <instance type>)`,
  `(alias $a? (instance $i) (kind $x|N))` and `(alias $a? parent (type|module $x|N))`;
- `(type (module ...))` and `(type (instance ...))`; single-level imports `(import "m" ...)`;
  imports and exports of modules and instances; `(export $i)` (every export of `$i`);
- `$i.$x` wherever an index may be: an alias of the export of instance `$i` whose item the
  instance's module (or type) calls `$x`; a name the enclosing module defines, used in a
  nested module, becomes a parent alias.

A module that uses any of this (and every nested module) is read by `run`, which follows
the `wast` crate (version 27, the encoder of the shared test dumps) step by step, so the
same text gives the same bytes:

1. aliases are made where wast puts them: parent aliases first (by name, last first),
   `$i.$x` aliases right after the definition of `$i` (by export position), an
   `(export $i)` becomes alias/export pairs in its place;
2. indices: type definitions and type aliases first (a module or instance type after
   the types it needs), then imports, aliases, modules and instances in order, then
   definitions;
3. then every field in order; a type a field needs that does not exist yet (interned by
   structure, first one wins) is made then, and a nested module without a declared
   type gets one from its imports and exports (the types it needs first);
4. the binary lists every type first (wast 27 sorted them there). Only when no type had
   to be made and none is used before it is written (as in printed text) do the fields
   keep their written order, so that binary -> text -> binary is the identity.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any

from ..syntax.module import (
    ALIAS_SECTION,
    IMPORT_SECTION,
    INSTANCE_SECTION,
    MODULE_SECTION,
    TYPE_SECTION,
    Alias,
    Export,
    Import,
    InstanceDef,
    Module,
)
from ..syntax.opcodes import BY_NAME
from ..syntax.signatures import InstanceSig, ModuleSig
from ..syntax.types import (
    DefType,
    ExportType,
    ExternKind,
    FuncType,
    ImportType,
    InstanceType,
    MemType,
    ModuleType,
)
from . import parser
from .context import SPACES, ModuleContext, fill_names
from .lexer import ID, KEYWORD, KEYWORDS, LPAREN, NAT, RPAREN, STRING, Token
from .parser import FIELDS, ModuleParser

KEYWORDS.update({"instance", "alias", "parent", "instantiate", "shared", "@name"})
SPACES.update({"module": "module", "instance": "instance"})

#: text namespace <-> external kind
NS_KIND: dict[str, ExternKind] = {
    "func": ExternKind.FUNC,
    "table": ExternKind.TABLE,
    "memory": ExternKind.MEMORY,
    "global": ExternKind.GLOBAL,
    "module": ExternKind.MODULE,
    "instance": ExternKind.INSTANCE,
    "type": ExternKind.TYPE,
}
KIND_NS: dict[ExternKind, str] = {k: ns for ns, k in NS_KIND.items()}
ENTITY_NS = ("func", "table", "memory", "global", "module", "instance")
_ITEM_WORDS = set(ENTITY_NS)


# --- tokens -----------------------------------------------------------------------------------------


def _kw(toks: list[Token], i: int) -> str | None:
    t = toks[i]
    return t.text if t.kind == KEYWORD else None


def _is_lp(toks: list[Token], i: int, word: str | None = None) -> bool:
    return toks[i].kind == LPAREN and (
        word is None or (toks[i + 1].kind == KEYWORD and toks[i + 1].text == word)
    )


@dataclass
class Prefix:
    """`(kw $id? (export "n")* (import "m" "f"?)?` at the head of an item field."""

    id: Token | None
    exports: list[tuple[int, str]]  # (token index of `(export`, name)
    import_at: int | None  # token index of `(import`
    after: int  # index after the prefix (after the import, if any)


def read_prefix(p: ModuleParser, lp: int) -> Prefix:
    toks = p.toks
    i = lp + 2
    tok = toks[i] if toks[i].kind == ID else None
    if tok is not None:
        i += 1
    exports = []
    while _is_lp(toks, i, "export") and toks[i + 2].kind == STRING and p.close.get(i) == i + 3:
        p.i = i + 2
        exports.append((i, p.expect_name()))
        i = p.close[i] + 1
    import_at = None
    if _is_lp(toks, i, "import") and _names_only(p, i):
        import_at = i
        i = p.close[i] + 1
    return Prefix(tok, exports, import_at, i)


def _names_only(p: ModuleParser, lp: int) -> bool:
    """`(import "m" "f"?)`: an inline import (not an import field inside a nested module)."""
    toks = p.toks
    end = p.close.get(lp, lp)
    return end - lp in (3, 4) and all(toks[k].kind == STRING for k in range(lp + 2, end))


def _is_typeuse(p: ModuleParser, i: int) -> bool:
    """`(type X)` with nothing else: a type use, not a type definition."""
    toks = p.toks
    return _is_lp(toks, i, "type") and toks[i + 2].kind in (ID, NAT) and toks[i + 3].kind == RPAREN


def needs_linking(p: ModuleParser) -> bool:
    """Whether the module's fields use module linking (a nested module always does)."""
    if p.parent is not None:
        return True
    toks, close = p.toks, p.close
    i = p.i
    while i < p.stop and toks[i].kind == LPAREN:
        kw = _kw(toks, i + 1)
        if kw in ("module", "instance", "alias"):
            return True
        j = i + 2
        if kw == "type":
            if toks[j].kind == ID:
                j += 1
            if toks[j].kind == LPAREN and _kw(toks, j + 1) in ("module", "instance"):
                return True
        elif kw == "import":
            if toks[j].kind == STRING and toks[j + 1].kind != STRING:
                return True
            k = j + 2
            if toks[k].kind == LPAREN and _kw(toks, k + 1) in ("module", "instance"):
                return True
        elif kw == "export":
            if toks[j].kind == ID:
                return True
            k = j + 1
            if toks[k].kind == LPAREN and _kw(toks, k + 1) in ("module", "instance"):
                return True
        elif kw in ("func", "table", "memory", "global"):
            while toks[j].kind in (ID,) or _is_lp(toks, j, "export"):
                j = close[j] + 1 if toks[j].kind == LPAREN else j + 1
            if _is_lp(toks, j, "import") and toks[j + 3].kind != STRING:
                return True
        i = close.get(i, p.stop) + 1
    return False


# --- what names a module refers to (the wast expander's "missing names") -------------------

#: immediate kind of the opcode table -> the index space its `$id` names
_IMM_NS = {
    "func": "func",
    "global": "global",
    "table": "table",
    "call_indirect": "table",
    "table_copy": "table",
    "table_init": "table",
    "memarg": "memory",
    "memarg_lane": "memory",
    "memory": "memory",
    "memory_init": "memory",
}


def scan_refs(p: ModuleParser, lo: int, hi: int) -> set[tuple[str, str]]:
    """(`$id`, namespace) of every reference in the module fields between token indices,
    not looking into nested modules (an imported module's type is looked into)."""
    toks, close = p.toks, p.close
    refs: set[tuple[str, str]] = set()
    stack: list[tuple[str | None, int]] = []  # (keyword of the open paren, its token index)
    i = lo
    while i < hi:
        t = toks[i]
        kind = t.kind
        if kind == LPAREN:
            kw = _kw(toks, i + 1)
            if len(stack) == 0 and kw == "module" and not _module_field_is_import(p, i):
                i = close.get(i, hi) + 1  # a nested module: its own names
                continue
            stack.append((kw, i))
            i += 2 if kw is not None else 1
            continue
        if kind == RPAREN:
            if stack:
                stack.pop()
            i += 1
            continue
        if kind == ID:
            ns = _ref_ns(toks, stack, i)
            if ns is not None:
                refs.add((t.text, ns))
        i += 1
    return refs


def _module_field_is_import(p: ModuleParser, lp: int) -> bool:
    return read_prefix(p, lp).import_at is not None


def _ref_ns(toks: list[Token], stack: list[tuple[str | None, int]], i: int) -> str | None:
    if not stack:
        return None
    kw, lp = stack[-1]
    depth = len(stack)
    first = i == lp + 2
    outer = stack[-2][0] if depth >= 2 else None
    if outer == "alias" or kw == "alias":
        return None  # (wast records no names an alias uses)
    if kw == "type":
        return "type" if depth > 1 else None  # `(type $t)` as a type use; a definition at the top
    if kw == "export":
        if depth == 1 and first:
            return "instance"  # `(export $i)`: every export of instance $i
        if first and outer == "module":
            return "type"  # in a module type, `(export $t)`: every export of instance type $t
        return None
    if kw == "start":
        return "func"
    if kw == "instantiate":
        return "module" if first else None
    if kw in _ITEM_WORDS:
        if first:
            if (outer == "export" and depth == 2) or outer == "instantiate":
                return kw
            if outer == "elem" and kw == "table":
                return "table"
            if outer == "data" and kw == "memory":
                return "memory"
            return None  # a definition (or an item of a type)
    if kw == "elem" and (outer == "table" or (not first and toks[i - 1].kind != KEYWORD)):
        return "func"  # an element list of function indices
    # an instruction's immediate: find the instruction keyword before it
    j = i - 1
    while toks[j].kind in (ID, NAT):
        j -= 1
    word = toks[j].text if toks[j].kind == KEYWORD else None
    if word == "func" and kw in ("elem", "table"):
        return "func"
    if word in ("elem",) and kw == "table":
        return "func"
    op = BY_NAME.get(word or "")
    if op is not None:
        return _IMM_NS.get(op.imm)
    return None


# --- what instances export, for `$i.$x` and `(export $i)` ----------------------------------------


@dataclass
class ExportInfo:
    """The exports of a module or instance: (`$id` of the item, namespace) -> export
    position, and (export name, namespace) by position."""

    by_id: dict[tuple[str, str], int] = field(default_factory=dict)
    names: list[tuple[str, str]] = field(default_factory=list)

    def add(self, name: str, ns: str, ident: str | None) -> None:
        if ident is not None:
            self.by_id[(ident, ns)] = len(self.names)
        self.names.append((name, ns))


def exports_of_type(p: ModuleParser, lo: int, hi: int) -> ExportInfo:
    """The `(export "n" (kind $id? ...))` entries of an inline module or instance type."""
    toks, close = p.toks, p.close
    info = ExportInfo()
    i = lo
    while i < hi and toks[i].kind == LPAREN:
        if _kw(toks, i + 1) == "export" and toks[i + 2].kind == STRING:
            p.i = i + 2
            name = p.expect_name()
            j = p.i
            if toks[j].kind == LPAREN and _kw(toks, j + 1) in _ITEM_WORDS:
                ns = toks[j + 1].text
                ident = toks[j + 2].text if toks[j + 2].kind == ID else None
                info.add(name, ns, ident)
        i = close.get(i, hi) + 1
    return info


def exports_of_module(p: ModuleParser, lp: int) -> ExportInfo:
    """The exports of a nested inline module, as its fields write them (explicit exports
    and the inline `(export "n")` of named items, in order)."""
    toks, close = p.toks, p.close
    pre = read_prefix(p, lp)
    i = pre.after
    if _is_typeuse(p, i):
        i = close[i] + 1
    end = close[lp]
    info = ExportInfo()
    while i < end and toks[i].kind == LPAREN:
        kw = _kw(toks, i + 1)
        if kw == "export" and toks[i + 2].kind == STRING:
            p.i = i + 2
            name = p.expect_name()
            j = p.i
            if toks[j].kind == LPAREN and _kw(toks, j + 1) in _ITEM_WORDS:
                ns = toks[j + 1].text
                ref = toks[j + 2]
                info.add(name, ns, ref.text if ref.kind == ID else None)
        elif kw in _ITEM_WORDS:
            inner = read_prefix(p, i)
            for _, name in inner.exports:
                info.add(name, kw, inner.id.text if inner.id is not None else None)
        i = close.get(i, end) + 1
    return info


# --- the module context with interned types ------------------------------------------------------


class LinkingContext(ModuleContext):
    """Index spaces plus types interned by structure (wast's `key_to_idx`): `canon[i]` is
    the canonical form of type `i`; `interned` maps a canonical type to the first index
    defined or made with it (aliased types are not interned, as in wast)."""

    def __init__(self, source: Any, parent: LinkingContext | None) -> None:
        super().__init__(source)
        self.parent = parent
        self.canon: list[Any] = []
        self.interned: dict[Any, int] = {}
        self.items: dict[str, list[Any]] = {ns: [] for ns in ENTITY_NS}
        #: per type: the entry it was made for (it goes before that entry); None: in order
        self.type_anchor: list[int | None] = []
        self.anchor: int | None = None  # the entry being read (set by the driver)

    def bind(self, key: str, tok: Token | None) -> int:
        idx = super().bind(key, tok)
        items = self.items.get(key)
        if items is not None:
            items.append(None)
        return idx

    # --- types -------------------------------------------------------------------------------

    def entity_canon(self, kind: ExternKind, desc: Any) -> Any:
        if kind in (ExternKind.FUNC, ExternKind.MODULE, ExternKind.INSTANCE):
            if isinstance(desc, int) and 0 <= desc < len(self.canon):
                return kind, self.canon[desc]
            return kind, ("unknown type", desc)
        return kind, desc

    def canonical_of(self, t: DefType) -> Any:
        if isinstance(t, InstanceType):
            return InstanceSig(tuple((e.name, self.entity_canon(e.kind, e.desc)) for e in t.exports))
        if isinstance(t, ModuleType):
            imports = tuple((i.module, i.name, self.entity_canon(i.kind, i.desc)) for i in t.imports)
            exports = tuple((e.name, self.entity_canon(e.kind, e.desc)) for e in t.exports)
            return ModuleSig(imports, exports)
        return t

    def _push_type(self, t: Any, c: Any, tok: Token | None, anchor: int | None) -> int:
        idx = super().bind("type", tok)
        self.types.append(t)
        self.canon.append(c)
        self.type_anchor.append(anchor)
        return idx

    def define_type(self, tok: Token | None, deftype: DefType) -> int:
        c = self.canonical_of(deftype)
        idx = self._push_type(deftype, c, tok, self.anchor)
        self.interned.setdefault(c, idx)
        return idx

    def alias_type(self, tok: Token | None, obj: Any, c: Any) -> int:
        return self._push_type(obj, c, tok, self.anchor)

    def desc_for(self, kind: ExternKind, t: Any) -> Any:
        if kind in (ExternKind.FUNC, ExternKind.MODULE, ExternKind.INSTANCE):
            return self.intern(t)
        return t

    def intern_entity(self, e: Any) -> None:
        """Make the types an item's type needs (wast's `copy_item_from_module`)."""
        kind, t = e
        if kind in (ExternKind.FUNC, ExternKind.MODULE, ExternKind.INSTANCE):
            self.intern(t)

    def intern(self, c: Any) -> int:
        """The index of canonical type `c`, made (after the types it needs) when new."""
        known = self.interned.get(c)
        if known is not None:
            return known
        if isinstance(c, InstanceSig):
            exports = tuple(ExportType(n, k, self.desc_for(k, t)) for n, (k, t) in c.exports)
            t: Any = InstanceType(exports)
        elif isinstance(c, ModuleSig):
            # wast copies (and expands) a module type's exports before its imports
            exports = tuple(ExportType(n, k, self.desc_for(k, t)) for n, (k, t) in c.exports)
            imports = tuple(ImportType(m, f, k, self.desc_for(k, t)) for m, f, (k, t) in c.imports)
            t = ModuleType(imports, exports)
        elif isinstance(c, FuncType):
            t = c
        else:
            raise self.source.error(f"cannot use the type {c!r} here", 1, 1)
        idx = self._push_type(t, c, None, self.anchor)
        self.interned[c] = idx
        return idx

    def implicit_type(self, ft: FuncType) -> int:
        return self.intern(ft)


# --- type uses and item signatures ---------------------------------------------------------------------


def skip_annotations(p: ModuleParser) -> None:
    """`(@name "...")` and other annotations inside an item signature are ignored."""
    toks = p.toks
    while toks[p.i].kind == LPAREN and toks[p.i + 1].text.startswith("@"):
        p.i = p.close[p.i] + 1


def memory_type(p: ModuleParser) -> MemType:
    limits = p.limits()
    shared = False
    if p.at_keyword("shared"):
        p.i += 1
        shared = True
    return MemType(limits, shared)


def _lctx(p: ModuleParser) -> LinkingContext:
    ctx = p.ctx
    if not isinstance(ctx, LinkingContext):  # a 2.0 module met a module-linking form
        raise p.error("module linking forms need a module-linking module")
    return ctx


def type_use(p: ModuleParser, word: str) -> int:
    """`(type X)` or an inline module (`word` "module") or instance type: a type index."""
    ctx = _lctx(p)
    if _is_typeuse(p, p.i):
        p.i += 2
        idx = p.var("type")
        p.expect_rparen()
        return idx
    t = module_type_body(p) if word == "module" else instance_type_body(p)
    return ctx.intern(ctx.canonical_of(t))


def item_sig(p: ModuleParser) -> tuple[ExternKind, Any]:
    """`(func|table|memory|global|module|instance $id? ...)` inside a type or an import."""
    p.expect_lparen("an item: func, table, memory, global, module or instance")
    kw = p.next()
    if kw.kind != KEYWORD or kw.text not in _ITEM_WORDS:
        p.unexpected("func, table, memory, global, module or instance", tok=kw)
    p.take_id()
    skip_annotations(p)
    word = kw.text
    kind = NS_KIND[word]
    if word == "func":
        desc: Any = p.func_typeuse(None)
    elif word == "table":
        desc = p.table_type()
    elif word == "memory":
        desc = memory_type(p)
    elif word == "global":
        desc = p.global_type()
    else:
        desc = type_use(p, word)
    skip_annotations(p)
    p.expect_rparen()
    return kind, desc


def instance_type_body(p: ModuleParser) -> InstanceType:
    """`(export "n" item)*` up to the closing `)`."""
    exports = []
    while p.at_lparen("export"):
        p.i += 2
        name = p.expect_name()
        kind, desc = item_sig(p)
        p.expect_rparen()
        exports.append(ExportType(name, kind, desc))
    if p.toks[p.i].kind != RPAREN:
        p.unexpected("an export of the instance type or ')'")
    return InstanceType(tuple(exports))


def module_type_body(p: ModuleParser) -> ModuleType:
    """`(import "m" "f"? item)* (export "n" item)* (export $instancetype)*` up to the `)`:
    as wast, the exports (then the exports of the named instance types) are read before
    the imports, so the types they need come first."""
    toks, close = p.toks, p.close
    ctx = _lctx(p)
    imports_at: list[int] = []
    exports_at: list[int] = []
    export_all: list[Token] = []
    i = p.i
    while toks[i].kind == LPAREN:
        kw = _kw(toks, i + 1)
        if kw == "import":
            imports_at.append(i)
        elif kw == "export" and toks[i + 2].kind == ID and toks[i + 3].kind == RPAREN:
            export_all.append(toks[i + 2])
        elif kw == "export":
            exports_at.append(i)
        else:
            p.i = i
            p.unexpected("an import or export of the module type")
        i = close[i] + 1
    if toks[i].kind != RPAREN:
        p.i = i
        p.unexpected("an import, an export or ')'")
    end = i
    exports: list[ExportType] = []
    for at in exports_at:
        p.i = at + 2
        name = p.expect_name()
        kind, desc = item_sig(p)
        p.expect_rparen()
        exports.append(ExportType(name, kind, desc))
    for tok in export_all:
        idx = ctx.resolve("type", tok)
        c = ctx.canon[idx] if idx < len(ctx.canon) else None
        if not isinstance(c, InstanceSig):
            raise p.error("failed to find instance type to inline exports from", tok)
        exports.extend(ExportType(n, k, ctx.desc_for(k, t)) for n, (k, t) in c.exports)
    imports: list[ImportType] = []
    for at in imports_at:
        p.i = at + 2
        module = p.expect_name()
        name = p.optional_name()
        kind, desc = item_sig(p)
        p.expect_rparen()
        imports.append(ImportType(module, name, kind, desc))
    p.i = end
    return ModuleType(tuple(imports), tuple(exports))


def _module_deftype(p: ModuleParser) -> ModuleType:
    return module_type_body(p)


def _instance_deftype(p: ModuleParser) -> InstanceType:
    return instance_type_body(p)


# --- the driver --------------------------------------------------------------------------------------------


@dataclass
class Entry:
    """One field of the module in wast's final order, or an alias/export it made."""

    lp: int | None  # the field's `(`; None for made entries
    kw: str  # field keyword, or "alias"/"export" for made entries
    alias: tuple[str | None, str, Token | None, Any] | None = None  # (id, ns, instance tok | None, target)
    export: tuple[str, str, int] | None = None  # (name, ns, entry number of its alias)
    section: int | None = None  # the initial section it belongs to
    typeish: bool = False  # a type definition or type alias (indexed before everything else)
    bound: tuple[str, int] | None = None  # (namespace, index) it defines
    info: Any = None  # what the field's scan returned
    order: float = 0.0  # textual position (exports are kept in this order)


class Linking:
    """The module-linking state of one module parser (`p.linking`)."""

    def __init__(self, p: ModuleParser) -> None:
        self.p = p
        self.module_exports: dict[str, ExportInfo] = {}
        self.instance_exports: dict[str, ExportInfo] = {}
        self.defined: set[tuple[str, str]] = set()
        self.entries: list[Entry] = []
        self.export_order: list[float] = []
        self.signature_events: list[tuple[str, int]] = []  # ("import"|"export", n) in field order


def _entry_for_field(p: ModuleParser, lp: int, kw: str, k: int) -> Entry:
    toks = p.toks
    e = Entry(lp, kw, order=float(k))
    if kw == "type":
        e.section, e.typeish = TYPE_SECTION, True
    elif kw == "import":
        e.section = IMPORT_SECTION
    elif kw == "alias":
        e.section = ALIAS_SECTION
        i = lp + 2 + (1 if toks[lp + 2].kind == ID else 0)
        if _kw(toks, i) == "parent":
            i += 1
        elif toks[i].kind == LPAREN:
            i = p.close[i] + 1
        e.typeish = toks[i].kind == LPAREN and _kw(toks, i + 1) == "type"
    elif kw in ("module", "instance", "func", "table", "memory", "global"):
        pre = read_prefix(p, lp)
        if pre.import_at is not None:
            e.section = IMPORT_SECTION
        elif kw == "module":
            e.section = MODULE_SECTION
        elif kw == "instance":
            e.section = INSTANCE_SECTION
    return e


def _defined_names(p: ModuleParser, entries: list[Entry]) -> set[tuple[str, str]]:
    toks = p.toks
    out: set[tuple[str, str]] = set()
    for e in entries:
        if e.lp is None:
            continue
        lp, kw = e.lp, e.kw
        if kw in ("type", "func", "table", "memory", "global", "module", "instance"):
            if toks[lp + 2].kind == ID:
                out.add((toks[lp + 2].text, kw))
        elif kw == "import":
            p.i = lp + 2
            p.expect_name()
            p.optional_name()
            j = p.i
            if toks[j].kind == LPAREN and _kw(toks, j + 1) in _ITEM_WORDS and toks[j + 2].kind == ID:
                out.add((toks[j + 2].text, toks[j + 1].text))
        elif kw == "alias":
            ns = _alias_ns(p, lp)
            if toks[lp + 2].kind == ID and ns is not None:
                out.add((toks[lp + 2].text, ns))
    return out


def _alias_ns(p: ModuleParser, lp: int) -> str | None:
    toks = p.toks
    i = lp + 2 + (1 if toks[lp + 2].kind == ID else 0)
    if _kw(toks, i) == "parent":
        i += 1
    elif toks[i].kind == LPAREN:
        i = p.close[i] + 1
    if toks[i].kind == LPAREN:
        kw = _kw(toks, i + 1)
        return kw if kw in NS_KIND else None
    return None


def _split(name: str) -> tuple[str, str] | None:
    """`$a.$b` -> ("a", "b")."""
    body = name[1:]
    k = body.find(".")
    if k < 0 or not body[k + 1 :].startswith("$"):
        return None
    return body[:k], body[k + 2 :]


def _instance_info(st: Linking, p: ModuleParser, e: Entry) -> tuple[Token, ExportInfo] | None:
    """For a field that defines a named instance wast can see into: its name and exports."""
    toks = p.toks
    lp = e.lp
    if lp is None:
        return None
    if e.kw == "import":
        p.i = lp + 2
        p.expect_name()
        p.optional_name()
        j = p.i
        if _is_lp(toks, j, "instance") and toks[j + 2].kind == ID and not _is_typeuse(p, j + 3):
            return toks[j + 2], exports_of_type(p, j + 3, p.close[j])
        return None
    if e.kw == "instance":
        pre = read_prefix(p, lp)
        if pre.id is None:
            return None
        if pre.import_at is not None:
            if _is_typeuse(p, pre.after):
                return None
            return pre.id, exports_of_type(p, pre.after, p.close[lp])
        if _is_lp(toks, pre.after, "instantiate") and toks[pre.after + 2].kind == ID:
            info = st.module_exports.get(toks[pre.after + 2].text)
            if info is not None:
                return pre.id, info
    return None


def _discover_modules(st: Linking, p: ModuleParser, entries: list[Entry]) -> None:
    toks = p.toks
    for e in entries:
        lp = e.lp
        if lp is None:
            continue
        if e.kw == "module":
            pre = read_prefix(p, lp)
            if pre.id is None:
                continue
            if pre.import_at is None:
                st.module_exports[pre.id.text] = exports_of_module(p, lp)
            elif not _is_typeuse(p, pre.after):
                st.module_exports[pre.id.text] = exports_of_type(p, pre.after, p.close[lp])
        elif e.kw == "import":
            p.i = lp + 2
            p.expect_name()
            p.optional_name()
            j = p.i
            if _is_lp(toks, j, "module") and toks[j + 2].kind == ID and not _is_typeuse(p, j + 3):
                st.module_exports[toks[j + 2].text] = exports_of_type(p, j + 3, p.close[j])


def _expand(p: ModuleParser, st: Linking, entries: list[Entry], stop: int) -> list[Entry]:
    """wast's expander: parent aliases, `$i.$x` aliases, `(export $i)`."""
    toks = p.toks
    defined = _defined_names(p, entries)
    lo = entries[0].lp if entries and entries[0].lp is not None else p.i
    refs = scan_refs(p, lo, stop)
    _discover_modules(st, p, entries)
    out: list[Entry] = []
    parent = p.parent
    if parent is not None:
        pst: Linking = parent.linking
        pctx = parent.ctx
        wanted = sorted(
            (
                key
                for key in refs
                if key not in defined and key[1] in NS_KIND and key[0] in pctx.spaces[key[1]].names
            ),
            key=lambda key: key[0],
        )
        front: list[Entry] = []
        for name, ns in wanted:
            e = Entry(
                None, "alias", alias=(name, ns, None, name), section=ALIAS_SECTION, typeish=ns == "type"
            )
            front.insert(0, e)
            defined.add((name, ns))
            if ns == "module" and name in pst.module_exports:
                st.module_exports[name] = pst.module_exports[name]
            elif ns == "instance" and name in pst.instance_exports:
                st.instance_exports[name] = pst.instance_exports[name]
        out.extend(front)
    missing: dict[str, dict[tuple[str, str], str]] = {}
    for name, ns in refs:
        parts = _split(name)
        if parts is not None:
            missing.setdefault(parts[0], {})[(parts[1], ns)] = name
    for e in entries:
        out.append(e)
        found = _instance_info(st, p, e)
        if found is None:
            continue
        tok, info = found
        st.instance_exports.setdefault(tok.text, info)
        wanted_here = missing.get(tok.text[1:], {})
        adds = []
        for (item, ns), full in wanted_here.items():
            if (full, ns) in defined:
                continue
            pos = info.by_id.get(("$" + item, ns))
            if pos is not None:
                adds.append((pos, full, ns))
        for pos, full, ns in sorted(adds):
            defined.add((full, ns))
            out.append(
                Entry(
                    None,
                    "alias",
                    alias=(full, ns, tok, pos),
                    section=ALIAS_SECTION,
                    typeish=ns == "type",
                    order=e.order,
                )  # fmt: skip
            )
    st.defined = defined
    final: list[Entry] = []
    for e in out:  # `(export $i)`, once every instance is known
        if e.kw == "export" and e.lp is not None and toks[e.lp + 2].kind == ID:
            final.extend(_export_all(p, st, e))
        else:
            final.append(e)
    return final


def _export_all(p: ModuleParser, st: Linking, e: Entry) -> list[Entry]:
    assert e.lp is not None
    tok = p.toks[e.lp + 2]
    info = st.instance_exports.get(tok.text)
    if info is None:
        raise p.error("failed to find instance to inline exports", tok)
    out = []
    for k, (name, ns) in enumerate(info.names):
        out.append(Entry(None, "alias", alias=(None, ns, tok, k), section=ALIAS_SECTION, order=e.order))
        out.append(
            Entry(None, "export", export=(name, ns, -1), order=e.order + (k + 1) / (len(info.names) + 2))
        )
    return out


def wants(p: ModuleParser) -> bool:
    return needs_linking(p)


def run(p: ModuleParser) -> Module:
    """Parse a module that uses module linking (see the module docstring)."""
    toks, close = p.toks, p.close
    parent_ctx = p.parent.ctx if p.parent is not None else None
    ctx = LinkingContext(p.source, parent_ctx if isinstance(parent_ctx, LinkingContext) else None)
    p.ctx = ctx
    st = Linking(p)
    p.linking = st  # type: ignore[attr-defined]

    # the fields, as written
    fields: list[Entry] = []
    i = p.i
    stray: Token | None = None
    last_definition: str | None = None
    k = 0
    while i < p.stop:
        t = toks[i]
        if t.kind != LPAREN:
            stray = t
            break
        kw = toks[i + 1]
        if kw.kind != KEYWORD or kw.text not in FIELDS:
            stray = kw
            break
        e = _entry_for_field(p, i, kw.text, k)
        if e.section == IMPORT_SECTION and last_definition is not None:
            raise p.source.error_at(f"import after {last_definition} definition", t)
        if e.section is None and kw.text in ("func", "table", "memory", "global"):
            last_definition = {"func": "function"}.get(kw.text, kw.text)
        fields.append(e)
        i = close[i] + 1
        k += 1
    if stray is not None:
        p.unexpected("a module field", tok=stray)

    entries = _expand(p, st, fields, p.stop)
    st.entries = entries

    # indices: types, then the other initial sections' items, then definitions
    for n, e in enumerate(entries):
        if e.typeish:
            ctx.anchor = n
            _scan_entry(p, st, e, FIELDS)
    for n, e in enumerate(entries):
        if not e.typeish and e.section is not None:
            ctx.anchor = n
            _scan_entry(p, st, e, FIELDS)
    for n, e in enumerate(entries):
        if e.section is None:
            ctx.anchor = n
            _scan_entry(p, st, e, FIELDS)

    p.finish_types()  # (type definitions the scan left to read once every name is bound)

    # every field, in order
    for n, e in enumerate(entries):
        ctx.anchor = n
        _parse_entry(p, st, e, n, FIELDS)
    ctx.anchor = None
    return _finish(p, st)


def _scan_entry(p: ModuleParser, st: Linking, e: Entry, fields: dict[str, Any]) -> None:
    ctx: LinkingContext = p.ctx  # type: ignore[assignment]
    if e.lp is None:
        if e.alias is not None:
            ident, ns, inst_tok, target = e.alias
            tok = _fake_id(p, ident) if ident else None
            if ns == "type":
                parent = ctx.parent
                if parent is None:
                    idx = ctx.alias_type(tok, None, ("unknown type", target))
                else:
                    pidx = parent.spaces["type"].names.get(target) if isinstance(target, str) else target
                    obj = parent.types[pidx] if pidx is not None and pidx < len(parent.types) else None
                    c = parent.canon[pidx] if pidx is not None and pidx < len(parent.canon) else None
                    idx = ctx.alias_type(tok, obj, c)
            else:
                idx = ctx.bind(ns, tok)
            e.bound = (ns, idx)
        return
    before = {ns: ctx.spaces[ns].count for ns in ("type", *ENTITY_NS)}
    p.i = e.lp
    e.info = fields[e.kw].scan(p, e.lp)
    for ns in ENTITY_NS:
        if ctx.spaces[ns].count != before[ns]:
            e.bound = (ns, before[ns])
    if e.typeish and ctx.spaces["type"].count != before["type"]:
        e.bound = ("type", ctx.spaces["type"].count - 1)  # (the types it needs come before)


def _fake_id(p: ModuleParser, text: str) -> Token:
    return Token(ID, text, p.toks[p.i].line, p.toks[p.i].col, p.toks[p.i].pos)


def _parse_entry(p: ModuleParser, st: Linking, e: Entry, n: int, fields: dict[str, Any]) -> None:
    m = p.module
    n_imports, n_exports = len(m.imports), len(m.exports)
    if e.lp is None:
        if e.alias is not None:
            _make_alias(p, e)
        elif e.export is not None:
            name, ns, _ = e.export
            alias_entry = _made_alias_before(st, e)
            assert alias_entry.bound is not None
            m.exports.append(Export(name, NS_KIND[ns], alias_entry.bound[1]))
            st.export_order.append(e.order)
            st.signature_events.append(("export", len(m.exports) - 1))
    else:
        parse = fields[e.kw].parse
        if parse is not None:
            p.i = e.lp
            parse(p, e.lp, e.info)
        for k in range(n_imports, len(m.imports)):
            st.signature_events.append(("import", k))
        for k in range(n_exports, len(m.exports)):
            st.export_order.append(e.order + (k - n_exports + 1) / (len(m.exports) - n_exports + 2))
            st.signature_events.append(("export", k))
    _fill_entity(p, e, n_imports)


def _made_alias_before(st: Linking, e: Entry) -> Entry:
    k = st.entries.index(e)
    return st.entries[k - 1]


def _make_alias(p: ModuleParser, e: Entry) -> None:
    ctx: LinkingContext = p.ctx  # type: ignore[assignment]
    assert e.alias is not None
    ident, ns, inst_tok, target = e.alias
    kind = NS_KIND[ns]
    if inst_tok is None:  # a parent alias, by name
        parent = ctx.parent
        index = parent.spaces[ns].names.get(target, 0) if parent is not None else 0
        p.module.aliases.append(Alias(kind, None, index, id=ident))
        return
    instance = ctx.resolve("instance", inst_tok)
    p.module.aliases.append(Alias(kind, instance, int(target), id=ident))


def _fill_entity(p: ModuleParser, e: Entry, n_imports: int) -> None:
    """Record the (canonical) type of the item the entry defined."""
    ctx: LinkingContext = p.ctx  # type: ignore[assignment]
    if e.bound is None:
        return
    ns, idx = e.bound
    if ns == "type":
        return
    m = p.module
    t: Any = None
    if e.section == IMPORT_SECTION and len(m.imports) > n_imports:
        imp = m.imports[-1]
        t = ctx.entity_canon(imp.kind, imp.desc)[1]
    elif e.kw == "alias" or e.alias is not None:
        a = p.module.aliases[-1]
        if a.instance is None:
            parent = ctx.parent
            if parent is not None and ns in parent.items and a.index < len(parent.items[ns]):
                t = parent.items[ns][a.index]
        else:
            insts = ctx.items["instance"]
            sig = insts[a.instance] if 0 <= a.instance < len(insts) else None
            if isinstance(sig, InstanceSig) and 0 <= a.index < len(sig.exports):
                kind, t = sig.exports[a.index][1]
                if kind is not a.kind:
                    t = None
    elif e.kw == "module":
        mt = m.modules[-1].module_type if m.modules else None
        # an unknown type index is the validator's to report (`unknown type`), not an IndexError here
        sig = ctx.canon[mt] if mt is not None and 0 <= mt < len(ctx.canon) else None
        t = sig if isinstance(sig, ModuleSig) else None
    elif e.kw == "instance":
        d = m.instances[-1]
        mods = ctx.items["module"]
        sig = mods[d.module] if isinstance(d.module, int) and 0 <= d.module < len(mods) else None
        t = sig.instance if isinstance(sig, ModuleSig) else None
    elif e.kw == "func" and m.funcs:
        ft = m.funcs[-1].type
        t = ctx.canon[ft] if 0 <= ft < len(ctx.canon) else None
    elif e.kw == "table" and m.tables:
        t = m.tables[-1].type
    elif e.kw == "memory" and m.mems:
        t = m.mems[-1].type
    elif e.kw == "global" and m.globals:
        t = m.globals[-1].type
    if idx < len(ctx.items[ns]):
        ctx.items[ns][idx] = t


def _finish(p: ModuleParser, st: Linking) -> Module:
    ctx: LinkingContext = p.ctx  # type: ignore[assignment]
    m = p.module
    m.types = ctx.types
    if p.uses_data_index and m.datas:
        m.data_count = len(m.datas)
    fill_names(m.names, ctx, p.func_contexts)
    # exports in the order they are written (inline ones where their item is)
    order = sorted(range(len(m.exports)), key=lambda k: st.export_order[k] if k < len(st.export_order) else k)
    remap = {old: new for new, old in enumerate(order)}
    m.exports = [m.exports[k] for k in order]
    st.signature_events = [(w, remap[k] if w == "export" else k) for w, k in st.signature_events]
    layout = _layout(p, st)
    m.initial_sections = [] if layout == m.initial_sections_or_default() else layout
    return m


def _layout(p: ModuleParser, st: Linking) -> list[tuple[int, int]]:
    """The initial sections: as the wast crate (version 27) wrote them, every type (and
    type alias) first, in index order, then imports, modules, instances and aliases in
    field order. When every type was written out (none had to be made, as in printed
    text) and none is used before it is defined, the fields keep their written order
    instead, so binary -> text -> binary gives the same bytes."""
    ctx: LinkingContext = p.ctx  # type: ignore[assignment]
    m = p.module
    entries = st.entries
    n_types = len(ctx.types)
    if not (m.aliases or m.modules or m.instances):
        return _runs([TYPE_SECTION] * n_types + [IMPORT_SECTION] * len(m.imports))
    own: dict[int, int] = {}  # entry number -> the type index it defines itself
    for n, e in enumerate(entries):
        if e.typeish and e.bound is not None and e.bound[0] == "type":
            own[n] = e.bound[1]
    owned = set(own.values())
    type_aliases = {own[n] for n, e in enumerate(entries) if n in own and (e.kw == "alias" or e.lp is None)}
    types_first = [(ALIAS_SECTION if i in type_aliases else TYPE_SECTION, i) for i in range(n_types)]
    others = [(e.section, None) for e in entries if e.section is not None and not e.typeish]
    made = [
        idx for idx, anchor in enumerate(ctx.type_anchor)
        if idx not in owned and (anchor is None or not entries[anchor].typeish)
    ]  # fmt: skip
    if made:
        return _runs([sid for sid, _ in types_first + others])
    before: dict[int, list[int]] = {}
    for idx, anchor in enumerate(ctx.type_anchor):
        if idx not in owned and anchor is not None:
            before.setdefault(anchor, []).append(idx)  # needed by a type definition
    seq: list[tuple[int, int | None]] = []
    defined = 0
    forward = False
    imports = iter(m.imports)
    modules = iter(m.modules)
    for n, e in enumerate(entries):
        for idx in before.get(n, []):
            seq.append((TYPE_SECTION, idx))
        if n in own:
            seq.append((ALIAS_SECTION if own[n] in type_aliases else TYPE_SECTION, own[n]))
        elif e.section is not None:
            seq.append((e.section, None))
            used = None
            if e.section == IMPORT_SECTION:
                imp = next(imports, None)
                if imp is not None and imp.kind in (ExternKind.FUNC, ExternKind.MODULE, ExternKind.INSTANCE):
                    used = imp.desc
            elif e.section == MODULE_SECTION:
                nested = next(modules, None)
                used = nested.module_type if nested is not None else None
            if isinstance(used, int) and used >= sum(1 for _, i in seq if i is not None):
                forward = True
        defined = sum(1 for _, i in seq if i is not None)
    indices = [idx for _, idx in seq if idx is not None]
    if forward or indices != list(range(n_types)) or defined != n_types:
        seq = types_first + others  # type: ignore[assignment]
    return _runs([sid for sid, _ in seq])


def _runs(seq: list[int]) -> list[tuple[int, int]]:
    out: list[tuple[int, int]] = []
    for sid in seq:
        if out and out[-1][0] == sid:
            out[-1] = (sid, out[-1][1] + 1)
        else:
            out.append((sid, 1))
    return out


__all__ = ["LinkingContext", "needs_linking", "run", "wants"]


# --- fields: module, instance, alias; imports and exports of modules and instances ------------------


def _prefix_exports(p: ModuleParser, pre: Prefix, kind: ExternKind, idx: int) -> None:
    for at, name in pre.exports:
        p.module.exports.append(Export(name, kind, idx, span=p.field_span(at)))


def _prefix_import(p: ModuleParser, pre: Prefix) -> tuple[str, str | None]:
    assert pre.import_at is not None
    p.i = pre.import_at
    return p.inline_import()


def _scan_module(p: ModuleParser, lp: int) -> int:
    pre = read_prefix(p, lp)
    return _lctx(p).bind("module", pre.id)


def _parse_module(p: ModuleParser, lp: int, info: object) -> None:
    assert isinstance(info, int)
    pre = read_prefix(p, lp)
    if pre.import_at is not None:
        module, name = _prefix_import(p, pre)
        p.i = pre.after
        typeidx = type_use(p, "module")
        p.expect_rparen()
        p.module.imports.append(Import(module, name, ExternKind.MODULE, typeidx, span=p.field_span(lp)))
    else:
        i = pre.after
        declared = None
        if _is_typeuse(p, i):
            p.i = i + 2
            declared = p.var("type")
            p.expect_rparen()
            i = p.i
        child = ModuleParser(p.tokens, i, p.close[lp], pre.id)
        child.parent = p
        nested = child.run()
        if declared is None:
            declared = infer_module_type(p, child)
        nested.module_type = declared
        p.module.modules.append(nested)
        p.i = p.close[lp] + 1
    _prefix_exports(p, pre, ExternKind.MODULE, info)


def infer_module_type(p: ModuleParser, child: ModuleParser) -> int:
    """The type of a nested module from its imports and exports, made in the parent's
    type space: the types its items need first, in the order its fields name them."""
    ctx = _lctx(p)
    cctx: LinkingContext = child.ctx  # type: ignore[assignment]
    m = child.module
    imports = tuple((i.module, i.name, cctx.entity_canon(i.kind, i.desc)) for i in m.imports)
    exports = []
    for e in m.exports:
        ns = KIND_NS.get(e.kind)
        items = cctx.items.get(ns or "", [])
        t = items[e.index] if isinstance(e.index, int) and 0 <= e.index < len(items) else None
        if t is None and ns is not None and _is_parent_alias(child, ns, e.index):
            # wast needs the item's signature, which the parent gives only once defined
            raise p.error(f"reference to {ns} before item is defined", p.toks[child.i])
        exports.append((e.name, (e.kind, t if t is not None else ("unknown", e.kind, e.index))))
    sig = ModuleSig(imports, tuple(exports))
    st: Linking = child.linking  # type: ignore[attr-defined]
    for what, k in st.signature_events:
        entity = imports[k][2] if what == "import" else exports[k][1]
        if entity[1] is not None and not (isinstance(entity[1], tuple) and entity[1][:1] == ("unknown",)):
            ctx.intern_entity(entity)
    return ctx.intern(sig)


def _is_parent_alias(child: ModuleParser, ns: str, index: int) -> bool:
    """Whether item `index` of `ns` in the child is a parent alias."""
    kind = NS_KIND[ns]
    k = 0
    m = child.module
    for sid, item in m.initial_items():
        if sid == IMPORT_SECTION and item.kind is kind:
            k += 1
        elif sid == ALIAS_SECTION and item.kind is kind:
            if k == index:
                return item.instance is None
            k += 1
    return False


def _scan_instance(p: ModuleParser, lp: int) -> int:
    pre = read_prefix(p, lp)
    return _lctx(p).bind("instance", pre.id)


def _parse_instance(p: ModuleParser, lp: int, info: object) -> None:
    assert isinstance(info, int)
    pre = read_prefix(p, lp)
    if pre.import_at is not None:
        module, name = _prefix_import(p, pre)
        p.i = pre.after
        typeidx = type_use(p, "instance")
        p.expect_rparen()
        p.module.imports.append(Import(module, name, ExternKind.INSTANCE, typeidx, span=p.field_span(lp)))
    else:
        p.i = pre.after
        p.expect_lparen("'(instantiate ...)' or '(import ...)'")
        p.expect_keyword("instantiate")
        module = p.var("module")
        args: list[tuple[ExternKind, int]] = []
        while p.toks[p.i].kind == LPAREN:
            p.i += 1
            kw = p.next()
            if kw.kind != KEYWORD or kw.text not in _ITEM_WORDS:
                p.unexpected("an argument: (func|table|memory|global|module|instance index)", tok=kw)
            args.append((NS_KIND[kw.text], p.var(kw.text)))
            p.expect_rparen()
        p.expect_rparen()
        p.expect_rparen()
        ident = pre.id.text if pre.id is not None else None
        p.module.instances.append(InstanceDef(module, args, span=p.field_span(lp), id=ident))
    _prefix_exports(p, pre, ExternKind.INSTANCE, info)


@dataclass
class _AliasSyntax:
    id: Token | None
    instance: Token | None  # None: parent
    ns: str
    target: Token


def _read_alias(p: ModuleParser, lp: int) -> _AliasSyntax:
    p.i = lp + 2
    tok = p.take_id()
    instance = None
    if p.at_keyword("parent"):
        p.i += 1
    else:
        p.expect_lparen("'(instance ...)' or 'parent'")
        p.expect_keyword("instance")
        instance = p.next()
        if instance.kind not in (ID, NAT):
            p.unexpected("an instance index", tok=instance)
        p.expect_rparen()
    p.expect_lparen("the aliased item: (kind index)")
    kw = p.next()
    if kw.kind != KEYWORD or kw.text not in NS_KIND:
        p.unexpected("func, table, memory, global, module, instance or type", tok=kw)
    target = p.next()
    if target.kind not in (ID, NAT):
        p.unexpected("an index or $name", tok=target)
    p.expect_rparen()
    p.expect_rparen()
    return _AliasSyntax(tok, instance, kw.text, target)


def _scan_alias(p: ModuleParser, lp: int) -> _AliasSyntax:
    a = _read_alias(p, lp)
    ctx = _lctx(p)
    if a.ns == "type":
        obj, c = None, None
        parent = ctx.parent
        if a.instance is None and parent is not None:
            pidx = _parent_index(p, parent, "type", a.target)
            if pidx is not None and pidx < len(parent.types):
                obj, c = parent.types[pidx], parent.canon[pidx]
        ctx.alias_type(a.id, obj, c if c is not None else ("unknown type", a.target.text))
    else:
        ctx.bind(a.ns, a.id)
    return a


def _parent_index(p: ModuleParser, parent: LinkingContext, ns: str, tok: Token) -> int | None:
    if tok.kind == NAT:
        return parent.spaces[ns].resolve(tok, p.source)
    return parent.spaces[ns].names.get(tok.text)


def _parse_alias(p: ModuleParser, lp: int, info: object) -> None:
    assert isinstance(info, _AliasSyntax)
    a = info
    ctx = _lctx(p)
    kind = NS_KIND[a.ns]
    ident = a.id.text if a.id is not None else None
    if a.instance is None:
        parent = ctx.parent
        if parent is None:
            raise p.error("cannot use alias parent directives in root module", p.toks[lp])
        index = _parent_index(p, parent, a.ns, a.target)
        if index is None:
            raise p.error(f"failed to find {a.ns} named `{a.target.text}` in the parent module", a.target)
        p.module.aliases.append(Alias(kind, None, index, span=p.field_span(lp), id=ident))
        return
    instance = ctx.resolve("instance", a.instance)
    if instance >= ctx.spaces["instance"].count:
        raise p.error("reference to instance is out of bounds", a.instance)
    if a.target.kind == NAT:
        position = p.ctx.spaces["func"].resolve(a.target, p.source)  # a u32
    else:
        st: Linking = p.linking  # type: ignore[attr-defined]
        info_ = st.instance_exports.get(a.instance.text) if a.instance.kind == ID else None
        found = info_.by_id.get((a.target.text, a.ns)) if info_ is not None else None
        if found is None:
            raise p.error(
                f"failed to find {a.ns} named `{a.target.text}` in instance {a.instance.text}", a.target
            )
        position = found
    p.module.aliases.append(Alias(kind, instance, position, span=p.field_span(lp), id=ident))


def _register() -> None:
    from .parser import DEFTYPES, EXTERN_KINDS, IMPORT_DESCS, register_field

    EXTERN_KINDS["module"] = (ExternKind.MODULE, "module")
    EXTERN_KINDS["instance"] = (ExternKind.INSTANCE, "instance")
    IMPORT_DESCS[ExternKind.MODULE] = lambda p: type_use(p, "module")
    IMPORT_DESCS[ExternKind.INSTANCE] = lambda p: type_use(p, "instance")
    DEFTYPES["module"] = _module_deftype
    DEFTYPES["instance"] = _instance_deftype
    register_field("module", _scan_module, _parse_module)
    register_field("instance", _scan_instance, _parse_instance)
    register_field("alias", _scan_alias, _parse_alias)


class _Driver:
    wants = staticmethod(wants)
    run = staticmethod(run)


def install() -> None:
    _register()
    parser.LINKING = _Driver


install()
