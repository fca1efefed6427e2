"""Turn a function body into handlers the machine dispatches, once, before it first runs.

Every instruction of the flat body becomes one handler `h(S, L, pc) -> next_pc` (S: the
value stack, L: the frame's locals), so `pc` is the instruction's index in the body and
one step is one handler call. Branch targets, how many values a branch keeps and how
many it drops are resolved here from the static stack heights (the side table), never
searched at run time. Handlers bind the instance's memories, tables, globals and
functions directly.

A handler returns the next pc, `RETURN` (-1) to leave the function, `-2 - pc` after
pushing the callee (its `FuncInst`) on the value stack, above the arguments, to call it,
or `TAIL - pc` after pushing it to tail-call it (the callee replaces the current frame).
The machine pops the callee at once, so no other code ever sees it on the stack; no
state is shared between handlers and the machine besides the stack itself. Traps are raised before the handler
changes the stack, so a stopped machine shows the trapping instruction's operands.
"""

from __future__ import annotations

import struct
from collections.abc import Callable
from typing import TYPE_CHECKING, Any

from ..errors import Thrown, Trap
from ..syntax.module import Instr
from ..syntax.stack_effects import EffectContext, stack_effect
from ..syntax.types import FuncType, RefType, ValType
from . import numerics as N
from .const_expr import const_value
from .gc import branch_test, gc_handler
from .runtime import ExnInst

if TYPE_CHECKING:
    from ..syntax.signatures import DefinedType
    from .runtime import FuncInst, ModuleInst

Handler = Callable[[list, list, int], int]

RETURN = -1
#: a tail call returns `TAIL - pc` (below every `-2 - pc` of a plain call)
TAIL = -(1 << 40)

M32 = 0xFFFFFFFF
M64 = 0xFFFFFFFFFFFFFFFF
S31 = 0x80000000
S63 = 0x8000000000000000

OOB_MEMORY = "out of bounds memory access"
OOB_TABLE = "out of bounds table access"


# --- static structure: block matching and stack heights ----------------------------------


class _Ctrl:
    __slots__ = (
        "kind", "start", "height", "nparams", "nresults", "else_at", "branches", "unreachable", "catches",
        "handler", "handler_pcs", "slot",
    )  # fmt: skip

    def __init__(self, kind: str, start: int, height: int, nparams: int, nresults: int) -> None:
        self.kind = kind
        self.start = start
        self.height = height  # stack height below the block's parameters
        self.nparams = nparams
        self.nresults = nresults
        self.else_at: int | None = None
        self.branches: list[int] = []  # instruction indices that branch here (patched at end)
        self.unreachable = False
        self.catches: list[list] = []  # catch clauses that branch here (target patched at end)
        self.handler: list | None = None  # a try_table's entry in Layout.handlers
        self.handler_pcs: list[int] = []  # legacy try: its catch/catch_all pcs (jump to the end)
        self.slot = -1  # legacy try in a handler: which hidden local holds the caught exception

    @property
    def label_arity(self) -> int:
        return self.nparams if self.kind == "loop" else self.nresults


def block_arity(types: list[Any], bt: Any) -> tuple[int, int]:
    if bt is None:
        return 0, 0
    if isinstance(bt, (ValType, RefType)):
        return 0, 1
    ft = types[bt]
    return len(ft.params), len(ft.results)


class Layout:
    """The side table of one function body: per instruction, the static stack height before
    it, whether it is reachable, and for branches `(target pc, values kept, values dropped)`."""

    def __init__(self, n: int) -> None:
        self.height: list[int] = [0] * n
        self.reachable: list[bool] = [True] * n
        self.branch: dict[int, Any] = {}  # pc -> (target, keep, drop) or list of them (br_table)
        self.else_of: dict[int, int] = {}  # if pc -> else pc
        self.end_of: dict[int, int] = {}  # block/loop/if/else pc -> its end pc
        self.block_of: dict[int, int] = {}  # end/else pc -> the pc of the block that opened it
        self.depth: list[int] = [0] * n  # number of enclosing blocks (for views)
        #: try_tables, innermost first: [start pc, end pc, clauses]; a clause is
        #: [kind, tag, target pc, stack height of the target label, values it passes]; a
        #: legacy try's body is [try pc, first handler pc, clauses], its catch clauses
        #: carry a sixth item, the hidden local (counted after the declared ones) that keeps
        #: the caught exception for `rethrow`, and its `delegate` is the clause
        #: [4, None, where the search goes on (a pc +- 0.5, or -0.5: the caller)]
        self.handlers: list[list] = []
        self.rethrow: dict[int, int] = {}  # rethrow pc -> the hidden local of its handler
        self.nlocals = 0  # declared locals (parameters included): hidden ones come after
        #: the compiled tier's code for this body (exec.fast), by form (free or not): (code,
        #: constants, type indices), or False when it stays on the machine; None until asked
        self.translated: Any = None
        #: the region starts (`region_starts`) a run on the machine reached while it profiled
        #: this body for the compiled tier (exec.fast), None until one did
        self.coverage: set[int] | None = None
        self.profiled = 0  # (how many calls ran on the machine for that)
        #: how often compiled code of this body reached a region it was made without
        self.cold_hits = 0
        self.cold_at: dict[int, int] = {}  # (by the region's start)
        #: the free forms that start at a loop's head (exec.fast.ensure_entry), by (its pc,
        #: whether made without the cold regions)
        self.entries: dict[tuple[int, bool], Any] = {}
        #: the translator's scan of the body (exec.translate), made once
        self.scan: Any = None
        self._starts: list[int] | None = None


def region_starts(body: list[Instr], lay: Layout) -> list[int]:
    """The pcs only a branch or a condition leads to (after `if`, `else`, `br_if` and an inner
    `end`): a run that reached none of a region's starts ran none of its instructions."""
    if lay._starts is None:
        last = len(body) - 1
        lay._starts = [
            pc + 1
            for pc, ins in enumerate(body)
            if pc < last and ins.op.name in ("if", "else", "br_if", "end") and lay.reachable[pc + 1]
        ]
    return lay._starts


