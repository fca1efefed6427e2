"""Source-level debugging of a module compiled with `-g`: the DWARF of the debugged module
(`wasmlab.dwarf`) joined to the machine's functions and instructions.

`SourceMap(program)` maps an instruction (function instance, pc) to its DWARF address and
source position, and a `file:line` or a C function name to the instructions a breakpoint
binds to (the first instruction at or after each `is_stmt` row's address). `FrameState`
lets location expressions read a paused frame's locals, globals, operand stack and memory.
"""

from __future__ import annotations

import bisect
import re
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from ..dwarf import CValue, DebugInfo, SourcePos, Variable, evaluate, evaluate_c
from ..dwarf.location import Local, LocationError, Value
from ..errors import WasmError
from ..exec.machine import Machine
from ..exec.runtime import FuncInst, ModuleInst
from .errors import DebugError

#: `file.c:31` (a path, a colon, a line)
FILE_LINE = re.compile(r"^(?P<file>[^:\s]+\.[A-Za-z0-9+]+):(?P<line>\d+)$")

Place = tuple[FuncInst, int]


class SourceMap:
    """The DWARF of one instance's module, indexed by instruction (see the module docstring)."""

    def __init__(self, inst: ModuleInst) -> None:
        self.inst = inst
        self.info = DebugInfo.of(inst.module)
        # (file offset of the first instruction, FuncInst, offsets of its instructions)
        self._bodies: list[tuple[int, FuncInst, list[int]]] = []
        for f in inst.funcs:
            if isinstance(f, FuncInst) and f.module is inst and f.func is not None and f.func.body:
                offs = [ins.offset if ins.offset is not None else -1 for ins in f.func.body]
                self._bodies.append((offs[0], f, offs))
        self._bodies.sort(key=lambda b: b[0])
        self._starts = [b[0] for b in self._bodies]
        #: folders where C sources are looked for by name when their recorded path is not there
        self.search: list[str] = []
        if inst.module.origin is not None:  # a module read from a file: its folder
            self.search.append(str(Path(inst.module.origin).parent))
        self._texts: dict[str, list[str] | None] = {}
        # per function of `inst` (kept alive by it): its body's start, its lines' first pcs
        self._entries: dict[int, int | None] = {}
        self._line_starts: dict[int, set[int]] = {}

    @property
    def available(self) -> bool:
        return self.info is not None

    def address(self, f: FuncInst, pc: int) -> int | None:
        if self.info is None or f.func is None or not 0 <= pc < len(f.func.body):
            return None
        offset = f.func.body[pc].offset
        return None if offset is None else self.info.address_of(offset)

    def position(self, f: FuncInst, pc: int) -> SourcePos | None:
        a = self.address(f, pc)
        return None if a is None or self.info is None else self.info.position(a)

    def statement(self, f: FuncInst, pc: int) -> SourcePos | None:
        """The position of the statement instruction (`f`, `pc`) belongs to (see
        `LineTable.statement`): moves by source line go by it. An unconditional `br` has
        none: it only jumps (a loop's branch back lands in the loop's first line, which a
        breakpoint on that line stops at: the line starts there, not at the `br`)."""
        a = self.address(f, pc)
        if a is None or self.info is None or f.func is None or f.func.body[pc].op.name == "br":
            return None
        return self.info.lines.statement(a)

    def place_of(self, address: int) -> Place | None:
        """The first instruction at or after DWARF `address`, in the function holding it."""
        if self.info is None:
            return None
        offset = address + (self.inst.module.code_offset or 0)
        k = bisect.bisect_right(self._starts, offset) - 1
        for _, f, offs in self._bodies[max(k, 0) : k + 2]:
            # an address before a body's first instruction is in its size or locals: the
            # function's start (a function's line rows begin there)
            if offset <= offs[-1]:
                return (f, past_labels(f, bisect.bisect_left(offs, offset)))
        return None

    def line_places(self, file: str, line: int) -> list[Place]:
        """Where a breakpoint on `file:line` stops (DebugError when the file or line has no
        code, naming the lines that do)."""
        info = self._need()
        files = info.lines.match_file(file)
        if not files:
            known = ", ".join(sorted({p.rsplit("/", 1)[-1] for p in info.lines.files()})[:12])
            raise DebugError(f"no source file {file!r} in the debug information (files: {known}, ...)")
        places: list[Place] = []
        blocks: list[Any] = []
        for path in files:
            for a in info.lines.addresses(path, line):
                # as gdb does: one place per block (a `for` line's init, test and step are
                # three rows of one block: the breakpoint stops at the first, once a loop)
                block = info.block_at(a)
                if block is not None and any(block is b for b in blocks):
                    continue
                blocks.append(block)
                p = self.place_of(a)
                if p is not None and p not in places:
                    places.append(p)
        if not places:
            lines = info.lines.lines(files[0])
            after = [n for n in lines if n > line]
            hint = f"; the next line with code is {after[0]}" if after else ""
            raise DebugError(f"line {line} of {file} has no code{hint}")
        return places

    def function_places(self, name: str) -> list[Place]:
        """The first line of C function `name` (its entry, after the prologue's first row)."""
        info = self._need()
        fn = info.function_named(name)
        if fn is None:
            return []
        p = self.place_of(self.body_start_of(fn))
        return [p] if p is not None else []

    def body_start_of(self, fn: Any) -> int:
        low, high = fn.scope.ranges[0]
        return self._need().lines.body_start(low, high)

    def entry_pc(self, f: FuncInst) -> int | None:
        """The pc of `f` where its C body starts (past the prologue), None without a line
        (worked out once per function: every `step_line` asks it of every function)."""
        key = id(f)
        if key not in self._entries:
            info = self._need()
            a = self.address(f, 0)
            fn = info.function_at(a) if a is not None else None
            p = self.place_of(self.body_start_of(fn)) if fn is not None else None
            self._entries[key] = p[1] if p is not None and p[0] is f else None
        return self._entries[key]

    def line_starts(self, f: FuncInst) -> set[int]:
        """The pcs of `f` where its source line changes (to a line, from another one); worked
        out once per function."""
        key = id(f)
        if key not in self._line_starts:
            self._line_starts[key] = self._find_line_starts(f)
        return self._line_starts[key]

    def _find_line_starts(self, f: FuncInst) -> set[int]:
        info = self._need()
        out: set[int] = set()
        body = f.func.body if f.func is not None else []
        before: tuple[str, int] | None = None
        for pc in range(len(body)):
            a = self.address(f, pc)
            here = info.lines.statement(a) if a is not None else None
            key = (here.file, here.line) if here is not None else None
            if key is not None and key != before:
                out.add(past_labels(f, pc))
                if body[pc].op.name == "else":  # a false condition jumps past the `else`
                    out.add(pc + 1)
            before = key
        return out

    def source_text(self, file: str) -> list[str] | None:
        """The lines of source `file` (a path from the debug information): read from that
        path, else by its name from one of `search` (e.g. the .wasm file's folder); None
        when it is nowhere."""
        if file in self._texts:
            return self._texts[file]
        # the recorded path (often relative to the build folder), then under each folder of
        # `search` by that relative path and by the file's name
        rel = Path(file)
        candidates = [rel] + [
            Path(d) / p for d in self.search for p in (rel, Path(rel.name)) if not p.is_absolute()
        ]
        text = None
        for c in candidates:
            try:
                text = c.read_text(encoding="utf-8", errors="replace").splitlines()
                break
            except OSError:
                continue
        self._texts[file] = text
        return text

    def listing(self, f: FuncInst, pc: int, context: int = 3) -> Listing | None:
        """The source lines around instruction (`f`, `pc`) and the instructions of its line."""
        pos = self.position(f, pc)
        if pos is None:
            return None
        text = self.source_text(pos.file)
        body = f.func.body if f.func is not None else []
        same = [
            k for k in range(len(body))
            if (p := self.position(f, k)) is not None and (p.file, p.line) == (pos.file, pos.line)
        ]  # fmt: skip
        lines: list[tuple[int, str]] = []
        if text is not None:
            lo, hi = max(1, pos.line - context), min(len(text), pos.line + context)
            lines = [(n, text[n - 1]) for n in range(lo, hi + 1)]
        return Listing(pos, lines, same, text is not None)

    def _need(self) -> DebugInfo:
        if self.info is None:
            raise DebugError("the module has no DWARF debug information (compile it with -g)")
        return self.info


