"""WAST scripts (the spec test format): `parse_script(text) -> list[Command]`.

Values are small tuples a runner can build from machine results and compare:

=====================================  ==============================================
form                                   meaning
=====================================  ==============================================
``("i32", bits)`` ``("i64", bits)``    integer, unsigned bit pattern
``("f32", bits)`` ``("f64", bits)``    float, IEEE bit pattern (NaN payloads exact)
``("v128", b"...16 bytes...")``        vector, little-endian lane bytes
``("ref.null", ValType.FUNCREF)``      null reference of that type
``("ref.extern", n)``                  host reference number n
``("ref.func", None)``                 (results) any non-null function reference
``("ref.host", n)``                    host reference number n (GC: an `any`, not an `extern`)
``("ref.struct", None)`` & co          (results) any non-null struct, array, i31, eq or any reference
=====================================  ==============================================

Expected results may also be patterns: ``("f32", "nan:canonical")``,
``("f64", "nan:arithmetic")``, ``("v128", ("f32x4", (lane, ...)))`` with each lane an
int (bits) or a NaN pattern string, ``("ref.extern", None)`` / ``("ref.null", None)``
(any non-null extern reference / any null reference) and ``("either", (result, ...))``.
`match_result(expected, actual)` compares one result pattern with one actual value.
"""

from __future__ import annotations

import struct
from dataclasses import dataclass, field
from typing import Any

from ..errors import ParseError
from ..syntax.features import Features
from ..syntax.module import Module
from ..syntax.types import ValType
from .cursor import Cursor
from .instructions import SHAPES, v128_lanes
from .lexer import (
    EOF,
    FLOAT,
    ID,
    INT,
    KEYWORD,
    LPAREN,
    NAT,
    RPAREN,
    STRING,
    Token,
    Tokens,
    string_name,
    tokenize,
)
from .numbers import F32, F64, parse_float, parse_int, parse_uint
from .parser import FIELDS, parse_module_at, quoted_module

Value = tuple[str, Any]

NAN_PATTERNS = ("nan:canonical", "nan:arithmetic")


# --- commands -----------------------------------------------------------------------------


@dataclass
class ModuleCommand:
    """A module in a script: text (parsed), binary (bytes) or quote (source, parsed lazily)."""

    line: int
    name: str | None  # "$M" or None
    kind: str  # "text" | "binary" | "quote"
    module: Module | None = None
    binary: bytes | None = None
    quote: str | None = None
    text: str | None = None  # the module's source text in the script
    error: ParseError | None = None  # a text module that failed to parse (inside an assertion)
    filename: str | None = None
    features: Features | None = None  # what the script was parsed with (for a quote's text)
    #: `(module definition $M ...)` (3.0 scripts): validated and named, not instantiated
    definition: bool = False

    def load(self) -> Module:
        """The Module: parses a quote, decodes a binary; raises ParseError/DecodeError."""
        if self.module is not None:
            return self.module
        if self.error is not None:
            raise self.error
        if self.kind == "binary":
            from ..binary import decode

            assert self.binary is not None
            module = decode(self.binary)
        else:
            from .parser import parse_module

            assert self.quote is not None
            module = parse_module(
                self.quote, f"{self.filename or '<input>'}:{self.line}:quote", features=self.features
            )
        if self.name is not None:
            module.id = self.name
        return module


@dataclass
class Invoke:
    line: int
    module: str | None
    field: str
    args: list[Value] = field(default_factory=list)


@dataclass
class Get:
    line: int
    module: str | None
    field: str


Action = Invoke | Get


@dataclass
class ModuleInstance:
    """`(module instance $I? $M?)` (3.0 scripts): instantiate the module definition `$M`
    (else the latest one) as `$I`."""

    line: int
    name: str | None
    module: str | None


@dataclass
class Register:
    line: int
    name: str  # the import name it is registered as
    module: str | None  # the module's $name, or None for the latest module


@dataclass
class ActionCommand:
    line: int
    action: Action


@dataclass
class AssertReturn:
    line: int
    action: Action
    expected: list[Value]


@dataclass
class AssertTrap:
    line: int
    action: Action
    text: str


@dataclass
class AssertException:
    """`(assert_exception (invoke ...))` (exception handling): the action throws a wasm
    exception that nothing catches."""

    line: int
    action: Action


@dataclass
class AssertExhaustion:
    line: int
    action: Action
    text: str


@dataclass
class AssertInvalid:
    line: int
    module: ModuleCommand
    text: str


@dataclass
class AssertMalformed:
    line: int
    module: ModuleCommand
    text: str


