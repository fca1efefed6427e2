"""The binary decoder (spec 5): bytes -> `Module`, with a byte offset on every node.

Decoding follows the reference interpreter's reading discipline so that malformed modules
fail with the messages the spec test suite expects: reads are bounded by the end of the
whole module (not of the current section or function); a section or body whose declared
size disagrees with what its contents took is a "section size mismatch" afterwards.

Instruction sequences are decoded flat (as in the binary): `block`/`loop`/`if`, `else`
and `end` are instructions, and every expression ends with its own final `end`. An
element segment written as function indices (forms 0-3) gets one `[ref.func x, end]`
expression per index: that `ref.func`'s offset is the index's, the `end` has none.

Implementation limits beyond the spec: at most `MAX_LOCALS` locals per function and
`MAX_MODULE_LOCALS` in a module ("too many locals"). A module that uses memory.init or
data.drop without a DataCount section is malformed only if it has data segments (with none
the index is out of range anyway; WABT omits DataCount then, and the suite calls such
modules invalid, not malformed).

Extension points: `SECTION_DECODERS` and `SECTION_ORDER` (by section id),
`TYPE_FORM_DECODERS` (by type-form byte), `IMPORT_DESC_DECODERS` (by import kind) and
`EXPORT_KINDS`. Module linking (`wasmlab.binary.linking`) registers its rows in
`LINKING_SECTION_DECODERS`, `LINKING_TYPE_FORMS` and `LINKING_IMPORT_KINDS`, which are
consulted only when the module is decoded with module linking on (see `decode`).
"""

from __future__ import annotations

import functools
import gc
from collections.abc import Callable

from ..errors import DecodeError
from ..syntax.features import DEFAULT, PROPOSALS, Features
from ..syntax.module import (
    INDIRECT_NAME_SUBSECTIONS,
    NAME_SUBSECTIONS,
    Custom,
    Data,
    Elem,
    Export,
    Expr,
    Func,
    Global,
    Import,
    Instr,
    Memory,
    Module,
    Names,
    Table,
    Tag,
)
from ..syntax.opcodes import BY_KEY, Op
from ..syntax.types import (
    ArrayType,
    ExternKind,
    FieldType,
    FuncType,
    GlobalType,
    HeapType,
    Limits,
    MemType,
    Packed,
    RefType,
    StructType,
    SubType,
    TableType,
    ValType,
    ref_type,
)
from .leb128 import read_signed, read_unsigned

MAGIC = b"\x00asm"
VERSION = b"\x01\x00\x00\x00"

#: implementation limits on declared locals (the spec allows up to 2**32 - 1 per function,
#: far beyond what Python lists of locals can hold): per function, as in the JS embedding,
#: and for the whole module
MAX_LOCALS = 50_000
MAX_MODULE_LOCALS = 1 << 22

UNEXPECTED_END = "unexpected end of section or function"

VALTYPES: dict[int, ValType] = {int(t): t for t in ValType}
REFTYPES: dict[int, ValType] = {int(t): t for t in ValType if t.is_ref}
#: abstract heap types by their byte (also the byte of their nullable shorthand value type)
HEAP_BYTES: dict[int, HeapType] = {h.value: h for h in HeapType}

#: section ids and their names, as `wasm-objdump` and the spec call them
SECTION_NAMES: dict[int, str] = {
    0: "custom",
    1: "type",
    2: "import",
    3: "function",
    4: "table",
    5: "memory",
    6: "global",
    7: "export",
    8: "start",
    9: "elem",
    10: "code",
    11: "data",
    12: "datacount",
    13: "tag",
    # module linking, in wasmtime 0.22's and the PR 2451 numbering
    14: "module",
    15: "instance",
    16: "alias",
    17: "modulecode",
    100: "module",
    101: "instance",
    102: "alias",
    103: "modulecode",
}

#: where each non-custom section may appear: strictly increasing ranks (DataCount, id 12,
#: comes between Elem and Code)
SECTION_ORDER: dict[int, float] = {
    1: 1,
    2: 2,
    3: 3,
    4: 4,
    5: 5,
    13: 5.5,  # tags (exception handling)
    6: 6,
    7: 7,
    8: 8,
    9: 9,
    12: 10,
    10: 11,
    11: 12,
}

_MEMORY_INIT = 0xFC08
_DATA_DROP = 0xFC09


#: module linking: section id -> decoder, for both encodings (PR 2451's 100-103 and
#: wasmtime 0.22's 14-17); filled by `wasmlab.binary.linking`
LINKING_SECTION_DECODERS: dict[int, Callable[[Decoder, int, int], None]] = {}
#: module linking: section id -> the id in wasmtime 0.22's numbering
LINKING_SECTION_IDS: dict[int, int] = {100: 14, 101: 15, 102: 16, 103: 17, 14: 14, 15: 15, 16: 16, 17: 17}
#: with module linking, type/import/module/instance/alias sections share one rank (they may
#: repeat and interleave) and the module-code section comes between DataCount and Code
LINKING_SECTION_ORDER: dict[int, float] = {
    **{sid: float(rank) for sid, rank in SECTION_ORDER.items()},
    1: 1.0, 2: 1.0, 14: 1.0, 15: 1.0, 16: 1.0, 17: 10.5,
}  # fmt: skip
_INITIAL_RANK = 1.0


@functools.cache
def opcodes_for(features: Features) -> dict[int, Op]:
    """The opcode table (by key) of 2.0 plus the proposals in `features`."""
    return {key: op for key, op in BY_KEY.items() if op.feature not in PROPOSALS or op.feature in features}


