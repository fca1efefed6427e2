"""Building and running the C test programs of tests/c: as wasm on wasmlab, natively with gcc,
and on the wasmtime PyPI package (version 1.0 or later only)."""

from __future__ import annotations

import os
import shutil
import signal
import subprocess
from dataclasses import dataclass
from pathlib import Path

import wasmlab
from wasmlab.wasi import WasiConfig
from wasmlab.wasi import constants as C

ROOT = Path(__file__).resolve().parents[2]
C_DIR = ROOT / "tests" / "c"
PROGRAMS = sorted(p.stem for p in C_DIR.glob("*.c"))
WASI_ONLY = {"escape"}
"""Programs that call WASI directly (no native build): escape.c, the sandbox breaker."""
NATIVE_PROGRAMS = [p for p in PROGRAMS if p not in WASI_ONLY]
CLANG_FLAGS = ["--target=wasm32-wasi", "-O2", "-Wl,--strip-debug"]
"""How the committed tests/c/*.wasm fixtures are built (no DWARF; the name section stays)."""


@dataclass(frozen=True)
class Outcome:
    stdout: bytes
    stderr: bytes
    status: int


def build_wasm(clang: str, src: Path, out: Path) -> bool:
    r = subprocess.run([clang, *CLANG_FLAGS, str(src), "-o", str(out)], capture_output=True, text=True)
    return r.returncode == 0


def build_native(gcc: str, src: Path, out: Path) -> None:
    subprocess.run([gcc, "-O2", str(src), "-o", str(out), "-lm"], check=True, capture_output=True)


def clang_for_wasi() -> str | None:
    """clang, if it is installed and can build wasm32-wasi programs here."""
    return shutil.which("clang")


def populate(d: Path) -> None:
    """The files every program run sees in its current (preopened) directory."""
    (d / "sub" / "deeper").mkdir(parents=True)
    (d / "words.txt").write_text("the quick brown fox\njumps over\n\nthe lazy dog\n")
    (d / "sub" / "numbers.txt").write_text(" ".join(str((i * 7919) % 1000 - 500) for i in range(200)) + "\n")
    (d / "sub" / "deeper" / "empty").write_bytes(b"")
    (d / "binary.dat").write_bytes(bytes(range(256)) * 3)
    os.symlink("words.txt", d / "link-to-words")
    os.symlink("sub/deeper", d / "link-to-dir")


def run_wasmlab(wasm: Path, args: list[str], stdin: bytes, cwd: Path, env: dict[str, str]) -> Outcome:
    cfg = WasiConfig(
        args=[wasm.stem, *args], env=env, preopens={".": str(cwd)}, stdin=stdin,
        stdout=bytearray(), stderr=bytearray(),
    )  # fmt: skip
    inst = wasmlab.load(wasm, wasi=cfg)
    status = cfg.run(inst)
    return Outcome(cfg.output, cfg.errors, status)


def run_native(exe: Path, args: list[str], stdin: bytes, cwd: Path, env: dict[str, str]) -> Outcome:
    p = subprocess.run([str(exe), *args], input=stdin, capture_output=True, cwd=cwd, env=env, timeout=60)
    status = p.returncode if p.returncode >= 0 else 128 - p.returncode  # as a shell reports a signal
    return Outcome(p.stdout, p.stderr, status)


def wasmtime_version() -> tuple[int, ...] | None:
    try:
        from importlib.metadata import version

        text = version("wasmtime")
    except Exception:
        return None
    try:
        return tuple(int(x) for x in text.split(".")[:2])
    except ValueError:
        return None


def run_wasmtime(wasm: Path, args: list[str], stdin: bytes, cwd: Path, env: dict[str, str],
                 scratch: Path) -> Outcome:  # fmt: skip
    """The same run on the wasmtime PyPI package (its WASI; a trap is status 134 as in its CLI)."""
    import wasmtime  # type: ignore[import-not-found]

    engine = wasmtime.Engine()
    linker = wasmtime.Linker(engine)
    linker.define_wasi()
    store = wasmtime.Store(engine)
    config = wasmtime.WasiConfig()
    config.argv = [wasm.stem, *args]
    config.env = list(env.items())
    config.preopen_dir(str(cwd), ".")
    files = {name: scratch / f"wasmtime.{name}" for name in ("stdin", "stdout", "stderr")}
    files["stdin"].write_bytes(stdin)
    config.stdin_file = str(files["stdin"])
    config.stdout_file = str(files["stdout"])
    config.stderr_file = str(files["stderr"])
    store.set_wasi(config)
    module = wasmtime.Module.from_file(engine, str(wasm))
    instance = linker.instantiate(store, module)
    try:
        instance.exports(store)["_start"](store)
        status = 0
    except wasmtime.ExitTrap as e:
        status = e.code
    except wasmtime.Trap:
        status = 134
    return Outcome(files["stdout"].read_bytes(), files["stderr"].read_bytes(), status)


