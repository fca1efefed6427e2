"""Instructions in the text format (spec 6.5): plain, structured and folded, made flat.

Folded instructions are unfolded into the flat order of the binary format (operands
first), `block`/`loop`/`if` keep their labels for `br $l` and `end $l` checks, and
every immediate kind of the opcode table has one parser in `IMMEDIATES`.
"""

from __future__ import annotations

import struct
from collections.abc import Callable
from typing import Any

from ..syntax.module import CATCH_KINDS, Instr, Span
from ..syntax.opcodes import BY_KEY, BY_NAME, SELECT_T, Op
from ..syntax.types import FuncType, ValType
from .context import FuncContext, ModuleContext
from .cursor import Cursor
from .lexer import FLOAT, ID, INT, KEYWORD, LPAREN, NAT, RPAREN, STRING, Token, string_bytes
from .numbers import F32, F64, parse_float, parse_int, parse_uint

_END = BY_NAME["end"]
_ELSE = BY_NAME["else"]
_IF = BY_NAME["if"]
_SELECT = BY_NAME["select"]
# legacy exceptions: `try` blocks, their handlers and `delegate`
_TRY = BY_NAME["try"]
_CATCH = BY_NAME["catch"]
_CATCH_ALL = BY_NAME["catch_all"]
_DELEGATE = BY_NAME["delegate"]
_HANDLER_WORDS = ("catch", "catch_all", "delegate")
_NUMBER_KINDS = (NAT, INT, FLOAT)

#: v128 shapes: lanes, lane width in bits, float format (None for integer lanes)
SHAPES: dict[str, tuple[int, int, Any]] = {
    "i8x16": (16, 8, None),
    "i16x8": (8, 16, None),
    "i32x4": (4, 32, None),
    "i64x2": (2, 64, None),
    "f32x4": (4, 32, F32),
    "f64x2": (2, 64, F64),
}
_LANE_PACK = {8: "<B", 16: "<H", 32: "<I", 64: "<Q"}