# how `Decoder.expr` reads an instruction's immediates: inline (the common one-byte forms)
# or through `_IMM_READERS`
_C_NONE, _C_END, _C_ELSE, _C_INDEX, _C_MEMARG, _C_CONST, _C_BLOCK, _C_OTHER = range(8)
_INDEX_KINDS = frozenset({"local", "label", "func", "global", "table", "elem", "type", "tag"})
#: i32.const / i64.const: the mask giving the value's unsigned bits, and how many of the
#: s32's (s64's) bytes come before the last one allowed (the only one with a limit check)
_CONSTS = {0x41: (0xFFFFFFFF, 4), 0x42: (0xFFFFFFFFFFFFFFFF, 9)}


@functools.cache
def _op_classes(features: Features) -> dict[int, tuple[Op, int]]:
    """key -> (op, how `Decoder.expr` reads its immediates), for `opcodes_for(features)`."""

    def cls(key: int, op: Op) -> int:
        if key == 0x0B:
            return _C_END
        if key == 0x05:
            return _C_ELSE
        if op.imm == "none":
            return _C_NONE
        if op.imm in _INDEX_KINDS:
            return _C_INDEX
        if op.imm == "memarg":
            return _C_MEMARG
        if key in _CONSTS:
            return _C_CONST
        if op.imm == "blocktype":
            return _C_BLOCK
        return _C_OTHER

    return {key: (op, cls(key, op)) for key, op in opcodes_for(features).items()}


