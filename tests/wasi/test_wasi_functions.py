"""The preview1 functions one by one: results, memory layouts, errno values, bad input."""

from __future__ import annotations

import io
import os
import struct
import time
from pathlib import Path

import pytest

import wasmlab
from tests.wasi.helpers import Guest
from wasmlab.errors import Trap, WasmError
from wasmlab.syntax.types import ValType
from wasmlab.wasi import ProcExit, WasiConfig, wasi_imports
from wasmlab.wasi import constants as C


@pytest.fixture
def box(tmp_path: Path) -> Path:
    (tmp_path / "dir" / "sub").mkdir(parents=True)
    (tmp_path / "dir" / "a.txt").write_bytes(b"0123456789")
    (tmp_path / "dir" / "b.txt").write_bytes(b"")
    os.symlink("a.txt", tmp_path / "dir" / "link")
    return tmp_path / "dir"


def guest(box: Path | None = None, **kw: object) -> Guest:
    kw.setdefault("stdout", bytearray())
    kw.setdefault("stderr", bytearray())
    cfg = WasiConfig(preopens={"/box": str(box)} if box else None, **kw)  # type: ignore[arg-type]
    return Guest(cfg)


# --- the import object ------------------------------------------------------------------------


def test_imports_have_the_preview1_types() -> None:
    funcs = wasi_imports(WasiConfig())["wasi_snapshot_preview1"]
    assert len(funcs) == 46
    ft = funcs["path_open"].type
    i32, i64 = ValType.I32, ValType.I64
    assert tuple(ft.params) == (i32, i32, i32, i32, i32, i64, i64, i32, i32)
    assert tuple(ft.results) == (i32,)
    assert tuple(funcs["proc_exit"].type.results) == ()
    assert tuple(funcs["sched_yield"].type.params) == ()


def test_a_wrong_import_type_is_a_link_error() -> None:
    wat = '(module (import "wasi_snapshot_preview1" "fd_close" (func (param i64) (result i32))))'
    with pytest.raises(wasmlab.LinkError):
        wasmlab.instantiate(wasmlab.parse(wat), wasi=WasiConfig())


def test_config_rejects_bad_setup(tmp_path: Path) -> None:
    with pytest.raises(WasmError, match="cannot preopen"):
        WasiConfig(preopens={"/x": str(tmp_path / "missing")})
    (tmp_path / "f").write_text("x")
    with pytest.raises(WasmError, match="cannot preopen"):
        WasiConfig(preopens={"/x": str(tmp_path / "f")})
    with pytest.raises(WasmError, match="NUL"):
        WasiConfig(args=["a\0b"])


def test_no_memory_export_traps_only_when_memory_is_needed() -> None:
    wat = """(module (import "wasi_snapshot_preview1" "fd_close" (func $c (param i32) (result i32)))
      (import "wasi_snapshot_preview1" "random_get" (func $r (param i32 i32) (result i32)))
      (func (export "close") (result i32) (call $c (i32.const 77)))
      (func (export "rand") (result i32) (call $r (i32.const 0) (i32.const 4))))"""
    inst = wasmlab.instantiate(wasmlab.parse(wat), wasi=WasiConfig())
    assert inst.exports.close() == C.EBADF
    with pytest.raises(Trap, match="no memory"):
        inst.exports.rand()


# --- args, environ, clocks, random ---------------------------------------------------------------


def test_args_and_environ() -> None:
    g = guest(args=["prog", "a b", "", "ünï"], env={"K": "V", "EMPTY": ""})
    count, size = g.alloc(4), g.alloc(4)
    assert g.call("args_sizes_get", count, size) == 0
    assert (g.u32(count), g.u32(size)) == (4, len(b"prog\0a b\0\0\xc3\xbcn\xc3\xaf\0"))
    argv, buf = g.alloc(16), g.alloc(64)
    assert g.call("args_get", argv, buf) == 0
    ptrs = [g.u32(argv + 4 * i) for i in range(4)]
    assert ptrs[0] == buf
    assert g.read(buf, g.u32(size)) == b"prog\0a b\0\0\xc3\xbcn\xc3\xaf\0"
    assert g.call("environ_sizes_get", count, size) == 0
    assert (g.u32(count), g.u32(size)) == (2, len(b"K=V\0EMPTY=\0"))
    assert g.call("environ_get", argv, buf) == 0
    assert g.read(buf, 11) == b"K=V\0EMPTY=\0"


