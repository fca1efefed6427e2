"""Validation of function bodies: the spec's operand/control stack algorithm (appendix A.3).

The operand stack holds value types, or `None` for the spec's *Unknown* type, which
appears only in unreachable code (after `unreachable`, `br`, `br_table`, `return`),
where the stack is polymorphic. Control frames record the block kind, the types a
block consumes (`start_types`) and produces (`end_types`), the height of the operand
stack below the block and whether the rest of the block is unreachable.

Instructions with a plain signature in the opcode table (`op.params`/`op.results` not
`None`) are checked in one generic place, after the check of their immediates (which
depends only on `op.imm`). Only the rows that name a stack rule (`op.rule`, see
`wasmlab.syntax.stack_effects`) have a typing rule of their own (`_special` below).

While checking, the checker can record what the debugger shows (`record=True`, used by
`wasmlab.debug.stacktypes`): the operand stack height before every instruction, the
structure of blocks and the targets of every branch.
"""

from __future__ import annotations

import functools
from collections.abc import Callable, Sequence

from ..errors import ValidationError
from ..syntax.module import CATCH_KINDS, Instr
from ..syntax.opcodes import ALL_OPS, Op
from ..syntax.types import (
    EXNREF,
    FUNCREF,
    I32,
    I64,
    ArrayType,
    FieldType,
    FuncType,
    HeapType,
    Packed,
    RefType,
    StructType,
    ValType,
    ref_type,
)
from .context import Context

# frame kinds (legacy exceptions: a try body, then its catch and catch_all handlers)
FUNC, BLOCK, LOOP, IF, ELSE = "func", "block", "loop", "if", "else"
TRY, CATCH, CATCH_ALL = "try", "catch", "catch_all"

_LANES = {"i8x16": 16, "i16x8": 8, "i32x4": 4, "i64x2": 2, "f32x4": 4, "f64x2": 2}

#: `op.params` as lists (for a fast slice comparison with the operand stack)
_PARAM_LISTS: dict[Op, list[ValType]] = {op: list(op.params) for op in ALL_OPS if op.params is not None}
#: log2 of the access width of every memory-argument row
_NATURAL_ALIGNMENT: dict[Op, int] = {
    op: op.natural_alignment for op in ALL_OPS if op.imm in ("memarg", "memarg_lane")
}


#: a plain instruction's (params, results) with a 64-bit memory's or table's addresses
Signature = tuple[tuple[ValType, ...], tuple[ValType, ...]]

#: memory64/table64: which operands (by position) and results of a plain-signature memory or
#: table instruction are addresses or sizes, so i64 with a 64-bit memory or table
_ADDRESS_PARAMS = {
    "memory": (0,), "memory_init": (0,), "memory_fill": (0, 2), "table_init": (0,),
}  # fmt: skip


def _addr(is64: bool) -> ValType:
    return I64 if is64 else I32


def _with_address(op: Op) -> Signature:
    """`op`'s signature where its memory or table is 64-bit: loads, stores and lane accesses
    take an i64 address; memory.size/grow and table.size count in i64; fill and init take
    i64 destinations (and fill an i64 length)."""
    params = list(op.params or ())
    results = list(op.results or ())
    if op.name in ("memory.size", "table.size"):
        return tuple(params), (I64,)
    if op.name == "memory.grow":
        return (I64,), (I64,)
    for i in _ADDRESS_PARAMS.get(op.imm, (0,)):
        params[i] = I64
    return tuple(params), tuple(results)


def _lane_limit(op: Op) -> int:
    if op.imm == "memarg_lane":
        return 16 >> op.natural_alignment
    if op.imm == "lane":
        return _LANES[op.name.split(".", 1)[0]]
    return 32  # shuffle: lanes of both operands


_LANE_LIMITS: dict[Op, int] = {
    op: _lane_limit(op) for op in ALL_OPS if op.imm in ("lane", "memarg_lane", "shuffle")
}


def stack_text(types: Sequence[ValType | None]) -> str:
    """`[i32 f32]`, with `unknown` for the polymorphic stack's Unknown type."""
    return "[" + " ".join("unknown" if t is None else t.text for t in types) + "]"


class Frame:
    """A control frame (spec: ctrl_frame) plus what the side table needs about the block."""

    __slots__ = (
        "kind",
        "start_types",
        "end_types",
        "label_types",
        "height",
        "unreachable",
        "pc",
        "else_pc",
        "end_pc",
        "init_height",
    )

    def __init__(
        self, kind: str, start: Sequence[ValType], end: Sequence[ValType], height: int, pc: int
    ) -> None:
        self.kind = kind
        self.start_types = list(start)
        self.end_types = list(end)
        self.label_types = self.start_types if kind == LOOP else self.end_types
        self.height = height
        self.unreachable = False
        self.pc = pc
        self.else_pc: int | None = None
        self.end_pc: int | None = None
        self.init_height = 0  # locals set in the block are unset again at its end


