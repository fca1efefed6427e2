"""Identifier contexts (spec 6.6.4): the index spaces of a module and of a function.

Every index space binds `$id`s to indices in order of definition. A generic resolver
turns a `var` token (a number or an `$id`) into an index, so new index spaces (module
linking's modules and instances) are one more entry in `SPACES`.
"""

from __future__ import annotations

from typing import Any

from ..syntax.module import NAMES_OF_SPACE, Names
from ..syntax.types import DefType, FuncType
from .lexer import ID, NAT, Source, Token
from .numbers import parse_uint

#: index space key -> the word the spec's messages use ("unknown function $f")
SPACES: dict[str, str] = {
    "type": "type",
    "func": "function",
    "table": "table",
    "memory": "memory",
    "global": "global",
    "elem": "elem segment",
    "data": "data segment",
    "tag": "tag",
}


class IndexSpace:
    """`$id` -> index, and how many indices are taken."""

    __slots__ = ("what", "names", "count", "ids")

    def __init__(self, what: str) -> None:
        self.what = what
        self.names: dict[str, int] = {}
        self.ids: dict[int, str] = {}
        self.count = 0

    def bind(self, tok: Token | None, source: Source) -> int:
        """Take the next index, naming it `tok` (an ID token) when given."""
        idx = self.count
        if tok is not None:
            name = tok.text
            if name in self.names:
                raise source.error_at(f"duplicate {self.what} {name}", tok)
            self.names[name] = idx
            self.ids[idx] = name
        self.count = idx + 1
        return idx

    def resolve(self, tok: Token, source: Source) -> int:
        if tok.kind == NAT:
            try:
                return parse_uint(tok.text, 32)
            except ValueError:
                raise source.error_at("i32 constant out of range", tok) from None
        idx = self.names.get(tok.text)
        if idx is None:
            raise source.error_at(f"unknown {self.what} {tok.text}", tok)
        return idx


class ModuleContext:
    """The module-level index spaces plus the type list (with implicit type definitions)."""

    def __init__(self, source: Source) -> None:
        self.source = source
        self.spaces: dict[str, IndexSpace] = {key: IndexSpace(what) for key, what in SPACES.items()}
        self.types: list[DefType] = []
        #: GC: type indices that are not plain function types of their own (in a rec group of
        #: several, or declared with `sub`): an inline type use never names them
        self.nonplain: set[int] = set()
        #: GC: type index -> struct field `$name` -> field index
        self.field_names: dict[int, dict[str, int]] = {}

    def space(self, key: str) -> IndexSpace:
        return self.spaces[key]

    def bind(self, key: str, tok: Token | None) -> int:
        return self.spaces[key].bind(tok, self.source)

    def resolve(self, key: str, tok: Token) -> int:
        """A `var` (number or `$id`) in index space `key`: the one place references are
        resolved (module linking extends it for `$instance.$item` references)."""
        return self.spaces[key].resolve(tok, self.source)

    def define_type(self, tok: Token | None, deftype: DefType) -> int:
        idx = self.bind("type", tok)
        self.types.append(deftype)
        return idx

    def implicit_type(self, ft: FuncType) -> int:
        """The first type equal to `ft`, or a new one appended at the end (spec 6.6.5)."""
        for idx, t in enumerate(self.types):
            if t == ft and idx not in self.nonplain:
                return idx
        idx = self.spaces["type"].count
        self.spaces["type"].count = idx + 1
        self.types.append(ft)
        return idx

    def func_type(self, idx: int, tok: Token) -> FuncType:
        if idx < len(self.types):
            t = self.types[idx]
            if isinstance(t, FuncType):
                return t
        raise self.source.error_at(f"unknown type {tok.text}", tok)


class FuncContext:
    """Locals (parameters first) and the label stack of one function body."""

    __slots__ = ("locals", "labels", "source", "label_names", "blocks", "hints", "pending_hint")

    def __init__(self, source: Source) -> None:
        self.source = source
        self.locals = IndexSpace("local")
        self.labels: list[str | None] = []
        #: the name section's label names: block number (block/loop/if in body order) -> name
        self.label_names: dict[int, str] = {}
        self.blocks = 0
        #: branch hints (`(@metadata.code.branch_hint "\01")`): the hinted if/br_if -> 0 or 1
        self.hints: list[tuple[Any, int]] = []
        self.pending_hint: int | None = None

    def open_label(self, name: str | None) -> None:
        """A block, loop or if starts (in the order its instruction lands in the body)."""
        self.labels.append(name)
        if name is not None:
            self.label_names[self.blocks] = name[1:]
        self.blocks += 1

    def bind_local(self, tok: Token | None) -> int:
        return self.locals.bind(tok, self.source)

    def label(self, tok: Token) -> int:
        """A label reference: a depth, or the innermost label of that name."""
        if tok.kind == ID:
            labels = self.labels
            name = tok.text
            for depth in range(len(labels)):
                if labels[-1 - depth] == name:
                    return depth
            raise self.source.error_at(f"unknown label {name}", tok)
        try:
            return parse_uint(tok.text, 32)
        except ValueError:
            raise self.source.error_at("i32 constant out of range", tok) from None


def names_of(space: IndexSpace) -> dict[int, str]:
    """index -> name without the `$`, for the name section."""
    return {idx: name[1:] for idx, name in space.ids.items()}


def fill_names(names: Names, ctx: ModuleContext, funcs: dict[int, FuncContext]) -> None:
    """`names` from the `$ids` of every index space of `ctx` and the functions' locals and
    labels (`funcs`: function index -> its parsed body's context)."""
    for space, attr in NAMES_OF_SPACE.items():
        setattr(names, attr, names_of(ctx.spaces[space]))
    names.locals = {f: n for f, fctx in funcs.items() if (n := names_of(fctx.locals))}
    names.fields = {
        t: {i: n[1:] for n, i in fields.items()} for t, fields in ctx.field_names.items() if fields
    }
    names.labels = {f: dict(fctx.label_names) for f, fctx in funcs.items() if fctx.label_names}
