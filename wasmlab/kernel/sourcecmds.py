"""`%` commands for compiled C (a module built with `-g`): the C source around the current
line with the wasm instructions of that line, the C variables and where they live, and
moves by source line, forwards and backwards (gdb's next, step and reverse-next)."""

from __future__ import annotations

from typing import Any

from .debugcmds import GROUP, _move, session_of
from .outputs import pre_output, rich, table_output
from .registry import Emit, UsageError, command, need_int
from .workspace import Workspace


@command("list", "%list [N]", "the C source around the current line (N lines each side, 3), with the "
         "wasm instructions of that line (a module compiled with -g)", GROUP, ("l",))  # fmt: skip
def cmd_list(ws: Workspace, args: list[str], emit: Emit) -> None:
    s = session_of(ws)
    context = need_int(args[0], "the number of lines") if args else 3
    listing = s.source_listing(context)
    if listing is None:
        raise UsageError(
            "no C source line here (the module has no DWARF, or the compiler gave this code no line)"
        )
    pos = listing.position
    out = [f"{pos}  in {s.position.function}"]
    if not listing.found:
        out.append(f"(the source {pos.file} is not readable here; %list shows the instructions only)")
    for n, text in listing.lines:
        out.append(f"{'=>' if n == pos.line else '  '} {n:4d} | {text}")
        if n == pos.line:
            out += _instructions(listing)
    if not listing.lines:
        out += _instructions(listing)
    emit(pre_output("\n".join(out)))


def _instructions(listing: Any) -> list[str]:
    marks = ["->" if pc == listing.pc else "  " for pc in listing.pcs]
    return [f"        {m} {pc:4d}  {text}" for m, pc, text in zip(marks, listing.pcs, listing.instrs)]


@command("vars", "%vars", "the C variables in scope in the selected frame: type, value and where each "
         "lives (wasm local, memory at frame base + k, global, operand stack slot)", GROUP)  # fmt: skip
def cmd_vars(ws: Workspace, args: list[str], emit: Emit) -> None:
    s = session_of(ws)
    found = s.variables
    if not found:
        emit(rich("(no C variables here: the module has no DWARF, or none is in scope)"))
        return
    rows = [(v.name + (" (param)" if v.is_param else ""), v.type, v.value, v.where) for v in found]
    emit(table_output(["name", "type", "value", "where it lives"], rows, caption="C variables"))


def _lines(ws: Workspace, args: list[str], emit: Emit, move: Any) -> None:
    n = need_int(args[0], "the count") if args else 1

    def run(s: Any) -> Any:
        stop = None
        for _ in range(max(n, 1)):
            stop = move(s)
            if stop.kind not in ("step", "position") or s.finished or ws.interrupted:
                break
        return stop

    _move(ws, emit, run)


@command("nextl", "%nextl [N]", "run to the next C source line of this function, over calls (gdb's next)",
         GROUP, ("nl",))  # fmt: skip
def cmd_nextl(ws: Workspace, args: list[str], emit: Emit) -> None:
    _lines(ws, args, emit, lambda s: s.next_line())


@command("stepl", "%stepl [N]", "run to the next C source line, into called functions (gdb's step)",
         GROUP, ("sl",))  # fmt: skip
def cmd_stepl(ws: Workspace, args: list[str], emit: Emit) -> None:
    _lines(ws, args, emit, lambda s: s.step_line())


@command("backl", "%backl [N]", "back to the start of the previous C source line of this function "
         "(gdb's reverse-next)", GROUP, ("bl", "rnextl"))  # fmt: skip
def cmd_backl(ws: Workspace, args: list[str], emit: Emit) -> None:
    _lines(ws, args, emit, lambda s: s.back_line())


@command("cstack", "%cstack", "the C call stack: a frame per call, and per call the compiler inlined (-O2), "
         "each at its line, with its variables", GROUP, ("cbt",))  # fmt: skip
def cmd_cstack(ws: Workspace, args: list[str], emit: Emit) -> None:
    s = session_of(ws)
    frames = s.source_frames
    if not frames:
        emit(rich("(no C frames: the module has no DWARF, or the call has ended)"))
        return
    rows = []
    for f in reversed(frames):
        values = ", ".join(f"{v.name} = {v.value}" for v in f.variables)
        name = f.function + (" (inlined)" if f.inlined else "")
        rows.append((f"#{f.frame}", name, str(f.position) if f.position else "", values))
    emit(
        table_output(
            ["wasm frame", "function", "at", "variables"], rows, caption="C call stack, innermost first"
        )
    )
