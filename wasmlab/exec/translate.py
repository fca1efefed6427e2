"""The compiled tier's translator: one validated function body becomes Python source.

`translate(body, ..., free)` returns a `Translation`: the source of `def f(l0, .., lp-1,
d, b)` (its parameters are the wasm parameters, then `d`, how many further wasm frames it
may push, and `b`, what its compiled callers may still run before they look at the budget;
the `free` form checks no budget and its callers pass 0), or the reason it cannot
(`Translation.reason`: an instruction the translator does not know keeps the function on
the machine).

The shape of the code:

- operand-stack slots are Python locals `s0, s1, ...` (by static height); pure,
  non-trapping values (locals, constants, wrapping arithmetic, comparisons) stay
  expressions until something needs them in a slot, so `local.get; i32.const; i32.add;
  local.set` is one assignment;
- wasm locals are Python locals `l0, l1, ...`;
- a loop that is branched to is a `while True:` (a branch to it is `continue`); a `br_if`
  to the end of the innermost block or if arm puts the rest of it in an `else:`; any other
  forward branch sets `J` to the target's number, the statements after it at its level run
  under `if not J:`, and a branch out of loops breaks, each loop passed checking `J` after
  it; `br_table` is an if/elif chain by target;
- executed instructions are counted per straight-line stretch: `n += k` where control
  flow splits or joins, added to the machine's counter (`X[0]`) at each return and when
  leaving for the machine; before the first join the count is a constant in the code
  (`n` is set at the join), and a body that ends with an if/else returns from each arm;
- every instruction that can trap (loads, stores, division, conversions, indirect calls,
  `unreachable`) and every call checks; on a trap the code raises `Deopt` describing this
  frame exactly before the instruction (its pc, locals, operand stack, the instructions it
  ran), every caller adds its own frame, and the machine rebuilds its frames from them and
  executes the trapping instruction itself: the trap, its message and the state it leaves
  are the machine's own. The statements that can trap and the calls have no `try` of their
  own: the body is one `try` whose `except` finds the instruction by the line that raised
  (`Translation.traps`, `Translation.calls`: an expression of the frame's state there,
  evaluated in the frame only when it leaves), which keeps sources, and compile(), small.

Two variants serve profiled compiling (exec.fast.DEFER): `cold` region starts where the
code hands the rest of the call to a machine (`COLD`, and the region is skipped), and
`entry`, a form that starts at a loop's head with every local a parameter: the code before
the loop in each construct on the way in runs only while `E` is false, an `if` on the way
takes the loop's arm while `E` holds.

The names the code uses besides its locals (`X`, `F3`, `G0`, `M0`, `T0`, `FI2`, ...) are
the globals of the instance's namespace (see `exec.fast`), so one code object serves
every instance of a module.
"""

from __future__ import annotations

import math
from dataclasses import dataclass, field
from typing import Any

from ..syntax.module import Instr
from ..syntax.types import FuncType, ValType
from .compile import Layout, block_arity
from .numerics import NUMERIC, default_value, f32_from_bits, f64_from_bits

M32 = "0xFFFFFFFF"
M32_INT = 0xFFFFFFFF
M64_INT = 0xFFFFFFFFFFFFFFFF
M64 = "0xFFFFFFFFFFFFFFFF"
S31 = "0x80000000"
S63 = "0x8000000000000000"

#: expressions over operands a, b (atoms or parenthesized: `_Entry.arg`): (python text,
#: result is a bool)
_BIN: dict[str, tuple[str, bool]] = {
    "i32.add": (f"({{a}} + {{b}}) & {M32}", False),
    "i32.sub": (f"({{a}} - {{b}}) & {M32}", False),
    "i32.mul": (f"({{a}} * {{b}}) & {M32}", False),
    "i32.and": ("{a} & {b}", False),
    "i32.or": ("{a} | {b}", False),
    "i32.xor": ("{a} ^ {b}", False),
    "i32.shl": (f"({{a}} << ({{b}} & 31)) & {M32}", False),
    "i32.shr_u": ("{a} >> ({b} & 31)", False),
    "i64.add": (f"({{a}} + {{b}}) & {M64}", False),
    "i64.sub": (f"({{a}} - {{b}}) & {M64}", False),
    "i64.mul": (f"({{a}} * {{b}}) & {M64}", False),
    "i64.and": ("{a} & {b}", False),
    "i64.or": ("{a} | {b}", False),
    "i64.xor": ("{a} ^ {b}", False),
    "i64.shl": (f"({{a}} << ({{b}} & 63)) & {M64}", False),
    "i64.shr_u": ("{a} >> ({b} & 63)", False),
    "i32.shr_s": (f"((({{a}} ^ {S31}) - {S31}) >> ({{b}} & 31)) & {M32}", False),
    "i64.shr_s": (f"((({{a}} ^ {S63}) - {S63}) >> ({{b}} & 63)) & {M64}", False),
    "f64.add": ("{a} + {b}", False),
    "f64.sub": ("{a} - {b}", False),
    "f64.mul": ("{a} * {b}", False),
}
for _t in ("i32", "i64", "f32", "f64"):
    _BIN[f"{_t}.eq"] = ("{a} == {b}", True)
    _BIN[f"{_t}.ne"] = ("{a} != {b}", True)
#: signed comparisons, for one constant operand (`numeric`): (the python operator, the sign bit)
_SIGNED: dict[str, tuple[str, int]] = {}
for _t, _sign in (("i32", S31), ("i64", S63)):
    for _name, _py in (("lt", "<"), ("gt", ">"), ("le", "<="), ("ge", ">=")):
        _BIN[f"{_t}.{_name}_u"] = (f"{{a}} {_py} {{b}}", True)
        _BIN[f"{_t}.{_name}_s"] = (f"({{a}} ^ {_sign}) {_py} ({{b}} ^ {_sign})", True)
        _SIGNED[f"{_t}.{_name}_s"] = (_py, int(_sign, 16))
for _t in ("f32", "f64"):
    for _name, _py in (("lt", "<"), ("gt", ">"), ("le", "<="), ("ge", ">=")):
        _BIN[f"{_t}.{_name}"] = (f"{{a}} {_py} {{b}}", True)

#: binary operators whose second operand is a constant k: the template over {a} (the shift
#: count masked, the constant of a signed comparison offset, here rather than at run time)
_CONST_B: dict[str, Any] = {
    "i32.shl": lambda k: f"({{a}} << {k & 31}) & {M32}",
    "i64.shl": lambda k: f"({{a}} << {k & 63}) & {M64}",
    "i32.shr_u": lambda k: f"{{a}} >> {k & 31}",
    "i64.shr_u": lambda k: f"{{a}} >> {k & 63}",
    "i32.shr_s": lambda k: f"((({{a}} ^ {S31}) - {S31}) >> {k & 31}) & {M32}",
    "i64.shr_s": lambda k: f"((({{a}} ^ {S63}) - {S63}) >> {k & 63}) & {M64}",
}

_UN: dict[str, tuple[str, bool]] = {
    "i64.extend_i32_u": ("{a}", False),
    "i32.wrap_i64": (f"{{a}} & {M32}", False),
    "i64.extend_i32_s": (f"(({{a}} ^ {S31}) - {S31}) & {M64}", False),
}