class BodyChecker:
    """Checks one function body against the context; optionally records a side table."""

    def __init__(
        self,
        ctx: Context,
        funcidx: int | None,
        ftype: FuncType,
        locals_: Sequence[ValType],
        record: bool = False,
    ) -> None:
        self.ctx = ctx
        self.funcidx = funcidx
        self.ftype = ftype
        self.locals = list(ftype.params) + list(locals_)
        #: typed references: which locals hold a value (non-nullable ones start unset), and
        #: the locals set since each open block began (spec: local initialisation)
        self.inits = [True] * len(ftype.params) + [getattr(t, "nullable", True) for t in locals_]
        self.init_stack: list[int] = []
        for t in locals_:
            if not isinstance(t, ValType):
                self.ctx.check_valtype(t, f"function {funcidx}", funcidx)
        self.results = list(ftype.results)
        self.vals: list[ValType | None] = []
        self.ctrls: list[Frame] = []
        self.record = record
        self.heights: list[int | None] = []
        self.max_height = 0
        self.blocks: list[Frame] = []  # every block/loop/if frame, in order (for the side table)
        self.branches: list[tuple[int, list[tuple[Frame, int]]]] = []  # pc -> (frame, depth) of each target
        self.func_frame: Frame | None = None
        # the typing rules of the stack-rule rows and the immediate checks (unbound,
        # shared by every checker; see `_rules`)
        self._special, self._imm_checks = _rules()

    # --- errors --------------------------------------------------------------------------

    def error(
        self,
        ins: Instr | None,
        message: str,
        expected: str | None = None,
        found: str | None = None,
    ) -> ValidationError:
        return ValidationError(
            message,
            func=self.funcidx,
            instr=ins.op.name if ins is not None else None,
            offset=ins.offset if ins is not None else None,
            span=ins.span if ins is not None else None,
            expected=expected,
            found=found,
        )

    def mismatch(
        self, ins: Instr | None, expected: Sequence[ValType | None], found: Sequence[ValType | None]
    ) -> ValidationError:
        exp, got = stack_text(expected), stack_text(found)
        return self.error(ins, f"type mismatch: expected {exp}, found {got}", exp, got)

    # --- the operand stack (spec: push_val / pop_val / pop_vals) ---------------------------

    def pop_any(self, ins: Instr) -> ValType | None:
        vals = self.vals
        frame = self.ctrls[-1]
        if len(vals) == frame.height:
            if frame.unreachable:
                return None
            raise self.error(ins, "type mismatch: expected a value, found []", "[any]", "[]")
        return vals.pop()

    def pop_expected(self, expected: Sequence[ValType], ins: Instr) -> None:
        """Pop values matching `expected` (bottom first); Unknown matches anything."""
        vals = self.vals
        frame = self.ctrls[-1]
        n = len(expected)
        avail = len(vals) - frame.height
        take = n if avail >= n else avail
        top = vals[len(vals) - take :] if take else []
        ok = avail >= n or frame.unreachable
        if ok:
            matches = self.ctx.matches
            for want, got in zip(reversed(expected), reversed(top)):
                if got is not None and got is not want and not matches(got, want):
                    ok = False
                    break
        if not ok:
            raise self.mismatch(ins, expected, top)
        if take:
            del vals[len(vals) - take :]

    def pop_vals(self, expected: Sequence[ValType], ins: Instr) -> list[ValType | None]:
        """Like `pop_expected`, returning the popped types (Unknown where the stack was empty)."""
        frame = self.ctrls[-1]
        avail = len(self.vals) - frame.height
        n = len(expected)
        top = self.vals[len(self.vals) - min(n, avail) :] if n and avail > 0 else []
        self.pop_expected(expected, ins)
        return [None] * (n - len(top)) + top

    def pop_ctrl(self, ins: Instr | None) -> Frame:
        """Check that the frame's stack is exactly its end types; pop the frame."""
        vals = self.vals
        frame = self.ctrls[-1]
        h = frame.height
        if vals[h:] != frame.end_types:
            snapshot = vals[h:]
            self.pop_expected(frame.end_types, ins)  # type: ignore[arg-type]
            if len(vals) != h:
                raise self.mismatch(ins, frame.end_types, snapshot)
        del vals[h:]
        self.ctrls.pop()
        if len(self.init_stack) > frame.init_height:
            for x in self.init_stack[frame.init_height :]:
                self.inits[x] = False
            del self.init_stack[frame.init_height :]
        return frame

    def push_ctrl(self, kind: str, start: Sequence[ValType], end: Sequence[ValType], pc: int) -> Frame:
        frame = Frame(kind, start, end, len(self.vals), pc)
        frame.init_height = len(self.init_stack)
        self.ctrls.append(frame)
        self.vals.extend(start)
        return frame

    def set_unreachable(self) -> None:
        frame = self.ctrls[-1]
        del self.vals[frame.height :]
        frame.unreachable = True

    # --- the main loop ---------------------------------------------------------------------

    def check(self, body: Sequence[Instr]) -> None:
        vals = self.vals
        ctrls = self.ctrls
        special = self._special
        imm_checks = self._imm_checks
        param_lists = _PARAM_LISTS
        natural = _NATURAL_ALIGNMENT
        record = self.record
        heights = self.heights
        # the fast paths below handle the common well-typed cases exactly as the rules do;
        # anything else (an error, subtyping, a 64-bit memory) goes through the rules
        locals_ = self.locals
        n_locals = len(locals_)
        inits = self.inits
        init_stack = self.init_stack
        mems = self.ctx.mems
        mem0_is32 = bool(mems) and not mems[0].limits.is64
        self.func_frame = self.push_ctrl(FUNC, (), self.results, -1)
        pc = -1
        for pc, ins in enumerate(body):  # noqa: B007 (pc is used after the loop)
            if not ctrls:
                raise self.error(ins, "unexpected instruction after the function's final end")
            op = ins.op
            if record:
                if ctrls[-1].unreachable:
                    heights.append(None)
                else:
                    h = len(vals)
                    heights.append(h)
                    if h > self.max_height:
                        self.max_height = h
            params = op.params
            if params is None:
                name = op.name
                if name == "local.get":
                    x = ins.imm
                    if type(x) is int and 0 <= x < n_locals and inits[x]:
                        vals.append(locals_[x])
                        continue
                elif name == "local.set" or name == "local.tee":
                    x = ins.imm
                    if type(x) is int and 0 <= x < n_locals and inits[x] and len(vals) > ctrls[-1].height:
                        if vals[-1] is locals_[x]:
                            if name == "local.set":
                                vals.pop()
                            continue
                elif name == "end":
                    # a block or loop without results, its stack empty, no local set inside
                    frame = ctrls[-1]
                    if (
                        (frame.kind is BLOCK or frame.kind is LOOP)
                        and not frame.end_types
                        and len(vals) == frame.height
                        and len(init_stack) <= frame.init_height
                    ):
                        ctrls.pop()
                        frame.end_pc = pc
                        continue
                elif name == "br_if":
                    # to a label without values, with an i32 on top
                    x = ins.imm
                    if (
                        not record
                        and type(x) is int
                        and 0 <= x < len(ctrls)
                        and not ctrls[-1 - x].label_types
                        and len(vals) > ctrls[-1].height
                        and vals[-1] is I32
                    ):
                        vals.pop()
                        continue
                elif (name == "block" or name == "loop") and ins.imm is None:
                    frame = self.push_ctrl(BLOCK if name == "block" else LOOP, (), (), pc)
                    if record:
                        self.blocks.append(frame)
                    continue
                handler = special.get(name)
                if handler is None:
                    raise self.error(ins, f"no validation rule for {name}")
                handler(self, ins, pc)
                continue
            imm_kind = op.imm
            if imm_kind != "none":
                if imm_kind == "memarg" and mem0_is32:
                    imm = ins.imm
                    mem = imm[2]
                    fast = type(mem) is int and mem == 0 and imm[0] <= natural[op] and imm[1] <= 0xFFFF_FFFF
                else:
                    fast = False
                if not fast:
                    check_imm = imm_checks.get(imm_kind)
                    if check_imm is not None:
                        sig = check_imm(self, ins)
                        if sig is not None:  # a 64-bit memory's or table's signature (memory64)
                            self.pop_expected(sig[0], ins)
                            vals.extend(sig[1])
                            continue
            n = len(params)
            if n:
                h = len(vals)
                if h - ctrls[-1].height >= n and (
                    vals[-1] is params[0] if n == 1 else vals[h - n :] == param_lists[op]
                ):
                    del vals[h - n :]
                else:
                    self.pop_expected(params, ins)
            results = op.results
            if results:
                vals.extend(results)
        if ctrls:
            if len(ctrls) > 1:
                last = body[-1] if body else None
                frame = ctrls[-1]
                raise self.error(last, f"unclosed {frame.kind}: missing end")
            # a body without its final `end` (built in Python or by the text parser)
            self.pop_ctrl(body[-1] if body else None)
            self.func_frame.end_pc = pc + 1
        if record and self.max_height < len(self.results):
            self.max_height = len(self.results)

    # --- immediates of plain-signature instructions ----------------------------------------

    def _need_memory(self, ins: Instr, idx: object) -> bool:
        """Check a memory index; whether that memory is 64-bit (memory64)."""
        mems = self.ctx.mems
        if not isinstance(idx, int) or not 0 <= idx < len(mems):
            raise self.error(ins, f"unknown memory {idx}")
        return mems[idx].limits.is64

    def _memory_copy(self, ins: Instr) -> Signature | None:
        dst, src = ins.imm
        d64 = self._need_memory(ins, dst)
        s64 = self._need_memory(ins, src)
        if not (d64 or s64):
            return None
        # memory64: each address has its memory's type, the length the smaller of the two
        return (_addr(d64), _addr(s64), _addr(d64 and s64)), ()

    def _memory_imm(self, ins: Instr) -> Signature | None:
        if not self._need_memory(ins, ins.imm):
            return None
        return _with_address(ins.op)

    def _memarg(self, ins: Instr) -> Signature | None:
        is64 = self._need_memory(ins, ins.imm[2])
        align = ins.imm[0]
        if align > ins.op.natural_alignment:
            raise self.error(
                ins,
                f"alignment must not be larger than natural ({1 << align if align < 64 else 'huge'} > "
                f"{1 << ins.op.natural_alignment} bytes)",
            )
        if not is64:
            if ins.imm[1] > 0xFFFF_FFFF:
                raise self.error(
                    ins, f"offset out of range: {ins.imm[1]} (a 32-bit memory's offset is a u32)"
                )
            return None
        return _with_address(ins.op)

    def _memarg_lane(self, ins: Instr) -> Signature | None:
        sig = self._memarg(ins)
        self._check_lane(ins, ins.imm[3])
        return sig

    def _check_lane(self, ins: Instr, lane: object) -> None:
        limit = _LANE_LIMITS[ins.op]
        if not isinstance(lane, int) or not 0 <= lane < limit:
            raise self.error(ins, f"invalid lane index {lane} (must be below {limit})")

    def _lane(self, ins: Instr) -> None:
        self._check_lane(ins, ins.imm)

    def _shuffle(self, ins: Instr) -> None:
        for lane in ins.imm:
            self._check_lane(ins, lane)

    def _need_data(self, ins: Instr, idx: object) -> None:
        if not isinstance(idx, int) or not 0 <= idx < self.ctx.num_datas:
            raise self.error(ins, f"unknown data segment {idx}")
        if self.ctx.data_count is None:
            raise self.error(ins, f"data count section required (for {ins.op.name})")

    def _data_imm(self, ins: Instr) -> None:
        self._need_data(ins, ins.imm)

    def _memory_init(self, ins: Instr) -> Signature | None:
        data, mem = ins.imm
        is64 = self._need_memory(ins, mem)
        self._need_data(ins, data)
        return _with_address(ins.op) if is64 else None

    def _need_elem(self, ins: Instr, idx: object) -> ValType:
        elems = self.ctx.elems
        if not isinstance(idx, int) or not 0 <= idx < len(elems):
            raise self.error(ins, f"unknown elem segment {idx}")
        return elems[idx]

    def _elem_imm(self, ins: Instr) -> None:
        self._need_elem(ins, ins.imm)

    def _need_table(self, ins: Instr, idx: object) -> ValType:
        tables = self.ctx.tables
        if not isinstance(idx, int) or not 0 <= idx < len(tables):
            raise self.error(ins, f"unknown table {idx}")
        return tables[idx].elem

    def _table_address(self, idx: int) -> ValType:
        """The address type of a (checked) table index: i64 for a table64."""
        return self.ctx.tables[idx].limits.address

    def _table_imm(self, ins: Instr) -> Signature | None:
        self._need_table(ins, ins.imm)
        if self._table_address(ins.imm) is I32:
            return None
        return _with_address(ins.op)

    def _table_copy(self, ins: Instr) -> Signature | None:
        dst, src = ins.imm
        t1 = self._need_table(ins, dst)
        t2 = self._need_table(ins, src)
        if t1 is not t2 and not self.ctx.matches(t2, t1):
            raise self.mismatch(ins, [t1], [t2])
        d, s_ = self._table_address(dst), self._table_address(src)
        if d is I32 and s_ is I32:
            return None
        return (d, s_, I32 if I32 in (d, s_) else d), ()

    def _table_init(self, ins: Instr) -> Signature | None:
        elem, table = ins.imm
        t1 = self._need_table(ins, table)
        t2 = self._need_elem(ins, elem)
        if t1 is not t2 and not self.ctx.matches(t2, t1):
            raise self.mismatch(ins, [t1], [t2])
        return None if self._table_address(table) is I32 else _with_address(ins.op)

    # --- special instructions ----------------------------------------------------------------

    def _valtype(self, ins: Instr, t: object) -> None:
        try:
            self.ctx.check_valtype(t, f"function {self.funcidx}")
        except ValidationError as e:
            raise self.error(ins, e.reason) from None

    def _unreachable(self, ins: Instr, pc: int) -> None:
        self.set_unreachable()

    def _block_type(self, ins: Instr) -> tuple[Sequence[ValType], Sequence[ValType]]:
        bt = ins.imm[0] if ins.op.name == "try_table" else ins.imm
        if bt is None:
            return (), ()
        if isinstance(bt, (ValType, RefType)):
            self._valtype(ins, bt)
            return (), (bt,)
        ft = self.ctx.func_type_at(bt, ins.op.name, self.funcidx) if isinstance(bt, int) else None
        if ft is None:
            raise self.error(ins, f"unknown type {bt}")
        return ft.params, ft.results

    def _block(self, ins: Instr, pc: int) -> None:
        try:
            params, results = self._block_type(ins)
        except ValidationError as e:
            raise self.error(ins, e.reason) from None
        if ins.op.name == "if":
            self.pop_expected((I32,), ins)
            kind = IF
        else:
            kind = LOOP if ins.op.name == "loop" else TRY if ins.op.name == "try" else BLOCK
        if ins.op.name == "try_table":
            self._need("exceptions", ins)
            self._catches(ins)
        self.pop_expected(params, ins)
        frame = self.push_ctrl(kind, params, results, pc)
        if self.record:
            self.blocks.append(frame)

    def _else(self, ins: Instr, pc: int) -> None:
        frame = self.ctrls[-1]
        if frame.kind != IF:
            raise self.error(ins, "else without a matching if")
        self.pop_ctrl(ins)
        # the same frame object continues as the else-arm (branches recorded in the
        # then-arm keep pointing at it)
        frame.kind = ELSE
        frame.unreachable = False
        frame.else_pc = pc
        self.ctrls.append(frame)
        self.vals.extend(frame.start_types)

    def _catch(self, ins: Instr, pc: int) -> None:
        """Legacy `catch x` / `catch_all`: the try body (or the handler before) must leave the
        try's results; the handler starts with the exception's values (none for catch_all)."""
        frame = self.ctrls[-1]
        if frame.kind not in (TRY, CATCH):
            raise self.error(ins, f"{ins.op.name} without a matching try")
        values = list(self._tag(ins, ins.imm).params) if ins.op.name == "catch" else []
        self.pop_ctrl(ins)
        # the same frame continues as the handler (branches recorded in the body keep it)
        frame.kind = CATCH if ins.op.name == "catch" else CATCH_ALL
        frame.unreachable = False
        self.ctrls.append(frame)
        self.vals.extend(values)

    def _delegate(self, ins: Instr, pc: int) -> None:
        """Legacy `try ... delegate l`: ends the try; `l` counts the labels outside it."""
        frame = self.ctrls[-1]
        if frame.kind != TRY:
            raise self.error(ins, "delegate without a matching try")
        frame = self.pop_ctrl(ins)
        frame.end_pc = pc
        self._label(ins, ins.imm)
        self.vals.extend(frame.end_types)

    def _rethrow(self, ins: Instr, pc: int) -> None:
        frame = self._label(ins, ins.imm)
        if frame.kind not in (CATCH, CATCH_ALL):
            raise self.error(ins, f"invalid rethrow label {ins.imm} (not a catch handler)")
        self.set_unreachable()

    def _end(self, ins: Instr, pc: int) -> None:
        frame = self.pop_ctrl(ins)
        frame.end_pc = pc
        if frame.kind == IF and frame.start_types != frame.end_types:
            # an if without else has an empty else-arm, which must turn start into end types
            raise self.error(
                ins,
                f"type mismatch: if without else must not change the stack "
                f"({stack_text(frame.start_types)} -> {stack_text(frame.end_types)})",
                stack_text(frame.end_types),
                stack_text(frame.start_types),
            )
        self.vals.extend(frame.end_types)

    def _need(self, feature: str, ins: Instr) -> None:
        if feature not in self.ctx.features:
            raise self.error(ins, f"{ins.op.name} needs the {feature} feature")

    def _tag(self, ins: Instr, idx: object) -> FuncType:
        tags = self.ctx.tags
        if not isinstance(idx, int) or not 0 <= idx < len(tags):
            raise self.error(ins, f"unknown tag {idx}")
        return tags[idx]

    def _catches(self, ins: Instr) -> None:
        """try_table's catch clauses: each label (counted from outside the try_table) must take
        what the clause passes it: the tag's values, then the exnref for the *_ref kinds."""
        for kind, tag, label in ins.imm[1]:
            passes = list(self._tag(ins, tag).params) if kind < 2 else []
            if kind in (1, 3):  # (with typed references: a non-null one)
                passes.append(RefType(False, HeapType.EXN) if self.ctx.typed_refs else EXNREF)
            target = self._label(ins, label)
            labels = target.label_types
            if len(labels) != len(passes) or not all(map(self.ctx.matches, passes, labels)):
                want, got = stack_text(target.label_types), stack_text(passes)
                raise self.error(
                    ins, f"type mismatch: {CATCH_KINDS[kind]} passes {got} to label {label}, which takes {want}",
                    want, got,
                )  # fmt: skip

    def _throw(self, ins: Instr, pc: int) -> None:
        self._need("exceptions", ins)
        self.pop_expected(self._tag(ins, ins.imm).params, ins)
        self.set_unreachable()

    def _throw_ref(self, ins: Instr, pc: int) -> None:
        self._need("exceptions", ins)
        self.pop_expected((EXNREF,), ins)
        self.set_unreachable()

    def _label(self, ins: Instr, depth: object) -> Frame:
        ctrls = self.ctrls
        if not isinstance(depth, int) or not 0 <= depth < len(ctrls):
            raise self.error(ins, f"unknown label {depth}")
        return ctrls[-1 - depth]

    def _br(self, ins: Instr, pc: int) -> None:
        target = self._label(ins, ins.imm)
        self.pop_expected(target.label_types, ins)
        if self.record:
            self.branches.append((pc, [(target, ins.imm)]))
        self.set_unreachable()

    def _br_if(self, ins: Instr, pc: int) -> None:
        target = self._label(ins, ins.imm)
        self.pop_expected((I32,), ins)
        labels = target.label_types
        self.pop_expected(labels, ins)
        self.vals.extend(labels)
        if self.record:
            self.branches.append((pc, [(target, ins.imm)]))

    def _br_table(self, ins: Instr, pc: int) -> None:
        depths, default = ins.imm
        self.pop_expected((I32,), ins)
        dflt = self._label(ins, default)
        arity = len(dflt.label_types)
        targets = []
        for depth in depths:
            frame = self._label(ins, depth)
            labels = frame.label_types
            if len(labels) != arity:
                raise self.error(
                    ins,
                    f"type mismatch: br_table targets have different arities "
                    f"({stack_text(labels)} vs default {stack_text(dflt.label_types)})",
                    stack_text(dflt.label_types),
                    stack_text(labels),
                )
            # pop then push back what was popped: checks the types, keeps Unknowns in place
            self.vals.extend(self.pop_vals(labels, ins))
            targets.append((frame, depth))
        self.pop_expected(dflt.label_types, ins)
        if self.record:
            targets.append((dflt, default))
            self.branches.append((pc, targets))
        self.set_unreachable()

    def _return(self, ins: Instr, pc: int) -> None:
        self.pop_expected(self.results, ins)
        if self.record:
            self.branches.append((pc, [(self.ctrls[0], len(self.ctrls) - 1)]))
        self.set_unreachable()

    def _callee_type(self, ins: Instr) -> FuncType:
        funcs = self.ctx.funcs
        idx = ins.imm
        if not isinstance(idx, int) or not 0 <= idx < len(funcs):
            raise self.error(ins, f"unknown function {idx}")
        return funcs[idx]

    def _call(self, ins: Instr, pc: int) -> None:
        ft = self._callee_type(ins)
        self.pop_expected(ft.params, ins)
        self.vals.extend(ft.results)

    def _call_indirect(self, ins: Instr, pc: int) -> None:
        ft = self._indirect_type(ins)
        self.pop_expected((self._table_address(ins.imm[1]),), ins)
        self.pop_expected(ft.params, ins)
        self.vals.extend(ft.results)

    def _tail_call(self, ins: Instr, ft: FuncType, operands: Sequence[ValType]) -> None:
        """return_call*: the callee's results are this function's; like `return`, the rest
        of the block is unreachable."""
        self._need("tail-call", ins)
        if len(ft.results) != len(self.results) or not all(map(self.ctx.matches, ft.results, self.results)):
            exp, got = stack_text(self.results), stack_text(ft.results)
            raise self.error(
                ins, f"type mismatch: the callee returns {got}, this function returns {exp}", exp, got
            )
        self.pop_expected(operands, ins)
        self.set_unreachable()

    def _return_call(self, ins: Instr, pc: int) -> None:
        ft = self._callee_type(ins)
        self._tail_call(ins, ft, ft.params)

    def _return_call_indirect(self, ins: Instr, pc: int) -> None:
        ft = self._indirect_type(ins)
        self._tail_call(ins, ft, (*ft.params, self._table_address(ins.imm[1])))

    def _indirect_type(self, ins: Instr) -> FuncType:
        typeidx, tableidx = ins.imm
        elem = self._need_table(ins, tableidx)
        try:
            ft = self.ctx.func_type_at(typeidx, "call_indirect", self.funcidx)
        except ValidationError as e:
            raise self.error(ins, e.reason) from None
        if elem is not FUNCREF and not self.ctx.matches(elem, FUNCREF):
            raise self.error(
                ins, f"type mismatch: {ins.op.name} needs a funcref table, table {tableidx} holds {elem.text}"
            )
        return ft

    def _drop(self, ins: Instr, pc: int) -> None:
        self.pop_any(ins)

    def _select(self, ins: Instr, pc: int) -> None:
        if ins.op.imm == "select_t":
            types = ins.imm
            if not isinstance(types, (tuple, list)) or len(types) != 1:
                raise self.error(
                    ins, f"invalid result arity {len(types) if isinstance(types, (tuple, list)) else '?'}"
                )
            t = types[0]
            self._valtype(ins, t)
            self.pop_expected((t, t, I32), ins)
            self.vals.append(t)
            return
        self.pop_expected((I32,), ins)
        t1 = self.pop_any(ins)
        t2 = self.pop_any(ins)
        for t in (t1, t2):
            if t is not None and t.is_ref:
                raise self.error(
                    ins,
                    f"type mismatch: select without a type needs numeric or vector operands, found {t.text}",
                    "[num num i32]",
                    stack_text([t2, t1, I32]),
                )
        if t1 is not None and t2 is not None and t1 is not t2:
            raise self.mismatch(ins, [t1, t1, I32], [t2, t1, I32])
        self.vals.append(t2 if t1 is None else t1)

    def _local(self, ins: Instr) -> ValType:
        idx = ins.imm
        locals_ = self.locals
        if not isinstance(idx, int) or not 0 <= idx < len(locals_):
            raise self.error(ins, f"unknown local {idx}")
        return locals_[idx]

    def _local_get(self, ins: Instr, pc: int) -> None:
        t = self._local(ins)
        if not self.inits[ins.imm]:
            raise self.error(
                ins, f"uninitialized local {ins.imm}: a non-nullable local must be set before use"
            )
        self.vals.append(t)

    def _set_init(self, x: int) -> None:
        if not self.inits[x]:
            self.inits[x] = True
            self.init_stack.append(x)

    def _local_set(self, ins: Instr, pc: int) -> None:
        self.pop_expected((self._local(ins),), ins)
        self._set_init(ins.imm)

    def _local_tee(self, ins: Instr, pc: int) -> None:
        t = self._local(ins)
        self.pop_expected((t,), ins)
        self._set_init(ins.imm)
        self.vals.append(t)

    def _global(self, ins: Instr) -> tuple[ValType, bool]:
        idx = ins.imm
        globals_ = self.ctx.globals
        if not isinstance(idx, int) or not 0 <= idx < len(globals_):
            raise self.error(ins, f"unknown global {idx}")
        g = globals_[idx]
        return g.type, g.mutable

    def _global_get(self, ins: Instr, pc: int) -> None:
        self.vals.append(self._global(ins)[0])

    def _global_set(self, ins: Instr, pc: int) -> None:
        t, mutable = self._global(ins)
        if not mutable:
            raise self.error(ins, f"global is immutable: global {ins.imm} cannot be set")
        self.pop_expected((t,), ins)

    def _table_get(self, ins: Instr, pc: int) -> None:
        t = self._need_table(ins, ins.imm)
        self.pop_expected((self._table_address(ins.imm),), ins)
        self.vals.append(t)

    def _table_set(self, ins: Instr, pc: int) -> None:
        t = self._need_table(ins, ins.imm)
        self.pop_expected((self._table_address(ins.imm), t), ins)

    def _table_grow(self, ins: Instr, pc: int) -> None:
        t = self._need_table(ins, ins.imm)
        at = self._table_address(ins.imm)
        self.pop_expected((t, at), ins)
        self.vals.append(at)

    def _table_fill(self, ins: Instr, pc: int) -> None:
        t = self._need_table(ins, ins.imm)
        at = self._table_address(ins.imm)
        self.pop_expected((at, t, at), ins)

    def _ref_null(self, ins: Instr, pc: int) -> None:
        t = ins.imm
        if not getattr(t, "is_ref", False) or not t.nullable:
            raise self.error(ins, f"type mismatch: ref.null needs a reference type, not {t}")
        self._valtype(ins, t)
        self.vals.append(t)

    def _ref_is_null(self, ins: Instr, pc: int) -> None:
        t = self.pop_any(ins)
        if t is not None and not t.is_ref:
            raise self.error(
                ins,
                f"type mismatch: ref.is_null needs a reference, found {t.text}",
                "[funcref|externref]",
                stack_text([t]),
            )
        self.vals.append(I32)

    def _ref_func(self, ins: Instr, pc: int) -> None:
        idx = ins.imm
        if not isinstance(idx, int) or not 0 <= idx < len(self.ctx.funcs):
            raise self.error(ins, f"unknown function {idx}")
        if idx not in self.ctx.refs:
            raise self.error(
                ins,
                f"undeclared function reference: function {idx} must be named outside function bodies "
                "(in an element segment, a global initializer or an export) before ref.func can use it",
            )
        self.vals.append(self.ctx.func_ref_type(idx))


