"""The shared module-linking dumps: `NAME.wat` with the bytes the wast crate (version 27,
the PR 2451 encoding) made from it, as an annotated `NAME.wat.dump`."""

from __future__ import annotations

from pathlib import Path

from tests.conftest import suite_params


def dump_bytes(path: Path) -> bytes:
    """The bytes of an annotated dump: the hex column of every `offset | bytes | note` line
    and of its continuation lines (`       | bytes`)."""
    out = bytearray()
    for line in path.read_text().splitlines():
        if "|" not in line:
            continue
        parts = line.split("|")
        head = parts[0].strip()
        if head and not head.startswith("0x"):
            continue
        hexpart = parts[1].strip()
        if hexpart:
            out += bytes(int(x, 16) for x in hexpart.split())
    return bytes(out)


DUMPS = suite_params("module-linking", "dumps", pattern="*.wat")