@dataclass
class AssertInvalidCustom:
    """`assert_invalid_custom` (3.0 scripts): a custom annotation's content is invalid (wasmlab
    reads annotations while parsing, so it reports them as parse errors, or validation's)."""

    line: int
    module: ModuleCommand
    text: str


@dataclass
class AssertUnlinkable:
    line: int
    module: ModuleCommand
    text: str


@dataclass
class AssertUninstantiable:
    """`(assert_trap (module ...) "msg")`: links, but traps while instantiating."""

    line: int
    module: ModuleCommand
    text: str


Command = (
    ModuleCommand
    | Register
    | ActionCommand
    | AssertReturn
    | AssertTrap
    | AssertException
    | AssertExhaustion
    | AssertInvalid
    | AssertMalformed
    | AssertUnlinkable
    | AssertUninstantiable
)


# --- parsing ------------------------------------------------------------------------------


def parse_script(text: str, filename: str | None = None, features: Features | None = None) -> list[Command]:
    """Parse a .wast script; a file holding just module fields is one module command.
    `features`: the proposals accepted where the text format depends on them (None: all)."""
    tokens = tokenize(text, filename)
    tokens.features = features
    toks = tokens.toks
    first = toks[1].text
    # (`module` is a field too with module linking: a script's `(module ...)` stays a command)
    if toks[0].kind == LPAREN and toks[1].kind == KEYWORD and first in FIELDS and first != "module":
        module, _ = parse_module_at(tokens, 0, allow_bare=True)
        return [ModuleCommand(toks[0].line, None, "text", module=module, text=text, filename=filename)]
    return _ScriptParser(tokens).commands()