def loop_heads(body: list[Instr], lay: Layout, types: list[Any]) -> list[int]:
    """The loops a back edge goes to with nothing on the stack: where a call running on the
    machine may go on as compiled code (exec.fast's entry forms)."""
    heads = set()
    for pc, branch in lay.branch.items():
        for entry in branch if isinstance(branch, list) else (branch,):
            target = entry[0]
            if 0 < target <= pc and body[target - 1].op.name == "loop":
                heads.add(target - 1)
    return sorted(
        pc
        for pc in heads
        if lay.height[pc] == 0 and block_arity(types, body[pc].imm)[0] == 0 and lay.reachable[pc]
    )


class _Types(EffectContext):
    """What the stack effects of a (valid) body ask about its module: types by index."""

    def __init__(self, types: list[Any], func_types: list[FuncType]) -> None:
        self.types = types
        self.func_types = func_types

    def func_type(self, funcidx: int) -> FuncType:
        return self.func_types[funcidx]

    def type_at(self, typeidx: int) -> FuncType:
        return self.types[typeidx]


def layout(
    body: list[Instr],
    types: list[Any],
    func_types: list[FuncType],
    nresults: int,
    tag_types: list[FuncType] | None = None,
) -> Layout:
    """Compute the side table of a (valid) function body (`tag_types`: each tag's function
    type, for legacy `catch`)."""
    tag_types = tag_types or []
    n = len(body)
    lay = Layout(n)
    where = _Types(types, func_types)
    ctrls = [_Ctrl("func", -1, 0, 0, nresults)]
    h = 0

    def branch_to(pc: int, depth: int, here: int) -> tuple[int, int, int]:
        c = ctrls[-1 - depth]
        keep = c.label_arity
        drop = here - keep - c.height
        if c.kind == "loop":
            return (c.start + 1, keep, drop)
        c.branches.append(pc)
        return (-1, keep, drop)  # target patched when the block's end is seen

    height, reachable, depths = lay.height, lay.reachable, lay.depth
    by_op = _DELTA_OF
    dead: bool | None = None  # (whether the code here is unreachable; None: look again)
    depth = 0
    for pc, ins in enumerate(body):
        op = ins.op
        delta = by_op.get(op)
        if delta is not None:  # (most instructions: a fixed effect on the height)
            if dead is None:
                dead = ctrls[-1].unreachable
                depth = len(ctrls) - 1
            height[pc] = h
            depths[pc] = depth
            if dead:
                reachable[pc] = False
            else:
                h += delta
            continue
        dead = None
        name = op.name
        top = ctrls[-1]
        height[pc] = h
        reachable[pc] = not top.unreachable
        depths[pc] = len(ctrls) - 1
        delta = _DELTA.get(name)
        if delta is None and op.rule is None and name not in _STRUCTURED:
            delta = _DELTA[name] = len(op.results) - len(op.params)
        if delta is not None:
            by_op[op] = delta
            if not top.unreachable:
                h += delta
            continue
        if name in ("block", "loop", "if", "try_table", "try"):
            if name == "if":
                h -= 1
            p, r = block_arity(types, ins.imm[0] if name == "try_table" else ins.imm)
            clauses = [_catch_clause(clause, ctrls) for clause in ins.imm[1]] if name == "try_table" else None
            if name == "try":
                clauses = []
            c = _Ctrl(name, pc, h - p, p, r)
            c.unreachable = top.unreachable
            if clauses is not None:
                c.handler = [pc, -1, clauses]
                lay.handlers.append(c.handler)
            ctrls.append(c)
            continue
        if name in ("catch", "catch_all"):  # legacy exceptions: a handler of the try
            c = ctrls[-1]
            assert c.handler is not None
            if c.kind == "try":
                c.handler[1] = pc
                c.kind = "catch"
                c.slot = sum(1 for x in ctrls if x.kind == "catch" and x is not c)
            values = len(tag_types[ins.imm].params) if name == "catch" else 0
            kind = 0 if name == "catch" else 2
            c.handler[2].append([kind, ins.imm, pc + 1, c.height, values, c.slot])
            c.handler_pcs.append(pc)
            lay.block_of[pc] = c.start
            c.unreachable = ctrls[-2].unreachable
            h = c.height + values
            continue
        if name == "delegate":
            c = ctrls.pop()
            assert c.handler is not None
            c.handler[1] = pc
            target = ctrls[-1 - ins.imm]
            if target.kind == "func":
                at = -0.5  # the caller's handlers
            elif target.kind == "catch":
                at = target.start - 0.5  # thrown from a handler: outside that try's own body
            else:
                at = target.start + 0.5
            c.handler[2].append([4, None, at, 0, 0])
            h = c.height + c.nresults
            lay.end_of[c.start] = pc
            _close(lay, c, pc)
            continue
        if name == "else":
            c = ctrls[-1]
            c.else_at = pc
            lay.else_of[c.start] = pc
            lay.block_of[pc] = c.start
            c.unreachable = ctrls[-2].unreachable
            h = c.height + c.nparams
            continue
        if name == "end":
            c = ctrls.pop()
            h = c.height + c.nresults
            lay.end_of[c.start if c.kind != "func" else -1] = pc
            if c.else_at is not None:
                lay.end_of[c.else_at] = pc
            _close(lay, c, pc)
            for clause in c.catches:
                clause[2] = pc
            if c.handler is not None and c.handler[1] == -1:  # (a legacy try's body ends earlier)
                c.handler[1] = pc
            for at in c.handler_pcs:
                lay.end_of[at] = pc
            continue
        if top.unreachable:
            continue
        if name == "br":
            lay.branch[pc] = branch_to(pc, ins.imm, h)
            top.unreachable = True
            continue
        if name == "br_if":
            h -= 1
            lay.branch[pc] = branch_to(pc, ins.imm, h)
            continue
        if name in _REF_BRANCHES:  # br_on_null drops the null when it branches; the others keep the value
            depth = ins.imm if isinstance(ins.imm, int) else ins.imm[0]
            lay.branch[pc] = branch_to(pc, depth, h - 1 if name == "br_on_null" else h)
            if name == "br_on_non_null":
                h -= 1
            continue
        if name == "br_table":
            h -= 1
            labels, default = ins.imm
            entries = []
            for depth in (*labels, default):
                target = ctrls[-1 - depth]
                t, k, d = branch_to(pc, depth, h)
                entries.append((t, k, d) if t != -1 else (-1, k, d, id(target)))
            lay.branch[pc] = entries
            top.unreachable = True
            continue
        if name == "rethrow":
            lay.rethrow[pc] = ctrls[-1 - ins.imm].slot
        rule = ins.op.rule
        if rule is not None and not rule.falls_through:  # return, unreachable, tail calls, throws
            top.unreachable = True
            continue
        pops, pushes = stack_effect(ins, where)
        h += pushes - pops
    lay.handlers.sort(key=lambda e: -e[0])
    return lay


