"""One instruction as a line of WAT (flat form): its name and its immediates as text.

`IMMEDIATE_TEXT` has one writer per immediate kind of the opcode table. What differs
between readers is how a reference is written (`call 3`, `call $fib`, `call 3 <fib>`), how
a float is written, and a few details: that is an `ImmediateStyle`, whose defaults write
plain indices and `float_text` floats (the binary dump's style). The printer (exact WAT),
the tracer and dump, and the graph labels each pass their own.
"""

from __future__ import annotations

import struct
from collections.abc import Callable
from typing import Any

from .floats import float_text
from .module import Instr, catch_words, memarg_words, memory_words
from .types import RefType, ValType, heap_text

_LANES = struct.Struct("<4I")


class ImmediateStyle:
    """How immediates are written; subclasses override what they write differently."""

    #: a typed `select` with no types (invalid, but decodable)
    empty_results = "(result )"

    def ref(self, space: str, idx: Any) -> str:
        """Item `idx` of an index space: "func", "type", "table", "memory", "global", "elem",
        "data", "tag" or "local"."""
        return str(idx)

    def label(self, depth: Any) -> str:
        """A branch target (a label depth)."""
        return str(depth)

    def block_label(self, instr: Instr) -> str:
        """The `$label` a block, loop, if or try_table declares ('' for none)."""
        return ""

    def catch_tag(self, idx: Any) -> str:
        """The tag of a try_table's catch clause."""
        return self.ref("tag", idx)

    def float(self, bits: int, width: int) -> str:
        return float_text(bits, width)

    def field(self, typeidx: Any, fieldidx: Any) -> str:
        """A struct field (a number, or its `$name`)."""
        return str(fieldidx)

    def reftype(self, t: Any) -> str:
        """A reference type (`(ref null $t)`: its type index as the style writes it)."""
        if isinstance(t, RefType) and isinstance(t.heap, int):
            return f"(ref {'null ' if t.nullable else ''}{self.ref('type', t.heap)})"
        return t.text

    def call_indirect(self, typeidx: Any, table: Any) -> str:
        return f"{self.ref('table', table)} (type {self.ref('type', typeidx)})"


PLAIN = ImmediateStyle()

Writer = Callable[[Instr, ImmediateStyle], str]


def _words(*words: str) -> str:
    return " ".join(w for w in words if w)


def _signed(bits: int, width: int) -> int:
    return bits - (1 << width) if bits >> (width - 1) & 1 else bits


def _blocktype_text(bt: Any, s: ImmediateStyle) -> str:
    if bt is None:
        return ""
    if isinstance(bt, ValType):
        return f"(result {bt.text})"
    if isinstance(bt, RefType):
        return f"(result {s.reftype(bt)})"
    return f"(type {s.ref('type', bt)})"


def _blocktype(i: Instr, s: ImmediateStyle) -> str:
    return _words(s.block_label(i), _blocktype_text(i.imm, s))


def _try_table(i: Instr, s: ImmediateStyle) -> str:
    bt, catches = i.imm
    clauses = catch_words(catches, s.catch_tag, s.label)
    return _words(s.block_label(i), _blocktype_text(bt, s), *clauses)


def _index_of(space: str) -> Writer:
    """The immediate of an instruction naming an item of `space` (`global.get $g`)."""
    return lambda i, s: s.ref(space, i.imm)


def _memarg(i: Instr, s: ImmediateStyle) -> str:
    return " ".join(memarg_words(i, lambda idx: s.ref("memory", idx)))


def _memarg_lane(i: Instr, s: ImmediateStyle) -> str:
    return " ".join([*memarg_words(i, lambda idx: s.ref("memory", idx)), str(i.imm[3])])


def _memory(i: Instr, s: ImmediateStyle) -> str:
    return " ".join(memory_words(i, lambda idx: s.ref("memory", idx), lambda idx: s.ref("data", idx)))


