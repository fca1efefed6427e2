"""The machine's handlers for typed function references and GC (structs, arrays, i31, casts).

GC objects are Python objects (`runtime.StructInst`, `ArrayInst`, `I31`): the host's
garbage collector reclaims them. Packed fields and elements (i8, i16) are kept as unsigned
ints of their width, extended when read. Handlers follow `exec.compile`'s convention
(`h(S, L, pc) -> next pc`), and trap before they change the stack. Writes to structs and
arrays go through `WRITES` (see `record_writes`), so that the debugger can record them and
undo them when it steps back.
"""

from __future__ import annotations

from collections.abc import Callable
from typing import TYPE_CHECKING, Any

from ..errors import Trap
from ..syntax.module import Instr
from ..syntax.signatures import DefinedType, close_type
from ..syntax.types import ArrayType, FieldType, HeapType, Packed, StructType, ValType
from . import numerics as N
from .runtime import I31, ArrayInst, FuncInst, StructInst

if TYPE_CHECKING:
    from .runtime import ModuleInst

Handler = Callable[[list, list, int], int]

H = HeapType
M32 = 0xFFFFFFFF

#: the hook of the debugger's history: `(object, "field"|"element", index, old value)` for each
#: write before it happens (None: no one listens, the run mode's case)
WRITES: list[Callable[[Any, int, Any], None]] = []


def _note(obj: Any, index: int, old: Any) -> None:
    for w in WRITES:
        w(obj, index, old)


# --- values of fields and elements ---------------------------------------------------------------


def _wrap(storage: Any) -> Callable[[Any], Any] | None:
    """How a stack value is stored (packed: cut to its width)."""
    if storage is Packed.I8:
        return lambda v: v & 0xFF
    if storage is Packed.I16:
        return lambda v: v & 0xFFFF
    return None


def _signed(storage: Any) -> Callable[[int], int]:
    bits = storage.bits
    sign = 1 << (bits - 1)
    ext = M32 ^ ((1 << bits) - 1)
    return lambda v: v | ext if v & sign else v


def default_of(storage: Any) -> Any:
    if isinstance(storage, Packed):
        return 0
    return N.default_value(storage)


_DATA_FORMATS: dict[Any, tuple[int, Callable[[bytes], Any]]] = {
    Packed.I8: (1, lambda b: b[0]),
    Packed.I16: (2, lambda b: int.from_bytes(b, "little")),
    ValType.I32: (4, lambda b: int.from_bytes(b, "little")),
    ValType.I64: (8, lambda b: int.from_bytes(b, "little")),
    ValType.F32: (4, lambda b: N.f32_from_bits(int.from_bytes(b, "little"))),
    ValType.F64: (8, lambda b: N.f64_from_bits(int.from_bytes(b, "little"))),
    ValType.V128: (16, lambda b: int.from_bytes(b, "little")),
}


def _from_data(storage: Any, data: bytes, offset: int, n: int) -> list[Any]:
    size, conv = _DATA_FORMATS[storage]
    if offset + n * size > len(data):
        raise Trap("out of bounds memory access")
    return [conv(data[offset + i * size : offset + (i + 1) * size]) for i in range(n)]


# --- casts --------------------------------------------------------------------------------------


def ref_test(v: Any, nullable: bool, heap: Any) -> bool:
    """Does run-time value `v` have the closed reference type `(ref null? heap)`?"""
    if v is None:
        return nullable
    if isinstance(heap, DefinedType):
        if isinstance(v, (StructInst, ArrayInst)):
            return v.type.matches(heap)
        if isinstance(v, FuncInst):
            return v.deftype.matches(heap)
        return False
    if heap is H.ANY or heap is H.FUNC or heap is H.EXTERN or heap is H.EXN:
        return True
    if heap is H.EQ:
        return isinstance(v, (StructInst, ArrayInst, I31))
    if heap is H.I31:
        return isinstance(v, I31)
    if heap is H.STRUCT:
        return isinstance(v, StructInst)
    if heap is H.ARRAY:
        return isinstance(v, ArrayInst)
    return False  # none, nofunc, noextern, noexn: only null


def _closed(t: Any, inst: ModuleInst) -> Any:
    return close_type(t, inst.deftype)


# --- the handlers -------------------------------------------------------------------------------


def _null(what: str) -> Trap:
    return Trap(f"null {what} reference")


def _call_ref(tail: bool) -> Handler:
    def h(S: list, L: list, pc: int) -> int:
        f = S[-1]
        if f is None:
            raise _null("function")
        operand[0] = f
        return (-(1 << 40) - pc) if tail else (-2 - pc)

    # the callee, which the machine puts back when the call cannot happen (as call_indirect's)
    operand: list[Any] = [None]
    h.operand = operand  # type: ignore[attr-defined]
    return h


def _as_non_null(S: list, L: list, pc: int) -> int:
    if S[-1] is None:
        raise Trap("null reference")
    return pc + 1


def _ref_eq(S: list, L: list, pc: int) -> int:
    b = S.pop()
    a = S[-1]
    S[-1] = 1 if (a is b or (isinstance(a, I31) and a == b)) else 0
    return pc + 1