def test_args_get_checks_every_pointer_first() -> None:
    g = guest(args=["prog", "x" * 100])
    before = bytes(g.mem.data)
    with pytest.raises(Trap, match="out of bounds"):
        g.call("args_get", g.alloc(8), len(g.mem.data) - 50)
    assert bytes(g.mem.data) == before


def test_clocks() -> None:
    g = guest()
    out = g.alloc(8)
    for clock in (C.CLOCK_REALTIME, C.CLOCK_MONOTONIC, C.CLOCK_PROCESS_CPUTIME_ID, C.CLOCK_THREAD_CPUTIME_ID):
        assert g.call("clock_time_get", clock, 1, out) == 0
        assert g.u64(out) > 0
        assert g.call("clock_res_get", clock, out) == 0
        assert 1 <= g.u64(out) <= 10**9
    assert g.call("clock_time_get", C.CLOCK_REALTIME, 0, out) == 0
    assert abs(g.u64(out) - time.time_ns()) < 10**9
    assert g.call("clock_time_get", 4, 0, out) == C.EINVAL
    assert g.call("clock_res_get", 99, out) == C.EINVAL


def test_random_get() -> None:
    g = guest()
    a, b = g.alloc(32), g.alloc(32)
    assert g.call("random_get", a, 32) == 0 and g.call("random_get", b, 32) == 0
    assert g.read(a, 32) != g.read(b, 32)
    assert g.call("random_get", a, 0) == 0
    with pytest.raises(Trap):
        g.call("random_get", len(g.mem.data) - 4, 8)


def test_sched_yield_proc_raise_and_sockets() -> None:
    g = guest()
    assert g.call("sched_yield") == 0
    assert g.call("proc_raise", 6) == C.ENOSYS
    assert g.call("sock_accept", 0, 0, 0) == C.ENOSYS
    assert g.call("sock_recv", 0, 0, 0, 0, 0, 0) == C.ENOSYS
    assert g.call("sock_send", 0, 0, 0, 0, 0) == C.ENOSYS
    assert g.call("sock_shutdown", 0, 0) == C.ENOSYS


def test_proc_exit_raises_a_trap_subclass() -> None:
    g = guest()
    with pytest.raises(ProcExit) as info:
        g.call("proc_exit", 7)
    assert info.value.code == 7 and isinstance(info.value, Trap)
    assert g.cfg.exit_code == 7
    assert ProcExit("exit status 9").code == 9  # rebuilt from its kind, as a replay does


# --- standard streams -------------------------------------------------------------------------------


def test_stdin_sources() -> None:
    for source in (b"abc", "abc", bytearray(b"abc"), io.BytesIO(b"abc")):
        g = guest(stdin=source)
        assert g.read_fd(0, 2) == (0, b"ab")
        assert g.read_fd(0) == (0, b"c")
        assert g.read_fd(0) == (0, b"")


def test_stdout_sinks() -> None:
    collected: list[bytes] = []
    stream = io.BytesIO()
    text = io.StringIO()
    for sink in (bytearray(), collected, stream, text):
        g = guest(stdout=sink)
        assert g.write_fd(1, "héllo\n".encode()) == (0, 7)
    assert g.cfg.output == b""  # text streams are not collectors
    assert collected == ["héllo\n".encode()]
    assert stream.getvalue() == "héllo\n".encode()
    assert text.getvalue() == "héllo\n"


def test_stdout_none_writes_to_this_process(capfdbinary: pytest.CaptureFixture[bytes]) -> None:
    g = guest(stdout=None, stderr=None)
    g.write_fd(1, b"to stdout\n")
    g.write_fd(2, b"to stderr\n")
    out, err = capfdbinary.readouterr()
    assert out == b"to stdout\n" and err == b"to stderr\n"


