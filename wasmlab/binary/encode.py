"""The binary encoder (spec 5): `Module` -> bytes, the inverse of `decode`.

Numbers are written as the shortest LEB128. Where the binary format offers a choice the
module's hints are honoured when they agree with its contents: `Func.local_groups`, the
`flags` of element and data segments, the position (`after`) of custom sections and the
presence of a DataCount section (`Module.data_count`). Without hints (a module built in
Python) the encoder picks the canonical, shortest form.

An expression may omit its final `end`; the encoder adds it.

Extension points: `SECTION_ENCODERS` (in emission order, by section id), `TYPE_ENCODERS`
(by the Python class of a type) and `IMPORT_DESC_ENCODERS` (by import kind). Entries of
`Module.extra` that no encoder claims are ignored. A module that uses module linking has
its type, import, module, instance and alias sections written by `wasmlab.binary.linking`.
"""

from __future__ import annotations

import struct
from collections.abc import Callable, Iterable
from typing import Any

from ..errors import WasmError
from ..syntax.module import (
    INDIRECT_NAME_SUBSECTIONS,
    NAME_SUBSECTIONS,
    Custom,
    Data,
    Elem,
    Expr,
    Func,
    Instr,
    Module,
    Names,
    Table,
)
from ..syntax.opcodes import ALL_OPS, BY_KEY, Op
from ..syntax.signatures import rec_groups
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
    TableType,
    ValType,
)
from .decode import MAGIC, VERSION
from .leb128 import write_signed, write_unsigned


class EncodeError(WasmError):
    """The module cannot be written as bytes (a value out of range, an unknown form...)."""


# --- low-level writers ----------------------------------------------------------------------


def _u32(out: bytearray, value: int) -> None:
    if type(value) is int and 0 <= value < 0x80:
        out.append(value)
    else:
        out += write_unsigned(_int(value), 32)


def _u64(out: bytearray, value: int) -> None:
    if type(value) is int and 0 <= value < 0x80:
        out.append(value)
    else:
        out += write_unsigned(_int(value), 64)


def _int(value: object) -> int:
    if isinstance(value, bool) or not isinstance(value, int):
        raise EncodeError(f"expected an integer, got {value!r}")
    return value


def _name(out: bytearray, text: str) -> None:
    try:
        raw = text.encode("utf-8")
    except (UnicodeEncodeError, AttributeError):
        raise EncodeError(f"not a valid name: {text!r}") from None
    _u32(out, len(raw))
    out += raw


def _valtype(out: bytearray, t: ValType | RefType) -> None:
    if isinstance(t, RefType):
        _reftype(out, t)
        return
    if not isinstance(t, ValType):
        raise EncodeError(f"not a value type: {t!r}")
    out.append(t)


def _heaptype(out: bytearray, h: object) -> None:
    if isinstance(h, HeapType):
        out.append(h.value)
    elif isinstance(h, int) and not isinstance(h, bool) and h >= 0:
        out += write_signed(h, 33)
    else:
        raise EncodeError(f"not a heap type: {h!r}")


def _reftype(out: bytearray, t: ValType | RefType) -> None:
    if isinstance(t, RefType):
        if t.nullable and isinstance(t.heap, HeapType):
            out.append(t.heap.value)  # the shorthand (anyref, nullref, ...)
        else:
            out.append(0x63 if t.nullable else 0x64)
            _heaptype(out, t.heap)
        return
    if not isinstance(t, ValType) or not t.is_ref:
        raise EncodeError(f"not a reference type: {t!r}")
    out.append(t)


def _storage_type(out: bytearray, t: object) -> None:
    if isinstance(t, Packed):
        out.append(t.value)
    else:
        _valtype(out, t)  # type: ignore[arg-type]


def _field_type(out: bytearray, f: FieldType) -> None:
    _storage_type(out, f.storage)
    out.append(1 if f.mutable else 0)


def _struct_type(out: bytearray, t: StructType) -> None:
    out.append(0x5F)
    _u32(out, len(t.fields))
    for f in t.fields:
        _field_type(out, f)


def _array_type(out: bytearray, t: ArrayType) -> None:
    out.append(0x5E)
    _field_type(out, t.field)


