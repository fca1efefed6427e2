"""`%tier`: where the functions of the workspace's modules run (`Instance.tiers()`).

`%tier` shows the latest module's functions, `%tier $fib` one module's, `%tier all` every
module's: each function runs as compiled code, stays on the machine (with the reason: the tier
setting, an instruction the compiled tier does not translate), is held on the machine by the
debugger (a breakpoint or watchpoint) or is a host function. The caption says the tier setting
(WASMLAB_TIER) and how many function bodies run compiled and on the machine. Asking runs
nothing and changes nothing."""

from __future__ import annotations

from typing import Any

from wasmlab import tier_setting

from .outputs import table_output, text_output
from .registry import Emit, UsageError, command
from .workspace import Workspace


@command("tier", "%tier [$MODULE ... | all]",
         "where each function runs: compiled, on the machine (and why), held by the debugger, or host "
         "(the latest module's, the named modules' or all of them; the caption: the tier setting, "
         "WASMLAB_TIER, and the counts)",
         "modules", args="module")  # fmt: skip
def cmd_tier(ws: Workspace, args: list[str], emit: Emit) -> None:
    if args == ["all"]:
        entries = list(ws.entries.values())
    elif args:
        bad = [a for a in args if not a.startswith("$") or a == "$"]
        if bad:
            raise UsageError(f"name modules as $NAME, or say all; not {bad[0]!r}")
        entries = []
        for a in args:
            e = ws.entry(a)  # (an unknown name: NoModule)
            if not any(e is seen for seen in entries):
                entries.append(e)
    else:
        entries = [] if ws.current is None else [ws.current]
    if not entries:
        emit(text_output(f"tier {tier_setting()}: no module yet; %tier shows where a module's functions run"))
        return
    reports = [(e, ws.instance(e).tiers()) for e in entries]
    several = len(reports) > 1
    rows: list[tuple[Any, ...]] = []
    for e, report in reports:
        for index, name, runs, why in report.rows():
            rows.append(((e.label,) if several else ()) + (index, name, runs, why))
    headers = (["module"] if several else []) + ["index", "function", "runs", "why"]
    caption = _caption(reports[0][1].setting, [r for _, r in reports])
    if not several:
        caption += f" ({reports[0][0].label})"
    emit(table_output(headers, rows, caption=caption))


def _caption(setting: str, reports: list[Any]) -> str:
    totals = {"compiled": 0, "machine": 0, "debugger": 0, "host": 0}
    for r in reports:
        for k, v in r.counts().items():
            totals[k] = totals.get(k, 0) + v
    kept = totals["machine"] + totals["debugger"]
    text = (f"tier {setting} (WASMLAB_TIER): {totals['compiled']} function bod{'y' if totals['compiled'] == 1 else 'ies'} "
            f"run compiled, {kept} on the machine")  # fmt: skip
    if totals["debugger"]:
        text += f" ({totals['debugger']} held by the debugger)"
    if totals["host"]:
        text += f", {totals['host']} host function{'s' * (totals['host'] != 1)}"
    return text


__all__ = ["cmd_tier"]
