"""What a new user saw (issue 13): no `$...$` typeset as math in any rich output, `%where`
after `%back`, plurals."""

from __future__ import annotations

import re

import pytest

from wasmlab.kernel.outputs import NO_MATH, Output, rich
from wasmlab.kernel.workspace import Workspace

LOCALS = """(module $m
  (memory 1)
  (global $g (mut i32) (i32.const 0))
  (func $f (export "f") (param $n i32) (result i32) (local $i i32)
    (local.set $i (i32.const 7))
    (global.set $g (local.get $n))
    (i32.store (i32.const 16) (local.get $i))
    (i32.add (local.get $n) (local.get $i))))"""


def outputs(ws: Workspace, code: str) -> list[Output]:
    outs: list[Output] = []
    ws.run_cell(code, outs.append)
    return outs


def html_of(out: Output) -> str:
    return str(out.data.get("text/html", ""))


def test_no_rich_output_can_be_typeset_as_math() -> None:
    """`%frames` with two named locals showed `$n=i32 10, $i=i32 7` as italic math: every
    HTML output is wrapped in MathJax's ignore classes and has no bare `$` (defect 1)."""
    ws = Workspace()
    commands = [
        LOCALS, "%help", "%modules", "%exports", "%types", '(invoke "f" (i32.const 10))',
        "%debug f 10", "%step 3", "%frames", "%bt", "%locals", "%stack", "%globals", "%memory 16 16",
        "%where", "%break $f", "%breakpoints", "%history", "%back", "%continue", "%trace 2",
    ]  # fmt: skip
    seen = 0
    for code in commands:
        try:
            outs = outputs(ws, code)
        except Exception:  # noqa: S112 - a command this kernel does not have (yet)
            continue
        for out in outs:
            h = html_of(out)
            if not h:
                continue
            seen += 1
            assert h.startswith(f'<div class="{NO_MATH}">'), (code, h[:200])
            assert "$" not in h, (code, h)
    assert seen >= 12
    outputs(ws, "%goto 2")
    frames = outputs(ws, "%frames")[-1]
    assert "$n" in frames.text and "$i" in frames.text  # the text keeps its dollars
    assert "&#36;n" in html_of(frames) and "&#36;i" in html_of(frames)


def test_every_output_door_is_guarded() -> None:
    out = rich("x", "<b>$a</b> and <i>$b</i>", extra={"text/markdown": "cost $5 or \\$6"})
    assert out.data["text/html"] == f'<div class="{NO_MATH}"><b>&#36;a</b> and <i>&#36;b</i></div>'
    assert out.data["text/markdown"] == "cost \\$5 or \\$6"
    again = Output(dict(out.data))
    assert again.data == out.data  # idempotent


def test_where_after_back_says_where_not_what_back_did() -> None:
    ws = Workspace()
    outputs(ws, LOCALS)
    outputs(ws, "%debug f 10\n%step 3")
    back = "\n".join(o.text for o in outputs(ws, "%back"))
    assert "went back 1 instruction" in back
    where = "\n".join(o.text for o in outputs(ws, "%where"))
    assert where.startswith("step 2:") and "went back" not in where, where


@pytest.mark.parametrize(
    ("code", "want", "never"),
    [
        ("%debug f", "f takes 1 argument (i32), got 0", "1 arguments"),
        ("%debug f x", "not an i32", "not a i32"),
    ],
)
def test_wording(code: str, want: str, never: str) -> None:
    ws = Workspace()
    outputs(ws, LOCALS)
    with pytest.raises(Exception) as e:
        outputs(ws, code)
    text = str(e.value)
    assert want in text and never not in text, text
    assert not re.search(r"\b1 \w+s\b", text.replace("1 argument (", "")), text


def test_graphs_carry_a_png_and_fit_the_output_width() -> None:
    """Stored graphs of an untrusted notebook showed as DOT text (defect 2): a PNG goes beside
    the SVG; a wide SVG is scaled to the output's width (notebook 5's $top graph, defect 7)."""
    import base64

    from wasmlab.kernel.commands import MAX_WIDTH_PT, fit_width

    ws = Workspace()
    outputs(ws, LOCALS)
    graph = outputs(ws, "%graph calls")[-1]
    assert base64.b64decode(graph.data["image/png"])[:8] == b"\x89PNG\r\n\x1a\n"
    assert graph.data["image/svg+xml"].startswith("<svg")
    wide = '<svg width="1440pt" height="300pt"\n viewBox="0.00 0.00 1440.00 300.00">'
    assert (
        fit_width(wide)
        == f'<svg width="{MAX_WIDTH_PT:.0f}pt" height="150pt"\n viewBox="0.00 0.00 1440.00 300.00">'
    )
    narrow = '<svg width="300pt" height="300pt" viewBox="0 0 300 300">'
    assert fit_width(narrow) == narrow
