"""JupyterLab's debugger panel on a C program compiled with -g (tests/dwarf/list.c): a
`%break list.c:18` stops the panel during `%run`; stackTrace and source point at the C file
and line, the scopes start with the C variables, evaluate reads C, next / stepBack move by
C lines."""

from __future__ import annotations

from pathlib import Path
from typing import Any

import pytest

from tests.dwarf.test_dwarf import list_wasm  # noqa: F401  (the module-scoped fixture: clang -g)
from tests.kernel.driver import Driver
from tests.kernel.test_debug_protocol import Dap, shell_reply


@pytest.fixture(scope="module")
def ck(kernel: Any) -> Any:
    """One kernel for the module's tests (conftest's `kernel`)."""
    return kernel


def test_c_frames_point_at_the_c_source(ck: Driver, list_wasm: Path) -> None:  # noqa: F811
    dap = Dap(ck)
    dap.ok("initialize", {"adapterID": "wasmlab"})
    dap.ok("attach", {})
    ck.ok(f"%load {list_wasm} --wasi -- list")
    assert "list.c:18" in ck.ok("%break list.c:18").text()  # a %break breakpoint stops the panel too
    dap.drop_events()
    msg_id = ck.kc.execute("%run", stop_on_error=False)
    assert dap.event("stopped")["body"]["reason"] == "breakpoint"
    frames = dap.ok("stackTrace", {"threadId": 1})["stackFrames"]
    top = frames[0]
    assert top["source"]["path"].endswith("list.c") and top["line"] == 18, top
    assert "sum" in top["name"] and "list.c:18" in top["name"]
    assert any(f["source"].get("path", "").endswith("list.c") and f["line"] == 30 for f in frames[1:]), frames
    text = dap.ok("source", {"source": top["source"]})["content"]
    assert text.splitlines()[17].strip() == "total += n->value;"
    scopes = dap.ok("scopes", {"frameId": top["id"]})["scopes"]
    assert [s["name"] for s in scopes][:2] == ["C variables", "Locals"]
    cvars = dap.ok("variables", {"variablesReference": scopes[0]["variablesReference"]})["variables"]
    by_name = {v["name"]: v["value"] for v in cvars}
    assert by_name["total"] == "int 0" and by_name["n"].startswith("struct node * 0x"), by_name
    assert dap.ok("evaluate", {"expression": "n->value * 2", "frameId": top["id"]})["result"] == "10"
    dap.ok("next", {"threadId": 1})  # a C line over calls
    dap.event("stopped")
    assert dap.top()["line"] == 19
    dap.ok("stepBack", {"threadId": 1})  # back a C line
    dap.event("stopped")
    assert dap.top()["line"] == 18
    # the Source panel's gutter on list.c: a breakpoint on a C line (14 has no code)
    src = {"path": top["source"]["path"]}
    bps = dap.ok("setBreakpoints", {"source": src, "breakpoints": [{"line": 19}, {"line": 14}]})[
        "breakpoints"
    ]
    assert [(b["line"], b["verified"]) for b in bps] == [(19, True), (14, False)]
    assert "no code" in bps[1]["message"]
    dap.ok("continue", {"threadId": 1})
    assert dap.event("stopped")["body"]["reason"] == "breakpoint"
    assert dap.top()["line"] == 19
    dap.ok("setBreakpoints", {"source": src, "breakpoints": []})
    # switching the debugger off lets the paused program run to its end
    dap.ok("disconnect", {})
    reply = shell_reply(ck, msg_id)
    assert reply["status"] == "ok"
    dap.pump(0.5)
    printed = "".join(m["content"].get("text", "") for m in dap.iopub if m["msg_type"] == "stream")
    assert "list 15 12/18" in printed, printed
