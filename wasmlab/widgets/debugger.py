"""The live Debugger widget: controls, source with the current instruction, value stack,
call stack with locals, globals, a memory hex view and graph views, for one `Session`; for
a module compiled with `-g`, a C view (the C source with the current line, breakpoints by
line, the wasm instructions of the line folded under it, moves by line) and the C variables
with where each lives (`cview`).

Python holds the state (synced traits); the browser side (static/debugger.js) renders it
and sends `{"action": ...}` messages for buttons. `send_action` runs the same handler, so
tests drive the widget without a browser. Every move refreshes the traits.
"""

from __future__ import annotations

import weakref
from pathlib import Path
from typing import Any

import anywidget
import traitlets as t

from wasmlab.errors import WasmError

from .cview import CView
from .sources import SourceCache, SourceLookup, span_dict

STATIC = Path(__file__).parent / "static"

#: bytes of memory shown by default; the benchmark uses 64 KiB
DEFAULT_WINDOW = 256
MAX_WINDOW = 1 << 20

ACTIONS = ("step", "over", "out", "continue", "back", "reverse_continue", "reset", "memory", "graph",
           "toggle_break", "refresh", "goto", "add_watch", "remove_watch", "next_line", "step_line",
           "back_line", "finish", "view", "toggle_c_break", "c_file")  # fmt: skip
VIEWS = ("c", "wat")


def _row(value: Any, changed: bool = False, **extra: Any) -> dict[str, Any]:
    """A typed value as the view shows it: type, value text, whether the last move changed it."""
    text = value.text if hasattr(value, "text") else str(value)
    typ, _, rest = text.partition(" ")
    if value is not None and getattr(value, "type", None) is not None:
        return {"type": value.type.text, "value": rest if rest else text, "changed": changed, **extra}
    return {"type": "?", "value": text, "changed": changed, **extra}


#: what the graph pane can show
GRAPH_KINDS = ("none", "cfg", "calls", "heap")


