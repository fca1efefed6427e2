"""A REPL session over WAST: the modules defined so far, registrations, invocations,
assertions and WASI worlds, kept from one input to the next.

`Workspace.run(source, filename)` runs a WAST command list and yields one record per command
(`Defined`, `Registered`, `Returned`, `Passed`), as each finishes, so a front end shows them
in order. A module defined under a `$name` replaces the earlier module of that name; the
others stay. A user mistake raises a `WasmError` (a `CommandFailed` for a failed assertion, a
`WorkspaceError` for a missing module or export, the engine's own errors otherwise); what was
built before it is kept. Nothing here knows about HTML or Jupyter.
"""

from __future__ import annotations

import codecs
import os
import signal
import sys
import threading
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass, field
from typing import Any

from ..api import Instance, resolver_for
from ..errors import LinkError, WasmError
from ..exec import fast
from ..exec.instantiate import instantiate
from ..exec.limits import LIBRARY, StoreLimits
from ..exec.machine import Machine
from ..exec.runtime import FuncInst, ModuleInst
from ..syntax.features import DEFAULT, Features
from ..syntax.module import Module, Span
from ..syntax.types import ExternKind, FuncType, ValType
from .runner import Failure, Runner, Skip
from .spectest import spectest_exports
from .wast import command_dict

#: instructions run between two looks at the interrupt flag
CHUNK = 20_000


def default_step_limit() -> int | None:
    """Instructions one call may run: `$WASMLAB_STEP_LIMIT` (0: no limit); else none, except
    under Pyodide (the JupyterLite site), where no stop button reaches a running cell, so 100
    million (seconds there for a tight loop, a minute or so for call-heavy code) stops a
    runaway loop with an `Interrupted` error."""
    env = os.environ.get("WASMLAB_STEP_LIMIT")
    if env is not None and env.strip().isdigit():
        return int(env) or None
    return 100_000_000 if sys.platform == "emscripten" else None


# --- errors --------------------------------------------------------------------------------


class Interrupted(WasmError):
    """The user pressed stop."""


class WorkspaceError(WasmError):
    """A request the workspace cannot serve: `kind` names it (NoModule, NoExport, NotWasi),
    `lines` say what to do about it."""

    def __init__(self, kind: str, message: str, lines: list[str] | None = None) -> None:
        super().__init__(message)
        self.kind = kind
        self.message = message
        self.lines = lines or [message]


class CommandFailed(WasmError):
    """A command that ran and did not hold: a failed assertion, or an action or registration
    naming what does not exist. `word` is the command as WAST writes it (`assert_return`)."""

    def __init__(self, word: str, line: int, reason: str, *, assertion: bool) -> None:
        super().__init__(f"{word} failed: {reason}")
        self.word = word
        self.line = line
        self.reason = reason
        self.assertion = assertion


# --- what a command did ---------------------------------------------------------------------


@dataclass
class Defined:
    """A module was defined (and instantiated)."""

    entry: Entry
    line: int = 0


@dataclass
class Registered:
    """A module's exports were registered under `name` for later imports."""

    name: str
    module: str | None  # the `$name` given, or None for the latest module
    line: int = 0


@dataclass
class Returned:
    """An action (invoke or get) returned these values, of these types."""

    values: list[Any]
    types: tuple[ValType, ...]
    line: int = 0


@dataclass
class Passed:
    """An assertion held."""

    word: str
    line: int = 0


Record = Defined | Registered | Returned | Passed


# --- modules and WASI worlds ------------------------------------------------------------------


@dataclass
class Entry:
    """A module defined in the session."""

    name: str | None  # "$fib", or None for an unnamed module
    module: Module
    inst: ModuleInst
    source: str | None = None  # the text it was parsed from (line numbers as in its input)
    filename: str | None = None  # "cell[3]" or a path
    binary: bytes | None = None  # the bytes it was decoded from, for binary modules
    cell: int = 0
    wasi: WasiSetup | None = None  # loaded with WASI: how each run's WASI world is made
    config: Any = None  # the WasiConfig bound to `inst` (WASI modules only)

    @property
    def label(self) -> str:
        return self.name or "(unnamed module)"

    @property
    def export_names(self) -> list[str]:
        return list(self.inst.exports)

    @property
    def func_exports(self) -> list[str]:
        """The names of the exported functions."""
        return [n for n, v in self.inst.exports.items() if isinstance(v, FuncInst)]

    def func_type(self, name: str) -> FuncType | None:
        """The type of exported function `name` (None when no function has that name)."""
        value = self.inst.exports.get(name)
        return value.type if isinstance(value, FuncInst) else None

    @property
    def memories(self) -> list[bytearray]:
        """The bytes of each memory of the instance, imported ones first."""
        return [m.data for m in self.inst.mems]

    def instance(self, store: Any) -> Instance:
        return Instance(self.inst, store)


