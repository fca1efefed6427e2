"""What JupyterLab's debugger panel shows of a paused `Session`: stack frames, scopes and
variables in the Debug Adapter Protocol's shapes, memory in pages that expand, rich views
(memory as an HTML hex table, a v128 as its lanes).

`References` hands out the `variablesReference` numbers of one pause: each names a function
that lists the variables under it (a scope, a memory page, a block of bytes, a v128's
lanes). They are made anew at every stop, as the protocol wants.
"""

from __future__ import annotations

import struct
from collections.abc import Callable
from typing import Any

from .outputs import esc

PAGE = 65536
BLOCK = 256  # bytes under one entry of a page
ROW = 16  # bytes shown on one line
MAX_CHILDREN = 1024  # entries one `variables` answer lists without paging arguments

Var = dict[str, Any]


class References:
    """variablesReference numbers of one pause (they start above the last pause's)."""

    def __init__(self, start: int = 1) -> None:
        self.next = start
        self.table: dict[int, Callable[[], list[Var]]] = {}
        self.named: dict[str, Callable[[], dict[str, Any]]] = {}  # richInspectVariables by name

    def add(self, children: Callable[[], list[Var]]) -> int:
        n = self.next
        self.next += 1
        self.table[n] = children
        return n

    def children(self, ref: int, start: int = 0, count: int = 0) -> list[Var]:
        make = self.table.get(ref)
        if make is None:
            raise KeyError(ref)
        items = make()
        if start or count:
            return items[start : start + count] if count else items[start:]
        return items[:MAX_CHILDREN]


def value_parts(v: Any) -> tuple[str, str]:
    """(value, type) of a TypedValue: `i32 7` -> ("7", "i32")."""
    text = v.text
    t = v.type.text if getattr(v, "type", None) is not None else ""
    if t and text.startswith(t + " "):
        return text[len(t) + 1 :], t
    return text, t


def typed_var(refs: References, name: str, v: Any, type_prefix: str = "") -> Var:
    value, t = value_parts(v)
    ref = 0
    if t == "v128":
        bits = int(getattr(v, "bits", 0) or 0)
        ref = refs.add(lambda: lane_vars(bits))
        refs.named[name] = lambda: lanes_bundle(bits)
    # the value with its type ("i32 4"), and no `type` field: JupyterLab's tree of variables
    # shows a variable's `type` instead of its value for any type it does not know
    text = f"{type_prefix}{t} {value}" if t else value
    return {"name": name, "value": text, "variablesReference": ref, "evaluateName": name}


# --- v128 ---------------------------------------------------------------------------------

SHAPES = (("i8x16", "<16b"), ("i16x8", "<8h"), ("i32x4", "<4i"), ("i64x2", "<2q"),
          ("f32x4", "<4f"), ("f64x2", "<2d"))  # fmt: skip


def lanes(bits: int) -> list[tuple[str, list[str]]]:
    raw = (bits & ((1 << 128) - 1)).to_bytes(16, "little")
    out = []
    for shape, fmt in SHAPES:
        values = struct.unpack(fmt, raw)
        out.append((shape, [repr(x) if isinstance(x, float) else str(x) for x in values]))
    return out


def lane_vars(bits: int) -> list[Var]:
    return [{"name": shape, "value": " ".join(vals), "variablesReference": 0}
            for shape, vals in lanes(bits)]  # fmt: skip


def lanes_bundle(bits: int) -> dict[str, Any]:
    rows = lanes(bits)
    text = "\n".join(f"{shape}: {' '.join(vals)}" for shape, vals in rows)
    html = ["<table class='wasmlab-lanes'><tr><th>shape</th><th colspan='16'>lanes (lane 0 first)</th></tr>"]
    for shape, vals in rows:
        span = 16 // len(vals)
        cells = "".join(f"<td colspan='{span}' style='text-align:right'>{esc(x)}</td>" for x in vals)
        html.append(f"<tr><th>{shape}</th>{cells}</tr>")
    html.append("</table>")
    return {"data": {"text/plain": text, "text/html": "".join(html)}, "metadata": {}}


# --- memory -------------------------------------------------------------------------------


def row_text(data: bytes) -> str:
    hx = " ".join(f"{b:02x}" for b in data)
    asc = "".join(chr(b) if 32 <= b < 127 else "." for b in data)
    return f"{hx:<47}  {asc}"