def _select_t(i: Instr, s: ImmediateStyle) -> str:
    return f"(result {' '.join(t.text for t in i.imm)})" if i.imm else s.empty_results


def _table_copy(i: Instr, s: ImmediateStyle) -> str:
    dst, src = i.imm
    return f"{s.ref('table', dst)} {s.ref('table', src)}"


def _table_init(i: Instr, s: ImmediateStyle) -> str:
    elem, table = i.imm
    return f"{s.ref('table', table)} {s.ref('elem', elem)}"


def _v128(i: Instr, s: ImmediateStyle) -> str:
    return "i32x4 " + " ".join(f"{x:#010x}" for x in _LANES.unpack(bytes(i.imm)))


#: immediate kind (`Op.imm`) -> its text
IMMEDIATE_TEXT: dict[str, Writer] = {
    "none": lambda i, s: "",
    "blocktype": _blocktype,
    "label": lambda i, s: s.label(i.imm),
    "br_table": lambda i, s: " ".join(s.label(x) for x in (*i.imm[0], i.imm[1])),
    "func": _index_of("func"),
    "call_indirect": lambda i, s: s.call_indirect(*i.imm),
    "local": _index_of("local"),
    "global": _index_of("global"),
    "table": _index_of("table"),
    "elem": _index_of("elem"),
    "data": _index_of("data"),
    "memarg": _memarg,
    "memarg_lane": _memarg_lane,
    "memory": _memory,
    "i32": lambda i, s: str(_signed(i.imm, 32)),
    "i64": lambda i, s: str(_signed(i.imm, 64)),
    "f32": lambda i, s: s.float(i.imm, 32),
    "f64": lambda i, s: s.float(i.imm, 64),
    "select_t": _select_t,
    "reftype": lambda i, s: (
        s.ref("type", i.imm.heap) if isinstance(i.imm.heap, int) else heap_text(i.imm.heap)
    ),
    "table_copy": _table_copy,
    "table_init": _table_init,
    "memory_init": _memory,
    "memory_copy": _memory,
    "memory_fill": _memory,
    "v128": _v128,
    "shuffle": lambda i, s: " ".join(str(b) for b in i.imm),
    "lane": lambda i, s: str(i.imm),
    "tag": _index_of("tag"),
    "try_table": _try_table,
    "type": _index_of("type"),
    "field": lambda i, s: f"{s.ref('type', i.imm[0])} {s.field(i.imm[0], i.imm[1])}",
    "type_n": lambda i, s: f"{s.ref('type', i.imm[0])} {i.imm[1]}",
    "type_data": lambda i, s: f"{s.ref('type', i.imm[0])} {s.ref('data', i.imm[1])}",
    "type_elem": lambda i, s: f"{s.ref('type', i.imm[0])} {s.ref('elem', i.imm[1])}",
    "type_type": lambda i, s: f"{s.ref('type', i.imm[0])} {s.ref('type', i.imm[1])}",
    "cast": lambda i, s: s.reftype(i.imm),
    "cast_null": lambda i, s: s.reftype(i.imm),
    "br_on_cast": lambda i, s: f"{s.label(i.imm[0])} {s.reftype(i.imm[1])} {s.reftype(i.imm[2])}",
}


def immediates_text(instr: Instr, style: ImmediateStyle = PLAIN) -> str:
    """The immediates of `instr` as WAT text ('' when it has none)."""
    return IMMEDIATE_TEXT[instr.op.imm](instr, style)


def instr_text(instr: Instr, style: ImmediateStyle = PLAIN) -> str:
    """`i32.const 7`, `call 3`, `br_if 1`, `i32.load offset=4` (references as `style` writes them)."""
    rest = immediates_text(instr, style)
    return f"{instr.op.name} {rest}" if rest else instr.op.name


__all__ = ["IMMEDIATE_TEXT", "PLAIN", "ImmediateStyle", "immediates_text", "instr_text"]