class InstrParser(Cursor):
    """Parses instruction sequences; needs `ctx` (module) and `fctx` (function) contexts."""

    ctx: ModuleContext
    fctx: FuncContext
    uses_data_index: bool

    # --- sequences ----------------------------------------------------------------------

    def instrs(self, out: list[Instr]) -> None:
        """instr* up to a `)` or anything else that cannot continue the sequence.

        Flat `block`/`loop`/`if` ... `end` are handled with an explicit stack (no Python
        recursion), so deeply nested flat code parses; an `end`/`else` with no block open
        here ends the sequence for the caller to report.
        """
        toks = self.toks
        labels = self.fctx.labels
        # open flat blocks: [op, label token, else seen (try: 1 after a catch, 2 after catch_all)]
        frames: list[list[Any]] = []
        while True:
            t = toks[self.i]
            kind = t.kind
            if kind == LPAREN:
                if toks[self.i + 1].text == "@metadata.code.branch_hint":
                    self.branch_hint()
                    continue
                self.folded(out)
                continue
            if kind != KEYWORD:
                break
            text = t.text
            if text == "end" or text == "else":
                if not frames:
                    return
                frame = frames[-1]
                if text == "else" and (frame[0] is not _IF or frame[2]):
                    self.unexpected("an instruction or 'end'")
                self.i += 1
                self._check_end_label(frame[1])
                if text == "else":
                    frame[2] = True
                    out.append(Instr(_ELSE, None, span=self.span_from(t)))
                else:
                    out.append(Instr(_END, None, span=self.span_from(t)))
                    frames.pop()
                    labels.pop()
                continue
            if text in _HANDLER_WORDS:
                if not frames:
                    return
                frame = frames[-1]
                if frame[0] is not _TRY or frame[2] == 2 or (text == "delegate" and frame[2]):
                    self.unexpected("an instruction or 'end'")
                self.i += 1
                if text == "delegate":  # ends the try; its label counts from outside it
                    frames.pop()
                    labels.pop()
                    out.append(Instr(_DELEGATE, _label(self, _DELEGATE)[1], span=self.span_from(t)))
                elif text == "catch":
                    frame[2] = 1
                    out.append(Instr(_CATCH, self.var("tag"), span=self.span_from(t)))
                else:
                    frame[2] = 2
                    out.append(Instr(_CATCH_ALL, None, span=self.span_from(t)))
                continue
            op = BY_NAME.get(text)
            if op is None:
                self.unexpected("an instruction")
            self.i += 1
            if op.imm == "blocktype" or op.imm == "try_table":
                label = self.take_id()
                imm = self.block_head(op)
                self.fctx.open_label(label.text if label is not None else None)
                out.append(self.hinted(Instr(op, imm, span=self.span_from(t))))
                frames.append([op, label, False])
                continue
            op, imm = IMMEDIATES[op.imm](self, op)
            last = toks[self.i - 1]
            out.append(
                self.hinted(
                    Instr(
                        op,
                        imm,
                        span=Span(t.line, t.col, last.line, last.col + len(last.text), self.source.filename),
                    )
                )
            )
        if frames:
            self.unexpected("an instruction or 'end'")

    def expr(self) -> list[Instr]:
        """A constant or function expression up to the closing `)`, with its final `end`."""
        out: list[Instr] = []
        self.instrs(out)
        t = self.toks[self.i]
        if t.kind != RPAREN:
            self.unexpected("an instruction or ')'")
        out.append(Instr(_END, None, span=Span(t.line, t.col, t.line, t.col + 1, self.source.filename)))
        return out

    # --- one instruction ----------------------------------------------------------------

    def folded(self, out: list[Instr]) -> None:
        toks = self.toks
        lp = toks[self.i]
        t = toks[self.i + 1]
        op = BY_NAME.get(t.text) if t.kind == KEYWORD else None
        if op is None or t.text in _HANDLER_WORDS:
            self.unexpected("an instruction", tok=t)
        self.i += 2
        if op is _TRY:
            self.try_folded(lp, out)
            return
        if op.imm == "blocktype" or op.imm == "try_table":
            self.block_folded(op, lp, out)
            return
        op, imm = IMMEDIATES[op.imm](self, op)
        while toks[self.i].kind == LPAREN:
            self.folded(out)
        rp = toks[self.i]
        if rp.kind != RPAREN:
            self.unexpected("a folded instruction or ')'")
        self.i += 1
        out.append(
            self.hinted(Instr(op, imm, span=Span(lp.line, lp.col, rp.line, rp.col + 1, self.source.filename)))
        )

    def branch_hint(self) -> None:
        """`(@metadata.code.branch_hint "\00")` (3.0 text format): a hint for the `if` or
        `br_if` that follows (0: unlikely taken, 1: likely)."""
        word = self.toks[self.i + 1]
        self.i += 2
        tok = self.toks[self.i]
        if tok.kind != STRING:
            self.unexpected("a hint string")
        self.i += 1
        value = string_bytes(tok, self.source)
        if value not in (b"\x00", b"\x01"):
            raise self.error("@metadata.code.branch_hint annotation: malformed hint (\\00 or \\01)", tok)
        self.expect_rparen()
        t = self.toks[self.i]
        target = self.toks[self.i + 1] if t.kind == LPAREN else t
        if self.fctx.pending_hint is not None or target.text not in ("if", "br_if"):
            raise self.error(
                "@metadata.code.branch_hint annotation: invalid target (an if or br_if must follow)", word
            )
        self.fctx.pending_hint = value[0]

    def hinted(self, ins: Instr) -> Instr:
        """`ins`, taking the pending branch hint if it is the if or br_if it was meant for."""
        fctx = self.fctx
        if fctx.pending_hint is not None and ins.op.name in ("if", "br_if"):
            fctx.hints.append((ins, fctx.pending_hint))
            fctx.pending_hint = None
        return ins

    # --- structured instructions --------------------------------------------------------

    def _check_end_label(self, label: Token | None) -> None:
        t = self.toks[self.i]
        if t.kind == ID:
            if label is None or label.text != t.text:
                raise self.error(f"mismatching label {t.text}", t)
            self.i += 1

    def block_head(self, op: Op) -> Any:
        """The immediate of a block, loop, if or try_table after its label: the block type,
        and for try_table its catch clauses (their labels count from outside the try_table)."""
        bt = self.blocktype()
        if op.imm != "try_table":
            return bt
        catches = []
        while self.toks[self.i].kind == LPAREN and self.toks[self.i + 1].text in CATCH_KINDS:
            self.i += 1
            kind = CATCH_KINDS.index(self.next().text)
            tag = self.var("tag") if kind < 2 else None
            t = self.toks[self.i]
            if t.kind != NAT and t.kind != ID:
                self.unexpected("a label")
            self.i += 1
            catches.append((kind, tag, self.fctx.label(t)))
            self.expect_rparen()
        return bt, tuple(catches)

    def block_folded(self, op: Op, lp: Token, out: list[Instr]) -> None:
        label = self.take_id()
        bt = self.block_head(op)
        labels = self.fctx.labels
        name = label.text if label is not None else None
        head = self.hinted(Instr(op, bt))
        if op is not _IF:
            self.fctx.open_label(name)
            out.append(head)
            self.instrs(out)
        else:
            toks = self.toks
            while toks[self.i].kind == LPAREN and not self.at_lparen("then"):
                self.folded(out)
            if not self.at_lparen("then"):
                self.unexpected("a folded condition or '(then ...)'")
            self.fctx.open_label(name)
            out.append(head)
            self.i += 2
            self.instrs(out)
            self.expect_rparen()
            if self.at_lparen("else"):
                else_lp = toks[self.i]
                self.i += 2
                arm: list[Instr] = []
                self.instrs(arm)
                self.expect_rparen()
                if arm:
                    out.append(Instr(_ELSE, None, span=self.span_from(else_lp)))
                    out.extend(arm)
        rp = self.toks[self.i]
        if rp.kind != RPAREN:
            self.unexpected("an instruction or ')'")
        self.i += 1
        fn = self.source.filename
        head.span = Span(lp.line, lp.col, rp.line, rp.col + 1, fn)
        out.append(Instr(_END, None, span=Span(rp.line, rp.col, rp.line, rp.col + 1, fn)))
        labels.pop()

    def try_folded(self, lp: Token, out: list[Instr]) -> None:
        """`(try $l? bt (do instr*) (catch x instr*)* (catch_all instr*)?)`, or with
        `(delegate l)` in place of the handlers (legacy exceptions)."""
        label = self.take_id()
        head = Instr(_TRY, self.blocktype())
        self.fctx.open_label(label.text if label is not None else None)
        out.append(head)
        if not self.at_lparen("do"):
            self.unexpected("'(do ...)'")
        self.i += 2
        self.instrs(out)
        self.expect_rparen()
        seen = closed = False  # a handler parsed; catch_all parsed (nothing may follow it)
        while self.toks[self.i].kind == LPAREN and self.toks[self.i + 1].text in _HANDLER_WORDS:
            word = self.toks[self.i + 1]
            if closed or (word.text == "delegate" and seen):
                self.unexpected("')'", tok=word)
            seen = True
            self.i += 2
            if word.text == "delegate":
                self.fctx.labels.pop()
                out.append(Instr(_DELEGATE, _label(self, _DELEGATE)[1], span=self.span_from(word)))
                self.expect_rparen()
                rp = self.toks[self.i]
                if rp.kind != RPAREN:
                    self.unexpected("')'")
                self.i += 1
                head.span = Span(lp.line, lp.col, rp.line, rp.col + 1, self.source.filename)
                return
            if word.text == "catch":
                out.append(Instr(_CATCH, self.var("tag"), span=self.span_from(word)))
            else:
                out.append(Instr(_CATCH_ALL, None, span=self.span_from(word)))
                closed = True
            self.instrs(out)
            self.expect_rparen()
        rp = self.toks[self.i]
        if rp.kind != RPAREN:
            self.unexpected("a handler or ')'")
        self.i += 1
        fn = self.source.filename
        head.span = Span(lp.line, lp.col, rp.line, rp.col + 1, fn)
        out.append(Instr(_END, None, span=Span(rp.line, rp.col, rp.line, rp.col + 1, fn)))
        self.fctx.labels.pop()

    def blocktype(self) -> Any:
        """None | ValType | type index, with implicit type definitions for multi-value."""
        idx, type_tok = self.type_ref()
        params, _, results = self.params_results(named=False)
        if idx is not None:
            if params or results:
                self.check_inline_type(idx, type_tok, FuncType(tuple(params), tuple(results)))
            return idx
        if not params and len(results) <= 1:
            return results[0] if results else None
        return self.ctx.implicit_type(FuncType(tuple(params), tuple(results)))

    # --- types of functions, blocks and calls -------------------------------------------

    def params_results(self, named: bool) -> tuple[list[ValType], list[Token | None], list[ValType]]:
        """`(param ...)* (result ...)*`: the types and (when `named`) the parameter ids."""
        toks = self.toks
        params: list[ValType] = []
        names: list[Token | None] = []
        while self.at_lparen("param"):
            self.i += 2
            if named and toks[self.i].kind == ID:
                names.append(self.next())
                params.append(self.valtype())
            else:
                while toks[self.i].kind != RPAREN:
                    params.append(self.valtype())
                    names.append(None)
            self.expect_rparen()
        results: list[ValType] = []
        while self.at_lparen("result"):
            self.i += 2
            while toks[self.i].kind != RPAREN:
                results.append(self.valtype())
            self.expect_rparen()
            if self.at_lparen("param"):
                self.unexpected("a result or the body (parameters come before results)")
        return params, names, results

    def check_inline_type(self, idx: int, tok: Token | None, ft: FuncType) -> None:
        assert tok is not None
        if self.ctx.func_type(idx, tok) != ft:
            raise self.error("inline function type does not match explicit type", tok)

    def type_ref(self) -> tuple[int | None, Token | None]:
        """An optional `(type x)`: its index and the token naming it."""
        if not self.at_lparen("type"):
            return None, None
        self.i += 2
        tok = self.toks[self.i]
        idx = self.var("type")
        self.expect_rparen()
        return idx, tok

    def call_typeuse(self) -> int:
        """The type use of `call_indirect`: `(type x)? (param t*)* (result t*)*`."""
        idx, type_tok = self.type_ref()
        params, _, results = self.params_results(named=False)
        ft = FuncType(tuple(params), tuple(results))
        if idx is not None:
            if params or results:
                self.check_inline_type(idx, type_tok, ft)
            return idx
        return self.ctx.implicit_type(ft)

    # --- variables ----------------------------------------------------------------------

    def type_index(self) -> int:
        return self.var("type")

    def var(self, space: str) -> int:
        t = self.toks[self.i]
        if t.kind != NAT and t.kind != ID:
            self.unexpected(f"a {self.ctx.spaces[space].what} index or $name")
        self.i += 1
        return self.ctx.resolve(space, t)

    def opt_var(self, space: str) -> int:
        t = self.toks[self.i]
        if t.kind != NAT and t.kind != ID:
            return 0
        self.i += 1
        return self.ctx.resolve(space, t)


