"""The house's layers as tests: the import-linter contracts of pyproject.toml hold, no import
cycle runs between two packages of wasmlab (checked here on the import graph itself, lazy
imports inside functions included), and the front ends use no private name of the API."""

from __future__ import annotations

import ast
import tomllib
from pathlib import Path

import grimp
import pytest

ROOT = Path(__file__).resolve().parents[2]
FRONT_ENDS = ("wasmlab/kernel", "wasmlab/widgets", "wasmlab/cli.py")


def contracts() -> list[dict]:
    return tomllib.loads((ROOT / "pyproject.toml").read_text())["tool"]["importlinter"]["contracts"]


def test_the_contracts_hold() -> None:
    from importlinter.cli import lint_imports

    assert {c["id"] for c in contracts()} >= {"layers", "acyclic", "front-ends"}
    assert lint_imports(config_filename=str(ROOT / "pyproject.toml"), no_cache=True) == 0


def package_graph() -> dict[str, set[str]]:
    """wasmlab's packages (and top-level modules) and which of them each imports."""
    graph = grimp.build_graph("wasmlab", cache_dir=None)
    edges: dict[str, set[str]] = {}
    for module in graph.modules:
        if module == "wasmlab":
            continue
        src = module.split(".")[1]
        for imported in graph.find_modules_directly_imported_by(module):
            parts = imported.split(".")
            if len(parts) > 1 and parts[1] != src:
                edges.setdefault(src, set()).add(parts[1])
    return edges


def find_cycle(edges: dict[str, set[str]]) -> list[str] | None:
    state: dict[str, int] = {}  # 1: on the current path, 2: done
    path: list[str] = []

    def visit(node: str) -> list[str] | None:
        state[node] = 1
        path.append(node)
        for nxt in sorted(edges.get(node, ())):
            if state.get(nxt) == 1:
                return path[path.index(nxt) :] + [nxt]
            if nxt not in state and (found := visit(nxt)):
                return found
        path.pop()
        state[node] = 2
        return None

    for node in sorted(edges):
        if node not in state and (found := visit(node)):
            return found
    return None


def test_no_import_cycle_spans_two_packages() -> None:
    edges = package_graph()
    assert {"syntax", "exec", "debug", "kernel", "widgets"} <= set(edges) | {"syntax"}
    cycle = find_cycle(edges)
    assert cycle is None, "an import cycle between packages: " + " -> ".join(cycle or [])


def test_the_cycle_finder_finds_cycles() -> None:
    assert find_cycle({"a": {"b"}, "b": {"c"}, "c": {"a"}}) == ["a", "b", "c", "a"]
    assert find_cycle({"a": {"b"}, "b": {"c"}}) is None


def test_the_layers_name_every_package() -> None:
    (layers,) = [c for c in contracts() if c["id"] == "layers"]
    named = {name.strip() for layer in layers["layers"] for name in layer.split("|")}
    found = {p.name for p in (ROOT / "wasmlab").iterdir() if (p / "__init__.py").exists()}
    found |= {p.stem for p in (ROOT / "wasmlab").glob("*.py") if p.stem != "__init__"}
    assert found == named


def private_api_uses(source: str) -> list[str]:
    """Names starting with `_` taken from wasmlab.api (imported, or read as `api._x`)."""
    out = []
    for node in ast.walk(ast.parse(source)):
        if isinstance(node, ast.ImportFrom) and (node.module or "").endswith("api"):
            out += [a.name for a in node.names if a.name.startswith("_")]
        elif isinstance(node, ast.Attribute) and node.attr.startswith("_") and not node.attr.startswith("__"):
            if isinstance(node.value, ast.Name) and node.value.id == "api":
                out.append(f"api.{node.attr}")
    return out


@pytest.mark.parametrize("place", FRONT_ENDS)
def test_front_ends_use_no_private_name_of_the_api(place: str) -> None:
    path = ROOT / place
    files = [path] if path.is_file() else sorted(path.rglob("*.py"))
    found = {str(f.relative_to(ROOT)): private_api_uses(f.read_text()) for f in files}
    assert not {f: names for f, names in found.items() if names}


def test_the_private_name_check_sees_both_forms() -> None:
    assert private_api_uses("from wasmlab.api import _resolver, load\napi._x(1)") == ["_resolver", "api._x"]
