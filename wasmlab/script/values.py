"""Arguments typed by a person (a command line, a `%debug` line) as the values calls take, and
the runtime value classes and float bit patterns a front end needs to show results.

`parse_arg("5", I32)`, `parse_arg("(i32.const 5)", I32)`, `parse_arg("0x1p-2", F64)`,
`parse_arg("1_000", I64)`, `parse_arg("null", FUNCREF)`: ints and floats as the public API
takes them (a v128 as one int), None for a null reference.
"""

from __future__ import annotations

from typing import Any

from ..errors import WasmError
from ..exec.numerics import f32_to_bits, f64_to_bits
from ..exec.runtime import ExternRef, FuncInst
from ..syntax.types import ValType


def _a(word: str) -> str:
    """`an i32`, `an f64`, `an externref`, `a v128`, `a funcref`."""
    vowel = word[:1] in "aeiou" or (word[:1] == "f" and word[1:2].isdigit())
    return f"{'an' if vowel else 'a'} {word}"


def parse_arg(text: str, t: ValType) -> Any:
    """An argument for a parameter of type `t`: decimal or `0x` integers, decimal or hex
    floats (`inf`, `nan` too), `_` between digits, `(T.const X)`, `null` for a reference."""
    raw = text.strip()
    if raw.startswith("(") and raw.endswith(")"):
        parts = raw[1:-1].split()
        if len(parts) == 2 and parts[0].endswith(".const"):
            raw = parts[1]
    raw = raw.replace("_", "")
    try:
        if t in (ValType.I32, ValType.I64, ValType.V128):
            return int(raw, 0)
        if t in (ValType.F32, ValType.F64):
            if raw.lower().lstrip("+-").startswith("0x"):
                return float.fromhex(raw)
            return float(raw)
    except ValueError:
        raise WasmError(f"argument {text!r} is not {_a(t.text)}") from None
    if raw == "null":
        return None
    raise WasmError(f"cannot pass {text!r} as {_a(t.text)} from the command line")


__all__ = ["ExternRef", "FuncInst", "f32_to_bits", "f64_to_bits", "parse_arg"]
