"""MurmurHash2 (32 bits) of a text's UTF-8 bytes: how JupyterLab's debugger names a cell.

JupyterLab's debugger asks the kernel (`debugInfo`) for a hash method and a seed, and then
calls a cell `tmpFilePrefix + str(hash(code, seed)) + tmpFileSuffix`; it knows only the
method "Murmur2", so the kernel computes the same number to tell which cell a breakpoint
or a dumped source belongs to.
"""

from __future__ import annotations

M = 0x5BD1E995
MASK = 0xFFFFFFFF


def murmur2(text: str | bytes, seed: int) -> int:
    """MurmurHash2 of `text` (a str is hashed as UTF-8), a 32-bit unsigned int."""
    data = text.encode("utf-8") if isinstance(text, str) else bytes(text)
    n = len(data)
    h = (seed ^ n) & MASK
    whole = n - n % 4
    for i in range(0, whole, 4):
        k = int.from_bytes(data[i : i + 4], "little")
        k = (k * M) & MASK
        k ^= k >> 24
        k = (k * M) & MASK
        h = ((h * M) & MASK) ^ k
    rest = data[whole:]
    if rest:
        h ^= int.from_bytes(rest, "little")
        h = (h * M) & MASK
    h ^= h >> 13
    h = (h * M) & MASK
    h ^= h >> 15
    return h


__all__ = ["murmur2"]
