"""Tokens of the WebAssembly text format (spec 6.3), each with its line and column.

A token is a parenthesis, a string, or a maximal run of *idchars*, classified as a
keyword (starts with a lowercase letter), an identifier (`$...`), a number (nat, int or
float) or, when it is none of those, a *reserved* token, which the parser reports as
"unknown operator". Runs that mix idchars and strings (`$l"a"`) are reserved too, so
tokens must be separated by white space, comments or parentheses.

The lexer also pairs parentheses (`Tokens.close[i]` is the index of the `)` closing the
`(` at `i`), so the parser can skip whole fields in its first pass.
"""

from __future__ import annotations

import re
from bisect import bisect_right

from ..errors import ParseError
from ..syntax.module import Span
from ..syntax.opcodes import BY_NAME

LPAREN = "("
RPAREN = ")"
KEYWORD = "keyword"
ID = "id"
NAT = "nat"
INT = "int"
FLOAT = "float"
STRING = "string"
RESERVED = "reserved"
EOF = "eof"

#: every keyword the text and script formats know: anything else shaped like a keyword is
#: an "unknown operator", as in the spec's lexer (extensions add their keywords here)
KEYWORDS: set[str] = set(BY_NAME) | {
    "module", "type", "func", "param", "result", "local", "global", "table", "memory", "elem",
    "data", "start", "import", "export", "offset", "item", "declare", "mut", "funcref",
    "externref", "extern", "i32", "i64", "f32", "f64", "v128", "then", "i8x16", "i16x8",
    "i32x4", "i64x2", "f32x4", "f64x2", "binary", "quote", "register", "invoke", "get",
    "assert_return", "assert_trap", "assert_exhaustion", "assert_invalid", "assert_malformed",
    "assert_unlinkable", "nan:canonical", "nan:arithmetic", "ref.extern", "either", "script",
    "input", "output", "ref",
    # exception handling
    "tag", "exnref", "exn", "null", "catch", "catch_ref", "catch_all", "catch_all_ref",
    "assert_exception",
    # the custom-section annotation (the printer writes custom sections this way)
    "@custom", "after", "before", "first", "last", "code", "datacount",
    # 3.0 scripts: `(module definition ...)`, `(module instance ...)`
    "definition", "instance",
    # typed function references and GC: types and heap types, script result patterns
    "rec", "sub", "final", "struct", "array", "field", "i8", "i16", "any", "eq", "i31", "none",
    "nofunc", "noextern", "noexn", "anyref", "eqref", "i31ref", "structref", "arrayref", "nullref",
    "nullfuncref", "nullexternref", "nullexnref", "ref.host", "ref.struct", "ref.array", "ref.i31",
    "ref.eq", "ref.any",
    # legacy exceptions: `(try (do ...) ...)`
    "do",
    # annotations the parser reads (3.0 text format): names and branch hints
    "@name", "@metadata.code.branch_hint", "assert_malformed_custom", "assert_invalid_custom",
}  # fmt: skip

_IDCHAR = r"0-9A-Za-z!#$%&'*+\-./:<=>?@\\^_`|~"
_STRCHARS = r'"(?:[^"\\\x00-\x1f\x7f]|\\[^\n])*"'

# one token with the blanks before it, within a line (a line holds no newline, so line
# and column come from the line loop; only block comments span lines)
_LINE_TOKEN_RE = re.compile(
    r"([ \t\r]*)(?:"
    r"(\()(?!;)"
    r"|(\))"
    rf"|([{_IDCHAR}]+)(?![{_IDCHAR}\"])"
    rf"|({_STRCHARS})(?![{_IDCHAR}\"])"
    r"|(;;[^\r]*)"
    r"|(\(;)"
    rf"|((?:[{_IDCHAR}]+|{_STRCHARS})+)"
    r"|([^ \t\r])"
    r")?"  # (nothing: blanks at the end of the line)
)
_KIND_CACHE: dict[str, str] = {}
_EOF_PADDING = 4