def _limits(out: bytearray, lim: Limits) -> None:
    if lim.is64:  # memory64/table64: flag bit 2, u64 bounds
        out.append(0x05 if lim.max is not None else 0x04)
        _u64(out, lim.min)
        if lim.max is not None:
            _u64(out, lim.max)
    elif lim.max is None:
        out.append(0)
        _u32(out, lim.min)
    else:
        out.append(1)
        _u32(out, lim.min)
        _u32(out, lim.max)


def _table_type(out: bytearray, t: TableType) -> None:
    _reftype(out, t.elem)
    _limits(out, t.limits)


def _mem_type(out: bytearray, t: MemType) -> None:
    _limits(out, t.limits)


def _global_type(out: bytearray, t: GlobalType) -> None:
    _valtype(out, t.type)
    out.append(1 if t.mutable else 0)


def _func_type(out: bytearray, t: FuncType) -> None:
    out.append(0x60)
    _u32(out, len(t.params))
    for p in t.params:
        _valtype(out, p)
    _u32(out, len(t.results))
    for r in t.results:
        _valtype(out, r)


# --- instructions ---------------------------------------------------------------------------


def _opcode_bytes(op: Op) -> bytes:
    if op.prefix is None:
        return bytes((op.code,))
    return bytes((op.prefix,)) + write_unsigned(op.code, 32)


_OPCODES: dict[Op, bytes] = {op: _opcode_bytes(op) for op in ALL_OPS}


def _imm_u32(out: bytearray, imm: object) -> None:
    _u32(out, imm)  # type: ignore[arg-type]


def _imm_blocktype(out: bytearray, imm: object) -> None:
    if imm is None:
        out.append(0x40)
    elif isinstance(imm, ValType):
        out.append(imm)
    elif isinstance(imm, RefType):
        _reftype(out, imm)
    else:
        x = _int(imm)
        if x < 0:
            raise EncodeError(f"negative block type index {x}")
        out += write_signed(x, 33)


def _imm_br_table(out: bytearray, imm: object) -> None:
    labels, default = imm  # type: ignore[misc]
    _u32(out, len(labels))
    for label in labels:
        _u32(out, label)
    _u32(out, default)


def _imm_pair(out: bytearray, imm: object) -> None:
    a, b = imm  # type: ignore[misc]
    _u32(out, a)
    _u32(out, b)


def _imm_memarg(out: bytearray, imm: object) -> None:
    align, offset, mem = imm  # type: ignore[misc]
    if mem:  # multi-memory: flag bit 6 says a memory index follows the alignment
        _u32(out, align | 0x40)
        _u32(out, mem)
    else:
        _u32(out, align)
    _u64(out, offset)  # a u32 unless the memory is 64-bit (memory64)


def _imm_memarg_lane(out: bytearray, imm: object) -> None:
    align, offset, mem, lane = imm  # type: ignore[misc]
    _imm_memarg(out, (align, offset, mem))
    out.append(lane)


def _imm_i32(out: bytearray, imm: object) -> None:
    x = _int(imm) & 0xFFFFFFFF
    out += write_signed(x - (1 << 32) if x >> 31 else x, 32)


def _imm_i64(out: bytearray, imm: object) -> None:
    x = _int(imm) & 0xFFFFFFFFFFFFFFFF
    out += write_signed(x - (1 << 64) if x >> 63 else x, 64)


def _imm_f32(out: bytearray, imm: object) -> None:
    if isinstance(imm, float):
        out += struct.pack("<f", imm)
    else:
        out += (_int(imm) & 0xFFFFFFFF).to_bytes(4, "little")


def _imm_f64(out: bytearray, imm: object) -> None:
    if isinstance(imm, float):
        out += struct.pack("<d", imm)
    else:
        out += (_int(imm) & 0xFFFFFFFFFFFFFFFF).to_bytes(8, "little")


def _imm_select_t(out: bytearray, imm: object) -> None:
    types = tuple(imm)  # type: ignore[arg-type]
    _u32(out, len(types))
    for t in types:
        _valtype(out, t)


def _imm_reftype(out: bytearray, imm: object) -> None:
    """ref.null's heap type (the byte of a shorthand is its heap type's)."""
    if isinstance(imm, RefType):
        _heaptype(out, imm.heap)
    else:
        _reftype(out, imm)  # type: ignore[arg-type]


