"""The engine behind a notebook: modules defined so far, the running debug session, and
`run_cell(code, emit)`, which the Jupyter kernel and the IPython extension both call.

A cell holds WAST text (module definitions, `invoke`, `register`, `assert_...`) and `%`
command lines, in any order; they run top to bottom. A module defined under a `$name`
replaces the earlier module of that name; the others stay. Every user mistake ends in one
`CellError`; state built by earlier cells (and earlier commands of the same cell) is kept.
"""

from __future__ import annotations

import signal
import threading
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from typing import Any

from wasmlab.api import Instance
from wasmlab.errors import Trap, WasmError
from wasmlab.exec.machine import Machine
from wasmlab.exec.runtime import FuncInst, ModuleInst
from wasmlab.script.runner import Failure, Runner, Skip
from wasmlab.script.spectest import spectest_exports
from wasmlab.syntax.features import CORE_2_0
from wasmlab.syntax.module import Module
from wasmlab.syntax.types import ExternKind

from .outputs import CellError, Interrupted, Output, describe_error, esc, rich
from .values import show_value

Emit = Callable[[Output], None]

#: instructions run between two looks at the interrupt flag
CHUNK = 20_000


@dataclass
class Entry:
    """A module defined in the notebook."""

    name: str | None  # "$fib", or None for an unnamed module
    module: Module
    inst: ModuleInst
    source: str | None = None  # the text it was parsed from (line numbers as in its cell)
    filename: str | None = None  # "cell[3]" or a path
    binary: bytes | None = None  # the bytes it was decoded from, for binary modules
    cell: int = 0
    wasi: WasiSetup | None = None  # loaded with %load --wasi: how each run's WASI world is made
    config: Any = None  # the WasiConfig bound to `inst` (WASI modules only)

    @property
    def label(self) -> str:
        return self.name or "(unnamed module)"

    def instance(self, store: Any) -> Instance:
        return Instance(self.inst, store)


@dataclass
class WasiSetup:
    """What `%load --wasi` asked for: argv, environment, preopened directories and stdin."""

    args: list[str]
    env: dict[str, str]
    preopens: dict[str, str]  # guest path -> host directory
    stdin: bytes = b""  # what every run reads from fd 0 (%load --stdin FILE), unless %run redirects

    def config(self, args: list[str] | None = None, stdin: bytes | None = None) -> Any:
        """A fresh WasiConfig: stdin as given (else the setup's); stdout and stderr echoed into
        the cell's output."""
        from wasmlab.wasi import WasiConfig

        argv = self.args if args is None else self.args[:1] + args
        return WasiConfig(args=argv, env=self.env, preopens=self.preopens,
                          stdin=self.stdin if stdin is None else stdin,
                          stdout=GuestStream("stdout"), stderr=GuestStream("stderr"))  # fmt: skip


class GuestStream:
    """A WASI program's stdout or stderr: collects the bytes and echoes them, as they come, to
    this process's sys.stdout / sys.stderr (in a kernel: the running cell's output)."""

    def __init__(self, name: str) -> None:
        import codecs

        self.name = name
        self.data = bytearray()
        self._decoder = codecs.getincrementaldecoder("utf-8")("replace")

    def write(self, data: bytes) -> int:
        import sys

        self.data.extend(data)
        text = self._decoder.decode(bytes(data))
        if text:
            stream = sys.stdout if self.name == "stdout" else sys.stderr
            stream.write(text)
            stream.flush()
        return len(data)

    def flush(self) -> None:
        pass


@dataclass
class Chunk:
    kind: str  # "wast" | "magic"
    text: str
    line: int  # 1-based line of the cell where it starts


def scan_parens(text: str) -> tuple[int, bool, bool]:
    """(paren depth at the end, inside a string, inside a block comment) for WAT text."""
    depth = 0
    i = 0
    n = len(text)
    comment = 0
    while i < n:
        c = text[i]
        if comment:
            if text.startswith("(;", i):
                comment += 1
                i += 2
                continue
            if text.startswith(";)", i):
                comment -= 1
                i += 2
                continue
            i += 1
            continue
        if c == '"':
            i += 1
            while i < n and text[i] != '"':
                i += 2 if text[i] == "\\" else 1
            if i >= n:
                return depth, True, False
            i += 1
            continue
        if text.startswith(";;", i):
            j = text.find("\n", i)
            if j < 0:
                break
            i = j
            continue
        if text.startswith("(;", i):
            comment = 1
            i += 2
            continue
        if c == "(":
            depth += 1
        elif c == ")":
            depth -= 1
        i += 1
    return depth, False, comment > 0