#: instructions that only open a label: a branch back to a `loop` lands after it, so a
#: line's first instruction is taken past them (else the line is missed on later rounds)
_LABELS = ("loop", "block")


def past_labels(f: FuncInst, pc: int) -> int:
    body = f.func.body if f.func is not None else []
    start = pc
    while pc + 1 < len(body) and body[pc].op.name in _LABELS:
        pc += 1
    return pc if pc > start and body[pc].op.name != "end" else start


class FrameState:
    """Frame `index` (0: the outermost) of a paused machine, as location expressions read it."""

    def __init__(self, machine: Machine, index: int, inst: ModuleInst) -> None:
        self.machine = machine
        frames = machine.frames
        self.frame = frames[index]
        below = frames[index + 1].base if index + 1 < len(frames) else len(machine.stack)
        self.values = machine.stack[self.frame.base : below]
        self.inst = inst

    def local(self, index: int) -> Any:
        locs = self.frame.locals
        if not 0 <= index < len(locs):
            raise LocationError(f"no wasm local {index} in {self.frame.func.name}")
        return locs[index]

    def global_value(self, index: int) -> Any:
        globs = self.inst.globals
        if not 0 <= index < len(globs):
            raise LocationError(f"no global {index}")
        return globs[index].value

    def stack_slot(self, index: int) -> Any:
        """Operand-stack entry `index` of the frame, 0 the bottom one (as LLVM counts them)."""
        if not 0 <= index < len(self.values):
            raise LocationError(f"no operand stack slot {index} (the frame's stack holds {len(self.values)})")
        return self.values[index]

    def read(self, address: int, size: int) -> bytes:
        mems = self.inst.mems
        if not mems:
            raise LocationError("the instance has no memory")
        data = mems[0].data
        if address < 0 or address + size > len(data):
            raise LocationError(f"memory {address:#x} (+{size}) is out of bounds")
        return bytes(data[address : address + size])