# --- typed function references and GC (spec 3.4: reference and aggregate instructions) ----------

H = HeapType
EQREF = RefType(True, H.EQ)
ANYREF = RefType(True, H.ANY)
I31REF = RefType(True, H.I31)
ARRAYREF = RefType(True, H.ARRAY)


#: the typing rules of the stack-rule rows (spec names -> BodyChecker method names)
_SPECIAL_RULES: dict[str, str] = {
    "unreachable": "_unreachable",
    "block": "_block",
    "loop": "_block",
    "if": "_block",
    "try_table": "_block",
    "try": "_block",
    "catch": "_catch",
    "catch_all": "_catch",
    "delegate": "_delegate",
    "rethrow": "_rethrow",
    "throw": "_throw",
    "throw_ref": "_throw_ref",
    "else": "_else",
    "end": "_end",
    "br": "_br",
    "br_if": "_br_if",
    "br_table": "_br_table",
    "return": "_return",
    "call": "_call",
    "call_indirect": "_call_indirect",
    "return_call": "_return_call",
    "return_call_indirect": "_return_call_indirect",
    "drop": "_drop",
    "select": "_select",
    "local.get": "_local_get",
    "local.set": "_local_set",
    "local.tee": "_local_tee",
    "global.get": "_global_get",
    "global.set": "_global_set",
    "table.get": "_table_get",
    "table.set": "_table_set",
    "table.grow": "_table_grow",
    "table.fill": "_table_fill",
    "ref.null": "_ref_null",
    "ref.is_null": "_ref_is_null",
    "ref.func": "_ref_func",
}
#: the checks of plain instructions' immediates (immediate kind -> BodyChecker method name)
_IMM_RULES: dict[str, str] = {
    "memarg": "_memarg",
    "memarg_lane": "_memarg_lane",
    "lane": "_lane",
    "shuffle": "_shuffle",
    "memory": "_memory_imm",
    "memory_copy": "_memory_copy",
    "memory_fill": "_memory_imm",
    "memory_init": "_memory_init",
    "data": "_data_imm",
    "elem": "_elem_imm",
    "table": "_table_imm",
    "table_copy": "_table_copy",
    "table_init": "_table_init",
}


