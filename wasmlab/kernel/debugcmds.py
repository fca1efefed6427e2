"""The debugger's `%` commands: `%debug NAME ARGS...` opens a Session (and a live Debugger
widget); `%step`, `%next`, `%finish`, `%continue`, `%back`, `%rcontinue`, `%goto` move it;
`%break`, `%watch`, `%delete`, `%enable`, `%disable` arm it; `%stack`, `%frames`, `%locals`,
`%globals`, `%memory`, `%changes`, `%history`, `%where`, `%trace` read it."""

from __future__ import annotations

import re
from collections.abc import Iterator
from typing import Any

from wasmlab.errors import WasmError
from wasmlab.script import parse_arg

from .longoutput import cut_lines
from .outputs import CellError, Output, esc, graph_output, pre_output, rich, table
from .registry import Emit, UsageError, command, need_int
from .workspace import Workspace

GROUP = "debugger"


def open_session(instance: Any, name: str, *args: Any) -> Any:
    from wasmlab.debug import debug

    return debug(instance, name, *args)


def session_of(ws: Workspace) -> Any:
    s = ws.session
    if s is None:
        raise CellError(
            "NoSession", "no debug session", ["no debug session: start one with %debug NAME ARGS..."]
        )
    return s


# --- what a move shows --------------------------------------------------------------------


def source_excerpt(ws: Workspace, session: Any) -> tuple[str, str] | None:
    """(text, html) of the current instruction's source line with a caret."""
    func = session.function
    if func is None:
        return None
    pos = session.position
    span = pos.span
    entry = ws.entry_of(session.program.source_module(func))  # nested modules: their outer cell
    if span is None or entry is None or entry.source is None:
        return None
    lines = entry.source.splitlines()
    if not 1 <= span.line <= len(lines):
        return None
    line = lines[span.line - 1]
    c0 = span.col - 1
    c1 = (
        span.end_col - 1 if span.end_line == span.line and span.end_col > span.col else c0 + len(pos.op or "")
    )
    c1 = min(max(c1, c0 + 1), max(len(line), c0 + 1))
    caret = " " * c0 + "^" * (c1 - c0)
    text = f"{span.line:>5} | {line}\n      | {caret}"
    html_line = f"{esc(line[:c0])}<mark style='background:#ffd54f'>{esc(line[c0:c1])}</mark>{esc(line[c1:])}"
    html = f"<pre style='margin:0'>{span.line:>5} | {html_line}</pre>"
    return text, html


_OFFSET = re.compile(r"\boffset=(0[xX][0-9a-fA-F_]+|\d[\d_]*)")


def as_written(ws: Workspace, session: Any, text: str) -> str:
    """`offset=256` as the source wrote it (`offset=0x100`) when the current function's
    source (a cell) writes that offset so."""
    if "offset=" not in text:
        return text
    func = session.function
    entry = ws.entry_of(session.program.source_module(func)) if func is not None else None
    source = getattr(entry, "source", None)
    if not source:
        return text
    written: dict[int, str] = {}
    for m in _OFFSET.finditer(source):
        try:
            written.setdefault(int(m.group(1).replace("_", ""), 0), m.group(1))
        except ValueError:
            continue
    return _OFFSET.sub(
        lambda m: "offset=" + written.get(int(m.group(1).replace("_", ""), 0), m.group(1)), text
    )


def move_output(ws: Workspace, stop: Any) -> Output:
    s = session_of(ws)
    pos = s.position
    head = as_written(ws, s, getattr(stop, "reason", "") or "")
    where = as_written(ws, s, repr(pos))
    if pos.state == "returned":
        where = f"step {pos.step}: returned {_result_text(s)}"
    text = f"{where}\n{head}" if head else where
    html = f"<div><code>{esc(where)}</code></div><div style='color:#555'>{esc(head)}</div>"
    ex = source_excerpt(ws, s)
    if ex is not None:
        text += "\n" + ex[0]
        html += ex[1]
    if getattr(stop, "kind", "") in ("trap", "exhausted", "condition-error"):
        html = f"<div style='color:#b00020;font-weight:bold'>{esc(getattr(stop, 'kind', ''))}</div>" + html
    return rich(text, html)


def _result_text(s: Any) -> str:
    return s.results_text