#: + and - that cannot wrap (their operands' bounds say so): no mask
_NO_WRAP = {"i32.add": "{a} + {b}", "i64.add": "{a} + {b}", "i32.sub": "{a} - {b}", "i64.sub": "{a} - {b}"}
#: unsigned comparisons and equality: (relation, the type's largest value)
_RELATIONS = {
    f"{t}.{name}": (name[:2], (1 << bits) - 1)
    for t, bits in (("i32", 32), ("i64", 64))
    for name in ("lt_u", "le_u", "gt_u", "ge_u", "eq", "ne")
}
_NEGATED = {"lt": "ge", "ge": "lt", "le": "gt", "gt": "le", "eq": "ne", "ne": "eq"}
_MIRRORED = {"lt": "gt", "gt": "lt", "le": "ge", "ge": "le", "eq": "eq", "ne": "ne"}

#: numeric functions that can trap (integer division, float-to-int truncation)
_TRAPPING = {
    name
    for name in NUMERIC
    if name[:3] in ("i32", "i64")
    and ("div" in name or "rem" in name or ("trunc" in name and "sat" not in name))
}

#: trapping ones as Python expressions (a zero divisor raises ZeroDivisionError: the machine
#: then runs the instruction and traps)
_TRAPPING_TEXT = {
    "i32.div_u": "{a} // {b}",
    "i64.div_u": "{a} // {b}",
    "i32.rem_u": "{a} % {b}",
    "i64.rem_u": "{a} % {b}",
}

#: loads: (struct name in the namespace, conversion applied to the unpacked value or None, size)
_LOADS: dict[str, tuple[str, str | None, int]] = {
    "i32.load": ("U32", None, 4),
    "i64.load": ("U64", None, 8),
    "f32.load": ("U32", "F32B", 4),
    "f64.load": ("U64", "F64B", 8),
    "i32.load8_s": ("I8", "W32", 1),
    "i32.load8_u": ("BYTE", None, 1),
    "i32.load16_s": ("I16", "W32", 2),
    "i32.load16_u": ("U16", None, 2),
    "i64.load8_s": ("I8", "W64", 1),
    "i64.load8_u": ("BYTE", None, 1),
    "i64.load16_s": ("I16", "W64", 2),
    "i64.load16_u": ("U16", None, 2),
    "i64.load32_s": ("I32", "W64", 4),
    "i64.load32_u": ("U32", None, 4),
}
#: stores: (pack name, expression template for the stored value (an operand: `_Entry.arg`,
#: unless the template is the value itself), size)
_STORES: dict[str, tuple[str, str, int]] = {
    "i32.store": ("P32", "{v}", 4),
    "i64.store": ("P64", "{v}", 8),
    "f32.store": ("P32", "F32TB({v})", 4),
    "f64.store": ("P64", "F64TB({v})", 8),
    "i32.store8": ("BYTE", "{v} & 0xFF", 1),
    "i64.store8": ("BYTE", "{v} & 0xFF", 1),
    "i32.store16": ("P16", "{v} & 0xFFFF", 2),
    "i64.store16": ("P16", "{v} & 0xFFFF", 2),
    "i64.store32": ("P32", f"{{v}} & {M32}", 4),
}

_STRUCTURE = {"block", "loop", "if", "else", "end", "br", "br_if", "br_table", "return", "nop", "unreachable"}
_SIMPLE = {
    "drop", "select", "local.get", "local.set", "local.tee", "global.get", "global.set",
    "i32.const", "i64.const", "f32.const", "f64.const", "call", "call_indirect",
    "memory.size", "memory.grow", "memory.fill", "memory.copy",
}  # fmt: skip

#: the instructions the translator handles besides the numeric ones
_HANDLED = _STRUCTURE | _SIMPLE | set(_LOADS) | set(_STORES)

#: instructions a loop runs between two looks at LIM (an interrupt is seen within them)
LOOK = 65536

#: deepest lazy expression before it is put in a slot (keeps the source's nesting small)
_MAX_DEPTH = 6
#: deepest indentation at which a branch to a block's end opens an `else:` (Python allows 100)
_MAX_NEST = 60


class Unsupported(Exception):  # noqa: N818 - an outcome, not an error
    """The body uses something the translator does not do: the function stays on the machine."""


@dataclass
class Translation:
    source: str | None
    reason: str | None = None
    #: names of constants the code reads from the namespace, with their values
    consts: dict[str, Any] = field(default_factory=dict)
    #: line of each call statement -> (its pc, an expression of the frame's count before the
    #: call, locals and operand stack below the arguments)
    sites: dict[int, tuple[int, str]] = field(default_factory=dict)
    #: type indices whose canonical type the code reads as TY<index> (per instance)
    deftypes: set[int] = field(default_factory=set)
    #: line of each statement that can trap -> (the pc of its instruction, an expression of
    #: the frame's count there and its operand stack with the instruction's operands)
    traps: dict[int, tuple[int, str]] = field(default_factory=dict)
    #: line of each call statement -> (its pc, an expression of the frame's count before the
    #: call, its operand stack below the arguments, and the call's operands): where the body's
    #: one `except` finds this frame when the call leaves for the machine (`Deopt`)
    calls: dict[int, tuple[int, str]] = field(default_factory=dict)


class _Entry:
    """A value on the symbolic operand stack: a Python expression over locals and (only
    its own) slot, or the slot itself."""

    __slots__ = ("expr", "locs", "slots", "depth", "boolean", "fact")

    def __init__(
        self, expr: str, locs: frozenset, slots: frozenset, depth: int, boolean: bool = False
    ) -> None:
        self.expr = expr
        self.locs = locs
        self.slots = slots
        self.depth = depth
        self.boolean = boolean
        #: a comparison of locals and constants: what its truth says about them (`_Bounds`)
        self.fact: tuple | None = None

    def num(self) -> str:
        """As a wasm number (an i32 0/1 for a comparison)."""
        return f"(1 if {self.expr} else 0)" if self.boolean else self.expr

    def cond(self) -> str:
        return self.expr

    def arg(self) -> str:
        """As an operand of a Python operator: parenthesized unless it is a name or a number
        (what every entry of depth 0 is)."""
        if self.boolean:
            return f"(1 if {self.expr} else 0)"
        return self.expr if self.depth == 0 else f"({self.expr})"


_EMPTY: frozenset = frozenset()

#: the entries of `local.get k` by k (entries are never changed: one serves every translation)
_LOCALS: list[_Entry] = []


def _local_entry(k: int) -> _Entry:
    if k >= len(_LOCALS):
        _LOCALS.extend(_Entry(f"l{i}", frozenset((i,)), _EMPTY, 0) for i in range(len(_LOCALS), k + 1))
    return _LOCALS[k]


class _Level:
    """One Python block being written: forward targets `J` may hold here, whether an
    `if not J:` guard is open, whether it has a statement."""

    __slots__ = ("pending", "guard", "any")

    def __init__(self) -> None:
        self.pending: set[int] = set()
        self.guard = False
        self.any = False


class _Label:
    __slots__ = (
        "kind",
        "height",
        "arity",
        "nresults",
        "construct",
        "id",
        "escapes",
        "start",
        "bounds",
        "fact",
        "known",
        "tail",
        "nested",
    )

    def __init__(
        self, kind: str, start: int, height: int, arity: int, nresults: int, construct: bool, ident: int
    ):
        self.kind = kind
        self.start = start
        self.height = height
        self.arity = arity
        self.nresults = nresults
        self.construct = construct
        self.id = ident
        self.escapes: set[int] = set()  # targets of branches that leave this construct
        self.known: int | None = None  # an if's: the count where its else arm starts
        self.tail = False  # an if/else whose arms return (see _Translator.tail_if)
        self.nested = 0  # `else:` levels the br_ifs to its end opened (see block_end), closed there
        self.bounds: dict[int, tuple[int, int]] = {}  # an if's: the bounds where it starts
        self.fact: tuple | None = None  # an if's: what its condition says