@functools.cache
def _rules() -> tuple[
    dict[str, Callable[[BodyChecker, Instr, int], None]],
    dict[str, Callable[[BodyChecker, Instr], Signature | None]],
]:
    """(name -> typing rule of a stack-rule row, immediate kind -> its check), as unbound
    functions taking the checker first (built once: `GC_RULES` is defined below)."""
    special = {name: getattr(BodyChecker, method) for name, method in _SPECIAL_RULES.items()}
    special.update(GC_RULES)
    imm_checks = {kind: getattr(BodyChecker, method) for kind, method in _IMM_RULES.items()}
    return special, imm_checks


def _need_feature(c: BodyChecker, ins: Instr) -> None:
    if not (ins.op.feature == "function-references" and c.ctx.gc):  # (GC brings typed references)
        c._need(ins.op.feature, ins)


def _deftype(c: BodyChecker, ins: Instr, idx: object, kind: type | None = None) -> object:
    types = c.ctx.types
    if not isinstance(idx, int) or not 0 <= idx < len(types):
        raise c.error(ins, f"unknown type {idx}")
    t = types[idx]
    if kind is not None and not isinstance(t, kind):
        word = {StructType: "struct", ArrayType: "array", FuncType: "function"}[kind]
        raise c.error(ins, f"type mismatch: type {idx} is not a {word} type")
    return t