def hex_table(data: bytes, base: int) -> dict[str, Any]:
    """A memory region as text and as an HTML table (address, 16 bytes, ASCII)."""
    lines = []
    rows = ["<table class='wasmlab-hex' style='font-family:monospace'>"
            "<tr><th>address</th>" + "".join(f"<th>{i:x}</th>" for i in range(ROW)) + "<th>ascii</th></tr>"]  # fmt: skip
    w = 8 if base + len(data) <= 1 << 32 else 12  # (addresses past 4 GiB: a 64-bit memory)
    for a in range(0, len(data), ROW):
        chunk = data[a : a + ROW]
        lines.append(f"{base + a:0{w}x}  {row_text(chunk)}")
        cells = "".join(f"<td>{b:02x}</td>" for b in chunk) + "<td></td>" * (ROW - len(chunk))
        asc = esc("".join(chr(b) if 32 <= b < 127 else "." for b in chunk))
        rows.append(f"<tr><th>{base + a:0{w}x}</th>{cells}<td>{asc}</td></tr>")
    rows.append("</table>")
    return {"data": {"text/plain": "\n".join(lines), "text/html": "".join(rows)}, "metadata": {}}


def memory_vars(refs: References, session: Any) -> list[Var]:
    out = []
    for index in range(64):
        try:
            mem = session.memory(index)
        except Exception:  # noqa: BLE001 - no memory `index`: the list ends
            break
        size = len(mem)
        pages = size // PAGE
        name = f"memory {index}"
        ref = refs.add(lambda mem=mem, index=index: page_vars(refs, mem, index))
        refs.named[name] = lambda mem=mem: hex_table(mem.read(0, min(len(mem), 1024)), 0)
        out.append({"name": name, "value": f"{pages} page{'s' * (pages != 1)} ({size:,} bytes)",
                    "variablesReference": ref, "indexedVariables": pages})  # fmt: skip
    return out


def page_vars(refs: References, mem: Any, index: int) -> list[Var]:
    out = []
    for p in range(len(mem) // PAGE):
        base = p * PAGE
        name = f"page {p}"
        ref = refs.add(lambda base=base: block_vars(refs, mem, base))
        refs.named[f"memory {index} {name}"] = lambda base=base: hex_table(mem.read(base, 1024), base)
        refs.named.setdefault(name, refs.named[f"memory {index} {name}"])  # the panel asks by name
        out.append({"name": name, "value": f"[{base:#x}, {base + PAGE:#x})",
                    "variablesReference": ref, "indexedVariables": PAGE // BLOCK})  # fmt: skip
    return out


def block_vars(refs: References, mem: Any, base: int) -> list[Var]:
    out = []
    for b in range(base, base + PAGE, BLOCK):
        head = mem.read(b, ROW)
        ref = refs.add(lambda b=b: row_vars(mem, b))
        refs.named.setdefault(f"{b:#010x}", lambda b=b: hex_table(mem.read(b, BLOCK), b))
        out.append({"name": f"{b:#010x}", "value": row_text(head) + " …",
                    "variablesReference": ref, "indexedVariables": BLOCK // ROW})  # fmt: skip
    return out


def row_vars(mem: Any, base: int) -> list[Var]:
    data = mem.read(base, BLOCK)
    return [{"name": f"{base + a:#010x}", "value": row_text(data[a : a + ROW]),
             "variablesReference": 0} for a in range(0, len(data), ROW)]  # fmt: skip


# --- scopes -------------------------------------------------------------------------------


def locals_vars(refs: References, frame: Any) -> list[Var]:
    return [typed_var(refs, name, v) for name, v in frame.locals.items()]


def stack_vars(refs: References, values: tuple[Any, ...]) -> list[Var]:
    """A frame's operands, top first (`[0]` is the top)."""
    top_first = list(values)[::-1]
    return [typed_var(refs, f"[{i}]", v) for i, v in enumerate(top_first)]


def globals_vars(refs: References, session: Any) -> list[Var]:
    gs = session.globals
    out = []
    for k in range(len(gs)):
        g = gs[k]
        name = g.name if str(g.name).startswith("$") or not str(g.name).isdigit() else f"global {g.index}"
        var = typed_var(refs, name, g.value, "mut " if g.mutable else "")
        var["evaluateName"] = f"global {g.name}"
        out.append(var)
    return out


def c_vars(session: Any) -> list[Var]:
    """The C variables of the selected frame (a module compiled with -g)."""
    out = []
    for v in session.variables:
        value = getattr(v, "value", None)
        text = f"{getattr(v, 'type', '')} {value if value is not None else '?'}".strip()
        out.append({"name": str(getattr(v, "name", "?")), "value": text, "variablesReference": 0})
    return out


__all__ = [
    "BLOCK", "PAGE", "ROW", "References", "c_vars", "globals_vars", "hex_table", "lanes", "lanes_bundle",
    "locals_vars", "memory_vars", "stack_vars", "typed_var", "value_parts",
]  # fmt: skip
