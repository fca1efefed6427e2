"""Superinstructions for run mode: short non-trapping sequences become one handler.

`fused_code(f)` returns a second handler list for a function, the same length as its
step-mode `code`: at a pc where a fusable sequence starts, one generated handler runs the
whole sequence (reading locals and constants directly instead of pushing them) and adds
the instructions it ran beyond the first to `EXTRA[0]`, so the machine's step count stays
exact. Every other pc keeps its ordinary handler, so a branch into the middle of a
sequence, or a switch between the two lists at any pc, is still correct.

Only sequences that cannot trap are fused (locals, constants, wrapping arithmetic,
comparisons, then at most one of `local.set`/`local.tee`/`br_if`/`if`), so a trap is
always raised by an ordinary handler at the exact pc. Step mode never uses these.

Then exec.fold folds structural instructions (`block`, `end`, `br` to the next...) into
the handlers before them; a superinstruction folds the ones after its own exits.
"""

from __future__ import annotations

from collections.abc import Callable
from types import CodeType
from typing import TYPE_CHECKING, Any

from . import numerics as N
from .fold import Runs, fold_code, patched

if TYPE_CHECKING:
    from .compile import Layout
    from .runtime import FuncInst

#: instructions run by fused handlers beyond the one the dispatch loop counted
EXTRA: list[int] = [0]

_M32 = "0xFFFFFFFF"
_M64 = "0xFFFFFFFFFFFFFFFF"
_S31 = "0x80000000"
_S63 = "0x8000000000000000"

# binary operators as expressions over {a} and {b}
_BINOPS: dict[str, str] = {
    "i32.add": f"(({{a}}) + ({{b}})) & {_M32}",
    "i32.sub": f"(({{a}}) - ({{b}})) & {_M32}",
    "i32.mul": f"(({{a}}) * ({{b}})) & {_M32}",
    "i32.and": "({a}) & ({b})",
    "i32.or": "({a}) | ({b})",
    "i32.xor": "({a}) ^ ({b})",
    "i32.shl": f"(({{a}}) << (({{b}}) & 31)) & {_M32}",
    "i32.shr_u": "({a}) >> (({b}) & 31)",
    "i64.add": f"(({{a}}) + ({{b}})) & {_M64}",
    "i64.sub": f"(({{a}}) - ({{b}})) & {_M64}",
    "i64.mul": f"(({{a}}) * ({{b}})) & {_M64}",
    "i64.and": "({a}) & ({b})",
    "i64.or": "({a}) | ({b})",
    "i64.xor": "({a}) ^ ({b})",
    "i64.shl": f"(({{a}}) << (({{b}}) & 63)) & {_M64}",
    "i64.shr_u": "({a}) >> (({b}) & 63)",
    "f64.add": "({a}) + ({b})",
    "f64.sub": "({a}) - ({b})",
    "f64.mul": "({a}) * ({b})",
}
for _t in ("i32", "i64", "f32", "f64"):
    for _name, _py in (("eq", "=="), ("ne", "!=")):
        _BINOPS[f"{_t}.{_name}"] = f"(1 if ({{a}}) {_py} ({{b}}) else 0)"
for _t, _sign in (("i32", _S31), ("i64", _S63)):
    for _name, _py in (("lt", "<"), ("gt", ">"), ("le", "<="), ("ge", ">=")):
        _BINOPS[f"{_t}.{_name}_u"] = f"(1 if ({{a}}) {_py} ({{b}}) else 0)"
        _BINOPS[f"{_t}.{_name}_s"] = f"(1 if (({{a}}) ^ {_sign}) {_py} (({{b}}) ^ {_sign}) else 0)"
for _t in ("f32", "f64"):
    for _name, _py in (("lt", "<"), ("gt", ">"), ("le", "<="), ("ge", ">=")):
        _BINOPS[f"{_t}.{_name}"] = f"(1 if ({{a}}) {_py} ({{b}}) else 0)"

_UNOPS: dict[str, str] = {"i32.eqz": "(0 if ({a}) else 1)", "i64.eqz": "(0 if ({a}) else 1)"}


