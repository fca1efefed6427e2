"""The spec suite's SIMD assertions, checked against wasmlab.exec.simd without a machine.

Most simd_* test modules export small functions whose bodies are straight-line code:
`local.get`s and constants feeding one or a few SIMD instructions (e.g. the export
"i8x16.add" is `(i8x16.add (local.get 0) (local.get 1))`, "add-sub" chains two, the
"*_with_const_*" ones take v128.const operands). This file reads each function body
from the converted .wasm, and when the body is made only of local.get, constants, drop
and non-memory SIMD instructions, it evaluates the body with `SIMD` and compares the
result to the assertion, lane by lane (nan:canonical / nan:arithmetic per lane). Every
other assertion (control flow, memory, traps, invalid modules) waits for the machine.

Run with `pytest -s tests/exec/test_simd_spec.py` to see the per-file counts.
"""

from __future__ import annotations

import json
import struct
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import pytest

from tests.conftest import need_suite, suite_params
from wasmlab.exec.simd import SIMD
from wasmlab.syntax.opcodes import BY_KEY

_LANE_BITS = {"i8": 8, "i16": 16, "i32": 32, "i64": 64, "f32": 32, "f64": 64}


# -- a minimal reader for the parts of a .wasm this check needs ----------------------


class Unsupported(Exception):
    """The function body uses something the straight-line evaluator does not do."""


def _uleb(data: bytes, pos: int) -> tuple[int, int]:
    result = shift = 0
    while True:
        b = data[pos]
        pos += 1
        result |= (b & 0x7F) << shift
        shift += 7
        if not b & 0x80:
            return result, pos


def _sleb(data: bytes, pos: int) -> tuple[int, int]:
    result = shift = 0
    while True:
        b = data[pos]
        pos += 1
        result |= (b & 0x7F) << shift
        shift += 7
        if not b & 0x80:
            if b & 0x40:
                result -= 1 << shift
            return result, pos


def _name(data: bytes, pos: int) -> tuple[str, int]:
    n, pos = _uleb(data, pos)
    return data[pos : pos + n].decode("utf-8"), pos + n


def _limits(data: bytes, pos: int) -> int:
    flag = data[pos]
    _, pos = _uleb(data, pos + 1)
    if flag & 1:
        _, pos = _uleb(data, pos)
    return pos


def read_exports(data: bytes) -> dict[str, bytes]:
    """Export name -> code body bytes, for functions defined in the module."""
    pos = 8
    imported = 0
    exports: dict[str, int] = {}
    bodies: list[bytes] = []
    while pos < len(data):
        sec = data[pos]
        size, pos = _uleb(data, pos + 1)
        end = pos + size
        if sec == 2:  # imports: count the functions, they come first in the index space
            count, p = _uleb(data, pos)
            for _ in range(count):
                _, p = _name(data, p)
                _, p = _name(data, p)
                kind = data[p]
                p += 1
                if kind == 0:
                    _, p = _uleb(data, p)
                    imported += 1
                elif kind == 1:
                    p = _limits(data, p + 1)
                elif kind == 2:
                    p = _limits(data, p)
                else:
                    p += 2
        elif sec == 7:
            count, p = _uleb(data, pos)
            for _ in range(count):
                name, p = _name(data, p)
                kind = data[p]
                idx, p = _uleb(data, p + 1)
                if kind == 0:
                    exports[name] = idx
        elif sec == 10:
            count, p = _uleb(data, pos)
            for _ in range(count):
                n, p = _uleb(data, p)
                bodies.append(data[p : p + n])
                p += n
        pos = end
    out = {}
    for name, idx in exports.items():
        if idx >= imported:
            out[name] = bodies[idx - imported]
    return out


