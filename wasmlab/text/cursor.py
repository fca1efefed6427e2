"""A cursor over the token list, with the error reporting every text parser shares."""

from __future__ import annotations

from collections.abc import Mapping
from typing import NoReturn, TypeVar

from ..errors import ParseError
from ..syntax.module import Span
from ..syntax.types import HEAP_TYPES_BY_TEXT, REF_SHORTHANDS, HeapType, RefType, ValType, ref_type
from .lexer import (
    EOF,
    ID,
    KEYWORD,
    KEYWORDS,
    LPAREN,
    MEMARG_RE,
    NAT,
    RESERVED,
    RPAREN,
    STRING,
    Source,
    Token,
    Tokens,
    string_bytes,
    string_name,
)
from .numbers import parse_uint

#: value type keywords (the reference shorthands `anyref` & co included)
VALTYPES: dict[str, ValType | RefType] = {t.text: t for t in ValType}
REFTYPES: dict[str, ValType | RefType] = {name: ref_type(True, h) for name, h in REF_SHORTHANDS.items()}
VALTYPES.update(REFTYPES)


def is_known_keyword(text: str) -> bool:
    return text in KEYWORDS or MEMARG_RE.match(text) is not None


T = TypeVar("T")


class Cursor:
    """Walks `tokens.toks` from `i`; every `expect_*` raises a located ParseError."""

    def __init__(self, tokens: Tokens, i: int = 0) -> None:
        self.tokens = tokens
        self.toks = tokens.toks
        self.close = tokens.close
        self.source: Source = tokens.source
        self.i = i

    # --- errors -------------------------------------------------------------------------

    def error(self, message: str, tok: Token | None = None) -> ParseError:
        if tok is None:
            tok = self.toks[self.i]
        return self.source.error_at(message, tok)

    def unexpected(self, expected: str | None = None, tok: Token | None = None) -> NoReturn:
        if tok is None:
            tok = self.toks[self.i]
        kind = tok.kind
        if kind == RESERVED or (kind == KEYWORD and not is_known_keyword(tok.text)):
            raise self.error(f"unknown operator {tok.text}", tok)
        if kind == EOF:
            message = "unexpected end of input"
            if self.tokens.unclosed:
                first = self.toks[self.tokens.unclosed[-1]]
                message += f" (the '(' at {first.line}:{first.col} is never closed)"
        else:
            message = f"unexpected token {_show(tok)}"
        if expected:
            message += f", expected {expected}"
        raise self.error(message, tok)

    # --- looking ------------------------------------------------------------------------

    def peek(self, k: int = 0) -> Token:
        return self.toks[self.i + k]

    def at_lparen(self, word: str) -> bool:
        """Is the cursor at `( word`?"""
        toks = self.toks
        i = self.i
        return toks[i].kind == LPAREN and toks[i + 1].text == word and toks[i + 1].kind == KEYWORD

    def at_keyword(self, word: str) -> bool:
        t = self.toks[self.i]
        return t.kind == KEYWORD and t.text == word

    def at_var(self) -> bool:
        return self.toks[self.i].kind in (NAT, ID)

    # --- taking -------------------------------------------------------------------------

    def next(self) -> Token:
        t = self.toks[self.i]
        self.i += 1
        return t

    def expect_lparen(self, expected: str | None = None) -> Token:
        t = self.toks[self.i]
        if t.kind != LPAREN:
            self.unexpected(expected or "'('")
        self.i += 1
        return t

    def expect_rparen(self) -> Token:
        t = self.toks[self.i]
        if t.kind != RPAREN:
            self.unexpected("')'")
        self.i += 1
        return t

    def expect_keyword(self, word: str) -> Token:
        t = self.toks[self.i]
        if t.kind != KEYWORD or t.text != word:
            self.unexpected(f"'{word}'")
        self.i += 1
        return t

    def keyword_in(self, table: Mapping[str, T], expected: str) -> T:
        """The entry of `table` that the keyword here names (the keyword is taken); anything
        else is an error that names what was `expected`."""
        t = self.toks[self.i]
        entry = table.get(t.text) if t.kind == KEYWORD else None
        if entry is None:
            self.unexpected(expected)
        self.i += 1
        return entry

    def take_id(self) -> Token | None:
        """An optional `$id` binder."""
        t = self.toks[self.i]
        if t.kind == ID:
            self.i += 1
            return t
        return None

    def expect_string(self) -> bytes:
        t = self.toks[self.i]
        if t.kind != STRING:
            self.unexpected("a string")
        self.i += 1
        return string_bytes(t, self.source)

    def expect_name(self) -> str:
        t = self.toks[self.i]
        if t.kind != STRING:
            self.unexpected("a name (a string)")
        self.i += 1
        return string_name(t, self.source)

    def strings(self) -> bytes:
        """Zero or more strings, concatenated (data segments, binary modules)."""
        parts = []
        toks = self.toks
        while toks[self.i].kind == STRING:
            parts.append(string_bytes(toks[self.i], self.source))
            self.i += 1
        return b"".join(parts)

    def expect_u32(self, what: str = "a number") -> int:
        t = self.toks[self.i]
        if t.kind != NAT:
            self.unexpected(what)
        self.i += 1
        try:
            return parse_uint(t.text, 32)
        except ValueError:
            raise self.error("i32 constant out of range", t) from None

    def expect_u64(self, what: str = "a number") -> int:
        t = self.toks[self.i]
        if t.kind != NAT:
            self.unexpected(what)
        self.i += 1
        try:
            return parse_uint(t.text, 64)
        except ValueError:
            raise self.error("i64 constant out of range", t) from None

    def valtype(self) -> ValType | RefType:
        t = self.toks[self.i]
        if t.kind == KEYWORD:
            vt = VALTYPES.get(t.text)
            if vt is not None:
                self.i += 1
                return vt
        elif self.at_lparen("ref"):
            return self.ref_long()
        self.unexpected("a value type")

    def reftype(self) -> ValType | RefType:
        t = self.toks[self.i]
        if t.kind == KEYWORD:
            vt = REFTYPES.get(t.text)
            if vt is not None:
                self.i += 1
                return vt
        elif self.at_lparen("ref"):
            return self.ref_long()
        self.unexpected("a reference type (funcref or externref)")

    def ref_long(self) -> ValType | RefType:
        """`(ref null? heaptype)`: `(ref null func)` is `funcref`, `(ref $t)` a typed reference."""
        self.i += 2
        t = self.toks[self.i]
        nullable = t.kind == KEYWORD and t.text == "null"
        if nullable:
            self.i += 1
        h = self.heaptype()
        self.expect_rparen()
        return ref_type(nullable, h)

    def heaptype(self) -> HeapType | int:
        """An abstract heap type (`func`, `any`, ...) or a type index (`$t`, `3`)."""
        t = self.toks[self.i]
        if t.kind == KEYWORD:
            h = HEAP_TYPES_BY_TEXT.get(t.text)
            if h is not None:
                self.i += 1
                return h
        elif t.kind in (ID, NAT):
            return self.type_index()
        self.unexpected("a heap type (func, extern, any, ... or a type index)")

    def type_index(self) -> int:
        """A type index or `$name` (the module parser resolves names)."""
        t = self.toks[self.i]
        if t.kind != NAT:
            self.unexpected("a type index")
        return self.expect_u32()

    def nullable_heaptype(self) -> ValType | RefType:
        """ref.null's immediate: a heap type, as the nullable reference type it pushes."""
        return ref_type(True, self.heaptype())

    def skip_to_close(self, lparen_index: int) -> None:
        """Move past the `)` that closes the `(` at `lparen_index`."""
        self.i = self.close[lparen_index] + 1

    def span_from(self, first: Token) -> Span:
        """From `first` to the last token taken."""
        last = self.toks[self.i - 1]
        return Span(first.line, first.col, last.line, last.col + len(last.text), self.source.filename)


def _show(tok: Token) -> str:
    if tok.kind == STRING:
        return tok.text if len(tok.text) <= 40 else tok.text[:37] + '..."'
    return f"'{tok.text}'"