def _pop_ref(c: BodyChecker, ins: Instr) -> object:
    t = c.pop_any(ins)
    if t is not None and not t.is_ref:
        raise c.error(
            ins, f"type mismatch: {ins.op.name} needs a reference, found {t.text}", "[ref]", stack_text([t])
        )
    return t


def _heap_of(c: BodyChecker, t: object) -> object:
    return getattr(t, "heap", None)


def _call_ref(c: BodyChecker, ins: Instr, pc: int) -> None:
    _need_feature(c, ins)
    ft = _deftype(c, ins, ins.imm, FuncType)
    c.pop_expected((RefType(True, ins.imm),), ins)
    c.pop_expected(ft.params, ins)
    c.vals.extend(ft.results)


def _return_call_ref(c: BodyChecker, ins: Instr, pc: int) -> None:
    _need_feature(c, ins)
    ft = _deftype(c, ins, ins.imm, FuncType)
    if "tail-call" not in c.ctx.features:
        raise c.error(ins, "return_call_ref needs the tail-call feature")
    if len(ft.results) != len(c.results) or not all(map(c.ctx.matches, ft.results, c.results)):
        exp, got = stack_text(c.results), stack_text(ft.results)
        raise c.error(ins, f"type mismatch: the callee returns {got}, this function returns {exp}", exp, got)
    c.pop_expected((*ft.params, RefType(True, ins.imm)), ins)
    c.set_unreachable()