def after_move(ws: Workspace, stop: Any, emit: Emit) -> None:
    # (the session's Debugger widgets have followed the move themselves: Session.on_move)
    emit(move_output(ws, stop))


def _move(ws: Workspace, emit: Emit, fn: Any) -> None:
    s = session_of(ws)
    stop = fn(s)
    after_move(ws, stop, emit)


# --- opening a session --------------------------------------------------------------------


@command("debug", "%debug [$module] NAME [ARGS...]",
         "debug a call of exported function NAME: a live Debugger paused before its first instruction",
         GROUP, args="export")  # fmt: skip
def cmd_debug(ws: Workspace, args: list[str], emit: Emit) -> None:
    if not args:
        raise UsageError("name an exported function")
    if args[0].startswith("$") and args[0] in ws.entries and len(args) > 1:
        entry = ws.entry(args[0])
        args = args[1:]
    else:
        entry = ws.find_export(args[0])
    name, raw = args[0], args[1:]
    func_type = entry.func_type(name)
    params = func_type.params if func_type is not None else ()
    if len(raw) != len(params):
        sig = " ".join(t.text for t in params) or "nothing"
        raise UsageError(
            f"{name} takes {len(params)} argument{'s' * (len(params) != 1)} ({sig}), got {len(raw)}"
        )
    values = [parse_arg(a, t) for a, t in zip(raw, params)]
    old = ws.session
    session = open_session(ws.debug_instance(entry), name, *values)
    if old is not None and hasattr(old, "close"):
        try:
            old.close()
        except WasmError:
            pass
    ws.session = session
    ws.session_entry = entry
    session.apply(ws.breaks)  # pending breakpoints, bound again by name / line
    out = move_output(ws, session.last_stop)
    widget = ws.make_debugger(session) if ws.show_widgets else None
    if widget is not None:
        data = dict(out.data)
        data["application/vnd.jupyter.widget-view+json"] = {
            "version_major": 2, "version_minor": 1, "model_id": widget.model_id,
        }  # fmt: skip
        emit(Output(data))
    else:
        emit(out)


# --- moves --------------------------------------------------------------------------------


def _count_arg(args: list[str], default: int = 1) -> int:
    if not args:
        return default
    n = need_int(args[0], "the count")
    if n < 0:
        raise UsageError("the count must be >= 0")
    return n


@command("step", "%step [N]", "execute N instructions (1), stopping early at breakpoints", GROUP, ("s",))
def cmd_step(ws: Workspace, args: list[str], emit: Emit) -> None:
    n = _count_arg(args)
    _move(ws, emit, lambda s: s.step(n))


@command("next", "%next [N]", "step over calls (N times)", GROUP, ("over", "n"))
def cmd_next(ws: Workspace, args: list[str], emit: Emit) -> None:
    n = _count_arg(args)

    def run(s: Any) -> Any:
        stop = None
        for _ in range(max(n, 1)):
            stop = s.step_over()
            if stop.kind != "step" or s.finished or ws.interrupted:
                break
        return stop

    _move(ws, emit, run)


@command("finish", "%finish", "run until the current function returns", GROUP, ("out",))
def cmd_finish(ws: Workspace, args: list[str], emit: Emit) -> None:
    _move(ws, emit, lambda s: s.finish())


@command(
    "continue", "%continue", "run to the next breakpoint, watchpoint, trap or the end", GROUP, ("c", "cont")
)
def cmd_continue(ws: Workspace, args: list[str], emit: Emit) -> None:
    _move(ws, emit, lambda s: s.continue_())


@command("back", "%back [N]", "go back N instructions (1) through the recorded history", GROUP)
def cmd_back(ws: Workspace, args: list[str], emit: Emit) -> None:
    n = _count_arg(args)
    _move(ws, emit, lambda s: s.back(n))


@command("rcontinue", "%rcontinue", "go back to the previous breakpoint or watchpoint stop (or the start)",
         GROUP, ("reverse",))  # fmt: skip
def cmd_rcontinue(ws: Workspace, args: list[str], emit: Emit) -> None:
    _move(ws, emit, lambda s: s.reverse_continue())


@command("goto", "%goto N", "go to the state after instruction number N (forwards or backwards)", GROUP)
def cmd_goto(ws: Workspace, args: list[str], emit: Emit) -> None:
    if len(args) != 1:
        raise UsageError("give a step number")
    n = need_int(args[0], "the step")
    _move(ws, emit, lambda s: s.goto(n))


