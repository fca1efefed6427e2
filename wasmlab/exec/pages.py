"""Lazily committed bytes for linear memory.

A memory of n > 0 bytes is an anonymous private `mmap` of n bytes: the OS hands out
zero-filled pages when they are first written, so declaring or growing a memory costs no
time and resident size follows the pages written. Growing and shrinking use
`mmap.resize` (mremap on Linux): the object stays the same, its length is always the
memory's current size, so `len(buf)` is the bound, and indexing, slicing,
`struct.unpack_from` / `pack_into` behave as on a bytearray (an index past the end raises
`IndexError`, an unpack past the end `struct.error`).

An mmap cannot be empty: a memory of 0 bytes is an empty bytearray, replaced by an mmap
when it grows (and back when a debugger restores it to 0 bytes). Code that keeps a
memory's bytes across a grow must read `MemoryInst.data` again.
"""

from __future__ import annotations

import mmap
import sys

Buffer = mmap.mmap | bytearray
CHUNK = 65536
ZERO = bytes(CHUNK)

# Linux: do not reserve swap for the whole mapping (a 4 GiB memory would otherwise be
# refused by the heuristic overcommit check on a small machine); pages are committed when
# written. Python 3.11's mmap module does not name the flag.
_NORESERVE = getattr(mmap, "MAP_NORESERVE", 0x4000 if sys.platform.startswith("linux") else 0)
_FLAGS = getattr(mmap, "MAP_PRIVATE", 0) | getattr(mmap, "MAP_ANONYMOUS", 0) | _NORESERVE


def allocate(nbytes: int) -> Buffer:
    """`nbytes` zero bytes, committed when written. MemoryError when the OS refuses."""
    if nbytes == 0:
        return bytearray()
    try:
        if _FLAGS:
            return mmap.mmap(-1, nbytes, flags=_FLAGS)
        return mmap.mmap(-1, nbytes)
    except (OSError, OverflowError, ValueError) as e:
        raise MemoryError(f"cannot map {nbytes} bytes: {e}") from None


def resized(buf: Buffer, nbytes: int) -> Buffer:
    """`buf` at `nbytes` bytes (new bytes are zero): the same object when it can be resized
    in place, else a new one holding the old bytes. MemoryError when the OS refuses."""
    old = len(buf)
    if nbytes == old:
        return buf
    if nbytes == 0:
        return bytearray()
    if isinstance(buf, mmap.mmap):
        try:
            buf.resize(nbytes)
            return buf
        except (OSError, BufferError, SystemError, ValueError):
            pass  # no mremap here, or a view of it is alive: copy into a new mapping
    new = allocate(nbytes)
    for a in range(0, min(old, nbytes), CHUNK):  # chunk by chunk, zero chunks left unwritten
        piece = buf[a : min(a + CHUNK, old, nbytes)]
        if piece.count(0) != len(piece):
            new[a : a + len(piece)] = piece
    return new


def chunked(buf: Buffer) -> tuple[bytes, ...]:
    """A copy of `buf` as 64 KiB chunks (the last may be shorter) in which every all-zero
    chunk is the one `ZERO` object: copying a big, mostly untouched memory costs the pages
    written, not its size."""
    out = []
    for a in range(0, len(buf), CHUNK):
        piece = buf[a : a + CHUNK]
        out.append(ZERO if piece == ZERO else piece)
    return tuple(out)
