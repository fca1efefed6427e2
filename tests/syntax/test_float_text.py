"""float_text: the one short text of an f32/f64 bit pattern (dump, trace, views, labels)."""

from __future__ import annotations

import struct

import pytest

from wasmlab.syntax.floats import float_text


def test_specials() -> None:
    assert float_text(0x7FC00000, 32) == "nan"
    assert float_text(0xFFC00001, 32) == "-nan:0x400001"
    assert float_text(0x7F800000, 32) == "inf"
    assert float_text(0xFF800000, 32) == "-inf"
    assert float_text(0xFFF0000000000000, 64) == "-inf"
    assert float_text(0x7FF0000000000001, 64) == "nan:0x1"
    assert float_text(0xFFF8000000000000, 64) == "-nan"


def test_canonical_payload_on_request() -> None:
    assert float_text(0x7FC00000, 32, nan_payload=True) == "nan:0x400000"
    assert float_text(0x7FF8000000000000, 64, nan_payload=True) == "nan:0x8000000000000"
    assert float_text(0x7FA00000, 32, nan_payload=True) == "nan:0x200000"


@pytest.mark.parametrize("x", [0.0, -0.0, 1.0, 1.5, -2.5, 0.1, 1e300, 5e-324])
def test_f64_numbers_are_the_shortest_repr(x: float) -> None:
    assert float_text(struct.unpack("<Q", struct.pack("<d", x))[0], 64) == repr(x)


@pytest.mark.parametrize("x", [0.0, -0.0, 1.5, 0.1, 3.4028234663852886e38, 1e-45])
def test_f32_numbers_are_the_double_they_stand_for(x: float) -> None:
    bits = struct.unpack("<I", struct.pack("<f", x))[0]
    assert float_text(bits, 32) == repr(struct.unpack("<f", struct.pack("<f", x))[0])