# --- breakpoints and watchpoints ----------------------------------------------------------


def make_condition(expr: str) -> Any:
    """`$n == 3` / `n == 3 and step > 10` as a breakpoint condition, in the debugger's one
    expression language (the one of `%p` and `%watch expr`): locals as `$n` or `n` (`l0` for
    an unnamed one), `global $g`, `step`, `depth`, loads, WAT forms."""
    from wasmlab.debug import DebugError, PendingBreakpoint

    try:
        PendingBreakpoint(0, "x", condition=expr)
    except DebugError as e:
        raise UsageError(f"the condition does not parse: {e}") from None
    return expr.strip()


def _cond_text(b: Any) -> str:
    c = getattr(b, "condition", None)
    if c is None:
        return ""
    return c if isinstance(c, str) else (c.__doc__ or "<condition>")


def breakpoint_rows(ws: Workspace) -> list[tuple[Any, ...]]:
    rows: list[tuple[Any, ...]] = []
    s = ws.session
    for b in ws.breaks:
        bound = b.bound if b.session is s and s is not None else None
        where = bound.what if bound is not None else f"{b.where} (pending{': ' + b.error if b.error else ''})"
        rows.append(
            (b.id, "break", where, _cond_text(b), "on" if b.enabled else "off", b.hits if bound else 0)
        )
    if s is not None:
        for w in s.watchpoints:
            rows.append((f"w{w.id}", "watch", w.what, "", "on" if w.enabled else "off", w.hits))
    return rows


def _breakpoints_output(ws: Workspace) -> Output:
    text, html = table(
        ["#", "kind", "where", "condition", "enabled", "hits"],
        breakpoint_rows(ws),
        caption="breakpoints and watchpoints",
    )
    return rich(text, html)


def _where_spec(ws: Workspace, where: list[str]) -> dict[str, Any]:
    if where[0] == "line" and len(where) > 1:
        return {"line": need_int(where[1], "the line")}
    w = where[0]
    if w.startswith("@"):
        return {"at": need_int(w[1:], "the offset")}
    if w.isdigit():
        return {"line": int(w)}
    if ":" in w:  # CELL:LINE (a cell's execution count) or cell[N]:LINE; FILE.c:LINE (DWARF)
        cell, _, line = w.rpartition(":")
        if line.isdigit() and "." in cell and not cell.startswith("cell["):
            return {"func": w}  # a C source line of a module built with -g
        if line.isdigit():
            cell = cell if cell.startswith("cell[") else f"cell[{need_int(cell, 'the cell')}]"
            return {"line": int(line), "file": cell}
    return {"func": w}


@command("break", "%break [FUNC | @OFFSET | LINE | CELL:LINE | line N] [if CONDITION]",
         "stop at a function's entry, a byte offset or a source line (of cell CELL); set before %debug too: "
         "kept across sessions, bound again by name or line (no argument: list them)",
         GROUP, ("b",), args="func")  # fmt: skip
def cmd_break(ws: Workspace, args: list[str], emit: Emit) -> None:
    if not args:
        emit(_breakpoints_output(ws))
        return
    cond = None
    if "if" in args:
        i = args.index("if")
        expr = " ".join(args[i + 1 :])
        if not expr:
            raise UsageError("give a condition after 'if'")
        cond = make_condition(expr)
        args = args[:i]
    if not args:
        raise UsageError("say where: a function, @offset, a line number or CELL:LINE")
    spec = _where_spec(ws, args)
    func = spec.pop("func", None)
    s = ws.session
    if s is not None and not s.finished:
        # check the place first: a mistake is an error now, not a pending breakpoint
        if "file" not in spec:
            s.program.place(func, at=spec.get("at"), line=spec.get("line"))
    b = ws.breaks.add(func, condition=cond, **spec)
    if s is not None:
        b.bind(s)
        if b.bound is None and not s.finished:
            ws.breaks.delete(b.id)
            raise CellError("DebugError", b.error or "", [b.error or f"cannot break at {b.where}"])
    ws.refresh_widgets()
    if b.bound is not None:
        emit(rich(f"breakpoint {b.id} at {b.bound.what}" + (f" if {cond}" if cond else "")))
    else:
        emit(rich(f"breakpoint {b.id} at {b.where}" + (f" if {cond}" if cond else "")
                  + " (pending: bound when %debug starts a session)"))  # fmt: skip