@dataclass(frozen=True)
class Listing:
    """Source lines around a position (`lines`: (number, text)), and the pcs of the wasm
    instructions that belong to its line (`pcs`); `found` says whether the file was read."""

    position: SourcePos
    lines: list[tuple[int, str]]
    pcs: list[int]
    found: bool
    instrs: tuple[str, ...] = ()  # the text of each instruction in `pcs`
    pc: int | None = None  # the current instruction's pc


@dataclass(frozen=True)
class SourceVariable:
    """A C variable of the current frame: its value as text and where it lives."""

    name: str
    type: str
    value: str
    where: str
    is_param: bool = False

    def __str__(self) -> str:
        return f"{self.type} {self.name} = {self.value}  ({self.where})"


def variable_value(info: DebugInfo, var: Variable, address: int, frame: FrameState, fn_base: Any) -> CValue:
    ops = var.ops_at(address)
    if ops is None:
        return CValue(var.type, None, frame)
    try:
        loc = evaluate(ops, frame, fn_base)
    except LocationError:
        return CValue(var.type, None, frame)
    return CValue(var.type, loc, frame)


def variable_values(
    info: DebugInfo, variables: list[Variable], address: int, frame: FrameState, fn_base: Any
) -> list[CValue]:
    """The values of `variables` at `address`. Where a variable whose location holds for
    the whole function (a parameter's wasm local, say) shares its wasm local with one whose
    location list starts it there, the local was given to the second: the first's value is
    gone, `<optimized out>` (clang reuses a parameter's local and keeps its location)."""
    values = [variable_value(info, v, address, frame, fn_base) for v in variables]
    by_local: dict[int, list[int]] = {}
    for k, cv in enumerate(values):
        if isinstance(cv.location, Local):
            by_local.setdefault(cv.location.index, []).append(k)
    for ks in by_local.values():
        if len(ks) > 1 and any(variables[k].location_list is not None for k in ks):
            for k in ks:
                if variables[k].location_list is None:
                    values[k] = CValue(variables[k].type, None, frame)
    return values