_NUM = r"[0-9](?:_?[0-9])*"
_HEXNUM = r"[0-9A-Fa-f](?:_?[0-9A-Fa-f])*"
_NAT_RE = re.compile(rf"(?:{_NUM}|0x{_HEXNUM})\Z")
_INT_RE = re.compile(rf"[+-](?:{_NUM}|0x{_HEXNUM})\Z")
_FLOAT_RE = re.compile(
    rf"[+-]?(?:{_NUM}(?:\.(?:{_NUM})?)?(?:[eE][+-]?{_NUM})?"
    rf"|0x{_HEXNUM}(?:\.(?:{_HEXNUM})?)?(?:[pP][+-]?{_NUM})?"
    rf"|inf|nan|nan:0x{_HEXNUM})\Z"
)
_ID_RE = re.compile(rf"\$[{_IDCHAR}]+\Z")
MEMARG_RE = re.compile(rf"(?:offset|align)=(?:{_NUM}|0x{_HEXNUM})\Z")
_BLOCK_COMMENT_RE = re.compile(r"\(;|;\)")
_ESCAPE_RE = re.compile(r"\\(?:u\{([0-9A-Fa-f](?:_?[0-9A-Fa-f])*)\}|([0-9A-Fa-f]{2})|(.))", re.S)
_SIMPLE_ESCAPES = {"n": b"\n", "r": b"\r", "t": b"\t", "\\": b"\\", "'": b"'", '"': b'"'}


class Token:
    """One token: `kind` (a constant of this module), its `text`, where it is."""

    __slots__ = ("kind", "text", "line", "col", "pos", "_value")

    def __init__(self, kind: str, text: str, line: int, col: int, pos: int) -> None:
        self.kind = kind
        self.text = text
        self.line = line
        self.col = col
        self.pos = pos
        self._value: bytes | None = None

    @property
    def end_col(self) -> int:
        return self.col + len(self.text)

    def __repr__(self) -> str:
        return f"Token({self.kind}, {self.text!r}, {self.line}:{self.col})"


class Source:
    """The text being parsed: finds source lines and raises located errors."""

    def __init__(self, text: str, filename: str | None = None) -> None:
        self.text = text
        self.filename = filename
        self._starts: list[int] | None = None

    def line_starts(self) -> list[int]:
        if self._starts is None:
            starts = [0]
            find = self.text.find
            i = find("\n")
            while i >= 0:
                starts.append(i + 1)
                i = find("\n", i + 1)
            self._starts = starts
        return self._starts

    def line_text(self, line: int) -> str:
        starts = self.line_starts()
        if not 1 <= line <= len(starts):
            return ""
        start = starts[line - 1]
        end = self.text.find("\n", start)
        return self.text[start : end if end >= 0 else len(self.text)].rstrip("\r")

    def position(self, pos: int) -> tuple[int, int]:
        """(line, column), both 1-based, of a character offset."""
        starts = self.line_starts()
        line = bisect_right(starts, pos)
        return line, pos - starts[line - 1] + 1

    def error(self, message: str, line: int, col: int) -> ParseError:
        return ParseError(message, line, col, self.line_text(line), self.filename)

    def error_at(self, message: str, tok: Token) -> ParseError:
        return self.error(message, tok.line, tok.col)

    def span(self, first: Token, last: Token) -> Span:
        return Span(first.line, first.col, last.line, last.col + len(last.text), self.filename)


class Tokens:
    """The token list of a source, its parenthesis pairing, and the source itself."""

    __slots__ = ("toks", "close", "source", "unclosed", "eof", "features")

    def __init__(
        self, toks: list[Token], close: dict[int, int], source: Source, unclosed: list[int], eof: int
    ) -> None:
        self.toks = toks  # ends with a few EOF tokens, the first at `eof`
        self.close = close
        self.source = source
        self.unclosed = unclosed  # indices of '(' never closed, outermost first
        self.eof = eof
        #: the proposals the source may use where the text format itself depends on them
        #: (memory64's u64 offsets); None accepts every form and leaves it to validation
        self.features: frozenset[str] | None = None