def test_gathered_write_and_scattered_read() -> None:
    g = guest(stdin=b"0123456789")
    arr, bufs = g.iovec(3, 0, 4)
    out = g.alloc(4)
    assert g.call("fd_read", 0, arr, 3, out) == 0
    assert g.u32(out) == 7 and g.read(bufs[0], 3) == b"012" and g.read(bufs[2], 4) == b"3456"
    assert g.call("fd_write", 1, arr, 3, out) == 0
    assert g.u32(out) == 7 and g.cfg.output == b"0123456"


def test_stream_rights_and_kinds() -> None:
    g = guest(stdin=b"x")
    out = g.alloc(24)
    assert g.write_fd(0, b"no")[0] == C.EBADF
    assert g.read_fd(1)[0] == C.EBADF
    assert g.call("fd_seek", 0, 0, C.WHENCE_CUR, out) == C.ESPIPE
    assert g.call("fd_tell", 1, out) == C.ESPIPE
    assert g.call("fd_fdstat_get", 1, out) == 0
    filetype, flags, base, inheriting = struct.unpack("<BxHxxxxQQ", g.read(out, 24))
    assert filetype == C.FILETYPE_UNKNOWN and base & C.FD_WRITE and not base & C.FD_SEEK
    t = guest(tty=True)
    assert t.call("fd_fdstat_get", 1, out) == 0
    assert t.read(out, 1)[0] == C.FILETYPE_CHARACTER_DEVICE  # a terminal: C stdio line-buffers


# --- descriptors and files ---------------------------------------------------------------------------


def test_prestat(box: Path) -> None:
    g = guest(box)
    out = g.alloc(8)
    assert g.call("fd_prestat_get", 3, out) == 0
    assert g.read(out, 8) == struct.pack("<BxxxI", 0, 4)
    name = g.alloc(8)
    assert g.call("fd_prestat_dir_name", 3, name, 4) == 0 and g.read(name, 4) == b"/box"
    assert g.call("fd_prestat_dir_name", 3, name, 3) == C.ENAMETOOLONG
    assert g.call("fd_prestat_get", 4, out) == C.EBADF
    assert g.call("fd_prestat_get", 1, out) == C.EBADF


def test_read_seek_tell_pread(box: Path) -> None:
    g = guest(box)
    e, fd = g.open("a.txt", rights=C.FD_READ | C.FD_SEEK | C.FD_TELL, inheriting=0)
    assert e == 0 and fd == 4
    assert g.read_fd(fd, 4) == (0, b"0123")
    pos = g.alloc(8)
    assert g.call("fd_tell", fd, pos) == 0 and g.u64(pos) == 4
    assert g.call("fd_seek", fd, (-2) & (2**64 - 1), C.WHENCE_END, pos) == 0 and g.u64(pos) == 8
    assert g.read_fd(fd) == (0, b"89")
    assert g.call("fd_seek", fd, (-100) & (2**64 - 1), C.WHENCE_CUR, pos) == C.EINVAL
    assert g.call("fd_seek", fd, 0, 3, pos) == C.EINVAL
    arr, (buf,) = g.iovec(3)
    assert g.call("fd_pread", fd, arr, 1, 5, pos) == 0 and g.read(buf, 3) == b"567"
    assert g.call("fd_pread", 0, arr, 1, 0, pos) == C.ESPIPE  # a stream has no offsets
    assert g.call("fd_close", fd) == 0
    assert g.call("fd_close", fd) == C.EBADF