def _as_non_null(c: BodyChecker, ins: Instr, pc: int) -> None:
    _need_feature(c, ins)
    t = _pop_ref(c, ins)
    c.vals.append(None if t is None else RefType(False, t.heap))


def _keep_label_values(c: BodyChecker, ins: Instr, labels: Sequence[object]) -> None:
    """The values a conditional branch leaves when it does not branch: its label's types (as
    br_if; not the operands' own types, which may be subtypes)."""
    c.pop_expected(labels, ins)
    c.vals.extend(labels)


def _br_on_null(c: BodyChecker, ins: Instr, pc: int) -> None:
    _need_feature(c, ins)
    target = c._label(ins, ins.imm)
    t = _pop_ref(c, ins)
    _keep_label_values(c, ins, target.label_types)
    c.vals.append(None if t is None else RefType(False, t.heap))
    if c.record:
        c.branches.append((pc, [(target, ins.imm)]))


def _br_on_non_null(c: BodyChecker, ins: Instr, pc: int) -> None:
    _need_feature(c, ins)
    target = c._label(ins, ins.imm)
    labels = list(target.label_types)
    if not labels or not getattr(labels[-1], "is_ref", False):
        raise c.error(
            ins, f"type mismatch: br_on_non_null needs a label taking a reference, found {stack_text(labels)}"
        )
    t = _pop_ref(c, ins)
    if t is not None and not c.ctx.matches(RefType(False, t.heap), labels[-1]):
        raise c.mismatch(ins, [labels[-1]], [t])
    _keep_label_values(c, ins, labels[:-1])
    if c.record:
        c.branches.append((pc, [(target, ins.imm)]))


