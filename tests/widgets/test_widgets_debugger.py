"""The Debugger and ModuleExplorer widgets, driven as a browser would (custom messages), no browser."""

from __future__ import annotations

import json

import pytest

import wasmlab
from wasmlab.debug import debug
from wasmlab.widgets import Debugger, ModuleExplorer
from wasmlab.widgets.sources import SourceCache, _listing, source_view

SRC = """(module $w
  (memory (export "mem") 1)
  (global $g (mut i32) (i32.const 0))
  (func $fib (export "fib") (param $n i32) (result i32)
    (i32.store (i32.const 2048) (local.get $n))
    (global.set $g (local.get $n))
    (if (result i32) (i32.lt_u (local.get $n) (i32.const 2))
      (then (local.get $n))
      (else (i32.add (call $fib (i32.sub (local.get $n) (i32.const 1)))
                     (call $fib (i32.sub (local.get $n) (i32.const 2))))))))"""


@pytest.fixture
def inst() -> wasmlab.Instance:
    return wasmlab.load(SRC)


@pytest.fixture
def widget(inst: wasmlab.Instance) -> Debugger:
    return Debugger(debug(inst, "fib", 5), sources=SRC)


def click(w: Debugger, action: str, **extra: object) -> None:
    """What the browser does for a button: a custom comm message to the model."""
    w._handle_msg(
        {"content": {"data": {"method": "custom", "content": {"action": action, **extra}}}, "buffers": []}
    )


def test_initial_state(widget: Debugger) -> None:
    assert widget.position.startswith("step 0: fib+0")
    assert widget.run_state == "paused" and widget.source.startswith("(module $w")
    assert widget.current == {"line": 5, "col": 16, "end_line": 5, "end_col": 32}
    assert widget.frames[0]["function"] == "fib" and widget.frames[0]["locals"][0]["value"] == "5"
    assert widget.globals[0]["type"] == "i32" and widget.globals[0]["mutable"]
    assert widget.stack == [] and widget.mem_total == 65536 and len(widget.memory) == 256
    assert repr(widget).startswith("<Debugger fib: step 0: fib+0")


def test_a_click_advances_the_session_and_the_views(widget: Debugger) -> None:
    s = widget.session
    click(widget, "step")
    assert s.step_count == 1 and widget.position.startswith("step 1:")
    assert widget.stack == [{"type": "i32", "value": "2048", "changed": True, "owner": "fib"}]
    click(widget, "step")
    click(widget, "step")  # i32.store: memory changes
    assert s.step_count == 3
    assert (
        widget.mem_changed == [[2048, 2049]] and widget.mem_base <= 2048 < widget.mem_base + widget.mem_size
    )
    assert widget.memory[2048 - widget.mem_base] == 5 and widget.mem_focus == 2048
    click(widget, "step")
    click(widget, "step")  # global.set
    assert widget.globals[0]["value"] == "5" and widget.globals[0]["changed"]
    click(widget, "back")
    assert s.step_count == 4 and widget.globals[0]["value"] == "0"
    click(widget, "over")
    click(widget, "out")
    # wasm values as wasm writes them, said once (not "returned 5 — returned [i32 5]")
    assert widget.run_state == "returned" and widget.position.endswith(": returned [i32 5]")
    assert "—" not in widget.position and "None" not in widget.position
    assert widget.current is None
    click(widget, "reset")
    assert s.step_count == 0 and widget.current is not None
    click(widget, "continue")
    assert widget.run_state == "returned"
    click(widget, "reverse_continue")
    assert s.step_count == 0
    click(widget, "goto", n=10)
    assert s.step_count == 10


def test_errors_land_in_the_error_trait(widget: Debugger) -> None:
    click(widget, "back")
    assert "start" in widget.error or widget.error
    click(widget, "step")
    assert widget.error == ""
    click(widget, "frobnicate")
    assert "unknown action" in widget.error
    click(widget, "goto")
    assert widget.error.startswith("bad goto message")
    widget._handle_msg({"content": {"data": {"method": "custom", "content": "not a dict"}}, "buffers": []})
    assert widget.send_action("continue").kind == "returned"
    click(widget, "step")
    assert "returned" in widget.error


