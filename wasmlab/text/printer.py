"""Module -> WAT text: `print_wat(module, folded=False)`.

The output is deterministic and parses back (`parse_module`) to a module that encodes
to the same bytes (name section aside): every index is kept (functions refer to their
`(type N)`), floats are printed exactly (a decimal that rounds back to the same bits, or
a hex float; NaN payloads as `nan:0x...`), strings are escaped byte for byte. Names of
the name section become `$ids` where they are valid and unique; custom sections are
written as `(@custom ...)` annotations.

The flat style prints one instruction per line, indented by block depth. The folded
style nests operands into their consumers where the stack allows it
(`(i32.add (local.get 0) (i32.const 1))`); a fold only ever groups instructions that are
already adjacent, so the flat order, and hence the encoding, is unchanged.
"""

from __future__ import annotations

import re
from collections.abc import Callable
from typing import Any

from ..syntax.instr_text import ImmediateStyle, instr_text
from ..syntax.module import (
    KIND_SPACE,
    NAMES_OF_SPACE,
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
    Table,
)
from ..syntax.signatures import rec_groups
from ..syntax.stack_effects import EffectContext, stack_effect
from ..syntax.types import (
    ArrayType,
    ExternKind,
    FuncType,
    GlobalType,
    Limits,
    MemType,
    RefType,
    StructType,
    TableType,
    ValType,
)
from .numbers import F32, F64, format_float

_IDCHARS_RE = re.compile(r"[^0-9A-Za-z!#$%&'*+\-./:<=>?@\\^_`|~]")
INDENT = "  "
MAX_INDENT = 64  # deeper code stays at this indentation (keeps the text linear in size)

#: Custom.after (id of the preceding section) -> annotation placement
SECTION_NAMES = {
    1: "type", 2: "import", 3: "func", 4: "table", 5: "memory", 6: "global", 7: "export",
    8: "start", 9: "elem", 10: "code", 11: "data", 12: "datacount",
}  # fmt: skip


def print_wat(module: Module, *, folded: bool = False) -> str:
    """The module as WAT text (flat instructions, or folded expressions)."""
    return _Printer(module, folded).run()


# --- strings and ids --------------------------------------------------------------------


def escape_bytes(data: bytes) -> str:
    """A string literal for arbitrary bytes: printable ASCII as is, the rest as `\\hh`."""
    out = ['"']
    for b in data:
        if 0x20 <= b < 0x7F and b != 0x22 and b != 0x5C:
            out.append(chr(b))
        else:
            out.append(f"\\{b:02x}")
    out.append('"')
    return "".join(out)


def escape_name(name: str) -> str:
    """A string literal for a name: printable characters as is, the rest as UTF-8 `\\hh`."""
    out = ['"']
    for ch in name:
        if ch == '"' or ch == "\\":
            out.append("\\" + ch)
        elif (" " <= ch < "\x7f") or (ch > "\x7f" and ch.isprintable()):
            out.append(ch)
        else:
            out.extend(f"\\{b:02x}" for b in ch.encode("utf-8", "surrogatepass"))
    out.append('"')
    return "".join(out)


def sanitize_id(name: str) -> str | None:
    """`$name` with characters outside idchar replaced by `_`; None for an empty name."""
    if not name:
        return None
    return "$" + _IDCHARS_RE.sub("_", name)


def _unique_ids(names: dict[int, str]) -> dict[int, str]:
    out: dict[int, str] = {}
    taken: set[str] = set()
    for idx in sorted(names):
        ident = sanitize_id(names[idx])
        if ident is None or ident in taken:
            continue
        taken.add(ident)
        out[idx] = ident
    return out


def _types_text(word: str, types: tuple[ValType, ...] | list[ValType]) -> str:
    return f"({word} {' '.join(t.text for t in types)})" if types else ""


def functype_text(ft: FuncType) -> str:
    parts = ["func"]
    if ft.params:
        parts.append(_types_text("param", ft.params))
    if ft.results:
        parts.append(_types_text("result", ft.results))
    return "(" + " ".join(parts) + ")"


def limits_text(lim: Limits) -> str:
    """`1 2`, with the address type first for a 64-bit memory or table (`i64 1 2`)."""
    return str(lim)


