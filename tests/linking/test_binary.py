"""Module linking in the binary format: both encodings, the shared dumps, malformed input."""

from __future__ import annotations

from pathlib import Path

import pytest

from tests.conftest import need_suite
from tests.linking.dumps import DUMPS, dump_bytes
from wasmlab.binary import decode, decode_auto, encode
from wasmlab.binary.encode import EncodeError
from wasmlab.errors import DecodeError, WasmError
from wasmlab.syntax.features import CORE_2_0
from wasmlab.syntax.module import Alias, Import, InstanceDef, Module
from wasmlab.syntax.types import ExportType, ExternKind, FuncType, InstanceType, Limits, MemType, ModuleType
from wasmlab.text import parse_module, print_wat

HEADER = b"\0asm\x01\x00\x00\x00"


def section(sid: int, payload: bytes) -> bytes:
    assert len(payload) < 128
    return bytes([sid, len(payload)]) + payload


@pytest.mark.parametrize("path", DUMPS)
def test_dump_bytes_round_trip_through_both_encodings(path: Path) -> None:
    need_suite("module-linking", "dumps")
    data = dump_bytes(Path(str(path) + ".dump"))
    module = decode(data, module_linking=True)
    assert encode(module, module_linking="pr2451") == data
    again = decode(encode(module), module_linking=True)  # wasmtime 0.22's ids and marker
    assert encode(again, module_linking="pr2451") == data
    assert again == module


@pytest.mark.parametrize("path", DUMPS)
def test_decoded_dumps_print_and_encode_identically(path: Path) -> None:
    need_suite("module-linking", "dumps")
    data = dump_bytes(Path(str(path) + ".dump"))
    module = decode_auto(data)
    for folded in (False, True):
        text = print_wat(module, folded=folded)
        assert encode(parse_module(text), names=True, module_linking="pr2451") == data, text


def test_the_two_encodings_differ_only_in_ids_and_marker() -> None:
    m = parse_module(
        '(module (import "i" (instance (export "f" (func)))) (module) (instance (instantiate 0)))'
    )
    new, old = encode(m), encode(m, module_linking="pr2451")
    assert b"\x00\xff\x06" in new and b"\x01\xc0\x06" in old
    assert {b for b in (14, 15, 17)} <= set(new) and {100, 101, 103} <= set(old)
    assert decode(new, module_linking=True) == decode(old, module_linking=True)
    with pytest.raises(EncodeError):
        encode(m, module_linking="2019")


def test_interleaved_initial_sections_keep_their_order() -> None:
    data = (
        HEADER
        + section(1, b"\x01\x60\x00\x00")  # type: func
        + section(2, b"\x01\x00\x00\xff\x00\x00")  # import "" (func 0), 0.22 marker
        + section(1, b"\x01\x62\x00")  # type: (instance)
        + section(2, b"\x01\x00\x00\xff\x06\x01")  # import "" (instance 1)
        + section(16, b"\x01\x00\x00\x00\x00")  # alias (instance 0) (func 0): out of range, but well-formed
    )
    m = decode(data, module_linking=True)
    assert m.initial_sections == [(1, 1), (2, 1), (1, 1), (2, 1), (16, 1)]
    assert [i.name for i in m.imports] == [None, None]
    assert encode(m) == data


def test_plain_webassembly_keeps_its_section_rules() -> None:
    twice = HEADER + section(2, b"\x00") + section(2, b"\x00")
    with pytest.raises(DecodeError, match="unexpected content after last section"):
        decode(twice)
    assert decode(twice, module_linking=True).initial_sections == [(2, 0), (2, 0)]
    with pytest.raises(DecodeError, match="malformed section id"):
        decode(HEADER + section(14, b"\x00"), features=CORE_2_0)  # 3.0: the tag section
    assert decode(HEADER + section(14, b"\x00"), module_linking=None).modules == []
    # decode_auto: a module type reads as module linking, a 2.0 error stays a 2.0 error
    assert isinstance(decode_auto(HEADER + section(1, b"\x01\x61\x00\x00")).types[0], ModuleType)
    with pytest.raises(DecodeError, match="malformed section id"):
        decode_auto(HEADER + section(13, b"\x00"), features=CORE_2_0)


