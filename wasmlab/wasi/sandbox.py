"""Path resolution inside a directory capability: nothing outside it is ever reachable.

A directory descriptor (a preopen, or a directory opened through one) holds an OS directory
descriptor: that directory is its *root*. A guest path is resolved from it one component at
a time with the `*at` system calls (`dir_fd=`), opening every intermediate directory with
`O_NOFOLLOW`, the way cap-std (wasmtime's sandbox) does, so renaming or replacing
directories on disk never redirects a descriptor the guest holds. The rules, as wasmtime's:

- an absolute path, a `..` that would climb above the root, and a symbolic link whose target
  is absolute or climbs above the root are refused with EPERM (so are the same tricks hidden
  in intermediate components and in chains of links): every link is expanded here, never by
  the host, and the final component is handed to the OS with `O_NOFOLLOW` semantics;
- each directory descriptor is a root of its own: `..` out of a subdirectory opened through
  a preopen is refused too;
- more than `SYMLINK_MAX` links: ELOOP; a non-directory in the middle: ENOTDIR; a missing
  directory in the middle: ENOENT; an empty path: ENOENT; a NUL byte: EINVAL; invalid UTF-8:
  EILSEQ; longer than `PATH_MAX`: ENAMETOOLONG.

POSIX only (Linux, macOS): it relies on `dir_fd` support in `os`.
"""

from __future__ import annotations

import os
import stat

from . import constants as C

O_SEARCH = getattr(os, "O_PATH", os.O_RDONLY)
"""How intermediate directories are opened: O_PATH (no read permission needed) on Linux."""
O_DIR = os.O_DIRECTORY | os.O_NOFOLLOW | getattr(os, "O_CLOEXEC", 0)


class Errno(Exception):  # noqa: N818 - carries a WASI errno back to the dispatcher
    """A WASI function fails with `code` (an errno from `wasmlab.wasi.constants`)."""

    def __init__(self, code: int) -> None:
        super().__init__(C.ERRNO_NAMES[code] if 0 <= code < len(C.ERRNO_NAMES) else code)
        self.code = code


class Resolved:
    """Where a guest path leads: the entry `name` in the directory `fd` (name `b"."` when the
    path names that directory itself). Use as a context manager: it closes what it opened."""

    __slots__ = ("fd", "name", "must_dir", "is_root", "_owned")

    def __init__(self, fd: int, name: bytes, must_dir: bool, is_root: bool, owned: bool) -> None:
        self.fd = fd
        self.name = name
        self.must_dir = must_dir
        self.is_root = is_root
        self._owned = owned

    @property
    def is_dir_itself(self) -> bool:
        return self.name == b"."

    def lstat(self) -> os.stat_result | None:
        """The entry's own status (a link is not followed), None when it does not exist."""
        try:
            return os.stat(self.name, dir_fd=self.fd, follow_symlinks=False)
        except FileNotFoundError:
            return None

    def close(self) -> None:
        if self._owned:
            self._owned = False
            try:
                os.close(self.fd)
            except OSError:
                pass

    def __enter__(self) -> Resolved:
        return self

    def __exit__(self, *exc: object) -> None:
        self.close()

    def __del__(self) -> None:
        self.close()


def check_path(path: bytes) -> None:
    """Refuse guest path bytes that can never name a file."""
    if not path:
        raise Errno(C.ENOENT)
    if len(path) > C.PATH_MAX:
        raise Errno(C.ENAMETOOLONG)
    if b"\0" in path:
        raise Errno(C.EINVAL)
    try:
        path.decode("utf-8")
    except UnicodeDecodeError:
        raise Errno(C.EILSEQ) from None


def _os_errno(e: OSError) -> Errno:
    return Errno(C.from_host_errno(e.errno))


def resolve(root: int, path: bytes, *, follow: bool, is_entry: bool = False) -> Resolved:
    """Resolve guest `path` from the directory descriptor `root`; `follow`: expand a final
    symbolic link (links in the middle are always expanded, inside the root only). A trailing
    slash asks for a directory and expands a final link, unless `is_entry`: then, as Linux
    does for rmdir, unlink and rename, the link itself is the entry, and not a directory."""
    check_path(path)
    if path.startswith(b"/"):
        raise Errno(C.EPERM)
    raw = path.split(b"/")
    must_dir = raw[-1] in (b"", b".")
    todo = [c for c in reversed(raw) if c not in (b"", b".")]
    stack = [root]  # stack[0] is the root (not ours to close); the rest we opened
    name: bytes | None = None
    links = 0
    try:
        while todo:
            comp = todo.pop()
            if comp == b"..":
                if len(stack) == 1:
                    raise Errno(C.EPERM)
                os.close(stack.pop())
                continue
            final = not todo
            try:
                st = os.stat(comp, dir_fd=stack[-1], follow_symlinks=False)
            except FileNotFoundError:
                if final:
                    name = comp
                    break
                raise Errno(C.ENOENT) from None
            except OSError as e:
                raise _os_errno(e) from None
            if stat.S_ISLNK(st.st_mode) and (not final or follow or (must_dir and not is_entry)):
                links += 1
                if links > C.SYMLINK_MAX:
                    raise Errno(C.ELOOP)
                try:
                    target = os.readlink(comp, dir_fd=stack[-1])
                except OSError as e:
                    raise _os_errno(e) from None
                if not target:
                    raise Errno(C.ENOENT)
                if target.startswith(b"/"):
                    raise Errno(C.EPERM)
                tparts = target.split(b"/")
                if final and tparts[-1] in (b"", b"."):
                    must_dir = True
                todo.extend(c for c in reversed(tparts) if c not in (b"", b"."))
                continue
            if final:
                name = comp
                break
            if not stat.S_ISDIR(st.st_mode):
                raise Errno(C.ENOTDIR)
            try:
                stack.append(os.open(comp, O_SEARCH | O_DIR, dir_fd=stack[-1]))
            except OSError as e:
                raise _os_errno(e) from None
        if name is None:
            name = b"."
        if must_dir and name != b".":
            try:
                st = os.stat(name, dir_fd=stack[-1], follow_symlinks=not is_entry)
            except FileNotFoundError:
                pass
            except OSError as e:
                raise _os_errno(e) from None
            else:
                if not stat.S_ISDIR(st.st_mode):
                    raise Errno(C.ENOTDIR)
    except BaseException:
        for fd in stack[1:]:
            os.close(fd)
        raise
    for fd in stack[1:-1]:
        os.close(fd)
    return Resolved(stack[-1], name, must_dir, len(stack) == 1 and name == b".", len(stack) > 1)


def entry(root: int, path: bytes) -> Resolved:
    """Resolve a path naming a directory *entry* to create, remove, rename or link (a final
    link is the entry itself): never the root itself, which is refused with EPERM."""
    r = resolve(root, path, follow=False, is_entry=True)
    if r.is_root:
        r.close()
        raise Errno(C.EPERM)
    return r
