"""Sandbox escapes: every attempt to reach outside the preopened directory fails.

Two batteries: tests/c/escape.c (57 attempts through the WASI imports from C, its output
compared line by line with what wasmtime 51 prints for the same program and sandbox), and
the direct host-function attempts below (a Python "guest" over a fake memory), each checked
to leave the outside directory untouched and unread.
"""

from __future__ import annotations

import os
from collections.abc import Callable
from pathlib import Path

import pytest

from tests.wasi.helpers import Guest, escape_sandbox, run_wasmlab, run_wasmtime, wasmtime_version
from wasmlab.errors import Trap
from wasmlab.wasi import WasiConfig
from wasmlab.wasi import constants as C

EXPECTED = Path(__file__).with_name("escape_expected.txt")
ESCAPE_LINKS = ["abs", "chain1", "chain2", "dotdot", "inside.txt", "loop1", "loop2", "self", "sub", "up"]


def _outside_state(base: Path) -> list[tuple[str, bytes, int]]:
    out = []
    for root, dirs, files in os.walk(base / "outside"):
        for name in sorted(dirs + files):
            p = Path(root) / name
            out.append(
                (str(p.relative_to(base)), p.read_bytes() if p.is_file() else b"", p.lstat().st_mtime_ns)
            )
    return out


# --- the C battery ------------------------------------------------------------------------------


def test_escape_program(wasm_programs: dict[str, Path], tmp_path: Path) -> None:
    sb, secret = escape_sandbox(tmp_path)
    before = _outside_state(tmp_path)
    result = run_wasmlab(wasm_programs["escape"], [str(secret)], b"", sb, {})
    assert result.status == 0 and result.stderr == b""
    text = result.stdout.decode()
    assert text == EXPECTED.read_text()
    assert "SECRET" not in text
    assert text.count("errno 63") >= 30  # EPERM: the answer to every way out
    assert _outside_state(tmp_path) == before
    assert sorted(os.listdir(tmp_path)) == ["outside", "sandbox"]
    # the one thing created: a relative link that climbs out, which wasmtime also creates and
    # which cannot be followed
    assert sorted(os.listdir(sb)) == sorted([*ESCAPE_LINKS, "mylink2"])


def test_escape_program_same_as_wasmtime(wasm_programs: dict[str, Path], tmp_path: Path, tier: str) -> None:
    v = wasmtime_version()
    if v is None or v < (1, 0):
        pytest.skip("needs the wasmtime PyPI package >= 1.0 (0.22 is pinned for module-linking tests)")
    (tmp_path / "a").mkdir()
    (tmp_path / "b").mkdir()
    sb_a, secret_a = escape_sandbox(tmp_path / "a")
    sb_b, secret_b = escape_sandbox(tmp_path / "b")
    ours = run_wasmlab(wasm_programs["escape"], [str(secret_a)], b"", sb_a, {})
    theirs = run_wasmtime(wasm_programs["escape"], [str(secret_b)], b"", sb_b, {}, tmp_path)
    assert ours == theirs
    assert sorted(os.listdir(sb_a)) == sorted(os.listdir(sb_b))


def test_libc_paths_cannot_leave_the_preopen(wasm_programs: dict[str, Path], tmp_path: Path) -> None:
    """Through wasi-libc's own path handling (cat opens what it is told)."""
    sb, secret = escape_sandbox(tmp_path)
    tries = ["../outside/secret.txt", str(secret), "/etc/passwd", "up/secret.txt", "abs",
             "chain1", "sub/deep/secret.txt", "dotdot/outside/secret.txt"]  # fmt: skip
    result = run_wasmlab(wasm_programs["cat"], tries, b"", sb, {})
    assert result.status == 1
    assert b"SECRET" not in result.stdout and result.stdout == b""
    assert result.stderr.count(b"cannot open") == len(tries)


# --- direct attempts ------------------------------------------------------------------------------