def tokenize(text: str, filename: str | None = None) -> Tokens:
    """Split `text` into tokens (ending with an EOF token); raise ParseError on bad input."""
    source = Source(text, filename)
    toks: list[Token] = []
    append = toks.append
    stack: list[int] = []
    close: dict[int, int] = {}
    cache = _KIND_CACHE
    if len(cache) > 400_000:
        cache.clear()
    findall = _LINE_TOKEN_RE.findall
    offset = 0  # of the current line in `text`
    lineno = 0
    depth = 0  # block comment nesting carried over from earlier lines
    comment_at = (0, 0)
    line_text = ""
    # annotations `(@id ...)` (3.0 text format): the stack depths at which open ones began,
    # and the token ranges of the closed outermost ones
    annots: list[int] = []
    annot_spans: list[tuple[int, int]] = []
    for line_text in text.split("\n"):
        lineno += 1
        col = 0  # 0-based column of the next character to read
        if depth:
            col, depth = _comment_scan(line_text, 0, depth)
            if depth:
                offset += len(line_text) + 1
                continue
        while True:
            restart = -1
            for blank, lp, rp, word, string, lc, bc, mixed, bad in findall(line_text, col):
                col += len(blank)
                if lp:
                    stack.append(len(toks))
                    append(Token(LPAREN, "(", lineno, col + 1, offset + col))
                    col += 1
                    if not annots and line_text.startswith("@", col):  # (inside one: any tokens)
                        _annotation_id(source, line_text, col, lineno)
                        annots.append(len(stack))
                elif rp:
                    if stack:  # a stray ')' stays unpaired: the parser reports it where it meets it
                        start = stack.pop()
                        close[start] = len(toks)
                        if annots and len(stack) < annots[-1]:
                            annots.pop()
                            if not annots:
                                annot_spans.append((start, len(toks)))
                    append(Token(RPAREN, ")", lineno, col + 1, offset + col))
                    col += 1
                elif word:
                    tk = cache.get(word)
                    if tk is None:
                        tk = _classify(word)
                        if tk == RESERVED or (
                            tk == KEYWORD and word not in KEYWORDS and not MEMARG_RE.match(word)
                        ):
                            if not annots:
                                raise source.error(f"unknown operator {word}", lineno, col + 1)
                        else:
                            cache[word] = tk
                    append(Token(tk, word, lineno, col + 1, offset + col))
                    col += len(word)
                elif string:
                    append(Token(STRING, string, lineno, col + 1, offset + col))
                    col += len(string)
                elif lc:  # to the end of the line, or to a carriage return
                    col += len(lc)
                elif bc:
                    comment_at = (lineno, col + 1)
                    restart, depth = _comment_scan(line_text, col + 2, 1)
                    if depth:
                        restart = -1
                    break
                elif mixed:  # idchars and strings run together: reserved
                    quoted = _QUOTED_ID_RE.fullmatch(mixed)
                    if quoted is not None:  # 3.0: `$"name"`, the same identifier as `$name`
                        append(_quoted_id(source, quoted.group(1), lineno, col, offset))
                        col += len(mixed)
                        continue
                    if not annots:
                        raise source.error(f"unknown operator {mixed}", lineno, col + 1)
                    append(Token(RESERVED, mixed, lineno, col + 1, offset + col))
                    col += len(mixed)
                elif bad:
                    if annots and bad in ",;[]{}":  # reserved tokens, fine inside an annotation
                        append(Token(RESERVED, bad, lineno, col + 1, offset + col))
                        col += 1
                        continue
                    _bad_character(source, line_text, col, lineno)
            if restart < 0:
                break
            col = restart
        offset += len(line_text) + 1
    if depth:
        raise source.error("unclosed comment", *comment_at)
    if annots:
        first = toks[stack[annots[0] - 1]]
        raise source.error("unclosed annotation", first.line, first.col)
    if annot_spans:
        toks, close, stack = _without_annotations(toks, annot_spans)
    eof = len(toks)
    for i in stack:  # unclosed: the parser meets the end of input inside them
        close[i] = eof
    end = Token(EOF, "", lineno, len(line_text) + 1, len(text))
    toks.extend([end] * _EOF_PADDING)  # lookahead past the end always finds EOF
    return Tokens(toks, close, source, stack, eof)


_ANNOT_STRING_RE = re.compile(_STRCHARS)
_QUOTED_ID_RE = re.compile(rf"\$({_STRCHARS})")


def _quoted_id(source: Source, string: str, lineno: int, col: int, offset: int) -> Token:
    """An identifier written `$"..."`: its text is `$` and the name the string stands for, so
    `$"fh"` and `$fh` are one identifier."""
    name = string_name(Token(STRING, string, lineno, col + 2, offset + col + 1), source)
    if not name:
        raise source.error("empty identifier", lineno, col + 1)
    return Token(ID, "$" + name, lineno, col + 1, offset + col)


def _annotation_id(source: Source, line: str, at: int, lineno: int) -> None:
    """Check the id after `(@` (at `line[at]`, the `@`): idchars, or a non-empty UTF-8 string."""
    nxt = line[at + 1 : at + 2]
    if nxt == '"':
        m = _ANNOT_STRING_RE.match(line, at + 1)
        if m is not None and m.group() != '""':
            string_name(Token(STRING, m.group(), lineno, at + 2, 0), source)
            return
    elif nxt and re.match(rf"[{_IDCHAR}]", nxt):
        return
    raise source.error("empty annotation id", lineno, at + 1)