class Decoder:
    """Decoding state: the bytes, the current position, and the module under construction.

    `linking`: whether module-linking sections and forms are accepted; `parent_types` is
    the parent's type index space when decoding a nested module; `features`: the
    proposals accepted (see `wasmlab.syntax.features`)."""

    def __init__(
        self,
        data: bytes,
        *,
        linking: bool = False,
        parent_types: list | None = None,
        features: Features = DEFAULT,
    ) -> None:
        self.b = data
        self.n = len(data)
        self.pos = 0
        self.linking = linking
        self.features = features
        self.multi_memory = "multi-memory" in features
        self.exceptions = "exceptions" in features
        self.memory64 = "memory64" in features
        self.legacy_exceptions = "legacy-exceptions" in features
        self.typed_refs = "function-references" in features or "gc" in features
        self.gc = "gc" in features
        self.ops = opcodes_for(features)
        self.parent_types = parent_types
        self.layout: list[tuple[int, int]] = []  # initial sections in binary order
        self.module_decls: list[int] = []  # module section entries (type indices)
        self.module_code_seen = False
        self.module = Module()
        self.func_types: list[int] = []
        self.bodies: list[Func] = []
        self.uses_data_count = False  # some body uses memory.init or data.drop
        self.last_id = 0  # id of the last non-custom section, for Custom.after
        self.total_locals = 0

    # --- errors ----------------------------------------------------------------------------

    def fail(self, message: str, offset: int | None = None) -> DecodeError:
        return DecodeError(message, self.pos if offset is None else offset)

    def eof(self) -> DecodeError:
        return DecodeError(UNEXPECTED_END, self.n)

    # --- bytes and integers -------------------------------------------------------------

    def byte(self) -> int:
        p = self.pos
        if p >= self.n:
            raise self.eof()
        self.pos = p + 1
        return self.b[p]

    def peek(self) -> int | None:
        return self.b[self.pos] if self.pos < self.n else None

    def take(self, count: int) -> bytes:
        p = self.pos
        if count < 0 or p + count > self.n:
            raise self.eof()
        self.pos = p + count
        return self.b[p : p + count]

    def u32(self) -> int:
        p = self.pos
        if p < self.n:
            x = self.b[p]
            if x < 0x80:
                self.pos = p + 1
                return x
        return self._leb(read_unsigned, 32)

    def uleb(self, bits: int) -> int:
        return self._leb(read_unsigned, bits)

    def sleb(self, bits: int) -> int:
        return self._leb(read_signed, bits)

    def _leb(self, reader: Callable[[bytes, int, int], tuple[int, int]], bits: int) -> int:
        try:
            value, self.pos = reader(self.b, self.pos, bits)
        except DecodeError as e:
            if e.reason.startswith("unexpected end"):
                raise self.eof() from None
            raise
        return value

    def length(self) -> int:
        """A u32 count or byte length; it cannot exceed the bytes that remain.

        (Like the reference interpreter, "remain" counts from the length's own first byte.)
        """
        start = self.pos
        n = self.u32()
        if n > self.n - start:
            raise self.fail("length out of bounds", start)
        return n

    def name(self) -> str:
        start = self.pos
        raw = self.take(self.length())
        try:
            return raw.decode("utf-8")
        except UnicodeDecodeError:
            raise self.fail("malformed UTF-8 encoding", start) from None

    # --- types ---------------------------------------------------------------------------

    def valtype(self) -> ValType | RefType:
        b = self.byte()
        t = VALTYPES.get(b)
        if t is ValType.EXNREF and not self.exceptions:
            t = None
        if t is None and self.typed_refs:
            t = self._gc_reftype(b)
        if t is None:
            if b & 0x80:  # the spec reads value types as s7: a multi-byte one is too long
                raise self.fail("integer representation too long", self.pos)
            raise self.fail(f"malformed value type {b:#04x}", self.pos - 1)
        return t

    def reftype(self) -> ValType | RefType:
        b = self.byte()
        t = REFTYPES.get(b)
        if t is ValType.EXNREF and not self.exceptions:
            t = None
        if t is None and self.typed_refs:
            t = self._gc_reftype(b)
        if t is None:
            raise self.fail("malformed reference type", self.pos - 1)
        return t

    def _gc_reftype(self, b: int) -> ValType | RefType | None:
        """3.0 reference types after their first byte `b`: `0x63 ht` (nullable), `0x64 ht`,
        or an abstract heap type's byte (its nullable shorthand)."""
        if b == 0x63 or b == 0x64:
            return ref_type(b == 0x63, self.heaptype())
        h = HEAP_BYTES.get(b)
        return None if h is None else ref_type(True, h)

    def heaptype(self) -> HeapType | int:
        """An abstract heap type (one negative s33 byte) or a type index."""
        start = self.pos
        b = self.peek()
        if b is not None and b & 0xC0 == 0x40:
            self.pos += 1
            h = HEAP_BYTES.get(b)
            if h is None or (h is HeapType.EXN and not self.exceptions):
                raise self.fail("malformed heap type", start)
            return h
        x = self.sleb(33)
        if x < 0:
            raise self.fail("malformed heap type", start)
        return x

    def storage_type(self) -> object:
        b = self.peek()
        if b == 0x78 or b == 0x77:
            self.pos += 1
            return Packed(b)
        return self.valtype()

    def field_type(self) -> FieldType:
        t = self.storage_type()
        m = self.byte()
        if m > 1:
            raise self.fail("malformed mutability", self.pos - 1)
        return FieldType(t, bool(m))

    def struct_type(self) -> StructType:
        return StructType(tuple(self.field_type() for _ in range(self.length())))

    def array_type(self) -> ArrayType:
        return ArrayType(self.field_type())

    def tag_type(self) -> int:
        """A tag's type: the attribute byte (0: exception) and a function type index."""
        at = self.pos
        if self.byte() != 0:
            raise self.fail("malformed tag attribute", at)
        return self.u32()

    def limits(self) -> Limits:
        if not self.memory64:
            flag = self.uleb(1)
            lo = self.u32()
            hi = self.u32() if flag else None
            return Limits(lo, hi)
        # memory64/table64: bit 0 says a maximum follows, bit 2 that addresses are i64
        # (then both bounds are u64); bit 1 (shared) needs threads
        at = self.pos
        flag = self.byte()
        if flag & ~0x05:
            raise self.fail(f"malformed limits flags {flag:#04x}", at)
        read = (lambda: self.uleb(64)) if flag & 0x04 else self.u32
        lo = read()
        hi = read() if flag & 0x01 else None
        return Limits(lo, hi, bool(flag & 0x04))

    def table_type(self) -> TableType:
        if self.typed_refs and self.peek() == 0x40:  # a table with an initializer: 0x40 0x00
            raise self.fail("malformed table type")
        elem = self.reftype()
        return TableType(self.limits(), elem)

    def mem_type(self) -> MemType:
        return MemType(self.limits())

    def global_type(self) -> GlobalType:
        t = self.valtype()
        m = self.byte()
        if m > 1:
            raise self.fail("malformed mutability", self.pos - 1)
        return GlobalType(t, bool(m))

    def func_type(self) -> FuncType:
        params = tuple(self.valtype() for _ in range(self.length()))
        results = tuple(self.valtype() for _ in range(self.length()))
        return FuncType(params, results)

    def def_type(self) -> object:
        start = self.pos
        form = self.byte()
        decoder = TYPE_FORM_DECODERS.get(form)
        if decoder is None and self.linking:
            decoder = LINKING_TYPE_FORMS.get(form)
        if decoder is None:
            if form & 0x80:  # the form is an s7 in the spec: a multi-byte one is too long
                raise self.fail("integer representation too long", self.pos)
            raise self.fail("malformed function type", start)
        return decoder(self)

    # --- instructions --------------------------------------------------------------------

    def expr(self) -> Expr:
        """An instruction sequence up to and including the `end` that closes it.

        The common immediates (one- and two-byte indices, small constants and memory
        arguments, empty block types) are read inline; everything else, and every
        encoding that could be malformed, goes through the immediate readers."""
        b = self.b
        n = self.n
        out: list[Instr] = []
        append = out.append
        classes = _op_classes(self.features)
        imm_readers = _IMM_READERS
        # memory arguments read inline: alignment flags below this bound (bit 6, a memory
        # index, only with multi-memory), then a one-byte offset
        align_bound = 0x40 if self.multi_memory else 32
        # open structures: 0 block/loop, 1 if (then-arm), 2 if (else-arm); legacy exceptions:
        # 3 try (body), 4 try (after a catch), 5 try (after catch_all)
        open_: list[int] = []
        legacy = self.legacy_exceptions
        pos = self.pos  # (self.pos is kept up to date only around the immediate readers)
        while True:
            start = pos
            if pos >= n:
                raise self.eof()
            code = b[pos]
            pos += 1
            if code == 0xFC or code == 0xFD or code == 0xFB:
                if pos < n and b[pos] < 0x80:
                    key = code << 8 | b[pos]
                    pos += 1
                else:
                    self.pos = pos
                    sub = self.u32()
                    pos = self.pos
                    key = code << 8 | sub if sub < 0x100 else code << 16 | sub
            else:
                key = code
            row = classes.get(key)
            if row is None:
                raise self._illegal(code, key, start)
            op, cls = row
            if legacy and (code == 0x07 or code == 0x19 or code == 0x18):
                self._legacy_try(open_, code, op, start)
            if cls == _C_NONE:
                append(Instr(op, None, start))
                continue
            if cls == _C_END:
                append(Instr(op, None, start))
                if not open_:
                    self.pos = pos
                    return out
                open_.pop()
                continue
            if cls == _C_INDEX:
                if pos < n:
                    x = b[pos]
                    if x < 0x80:
                        pos += 1
                        append(Instr(op, x, start))
                        continue
                    # a u32's first four bytes carry 28 bits: no limit check before the fifth
                    limit = pos + 4 if pos + 4 < n else n
                    value = x & 0x7F
                    shift = 7
                    p = pos + 1
                    while p < limit:
                        x = b[p]
                        p += 1
                        value |= (x & 0x7F) << shift
                        if x < 0x80:
                            break
                        shift += 7
                    if x < 0x80:
                        pos = p
                        append(Instr(op, value, start))
                        continue
            elif cls == _C_MEMARG:
                if pos + 1 < n:
                    a = b[pos]
                    x = b[pos + 1]
                    if a < align_bound and x < 0x80:
                        pos += 2
                        append(Instr(op, (a, x, 0), start))
                        continue
            elif cls == _C_CONST:
                # the bytes of an s32 (s64) before the last one allowed carry no limit check
                mask, most = _CONSTS[key]
                limit = pos + most if pos + most < n else n
                value = shift = 0
                p = pos
                while p < limit:
                    x = b[p]
                    p += 1
                    value |= (x & 0x7F) << shift
                    shift += 7
                    if x < 0x80:
                        if x & 0x40:
                            value -= 1 << shift
                        pos = p
                        append(Instr(op, value & mask, start))
                        break
                else:
                    self.pos = pos
                    append(Instr(op, _IMM_READERS[op.imm](self, op), start))
                    pos = self.pos
                continue
            elif cls == _C_BLOCK:
                if pos < n and b[pos] == 0x40:
                    pos += 1
                    open_.append(1 if code == 0x04 else 3 if code == 0x06 else 0)
                    append(Instr(op, None, start))
                    continue
            elif cls == _C_ELSE:
                if not open_ or open_[-1] != 1:
                    raise self.fail("END opcode expected (else outside an if)", start)
                open_[-1] = 2
                append(Instr(op, None, start))
                continue
            kind = op.imm
            self.pos = pos
            imm = imm_readers[kind](self, op)
            pos = self.pos
            if kind == "blocktype" or kind == "try_table":
                open_.append(1 if code == 0x04 else 3 if code == 0x06 else 0)
            elif key == _MEMORY_INIT or key == _DATA_DROP:
                self.uses_data_count = True
            append(Instr(op, imm, start))

    def _illegal(self, code: int, key: int, start: int) -> DecodeError:
        gated = BY_KEY.get(key)
        hint = f" ({gated.name} needs the {gated.feature} feature)" if gated is not None else ""
        if code == 0xFC or code == 0xFD or code == 0xFB:
            sub = key & 0xFF if key < 0x10000 else key & 0xFFFF
            return self.fail(f"illegal opcode {code:02x} {sub:x}{hint}", start)
        return self.fail(f"illegal opcode {code:02x}{hint}", start)

    def _legacy_try(self, open_: list[int], code: int, op: Op, start: int) -> None:
        """Legacy exceptions: catch/catch_all continue a try, delegate ends one."""
        top = open_[-1] if open_ else -1
        if code == 0x18:  # delegate ends the try block
            if top != 3:
                raise self.fail("END opcode expected (delegate outside a try body)", start)
            open_.pop()
        elif top not in (3, 4):
            raise self.fail(f"END opcode expected ({op.name} outside a try)", start)
        else:
            open_[-1] = 5 if code == 0x19 else 4

    def blocktype(self) -> ValType | int | None:
        b = self.peek()
        if b == 0x40:
            self.pos += 1
            return None
        if b is not None and b & 0xC0 == 0x40:
            return self.valtype()
        start = self.pos
        x = self.sleb(33)
        if x < 0:
            raise self.fail("malformed block type", start)
        return x

    def memarg(self) -> tuple[int, int, int]:
        """(align, offset, memory index): with multi-memory, flag bit 6 says a memory
        index follows the alignment."""
        align = self.u32()
        mem = 0
        if self.multi_memory:
            # 3.0: flags below 2^6 are the alignment, bit 6 says a memory index follows; the
            # alignment's bound is validation's (a flag from 2^7 is malformed)
            if align >= 0x80:
                raise self.fail("malformed memop flags", self.pos - 1)
            if align & 0x40:
                align &= ~0x40
                mem = self.u32()
            return align, self.uleb(64) if self.memory64 else self.u32(), mem
        if align >= 32:
            hint = " (bit 6, a memory index, needs the multi-memory feature)" if align & 0x40 else ""
            raise self.fail("malformed memop flags" + hint, self.pos - 1)
        # memory64: the offset is a u64 (validation bounds it by the memory's address type)
        return align, self.uleb(64) if self.memory64 else self.u32(), mem

    def memidx(self) -> int:
        """A memory index; in 2.0, where it is a reserved byte, only a zero byte."""
        if self.multi_memory:
            return self.u32()
        if self.byte() != 0:
            raise self.fail(
                "zero byte expected (a memory index needs the multi-memory feature)", self.pos - 1
            )
        return 0

    # --- sections ------------------------------------------------------------------------

    def decode(self) -> Module:
        b = self.b
        if self.n < 4:
            raise DecodeError("unexpected end", self.n)
        if b[:4] != MAGIC:
            raise DecodeError("magic header not detected", 0)
        if self.n < 8:
            raise DecodeError("unexpected end", self.n)
        if b[4:8] != VERSION:
            raise DecodeError("unknown binary version", 4)
        self.pos = 8
        last_rank: float = 0
        order = LINKING_SECTION_ORDER if self.linking else SECTION_ORDER
        while self.pos < self.n:
            start = self.pos
            sid = b[start]
            decoder = SECTION_DECODERS.get(sid)
            if decoder is None and self.linking:
                decoder = LINKING_SECTION_DECODERS.get(sid)
                sid = LINKING_SECTION_IDS.get(sid, sid)
            if decoder is None:
                raise self.fail("malformed section id", start)
            if sid != 0:
                rank = order[sid]
                repeatable = self.linking and rank == _INITIAL_RANK
                if rank < last_rank or (rank == last_rank and not repeatable):
                    raise self.fail("unexpected content after last section", start)
                last_rank = rank
            self.pos += 1
            size = self.length()
            body = self.pos
            decoder(self, size, start)
            if self.pos != body + size:
                raise self.fail("section size mismatch", body)
            if sid != 0:
                self.last_id = sid
        return self.finish()

    def finish(self) -> Module:
        m = self.module
        if len(self.func_types) != len(self.bodies):
            raise self.fail("function and code section have inconsistent lengths", self.n)
        if m.data_count is not None and m.data_count != len(m.datas):
            raise self.fail("data count and data section have inconsistent lengths", self.n)
        # memory.init/data.drop need a DataCount section; with no data segments at all we
        # let the validator reject the index instead ("unknown data segment"), as WABT
        # omits DataCount then and the suite counts those modules as invalid, not malformed
        if m.data_count is None and self.uses_data_count and m.datas:
            raise self.fail("data count section required", self.n)
        for t, f in zip(self.func_types, self.bodies):
            f.type = t
        m.funcs = self.bodies
        _read_branch_hints(m, self.b)
        if self.linking:
            if len(self.module_decls) != len(m.modules):
                raise self.fail("module and module code sections have inconsistent lengths", self.n)
            if self.layout != m.initial_sections_or_default():
                m.initial_sections = self.layout
        return m

    def vec(self, item: Callable[[Decoder], object]) -> list:
        return [item(self) for _ in range(self.length())]


