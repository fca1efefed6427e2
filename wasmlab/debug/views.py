"""What a session shows, as plain data: position, stack, frames, globals, memory, changes, history.

Every view is a small object built from the machine's state at the moment it is asked
for (a memory view reads the live bytes, it never copies the memory). Each has a
`__repr__` for the terminal and a `_repr_html_` for Jupyter; widgets and the kernel read
the attributes.
"""

from __future__ import annotations

from collections.abc import Iterator, Mapping, Sequence
from dataclasses import dataclass, field
from html import escape
from typing import Any

from ..exec.runtime import MemoryInst
from ..syntax.module import Span
from ..syntax.types import ValType
from .errors import DebugError, NotFound
from .values import TypedValue


def plural(n: object, word: str) -> str:
    """`1 byte`, `2 bytes`; anything but an int 1 takes the plural."""
    return f"{n} {word}" if n == 1 else f"{n} {word}s"


def _table(headers: Sequence[str], rows: Sequence[Sequence[Any]], caption: str = "") -> str:
    head = "".join(f"<th>{escape(h)}</th>" for h in headers)
    body = "".join(
        "<tr>" + "".join(f"<td><code>{escape(str(c))}</code></td>" for c in r) + "</tr>" for r in rows
    )
    cap = f"<caption>{escape(caption)}</caption>" if caption else ""
    return f"<table class='wasmlab'>{cap}<thead><tr>{head}</tr></thead><tbody>{body}</tbody></table>"


def _values_text(values: Sequence[TypedValue]) -> str:
    return "[" + ", ".join(v.text for v in values) + "]"


# --- where the call is -------------------------------------------------------------------


@dataclass(frozen=True)
class Position:
    """Where the session is: `step` instructions have run; the next one is `instr` (its
    text; `op` is its name) in `function` (`func_index` in `instance`, a nested instance at
    `path`) at `pc`, byte `offset`, source `span` (`line`, `col`), `depth` frames deep.

    Front ends read this record (and the session's other views), never the machine. With
    no frame (returned, or a host function called directly) the fields past `state` are
    None, except `function` for a host function not called yet."""

    step: int
    state: str  # "paused", "returned", "trapped" or "exited" (WASI proc_exit)
    function: str | None = None
    func_index: int | None = None
    instance: str | None = None
    pc: int | None = None
    offset: int | None = None
    span: Span | None = None
    instr: str | None = None
    depth: int = 0
    path: str | None = None  # module linking: the path of the nested instance (`$c1`), else None
    op: str | None = None  # the instruction's name (`i32.add`), without immediates

    @property
    def line(self) -> int | None:
        """The source line of the instruction (1-based), when the module came from text."""
        return self.span.line if self.span is not None else None

    @property
    def col(self) -> int | None:
        """The source column of the instruction (1-based), when the module came from text."""
        return self.span.col if self.span is not None else None

    @property
    def where(self) -> str:
        if self.function is None:
            return self.state
        at = f"{self.function}+{self.pc}"
        if self.path:
            at = f"{self.path}.{at}"
        if self.offset is not None:
            at += f" @{self.offset:#x}"
        if self.span is not None:
            at += f" ({self.span})"
        return at

    def __repr__(self) -> str:
        text = f"step {self.step}: {self.where}"
        if self.instr:
            text += f": {self.instr}"
        if self.state != "paused" and self.function is not None:
            text += f" [{self.state}]"
        return text

    def _repr_html_(self) -> str:
        return f"<code>{escape(repr(self))}</code>"


@dataclass(frozen=True)
class Stop:
    """Why a move ended: `kind` is one of step, breakpoint, watchpoint, returned, trap, exit
    (WASI proc_exit), exhausted, fuel, interrupted, start, position, condition-error; `reason`
    says it in words."""

    kind: str
    reason: str
    position: Position
    breakpoints: tuple[Any, ...] = ()
    watch: Any = None  # the WatchHit of a watchpoint stop
    error: BaseException | None = None

    @property
    def step(self) -> int:
        return self.position.step

    def __repr__(self) -> str:
        return f"<stopped: {self.reason}; {self.position!r}>"

    def _repr_html_(self) -> str:
        return f"<b>{escape(self.reason)}</b><br>{self.position._repr_html_()}"


# --- the value stack ----------------------------------------------------------------------


@dataclass(frozen=True)
class StackSegment:
    """The operand values of one frame (or the call's results once it returned)."""

    owner: str
    values: tuple[TypedValue, ...]