def test_breakpoints_from_the_gutter(widget: Debugger) -> None:
    click(widget, "toggle_break", line=7)
    assert widget.breakpoint_lines == [7] and len(widget.session.breakpoints) == 1
    click(widget, "continue")
    assert widget.current["line"] == 7 and "breakpoint" in widget.position
    click(widget, "toggle_break", line=7)
    assert widget.breakpoint_lines == [] and widget.session.breakpoints == []
    click(widget, "toggle_break", line=1)
    assert "no instruction on line 1" in widget.error


def test_printed_source_for_a_binary_module() -> None:
    inst = wasmlab.load(wasmlab.encode(wasmlab.parse(SRC)))
    w = Debugger(debug(inst, "fib", 3))
    assert "(func" in w.source and w.current is not None
    line = w.current["line"]
    assert "i32.const 2048" in w.source.splitlines()[line - 1]
    click(w, "step")
    assert w.current["line"] == line + 1
    click(w, "toggle_break", line=line + 3)  # by byte offset: a binary has no source lines
    assert w.error == "" and w.breakpoint_lines == [line + 3]
    click(w, "continue")
    assert "breakpoint" in w.position


def test_memory_window_and_selection(inst: wasmlab.Instance) -> None:
    w = Debugger(debug(inst, "fib", 5), memory_window=64, memory_base=4096, follow_memory=False)
    assert (w.mem_base, len(w.memory)) == (4096, 64)
    click(w, "memory", addr=65530)
    assert w.mem_base + len(w.memory) <= 65536 and w.mem_focus == 65530
    click(w, "memory", addr=100, size=1 << 30)
    assert w.mem_size == 1 << 20
    w.send_action("step", n=3)
    assert w.mem_changed == [[2048, 2049]]
    vals = w.selection_values(2048)
    assert vals["i32"] == 5 and vals["i64"] == 5 and vals["bytes"].startswith("05 00")
    nomem = wasmlab.load('(module (func (export "f")))')
    w2 = Debugger(debug(nomem, "f"))
    assert w2.memory == b"" and w2.mem_total == 0


def test_graphs(widget: Debugger) -> None:
    click(widget, "graph", kind="cfg")
    assert widget.graph_svg.startswith("<svg") and widget.error == ""
    first = widget.graph_svg
    click(widget, "step")
    assert widget.graph_svg == first  # same block: cached
    click(widget, "graph", kind="calls")
    assert widget.graph_svg.startswith("<svg") and widget.graph_svg != first
    click(widget, "graph", kind="bogus")
    assert widget.graph_kind == "none" and widget.graph_svg == ""


def test_saved_state_is_small(widget: Debugger) -> None:
    state = widget.get_state()
    # the ES module and CSS (_esm, _css) are anywidget's fixed cost; the session's state is small
    size = len(json.dumps({k: v for k, v in state.items() if k not in ("_esm", "_css", "memory")}))
    assert size < 4000, size
    assert len(widget.memory) == 256


def test_sources() -> None:
    m = wasmlab.parse(SRC)
    v = source_view(m, lambda mod: ("\n\n\n" + SRC, "cell[1]") if mod is m else None)
    assert v.original and v.first_line == 4 and v.span(0, 0) is not None
    printed = source_view(wasmlab.decode(wasmlab.encode(m)))
    assert not printed.original and printed.span(0, 0).line > 1
    assert printed.places_on_line(printed.span(0, 0).line) == [(0, 0)]
    listing = _listing(m)
    assert "i32.store" in listing.text and listing.span(0, 2).line == 4 and listing.span(9, 0) is None
    cache = SourceCache()
    assert cache.get(m) is cache.get(m)


