"""Validation of types (spec 3.2): limits, table types, memory types."""

from __future__ import annotations

from ..errors import ValidationError
from ..syntax.types import Limits, MemType, TableType, ValType

MAX_PAGES = 65536
MAX_TABLE = 0xFFFF_FFFF
#: memory64 and table64: the bounds of 64-bit memories (pages) and tables
MAX_PAGES64 = 1 << 48
MAX_TABLE64 = 0xFFFF_FFFF_FFFF_FFFF


def check_limits(limits: Limits, bound: int, too_big: str, where: str) -> None:
    lo, hi = limits.min, limits.max
    if not 0 <= lo <= bound:
        raise ValidationError(f"{too_big} (in {where}: minimum {lo})")
    if hi is not None:
        if not 0 <= hi <= bound:
            raise ValidationError(f"{too_big} (in {where}: maximum {hi})")
        if lo > hi:
            raise ValidationError(f"size minimum must not be greater than maximum (in {where}: {lo} > {hi})")


def check_table_type(tt: TableType, where: str) -> None:
    if tt.limits.is64:
        check_limits(tt.limits, MAX_TABLE64, "table size must be at most 2^64-1", where)
    else:
        check_limits(tt.limits, MAX_TABLE, "table size must be at most 2^32-1", where)
    if not isinstance(tt.elem, ValType) or not tt.elem.is_ref:
        raise ValidationError(f"type mismatch: {where} holds {tt.elem}, not a reference type")


def check_mem_type(mt: MemType, where: str, shared_ok: bool = False) -> None:
    if mt.limits.is64:
        check_limits(mt.limits, MAX_PAGES64, "memory size must be at most 2^48 pages (2^64 bytes)", where)
    else:
        check_limits(mt.limits, MAX_PAGES, "memory size must be at most 65536 pages (4GiB)", where)
    if mt.shared and not shared_ok:  # (module linking's types may describe shared memories)
        raise ValidationError(f"threads must be enabled for shared memories (in {where})")