@dataclass
class WasiSetup:
    """A WASI world asked for: argv, environment, preopened directories and stdin."""

    args: list[str] = field(default_factory=list)
    env: dict[str, str] = field(default_factory=dict)
    preopens: dict[str, str] = field(default_factory=dict)  # guest path -> host directory
    stdin: bytes = b""  # what every run reads from fd 0, unless a run redirects it

    def config(self, args: list[str] | None = None, stdin: bytes | None = None,
               echo_limit: int | None = None) -> Any:  # fmt: skip
        """A fresh WasiConfig: stdin as given (else the setup's); stdout and stderr echoed to
        this process's own streams as they come (at most `echo_limit` bytes of each)."""
        from ..wasi import WasiConfig

        argv = self.args if args is None else self.args[:1] + args
        return WasiConfig(args=argv, env=self.env, preopens=self.preopens,
                          stdin=self.stdin if stdin is None else stdin,
                          stdout=GuestStream("stdout", echo_limit),
                          stderr=GuestStream("stderr", echo_limit))  # fmt: skip


class GuestStream:
    """A WASI program's stdout or stderr: keeps the bytes and echoes them, as they come, to
    this process's sys.stdout / sys.stderr (in a kernel: the running cell's output).

    `echo_limit` (bytes; None: all) bounds what is echoed: past it one note says the output
    was cut and the rest is only kept. What is kept stays in memory up to `keep_limit`
    bytes, then everything goes to a temporary file (`spill`), so a program printing
    without end costs disk, not memory. `text(start, n)` reads any part of it back."""

    def __init__(self, name: str, echo_limit: int | None = None, keep_limit: int = 1 << 20) -> None:
        self.name = name
        self.echo_limit = echo_limit
        self.keep_limit = keep_limit
        self.data = bytearray()  # the output while it fits in keep_limit
        self.total = 0
        self.spill: Any = None  # the whole output once it did not fit (a temporary file)
        self._noted = False  # the note that the echo was cut is written
        self._decoder = codecs.getincrementaldecoder("utf-8")("replace")

    def write(self, data: bytes) -> int:
        data = bytes(data)
        start = self.total
        self.total += len(data)
        self._keep(data)
        limit = self.echo_limit
        if limit is None or start < limit or (self.total > limit and not self._noted):
            piece = data if limit is None else data[: max(limit - start, 0)]
            text = self._decoder.decode(piece)
            if limit is not None and self.total > limit:
                self._noted = True
                text += (
                    f"\n[wasmlab: {self.name} cut here after {limit:,} bytes; the program goes on, "
                    f"its whole {self.name} is kept: %output {self.name} shows the rest]\n"
                )
            if text:
                stream = sys.stdout if self.name == "stdout" else sys.stderr
                stream.write(text)
                stream.flush()
        return len(data)

    def _keep(self, data: bytes) -> None:
        if self.spill is None and len(self.data) + len(data) <= self.keep_limit:
            self.data.extend(data)
            return
        if self.spill is None:
            import tempfile

            self.spill = tempfile.NamedTemporaryFile(
                prefix=f"wasmlab-{self.name}-", suffix=".txt", delete=False
            )
            self.spill.write(self.data)
            self.data = bytearray()
        self.spill.write(data)

    @property
    def path(self) -> str | None:
        """The file holding the whole output, when it outgrew memory."""
        return self.spill.name if self.spill is not None else None

    def read(self, start: int = 0, n: int = 1 << 16) -> bytes:
        """`n` bytes of the output from byte `start`."""
        if self.spill is None:
            return bytes(self.data[start : start + n])
        self.spill.flush()
        with open(self.spill.name, "rb") as f:
            f.seek(start)
            return f.read(n)

    def flush(self) -> None:
        pass

    def close(self) -> None:
        """Delete the temporary file, if any."""
        if self.spill is not None:
            import os

            self.spill.close()
            try:
                os.unlink(self.spill.name)
            except OSError:
                pass
            self.spill = None


class PrintLog(list):
    """The spectest module's log, printed as it grows (a REPL sees `print_i32(5)`)."""

    def append(self, line: Any) -> None:
        print(line, flush=True)


