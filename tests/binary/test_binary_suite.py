"""The binary format against every module of the spec suite (wast2json output).

* every module that is not `assert_malformed` decodes, and re-encodes to the same bytes,
  except the explicit list below (hand-written `(module binary ...)` modules that are not
  in canonical form on purpose); for all of them encoding is a fixed point;
* every binary `assert_malformed` module fails to decode with the expected message;
* instruction and function offsets point at the right bytes.
"""

from __future__ import annotations

import dataclasses
import json
from functools import partial
from pathlib import Path

import pytest

from tests.conftest import need_suite, suite_params
from wasmlab.binary import decode as decode_any
from wasmlab.binary import encode
from wasmlab.binary.leb128 import read_u32
from wasmlab.errors import DecodeError
from wasmlab.syntax.features import CORE_2_0
from wasmlab.syntax.module import Instr, Module

decode = partial(decode_any, features=CORE_2_0)  # the 2.0 suite: strict 2.0

FILES = suite_params("json", pattern="*/*.json")

# Modules whose bytes are not what our encoder writes, and why. "padded": the test writes
# a number with a longer LEB128 than needed (binary-leb128.wast tests exactly that;
# float_literals.wast has a module pasted from a tool that pads sizes to 5 bytes).
# "empty": a section is present with zero entries, which the AST cannot tell from an
# absent section, so the encoder omits it.
PADDED = "padded"
EMPTY = "empty"
KNOWN_NON_CANONICAL: dict[str, tuple[str, str]] = {
    "binary-leb128.0.wasm": (PADDED, "memory limits min written as 2-byte LEB128"),
    "binary-leb128.1.wasm": (PADDED, "memory limits min written as 5-byte LEB128"),
    "binary-leb128.2.wasm": (PADDED, "memory limits max written as 2-byte LEB128"),
    "binary-leb128.3.wasm": (PADDED, "memory limits max written as 5-byte LEB128"),
    "binary-leb128.4.wasm": (PADDED, "data segment flags (memory index) written as 2 bytes"),
    "binary-leb128.5.wasm": (PADDED, "element segment table index written as 2 bytes"),
    "binary-leb128.6.wasm": (PADDED, "custom section size written as 2 bytes"),
    "binary-leb128.7.wasm": (PADDED, "custom section name length written as 2 bytes"),
    "binary-leb128.8.wasm": (PADDED, "function type parameter count written as 2 bytes"),
    "binary-leb128.9.wasm": (PADDED, "function type result count written as 2 bytes"),
    "binary-leb128.10.wasm": (PADDED, "import module name length written as 2 bytes"),
    "binary-leb128.11.wasm": (PADDED, "import field name length written as 2 bytes"),
    "binary-leb128.12.wasm": (PADDED, "imported function type index written as 2 bytes"),
    "binary-leb128.13.wasm": (PADDED, "function section type index written as 2 bytes"),
    "binary-leb128.14.wasm": (PADDED, "export name length written as 2 bytes"),
    "binary-leb128.15.wasm": (PADDED, "export index written as 2 bytes"),
    "binary-leb128.16.wasm": (PADDED, "code section function count written as 2 bytes"),
    "binary-leb128.17.wasm": (PADDED, "i32.const 0 written as 2 bytes"),
    "binary-leb128.18.wasm": (PADDED, "i32.const -1 written as 2 bytes"),
    "binary-leb128.19.wasm": (PADDED, "i32.const 0 written as 5 bytes"),
    "binary-leb128.20.wasm": (PADDED, "i32.const -1 written as 5 bytes"),
    "binary-leb128.21.wasm": (PADDED, "i64.const 0 written as 2 bytes"),
    "binary-leb128.22.wasm": (PADDED, "i64.const -1 written as 2 bytes"),
    "binary-leb128.23.wasm": (PADDED, "i64.const 0 written as 10 bytes"),
    "binary-leb128.24.wasm": (PADDED, "i64.const -1 written as 10 bytes"),
    "binary-leb128.81.wasm": (PADDED, "0xFC sub-opcodes written with 2 to 5 bytes"),
    "binary-leb128.83.wasm": (PADDED, "data segment flags 0 written as 2 bytes"),
    "binary-leb128.84.wasm": (PADDED, "data segment flags 2 written as 2 bytes"),
    "binary-leb128.85.wasm": (PADDED, "data segment flags and memory index written as 2 bytes"),
    "binary-leb128.86.wasm": (PADDED, "element segment flags 0 written as 2 bytes"),
    "binary-leb128.87.wasm": (PADDED, "element segment table index written as 2 bytes"),
    "binary-leb128.88.wasm": (PADDED, "element segment flags 2 written as 2 bytes"),
    "binary-leb128.89.wasm": (PADDED, "element segment flags and table index written as 2 bytes"),
    "float_literals.1.wasm": (PADDED, "every section size and count written as 5-byte LEB128"),
    "binary.60.wasm": (EMPTY, "empty function section"),
    "binary.61.wasm": (EMPTY, "empty code section"),
    "binary.72.wasm": (EMPTY, "empty type section"),
    "binary.75.wasm": (EMPTY, "empty import section"),
    "binary.84.wasm": (EMPTY, "empty table section"),
    "binary.89.wasm": (EMPTY, "empty memory section"),
    "binary.95.wasm": (EMPTY, "empty global section"),
    "binary.98.wasm": (EMPTY, "empty export section"),
    "binary.101.wasm": (EMPTY, "empty element section"),
    "binary.105.wasm": (EMPTY, "empty data section"),
    "custom.1.wasm": (EMPTY, "empty sections of every kind between custom sections"),
}