#: the instructions `layout` looks at by name (the others change the height by their effect)
_STRUCTURED = frozenset(
    {"block", "loop", "if", "try_table", "try", "catch", "catch_all", "delegate", "else", "end", "br", "br_if",
     "br_table", "rethrow", "br_on_null", "br_on_non_null", "br_on_cast", "br_on_cast_fail"}
)  # fmt: skip


#: instruction name -> its fixed effect on the stack height (filled as `layout` meets them)
_DELTA: dict[str, int] = {
    "local.get": 1, "local.set": -1, "local.tee": 0, "global.get": 1, "global.set": -1, "drop": -1, "select": -2,
}  # fmt: skip


#: the same by instruction (`Op`, compared by identity: one lookup on the hot path)
_DELTA_OF: dict[Any, int] = {}


def _catch_clause(clause: tuple[int, int | None, int], ctrls: list[_Ctrl]) -> list:
    """A try_table catch clause as the machine uses it (its label counts from outside)."""
    kind, tag, depth = clause
    c = ctrls[-1 - depth]
    entry = [kind, tag, c.start + 1 if c.kind == "loop" else -1, c.height, c.label_arity]
    if c.kind != "loop":
        c.catches.append(entry)
    return entry


def _close(lay: Layout, c: _Ctrl, end_pc: int) -> None:
    """Block `c` ends at `end_pc` (its `end`, or a legacy `delegate`): the branches that wait
    for its end get their target (br_table entries that wait carry `id(c)`)."""
    lay.block_of[end_pc] = c.start
    for b in c.branches:
        entry = lay.branch[b]
        if not isinstance(entry, list):
            lay.branch[b] = (end_pc, entry[1], entry[2])
    key = id(c)
    for b in set(c.branches):
        entry = lay.branch.get(b)
        if isinstance(entry, list):
            lay.branch[b] = [(end_pc, e[1], e[2]) if len(e) == 4 and e[3] == key else e for e in entry]


# --- handlers ----------------------------------------------------------------------------

_I32 = struct.Struct("<I")
_I64 = struct.Struct("<Q")
_LOADS: dict[str, tuple[struct.Struct, Callable[[int], Any] | None]] = {
    "i32.load": (_I32, None),
    "i64.load": (_I64, None),
    "f32.load": (_I32, N.f32_from_bits),
    "f64.load": (_I64, N.f64_from_bits),
    "i32.load8_s": (struct.Struct("<b"), lambda v: v & M32),
    "i32.load8_u": (struct.Struct("<B"), None),
    "i32.load16_s": (struct.Struct("<h"), lambda v: v & M32),
    "i32.load16_u": (struct.Struct("<H"), None),
    "i64.load8_s": (struct.Struct("<b"), lambda v: v & M64),
    "i64.load8_u": (struct.Struct("<B"), None),
    "i64.load16_s": (struct.Struct("<h"), lambda v: v & M64),
    "i64.load16_u": (struct.Struct("<H"), None),
    "i64.load32_s": (struct.Struct("<i"), lambda v: v & M64),
    "i64.load32_u": (_I32, None),
}
_STORES: dict[str, tuple[struct.Struct, Callable[[Any], int] | None]] = {
    "i32.store": (_I32, None),
    "i64.store": (_I64, None),
    "f32.store": (_I32, N.f32_to_bits),
    "f64.store": (_I64, N.f64_to_bits),
    "i32.store8": (struct.Struct("<B"), lambda v: v & 0xFF),
    "i32.store16": (struct.Struct("<H"), lambda v: v & 0xFFFF),
    "i64.store8": (struct.Struct("<B"), lambda v: v & 0xFF),
    "i64.store16": (struct.Struct("<H"), lambda v: v & 0xFFFF),
    "i64.store32": (_I32, lambda v: v & M32),
}


def _nop(S: list, L: list, pc: int) -> int:
    return pc + 1


def _return(S: list, L: list, pc: int) -> int:
    return RETURN


def _unreachable(S: list, L: list, pc: int) -> int:
    raise Trap("unreachable")


def _dead(S: list, L: list, pc: int) -> int:  # pragma: no cover - validation makes it unreachable
    raise Trap("unreachable code executed")


def _drop(S: list, L: list, pc: int) -> int:
    S.pop()
    return pc + 1


def _select(S: list, L: list, pc: int) -> int:
    c = S.pop()
    b = S.pop()
    if not c:
        S[-1] = b
    return pc + 1


def _jump(target: int, keep: int, drop: int) -> Handler:
    if drop == 0:

        def h(S: list, L: list, pc: int) -> int:
            return target

    elif keep == 0:
        cut = -drop

        def h(S: list, L: list, pc: int) -> int:
            del S[cut:]
            return target

    else:
        lo, hi = -(keep + drop), -keep

        def h(S: list, L: list, pc: int) -> int:
            del S[lo:hi]
            return target

    return h


def _br_if(target: int, keep: int, drop: int) -> Handler:
    if drop == 0:

        def h(S: list, L: list, pc: int) -> int:
            return target if S.pop() else pc + 1

    else:
        jump = _jump(target, keep, drop)

        def h(S: list, L: list, pc: int) -> int:
            if S.pop():
                return jump(S, L, pc)
            return pc + 1

    return h