# --- immediates -------------------------------------------------------------------------------


def _imm_u32(d: Decoder, op: Op) -> int:
    return d.u32()


def _imm_br_table(d: Decoder, op: Op) -> tuple[tuple[int, ...], int]:
    labels = tuple(d.u32() for _ in range(d.length()))
    return labels, d.u32()


def _imm_call_indirect(d: Decoder, op: Op) -> tuple[int, int]:
    typeidx = d.u32()
    return typeidx, d.u32()


def _imm_memory(d: Decoder, op: Op) -> int:
    return d.memidx()


def _imm_memarg_lane(d: Decoder, op: Op) -> tuple[int, int, int, int]:
    align, offset, mem = d.memarg()
    return align, offset, mem, d.byte()


def _imm_f32(d: Decoder, op: Op) -> int:
    return int.from_bytes(d.take(4), "little")


def _imm_f64(d: Decoder, op: Op) -> int:
    return int.from_bytes(d.take(8), "little")


def _imm_select_t(d: Decoder, op: Op) -> tuple[ValType, ...]:
    return tuple(d.valtype() for _ in range(d.length()))


def _imm_pair(d: Decoder, op: Op) -> tuple[int, int]:
    first = d.u32()
    return first, d.u32()


def _imm_memory_init(d: Decoder, op: Op) -> tuple[int, int]:
    x = d.u32()
    return x, d.memidx()