@dataclass(frozen=True)
class SourceFrame:
    """A frame of the C call stack: a function, perhaps inlined into its caller's code (then
    it shares the wasm frame `frame` with the functions it was inlined into), where it is
    (for a caller: the line of its call) and its variables."""

    function: str
    position: SourcePos | None
    variables: tuple[SourceVariable, ...]
    frame: int  # the wasm frame, as Session.frames numbers them (0: the outermost)
    inlined: bool = False

    def __str__(self) -> str:
        where = f" at {self.position}" if self.position is not None else ""
        return f"#{self.frame} {self.function}{' (inlined)' if self.inlined else ''}{where}"


def source_frames(smap: SourceMap, machine: Machine) -> list[SourceFrame]:
    """The C call stack, outermost first: each wasm frame, and for code the compiler inlined
    one frame per inlined call (DW_TAG_inlined_subroutine), each with its own variables."""
    info = smap._need()
    out: list[SourceFrame] = []
    frames = machine.frames
    for k, fr in enumerate(frames):
        pc = fr.pc if k == len(frames) - 1 else max(fr.pc - 1, 0)  # a caller: its call
        a = smap.address(fr.func, pc)
        levels = info.frames_at(a) if a is not None else []
        if not levels:
            name = getattr(fr.func, "name", None) or "?"
            out.append(SourceFrame(str(name), None, (), k))
            continue
        state = FrameState(machine, k, fr.func.module or smap.inst)
        for level in reversed(levels):
            fn = level.function
            values = [
                SourceVariable(v.name, v.type.spelling, cv.text, cv.where, v.is_param)
                for v, cv in zip(
                    level.variables, variable_values(info, level.variables, a, state, fn.frame_base)
                )
            ]
            out.append(SourceFrame(fn.name, level.position, tuple(values), k, fn.inlined))
    return out


def frame_variables(smap: SourceMap, machine: Machine, index: int) -> list[SourceVariable]:
    """The C variables in scope in frame `index`, innermost scope first."""
    info = smap._need()
    fr = machine.frames[index]
    a = smap.address(fr.func, fr.pc)
    if a is None:
        return []
    fn = info.function_at(a)
    frame = FrameState(machine, index, fr.func.module or smap.inst)
    found = info.variables_at(a)
    values = variable_values(info, found, a, frame, fn.frame_base if fn else None)
    return [
        SourceVariable(v.name, v.type.spelling, cv.text, cv.where, v.is_param) for v, cv in zip(found, values)
    ]


def returned_value(smap: SourceMap, machine: Machine, fn: Any) -> CValue | None:
    """The value C function `fn` just returned, on top of its caller's operand stack (None
    for a void function, or one that returns through memory, as a struct)."""
    t = fn.result
    if t is None or t.strip().kind not in ("base", "enum", "pointer") or not machine.frames:
        return None
    frame = FrameState(machine, machine.depth - 1, machine.frame.func.module or smap.inst)
    if not frame.values:
        return None
    return CValue(t, Value(_bits(frame.values[-1], t)), frame)


def _bits(v: Any, t: Any) -> int:
    if isinstance(v, float):
        import struct

        return int.from_bytes(struct.pack("<f" if t.byte_size == 4 else "<d", v), "little")
    return int(v)


def frame_eval(smap: SourceMap, machine: Machine, index: int, text: str) -> CValue:
    """A C expression in frame `index` (`frac->num * 2`)."""
    info = smap._need()
    fr = machine.frames[index]
    a = smap.address(fr.func, fr.pc)
    if a is None:
        raise DebugError("the current instruction has no source position")
    fn = info.function_at(a)
    frame = FrameState(machine, index, fr.func.module or smap.inst)
    found = info.variables_at(a)
    names = dict(
        zip((v.name for v in found), variable_values(info, found, a, frame, fn.frame_base if fn else None))
    )

    def lookup(name: str) -> CValue | None:
        return names.get(name)

    try:
        return evaluate_c(text, lookup, frame, info.type_named)
    except WasmError:
        raise
    except (ArithmeticError, ValueError) as e:  # pragma: no cover - guarded by the evaluator
        raise DebugError(f"cannot evaluate {text!r}: {e}") from None


__all__ = [
    "FILE_LINE", "FrameState", "Listing", "SourceMap", "SourceVariable", "frame_eval", "frame_variables",
    "SourceFrame", "past_labels", "returned_value", "source_frames",
]  # fmt: skip