def test_write_append_truncate_allocate(box: Path) -> None:
    g = guest(box)
    rw = C.FD_READ | C.FD_WRITE | C.FD_SEEK | C.FD_FILESTAT_SET_SIZE | C.FD_ALLOCATE | C.FD_FILESTAT_GET
    e, fd = g.open("new.txt", oflags=C.OFLAGS_CREAT | C.OFLAGS_EXCL, rights=rw, inheriting=0)
    assert e == 0
    assert g.write_fd(fd, b"hello") == (0, 5)
    assert g.open("new.txt", oflags=C.OFLAGS_CREAT | C.OFLAGS_EXCL)[0] == C.EEXIST
    arr, (buf,) = g.iovec(2)
    g.mem.data[buf : buf + 2] = b"HE"
    out = g.alloc(8)
    assert g.call("fd_pwrite", fd, arr, 1, 0, out) == 0 and g.u32(out) == 2
    assert g.call("fd_filestat_set_size", fd, 3) == 0
    assert (box / "new.txt").read_bytes() == b"HEl"
    assert g.call("fd_allocate", fd, 10, 6) == 0
    assert (box / "new.txt").stat().st_size == 16
    assert g.call("fd_allocate", fd, 0, 1) == 0 and (box / "new.txt").stat().st_size == 16
    e, fd2 = g.open("new.txt", fdflags=C.FDFLAGS_APPEND, rights=C.FD_WRITE, inheriting=0)
    assert g.write_fd(fd2, b"!")[0] == 0
    assert (box / "new.txt").read_bytes().endswith(b"!")
    e, fd3 = g.open("new.txt", oflags=C.OFLAGS_TRUNC, rights=C.FD_WRITE, inheriting=0)
    assert e == 0 and (box / "new.txt").read_bytes() == b""
    assert g.call("fd_filestat_set_size", fd3, 1) == C.ENOTCAPABLE


def test_fdstat_set_flags(box: Path) -> None:
    g = guest(box)
    e, fd = g.open("a.txt", rights=C.FD_WRITE | C.FD_FDSTAT_SET_FLAGS, inheriting=0)
    assert g.call("fd_fdstat_set_flags", fd, C.FDFLAGS_APPEND) == 0
    out = g.alloc(24)
    assert g.call("fd_fdstat_get", fd, out) == 0
    assert struct.unpack_from("<H", g.mem.data, out + 2)[0] == C.FDFLAGS_APPEND
    assert g.write_fd(fd, b"A")[0] == 0 and (box / "a.txt").read_bytes() == b"0123456789A"
    assert g.call("fd_fdstat_set_flags", fd, 1 << 7) == C.EINVAL
    assert g.call("fd_fdstat_set_flags", fd, C.FDFLAGS_SYNC) == C.ENOTSUP


def test_filestat_and_times(box: Path) -> None:
    g = guest(box)
    out = g.alloc(64)
    p, n = g.string("a.txt")
    assert g.call("path_filestat_get", 3, 0, p, n, out) == 0
    dev, ino, ft, nlink, size, atim, mtim, ctim = struct.unpack("<QQBxxxxxxxQQQQQ", g.read(out, 64))
    st = os.stat(box / "a.txt")
    assert (ino, ft, nlink, size, mtim) == (st.st_ino, C.FILETYPE_REGULAR_FILE, 1, 10, st.st_mtime_ns)
    p, n = g.string("link")
    assert (
        g.call("path_filestat_get", 3, 0, p, n, out) == 0
        and g.read(out + 16, 1)[0] == C.FILETYPE_SYMBOLIC_LINK
    )
    assert (
        g.call("path_filestat_get", 3, 1, p, n, out) == 0
        and g.read(out + 16, 1)[0] == C.FILETYPE_REGULAR_FILE
    )
    p, n = g.string("a.txt")
    assert (
        g.call("path_filestat_set_times", 3, 0, p, n, 10**18, 2 * 10**18, C.FSTFLAGS_ATIM | C.FSTFLAGS_MTIM)
        == 0
    )
    st = os.stat(box / "a.txt")
    assert (st.st_atime_ns, st.st_mtime_ns) == (10**18, 2 * 10**18)
    assert (
        g.call("path_filestat_set_times", 3, 0, p, n, 0, 0, C.FSTFLAGS_ATIM | C.FSTFLAGS_ATIM_NOW) == C.EINVAL
    )
    assert g.call("path_filestat_set_times", 3, 0, p, n, 0, 0, C.FSTFLAGS_MTIM_NOW) == 0
    assert abs(os.stat(box / "a.txt").st_mtime_ns - time.time_ns()) < 5 * 10**9
    e, fd = g.open("a.txt", rights=C.FD_FILESTAT_GET | C.FD_FILESTAT_SET_TIMES, inheriting=0)
    assert g.call("fd_filestat_set_times", fd, 0, 5 * 10**17, C.FSTFLAGS_MTIM) == 0
    assert g.call("fd_filestat_get", fd, out) == 0 and g.u64(out + 48) == 5 * 10**17
    assert g.call("fd_filestat_get", 3, out) == 0 and g.read(out + 16, 1)[0] == C.FILETYPE_DIRECTORY
    assert g.call("fd_filestat_get", 1, out) == 0