def global_type_text(gt: GlobalType) -> str:
    return f"(mut {gt.type.text})" if gt.mutable else gt.type.text


# --- the printer ------------------------------------------------------------------------


class _WatStyle(ImmediateStyle):
    """Immediates as the printer writes them: `$ids` where the module has valid names, block
    labels, exact float literals, call_indirect with its type use written out."""

    empty_results = "(result)"

    def __init__(self, p: _Printer) -> None:
        self.p = p

    def ref(self, space: str, idx: Any) -> str:
        if space == "local":
            return self.p.local_ids.get(idx, str(idx))
        return self.p.ref(space, idx)

    def label(self, depth: Any) -> str:
        return self.p.label_ref(depth)

    def block_label(self, instr: Instr) -> str:
        return self.p.label_ids.get(id(instr)) or ""

    def float(self, bits: int, width: int) -> str:
        return format_float(bits, F32 if width == 32 else F64)

    def call_indirect(self, typeidx: Any, table: Any) -> str:
        text = super().call_indirect(typeidx, table)
        ft = self.p.type_at(typeidx)
        if ft is not None:
            text += "".join(
                " " + _types_text(w, ts) for w, ts in (("param", ft.params), ("result", ft.results)) if ts
            )
        return text


class _Printer(EffectContext):
    def __init__(self, module: Module, folded: bool) -> None:
        self.m = module
        self.folded = folded
        self.lines: list[str] = []
        #: index space -> index -> `$id`, from the module's names (valid and unique ones)
        self.ids = {space: _unique_ids(module.names.of_space(space)) for space in NAMES_OF_SPACE}
        self.func_ids = self.ids["func"]
        self.local_ids: dict[int, str] = {}
        self.label_ids: dict[int, str] = {}  # id(block instruction) -> its label's `$id`
        self.open_labels: list[str | None] = []  # the `$id`s of the enclosing blocks, innermost last
        self.func_types = self._func_types()
        self.tag_types = [i.desc for i in module.imports_of(ExternKind.TAG)] + [t.type for t in module.tags]
        self.style = _WatStyle(self)

    def _func_types(self) -> list[FuncType | None]:
        out: list[FuncType | None] = []
        for imp in self.m.imports:
            if imp.kind is ExternKind.FUNC:
                out.append(self.type_at(imp.desc))
        for f in self.m.funcs:
            out.append(self.type_at(f.type))
        return out

    def type_at(self, idx: Any) -> FuncType | None:
        if isinstance(idx, int) and 0 <= idx < len(self.m.types):
            t = self.m.types[idx]
            return t if isinstance(t, FuncType) else None
        return None

    def emit(self, depth: int, text: str) -> None:
        self.lines.append(INDENT * min(depth, MAX_INDENT) + text)

    def ref(self, space: str, idx: Any) -> str:
        """A reference to item `idx` of `space`: its `$id`, else the number."""
        return self.ids[space].get(idx, str(idx))

    def label_ref(self, depth: int) -> str:
        """A branch target: the label's `$id` when it has one that no inner label hides."""
        labels = self.open_labels
        if depth < len(labels):
            name = labels[-1 - depth]
            if name is not None and name not in labels[len(labels) - depth :]:
                return name
        return str(depth)

    def decl(self, space: str, idx: int) -> str:
        """The head of the item's definition: `$id (;idx;)`, or `(;idx;)` with no name."""
        name = self.ids[space].get(idx)
        return f"{name} (;{idx};)" if name else f"(;{idx};)"

    def func_ref(self, idx: int) -> str:
        return self.ref("func", idx)

    def open_module(self) -> None:
        """`(module $name`: the name section's module name, else the text's `$id`."""
        m = self.m
        ident = sanitize_id(m.names.module) if m.names.module else None
        if ident is None and m.id and m.id.startswith("$"):
            ident = m.id
        self.lines.append(f"(module {ident}" if ident else "(module")

    def run(self) -> str:
        if LINKING_PRINT is not None and self.m.uses_linking:
            return LINKING_PRINT(self)  # module linking (wasmlab.text.linking_printer)
        m = self.m
        self.open_module()
        explicit = set(m.recs)
        for start, n in rec_groups(len(m.types), m.recs):
            if (start, n) not in explicit:
                self.type_def(start, 1)
                continue
            self.emit(1, "(rec" + ("" if n else ")"))
            for i in range(start, start + n):
                self.type_def(i, 2)
            if n:
                self.lines[-1] += ")"
        counters = dict.fromkeys(ExternKind, 0)
        for imp in m.imports:
            self.import_(imp, counters[imp.kind])
            counters[imp.kind] += 1
        return self.definitions(m, counters)

    def type_def(self, i: int, depth: int) -> None:
        t = self.m.types[i]
        printer = TYPE_PRINTERS.get(type(t))
        if printer is None:
            self.emit(depth, f";; type {i}: {t} cannot be printed")
            return
        text = printer(t)
        if isinstance(t, StructType):
            names = self.m.names.fields.get(i, {})
            fields = []
            for k, f in enumerate(t.fields):
                ident = sanitize_id(names[k]) if k in names else None
                fields.append(f" (field {ident} {f})" if ident else f" (field {f})")
            text = "(struct" + "".join(fields) + ")"
        sub = self.m.subtypes.get(i)
        if sub is not None and (sub.supers or not sub.final):
            supers = "".join(" " + self.ref("type", x) for x in sub.supers)
            text = f"(sub{' final' if sub.final else ''}{supers} {text})"
        self.emit(depth, f"(type {self.decl('type', i)} {text})")

    def definitions(self, m: Module, counters: dict[ExternKind, int]) -> str:
        """The module's own fields after its imports (and, with module linking, its initial
        sections), numbered after `counters`; closes the module and returns the text."""
        nfunc = counters[ExternKind.FUNC]
        for i, f in enumerate(m.funcs):
            self.func(f, nfunc + i)
        for i, t in enumerate(m.tables):
            self.table(t, counters[ExternKind.TABLE] + i)
        for i, mem in enumerate(m.mems):
            self.memory(mem, counters[ExternKind.MEMORY] + i)
        for i, t in enumerate(m.tags):
            self.emit(1, f"(tag {self.decl('tag', counters[ExternKind.TAG] + i)} {self.typeuse(t.type)})")
        for i, g in enumerate(m.globals):
            self.global_(g, counters[ExternKind.GLOBAL] + i)
        for e in m.exports:
            self.export(e)
        if m.start is not None:
            self.emit(1, f"(start {self.func_ref(m.start)})")
        for i, el in enumerate(m.elems):
            self.elem(el, i)
        for i, d in enumerate(m.datas):
            self.data(d, i)
        for c in m.customs:
            if c.name != "name":
                self.custom(c)
        self.lines[-1] += ")"
        return "\n".join(self.lines) + "\n"

    # --- fields ---------------------------------------------------------------------------

    def typeuse(self, typeidx: Any, param_ids: dict[int, str] | None = None) -> str:
        parts = [f"(type {self.ref('type', typeidx)})"]
        ft = self.type_at(typeidx)
        if ft is not None:
            if param_ids:
                for i, t in enumerate(ft.params):
                    name = param_ids.get(i)
                    parts.append(f"(param {name} {t.text})" if name else f"(param {t.text})")
            elif ft.params:
                parts.append(_types_text("param", ft.params))
            if ft.results:
                parts.append(_types_text("result", ft.results))
        return " ".join(parts)

    def import_desc(self, imp: Import, idx: int) -> str | None:
        """The descriptor of a core import (`(func $f (;0;) (type 1))` ...), None for other kinds."""
        kind = imp.kind
        if kind is ExternKind.FUNC:
            return f"(func {self.decl('func', idx)} {self.typeuse(imp.desc)})"
        if kind is ExternKind.TABLE:
            return f"(table {self.decl('table', idx)} {self.table_type(imp.desc)})"
        if kind is ExternKind.MEMORY:
            return f"(memory {self.decl('memory', idx)} {self.mem_type(imp.desc)})"
        if kind is ExternKind.GLOBAL:
            return f"(global {self.decl('global', idx)} {global_type_text(imp.desc)})"
        if kind is ExternKind.TAG:
            return f"(tag {self.decl('tag', idx)} {self.typeuse(imp.desc)})"
        return None

    def import_(self, imp: Import, idx: int) -> None:
        desc = self.import_desc(imp, idx)
        if desc is None:
            self.emit(1, f";; import {imp.module!r} {imp.name!r} of kind {imp.kind} cannot be printed")
            return
        self.emit(1, f"(import {escape_name(imp.module)} {escape_name(imp.name or '')} {desc})")

    def table_type(self, tt: TableType) -> str:
        return f"{limits_text(tt.limits)} {tt.elem.text}"

    def mem_type(self, mt: MemType) -> str:
        text = limits_text(mt.limits)
        return f"{text} shared" if mt.shared else text

    def func(self, f: Func, idx: int) -> None:
        raw = self.m.names.locals.get(idx, {})
        self.local_ids = _unique_ids(raw)
        labels = self.m.names.labels.get(idx, {})
        blocks = [i for i in f.body if i.op.imm in ("blocktype", "try_table")]
        self.label_ids = {
            id(b): ident for k, b in enumerate(blocks) if k in labels and (ident := sanitize_id(labels[k]))
        }
        head = f"(func {self.decl('func', idx)} {self.typeuse(f.type, self.local_ids)}"
        self.emit(1, head)
        ft = self.type_at(f.type)
        nparams = len(ft.params) if ft is not None else 0
        anon: list[ValType] = []
        for i, t in enumerate(f.locals):
            ident = self.local_ids.get(nparams + i)
            if ident:
                if anon:
                    self.emit(2, _types_text("local", anon))
                    anon = []
                self.emit(2, f"(local {ident} {t.text})")
            else:
                anon.append(t)
        if anon:
            self.emit(2, _types_text("local", anon))
        body = f.body
        if body and body[-1].op.name == "end":
            body = body[:-1]
        results = len(ft.results) if ft is not None else 0
        mark = len(self.lines)
        try:
            if not self.folded or f.branch_hints or any(i.op.feature == "legacy-exceptions" for i in body):
                raise RecursionError  # (legacy try blocks and branch hints are printed flat)
            self.folded_body(body, 2, results)
        except RecursionError:  # too deep to fold in Python: print this body flat
            del self.lines[mark:]
            self.open_labels = []
            self.flat_body(body, 2, f.branch_hints)
        self.lines[-1] += ")"
        self.local_ids = {}
        self.label_ids = {}
        self.open_labels = []

    def table(self, t: Table, idx: int) -> None:
        init = f" {self.const_expr(t.init)}" if t.init is not None else ""
        self.emit(1, f"(table {self.decl('table', idx)} {self.table_type(t.type)}{init})")

    def memory(self, mem: Memory, idx: int) -> None:
        self.emit(1, f"(memory {self.decl('memory', idx)} {self.mem_type(mem.type)})")

    def global_(self, g: Global, idx: int) -> None:
        self.emit(
            1, f"(global {self.decl('global', idx)} {global_type_text(g.type)} {self.const_expr(g.init)})"
        )

    def export(self, e: Export) -> None:
        kind = e.kind
        space = KIND_SPACE.get(kind)
        ref = self.ref(space, e.index) if space else str(e.index)
        self.emit(1, f"(export {escape_name(e.name)} ({kind.text} {ref}))")

    def elem(self, el: Elem, idx: int) -> None:
        parts = [f"(elem {self.decl('elem', idx)}"]
        if el.mode == "active":
            if el.table != 0 or el.type is not ValType.FUNCREF:
                parts.append(f"(table {self.ref('table', el.table)})")
            parts.append(self.offset(el.offset_expr))
        elif el.mode == "declarative":
            parts.append("declare")
        indices = [_ref_func(x) for x in el.init]
        if el.type is ValType.FUNCREF and all(i is not None for i in indices):
            parts.append("func")
            parts.extend(self.func_ref(i) for i in indices)  # type: ignore[arg-type]
        else:
            parts.append(el.type.text)
            parts.extend(f"(item {self.const_expr(x)})" for x in el.init)
        self.emit(1, " ".join(parts) + ")")

    def data(self, d: Data, idx: int) -> None:
        parts = [f"(data {self.decl('data', idx)}"]
        if d.mode == "active":
            if d.memory != 0:
                parts.append(f"(memory {self.ref('memory', d.memory)})")
            parts.append(self.offset(d.offset_expr))
        parts.append(escape_bytes(d.init))
        self.emit(1, " ".join(parts) + ")")

    def custom(self, c: Custom) -> None:
        place = SECTION_NAMES.get(c.after)
        where = f"(after {place})" if place else "(before first)"
        self.emit(1, f"(@custom {escape_name(c.name)} {where} {escape_bytes(c.data)})")

    def offset(self, expr: list[Instr] | None) -> str:
        """`(i32.const 8)` for one instruction (the abbreviation), else `(offset ...)`."""
        expr = expr or []
        n = len(expr) - (1 if expr and expr[-1].op.name == "end" else 0)
        text = self.const_expr(expr)
        return text if n == 1 else f"(offset {text})"

    def const_expr(self, expr: list[Instr]) -> str:
        body = expr[:-1] if expr and expr[-1].op.name == "end" else expr
        return " ".join(f"({self.instr_text(i)})" for i in body)

    # --- instructions ---------------------------------------------------------------------

    def instr_text(self, instr: Instr) -> str:
        return instr_text(instr, self.style)

    def flat_body(self, body: list[Instr], depth: int, hints: dict[int, int] | None = None) -> None:
        for pc, instr in enumerate(body):
            name = instr.op.name
            if hints and pc in hints:  # a branch hint (3.0 text format) before its if or br_if
                self.emit(depth, f'(@metadata.code.branch_hint "\\{hints[pc]:02x}")')
            if name in ("end", "else", "catch", "catch_all", "delegate"):
                depth -= 1
            if name == "delegate" and self.open_labels:  # its label counts from outside the try
                self.open_labels.pop()
            self.emit(depth, self.instr_text(instr))
            if name in ("block", "loop", "if", "else", "try_table", "try", "catch", "catch_all"):
                depth += 1
            if name in ("block", "loop", "if", "try_table", "try"):
                self.open_labels.append(self.label_ids.get(id(instr)))
            elif name == "end" and self.open_labels:
                self.open_labels.pop()

    def folded_body(self, body: list[Instr], depth: int, results: int) -> None:
        nodes, _ = _structure(body, 0)
        self.labels: list[int] = [results]
        for node in self.fold(nodes):
            self.print_node(node, depth)

    def arity(self, instr: Instr) -> tuple[int, int]:
        """(values popped, values pushed), as far as folding needs it: the instruction's stack
        effect, except that `br_table` folds only its index and a tail call folds nothing
        (as this printer always has)."""
        name = instr.op.name
        if name == "br_table":
            return 1, 0
        if name == "return_call" or name == "return_call_indirect":
            return 0, 0
        return stack_effect(instr, self)

    # --- the stack effects' context (folding) ---------------------------------------------

    def func_type(self, funcidx: int) -> FuncType | None:
        return self.func_types[funcidx] if 0 <= funcidx < len(self.func_types) else None

    def tag_type(self, tagidx: int) -> FuncType | None:
        return self.type_at(self.tag_types[tagidx]) if 0 <= tagidx < len(self.tag_types) else None

    def label_arity(self, depth: int) -> int:
        return self.labels[-1 - depth] if depth < len(self.labels) else 0

    def return_arity(self) -> int:
        return self.labels[0]

    def block_arity(self, bt: Any) -> tuple[int, int]:
        if bt is None:
            return 0, 0
        if isinstance(bt, (ValType, RefType)):
            return 0, 1
        ft = self.type_at(bt)
        return (len(ft.params), len(ft.results)) if ft is not None else (0, 0)

    def fold(self, nodes: list[_Node]) -> list[_Node]:
        items: list[_Node] = []
        for node in nodes:
            instr = node.instr
            if node.body is not None:
                params, results = self.block_arity(
                    instr.imm[0] if instr.op.name == "try_table" else instr.imm
                )
                self.labels.append(params if instr.op.name == "loop" else results)
                node.body = self.fold(node.body)
                if node.else_body is not None:
                    node.else_body = self.fold(node.else_body)
                self.labels.pop()
                if instr.op.name == "if" and not node.flat:
                    _take(items, node, 1)
                node.complete = node.complete and params == 0
                node.pushes = results
            else:
                pops, pushes = self.arity(instr)
                _take(items, node, pops)
                node.pushes = pushes
            items.append(node)
        return items

    def print_node(self, node: _Node, depth: int) -> None:
        if node.body is None:
            if not node.children:
                self.emit(depth, f"({self.instr_text(node.instr)})")
                return
            text = "" if node.has_block() else self.node_text(node)
            if text and len(text) + len(INDENT) * depth <= 100:
                self.emit(depth, text)
                return
            self.emit(depth, f"({self.instr_text(node.instr)}")
            for child in node.children:
                self.print_node(child, depth + 1)
            self.lines[-1] += ")"
            return
        instr = node.instr
        labels = self.open_labels
        if node.flat:  # an `if` whose empty `else` must survive: keep it flat
            for child in node.children:
                self.print_node(child, depth)
            self.emit(depth, self.instr_text(instr))
            labels.append(self.label_ids.get(id(instr)))
            for child in node.body:
                self.print_node(child, depth + 1)
            self.emit(depth, "else")
            for child in node.else_body or []:
                self.print_node(child, depth + 1)
            self.emit(depth, "end")
            labels.pop()
            return
        self.emit(depth, f"({self.instr_text(instr)}")
        if instr.op.name == "if":
            for child in node.children:  # the condition: outside the if's label
                self.print_node(child, depth + 1)
            labels.append(self.label_ids.get(id(instr)))
            self.emit(depth + 1, "(then")
            for child in node.body:
                self.print_node(child, depth + 2)
            self.lines[-1] += ")"
            if node.else_body:
                self.emit(depth + 1, "(else")
                for child in node.else_body:
                    self.print_node(child, depth + 2)
                self.lines[-1] += ")"
        else:
            labels.append(self.label_ids.get(id(instr)))
            for child in node.body:
                self.print_node(child, depth + 1)
        labels.pop()
        self.lines[-1] += ")"

    def node_text(self, node: _Node) -> str:
        parts = [self.instr_text(node.instr)]
        parts.extend(self.node_text(c) for c in node.children)
        return "(" + " ".join(parts) + ")"