def _scan(body: list[Instr]) -> tuple[int, set[int], set[int]]:
    """What a body's instructions say, in one pass: how many calls it makes, the start pcs of
    the blocks, loops and ifs some branch targets, and the memories it uses."""
    calls = 0
    targets: set[int] = set()
    mems: set[int] = set()
    ctrl: list[int] = []
    for pc, ins in enumerate(body):
        name = ins.op.name
        kind = _SCANNED.get(name)
        if kind is None:
            continue
        imm = ins.imm
        if kind == 0:  # a load or a store
            if isinstance(imm, tuple) and len(imm) == 3:
                mems.add(imm[2])
        elif kind == 1:
            ctrl.append(pc)
        elif kind == 2:
            if ctrl:
                ctrl.pop()
        elif kind == 3:
            if imm < len(ctrl):
                targets.add(ctrl[-1 - imm])
        elif kind == 4:
            labels, default = imm
            for d in (*labels, default):
                if d < len(ctrl):
                    targets.add(ctrl[-1 - d])
        elif kind == 5:
            calls += 1
        elif kind == 6:
            mems.add(imm)
        else:
            mems.update(imm)
    return calls, targets, mems


#: the instructions `_scan` looks at, by what it does with them
_SCANNED: dict[str, int] = {
    **dict.fromkeys(_LOADS, 0),
    **dict.fromkeys(_STORES, 0),
    **dict.fromkeys(("block", "loop", "if", "try_table"), 1),
    "end": 2,
    "br": 3,
    "br_if": 3,
    "br_table": 4,
    "call": 5,
    "call_indirect": 5,
    **dict.fromkeys(("memory.size", "memory.grow", "memory.fill"), 6),
    "memory.copy": 7,
}


