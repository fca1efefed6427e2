"""Pictures of module linking: the initializer graph and the TypeTables of a 3-level nested
module, rendered to SVG with graphviz-pure's `dot` (no system Graphviz needed)."""

from __future__ import annotations

import sys
from pathlib import Path

import pytest

import wasmlab
from tests.conftest import skip_or_fail
from tests.linking.test_instantiate import THREE_LEVELS
from wasmlab.viz import graph_for, kinds
from wasmlab.viz import render as R


@pytest.fixture
def pure_dot(monkeypatch: pytest.MonkeyPatch) -> str:
    """Make rendering use graphviz-pure's `dot`, whatever else is installed."""
    import shutil

    found = shutil.which("graphviz-pure") or shutil.which(
        "graphviz-pure", path=str(Path(sys.executable).parent)
    )
    if not found:
        skip_or_fail("graphviz-pure is not installed (pip install graphviz-pure)")
    monkeypatch.setenv("WASMLAB_DOT", found)
    monkeypatch.setattr(R, "_found", None)
    return found  # type: ignore[return-value]


def test_initializer_graph_of_three_levels_as_svg(pure_dot: str) -> None:
    module = wasmlab.parse(THREE_LEVELS)
    g = wasmlab.graph(module, "initializers")
    source = g.source
    for cluster in ("cluster_m0", "cluster_m1", "cluster_m2", "cluster_m3"):
        assert cluster in source
    assert "instantiate module" in source and "alias instance" in source and 'import \\"host\\"' in source
    assert "-> m2_anchor" in source and "lhead=cluster_m2" in source  # define -> nested cluster
    svg = g._repr_svg_()
    assert svg.startswith("<svg") and "module (top)/$outer/$inner" in svg
    assert g._repr_mimebundle_() == {"image/svg+xml": svg}


def test_type_tables_of_three_levels_as_html_and_svg(pure_dot: str) -> None:
    module = wasmlab.parse(THREE_LEVELS)
    tables = wasmlab.type_tables(module)
    html = tables._repr_html_()
    assert html.startswith("<table") and html.count("<tr>") == len(tables) + 1
    svg = wasmlab.graph(module, "types")._repr_svg_()
    assert "sig0" in svg and "inst0" in svg and "mod0" in svg
    g = graph_for(module, "types")
    assert "module (top)/$outer/$inner/$leaf" in g._repr_svg_()


def test_the_graph_kinds_are_registered() -> None:
    graph_for(wasmlab.parse("(module)"), "initializers")
    graph_for(wasmlab.parse("(module)"), "types")
    assert {"initializers", "types"} <= set(kinds())


def test_graphs_of_instances_and_module_values(pure_dot: str) -> None:
    inst = wasmlab.load(THREE_LEVELS, {"host": {"base": wasmlab.Global(value=0)}})
    assert "cluster_m3" in graph_for(inst, "initializers").source
    inner = inst.exports["o"].exports["inner"]
    g = inner.initializer_graph()  # its own cluster and what is nested in it
    assert "cluster_m2" in g.source and "cluster_m0" not in g.source


def test_cli_graph_writes_svg(pure_dot: str, tmp_path: Path) -> None:
    from wasmlab.cli import main

    src = tmp_path / "linked.wat"
    src.write_text(THREE_LEVELS)
    for flag, name in (("--initializers", "init.svg"), ("--types", "types.svg")):
        out = tmp_path / name
        assert main(["graph", flag, str(src), "-o", str(out)]) == 0
        assert out.read_text().lstrip().startswith(("<?xml", "<svg"))
