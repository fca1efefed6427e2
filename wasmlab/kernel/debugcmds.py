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
from .outputs import CellError, Output, esc, pre_output, rich, table
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


def move_output(ws: Workspace, stop: Any) -> Output:
    s = session_of(ws)
    pos = s.position
    head = getattr(stop, "reason", "")
    where = repr(pos)
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
    ws.refresh_widgets()
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
    _move(ws, emit, lambda s: s.step_out())


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


_DOLLAR = re.compile(r"\$([A-Za-z_][A-Za-z0-9_]*)")
_SAFE_BUILTINS = {"abs": abs, "min": min, "max": max, "len": len, "int": int, "float": float, "bool": bool}


def make_condition(expr: str) -> Any:
    """`n == 3` / `$n == 3 and step > 10` as a breakpoint condition: names are the top frame's
    locals (without `$`; unnamed ones as `l0`, `l1`...), the globals, `step`, `stack`, `depth`."""
    text = _DOLLAR.sub(r"\1", expr)
    try:
        code = compile(text, "<condition>", "eval")
    except SyntaxError as e:
        raise UsageError(f"the condition does not parse: {e.msg}") from None

    def condition(s: Any) -> Any:
        ns: dict[str, Any] = {}
        gs = s.globals
        for k in range(len(gs)):
            g = gs[k]
            key = g.name.lstrip("$")
            ns[key if key.isidentifier() else f"g{g.index}"] = g.value.value
        fs = s.frames
        if len(fs):
            for name, v in fs[len(fs) - 1].locals.items():
                key = name[1:] if name.startswith("$") else f"l{name}"
                ns[key] = v.value
        ns["step"] = s.step_count
        ns["depth"] = len(fs)
        ns["stack"] = [v.value for v in s.stack]
        return eval(code, {"__builtins__": _SAFE_BUILTINS}, ns)  # noqa: S307 - the user's own expression

    condition.__doc__ = expr
    return condition


def breakpoint_rows(s: Any) -> list[tuple[Any, ...]]:
    rows: list[tuple[Any, ...]] = []
    for b in s.breakpoints:
        cond = (
            f" if {b.condition.__doc__}"
            if b.condition is not None and b.condition.__doc__
            else (" if <condition>" if b.condition else "")
        )
        rows.append((b.id, "break", f"{b.what}{cond}", "on" if b.enabled else "off", b.hits))
    for w in s.watchpoints:
        rows.append((f"w{w.id}", "watch", w.what, "on" if w.enabled else "off", getattr(w, "hits", "")))
    return rows


def _breakpoints_output(s: Any) -> Output:
    text, html = table(
        ["id", "kind", "where", "enabled", "hits"], breakpoint_rows(s), caption="breakpoints and watchpoints"
    )
    return rich(text, html)


@command("break", "%break [FUNC | @OFFSET | LINE | line N] [if CONDITION]",
         "stop at a function's entry, a byte offset or a source line (no argument: list them)",
         GROUP, ("b",), args="func")  # fmt: skip
def cmd_break(ws: Workspace, args: list[str], emit: Emit) -> None:
    s = session_of(ws)
    if not args:
        emit(_breakpoints_output(s))
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
        raise UsageError("say where: a function, @offset or a line number")
    where = args[0]
    if where == "line" and len(args) > 1:
        bp = s.break_at(line=need_int(args[1], "the line"), condition=cond)
    elif where.startswith("@"):
        bp = s.break_at(at=need_int(where[1:], "the offset"), condition=cond)
    elif where.isdigit():
        bp = s.break_at(line=int(where), condition=cond)
    else:
        bp = s.break_at(where, condition=cond)
    ws.refresh_widgets()
    emit(rich(f"breakpoint {bp.id} at {bp.what}" + (f" if {cond.__doc__}" if cond else "")))


def _memory_option(args: list[str], start: int = 0) -> tuple[int, list[str]]:
    """`mem N` among the arguments from `start` on: (N, the other arguments); (0, args) without."""
    if "mem" not in args[start:]:
        return 0, args
    i = args.index("mem", start)
    if i + 1 >= len(args):
        raise UsageError("give a memory index after 'mem'")
    return need_int(args[i + 1], "the memory index"), args[:i] + args[i + 2 :]


@command("watch", "%watch memory ADDR [SIZE] [mem N] | global NAME",
         "stop after a write into [ADDR, ADDR+SIZE) of memory N (0), or to global NAME, by an instruction "
         "or a host function", GROUP,
         args="watch")  # fmt: skip
def cmd_watch(ws: Workspace, args: list[str], emit: Emit) -> None:
    s = session_of(ws)
    if not args:
        emit(_breakpoints_output(s))
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
    elif kind.startswith("$"):
        w = s.watch_global(kind)
    else:
        addr = need_int(kind, "the address")
        size = need_int(args[1], "the size") if len(args) > 1 else 4
        w = s.watch_memory(addr, size)
    emit(rich(f"watchpoint w{w.id} on {w.what}"))