@pytest.fixture
def world(tmp_path: Path) -> tuple[Guest, Path, Path]:
    sb, _ = escape_sandbox(tmp_path)
    os.symlink("../outside/new.txt", sb / "dangle")
    cfg = WasiConfig(args=["escape"], preopens={"/sb": str(sb)}, stdout=bytearray(), stderr=bytearray())
    return Guest(cfg), sb, tmp_path


def _rename(g: Guest, old: str, new: str, fd: int = 3, new_fd: int = 3) -> int:
    (op, on), (np, nn) = g.string(old), g.string(new)
    return g.call("path_rename", fd, op, on, new_fd, np, nn)


def _pathcall(name: str, path: bytes | str, *extra: int, fd: int = 3, flags: int | None = None) -> Callable[[Guest], int]:  # fmt: skip
    def go(g: Guest) -> int:
        p, n = g.string(path)
        args = (fd, p, n) if flags is None else (fd, flags, p, n)
        return g.call(name, *args, *extra)

    return go


def _filestat(path: str, follow: bool) -> Callable[[Guest], int]:
    def go(g: Guest) -> int:
        p, n = g.string(path)
        return g.call("path_filestat_get", 3, int(follow), p, n, g.alloc(64))

    return go


def _open_errno(path: bytes | str, **kw: object) -> Callable[[Guest], int]:
    return lambda g: g.open(path, **kw)[0]  # type: ignore[arg-type]


def _symlink_then_open(target: str, name: str) -> Callable[[Guest], int]:
    def go(g: Guest) -> int:
        (tp, tn), (np, nn) = g.string(target), g.string(name)
        e = g.call("path_symlink", tp, tn, 3, np, nn)
        if e:
            return e
        return g.open(f"{name}/secret.txt")[0]

    return go


def _swap_subdir_for_a_link(g: Guest) -> int:
    """The guest opens sub, moves it away and puts an escaping link in its place: the
    descriptor still means the directory it opened (nothing named secret.txt there)."""
    e, sub = g.open("sub", oflags=C.OFLAGS_DIRECTORY, rights=C.DIR_RIGHTS)
    assert e == 0
    assert _rename(g, "sub", "sub-moved") == 0
    tp, tn = g.string("../outside")
    np, nn = g.string("sub")
    assert g.call("path_symlink", tp, tn, 3, np, nn) == 0
    assert g.open("sub/secret.txt")[0] == C.EPERM
    return g.open("secret.txt", sub)[0]


def _drop_path_open_right(g: Guest) -> int:
    assert g.call("fd_fdstat_set_rights", 3, C.DIR_RIGHTS & ~C.PATH_OPEN, Guest.RIGHTS) == 0
    return g.open("inside.txt")[0]


def _add_rights(g: Guest) -> int:
    e, fd = g.open("inside.txt", rights=C.FD_READ, inheriting=0)
    assert e == 0
    return g.call("fd_fdstat_set_rights", fd, C.FD_READ | C.FD_WRITE, 0)


def _rights_beyond_inheriting(g: Guest) -> int:
    e, sub = g.open("sub", oflags=C.OFLAGS_DIRECTORY, rights=C.DIR_RIGHTS, inheriting=C.FD_READ)
    assert e == 0
    return g.open("back", sub, rights=C.FD_READ | C.FD_WRITE, inheriting=0)[0]


def _write_read_only(g: Guest) -> int:
    e, fd = g.open("inside.txt", rights=C.FD_READ, inheriting=0)
    assert e == 0
    return g.write_fd(fd, b"overwritten")[0]


def _renumber_onto_preopen(g: Guest) -> int:
    e, fd = g.open("inside.txt", rights=C.FD_READ, inheriting=0)
    assert e == 0 and g.call("fd_renumber", fd, 3) == 0
    return g.open("inside.txt")[0]


def _close_preopen(g: Guest) -> int:
    assert g.call("fd_close", 3) == 0
    return g.open("inside.txt")[0]