def _memory_option(args: list[str], start: int = 0) -> tuple[int, list[str]]:
    """`mem N` among the arguments from `start` on: (N, the other arguments); (0, args) without."""
    if "mem" not in args[start:]:
        return 0, args
    i = args.index("mem", start)
    if i + 1 >= len(args):
        raise UsageError("give a memory index after 'mem'")
    return need_int(args[i + 1], "the memory index"), args[:i] + args[i + 2 :]


@command("watch", "%watch memory ADDR [SIZE] [mem N] | global NAME | local $NAME | expr EXPR",
         "stop after a write into [ADDR, ADDR+SIZE) of memory N (0), or to global NAME, by an instruction "
         "or a host function; or when a local of the selected frame, or an expression, changes value "
         "(forwards and with %rcontinue)", GROUP,
         args="watch")  # fmt: skip
def cmd_watch(ws: Workspace, args: list[str], emit: Emit) -> None:
    s = session_of(ws)
    if not args:
        emit(_breakpoints_output(ws))
        return
    memory, args = _memory_option(args, 1) if args[0] in ("memory", "mem") else (0, args)
    kind = args[0]
    if kind in ("memory", "mem"):
        if len(args) < 2:
            raise UsageError("give an address")
        addr = need_int(args[1], "the address")
        size = need_int(args[2], "the size") if len(args) > 2 else 4
        w = s.watch_memory(addr, size, memory)
    elif kind == "global":
        if len(args) < 2:
            raise UsageError("give a global (index, $name or export name)")
        g = args[1]
        w = s.watch_global(int(g) if g.isdigit() else g)
    elif kind == "local":
        if len(args) != 2:
            raise UsageError("give one local: $name or its index")
        w = s.watch_local(int(args[1]) if args[1].isdigit() else args[1])
    elif kind in ("expr", "expression"):
        if len(args) < 2:
            raise UsageError("give an expression")
        w = s.watch_expr(" ".join(args[1:]))
    elif kind.startswith("$"):
        w = s.watch_global(kind)
    else:
        addr = need_int(kind, "the address")
        size = need_int(args[1], "the size") if len(args) > 1 else 4
        w = s.watch_memory(addr, size)
    ws.refresh_widgets()
    emit(rich(f"watchpoint w{w.id} on {w.what}"))


def _find_item(ws: Workspace, spec: str) -> Any:
    if spec.startswith("w") and spec[1:].isdigit():
        n = int(spec[1:])
        s = ws.session
        for w in s.watchpoints if s is not None else ():
            if w.id == n:
                return w
        raise UsageError(f"no watchpoint w{n}")
    n = need_int(spec, "the breakpoint id")
    for b in ws.breaks:
        if b.id == n:
            return b
    raise UsageError(f"no breakpoint {n}")


@command("delete", "%delete ID... | all", "delete breakpoints (ID) and watchpoints (wID)", GROUP)
def cmd_delete(ws: Workspace, args: list[str], emit: Emit) -> None:
    s = ws.session
    if not args:
        raise UsageError("give breakpoint ids (w1 for a watchpoint) or all")
    if args == ["all"]:
        watches = list(s.watchpoints) if s is not None else []
        n = len(ws.breaks) + len(watches)
        for b in ws.breaks:
            ws.breaks.delete(b.id)
        for w in watches:
            w.delete()
        emit(rich(f"deleted {n} breakpoint{'s' * (n != 1)} and watchpoints"))
    else:
        items = [_find_item(ws, a) for a in args]
        for item in items:
            if hasattr(item, "bind"):
                ws.breaks.delete(item.id)
            else:
                item.delete()
        emit(rich("deleted " + ", ".join(args)))
    ws.refresh_widgets()


@command("enable", "%enable ID...", "enable breakpoints / watchpoints (wID)", GROUP)
def cmd_enable(ws: Workspace, args: list[str], emit: Emit) -> None:
    _switch_items(ws, args, emit, True)


@command("disable", "%disable ID...", "disable breakpoints / watchpoints (wID)", GROUP)
def cmd_disable(ws: Workspace, args: list[str], emit: Emit) -> None:
    _switch_items(ws, args, emit, False)