# --- immediates, one parser per kind of the opcode table -------------------------------

Imm = tuple[Op, Any]


def _none(p: InstrParser, op: Op) -> Imm:
    # the untyped `select` row (0x1b) may be followed by `(result t*)`: then it is typed
    if op is _SELECT:
        return _select(p, op)
    return op, None


def _label(p: InstrParser, op: Op) -> Imm:
    t = p.toks[p.i]
    if t.kind != NAT and t.kind != ID:
        p.unexpected("a label")
    p.i += 1
    return op, p.fctx.label(t)


def _br_table(p: InstrParser, op: Op) -> Imm:
    toks = p.toks
    labels: list[int] = []
    while toks[p.i].kind == NAT or toks[p.i].kind == ID:
        labels.append(p.fctx.label(toks[p.i]))
        p.i += 1
    if not labels:
        p.unexpected("a label")
    return op, (tuple(labels[:-1]), labels[-1])


def _space(space: str) -> Callable[[InstrParser, Op], Imm]:
    def parse(p: InstrParser, op: Op) -> Imm:
        return op, p.var(space)

    return parse


def _local(p: InstrParser, op: Op) -> Imm:
    t = p.toks[p.i]
    if t.kind != NAT and t.kind != ID:
        p.unexpected("a local index or $name")
    p.i += 1
    return op, p.fctx.locals.resolve(t, p.source)