class _ScriptParser(Cursor):
    def __init__(self, tokens: Tokens) -> None:
        super().__init__(tokens)

    def commands(self) -> list[Command]:
        out: list[Command] = []
        toks = self.toks
        while toks[self.i].kind != EOF:
            out.append(self.command())
        return out

    def command(self) -> Command:
        lp = self.expect_lparen("a command")
        kw = self.toks[self.i]
        handler = _COMMANDS.get(kw.text) if kw.kind == KEYWORD else None
        if handler is None:
            self.unexpected("a command (module, register, invoke, get or assert_...)")
        self.i -= 1
        return handler(self, lp)

    # modules

    def module(self, nested: bool) -> ModuleCommand:
        toks = self.toks
        lp_index = self.i
        lp = toks[lp_index]
        if not self.at_lparen("module"):
            self.unexpected("'(module ...)'")
        end = self.close[lp_index]
        j = lp_index + 2
        definition = toks[j].kind == KEYWORD and toks[j].text == "definition"
        if definition:
            j += 1
        name = toks[j].text if toks[j].kind == ID else None
        if name is not None:
            j += 1
        word = toks[j]
        filename = self.source.filename
        source_text = self.source.text[lp.pos : toks[end].pos + 1]
        if word.kind == KEYWORD and word.text in ("binary", "quote"):
            self.i = j + 1
            data = self.strings()
            if self.i != end:
                self.unexpected("a string or ')'")
            self.i = end + 1
            cmd = ModuleCommand(lp.line, name, word.text, text=source_text, filename=filename)
            cmd.features = self.tokens.features
            cmd.definition = definition
            if word.text == "binary":
                cmd.binary = data
            else:
                try:
                    cmd.quote = data.decode("utf-8")
                except UnicodeDecodeError:
                    cmd.error = self.error("malformed UTF-8 encoding", word)
                if not nested:
                    cmd.module = quoted_module(data, word, self.tokens)
                    cmd.module.id = name
            return cmd
        cmd = ModuleCommand(lp.line, name, "text", text=source_text, filename=filename)
        cmd.definition = definition
        try:
            cmd.module, self.i = parse_module_at(self.tokens, lp_index)
        except ParseError as e:
            if not nested:
                raise
            cmd.error = e
            self.i = end + 1
        return cmd

    # actions and values

    def action(self) -> Action:
        lp = self.expect_lparen("an action (invoke or get)")
        kw = self.next()
        if kw.kind != KEYWORD or kw.text not in ("invoke", "get"):
            self.unexpected("'invoke' or 'get'", tok=kw)
        module = self.take_id()
        name = self.expect_name()
        mname = module.text if module is not None else None
        if kw.text == "get":
            self.expect_rparen()
            return Get(lp.line, mname, name)
        args = []
        while self.toks[self.i].kind == LPAREN:
            args.append(self.value(result=False))
        self.expect_rparen()
        return Invoke(lp.line, mname, name, args)

    def value(self, result: bool) -> Value:
        self.expect_lparen("a value")
        kw = self.next()
        word = kw.text if kw.kind == KEYWORD else ""
        if word in _SCALARS:
            kind, bits, fmt = _SCALARS[word]
            t = self.next()
            if result and fmt is not None and t.kind == KEYWORD and t.text in NAN_PATTERNS:
                v: Value = (kind, t.text)
            elif t.kind in (NAT, INT, FLOAT):
                try:
                    v = (kind, parse_int(t.text, bits) if fmt is None else parse_float(t.text, fmt))
                except ValueError:
                    raise self.error("constant out of range", t) from None
            else:
                self.unexpected("a number", tok=t)
        elif word == "v128.const":
            v = self.v128(result)
        elif word == "ref.null":
            if result and self.toks[self.i].kind == RPAREN:
                v = ("ref.null", None)
            else:
                v = ("ref.null", self.nullable_heaptype())
        elif word in ("ref.extern", "ref.host"):
            t = self.toks[self.i]
            if result and t.kind == RPAREN:
                v = ("ref.extern", None)
            else:
                if t.kind != NAT:
                    self.unexpected("a number")
                self.i += 1
                try:
                    v = (word, parse_uint(t.text, 32))
                except ValueError:
                    raise self.error("i32 constant out of range", t) from None
        elif word in REF_PATTERNS and result:
            v = (word, None)
        elif word == "ref.func" and result:
            if self.toks[self.i].kind != RPAREN:
                self.i += 1  # a function index is accepted and ignored
            v = ("ref.func", None)
        elif word == "either" and result:
            options = []
            while self.toks[self.i].kind == LPAREN:
                options.append(self.value(result=True))
            v = ("either", tuple(options))
        else:
            self.unexpected("a value (i32.const, ..., v128.const, ref.null, ref.extern)", tok=kw)
        self.expect_rparen()
        return v

    def v128(self, result: bool) -> Value:
        t = self.toks[self.i]
        shape = self.keyword_in(SHAPES, "a vector shape")
        count, width, fmt = shape
        if (
            result
            and fmt is not None
            and any(x.kind == KEYWORD and x.text in NAN_PATTERNS for x in self.toks[self.i : self.i + count])
        ):
            lanes: list[int | str] = []
            for _ in range(count):
                x = self.next()
                if x.kind == KEYWORD and x.text in NAN_PATTERNS:
                    lanes.append(x.text)
                elif x.kind in (NAT, INT, FLOAT):
                    try:
                        lanes.append(parse_float(x.text, fmt))
                    except ValueError:
                        raise self.error("constant out of range", x) from None
                else:
                    self.unexpected("a lane value", tok=x)
            return ("v128", (t.text, tuple(lanes)))
        return ("v128", v128_lanes(self, shape, t))

    # commands

    def _module_cmd(self, lp: Token) -> Command:
        t = self.toks[self.i + 2]
        if t.kind == KEYWORD and t.text == "instance":
            self.i += 3
            name = self.take_id()
            module = self.take_id()
            self.expect_rparen()
            return ModuleInstance(lp.line, name and name.text, module and module.text)
        return self.module(nested=False)

    def _register(self, lp: Token) -> Command:
        self.i += 2
        name = self.expect_name()
        module = self.take_id()
        self.expect_rparen()
        return Register(lp.line, name, module.text if module is not None else None)

    def _action_cmd(self, lp: Token) -> Command:
        return ActionCommand(lp.line, self.action())

    def _message(self) -> str:
        t = self.toks[self.i]
        if t.kind != STRING:
            self.unexpected("the expected message (a string)")
        self.i += 1
        return string_name(t, self.source)

    def _assert_return(self, lp: Token) -> Command:
        self.i += 2
        action = self.action()
        expected = []
        while self.toks[self.i].kind == LPAREN:
            expected.append(self.value(result=True))
        self.expect_rparen()
        return AssertReturn(lp.line, action, expected)

    def _assert_trap(self, lp: Token) -> Command:
        self.i += 2
        if self.at_lparen("module"):
            module = self.module(nested=True)
            text = self._message()
            self.expect_rparen()
            return AssertUninstantiable(lp.line, module, text)
        action = self.action()
        text = self._message()
        self.expect_rparen()
        return AssertTrap(lp.line, action, text)

    def _assert_exception(self, lp: Token) -> Command:
        self.i += 2
        action = self.action()
        self.expect_rparen()
        return AssertException(lp.line, action)

    def _assert_exhaustion(self, lp: Token) -> Command:
        self.i += 2
        action = self.action()
        text = self._message()
        self.expect_rparen()
        return AssertExhaustion(lp.line, action, text)

    def _assert_module(self, lp: Token) -> Command:
        kind = self.toks[self.i + 1].text
        self.i += 2
        module = self.module(nested=True)
        text = self._message()
        self.expect_rparen()
        return _MODULE_ASSERTIONS[kind](lp.line, module, text)


