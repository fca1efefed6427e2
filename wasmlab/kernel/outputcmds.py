"""`%output`: the parts of an output a cell did not show.

`%output stdout|stderr [START [N]]`: N bytes (64 KiB) from byte START of the last WASI
program's stream (the cell showed only the first `OUTPUT_LIMIT` bytes);
`%output last [START [N]]`: N characters of the last output cut short (a long trace, a
huge listing), with the file that holds all of it."""

from __future__ import annotations

from .outputs import pre_output, rich
from .registry import Emit, UsageError, command, need_int
from .workspace import Workspace

PAGE = 64 * 1024


@command("output", "%output stdout|stderr|last [START [N]]",
         "show more of an output that was cut: the last WASI program's stdout or stderr, or the last "
         "long output (trace, listing); N bytes or characters (65536) from START (0)", "notebook")  # fmt: skip
def cmd_output(ws: Workspace, args: list[str], emit: Emit) -> None:
    if not args or args[0] not in ("stdout", "stderr", "last"):
        raise UsageError("say which: stdout, stderr or last")
    start = need_int(args[1], "START") if len(args) > 1 else 0
    n = need_int(args[2], "N") if len(args) > 2 else PAGE
    if start < 0 or n < 0:
        raise UsageError("START and N must be >= 0")
    if args[0] == "last":
        kept = ws.kept
        if kept is None:
            raise UsageError("no output was cut short")
        body = kept.read(start, n)
        title = f"{kept.what}: characters {start:,} to {start + len(body):,} of {kept.chars:,} (all in {kept.path})"
    else:
        stream = ws.output(args[0])
        raw = stream.read(start, n)
        body = raw.decode("utf-8", "replace")
        where = f"; all in {stream.path}" if stream.path else ""
        title = f"{args[0]}: bytes {start:,} to {start + len(raw):,} of {stream.total:,}{where}"
    emit(rich(title))
    emit(pre_output(body))


__all__ = ["cmd_output"]