def parse_body(body: bytes) -> list[tuple[str, Any]]:
    """The instructions of a straight-line body, or `Unsupported`."""
    count, pos = _uleb(body, 0)
    for _ in range(count):
        _, pos = _uleb(body, pos)
        pos += 1
    code: list[tuple[str, Any]] = []
    while pos < len(body):
        b = body[pos]
        pos += 1
        if b == 0x0B:
            if pos != len(body):
                raise Unsupported("end before the end of the body")
            return code
        if b == 0x20:
            idx, pos = _uleb(body, pos)
            code.append(("local.get", idx))
        elif b == 0x41:
            v, pos = _sleb(body, pos)
            code.append(("const", v & 0xFFFFFFFF))
        elif b == 0x42:
            v, pos = _sleb(body, pos)
            code.append(("const", v & 0xFFFFFFFFFFFFFFFF))
        elif b == 0x43:
            code.append(("const", f32_value(int.from_bytes(body[pos : pos + 4], "little"))))
            pos += 4
        elif b == 0x44:
            code.append(("const", f64_value(int.from_bytes(body[pos : pos + 8], "little"))))
            pos += 8
        elif b == 0x1A:
            code.append(("drop", None))
        elif b == 0xFD:
            sub, pos = _uleb(body, pos)
            op = BY_KEY[0xFD00 | sub]
            if op.name == "v128.const":
                code.append(("const", int.from_bytes(body[pos : pos + 16], "little")))
                pos += 16
            elif op.imm == "lane":
                code.append((op.name, body[pos]))
                pos += 1
            elif op.imm == "shuffle":
                code.append((op.name, bytes(body[pos : pos + 16])))
                pos += 16
            elif op.imm == "none" and op.name in SIMD:
                code.append((op.name, None))
            else:
                raise Unsupported(op.name)
        else:
            raise Unsupported(f"opcode {b:#x}")
    raise Unsupported("no end")


def run(code: list[tuple[str, Any]], args: list[Any]) -> list[Any]:
    stack: list[Any] = []
    for name, imm in code:
        if name == "local.get":
            stack.append(args[imm])
        elif name == "const":
            stack.append(imm)
        elif name == "drop":
            stack.pop()
        else:
            op = BY_KEY_NAME[name]
            n = len(op.params)
            operands = stack[len(stack) - n :]
            del stack[len(stack) - n :]
            if op.imm in ("lane", "shuffle"):
                operands.append(imm)
            stack.append(SIMD[name](*operands))
    return stack


BY_KEY_NAME = {op.name: op for op in BY_KEY.values() if op.prefix == 0xFD}


# -- values (JSON encoding -> our representation, results -> bits) -------------------


def f32_value(bits: int) -> float:
    """Independent of simd.py: the values.md encoding of an f32 bit pattern."""
    if bits & 0x7F800000 == 0x7F800000 and bits & 0x7FFFFF:
        d = (bits >> 31) << 63 | 0x7FF << 52 | (bits & 0x7FFFFF) << 29
        return struct.unpack("<d", struct.pack("<Q", d))[0]
    return struct.unpack("<f", struct.pack("<I", bits))[0]


def f32_bits(x: float) -> int:
    if x != x:
        d = struct.unpack("<Q", struct.pack("<d", x))[0]
        return (d >> 63) << 31 | 0xFF << 23 | (d >> 29) & 0x7FFFFF
    return struct.unpack("<I", struct.pack("<f", x))[0]


def f64_value(bits: int) -> float:
    return struct.unpack("<d", struct.pack("<Q", bits))[0]


def f64_bits(x: float) -> int:
    return struct.unpack("<Q", struct.pack("<d", x))[0]


def arg_value(arg: dict) -> Any:
    t = arg["type"]
    if t in ("i32", "i64"):
        return int(arg["value"])
    if t == "f32":
        return f32_value(int(arg["value"]))
    if t == "f64":
        return f64_value(int(arg["value"]))
    if t == "v128":
        w = _LANE_BITS[arg["lane_type"]]
        v = 0
        for i, lane in enumerate(arg["value"]):
            v |= (int(lane) & ((1 << w) - 1)) << (w * i)
        return v
    raise Unsupported(f"argument type {t}")