_MODULE_ASSERTIONS: dict[str, Any] = {
    "assert_invalid": AssertInvalid,
    "assert_malformed": AssertMalformed,
    "assert_unlinkable": AssertUnlinkable,
    # 3.0 scripts: errors in custom annotations (@custom, @name, branch hints)
    "assert_malformed_custom": AssertMalformed,
    "assert_invalid_custom": AssertInvalidCustom,
}

_COMMANDS: dict[str, Any] = {
    "module": _ScriptParser._module_cmd,
    "register": _ScriptParser._register,
    "invoke": _ScriptParser._action_cmd,
    "get": _ScriptParser._action_cmd,
    "assert_return": _ScriptParser._assert_return,
    "assert_trap": _ScriptParser._assert_trap,
    "assert_exhaustion": _ScriptParser._assert_exhaustion,
    "assert_exception": _ScriptParser._assert_exception,
    "assert_invalid": _ScriptParser._assert_module,
    "assert_malformed": _ScriptParser._assert_module,
    "assert_unlinkable": _ScriptParser._assert_module,
    "assert_malformed_custom": _ScriptParser._assert_module,
    "assert_invalid_custom": _ScriptParser._assert_module,
}

_SCALARS: dict[str, tuple[str, int, Any]] = {
    "i32.const": ("i32", 32, None),
    "i64.const": ("i64", 64, None),
    "f32.const": ("f32", 32, F32),
    "f64.const": ("f64", 64, F64),
}


#: GC's result patterns: `(ref.struct)` and the kinds of value each matches
REF_PATTERNS: dict[str, tuple[str, ...]] = {
    "ref.struct": ("ref.struct",),
    "ref.array": ("ref.array",),
    "ref.i31": ("ref.i31",),
    "ref.eq": ("ref.struct", "ref.array", "ref.i31", "ref.eq"),
    "ref.any": ("ref.struct", "ref.array", "ref.i31", "ref.eq", "ref.any", "ref.host", "ref.extern"),
}


# --- comparing results --------------------------------------------------------------------

_CANONICAL = {"f32": (F32, 0x7FC00000), "f64": (F64, 0x7FF8000000000000)}


def is_nan_match(kind: str, pattern: str, bits: int) -> bool:
    """Does the f32/f64 `bits` match `nan:canonical` / `nan:arithmetic`?"""
    fmt, canonical = _CANONICAL[kind]
    mag = bits & ~fmt.sign
    if pattern == "nan:canonical":
        return mag == canonical
    return (mag & canonical) == canonical  # exponent all ones and the quiet bit set


def match_result(expected: Value, actual: Value) -> bool:
    """Compare an expected result (value or pattern) with an actual value tuple."""
    kind, want = expected
    if kind == "either":
        return any(match_result(option, actual) for option in want)
    got_kind, got = actual
    if kind in ("f32", "f64") and isinstance(want, str):
        return got_kind == kind and isinstance(got, int) and is_nan_match(kind, want, got)
    if kind == "v128" and isinstance(want, tuple):
        if got_kind != "v128" or not isinstance(got, bytes | bytearray):
            return False
        shape, lanes = want
        count, width, fmt = SHAPES[shape]
        values = struct.unpack(f"<{count}{'I' if width == 32 else 'Q'}", bytes(got))
        for lane, value in zip(lanes, values):
            if isinstance(lane, str):
                if not is_nan_match("f32" if width == 32 else "f64", lane, value):
                    return False
            elif lane != value:
                return False
        return True
    if kind == "ref.func":
        return got_kind == "ref.func"
    if want is None and kind in ("ref.null", "ref.extern"):
        return got_kind == kind
    if kind in REF_PATTERNS:
        return got_kind in REF_PATTERNS[kind]
    return kind == got_kind and want == got


def value_type(value: Value) -> ValType | None:
    """The value type of a value or pattern (None for `either`)."""
    kind, payload = value
    if kind in ("i32", "i64", "f32", "f64", "v128"):
        return ValType.from_text(kind)
    if kind == "ref.null":
        return payload if isinstance(payload, ValType) else None
    if kind in ("ref.extern", "ref.host"):
        return ValType.EXTERNREF
    if kind == "ref.func":
        return ValType.FUNCREF
    return None


__all__ = [
    "Action", "ActionCommand", "AssertExhaustion", "AssertInvalid", "AssertMalformed",
    "AssertException", "AssertReturn", "AssertTrap", "AssertUninstantiable", "AssertUnlinkable", "Command", "Get",
    "Invoke", "ModuleCommand", "Register", "Value", "is_nan_match", "match_result",
    "parse_script", "value_type",
]  # fmt: skip
