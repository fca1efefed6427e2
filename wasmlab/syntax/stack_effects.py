"""Stack effects: how many values an instruction pops and pushes.

Most rows of the opcode table have a fixed signature (`i32.add: [i32 i32] -> [i32]`). The
others name a `StackRule` (the row's signature column is `@name`): control instructions,
calls, the parametric, variable, table and reference instructions, whose operand types or
counts depend on their immediates and on where they stand. A rule carries the signature
as the spec writes it (for people: kernel inspection), and counts for one step of the
instruction in a flat body, asked of an `EffectContext` that each consumer fills in with
what it knows (the compiler its module's types, the printer a module that may be invalid,
the tracer a running function).

`stack_effect(instr, ctx)` is the one reader of both. Counts follow the spec's signatures
without the stack-polymorphic prefix (`br 1` pops the values of label 1; `call` pops its
parameters and pushes its results), except where a value does not move: the parameters of
a block stay on the stack for its body, so `block`/`loop`/`try_table` pop nothing and `if`
pops its condition; `br_if` leaves its label's values where they are when it does not
branch, so it pops its condition only. The validator checks the types itself
(`wasmlab.valid.instructions`); an unknown type counts as no values.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from typing import TYPE_CHECKING, Any

if TYPE_CHECKING:
    from .module import Instr
    from .types import FuncType


class EffectContext:
    """What a rule may ask about an instruction's surroundings. Subclasses answer what they
    know; these defaults know nothing (an unknown type is None, an unknown arity 0)."""

    def func_type(self, funcidx: int) -> FuncType | None:
        """The type of function `funcidx` (for call, return_call)."""
        return None

    def type_at(self, typeidx: int) -> FuncType | None:
        """The function type at `typeidx` of the type section (for call_indirect)."""
        return None

    def tag_type(self, tagidx: int) -> FuncType | None:
        """The function type of tag `tagidx` (for throw)."""
        return None

    def label_arity(self, depth: int) -> int:
        """How many values a branch to label `depth` carries (for br, br_table)."""
        return 0

    def return_arity(self) -> int:
        """How many values the function returns (for return)."""
        return 0


#: the context of a consumer that knows nothing about where an instruction stands
NO_CONTEXT = EffectContext()

Effect = Callable[[Any, EffectContext], tuple[int, int]]


@dataclass(frozen=True, eq=False)
class StackRule:
    """A named stack effect: the spec's signature text and the counts for an immediate."""

    name: str
    signature: str
    effect: Effect
    falls_through: bool = True  # False: control never reaches the next instruction

    def __repr__(self) -> str:
        return f"<stack rule {self.name}>"


def _fixed(pops: int, pushes: int) -> Effect:
    return lambda imm, ctx: (pops, pushes)


def _counts(ft: FuncType | None) -> tuple[int, int]:
    return (len(ft.params), len(ft.results)) if ft is not None else (0, 0)


def _call(imm: Any, ctx: EffectContext) -> tuple[int, int]:
    return _counts(ctx.func_type(imm))


def _call_indirect(imm: Any, ctx: EffectContext) -> tuple[int, int]:
    params, results = _counts(ctx.type_at(imm[0]))
    return params + 1, results


def _return_call(imm: Any, ctx: EffectContext) -> tuple[int, int]:
    return _counts(ctx.func_type(imm))[0], 0


def _return_call_indirect(imm: Any, ctx: EffectContext) -> tuple[int, int]:
    return _counts(ctx.type_at(imm[0]))[0] + 1, 0


def _br(imm: Any, ctx: EffectContext) -> tuple[int, int]:
    return ctx.label_arity(imm), 0


def _br_table(imm: Any, ctx: EffectContext) -> tuple[int, int]:
    return ctx.label_arity(imm[1]) + 1, 0


def _return(imm: Any, ctx: EffectContext) -> tuple[int, int]:
    return ctx.return_arity(), 0