_REF_BRANCHES = ("br_on_null", "br_on_non_null", "br_on_cast", "br_on_cast_fail")
assert _STRUCTURED.issuperset(_REF_BRANCHES)


def _br_on(name: str, test: Callable[[Any], bool], target: int, keep: int, drop: int) -> Handler:
    """br_on_null (pops the null when it branches), br_on_non_null (pops the null when it does
    not), br_on_cast and br_on_cast_fail (keep the value either way)."""
    jump = _jump(target, keep, drop)
    if name == "br_on_null":

        def h(S: list, L: list, pc: int) -> int:
            if S[-1] is None:
                S.pop()
                return jump(S, L, pc)
            return pc + 1

    elif name == "br_on_non_null":

        def h(S: list, L: list, pc: int) -> int:
            if S[-1] is not None:
                return jump(S, L, pc)
            S.pop()
            return pc + 1

    else:

        def h(S: list, L: list, pc: int) -> int:
            if test(S[-1]):
                return jump(S, L, pc)
            return pc + 1

    return h


def _br_table(entries: list[tuple[int, int, int]]) -> Handler:
    jumps = [_jump(*e) for e in entries]
    default = jumps[-1]
    cases = jumps[:-1]
    n = len(cases)

    def h(S: list, L: list, pc: int) -> int:
        i = S.pop()
        return (cases[i] if i < n else default)(S, L, pc)

    return h


def _if(else_target: int) -> Handler:
    def h(S: list, L: list, pc: int) -> int:
        return pc + 1 if S.pop() else else_target

    return h


def _throw(tag: Any) -> Handler:
    n = len(tag.type.params)

    def h(S: list, L: list, pc: int) -> int:
        if n:
            values = S[-n:]
            del S[-n:]
        else:
            values = []
        raise Thrown(ExnInst(tag, values))

    return h


def _rethrow(slot: int) -> Handler:
    """Legacy `rethrow`: the exception its handler caught (kept in a hidden local)."""

    def h(S: list, L: list, pc: int) -> int:
        raise Thrown(L[slot])

    return h


def _throw_ref(S: list, L: list, pc: int) -> int:
    exn = S[-1]
    if exn is None:
        raise Trap("null exception reference")
    S.pop()
    raise Thrown(exn)


def _const(v: Any) -> Handler:
    def h(S: list, L: list, pc: int) -> int:
        S.append(v)
        return pc + 1

    return h


def _local_get(i: int) -> Handler:
    def h(S: list, L: list, pc: int) -> int:
        S.append(L[i])
        return pc + 1

    return h


def _local_set(i: int) -> Handler:
    def h(S: list, L: list, pc: int) -> int:
        L[i] = S.pop()
        return pc + 1

    return h


def _local_tee(i: int) -> Handler:
    def h(S: list, L: list, pc: int) -> int:
        L[i] = S[-1]
        return pc + 1

    return h


def _global_get(g: Any) -> Handler:
    def h(S: list, L: list, pc: int) -> int:
        S.append(g.value)
        return pc + 1

    return h


def _global_set(g: Any) -> Handler:
    def h(S: list, L: list, pc: int) -> int:
        g.value = S.pop()
        return pc + 1

    return h


def _call(callee: FuncInst) -> Handler:
    def h(S: list, L: list, pc: int) -> int:
        S.append(callee)
        return -2 - pc

    return h


def _call_indirect(table: Any, expected: DefinedType) -> Handler:
    def h(S: list, L: list, pc: int) -> int:
        i = S[-1]
        elems = table.elements
        if i >= len(elems):
            raise Trap("undefined element")
        f = elems[i]
        if f is None:
            raise Trap(f"uninitialized element {i}")
        d = f.deftype
        if d is not expected and expected not in d.ancestors:
            raise Trap("indirect call type mismatch")
        operand[0] = i
        S[-1] = f
        return -2 - pc

    # the table index of its last call, which the machine puts back when that call cannot
    # happen (call stack exhausted): the trapping instruction keeps its operand
    operand = [0]
    h.operand = operand  # type: ignore[attr-defined]
    return h


def _tail(call: Handler) -> Handler:
    """return_call*: the call handler's callee, as a tail call (`TAIL - pc`)."""

    def h(S: list, L: list, pc: int) -> int:
        call(S, L, pc)
        return TAIL - pc

    return h


def _load(mem: Any, name: str, offset: int) -> Handler:
    st, conv = _LOADS[name]
    unpack = st.unpack_from
    if name in ("i32.load8_u", "i64.load8_u"):

        def h(S: list, L: list, pc: int) -> int:
            try:
                S[-1] = mem.data[S[-1] + offset]
            except IndexError:
                raise Trap(OOB_MEMORY) from None
            return pc + 1

    elif conv is None:

        def h(S: list, L: list, pc: int) -> int:
            try:
                S[-1] = unpack(mem.data, S[-1] + offset)[0]
            except (struct.error, OverflowError):  # OverflowError: an i64 address past 2^63
                raise Trap(OOB_MEMORY) from None
            return pc + 1

    else:

        def h(S: list, L: list, pc: int) -> int:
            try:
                S[-1] = conv(unpack(mem.data, S[-1] + offset)[0])
            except (struct.error, OverflowError):  # OverflowError: an i64 address past 2^63
                raise Trap(OOB_MEMORY) from None
            return pc + 1

    return h


def _store(mem: Any, name: str, offset: int) -> Handler:
    st, conv = _STORES[name]
    pack = st.pack_into
    size = st.size
    if name in ("i32.store8", "i64.store8"):

        def h(S: list, L: list, pc: int) -> int:
            ea = S[-2] + offset
            data = mem.data
            if ea >= len(data):
                raise Trap(OOB_MEMORY)
            data[ea] = S.pop() & 0xFF
            S.pop()
            return pc + 1

    elif conv is None:

        def h(S: list, L: list, pc: int) -> int:
            ea = S[-2] + offset
            data = mem.data
            if ea + size > len(data):
                raise Trap(OOB_MEMORY)
            pack(data, ea, S.pop())
            S.pop()
            return pc + 1

    else:

        def h(S: list, L: list, pc: int) -> int:
            ea = S[-2] + offset
            data = mem.data
            if ea + size > len(data):
                raise Trap(OOB_MEMORY)
            pack(data, ea, conv(S.pop()))
            S.pop()
            return pc + 1

    return h


