"""The binary format: `decode` bytes into a Module, `encode` a Module into bytes, `dump` it."""

from __future__ import annotations

from . import linking as _linking
from .decode import decode, decode_auto
from .dump import dump
from .encode import EncodeError, encode
from .leb128 import (
    read_s32,
    read_s33,
    read_s64,
    read_signed,
    read_u32,
    read_u64,
    read_unsigned,
    write_s32,
    write_s33,
    write_s64,
    write_signed,
    write_u32,
    write_u64,
    write_unsigned,
)

_linking.install()  # (module linking registers its decoding rows when imported)

__all__ = [
    "EncodeError",
    "decode",
    "decode_auto",
    "dump",
    "encode",
    "read_s32",
    "read_s33",
    "read_s64",
    "read_signed",
    "read_u32",
    "read_u64",
    "read_unsigned",
    "write_s32",
    "write_s33",
    "write_s64",
    "write_signed",
    "write_u32",
    "write_u64",
    "write_unsigned",
]
