"""Mutations: of binaries (bit flips, byte edits, LEB128-aware edits, section splicing) and of
WAT text (token-level edits). Every function takes a `random.Random`, so an input is a pure
function of its seed."""

from __future__ import annotations

import random
import re
from collections.abc import Callable, Sequence

HEADER = b"\x00asm\x01\x00\x00\x00"

#: byte values that sit on boundaries of the binary format's encodings
INTERESTING_BYTES = (
    0x00,
    0x01,
    0x02,
    0x0B,
    0x3F,
    0x40,
    0x41,
    0x60,
    0x6F,
    0x70,
    0x7B,
    0x7F,
    0x80,
    0xFC,
    0xFD,
    0xFF,
)
#: integers on the edges of u32/s32/u64/s64 and of the engine's own limits
INTERESTING_INTS = (
    0, 1, 2, 3, 7, 8, 15, 16, 31, 32, 63, 64, 127, 128, 255, 256, 1000, 4096, 10000, 50000, 50001,
    65535, 65536, 65537, 0x7FFF, 0x8000, 0xFFFF, 0x7FFFFFFF, 0x80000000, 0xFFFFFFFF, 0x100000000,
    0x7FFFFFFFFFFFFFFF, 0x8000000000000000, 0xFFFFFFFFFFFFFFFF,
)  # fmt: skip


# --- LEB128 -------------------------------------------------------------------------------------


def read_leb(data: bytes | bytearray, pos: int, limit: int = 10) -> tuple[int, int] | None:
    """The unsigned LEB128 at `pos` as (value, length), or None if none ends within `limit` bytes."""
    value = shift = 0
    for k in range(limit):
        if pos + k >= len(data):
            return None
        b = data[pos + k]
        value |= (b & 0x7F) << shift
        shift += 7
        if not b & 0x80:
            return value, k + 1
    return None


def write_leb(value: int, length: int | None = None) -> bytes:
    """`value` (unsigned, taken modulo 2^70) as LEB128; `length` pads it (an overlong encoding)."""
    value &= (1 << 70) - 1
    out = bytearray()
    while True:
        b = value & 0x7F
        value >>= 7
        out.append(b | 0x80 if value else b)
        if not value:
            break
    if length is not None:
        while len(out) < length:
            out[-1] |= 0x80
            out.append(0)
    return bytes(out)


# --- sections -----------------------------------------------------------------------------------


def split_sections(data: bytes) -> list[tuple[int, bytes]] | None:
    """A module's sections as (id, payload), or None if it is not a well-framed module."""
    if not data.startswith(HEADER):
        return None
    out: list[tuple[int, bytes]] = []
    pos = len(HEADER)
    while pos < len(data):
        sid = data[pos]
        leb = read_leb(data, pos + 1, 5)
        if leb is None:
            return None
        size, n = leb
        start = pos + 1 + n
        if start + size > len(data):
            return None
        out.append((sid, data[start : start + size]))
        pos = start + size
    return out


def join_sections(sections: Sequence[tuple[int, bytes]]) -> bytes:
    return HEADER + b"".join(bytes([sid & 0xFF]) + write_leb(len(p)) + p for sid, p in sections)


# --- binary mutations -----------------------------------------------------------------------------

BinaryMutator = Callable[[random.Random, bytearray, Sequence[bytes]], bytearray]


def _pos(rng: random.Random, data: bytearray, tail: int = 0) -> int:
    """A position, mostly after the header."""
    lo = len(HEADER) if len(data) > len(HEADER) and rng.random() < 0.95 else 0
    return rng.randint(lo, max(lo, len(data) - tail))


def bit_flip(rng: random.Random, data: bytearray, _: Sequence[bytes]) -> bytearray:
    if data:
        for _k in range(rng.choice((1, 1, 1, 2, 4, 8))):
            i = min(_pos(rng, data), len(data) - 1)
            data[i] ^= 1 << rng.randrange(8)
    return data