def _imm_memory_copy(d: Decoder, op: Op) -> tuple[int, int]:
    dst = d.memidx()
    return dst, d.memidx()


_IMM_READERS: dict[str, Callable[[Decoder, Op], object]] = {
    "blocktype": lambda d, op: d.blocktype(),
    "label": _imm_u32,
    "br_table": _imm_br_table,
    "func": _imm_u32,
    "call_indirect": _imm_call_indirect,
    "local": _imm_u32,
    "global": _imm_u32,
    "table": _imm_u32,
    "elem": _imm_u32,
    "data": _imm_u32,
    "memarg": lambda d, op: d.memarg(),
    "memarg_lane": _imm_memarg_lane,
    "memory": _imm_memory,
    "i32": lambda d, op: d.sleb(32) & 0xFFFFFFFF,
    "i64": lambda d, op: d.sleb(64) & 0xFFFFFFFFFFFFFFFF,
    "f32": _imm_f32,
    "f64": _imm_f64,
    "select_t": _imm_select_t,
    "reftype": lambda d, op: ref_type(True, d.heaptype()) if d.typed_refs else d.reftype(),
    "table_copy": _imm_pair,
    "table_init": _imm_pair,
    "memory_init": _imm_memory_init,
    "memory_copy": _imm_memory_copy,
    "memory_fill": _imm_memory,
    "v128": lambda d, op: d.take(16),
    "shuffle": lambda d, op: d.take(16),
    "lane": lambda d, op: d.byte(),
    "tag": _imm_u32,
    "try_table": lambda d, op: (d.blocktype(), tuple(d.vec(_catch))),
    "type": _imm_u32,
    "field": _imm_pair,
    "type_n": _imm_pair,
    "type_data": _imm_pair,
    "type_elem": _imm_pair,
    "type_type": _imm_pair,
    "cast": lambda d, op: ref_type(False, d.heaptype()),
    "cast_null": lambda d, op: ref_type(True, d.heaptype()),
    "br_on_cast": lambda d, op: _imm_br_on_cast(d),
}