def _float_ok(bits: int, expected: str, w: int) -> bool:
    exp_mask = (1 << (w - 1)) - (1 << (w - 9 if w == 32 else w - 12))  # exponent field
    quiet = 1 << (w - 10 if w == 32 else w - 13)
    magnitude = bits & ((1 << (w - 1)) - 1)
    if expected == "nan:canonical":
        return magnitude == exp_mask | quiet
    if expected == "nan:arithmetic":
        return magnitude & (exp_mask | quiet) == exp_mask | quiet
    return bits == int(expected)


def result_ok(got: Any, exp: dict) -> bool:
    t = exp["type"]
    if t in ("i32", "i64"):
        return type(got) is int and got == int(exp["value"])
    if t == "f32":
        return isinstance(got, float) and _float_ok(f32_bits(got), exp["value"], 32)
    if t == "f64":
        return isinstance(got, float) and _float_ok(f64_bits(got), exp["value"], 64)
    if t == "v128":
        if type(got) is not int or not 0 <= got < 1 << 128:
            return False
        lt = exp["lane_type"]
        w = _LANE_BITS[lt]
        m = (1 << w) - 1
        for i, lane in enumerate(exp["value"]):
            bits = (got >> (w * i)) & m
            if lt[0] == "f":
                if not _float_ok(bits, lane, w):
                    return False
            elif bits != int(lane) & m:
                return False
        return True
    return False


# -- the check ------------------------------------------------------------------------


@dataclass
class Tally:
    passed: int = 0
    failed: int = 0
    unchecked: int = 0
    failures: list[str] = field(default_factory=list)


def check_file(json_path: Path) -> Tally:
    script = json.loads(json_path.read_text())
    folder = json_path.parent
    tally = Tally()
    current: dict[str, bytes] | None = None
    named: dict[str, dict[str, bytes]] = {}
    parsed: dict[tuple[int, str], list | None] = {}
    for cmd in script["commands"]:
        kind = cmd["type"]
        if kind == "module":
            current = read_exports((folder / cmd["filename"]).read_bytes())
            if "name" in cmd:
                named[cmd["name"]] = current
            continue
        if not kind.startswith("assert_"):
            continue
        action = cmd.get("action")
        if kind != "assert_return" or action is None or action["type"] != "invoke":
            tally.unchecked += 1
            continue
        module = named.get(action["module"]) if "module" in action else current
        field_name = action["field"]
        body = module.get(field_name) if module is not None else None
        key = (id(module), field_name)
        if key not in parsed:
            try:
                parsed[key] = parse_body(body) if body is not None else None
            except Unsupported:
                parsed[key] = None
        code = parsed[key]
        if code is None or all(name in ("local.get", "const", "drop") for name, _ in code):
            tally.unchecked += 1  # no SIMD instruction to check here
            continue
        try:
            args = [arg_value(a) for a in action["args"]]
        except Unsupported:
            tally.unchecked += 1
            continue
        where = f"{json_path.stem}:{cmd['line']} {field_name}"
        try:
            got = run(code, args)
        except Exception as exc:  # a crash is a failure, reported with its line
            tally.failed += 1
            tally.failures.append(f"{where}: raised {exc!r}")
            continue
        expected = cmd["expected"]
        if len(got) == len(expected) and all(map(result_ok, got, expected)):
            tally.passed += 1
        else:
            tally.failed += 1
            tally.failures.append(f"{where}: args {action['args']} got {got!r} expected {expected}")
    return tally


@pytest.mark.parametrize("folder", suite_params("json", pattern="simd_*"))
def test_simd_spec_file(folder: Path) -> None:
    need_suite("json")
    tally = check_file(folder / f"{folder.name}.json")
    print(
        f"\n{folder.name}: {tally.passed} passed, {tally.failed} failed, {tally.unchecked} left for the machine"
    )
    assert not tally.failures, "\n".join(tally.failures[:20])