def _switch_items(ws: Workspace, args: list[str], emit: Emit, on: bool) -> None:
    if not args:
        raise UsageError("give breakpoint ids (w1 for a watchpoint)")
    for a in args:
        item = _find_item(ws, a)
        (item.enable if on else item.disable)()
    ws.refresh_widgets()
    emit(_breakpoints_output(ws))


@command("breakpoints", "%breakpoints | %info break",
         "list breakpoints (number, where, condition, enabled, hits; pending ones too) and watchpoints",
         GROUP, ("info",))  # fmt: skip
def cmd_breakpoints(ws: Workspace, args: list[str], emit: Emit) -> None:
    emit(_breakpoints_output(ws))


# --- expressions, frames, set var, reverse moves ------------------------------------------


@command("p", "%p EXPR", "evaluate in the selected frame: $i, global $g, $i + 4 > 3, i32.load 0x120, "
         "(i32.add (local.get $i) (i32.const 4)); typed, reads only (also %print EXPR while debugging)",
         GROUP, args="expr")  # fmt: skip
def cmd_p(ws: Workspace, args: list[str], emit: Emit) -> None:
    s = session_of(ws)
    if not args:
        raise UsageError("give an expression: $i, global $g, i32.load 0x120, (i32.add ...)")
    text = " ".join(args)
    v = s.eval(text)
    emit(rich(f"{text} = {v.text}"))


def _frame_output(ws: Workspace, s: Any) -> Output:
    f = s.selected_frame
    if f is None:
        return rich("(no frame)")
    at = "" if f.offset is None else f" @{f.offset:#x}"
    line = f" line {f.span.line}" if getattr(f, "span", None) is not None else ""
    text = f"#{f.index} {f.instance}.{f.function}{at}{line}: {f.instr}"
    return rich(text)


@command("frame", "%frame [N]", "select frame N (as %frames numbers them) for %locals, %stack, %p, %set; "
         "without N, the selected frame", GROUP, ("f",))  # fmt: skip
def cmd_frame(ws: Workspace, args: list[str], emit: Emit) -> None:
    _select(ws, emit, lambda s: s.select_frame(need_int(args[0], "the frame")) if args else None)


@command("up", "%up [N]", "select the frame N calls out (the caller)", GROUP)
def cmd_up(ws: Workspace, args: list[str], emit: Emit) -> None:
    _select(ws, emit, lambda s: s.up(_count_arg(args)))


@command("down", "%down [N]", "select the frame N calls in (towards the innermost)", GROUP)
def cmd_down(ws: Workspace, args: list[str], emit: Emit) -> None:
    _select(ws, emit, lambda s: s.down(_count_arg(args)))


def _select(ws: Workspace, emit: Emit, choose: Any) -> None:
    """Select a frame with `choose(session)`, then show the widgets and the selected frame."""
    s = session_of(ws)
    choose(s)
    ws.refresh_widgets()
    emit(_frame_output(ws, s))


_ASSIGN = re.compile(r"^(.*?)(?<![=!<>])=(?!=)(.*)$")
_BYTES = re.compile(r"^([0-9a-fA-F]{2}\s*)+$")
_TYPES = ("i32", "i64", "f32", "f64")


@command("set", "%set $LOCAL = VALUE | global NAME = VALUE | stack N = VALUE | memory ADDR = BYTES | TYPE VALUE",
         "change the state while paused (VALUE: a number or an expression; BYTES: hex like 01 02 03); "
         "the history records it: going back before it undoes it, forward again redoes it", GROUP,
         args="set")  # fmt: skip
