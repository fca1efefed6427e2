"""Broken inputs: truncated, bit-flipped and mutated suite modules, and random bytes.

`decode` must either return a module (which then encodes, as a fixed point) or raise
`DecodeError`; never another exception, never a hang.
"""

from __future__ import annotations

import random
import signal
import time
from collections.abc import Iterator
from contextlib import contextmanager

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from tests.conftest import need_suite, suite_files
from wasmlab.binary import decode, encode
from wasmlab.binary.dump import section_table
from wasmlab.errors import DecodeError

HEADER = b"\x00asm\x01\x00\x00\x00"
SEED = 20240611
N_MODULES = 300


@contextmanager
def deadline(seconds: int) -> Iterator[None]:
    """Fail instead of hanging (SIGALRM, where the platform has it)."""
    if not hasattr(signal, "SIGALRM"):
        yield
        return

    def expired(signum: int, frame: object) -> None:
        raise TimeoutError(f"still decoding after {seconds}s")

    old = signal.signal(signal.SIGALRM, expired)
    signal.alarm(seconds)
    try:
        yield
    finally:
        signal.alarm(0)
        signal.signal(signal.SIGALRM, old)


def check(data: bytes) -> bool:
    """Decode `data`; True if it decoded (and then encoded to a fixed point)."""
    try:
        module = decode(data)
    except DecodeError as e:
        assert e.offset is None or 0 <= e.offset <= len(data), (e, len(data))
        return False
    once = encode(module)
    assert encode(decode(once)) == once
    return True


def suite_modules() -> list[bytes]:
    files = suite_files("json", pattern="*/*.wasm")
    if not files:
        need_suite("json")
    rng = random.Random(SEED)
    picked = rng.sample(files, min(N_MODULES, len(files)))
    return [p.read_bytes() for p in sorted(picked)]


def mutations(data: bytes, rng: random.Random) -> Iterator[bytes]:
    n = len(data)
    # truncations: every length for small modules, a sample for big ones
    cuts = range(n) if n <= 96 else sorted(rng.sample(range(n), 48))
    for cut in cuts:
        yield data[:cut]
    if n == 0:
        return
    for _ in range(24):
        i = rng.randrange(8, n) if n > 8 else rng.randrange(n)
        b = bytearray(data)
        what = rng.randrange(4)
        if what == 0:
            b[i] ^= 1 << rng.randrange(8)  # flip one bit
        elif what == 1:
            b[i] = rng.choice((0x00, 0x0B, 0x40, 0x7F, 0x80, 0xFC, 0xFD, 0xFF, rng.randrange(256)))
        elif what == 2:
            b.insert(i, rng.randrange(256))
        else:
            del b[i]
        yield bytes(b)


def test_mutated_suite_modules_fail_cleanly() -> None:
    modules = suite_modules()
    rng = random.Random(SEED)
    decoded = failed = 0
    start = time.monotonic()
    with deadline(300):
        for data in modules:
            for variant in mutations(data, rng):
                if check(variant):
                    decoded += 1
                else:
                    failed += 1
    assert failed > decoded > 0
    assert time.monotonic() - start < 300


def test_every_truncation_of_a_rich_module() -> None:
    files = suite_files("json", "elem", pattern="elem.*.wasm") + suite_files(
        "json", "simd_lane", pattern="simd_lane.0.wasm"
    )
    if not files:
        need_suite("json", "elem")
    with deadline(120):
        for path in files[:8]:
            data = path.read_bytes()
            # cutting between two sections may leave a well-formed module; anywhere else not
            boundaries = {8} | {body + size for _, _, body, size, _ in section_table(data)}
            for cut in range(len(data)):
                if cut in boundaries:
                    check(data[:cut])
                    continue
                with pytest.raises(DecodeError):
                    decode(data[:cut])


@settings(max_examples=400, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(st.binary(max_size=64))
def test_random_bytes_after_the_header(tail: bytes) -> None:
    check(HEADER + tail)


@settings(max_examples=200, deadline=None)
@given(st.binary(max_size=16))
def test_random_bytes(data: bytes) -> None:
    check(data)


@settings(max_examples=300, deadline=None)
@given(st.data())
def test_mutations_of_a_body(data: st.DataObject) -> None:
    body = bytes.fromhex(
        "0061736d01000000"
        "0105016000017f"  # type 0: () -> (i32)
        "03020100"  # func 0: type 0
        "05030100010c0101"  # memory 0 1; datacount 1
        "0a"  # code section
    )
    code = bytes.fromhex(
        "01017f"  # 1 local i32
        "027f41012100200045047f41020541030b0b"  # block (result i32) ... if/else ... end end
        "fc0900"  # data.drop 0
        "41001a"  # i32.const 0; drop
        "fd0c" + "00" * 16 + "1a"  # v128.const; drop
        "0b"
    )
    fn = bytes((len(code),)) + code
    section = b"\x01" + fn
    module = body + bytes((len(section),)) + section + bytes.fromhex("0b0401010100")
    assert check(module)
    b = bytearray(module)
    for _ in range(data.draw(st.integers(1, 3))):
        i = data.draw(st.integers(8, len(b) - 1))
        b[i] = data.draw(st.integers(0, 255))
    check(bytes(b))