def _leaf(ins: Any, consts: list[Any]) -> str | None:
    """A local.get or a constant as an expression, or None."""
    name = ins.op.name
    if name == "local.get":
        return f"L[{ins.imm}]"
    if name in ("i32.const", "i64.const"):
        return repr(ins.imm)
    if name == "f64.const":
        consts.append(N.f64_from_bits(ins.imm))
        return f"K[{len(consts) - 1}]"
    return None


def _expression(body: list, pc: int, consts: list[Any]) -> tuple[str, int] | None:
    """The longest value expression starting at pc: (python expression, instructions)."""
    a = _leaf(body[pc], consts) if pc < len(body) else None
    if a is None:
        return None
    nxt = body[pc + 1] if pc + 1 < len(body) else None
    if nxt is not None and nxt.op.name in _UNOPS:
        return _UNOPS[nxt.op.name].format(a=a), 2
    b = _leaf(nxt, consts) if nxt is not None else None
    if b is not None and pc + 2 < len(body) and body[pc + 2].op.name in _BINOPS:
        return _BINOPS[body[pc + 2].op.name].format(a=a, b=b), 3
    return a, 1


def _reachable_run(lay: Layout, pc: int, n: int) -> bool:
    return all(lay.reachable[pc + i] for i in range(n))


#: generated source -> its code object: a template met again (the same locals, constants
#: and targets, as in another instance of the module) is compiled once
_CODE: dict[str, CodeType] = {}
_CODE_KEPT = 8192


def fused_code(f: FuncInst, code: list[Callable[..., int]], lay: Layout) -> list[Callable[..., int]]:
    body = f.func.body  # type: ignore[union-attr]
    fast = list(code)
    done: set[int] = set()  # pcs whose superinstruction folds what follows it (exec.fold)
    skip = Runs(body, lay, code)

    def go(target: int, n: int, slot: int, env: dict[str, Any], indent: str = "    ") -> str:
        # n instructions run here, then past the structural ones from target (exec.fold)
        q, k = skip(target)
        count = f"{indent}X[0] += {n - 1 + k}\n" if n - 1 + k else ""
        return f"{count}{indent}return {q}\n"

    for pc in range(len(body)):
        consts: list[Any] = []
        found = _expression(body, pc, consts)
        if found is None:
            continue
        expr, n = found
        end = pc + n
        sink = body[end] if end < len(body) else None
        sname = sink.op.name if sink is not None else ""
        lines: list[str]
        env: dict[str, Any] = {"X": EXTRA, "K": consts}
        if sname in ("local.set", "local.tee"):
            lines = [f"L[{sink.imm}] = {expr}"]  # type: ignore[union-attr]
            if sname == "local.tee":
                lines.append(f"S.append(L[{sink.imm}])")  # type: ignore[union-attr]
            n += 1
            ret = go(pc + n, n, 0, env)
        elif sname == "br_if" and end in lay.branch and lay.branch[end][2] == 0:
            target = lay.branch[end][0]
            n += 1
            lines = [f"if {expr}:"]
            ret = go(target, n, 0, env, "        ") + go(pc + n, n, 1, env)
        elif sname == "if":
            else_at = lay.else_of.get(end)
            target = else_at + 1 if else_at is not None else lay.end_of[end]
            n += 1
            lines = [f"if {expr}:"]
            ret = go(pc + n, n, 0, env, "        ") + go(target, n, 1, env)
        else:
            if n == 1:
                continue  # a lone local.get/const: its own handler is as fast
            lines = [f"S.append({expr})"]
            ret = go(pc + n, n, 0, env)
        if not _reachable_run(lay, pc, n) or any(patched(code[p]) for p in range(pc, pc + n)):
            continue
        src = "def h(S, L, pc):\n"
        for line in lines:
            src += f"    {line}\n"
        src += ret
        compiled = _CODE.get(src)
        if compiled is None:
            if len(_CODE) >= _CODE_KEPT:  # (a long-lived process loads module after module)
                _CODE.clear()
            compiled = _CODE[src] = compile(src, "<fused>", "exec")
        exec(compiled, env)  # noqa: S102 - our own templates
        fast[pc] = env["h"]
        done.add(pc)
    fold_code(body, lay, code, fast, done, EXTRA, skip)
    return fast