def _imm_br_on_cast(out: bytearray, imm: object) -> None:
    label, t1, t2 = imm  # type: ignore[misc]
    out.append((1 if t1.nullable else 0) | (2 if t2.nullable else 0))
    _u32(out, label)
    _heaptype(out, t1.heap)
    _heaptype(out, t2.heap)


def _imm_memory_init(out: bytearray, imm: object) -> None:
    data, mem = imm  # type: ignore[misc]
    _u32(out, data)
    _u32(out, mem)


def _imm_bytes16(out: bytearray, imm: object) -> None:
    raw = bytes(imm)  # type: ignore[call-overload]
    if len(raw) != 16:
        raise EncodeError(f"a v128 immediate needs 16 bytes, got {len(raw)}")
    out += raw


def _imm_lane(out: bytearray, imm: object) -> None:
    out.append(imm)  # type: ignore[arg-type]


def _imm_try_table(out: bytearray, imm: object) -> None:
    bt, catches = imm  # type: ignore[misc]
    _imm_blocktype(out, bt)
    _u32(out, len(catches))
    for kind, tag, label in catches:
        out.append(kind)
        if kind < 2:
            _u32(out, tag)
        _u32(out, label)


_IMM_WRITERS: dict[str, Callable[[bytearray, object], None]] = {
    "blocktype": _imm_blocktype,
    "label": _imm_u32,
    "br_table": _imm_br_table,
    "func": _imm_u32,
    "call_indirect": _imm_pair,
    "local": _imm_u32,
    "global": _imm_u32,
    "table": _imm_u32,
    "elem": _imm_u32,
    "data": _imm_u32,
    "memarg": _imm_memarg,
    "memarg_lane": _imm_memarg_lane,
    "memory": _imm_u32,
    "i32": _imm_i32,
    "i64": _imm_i64,
    "f32": _imm_f32,
    "f64": _imm_f64,
    "select_t": _imm_select_t,
    "reftype": _imm_reftype,
    "table_copy": _imm_pair,
    "table_init": _imm_pair,
    "memory_init": _imm_memory_init,
    "memory_copy": _imm_pair,
    "memory_fill": _imm_u32,
    "tag": _imm_u32,
    "try_table": _imm_try_table,
    "v128": _imm_bytes16,
    "shuffle": _imm_bytes16,
    "lane": _imm_lane,
    "type": _imm_u32,
    "field": _imm_pair,
    "type_n": _imm_pair,
    "type_data": _imm_pair,
    "type_elem": _imm_pair,
    "type_type": _imm_pair,
    "cast": lambda out, imm: _heaptype(out, imm.heap),  # type: ignore[attr-defined]
    "cast_null": lambda out, imm: _heaptype(out, imm.heap),  # type: ignore[attr-defined]
    "br_on_cast": _imm_br_on_cast,
}

_END = b"\x0b"
_DATA_COUNT_KEYS = (0xFC08, 0xFC09)  # memory.init, data.drop


def encode_instr(out: bytearray, instr: Instr) -> None:
    """Append one instruction's bytes."""
    op = instr.op
    if op.imm in ("cast", "cast_null"):  # ref.test / ref.cast: the row says whether the type is nullable
        op = BY_KEY[(op.prefix << 8) | (op.code & ~1) | (1 if getattr(instr.imm, "nullable", False) else 0)]  # type: ignore[operator]
    code = _OPCODES.get(op)
    if code is None:
        if not isinstance(op, Op):
            raise EncodeError(f"not an instruction: {instr!r}")
        code = _opcode_bytes(op)
    out += code
    if op.imm != "none":
        try:
            _IMM_WRITERS[op.imm](out, instr.imm)
        except EncodeError as e:
            raise EncodeError(f"{op.name}: {e.message}") from None
        except (TypeError, ValueError, KeyError, OverflowError, AttributeError) as e:
            raise EncodeError(f"{op.name}: bad immediate {instr.imm!r} ({e})") from None


def encode_expr(out: bytearray, expr: Iterable[Instr]) -> None:
    """Append an expression's bytes, adding the final `end` if the list leaves it out."""
    depth = 0
    closed = False
    for instr in expr:
        encode_instr(out, instr)
        code = instr.op.code if instr.op.prefix is None else -1
        if code in (0x02, 0x03, 0x04):
            depth += 1
        elif code == 0x0B:
            if depth == 0:
                closed = True
            depth -= 1
    if not closed:
        out += _END * (depth + 1)