def cmd_set(ws: Workspace, args: list[str], emit: Emit) -> None:
    s = session_of(ws)
    m = _ASSIGN.match(" ".join(args))
    if m is None:
        raise UsageError("write WHAT = VALUE: $i = 3, global $g = 1, stack 0 = 5, memory 0x100 = 01 02")
    lhs, rhs = m.group(1).split(), m.group(2).strip()
    if not lhs or not rhs:
        raise UsageError("write WHAT = VALUE: $i = 3, global $g = 1, stack 0 = 5, memory 0x100 = 01 02")
    kind = lhs[0]
    if kind == "var" and len(lhs) > 1:  # gdb's `set var $i = 3`
        lhs = lhs[1:]
        kind = lhs[0]
    if kind == "global" and len(lhs) == 2:
        v = s.set_global(int(lhs[1]) if lhs[1].isdigit() else lhs[1], rhs)
        text = f"global {lhs[1]} = {v.text}"
    elif kind == "stack" and len(lhs) == 2:
        v = s.set_stack(need_int(lhs[1], "the stack slot"), rhs)
        text = f"stack {lhs[1]} = {v.text}"
    elif kind in ("memory", "mem") and len(lhs) in (2, 3):
        addr = need_int(lhs[1], "the address")
        index = need_int(lhs[2], "the memory index") if len(lhs) == 3 else 0
        words = rhs.split()
        if _BYTES.match(rhs) and all(len(w) == 2 for w in words):
            raw = s.write_memory(addr, bytes.fromhex("".join(words)), index)
        elif words[0] in _TYPES and len(words) >= 2:
            raw = s.write_memory(addr, " ".join(words[1:]), index, type=words[0])
        else:
            raw = s.write_memory(addr, s.eval(rhs), index)
        text = f"memory {index} [{addr:#x}, {addr + len(raw):#x}) = {raw.hex(' ')}"
    elif kind == "local" and len(lhs) == 2 or kind.startswith("$") and len(lhs) == 1:
        name = lhs[-1]
        v = s.set_local(int(name) if name.isdigit() else name, rhs)
        text = f"{name} = {v.text}"
    else:
        raise UsageError(f"cannot set {' '.join(lhs)!r}: write $local, global NAME, stack N or memory ADDR")
    ws.refresh_widgets()
    emit(rich(f"{text} (at step {s.step_count}: recorded in the history)"))


@command("rstep", "%rstep", "one instruction back (gdb's reverse-stepi; %back 1)", GROUP, ("reverse-stepi",))
def cmd_rstep(ws: Workspace, args: list[str], emit: Emit) -> None:
    _move(ws, emit, lambda s: s.reverse_step())


@command("rnext", "%rnext", "back to the previous instruction of this frame, over calls (reverse-nexti)",
         GROUP, ("reverse-next",))  # fmt: skip
def cmd_rnext(ws: Workspace, args: list[str], emit: Emit) -> None:
    _move(ws, emit, lambda s: s.reverse_next())


@command("rfinish", "%rfinish", "back to the call instruction that made the current frame (reverse-finish)",
         GROUP, ("reverse-finish",))  # fmt: skip
def cmd_rfinish(ws: Workspace, args: list[str], emit: Emit) -> None:
    _move(ws, emit, lambda s: s.reverse_finish())


# --- views --------------------------------------------------------------------------------


def _view(obj: Any, text: str | None = None) -> Output:
    html = obj._repr_html_() if hasattr(obj, "_repr_html_") else None
    return rich(text if text is not None else repr(obj), html)


@command(
    "where", "%where", "where the session is: step, function, instruction, source line", GROUP, ("position",)
)
def cmd_where(ws: Workspace, args: list[str], emit: Emit) -> None:
    s = session_of(ws)
    stop = s.last_stop  # what the last move did is not news now; how the run ended still is
    emit(move_output(ws, stop if getattr(stop, "kind", "") in ENDINGS else None))


ENDINGS = ("trap", "exhausted", "exit", "condition-error")


@command("stack", "%stack", "the value stack, top first, with types", GROUP)
def cmd_stack(ws: Workspace, args: list[str], emit: Emit) -> None:
    s = session_of(ws)
    st = s.stack
    segments = list(st.segments)
    k = s.selected_index
    caption = "value stack (top first)"
    if k is not None and k != len(segments) - 1 and len(segments) == len(s.frames):
        segments = [segments[k]]  # the selected frame's operands (%frame, %up)
        caption = f"value stack of frame #{k} (top first)"
    rows = [(seg.owner, v.text) for seg in segments for v in seg.values][::-1]
    text, html = table(["frame", "value"], rows, caption=caption)
    emit(rich(text, html))


@command(
    "heap",
    "%heap [N]",
    "the GC objects reachable from the locals, the value stack and the globals, drawn (the last move's "
    "allocations and writes filled; N: array elements shown, 8)",
    GROUP,
)
def cmd_heap(ws: Workspace, args: list[str], emit: Emit) -> None:
    s = session_of(ws)
    n = need_int(args[0], "the number of array elements") if args else 8
    view = s.heap(max_elements=n)
    if not len(view):
        emit(rich(f"(no GC objects reachable at step {view.step})"))
        return
    emit(graph_output(view.graph(), f"heap at step {view.step}: {len(view)} objects"))