class StackView(Sequence[TypedValue]):
    """The whole value stack, bottom first, each value with its static type; `segments`
    splits it by frame."""

    def __init__(self, segments: list[StackSegment]) -> None:
        self.segments = segments
        self.values: list[TypedValue] = [v for s in segments for v in s.values]

    def __getitem__(self, i: Any) -> Any:
        try:
            return self.values[i]
        except IndexError:
            raise NotFound(f"no stack value {i}: the stack holds {len(self.values)} values") from None
        except TypeError:
            raise DebugError(f"the stack is indexed by ints, not {i!r}") from None

    def __len__(self) -> int:
        return len(self.values)

    def __iter__(self) -> Iterator[TypedValue]:
        return iter(self.values)

    @property
    def top(self) -> TypedValue | None:
        return self.values[-1] if self.values else None

    def __eq__(self, other: object) -> bool:
        if isinstance(other, StackView):
            return self.values == other.values
        if isinstance(other, (list, tuple)):
            return list(self.values) == list(other)
        return NotImplemented

    __hash__ = None  # type: ignore[assignment]

    def __repr__(self) -> str:
        return _values_text(self.values)

    def _repr_html_(self) -> str:
        rows = [(seg.owner, v.text) for seg in self.segments for v in seg.values]
        return _table(["frame", "value"], rows[::-1] or [("", "(empty)")], "value stack (top first)")


# --- frames ---------------------------------------------------------------------------------


class LocalsView(Mapping[str, TypedValue]):
    """A frame's locals by name (`$n` from the name section, else the index as text);
    `locals[0]` works too."""

    def __init__(self, names: list[str], values: list[TypedValue]) -> None:
        self._names = names
        self._values = values
        self._index = {n: i for i, n in enumerate(names)}

    def __getitem__(self, key: str | int) -> TypedValue:
        if isinstance(key, int) and not isinstance(key, bool):
            if 0 <= key < len(self._values):
                return self._values[key]
            raise NotFound(f"no local {key}: the frame has {len(self._values)} locals")
        i = self._index.get(key) if isinstance(key, str) else None
        if i is None and isinstance(key, str):
            i = self._index.get(key[1:] if key.startswith("$") else f"${key}")
        if i is None:
            raise NotFound(f"no local {key!r}; locals: {', '.join(self._names) or '(none)'}")
        return self._values[i]

    def __iter__(self) -> Iterator[str]:
        return iter(self._names)

    def __len__(self) -> int:
        return len(self._names)

    def __repr__(self) -> str:
        return "{" + ", ".join(f"{n}: {v.text}" for n, v in zip(self._names, self._values)) + "}"

    def _repr_html_(self) -> str:
        return _table(["local", "value"], [(n, v.text) for n, v in zip(self._names, self._values)])


@dataclass(frozen=True)
class Label:
    """An enclosing block of the current instruction: a branch to it goes to `target`."""

    kind: str
    pc: int
    end_pc: int
    types: tuple[ValType, ...]

    @property
    def target(self) -> int:
        return self.pc + 1 if self.kind == "loop" else self.end_pc

    def __repr__(self) -> str:
        ts = " ".join(t.text for t in self.types)
        return f"{self.kind}@{self.pc}[{ts}]"


@dataclass(frozen=True)
class FrameView:
    """One activation: instance, function, where it is, its locals, labels and operands."""

    index: int
    instance: str
    function: str
    func_index: int
    pc: int
    offset: int | None
    span: Span | None
    instr: str
    locals: LocalsView
    labels: tuple[Label, ...]
    stack: tuple[TypedValue, ...]

    def __repr__(self) -> str:
        at = f" @{self.offset:#x}" if self.offset is not None else ""
        return (
            f"#{self.index} {self.instance}.{self.function}+{self.pc}{at}: {self.instr}  "
            f"locals {self.locals!r}  stack {_values_text(self.stack)}"
        )

    def _repr_html_(self) -> str:
        labels = " ".join(map(repr, self.labels)) or "-"
        head = f"<b>#{self.index} {escape(self.instance)}.{escape(self.function)}</b> pc {self.pc}"
        return f"{head}: <code>{escape(self.instr)}</code> labels <code>{escape(labels)}</code>" + (
            self.locals._repr_html_()
        )