def test_readdir_cookies_and_small_buffers(box: Path) -> None:
    g = guest(box)
    e, d = g.open(".", oflags=C.OFLAGS_DIRECTORY, rights=C.DIR_RIGHTS)
    assert e == 0
    buf, used = g.alloc(4096), g.alloc(4)
    assert g.call("fd_readdir", d, buf, 4096, 0, used) == 0
    data = g.read(buf, g.u32(used))
    names, cookies, pos = [], [], 0
    while pos < len(data):
        nxt, ino, namlen, ft = struct.unpack_from("<QQIB", data, pos)
        names.append(data[pos + 24 : pos + 24 + namlen])
        cookies.append(nxt)
        pos += 24 + namlen
    assert names == [b".", b"..", b"a.txt", b"b.txt", b"link", b"sub"]
    assert cookies == [1, 2, 3, 4, 5, 6]
    assert g.call("fd_readdir", d, buf, 30, 2, used) == 0 and g.u32(used) == 30  # full: truncated
    assert g.read(buf + 24, 5) == b"a.txt"
    assert g.call("fd_readdir", d, buf, 4096, 6, used) == 0 and g.u32(used) == 0  # the end
    assert g.call("fd_readdir", d, buf, 4096, 99, used) == 0 and g.u32(used) == 0
    assert g.call("fd_readdir", 1, buf, 64, 0, used) == C.EBADF


def test_directories_create_remove_rename_link(box: Path) -> None:
    g = guest(box)

    def path(name: str, *paths: str) -> int:
        args: list[int] = []
        for p in paths:
            args.extend(g.string(p))
        return {"mk": lambda: g.call("path_create_directory", 3, *args),
                "rm": lambda: g.call("path_remove_directory", 3, *args),
                "unlink": lambda: g.call("path_unlink_file", 3, *args),
                "rename": lambda: g.call("path_rename", 3, args[0], args[1], 3, args[2], args[3]),
                "link": lambda: g.call("path_link", 3, 0, args[0], args[1], 3, args[2], args[3]),
                "symlink": lambda: g.call("path_symlink", args[0], args[1], 3, args[2], args[3]),
                }[name]()  # fmt: skip

    assert path("mk", "new") == 0 and (box / "new").is_dir()
    assert path("mk", "new") == C.EEXIST
    assert path("mk", "missing/new") == C.ENOENT
    assert path("mk", "a.txt/new") == C.ENOTDIR
    assert path("rename", "a.txt", "new/a.txt") == 0 and (box / "new" / "a.txt").exists()
    assert path("rename", "nothing", "x") == C.ENOENT
    assert path("rm", "new") == C.ENOTEMPTY
    assert path("link", "new/a.txt", "hard") == 0 and os.stat(box / "hard").st_nlink == 2
    assert path("symlink", "new/a.txt", "soft") == 0 and os.readlink(box / "soft") == "new/a.txt"
    assert path("symlink", "", "empty") == C.ENOENT
    assert path("unlink", "new") == C.EISDIR
    assert path("unlink", "hard/") == C.ENOTDIR
    assert path("unlink", "soft") == 0 and path("unlink", "hard") == 0
    assert path("unlink", "new/a.txt") == 0 and path("rm", "new") == 0
    assert path("rm", "sub/") == 0 and not (box / "sub").exists()
    assert path("rm", "link") == C.ENOTDIR
    p, n = g.string("link")
    buf, used = g.alloc(16), g.alloc(4)
    assert g.call("path_readlink", 3, p, n, buf, 3, used) == 0 and g.read(buf, g.u32(used)) == b"a.t"
    p, n = g.string("b.txt")
    assert g.call("path_readlink", 3, p, n, buf, 16, used) == C.EINVAL