@command("frames", "%frames", "the call stack with locals and labels", GROUP, ("bt", "backtrace"))
def cmd_frames(ws: Workspace, args: list[str], emit: Emit) -> None:
    s = session_of(ws)
    fs = s.frames
    rows = []
    for k in reversed(range(len(fs))):
        f = fs[k]
        at = "" if f.offset is None else f"{f.offset:#x}"
        rows.append((f.index, f"{f.instance}.{f.function}", f.pc, at, as_written(ws, s, f.instr),
                     ", ".join(f"{n}={v.text}" for n, v in f.locals.items())))  # fmt: skip
    text, html = table(
        ["#", "function", "pc", "offset", "next", "locals"], rows, caption="frames (innermost first)"
    )
    emit(rich(text, html))


@command("locals", "%locals [FRAME]", "the locals of the current (or a given) frame", GROUP)
def cmd_locals(ws: Workspace, args: list[str], emit: Emit) -> None:
    s = session_of(ws)
    fs = s.frames
    if not len(fs):
        emit(rich("(no frame: the call has returned)" if s.finished else "(no frames)"))
        return
    k = need_int(args[0], "the frame") if args else s.selected_index
    if not 0 <= k < len(fs):
        raise UsageError(f"no frame {k}: frames are 0 to {len(fs) - 1}")
    f = fs[k]
    changed = {c.name for c in s.changes.locals} if k == len(fs) - 1 else set()
    names = list(f.locals)
    rows = [(n, f.locals[n].text) for n in names]
    hl = {i for i, n in enumerate(names) if n in changed}
    text, html = table(["local", "value"], rows, caption=f"locals of #{f.index} {f.function}", highlight=hl)
    emit(rich(text, html))


@command("globals", "%globals", "the debugged instance's globals", GROUP)
def cmd_globals(ws: Workspace, args: list[str], emit: Emit) -> None:
    s = session_of(ws)
    gs = s.globals
    changed = {c.name for c in s.changes.globals}
    items = [gs[k] for k in range(len(gs))]
    rows = [(g.index, g.name, ("mut " if g.mutable else "") + g.type.text, g.value.text) for g in items]
    hl = {i for i, g in enumerate(items) if g.name in changed}
    text, html = table(["#", "name", "type", "value"], rows, caption="globals", highlight=hl)
    emit(rich(text, html))


def hexdump_output(data: bytes, base: int, changed: list[tuple[int, int]], title: str) -> Output:
    lines = []
    html_rows = []
    hot = set()
    for lo, hi in changed:
        hot.update(range(max(lo, base), min(hi, base + len(data))))
    w = 8 if base + len(data) <= 1 << 32 else 12  # (addresses past 4 GiB: a 64-bit memory)
    for a in range(0, len(data), 16):
        row = data[a : a + 16]
        hx = " ".join(f"{b:02x}" for b in row)
        asc = "".join(chr(b) if 32 <= b < 127 else "." for b in row)
        lines.append(f"{base + a:0{w}x}  {hx:<47}  {asc}")
        cells = []
        for i, b in enumerate(row):
            cell = f"{b:02x}"
            if base + a + i in hot:
                cell = f"<span style='background:#ffb74d'>{cell}</span>"
            cells.append(cell)
        html_rows.append(f"{base + a:0{w}x}  {' '.join(cells)}{'   ' * (16 - len(row))}  {esc(asc)}")
    text = title + "\n" + "\n".join(lines)
    html = f"<div style='font-weight:bold'>{esc(title)}</div><pre>" + "\n".join(html_rows) + "</pre>"
    return rich(text, html)


@command("memory", "%memory [$INSTANCE] [MEM] [ADDR [LEN]] | [ADDR [LEN]] [mem N]",
         "a hex dump of memory MEM (0) of the debug session (of any instance it knows: $INSTANCE), or of "
         "the latest module (or module $INSTANCE) when the session has ended and a module was defined "
         "after it (bytes the last move changed are marked)",
         GROUP, ("mem", "x"))  # fmt: skip
