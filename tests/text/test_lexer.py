"""Tokens of the text format: kinds, positions, strings, comments, separation rules."""

from __future__ import annotations

import pytest

from wasmlab.errors import ParseError
from wasmlab.text.lexer import (
    EOF,
    FLOAT,
    ID,
    INT,
    KEYWORD,
    LPAREN,
    NAT,
    RPAREN,
    STRING,
    string_bytes,
    string_name,
    tokenize,
)


def kinds(text: str) -> list[tuple[str, str]]:
    tokens = tokenize(text)
    return [(t.kind, t.text) for t in tokens.toks[: tokens.eof]]


def test_kinds() -> None:
    assert kinds('(module $m "s" 0x1F -7 +3 1.5 -inf nan:0x1 i32.const)') == [
        (LPAREN, "("),
        (KEYWORD, "module"),
        (ID, "$m"),
        (STRING, '"s"'),
        (NAT, "0x1F"),
        (INT, "-7"),
        (INT, "+3"),
        (FLOAT, "1.5"),
        (FLOAT, "-inf"),
        (FLOAT, "nan:0x1"),
        (KEYWORD, "i32.const"),
        (RPAREN, ")"),
    ]


@pytest.mark.parametrize(
    "text,kind",
    [
        ("1_000", NAT),
        ("0x1_f", NAT),
        ("1e10", FLOAT),
        ("1E+10", FLOAT),
        ("1.", FLOAT),
        ("1.e5", FLOAT),
        ("0x1p-3", FLOAT),
        ("0x1.8P+3", FLOAT),
        ("0x.8p1", None),
        ("inf", FLOAT),
        ("+nan", FLOAT),
        ("nan:canonical", KEYWORD),
        ("offset=0x10", KEYWORD),
        ("align=8", KEYWORD),
        ("$a$b", ID),
        ("$1", ID),
    ],
)
def test_classification(text: str, kind: str | None) -> None:
    if kind is None:
        with pytest.raises(ParseError, match="unknown operator"):
            tokenize(text)
    else:
        assert kinds(text) == [(kind, text)]


@pytest.mark.parametrize("text", ["1__0", "_1", "1_", "0x", "0xg", "1x", "$", "i32.const0", "0$x", '$a"b"'])
def test_reserved_tokens_are_unknown_operators(text: str) -> None:
    with pytest.raises(ParseError, match="unknown operator"):
        tokenize(text)


def test_positions() -> None:
    tokens = tokenize("(module\n  (func $f)) ;; c\n\t(; multi\nline ;) $x", "f.wat")
    toks = tokens.toks[: tokens.eof + 1]
    got = [(t.text, t.line, t.col) for t in toks]
    assert got == [
        ("(", 1, 1),
        ("module", 1, 2),
        ("(", 2, 3),
        ("func", 2, 4),
        ("$f", 2, 9),
        (")", 2, 11),
        (")", 2, 12),
        ("$x", 4, 9),
        ("", 4, 11),
    ]
    assert toks[-1].kind == EOF


def test_parentheses_are_paired() -> None:
    tokens = tokenize("(module (func) (memory (data)))")
    toks = tokens.toks
    got = {toks[i + 1].text: j for i, j in tokens.close.items()}
    assert got == {"module": 11, "func": 4, "memory": 10, "data": 9}


def test_unclosed_parenthesis_is_left_to_the_parser() -> None:
    tokens = tokenize("(module (func)")
    assert tokens.unclosed == [0]
    assert tokens.close[0] == tokens.eof  # the EOF token


def test_comments() -> None:
    got = kinds("(;(;nested;);) nop ;; to the end\ndrop (;;) end")
    assert got == [(KEYWORD, "nop"), (KEYWORD, "drop"), (KEYWORD, "end")]
    # a line comment also ends at a carriage return
    assert kinds(";; comment\rnop") == [(KEYWORD, "nop")]


def test_unclosed_comment() -> None:
    with pytest.raises(ParseError) as info:
        tokenize("nop\n (; (; ;)\n")
    assert (info.value.reason, info.value.line, info.value.col) == ("unclosed comment", 2, 2)


def test_string_escapes() -> None:
    tok = tokenize(r'"a\t\n\r\"\'\\\00\ff\u{41}\u{1F600}é"').toks[0]
    assert string_bytes(tok, tokenize("").source) == b"a\t\n\r\"'\\\x00\xffA" + "😀é".encode()


def test_string_errors() -> None:
    with pytest.raises(ParseError, match="illegal escape"):
        t = tokenize(r'"\x"')
        string_bytes(t.toks[0], t.source)
    with pytest.raises(ParseError, match="unclosed string"):
        tokenize('"abc\n"')
    with pytest.raises(ParseError, match="control character"):
        tokenize('"a\tb"')
    t = tokenize(r'"\ff"')
    with pytest.raises(ParseError, match="malformed UTF-8"):
        string_name(t.toks[0], t.source)
    t = tokenize(r'"\u{D800}"')
    with pytest.raises(ParseError, match="malformed UTF-8"):
        string_bytes(t.toks[0], t.source)


def test_tokens_must_be_separated() -> None:
    for text in ['(data"a")', '(data $l"a")', '"a""b"']:
        with pytest.raises(ParseError, match="unknown operator"):
            tokenize(text)
    assert kinds('(data "a")') == [(LPAREN, "("), (KEYWORD, "data"), (STRING, '"a"'), (RPAREN, ")")]


def test_non_ascii_outside_strings() -> None:
    with pytest.raises(ParseError, match="unexpected character"):
        tokenize("(module λ)")


def test_unknown_keywords_are_unknown_operators() -> None:
    with pytest.raises(ParseError) as info:
        tokenize("(module (fnuc))")
    assert (info.value.reason, info.value.col) == ("unknown operator fnuc", 10)