def test_path_open_flags(box: Path) -> None:
    g = guest(box)
    assert g.open("missing")[0] == C.ENOENT
    assert g.open("a.txt", oflags=C.OFLAGS_DIRECTORY)[0] == C.ENOTDIR
    assert g.open("a.txt/")[0] == C.ENOTDIR
    assert g.open("sub", rights=C.FD_WRITE, inheriting=0)[0] == C.EISDIR
    assert g.open("new/", oflags=C.OFLAGS_CREAT)[0] == C.EISDIR
    assert g.open("new", oflags=C.OFLAGS_CREAT | C.OFLAGS_DIRECTORY)[0] == C.EINVAL
    assert g.open("link", follow=False)[0] == C.ELOOP
    assert g.open("a.txt", oflags=1 << 4)[0] == C.EINVAL
    assert g.open("a.txt", fdflags=1 << 6)[0] == C.EINVAL
    assert g.open("")[0] == C.ENOENT
    e, fd = g.open("sub", rights=C.DIR_RIGHTS, inheriting=C.FD_READ)
    assert e == 0
    out = g.alloc(24)
    assert g.call("fd_fdstat_get", fd, out) == 0
    ft, _, base, inh = struct.unpack("<BxHxxxxQQ", g.read(out, 24))
    assert ft == C.FILETYPE_DIRECTORY and base == C.DIR_RIGHTS and inh == C.FD_READ
    assert g.read_fd(fd)[0] == C.EISDIR
    # a directory's inheriting rights bound what is opened through it
    assert g.open("x", fd, oflags=C.OFLAGS_CREAT, rights=C.FD_READ, inheriting=0)[0] == 0
    assert g.open("y", fd, oflags=C.OFLAGS_CREAT, rights=C.FD_WRITE, inheriting=0)[0] == C.ENOTCAPABLE


def test_renumber(box: Path) -> None:
    g = guest(box)
    e, fd = g.open("a.txt", rights=C.FD_READ, inheriting=0)
    e2, fd2 = g.open("b.txt", rights=C.FD_READ, inheriting=0)
    assert g.call("fd_renumber", fd, fd2) == 0
    assert g.read_fd(fd2, 3) == (0, b"012")
    assert g.read_fd(fd)[0] == C.EBADF
    assert g.call("fd_renumber", fd2, 99) == C.EBADF
    assert g.call("fd_renumber", 99, fd2) == C.EBADF
    assert g.call("fd_renumber", fd2, fd2) == 0


def test_sync_advise(box: Path) -> None:
    g = guest(box)
    e, fd = g.open("a.txt")
    for name in ("fd_sync", "fd_datasync"):
        assert g.call(name, fd) == 0
    assert g.call("fd_advise", fd, 0, 10, 1) == 0
    assert g.call("fd_advise", fd, 0, 10, 9) == C.EINVAL
    assert g.call("fd_advise", 3, 0, 0, 0) == C.EBADF
    assert g.call("fd_sync", 77) == C.EBADF


