"""Run .wast scripts: the text parser's commands, translated into the runner's commands."""

from __future__ import annotations

from pathlib import Path
from typing import Any

from ..errors import ParseError
from ..syntax.features import DEFAULT
from ..syntax.types import ValType
from ..text.script import REF_PATTERNS
from .runner import Result, Runner

_LANE_TYPES = {"i8x16": "i8", "i16x8": "i16", "i32x4": "i32", "i64x2": "i64", "f32x4": "f32", "f64x2": "f64"}


def value_dict(v: tuple[str, Any]) -> dict[str, Any]:
    """A script value or result pattern in wast2json's shape (see the testsuite README)."""
    kind, payload = v
    if kind in ("i32", "i64", "f32", "f64"):
        return {"type": kind, "value": str(payload)}
    if kind == "v128":
        if isinstance(payload, (bytes, bytearray)):
            lanes = [str(int.from_bytes(payload[i : i + 4], "little")) for i in range(0, 16, 4)]
            return {"type": "v128", "lane_type": "i32", "value": lanes}
        shape, lanes = payload
        return {"type": "v128", "lane_type": _LANE_TYPES[shape], "value": [str(x) for x in lanes]}
    if kind == "ref.null":
        if payload is None or payload not in (ValType.FUNCREF, ValType.EXTERNREF):
            return {"type": "ref.null"}
        return {"type": "funcref" if payload is ValType.FUNCREF else "externref", "value": "null"}
    if kind in REF_PATTERNS:
        return {"type": "refkind", "value": kind[4:]}
    if kind in ("ref.extern", "ref.host"):
        return {"type": "externref"} if payload is None else {"type": "externref", "value": str(payload)}
    if kind == "ref.func":
        return {"type": "funcref"}
    if kind == "either":
        return {"type": "either", "options": [value_dict(x) for x in payload]}
    raise ValueError(f"unknown script value {v!r}")


def _action(a: Any) -> dict[str, Any]:
    from ..text.script import Invoke

    out: dict[str, Any] = {"field": a.field, "module": a.module}
    if isinstance(a, Invoke):
        out["type"] = "invoke"
        out["args"] = [value_dict(x) for x in a.args]
    else:
        out["type"] = "get"
    return out


def command_dict(cmd: Any) -> dict[str, Any]:
    """One text-script command as a runner command."""
    from ..text import script as S

    line = cmd.line
    if isinstance(cmd, S.ModuleCommand):
        if cmd.definition:
            return {"type": "module_definition", "line": line, "filename": cmd, "name": cmd.name}
        return {"type": "module", "line": line, "filename": cmd, "name": cmd.name}
    if isinstance(cmd, S.ModuleInstance):
        return {"type": "module_instance", "line": line, "name": cmd.name, "module": cmd.module}
    if isinstance(cmd, S.Register):
        return {"type": "register", "line": line, "as": cmd.name, "name": cmd.module}
    if isinstance(cmd, S.ActionCommand):
        return {"type": "action", "line": line, "action": _action(cmd.action)}
    if isinstance(cmd, S.AssertReturn):
        return {
            "type": "assert_return",
            "line": line,
            "action": _action(cmd.action),
            "expected": [value_dict(x) for x in cmd.expected],
        }
    if isinstance(cmd, S.AssertException):
        return {"type": "assert_exception", "line": line, "action": _action(cmd.action)}
    kinds = {
        S.AssertTrap: "assert_trap",
        S.AssertExhaustion: "assert_exhaustion",
        S.AssertInvalid: "assert_invalid",
        S.AssertMalformed: "assert_malformed",
        S.AssertInvalidCustom: "assert_invalid_custom",
        S.AssertUnlinkable: "assert_unlinkable",
        S.AssertUninstantiable: "assert_uninstantiable",
    }
    kind = kinds[type(cmd)]
    if kind in ("assert_trap", "assert_exhaustion"):
        return {"type": kind, "line": line, "action": _action(cmd.action), "text": cmd.text}
    return {"type": kind, "line": line, "filename": cmd.module, "text": cmd.text}


def split_commands(text: str) -> list[tuple[int, str]]:
    """The top-level parenthesized commands of a script, each padded with newlines so that
    it keeps its line numbers; parentheses in strings and comments do not count."""
    out: list[tuple[int, str]] = []
    i, n, depth, start = 0, len(text), 0, 0
    while i < n:
        c = text[i]
        if text.startswith(";;", i):
            j = text.find("\n", i)
            i = n if j < 0 else j
            continue
        if text.startswith("(;", i):
            nest = 0
            while i < n:
                if text.startswith("(;", i):
                    nest += 1
                    i += 2
                elif text.startswith(";)", i):
                    nest -= 1
                    i += 2
                else:
                    i += 1
                if nest == 0:
                    break
            continue
        if c == '"':
            i += 1
            while i < n and text[i] != '"':
                i += 2 if text[i] == "\\" else 1
            i += 1
            continue
        if c == "(":
            if depth == 0:
                start = i
            depth += 1
        elif c == ")" and depth > 0:
            depth -= 1
            if depth == 0:
                line = text.count("\n", 0, start) + 1
                out.append((line, "\n" * (line - 1) + text[start : i + 1]))
        i += 1
    return out


def run_wast(path: Path, **options: Any) -> Result:
    """Run a .wast file; a script that does not parse counts as one failure."""
    from ..text import parse_script

    linking = bool(options.get("module_linking"))
    runner = Runner(path.parent, path.name, module_linking=linking, features=options.get("features", DEFAULT))
    try:
        commands = parse_script(
            path.read_text(encoding="utf-8"), filename=path.name, features=runner.features
        )
    except ParseError as e:
        if not linking and not options.get("features"):
            runner.result.failed += 1
            runner.result.failures.append(f"script does not parse: {e}")
            return runner.result
        # the scripts of proposals (and of module linking) mix in other proposals: a command
        # that does not parse is one failure, the others still run
        commands = []
        for line, chunk in split_commands(path.read_text(encoding="utf-8")):
            try:
                commands.extend(parse_script(chunk, filename=path.name, features=runner.features))
            except ParseError as err:
                runner.result.failed += 1
                runner.result.failures.append(f"line {line}: command does not parse: {err.reason}")
    except (OSError, UnicodeDecodeError) as e:
        runner.result.failed += 1
        runner.result.failures.append(f"cannot read script: {e}")
        return runner.result
    for cmd in commands:
        runner.run_command(command_dict(cmd))
    return runner.result