def _ref_eq(c: BodyChecker, ins: Instr, pc: int) -> None:
    _need_feature(c, ins)
    c.pop_expected((EQREF, EQREF), ins)
    c.vals.append(I32)


def _field_of(c: BodyChecker, ins: Instr) -> tuple[StructType, FieldType]:
    typeidx, fieldidx = ins.imm
    st = _deftype(c, ins, typeidx, StructType)
    if not isinstance(fieldidx, int) or not 0 <= fieldidx < len(st.fields):
        raise c.error(ins, f"unknown field {fieldidx} (of type {typeidx})")
    return st, st.fields[fieldidx]


def _check_packed(c: BodyChecker, ins: Instr, f: FieldType) -> None:
    packed = isinstance(f.storage, Packed)
    signed = ins.op.name.endswith(("_s", "_u"))
    if packed != signed:
        what = "a packed field needs _s or _u" if packed else f"{ins.op.name} needs a packed field"
        raise c.error(ins, f"type mismatch: {what}")


def _defaultable(t: object) -> bool:
    return getattr(t, "nullable", True) or isinstance(t, Packed)


def _struct_new(c: BodyChecker, ins: Instr, pc: int) -> None:
    _need_feature(c, ins)
    st = _deftype(c, ins, ins.imm, StructType)
    if ins.op.name == "struct.new":
        c.pop_expected([f.unpacked for f in st.fields], ins)
    elif not all(_defaultable(f.storage) for f in st.fields):
        raise c.error(ins, f"type mismatch: struct.new_default needs defaultable fields (type {ins.imm})")
    c.vals.append(RefType(False, ins.imm))


def _struct_get(c: BodyChecker, ins: Instr, pc: int) -> None:
    _need_feature(c, ins)
    _, f = _field_of(c, ins)
    _check_packed(c, ins, f)
    c.pop_expected((RefType(True, ins.imm[0]),), ins)
    c.vals.append(f.unpacked)


def _struct_set(c: BodyChecker, ins: Instr, pc: int) -> None:
    _need_feature(c, ins)
    _, f = _field_of(c, ins)
    if not f.mutable:
        raise c.error(ins, f"field is immutable: field {ins.imm[1]} of type {ins.imm[0]}")
    c.pop_expected((RefType(True, ins.imm[0]), f.unpacked), ins)


def _array_of(c: BodyChecker, ins: Instr, idx: object, mutable: bool = False) -> FieldType:
    at = _deftype(c, ins, idx, ArrayType)
    if mutable and not at.field.mutable:
        raise c.error(ins, f"array is immutable: type {idx}")
    return at.field


def _numeric_storage(c: BodyChecker, ins: Instr, f: FieldType) -> None:
    if getattr(f.storage, "is_ref", False):
        raise c.error(ins, f"type mismatch: {ins.op.name} needs an array of numbers or vectors")


def _elem_into(c: BodyChecker, ins: Instr, f: FieldType, elemidx: object) -> None:
    et = c._need_elem(ins, elemidx)
    if not getattr(f.storage, "is_ref", False) or not c.ctx.matches(et, f.storage):
        raise c.error(
            ins, f"type mismatch: elem segment {elemidx} holds {et.text}, the array {f.storage.text}"
        )


def _array_new(c: BodyChecker, ins: Instr, pc: int) -> None:
    _need_feature(c, ins)
    name = ins.op.name
    idx = ins.imm if isinstance(ins.imm, int) else ins.imm[0]
    f = _array_of(c, ins, idx)
    if name == "array.new":
        c.pop_expected((f.unpacked, I32), ins)
    elif name == "array.new_default":
        if not _defaultable(f.storage):
            raise c.error(
                ins, f"type mismatch: array.new_default needs a defaultable element type (type {idx})"
            )
        c.pop_expected((I32,), ins)
    elif name == "array.new_fixed":
        c.pop_expected([f.unpacked] * ins.imm[1], ins)
    elif name == "array.new_data":
        _numeric_storage(c, ins, f)
        c._need_data(ins, ins.imm[1])
        c.pop_expected((I32, I32), ins)
    else:  # array.new_elem
        _elem_into(c, ins, f, ins.imm[1])
        c.pop_expected((I32, I32), ins)
    c.vals.append(RefType(False, idx))


def _array_get(c: BodyChecker, ins: Instr, pc: int) -> None:
    _need_feature(c, ins)
    f = _array_of(c, ins, ins.imm)
    _check_packed(c, ins, f)
    c.pop_expected((RefType(True, ins.imm), I32), ins)
    c.vals.append(f.unpacked)


