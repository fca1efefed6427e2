"""Graph builders: the call graph (direct and table edges), control-flow graphs, the kind
registry, instruction labels and SVG rendering."""

from __future__ import annotations

import pytest

import wasmlab
from wasmlab.errors import WasmError
from wasmlab.syntax.module import Instr
from wasmlab.syntax.opcodes import BY_NAME
from wasmlab.viz import GraphUnavailable, graph_for, kinds, register
from wasmlab.viz.calls import call_edges, table_candidates
from wasmlab.viz.cfg import EXIT, TRAP, basic_blocks, cfg_graph, resolve_func
from wasmlab.viz.instr import instr_text
from wasmlab.viz.render import dot_program, render, render_svg

CALLS = """(module
  (type $unop (func (param i32) (result i32)))
  (type $nop (func))
  (import "env" "log" (func $log (param i32)))
  (table 4 funcref)
  (elem (i32.const 0) $inc $dec $other)
  (elem declare func $late)
  (func $inc (type $unop) (i32.add (local.get 0) (i32.const 1)))
  (func $dec (type $unop) (i32.sub (local.get 0) (i32.const 1)))
  (func $other (type $nop))
  (func $late (type $unop) (local.get 0))
  (func $main (export "main") (param i32) (result i32)
    (call $log (local.get 0))
    (call_indirect (type $unop) (local.get 0) (i32.const 1)))
  (start $other))"""


def module(text: str) -> wasmlab.syntax.Module:
    return wasmlab.parse(text)


def test_call_edges_direct_and_through_the_table() -> None:
    m = module(CALLS)
    edges = call_edges(m)
    # funcs: 0 log (import), 1 inc, 2 dec, 3 other, 4 late, 5 main
    assert (5, 0, "call") in edges
    indirect = sorted(c for a, c, k in edges if k == "indirect:0")
    assert indirect == [1, 2]  # $other has the wrong type; $late is never put in the table
    assert table_candidates(m)[0] == {1, 2, 3}


def test_table_set_and_imported_tables_widen_the_candidates() -> None:
    m = module("""(module
      (import "env" "t" (table 1 funcref))
      (type $t (func))
      (elem declare func $a)
      (func $a (type $t))
      (func (export "go") (table.set 0 (i32.const 0) (ref.func $a)) (call_indirect (type $t) (i32.const 0))))""")
    edges = call_edges(m)
    assert (1, 0, "indirect:0") in edges and (1, "unknown:0", "indirect:0") in edges
    src = graph_for(m, "calls").source
    assert "contents unknown" in src and "style=dashed" in src


def test_call_graph_nodes() -> None:
    src = graph_for(module(CALLS), "calls").source
    assert "env.log" in src and "(start)" in src and "penwidth=2" in src
    assert 'label="table 0"' in src


def _blocks(body_text: str) -> list:
    m = module(f'(module (func (export "f") (param i32) (result i32) {body_text}))')
    return basic_blocks(m.funcs[0].body)


def test_cfg_if_else() -> None:
    blocks = _blocks("(if (result i32) (local.get 0) (then (i32.const 1)) (else (i32.const 2)))")
    # [local.get, if] [i32.const 1, else] [i32.const 2] [end, end]
    assert [(b.start, b.end) for b in blocks] == [(0, 2), (2, 4), (4, 5), (5, 7)]
    assert blocks[0].succ == [(2, "then"), (4, "else")]
    assert blocks[1].succ == [(5, "")] and blocks[2].succ == [(5, "")] and blocks[3].succ == [(EXIT, "")]


def test_cfg_loop_br_if_and_br_table() -> None:
    blocks = _blocks("""(block $out (loop $top
        (br_if $out (i32.eqz (local.get 0)))
        (local.set 0 (i32.sub (local.get 0) (i32.const 1)))
        (br $top)))
      (block $a (block $b (br_table $a $b $a (local.get 0))) (return (i32.const 7)))
      (unreachable)""")
    by_start = {b.start: b for b in blocks}
    loop_head = 2  # block, loop | local.get ...
    assert by_start[0].succ == [(loop_head, "")]
    brif = next(b for b in blocks if b.succ and b.succ[0][1] == "br_if")
    assert brif.start == loop_head
    back = next(b for b in blocks if any(label == "br" for _, label in b.succ))
    assert back.succ == [(loop_head, "br")]
    table = next(
        b for b in blocks if any(label.startswith("case") or label == "default" for _, label in b.succ)
    )
    assert {label for _, label in table.succ} == {"case 0,default", "case 1"}
    assert any(t == EXIT and label == "return" for b in blocks for t, label in b.succ)
    assert any(t == TRAP for b in blocks for t, _ in b.succ)