def _nop(S: list, L: list, pc: int) -> int:
    return pc + 1


def _ref_i31(S: list, L: list, pc: int) -> int:
    S[-1] = I31(S[-1])
    return pc + 1


def _i31_get(signed: bool) -> Handler:
    def h(S: list, L: list, pc: int) -> int:
        v = S[-1]
        if v is None:
            raise _null("i31")
        x = v.value
        S[-1] = (x | 0x80000000) if signed and x & 0x40000000 else x
        return pc + 1

    return h


def _struct_new(d: DefinedType, default: bool) -> Handler:
    fields: tuple[FieldType, ...] = d.comp.fields
    n = len(fields)
    wraps = [_wrap(f.storage) for f in fields]
    if default:
        zeros = [default_of(f.storage) for f in fields]

        def h(S: list, L: list, pc: int) -> int:
            S.append(StructInst(d, list(zeros)))
            return pc + 1

        return h

    def h2(S: list, L: list, pc: int) -> int:
        vals = S[len(S) - n :] if n else []
        if n:
            del S[len(S) - n :]
        for i, w in enumerate(wraps):
            if w is not None:
                vals[i] = w(vals[i])
        S.append(StructInst(d, vals))
        return pc + 1

    return h2


def _struct_get(i: int, ext: Callable[[int], int] | None) -> Handler:
    def h(S: list, L: list, pc: int) -> int:
        s = S[-1]
        if s is None:
            raise _null("structure")
        v = s.fields[i]
        S[-1] = ext(v) if ext is not None else v
        return pc + 1

    return h


def _struct_set(i: int, wrap: Callable[[Any], Any] | None) -> Handler:
    def h(S: list, L: list, pc: int) -> int:
        s = S[-2]
        if s is None:
            raise _null("structure")
        v = S.pop()
        S.pop()
        if WRITES:
            _note(s, i, s.fields[i])
        s.fields[i] = wrap(v) if wrap is not None else v
        return pc + 1

    return h


def _array_new(d: DefinedType, kind: str, inst: ModuleInst, imm: Any) -> Handler:
    f: FieldType = d.comp.field
    wrap = _wrap(f.storage)
    if kind == "array.new":

        def h(S: list, L: list, pc: int) -> int:
            n = S.pop()
            v = S[-1]
            S[-1] = ArrayInst(d, [wrap(v) if wrap is not None else v] * n)
            return pc + 1

        return h
    if kind == "array.new_default":
        zero = default_of(f.storage)

        def h_default(S: list, L: list, pc: int) -> int:
            S[-1] = ArrayInst(d, [zero] * S[-1])
            return pc + 1

        return h_default
    if kind == "array.new_fixed":
        n = imm[1]

        def h_fixed(S: list, L: list, pc: int) -> int:
            vals = S[len(S) - n :] if n else []
            if n:
                del S[len(S) - n :]
            if wrap is not None:
                vals = [wrap(v) for v in vals]
            S.append(ArrayInst(d, vals))
            return pc + 1

        return h_fixed
    if kind == "array.new_data":
        seg = inst.datas[imm[1]]

        def h_data(S: list, L: list, pc: int) -> int:
            offset, n = S[-2], S[-1]
            vals = _from_data(f.storage, seg.data, offset, n)
            S.pop()
            S[-1] = ArrayInst(d, vals)
            return pc + 1

        return h_data
    seg_e = inst.elems[imm[1]]

    def h_elem(S: list, L: list, pc: int) -> int:
        offset, n = S[-2], S[-1]
        els = seg_e.elements
        if offset + n > len(els):
            raise Trap("out of bounds table access")
        S.pop()
        S[-1] = ArrayInst(d, els[offset : offset + n])
        return pc + 1

    return h_elem


def _array_get(ext: Callable[[int], int] | None) -> Handler:
    def h(S: list, L: list, pc: int) -> int:
        a = S[-2]
        if a is None:
            raise _null("array")
        i = S[-1]
        els = a.elements
        if i >= len(els):
            raise Trap("out of bounds array access")
        S.pop()
        v = els[i]
        S[-1] = ext(v) if ext is not None else v
        return pc + 1

    return h


def _array_set(wrap: Callable[[Any], Any] | None) -> Handler:
    def h(S: list, L: list, pc: int) -> int:
        a = S[-3]
        if a is None:
            raise _null("array")
        i = S[-2]
        els = a.elements
        if i >= len(els):
            raise Trap("out of bounds array access")
        v = S.pop()
        del S[-2:]
        if WRITES:
            _note(a, i, els[i])
        els[i] = wrap(v) if wrap is not None else v
        return pc + 1

    return h


def _array_len(S: list, L: list, pc: int) -> int:
    a = S[-1]
    if a is None:
        raise _null("array")
    S[-1] = len(a.elements)
    return pc + 1


def _write_range(a: ArrayInst, start: int, values: list[Any]) -> None:
    els = a.elements
    if WRITES:
        for k in range(len(values)):
            _note(a, start + k, els[start + k])
    els[start : start + len(values)] = values


