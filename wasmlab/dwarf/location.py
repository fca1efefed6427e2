"""Location expressions (DWARF 2.5, 2.6) evaluated against a paused wasm frame.

pyelftools parses expressions into operations; evaluating them is ours. A variable lives:

- in linear memory: `Memory(address)` (e.g. `DW_OP_fbreg +16`: frame base + 16);
- in a wasm local, a global, or an operand-stack slot: `DW_OP_WASM_location` (0xED) kind 0
  (local), 1 or 3 (global; 3 with a fixed 4-byte index, as `__stack_pointer` is written) and
  2 (operand stack, counted from the bottom of the frame's stack), normally followed by `DW_OP_stack_value`;
- nowhere: `Value(v)` for a computed value, or an optimized-out variable (no location).

`where` says it in words for people: "wasm local 4", "memory 0x1ffe0 (frame base =
local 2, +16)", "global 0", "operand stack slot 1".
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any, Protocol

from ..errors import WasmError


class FrameState(Protocol):
    """What evaluating a location needs from the paused machine (one wasm frame)."""

    def local(self, index: int) -> Any: ...

    def global_value(self, index: int) -> Any: ...

    def stack_slot(self, index: int) -> Any: ...

    def read(self, address: int, size: int) -> bytes: ...


class LocationError(WasmError):
    """A location expression that cannot be evaluated here (say which operation)."""


@dataclass(frozen=True)
class Memory:
    address: int
    how: str = ""

    @property
    def where(self) -> str:
        return f"memory {self.address:#x}" + (f" ({self.how})" if self.how else "")


@dataclass(frozen=True)
class Local:
    index: int

    @property
    def where(self) -> str:
        return f"wasm local {self.index}"


@dataclass(frozen=True)
class Global:
    index: int

    @property
    def where(self) -> str:
        return f"global {self.index}"


@dataclass(frozen=True)
class StackSlot:
    """An operand-stack entry of the frame, counted from the bottom of the frame's stack
    (LLVM's TI_OPERAND_STACK: a value keeps its index while others are pushed above it)."""

    index: int

    @property
    def where(self) -> str:
        return f"operand stack slot {self.index}"


@dataclass(frozen=True)
class Value:
    value: int
    how: str = ""

    @property
    def where(self) -> str:
        return f"computed ({self.how})" if self.how else "computed"


@dataclass(frozen=True)
class OptimizedOut:
    """A piece of a variable that lives nowhere here (`DW_OP_piece` with an empty stack)."""

    @property
    def where(self) -> str:
        return "optimized out"


@dataclass(frozen=True)
class Pieces:
    parts: tuple[tuple[Any, int], ...]  # (location, size in bytes)

    @property
    def where(self) -> str:
        return " + ".join(f"{loc.where} [{size} bytes]" for loc, size in self.parts)


Location = Memory | Local | Global | StackSlot | Value | Pieces | OptimizedOut

M32 = 0xFFFFFFFF


def _wasm_place(kind: int, index: int) -> Location:
    if kind == 0:
        return Local(index)
    if kind in (1, 3):
        return Global(index)
    if kind == 2:
        return StackSlot(index)
    raise LocationError(f"DW_OP_WASM_location of unknown kind {kind}")


def _read_place(place: Location, frame: FrameState) -> int:
    if isinstance(place, Local):
        return int(frame.local(place.index))
    if isinstance(place, Global):
        return int(frame.global_value(place.index))
    if isinstance(place, StackSlot):
        return int(frame.stack_slot(place.index))
    raise LocationError(f"cannot read {place.where} as a number")


def evaluate(ops: list[Any], frame: FrameState, frame_base: list[Any] | None = None) -> Location:
    """The location that the parsed expression `ops` (pyelftools `DWARFExprOp`s) names in
    `frame`; `frame_base` is the function's DW_AT_frame_base expression, for DW_OP_fbreg."""
    stack: list[int] = []
    place: Location | None = None  # a DW_OP_WASM_location not yet read
    how = ""
    pieces: list[tuple[Location, int]] = []
    value_piece: Location | None = None  # a DW_OP_stack_value's value, for the next piece

    def top_value() -> int:
        nonlocal place
        if place is not None:
            stack.append(_read_place(place, frame))
            place = None
        if not stack:
            raise LocationError("location expression pops an empty stack")
        return stack.pop()

    for k_op, op in enumerate(ops):
        name = op.op_name
        args = op.args
        if name == "DW_OP_WASM_location":
            place = _wasm_place(args[0], args[1])
            how = place.where.replace("wasm ", "")
        elif name == "DW_OP_stack_value":  # the value itself, not its address (up to a piece)
            if place is not None:
                loc_value: Location = place  # the local/global/slot itself
                place = None
            else:
                loc_value = Value(top_value(), how)
            if not any(o.op_name == "DW_OP_piece" for o in ops[k_op:]):
                return loc_value
            value_piece = loc_value
        elif name == "DW_OP_fbreg":
            if frame_base is None:
                raise LocationError("DW_OP_fbreg without a frame base")
            base = evaluate(frame_base, frame)
            base_value = base.value if isinstance(base, Value) else _read_place(base, frame)
            k = args[0]
            stack.append((base_value + k) & M32)
            how = f"frame base = {base.where.replace('wasm ', '')}, {k:+d}"
        elif name == "DW_OP_plus_uconst":
            # (an address-sized operand: LLVM writes `x - 1` as `plus_uconst 0xffffffff` on
            # wasm32; a 64-bit x must get -1, a 32-bit one is the same either way)
            k = args[0] - (1 << 32) if (1 << 31) <= args[0] < (1 << 32) else args[0]
            stack.append(top_value() + k)
        elif name in ("DW_OP_addr",) or name.startswith("DW_OP_const"):
            stack.append(args[0])  # (a 64-bit variable's constant: not cut to an address's 32 bits)
            how = how or "static"
        elif name.startswith("DW_OP_lit"):
            stack.append(int(name[len("DW_OP_lit") :]))
        elif name == "DW_OP_plus":
            b, a = top_value(), top_value()
            stack.append(a + b)
        elif name == "DW_OP_minus":
            b, a = top_value(), top_value()
            stack.append(a - b)
        elif name == "DW_OP_deref":
            addr = top_value() & M32
            stack.append(int.from_bytes(frame.read(addr, 4), "little"))
        elif name == "DW_OP_piece":
            size = args[0]
            if value_piece is not None:
                loc: Location = value_piece
                value_piece = None
            elif place is not None:
                loc = place
                place = None
            elif stack:
                loc = Memory(stack.pop() & M32, how)
            else:
                loc = OptimizedOut()
            pieces.append((loc, size))
        elif name == "DW_OP_dup":
            v = top_value()
            stack += [v, v]
        elif name == "DW_OP_drop":
            top_value()
        else:
            raise LocationError(f"location operation {name} is not supported")
    if pieces:
        return Pieces(tuple(pieces))
    if place is not None:
        return place
    if not stack:
        raise LocationError("empty location expression")
    return Memory(stack.pop() & M32, how)


__all__ = [
    "FrameState", "Global", "Local", "Location", "LocationError", "Memory", "OptimizedOut", "Pieces", "StackSlot", "Value",
    "evaluate",
]  # fmt: skip