def _table(p: InstrParser, op: Op) -> Imm:
    return op, p.opt_var("table")


def _data(p: InstrParser, op: Op) -> Imm:
    p.uses_data_index = True
    return op, p.var("data")


def _call_indirect(p: InstrParser, op: Op) -> Imm:
    table = p.opt_var("table")
    return op, (p.call_typeuse(), table)


def _memarg(p: InstrParser, op: Op) -> tuple[int, int]:
    """`offset=` and `align=` (align, offset); the memory index before them is the caller's."""
    toks = p.toks
    offset = 0
    align = op.natural_alignment
    t = toks[p.i]
    if t.kind == KEYWORD and t.text.startswith("offset="):
        # memory64: a u64 (validation bounds it by the memory's address type); 2.0: a u32
        features = p.tokens.features
        bits = 64 if features is None or "memory64" in features else 32
        try:
            offset = parse_uint(t.text[7:], bits)
        except ValueError:
            if not t.text[7:8].isdigit():
                p.unexpected()
            raise p.error(f"i{bits} constant out of range", t) from None
        p.i += 1
        t = toks[p.i]
    if t.kind == KEYWORD and t.text.startswith("align="):
        try:
            value = parse_uint(t.text[6:], 64)
        except ValueError:
            if not t.text[6:7].isdigit():
                p.unexpected()
            raise p.error("alignment must be a power of two", t) from None
        if value <= 0 or value & (value - 1):
            raise p.error("alignment must be a power of two", t)
        align = value.bit_length() - 1
        p.i += 1
    return align, offset