def _long_chain(g: Guest) -> int:
    sb = Path(g.cfg.preopens["/sb"])
    for i in range(C.SYMLINK_MAX + 2):
        os.symlink(f"c{i + 1}", sb / f"c{i}")
    (sb / f"c{C.SYMLINK_MAX + 2}").write_text("end")
    return g.open("c0")[0]


def _set_times_through_link(g: Guest) -> int:
    p, n = g.string("up/secret.txt")
    return g.call("path_filestat_set_times", 3, 1, p, n, 5, 5, C.FSTFLAGS_ATIM | C.FSTFLAGS_MTIM)


def _hard_link_out(g: Guest) -> int:
    (op, on), (np, nn) = g.string("inside.txt"), g.string("up/hard")
    return g.call("path_link", 3, 0, op, on, 3, np, nn)


def _readlink_out(g: Guest) -> int:
    p, n = g.string("../outside")
    return g.call("path_readlink", 3, p, n, g.alloc(64), 64, g.alloc(4))


ATTEMPTS: dict[str, tuple[Callable[[Guest], int], int]] = {
    "dotdot": (_open_errno("../outside/secret.txt"), C.EPERM),
    "absolute": (_open_errno("/etc/passwd"), C.EPERM),
    "dotdot-after-subdir": (_open_errno("sub/../../outside/secret.txt"), C.EPERM),
    "dotdot-only": (_open_errno(".."), C.EPERM),
    "dotdot-trailing-slash": (_open_errno("sub/../../"), C.EPERM),
    "relative-link": (_open_errno("up/secret.txt"), C.EPERM),
    "absolute-link": (_open_errno("abs"), C.EPERM),
    "absolute-link-nofollow": (_open_errno("abs", follow=False), C.ELOOP),
    "link-chain": (_open_errno("chain1"), C.EPERM),
    "link-in-the-middle": (_open_errno("sub/deep/secret.txt"), C.EPERM),
    "link-to-dotdot": (_open_errno("dotdot/outside/secret.txt"), C.EPERM),
    "create-through-dangling-link": (_open_errno("dangle", oflags=C.OFLAGS_CREAT), C.EPERM),
    "link-loop": (_open_errno("loop1"), C.ELOOP),
    "long-link-chain": (_long_chain, C.ELOOP),
    "nul-byte": (_open_errno(b"inside.txt\0/../../outside/secret.txt"), C.EINVAL),
    "overlong-utf8-dots": (_open_errno(b"\xc0\xae\xc0\xae/outside/secret.txt"), C.EILSEQ),
    "unicode-lookalike-dots": (_open_errno("\u2024\u2024/outside/secret.txt"), C.ENOENT),
    "fullwidth-dots": (_open_errno("\uff0e\uff0e/outside/secret.txt"), C.ENOENT),
    "backslashes": (_open_errno("..\\outside\\secret.txt"), C.ENOENT),
    "huge-path": (_open_errno("a/" * 2100), C.ENAMETOOLONG),
    "huge-component": (_open_errno("x" * 300), C.ENAMETOOLONG),
    "filestat-outside": (_filestat("../outside/secret.txt", False), C.EPERM),
    "filestat-through-link": (_filestat("up", True), C.EPERM),
    "readlink-outside": (_readlink_out, C.EPERM),
    "set-times-through-link": (_set_times_through_link, C.EPERM),
    "rename-out": (lambda g: _rename(g, "inside.txt", "../stolen.txt"), C.EPERM),
    "rename-out-through-link": (lambda g: _rename(g, "inside.txt", "up/stolen.txt"), C.EPERM),
    "rename-in": (lambda g: _rename(g, "up/secret.txt", "got.txt"), C.EPERM),
    "rename-the-root": (lambda g: _rename(g, ".", "elsewhere"), C.EPERM),
    "hard-link-out": (_hard_link_out, C.EPERM),
    "mkdir-out": (_pathcall("path_create_directory", "../newdir"), C.EPERM),
    "mkdir-through-link": (_pathcall("path_create_directory", "up/newdir"), C.EPERM),
    "unlink-outside": (_pathcall("path_unlink_file", "../outside/secret.txt"), C.EPERM),
    "unlink-through-link": (_pathcall("path_unlink_file", "up/secret.txt"), C.EPERM),
    "rmdir-root": (_pathcall("path_remove_directory", "."), C.EPERM),
    "rmdir-parent": (_pathcall("path_remove_directory", ".."), C.EPERM),
    # a trailing slash does not make rmdir/unlink follow the link (Linux, wasmtime 51)
    "rmdir-link-slash": (_pathcall("path_remove_directory", "up/"), C.ENOTDIR),
    "unlink-link-slash": (_pathcall("path_unlink_file", "up/"), C.ENOTDIR),
    "unlink-file-slash": (_pathcall("path_unlink_file", "inside.txt/"), C.ENOTDIR),
    "symlink-absolute": (_symlink_then_open("/", "rootlink"), C.EPERM),
    "symlink-climbing": (_symlink_then_open("../outside", "climb"), C.EPERM),
    "swap-open-subdir-for-link": (_swap_subdir_for_a_link, C.ENOENT),
    "subdir-fd-dotdot": (lambda g: g.open("../inside.txt", g.open("sub", oflags=C.OFLAGS_DIRECTORY, rights=C.DIR_RIGHTS)[1])[0], C.EPERM),
    "path-open-through-file": (lambda g: g.open("x", g.open("inside.txt")[1])[0], C.ENOTDIR),
    "path-open-through-stdin": (lambda g: g.open("inside.txt", 0)[0], C.ENOTDIR),
    "path-open-bad-fd": (lambda g: g.open("inside.txt", 0xFFFFFFFF)[0], C.EBADF),
    "renumber-onto-preopen": (_renumber_onto_preopen, C.ENOTDIR),
    "closed-preopen": (_close_preopen, C.EBADF),
    "without-path-open-right": (_drop_path_open_right, C.ENOTCAPABLE),
    "grow-rights": (_add_rights, C.ENOTCAPABLE),
    "rights-beyond-inheriting": (_rights_beyond_inheriting, C.ENOTCAPABLE),
    "write-read-only-fd": (_write_read_only, C.EBADF),
    "readdir-on-file": (lambda g: g.call("fd_readdir", g.open("inside.txt")[1], g.alloc(64), 64, 0, g.alloc(4)), C.EBADF),
}  # fmt: skip