def _find_item(s: Any, spec: str) -> Any:
    if spec.startswith("w") and spec[1:].isdigit():
        n = int(spec[1:])
        for w in s.watchpoints:
            if w.id == n:
                return w
        raise UsageError(f"no watchpoint w{n}")
    n = need_int(spec, "the breakpoint id")
    for b in s.breakpoints:
        if b.id == n:
            return b
    raise UsageError(f"no breakpoint {n}")


@command("delete", "%delete ID... | all", "delete breakpoints (ID) and watchpoints (wID)", GROUP)
def cmd_delete(ws: Workspace, args: list[str], emit: Emit) -> None:
    s = session_of(ws)
    if not args:
        raise UsageError("give breakpoint ids (w1 for a watchpoint) or all")
    if args == ["all"]:
        n = len(s.breakpoints) + len(s.watchpoints)
        for item in [*s.breakpoints, *s.watchpoints]:
            item.delete()
        emit(rich(f"deleted {n} breakpoint{'s' * (n != 1)} and watchpoints"))
    else:
        items = [_find_item(s, a) for a in args]
        for item in items:
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
    s = session_of(ws)
    for a in args:
        item = _find_item(s, a)
        (item.enable if on else item.disable)()
    ws.refresh_widgets()
    emit(_breakpoints_output(s))


@command("breakpoints", "%breakpoints", "list breakpoints and watchpoints", GROUP, ("info",))
def cmd_breakpoints(ws: Workspace, args: list[str], emit: Emit) -> None:
    emit(_breakpoints_output(session_of(ws)))


# --- views --------------------------------------------------------------------------------


def _view(obj: Any, text: str | None = None) -> Output:
    html = obj._repr_html_() if hasattr(obj, "_repr_html_") else None
    return rich(text if text is not None else repr(obj), html)


@command(
    "where", "%where", "where the session is: step, function, instruction, source line", GROUP, ("position",)
)
def cmd_where(ws: Workspace, args: list[str], emit: Emit) -> None:
    s = session_of(ws)
    emit(move_output(ws, s.last_stop))


@command("stack", "%stack", "the value stack, top first, with types", GROUP)
def cmd_stack(ws: Workspace, args: list[str], emit: Emit) -> None:
    s = session_of(ws)
    st = s.stack
    rows = [(seg.owner, v.text) for seg in st.segments for v in seg.values][::-1]
    text, html = table(["frame", "value"], rows, caption="value stack (top first)")
    emit(rich(text, html))


@command("frames", "%frames", "the call stack with locals and labels", GROUP, ("bt", "backtrace"))
def cmd_frames(ws: Workspace, args: list[str], emit: Emit) -> None:
    fs = session_of(ws).frames
    rows = []
    for k in reversed(range(len(fs))):
        f = fs[k]
        at = "" if f.offset is None else f"{f.offset:#x}"
        rows.append((f.index, f"{f.instance}.{f.function}", f.pc, at, f.instr,
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
    k = need_int(args[0], "the frame") if args else len(fs) - 1
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
    for a in range(0, len(data), 16):
        row = data[a : a + 16]
        hx = " ".join(f"{b:02x}" for b in row)
        asc = "".join(chr(b) if 32 <= b < 127 else "." for b in row)
        lines.append(f"{base + a:08x}  {hx:<47}  {asc}")
        cells = []
        for i, b in enumerate(row):
            cell = f"{b:02x}"
            if base + a + i in hot:
                cell = f"<span style='background:#ffb74d'>{cell}</span>"
            cells.append(cell)
        html_rows.append(f"{base + a:08x}  {' '.join(cells)}{'   ' * (16 - len(row))}  {esc(asc)}")
    text = title + "\n" + "\n".join(lines)
    html = f"<div style='font-weight:bold'>{esc(title)}</div><pre>" + "\n".join(html_rows) + "</pre>"
    return rich(text, html)


@command("memory", "%memory [ADDR [LEN]] [mem N]",
         "a hex dump of memory N (0) of the debug session, or of the latest module when the session has "
         "ended and a module was defined after it (bytes the last move changed are marked)",
         GROUP, ("mem", "x"))  # fmt: skip
def cmd_memory(ws: Workspace, args: list[str], emit: Emit) -> None:
    index, args = _memory_option(args)
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
            raise UsageError(f"address {addr} is outside memory {index} ({len(mem)} bytes)")
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
        raise UsageError(f"address {addr} is outside memory {index} ({len(raw)} bytes)")
    data = bytes(raw[addr : addr + n])
    emit(
        hexdump_output(data, addr, [], f"memory {index} of {entry.label} [{addr:#x}, {addr + len(data):#x})")
    )


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