def _memory_size(mem: Any) -> Handler:
    def h(S: list, L: list, pc: int) -> int:
        S.append(len(mem.data) >> 16)
        return pc + 1

    return h


def _memory_grow(mem: Any) -> Handler:
    def h(S: list, L: list, pc: int) -> int:
        S[-1] = mem.grow(S[-1])
        return pc + 1

    return h


def _unary(f: Callable[[Any], Any]) -> Handler:
    def h(S: list, L: list, pc: int) -> int:
        S[-1] = f(S[-1])
        return pc + 1

    return h


def _binary(f: Callable[[Any, Any], Any]) -> Handler:
    def h(S: list, L: list, pc: int) -> int:
        S[-2] = f(S[-2], S[-1])
        S.pop()
        return pc + 1

    return h


def _generic(f: Callable[..., Any], npop: int, npush: int, extra: tuple = ()) -> Handler:
    def h(S: list, L: list, pc: int) -> int:
        args = S[len(S) - npop :] if npop else []
        r = f(*args, *extra)
        if npop:
            del S[len(S) - npop :]
        if npush:
            S.append(r)
        return pc + 1

    return h


# Hot integer and float operations, inlined (each is exactly the spec's semantics for the
# unsigned representation; the rest come from numerics.NUMERIC).


def _i32_add(S: list, L: list, pc: int) -> int:
    b = S.pop()
    S[-1] = (S[-1] + b) & M32
    return pc + 1


def _i32_sub(S: list, L: list, pc: int) -> int:
    b = S.pop()
    S[-1] = (S[-1] - b) & M32
    return pc + 1


def _i32_mul(S: list, L: list, pc: int) -> int:
    b = S.pop()
    S[-1] = (S[-1] * b) & M32
    return pc + 1


def _i32_and(S: list, L: list, pc: int) -> int:
    b = S.pop()
    S[-1] &= b
    return pc + 1


def _i32_or(S: list, L: list, pc: int) -> int:
    b = S.pop()
    S[-1] |= b
    return pc + 1


def _i32_xor(S: list, L: list, pc: int) -> int:
    b = S.pop()
    S[-1] ^= b
    return pc + 1


def _i32_shl(S: list, L: list, pc: int) -> int:
    b = S.pop()
    S[-1] = (S[-1] << (b & 31)) & M32
    return pc + 1


def _i32_shr_u(S: list, L: list, pc: int) -> int:
    b = S.pop()
    S[-1] >>= b & 31
    return pc + 1


def _i32_eqz(S: list, L: list, pc: int) -> int:
    S[-1] = 0 if S[-1] else 1
    return pc + 1


def _i32_eq(S: list, L: list, pc: int) -> int:
    b = S.pop()
    S[-1] = 1 if S[-1] == b else 0
    return pc + 1


def _i32_ne(S: list, L: list, pc: int) -> int:
    b = S.pop()
    S[-1] = 1 if S[-1] != b else 0
    return pc + 1


def _i32_lt_u(S: list, L: list, pc: int) -> int:
    b = S.pop()
    S[-1] = 1 if S[-1] < b else 0
    return pc + 1


def _i32_gt_u(S: list, L: list, pc: int) -> int:
    b = S.pop()
    S[-1] = 1 if S[-1] > b else 0
    return pc + 1


def _i32_le_u(S: list, L: list, pc: int) -> int:
    b = S.pop()
    S[-1] = 1 if S[-1] <= b else 0
    return pc + 1


def _i32_ge_u(S: list, L: list, pc: int) -> int:
    b = S.pop()
    S[-1] = 1 if S[-1] >= b else 0
    return pc + 1


def _i32_lt_s(S: list, L: list, pc: int) -> int:
    b = S.pop()
    S[-1] = 1 if (S[-1] ^ S31) < (b ^ S31) else 0
    return pc + 1


def _i32_gt_s(S: list, L: list, pc: int) -> int:
    b = S.pop()
    S[-1] = 1 if (S[-1] ^ S31) > (b ^ S31) else 0
    return pc + 1


def _i32_le_s(S: list, L: list, pc: int) -> int:
    b = S.pop()
    S[-1] = 1 if (S[-1] ^ S31) <= (b ^ S31) else 0
    return pc + 1


def _i32_ge_s(S: list, L: list, pc: int) -> int:
    b = S.pop()
    S[-1] = 1 if (S[-1] ^ S31) >= (b ^ S31) else 0
    return pc + 1


def _i64_add(S: list, L: list, pc: int) -> int:
    b = S.pop()
    S[-1] = (S[-1] + b) & M64
    return pc + 1


def _i64_sub(S: list, L: list, pc: int) -> int:
    b = S.pop()
    S[-1] = (S[-1] - b) & M64
    return pc + 1


def _i64_mul(S: list, L: list, pc: int) -> int:
    b = S.pop()
    S[-1] = (S[-1] * b) & M64
    return pc + 1


def _i64_eqz(S: list, L: list, pc: int) -> int:
    S[-1] = 0 if S[-1] else 1
    return pc + 1


def _i64_lt_s(S: list, L: list, pc: int) -> int:
    b = S.pop()
    S[-1] = 1 if (S[-1] ^ S63) < (b ^ S63) else 0
    return pc + 1


def _i64_gt_s(S: list, L: list, pc: int) -> int:
    b = S.pop()
    S[-1] = 1 if (S[-1] ^ S63) > (b ^ S63) else 0
    return pc + 1


def _f64_add(S: list, L: list, pc: int) -> int:
    b = S.pop()
    S[-1] += b
    return pc + 1


def _f64_sub(S: list, L: list, pc: int) -> int:
    b = S.pop()
    S[-1] -= b
    return pc + 1