class FramesView(Sequence[FrameView]):
    """The call stack, outermost first (`frames[-1]` is where the call is)."""

    def __init__(self, frames: list[FrameView]) -> None:
        self.frames = frames

    def __getitem__(self, i: Any) -> Any:
        try:
            return self.frames[i]
        except IndexError:
            raise NotFound(f"no frame {i}: the call stack has {len(self.frames)} frames") from None
        except TypeError:
            raise DebugError(f"frames are indexed by ints, not {i!r}") from None

    def __len__(self) -> int:
        return len(self.frames)

    def __iter__(self) -> Iterator[FrameView]:
        return iter(self.frames)

    def __repr__(self) -> str:
        return "\n".join(map(repr, self.frames)) or "(no frames)"

    def _repr_html_(self) -> str:
        rows = [
            (f.index, f.instance, f.function, f.pc, "" if f.offset is None else f"{f.offset:#x}", f.instr,
             repr(f.locals), " ".join(map(repr, f.labels)))
            for f in reversed(self.frames)
        ]  # fmt: skip
        return _table(
            ["#", "instance", "function", "pc", "offset", "next", "locals", "labels"], rows, "frames"
        )


# --- globals and memory --------------------------------------------------------------------


@dataclass(frozen=True)
class GlobalView:
    index: int
    name: str
    type: ValType
    mutable: bool
    value: TypedValue

    def __repr__(self) -> str:
        return f"{self.name}: {'mut ' if self.mutable else ''}{self.value.text}"


class GlobalsView(Sequence[GlobalView]):
    """The globals of the instance the current frame runs in (the debugged instance, or with
    module linking a nested one: `instance` is then its path, e.g. `$c1`); index by position
    or by name (`globals["$n"]`)."""

    def __init__(self, globals: list[GlobalView], instance: str | None = None) -> None:
        self.globals = globals
        self.instance = instance

    def __getitem__(self, key: Any) -> Any:
        if isinstance(key, str):
            for g in self.globals:
                if key in (g.name, f"${g.name}") or g.name == f"${key}":
                    return g
            raise NotFound(f"no global named {key!r}")
        try:
            return self.globals[key]
        except IndexError:
            raise NotFound(f"no global {key}: the instance has {len(self.globals)} globals") from None
        except TypeError:
            raise DebugError(f"globals are indexed by ints or names, not {key!r}") from None

    def __len__(self) -> int:
        return len(self.globals)

    def __iter__(self) -> Iterator[GlobalView]:
        return iter(self.globals)

    def __repr__(self) -> str:
        text = "\n".join(map(repr, self.globals)) or "(no globals)"
        return f"globals of instance {self.instance}:\n{text}" if self.instance else text

    def _repr_html_(self) -> str:
        rows = [
            (g.index, g.name, ("mut " if g.mutable else "") + g.type.text, g.value.text) for g in self.globals
        ]
        caption = f"globals of instance {self.instance}" if self.instance else "globals"
        return _table(["#", "name", "type", "value"], rows, caption)


def address_width(end: int) -> int:
    """Hex digits of the addresses of a dump that ends at `end`: 8, or 12 past 4 GiB (a 64-bit
    memory), so the columns stay aligned."""
    return 8 if end <= 1 << 32 else 12


def hexdump(data: bytes, base: int) -> str:
    lines = []
    w = address_width(base + len(data))
    for a in range(0, len(data), 16):
        row = data[a : a + 16]
        hx = " ".join(f"{b:02x}" for b in row)
        text = "".join(chr(b) if 32 <= b < 127 else "." for b in row)
        lines.append(f"{base + a:0{w}x}  {hx:<47}  {text}")
    return "\n".join(lines)


class MemoryView:
    """A linear memory, read in place: `mem[a:b]` gives bytes, `mem[a]` one byte; `instance`
    is the path of the nested instance (module linking) it belongs to, else None."""

    def __init__(self, index: int, inst: MemoryInst, instance: str | None = None) -> None:
        self.index = index
        self.inst = inst
        self.instance = instance

    @property
    def _title(self) -> str:
        return f"memory {self.index} of instance {self.instance}" if self.instance else f"memory {self.index}"

    @property
    def pages(self) -> int:
        return self.inst.pages

    def __len__(self) -> int:
        return len(self.inst.data)

    def __getitem__(self, key: int | slice) -> Any:
        data = self.inst.data
        if isinstance(key, slice):
            return bytes(data[key])
        if isinstance(key, bool) or not isinstance(key, int):
            raise DebugError(f"memory addresses are ints, not {key!r}")
        if not 0 <= key < len(data):
            raise NotFound(f"address {key:#x} is outside memory {self.index} ({len(data):#x} bytes)")
        return data[key]

    def read(self, addr: int, n: int) -> bytes:
        if addr < 0 or n < 0 or addr + n > len(self.inst.data):
            raise DebugError(
                f"[{addr:#x}, {addr + n:#x}) is outside memory {self.index} ({len(self.inst.data):#x} bytes)"
            )
        return bytes(self.inst.data[addr : addr + n])

    def i32(self, addr: int) -> int:
        return int.from_bytes(self.read(addr, 4), "little", signed=True)

    def i64(self, addr: int) -> int:
        return int.from_bytes(self.read(addr, 8), "little", signed=True)

    def hexdump(self, addr: int = 0, n: int = 64) -> str:
        return hexdump(self.read(addr, min(n, max(0, len(self) - addr))), addr)

    def __repr__(self) -> str:
        return f"<{self._title}: {self.pages} pages ({len(self)} bytes)>\n{self.hexdump(0, 64)}"

    def _repr_html_(self) -> str:
        return f"<b>{escape(self._title)}</b>: {self.pages} pages<pre>{escape(self.hexdump(0, 64))}</pre>"