def test_at_least_twenty_ways() -> None:
    assert len(ATTEMPTS) >= 20


@pytest.mark.parametrize("name", list(ATTEMPTS))
def test_escape_attempt_fails(name: str, world: tuple[Guest, Path, Path]) -> None:
    g, sb, base = world
    before = _outside_state(base)
    inside = (sb / "inside.txt").read_bytes()
    attempt, expected = ATTEMPTS[name]
    assert attempt(g) == expected
    assert _outside_state(base) == before
    assert sorted(os.listdir(base)) == ["outside", "sandbox"]
    assert (sb / "inside.txt").read_bytes() == inside
    for fd, d in g.cfg.fds:  # no descriptor the guest holds leads outside
        real = getattr(d, "path", b"") or b""
        assert b"outside" not in os.fsencode(real), (fd, d)


def test_bad_pointers_trap(world: tuple[Guest, Path, Path]) -> None:
    """A pointer out of memory stops the program (as wasmtime does), before any effect."""
    g, sb, _ = world
    far = len(g.mem.data) - 2
    with pytest.raises(Trap, match="out of bounds memory access"):
        g.call("path_open", 3, 1, far, 16, 0, 0, 0, 0, g.alloc(4))
    p, n = g.string("inside.txt")
    with pytest.raises(Trap, match="out of bounds memory access"):
        g.call("path_open", 3, 1, p, n, C.OFLAGS_CREAT | C.OFLAGS_TRUNC, Guest.RIGHTS, Guest.RIGHTS, 0, far)
    assert (sb / "inside.txt").read_text() == "inside"  # not truncated: checked first
    assert set(g.cfg.fds.fds) == {0, 1, 2, 3}
