"""The front ends' import rule, read from the source with `ast` (lazy imports inside functions
count): kernel/ and wasmlab/cli.py import only package roots of wasmlab, never
`wasmlab.exec` or `wasmlab.linking`, never a private name; kernel/ and wasmlab/script/ have
no import cycle among their modules."""

from __future__ import annotations

import ast
from pathlib import Path

ROOT = Path(__file__).resolve().parents[2]

#: the public surface a front end may import from
PUBLIC = {
    "wasmlab", "wasmlab.api", "wasmlab.errors", "wasmlab.debug", "wasmlab.syntax", "wasmlab.text",
    "wasmlab.binary", "wasmlab.valid", "wasmlab.viz", "wasmlab.wasi", "wasmlab.script",
}  # fmt: skip

#: cli.py's imports that belong to other slices of the redesign (the trace command, `lab`)
CLI_LEFT = {"wasmlab.debug.trace", "wasmlab.lab"}


def imports(path: Path, package: str) -> list[tuple[int, str, list[str]]]:
    """(line, absolute module, imported names) for every import statement of a file."""
    here = package.split(".")
    out = []
    for node in ast.walk(ast.parse(path.read_text(encoding="utf-8"))):
        if isinstance(node, ast.Import):
            out.extend((node.lineno, a.name, []) for a in node.names)
        elif isinstance(node, ast.ImportFrom):
            if node.level:
                base = here[: len(here) - (node.level - 1)]
                module = ".".join([*base, *([node.module] if node.module else [])])
            else:
                module = node.module or ""
            out.append((node.lineno, module, [a.name for a in node.names]))
    return out


def bad_imports(path: Path, package: str, own: str, allowed: set[str]) -> list[str]:
    bad = []
    for line, module, names in imports(path, package):
        if not module.startswith("wasmlab") or module.startswith(own):
            continue
        private = [n for n in names if n.startswith("_") and not n.startswith("__")]
        if module not in allowed or private:
            bad.append(f"{path.relative_to(ROOT)}:{line}: {module} {names}")
    return bad


def test_kernel_imports_only_package_roots() -> None:
    bad = []
    for path in sorted((ROOT / "kernel").glob("*.py")):
        bad += bad_imports(path, "wasmlab.kernel", "wasmlab.kernel", PUBLIC | {"wasmlab.widgets"})
    assert bad == []


def test_cli_imports_only_package_roots() -> None:
    path = ROOT / "wasmlab" / "cli.py"
    assert bad_imports(path, "wasmlab", "wasmlab.cli", PUBLIC | CLI_LEFT) == []


def cycles(folder: Path, package: str) -> list[list[str]]:
    modules = {p.stem: p for p in folder.glob("*.py") if p.stem != "__init__"}
    graph: dict[str, set[str]] = {}
    for name, path in modules.items():
        deps = set()
        for _, module, names in imports(path, package):
            if module == package:  # `from . import x`
                deps.update(n for n in names if n in modules)
            elif module.startswith(package + "."):
                deps.add(module[len(package) + 1 :].split(".")[0])
        graph[name] = deps - {name}
    found = []

    def walk(node: str, path: list[str]) -> None:
        for dep in sorted(graph.get(node, ())):
            if dep in path:
                found.append([*path[path.index(dep) :], dep])
            else:
                walk(dep, [*path, dep])

    for name in sorted(graph):
        walk(name, [name])
    return found


def test_no_import_cycle_in_kernel_or_script() -> None:
    assert cycles(ROOT / "kernel", "wasmlab.kernel") == []
    assert cycles(ROOT / "wasmlab" / "script", "wasmlab.script") == []