# --- sections -----------------------------------------------------------------------------------


class Context:
    """What section encoders share: the module and facts found while encoding it."""

    def __init__(self, module: Module, names: bool) -> None:
        self.module = module
        self.names = names
        #: branch hints met while writing the code: (function index, [(body offset, hint)])
        self.branch_hints: list[tuple[int, list[tuple[int, int]]]] = []
        self.needs_data_count = False


def _vec(out: bytearray, items: list, item: Callable[[bytearray, object], None]) -> None:
    _u32(out, len(items))
    for x in items:
        item(out, x)


def _type_section(ctx: Context) -> bytes | None:
    types = ctx.module.types
    if not types:
        return None
    out = bytearray()

    def deftype(out: bytearray, t: object) -> None:
        writer = TYPE_ENCODERS.get(type(t))
        if writer is None:
            raise EncodeError(f"cannot encode the type {t!r}")
        writer(out, t)

    m = ctx.module
    if not m.subtypes and not m.recs:
        _vec(out, types, deftype)
        return bytes(out)
    groups = rec_groups(len(types), m.recs)
    explicit = set(m.recs)
    _u32(out, len(groups))
    for start, n in groups:
        if (start, n) in explicit:
            out.append(0x4E)
            _u32(out, n)
        for i in range(start, start + n):
            sub = m.subtypes.get(i)
            if sub is not None and (sub.supers or not sub.final):
                out.append(0x4F if sub.final else 0x50)
                _u32(out, len(sub.supers))
                for x in sub.supers:
                    _u32(out, x)
            deftype(out, types[i])
    return bytes(out)


def _import_section(ctx: Context) -> bytes | None:
    imports = ctx.module.imports
    if not imports:
        return None
    out = bytearray()
    _u32(out, len(imports))
    for imp in imports:
        if imp.name is None:
            raise EncodeError(f"import {imp.module!r} has no field name (module linking is not enabled)")
        _name(out, imp.module)
        _name(out, imp.name)
        writer = IMPORT_DESC_ENCODERS.get(int(imp.kind))
        if writer is None:
            raise EncodeError(f"cannot encode an import of kind {imp.kind!r}")
        out.append(int(imp.kind))
        writer(out, imp.desc)
    return bytes(out)


def _function_section(ctx: Context) -> bytes | None:
    funcs = ctx.module.funcs
    if not funcs:
        return None
    out = bytearray()
    _vec(out, funcs, lambda out, f: _u32(out, f.type))
    return bytes(out)


def _table_section(ctx: Context) -> bytes | None:
    tables = ctx.module.tables
    if not tables:
        return None
    out = bytearray()

    def table(out: bytearray, t: Table) -> None:
        if t.init is not None:
            out += b"\x40\x00"
            _table_type(out, t.type)
            encode_expr(out, t.init)
        else:
            _table_type(out, t.type)

    _vec(out, tables, table)
    return bytes(out)


def _memory_section(ctx: Context) -> bytes | None:
    mems = ctx.module.mems
    if not mems:
        return None
    out = bytearray()
    _vec(out, mems, lambda out, m: _mem_type(out, m.type))
    return bytes(out)


def _global_section(ctx: Context) -> bytes | None:
    globals_ = ctx.module.globals
    if not globals_:
        return None
    out = bytearray()
    _u32(out, len(globals_))
    for g in globals_:
        _global_type(out, g.type)
        encode_expr(out, g.init)
    return bytes(out)


def _tag_type(out: bytearray, typeidx: object) -> None:
    out.append(0)  # the attribute: an exception
    _u32(out, typeidx)  # type: ignore[arg-type]


def _tag_section(ctx: Context) -> bytes | None:
    tags = ctx.module.tags
    if not tags:
        return None
    out = bytearray()
    _u32(out, len(tags))
    for t in tags:
        _tag_type(out, t.type)
    return bytes(out)


def _export_section(ctx: Context) -> bytes | None:
    exports = ctx.module.exports
    if not exports:
        return None
    out = bytearray()
    _u32(out, len(exports))
    for e in exports:
        _name(out, e.name)
        out.append(int(e.kind))
        _u32(out, e.index)
    return bytes(out)


