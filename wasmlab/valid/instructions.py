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

from collections.abc import Callable, Sequence

from ..errors import ValidationError
from ..syntax.module import CATCH_KINDS, Instr
from ..syntax.opcodes import ALL_OPS, Op
from ..syntax.types import EXNREF, FUNCREF, I32, I64, FuncType, HeapType, RefType, ValType
from .context import Context

# frame kinds
FUNC, BLOCK, LOOP, IF, ELSE = "func", "block", "loop", "if", "else"

_LANES = {"i8x16": 16, "i16x8": 8, "i32x4": 4, "i64x2": 2, "f32x4": 4, "f64x2": 2}

#: `op.params` as lists (for a fast slice comparison with the operand stack)
_PARAM_LISTS: dict[Op, list[ValType]] = {op: list(op.params) for op in ALL_OPS if op.params is not None}


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
        self.results = list(ftype.results)
        self.vals: list[ValType | None] = []
        self.ctrls: list[Frame] = []
        self.record = record
        self.heights: list[int | None] = []
        self.max_height = 0
        self.blocks: list[Frame] = []  # every block/loop/if frame, in order (for the side table)
        self.branches: list[tuple[int, list[tuple[Frame, int]]]] = []  # pc -> (frame, depth) of each target
        self.func_frame: Frame | None = None
        self._special: dict[str, Callable[[Instr, int], None]] = {
            "unreachable": self._unreachable,
            "block": self._block,
            "loop": self._block,
            "if": self._block,
            "try_table": self._block,
            "throw": self._throw,
            "throw_ref": self._throw_ref,
            "else": self._else,
            "end": self._end,
            "br": self._br,
            "br_if": self._br_if,
            "br_table": self._br_table,
            "return": self._return,
            "call": self._call,
            "call_indirect": self._call_indirect,
            "return_call": self._return_call,
            "return_call_indirect": self._return_call_indirect,
            "drop": self._drop,
            "select": self._select,
            "local.get": self._local_get,
            "local.set": self._local_set,
            "local.tee": self._local_tee,
            "global.get": self._global_get,
            "global.set": self._global_set,
            "table.get": self._table_get,
            "table.set": self._table_set,
            "table.grow": self._table_grow,
            "table.fill": self._table_fill,
            "ref.null": self._ref_null,
            "ref.is_null": self._ref_is_null,
            "ref.func": self._ref_func,
        }
        self._imm_checks: dict[str, Callable[[Instr], None]] = {
            "memarg": self._memarg,
            "memarg_lane": self._memarg_lane,
            "lane": self._lane,
            "shuffle": self._shuffle,
            "memory": self._memory_imm,
            "memory_copy": self._memory_copy,
            "memory_fill": self._memory_imm,
            "memory_init": self._memory_init,
            "data": self._data_imm,
            "elem": self._elem_imm,
            "table": self._table_imm,
            "table_copy": self._table_copy,
            "table_init": self._table_init,
        }

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
        return frame

    def push_ctrl(self, kind: str, start: Sequence[ValType], end: Sequence[ValType], pc: int) -> Frame:
        frame = Frame(kind, start, end, len(self.vals), pc)
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
        record = self.record
        heights = self.heights
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
                handler = special.get(op.name)
                if handler is None:
                    raise self.error(ins, f"no validation rule for {op.name}")
                handler(ins, pc)
                continue
            imm_kind = op.imm
            if imm_kind != "none":
                check_imm = imm_checks.get(imm_kind)
                if check_imm is not None:
                    sig = check_imm(ins)
                    if sig is not None:  # a 64-bit memory's or table's signature (memory64)
                        self.pop_expected(sig[0], ins)
                        vals.extend(sig[1])
                        continue
            n = len(params)
            if n:
                h = len(vals)
                if h - ctrls[-1].height >= n and vals[h - n :] == param_lists[op]:
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
            kind = LOOP if ins.op.name == "loop" else BLOCK
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
        self.vals.append(self._local(ins))

    def _local_set(self, ins: Instr, pc: int) -> None:
        self.pop_expected((self._local(ins),), ins)

    def _local_tee(self, ins: Instr, pc: int) -> None:
        t = self._local(ins)
        self.pop_expected((t,), ins)
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