def split_cell(code: str) -> list[Chunk]:
    """WAST runs and `%` lines, in order. A `%` line counts only outside any open paren."""
    chunks: list[Chunk] = []
    buf: list[str] = []
    start = 1
    depth_text = ""
    for n, line in enumerate(code.splitlines(), start=1):
        if line.lstrip().startswith("%") and not buf_open(depth_text):
            if buf and "".join(buf).strip():
                chunks.append(Chunk("wast", "\n".join(buf), start))
            buf = []
            depth_text = ""
            chunks.append(Chunk("magic", line.strip(), n))
            start = n + 1
            continue
        if not buf:
            start = n
        buf.append(line)
        depth_text += line + "\n"
    if buf and "\n".join(buf).strip():
        chunks.append(Chunk("wast", "\n".join(buf), start))
    return chunks


def buf_open(text: str) -> bool:
    if not text:
        return False
    depth, in_string, in_comment = scan_parens(text)
    return depth > 0 or in_string or in_comment


class PrintLog(list):
    """The spectest module's log, printed as it grows (a notebook sees `print_i32(5)`)."""

    def append(self, line: Any) -> None:
        print(line, flush=True)


class CellRunner(Runner):
    """The spec runner with interruptible calls, and the last machine kept for error places."""

    def __init__(self, workspace: Workspace) -> None:
        super().__init__(name="notebook", module_linking=True, features=workspace.features)
        self.workspace = workspace
        self.registry["spectest"] = spectest_exports(PrintLog())  # spectest.print* print here
        self.last_machine: Machine | None = None

    def call(self, func: FuncInst, args: list[Any]) -> list[Any]:
        return self.workspace.call(func, args)