def _imm_br_on_cast(d: Decoder) -> tuple[int, object, object]:
    """br_on_cast(_fail): flags (bit 0: the first type is nullable, bit 1: the second), the
    label, the two heap types."""
    at = d.pos
    flags = d.byte()
    if flags > 3:
        raise d.fail("malformed br_on_cast flags", at)
    label = d.u32()
    h1 = d.heaptype()
    h2 = d.heaptype()
    return label, ref_type(bool(flags & 1), h1), ref_type(bool(flags & 2), h2)


def _catch(d: Decoder) -> tuple[int, int | None, int]:
    """A try_table catch clause: (kind 0-3, tag index or None, label depth)."""
    at = d.pos
    kind = d.byte()
    if kind > 3:
        raise d.fail("malformed catch clause", at)
    tag = d.u32() if kind < 2 else None
    return kind, tag, d.u32()


# --- sections ---------------------------------------------------------------------------------


def _custom_section(d: Decoder, size: int, start: int) -> None:
    body = d.pos
    name = d.name()
    rest = size - (d.pos - body)
    data = d.take(rest)  # a name longer than the section: negative rest, "unexpected end"
    d.module.customs.append(Custom(name, data, d.last_id, start))
    if name == "name" and not any(c.name == "name" for c in d.module.customs[:-1]):
        d.module.names = decode_names(data)


def _type_section(d: Decoder, size: int, start: int) -> None:
    if not d.gc or d.linking:  # (module linking's type forms have no recursion groups)
        types = d.vec(Decoder.def_type)
        d.module.types.extend(types)
        d.layout.append((1, len(types)))
        return
    first = len(d.module.types)
    for _ in range(d.length()):
        if d.peek() == 0x4E:  # rec: a recursion group
            d.pos += 1
            n = d.length()
            d.module.recs.append((len(d.module.types), n))
            for _ in range(n):
                _sub_type(d)
        else:
            _sub_type(d)
    d.layout.append((1, len(d.module.types) - first))


def _sub_type(d: Decoder) -> None:
    """`sub final? supers comp` (0x4F final, 0x50 open) or a plain composite type (final)."""
    index = len(d.module.types)
    b = d.peek()
    if b == 0x50 or b == 0x4F:
        d.pos += 1
        supers = tuple(d.u32() for _ in range(d.length()))
        d.module.subtypes[index] = SubType(b == 0x4F, supers)
    start = d.pos
    form = d.byte()
    if form == 0x5F:
        d.module.types.append(d.struct_type())
    elif form == 0x5E:
        d.module.types.append(d.array_type())
    elif form == 0x60:
        d.module.types.append(d.func_type())
    else:
        raise d.fail("malformed function type" if b not in (0x4F, 0x50) else "malformed sub type", start)


def import_field(d: Decoder) -> str | None:
    """An import's field name; None for module linking's single-level import marker
    (`01 c0` in the PR 2451 encoding, `00 ff` in wasmtime 0.22's)."""
    if d.linking and d.pos + 1 < d.n:
        pair = d.b[d.pos : d.pos + 2]
        if pair == b"\x01\xc0" or pair == b"\x00\xff":
            d.pos += 2
            return None
    return d.name()


def import_desc(d: Decoder) -> tuple[ExternKind, object]:
    kind_at = d.pos
    kind = d.byte()
    reader = LINKING_IMPORT_KINDS.get(kind) if d.linking else None
    if reader is None and (kind != ExternKind.TAG or d.exceptions):
        reader = IMPORT_DESC_DECODERS.get(kind)
    if reader is None:
        raise d.fail("malformed import kind", kind_at)
    return ExternKind(kind), reader(d)


def _import(d: Decoder) -> Import:
    start = d.pos
    module = d.name()
    name = import_field(d)
    kind, desc = import_desc(d)
    return Import(module, name, kind, desc, start)


def _import_section(d: Decoder, size: int, start: int) -> None:
    imports = d.vec(_import)
    d.module.imports.extend(imports)
    d.layout.append((2, len(imports)))


def _function_section(d: Decoder, size: int, start: int) -> None:
    d.func_types = d.vec(Decoder.u32)


def _table_section(d: Decoder, size: int, start: int) -> None:
    def table(d: Decoder) -> Table:
        at = d.pos
        if d.typed_refs and d.peek() == 0x40:  # typed function references: 0x40 0x00 tt expr
            d.pos += 1
            if d.byte() != 0:
                raise d.fail("malformed table", d.pos - 1)
            tt = d.table_type()
            return Table(tt, d.expr(), at)
        return Table(d.table_type(), None, at)

    d.module.tables = d.vec(table)


def _memory_section(d: Decoder, size: int, start: int) -> None:
    def memory(d: Decoder) -> Memory:
        at = d.pos
        return Memory(d.mem_type(), at)

    d.module.mems = d.vec(memory)


def _global_section(d: Decoder, size: int, start: int) -> None:
    def global_(d: Decoder) -> Global:
        at = d.pos
        t = d.global_type()
        return Global(t, d.expr(), at)

    d.module.globals = d.vec(global_)


def _tag_section(d: Decoder, size: int, start: int) -> None:
    if not d.exceptions:
        raise d.fail("malformed section id (the tag section needs the exceptions feature)", start)

    def tag(d: Decoder) -> Tag:
        at = d.pos
        return Tag(d.tag_type(), at)

    d.module.tags = d.vec(tag)


def _export(d: Decoder) -> Export:
    start = d.pos
    name = d.name()
    kind_at = d.pos
    kind = d.byte()
    if (
        kind not in EXPORT_KINDS
        and not (d.linking and kind in LINKING_EXPORT_KINDS)
        and not (d.exceptions and kind == ExternKind.TAG)
    ):
        raise d.fail("malformed export kind", kind_at)
    return Export(name, ExternKind(kind), d.u32(), start)


