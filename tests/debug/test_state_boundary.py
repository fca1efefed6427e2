"""The machine's state is read through its views: nothing outside `wasmlab/exec/` reads a
private attribute of a `Machine` (its activation lists `_frames`, `_host_entry`, ...), and
the front ends (kernel, widgets, CLI) never reach for a session's machine at all."""

from __future__ import annotations

import ast
from collections.abc import Iterator
from pathlib import Path

import pytest

import wasmlab
from wasmlab.exec.machine import Machine

ROOT = Path(__file__).resolve().parents[2]
PACKAGE = ROOT / "wasmlab"
FRONT_ENDS = [ROOT / "kernel", ROOT / "widgets", PACKAGE / "cli.py"]

#: names a machine usually goes by; reading any `_name` through them is reaching inside
MACHINE_NAMES = {"m", "machine", "last_machine", "mach"}


def _machine_private_names() -> set[str]:
    m = wasmlab.load('(module (func (export "f")))').machine("f")
    names = set(vars(Machine)) | set(vars(m))
    return {n for n in names if n.startswith("_") and not n.startswith("__")}


PRIVATE = _machine_private_names()


def _sources(*places: Path) -> Iterator[Path]:
    for place in places:
        if place.is_file():
            yield place
            continue
        for path in sorted(place.rglob("*.py")):
            if "__pycache__" not in path.parts:
                yield path


def _outside_exec() -> Iterator[Path]:
    for path in _sources(PACKAGE, ROOT / "kernel", ROOT / "widgets"):
        if (PACKAGE / "exec") not in path.parents:
            yield path


def _base_name(node: ast.expr) -> str | None:
    """`m` for `m._frames`, `machine` for `s.machine._frames`."""
    if isinstance(node, ast.Name):
        return node.id
    if isinstance(node, ast.Attribute):
        return node.attr
    return None


def _private_reads(tree: ast.AST) -> Iterator[tuple[int, str]]:
    for node in ast.walk(tree):
        if isinstance(node, ast.Attribute):
            attr = node.attr
            if not attr.startswith("_") or attr.startswith("__"):
                continue
            base = _base_name(node.value)
            if base in ("self", "cls"):  # a class's own members
                continue
            if attr in PRIVATE or base in MACHINE_NAMES:
                yield node.lineno, f"{base}.{attr}"
        elif (
            isinstance(node, ast.Call)
            and isinstance(node.func, ast.Name)
            and node.func.id in ("getattr", "setattr", "hasattr")
            and len(node.args) >= 2
            and isinstance(node.args[1], ast.Constant)
            and node.args[1].value in PRIVATE
        ):
            yield node.lineno, f"{node.func.id}(..., {node.args[1].value!r})"


def test_the_machine_has_the_private_state_this_test_looks_for() -> None:
    assert {"_frames", "_host_entry"} <= PRIVATE


def test_the_walker_catches_what_it_should() -> None:
    bad = """
fr = s.machine._frames[-1]
h = m._host_entry
x = getattr(machine, "_frames", None)
session.machine._execute(3)
"""
    assert sorted(line for line, _ in _private_reads(ast.parse(bad))) == [2, 3, 4, 5]
    assert not list(_private_reads(ast.parse("fr = s.machine.frame\nself._frames_cache = 1\n")))


def test_nothing_outside_exec_reads_machine_internals() -> None:
    found = []
    for path in _outside_exec():
        for line, what in _private_reads(ast.parse(path.read_text(), str(path))):
            found.append(f"{path.relative_to(ROOT)}:{line}: {what}")
    assert not found, "machine internals read outside wasmlab/exec/:\n" + "\n".join(sorted(found))


def _machine_reads(tree: ast.AST) -> Iterator[int]:
    """`.machine` read as a value (a session's machine); `x.machine(...)`, the public API's
    way to make a machine for a call, is a call, not a read of a session's state."""
    called = {id(n.func) for n in ast.walk(tree) if isinstance(n, ast.Call)}
    for node in ast.walk(tree):
        if isinstance(node, ast.Attribute) and node.attr == "machine" and id(node) not in called:
            yield node.lineno
        elif (
            isinstance(node, ast.Call)
            and isinstance(node.func, ast.Name)
            and node.func.id == "getattr"
            and len(node.args) >= 2
            and isinstance(node.args[1], ast.Constant)
            and node.args[1].value == "machine"
        ):
            yield node.lineno


def test_the_machine_read_walker() -> None:
    code = "a = session.machine.frame\nb = inst.func('_start').machine(depth_limit=3)\nc = getattr(s, 'machine')\n"
    assert sorted(_machine_reads(ast.parse(code))) == [1, 3]


@pytest.mark.parametrize("place", FRONT_ENDS, ids=lambda p: str(p.relative_to(ROOT)))
def test_front_ends_never_read_a_sessions_machine(place: Path) -> None:
    found = [
        f"{path.relative_to(ROOT)}:{line}"
        for path in _sources(place)
        for line in _machine_reads(ast.parse(path.read_text(), str(path)))
    ]
    assert not found, (
        "front ends read `.machine` (use Session.position, result, finished ...):\n" + "\n".join(found)
    )