def _without_annotations(
    toks: list[Token], spans: list[tuple[int, int]]
) -> tuple[list[Token], dict[int, int], list[int]]:
    """The tokens without the annotations the parser does not read (those whose `@id` is
    not in KEYWORDS: the spec lets an implementation ignore them), paired again."""
    out: list[Token] = []
    pos = 0
    for start, end in spans:
        out.extend(toks[pos:start])
        word = toks[start + 1].text
        if word in KEYWORDS:
            out.extend(toks[start : end + 1])
        pos = end + 1
    out.extend(toks[pos:])
    close: dict[int, int] = {}
    stack: list[int] = []
    for i, t in enumerate(out):
        if t.kind == LPAREN:
            stack.append(i)
        elif t.kind == RPAREN and stack:
            close[stack.pop()] = i
    return out, close, stack


def _comment_scan(line: str, pos: int, depth: int) -> tuple[int, int]:
    """Inside a block comment nested `depth` deep: (position after it closes, 0), or
    (end of line, depth still open)."""
    search = _BLOCK_COMMENT_RE.search
    while True:
        m = search(line, pos)
        if m is None:
            return len(line), depth
        depth += 1 if m.group() == "(;" else -1
        pos = m.end()
        if depth == 0:
            return pos, 0


def _classify(word: str) -> str:
    c = word[0]
    if '"' in word:
        return RESERVED
    if "a" <= c <= "z":
        if word == "inf" or (c == "n" and word.startswith("nan") and _FLOAT_RE.match(word)):
            return FLOAT
        return KEYWORD
    if c == "$":
        return ID if _ID_RE.match(word) else RESERVED
    if c == "@":
        return KEYWORD
    if "0" <= c <= "9":
        if _NAT_RE.match(word):
            return NAT
        return FLOAT if _FLOAT_RE.match(word) else RESERVED
    if c == "+" or c == "-":
        if _INT_RE.match(word):
            return INT
        return FLOAT if _FLOAT_RE.match(word) else RESERVED
    return RESERVED


def _bad_character(source: Source, line: str, pos: int, lineno: int) -> None:
    ch = line[pos]
    col = pos + 1
    if ch == '"':  # a string that did not match: find out why
        i = pos + 1
        while i < len(line):
            c = line[i]
            if c == '"':
                break
            if c == "\\":
                i += 2
                continue
            if ord(c) < 0x20 or c == "\x7f":
                raise source.error("illegal control character in string literal", lineno, i + 1)
            i += 1
        raise source.error("unclosed string literal", lineno, col)
    if ord(ch) < 0x20 or ch == "\x7f":
        raise source.error(f"unexpected character {ch!r}", lineno, col)
    if 0xD800 <= ord(ch) <= 0xDFFF:
        raise source.error("malformed UTF-8 encoding", lineno, col)
    if ord(ch) > 0x7F:
        raise source.error(f"malformed operator: unexpected character {ch!r} outside a string", lineno, col)
    raise source.error(f"unexpected character {ch!r}", lineno, col)


def string_bytes(tok: Token, source: Source) -> bytes:
    """The bytes a string token stands for, escapes resolved (UTF-8 for characters)."""
    if tok._value is not None:
        return tok._value
    body = tok.text[1:-1]
    if "\\" not in body:
        try:
            value = body.encode("utf-8")
        except UnicodeEncodeError:
            raise source.error_at("malformed UTF-8 encoding", tok) from None
        tok._value = value
        return value
    out = bytearray()
    pos = 0
    for m in _ESCAPE_RE.finditer(body):
        chunk = body[pos : m.start()]
        try:
            out += chunk.encode("utf-8")
        except UnicodeEncodeError:
            raise source.error_at("malformed UTF-8 encoding", tok) from None
        uni, hexbyte, other = m.groups()
        if uni is not None:
            cp = int(uni.replace("_", ""), 16)
            if cp >= 0x110000 or 0xD800 <= cp < 0xE000:
                raise source.error(
                    "malformed UTF-8 encoding: invalid \\u escape", tok.line, tok.col + 1 + m.start()
                )
            out += chr(cp).encode("utf-8")
        elif hexbyte is not None:
            out.append(int(hexbyte, 16))
        elif other in _SIMPLE_ESCAPES:
            out += _SIMPLE_ESCAPES[other]
        else:
            raise source.error(f"illegal escape \\{other}", tok.line, tok.col + 1 + m.start())
        pos = m.end()
    try:
        out += body[pos:].encode("utf-8")
    except UnicodeEncodeError:
        raise source.error_at("malformed UTF-8 encoding", tok) from None
    value = bytes(out)
    tok._value = value
    return value


def string_name(tok: Token, source: Source) -> str:
    """A string token that must be a name: its bytes must be valid UTF-8."""
    data = string_bytes(tok, source)
    try:
        return data.decode("utf-8")
    except UnicodeDecodeError:
        raise source.error_at("malformed UTF-8 encoding", tok) from None
