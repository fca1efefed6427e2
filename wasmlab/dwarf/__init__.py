"""Source-level debugging of compiled C: DWARF read from a `-g` module's custom sections.

- `DebugInfo.of(module)`: line tables, functions, scopes, variables and C types;
- `evaluate` (location expressions, the WebAssembly `DW_OP_WASM_location` included) and
  `CValue` (a variable's value and where it lives);
- `evaluate_c`: C expressions (`frac->num * 2`, `arr[3]`, `*p`) over a paused frame.

It reads `wasmlab.syntax` modules and asks a paused frame (`FrameState`) for locals,
globals, operand-stack slots and memory; the debugger (`wasmlab.debug`) gives it one.
"""

from .expr import CExprError, evaluate_c
from .info import DebugInfo, Function, InlineFrame, Scope, Variable
from .lines import LineProgram, LineTable, SourcePos
from .location import FrameState, Location, LocationError, evaluate
from .sections import DwarfError, dwarf_info, has_dwarf
from .types import CType
from .values import CValue, string_at


def line_table(module: object) -> LineTable:
    """The line table of a `-g` module (DwarfError when it has no DWARF)."""
    return LineTable.from_dwarf(dwarf_info(module))  # type: ignore[arg-type]


__all__ = [
    "CExprError", "CType", "CValue", "DebugInfo", "DwarfError", "FrameState", "Function", "InlineFrame", "LineProgram", "LineTable",
    "Location", "LocationError", "Scope", "SourcePos", "Variable", "dwarf_info", "evaluate", "evaluate_c",
    "has_dwarf", "line_table", "string_at",
]  # fmt: skip
