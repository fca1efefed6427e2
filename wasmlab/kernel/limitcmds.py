"""`%limits`: show and set what this kernel's store may hold (`wasmlab.Limits`).

`%limits` shows every limit, its value and what it bounds, and the last grow a limit
refused; `%limits max_memory=64M fuel=1000000` sets some (sizes take K, M, G suffixes;
`fuel=none` lifts fuel); `%limits reset` goes back to the kernel's defaults."""

from __future__ import annotations

from wasmlab.errors import WasmError
from wasmlab.script import KERNEL_LIMITS, parse_limit

from .outputs import table_output
from .registry import Emit, UsageError, command
from .workspace import Workspace


@command("limits", "%limits [NAME=VALUE ...] | %limits reset",
         "show or set the store's limits (max_memory, max_store_memory, max_table_elements, max_instances, "
         "max_tables, max_memories, max_call_depth, fuel, history_bytes); sizes take K/M/G suffixes",
         "notebook")  # fmt: skip
def cmd_limits(ws: Workspace, args: list[str], emit: Emit) -> None:
    if args == ["reset"]:
        ws.limits = KERNEL_LIMITS
    elif args:
        changes: dict[str, int | None] = {}
        for a in args:
            name, eq, value = a.partition("=")
            if not eq or not value:
                raise UsageError(f"say NAME=VALUE, not {a!r}")
            try:
                changes[name.strip()] = parse_limit(name.strip(), value)
            except WasmError as e:
                raise UsageError(str(e)) from None
        ws.limits = ws.limits.replace(**changes)
    rows = [(name, value, what) for name, value, what in ws.limits.rows()]
    refusal = ws.limit_refusal
    caption = "limits of this kernel's store" + (f"; last refused: {refusal}" if refusal else "")
    emit(table_output(["limit", "value", "bounds"], rows, caption=caption))


__all__ = ["cmd_limits"]