class _Translator:
    def __init__(
        self, body: list[Instr], local_types: tuple, nparams: int, nresults: int, types: list, func_types: list,
        lay: Layout, index: int, free: bool = False, cold: frozenset[int] = frozenset(),
        entry: int | None = None,
    ) -> None:  # fmt: skip
        self.free = free
        self.body = body
        self.local_types = local_types
        self.nparams = nparams
        self.nresults = nresults
        self.types = types
        self.func_types = func_types
        self.lay = lay
        self.index = index
        self.lines: list[str] = []
        self.ind = 1
        self.stack: list[_Entry] = []
        self.pend = 0  # instructions run since the last `n +=`
        #: the count `n` where it is the same on every path from the entry (before the first
        #: join): a constant in the code, and `n` itself is set only at a join (`join_count`)
        self.known: int | None = 0
        #: the body ends with an if/else whose arms return themselves (`tail_if`)
        self.tail_returned = False
        #: unsigned bounds (lowest, highest) of integer locals where the conditions that led
        #: here say more than their type (`assume`); cleared at joins
        self.bounds: dict[int, tuple[int, int]] = {}
        #: what a call passes as `d` (a body with several calls takes 1 from `d` once, at entry)
        scan = lay.scan  # (what the body's instructions say, once per body)
        if scan is None:
            scan = lay.scan = _scan(body)
        calls = scan[0]
        self.depth_arg = "d" if calls > 1 else "d - 1"
        self.used_j = False
        self.mems: set[int] = set()
        self.consts: dict[str, Any] = {}
        self.targets = scan[1]
        self.sites: list[tuple[int, int, str]] = []
        self.deftypes: set[int] = set()  # type indices call_indirect checks (bound per instance)
        self.site_lines: dict[int, tuple[int, str]] = {}
        self.traps: list[tuple[int, int, str]] = []  # (line, pc, expression): see `guarded`
        self.trap_lines: dict[int, tuple[int, str]] = {}
        self.calls: list[tuple[int, int, str]] = []  # (line, pc, expression): see `call`
        self.call_lines: dict[int, tuple[int, str]] = {}
        #: at most this many instructions run between two looks at the budget (a body
        #: without loops or calls runs at most its length)
        self.margin = len(body)
        self.has_loops = any(body[t].op.name == "loop" for t in self.targets)
        self.mems_used = scan[2]
        self.labels: list[_Label] = []
        self.levels: list[_Level] = [_Level()]
        self.next_id = 1
        self.fi = f"FI{index}"
        #: the loop at whose head this form starts (`entry`: see `entry_path`), its path
        self.entry = entry
        self.guard_open: set[int] = set()
        self.guard_close: set[int] = set()
        self.path_ifs: dict[int, bool] = {}
        self.cold_free: set[int] = set()  # (the way in: never cut)
        if entry is not None:
            self.known = None  # (the count starts at the entry: `n` from the first statement)
            self.entry_path(entry)
        #: region starts no profiled run reached: the code leaves for the machine there
        self.cold = cold - self.cold_free if self.cold_free else cold
        self.cut = False  # a cold region was cut: the end or else closing it is not reached
        self.marks = self.guard_open | self.guard_close | self.cold

    # --- emission helpers ----------------------------------------------------------------

    def emit(self, line: str) -> None:
        """A statement: after a branch that may have set `J` (a forward branch not yet at its
        block's end), statements run only while `J` is 0 (`if not J:` guards, side by side)."""
        lv = self.levels[-1]
        if lv.pending and not lv.guard:
            self.lines.append("    " * self.ind + "if not J:")
            self.ind += 1
            lv.guard = True
        self.lines.append("    " * self.ind + line)
        lv.any = True

    def emit_raw(self, line: str) -> None:
        self.lines.append("    " * self.ind + line)
        self.levels[-1].any = True

    def close_guard(self) -> None:
        lv = self.levels[-1]
        if lv.guard:
            self.ind -= 1
            lv.guard = False

    def enter(self, header: str) -> None:
        """A Python block (`header` ends with ':'): its statements one level in."""
        self.emit(header)
        self.ind += 1
        self.levels.append(_Level())

    def leave(self) -> set[int]:
        """The end of a Python block: the forward targets `J` may hold after it."""
        self.close_guard()
        lv = self.levels.pop()
        if not lv.any:
            self.emit_raw("pass")
        self.ind -= 1
        return lv.pending

    def merge(self, pending: set[int]) -> None:
        """After a statement whose blocks may have set `J` to one of `pending`."""
        if pending:
            lv = self.levels[-1]
            self.close_guard()
            lv.pending |= pending

    def flush_count(self) -> None:
        if self.known is not None:
            self.known += self.pend
        elif self.pend:
            self.emit(f"n += {self.pend}")
        self.pend = 0

    def join_count(self) -> None:
        """Before a point other paths also reach (a join): `n` holds the count."""
        if self.known is None:
            self.flush_count()
            return
        self.emit(f"n = {self.known + self.pend}")
        self.known = None
        self.pend = 0

    def count_expr(self, extra: int = 0) -> str:
        k = self.pend + extra
        if self.known is not None:
            return str(self.known + k)
        return f"n + {k}" if k else "n"

    def push(self, expr: str, locs: frozenset = _EMPTY, slots: frozenset = _EMPTY, depth: int = 0, boolean: bool = False) -> None:  # fmt: skip
        h = len(self.stack)
        e = _Entry(expr, locs, slots, depth, boolean)
        self.stack.append(e)
        if (slots and slots != {h}) or depth > _MAX_DEPTH:
            self.materialize(h)

    def push_var(self, name: str) -> None:
        """A value held in a variable of its own (assigned once per run of this stretch)."""
        self.stack.append(_Entry(name, _EMPTY, _EMPTY, 0))

    def push_slot(self) -> str:
        h = len(self.stack)
        name = f"s{h}"
        self.stack.append(_Entry(name, _EMPTY, frozenset((h,)), 0))
        return name

    def materialize(self, i: int) -> None:
        e = self.stack[i]
        name = f"s{i}"
        if e.expr == name and not e.boolean:
            return
        self.emit(f"{name} = {e.num()}")
        self.stack[i] = _Entry(name, _EMPTY, frozenset((i,)), 0)

    def flush_stack(self) -> None:
        for i in range(len(self.stack)):
            self.materialize(i)

    def pop(self) -> _Entry:
        return self.stack.pop()

    def locals_tuple(self) -> str:
        """The frame's locals where the code leaves for the machine (a dict: exec.fast reads
        l0, l1, ... out of it; a long tuple at every such place would make big sources)."""
        return "locals()" if self.local_types else "()"

    def values_tuple(self, entries: list[_Entry]) -> str:
        if not entries:
            return "()"
        return "(" + ", ".join(e.num() for e in entries) + ("," if len(entries) == 1 else "") + ")"

    def deopt(self, pc: int, cold: bool = False) -> str:
        """The statement that leaves for the machine just before instruction `pc` runs, with
        the current stack (`cold`: a region cut out, whose call a machine of its own finishes
        and returns from, exec.fast.COLD)."""
        state = (
            f"{self.fi}, {pc}, {self.count_expr()}, {self.locals_tuple()}, {self.values_tuple(self.stack)}"
        )
        return f"return COLD({state}, {self.depth_arg})" if cold else f"raise DEOPT({state})"

    def guarded(self, pc: int, stmts: list[str], operands: list[_Entry]) -> None:
        """Statements that may raise (a trap): on any exception, leave before `pc`. Their
        lines are trap sites (`Translation.traps`): the body's one `except` (see `finish`)
        finds the site by the line that raised, so a site costs no `try` of its own."""
        text = f"({self.count_expr()}, {self.values_tuple(self.stack + operands)})"
        for s in stmts:
            self.emit(s)
            self.traps.append((len(self.lines) - 1, pc, text))

    def const_name(self, value: Any) -> str:
        if isinstance(value, float) and math.isfinite(value) and value == value:
            return repr(value)
        name = f"K{self.index}_{len(self.consts)}"
        self.consts[name] = value
        return name

    # --- control ----------------------------------------------------------------------

    def open_label(self, kind: str, pc: int, bt: Any, height_below: int) -> _Label:
        p, r = block_arity(self.types, bt)
        construct = kind == "loop" and pc in self.targets  # (only loops become `while`s)
        lab = _Label(kind, pc, height_below, p if kind == "loop" else r, r, construct, self.next_id)
        self.next_id += 1
        self.labels.append(lab)
        return lab

    def branch(self, depth: int, extra_count: int = 1) -> None:
        """Emit a branch to the label `depth` out (the branch instruction counted in
        `extra_count`): move the kept values, count, and leave (to the innermost block,
        `block_end`: nothing more)."""
        if depth == len(self.labels):  # the function's label: return
            keep = self.stack[len(self.stack) - self.nresults :] if self.nresults else []
            self.ret(keep, extra_count + 1)  # (the function's end runs too)
            return
        target = self.labels[-1 - depth]
        k = target.arity
        vals = self.stack[len(self.stack) - k :] if k else []
        dst = [f"s{target.height + j}" for j in range(k)]
        src = [v.num() for v in vals]
        pairs = [(d, s) for d, s in zip(dst, src, strict=True) if d != s]
        if pairs:
            self.emit(", ".join(d for d, _ in pairs) + " = " + ", ".join(s for _, s in pairs))
        k_count = self.pend + extra_count
        if self.known is not None:  # (the target is a join)
            self.emit(f"n = {self.known + k_count}")
        elif k_count:
            self.emit(f"n += {k_count}")
        if self.block_end(depth):
            return
        crossed = [lab for lab in self.labels[len(self.labels) - depth :] if lab.construct]
        if target.kind == "loop" and not crossed:
            self.emit("continue")
            return
        self.used_j = True
        self.emit(f"J = {target.id}")
        if not crossed:  # a forward branch: what follows up to the target's end is skipped
            self.levels[-1].pending.add(target.id)
            self.close_guard()
            return
        for lab in crossed:
            lab.escapes.add(target.id)
        self.emit("break")

    def block_end(self, depth: int) -> bool:
        """Whether a branch `depth` out goes to the end of the innermost block (or arm of an if),
        whose code after the branch is then in an `else:` of the branch's `if` (br_if) or dead
        (br): no `J`. (Not in a form entered at a loop, whose prefixes are Python levels of
        their own, nor nested deeper than Python allows.)"""
        return (
            depth == 0
            and self.labels[-1].kind in ("block", "if", "else")
            and self.entry is None
            and self.ind < _MAX_NEST
        )

    def ret(self, values: list[_Entry], extra_count: int) -> None:
        self.emit(f"X[0] += {self.count_expr(extra_count)}")
        if not values:
            self.emit("return")
        elif len(values) == 1:
            self.emit(f"return {values[0].num()}")
        else:
            self.emit("return " + ", ".join(v.num() for v in values))

    # --- what conditions say about locals: bounds that let + and - go without a mask ---

    def operand(self, e: _Entry) -> tuple[str, int] | None:
        """A local (`("l", index)`) or a constant (`("c", value)`), else None."""
        x = e.expr
        if e.depth or e.boolean or e.slots:
            return None
        if x.isdigit():
            return ("c", int(x))
        if x[0] == "l" and x[1:].isdigit():
            return ("l", int(x[1:]))
        return None

    def range_of(self, e: _Entry, top: int) -> tuple[int, int]:
        o = self.operand(e)
        if o is None:
            return (0, top)
        if o[0] == "c":
            return (o[1], o[1])
        return self.bounds.get(o[1], (0, top))

    def relation(self, name: str, a: _Entry, b: _Entry) -> tuple | None:
        """What the comparison `name` of `a` and `b` is about, for `assume`."""
        rel = _RELATIONS.get(name)
        if rel is None:
            return None
        x, y = self.operand(a), self.operand(b)
        if x is None or y is None or (x[0] == "c" and y[0] == "c"):
            return None
        return (rel[0], x, y, rel[1], True)

    def assume(self, fact: tuple | None, holds: bool) -> None:
        """From here on (until a join), the comparison `fact` is `holds`: narrow its local's bounds."""
        if fact is None:
            return
        op, x, y, top, positive = fact
        if holds != positive:
            op = _NEGATED[op]
        if x[0] == "c":
            x, y, op = y, x, _MIRRORED[op]
        lo, hi = self.bounds.get(x[1], (0, top))
        ylo, yhi = (y[1], y[1]) if y[0] == "c" else self.bounds.get(y[1], (0, top))
        if op == "lt":
            hi = min(hi, yhi - 1)
        elif op == "le":
            hi = min(hi, yhi)
        elif op == "gt":
            lo = max(lo, ylo + 1)
        elif op == "ge":
            lo = max(lo, ylo)
        elif op == "eq":
            lo, hi = max(lo, ylo), min(hi, yhi)
        elif y == ("c", 0):  # (ne 0)
            lo = max(lo, 1)
        if lo <= hi:  # (else this path cannot run)
            self.bounds[x[1]] = (lo, hi)

    def tail_if(self, lab: _Label, opened: list) -> bool:
        """Whether the if/else `lab` (just opened) is the body's last instruction at its
        outermost level and nothing branches to it: each arm then returns by itself (the
        counts stay constants along each path, and no slot joins the arms)."""
        end = self.lay.end_of.get(lab.start)
        return not opened and lab.start not in self.targets and end is not None and end + 2 == len(self.body)

    def tail_results(self, lab: _Label) -> list[_Entry]:
        """What the function returns when an arm of the tail if/else `lab` ends here."""
        below = self.stack[: lab.height]
        mine = self.stack[len(self.stack) - lab.nresults :] if lab.nresults else []
        both = below + mine
        return both[len(both) - self.nresults :] if self.nresults else []

    def after_construct(self, lab: _Label) -> None:
        """Code after a loop's `while`: follow a branch that passed through it (`J` set):
        continue or leave the enclosing loop, or skip to a block's end in this one."""
        if not lab.escapes:
            return
        outer = next((x for x in reversed(self.labels) if x.construct), None)
        outside = set()
        if outer is not None:
            k = self.labels.index(outer)
            outside = {x.id for x in self.labels[:k]} & lab.escapes
            for x in self.labels[:k]:
                if x.id in lab.escapes:
                    outer.escapes.add(x.id)
        here = lab.escapes - outside - ({outer.id} if outer is not None else set())
        if outer is not None and (outer.id in lab.escapes or outside):
            self.emit_raw("if J:")
            self.ind += 1
            if outer.id in lab.escapes:
                self.emit_raw(f"if J == {outer.id}:")
                self.emit_raw("    J = 0")
                self.emit_raw("    continue")
            if outside:
                self.emit_raw("if " + " or ".join(f"J == {t}" for t in sorted(outside)) + ":")
                self.emit_raw("    break")
            self.ind -= 1
        self.merge(here)

    # --- entering at a loop's head (on-stack replacement) ---------------------------------

    def entry_path(self, entry: int) -> None:
        """The form that starts at the head of loop `entry` (the machine was running the call
        there): the code of each construct around it before the next one on the way in runs
        only when `E` is false (`if not E:`), an `if` on the way takes the arm the loop is in
        while `E` holds, and the loop's head sets `n` to 0 and `E` to false. Only loops with
        nothing on the operand stack, inside constructs without parameters, qualify (what
        the machine passes is the frame's locals alone)."""
        body, lay = self.body, self.lay
        if body[entry].op.name != "loop" or entry not in self.targets or lay.height[entry] != 0:
            raise Unsupported("an entry that is not the head of a loop with an empty stack")
        path = sorted(
            pc for pc, end in lay.end_of.items()
            if pc < entry < end and body[pc].op.name in ("block", "loop", "if")
        ) + [entry]  # fmt: skip
        start = 0
        for k, pc in enumerate(path):
            if block_arity(self.types, body[pc].imm)[0]:
                raise Unsupported("an entry inside a construct with parameters")
            if start < pc:
                self.guard_open.add(start)
                self.guard_close.add(pc)
            self.cold_free.update(range(start, pc + 1))
            if pc == entry:
                break
            inner = path[k + 1]
            else_at = lay.else_of.get(pc)
            if body[pc].op.name == "if":
                self.path_ifs[pc] = else_at is None or inner < else_at
            start = else_at + 1 if else_at is not None and inner > else_at else pc + 1

    def close_prefix(self) -> None:
        """The end of code the entry skips: a join (its values in slots, `n` counted)."""
        self.flush_stack()
        self.join_count()
        self.bounds = {}
        self.merge(self.leave())

    # --- the body ------------------------------------------------------------------------

    def run(self) -> str:
        body = self.body
        lay = self.lay
        n = len(body)
        pc = 0
        # a stack of open structures: (label, kind of python construct, saved stack for if/else)
        opened: list[tuple[_Label, list[_Entry] | None]] = []
        dead_depth = -1  # >= 0: skipping unreachable code; counts nested blocks opened in it
        reachable = lay.reachable
        frequent = _FREQUENT
        marks = self.marks
        while pc < n:
            ins = body[pc]
            name = ins.op.name
            if dead_depth < 0 and pc in marks:
                if pc in self.guard_close:
                    self.close_prefix()
                if pc in self.guard_open:  # (code the entry skips)
                    self.enter("if not E:")
                if pc in self.cold and reachable[pc] and name not in ("end", "else"):
                    # a region no profiled run reached: leave for the machine, skip to its end
                    self.emit(self.deopt(pc, cold=True))
                    self.pend = 0
                    self.cut = True
                    dead_depth = 0
                    pc = self.closing(opened)
                    continue
            if dead_depth < 0:
                emitter = frequent.get(name)
                if emitter is not None and reachable[pc]:  # (most instructions: straight to it)
                    emitter(self, pc, ins, name)
                    pc += 1
                    continue
            else:
                if name in ("block", "loop", "if", "try_table"):
                    dead_depth += 1
                    pc += 1
                    continue
                if name == "end" or name == "else":
                    if dead_depth > 0:
                        if name == "end":
                            dead_depth -= 1
                        pc += 1
                        continue
                    dead_depth = -1
                    # fall through: handle the end/else that closes the dead region
                else:
                    pc += 1
                    continue
            if not lay.reachable[pc] and name not in ("end", "else"):
                raise Unsupported("unreachable code outside a dead region")
            if name not in _HANDLED and (name not in NUMERIC or ins.op.prefix == 0xFD):
                raise Unsupported(name)
            dead = self.instr(pc, ins, name, opened)
            if self.cut and (name == "end" or name == "else"):  # (the cut region's end)
                self.cut = False
            if dead:  # (on at the end or else that closes the dead region)
                dead_depth = 0
                self.pend = 0  # (what ran was counted by the branch, return or trap)
                pc = self.closing(opened)
                continue
            pc += 1
        if opened:
            raise Unsupported("unbalanced blocks")
        return self.finish()

    def closing(self, opened: list) -> int:
        """The pc of the `end` or `else` that closes the innermost open construct."""
        if not opened:
            return len(self.body) - 1
        lab = opened[-1][0]
        else_at = self.lay.else_of.get(lab.start) if lab.kind == "if" else None
        return else_at if else_at is not None else self.lay.end_of[lab.start]

    def instr(self, pc: int, ins: Instr, name: str, opened: list) -> bool:
        """Emit one instruction; True when what follows (to the block's end) is unreachable."""
        frequent = _FREQUENT.get(name)
        if frequent is not None:  # (most instructions: one lookup instead of the chain below)
            frequent(self, pc, ins, name)
            return False
        imm = ins.imm
        st = self.stack
        if name == "nop":
            self.pend += 1
            return False
        if name == "block" or name == "loop":
            p, _ = block_arity(self.types, imm)
            lab = self.open_label(name, pc, imm, len(st) - p)
            if name == "loop" or pc in self.targets:
                self.flush_stack()  # (a join: values in their slots)
            self.pend += 1
            if lab.construct:
                self.join_count()
                self.bounds = {}  # (the loop's head is a join: its back edges come here)
                if pc == self.entry:  # (the machine counted what ran before the head)
                    self.emit("if E:")
                    self.emit("    n = 0")
                    self.emit("    E = False")
                self.enter("while True:")
                self.loop_check(pc)
            opened.append((lab, None))
            return False
        if name == "if":
            c = self.pop()
            p, _ = block_arity(self.types, imm)
            self.flush_stack()
            lab = self.open_label("if", pc, imm, len(st) - p)
            self.pend += 1
            if pc in self.lay.else_of:
                self.flush_count()
                lab.known = self.known
                lab.tail = self.tail_if(lab, opened)
            else:  # (the false path goes to the end: a join)
                self.join_count()
            cond = c.cond()
            way = self.path_ifs.get(pc)
            if way is not None:  # (on the way to the entry: `E` takes the arm it is in)
                cond = f"E or ({cond})" if way else f"not E and ({cond})"
                c.fact = None
            lab.bounds, lab.fact = dict(self.bounds), c.fact
            self.assume(c.fact, True)
            self.enter(f"if {cond}:")
            opened.append((lab, (list(st), None)))  # the stack the else arm starts from
            return False
        if name == "else":
            lab, (saved, _) = opened[-1]
            # the then arm reaches the end: its results in slots, `else` and `end` counted
            # on the way (the else jumps to the end, which runs)
            reached = self.lay.reachable[pc] and not self.cut
            if reached and lab.tail:  # the then arm returns (else, end, end)
                self.ret(self.tail_results(lab), 3)
            elif reached:  # (the then arm falls through to the else)
                self.flush_stack()
                self.pend += 1
                self.join_count()
            self.pend = 0
            self.known = lab.known
            self.bounds = dict(lab.bounds)
            self.assume(lab.fact, False)
            for _ in range(lab.nested):  # (the `else:` levels the then arm's br_ifs opened)
                self.merge(self.leave())
            lab.nested = 0
            then_pending = self.leave()
            self.emit_raw("else:")
            self.ind += 1
            self.levels.append(_Level())
            self.stack = list(saved)
            opened[-1] = (lab, (None, then_pending))
            lab.kind = "else"
            return False
        if name == "end":
            if not opened:  # the function's end
                if self.lay.reachable[pc] and not self.cut and not self.tail_returned:
                    keep = st[len(st) - self.nresults :] if self.nresults else []
                    self.ret(keep, 1)
                return False
            lab, info = opened.pop()
            self.labels.pop()
            reached = self.lay.reachable[pc] and not self.cut  # (by falling through to it)
            h = lab.height
            targeted = lab.start in self.targets
            joined = targeted or lab.kind in ("if", "else")
            if lab.tail:  # the else arm returns too (end, end): nothing comes after
                if reached:
                    self.ret(self.tail_results(lab), 2)
                self.tail_returned = True
            elif reached and joined:  # the values every path brings, in their slots
                self.flush_stack()
                self.join_count()
            if joined:
                self.known = None
                self.bounds = {}
            for _ in range(lab.nested):  # (the `else:` levels its br_ifs opened)
                self.merge(self.leave())
            if lab.kind in ("if", "else"):
                arm_pending = self.leave()
                # (an if without else: the false path comes to the end directly)
                self.merge(arm_pending | (info[1] or set()))
            elif lab.construct:
                if reached:
                    self.emit("break")
                self.leave()
                self.after_construct(lab)
            if lab.kind != "loop" and lab.id in self.levels[-1].pending:
                self.close_guard()
                self.emit_raw(f"if J == {lab.id}:")
                self.emit_raw("    J = 0")
                self.levels[-1].pending.discard(lab.id)
            if joined or lab.construct or not reached:
                results = None
            else:  # nothing branches here: the results are what is on top
                results = st[len(st) - lab.nresults :] if lab.nresults else []
            self.stack = self.stack[:h]
            if results is None:
                for j in range(lab.nresults):
                    self.stack.append(_Entry(f"s{h + j}", _EMPTY, frozenset((h + j,)), 0))
            else:
                self.stack += results
            self.pend += 1  # the end itself runs on every path that reaches it
            return False
        if name == "br":
            self.branch(imm)
            return True
        if name == "br_if":
            c = self.pop()
            nest = self.block_end(imm)
            self.enter(f"if {c.cond()}:")
            self.branch(imm)
            self.merge(self.leave())
            if nest:  # the rest of the innermost block: in the `else:` (see block_end)
                self.emit_raw("else:")
                self.ind += 1
                self.levels.append(_Level())
                self.labels[-1].nested += 1
            self.assume(c.fact, False)
            self.pend += 1
            return False
        if name == "br_table":
            c = self.pop()
            labels, default = imm
            self.emit(f"t = {c.num()}")
            by_depth: dict[int, list[int]] = {}
            for i, d in enumerate(labels):
                if d != default:
                    by_depth.setdefault(d, []).append(i)
            pending: set[int] = set()
            first = True
            for d, idx in by_depth.items():
                test = f"t == {idx[0]}" if len(idx) == 1 else f"t in {frozenset(idx)!r}"
                if first:
                    self.enter(f"if {test}:")
                else:
                    self.emit_raw(f"elif {test}:")
                    self.ind += 1
                    self.levels.append(_Level())
                first = False
                self.branch(d)
                pending |= self.leave()
            if not first:
                self.emit_raw("else:")
                self.ind += 1
                self.levels.append(_Level())
            self.branch(default)
            if not first:
                pending |= self.leave()
            self.merge(pending)
            return True
        if name == "return":
            keep = st[len(st) - self.nresults :] if self.nresults else []
            self.ret(keep, 1)
            return True
        if name == "unreachable":
            self.emit(self.deopt(pc))
            return True
        if name == "drop":
            self.pop()
            self.pend += 1
            return False
        if name == "select":
            c = self.pop()
            b = self.pop()
            a = self.pop()
            self.push(
                f"({a.num()} if {c.cond()} else {b.num()})",
                a.locs | b.locs | c.locs,
                a.slots | b.slots | c.slots,
                max(a.depth, b.depth, c.depth) + 1,
            )
            self.pend += 1
            return False
        if name == "global.get":
            self.emit(f"v{pc} = G{imm}.value")
            self.push_var(f"v{pc}")
            self.pend += 1
            return False
        if name == "global.set":
            v = self.pop()
            self.emit(f"G{imm}.value = {v.num()}")
            self.pend += 1
            return False
        if name == "f64.const":
            self.push(self.const_name(f64_from_bits(imm)))
            self.pend += 1
            return False
        if name == "f32.const":
            self.push(self.const_name(f32_from_bits(imm)))
            self.pend += 1
            return False
        if name in ("call", "call_indirect"):
            self.call(pc, ins, name)
            return False
        if name == "memory.size":
            self.mems.add(imm)
            self.emit(f"v{pc} = len(D{imm}) >> 16")
            self.push_var(f"v{pc}")
            self.pend += 1
            return False
        if name == "memory.grow":
            self.mems.add(imm)
            v = self.pop()
            self.guarded(pc, [f"v{pc} = M{imm}.grow({v.num()})"], [v])
            self.push_var(f"v{pc}")
            self.emit(f"D{imm} = M{imm}.data")
            self.pend += 1
            return False
        if name in ("memory.fill", "memory.copy"):
            nn = self.pop()
            b = self.pop()
            a = self.pop()
            if name == "memory.fill":
                self.mems.add(imm)
                stmts = [
                    f"t = {a.num()}",
                    f"u = {nn.num()}",
                    f"if t + u > len(D{imm}): raise IndexError",
                    f"D{imm}[t : t + u] = bytes(((({b.num()}) & 0xFF),)) * u",
                ]
            else:
                dm, sm = imm
                self.mems.update((dm, sm))
                stmts = [
                    f"t = {a.num()}",
                    f"w = {b.num()}",
                    f"u = {nn.num()}",
                    f"if w + u > len(D{sm}) or t + u > len(D{dm}): raise IndexError",
                    f"D{dm}[t : t + u] = D{sm}[w : w + u]",
                ]
            self.guarded(pc, stmts, [a, b, nn])
            self.pend += 1
            return False
        # numeric
        return self.numeric(pc, ins, name)

    def numeric(self, pc: int, ins: Instr, name: str) -> bool:
        binary = _BIN.get(name)
        if binary is not None:  # (the most frequent: two operands, no call)
            st = self.stack
            b = st.pop()
            a = st.pop()
            text, boolean = binary
            depth = (a.depth if a.depth > b.depth else b.depth) + 1
            fact = None
            if boolean:
                fact = self.relation(name, a, b)
            elif name in _NO_WRAP:
                top = M32_INT if name[1] == "3" else M64_INT
                (alo, ahi), (_, bhi) = self.range_of(a, top), self.range_of(b, top)
                if (ahi + bhi <= top) if name[4] == "a" else (alo >= bhi):
                    text = _NO_WRAP[name]
            if b.depth == 0 and not b.boolean and b.expr.isdigit():  # (a constant: folded here)
                k = int(b.expr)
                if name in _CONST_B:
                    text = _CONST_B[name](k)
                elif name in _SIGNED:
                    py, bit = _SIGNED[name]
                    text = f"({{a}} ^ {bit}) {py} {k ^ bit}"
            elif a.depth == 0 and not a.boolean and a.expr.isdigit() and name in _SIGNED:
                py, bit = _SIGNED[name]
                text = f"{int(a.expr) ^ bit} {py} ({{b}} ^ {bit})"
            self.push(text.format(a=a.arg(), b=b.arg()), a.locs | b.locs, a.slots | b.slots, depth, boolean)
            if fact is not None and st[-1].boolean:  # (still the comparison, not a slot)
                st[-1].fact = fact
            self.pend += 1
            return False
        op = ins.op
        npop = len(op.params or ())
        args = [self.pop() for _ in range(npop)][::-1]
        locs = frozenset().union(*(a.locs for a in args)) if args else _EMPTY
        slots = frozenset().union(*(a.slots for a in args)) if args else _EMPTY
        depth = max((a.depth for a in args), default=0) + 1
        if name in ("i32.eqz", "i64.eqz"):
            a = args[0]
            fact = a.fact
            if fact is not None:  # (the comparison's negation)
                fact = (*fact[:4], not fact[4])
            elif self.operand(a) is not None and a.expr[0] == "l":
                fact = ("eq", self.operand(a), ("c", 0), M32_INT if name[1] == "3" else M64_INT, True)
            self.push(f"not {a.expr}" if a.boolean else f"not {a.expr}", locs, slots, depth, True)
            if fact is not None and self.stack[-1].boolean:
                self.stack[-1].fact = fact
        elif name in _UN:
            text, boolean = _UN[name]
            self.push(text.format(a=args[0].arg()), locs, slots, depth, boolean)
        elif name in _TRAPPING_TEXT:
            self.guarded(
                pc, [f"v{pc} = " + _TRAPPING_TEXT[name].format(a=args[0].arg(), b=args[1].arg())], args
            )
            self.push_var(f"v{pc}")
        else:
            fn = "N_" + name.replace(".", "_")
            call = f"{fn}({', '.join(a.num() for a in args)})"
            self.consts[fn] = NUMERIC[name]
            if name in _TRAPPING:
                self.guarded(pc, [f"v{pc} = {call}"], args)
                self.push_var(f"v{pc}")
            else:
                self.push(call, locs, slots, depth)
        self.pend += 1
        return False

    def local_get(self, pc: int, ins: Instr, name: str) -> None:
        self.stack.append(_local_entry(ins.imm))
        self.pend += 1

    def local_set(self, pc: int, ins: Instr, name: str) -> None:
        """local.set, local.tee: stack entries that read the local are put in their slots first."""
        imm = ins.imm
        v = self.pop()
        for i, e in enumerate(self.stack):
            if imm in e.locs:
                self.materialize(i)
        last = self.lines[-1] if self.lines else ""
        head = f"{v.expr} = "
        if v.expr[0] == "v" and not v.boolean and last.lstrip().startswith(head):
            # (the value the statement before made, a load's say: it goes straight to the local)
            self.lines[-1] = last.replace(head, f"l{imm} = ", 1)
        else:
            self.emit(f"l{imm} = {v.num()}")
        self.bounds.pop(imm, None)
        if name == "local.tee":
            self.stack.append(_local_entry(imm))
        self.pend += 1

    def int_const(self, pc: int, ins: Instr, name: str) -> None:
        self.stack.append(_Entry(str(ins.imm), _EMPTY, _EMPTY, 0))
        self.pend += 1

    def load(self, pc: int, ins: Instr, name: str) -> None:
        imm = ins.imm
        if not (isinstance(imm, tuple) and len(imm) == 3):
            raise Unsupported(f"{name} immediates")
        _, offset, mem = imm
        self.mems.add(mem)
        a = self.pop()
        ea = f"{a.arg()} + {offset}" if offset else a.num()
        st, conv, _ = _LOADS[name]
        if st == "BYTE":
            value = f"D{mem}[{ea}]"
        else:
            value = f"{st}(D{mem}, {ea})[0]"
        if conv == "W32":
            value = f"({value}) & {M32}"
        elif conv == "W64":
            value = f"({value}) & {M64}"
        elif conv is not None:
            value = f"{conv}({value})"
        self.guarded(pc, [f"v{pc} = {value}"], [a])
        self.push_var(f"v{pc}")
        self.pend += 1

    def store(self, pc: int, ins: Instr, name: str) -> None:
        imm = ins.imm
        if not (isinstance(imm, tuple) and len(imm) == 3):
            raise Unsupported(f"{name} immediates")
        _, offset, mem = imm
        self.mems.add(mem)
        v = self.pop()
        a = self.pop()
        ea = f"{a.arg()} + {offset}" if offset else a.num()
        pack, tmpl, _ = _STORES[name]
        value = tmpl.format(v=v.num() if tmpl == "{v}" else v.arg())
        if pack == "BYTE":
            stmts = [f"D{mem}[{ea}] = {value}"]
        else:  # (pack_into checks the bounds before it writes, as on the memory's buffer)
            stmts = [f"{pack}(D{mem}, {ea}, {value})"]
        self.guarded(pc, stmts, [a, v])
        self.pend += 1

    def call(self, pc: int, ins: Instr, name: str) -> None:
        if name == "call":
            ft: FuncType = self.func_types[ins.imm]
        else:
            typeidx, table = ins.imm
            ft = self.types[typeidx]
            if not hasattr(ft, "params") or not hasattr(ft, "results"):
                raise Unsupported("call_indirect type")
            self.deftypes.add(typeidx)
        p = len(ft.params)
        r = len(ft.results)
        index = self.pop() if name == "call_indirect" else None
        args = [self.pop() for _ in range(p)][::-1]
        below = list(self.stack)
        operands = args + ([index] if index is not None else [])
        if name == "call":
            target = f"F{ins.imm}"
        else:
            assert index is not None
            self.guarded(
                pc,
                [
                    f"f = T{table}.elements[{index.num()}]",
                    f"if f.deftype is not TY{typeidx} and TY{typeidx} not in f.deftype.ancestors: raise IndexError",
                    f"c = f.{'free' if self.free else 'compiled'} or ENSURE(f)",
                ],
                operands,
            )
            target = "c"
        # the callee may run until its budget check says `b` + what it adds could pass the limit
        # (the free form checks no budget: its callers pass 0)
        budget = "0" if self.free else f"b + {self.count_expr(1 + self.margin)}"
        call = f"{target}({''.join(a.num() + ', ' for a in args)}{self.depth_arg}, {budget})"
        outs = [f"v{pc}"] if r == 1 else [f"v{pc}_{j}" for j in range(r)]
        stmt = ", ".join(outs) + " = " + call if r else call
        self.emit(stmt)
        line = len(self.lines) - 1
        # (where a checkpoint taken deeper finds this frame: its count, locals and stack)
        self.sites.append(
            (line, pc, f"({self.count_expr()}, {self.locals_tuple()}, {self.values_tuple(below)})")
        )
        # (where the body's one `except` finds it when the call leaves for the machine, no `try`
        # of its own: see `guarded`)
        self.calls.append(
            (line, pc, f"({self.count_expr()}, {self.values_tuple(below)}, {self.values_tuple(operands)})")
        )
        for out in outs[:r]:
            self.push_var(out)
        self.pend += 1
        for m in sorted(self.mems_used):  # a callee may have grown (replaced) a memory
            self.emit(f"D{m} = M{m}.data")
        if self.has_loops and not self.free:  # (the free form's `lim` only bounds LOOK)
            self.emit_lim()

    def emit_lim(self) -> None:
        """`lim`: how far `n` may go before the next look at the budget (LIM, which an
        interrupt lowers) and the checkpoints (CK): at most LOOK instructions from now."""
        self.emit("x = X[0]")
        self.emit(f"lim = LIM[0] - x - b - {self.margin}")
        self.emit("c = CK[0] - x")
        self.emit("if c < lim: lim = c")
        self.emit(f"if lim > {self.count_expr(LOOK)}: lim = {self.count_expr(LOOK)}")

    def loop_check(self, pc: int) -> None:
        """At a loop's head: past `lim`, look at the budget again; leave for the machine (at
        the loop's first instruction) when it is spent."""
        self.emit(
            f"if n > lim: lim = SLOW({self.fi}, {pc + 1}, n, b + {self.margin}, "
            f"{self.locals_tuple()}, {self.values_tuple(self.stack)})"
        )

    def finish(self) -> str:
        # (a form entered at a loop's head takes every local)
        nparams = self.nparams if self.entry is None else len(self.local_types)
        params = ", ".join(f"l{i}" for i in range(nparams))
        head = [f"def f({params}{', ' if params else ''}d, b):"]
        pre = []
        # deeper than the Python frames allowed, or the budget (LIM) could run out before the
        # next look at it: the caller leaves for the machine before its call (the free form
        # runs without a budget: an interrupt takes its callees away, see exec.fast)
        if self.free:
            pre.append("    if d < 0: raise Deopt(None, True)")
        else:
            pre.append(f"    if d < 0 or X[0] + b + {self.margin} > LIM[0]: raise Deopt(None, True)")
        if self.depth_arg == "d":
            pre.append("    d -= 1")
        zeros: dict[str, list[str]] = {}  # (one statement per default value: `l2 = l3 = 0`)
        for i in range(nparams, len(self.local_types)):
            zeros.setdefault(_default_text(self.local_types[i]), []).append(f"l{i}")
        for text, names in zeros.items():
            pre.append(f"    {' = '.join(names)} = {text}")
        if self.has_loops and self.free:
            pre.append(f"    lim = {LOOK}")
        elif self.has_loops:
            pre.append("    x = X[0]")
            pre.append(f"    lim = LIM[0] - x - b - {self.margin}")
            pre.append("    c = CK[0] - x")
            pre.append("    if c < lim: lim = c")
            pre.append(f"    if lim > {LOOK}: lim = {LOOK}")
        if self.used_j:
            pre.append("    J = 0")
        if self.entry is not None:
            pre.append("    n = 0")
            pre.append("    E = True")
        for m in sorted(self.mems_used):
            pre.append(f"    D{m} = M{m}.data")
        lines = self.lines
        if self.traps or self.calls:  # (the one handler of every trap and call site: see `guarded`)
            pre.append("    try:")
            lines = ["    " + line for line in lines] + [
                "    except Exception as e:",
                "        raise TRAP(e)",
            ]
        first = 1 + len(head) + len(pre)  # the line number of self.lines[0]
        self.site_lines = {first + k: (pc, text) for k, pc, text in self.sites}
        self.trap_lines = {first + k: (pc, text) for k, pc, text in self.traps}
        self.call_lines = {first + k: (pc, text) for k, pc, text in self.calls}
        return "\n".join(head + pre + lines) + "\n"