class Workspace:
    """Modules, registrations and the debug session of one notebook."""

    def __init__(self) -> None:
        self.cell = 0
        self.widgets: list[Any] = []
        self.show_widgets = True  # %debug displays a Debugger widget (when ipywidgets works)
        self._interrupted = False
        self._lock = threading.Lock()
        self.features = CORE_2_0  # post-2.0 proposals cells may use (%features); kept by %reset
        self.reset()

    # --- state -----------------------------------------------------------------------------

    def reset(self) -> None:
        for config in [
            *getattr(self, "_wasi_configs", ()),
            *(e.config for e in getattr(self, "entries", {}).values()),
        ]:
            if config is not None:
                config.close()  # the preopened directories' descriptors
        self._wasi_configs: list[Any] = []  # replaced WASI worlds, closed at the next %reset
        self.runner = CellRunner(self)
        self.entries: dict[str | None, Entry] = {}
        self.current: Entry | None = None
        self.session: Any = None
        self.session_entry: Entry | None = None
        for w in self.widgets:
            close = getattr(w, "close", None)
            if close is not None:
                try:
                    close()
                except Exception:  # noqa: S110 - a widget that cannot close is left alone
                    pass
        self.widgets = []

    @property
    def store(self) -> Any:
        return self.runner.store

    def entry(self, name: str | None = None) -> Entry:
        """The module called `name` (`$fib` or `fib`), or the latest one."""
        if name is None:
            if self.current is None:
                raise CellError(
                    "NoModule",
                    "no module defined yet",
                    ["no module defined yet: define one with (module ...)"],
                )
            return self.current
        key = name if name.startswith("$") else f"${name}"
        if key in self.entries:
            return self.entries[key]
        known = ", ".join(e.label for e in self.entries.values()) or "none"
        raise CellError("NoModule", f"no module named {name}", [f"no module named {name} (defined: {known})"])

    def entry_of(self, module: Module | None) -> Entry | None:
        for e in self.entries.values():
            if e.module is module:
                return e
        return None

    def instance(self, entry: Entry | None = None) -> Instance:
        return (entry or self.entry()).instance(self.store)

    def find_export(self, name: str, kind: ExternKind | None = ExternKind.FUNC) -> Entry:
        """The module exporting `name`: the latest module first, then the others (newest first)."""
        order = ([self.current] if self.current else []) + [
            e for e in reversed(list(self.entries.values())) if e is not self.current
        ]
        for e in order:
            value = e.inst.exports.get(name)
            if value is None:
                continue
            if kind is None or kind is ExternKind.FUNC and isinstance(value, FuncInst):
                return e
        if not order:
            raise CellError(
                "NoModule", "no module defined yet", ["no module defined yet: define one with (module ...)"]
            )
        raise CellError(
            "NoExport", f"no exported function {name!r}", [f"no module exports a function named {name!r}"]
        )

    def add_module(self, name: str | None, module: Module, *, source: str | None, filename: str | None,
                   binary: bytes | None = None, imports: Any = None) -> Entry:  # fmt: skip
        """Instantiate `module` (already validated) and record it. Imports come from
        `imports` (the public API's mapping: Python callables, Func, Memory...) when given,
        then from the registered modules."""
        if imports is None:
            inst = self.runner.instantiate(module)
        else:
            inst = self._instantiate_with(module, imports)
        entry = Entry(name, module, inst, source, filename, binary, self.cell)
        if name is not None:
            inst.name = name[1:]
        self.entries.pop(name, None)
        self.entries[name] = entry
        self.current = entry
        self.runner.current = inst
        if name is not None:
            self.runner.named[name] = inst
            self.runner.registry[name[1:]] = dict(inst.exports)
        return entry

    def add_wasi_module(self, name: str | None, module: Module, setup: WasiSetup, *, source: str | None,
                        filename: str | None, binary: bytes | None = None) -> Entry:  # fmt: skip
        """Instantiate `module` with the WASI preview1 functions (`setup`'s world) as imports."""
        config = setup.config()
        entry = self.add_module(name, module, source=source, filename=filename, binary=binary,
                                imports=config.imports())  # fmt: skip
        entry.wasi = setup
        entry.config = config
        config.bind(entry.instance(self.store))
        return entry

    def fresh_wasi(self, entry: Entry, args: list[str] | None = None, stdin: bytes | None = None) -> Instance:
        """A new instance of a WASI module with a new WasiConfig (a program starts only once per
        instance); it replaces the entry's instance, so later commands inspect this run."""
        if entry.wasi is None:
            raise CellError("NotWasi", f"{entry.label} is not a WASI module",
                            [f"{entry.label} was not loaded with WASI: use %load PATH --wasi"])  # fmt: skip
        config = entry.wasi.config(args, stdin)
        inst = self._instantiate_with(entry.module, config.imports())
        if entry.name is not None:
            inst.name = entry.name[1:]
            self.runner.named[entry.name] = inst
            self.runner.registry[entry.name[1:]] = dict(inst.exports)
        if self.runner.current is entry.inst:
            self.runner.current = inst
        if entry.config is not None and entry.config.preopens:
            self._wasi_configs.append(entry.config)  # a debug session may still use it
        entry.inst = inst
        entry.config = config
        instance = entry.instance(self.store)
        config.bind(instance)
        return instance

    def debug_instance(self, entry: Entry) -> Instance:
        """The instance `%debug` runs: a fresh one for a WASI module, else the entry's."""
        return self.fresh_wasi(entry) if entry.wasi is not None else self.instance(entry)

    def run_wasi(self, entry: Entry, args: list[str] | None = None, stdin: bytes | None = None) -> int:
        """Run a WASI module's `_start` on a fresh instance; its exit status (0, the proc_exit
        code, 1 for a refused code, 134 after a trap, as `WasiConfig.run`). The guest's output
        goes to the cell as it is printed; the stop button interrupts."""
        if "_start" not in entry.inst.exports:
            raise CellError("NoExport", "no _start", [f"{entry.label} exports no _start function to run"])
        instance = self.fresh_wasi(entry, args, stdin)
        config = entry.config
        m = instance.func("_start").machine(depth_limit=self.store.call_depth_limit)
        self.runner.last_machine = m

        def drive() -> None:  # in chunks, so that the stop button is seen
            while True:
                if self._interrupted:
                    self._interrupted = False
                    raise Interrupted(f"interrupted after {m.steps:,} instructions in {self._where(m)}")
                if m.run(max_steps=CHUNK) is not None:
                    return

        return config.command_status(m, drive)

    def _instantiate_with(self, module: Module, imports: Any) -> ModuleInst:
        from wasmlab.api import _resolver
        from wasmlab.errors import LinkError
        from wasmlab.exec.instantiate import instantiate

        outer = _resolver(imports, module.types)

        def resolve(mod: str, name: str | None, kind: ExternKind, desc: Any) -> Any:
            if mod in imports:
                return outer(mod, name, kind, desc)
            try:
                return self.runner.resolve(mod, name, kind, desc)
            except LinkError:
                return outer(mod, name, kind, desc)

        return instantiate(self.store, module, resolve)

    # --- running calls ---------------------------------------------------------------------

    def call(self, func: FuncInst, args: list[Any]) -> list[Any]:
        """Run one call to completion, looking at the interrupt flag every CHUNK steps."""
        m = Machine(func, args, depth_limit=self.store.call_depth_limit)
        self.runner.last_machine = m
        while True:
            if self._interrupted:
                self._interrupted = False
                raise Interrupted(f"interrupted after {m.steps:,} instructions in {self._where(m)}")
            out = m.run(max_steps=CHUNK)
            if out is not None:
                return out

    @staticmethod
    def _where(m: Machine) -> str:
        fr = m.frame
        if fr is None:
            return m.entry.name
        ins = fr.instr
        at = f" at {ins.span}" if ins is not None and ins.span is not None else f" pc {fr.pc}"
        return f"{fr.func.name}{at}"

    def interrupt(self) -> None:
        """Stop what runs now (a call, a debug move) at its next look at the flag."""
        self._interrupted = True
        s = self.session
        if s is not None and hasattr(s, "interrupt"):
            try:
                s.interrupt()
            except Exception:  # noqa: S110 - a session that cannot be interrupted finishes its chunk
                pass

    def clear_interrupt(self) -> None:
        self._interrupted = False

    @contextmanager
    def sigint_handler(self) -> Iterator[None]:
        """While running a cell: SIGINT (the stop button) sets the interrupt flag instead of
        raising KeyboardInterrupt in the middle of a machine step."""
        if threading.current_thread() is not threading.main_thread():
            yield
            return

        def on_sigint(signum: int, frame: Any) -> None:
            self.interrupt()

        old = signal.signal(signal.SIGINT, on_sigint)
        try:
            yield
        finally:
            signal.signal(signal.SIGINT, old)

    # --- cells -----------------------------------------------------------------------------

    def run_cell(self, code: str, emit: Emit, cell: int | None = None) -> None:
        """Run a cell; raises CellError for the first failing command (earlier ones stay)."""
        self.cell = cell if cell is not None else self.cell + 1
        self._interrupted = False
        for chunk in split_cell(code):
            if chunk.kind == "magic":
                from .commands import run_magic

                run_magic(self, chunk.text, emit)
            else:
                self.run_wast(chunk.text, chunk.line, emit)

    def filename(self) -> str:
        return f"cell[{self.cell}]"

    def run_wast(self, text: str, line: int, emit: Emit) -> None:
        from wasmlab.text.script import ActionCommand, ModuleCommand, Register, parse_script

        source = "\n" * (line - 1) + text
        filename = self.filename()
        try:
            commands = parse_script(source, filename=filename)
        except WasmError as e:
            raise describe_error(e, source, filename) from None
        passed = 0
        for cmd in commands:
            self.runner.last_machine = None
            try:
                if isinstance(cmd, ModuleCommand):
                    self._define(cmd, source, filename, emit)
                elif isinstance(cmd, Register):
                    target = self.runner.target(cmd.module)
                    self.runner.registry[cmd.name] = dict(target.exports)
                    emit(rich(f'registered {cmd.module or "the latest module"} as "{cmd.name}"'))
                elif isinstance(cmd, ActionCommand):
                    self._action(cmd, source, filename, emit)
                else:
                    self._assert(cmd, source, filename)
                    passed += 1
            except (Failure, Skip) as e:
                kind = type(cmd).__name__
                lines = [f"{filename}:{cmd.line}: {kind_word(kind)} failed: {e}"]
                src = source.splitlines()
                if 1 <= cmd.line <= len(src):
                    lines.append("  " + src[cmd.line - 1].strip())
                if passed:
                    lines.append(f"({passed} assertion{'s' * (passed != 1)} before it passed)")
                raise CellError(
                    "AssertionFailed" if kind.startswith("Assert") else "CommandFailed", str(e), lines
                ) from None
            except CellError:
                raise
            except Interrupted as e:
                raise describe_error(e) from None
            except Trap as e:
                raise self._trap_error(e, cmd) from None
            except WasmError as e:
                raise describe_error(e, source, filename) from None
        if passed:
            emit(rich(f"{passed} assertion{'s' * (passed != 1)} passed",
                      f"<span style='color:green'>&#10004; {passed} assertion{'s' * (passed != 1)} passed</span>"))  # fmt: skip

    def _trap_error(self, e: Trap, cmd: Any) -> CellError:
        m = self.runner.last_machine
        span = None
        entry = None
        if m is None:
            return describe_error(e)
        if m.frame is not None:
            ins = m.frame.instr
            span = ins.span if ins is not None else None
            entry = self.entry_of(m.frame.func.module.module if m.frame.func.module else None)
        return describe_error(
            e, entry.source if entry else None, entry.filename if entry else None, span=span
        )

    def _define(self, cmd: Any, source: str, filename: str, emit: Emit) -> None:
        from wasmlab.valid import validate

        module = self.runner._decode_or_parse(cmd)
        validate(module, features=self.features)
        binary = cmd.binary if cmd.kind == "binary" else None
        text = source if cmd.kind == "text" else cmd.quote
        name = cmd.name or (module.id if cmd.kind == "text" else None)
        entry = self.add_module(name, module, source=text, filename=filename, binary=binary)
        emit(module_summary(entry))

    def _action(self, cmd: Any, source: str, filename: str, emit: Emit) -> None:
        from wasmlab.script.wast import command_dict

        d = command_dict(cmd)
        values = self.runner.action(d["action"])
        types = self.runner.last_types
        if not values:
            return
        shown = [show_value(v, t) for v, t in zip(values, types)]
        text = "\n".join(f"({s})" for s in shown)
        emit(rich(text, "<br>".join(f"<code>({esc(s)})</code>" for s in shown), result=True))

    def _assert(self, cmd: Any, source: str, filename: str) -> None:
        from wasmlab.script.wast import command_dict

        d = command_dict(cmd)
        self.runner._command(d["type"], d)

    # --- the debugger's views ----------------------------------------------------------------

    def source_for(self, module: Module) -> tuple[str, str | None] | None:
        """The text a module was defined from (for the Debugger's code view)."""
        e = self.entry_of(module)
        if e is None or e.source is None:
            return None
        return e.source, e.filename

    def make_debugger(self, session: Any) -> Any:
        """A Debugger widget for `session` (None when widgets cannot be made here)."""
        try:
            from wasmlab.widgets import Debugger
        except ImportError:
            return None
        widget = Debugger(session, sources=self.source_for)
        self.widgets.append(widget)
        return widget

    def refresh_widgets(self) -> None:
        """After a `%` move: every live widget of the current session shows the new state."""
        for w in list(self.widgets):
            if getattr(w, "session", None) is self.session:
                try:
                    w.refresh()
                except Exception:  # noqa: S112 - a broken view must not break the command
                    continue

    # --- values for the front ends ---------------------------------------------------------

    def export_names(self) -> list[str]:
        names: list[str] = []
        for e in self.entries.values():
            names.extend(n for n in e.inst.exports if n not in names)
        return names