# --- what a move changed ---------------------------------------------------------------------


@dataclass(frozen=True)
class MemoryChange:
    memory: int
    lo: int
    hi: int
    old: bytes
    new: bytes

    def __repr__(self) -> str:
        return (
            f"memory {self.memory} [{self.lo:#x}, {self.hi:#x}): {self.old.hex(' ')} -> {self.new.hex(' ')}"
        )


@dataclass(frozen=True)
class ValueChange:
    name: str
    old: TypedValue | None
    new: TypedValue | None

    def __repr__(self) -> str:
        old = self.old.text if self.old is not None else "-"
        new = self.new.text if self.new is not None else "-"
        return f"{self.name}: {old} -> {new}"


@dataclass(frozen=True)
class Changes:
    """What the last move changed, from step `start` to step `end`."""

    start: int
    end: int
    memory: tuple[MemoryChange, ...] = ()
    memory_size: tuple[tuple[int, int, int], ...] = ()  # (memory, old bytes, new bytes)
    globals: tuple[ValueChange, ...] = ()
    locals: tuple[ValueChange, ...] = ()
    tables: tuple[int, ...] = ()
    stack_before: tuple[TypedValue, ...] = ()
    stack_after: tuple[TypedValue, ...] = ()
    frame_changed: bool = False
    truncated: bool = field(default=False)

    @property
    def stack_changed(self) -> bool:
        return self.stack_before != self.stack_after

    @property
    def empty(self) -> bool:
        return (
            not (self.memory or self.memory_size or self.globals or self.locals or self.tables)
            and not self.stack_changed
        )

    def lines(self) -> list[str]:
        out = [f"steps {self.start} -> {self.end}"]
        out += [repr(m) for m in self.memory]
        out += [f"memory {i} size {a} -> {b} bytes" for i, a, b in self.memory_size]
        if self.truncated:
            out.append("(more memory changes not shown)")
        out += [f"global {g!r}" for g in self.globals]
        if self.frame_changed:
            out.append("top frame: another activation (a call, a return or the end)")
        out += [f"local {c!r}" for c in self.locals]
        out += [f"table {i} changed" for i in self.tables]
        if self.stack_changed:
            out.append(f"stack: {_values_text(self.stack_before)} -> {_values_text(self.stack_after)}")
        return out

    def __repr__(self) -> str:
        return "\n".join(self.lines())

    def _repr_html_(self) -> str:
        return "<pre>" + escape(repr(self)) + "</pre>"


# --- history ------------------------------------------------------------------------------


@dataclass(frozen=True)
class Move:
    command: str
    start: int
    end: int
    kind: str

    def __repr__(self) -> str:
        return f"{self.command}: {self.start} -> {self.end} ({self.kind})"


@dataclass(frozen=True)
class HistoryView:
    """The recorded timeline: where we are, how far it is known, what is kept."""

    step: int
    furthest: int
    end: int | None
    checkpoints: int
    interval: int
    nbytes: int
    host_calls: int
    moves: tuple[Move, ...]
    enabled: bool = True
    first: int = 0  # the earliest reachable step (> 0 once the budget dropped old checkpoints)

    def __repr__(self) -> str:
        if not self.enabled:
            return f"history off (step {self.step})"
        end = f"ends at {self.end}" if self.end is not None else f"explored to {self.furthest}"
        head = (
            f"step {self.step}, {end}; {plural(self.checkpoints, 'checkpoint')} every {self.interval} steps "
            f"({self.nbytes / 1e6:.1f} MB), {self.host_calls} host calls recorded"
        )
        if self.first:
            head += f"; reachable from step {self.first} (older ones dropped to stay in the budget)"
        return "\n".join([head, *(repr(m) for m in self.moves[-10:])])

    def _repr_html_(self) -> str:
        head = escape(repr(self).split("\n", 1)[0])
        rows = [(m.command, m.start, m.end, m.kind) for m in self.moves[-20:]]
        return f"<b>{head}</b>" + _table(["move", "from", "to", "stop"], rows)