def _throw(imm: Any, ctx: EffectContext) -> tuple[int, int]:
    return _counts(ctx.tag_type(imm))[0], 0


def _call_ref(imm: Any, ctx: EffectContext) -> tuple[int, int]:
    params, results = _counts(ctx.type_at(imm))
    return params + 1, results


def _return_call_ref(imm: Any, ctx: EffectContext) -> tuple[int, int]:
    return _counts(ctx.type_at(imm))[0] + 1, 0


def _struct_new(imm: Any, ctx: EffectContext) -> tuple[int, int]:
    return len(getattr(ctx.type_at(imm), "fields", ())), 1


def _array_new_fixed(imm: Any, ctx: EffectContext) -> tuple[int, int]:
    return imm[1], 1


def _catch(imm: Any, ctx: EffectContext) -> tuple[int, int]:
    """Legacy `catch`: the handler starts with the exception's values (the body's results
    left with the `end` of the try body, as with `else`)."""
    return 0, _counts(ctx.tag_type(imm))[0]


_RULES = [
    # control
    StackRule("block", "[t1*] -> [t2*]", _fixed(0, 0)),  # block, loop, try_table
    StackRule("if", "[t1* i32] -> [t2*]", _fixed(1, 0)),
    StackRule("else", "[t2*] -> [t2*]", _fixed(0, 0)),
    StackRule("end", "[t2*] -> [t2*]", _fixed(0, 0)),
    StackRule("br", "[t1* t*] -> [t2*]", _br, falls_through=False),
    StackRule("br_if", "[t* i32] -> [t*]", _fixed(1, 0)),
    StackRule("br_table", "[t1* t* i32] -> [t2*]", _br_table, falls_through=False),
    StackRule("return", "[t1* t*] -> [t2*]", _return, falls_through=False),
    StackRule("unreachable", "[t1*] -> [t2*]", _fixed(0, 0), falls_through=False),
    StackRule("call", "[t1*] -> [t2*]", _call),
    StackRule("call_indirect", "[t1* i32] -> [t2*]", _call_indirect),
    StackRule("return_call", "[t3* t1*] -> [t4*]", _return_call, falls_through=False),
    StackRule("return_call_indirect", "[t3* t1* i32] -> [t4*]", _return_call_indirect, falls_through=False),
    StackRule("throw", "[t1* t*] -> [t2*]", _throw, falls_through=False),
    StackRule("throw_ref", "[t1* exnref] -> [t2*]", _fixed(1, 0), falls_through=False),
    StackRule("catch", "[t2*] -> [t*]", _catch),  # legacy exceptions
    StackRule("rethrow", "[t1*] -> [t2*]", _fixed(0, 0), falls_through=False),
    # parametric
    StackRule("drop", "[t] -> []", _fixed(1, 0)),
    StackRule("select", "[t t i32] -> [t]", _fixed(3, 1)),
    # variable
    StackRule("local.get", "[] -> [t]", _fixed(0, 1)),
    StackRule("local.set", "[t] -> []", _fixed(1, 0)),
    StackRule("local.tee", "[t] -> [t]", _fixed(1, 1)),
    StackRule("global.get", "[] -> [t]", _fixed(0, 1)),
    StackRule("global.set", "[t] -> []", _fixed(1, 0)),
    # table (t: the table's reference type)
    StackRule("table.get", "[i32] -> [t]", _fixed(1, 1)),
    StackRule("table.set", "[i32 t] -> []", _fixed(2, 0)),
    StackRule("table.grow", "[t i32] -> [i32]", _fixed(2, 1)),
    StackRule("table.fill", "[i32 t i32] -> []", _fixed(3, 0)),
    # reference
    StackRule("ref.null", "[] -> [t]", _fixed(0, 1)),
    StackRule("ref.is_null", "[t] -> [i32]", _fixed(1, 1)),
    StackRule("ref.func", "[] -> [(ref $t)]", _fixed(0, 1)),
    # typed function references
    StackRule("call_ref", "[t1* (ref null $t)] -> [t2*]", _call_ref),
    StackRule("return_call_ref", "[t3* t1* (ref null $t)] -> [t4*]", _return_call_ref, falls_through=False),
    StackRule("ref.as_non_null", "[(ref null ht)] -> [(ref ht)]", _fixed(1, 1)),
    StackRule("br_on_null", "[t* (ref null ht)] -> [t* (ref ht)]", _fixed(1, 1)),
    StackRule("br_on_non_null", "[t* (ref null ht)] -> [t*]", _fixed(1, 0)),
    # GC
    StackRule("ref.eq", "[eqref eqref] -> [i32]", _fixed(2, 1)),
    StackRule("struct.new", "[t*] -> [(ref $t)]", _struct_new),
    StackRule("struct.new_default", "[] -> [(ref $t)]", _fixed(0, 1)),
    StackRule("struct.get", "[(ref null $t)] -> [t]", _fixed(1, 1)),
    StackRule("struct.set", "[(ref null $t) t] -> []", _fixed(2, 0)),
    StackRule("array.new", "[t i32] -> [(ref $t)]", _fixed(2, 1)),
    StackRule("array.new_default", "[i32] -> [(ref $t)]", _fixed(1, 1)),
    StackRule("array.new_fixed", "[t^n] -> [(ref $t)]", _array_new_fixed),
    StackRule("array.new_data", "[i32 i32] -> [(ref $t)]", _fixed(2, 1)),
    StackRule("array.new_elem", "[i32 i32] -> [(ref $t)]", _fixed(2, 1)),
    StackRule("array.get", "[(ref null $t) i32] -> [t]", _fixed(2, 1)),
    StackRule("array.set", "[(ref null $t) i32 t] -> []", _fixed(3, 0)),
    StackRule("array.len", "[(ref null array)] -> [i32]", _fixed(1, 1)),
    StackRule("array.fill", "[(ref null $t) i32 t i32] -> []", _fixed(4, 0)),
    StackRule("array.copy", "[(ref null $t1) i32 (ref null $t2) i32 i32] -> []", _fixed(5, 0)),
    StackRule("array.init_data", "[(ref null $t) i32 i32 i32] -> []", _fixed(4, 0)),
    StackRule("array.init_elem", "[(ref null $t) i32 i32 i32] -> []", _fixed(4, 0)),
    StackRule("ref.test", "[rt'] -> [i32]", _fixed(1, 1)),
    StackRule("ref.cast", "[rt'] -> [rt]", _fixed(1, 1)),
    StackRule("br_on_cast", "[t* rt1] -> [t* (rt1 \\ rt2)]", _fixed(1, 1)),
    StackRule("any.convert_extern", "[(ref null? extern)] -> [(ref null? any)]", _fixed(1, 1)),
    StackRule("extern.convert_any", "[(ref null? any)] -> [(ref null? extern)]", _fixed(1, 1)),
    StackRule("ref.i31", "[i32] -> [(ref i31)]", _fixed(1, 1)),
    StackRule("i31.get", "[i31ref] -> [i32]", _fixed(1, 1)),
]

#: rule name (the `@name` of a table row) -> rule
RULES: dict[str, StackRule] = {rule.name: rule for rule in _RULES}


def stack_effect(instr: Instr, ctx: EffectContext = NO_CONTEXT) -> tuple[int, int]:
    """(values popped, values pushed) by one step of `instr`, asking `ctx` what its rule
    depends on (see the module's note for blocks and br_if)."""
    op = instr.op
    rule = op.rule
    if rule is None:
        return len(op.params), len(op.results)
    return rule.effect(instr.imm, ctx)


__all__ = ["NO_CONTEXT", "RULES", "EffectContext", "StackRule", "stack_effect"]