def _array_fill(wrap: Callable[[Any], Any] | None) -> Handler:
    def h(S: list, L: list, pc: int) -> int:
        a = S[-4]
        if a is None:
            raise _null("array")
        i, v, n = S[-3], S[-2], S[-1]
        if i + n > len(a.elements):
            raise Trap("out of bounds array access")
        del S[-4:]
        _write_range(a, i, [wrap(v) if wrap is not None else v] * n)
        return pc + 1

    return h


def _array_copy(S: list, L: list, pc: int) -> int:
    dst, di, src, si, n = S[-5:]
    if dst is None or src is None:
        raise _null("array")
    if di + n > len(dst.elements) or si + n > len(src.elements):
        raise Trap("out of bounds array access")
    del S[-5:]
    _write_range(dst, di, src.elements[si : si + n])
    return pc + 1


def _array_init(kind: str, f: FieldType, seg: Any) -> Handler:
    def h(S: list, L: list, pc: int) -> int:
        a, d, s, n = S[-4:]
        if a is None:
            raise _null("array")
        if d + n > len(a.elements):
            raise Trap("out of bounds array access")
        if kind == "array.init_data":
            vals = _from_data(f.storage, seg.data, s, n)
        else:
            els = seg.elements
            if s + n > len(els):
                raise Trap("out of bounds table access")
            vals = els[s : s + n]
        del S[-4:]
        _write_range(a, d, vals)
        return pc + 1

    return h


def _ref_test(nullable: bool, heap: Any, cast: bool) -> Handler:
    if cast:

        def h(S: list, L: list, pc: int) -> int:
            if not ref_test(S[-1], nullable, heap):
                raise Trap("cast failure")
            return pc + 1

        return h

    def h_test(S: list, L: list, pc: int) -> int:
        S[-1] = 1 if ref_test(S[-1], nullable, heap) else 0
        return pc + 1

    return h_test


def _storage_of(inst: ModuleInst, typeidx: int) -> FieldType:
    d = inst.deftype(typeidx)
    assert isinstance(d.comp, ArrayType)
    return d.comp.field


def gc_handler(ins: Instr, inst: ModuleInst) -> Handler | None:
    """The handler of a typed-reference or GC instruction that does not branch (None for
    any other instruction); branches (`br_on_*`) are `compile`'s, built with `branch_test`."""
    name = ins.op.name
    imm = ins.imm
    if name == "call_ref":
        return _call_ref(False)
    if name == "return_call_ref":
        return _call_ref(True)
    if name == "ref.as_non_null":
        return _as_non_null
    if name == "ref.eq":
        return _ref_eq
    if name in ("any.convert_extern", "extern.convert_any"):
        return _nop
    if name == "ref.i31":
        return _ref_i31
    if name in ("i31.get_s", "i31.get_u"):
        return _i31_get(name == "i31.get_s")
    if name in ("struct.new", "struct.new_default"):
        return _struct_new(inst.deftype(imm), name == "struct.new_default")
    if name.startswith("struct."):
        d = inst.deftype(imm[0])
        assert isinstance(d.comp, StructType)
        f = d.comp.fields[imm[1]]
        if name == "struct.set":
            return _struct_set(imm[1], _wrap(f.storage))
        return _struct_get(imm[1], _signed(f.storage) if name == "struct.get_s" else None)
    if name.startswith("array.new"):
        return _array_new(inst.deftype(imm if isinstance(imm, int) else imm[0]), name, inst, imm)
    if name in ("array.get", "array.get_s", "array.get_u"):
        f = _storage_of(inst, imm)
        return _array_get(_signed(f.storage) if name == "array.get_s" else None)
    if name == "array.set":
        return _array_set(_wrap(_storage_of(inst, imm).storage))
    if name == "array.len":
        return _array_len
    if name == "array.fill":
        return _array_fill(_wrap(_storage_of(inst, imm).storage))
    if name == "array.copy":
        return _array_copy
    if name == "array.init_data":
        return _array_init(name, _storage_of(inst, imm[0]), inst.datas[imm[1]])
    if name == "array.init_elem":
        return _array_init(name, _storage_of(inst, imm[0]), inst.elems[imm[1]])
    if name in ("ref.test", "ref.cast"):
        t = _closed(imm, inst)
        return _ref_test(t.nullable, t.heap, name == "ref.cast")
    return None


def branch_test(ins: Instr, inst: ModuleInst) -> Callable[[Any], bool]:
    """br_on_null, br_on_non_null, br_on_cast(_fail): whether the value on top branches."""
    name = ins.op.name
    if name == "br_on_null":
        return lambda v: v is None
    if name == "br_on_non_null":
        return lambda v: v is not None
    t = _closed(ins.imm[2], inst)
    nullable, heap = t.nullable, t.heap
    if name == "br_on_cast":
        return lambda v: ref_test(v, nullable, heap)
    return lambda v: not ref_test(v, nullable, heap)


__all__ = ["WRITES", "branch_test", "default_of", "gc_handler", "ref_test"]