def set_byte(rng: random.Random, data: bytearray, _: Sequence[bytes]) -> bytearray:
    if data:
        i = min(_pos(rng, data), len(data) - 1)
        data[i] = rng.choice(INTERESTING_BYTES) if rng.random() < 0.7 else rng.randrange(256)
    return data


def insert_bytes(rng: random.Random, data: bytearray, _: Sequence[bytes]) -> bytearray:
    i = _pos(rng, data)
    n = rng.choice((1, 1, 2, 3, 4, 8, 16))
    if rng.random() < 0.5:
        chunk = bytes(rng.choice(INTERESTING_BYTES) for _ in range(n))
    else:
        chunk = rng.randbytes(n)
    data[i:i] = chunk
    return data


def delete_bytes(rng: random.Random, data: bytearray, _: Sequence[bytes]) -> bytearray:
    if data:
        i = min(_pos(rng, data), len(data) - 1)
        del data[i : i + rng.choice((1, 1, 2, 3, 4, 8, 32))]
    return data


def duplicate_chunk(rng: random.Random, data: bytearray, _: Sequence[bytes]) -> bytearray:
    if len(data) > 2:
        i = rng.randrange(len(data) - 1)
        chunk = data[i : i + rng.randint(1, 64)]
        j = _pos(rng, data)
        data[j:j] = chunk * rng.choice((1, 1, 2, 16))
    return data


def truncate(rng: random.Random, data: bytearray, _: Sequence[bytes]) -> bytearray:
    if data:
        del data[rng.randrange(len(data)) :]
    return data


def leb_edit(rng: random.Random, data: bytearray, _: Sequence[bytes]) -> bytearray:
    """Find a LEB128 near a random position and give it a boundary value, re-encoded minimal
    or overlong (which may change the length of what follows)."""
    if len(data) <= len(HEADER):
        return data
    start = _pos(rng, data)
    for i in range(start, min(len(data), start + 16)):
        leb = read_leb(data, i)
        if leb is None:
            continue
        value, n = leb
        choice = rng.random()
        if choice < 0.3:
            new = value + rng.choice((-2, -1, 1, 2))
        elif choice < 0.8:
            new = rng.choice(INTERESTING_INTS)
        else:
            new = rng.getrandbits(rng.choice((7, 14, 32, 35, 64)))
        length = n if rng.random() < 0.5 else rng.choice((None, n + 1, 5, 10))
        data[i : i + n] = write_leb(max(new, 0), length)
        return data
    return data


def section_size_edit(rng: random.Random, data: bytearray, _: Sequence[bytes]) -> bytearray:
    """Break a section's framing: its size off by a little, a lot, or overlong-encoded."""
    pos = len(HEADER)
    heads = []
    while pos < len(data):
        leb = read_leb(data, pos + 1, 5)
        if leb is None:
            break
        heads.append((pos + 1, leb))
        pos += 1 + leb[1] + leb[0]
    if heads:
        at, (size, n) = rng.choice(heads)
        new = (
            max(0, size + rng.choice((-1, 1, -8, 8))) if rng.random() < 0.6 else rng.choice(INTERESTING_INTS)
        )
        data[at : at + n] = write_leb(new, rng.choice((None, n, 5)))
    return data


def _with_sections(
    data: bytearray, edit: Callable[[list[tuple[int, bytes]]], list[tuple[int, bytes]]]
) -> bytearray:
    sections = split_sections(bytes(data))
    if sections is None:
        return data
    return bytearray(join_sections(edit(sections)))