def test_cfg_graph_highlight_and_dead_code() -> None:
    m = module(
        '(module (func (export "f") (result i32) (return (i32.const 1)) (drop (i32.const 2)) (i32.const 3)))'
    )
    g = cfg_graph(m, "f", current_pc=0)
    assert "fillcolor=lightyellow" in g.source and "gray60" in g.source  # current block, dead block
    assert "entry -> b0" in g.source and "-> exit" in g.source


def test_resolve_func() -> None:
    m = module(CALLS)
    assert resolve_func(m, None) == 5  # the first exported function
    assert (
        resolve_func(m, "$inc") == 1 == resolve_func(m, "inc") == resolve_func(m, 1) == resolve_func(m, "1")
    )
    assert resolve_func(m, "main") == 5 and resolve_func(m, "func[2]") == 2
    with pytest.raises(WasmError, match="no function named"):
        resolve_func(m, "nope")
    with pytest.raises(WasmError, match="no function 99"):
        resolve_func(m, 99)
    with pytest.raises(WasmError, match="imported"):
        cfg_graph(m, "$log")
    with pytest.raises(WasmError, match="defines no function"):
        resolve_func(module("(module)"), None)


def test_registry() -> None:
    assert {"calls", "cfg"} <= set(kinds())
    with pytest.raises(GraphUnavailable, match="not available yet"):
        graph_for(module(CALLS), "no-such-kind")
    register("test-kind", lambda m, func: f"graph of {len(m.funcs)} funcs {func}", "a test")
    try:
        assert graph_for(module(CALLS), "test-kind", func="x") == "graph of 5 funcs x"
        inst = wasmlab.load("(module (func) (func))")
        assert graph_for(inst, "test-kind") == "graph of 2 funcs None"  # an Instance: its module
    finally:
        from wasmlab import viz

        viz._BUILDERS.pop("test-kind")


@pytest.mark.parametrize(
    ("name", "imm", "text"),
    [
        ("i32.const", 0xFFFFFFFF, "i32.const -1"),
        ("i64.const", 5, "i64.const 5"),
        ("f32.const", 0x3FC00000, "f32.const 1.5"),
        ("f64.const", 0x7FF8000000000001, "f64.const nan:0x8000000000001"),
        ("f32.const", 0x7F800000, "f32.const inf"),
        ("i32.load", (2, 8, 0), "i32.load offset=8"),
        ("i32.load", (0, 0, 0), "i32.load align=1"),
        ("br_table", ((0, 1), 2), "br_table 0 1 2"),
        ("call_indirect", (3, 0), "call_indirect (type 3)"),
        ("call_indirect", (3, 1), "call_indirect 1 (type 3)"),
        ("block", None, "block"),
        ("memory.size", 0, "memory.size"),
        ("table.copy", (1, 2), "table.copy 1 2"),
        ("table.init", (4, 1), "table.init 1 4"),
        ("v128.const", bytes(range(16)), "v128.const i32x4 0x03020100 0x07060504 0x0b0a0908 0x0f0e0d0c"),
        ("i8x16.shuffle", bytes(range(16)), "i8x16.shuffle 0 1 2 3 4 5 6 7 8 9 10 11 12 13 14 15"),
        ("ref.null", wasmlab.syntax.ValType.EXTERNREF, "ref.null extern"),
        ("local.get", "weird", "local.get weird"),
    ],
)
def test_instr_text(name: str, imm: object, text: str) -> None:
    assert instr_text(Instr(BY_NAME[name], imm)) == text


def test_instr_text_with_names() -> None:
    m = module(CALLS)
    main = m.funcs[-1]
    assert instr_text(main.body[1], m, 5) == "call $log"


def test_render_svg() -> None:
    assert dot_program() is not None, "no dot program: graphviz-pure is a dependency"
    svg = render_svg(graph_for(module(CALLS), "calls"))
    assert svg.startswith("<svg") and "inc" in svg
    assert render("digraph { a -> b }", "svg").lstrip().startswith(b"<?xml") or b"<svg" in render(
        "digraph { a }"
    )


def test_render_errors(monkeypatch: pytest.MonkeyPatch) -> None:
    with pytest.raises(WasmError, match="graph layout failed"):
        render("digraph { a -> }")
    monkeypatch.setenv("WASMLAB_DOT", "/nonexistent/dot")
    with pytest.raises(WasmError, match="cannot run"):
        render("digraph { a }")


def test_tail_calls_in_the_call_graph_and_cfg() -> None:
    from tests.exec.test_tail_call import EVEN_ODD

    m = wasmlab.parse(EVEN_ODD, features="tail-call")
    edges = call_edges(m)
    assert (0, 1, "tail") in edges and (1, 0, "tail") in edges
    assert (9, 6, "tail-indirect:0") in edges and (9, 7, "tail-indirect:0") in edges
    assert 'label="tail, table 0"' in graph_for(m, "calls").source
    blocks = basic_blocks(m.funcs[0].body)
    assert any(label == "tail call" for b in blocks for _, label in b.succ)
