"""`WasiConfig`: one WASI guest's world (arguments, environment, standard streams, preopened
directories), the host functions it imports, and how to run it as a command.
"""

from __future__ import annotations

import os
from collections import deque
from collections.abc import Callable, Iterable, Mapping
from typing import Any

from ..errors import Trap, WasmError
from ..exec.instantiate import host_func
from ..exec.runtime import FuncInst, MemoryInst
from ..exec.values import results_from_wasm
from . import constants as C
from .fds import DirFd, FdTable, StreamFd
from .journal import Effect, ProcExit
from .memory import Fault, GuestMemory
from .preview1 import Preview1
from .sandbox import O_DIR, Errno
from .streams import Sink, Source

OOB_MEMORY = "out of bounds memory access"

TRAP_EXIT_STATUS = 134
"""Exit status after a trap: 128 + SIGABRT, as wasmtime's CLI exits on Unix."""

EXIT_STATUS_LIMIT = 126
"""proc_exit codes from here up are refused the way wasmtime does: an error, exit status 1."""


class WasiFunction:
    """One preview1 import: `FuncInst.host` of the host function the guest calls.

    Calling it runs the WASI function (or replays the next recorded effect while the config
    is replaying). `record(*args)` runs it and returns its `Effect`; `replay(effect)` gives
    the recorded result again and redoes its memory writes, without its side effects."""

    __slots__ = ("config", "name", "method")

    def __init__(self, config: WasiConfig, name: str, method: Callable[..., Any]) -> None:
        self.config = config
        self.name = name
        self.method = method

    def __call__(self, *args: int) -> Any:
        cfg = self.config
        if cfg.replaying:
            return cfg._replay_next(self, args)
        if cfg.journal is None and cfg.recorder is None:
            return cfg._invoke(self, args)
        return self.record(*args).resume()

    def record(self, *args: int) -> Effect:
        """Run the call live; its Effect (results, memory writes, output, exit code)."""
        return self.config._invoke_recorded(self, args)

    def replay(self, effect: Effect) -> Any:
        """Redo `effect`'s memory writes; its results (or ProcExit raised again)."""
        if self.config.memory is not None:
            effect.apply(self.config.memory.inst)
        return effect.resume()

    def __repr__(self) -> str:
        return f"<wasi {self.name}>"