def _start_section(ctx: Context) -> bytes | None:
    if ctx.module.start is None:
        return None
    out = bytearray()
    _u32(out, ctx.module.start)
    return bytes(out)


def _ref_func_index(expr: Expr) -> int | None:
    """x when the expression is exactly `ref.func x` (with or without its `end`)."""
    if not expr or expr[0].op.key != 0xD2:
        return None
    if len(expr) == 1 or (len(expr) == 2 and expr[1].op.key == 0x0B):
        return expr[0].imm
    return None


def elem_flags(e: Elem) -> int:
    """The binary form (0..7) to write: `e.flags` if it fits the segment, else the shortest."""
    by_index = e.type is ValType.FUNCREF and all(_ref_func_index(x) is not None for x in e.init)
    if e.flags is not None and _elem_flags_fit(e, e.flags, by_index):
        return e.flags
    if e.mode == "active":
        if e.table == 0 and e.type is ValType.FUNCREF:
            return 0 if by_index else 4
        return 2 if by_index else 6
    if e.mode == "passive":
        return 1 if by_index else 5
    if e.mode == "declarative":
        return 3 if by_index else 7
    raise EncodeError(f"unknown element segment mode {e.mode!r}")


def _elem_flags_fit(e: Elem, flags: int, by_index: bool) -> bool:
    if not isinstance(flags, int) or not 0 <= flags <= 7:
        return False
    mode = "active" if not flags & 1 else ("declarative" if flags & 2 else "passive")
    if mode != e.mode:
        return False
    if mode == "active" and not flags & 2 and (e.table != 0 or e.type is not ValType.FUNCREF):
        return False
    return bool(flags & 4) or by_index


def _elem_section(ctx: Context) -> bytes | None:
    elems = ctx.module.elems
    if not elems:
        return None
    out = bytearray()
    _u32(out, len(elems))
    for e in elems:
        flags = elem_flags(e)
        out.append(flags)
        if not flags & 1:
            if flags & 2:
                _u32(out, e.table)
            if e.offset_expr is None:
                raise EncodeError("an active element segment needs an offset expression")
            encode_expr(out, e.offset_expr)
        if flags & 3:
            if flags & 4:
                _reftype(out, e.type)
            else:
                out.append(0x00)  # elemkind funcref
        _u32(out, len(e.init))
        for x in e.init:
            if flags & 4:
                encode_expr(out, x)
            else:
                _u32(out, _ref_func_index(x))  # type: ignore[arg-type]
    return bytes(out)


def local_groups(f: Func) -> list[tuple[int, ValType]]:
    """`f.local_groups` when it describes `f.locals`, else runs of equal types."""
    groups = f.local_groups
    if groups is not None and sum(n for n, _ in groups) == len(f.locals):
        i = 0
        ok = True
        for n, t in groups:
            if any(x is not t for x in f.locals[i : i + n]):
                ok = False
                break
            i += n
        if ok:
            return list(groups)
    runs: list[tuple[int, ValType]] = []
    for t in f.locals:
        if runs and runs[-1][1] is t:
            runs[-1] = (runs[-1][0] + 1, t)
        else:
            runs.append((1, t))
    return runs


def _code_section(ctx: Context) -> bytes | None:
    funcs = ctx.module.funcs
    if not funcs:
        return None
    out = bytearray()
    _u32(out, len(funcs))
    n_imported = sum(1 for imp in ctx.module.imports if imp.kind is ExternKind.FUNC)
    for i, f in enumerate(funcs):
        body = bytearray()
        groups = local_groups(f)
        _u32(body, len(groups))
        for n, t in groups:
            _u32(body, n)
            _valtype(body, t)
        if f.branch_hints:  # each hinted instruction's offset in the body, for the hint section
            at: list[tuple[int, int]] = []
            for pc, instr in enumerate(f.body):
                if pc in f.branch_hints:
                    at.append((len(body), f.branch_hints[pc]))
                encode_instr(body, instr)
            if not f.body or f.body[-1].op.code != 0x0B or f.body[-1].op.prefix is not None:
                body += _END
            ctx.branch_hints.append((n_imported + i, at))
        else:
            encode_expr(body, f.body)
        if not ctx.needs_data_count and any(i.op.key in _DATA_COUNT_KEYS for i in f.body):
            ctx.needs_data_count = True
        _u32(out, len(body))
        out += body
    return bytes(out)