def _export_section(d: Decoder, size: int, start: int) -> None:
    d.module.exports = d.vec(_export)


def _start_section(d: Decoder, size: int, start: int) -> None:
    d.module.start = d.u32()


_REF_FUNC = BY_KEY[0xD2]
_END = BY_KEY[0x0B]


def _elem(d: Decoder) -> Elem:
    start = d.pos
    flags_at = d.pos
    flags = d.u32()
    if flags > 7:
        raise d.fail("malformed elements segment kind", flags_at)
    mode = "active"
    table = 0
    offset_expr = None
    if flags & 1:
        mode = "declarative" if flags & 2 else "passive"
    else:
        if flags & 2:
            table = d.u32()
        offset_expr = d.expr()
    etype = ValType.FUNCREF
    if flags & 3:  # an explicit element kind or reference type
        if flags & 4:
            etype = d.reftype()
        else:
            at = d.pos
            if d.byte() != 0x00:
                raise d.fail("malformed element kind", at)
    init: list[Expr] = []
    if flags & 4:
        init = d.vec(Decoder.expr)
    else:
        for _ in range(d.length()):
            at = d.pos
            init.append([Instr(_REF_FUNC, d.u32(), at), Instr(_END, None, None)])
    return Elem(etype, init, mode, table, offset_expr, flags, start)


def _elem_section(d: Decoder, size: int, start: int) -> None:
    d.module.elems = d.vec(_elem)


def _code_section(d: Decoder, size: int, start: int) -> None:
    d.module.code_offset = d.pos  # (DWARF addresses count from here)
    d.bodies = d.vec(_code)


def _code(d: Decoder) -> Func:
    at = d.pos
    size = d.length()
    body_start = d.pos
    groups: list[tuple[int, ValType]] = []
    total = 0
    for _ in range(d.length()):
        count = d.u32()
        groups.append((count, d.valtype()))
        total += count
    if total >= 1 << 32:
        raise d.fail("too many locals", body_start)
    if total > MAX_LOCALS:
        raise d.fail(f"too many locals (this implementation allows {MAX_LOCALS} per function)", body_start)
    d.total_locals += total
    if d.total_locals > MAX_MODULE_LOCALS:
        raise d.fail(
            f"too many locals (this implementation allows {MAX_MODULE_LOCALS} in a module)", body_start
        )
    locals_: list[ValType] = []
    for count, t in groups:
        locals_.extend([t] * count)
    body = d.expr()
    if d.pos != body_start + size:
        raise d.fail("section size mismatch", body_start)
    return Func(-1, locals_, body, groups, at)


def _data(d: Decoder) -> Data:
    start = d.pos
    flags = d.u32()
    if flags > 2:
        raise d.fail("malformed data segment kind", start)
    memory = 0
    mode = "active"
    offset_expr = None
    if flags == 1:
        mode = "passive"
    else:
        if flags == 2:
            memory = d.u32()
        offset_expr = d.expr()
    init = d.take(d.length())
    return Data(init, mode, memory, offset_expr, flags, start)


def _data_section(d: Decoder, size: int, start: int) -> None:
    d.module.datas = d.vec(_data)


def _data_count_section(d: Decoder, size: int, start: int) -> None:
    d.module.data_count = d.u32()


#: section id -> decoder(decoder, size, offset of the section id byte)
SECTION_DECODERS: dict[int, Callable[[Decoder, int, int], None]] = {
    0: _custom_section,
    1: _type_section,
    2: _import_section,
    3: _function_section,
    4: _table_section,
    5: _memory_section,
    6: _global_section,
    7: _export_section,
    8: _start_section,
    9: _elem_section,
    10: _code_section,
    11: _data_section,
    12: _data_count_section,
    13: _tag_section,
}

#: type-form byte -> decoder of the rest of the type
TYPE_FORM_DECODERS: dict[int, Callable[[Decoder], object]] = {0x60: Decoder.func_type}

#: import kind byte -> decoder of the import's descriptor
IMPORT_DESC_DECODERS: dict[int, Callable[[Decoder], object]] = {
    0: Decoder.u32,
    1: Decoder.table_type,
    2: Decoder.mem_type,
    3: Decoder.global_type,
    4: lambda d: d.tag_type(),
}

#: export kinds (each followed by an index)
EXPORT_KINDS: set[int] = {0, 1, 2, 3}

#: module linking: type-form byte -> decoder (0x61 module type, 0x62 instance type)
LINKING_TYPE_FORMS: dict[int, Callable[[Decoder], object]] = {}
#: module linking: import kind -> decoder of the descriptor (5 module, 6 instance: a typeidx)
LINKING_IMPORT_KINDS: dict[int, Callable[[Decoder], object]] = {5: Decoder.u32, 6: Decoder.u32}
#: module linking: export kinds 5 (module) and 6 (instance)
LINKING_EXPORT_KINDS: set[int] = {5, 6}


# --- the name section (spec 7.4) -----------------------------------------------------------


def decode_names(payload: bytes) -> Names:
    """Decode a `name` section's payload; a malformed one gives empty `Names` (never an error)."""
    try:
        return _names(payload)
    except (DecodeError, ValueError):
        return Names()