class WasiConfig(Preview1):
    """What a WASI program sees.

    `args`: argv (argv[0] is the program name); `env`: environment; `preopens`: guest path ->
    host directory (the only directories the program can reach); `stdin`: bytes/str, a binary
    file-like, or None for this process's stdin; `stdout`/`stderr`: None for this process's
    streams, a `bytearray` or `list` to collect into, or a writable file-like; `tty`: report
    the standard streams as terminals (C stdio then line-buffers), None to ask the streams.

    After `bind(instance)` (done by `wasmlab.instantiate(..., wasi=config)`), `run(instance)`
    runs `_start` and returns the exit status. Record/replay for the debugger: `journal`,
    `recorder`, `replay_from` (see `wasmlab.wasi.journal`).
    """

    def __init__(
        self,
        args: Iterable[str | bytes] = (),
        env: Mapping[str, str] | Iterable[tuple[str, str]] | None = None,
        preopens: Mapping[str, str | os.PathLike[str]] | None = None,
        stdin: Any = b"",
        stdout: Any = None,
        stderr: Any = None,
        *,
        tty: bool | None = None,
    ) -> None:
        self.args_bytes = [a if isinstance(a, bytes) else str(a).encode("utf-8") for a in args]
        pairs = env.items() if isinstance(env, Mapping) else (env or ())
        self.env_bytes = [f"{k}={v}".encode() for k, v in pairs]
        for s in self.args_bytes + self.env_bytes:
            if b"\0" in s:
                raise WasmError("WASI arguments and environment cannot contain NUL bytes")
        self.stdin = Source(stdin)
        self.stdout = Sink(stdout, "stdout")
        self.stderr = Sink(stderr, "stderr")
        self.preopens: dict[str, str] = {}
        self.fds = FdTable()
        self.fds.add(StreamFd(self.stdin, tty))
        self.fds.add(StreamFd(self.stdout, tty))
        self.fds.add(StreamFd(self.stderr, tty))
        for guest, host in (preopens or {}).items():
            self.preopen(guest, host)
        self._initial = set(map(id, self.fds.fds.values()))
        self.memory: GuestMemory | None = None
        self.instance: Any = None
        self.journal: list[Effect] | None = None
        self.recorder: Callable[[Effect], None] | None = None
        self.replaying = False
        self.replay_queue: deque[Effect] = deque()
        self.exit_code: int | None = None
        self.machine: Any = None
        self.results: Any = None
        self.last_error: BaseException | None = None
        self._output: list[tuple[int, bytes]] | None = None
        self._functions: dict[str, FuncInst] | None = None

    def preopen(self, guest: str, host: str | os.PathLike[str]) -> int:
        """Give the program directory `host` under the name `guest`; its descriptor number."""
        real = os.path.realpath(os.fsencode(host))
        try:
            dfd = os.open(real, os.O_RDONLY | O_DIR)
        except OSError as e:
            raise WasmError(f"cannot preopen {os.fsdecode(host)!r}: {e.strerror}") from None
        name = os.fsencode(guest)
        self.preopens[os.fsdecode(name)] = os.fsdecode(real)
        return self.fds.add(DirFd(dfd, real, C.DIR_RIGHTS, C.DIR_RIGHTS | C.FILE_RIGHTS, preopen=name))

    # --- what the module imports ----------------------------------------------------------

    def imports(self) -> dict[str, dict[str, FuncInst]]:
        """`{"wasi_snapshot_preview1": {name: host function}}` with the exact preview1 types."""
        if self._functions is None:
            self._functions = {
                name: host_func(ft, WasiFunction(self, name, getattr(self, name)), f"wasi:{name}")
                for name, ft in C.SIGNATURES.items()
            }
        return {C.MODULE: dict(self._functions)}

    def bind(self, instance: Any) -> None:
        """Attach to an instance: WASI reads and writes its exported memory "memory"."""
        self.instance = instance
        inner = getattr(instance, "inst", instance)
        exports = getattr(inner, "exports", {})
        mem = exports.get("memory") if isinstance(exports, Mapping) else None
        mem = getattr(mem, "inst", mem)
        self.memory = GuestMemory(mem) if isinstance(mem, MemoryInst) else None

    # --- calls ------------------------------------------------------------------------------

    def _dispatch(self, fn: WasiFunction, args: tuple[int, ...]) -> int:
        try:
            out = fn.method(*args)
            return 0 if out is None else int(out)
        except Errno as e:
            return e.code
        except Fault:
            raise Trap(OOB_MEMORY) from None
        except Trap:
            raise
        except OSError as e:
            return C.from_host_errno(e.errno)
        except UnicodeError:
            return C.EILSEQ
        except (ValueError, OverflowError):
            return C.EINVAL
        except MemoryError:
            return C.ENOMEM
        except Exception as e:  # never into the guest: a host failure is an I/O error
            self.last_error = e
            return C.EIO

    def _invoke(self, fn: WasiFunction, args: tuple[int, ...]) -> Any:
        try:
            return self._dispatch(fn, args)
        except ProcExit as e:
            self.exit_code = e.code
            raise

    def _invoke_recorded(self, fn: WasiFunction, args: tuple[int, ...]) -> Effect:
        mem = self.memory
        if mem is not None:
            mem.writes = []
        self._output = []
        exit_code = None
        try:
            results: tuple[int, ...] = (self._dispatch(fn, args),)
        except ProcExit as e:
            exit_code = self.exit_code = e.code
            results = ()
        finally:
            writes = mem.writes if mem is not None else None
            if mem is not None:
                mem.writes = None
            output, self._output = self._output, None
        effect = Effect(fn.name, tuple(args), results, writes or [], exit_code, output or [])
        if self.journal is not None:
            self.journal.append(effect)
        if self.recorder is not None:
            self.recorder(effect)
        return effect

    def replay_from(self, effects: Iterable[Effect]) -> None:
        """Replay these effects for the next WASI calls, in order, then go live again."""
        self.replay_queue = deque(effects)
        self.replaying = bool(self.replay_queue)

    def _replay_next(self, fn: WasiFunction, args: tuple[int, ...]) -> Any:
        effect = self.replay_queue.popleft()
        if not self.replay_queue:
            self.replaying = False
        if effect.name != fn.name or effect.args != tuple(args):
            self.replaying = False
            self.replay_queue.clear()
            raise Trap(
                f"wasi replay diverged: recorded {effect.name}{effect.args}, now {fn.name}{tuple(args)}"
            )
        return fn.replay(effect)

    # --- running a command -------------------------------------------------------------------

    def run(self, instance: Any, name: str = "_start", args: Iterable[Any] = ()) -> int:
        """Run export `name` as a WASI command; the exit status.

        0 when it returns; the proc_exit code (codes >= 126 are refused like wasmtime: an
        error message, status 1); after a trap, the trap with its wasm backtrace (function
        names from the name section) goes to the guest's stderr and the status is 134, as
        wasmtime's CLI on Unix. The machine stays in `self.machine` for inspection; what the
        program opened is closed at the end (`close_opened`)."""
        if self.instance is not instance:
            self.bind(instance)
        func = instance.func(name)
        m = func.machine(*args)

        def drive() -> None:
            self.results = results_from_wasm(m.run() or [], func.type.results)

        return self.command_status(m, drive)

    def command_status(self, m: Any, drive: Callable[[], object]) -> int:
        """The exit status of a WASI command whose machine `m` `drive()` runs to its end (see
        `run`); other errors, such as an interruption, pass through. Closes what it opened."""
        self.machine = m
        try:
            drive()
            return 0
        except ProcExit as e:
            self.exit_code = e.code
            if e.code >= EXIT_STATUS_LIMIT:
                self._report(f"Error: exit with invalid exit status outside of [0..{EXIT_STATUS_LIMIT})\n")
                return 1
            return e.code
        except Trap as t:
            self._report(format_trap(t))
            return TRAP_EXIT_STATUS
        finally:
            self.close_opened()

    def _report(self, text: str) -> None:
        try:
            self.stderr.write(text.encode("utf-8", "replace"))
        except Exception:  # a closed stream must not hide the exit status
            pass

    def close_opened(self) -> None:
        """Close what the program opened (as its process ending would); the standard streams
        and preopens stay, so another instance can use this config."""
        for fd, d in list(self.fds):
            if id(d) not in self._initial:
                d.close()
                del self.fds.fds[fd]

    def close(self) -> None:
        """Close every host descriptor, preopens included."""
        self.fds.close_all()

    @property
    def output(self) -> bytes:
        """What a bytearray/list stdout collector holds."""
        return self.stdout.captured()

    @property
    def errors(self) -> bytes:
        """What a bytearray/list stderr collector holds."""
        return self.stderr.captured()

    def __repr__(self) -> str:
        return f"<WasiConfig args={[a.decode('utf-8', 'replace') for a in self.args_bytes]} preopens={self.preopens}>"


def format_trap(t: Trap) -> str:
    """A trap as the run command reports it: the kind, then the wasm backtrace innermost first."""
    lines = ["Error: failed to run main module", "", "Caused by:", f"    wasm trap: {t.kind}"]
    if t.stack:
        lines.append("    wasm backtrace:")
        for i, fname in enumerate(reversed(t.stack)):
            lines.append(f"      {i:>3}: {fname}")
    return "\n".join(lines) + "\n"


def wasi_imports(config: WasiConfig) -> dict[str, dict[str, FuncInst]]:
    """The import object for `config`: `{"wasi_snapshot_preview1": {name: host function}}`."""
    return config.imports()