def test_shared_memory_types_in_module_types() -> None:
    t = ModuleType((), (ExportType("m", ExternKind.MEMORY, MemType(Limits(1, 2), shared=True)),))
    m = Module(types=[t])
    again = decode(encode(m), module_linking=True)
    assert again.types[0] == t


@pytest.mark.parametrize(
    ("payload", "message"),
    [
        (section(15, b"\x01\x01\x00\x00"), "malformed instance"),
        (section(15, b"\x01\x00\x00\x01\x04\x00"), "malformed instantiate argument kind"),
        (section(16, b"\x01\x02\x00"), "malformed alias"),
        (section(16, b"\x01\x00\x00\x09\x00"), "malformed alias kind"),
        (section(17, b"\x01\x00"), "inconsistent lengths"),
        (section(14, b"\x01\x00") + section(17, b"\x02\x00\x00"), "inconsistent lengths"),
        (section(14, b"\x01\x00"), "inconsistent lengths"),
        (section(14, b"\x01\x00") + section(17, b"\x01\x04\x00asm"), "unexpected end"),
        (
            section(14, b"\x01\x00") + section(17, b"\x01\x08\x00asm\x02\x00\x00\x00"),
            "unknown binary version",
        ),
        (section(1, b"\x01\x61\x01"), "unexpected end"),
        (section(1, b"\x01\x62\x01\x00\x09"), "malformed import kind"),
        (section(2, b"\x01\x00\x00\xff\x07\x00"), "malformed import kind"),
        (section(1, b"\x01\x62\x01\x00\x02\x04\x00"), "malformed memory type flags"),
    ],
)
def test_malformed_module_linking_binaries(payload: bytes, message: str) -> None:
    with pytest.raises(DecodeError) as info:
        decode(HEADER + payload, module_linking=True)
    assert message in info.value.reason


def test_errors_in_nested_modules_say_where_in_the_outer_bytes() -> None:
    inner = b"\0asm\x01\x00\x00\x00" + b"\x7f\x00"  # a bad section id inside
    data = (
        HEADER + section(1, b"\x01\x61\x00\x00") + section(14, b"\x01\x00") + section(17, b"\x01\x0a" + inner)
    )
    with pytest.raises(DecodeError) as info:
        decode(data, module_linking=True)
    assert info.value.reason == "malformed section id"
    assert info.value.offset == data.index(inner) + 8


def test_random_bytes_only_raise_decode_errors() -> None:
    import random

    from tests.linking.programs import PROGRAMS

    rng = random.Random(4)
    base = encode(parse_module(PROGRAMS[3].wat))
    for _ in range(400):
        data = bytearray(base)
        for _ in range(rng.randint(1, 4)):
            data[rng.randrange(8, len(data))] = rng.randrange(256)
        try:
            decode(bytes(data), module_linking=True)
        except DecodeError:
            pass


def test_encoding_errors() -> None:
    with pytest.raises(EncodeError):
        encode(Module(modules=[Module()]))  # a nested module needs its declared type
    m = Module(types=[FuncType()], aliases=[Alias(ExternKind.FUNC, 0, 0)], initial_sections=[(16, 2)])
    with pytest.raises(EncodeError):
        encode(m)
    bad = Module(instances=[InstanceDef(0, [(ExternKind.FUNC, "x")])])  # type: ignore[list-item]
    with pytest.raises(WasmError):
        encode(bad)
    ok = Module(
        types=[InstanceType()],
        imports=[Import("i", None, ExternKind.INSTANCE, 0)],
        aliases=[Alias(ExternKind.TYPE, None, 0)],
    )
    ok.types.append(FuncType())
    (a,) = decode(encode(ok), module_linking=True).aliases
    assert (a.kind, a.instance, a.index) == (ExternKind.TYPE, None, 0)