def test_module_explorer() -> None:
    m = wasmlab.parse(SRC)
    x = ModuleExplorer(m)
    assert x.name == "$w" and {"name": "func", "count": 1} in x.sections
    assert x.functions[0]["export"] == "fib" and x.exports[0]["name"] == "mem"
    x.send_action("function", index=0)
    assert x.selected == 0 and "i32.store" in x.func_text
    x.send_action("graph", kind="calls")
    assert x.graph_svg.startswith("<svg")
    x.send_action("graph", kind="cfg")
    assert x.graph_svg.startswith("<svg")
    x.send_action("graph", kind="no-such")
    assert "not available" in x.error and x.graph_svg == ""
    x.send_action("function", index=99)
    assert "no function 99" in x.error
    x.send_action("nope")
    assert "unknown action" in x.error
    x.send_action("graph", kind="none")
    assert x.graph_svg == ""
    inst = wasmlab.load(SRC)
    assert repr(ModuleExplorer(inst, name="fibs")) == "<ModuleExplorer fibs: 1 funcs, 2 exports>"
    with pytest.raises(wasmlab.WasmError):
        ModuleExplorer(42)


def test_explorer_numbers_functions_through_module_linking_aliases() -> None:
    """An alias takes a function index before the definitions, in binary order with imports."""
    m = wasmlab.parse(
        """(module
      (module $m (func $f (export "f")))
      (instance $x (instantiate $m))
      (import "env" "g" (func $g))
      (func $mine (export "mine") (call $x.$f) (call $g)))"""
    )
    assert [type(m.func_source(i)).__name__ for i in range(3)] == ["Alias", "Import", "Func"]
    e = ModuleExplorer(m)
    assert [(f["imported"], f["size"]) for f in e.functions] == [(True, 0), (True, 0), (False, 3)]
    e.show_function(0)
    assert e.func_text.startswith("(an alias of export 0 of instance 0)")
    e.show_function(1)
    assert e.func_text.startswith("(import 'env' 'g')")
    e.show_function(2)
    assert "call $x.$f" in e.func_text


def test_the_widget_follows_moves_made_from_python(inst: wasmlab.Instance) -> None:
    """A `Debugger(s)` follows its Session whoever moves it (issue 13, defect 8)."""
    s = debug(inst, "fib", 5)
    w = Debugger(s, sources=SRC)
    seen: list = []
    stop_watching = s.on_move(seen.append)
    s.step(3)
    assert w.position.startswith("step 3:") and w.mem_changed == [[2048, 2049]]
    stop = s.continue_()
    assert seen[-1] is stop and len(seen) == 2
    assert w.run_state == "returned" and w.position == f"step {s.step_count}: returned [i32 5]"
    s.back(1)
    assert w.position.startswith(f"step {s.step_count}:") and "went back 1 instruction" in w.position
    stop_watching()
    s.goto(0)
    assert len(seen) == 3 and w.position.startswith("step 0:")
    w.close()
    s.step()  # a closed widget is no longer told
    assert w.position.startswith("step 0:")


def test_status_line_has_no_python_reprs(inst: wasmlab.Instance) -> None:
    """'returned None — returned []' / 'returned 49 — returned [i32 49]' (defect 5)."""
    void = wasmlab.load('(module (func (export "nop") nop))')
    w = Debugger(debug(void, "nop"))
    click(w, "continue")
    assert w.position == "step 2: returned []", w.position
    w = Debugger(debug(inst, "fib", 3), sources=SRC)
    click(w, "continue")
    assert w.position.endswith(": returned [i32 2]") and "—" not in w.position, w.position


def test_heap_graph_follows_the_moves() -> None:
    from tests.debug.test_gc_heap import LIST

    w = Debugger(debug(wasmlab.load(LIST, features="all"), "build", 4))
    click(w, "graph", kind="heap")
    assert w.graph_kind == "heap" and w.graph_svg == ""  # nothing allocated yet
    for _ in range(60):
        click(w, "step")
    assert w.graph_svg.startswith("<svg") and "$node #" in w.graph_svg and "$vec #1" in w.graph_svg
    after = w.graph_svg
    click(w, "back")
    assert w.graph_svg.startswith("<svg") and w.graph_svg != after