def _memarg_imm(p: InstrParser, op: Op) -> Imm:
    mem = p.opt_var("memory")
    return op, (*_memarg(p, op), mem)


def _lane_index(p: InstrParser) -> int:
    t = p.toks[p.i]
    if t.kind != NAT:
        p.unexpected("a lane index")
    p.i += 1
    try:
        return parse_uint(t.text, 8)
    except ValueError:
        raise p.error("malformed lane index", t) from None


def _memarg_lane(p: InstrParser, op: Op) -> Imm:
    # `v128.load8_lane 1 1`: a number is the memory index only when a lane index follows
    toks = p.toks
    t = toks[p.i]
    mem = 0
    if t.kind == ID or (t.kind == NAT and _lane_follows(toks, p.i + 1)):
        mem = p.var("memory")
    align, offset = _memarg(p, op)
    return op, (align, offset, mem, _lane_index(p))


def _lane_follows(toks: list[Token], i: int) -> bool:
    while toks[i].kind == KEYWORD and toks[i].text.startswith(("offset=", "align=")):
        i += 1
    return toks[i].kind == NAT


def _lane(p: InstrParser, op: Op) -> Imm:
    return op, _lane_index(p)


def _memory(p: InstrParser, op: Op) -> Imm:
    return op, p.opt_var("memory")


def _memory_init(p: InstrParser, op: Op) -> Imm:
    p.uses_data_index = True
    return op, _segment_and_target(p, "data", "memory")


def _segment_and_target(p: InstrParser, segment: str, target: str) -> tuple[int, int]:
    """`table.init $table $elem` / `memory.init $mem $data`, or just the segment (target 0):
    (segment index, target index)."""
    toks = p.toks
    if toks[p.i].kind in (NAT, ID) and toks[p.i + 1].kind in (NAT, ID):
        t = p.var(target)
        return p.var(segment), t
    return p.var(segment), 0


def _memory_copy(p: InstrParser, op: Op) -> Imm:
    if not p.at_var():
        return op, (0, 0)
    dst = p.var("memory")
    return op, (dst, p.var("memory"))


def _number(p: InstrParser) -> Token:
    t = p.toks[p.i]
    if t.kind != NAT and t.kind != INT and t.kind != FLOAT:
        p.unexpected("a number")
    p.i += 1
    return t


def _constant(parse: Callable[[str], int]) -> Callable[[InstrParser, Op], Imm]:
    """The immediate parser of a `t.const`: one number literal, range-checked by `parse`."""

    def parser(p: InstrParser, op: Op) -> Imm:
        t = _number(p)
        try:
            return op, parse(t.text)
        except ValueError:
            raise p.error("constant out of range", t) from None

    return parser


_i32 = _constant(lambda text: parse_int(text, 32))
_i64 = _constant(lambda text: parse_int(text, 64))
_f32 = _constant(lambda text: parse_float(text, F32))
_f64 = _constant(lambda text: parse_float(text, F64))


def _select(p: InstrParser, op: Op) -> Imm:
    if not p.at_lparen("result"):
        return op, None
    types: list[ValType] = []
    toks = p.toks
    while p.at_lparen("result"):
        p.i += 2
        while toks[p.i].kind != RPAREN:
            types.append(p.valtype())
        p.expect_rparen()
    return SELECT_T, tuple(types)


def _reftype(p: InstrParser, op: Op) -> Imm:
    return op, p.nullable_heaptype()