def kind_word(kind: str) -> str:
    return {
        "AssertReturn": "assert_return", "AssertTrap": "assert_trap", "AssertExhaustion": "assert_exhaustion",
        "AssertInvalid": "assert_invalid", "AssertMalformed": "assert_malformed",
        "AssertUnlinkable": "assert_unlinkable", "AssertUninstantiable": "assert_trap",
        "ActionCommand": "action", "Register": "register",
    }.get(kind, kind)  # fmt: skip


def signature_text(ft: Any) -> str:
    return str(ft)


def module_summary(entry: Entry) -> Output:
    """What a module definition shows: its name and its exports with their types."""
    from .outputs import table

    m = entry.module
    rows = []
    types = m.all_func_types()
    for e in m.exports:
        if e.kind is ExternKind.FUNC:
            desc = str(types[e.index]) if e.index < len(types) else "?"
        elif e.kind is ExternKind.MEMORY:
            mt = m.all_mem_types()[e.index]
            desc = f"{mt.limits.min} page{'s' * (mt.limits.min != 1)}" + (
                f", max {mt.limits.max}" if mt.limits.max is not None else ""
            )
        elif e.kind is ExternKind.GLOBAL:
            gt = m.all_global_types()[e.index]
            desc = f"{'mut ' if gt.mutable else ''}{gt.type.text}"
        elif e.kind is ExternKind.TABLE:
            tt = m.all_table_types()[e.index]
            desc = f"{tt.limits.min} {tt.elem.text}"
        else:
            desc = ""
        rows.append((e.name, e.kind.text, desc))
    nfuncs = len(m.funcs)
    head = f"module {entry.label}: {nfuncs} function{'s' * (nfuncs != 1)}, {len(m.exports)} export{'s' * (len(m.exports) != 1)}"
    if m.imports:
        head += f", {len(m.imports)} import{'s' * (len(m.imports) != 1)}"
    text, html_text = table(["export", "kind", "type"], rows, caption=head)
    return rich(text, html_text)


__all__ = [
    "CHUNK",
    "Chunk",
    "Entry",
    "GuestStream",
    "WasiSetup",
    "Workspace",
    "module_summary",
    "scan_parens",
    "split_cell",
]