def data_flags(d: Data) -> int:
    """The binary form (0..2) to write: `d.flags` if it fits the segment, else the shortest."""
    if d.mode == "passive":
        return 1
    if d.mode != "active":
        raise EncodeError(f"unknown data segment mode {d.mode!r}")
    if d.flags == 2 or d.memory != 0:
        return 2
    return 0


def _data_section(ctx: Context) -> bytes | None:
    datas = ctx.module.datas
    if not datas:
        return None
    out = bytearray()
    _u32(out, len(datas))
    for d in datas:
        flags = data_flags(d)
        out.append(flags)
        if flags == 2:
            _u32(out, d.memory)
        if flags != 1:
            if d.offset_expr is None:
                raise EncodeError("an active data segment needs an offset expression")
            encode_expr(out, d.offset_expr)
        _u32(out, len(d.init))
        out += d.init
    return bytes(out)


def _data_count_section(ctx: Context) -> bytes | None:
    m = ctx.module
    # mirrors decode: required by memory.init/data.drop when there are data segments
    if m.data_count is None and not (ctx.needs_data_count and m.datas):
        return None
    out = bytearray()
    _u32(out, len(m.datas))
    return bytes(out)


#: (section id, encoder) in emission order; an encoder returns the payload or None to omit it.
#: The code section is encoded before DataCount (it finds out whether DataCount is needed);
#: `SECTION_EMIT_ORDER` gives the order in the output.
SECTION_ENCODERS: list[tuple[int, Callable[[Context], bytes | None]]] = [
    (1, _type_section),
    (2, _import_section),
    (3, _function_section),
    (4, _table_section),
    (5, _memory_section),
    (13, _tag_section),
    (6, _global_section),
    (7, _export_section),
    (8, _start_section),
    (9, _elem_section),
    (10, _code_section),
    (11, _data_section),
    (12, _data_count_section),
]

#: the order sections appear in the binary
SECTION_EMIT_ORDER: list[int] = [1, 2, 3, 4, 5, 13, 6, 7, 8, 9, 12, 10, 11]
#: with module linking: after the interleaved initial sections, module code (17) before code
LINKING_EMIT_ORDER: list[int] = [3, 4, 5, 13, 6, 7, 8, 9, 12, 17, 10, 11]

TYPE_ENCODERS: dict[type, Callable[[bytearray, object], None]] = {  # type: ignore[dict-item]
    FuncType: _func_type, StructType: _struct_type, ArrayType: _array_type,
}  # fmt: skip

IMPORT_DESC_ENCODERS: dict[int, Callable[[bytearray, object], None]] = {
    int(ExternKind.FUNC): _imm_u32,
    int(ExternKind.TABLE): _table_type,  # type: ignore[dict-item]
    int(ExternKind.MEMORY): _mem_type,  # type: ignore[dict-item]
    int(ExternKind.GLOBAL): _global_type,  # type: ignore[dict-item]
    int(ExternKind.TAG): _tag_type,
}


# --- custom sections ------------------------------------------------------------------------


def encode_names(names: Names) -> bytes:
    """The payload of a `name` custom section for `names`."""
    out = bytearray()

    def sub(sid: int, payload: bytearray) -> None:
        out.append(sid)
        _u32(out, len(payload))
        out.extend(payload)

    if names.module is not None:
        p = bytearray()
        _name(p, names.module)
        sub(0, p)
    subsections = {**NAME_SUBSECTIONS, **INDIRECT_NAME_SUBSECTIONS}
    for sid in sorted(subsections):
        names_map = getattr(names, subsections[sid])
        if not names_map:
            continue
        p = bytearray()
        if sid in INDIRECT_NAME_SUBSECTIONS:  # function -> (local or label -> name)
            _u32(p, len(names_map))
            for idx in sorted(names_map):
                _u32(p, idx)
                _name_map(p, names_map[idx])
        else:
            _name_map(p, names_map)
        sub(sid, p)
    return bytes(out)


def _name_map(out: bytearray, names: dict[int, str]) -> None:
    _u32(out, len(names))
    for idx in sorted(names):
        _u32(out, idx)
        _name(out, names[idx])