def test_poll_oneoff_clock_and_fd() -> None:
    g = guest(stdin=b"abc")
    subs = g.alloc(48 * 2)
    events, nevents = g.alloc(32 * 2), g.alloc(4)
    g.mem.data[subs : subs + 48] = struct.pack(
        "<QBxxxxxxxIxxxxQQHxxxxxx", 11, C.EVENTTYPE_CLOCK, C.CLOCK_MONOTONIC, 2_000_000, 0, 0
    )
    t0 = time.monotonic()
    assert g.call("poll_oneoff", subs, events, 1, nevents) == 0
    assert time.monotonic() - t0 >= 0.002
    assert g.u32(nevents) == 1
    assert struct.unpack_from("<QHB", g.mem.data, events) == (11, 0, C.EVENTTYPE_CLOCK)
    g.mem.data[subs + 48 : subs + 96] = struct.pack("<QBxxxxxxxI", 22, C.EVENTTYPE_FD_READ, 0) + bytes(28)
    assert g.call("poll_oneoff", subs, events, 2, nevents) == 0
    assert g.u32(nevents) == 1  # the fd is ready: no waiting for the clock
    userdata, err, tag = struct.unpack_from("<QHB", g.mem.data, events)
    assert (userdata, err, tag, g.u64(events + 16)) == (22, 0, C.EVENTTYPE_FD_READ, 3)
    g.mem.data[subs + 48 : subs + 96] = struct.pack("<QBxxxxxxxI", 33, C.EVENTTYPE_FD_WRITE, 9) + bytes(28)
    assert g.call("poll_oneoff", subs, events, 2, nevents) == 0
    assert struct.unpack_from("<QH", g.mem.data, events) == (33, C.EBADF)
    assert g.call("poll_oneoff", subs, events, 0, nevents) == C.EINVAL
    g.mem.data[subs + 8] = 7
    assert g.call("poll_oneoff", subs, events, 1, nevents) == C.EINVAL