SIGNALS = {128 + s: s.name for s in signal.Signals}


def escape_sandbox(base: Path) -> tuple[Path, Path]:
    """A sandbox directory full of ways out, next to a directory with a secret in it.
    Returns (sandbox, secret file)."""
    outside = base / "outside"
    outside.mkdir()
    secret = outside / "secret.txt"
    secret.write_text("SECRET")
    sb = base / "sandbox"
    (sb / "sub").mkdir(parents=True)
    (sb / "inside.txt").write_text("inside")
    links = {
        "up": "../outside", "abs": str(secret), "chain1": "chain2",
        "chain2": "sub/../../outside/secret.txt", "dotdot": "..", "loop1": "loop2",
        "loop2": "loop1", "self": ".", "sub/back": "..", "sub/deep": "../../outside",
    }  # fmt: skip
    for name, target in links.items():
        os.symlink(target, sb / name)
    return sb, secret


class Guest:
    """Calls the WASI host functions directly, as a guest would, over a fresh 2-page memory:
    `g.call("fd_close", 3)` gives the errno; `g.string(b"x")` places bytes and gives (ptr, len)."""

    RIGHTS = C.DIR_RIGHTS | C.FILE_RIGHTS
    """What a preopen lets descriptors opened through it have (the default request)."""

    def __init__(self, cfg: WasiConfig, pages: int = 2) -> None:
        from types import SimpleNamespace

        from wasmlab.exec.runtime import MemoryInst
        from wasmlab.syntax.types import Limits, MemType

        self.cfg = cfg
        self.mem = MemoryInst(MemType(Limits(pages)))
        cfg.bind(SimpleNamespace(exports={"memory": self.mem}))
        self.funcs = cfg.imports()["wasi_snapshot_preview1"]
        self.top = 1024

    def call(self, name: str, *args: int) -> int:
        return self.funcs[name].host(*args)

    def alloc(self, n: int, align: int = 8) -> int:
        self.top = (self.top + align - 1) // align * align
        ptr = self.top
        self.top += n
        return ptr

    def string(self, data: bytes | str) -> tuple[int, int]:
        raw = data.encode() if isinstance(data, str) else data
        ptr = self.alloc(max(len(raw), 1))
        self.mem.data[ptr : ptr + len(raw)] = raw
        return ptr, len(raw)

    def read(self, ptr: int, n: int) -> bytes:
        return bytes(self.mem.data[ptr : ptr + n])

    def u32(self, ptr: int) -> int:
        return int.from_bytes(self.mem.data[ptr : ptr + 4], "little")

    def u64(self, ptr: int) -> int:
        return int.from_bytes(self.mem.data[ptr : ptr + 8], "little")

    def open(self, path: bytes | str, dirfd: int = 3, *, follow: bool = True, oflags: int = 0,
             rights: int | None = None, inheriting: int | None = None, fdflags: int = 0) -> tuple[int, int]:  # fmt: skip
        """path_open: (errno, new fd)."""
        p, n = self.string(path)
        out = self.alloc(4)
        base = self.RIGHTS if rights is None else rights
        inh = self.RIGHTS if inheriting is None else inheriting
        e = self.call("path_open", dirfd, int(follow), p, n, oflags, base, inh, fdflags, out)
        return e, self.u32(out)

    def iovec(self, *sizes: int) -> tuple[int, list[int]]:
        """An iovec array of fresh buffers: (array ptr, buffer ptrs)."""
        bufs = [self.alloc(s) for s in sizes]
        arr = self.alloc(8 * len(sizes))
        for i, (b, s) in enumerate(zip(bufs, sizes)):
            self.mem.data[arr + 8 * i : arr + 8 * i + 8] = b.to_bytes(4, "little") + s.to_bytes(4, "little")
        return arr, bufs

    def read_fd(self, fd: int, n: int = 256) -> tuple[int, bytes]:
        arr, (buf,) = self.iovec(n)
        out = self.alloc(4)
        e = self.call("fd_read", fd, arr, 1, out)
        return e, self.read(buf, self.u32(out)) if e == 0 else b""

    def write_fd(self, fd: int, data: bytes) -> tuple[int, int]:
        arr, (buf,) = self.iovec(len(data))
        self.mem.data[buf : buf + len(data)] = data
        out = self.alloc(4)
        e = self.call("fd_write", fd, arr, 1, out)
        return e, self.u32(out)