def _field(p: InstrParser, op: Op) -> Imm:
    """`struct.get $t $f`: the type, then a field index or the type's field `$name`."""
    typeidx = p.var("type")
    t = p.toks[p.i]
    if t.kind == ID:
        field = p.ctx.field_names.get(typeidx, {}).get(t.text)
        if field is None:
            raise p.error(f"unknown field {t.text}", t)
        p.i += 1
        return op, (typeidx, field)
    return op, (typeidx, p.expect_u32("a field index or $name"))


def _type_and(space: str | None) -> Callable[[InstrParser, Op], Imm]:
    def parse(p: InstrParser, op: Op) -> Imm:
        typeidx = p.var("type")
        if space is None:
            return op, (typeidx, p.expect_u32("a number of elements"))
        if space == "data":
            p.uses_data_index = True
        return op, (typeidx, p.var(space))

    return parse


def _cast(p: InstrParser, op: Op) -> Imm:
    """ref.test / ref.cast: a reference type; a nullable one takes the row of its own."""
    rt = p.reftype()
    return BY_KEY[(op.key & ~1) | (1 if rt.nullable else 0)], rt


def _br_on_cast(p: InstrParser, op: Op) -> Imm:
    _, label = _label(p, op)
    return op, (label, p.reftype(), p.reftype())


def _table_copy(p: InstrParser, op: Op) -> Imm:
    if not p.at_var():
        return op, (0, 0)
    dst = p.var("table")
    return op, (dst, p.var("table"))


def _table_init(p: InstrParser, op: Op) -> Imm:
    return op, _segment_and_target(p, "elem", "table")


def _v128(p: InstrParser, op: Op) -> Imm:
    t = p.toks[p.i]
    shape = p.keyword_in(SHAPES, "a vector shape (i8x16, i16x8, i32x4, i64x2, f32x4 or f64x2)")
    return op, v128_lanes(p, shape, t)


def v128_lanes(p: Cursor, shape: tuple[int, int, Any], shape_tok: Token) -> bytes:
    count, width, fmt = shape
    toks = p.toks
    start = p.i
    while toks[p.i].kind in _NUMBER_KINDS:
        p.i += 1
    lanes = toks[start : p.i]
    if len(lanes) != count:
        raise p.error("wrong number of lane literals", toks[p.i] if len(lanes) < count else lanes[count])
    pack = _LANE_PACK[width]
    out = bytearray()
    for t in lanes:
        try:
            bits = parse_int(t.text, width) if fmt is None else parse_float(t.text, fmt)
        except ValueError:
            raise p.error("constant out of range", t) from None
        out += struct.pack(pack, bits)
    return bytes(out)


def _shuffle(p: InstrParser, op: Op) -> Imm:
    toks = p.toks
    start = p.i
    while toks[p.i].kind in _NUMBER_KINDS:
        p.i += 1
    lanes = toks[start : p.i]
    if len(lanes) != 16:
        raise p.error("invalid lane length", toks[p.i] if len(lanes) < 16 else lanes[16])
    out = bytearray()
    for t in lanes:
        if t.kind != NAT:
            raise p.error("malformed lane index", t)
        try:
            out.append(parse_uint(t.text, 8))
        except ValueError:
            raise p.error("malformed lane index", t) from None
    return op, bytes(out)


IMMEDIATES: dict[str, Callable[[InstrParser, Op], Imm]] = {
    "none": _none,
    "label": _label,
    "br_table": _br_table,
    "func": _space("func"),
    "call_indirect": _call_indirect,
    "local": _local,
    "global": _space("global"),
    "table": _table,
    "elem": _space("elem"),
    "data": _data,
    "memarg": _memarg_imm,
    "memarg_lane": _memarg_lane,
    "memory": _memory,
    "i32": _i32,
    "i64": _i64,
    "f32": _f32,
    "f64": _f64,
    "select_t": _select,
    "reftype": _reftype,
    "table_copy": _table_copy,
    "table_init": _table_init,
    "memory_init": _memory_init,
    "memory_copy": _memory_copy,
    "memory_fill": _memory,
    "v128": _v128,
    "shuffle": _shuffle,
    "lane": _lane,
    "tag": _space("tag"),
    "type": _space("type"),
    "field": _field,
    "type_n": _type_and(None),
    "type_data": _type_and("data"),
    "type_elem": _type_and("elem"),
    "type_type": _type_and("type"),
    "cast": _cast,
    "cast_null": _cast,
    "br_on_cast": _br_on_cast,
}