def test_host_failures_become_errno_not_exceptions(box: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    g = guest(box)

    def broken(*a: object, **k: object) -> None:
        raise RuntimeError("disk on fire")

    monkeypatch.setattr(os, "mkdir", broken)
    p, n = g.string("x")
    assert g.call("path_create_directory", 3, p, n) == C.EIO
    assert isinstance(g.cfg.last_error, RuntimeError)

    def denied(*a: object, **k: object) -> None:
        raise PermissionError(13, "denied")

    monkeypatch.setattr(os, "mkdir", denied)
    assert g.call("path_create_directory", 3, p, n) == C.EACCES


def test_host_errno_mapping() -> None:
    import errno

    assert C.from_host_errno(errno.ENOENT) == C.ENOENT
    assert C.from_host_errno(errno.EXDEV) == C.EXDEV
    assert C.from_host_errno(None) == C.EIO
    assert C.from_host_errno(100000) == C.EIO
    assert C.ERRNO_NAMES[C.ENOTCAPABLE] == "NOTCAPABLE" and len(C.ERRNO_NAMES) == 77


def test_run_closes_files_and_reports_bad_exit_codes(box: Path) -> None:
    wat = """(module (import "wasi_snapshot_preview1" "proc_exit" (func $exit (param i32)))
      (memory (export "memory") 1)
      (func (export "_start") (call $exit (i32.const 200))))"""
    cfg = WasiConfig(preopens={"/box": str(box)}, stderr=bytearray())
    inst = wasmlab.instantiate(wasmlab.parse(wat), wasi=cfg)
    mem = inst.exports["memory"]
    mem.write(100, b"a.txt")
    path_open = cfg.imports()["wasi_snapshot_preview1"]["path_open"].host
    assert path_open(3, 0, 100, 5, 0, C.FD_READ, 0, 0, 200) == 0
    opened = cfg.fds.get(4)
    assert cfg.run(inst) == 1
    assert b"invalid exit status" in cfg.errors
    assert cfg.exit_code == 200
    assert cfg.machine.trap is not None  # the machine stays inspectable
    assert opened.host_fd is None and 4 not in cfg.fds.fds  # closed as the process ended
    assert cfg.fds.get(3).dir_fd is not None  # the preopen stays for another instance
    cfg.close()
    assert cfg.fds.get(3).dir_fd is None


def test_random_calls_give_errno_or_trap_never_python_errors(tmp_path: Path) -> None:
    """Every function with random descriptors, pointers and lengths: an errno or a trap, no
    host failure (EIO with last_error), and nothing outside the sandbox touched."""
    import random

    from tests.wasi.helpers import escape_sandbox
    from wasmlab.wasi.constants import SIGNATURES

    sb, secret = escape_sandbox(tmp_path)
    rng = random.Random(11)
    names = sorted(n for n in SIGNATURES if n not in ("proc_exit", "poll_oneoff"))  # poll: would sleep
    small = [0, 1, 2, 3, 3, 4, 5, 0xFFFFFFFF, 1024, 65535, 65536, 131071, 131072, 2**31]
    outcomes: set[object] = set()
    g = Guest(WasiConfig())
    for i in range(4000):
        if i % 250 == 0:
            g = Guest(WasiConfig(preopens={"/sb": str(sb)}, stdin=b"input", stdout=bytearray()))
            for p in (b"inside.txt", b"sub", b"up", b"..", b"", b"\xff", b"sub/back/inside.txt", b"x"):
                g.string(p)
        name = rng.choice(names)
        args = [
            rng.choice([0, 1, 2**63, 2**64 - 1, rng.getrandbits(64)])
            if t is ValType.I64
            else rng.choice([*small, rng.getrandbits(32), rng.randrange(1024, 1100), rng.randrange(16)])
            for t in SIGNATURES[name].params
        ]
        try:
            r = g.call(name, *args)
            assert isinstance(r, int) and 0 <= r < len(C.ERRNO_NAMES), (name, args, r)
            outcomes.add(r)
        except Trap:
            outcomes.add("trap")
        assert g.cfg.last_error is None, (name, args, g.cfg.last_error)
    assert {0, C.EBADF, C.EINVAL, "trap"} <= outcomes
    assert secret.read_text() == "SECRET" and os.listdir(secret.parent) == ["secret.txt"]
    assert os.listdir(tmp_path) == ["outside", "sandbox"] or sorted(os.listdir(tmp_path)) == [
        "outside",
        "sandbox",
    ]


def test_poll_oneoff_waits_on_a_stdin_that_can_block() -> None:
    """A pipe as stdin: poll_oneoff waits on it (up to the nearest timer), reports what is there
    to read, and the end of the pipe as a hangup; fd_read then reads exactly that."""
    r, w = os.pipe()
    reader = os.fdopen(r, "rb")
    try:
        g = guest(stdin=reader)
        subs = g.alloc(48 * 2)
        events, nevents = g.alloc(32 * 2), g.alloc(4)
        clock = struct.pack(
            "<QBxxxxxxxIxxxxQQHxxxxxx", 11, C.EVENTTYPE_CLOCK, C.CLOCK_MONOTONIC, 30_000_000, 0, 0
        )
        g.mem.data[subs : subs + 48] = clock
        g.mem.data[subs + 48 : subs + 96] = struct.pack("<QBxxxxxxxI", 22, C.EVENTTYPE_FD_READ, 0) + bytes(28)
        t0 = time.monotonic()
        assert g.call("poll_oneoff", subs, events, 2, nevents) == 0
        assert time.monotonic() - t0 >= 0.03  # nothing to read: the timer fired
        assert g.u32(nevents) == 1 and struct.unpack_from("<QHB", g.mem.data, events) == (
            11,
            0,
            C.EVENTTYPE_CLOCK,
        )
        os.write(w, b"hello")
        g.mem.data[subs : subs + 48] = clock.replace(
            (30_000_000).to_bytes(8, "little"), (10**10).to_bytes(8, "little")
        )
        t0 = time.monotonic()
        assert g.call("poll_oneoff", subs, events, 2, nevents) == 0
        assert time.monotonic() - t0 < 5  # at once, not after the 10 s timer
        assert g.u32(nevents) == 1
        assert struct.unpack_from("<QHB", g.mem.data, events) == (22, 0, C.EVENTTYPE_FD_READ)
        assert (g.u64(events + 16), g.mem.data[events + 24]) == (5, 0)
        iov, (buf,) = g.iovec(16)
        n = g.alloc(4)
        assert g.call("fd_read", 0, iov, 1, n) == 0 and g.read(buf, g.u32(n)) == b"hello"
        os.close(w)
        w = -1
        assert g.call("poll_oneoff", subs, events, 2, nevents) == 0
        assert struct.unpack_from("<QHB", g.mem.data, events) == (22, 0, C.EVENTTYPE_FD_READ)
        assert (g.u64(events + 16), g.mem.data[events + 24]) == (0, C.EVENTRWFLAGS_FD_READWRITE_HANGUP)
    finally:
        reader.close()
        if w >= 0:
            os.close(w)
