"""The guest's linear memory as WASI sees it: bounds-checked little-endian reads and writes.

Every write a WASI function makes goes through `GuestMemory.write`, which can journal it as
`(address, old bytes, new bytes)`: that is how the debugger replays (and undoes) the memory
effects of a host call without running it again (see `wasmlab.wasi.journal`).

A pointer or length that leaves the memory raises `Fault`; the dispatcher turns it into the
trap "out of bounds memory access": wasmtime (50) also stops the program there ("pointer out
of bounds") rather than returning EFAULT, and a trap shows the debugger the faulty call.
"""

from __future__ import annotations

import struct

from ..exec.runtime import MemoryInst

_U16 = struct.Struct("<H")
_U32 = struct.Struct("<I")
_U64 = struct.Struct("<Q")


class Fault(Exception):  # noqa: N818 - becomes a trap, never reaches the user as such
    """A guest pointer out of bounds."""


class GuestMemory:
    """A view of one `MemoryInst`; `writes` is the journal of the current call, or None."""

    __slots__ = ("inst", "writes")

    def __init__(self, inst: MemoryInst) -> None:
        self.inst = inst
        self.writes: list[tuple[int, bytes, bytes]] | None = None

    @property
    def size(self) -> int:
        return len(self.inst.data)

    def check(self, addr: int, n: int) -> None:
        """Raise `Fault` unless `[addr, addr + n)` lies inside the memory."""
        if addr < 0 or n < 0 or addr + n > len(self.inst.data):
            raise Fault(addr)

    # --- reads ------------------------------------------------------------------------

    def read(self, addr: int, n: int) -> bytes:
        self.check(addr, n)
        return bytes(self.inst.data[addr : addr + n])

    def u8(self, addr: int) -> int:
        self.check(addr, 1)
        return self.inst.data[addr]

    def u16(self, addr: int) -> int:
        self.check(addr, 2)
        return _U16.unpack_from(self.inst.data, addr)[0]

    def u32(self, addr: int) -> int:
        self.check(addr, 4)
        return _U32.unpack_from(self.inst.data, addr)[0]

    def u64(self, addr: int) -> int:
        self.check(addr, 8)
        return _U64.unpack_from(self.inst.data, addr)[0]

    def iovecs(self, ptr: int, count: int) -> list[tuple[int, int]]:
        """`count` (buf, buf_len) pairs at `ptr`, every buffer checked to lie in memory."""
        self.check(ptr, 8 * count)
        data = self.inst.data
        out = []
        for i in range(count):
            buf, n = struct.unpack_from("<II", data, ptr + 8 * i)
            self.check(buf, n)
            out.append((buf, n))
        return out

    # --- writes -----------------------------------------------------------------------

    def write(self, addr: int, new: bytes) -> None:
        n = len(new)
        self.check(addr, n)
        data = self.inst.data
        if self.writes is not None:
            self.writes.append((addr, bytes(data[addr : addr + n]), bytes(new)))
        data[addr : addr + n] = new

    def put_u8(self, addr: int, v: int) -> None:
        self.write(addr, bytes((v & 0xFF,)))

    def put_u16(self, addr: int, v: int) -> None:
        self.write(addr, _U16.pack(v & 0xFFFF))

    def put_u32(self, addr: int, v: int) -> None:
        self.write(addr, _U32.pack(v & 0xFFFFFFFF))

    def put_u64(self, addr: int, v: int) -> None:
        self.write(addr, _U64.pack(v & 0xFFFFFFFFFFFFFFFF))

    def scatter(self, iovs: list[tuple[int, int]], data: bytes) -> None:
        """Spread `data` over the buffers `iovs` in order."""
        pos = 0
        for buf, n in iovs:
            if pos >= len(data):
                break
            chunk = data[pos : pos + n]
            self.write(buf, chunk)
            pos += len(chunk)

    def gather(self, iovs: list[tuple[int, int]]) -> bytes:
        data = self.inst.data
        return b"".join(bytes(data[buf : buf + n]) for buf, n in iovs)