def _array_set(c: BodyChecker, ins: Instr, pc: int) -> None:
    _need_feature(c, ins)
    f = _array_of(c, ins, ins.imm, mutable=True)
    c.pop_expected((RefType(True, ins.imm), I32, f.unpacked), ins)


def _array_len(c: BodyChecker, ins: Instr, pc: int) -> None:
    _need_feature(c, ins)
    c.pop_expected((ARRAYREF,), ins)
    c.vals.append(I32)


def _array_fill(c: BodyChecker, ins: Instr, pc: int) -> None:
    _need_feature(c, ins)
    f = _array_of(c, ins, ins.imm, mutable=True)
    c.pop_expected((RefType(True, ins.imm), I32, f.unpacked, I32), ins)


def _array_copy(c: BodyChecker, ins: Instr, pc: int) -> None:
    _need_feature(c, ins)
    dst, src = ins.imm
    fd = _array_of(c, ins, dst, mutable=True)
    fs = _array_of(c, ins, src)
    sd, ss = fd.storage, fs.storage
    ok = sd is ss if isinstance(sd, Packed) or isinstance(ss, Packed) else c.ctx.matches(ss, sd)
    if not ok:
        raise c.error(ins, f"type mismatch: array.copy from {ss.text} elements into {sd.text} elements")
    c.pop_expected((RefType(True, dst), I32, RefType(True, src), I32, I32), ins)


def _array_init(c: BodyChecker, ins: Instr, pc: int) -> None:
    _need_feature(c, ins)
    idx, seg = ins.imm
    f = _array_of(c, ins, idx, mutable=True)
    if ins.op.name == "array.init_data":
        _numeric_storage(c, ins, f)
        c._need_data(ins, seg)
    else:
        _elem_into(c, ins, f, seg)
    c.pop_expected((RefType(True, idx), I32, I32, I32), ins)


def _top_ref(c: BodyChecker, t: object) -> object:
    """The nullable top type of a reference type's hierarchy."""
    h = getattr(t, "heap", None)
    if isinstance(h, int):
        d = c.ctx.types[h] if 0 <= h < len(c.ctx.types) else None
        top = H.FUNC if isinstance(d, FuncType) else H.ANY
    else:
        top = h.top
    return ref_type(True, top)


def _cast_type(c: BodyChecker, ins: Instr, t: object) -> None:
    if not getattr(t, "is_ref", False):
        raise c.error(ins, f"type mismatch: {ins.op.name} needs a reference type")
    c._valtype(ins, t)


def _ref_test(c: BodyChecker, ins: Instr, pc: int) -> None:
    _need_feature(c, ins)
    rt = ins.imm
    _cast_type(c, ins, rt)
    c.pop_expected((_top_ref(c, rt),), ins)
    c.vals.append(I32 if ins.op.name == "ref.test" else rt)


def _diff(t1: object, t2: object) -> object:
    """rt1 minus rt2 (what fails a cast): non-null when rt2 takes null."""
    if getattr(t2, "nullable", False) and getattr(t1, "nullable", False):
        return RefType(False, t1.heap)
    return t1


def _br_on_cast(c: BodyChecker, ins: Instr, pc: int) -> None:
    _need_feature(c, ins)
    label, rt1, rt2 = ins.imm
    _cast_type(c, ins, rt1)
    _cast_type(c, ins, rt2)
    if not c.ctx.matches(rt2, rt1):
        raise c.error(
            ins, f"type mismatch: {ins.op.name}'s target type {rt2.text} is not a subtype of {rt1.text}"
        )
    target = c._label(ins, label)
    labels = list(target.label_types)
    passes = rt2 if ins.op.name == "br_on_cast" else _diff(rt1, rt2)
    stays = _diff(rt1, rt2) if ins.op.name == "br_on_cast" else rt2
    if not labels or not c.ctx.matches(passes, labels[-1]):
        raise c.error(
            ins, f"type mismatch: {ins.op.name} passes {passes.text} to a label taking {stack_text(labels)}"
        )
    c.pop_expected((rt1,), ins)
    _keep_label_values(c, ins, labels[:-1])
    c.vals.append(stays)
    if c.record:
        c.branches.append((pc, [(target, label)]))


def _convert(c: BodyChecker, ins: Instr, pc: int) -> None:
    _need_feature(c, ins)
    to_any = ins.op.name == "any.convert_extern"
    src, dst = (H.EXTERN, H.ANY) if to_any else (H.ANY, H.EXTERN)
    got = c.pop_vals((ref_type(True, src),), ins)[0]
    nullable = got is not None and got.nullable
    c.vals.append(ref_type(nullable, dst))


def _ref_i31(c: BodyChecker, ins: Instr, pc: int) -> None:
    _need_feature(c, ins)
    c.pop_expected((I32,), ins)
    c.vals.append(RefType(False, H.I31))


def _i31_get(c: BodyChecker, ins: Instr, pc: int) -> None:
    _need_feature(c, ins)
    c.pop_expected((I31REF,), ins)
    c.vals.append(I32)


#: instruction name -> its typing rule (a function of the checker)
GC_RULES: dict[str, Callable[..., None]] = {
    "call_ref": _call_ref,
    "return_call_ref": _return_call_ref,
    "ref.as_non_null": _as_non_null,
    "br_on_null": _br_on_null,
    "br_on_non_null": _br_on_non_null,
    "ref.eq": _ref_eq,
    "struct.new": _struct_new,
    "struct.new_default": _struct_new,
    "struct.get": _struct_get,
    "struct.get_s": _struct_get,
    "struct.get_u": _struct_get,
    "struct.set": _struct_set,
    "array.new": _array_new,
    "array.new_default": _array_new,
    "array.new_fixed": _array_new,
    "array.new_data": _array_new,
    "array.new_elem": _array_new,
    "array.get": _array_get,
    "array.get_s": _array_get,
    "array.get_u": _array_get,
    "array.set": _array_set,
    "array.len": _array_len,
    "array.fill": _array_fill,
    "array.copy": _array_copy,
    "array.init_data": _array_init,
    "array.init_elem": _array_init,
    "ref.test": _ref_test,
    "ref.cast": _ref_test,
    "br_on_cast": _br_on_cast,
    "br_on_cast_fail": _br_on_cast,
    "any.convert_extern": _convert,
    "extern.convert_any": _convert,
    "ref.i31": _ref_i31,
    "i31.get_s": _i31_get,
    "i31.get_u": _i31_get,
}
