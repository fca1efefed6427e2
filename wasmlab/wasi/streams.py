"""Standard input and output for a WASI guest: bytes in, any kind of collector out.

`Source(stdin)`: `bytes`/`bytearray`/`str` (a fixed input), a binary file-like object
(`read1` or `read`), or `None` for this process's `sys.stdin.buffer`.

`Sink(target, name)`: `None` for this process's `sys.stdout`/`sys.stderr` (looked up at each
write, so pytest's and Jupyter's redirections work), a `bytearray` (appended to), a `list`
(one `bytes` per write), a text stream (decoded as UTF-8 incrementally), or any object with
a binary `write` method.
"""

from __future__ import annotations

import codecs
import io
import os
import stat
import struct
import sys
from typing import Any


def _isatty(obj: Any) -> bool:
    try:
        return bool(obj.isatty())
    except (AttributeError, ValueError, OSError):
        return False


def _fileno(obj: Any) -> int | None:
    try:
        return int(obj.fileno())
    except (AttributeError, ValueError, OSError, io.UnsupportedOperation):
        return None


class Source:
    """The guest's standard input."""

    def __init__(self, stdin: Any) -> None:
        if isinstance(stdin, str):
            stdin = stdin.encode("utf-8")
        if isinstance(stdin, (bytes, bytearray, memoryview)):
            self.stream: Any = io.BytesIO(bytes(stdin))
            self.fixed = True
        elif stdin is None:
            self.stream = None
            self.fixed = False
        else:
            self.stream = stdin
            self.fixed = False

    def _target(self) -> Any:
        if self.stream is not None:
            return self.stream
        return getattr(sys.stdin, "buffer", sys.stdin)

    def read(self, n: int) -> bytes:
        s = self._target()
        if s is None or n <= 0:
            return b""
        fd = self.pollable_fd()
        if fd is not None:  # unbuffered, so that poll_oneoff's select sees exactly what is left
            return os.read(fd, n)
        read1 = getattr(s, "read1", None)
        data = read1(n) if read1 is not None else s.read(n)
        if isinstance(data, str):
            data = data.encode("utf-8")
        return bytes(data or b"")

    def available(self) -> int:
        """Bytes ready without blocking, as far as we can tell (for poll_oneoff)."""
        s = self._target()
        if isinstance(s, io.BytesIO):
            return len(s.getbuffer()) - s.tell()
        fd = self.pollable_fd()
        if fd is not None:
            try:
                import fcntl
                import termios

                return struct.unpack("i", fcntl.ioctl(fd, termios.FIONREAD, b"\0\0\0\0"))[0]
            except (ImportError, OSError):
                return 0
        return 1

    def pollable_fd(self) -> int | None:
        """The host descriptor behind a stdin that can block (a pipe, a terminal, a socket):
        poll_oneoff waits on it with select; None for bytes and regular files (always ready)."""
        fd = self.fileno()
        if fd is None:
            return None
        try:
            mode = os.fstat(fd).st_mode
        except OSError:
            return None
        return None if stat.S_ISREG(mode) else fd

    def isatty(self) -> bool:
        return not self.fixed and _isatty(self._target())

    def fileno(self) -> int | None:
        return None if self.fixed else _fileno(self._target())


class Sink:
    """The guest's standard output or error."""

    def __init__(self, target: Any, name: str) -> None:
        self.target = target
        self.name = name
        self._decoder = codecs.getincrementaldecoder("utf-8")("replace")

    def _resolve(self) -> Any:
        if self.target is not None:
            return self.target
        return sys.stdout if self.name == "stdout" else sys.stderr

    def write(self, data: bytes) -> None:
        t = self._resolve()
        if isinstance(t, bytearray):
            t.extend(data)
        elif isinstance(t, list):
            t.append(bytes(data))
        elif isinstance(t, io.TextIOBase) or (self.target is None and getattr(t, "buffer", None) is None):
            t.write(self._decoder.decode(data))
            t.flush()
        elif self.target is None:
            t.flush()
            t.buffer.write(data)
            t.buffer.flush()
        else:
            try:
                t.write(data)
            except TypeError:  # a text stream that is not an io.TextIOBase
                t.write(self._decoder.decode(data))
            flush = getattr(t, "flush", None)
            if flush is not None:
                flush()

    def isatty(self) -> bool:
        t = self._resolve()
        if isinstance(t, (bytearray, list)):
            return False
        return _isatty(t)

    def fileno(self) -> int | None:
        t = self._resolve()
        if isinstance(t, (bytearray, list)):
            return None
        return _fileno(t)

    def captured(self) -> bytes:
        """What a bytearray or list collector holds (b"" otherwise)."""
        if isinstance(self.target, bytearray):
            return bytes(self.target)
        if isinstance(self.target, list):
            return b"".join(self.target)
        return b""


def host_filetype(fileno: int | None) -> os.stat_result | None:
    if fileno is None:
        return None
    try:
        return os.fstat(fileno)
    except OSError:
        return None
