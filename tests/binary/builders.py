"""Tiny helpers to write binary modules by hand in tests."""

from __future__ import annotations

from wasmlab.binary.leb128 import write_u32
from wasmlab.syntax.module import Instr
from wasmlab.syntax.opcodes import BY_NAME

HEADER = b"\x00asm\x01\x00\x00\x00"


def leb(x: int) -> bytes:
    return write_u32(x)


def vec(items: list[bytes]) -> bytes:
    return leb(len(items)) + b"".join(items)


def name(text: str) -> bytes:
    raw = text.encode()
    return leb(len(raw)) + raw


def section(sid: int, payload: bytes) -> bytes:
    return bytes((sid,)) + leb(len(payload)) + payload


def module(*sections: bytes) -> bytes:
    return HEADER + b"".join(sections)


def body(code: bytes, local_groups: bytes = b"\x00") -> bytes:
    """A code-section entry: size, local groups (default: none), instructions."""
    inner = local_groups + code
    return leb(len(inner)) + inner


def one_func(code: bytes, *, result: bytes = b"", local_groups: bytes = b"\x00", extra: bytes = b"") -> bytes:
    """A module with one function of type [] -> [result] whose body is `code`."""
    results = vec([result]) if result else b"\x00"
    return module(
        section(1, vec([b"\x60\x00" + results])),
        section(3, vec([b"\x00"])),
        extra,
        section(10, vec([body(code, local_groups)])),
    )


def I(op_name: str, imm: object = None) -> Instr:  # noqa: N802, E743
    return Instr(BY_NAME[op_name], imm)
