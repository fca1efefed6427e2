"""The table of `%` commands (name, aliases, usage, help) and `run_magic`, which runs one `%`
line through it. `commands` and `debugcmds` fill the table when the package is imported; this
module imports neither, so nothing here goes round in a circle."""

from __future__ import annotations

import shlex
from collections.abc import Callable
from dataclasses import dataclass, field
from typing import Any

from wasmlab.errors import WasmError

from .outputs import CellError, Output, describe_error

Emit = Callable[[Output], None]
Handler = Callable[[Any, list[str], Emit], None]  # (the kernel's Workspace, arguments, emit)


@dataclass
class Command:
    name: str
    handler: Handler
    usage: str
    help: str
    group: str
    aliases: tuple[str, ...] = ()
    args: str = ""  # what the first argument completes to: "module", "export", "graph", "file", ""
    more: list[str] = field(default_factory=list)


COMMANDS: dict[str, Command] = {}
BY_ALIAS: dict[str, Command] = {}


def command(name: str, usage: str, help: str, group: str, aliases: tuple[str, ...] = (),
            args: str = "") -> Callable[[Handler], Handler]:  # fmt: skip
    def deco(fn: Handler) -> Handler:
        cmd = Command(name, fn, usage, help, group, aliases, args)
        COMMANDS[name] = cmd
        for a in (name, *aliases):
            BY_ALIAS[a] = cmd
        return fn

    return deco


def lookup(name: str) -> Command | None:
    return BY_ALIAS.get(name)


def all_names() -> list[str]:
    return sorted(BY_ALIAS)


class UsageError(Exception):
    pass


def split_args(text: str) -> list[str]:
    try:
        return shlex.split(text, comments=False, posix=True)
    except ValueError as e:
        raise CellError("UsageError", str(e), [f"cannot read the arguments: {e}"]) from None


def need_int(text: str, what: str) -> int:
    try:
        return int(text.replace("_", ""), 0)
    except ValueError:
        raise UsageError(f"{what} must be a number, not {text!r}") from None


def run_magic(ws: Any, line: str, emit: Emit) -> None:
    body = line.strip()[1:]
    name, _, rest = body.partition(" ")
    name = name.strip()
    cmd = lookup(name)
    if cmd is None:
        from difflib import get_close_matches

        close = get_close_matches(name, all_names(), n=3)
        hint = f" (did you mean {', '.join('%' + c for c in close)}?)" if close else ""
        raise CellError("UnknownCommand", f"%{name}", [f"unknown command %{name}{hint}; %help lists them"])
    args = split_args(rest)
    try:
        cmd.handler(ws, args, emit)
    except CellError:
        raise
    except UsageError as e:
        raise CellError("UsageError", str(e), [f"{e}", f"usage: {cmd.usage}"]) from None
    except WasmError as e:
        raise describe_error(e) from None


__all__ = [
    "BY_ALIAS", "COMMANDS", "Command", "Emit", "Handler", "UsageError", "all_names", "command", "lookup",
    "need_int", "run_magic", "split_args",
]  # fmt: skip
