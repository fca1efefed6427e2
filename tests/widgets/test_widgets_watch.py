"""The Debugger widget's watch list (DevTools' watch expressions): expressions added from the
browser, re-evaluated with `Session.eval` after every move, forwards and backwards; a
mistake shows in its row, never as an error of the widget."""

from __future__ import annotations

import wasmlab
from tests.widgets.test_widgets_debugger import SRC, click
from wasmlab.debug import debug
from wasmlab.widgets import Debugger


def rows(w: Debugger) -> dict[str, tuple[str, str, bool, str]]:
    return {r["expr"]: (r["type"], r["value"], r["changed"], r["error"]) for r in w.watches}


def test_watch_list_follows_every_move() -> None:
    w = Debugger(debug(wasmlab.load(SRC), "fib", 5), sources=SRC)
    assert w.watches == []
    click(w, "add_watch", expr="$n")
    click(w, "add_watch", expr="global $g")
    click(w, "add_watch", expr="i32.load 2048")
    click(w, "add_watch", expr="$nope")
    r = rows(w)
    assert r["$n"][:2] == ("i32", "5") and r["global $g"][1] == "0" and r["i32.load 2048"][1] == "0"
    assert "unknown local $nope" in r["$nope"][3] and w.error == ""
    for _ in range(5):
        click(w, "step")
    r = rows(w)
    assert r["global $g"][1] == "5" and r["i32.load 2048"][1] == "5"
    click(w, "step")
    click(w, "back")
    assert rows(w)["global $g"][1] == "5"
    click(w, "reset")  # backwards: the values of step 0, marked as changed
    r = rows(w)
    assert r["global $g"][1:3] == ("0", True) and r["i32.load 2048"][1] == "0"
    click(w, "remove_watch", index=3)
    assert "$nope" not in rows(w) and len(w.watches) == 3


def test_watch_list_follows_a_move_made_from_python() -> None:
    s = debug(wasmlab.load(SRC), "fib", 5)
    w = Debugger(s, sources=SRC)
    w.add_watch("$n + 1")
    assert rows(w)["$n + 1"][1] == "6"
    s.break_at("fib", condition="$n == 2")
    s.continue_()
    w.refresh()
    assert rows(w)["$n + 1"][1] == "3"