class Debugger(anywidget.AnyWidget):
    """`Debugger(session)`: a live view of a `wasmlab.debug` Session with step/over/out/
    continue/back/reverse-continue/reset buttons.

    `sources(module) -> (text, filename) | None` tells where a module's text is (the kernel
    passes its cells), or `sources` is the debugged module's text; without it, modules are
    printed as WAT. `memory_window` bytes of
    memory `memory_index` are shown, starting at `memory_base`; `graph` is "none", "cfg"
    (the current function, its current block highlighted), "calls" or "heap" (the GC objects
    reachable from the locals, the stack and the globals; the last move's writes filled).

    A module compiled with `-g` (DWARF) opens in the C view (`view` "c"; "wat" switches):
    the C source (found where the compiler recorded it, else by name in
    `session.source_dirs`) with the current line, breakpoints by line, the line's wasm
    instructions, buttons for next/step/back line and finish, and the Variables pane: each C
    variable of the selected frame with its type, value and where it lives.
    """

    _esm = STATIC / "debugger.js"
    _css = STATIC / "debugger.css"

    title = t.Unicode("").tag(sync=True)
    position = t.Unicode("").tag(sync=True)
    run_state = t.Unicode("paused").tag(sync=True)
    stop_kind = t.Unicode("start").tag(sync=True)
    error = t.Unicode("").tag(sync=True)
    busy = t.Bool(False).tag(sync=True)
    source = t.Unicode("").tag(sync=True)
    source_first_line = t.Int(1).tag(sync=True)
    current = t.Dict(allow_none=True, default_value=None).tag(sync=True)
    breakpoint_lines = t.List(t.Int()).tag(sync=True)
    stack = t.List(t.Dict()).tag(sync=True)
    frames = t.List(t.Dict()).tag(sync=True)
    globals = t.List(t.Dict()).tag(sync=True)
    memory = t.Bytes(b"").tag(sync=True)
    mem_index = t.Int(0).tag(sync=True)
    mem_base = t.Int(0).tag(sync=True)
    mem_size = t.Int(DEFAULT_WINDOW).tag(sync=True)
    mem_total = t.Int(0).tag(sync=True)
    mem_changed = t.List(t.List(t.Int())).tag(sync=True)
    mem_focus = t.Int(None, allow_none=True).tag(sync=True)
    graph_kind = t.Unicode("none").tag(sync=True)
    graph_svg = t.Unicode("").tag(sync=True)
    #: the watch list (DevTools' watch expressions): each {"expr", "type", "value", "changed",
    #: "error"}, evaluated with `Session.eval` in the selected frame after every move
    watches = t.List(t.Dict()).tag(sync=True)
    #: "c" (the C source, for a module with DWARF) or "wat"
    view = t.Unicode("wat").tag(sync=True)
    has_c = t.Bool(False).tag(sync=True)
    c_files = t.List(t.Unicode()).tag(sync=True)  # the readable C sources
    c_file = t.Unicode("").tag(sync=True)  # the one on show
    c_source = t.Unicode("").tag(sync=True)
    c_code_lines = t.List(t.Int()).tag(sync=True)  # its lines that have code
    c_line = t.Int(0).tag(sync=True)  # the current line in it (0: elsewhere)
    c_col = t.Int(0).tag(sync=True)
    c_frame_line = t.Int(0).tag(sync=True)  # elsewhere: the innermost caller's line in it
    c_position = t.Unicode("").tag(sync=True)  # "grades.c:27:13 in main()"
    c_instrs = t.List(t.Dict()).tag(sync=True)  # the current line's wasm: {"pc", "text", "current"}
    c_breakpoint_lines = t.List(t.Int()).tag(sync=True)
    #: the C variables of the selected frame: {"name", "type", "value", "where", "is_param",
    #: "changed", "error"}
    variables = t.List(t.Dict()).tag(sync=True)

    def __init__(self, session: Any, *, sources: SourceLookup | None = None, memory_window: int = DEFAULT_WINDOW,
                 memory_base: int = 0, memory_index: int = 0, graph: str = "none", follow_memory: bool = True,
                 on_move: Any = None, **kwargs: Any) -> None:  # fmt: skip
        # plain attributes first: the initial state goes out with the widget's comm_open
        self.session = session
        if isinstance(sources, str):  # the debugged module's own text
            text, root = sources, session.program.root.module
            sources = lambda m: (text, None) if m is root else None  # noqa: E731
        self.sources = SourceCache(sources)
        self.follow_memory = follow_memory
        self.on_move = on_move  # called with the Stop after a move made by this widget
        self._graph_cache: dict[tuple, str] = {}
        self.last_stop: Any = None
        self.watch_exprs: list[str] = []
        self._watch_last: dict[str, str] = {}
        self.cview = CView(session)
        inputs = {
            "mem_index": memory_index,
            "mem_size": max(16, min(int(memory_window), MAX_WINDOW)),
            "mem_base": max(0, int(memory_base)),
            "graph_kind": graph if graph in GRAPH_KINDS else "none",
        }
        state = self.snapshot(True, inputs)
        state["title"] = f"debug {getattr(session, 'name', '')}"
        state["view"] = "c" if state["has_c"] else "wat"
        super().__init__(**state, **kwargs)
        self.on_msg(self._on_custom)
        self._handling = False
        # follow the session's moves, whoever makes them (a weak method: the session does
        # not keep a closed widget alive)
        follow = weakref.WeakMethod(self._session_moved)
        self._unfollow = session.on_move(lambda stop: (m := follow()) is not None and m(stop))

    def _session_moved(self, stop: Any) -> None:
        self.last_stop = stop
        if not self._handling:  # (a move of this widget's own refreshes below)
            try:
                self.refresh(follow=True)
            except Exception as e:  # a broken view must not break the move that was made
                self.error = f"could not show the new state: {e}"

    def close(self) -> None:
        self._unfollow()
        super().close()

    # --- actions ---------------------------------------------------------------------------

    def send_action(self, action: str, **content: Any) -> Any:
        """Do what a button does: `step`, `over`, `out`, `continue`, `back`, `reverse_continue`,
        `reset`, `goto` (n=), `memory` (addr=, size=), `graph` (kind=), `toggle_break` (line=),
        `refresh`; for C (-g): `next_line`, `step_line`, `back_line`, `finish`, `view` (kind=
        "c" or "wat"), `toggle_c_break` (line=, of the C file on show), `c_file` (file=). Returns the session's Stop for moves; errors land in the `error` trait."""
        return self._handle({"action": action, **content})

    def _on_custom(self, widget: Any, content: Any, buffers: Any) -> None:
        if isinstance(content, dict):
            self._handle(content)

    def _handle(self, content: dict[str, Any]) -> Any:
        action = content.get("action")
        s = self.session
        stop = None
        self.busy = True
        self._handling = True
        try:
            self.error = ""
            if action == "step":
                stop = s.step(int(content.get("n", 1)))
            elif action == "over":
                stop = s.step_over()
            elif action == "out":
                stop = s.step_out()
            elif action == "continue":
                stop = s.continue_()
            elif action == "back":
                stop = s.back(int(content.get("n", 1)))
            elif action == "next_line":
                stop = s.next_line()
            elif action == "step_line":
                stop = s.step_line()
            elif action == "back_line":
                stop = s.back_line()
            elif action == "finish":
                stop = s.finish()
            elif action == "view":
                kind = str(content.get("kind", "wat"))
                if kind not in VIEWS:
                    raise ValueError(f"no view {kind!r} (c or wat)")
                if kind == "c" and not self.has_c:
                    raise WasmError(
                        "no C view: the module has no DWARF debug information (compile it with -g)"
                    )
                self.view = kind
            elif action == "toggle_c_break":
                self.cview.toggle_break(int(content["line"]))
            elif action == "c_file":
                self.cview.choose(str(content["file"]))
            elif action == "reverse_continue":
                stop = s.reverse_continue()
            elif action == "reset":
                stop = s.goto(0)
            elif action == "goto":
                stop = s.goto(int(content["n"]))
            elif action == "memory":
                self._move_window(int(content.get("addr", 0)), content.get("size"))
            elif action == "graph":
                kind = str(content.get("kind", "none"))
                self.graph_kind = kind if kind in GRAPH_KINDS else "none"
            elif action == "add_watch":
                self.add_watch(str(content["expr"]))
            elif action == "remove_watch":
                del self.watch_exprs[int(content["index"])]
            elif action == "toggle_break":
                self._toggle_break(int(content["line"]))
            elif action != "refresh":
                self.error = f"unknown action {action!r}"
        except WasmError as e:
            self.error = str(e)
        except (KeyError, TypeError, ValueError) as e:
            self.error = f"bad {action} message: {e}"
        finally:
            self.busy = False
            self._handling = False
        if stop is not None:
            self.last_stop = stop
        self.refresh(follow=stop is not None)
        if stop is not None and self.on_move is not None:
            self.on_move(stop)
        return stop

    def add_watch(self, expr: str) -> None:
        """Add an expression to the watch list (`$i`, `global $g`, `i32.load 0x400`...)."""
        expr = expr.strip()
        if expr and expr not in self.watch_exprs:
            self.watch_exprs.append(expr)
        self.refresh(follow=False)

    def _snap_watches(self, st: dict[str, Any]) -> None:
        rows = []
        for e in self.watch_exprs:
            try:
                v = self.session.eval(e)
                row = _row(v, expr=e, error="")
            except WasmError as err:
                row = {"expr": e, "type": "", "value": "", "changed": False, "error": str(err)}
            key = row["type"] + " " + row["value"]
            row["changed"] = e in self._watch_last and self._watch_last[e] != key and not row["error"]
            self._watch_last[e] = key
            rows.append(row)
        st["watches"] = rows

    def _move_window(self, addr: int, size: Any = None) -> None:
        if size is not None:
            self.mem_size = max(16, min(int(size), MAX_WINDOW))
        self.mem_base = max(0, addr - addr % 16 - 16 * 4)
        self.mem_focus = addr

    def _toggle_break(self, line: int) -> None:
        s = self.session
        view, module = self._current_source()
        if view is None:
            return
        places = self._places_on_line(view, module, line)
        if not places:
            raise WasmError(f"no instruction on line {line}")
        for bp in list(s.breakpoints):
            if any(self._line_of(f, pc) == line for f, pc in bp.places):
                bp.delete()
                return
        if view.original:
            s.break_at(line=line)
        else:
            for f, pc in places:
                off = s.program.offset(f, pc)
                if off is None:
                    raise WasmError("this module has no byte offsets to set a breakpoint at")
                s.break_at(at=off)

    def _places_on_line(self, view: Any, module: Any, line: int) -> list:
        inst = self._current_instance()
        out = []
        for funcidx, pc in view.places_on_line(line):
            if inst is not None and 0 <= funcidx < len(inst.funcs):
                out.append((inst.funcs[funcidx], pc))
        return out

    # --- reading the session -----------------------------------------------------------------

    def _current_instance(self) -> Any:
        return self.session.instance

    def _current_source(self) -> tuple[Any, Any]:
        inst = self._current_instance()
        if inst is None:
            return None, None
        return self.sources.get(inst.module), inst.module

    def _line_of(self, f: Any, pc: int) -> int | None:
        if f.module is None:
            return None
        view = self.sources.get(f.module.module)
        sp = view.span(f.index, pc)
        return sp.line if sp is not None else None

    def refresh(self, follow: bool = True) -> None:
        """Read the session into the traits (one message to the browser). `follow`: move the
        memory window to what the last move changed (when that is outside the window)."""
        st = self.snapshot(follow)
        with self.hold_sync():
            for k, v in st.items():
                setattr(self, k, v)

    def snapshot(self, follow: bool = True, inputs: dict[str, Any] | None = None) -> dict[str, Any]:
        """The traits' new values, read from the session. `inputs`: the window and graph
        settings (mem_index, mem_base, mem_size, graph_kind), else the current traits."""
        st: dict[str, Any] = dict(inputs) if inputs is not None else {
            "mem_index": self.mem_index, "mem_base": self.mem_base, "mem_size": self.mem_size,
            "graph_kind": self.graph_kind,
        }  # fmt: skip
        s = self.session
        pos = s.position
        changes = s.changes
        st["position"] = self._position_text(pos)
        st["run_state"] = pos.state
        st["stop_kind"] = getattr(self.last_stop or s.last_stop, "kind", "")
        self._snap_source(st, pos)
        self._snap_values(st, changes)
        self._snap_memory(st, changes, follow)
        self._snap_graph(st)
        self._snap_watches(st)
        try:
            st.update(self.cview.snapshot())
        except WasmError as e:
            st["error"] = f"the C view: {e}"
        return st

    def _position_text(self, pos: Any) -> str:
        stop = self.last_stop or self.session.last_stop
        reason = getattr(stop, "reason", "")
        text = repr(pos)
        if pos.state == "returned":  # wasm values as wasm writes them, said once
            text = f"step {pos.step}: returned {self.session.results_text}"
            if reason.startswith("returned"):
                reason = ""
        return f"{text}  —  {reason}" if reason else text

    def _snap_source(self, st: dict[str, Any], pos: Any) -> None:
        view, module = self._current_source()
        if view is None:
            st.update(source="", current=None, breakpoint_lines=[])
            return
        st["source"] = view.text
        st["source_first_line"] = view.first_line
        cur = None
        if pos.pc is not None and pos.state != "returned":
            cur = span_dict(view.span(pos.func_index, pos.pc))
        st["current"] = cur
        lines = set()
        for bp in self.session.breakpoints:
            if not bp.enabled:
                continue
            for f, pc in bp.places:
                if f.module is not None and f.module.module is module:
                    sp = view.span(f.index, pc)
                    if sp is not None:
                        lines.add(sp.line)
        st["breakpoint_lines"] = sorted(lines)

    def _snap_values(self, st: dict[str, Any], changes: Any) -> None:
        s = self.session
        stack = s.stack
        common = 0
        for a, b in zip(changes.stack_before, changes.stack_after):
            if a is b or a == b:
                common += 1
            else:
                break
        rows = []
        i = 0
        for seg in stack.segments:
            for v in seg.values:
                rows.append(_row(v, i >= common and changes.stack_changed, owner=seg.owner))
                i += 1
        st["stack"] = rows
        changed_locals = {c.name for c in changes.locals}
        frames = []
        fs = s.frames
        for k in range(len(fs)):  # (index, not iteration: the views raise DebugError past the end)
            f = fs[k]
            top = k == len(fs) - 1
            locs = [_row(v, top and n in changed_locals, name=n) for n, v in f.locals.items()]
            frames.append({"index": f.index, "function": f.function, "instance": f.instance, "pc": f.pc,
                           "instr": f.instr, "locals": locs})  # fmt: skip
        st["frames"] = frames
        changed_globals = {c.name for c in changes.globals}
        gs = s.globals
        st["globals"] = [
            _row(g.value, g.name in changed_globals, name=g.name, mutable=g.mutable)
            for g in (gs[k] for k in range(len(gs)))
        ]

    def _snap_memory(self, st: dict[str, Any], changes: Any, follow: bool) -> None:
        s = self.session
        index = st["mem_index"]
        try:
            mem = s.memory(index)
        except WasmError:
            st.update(memory=b"", mem_total=0, mem_changed=[])
            return
        total = len(mem)
        ranges = [(c.lo, c.hi) for c in changes.memory if c.memory == index]
        base = st["mem_base"]
        size = st["mem_size"]
        if follow and self.follow_memory and ranges:
            lo = ranges[0][0]
            if not base <= lo < base + size:
                base = max(0, min(lo - lo % 16 - 16 * 4, max(total - size, 0)))
                st["mem_focus"] = lo
        if base >= total:
            base = max(0, (total - size) // 16 * 16)
        st["mem_base"] = base
        st["mem_total"] = total
        st["memory"] = mem[base : base + size]
        st["mem_changed"] = [[lo, hi] for lo, hi in ranges if hi > base and lo < base + size]

    def _snap_graph(self, st: dict[str, Any]) -> None:
        kind = st["graph_kind"]
        if kind == "none":
            st["graph_svg"] = ""
            return
        try:
            st["graph_svg"] = self._graph(kind)
        except WasmError as e:
            st["graph_svg"] = ""
            st["error"] = str(e)

    def _graph(self, kind: str) -> str:
        from wasmlab.viz import basic_blocks, cfg_graph, graph_for, render_svg

        if kind == "heap":  # the GC heap now (not cached: every move may change it)
            view = self.session.heap()
            return render_svg(view.graph()) if len(view) else ""
        inst = self._current_instance()
        module = inst.module
        if kind == "calls":
            key: tuple = ("calls", id(module))
            if key not in self._graph_cache:
                self._graph_cache[key] = render_svg(graph_for(module, "calls"))
            return self._graph_cache[key]
        func = self.session.function
        pc = self.session.position.pc
        if func is None or pc is None:
            return ""
        block = 0
        for bb in basic_blocks(func.func.body):
            if bb.start <= pc < bb.end:
                block = bb.start
        key = ("cfg", id(module), func.index, block)
        if key not in self._graph_cache:
            if len(self._graph_cache) > 64:
                self._graph_cache.clear()
            self._graph_cache[key] = render_svg(cfg_graph(module, func.index, pc))
        return self._graph_cache[key]

    # --- text -------------------------------------------------------------------------------

    def selection_values(self, addr: int, n: int = 8) -> dict[str, Any]:
        """The bytes at `addr` read as i32/i64/f32/f64 and UTF-8 (what the view's selection shows)."""
        import struct

        data = self.session.memory(self.mem_index).read(addr, n)
        out: dict[str, Any] = {"bytes": data.hex(" ")}
        if len(data) >= 4:
            out["i32"] = struct.unpack_from("<i", data)[0]
            out["f32"] = struct.unpack_from("<f", data)[0]
        if len(data) >= 8:
            out["i64"] = struct.unpack_from("<q", data)[0]
            out["f64"] = struct.unpack_from("<d", data)[0]
        out["utf-8"] = data.decode("utf-8", "replace")
        return out

    def __repr__(self) -> str:
        return f"<Debugger {getattr(self.session, 'name', '?')}: {self.position}>"

    def _repr_mimebundle_(self, **kwargs: Any) -> Any:
        bundle = super()._repr_mimebundle_(**kwargs)
        if isinstance(bundle, tuple):
            data, meta = bundle
        else:
            data, meta = bundle, {}
        data = dict(data or {})
        data["text/plain"] = repr(self)
        return data, meta


__all__ = ["ACTIONS", "DEFAULT_WINDOW", "VIEWS", "Debugger"]