#: the most frequent instructions, by name: their emitters
_FREQUENT: dict[str, Any] = {
    "local.get": _Translator.local_get,
    "local.set": _Translator.local_set,
    "local.tee": _Translator.local_set,
    "i32.const": _Translator.int_const,
    "i64.const": _Translator.int_const,
    **dict.fromkeys(_LOADS, _Translator.load),
    **dict.fromkeys(_STORES, _Translator.store),
    **dict.fromkeys(_BIN, _Translator.numeric),
}


def _default_text(t: Any) -> str:
    v = default_value(t)
    return repr(v)


def translate(
    body: list[Instr],
    local_types: tuple[ValType, ...],
    nparams: int,
    nresults: int,
    types: list[Any],
    func_types: list[FuncType],
    lay: Layout,
    index: int,
    free: bool = False,
    cold: frozenset[int] = frozenset(),
    entry: int | None = None,
) -> Translation:
    """Python source for one function body (see the module's docstring), or the reason not.
    `cold`: region starts (`region_starts`) to leave for the machine at; `entry`: the form
    that starts at the head of that loop, with every local as a parameter."""
    for t in local_types:
        try:
            default_value(t)
        except Exception:  # noqa: BLE001 - a type this tier does not know
            return Translation(None, f"local of type {t!r}")
    try:
        tr = _Translator(
            body, local_types, nparams, nresults, types, func_types, lay, index, free, cold, entry
        )
        source = tr.run()
    except Unsupported as e:
        return Translation(None, str(e))
    except (KeyError, IndexError, TypeError, AttributeError, AssertionError) as e:
        return Translation(None, f"translator: {type(e).__name__}: {e}")
    return Translation(source, None, tr.consts, tr.site_lines, tr.deftypes, tr.trap_lines, tr.call_lines)