def _names(payload: bytes) -> Names:
    d = Decoder(payload)
    names = Names()
    last = -1
    while d.pos < d.n:
        sub = d.byte()
        if sub <= last:
            raise d.fail("name subsections out of order")
        last = sub
        size = d.length()
        end = d.pos + size
        if sub == 0:
            names.module = d.name()
        elif sub in INDIRECT_NAME_SUBSECTIONS:
            maps = getattr(names, INDIRECT_NAME_SUBSECTIONS[sub])
            for _ in range(d.length()):
                func = d.u32()
                maps[func] = _name_map(d)
        elif sub in NAME_SUBSECTIONS:
            setattr(names, NAME_SUBSECTIONS[sub], _name_map(d))
        else:
            d.pos = end  # later proposals' subsections (fields, tags, ...) are kept raw only
        if d.pos != end:
            raise d.fail("name subsection size mismatch")
    return names


def _name_map(d: Decoder) -> dict[int, str]:
    out: dict[int, str] = {}
    for _ in range(d.length()):
        idx = d.u32()
        out[idx] = d.name()
    return out


#: 2.0 decoding errors that a module-linking form explains (a module or instance type, an
#: import or export of a module or instance, a single-level import marker)
_LINKING_HINTS = ("malformed function type", "malformed import kind", "malformed export kind",
                  "malformed UTF-8 encoding")  # fmt: skip


def uses_linking_sections(data: bytes) -> bool:
    """Whether the section headers name a module-linking section (either encoding)."""
    pos, n = 8, len(data)
    try:
        while pos < n:
            sid = data[pos]
            if sid in LINKING_SECTION_IDS:
                return True
            size, pos = read_unsigned(data, pos + 1, 32)
            pos += size
    except DecodeError:
        return False
    return False


def _as_bytes(data: bytes | bytearray | memoryview) -> bytes:
    if not isinstance(data, bytes):
        try:
            data = bytes(data)
        except TypeError:
            raise DecodeError(f"cannot decode a {type(data).__name__}, expected bytes") from None
    return data


def decode(
    data: bytes | bytearray | memoryview,
    *,
    module_linking: bool | None = False,
    features: Features = DEFAULT,
) -> Module:
    """Decode a binary module; raise `DecodeError` (with a byte offset) if it is malformed.

    `module_linking`: True accepts the module-linking proposal (both its encodings), False
    is plain WebAssembly 2.0 (sections 14-17 are "malformed section id", a repeated section
    is out of order; the default). None turns it on when a module-linking section (ids
    14-17 or 100-103) is there; `decode_auto` also recognizes the other module-linking forms.
    `features`: the post-2.0 proposals accepted (`wasmlab.syntax.features`).
    """
    data = _as_bytes(data)
    if module_linking is None:
        module_linking = uses_linking_sections(data)
    # a module's instructions are many small objects without cycles: the cycle collector's
    # passes over them (and over everything else alive) would cost more than the decoding
    collecting = gc.isenabled()
    gc.disable()
    try:
        return Decoder(data, linking=module_linking, features=features).decode()
    finally:
        if collecting:
            gc.enable()


def decode_auto(data: bytes | bytearray | memoryview, *, features: Features = DEFAULT) -> Module:
    """Decode with module linking when the bytes need it: a module-linking section is
    there, or 2.0 fails on a form only module linking has (a module or instance type, an
    import or export of a module or instance, a single-level import) and module linking
    reads the bytes. Otherwise the result and errors are the 2.0 decoder's."""
    data = _as_bytes(data)
    if uses_linking_sections(data):
        return decode(data, module_linking=True, features=features)
    try:
        return decode(data, features=features)
    except DecodeError as e:
        if not e.reason.startswith(_LINKING_HINTS):
            raise
        try:
            return decode(data, module_linking=True, features=features)
        except DecodeError:
            raise e from None


#: the custom section of branch hints (3.0's `(@metadata.code.branch_hint ...)` annotations)
BRANCH_HINTS = "metadata.code.branch_hint"


def _read_branch_hints(m: Module, b: bytes) -> None:
    """Branch hints into `Func.branch_hints` (pc of an if or br_if -> 0 or 1). A section that
    does not describe this module's if/br_if instructions stays a raw custom section, as an
    engine may ignore a custom section it cannot read."""
    for c in m.customs:
        if c.name != BRANCH_HINTS:
            continue
        try:
            hints = _branch_hints(m, b, c.data)
        except (ValueError, IndexError, KeyError, DecodeError):
            continue
        for f in m.funcs:
            f.branch_hints = {}
        for f, pcs in hints:
            f.branch_hints = pcs
        m.customs.remove(c)
        return


def _branch_hints(m: Module, b: bytes, data: bytes) -> list[tuple[Func, dict[int, int]]]:
    n_imported = sum(1 for imp in m.imports if imp.kind is ExternKind.FUNC)
    pos = 0

    def u32() -> int:
        nonlocal pos
        value, pos = read_unsigned(data, pos, 32)
        return value

    out = []
    for _ in range(u32()):
        f = m.funcs[u32() - n_imported]
        if f.offset is None:
            raise ValueError("no body offset")
        _, start = read_unsigned(b, f.offset, 32)  # the body starts after its size
        by_offset = {ins.offset - start: pc for pc, ins in enumerate(f.body) if ins.offset is not None}
        pcs = {}
        for _ in range(u32()):
            at = u32()
            if u32() != 1:
                raise ValueError("a hint is one byte")
            value = data[pos]
            pos += 1
            pc = by_offset[at]
            if value > 1 or f.body[pc].op.name not in ("if", "br_if"):
                raise ValueError("not a branch hint")
            pcs[pc] = value
        out.append((f, pcs))
    if pos != len(data):
        raise ValueError("trailing bytes")
    return out