def section_splice(rng: random.Random, data: bytearray, corpus: Sequence[bytes]) -> bytearray:
    """Sections from another module: replace, insert, drop, duplicate or swap sections."""
    other = split_sections(rng.choice(corpus)) if corpus else None

    def edit(secs: list[tuple[int, bytes]]) -> list[tuple[int, bytes]]:
        op = rng.randrange(5)
        if op == 0 and other:  # replace a section with one from another module
            donor = rng.choice(other)
            same = [k for k, (sid, _) in enumerate(secs) if sid == donor[0]]
            if same:
                secs[rng.choice(same)] = donor
            else:
                secs.insert(rng.randint(0, len(secs)), donor)
        elif op == 1 and other:
            secs.insert(rng.randint(0, len(secs)), rng.choice(other))
        elif op == 2 and secs:
            del secs[rng.randrange(len(secs))]
        elif op == 3 and secs:
            k = rng.randrange(len(secs))
            secs.insert(k, secs[k])
        elif op == 4 and len(secs) > 1:
            a, b = rng.randrange(len(secs)), rng.randrange(len(secs))
            secs[a], secs[b] = secs[b], secs[a]
        return secs

    return _with_sections(data, edit)


def section_inner_edit(rng: random.Random, data: bytearray, _: Sequence[bytes]) -> bytearray:
    """Edit bytes inside one section and fix its size, so the edit reaches past the framing."""

    def edit(secs: list[tuple[int, bytes]]) -> list[tuple[int, bytes]]:
        if not secs:
            return secs
        k = rng.randrange(len(secs))
        sid, payload = secs[k]
        body = bytearray(payload)
        op = rng.choice((insert_bytes, delete_bytes, leb_edit, set_byte, bit_flip, duplicate_chunk))
        body = bytearray(HEADER) + body
        body = op(rng, body, ())
        secs[k] = (sid, bytes(body[len(HEADER) :]) if body.startswith(HEADER) else bytes(body))
        return secs

    return _with_sections(data, edit)


BINARY_MUTATORS: tuple[tuple[BinaryMutator, int], ...] = (
    (bit_flip, 20),
    (set_byte, 10),
    (insert_bytes, 8),
    (delete_bytes, 8),
    (duplicate_chunk, 4),
    (truncate, 3),
    (leb_edit, 18),
    (section_size_edit, 4),
    (section_splice, 10),
    (section_inner_edit, 15),
)
_BIN_FUNCS = [m for m, _ in BINARY_MUTATORS]
_BIN_WEIGHTS = [w for _, w in BINARY_MUTATORS]


def mutate_binary(rng: random.Random, seed: bytes, corpus: Sequence[bytes], rounds: int) -> bytes:
    """`seed` after `rounds` random binary mutations (section splicing draws from `corpus`)."""
    data = bytearray(seed)
    for op in rng.choices(_BIN_FUNCS, _BIN_WEIGHTS, k=rounds):
        data = op(rng, data, corpus)
    return bytes(data)


# --- text mutations -------------------------------------------------------------------------------

_TOKEN = re.compile(r'\(;|;\)|;;[^\n]*|"(?:[^"\\]|\\.)*"?|[()]|[^\s()";]+|\s+|.', re.S)

INTERESTING_TEXT_NUMBERS = (
    "0", "-0", "1", "-1", "0x7fffffff", "0x80000000", "0xffffffff", "4294967296", "-2147483649",
    "0xffffffffffffffff", "18446744073709551616", "-0x8000000000000001", "65536", "65537", "50001",
    "nan", "-nan", "nan:0x1", "nan:0x7fffff", "nan:0x8000000000000", "nan:0x10000000000000", "inf",
    "-inf", "0x1p-149", "0x1p128", "1e400", "0x1.fffffffffffffp1023", "1_000", "0_x1", "1__0", "+0x_1",
    "0x", "1e", "0x1p", "340282356779733661637539395458142568448",
)  # fmt: skip
INTERESTING_TEXT = (
    "(", ")", "$x", "$", '""', '"\\ff"', '"\\u{110000}"', '"\\u{d800}"', '"\\', ";;", "(;", ";)",
    "offset", "align=", "offset=0x100000000", "align=3", "(mut", "i32", "i64", "f32", "f64",
    "v128", "funcref", "externref", "(ref", "null", "(param", "(result", "(local", "(type 0)",
    "(type $t)", "(then", "(else", "end", "block", "loop", "if", "else", "br_table", "call_indirect",
    "select", "(memory 1)", "(table 1 funcref)", "(export \"f\"", "(import \"m\" \"f\"",
    "(elem", "(data", "(start 0)", "declare", "item", "i8x16", "i16x8", "0 0 0 0 0 0 0 0", "shared",
)  # fmt: skip