def cmd_memory(ws: Workspace, args: list[str], emit: Emit) -> None:
    index, args = _memory_option(args)
    inst = None
    if args and args[0].startswith("$"):
        inst, args = args[0], args[1:]
    if len(args) == 3:  # MEM ADDR LEN
        index, args = need_int(args[0], "the memory index"), args[1:]
    if len(args) > 2:
        raise UsageError(f"unexpected {args[2]!r}")
    if inst is not None:
        _memory_of_instance(ws, inst, index, args, emit)
        return
    addr = need_int(args[0], "the address") if args else 0
    n = need_int(args[1], "the length") if len(args) > 1 else 64
    if n <= 0 or n > 1 << 20:
        raise UsageError("the length must be between 1 and 1048576")
    s = ws.session
    # the session's memory while it runs, or when it debugs the latest module; else the latest's
    if s is not None and (not s.finished or ws.session_entry is ws.current):
        mem = s.memory(index)
        changed = [(c.lo, c.hi) for c in s.changes.memory if c.memory == index]
        data = mem.read(addr, min(n, max(len(mem) - addr, 0))) if addr < len(mem) else b""
        if addr >= len(mem) or addr < 0:
            raise UsageError(f"address {addr:#x} is outside memory {index} ({len(mem):#x} bytes)")
        emit(
            hexdump_output(
                data, addr, changed, f"memory {index} [{addr:#x}, {addr + len(data):#x}) of {len(mem)} bytes"
            )
        )
        return
    entry = ws.entry()
    mems = entry.memories
    if not 0 <= index < len(mems):
        raise UsageError(f"{entry.label} has {len(mems)} memories")
    raw = mems[index]
    if not 0 <= addr < len(raw):
        raise UsageError(f"address {addr:#x} is outside memory {index} ({len(raw):#x} bytes)")
    data = bytes(raw[addr : addr + n])
    emit(
        hexdump_output(data, addr, [], f"memory {index} of {entry.label} [{addr:#x}, {addr + len(data):#x})")
    )


def _memory_of_instance(ws: Workspace, name: str, index: int, args: list[str], emit: Emit) -> None:
    from wasmlab.debug import DebugError

    addr = need_int(args[0], "the address") if args else 0
    n = need_int(args[1], "the length") if len(args) > 1 else 64
    if n <= 0 or n > 1 << 20:
        raise UsageError("the length must be between 1 and 1048576")
    s = ws.session
    raw: Any = None
    label = name
    if s is not None:
        try:
            raw = s.memory(index, instance=name)
        except DebugError:
            raw = None
    if raw is None:
        if name not in ws.entries:
            raise UsageError(f"no instance {name} in the debug session and no module {name}")
        mems = ws.entry(name).memories
        if not 0 <= index < len(mems):
            raise UsageError(f"{name} has {len(mems)} memories")
        raw = mems[index]
    size = len(raw)
    if not 0 <= addr < size:
        raise UsageError(f"address {addr:#x} is outside memory {index} of {label} ({size:#x} bytes)")
    data = bytes(raw[addr : addr + n])
    emit(hexdump_output(data, addr, [], f"memory {index} of {label} [{addr:#x}, {addr + len(data):#x})"))


@command("changes", "%changes", "what the last move changed: memory, globals, locals, stack", GROUP)
def cmd_changes(ws: Workspace, args: list[str], emit: Emit) -> None:
    emit(_view(session_of(ws).changes))


@command("history", "%history", "the recorded timeline: moves, checkpoints, host calls", GROUP)
def cmd_history(ws: Workspace, args: list[str], emit: Emit) -> None:
    emit(_view(session_of(ws).history))


@command("trace", "%trace [N]", "execute N instructions (20) one by one, a line each: step, depth, offset, "
         "instruction, operands, stack after", GROUP)  # fmt: skip
def cmd_trace(ws: Workspace, args: list[str], emit: Emit) -> None:
    s = session_of(ws)
    n = _count_arg(args, 20)
    try:
        from wasmlab.debug import TRACE_HEADER as header
    except ImportError:
        header = ""

    def records() -> Iterator[str]:
        for rec in s.trace(limit=n):
            yield str(rec)
            if ws.interrupted:
                break

    lines, kept = cut_lines(records(), "trace")  # millions of lines: a file, not memory
    ws.keep_output(kept)
    ws.refresh_widgets()
    body = "\n".join([header, *lines] if header else lines)
    emit(pre_output(body if lines else "(nothing ran: the call has ended)", f"trace of {n} instructions"))
    emit(move_output(ws, None))


__all__ = ["make_condition", "move_output", "open_session", "session_of"]