def _customs(ctx: Context) -> list[Custom]:
    customs = list(ctx.module.customs)
    if ctx.names:
        raw = [c for c in customs if c.name == "name"]
        after = raw[0].after if raw else 11
        customs = [c for c in customs if c.name != "name"]
        n = ctx.module.names
        if n:
            customs.append(Custom("name", encode_names(n), after))
    return customs


def _section(out: bytearray, sid: int, payload: bytes) -> None:
    out.append(sid)
    _u32(out, len(payload))
    out += payload


#: module linking's section writers: `check_encoding`, `initial_sections`,
#: `module_code_section`, `section_id` (the module `wasmlab.binary.linking`, which installs
#: itself when `wasmlab.binary` is imported)
LINKING: Any = None


def _branch_hint_section(hints: list[tuple[int, list[tuple[int, int]]]]) -> bytes:
    """The `metadata.code.branch_hint` custom section: per function, (offset, size 1, hint)."""
    p = bytearray()
    _name(p, "metadata.code.branch_hint")
    _u32(p, len(hints))
    for funcidx, entries in hints:
        _u32(p, funcidx)
        _u32(p, len(entries))
        for offset, value in entries:
            _u32(p, offset)
            _u32(p, 1)
            p.append(value)
    return bytes(p)


def encode(module: Module, *, names: bool = False, module_linking: str = "0.22") -> bytes:
    """Encode a module as a binary.

    `names=True` writes a `name` section built from `module.names` (replacing any raw one);
    by default custom sections, a `name` section included, are written as they were kept.
    A module that uses module linking is written in wasmtime 0.22's encoding, or with
    `module_linking="pr2451"` in the earlier one (see `wasmlab.binary.linking`); its
    nested modules are encoded the same way.
    """
    ml = LINKING  # module linking's section writers (`wasmlab.binary.linking`)
    ml.check_encoding(module_linking)
    ctx = Context(module, names)
    linking = module.uses_linking
    payloads: dict[int, bytes | None] = {}
    for sid, writer in SECTION_ENCODERS:
        if linking and sid in (1, 2):
            continue  # written with the other initial sections, in their kept order
        try:
            payloads[sid] = writer(ctx)
        except EncodeError:
            raise
        except (TypeError, ValueError, KeyError, OverflowError, AttributeError) as e:
            raise EncodeError(f"cannot encode the {sid} section: {e}") from None
    initial: list[tuple[int, bytes]] = []
    if linking:
        try:
            initial = ml.initial_sections(module, module_linking)
            payloads[17] = ml.module_code_section(
                module, lambda m: encode(m, names=names, module_linking=module_linking)
            )
        except EncodeError:
            raise
        except (TypeError, ValueError, KeyError, IndexError, OverflowError, AttributeError) as e:
            raise EncodeError(f"cannot encode the module-linking sections: {e}") from None
    customs = _customs(ctx)
    present = set(payloads) | {sid for sid, _ in initial}
    by_after: dict[int, list[Custom]] = {}
    for c in customs:
        by_after.setdefault(c.after if c.after in present or c.after == 0 else -1, []).append(c)

    out = bytearray(MAGIC + VERSION)

    def emit_customs(after: int) -> None:
        for c in by_after.get(after, ()):
            p = bytearray()
            _name(p, c.name)
            p += c.data
            _section(out, 0, bytes(p))

    emit_customs(0)
    last_of = {sid: i for i, (sid, _) in enumerate(initial)}
    for i, (sid, payload) in enumerate(initial):
        _section(out, ml.section_id(sid, module_linking), payload)
        if last_of[sid] == i:
            emit_customs(sid)
    emit_order = LINKING_EMIT_ORDER if linking else SECTION_EMIT_ORDER
    order = [sid for sid in emit_order if sid in payloads]
    order += [sid for sid, _ in SECTION_ENCODERS if sid not in order and sid in payloads]
    for sid in order:
        payload = payloads[sid]
        if sid == 10 and ctx.branch_hints:  # the branch hints' section goes before the code
            _section(out, 0, _branch_hint_section(ctx.branch_hints))
        if payload is not None:
            _section(out, ml.section_id(sid, module_linking), payload)
        emit_customs(sid)
    emit_customs(-1)
    return bytes(out)