class ReplRunner(Runner):
    """The spec runner with interruptible calls, and the last machine kept for error places."""

    def __init__(self, workspace: Workspace) -> None:
        super().__init__(name="repl", module_linking=True, features=workspace.features)
        self.workspace = workspace
        self.registry["spectest"] = spectest_exports(PrintLog())  # spectest.print* print here
        self.last_machine: Machine | None = None

    def call(self, func: FuncInst, args: list[Any]) -> list[Any]:
        return self.workspace.call(func, args)


_WORDS = {
    "AssertReturn": "assert_return", "AssertTrap": "assert_trap", "AssertExhaustion": "assert_exhaustion",
    "AssertInvalid": "assert_invalid", "AssertMalformed": "assert_malformed",
    "AssertInvalidCustom": "assert_invalid_custom",
    "AssertUnlinkable": "assert_unlinkable", "AssertUninstantiable": "assert_trap",
    "ActionCommand": "action", "Register": "register", "ModuleInstance": "module instance",
}  # fmt: skip


def command_word(cmd: Any) -> str:
    """A text-script command's kind as WAST writes it."""
    kind = type(cmd).__name__
    return _WORDS.get(kind, kind)


# --- the session ------------------------------------------------------------------------------


class Workspace:
    """Modules, registrations and WASI worlds of one REPL session."""

    def __init__(self, features: Features = DEFAULT, limits: StoreLimits = LIBRARY) -> None:
        self.cell = 0  # the number of the current input (cell[3])
        self._limits = limits  # the store's limits (wasmlab.Limits); kept by reset()
        self.output_limit: int | None = None  # bytes of a WASI program's stdout/stderr echoed
        self.streams: dict[str, GuestStream] = {}  # the last WASI program's stdout, stderr
        self._interrupted = False
        self.step_limit = default_step_limit()  # instructions per call (None: no limit)
        self._features = features  # post-2.0 proposals inputs may use; kept by reset()
        self._wasi_configs: list[Any] = []
        self.entries: dict[str | None, Entry] = {}
        self.reset()

    # --- state -----------------------------------------------------------------------------

    def reset(self) -> None:
        """Forget every module and registration (the features stay)."""
        for config in [*self._wasi_configs, *(e.config for e in self.entries.values())]:
            if config is not None:
                config.close()  # the preopened directories' descriptors
        self._wasi_configs = []  # replaced WASI worlds, closed at the next reset
        self.runner = ReplRunner(self)
        self.runner.store.limits = self._limits
        self.entries = {}
        self.current: Entry | None = None

    @property
    def features(self) -> Features:
        return self._features

    @features.setter
    def features(self, value: Features) -> None:
        self._features = value
        self.runner.features = value

    @property
    def store(self) -> Any:
        return self.runner.store

    @property
    def limits(self) -> StoreLimits:
        """What the store may hold (`wasmlab.Limits`); new limits apply from the next table,
        memory, grow or call on, to the modules already defined too."""
        return self._limits

    @limits.setter
    def limits(self, value: StoreLimits) -> None:
        self._limits = value
        self.store.limits = value

    @property
    def limit_refusal(self) -> str | None:
        """What the last refused memory.grow / table.grow ran into."""
        return self.store.limiter.refusal

    @property
    def interrupted(self) -> bool:
        """Stop was asked for and not yet seen by a running call."""
        return self._interrupted

    def entry(self, name: str | None = None) -> Entry:
        """The module called `name` (`$fib` or `fib`), or the latest one."""
        if name is None:
            if self.current is None:
                raise _no_module()
            return self.current
        key = name if name.startswith("$") else f"${name}"
        if key in self.entries:
            return self.entries[key]
        known = ", ".join(e.label for e in self.entries.values()) or "none"
        raise WorkspaceError(
            "NoModule", f"no module named {name}", [f"no module named {name} (defined: {known})"]
        )

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
            raise _no_module()
        raise WorkspaceError(
            "NoExport", f"no exported function {name!r}", [f"no module exports a function named {name!r}"]
        )

    def wasi_program(self) -> Entry | None:
        """The WASI program a bare run means: the latest module if it is one, else the WASI
        module defined last (None when there is none)."""
        if self.current is not None and self.current.wasi is not None:
            return self.current
        programs = [e for e in self.entries.values() if e.wasi is not None]
        return programs[-1] if programs else None

    def export_names(self) -> list[str]:
        names: list[str] = []
        for e in self.entries.values():
            names.extend(n for n in e.inst.exports if n not in names)
        return names

    # --- defining modules --------------------------------------------------------------------

    @staticmethod
    def module_text(data: bytes, filename: str) -> str | None:
        """The text of a module file's bytes: None for a wasm binary, else its UTF-8 text (a
        WorkspaceError when it is neither)."""
        if data[:4] == b"\0asm":
            return None
        try:
            return data.decode("utf-8")
        except UnicodeDecodeError:
            raise WorkspaceError(
                "FileError", "not UTF-8", [f"{filename}: neither a wasm binary nor UTF-8 text"]
            ) from None

    def decode(self, data: bytes) -> Module:
        """A module from wasm bytes (module linking recognized by itself), validated with the
        session's features (not yet defined)."""
        from ..binary import decode_auto
        from ..valid import validate

        module = decode_auto(data, features=self.features)
        validate(module, features=self.features)
        return module

    def parse(self, source: str, filename: str | None = None) -> Module:
        """A module from WAT text, validated with the session's features (not yet defined)."""
        from ..text import parse_module
        from ..valid import validate

        module = parse_module(source, filename=filename, features=self.features)
        validate(module, features=self.features)
        return module

    def define(self, source: str, name: str | None = None, *, filename: str | None = None,
               imports: Any = None) -> Entry:  # fmt: skip
        """Parse, validate and instantiate a module from WAT text; `name` (`$m`) defaults to
        the module's own `$id`. Imports as `add_module` takes them."""
        module = self.parse(source, filename)
        return self.add_module(name or module.id, module, source=source, filename=filename, imports=imports)

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
        config = setup.config(echo_limit=self.output_limit)
        self._keep_streams(config)
        entry = self.add_module(name, module, source=source, filename=filename, binary=binary,
                                imports=config.imports())  # fmt: skip
        entry.wasi = setup
        entry.config = config
        config.bind(entry.instance(self.store))
        return entry

    def _keep_streams(self, config: Any) -> None:
        """The newest WASI world's stdout and stderr are what `output()` reads."""
        for old in self.streams.values():
            old.close()
        self.streams = {
            name: sink.target
            for name, sink in (("stdout", config.stdout), ("stderr", config.stderr))
            if isinstance(sink.target, GuestStream)
        }

    def output(self, name: str = "stdout") -> GuestStream:
        """The last WASI program's `name` stream (all of it, also what was not echoed)."""
        if name not in ("stdout", "stderr"):
            raise WorkspaceError(
                "UsageError", f"no stream {name}", [f"no stream {name!r}: say stdout or stderr"]
            )
        stream = self.streams.get(name)
        if stream is None:
            raise WorkspaceError("NoOutput", "no output", ["no WASI program has run yet: %run one first"])
        return stream

    def fresh_wasi(self, entry: Entry, args: list[str] | None = None, stdin: bytes | None = None) -> Instance:
        """A new instance of a WASI module with a new WasiConfig (a program starts only once per
        instance); it replaces the entry's instance, so later commands inspect this run."""
        if entry.wasi is None:
            raise WorkspaceError("NotWasi", f"{entry.label} is not a WASI module",
                                 [f"{entry.label} was not loaded with WASI: use %load PATH --wasi"])  # fmt: skip
        config = entry.wasi.config(args, stdin, echo_limit=self.output_limit)
        self._keep_streams(config)
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
        """The instance a debugger runs: a fresh one for a WASI module, else the entry's."""
        return self.fresh_wasi(entry) if entry.wasi is not None else self.instance(entry)

    def run_wasi(self, entry: Entry, args: list[str] | None = None, stdin: bytes | None = None) -> int:
        """Run a WASI module's `_start` on a fresh instance; its exit status (0, the proc_exit
        code, 1 for a refused code, 134 after a trap, as `WasiConfig.run`). The guest's output
        goes to this process's streams as it is printed; `interrupt()` stops it."""
        if "_start" not in entry.inst.exports:
            raise WorkspaceError(
                "NoExport", "no _start", [f"{entry.label} exports no _start function to run"]
            )
        instance = self.fresh_wasi(entry, args, stdin)
        config = entry.config
        m = instance.func("_start").machine(depth_limit=self.store.call_depth_limit, fuel=self._limits.fuel)
        self._compiled(m)
        self.runner.last_machine = m

        def drive() -> None:  # in chunks, so that an interrupt is seen
            while True:
                self._check_interrupt(m)
                if m.run(max_steps=CHUNK) is not None:
                    return

        return config.command_status(m, drive)

    def _instantiate_with(self, module: Module, imports: Any) -> ModuleInst:
        outer = resolver_for(imports, module.types, module)

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
        m = Machine(func, args, depth_limit=self.store.call_depth_limit, fuel=self._limits.fuel)
        self._compiled(m)
        self.runner.last_machine = m
        limit = self.step_limit
        while True:
            self._check_interrupt(m)
            out = m.run(max_steps=CHUNK if limit is None else min(CHUNK, limit - m.steps))
            if out is not None:
                return out

    def _compiled(self, m: Machine) -> None:
        """Let `m` run calls as compiled code between its chunks (exec.fast), exactly within
        the step limit and fuel; an interrupt stops that code too."""
        m.compiled = None if m.tier == "machine" else True
        m.hard = self.step_limit

    def _check_interrupt(self, m: Machine) -> None:
        if self.step_limit is not None and m.steps >= self.step_limit:
            raise Interrupted(
                f"stopped after {m.steps:,} instructions in {self._where(m)}: the step limit "
                f"(WASMLAB_STEP_LIMIT, workspace.step_limit) is {self.step_limit:,}"
            )
        if self._interrupted:
            self._interrupted = False
            fast.clear_interrupt()
            raise Interrupted(f"interrupted after {m.steps:,} instructions in {self._where(m)}")

    @staticmethod
    def _where(m: Machine) -> str:
        fr = m.frame
        if fr is None:
            return m.entry.name
        ins = fr.instr
        at = f" at {ins.span}" if ins is not None and ins.span is not None else f" pc {fr.pc}"
        return f"{fr.func.name}{at}"

    def fault_site(self) -> tuple[Entry | None, Span | None] | None:
        """Where the last call stopped (after a trap): its module's entry and the instruction's
        source span; None when no call ran."""
        m = self.runner.last_machine
        if m is None:
            return None
        if m.frame is None:
            return None, None
        ins = m.frame.instr
        span = ins.span if ins is not None else None
        func_module = m.frame.func.module
        return self.entry_of(func_module.module if func_module else None), span

    def interrupt(self) -> None:
        """Stop what runs now at its next look at the flag."""
        self._interrupted = True
        fast.interrupt()

    def clear_interrupt(self) -> None:
        self._interrupted = False
        fast.clear_interrupt()

    @contextmanager
    def sigint_handler(self) -> Iterator[None]:
        """While running an input: SIGINT (Ctrl-C, a kernel's stop button) calls `interrupt()`
        instead of raising KeyboardInterrupt in the middle of a machine step."""
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

    # --- WAST command lists -------------------------------------------------------------------

    def run(self, source: str, filename: str | None = None) -> Iterator[Record]:
        """Run the WAST commands of `source` in order, yielding what each did. Raises the first
        error (ParseError before any command runs; CommandFailed, Trap, LinkError... after the
        commands before it, whose effects stay)."""
        from ..text import parse_script
        from ..text.script import ActionCommand, ModuleCommand, Register

        commands = parse_script(source, filename=filename, features=self.features)
        for cmd in commands:
            self.runner.last_machine = None
            try:
                if isinstance(cmd, ModuleCommand):
                    yield Defined(self._define(cmd, source, filename), cmd.line)
                elif isinstance(cmd, Register):
                    target = self.runner.target(cmd.module)
                    self.runner.registry[cmd.name] = dict(target.exports)
                    yield Registered(cmd.name, cmd.module, cmd.line)
                elif isinstance(cmd, ActionCommand):
                    values = self.runner.action(command_dict(cmd)["action"])
                    yield Returned(values, self.runner.last_types, cmd.line)
                else:
                    d = command_dict(cmd)
                    self.runner.execute(d["type"], d)
                    yield Passed(command_word(cmd), cmd.line)
            except (Failure, Skip) as e:
                word = command_word(cmd)
                raise CommandFailed(
                    word, cmd.line, str(e), assertion=type(cmd).__name__.startswith("Assert")
                ) from None

    def _define(self, cmd: Any, source: str, filename: str | None) -> Entry:
        from ..valid import validate

        module = self.runner.read_module(cmd)
        validate(module, features=self.features)
        binary = cmd.binary if cmd.kind == "binary" else None
        text = source if cmd.kind == "text" else cmd.quote
        name = cmd.name or (module.id if cmd.kind == "text" else None)
        return self.add_module(name, module, source=text, filename=filename, binary=binary)


def _no_module() -> WorkspaceError:
    return WorkspaceError(
        "NoModule", "no module defined yet", ["no module defined yet: define one with (module ...)"]
    )


__all__ = [
    "CHUNK", "CommandFailed", "Defined", "Entry", "GuestStream", "Interrupted", "Passed", "Record",
    "Registered", "ReplRunner", "Returned", "WasiSetup", "Workspace", "WorkspaceError", "command_word",
]  # fmt: skip
