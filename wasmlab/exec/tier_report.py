"""Where the functions of an instance run: as compiled code (`exec.fast`), on the machine (the
tier is "machine", or the translator keeps the body there, with its reason), on the machine
because the debugger patched them (a breakpoint or watchpoint), or in Python (host functions).

`report(inst)` looks without changing anything: no body is compiled and `fast.stats()` counts
nothing more (see `fast.tier_of`), so it can be asked before a run, during one and after.
"""

from __future__ import annotations

from collections import Counter
from collections.abc import Iterator
from dataclasses import dataclass

from ..syntax.opcodes import BY_NAME
from . import fast
from .runtime import FuncInst, ModuleInst

#: the statuses, in the order a summary names them
STATUSES = ("compiled", "machine", "debugger", "host")


@dataclass(frozen=True)
class FuncTier:
    """One function of an instance: `status` is "compiled", "machine", "debugger" or "host";
    `reason` says why it stays on the machine (for "compiled", a note or None); `made`: the
    compiled tier has made this function's form (a call in run mode reached it); `name`: the
    instance's module's name for it; `imported`: for an imported function, its own name (the
    host's `spectest.print_i32`, another module's `fib`), else None."""

    index: int
    name: str
    status: str
    reason: str | None
    made: bool
    imported: str | None

    @property
    def why(self) -> str:
        """`reason` in words ("" when there is none): an instruction the translator does not
        do is named with its proposal; an imported function says what it is."""
        r = self.reason or ""
        op = BY_NAME.get(r)
        if op is not None:
            proposal = f" ({op.feature})" if op.feature != "mvp" else ""
            r = f"{r}{proposal}: an instruction the compiled tier does not translate"
        if self.imported is not None:
            r = f"imports {self.imported}" + (f"; {r}" if r else "")
        return r

    @property
    def runs(self) -> str:
        """The status in words: "compiled", "compiled (not run yet)", "machine", ..."""
        if self.status == "compiled" and not self.made:
            return "compiled (not run yet)"
        return self.status


@dataclass(frozen=True)
class TierReport:
    """The tier setting (`fast.TIER`: "auto", "fast" or "machine") and each function of an
    instance, imported ones first (by function index)."""

    setting: str
    funcs: tuple[FuncTier, ...]

    def __iter__(self) -> Iterator[FuncTier]:
        return iter(self.funcs)

    def __len__(self) -> int:
        return len(self.funcs)

    def __getitem__(self, key: int | str) -> FuncTier:
        """A function by index, or by name (`fib`, `$fib`)."""
        if isinstance(key, int):
            return self.funcs[key]
        for f in self.funcs:
            if key in (f.name, f"${f.name}") or f.name == key.lstrip("$"):
                return f
        raise KeyError(key)

    def counts(self) -> dict[str, int]:
        """How many functions have each status (every status, 0 included)."""
        c = Counter(f.status for f in self.funcs)
        return {s: c[s] for s in STATUSES}

    def summary(self) -> str:
        """One line: the setting and how many bodies run compiled and on the machine."""
        c = self.counts()
        kept = c["machine"] + c["debugger"]
        parts = [f"{c['compiled']} function bod{'y' if c['compiled'] == 1 else 'ies'} run compiled",
                 f"{kept} on the machine" + (f" ({c['debugger']} for the debugger)" if c["debugger"] else "")]  # fmt: skip
        if c["host"]:
            parts.append(f"{c['host']} host function{'s' * (c['host'] != 1)}")
        return f"tier {self.setting}: " + ", ".join(parts)

    def rows(self) -> list[tuple[int, str, str, str]]:
        """(index, name, where it runs, why) for each function: a table's rows."""
        return [(f.index, f.name, f.runs, f.why) for f in self.funcs]

    def __str__(self) -> str:
        rows = [("index", "function", "runs", "why"), *((str(i), n, r, w) for i, n, r, w in self.rows())]
        widths = [max(len(r[k]) for r in rows) for k in range(3)]
        lines = [
            "  ".join(v.ljust(w) for v, w in zip(r[:3], widths)) + ("  " + r[3] if r[3] else "") for r in rows
        ]
        return "\n".join([self.summary(), *(ln.rstrip() for ln in lines)])


def func_tier(f: FuncInst, index: int, name: str, imported: bool) -> FuncTier:
    status, reason = fast.tier_of(f)
    made = status == "compiled" and (f.compiled is not None or f.free is not None)
    return FuncTier(index, name, status, reason, made, f.name if imported else None)


def report(inst: ModuleInst) -> TierReport:
    """Where each function of `inst` runs (see the module's docstring)."""
    names = inst.module.func_name
    funcs = tuple(func_tier(f, i, names(i), f.module is not inst) for i, f in enumerate(inst.funcs))
    return TierReport(fast.TIER, funcs)


__all__ = ["STATUSES", "FuncTier", "TierReport", "func_tier", "report"]
