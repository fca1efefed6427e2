"""File descriptors of a WASI guest: standard streams, host files, directory capabilities.

Each descriptor carries its WASI file type, `fdflags` and the two rights sets of preview1:
`base` (what this descriptor may do) and `inheriting` (what descriptors opened through it
may get). The table maps guest numbers to descriptors; numbers are reused lowest-first.
"""

from __future__ import annotations

import os
import stat
from typing import Any

from . import constants as C
from .sandbox import Errno
from .streams import Sink, Source, host_filetype

MAX_FDS = 1024


def filetype_of(mode: int) -> int:
    if stat.S_ISREG(mode):
        return C.FILETYPE_REGULAR_FILE
    if stat.S_ISDIR(mode):
        return C.FILETYPE_DIRECTORY
    if stat.S_ISLNK(mode):
        return C.FILETYPE_SYMBOLIC_LINK
    if stat.S_ISCHR(mode):
        return C.FILETYPE_CHARACTER_DEVICE
    if stat.S_ISBLK(mode):
        return C.FILETYPE_BLOCK_DEVICE
    if stat.S_ISSOCK(mode):
        return C.FILETYPE_SOCKET_STREAM
    return C.FILETYPE_UNKNOWN


class Descriptor:
    """What every open guest descriptor has."""

    filetype: int = C.FILETYPE_UNKNOWN

    def __init__(self, base: int, inheriting: int, flags: int = 0) -> None:
        self.base = base
        self.inheriting = inheriting
        self.flags = flags

    def need(self, rights: int, errno: int = C.ENOTCAPABLE) -> None:
        """Fail with `errno` (ENOTCAPABLE unless said) unless this descriptor has `rights`."""
        if self.base & rights != rights:
            raise Errno(errno)

    def close(self) -> None:
        pass

    def __repr__(self) -> str:
        return f"<{type(self).__name__} base={self.base:#x} inheriting={self.inheriting:#x}>"


class StreamFd(Descriptor):
    """Standard input (a `Source`) or output/error (a `Sink`): not seekable."""

    def __init__(self, stream: Source | Sink, tty: bool | None) -> None:
        rights = C.STDIN_RIGHTS if isinstance(stream, Source) else C.STDOUT_RIGHTS
        super().__init__(rights, 0)
        self.stream = stream
        is_tty = stream.isatty() if tty is None else tty
        if is_tty:
            self.filetype = C.FILETYPE_CHARACTER_DEVICE
        else:
            st = host_filetype(stream.fileno())
            self.filetype = filetype_of(st.st_mode) if st is not None else C.FILETYPE_UNKNOWN
            if self.filetype == C.FILETYPE_CHARACTER_DEVICE:  # /dev/null and friends
                self.filetype = C.FILETYPE_UNKNOWN


class HostFd(Descriptor):
    """A descriptor backed by an OS descriptor `host_fd` (None once closed)."""

    host_fd: int | None = None

    def fileno(self) -> int:
        if self.host_fd is None:
            raise Errno(C.EBADF)
        return self.host_fd

    def close(self) -> None:
        fd, self.host_fd = self.host_fd, None
        if fd is not None:
            try:
                os.close(fd)
            except OSError:
                pass

    def __del__(self) -> None:
        self.close()


class FileFd(HostFd):
    """An open host file (regular file or other non-directory)."""

    def __init__(self, host_fd: int, path: bytes, filetype: int, base: int, inheriting: int,
                 flags: int) -> None:  # fmt: skip
        super().__init__(base, inheriting, flags)
        self.host_fd = host_fd
        self.path = path
        self.filetype = filetype


class DirFd(HostFd):
    """A directory capability: `dir_fd` is its OS directory descriptor, the root every path
    through it is resolved from (`wasmlab.wasi.sandbox`). A preopen also has its guest name
    (`fd_prestat_dir_name`); `path` is where it was on the host when opened (informative)."""

    filetype = C.FILETYPE_DIRECTORY

    def __init__(self, dir_fd: int, path: bytes, base: int, inheriting: int,
                 preopen: bytes | None = None) -> None:  # fmt: skip
        super().__init__(base, inheriting)
        self.host_fd = dir_fd
        self.path = path
        self.preopen = preopen
        self.listing: list[tuple[bytes, int, int]] | None = None  # fd_readdir's snapshot

    @property
    def dir_fd(self) -> int | None:
        """The OS directory descriptor paths are resolved from (None once closed)."""
        return self.host_fd

    def entries(self, refresh: bool) -> list[tuple[bytes, int, int]]:
        """(name, inode, filetype) of ".", ".." and every entry, names sorted (so the order
        is the same on every host and run)."""
        if self.listing is None or refresh:
            fd = self.fileno()
            st = os.fstat(fd)
            try:
                up = os.stat(b"..", dir_fd=fd).st_ino
            except OSError:
                up = st.st_ino
            out: list[tuple[bytes, int, int]] = [
                (b".", st.st_ino, C.FILETYPE_DIRECTORY), (b"..", up, C.FILETYPE_DIRECTORY),
            ]  # fmt: skip
            with os.scandir(fd) as it:
                found = sorted(((os.fsencode(e.name), e) for e in it), key=lambda t: t[0])
            for name, e in found:
                try:
                    est = e.stat(follow_symlinks=False)
                    out.append((name, est.st_ino, filetype_of(est.st_mode)))
                except OSError:
                    out.append((name, e.inode(), C.FILETYPE_UNKNOWN))
            self.listing = out
        return self.listing


class FdTable:
    """Guest descriptor numbers to descriptors."""

    def __init__(self) -> None:
        self.fds: dict[int, Descriptor] = {}

    def get(self, fd: int) -> Descriptor:
        d = self.fds.get(fd)
        if d is None:
            raise Errno(C.EBADF)
        return d

    def file(self, fd: int) -> FileFd | StreamFd:
        d = self.get(fd)
        if isinstance(d, DirFd):
            raise Errno(C.EISDIR)
        return d  # type: ignore[return-value]

    def dir(self, fd: int) -> DirFd:
        d = self.get(fd)
        if not isinstance(d, DirFd):
            raise Errno(C.ENOTDIR)
        return d

    def add(self, d: Descriptor) -> int:
        fd = 0
        while fd in self.fds:
            fd += 1
        if fd >= MAX_FDS:
            d.close()
            raise Errno(C.EMFILE)
        self.fds[fd] = d
        return fd

    def close(self, fd: int) -> None:
        d = self.get(fd)
        del self.fds[fd]
        d.close()

    def renumber(self, src: int, dst: int) -> None:
        d = self.get(src)
        old = self.get(dst)
        if src == dst:
            return
        old.close()
        self.fds[dst] = d
        del self.fds[src]

    def close_all(self) -> None:
        """Close every host descriptor (the program has ended); the table stays readable."""
        for d in self.fds.values():
            d.close()

    def __iter__(self) -> Any:
        return iter(sorted(self.fds.items()))
