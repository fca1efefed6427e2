"""The Jupyter debug protocol for the wasmlab kernel: JupyterLab's debugger panel (the bug
button, gutter breakpoints, Variables / Callstack / Breakpoints / Source) on WAT cells,
answered by our own `wasmlab.debug.Session` -- no second process.

`debug_request`s arrive on the control channel (`DebugAdapter.handle`, in the control
thread); events go out on IOPub (`debug_event`). A call a cell makes (`invoke`, an
assertion's call, `%run` of a WASI program) runs under a Session while the debugger is on
and some breakpoint (or the "trap" exception filter) is armed; when it stops, the cell
waits (`drive` blocks the shell thread on a queue) and
the control thread keeps answering: `stackTrace`, `scopes`, `variables`, `evaluate` read
the paused Session; `next`, `stepIn`, `stepOut`, `continue`, `stepBack`,
`reverseContinue` hand a move to the waiting shell thread, which makes it and reports the
new stop. The stop button (SIGINT) ends the paused cell with `Interrupted`. Between cells
the panel shows the notebook's `%debug` session (`shown`), and moves it in a thread of its
own (`_move_idle`), so the control channel keeps answering and `pause` can stop a long run.

Cells are named as JupyterLab names them: `tmpFilePrefix + murmur2(code, hashSeed) +
tmpFileSuffix`. A panel breakpoint on a cell's line is a `PendingBreakpoint` of the
notebook's one list (the one `%break` adds to), on that cell's current name (`cell[N]`);
running the cell again moves it to the new name, so it binds to the new definitions.

A frame whose code has C source lines (a module compiled with -g) points at the C file
and line (`Session.frame_source_position`), everything else at its WAT cell.
"""

from __future__ import annotations

import dataclasses
import os
import queue
import tempfile
import threading
from collections.abc import Callable
from typing import Any

from . import dapviews as views
from .murmur import murmur2

HASH_SEED = 0x7761736D  # "wasm": any fixed number; JupyterLab hashes with the one we announce
THREAD_ID = 1
THREAD_NAME = "wasm call"
SUFFIX = ".wat"
FILTERS = [{"filter": "trap", "label": "Traps", "default": False,
            "description": "pause at the instruction that traps"}]  # fmt: skip
REASONS = {"breakpoint": "breakpoint", "watchpoint": "data breakpoint", "trap": "exception",
           "exhausted": "exception", "condition-error": "exception", "interrupted": "pause"}  # fmt: skip
MOVES = ("continue", "next", "stepIn", "stepOut", "stepBack", "reverseContinue")
C_SOURCES = (".c", ".h", ".cc", ".cpp", ".cxx", ".hpp")  # breakpoints there are C lines (DWARF)
LOCK_WAIT = 2.0  # seconds a reading request waits for a move in progress


class RequestError(Exception):
    """A request the adapter refuses: answered `success: false` with this message."""