def _commands(path: Path) -> list[dict]:
    return json.loads(path.read_text())["commands"]


def _modules(path: Path) -> list[tuple[str, bytes]]:
    """(file name, bytes) of every binary module in the script that is meant to be well-formed."""
    out = []
    for cmd in _commands(path):
        name = cmd.get("filename", "")
        if name.endswith(".wasm") and cmd["type"] != "assert_malformed":
            out.append((name, (path.parent / name).read_bytes()))
    return out


def shape(x: object) -> object:
    """A comparable form of an AST value that ignores where it came from (offsets, spans)."""
    if isinstance(x, Instr):
        return (x.op.name, shape(x.imm))
    if dataclasses.is_dataclass(x) and not isinstance(x, type):
        return (
            type(x).__name__,
            tuple(
                (f.name, shape(getattr(x, f.name)))
                for f in dataclasses.fields(x)
                if f.name not in ("offset", "span", "code_offset")
            ),
        )
    if isinstance(x, list | tuple):
        return tuple(shape(v) for v in x)
    if isinstance(x, dict):
        return tuple(sorted((k, shape(v)) for k, v in x.items()))
    return x


def strip_empty_sections(data: bytes) -> bytes:
    """`data` without its non-custom sections that hold an empty vector."""
    out = bytearray(data[:8])
    pos = 8
    while pos < len(data):
        size, body = read_u32(data, pos + 1)
        if not (data[pos] != 0 and data[body : body + size] == b"\x00"):
            out += data[pos : body + size]
        pos = body + size
    return bytes(out)


@pytest.mark.parametrize("path", FILES)
def test_round_trip(path: Path) -> None:
    if not path.exists():
        need_suite("json")
    for name, data in _modules(path):
        module = decode(data)
        once = encode(module)
        again = decode(once)
        assert encode(again) == once, f"{name}: encoding is not a fixed point"
        known = KNOWN_NON_CANONICAL.get(name)
        if known is None:
            assert once == data, f"{name}: re-encoded bytes differ"
            continue
        kind, reason = known
        assert once != data, f"{name} is listed as non-canonical ({reason}) but round-trips exactly"
        if kind == EMPTY:
            assert once == strip_empty_sections(data), f"{name}: differs by more than empty sections"
        else:
            assert len(once) < len(data), name
            assert shape(again) == shape(module), f"{name}: the canonical form decodes differently"


@pytest.mark.parametrize("path", FILES)
def test_malformed_binaries_are_rejected(path: Path) -> None:
    if not path.exists():
        need_suite("json")
    for cmd in _commands(path):
        if cmd["type"] != "assert_malformed" or cmd.get("module_type") != "binary":
            continue
        data = (path.parent / cmd["filename"]).read_bytes()
        with pytest.raises(DecodeError) as info:
            decode(data)
        assert cmd["text"] in info.value.reason, (cmd["filename"], cmd["line"], info.value.reason)
        assert info.value.offset is not None and 0 <= info.value.offset <= len(data)


def _check_expr(data: bytes, expr: list[Instr], where: str) -> None:
    for instr in expr:
        if instr.offset is None:
            # only the `end` the decoder adds after a `ref.func` of an index-only elem segment
            assert instr.op.name == "end", where
            continue
        first = instr.op.code if instr.op.prefix is None else instr.op.prefix
        if instr.op.name == "ref.func" and data[instr.offset] != 0xD2:
            continue  # an element given as a bare function index: the offset is the index's
        assert data[instr.offset] == first, f"{where}: {instr!r} at {instr.offset:#x}"


def _check_offsets(data: bytes, m: Module, name: str) -> None:
    for i, f in enumerate(m.funcs):
        assert f.offset is not None
        size, body = read_u32(data, f.offset)
        last = f.body[-1]
        assert last.op.name == "end" and last.offset == body + size - 1, f"{name} func {i}"
        _check_expr(data, f.body, f"{name} func {i}")
    for g in m.globals:
        _check_expr(data, g.init, name)
    for e in m.elems:
        _check_expr(data, e.offset_expr or [], name)
        for x in e.init:
            _check_expr(data, x, name)
    for d in m.datas:
        _check_expr(data, d.offset_expr or [], name)
    for c in m.customs:
        assert c.offset is not None and data[c.offset] == 0


@pytest.mark.parametrize("path", FILES)
def test_offsets_point_at_their_bytes(path: Path) -> None:
    if not path.exists():
        need_suite("json")
    for name, data in _modules(path):
        _check_offsets(data, decode(data), name)