def _f64_mul(S: list, L: list, pc: int) -> int:
    b = S.pop()
    S[-1] *= b
    return pc + 1


def _f64_lt(S: list, L: list, pc: int) -> int:
    b = S.pop()
    S[-1] = 1 if S[-1] < b else 0
    return pc + 1


def _f64_gt(S: list, L: list, pc: int) -> int:
    b = S.pop()
    S[-1] = 1 if S[-1] > b else 0
    return pc + 1


def _f64_le(S: list, L: list, pc: int) -> int:
    b = S.pop()
    S[-1] = 1 if S[-1] <= b else 0
    return pc + 1


def _f64_ge(S: list, L: list, pc: int) -> int:
    b = S.pop()
    S[-1] = 1 if S[-1] >= b else 0
    return pc + 1


_INLINE: dict[str, Handler] = {
    "i32.add": _i32_add, "i32.sub": _i32_sub, "i32.mul": _i32_mul, "i32.and": _i32_and,
    "i32.or": _i32_or, "i32.xor": _i32_xor, "i32.shl": _i32_shl, "i32.shr_u": _i32_shr_u,
    "i32.eqz": _i32_eqz, "i32.eq": _i32_eq, "i32.ne": _i32_ne, "i32.lt_u": _i32_lt_u,
    "i32.gt_u": _i32_gt_u, "i32.le_u": _i32_le_u, "i32.ge_u": _i32_ge_u, "i32.lt_s": _i32_lt_s,
    "i32.gt_s": _i32_gt_s, "i32.le_s": _i32_le_s, "i32.ge_s": _i32_ge_s, "i64.add": _i64_add,
    "i64.sub": _i64_sub, "i64.mul": _i64_mul, "i64.and": _i32_and, "i64.or": _i32_or,
    "i64.xor": _i32_xor, "i64.eqz": _i64_eqz, "i64.eq": _i32_eq, "i64.ne": _i32_ne,
    "i64.lt_u": _i32_lt_u, "i64.gt_u": _i32_gt_u, "i64.le_u": _i32_le_u, "i64.ge_u": _i32_ge_u,
    "i64.lt_s": _i64_lt_s, "i64.gt_s": _i64_gt_s, "f64.add": _f64_add, "f64.sub": _f64_sub,
    "f64.mul": _f64_mul, "f64.lt": _f64_lt, "f64.gt": _f64_gt, "f64.le": _f64_le,
    "f64.ge": _f64_ge, "f64.eq": _i32_eq, "f64.ne": _i32_ne, "f32.lt": _f64_lt,
    "f32.gt": _f64_gt, "f32.le": _f64_le, "f32.ge": _f64_ge, "f32.eq": _i32_eq,
    "f32.ne": _i32_ne, "drop": _drop, "select": _select, "nop": _nop,
    "unreachable": _unreachable,
}  # fmt: skip


# --- tables, references and bulk memory --------------------------------------------------


def _table_get(t: Any) -> Handler:
    def h(S: list, L: list, pc: int) -> int:
        i = S[-1]
        if i >= len(t.elements):
            raise Trap(OOB_TABLE)
        S[-1] = t.elements[i]
        return pc + 1

    return h


def _table_set(t: Any) -> Handler:
    def h(S: list, L: list, pc: int) -> int:
        i = S[-2]
        if i >= len(t.elements):
            raise Trap(OOB_TABLE)
        t.elements[i] = S.pop()
        S.pop()
        return pc + 1

    return h


def _table_size(t: Any) -> Handler:
    def h(S: list, L: list, pc: int) -> int:
        S.append(len(t.elements))
        return pc + 1

    return h


def _table_grow(t: Any) -> Handler:
    def h(S: list, L: list, pc: int) -> int:
        n = S.pop()
        S[-1] = t.grow(n, S[-1])
        return pc + 1

    return h


def _table_fill(t: Any) -> Handler:
    def h(S: list, L: list, pc: int) -> int:
        i, v, n = S[-3], S[-2], S[-1]
        if i + n > len(t.elements):
            raise Trap(OOB_TABLE)
        t.elements[i : i + n] = [v] * n
        del S[-3:]
        return pc + 1

    return h


def _table_copy(dst: Any, src: Any) -> Handler:
    def h(S: list, L: list, pc: int) -> int:
        d, s, n = S[-3], S[-2], S[-1]
        if s + n > len(src.elements) or d + n > len(dst.elements):
            raise Trap(OOB_TABLE)
        dst.elements[d : d + n] = src.elements[s : s + n]
        del S[-3:]
        return pc + 1

    return h


def _table_init(t: Any, e: Any) -> Handler:
    def h(S: list, L: list, pc: int) -> int:
        d, s, n = S[-3], S[-2], S[-1]
        if s + n > len(e.elements) or d + n > len(t.elements):
            raise Trap(OOB_TABLE)
        t.elements[d : d + n] = e.elements[s : s + n]
        del S[-3:]
        return pc + 1

    return h


def _elem_drop(e: Any) -> Handler:
    def h(S: list, L: list, pc: int) -> int:
        e.elements = []
        return pc + 1

    return h


def _memory_init(mem: Any, d: Any) -> Handler:
    def h(S: list, L: list, pc: int) -> int:
        dst, s, n = S[-3], S[-2], S[-1]
        data = mem.data
        if s + n > len(d.data) or dst + n > len(data):
            raise Trap(OOB_MEMORY)
        data[dst : dst + n] = d.data[s : s + n]
        del S[-3:]
        return pc + 1

    return h


def _data_drop(d: Any) -> Handler:
    def h(S: list, L: list, pc: int) -> int:
        d.data = b""
        return pc + 1

    return h


def _memory_copy(dst_mem: Any, src_mem: Any) -> Handler:
    def h(S: list, L: list, pc: int) -> int:
        dst, s, n = S[-3], S[-2], S[-1]
        data = dst_mem.data
        src = src_mem.data  # the same buffer unless copying between two memories
        if s + n > len(src) or dst + n > len(data):
            raise Trap(OOB_MEMORY)
        data[dst : dst + n] = src[s : s + n]
        del S[-3:]
        return pc + 1

    return h