class DebugAdapter:
    """The kernel's side of the debug protocol for one notebook (`Workspace` `ws`);
    `send_event(body)` publishes a `debug_event` on IOPub."""

    def __init__(self, ws: Any, send_event: Callable[[dict[str, Any]], None]) -> None:
        self.ws = ws
        self.send_event = send_event
        self.started = False
        self.prefix = os.path.join(tempfile.gettempdir(), f"wasmlab_{os.getpid()}") + os.sep
        self.cells: dict[str, str] = {}  # path -> the cell's code (dumped or run)
        self.names: dict[str, str] = {}  # path -> the cell's current name (cell[N])
        self.paths: dict[str, str] = {}  # cell[N] -> path
        self.panel: dict[str, list[Any]] = {}  # path -> its PendingBreakpoints, in line order
        self.filters: set[str] = set()
        self.seq = 0
        self.lock = threading.RLock()  # held by a move; reading requests take it too
        self.moves: queue.Queue[str | None] = queue.Queue()
        self.jobs: queue.Queue[tuple[Callable[[], Any], threading.Event, dict[str, Any]]] = queue.Queue()
        self.last_move = "run"
        self.running: Any = None  # the Session a cell's call runs under
        self.paused: Any = None  # ... while it is stopped and the cell waits
        self.pause_asked = False
        self.executing = False  # a cell runs (the shell thread is busy)
        self.idle: Any = None  # the %debug session the panel shows between cells
        self.moving = False  # ... while the panel moves it (in a thread of its own)
        self.reported: tuple[int, int] | None = None  # (session, step) of the last stop shown
        self.refs = views.References()
        self.files: set[str] = set()  # C sources stack frames named (the `source` request reads them)
        self.handlers: dict[str, Callable[[dict[str, Any]], Any]] = {
            "debugInfo": self.debug_info, "initialize": self.initialize, "attach": self.attach,
            "dumpCell": self.dump_cell, "setBreakpoints": self.set_breakpoints,
            "setExceptionBreakpoints": self.set_exception_breakpoints,
            "configurationDone": self.configuration_done, "threads": self.threads,
            "stackTrace": self.stack_trace, "scopes": self.scopes, "variables": self.variables,
            "source": self.source, "modules": self.modules, "evaluate": self.evaluate,
            "inspectVariables": self.inspect_variables, "richInspectVariables": self.rich_inspect,
            "pause": self.pause, "disconnect": self.disconnect, "loadedSources": self.loaded_sources,
        }  # fmt: skip
        for move in MOVES:
            self.handlers[move] = lambda args, move=move: self.move(move, args)

    # --- the protocol ------------------------------------------------------------------------

    def handle(self, request: Any) -> dict[str, Any]:
        """The response to one request (never raises: a bad request is `success: false`)."""
        if not isinstance(request, dict):
            request = {}
        command = request.get("command")
        seq = request.get("seq", 0)
        response: dict[str, Any] = {"type": "response", "request_seq": seq if isinstance(seq, int) else 0,
                                    "command": command if isinstance(command, str) else "", "seq": 0}  # fmt: skip
        args = request.get("arguments")
        if args is None:
            args = {}
        try:
            if not isinstance(command, str) or command not in self.handlers:
                raise RequestError(f"unknown debug request {command!r}")
            if not isinstance(args, dict):
                raise RequestError(f"{command}: the arguments must be an object")
            body = self.handlers[command](args)
        except RequestError as e:
            return {**response, "success": False, "message": str(e), "body": {}}
        except Exception as e:  # noqa: BLE001 - a bug or a bad value: an answer, never a dead kernel
            return {
                **response,
                "success": False,
                "message": f"{command}: {type(e).__name__}: {e}",
                "body": {},
            }
        return {**response, "success": True, "body": body if body is not None else {}}

    def event(self, name: str, body: dict[str, Any]) -> None:
        self.seq += 1
        self.send_event({"seq": self.seq, "type": "event", "event": name, "body": body})

    # --- cells and their names ---------------------------------------------------------------

    def path_of(self, code: str) -> str:
        return f"{self.prefix}{murmur2(code, HASH_SEED)}{SUFFIX}"

    def cell_started(self, code: str, name: str) -> None:
        """A cell runs under `name` (cell[N]): its panel breakpoints move to that name. (A
        move the panel makes on a `%debug` session ends first.)"""
        with self.lock:
            self.executing = True
        path = self.path_of(code)
        self.cells[path] = code
        old = self.names.get(path)
        self.names[path] = name
        self.paths[name] = path
        if old != name:
            for b in self.panel.get(path, []):
                b.file = name

    def cell_finished(self) -> None:
        """After a cell: a `%debug` session it opened or moved is what the panel shows."""
        with self.lock:
            self.executing = False
            s = getattr(self.ws, "session", None)
            old = self.idle
            live = s is not None and not s.finished
            self.idle = s if live else None
            if not self.started:
                return
            if live:
                key = (id(s), s.step_count)
                if key != self.reported:
                    self.refs = views.References(self.refs.next)
                    self._report(s, s.last_stop)
            elif old is not None and self.reported is not None:
                self.reported = None
                self.event("continued", {"threadId": THREAD_ID, "allThreadsContinued": True})

    def shown(self) -> Any:
        """The session the panel shows: a cell's call that waits, else a `%debug` session
        between cells (not while the panel moves it)."""
        if self.paused is not None:
            return self.paused
        s = self.idle
        if s is None or self.executing or self.moving or not self.started or s.finished:
            return None
        return s

    def _report(self, s: Any, stop: Any) -> None:
        """A `stopped` event for `stop` of session `s`."""
        self.reported = (id(s), s.step_count)
        reason = REASONS.get(stop.kind, "step")
        body: dict[str, Any] = {"reason": reason, "threadId": THREAD_ID, "allThreadsStopped": True,
                                "description": stop.reason, "text": stop.reason}  # fmt: skip
        if stop.kind == "breakpoint":
            body["hitBreakpointIds"] = [b.id for b in getattr(stop, "breakpoints", ())]
        self.event("stopped", body)

    def debug_info(self, args: dict[str, Any]) -> dict[str, Any]:
        return {
            "isStarted": self.started,
            "hashMethod": "Murmur2",
            "hashSeed": HASH_SEED,
            "tmpFilePrefix": self.prefix,
            "tmpFileSuffix": SUFFIX,
            "breakpoints": [
                {"source": path, "breakpoints": [{"line": b.line} for b in bs]}
                for path, bs in self.panel.items()
                if bs
            ],  # fmt: skip
            "stoppedThreads": [THREAD_ID] if self.shown() is not None else [],
            "richRendering": True,
            "exceptionPaths": [],
            "copyToGlobals": False,
            "timeTravel": True,  # stepBack, reverseContinue: the buttons of labextension/ turn on
        }

    def initialize(self, args: dict[str, Any]) -> dict[str, Any]:
        self.started = True
        return {
            "supportsConfigurationDoneRequest": True,
            "supportsStepBack": True,
            "supportsEvaluateForHovers": True,
            "supportsConditionalBreakpoints": True,
            "supportsExceptionInfoRequest": False,
            "supportsLoadedSourcesRequest": True,
            "supportsModulesRequest": True,
            "supportsDelayedStackTraceLoading": False,
            "supportsTerminateRequest": False,
            "exceptionBreakpointFilters": FILTERS,
        }

    def attach(self, args: dict[str, Any]) -> None:
        self.started = True
        self.event("initialized", {})

    def configuration_done(self, args: dict[str, Any]) -> None:
        return None  # safe to repeat: nothing waits for it

    def disconnect(self, args: dict[str, Any]) -> None:
        """Debugger off: every panel breakpoint is deleted, a paused cell runs to its end."""
        self.started = False
        for bs in self.panel.values():
            for b in bs:
                self._delete(b)
        self.panel.clear()
        self.filters.clear()
        if self.paused is not None:
            self.moves.put("finish")
        self.event("terminated", {})

    def dump_cell(self, args: dict[str, Any]) -> dict[str, Any]:
        code = args.get("code")
        if not isinstance(code, str):
            raise RequestError("dumpCell: give the cell's code")
        path = self.path_of(code)
        self.cells[path] = code
        try:
            os.makedirs(self.prefix, exist_ok=True)
            with open(path, "w", encoding="utf-8") as f:
                f.write(code)
        except OSError:
            pass  # the panel reads cells through `source`; the file is a courtesy
        return {"sourcePath": path}

    # --- breakpoints -------------------------------------------------------------------------

    def set_breakpoints(self, args: dict[str, Any]) -> dict[str, Any]:
        source = args.get("source")
        path = source.get("path") if isinstance(source, dict) else None
        if not isinstance(path, str) or not path:
            raise RequestError("setBreakpoints: give source.path")
        wanted = args.get("breakpoints", [])
        if wanted is None:
            wanted = []
        if not isinstance(wanted, list):
            raise RequestError("setBreakpoints: breakpoints must be a list")
        lines: list[tuple[int, str | None]] = []
        for w in wanted:
            line = w.get("line") if isinstance(w, dict) else None
            if isinstance(line, bool) or not isinstance(line, int) or line < 1:
                raise RequestError(f"setBreakpoints: a breakpoint needs a line >= 1, not {w!r}")
            cond = w.get("condition") or None
            if cond is not None and not isinstance(cond, str):
                raise RequestError("setBreakpoints: a condition is text")
            lines.append((line, cond))

        def work() -> list[dict[str, Any]]:
            for b in self.panel.pop(path, []):
                self._delete(b)
            if path not in self.cells and path.endswith(C_SOURCES):
                return self._c_breakpoints(path, lines)
            bindable = self.bindable_lines(path)
            answer: list[dict[str, Any]] = []
            kept: list[Any] = []
            for line, cond in lines:
                at = next((n for n in bindable if n >= line), None) if bindable is not None else line
                if at is None:
                    answer.append({"verified": False, "line": line, "source": {"path": path},
                                   "message": "no instruction on this line or below it"})  # fmt: skip
                    continue
                if any(b.line == at and b.condition == cond for b in kept):
                    answer.append({"id": kept[-1].id, "verified": True, "line": at, "source": {"path": path}})
                    continue
                try:
                    b = self.ws.breaks.add(None, line=at, file=self.names.get(path, path), condition=cond,
                                           exact_file=True)  # fmt: skip
                except Exception as e:  # noqa: BLE001 - a condition that does not parse
                    answer.append(
                        {"verified": False, "line": line, "source": {"path": path}, "message": str(e)}
                    )
                    continue
                kept.append(b)
                target = self.running or self.shown()
                if target is not None:
                    b.bind(target)
                answer.append(
                    {"id": b.id, "verified": bindable is not None, "line": at, "source": {"path": path}}
                )
            self.panel[path] = kept
            return answer

        answer = self._in_shell(work)
        return {"breakpoints": answer}

    def _c_breakpoints(self, path: str, lines: list[tuple[int, str | None]]) -> list[dict[str, Any]]:
        """Breakpoints on lines of a C source (the Source panel's gutter on a -g program's
        file): `%break FILE.c:LINE` ones, bound to the running call when there is one."""
        answer: list[dict[str, Any]] = []
        kept: list[Any] = []
        for line, cond in lines:
            try:
                b = self.ws.breaks.add(f"{path}:{line}", condition=cond)
            except Exception as e:  # noqa: BLE001 - a condition that does not parse
                answer.append({"verified": False, "line": line, "source": {"path": path}, "message": str(e)})
                continue
            kept.append(b)
            item: dict[str, Any] = {"id": b.id, "verified": False, "line": line, "source": {"path": path}}
            target = self.running or self.shown()
            if target is not None:
                b.bind(target)
                item["verified"] = b.bound is not None
                if b.error:
                    item["message"] = b.error
            answer.append(item)
        self.panel[path] = kept
        return answer

    def _delete(self, b: Any) -> None:
        try:
            self.ws.breaks.delete(b.id)
        except Exception:  # noqa: BLE001 - deleted already (%delete)
            b.delete()

    def bindable_lines(self, path: str) -> list[int] | None:
        """The lines of cell `path` that hold an instruction (of a module its last run
        defined); None when the cell has not run (its breakpoints wait for it)."""
        name = self.names.get(path)
        if name is None:
            return None
        lines: set[int] = set()
        for entry in list(self.ws.entries.values()):
            if entry.filename != name:
                continue
            for func in getattr(entry.module, "funcs", ()):
                for ins in getattr(func, "body", ()):
                    span = getattr(ins, "span", None)
                    if span is not None and (span.filename in (None, name)):
                        lines.add(span.line)
        return sorted(lines)

    def set_exception_breakpoints(self, args: dict[str, Any]) -> dict[str, Any]:
        filters = args.get("filters", [])
        if not isinstance(filters, list) or not all(isinstance(f, str) for f in filters):
            raise RequestError("setExceptionBreakpoints: filters must be a list of names")
        unknown = [f for f in filters if f not in {x["filter"] for x in FILTERS}]
        if unknown:
            raise RequestError(f"setExceptionBreakpoints: unknown filter {unknown[0]!r} (known: trap)")
        self.filters = set(filters)
        return {"breakpoints": [{"verified": True} for _ in filters]}

    # --- running a cell's call under a Session (the shell thread) -------------------------------

    def wants(self, func: Any) -> bool:
        """Whether a call of `func` runs under a Session: the debugger is on and something
        could stop it (an enabled breakpoint, or the trap filter)."""
        if not self.started or getattr(func, "is_host", False):
            return False
        return "trap" in self.filters or any(b.enabled for b in self.ws.breaks)

    def run_call(self, func: Any, args: list[Any]) -> list[Any]:
        """Run a call of `func` as the cell's invoke would, stopping (and waiting) where the
        panel asks; its results as wasm values, or the trap / Interrupted it ends in."""
        import wasmlab
        from wasmlab.api import to_wasm
        from wasmlab.debug import Session

        s = Session(wasmlab.Instance(func.module, self.ws.store), func, *args)
        self.drive(s)
        results = s.result
        types = func.type.results
        values = [] if not types else [results] if len(types) == 1 else list(results)
        return [to_wasm(v, t) for v, t in zip(values, types)]

    def run_program(self, instance: Any) -> None:
        """Run a WASI program's `_start` on `instance` under a Session (`%run`); its
        `proc_exit` or trap is raised as the undebugged run raises it."""
        from wasmlab.debug import Session

        self.drive(Session(instance, "_start"))

    def drive(self, s: Any) -> None:
        """Run session `s` to its end, reporting each stop and waiting at it for the panel's
        next move. Returns when the call returned; raises its trap (a WASI exit too), or
        `Interrupted` for the stop button."""
        from wasmlab.script import Interrupted

        self.pause_asked = False
        self.last_move = "run"
        try:
            with self.lock:
                self.running = s
                s.apply(self.ws.breaks)
                hit = self._at_breakpoint(s)
                stop = dataclasses.replace(s.last_stop, kind="breakpoint", reason=f"breakpoint {hit.id} at {hit.what}",
                                           breakpoints=(hit,)) if hit is not None else s.continue_()  # fmt: skip
            reported_trap = False
            while True:
                kind = stop.kind
                if kind == "returned":
                    return
                if kind in ("trap", "exhausted", "exit"):
                    if "trap" not in self.filters or reported_trap or kind == "exit":
                        raise s.trap
                    reported_trap = True
                elif kind == "interrupted" and self._run_jobs():
                    if self.last_move in ("run", "continue"):  # a breakpoint changed: run on
                        with self.lock:
                            stop = s.continue_()
                        continue
                    stop = dataclasses.replace(stop, reason="paused to change breakpoints")
                elif kind == "interrupted" and not self.pause_asked:
                    raise Interrupted(f"interrupted at step {s.step_count}")
                elif kind == "fuel":
                    raise Interrupted(stop.reason)
                self.pause_asked = False
                move = self._wait(s, stop)
                if move is None:
                    raise Interrupted(f"interrupted while paused at step {s.step_count}")
                stop = self._make_move(s, move, stop)
        finally:
            with self.lock:
                self.running = None
                self.paused = None
                self.refs = views.References(self.refs.next)
            s.close()
            self.event("continued", {"threadId": THREAD_ID, "allThreadsContinued": True})

    def _in_shell(self, work: Callable[[], Any]) -> Any:
        """`work()` where the session may change: here when no call runs or it waits (the
        shell thread is blocked then), else in the shell thread between two slices of the
        run (which is interrupted for it and goes on)."""
        if self.lock.acquire(timeout=0.05):
            try:
                return work()
            finally:
                self.lock.release()
        s = self.running
        if s is None:
            with self._locked():
                return work()
        done = threading.Event()
        box: dict[str, Any] = {}
        self.jobs.put((work, done, box))
        s.interrupt()
        if not done.wait(LOCK_WAIT):
            raise RequestError("the call is busy: try again")
        if "error" in box:
            raise box["error"]
        return box.get("value")

    def _run_jobs(self) -> bool:
        """Run what the control thread queued (the shell thread, at an interruption)."""
        ran = False
        while True:
            try:
                work, done, box = self.jobs.get_nowait()
            except queue.Empty:
                return ran
            ran = True
            try:
                with self.lock:
                    box["value"] = work()
            except Exception as e:  # noqa: BLE001 - handed back to the request
                box["error"] = e
            done.set()

    def _at_breakpoint(self, s: Any) -> Any:
        """A breakpoint on the very first instruction (a run from there would step over it)."""
        f = s.function
        pc = s.position.pc
        for b in s.breakpoints:
            if b.enabled and b.condition is None and any(p[0] is f and p[1] == pc for p in b.places):
                b.hits += 1
                return b
        return None

    def _wait(self, s: Any, stop: Any) -> str | None:
        """Report the stop and wait for the panel's next move (None: the stop button)."""
        with self.lock:
            self.paused = s
            self.refs = views.References(self.refs.next)
        self._report(s, stop)
        while True:
            if self.ws.interrupted:
                self.ws.clear_interrupt()
                return None
            try:
                move = self.moves.get(timeout=0.2)
            except queue.Empty:
                continue
            return move

    def _make_move(self, s: Any, move: str, stop: Any) -> Any:
        self.last_move = move
        with self.lock:
            self.paused = None
            return self._step(s, move, stop)

    def _step(self, s: Any, move: str, stop: Any) -> Any:
        """Make `move` on `s`; its stop (`stop` again when it cannot be made: said in an
        output event)."""
        try:
            if move == "finish":  # the debugger was switched off: run to the end, no stops
                for b in s.breakpoints:
                    b.disable()
                return s.continue_()
            if move == "continue":
                return s.continue_()
            if move == "next":
                return s.next_line() if self._c_frame(s) else s.step_over()
            if move == "stepIn":
                return s.step_line() if self._c_frame(s) else s.step()
            if move == "stepOut":
                return s.step_out()
            if move == "stepBack":
                return s.back_line() if self._c_frame(s) else s.back(1)
            if move == "reverseContinue":
                return s.reverse_continue()
        except Exception as e:  # noqa: BLE001 - e.g. a move past the end: said, the pause stays
            self.event("output", {"category": "stderr", "output": f"{move}: {e}\n"})
            return stop
        return stop

    @staticmethod
    def _c_frame(s: Any) -> bool:
        n = len(s.frames)
        return n > 0 and s.frame_source_position(n - 1) is not None

    # --- moves (the control thread) ------------------------------------------------------------

    def move(self, command: str, args: dict[str, Any]) -> dict[str, Any] | None:
        self._thread(args)
        idle = self.shown() if self.paused is None else None
        if idle is not None:
            self._move_idle(idle, command)
            return {"allThreadsContinued": True} if command == "continue" else None
        if self.paused is None:
            raise RequestError(f"{command}: nothing is paused" if self.running is None
                               else f"{command}: the call is running (pause it first)")  # fmt: skip
        if command in ("continue", "reverseContinue"):
            self.event("continued", {"threadId": THREAD_ID, "allThreadsContinued": True})
        self.moves.put(command)
        return {"allThreadsContinued": True} if command == "continue" else None

    def _move_idle(self, s: Any, command: str) -> None:
        """A move of the `%debug` session between cells: in a thread of its own (the control
        channel keeps answering; `pause` interrupts it), reported as a cell's stops are; the
        session's Debugger widgets follow it."""
        with self._locked():
            if self.executing or self.moving:
                raise RequestError(f"{command}: a cell is running")
            self.moving = True
            self.refs = views.References(self.refs.next)
        if command in ("continue", "reverseContinue"):
            self.event("continued", {"threadId": THREAD_ID, "allThreadsContinued": True})

        def run() -> None:
            try:
                with self.lock:
                    stop = self._step(s, command, s.last_stop)
            finally:
                self.moving = False
            if s.finished and stop.kind == "returned":
                self.idle = None
                self.reported = None
                self.event("output", {"category": "console", "output": f"{stop.reason}\n"})
                self.event("continued", {"threadId": THREAD_ID, "allThreadsContinued": True})
            else:
                self._report(s, stop)

        threading.Thread(target=run, name="wasmlab-panel-move", daemon=True).start()

    def pause(self, args: dict[str, Any]) -> None:
        self._thread(args)
        if self.moving and self.idle is not None:
            self.idle.interrupt()
            return None
        s = self.running
        if s is None:
            raise RequestError("pause: nothing runs")
        if self.paused is not None:
            return None
        self.pause_asked = True
        s.interrupt()
        return None

    @staticmethod
    def _thread(args: dict[str, Any]) -> None:
        t = args.get("threadId", THREAD_ID)
        if t != THREAD_ID:
            raise RequestError(f"no thread {t!r}: the one thread is {THREAD_ID}")

    # --- reading the paused session (the control thread) ------------------------------------

    def _locked(self) -> Any:
        """The lock, for a reading request (a move in progress: a clear refusal after a while)."""
        lock = self.lock

        class Held:
            def __enter__(self) -> None:
                if not lock.acquire(timeout=LOCK_WAIT):
                    raise RequestError("the call is running: try again when it stops")

            def __exit__(self, *exc: object) -> None:
                lock.release()

        return Held()

    def _session(self) -> Any:
        s = self.shown()
        if s is None:
            raise RequestError("nothing is paused" if self.running is None else "the call is running")
        return s

    def threads(self, args: dict[str, Any]) -> dict[str, Any]:
        return {"threads": [{"id": THREAD_ID, "name": THREAD_NAME}]}

    def stack_trace(self, args: dict[str, Any]) -> dict[str, Any]:
        self._thread(args)
        if self.shown() is None:
            return {"stackFrames": [], "totalFrames": 0}
        with self._locked():
            s = self.shown()
            if s is None:
                return {"stackFrames": [], "totalFrames": 0}
            fs = s.frames
            out = [self._frame(s, k, fs[k]) for k in reversed(range(len(fs)))]
        start = args.get("startFrame", 0) or 0
        levels = args.get("levels", 0) or 0
        if not isinstance(start, int) or not isinstance(levels, int):
            raise RequestError("stackTrace: startFrame and levels are numbers")
        shown = out[start : start + levels] if levels else out[start:]
        return {"stackFrames": shown, "totalFrames": len(out)}

    def _frame(self, s: Any, k: int, f: Any) -> dict[str, Any]:
        name = f"{f.instance}.{f.function}" if f.instance else str(f.function)
        frame: dict[str, Any] = {"id": k + 1, "name": name, "line": 0, "column": 0}
        if f.offset is not None:
            frame["instructionPointerReference"] = f"{f.offset:#x}"
        pos = s.frame_source_position(k)
        if pos is not None and pos.line:
            self.files.add(pos.file)
            frame.update(line=pos.line, column=pos.col or 1,
                         source={"name": pos.name, "path": pos.file})  # fmt: skip
            frame["name"] = f"{name} ({pos})"
            return frame
        span = f.span
        if span is not None:
            path = self.paths.get(span.filename or "")
            source: dict[str, Any] = {"name": span.filename or "?"}
            if path is not None:
                source["path"] = path
            elif span.filename and os.path.isfile(span.filename):
                source["path"] = span.filename
                self.files.add(span.filename)
            frame.update(line=span.line, column=span.col, source=source)
            if getattr(span, "end_line", None) == span.line and getattr(span, "end_col", 0) > span.col:
                frame.update(endLine=span.line, endColumn=span.end_col)
        frame["name"] = f"{name}: {self._written(span) or f.instr}"
        return frame

    def _written(self, span: Any) -> str | None:
        """The instruction as its cell writes it (`(local.get $acc)`), when on one line."""
        if span is None or getattr(span, "end_line", None) != span.line:
            return None
        code = self.cells.get(self.paths.get(span.filename or "", ""))
        lines = code.splitlines() if code is not None else []
        if not 1 <= span.line <= len(lines) or not 0 < span.col < span.end_col:
            return None
        text = lines[span.line - 1][span.col - 1 : span.end_col - 1].strip()
        return text if 0 < len(text) <= 80 else None

    def _frame_index(self, s: Any, frame_id: Any) -> int:
        n = len(s.frames)
        if frame_id is None:
            return n - 1
        if isinstance(frame_id, bool) or not isinstance(frame_id, int) or not 1 <= frame_id <= n:
            raise RequestError(f"no frame {frame_id!r}")
        return frame_id - 1

    def scopes(self, args: dict[str, Any]) -> dict[str, Any]:
        self._session()  # nothing paused: say so at once
        with self._locked():
            s = self._session()
            k = self._frame_index(s, args.get("frameId"))
            f = s.frames[k]
            refs = self.refs
            segments = list(s.stack.segments)
            operands = segments[k].values if len(segments) == len(s.frames) else f.stack
            scopes = [
                ("Locals", refs.add(lambda: views.locals_vars(refs, f)), len(f.locals)),
                ("Value stack", refs.add(lambda: views.stack_vars(refs, operands)), len(operands)),
                ("Globals", refs.add(lambda: views.globals_vars(refs, s)), len(s.globals)),
                ("Memory", refs.add(lambda: views.memory_vars(refs, s)), None),
            ]
            if s.frame_source_position(k) is not None:

                def c_variables() -> list[views.Var]:
                    s.select_frame(k)
                    return views.c_vars(s)

                scopes.insert(0, ("C variables", refs.add(c_variables), None))
        out = []
        for name, ref, count in scopes:
            scope: dict[str, Any] = {"name": name, "variablesReference": ref, "expensive": name == "Memory",
                                     "presentationHint": "locals" if name in ("Locals", "C variables") else name.lower()}  # fmt: skip
            if count is not None:
                scope["namedVariables"] = count
            out.append(scope)
        return {"scopes": out}

    def variables(self, args: dict[str, Any]) -> dict[str, Any]:
        ref = args.get("variablesReference")
        start = args.get("start", 0) or 0
        count = args.get("count", 0) or 0
        for x, what in ((ref, "variablesReference"), (start, "start"), (count, "count")):
            if isinstance(x, bool) or not isinstance(x, int) or x < 0:
                raise RequestError(f"variables: {what} must be a number >= 0, not {x!r}")
        self._session()
        with self._locked():
            self._session()
            try:
                return {"variables": self.refs.children(ref, start, count)}
            except KeyError:
                raise RequestError(f"variables: no variablesReference {ref} at this stop") from None

    def evaluate(self, args: dict[str, Any]) -> dict[str, Any]:
        text = args.get("expression")
        if not isinstance(text, str) or not text.strip():
            raise RequestError("evaluate: give an expression ($i, global $g, i32.load 0x120)")
        self._session()  # nothing paused: say so at once
        with self._locked():
            s = self._session()
            k = self._frame_index(s, args.get("frameId"))
            try:
                v = s.eval(text.strip(), frame=k)
            except Exception as e:  # noqa: BLE001 - the user's expression: its error is the answer
                raise RequestError(str(e)) from None
            if hasattr(v, "bits"):
                value, t = views.value_parts(v)
                var = views.typed_var(self.refs, text.strip(), v)
                return {"result": value, "type": t, "variablesReference": var["variablesReference"]}
            text = getattr(v, "text", None)  # a C value (CValue) of a -g frame
            return {"result": text if isinstance(text, str) else str(v), "variablesReference": 0}

    def inspect_variables(self, args: dict[str, Any]) -> dict[str, Any]:
        """Nothing paused: the modules the notebook defined (or the paused frame's locals)."""
        with self._locked():
            s = self.shown()
            if s is not None:
                fs = s.frames
                return {"variables": views.locals_vars(self.refs, fs[len(fs) - 1]) if len(fs) else []}
            out = []
            for entry in list(self.ws.entries.values()):
                funcs = len(entry.func_exports)
                out.append({"name": entry.label, "value": f"{funcs} exported function{'s' * (funcs != 1)}: "
                            + ", ".join(entry.func_exports[:8]), "type": "module",
                            "variablesReference": 0})  # fmt: skip
            return {"variables": out}

    def rich_inspect(self, args: dict[str, Any]) -> dict[str, Any]:
        name = args.get("variableName")
        if not isinstance(name, str) or not name:
            raise RequestError("richInspectVariables: give variableName")
        self._session()  # nothing paused: say so at once
        with self._locked():
            s = self._session()
            make = self.refs.named.get(name)
            if make is not None:
                return make()
            k = self._frame_index(s, args.get("frameId"))
            try:
                v = s.eval(name, frame=k)
            except Exception as e:  # noqa: BLE001
                raise RequestError(str(e)) from None
            if getattr(getattr(v, "type", None), "text", "") == "v128":
                return views.lanes_bundle(int(v.bits))
            return {"data": {"text/plain": getattr(v, "text", str(v))}, "metadata": {}}

    def source(self, args: dict[str, Any]) -> dict[str, Any]:
        src = args.get("source")
        path = src.get("path") if isinstance(src, dict) else None
        if not isinstance(path, str) or not path:
            raise RequestError("source: give source.path")
        if path in self.cells:
            return {"content": self.cells[path], "mimeType": "text/webassembly"}
        if path in self.files:
            s = self.shown()
            lines = s.source_text(path) if s is not None else None
            if lines is None and os.path.isfile(path):
                with open(path, encoding="utf-8", errors="replace") as f:
                    return {"content": f.read(), "mimeType": _mime(path)}
            if lines is not None:
                return {"content": "\n".join(lines) + "\n", "mimeType": _mime(path)}
        raise RequestError(f"source unavailable: {path}")

    def loaded_sources(self, args: dict[str, Any]) -> dict[str, Any]:
        return {"sources": [{"name": self.names.get(p, os.path.basename(p)), "path": p} for p in self.cells]}

    def modules(self, args: dict[str, Any]) -> dict[str, Any]:
        mods = []
        for i, entry in enumerate(list(self.ws.entries.values())):
            path = self.paths.get(entry.filename or "", entry.filename or "")
            if path and path not in self.cells and entry.source is not None and os.path.isfile(path):
                self.files.add(path)  # a module loaded from a text file: the Source panel reads it
            mods.append({"id": i, "name": entry.label, "path": path})
        return {"modules": mods, "totalModules": len(mods)}

    # --- the stop button ----------------------------------------------------------------------

    def shutdown(self) -> None:
        """The kernel shuts down or restarts: a waiting cell ends (Interrupted), a running
        call stops at its next look at the flag."""
        if self.paused is not None:
            self.moves.put(None)
        elif self.running is not None:
            self.running.interrupt()

    def interrupt(self) -> None:
        """SIGINT while a call runs or waits: it ends (the waiting loop sees the flag)."""
        s = self.running
        if s is not None and self.paused is None:
            s.interrupt()


def _mime(path: str) -> str:
    return "text/x-csrc" if path.endswith((".c", ".h")) else "text/plain"


__all__ = ["HASH_SEED", "SUFFIX", "THREAD_ID", "DebugAdapter", "RequestError"]