def tokens(text: str) -> list[str]:
    return _TOKEN.findall(text)


def _significant(toks: list[str]) -> list[int]:
    return [k for k, t in enumerate(toks) if t.strip() and not t.startswith(";;")]


def _subtree(toks: list[str], k: int) -> int:
    """The end (exclusive) of the s-expression that opens at `toks[k] == "("`."""
    depth = 0
    for j in range(k, len(toks)):
        if toks[j] == "(":
            depth += 1
        elif toks[j] == ")":
            depth -= 1
            if depth == 0:
                return j + 1
    return len(toks)


def mutate_text(rng: random.Random, seed: str, corpus: Sequence[str], rounds: int) -> str:
    """`seed` after `rounds` token-level edits: delete, duplicate, swap and replace tokens,
    interesting numbers and keywords, tokens and whole s-expressions from other modules,
    unbalanced parentheses and deep nesting."""
    toks = tokens(seed)
    for _ in range(rounds):
        sig = _significant(toks)
        if not sig:
            toks.append(rng.choice(INTERESTING_TEXT))
            continue
        k = rng.choice(sig)
        op = rng.randrange(12)
        if op == 0:  # delete a token
            del toks[k]
        elif op == 1:  # duplicate a token
            toks[k:k] = [toks[k], " "]
        elif op == 2:  # swap two tokens
            j = rng.choice(sig)
            toks[k], toks[j] = toks[j], toks[k]
        elif op == 3:  # an interesting number in place of a token (mostly of a number)
            nums = [j for j in sig if toks[j][:1].isdigit() or toks[j][:1] in "+-"] or [k]
            j = rng.choice(nums)
            toks[j] = rng.choice(INTERESTING_TEXT_NUMBERS)
        elif op == 4:  # an interesting token inserted
            toks[k:k] = [rng.choice(INTERESTING_TEXT), " "]
        elif op == 5 and corpus:  # a token of another module
            other = tokens(rng.choice(corpus))
            osig = _significant(other)
            if osig:
                toks[k] = other[rng.choice(osig)]
        elif op == 6:  # delete an s-expression
            opens = [j for j in sig if toks[j] == "("]
            if opens:
                j = rng.choice(opens)
                del toks[j : _subtree(toks, j)]
        elif op == 7:  # duplicate an s-expression
            opens = [j for j in sig if toks[j] == "("]
            if opens:
                j = rng.choice(opens)
                toks[j:j] = toks[j : _subtree(toks, j)] + [" "]
        elif op == 8 and corpus:  # an s-expression of another module spliced in
            other = tokens(rng.choice(corpus))
            opens = [j for j, t in enumerate(other) if t == "("]
            if opens:
                j = rng.choice(opens)
                end = _subtree(other, j)
                if end - j < 2000:
                    toks[k:k] = [*other[j:end], " "]
        elif op == 9:  # nesting: wrap a token in many parentheses or blocks
            depth = rng.choice((10, 100, 1000, 5000))
            if rng.random() < 0.5:
                toks[k:k] = ["("] * depth
            else:
                toks[k:k] = ["(block "] * depth + [toks[k]] + [")"] * depth
                del toks[k + 2 * depth + 1]
        elif op == 10:  # a character edit inside a token
            t = toks[k]
            i = rng.randrange(len(t) + 1)
            ch = rng.choice('()";\\$ _.xp+-0123456789abcdefnu{}\x00\xff\u2028\U0001f600')
            toks[k] = t[:i] + ch + t[i + (rng.random() < 0.5) :]
        else:  # truncate
            del toks[rng.randrange(len(toks)) :]
    return "".join(toks)


__all__ = [
    "BINARY_MUTATORS", "HEADER", "join_sections", "mutate_binary", "mutate_text", "read_leb",
    "split_sections", "tokens", "write_leb",
]  # fmt: skip