class _Node:
    """A structured instruction for folding: a plain one, or a block with its body."""

    __slots__ = ("instr", "children", "body", "else_body", "pushes", "flat", "complete")

    def __init__(self, instr: Instr) -> None:
        self.instr = instr
        self.children: list[_Node] = []
        self.body: list[_Node] | None = None
        self.else_body: list[_Node] | None = None
        self.pushes = 0
        self.flat = False
        self.complete = True  # all its operands are folded into it

    def has_block(self) -> bool:
        return self.body is not None or any(c.has_block() for c in self.children)


def _take(items: list[_Node], node: _Node, pops: int) -> None:
    """Fold the longest run (at most `pops`) of complete single-value items ending the list."""
    k = 0
    while k < pops and k < len(items) and items[-1 - k].pushes == 1 and items[-1 - k].complete:
        k += 1
    if k:
        node.children = items[-k:]
        del items[-k:]
    node.complete = k == pops


def _structure(body: list[Instr], i: int) -> tuple[list[_Node], int]:
    """Nodes up to a matching `else`/`end` (or the end of the list); returns the index there."""
    out: list[_Node] = []
    n = len(body)
    while i < n:
        instr = body[i]
        name = instr.op.name
        if name == "end" or name == "else":
            return out, i
        node = _Node(instr)
        i += 1
        if name in ("block", "loop", "if", "try_table"):
            node.body, i = _structure(body, i)
            if i < n and body[i].op.name == "else":
                node.else_body, i = _structure(body, i + 1)
                if not node.else_body:
                    node.flat = True
            i += 1  # the end
        out.append(node)
    return out, i


def _ref_func(expr: list[Instr]) -> int | None:
    body = expr[:-1] if expr and expr[-1].op.name == "end" else expr
    if len(body) == 1 and body[0].op.name == "ref.func":
        return body[0].imm
    return None


#: how each kind of type definition is printed (module linking adds module/instance types)
TYPE_PRINTERS: dict[type, Callable[[Any], str]] = {FuncType: functype_text, StructType: str, ArrayType: str}

#: module linking's printer of a whole module (`wasmlab.text.linking_printer`, which
#: `wasmlab.text` installs)
LINKING_PRINT: Callable[[Any], str] | None = None