def _memory_fill(mem: Any) -> Handler:
    def h(S: list, L: list, pc: int) -> int:
        dst, v, n = S[-3], S[-2], S[-1]
        data = mem.data
        if dst + n > len(data):
            raise Trap(OOB_MEMORY)
        data[dst : dst + n] = bytes([v & 0xFF]) * n
        del S[-3:]
        return pc + 1

    return h


def _ref_is_null(S: list, L: list, pc: int) -> int:
    S[-1] = 1 if S[-1] is None else 0
    return pc + 1


# --- SIMD memory instructions (lane semantics live in exec.simd) --------------------------


def _simd_load(name: str, lane: int | None) -> tuple[int, Callable[..., int]]:
    """(bytes read, raw bytes [+ vector] -> v128) for a SIMD load."""
    kind = name.split(".", 1)[1]
    if kind == "load":
        return 16, lambda raw: int.from_bytes(raw, "little")
    if kind.endswith("_zero"):
        width = int(kind[4:6]) // 8
        return width, lambda raw: int.from_bytes(raw, "little")
    if kind.endswith("_splat"):
        width = int(kind[4:].split("_")[0]) // 8
        return width, lambda raw: int.from_bytes(raw * (16 // width), "little")
    if kind.endswith("_lane"):
        width = int(kind[4:].split("_")[0]) // 8
        shift = (lane or 0) * width * 8
        keep = ~(((1 << (width * 8)) - 1) << shift)
        return width, lambda raw, v: (v & keep) | (int.from_bytes(raw, "little") << shift)
    # load8x8_s, load16x4_u, load32x2_s ...: widen each of the 8 bytes' lanes
    src_bits = int(kind[4:].split("x")[0])
    signed = kind.endswith("_s")
    n = 64 // src_bits
    code = {8: "b", 16: "h", 32: "i"}[src_bits]
    fmt = struct.Struct("<" + (code if signed else code.upper()) * n)
    dst_mask = (1 << (src_bits * 2)) - 1

    def widen(raw: bytes) -> int:
        out = 0
        for i, x in enumerate(fmt.unpack(raw)):
            out |= (x & dst_mask) << (i * src_bits * 2)
        return out

    return 8, widen


def _v128_load(mem: Any, name: str, offset: int, lane: int | None) -> Handler:
    width, make = _simd_load(name, lane)
    has_vec = lane is not None

    def h(S: list, L: list, pc: int) -> int:
        ea = (S[-2] if has_vec else S[-1]) + offset
        data = mem.data
        if ea + width > len(data):
            raise Trap(OOB_MEMORY)
        raw = bytes(data[ea : ea + width])
        if has_vec:
            v = S.pop()
            S[-1] = make(raw, v)
        else:
            S[-1] = make(raw)
        return pc + 1

    return h


def _v128_store(mem: Any, name: str, offset: int, lane: int | None) -> Handler:
    width = 16 if lane is None else int(name.split(".", 1)[1][5:].split("_")[0]) // 8
    shift = (lane or 0) * width * 8
    mask = (1 << (width * 8)) - 1

    def h(S: list, L: list, pc: int) -> int:
        ea = S[-2] + offset
        data = mem.data
        if ea + width > len(data):
            raise Trap(OOB_MEMORY)
        data[ea : ea + width] = ((S.pop() >> shift) & mask).to_bytes(width, "little")
        S.pop()
        return pc + 1

    return h


# --- the compiler ------------------------------------------------------------------------


def compile_function(f: FuncInst) -> list[Handler]:
    """The handlers of one wasm function instance (bound to its module instance)."""
    inst: ModuleInst = f.module  # type: ignore[assignment]
    func = f.func
    assert func is not None
    body = func.body
    lay = prepare(f)
    code: list[Handler] = []
    last = len(body) - 1
    for pc, ins in enumerate(body):
        if not lay.reachable[pc] and ins.op.name not in ("end", "else", "catch", "catch_all", "delegate"):
            code.append(_dead)
            continue
        code.append(_handler(ins, pc, last, lay, inst))
    return code


def profiling_code(
    f: FuncInst,
    starts: list[int],
    heads: list[int],
    seen: set[int],
    hot: Callable[[list[int]], None],
    after: int,
) -> list[Handler]:
    """Handlers of `f` that also profile its body for the compiled tier (exec.fast.DEFER),
    each made the first time its pc runs (a first call runs little of a long body): the first
    arrival at a region start (`starts`) adds it to `seen`, and that handler steps aside; a
    back edge to a loop head of `heads` counts, and from the `after`-th on calls `hot(count)`,
    which raises to go on as compiled code from there, or resets the count. Every handler is
    the step-mode one, so the counts are exact in every mode."""
    inst: ModuleInst = f.module  # type: ignore[assignment]
    func = f.func
    assert func is not None
    body = func.body
    lay = prepare(f)
    last = len(body) - 1

    def make(pc: int) -> Handler:
        ins = body[pc]
        if not lay.reachable[pc] and ins.op.name not in ("end", "else", "catch", "catch_all", "delegate"):
            return _dead
        return _handler(ins, pc, last, lay, inst)

    def lazy(S: list, L: list, pc: int) -> int:
        h = make(pc)
        if code[pc] is lazy:
            code[pc] = h
        return h(S, L, pc)

    code: list[Handler] = [lazy] * len(body)
    for pc in starts:
        code[pc] = _marker(code, pc, seen)
    for pc in heads:
        code[pc + 1] = _counter(make(pc + 1), hot, after)
    return code


def _marker(code: list[Handler], at: int, seen: set[int]) -> Handler:
    inner = code[at]

    def h(S: list, L: list, pc: int) -> int:
        seen.add(at)
        code[at] = inner
        return inner(S, L, pc)

    return h


def _counter(inner: Handler, hot: Callable[[list[int]], None], after: int) -> Handler:
    count = [0]

    def h(S: list, L: list, pc: int) -> int:
        count[0] += 1
        if count[0] >= after:
            hot(count)
        return inner(S, L, pc)

    if hasattr(inner, "operand"):  # (the machine reads a call_indirect's operand there)
        h.operand = inner.operand  # type: ignore[attr-defined]
    return h


def prepare(f: FuncInst) -> Layout:
    """The side table of a wasm function instance's body, made once per `Func` (it depends
    only on the validated module, so every instance shares it: kept in `Func.prepared`)
    and set as `f.layout`. The compiled tier needs only this, not the handlers."""
    func = f.func
    assert func is not None
    lay = func.prepared
    if not isinstance(lay, Layout):
        inst: ModuleInst = f.module  # type: ignore[assignment]
        func_types = [g.type for g in inst.funcs]
        lay = func.prepared = layout(
            func.body, inst.types, func_types, f.nresults, [t.type for t in inst.tags]
        )
    lay.nlocals = f.nparams + len(func.locals)
    f.layout = lay
    return lay


def compile_fast(f: FuncInst) -> list[Handler]:
    """Run-mode handlers: `code` with superinstructions (see exec.fuse)."""
    from .fuse import fused_code

    if f.code is None:
        f.code = compile_function(f)
    return fused_code(f, f.code, f.layout)


def _handler(ins: Instr, pc: int, last: int, lay: Layout, inst: ModuleInst) -> Handler:
    op = ins.op
    name = op.name
    imm = ins.imm
    fast = _INLINE.get(name)
    if fast is not None and op.imm in ("none",):
        return fast
    kind = op.imm
    if name in ("block", "loop", "try_table"):
        return _nop
    if name == "throw":
        return _throw(inst.tags[imm])
    if name == "throw_ref":
        return _throw_ref
    if name == "try":
        return _nop
    if name in ("catch", "catch_all"):  # the end of the body or handler before: leave the try
        return _jump(lay.end_of[pc], 0, 0)
    if name == "delegate":
        return _nop
    if name == "rethrow":
        return _rethrow(lay.nlocals + lay.rethrow[pc])
    if name == "if":
        else_at = lay.else_of.get(pc)
        return _if(else_at + 1 if else_at is not None else lay.end_of[pc])
    if name == "else":
        return _jump(lay.end_of[pc], 0, 0)
    if name == "end":
        return _return if pc == last else _nop
    if name == "return":
        return _return
    if name == "br":
        return _jump(*lay.branch[pc]) if pc in lay.branch else _dead
    if name == "br_if":
        return _br_if(*lay.branch[pc])
    if name == "br_table":
        return _br_table(lay.branch[pc])
    if name == "call":
        return _call(inst.funcs[imm])
    if name == "call_indirect":
        return _call_indirect(inst.tables[imm[1]], inst.deftype(imm[0]))
    if name == "return_call":
        return _tail(_call(inst.funcs[imm]))
    if name == "return_call_indirect":
        return _tail(_call_indirect(inst.tables[imm[1]], inst.deftype(imm[0])))
    if name == "select":
        return _select
    if name == "local.get":
        return _local_get(imm)
    if name == "local.set":
        return _local_set(imm)
    if name == "local.tee":
        return _local_tee(imm)
    if name == "global.get":
        return _global_get(inst.globals[imm])
    if name == "global.set":
        return _global_set(inst.globals[imm])
    if kind in ("i32", "i64", "f32", "f64", "v128"):
        return _const(const_value(ins))
    if kind == "memarg":
        mem = inst.mems[imm[2]]
        if name in _LOADS:
            return _load(mem, name, imm[1])
        if name in _STORES:
            return _store(mem, name, imm[1])
        if name.endswith("store"):
            return _v128_store(mem, name, imm[1], None)
        return _v128_load(mem, name, imm[1], None)
    if kind == "memarg_lane":
        mem = inst.mems[imm[2]]
        if "store" in name:
            return _v128_store(mem, name, imm[1], imm[3])
        return _v128_load(mem, name, imm[1], imm[3])
    if name == "memory.size":
        return _memory_size(inst.mems[imm])
    if name == "memory.grow":
        return _memory_grow(inst.mems[imm])
    if name == "memory.init":
        return _memory_init(inst.mems[imm[1]], inst.datas[imm[0]])
    if name == "data.drop":
        return _data_drop(inst.datas[imm])
    if name == "memory.copy":
        return _memory_copy(inst.mems[imm[0]], inst.mems[imm[1]])
    if name == "memory.fill":
        return _memory_fill(inst.mems[imm])
    if name == "ref.null":
        return _const(None)
    if name == "ref.is_null":
        return _ref_is_null
    if name == "ref.func":
        return _const(inst.funcs[imm])
    if name == "table.get":
        return _table_get(inst.tables[imm])
    if name == "table.set":
        return _table_set(inst.tables[imm])
    if name == "table.size":
        return _table_size(inst.tables[imm])
    if name == "table.grow":
        return _table_grow(inst.tables[imm])
    if name == "table.fill":
        return _table_fill(inst.tables[imm])
    if name == "table.copy":
        return _table_copy(inst.tables[imm[0]], inst.tables[imm[1]])
    if name == "table.init":
        return _table_init(inst.tables[imm[1]], inst.elems[imm[0]])
    if name == "elem.drop":
        return _elem_drop(inst.elems[imm])
    if name in _REF_BRANCHES:
        return _br_on(name, branch_test(ins, inst), *lay.branch[pc])
    if op.prefix == 0xFB or op.feature in ("gc", "function-references"):
        gh = gc_handler(ins, inst)
        if gh is not None:
            return gh
    if op.prefix == 0xFD:
        from .simd import SIMD

        extra = () if kind == "none" else (imm,)
        return _generic(SIMD[name], len(op.params or ()), len(op.results or ()), extra)
    f = N.NUMERIC[name]
    npop = len(op.params or ())
    if npop == 1:
        return _unary(f)
    if npop == 2:
        return _binary(f)
    return _generic(f, npop, len(op.results or ()))


_CANON: dict[FuncType, FuncType] = {}


def types_canon(t: FuncType) -> FuncType:
    """The one interned object for a function type, so type checks are identity checks."""
    return _CANON.setdefault(t, t)
