"""Malformed and invalid input never raises anything but a WasmError subclass (decode + validate)."""

from __future__ import annotations

import random
from pathlib import Path

import pytest

import wasmlab
from tests.conftest import need_suite, suite_files
from wasmlab.errors import WasmError


def _modules() -> list[Path]:
    files = suite_files("json", pattern="*/*.wasm")
    return random.Random(2451).sample(files, min(400, len(files))) if files else []


def test_truncated_and_bit_flipped_suite_modules() -> None:
    need_suite("json")
    rng = random.Random(7)
    tried = 0
    for path in _modules():
        data = path.read_bytes()
        variants = [data[: rng.randrange(len(data))] for _ in range(3)]
        for _ in range(4):
            b = bytearray(data)
            for _ in range(rng.randint(1, 3)):
                i = rng.randrange(len(b))
                b[i] ^= 1 << rng.randrange(8)
            variants.append(bytes(b))
        for v in variants:
            tried += 1
            try:
                module = wasmlab.parse(v)
            except WasmError:
                continue
            # accepted: it must also instantiate cleanly or fail with a WasmError
            try:
                wasmlab.encode(module)
            except WasmError:
                pass
    assert tried >= 2000


@pytest.mark.parametrize(
    "data",
    [
        b"",
        b"\0as",
        b"\0asm",
        b"\0asm\x02\0\0\0",
        b"\0asm\x01\0\0\0\x01",
        b"\0asm\x01\0\0\0\x0a\xff\xff\xff\xff\x0f",
    ],
)
def test_small_malformed_inputs(data: bytes) -> None:
    with pytest.raises(wasmlab.DecodeError) as e:
        wasmlab.parse(data)
    assert e.value.offset is not None


def test_bit_flipped_proposal_modules_with_the_proposals_on() -> None:
    """The tail-call and multi-memory spec modules, mutated, decoded and validated with
    `features="all"`; the accepted ones are also instantiated and their exports called."""
    from wasmlab.syntax.module import Module
    from wasmlab.text import parse_script
    from wasmlab.text.script import ModuleCommand

    root = need_suite("proposals")
    scripts = sorted(root.glob("multi-memory/*.wast")) + sorted(root.glob("tail-call/return_call*.wast"))
    blobs = []
    for path in scripts:
        if path.name == "return_call_ref.wast":
            continue
        for cmd in parse_script(path.read_text(encoding="utf-8"), filename=path.name):
            if isinstance(cmd, ModuleCommand):
                try:
                    blobs.append(wasmlab.encode(cmd.load()))
                except WasmError:
                    pass  # (a module the script expects to be malformed)
    assert len(blobs) >= 80
    rng = random.Random(3)
    tried = ran = 0
    for data in blobs:
        for _ in range(12):
            b = bytearray(data)
            for _ in range(rng.randint(1, 3)):
                i = rng.randrange(8, len(b))
                b[i] ^= 1 << rng.randrange(8)
            tried += 1
            try:
                module: Module = wasmlab.parse(bytes(b), features="all")
                inst = wasmlab.instantiate(module, {"spectest": _spectest()}, fuel=2000)
            except WasmError:
                continue
            for name in inst.exports:
                fn = inst.exports[name]
                if isinstance(fn, wasmlab.Func) and not fn.type.params:
                    ran += 1
                    try:
                        fn()
                    except WasmError:
                        pass
    assert tried >= 1000 and ran > 0


def _spectest() -> dict:
    from wasmlab.script.spectest import spectest_exports

    return spectest_exports()


def _modules_3_0() -> list[bytes]:
    """Binaries of the 3.0 suite's modules (text ones encoded, binary ones as written): GC,
    typed references, memory64, relaxed SIMD, exceptions (legacy too), annotations..."""
    from wasmlab.syntax.features import ALL
    from wasmlab.text import parse_script
    from wasmlab.text.script import ModuleCommand

    out: list[bytes] = []
    for folder in ("wasm-3.0", "wasm-3.0-extra"):
        for path in suite_files(folder, pattern="**/*.wast"):
            try:
                commands = parse_script(path.read_text(encoding="utf-8"), path.name, features=ALL)
            except WasmError:
                continue
            for cmd in commands:
                if not isinstance(cmd, ModuleCommand):
                    continue
                if cmd.binary is not None:
                    out.append(cmd.binary)
                elif cmd.module is not None:
                    try:
                        out.append(wasmlab.encode(cmd.module))
                    except WasmError:
                        pass
    return out


def test_truncated_and_bit_flipped_3_0_modules() -> None:
    need_suite("wasm-3.0")
    rng = random.Random(30)
    modules = _modules_3_0()
    sample = rng.sample(modules, min(600, len(modules)))
    tried = accepted = 0
    for data in sample:
        if not data:
            continue
        variants = [data[: rng.randrange(len(data))] for _ in range(2)]
        for _ in range(3):
            b = bytearray(data)
            for _ in range(rng.randint(1, 3)):
                i = rng.randrange(len(b))
                b[i] ^= 1 << rng.randrange(8)
            variants.append(bytes(b))
        for v in variants:
            tried += 1
            try:
                module = wasmlab.parse(v, features="all")
            except WasmError:
                continue
            accepted += 1
            try:  # accepted: encoding and instantiating fail, if at all, with a WasmError
                wasmlab.encode(module)
                limits = wasmlab.Limits(max_memory=1 << 24, max_store_memory=1 << 25)
                wasmlab.instantiate(module, fuel=100_000, limits=limits)
            except WasmError:
                pass
    assert tried >= 2500 and accepted > 0
