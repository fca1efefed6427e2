"""JupyterLab's debugger panel on the wasmlab kernel, through jupyter_client: the requests
JupyterLab sends (packages/debugger: debugInfo, initialize, attach, dumpCell,
setBreakpoints, configurationDone, then stackTrace / scopes / variables at each stop) on
the control channel while a cell waits, the IOPub debug events, and bad requests (each a
`success: false` answer; the kernel lives on)."""

from __future__ import annotations

import queue
import re
import time
from typing import Any

import pytest

from tests.kernel.driver import Driver
from wasmlab.kernel.dap import HASH_SEED
from wasmlab.kernel.murmur import murmur2

DEFINE = """(module
  (global $g (mut i32) (i32.const 7))
  (memory (export "mem") 1)
  (data (i32.const 0x120) "\\2a\\00\\00\\00")
  (func $sum (export "sum") (param $n i32) (result i32)
    (local $i i32) (local $acc i32)

    (block $done
      (loop $top
        (br_if $done (i32.ge_s (local.get $i) (local.get $n)))
        (local.set $acc (i32.add (local.get $acc) (local.get $i)))
        (local.set $i (i32.add (local.get $i) (i32.const 1)))
        (br $top)))
    (global.set $g (local.get $acc))
    (local.get $acc))
  (func (export "div") (param i32 i32) (result i32)
    (i32.div_s (local.get 0) (local.get 1))))"""
ACC_LINE = 11  # (local.set $acc ...)
BLANK_LINE = 7  # nothing on it: a breakpoint there moves to the (block ...) of line 8


class Dap:
    """A debug client as JupyterLab's DebuggerSession is: requests on control, events on IOPub.
    (Cells that wait in the debugger are sent with stop_on_error=False, as JupyterLab sends
    cells: with the default, ipykernel aborts the next cells queued while one ends in an error.)"""

    def __init__(self, driver: Driver) -> None:
        self.kc = driver.kc
        self.seq = 0
        self.iopub: list[dict[str, Any]] = []

    def request(self, command: str, arguments: Any = None, timeout: float = 30) -> dict[str, Any]:
        self.seq += 1
        content: dict[str, Any] = {"type": "request", "seq": self.seq, "command": command}
        if arguments is not None:
            content["arguments"] = arguments
        return self.raw(content, timeout)

    def raw(self, content: Any, timeout: float = 30) -> dict[str, Any]:
        msg = self.kc.session.msg("debug_request", content)
        self.kc.control_channel.send(msg)
        deadline = time.monotonic() + timeout
        while True:
            reply = self.kc.control_channel.get_msg(timeout=max(deadline - time.monotonic(), 0.1))
            if reply["parent_header"].get("msg_id") == msg["header"]["msg_id"]:
                assert reply["msg_type"] == "debug_reply"
                return reply["content"]

    def ok(self, command: str, arguments: Any = None) -> dict[str, Any]:
        r = self.request(command, arguments)
        assert r["success"], r
        assert r["command"] == command and r["request_seq"] == self.seq
        return r.get("body", {})

    def fail(self, command: str, arguments: Any = None) -> str:
        r = self.request(command, arguments)
        assert r["success"] is False, r
        assert r.get("message"), r
        return r["message"]

    def pump(self, timeout: float = 0.2) -> None:
        try:
            while True:
                self.iopub.append(self.kc.get_iopub_msg(timeout=timeout))
                timeout = 0.01
        except queue.Empty:
            pass

    def event(self, name: str, timeout: float = 30) -> dict[str, Any]:
        """The next debug_event `name` (earlier messages are kept for `outputs`)."""
        deadline = time.monotonic() + timeout
        while True:
            for i, m in enumerate(self.iopub):
                if m["msg_type"] == "debug_event" and m["content"].get("event") == name:
                    del self.iopub[i]
                    return m["content"]
            if time.monotonic() > deadline:
                raise AssertionError(f"no {name} event; IOPub had {[m['msg_type'] for m in self.iopub]}")
            self.pump(0.2)

    def drop_events(self) -> None:
        self.pump(0.1)
        self.iopub = [m for m in self.iopub if m["msg_type"] != "debug_event"]

    def top(self) -> dict[str, Any]:
        frames = self.ok("stackTrace", {"threadId": 1})["stackFrames"]
        assert frames, "no frames"
        return frames[0]

    def locals(self) -> dict[str, str]:
        frame = self.top()
        scopes = {s["name"]: s for s in self.ok("scopes", {"frameId": frame["id"]})["scopes"]}
        ref = scopes["Locals"]["variablesReference"]
        vs = self.ok("variables", {"variablesReference": ref})["variables"]
        return {v["name"]: v["value"] for v in vs}


def events_of(reply: Any, name: str) -> list[dict[str, Any]]:
    """The debug events `name` among a cell's outputs (sent while the cell ran)."""
    return [c for t, c in reply.outputs if t == "debug_event" and c.get("event") == name]


def shell_reply(driver: Driver, msg_id: str, timeout: float = 30) -> dict[str, Any]:
    return driver.shell_reply(msg_id, timeout)["content"]


@pytest.fixture(scope="module")
def dk(kernel: Any) -> Any:
    """One kernel for the module's tests (conftest's `kernel`)."""
    return kernel


def test_jupyterlab_sequence(dk: Driver) -> None:
    dap = Dap(dk)
    info = dap.ok("debugInfo", {})  # JupyterLab asks before initialize
    assert info["isStarted"] is False
    assert info["hashMethod"] == "Murmur2" and info["hashSeed"] == HASH_SEED
    assert info["tmpFileSuffix"] == ".wat" and info["tmpFilePrefix"].endswith(("/", "\\"))
    assert info["stoppedThreads"] == [] and info["breakpoints"] == [] and info["richRendering"] is True
    caps = dap.ok("initialize", {"clientID": "jupyterlab", "adapterID": "wasmlab", "linesStartAt1": True,
                                 "columnsStartAt1": True, "supportsVariablePaging": True})  # fmt: skip
    assert caps["supportsStepBack"] is True and caps["supportsConfigurationDoneRequest"] is True
    assert [f["filter"] for f in caps["exceptionBreakpointFilters"]] == ["trap"]
    dap.ok("attach", {})
    assert dap.ok("debugInfo", {})["isStarted"] is True

    assert dk.execute(DEFINE).status == "ok"
    path = dap.ok("dumpCell", {"code": DEFINE})["sourcePath"]
    assert path == f"{info['tmpFilePrefix']}{murmur2(DEFINE, info['hashSeed'])}.wat"
    bps = dap.ok("setBreakpoints", {"source": {"path": path}, "sourceModified": False,
                                    "breakpoints": [{"line": ACC_LINE}, {"line": BLANK_LINE}]})["breakpoints"]  # fmt: skip
    assert [(b["line"], b["verified"]) for b in bps] == [(ACC_LINE, True), (BLANK_LINE + 1, True)]
    dap.ok("configurationDone", {})
    dap.ok("configurationDone", {})  # older JupyterLab sends it after every setBreakpoints
    again = dap.ok("debugInfo", {})["breakpoints"]
    assert again == [{"source": path, "breakpoints": [{"line": ACC_LINE}, {"line": BLANK_LINE + 1}]}]
    # one breakpoint is enough from here on
    dap.ok("setBreakpoints", {"source": {"path": path}, "breakpoints": [{"line": ACC_LINE}]})
    dap.drop_events()

    msg_id = dk.kc.execute('(invoke "sum" (i32.const 4))', stop_on_error=False)
    stopped = dap.event("stopped")["body"]
    assert stopped["reason"] == "breakpoint" and stopped["threadId"] == 1
    assert dap.ok("debugInfo", {})["stoppedThreads"] == [1]
    assert dap.ok("threads", {})["threads"] == [{"id": 1, "name": "wasm call"}]
    top = dap.top()
    assert top["line"] == ACC_LINE and top["source"]["path"] == path and "sum" in top["name"]
    assert dap.locals() == {"$n": "i32 4", "$i": "i32 0", "$acc": "i32 0"}
    scopes = dap.ok("scopes", {"frameId": top["id"]})["scopes"]
    assert [s["name"] for s in scopes] == ["Locals", "Value stack", "Globals", "Memory"]
    glob = dap.ok("variables", {"variablesReference": scopes[2]["variablesReference"]})["variables"]
    assert [(v["name"], v["value"]) for v in glob] == [("$g", "mut i32 7")]
    mems = dap.ok("variables", {"variablesReference": scopes[3]["variablesReference"]})["variables"]
    assert mems[0]["name"] == "memory 0" and mems[0]["value"].startswith("1 page ")
    pages = dap.ok("variables", {"variablesReference": mems[0]["variablesReference"]})["variables"]
    assert [p["name"] for p in pages] == ["page 0"]
    blocks = dap.ok("variables", {"variablesReference": pages[0]["variablesReference"], "start": 1,
                                  "count": 2})["variables"]  # fmt: skip
    assert [b["name"] for b in blocks] == ["0x00000100", "0x00000200"]
    rows = dap.ok("variables", {"variablesReference": blocks[0]["variablesReference"]})["variables"]
    assert rows[2]["name"] == "0x00000120" and rows[2]["value"].startswith("2a 00 00 00")
    assert dap.ok("evaluate", {"expression": "$n", "frameId": top["id"], "context": "repl"})["result"] == "4"
    assert dap.ok("evaluate", {"expression": "global $g", "context": "repl"})["result"] == "7"
    assert dap.ok("evaluate", {"expression": "i32.load 0x120", "context": "repl"})["result"] == "42"
    rich = dap.ok("richInspectVariables", {"variableName": "memory 0", "frameId": top["id"]})
    assert "<table" in rich["data"]["text/html"] and "2a" in rich["data"]["text/html"]
    block = dap.ok("richInspectVariables", {"variableName": "0x00000100", "frameId": top["id"]})["data"]
    assert block["text/plain"].splitlines()[2].startswith("00000120  2a 00 00 00")

    # next: one instruction (local.get $acc), the value stack grows
    stack_ref = scopes[1]["variablesReference"]
    assert dap.ok("variables", {"variablesReference": stack_ref})["variables"] == []
    dap.ok("next", {"threadId": 1})
    assert dap.event("stopped")["body"]["reason"] == "step"
    top2 = dap.top()
    assert top2["line"] == ACC_LINE and top2["column"] > top["column"]
    s2 = {s["name"]: s for s in dap.ok("scopes", {"frameId": top2["id"]})["scopes"]}
    stack = dap.ok("variables", {"variablesReference": s2["Value stack"]["variablesReference"]})["variables"]
    assert [(v["name"], v["value"]) for v in stack] == [("[0]", "i32 0")]

    # stepBack (our toolbar button): the state before it again
    dap.ok("stepBack", {"threadId": 1})
    assert dap.event("stopped")["body"]["reason"] == "step"
    assert (dap.top()["line"], dap.top()["column"]) == (ACC_LINE, top["column"])

    # continue to the second hit ($i = 1, $acc = 0), then reverseContinue back to the first
    assert dap.ok("continue", {"threadId": 1})["allThreadsContinued"] is True
    dap.event("continued")
    assert dap.event("stopped")["body"]["reason"] == "breakpoint"
    assert dap.locals()["$i"] == "i32 1"
    dap.ok("reverseContinue", {"threadId": 1})
    dap.event("continued")
    dap.event("stopped")
    assert dap.locals()["$i"] == "i32 0" and dap.top()["line"] == ACC_LINE

    # the panel's breakpoints are the notebook's: no new ones while it waits; clear, continue
    dap.ok("setBreakpoints", {"source": {"path": path}, "breakpoints": []})
    dap.ok("continue", {"threadId": 1})
    reply = shell_reply(dk, msg_id)
    assert reply["status"] == "ok"
    out = dk.collect(msg_id)
    assert "(i32.const 6)" in "\n".join(c["data"]["text/plain"] for t, c in out if t == "execute_result")
    assert dap.ok("stackTrace", {"threadId": 1})["stackFrames"] == []
    assert dk.ok('(invoke "sum" (i32.const 3))').text() == "(i32.const 3)"  # nothing armed: full speed

    dap.ok("disconnect", {"restart": False, "terminateDebuggee": False})
    dap.event("terminated")
    assert dap.ok("debugInfo", {})["isStarted"] is False


def test_rerun_break_command_trap_filter_and_interrupt(dk: Driver) -> None:
    dap = Dap(dk)
    dap.ok("initialize", {"adapterID": "wasmlab"})
    dap.ok("attach", {})
    dk.ok(DEFINE)
    path = dap.ok("dumpCell", {"code": DEFINE})["sourcePath"]
    dap.ok(
        "setBreakpoints",
        {"source": {"path": path}, "breakpoints": [{"line": ACC_LINE, "condition": "$i == 2"}]},
    )
    # the same breakpoints as %break: the panel's is listed, a %break one joins it
    listing = dk.ok("%breakpoints").text()
    assert re.search(rf"cell\[\d+\]:{ACC_LINE}\b.*\$i == 2", listing), listing
    dk.ok(DEFINE)  # the defining cell runs again: its breakpoints bind to the new definitions
    dap.drop_events()
    msg_id = dk.kc.execute('(invoke "sum" (i32.const 5))', stop_on_error=False)
    assert dap.event("stopped")["body"]["reason"] == "breakpoint"
    assert dap.locals()["$i"] == "i32 2"  # the condition held
    dap.ok("continue", {"threadId": 1})
    assert shell_reply(dk, msg_id)["status"] == "ok"
    dap.ok("setBreakpoints", {"source": {"path": path}, "breakpoints": []})

    dk.ok("%break div")
    dap.drop_events()
    msg_id = dk.kc.execute('(invoke "div" (i32.const 7) (i32.const 0))', stop_on_error=False)
    assert dap.event("stopped")["body"]["reason"] == "breakpoint"  # %break's, at the entry
    assert dap.top()["line"] == 17
    # the stop button while paused: the cell ends with Interrupted, the kernel lives
    dk.km.interrupt_kernel()
    reply = shell_reply(dk, msg_id)
    assert reply["status"] == "error" and reply["ename"] == "Interrupted"
    for line in dk.ok("%breakpoints").text().splitlines():  # %break div goes as it came
        parts = line.split()
        if parts and parts[0].isdigit():
            dk.ok(f"%delete {parts[0]}")

    # the trap filter: paused at the trapping instruction, then the cell's error
    dap.ok("setExceptionBreakpoints", {"filters": ["trap"]})
    dap.drop_events()
    msg_id = dk.kc.execute('(invoke "div" (i32.const 7) (i32.const 0))', stop_on_error=False)
    stopped = dap.event("stopped")["body"]
    assert stopped["reason"] == "exception" and "divide by zero" in stopped["text"]
    assert dap.top()["line"] == 17
    dap.ok("stepBack", {"threadId": 1})  # back before the trap ...
    dap.event("stopped")
    dap.ok("continue", {"threadId": 1})  # ... and into it again: the cell's error
    reply = shell_reply(dk, msg_id)
    assert reply["status"] == "error" and "divide by zero" in reply["evalue"]
    dap.ok("setExceptionBreakpoints", {"filters": []})
    dap.ok("disconnect", {})


def test_bad_requests_never_kill_the_kernel(dk: Driver) -> None:
    dap = Dap(dk)
    assert "unknown debug request" in dap.fail("frobnicate", {})
    assert "arguments" in dap.fail("scopes", [1, 2])
    dap.ok("initialize", {})
    dap.ok("attach", {})
    assert "source.path" in dap.fail("setBreakpoints", {"breakpoints": [{"line": 1}]})
    assert "line" in dap.fail(
        "setBreakpoints", {"source": {"path": "x.wat"}, "breakpoints": [{"line": "two"}]}
    )
    assert "line" in dap.fail("setBreakpoints", {"source": {"path": "x.wat"}, "breakpoints": [{"line": 0}]})
    assert "filter" in dap.fail("setExceptionBreakpoints", {"filters": ["python"]})
    assert "code" in dap.fail("dumpCell", {})
    assert "nothing is paused" in dap.fail("next", {"threadId": 1})
    assert "nothing is paused" in dap.fail("scopes", {"frameId": 1})
    assert "thread" in dap.fail("stackTrace", {"threadId": 99})
    assert "variablesReference" in dap.fail("variables", {"variablesReference": -1})
    assert "expression" in dap.fail("evaluate", {})
    assert "source unavailable" in dap.fail("source", {"source": {"path": "/etc/passwd"}})
    r = dap.raw("[1, 2]")  # JSON, but not an object
    assert r["success"] is False
    # a breakpoint on a cell never run waits (unverified) and costs nothing
    bps = dap.ok("setBreakpoints", {"source": {"path": "/nowhere/1.wat"}, "breakpoints": [{"line": 3}]})
    assert bps["breakpoints"][0]["verified"] is False
    bad = dap.ok("setBreakpoints", {"source": {"path": "/nowhere/1.wat"},
                                    "breakpoints": [{"line": 3, "condition": "$i =="}]})  # fmt: skip
    assert bad["breakpoints"][0]["verified"] is False and bad["breakpoints"][0]["message"]
    dap.ok("setBreakpoints", {"source": {"path": "/nowhere/1.wat"}, "breakpoints": []})
    # paused: bad frames, references and expressions are answers too
    dk.ok(DEFINE)
    path = dap.ok("dumpCell", {"code": DEFINE})["sourcePath"]
    dap.ok("setBreakpoints", {"source": {"path": path}, "breakpoints": [{"line": ACC_LINE}]})
    dap.drop_events()
    msg_id = dk.kc.execute('(invoke "sum" (i32.const 2))', stop_on_error=False)
    dap.event("stopped")
    assert "frame" in dap.fail("scopes", {"frameId": 42})
    assert "variablesReference" in dap.fail("variables", {"variablesReference": 999999})
    assert dap.fail("evaluate", {"expression": "$nope"})
    assert dap.fail("evaluate", {"expression": "i32.load 0x7fffffff"})
    assert "unknown debug request" in dap.fail("stepBackwards", {})
    dap.ok("pause", {"threadId": 1})  # paused already: nothing to do
    dap.ok("setBreakpoints", {"source": {"path": path}, "breakpoints": []})
    dap.ok("continue", {"threadId": 1})
    assert shell_reply(dk, msg_id)["status"] == "ok"
    dap.ok("disconnect", {})
    msg_id = dk.kc.kernel_info()
    assert "debugger" in dk.shell_reply(msg_id)["content"]["supported_features"]


def test_murmur2_is_jupyterlabs() -> None:
    """Vectors from JupyterLab's own hash.ts (packages/debugger, run under node), and
    ipykernel's implementation of the same hash on more texts."""
    vectors = [("", 0, 0), ("hello", 0, 3848350155), ("(module)", 0x7761736D, 2891558685),
               ("é€😀 wasm", 0xC70F6907, 4130389077),
               ("(module\n  (func $f (result i32) i32.const 1))", 0x7761736D, 2908179844)]  # fmt: skip
    for text, seed, want in vectors:
        assert murmur2(text, seed) == want
    try:
        from ipykernel.compiler import murmur2_x86
    except ImportError:
        return
    for text in ["a", "ab", "abc", "abcd", "abcde", DEFINE, "x" * 1001]:
        for seed in (0, 1, HASH_SEED, 0xFFFFFFFF):
            assert murmur2(text, seed) == murmur2_x86(text, seed)


def test_panel_benchmark_runs() -> None:
    """`python -m wasmlab.bench.kernel --panel` measures; here only that it runs (3 samples)."""
    from tests.kernel.conftest import need_kernel
    from wasmlab.bench.kernel import panel_round_trips

    need_kernel()
    for samples in panel_round_trips(n=3):
        assert len(samples) == 3 and all(s > 0 for s in samples)


def test_notebook_7_hunt_in_the_panel(dk: Driver) -> None:
    """Notebook 7's walk through the panel, as the panel sends it: the trap filter stops at
    the bad store, the value stack shows why, a breakpoint set while paused and reverse
    continue find the store of $init that wrote over `report` ($i = 8)."""
    import json

    from tests.conftest import ROOT

    nb = json.loads((ROOT / "notebooks" / "07-time-travel-debugging.ipynb").read_text())
    cells = {c["id"]: "".join(c["source"]) for c in nb["cells"]}
    hunt, invoke = cells["c18b"], cells["c18c"]
    assert "line 14" in cells["c18d"] and "line 8 of the `$hunt` cell" in cells["c18d"]
    dap = Dap(dk)
    dap.ok("initialize", {"adapterID": "wasmlab"})
    dap.ok("attach", {})
    dk.ok(hunt)
    path = dap.ok("dumpCell", {"code": hunt})["sourcePath"]
    dap.ok("setExceptionBreakpoints", {"filters": ["trap"]})
    dap.drop_events()
    msg_id = dk.kc.execute(invoke, stop_on_error=False)
    assert dap.event("stopped")["body"]["reason"] == "exception"
    top = dap.top()
    assert top["line"] == 14 and top["source"]["path"] == path
    scopes = {s["name"]: s for s in dap.ok("scopes", {"frameId": top["id"]})["scopes"]}
    stack = dap.ok("variables", {"variablesReference": scopes["Value stack"]["variablesReference"]})
    assert [v["value"] for v in stack["variables"]] == ["i32 229", "i32 -1"]
    bps = dap.ok("setBreakpoints", {"source": {"path": path}, "breakpoints": [{"line": 8}]})["breakpoints"]
    assert bps[0]["verified"] and bps[0]["line"] == 8
    dap.ok("reverseContinue", {"threadId": 1})
    assert dap.event("stopped")["body"]["reason"] == "breakpoint"
    assert dap.top()["line"] == 8 and dap.locals()["$i"] == "i32 8"
    dap.ok("setBreakpoints", {"source": {"path": path}, "breakpoints": []})
    dap.ok("continue", {"threadId": 1})
    reply = shell_reply(dk, msg_id)
    assert reply["status"] == "error" and reply["ename"] == "Trap"
    dap.ok("disconnect", {})


SPIN = """(module
  (func (export "spin") (param $n i32) (local $v v128)
    (local.set $v (v128.const i32x4 1 2 3 -1))
    (loop $l
      (local.set $n (i32.add (local.get $n) (i32.const 1)))
      (br $l))))"""


def test_pause_stop_button_and_v128_lanes(dk: Driver) -> None:
    """pause stops a running call (reason pause); the stop button ends a call running under
    the debugger; a v128 local opens into its lanes and renders as a table."""
    dap = Dap(dk)
    dap.ok("initialize", {"adapterID": "wasmlab"})
    dap.ok("attach", {})
    dap.ok("setExceptionBreakpoints", {"filters": ["trap"]})  # armed: calls run under a Session
    dk.ok(SPIN)
    dap.drop_events()
    msg_id = dk.kc.execute('(invoke "spin" (i32.const 0))', stop_on_error=False)
    time.sleep(0.5)
    assert dap.ok("stackTrace", {"threadId": 1})["stackFrames"] == []  # running: at once, nothing
    assert "running" in dap.fail("scopes", {"frameId": 1})
    dap.ok("pause", {"threadId": 1})
    assert dap.event("stopped")["body"]["reason"] == "pause"
    top = dap.top()
    assert "spin" in top["name"] and top["line"] in (5, 6), top
    ls = {v["name"]: v for v in dap.ok("variables", {"variablesReference": dap.ok(
        "scopes", {"frameId": top["id"]})["scopes"][0]["variablesReference"]})["variables"]}  # fmt: skip
    assert int(ls["$n"]["value"].split()[1]) > 0
    lanes = dap.ok("variables", {"variablesReference": ls["$v"]["variablesReference"]})["variables"]
    assert {v["name"]: v["value"] for v in lanes}["i32x4"] == "1 2 3 -1"
    rich = dap.ok("richInspectVariables", {"variableName": "$v", "frameId": top["id"]})
    assert "i32x4" in rich["data"]["text/html"] and "<table" in rich["data"]["text/html"]
    dap.ok("continue", {"threadId": 1})
    dap.event("continued")
    # a gutter breakpoint set while the call runs stops it there
    path = dap.ok("dumpCell", {"code": SPIN})["sourcePath"]
    time.sleep(0.3)
    bps = dap.ok("setBreakpoints", {"source": {"path": path}, "breakpoints": [{"line": 5}]})["breakpoints"]
    assert bps[0]["verified"] and bps[0]["line"] == 5
    assert dap.event("stopped")["body"]["reason"] == "breakpoint"
    assert dap.top()["line"] == 5
    dap.ok("setBreakpoints", {"source": {"path": path}, "breakpoints": []})
    dap.ok("continue", {"threadId": 1})
    time.sleep(0.3)
    dk.km.interrupt_kernel()  # the stop button, while it runs under the debugger
    reply = shell_reply(dk, msg_id)
    assert reply["status"] == "error" and reply["ename"] == "Interrupted"
    dap.ok("setExceptionBreakpoints", {"filters": []})
    dap.ok("disconnect", {})
    assert dk.ok("%help").status == "ok"


def test_labextension_is_packaged() -> None:
    """The built labextension goes into the wheel (pyproject's data files) where JupyterLab
    looks for it, under the name its package.json gives; labext.sh builds to that place."""
    import json
    import tomllib

    from tests.conftest import ROOT

    data = tomllib.loads((ROOT / "pyproject.toml").read_text())["tool"]["setuptools"]["data-files"]
    pkg = json.loads((ROOT / "labextension" / "package.json").read_text())
    assert pkg["name"] == "@wasmlab/time-travel"
    assert (
        ROOT / "labextension" / pkg["jupyterlab"]["outputDir"]
    ).resolve() == ROOT / "wasmlab/kernel/labextension"
    assert data[f"share/jupyter/labextensions/{pkg['name']}"] == ["wasmlab/kernel/labextension/*.json"]
    assert data[f"share/jupyter/labextensions/{pkg['name']}/static"] == [
        "wasmlab/kernel/labextension/static/*"
    ]
    assert "/wasmlab/kernel/labextension/" in (ROOT / ".gitignore").read_text().splitlines()
    built = ROOT / "wasmlab" / "kernel" / "labextension" / "package.json"
    if built.exists():  # after scripts/labext.sh: JupyterLab's metadata of a federated extension
        meta = json.loads(built.read_text())
        assert meta["name"] == pkg["name"] and meta["jupyterlab"]["_build"]["load"].startswith(
            "static/remoteEntry."
        )


def test_shutdown_while_a_cell_waits() -> None:
    """A kernel shut down (or restarted) while a cell waits at a breakpoint ends at once."""
    from tests.kernel.conftest import need_kernel

    need_kernel()
    d = Driver()
    try:
        dap = Dap(d)
        dap.ok("initialize", {"adapterID": "wasmlab"})
        dap.ok("attach", {})
        d.ok(DEFINE)
        path = dap.ok("dumpCell", {"code": DEFINE})["sourcePath"]
        dap.ok("setBreakpoints", {"source": {"path": path}, "breakpoints": [{"line": ACC_LINE}]})
        d.kc.execute('(invoke "sum" (i32.const 4))', stop_on_error=False)
        dap.event("stopped")
        t = time.monotonic()
        d.km.shutdown_kernel(now=False)  # a shutdown_request, then waiting for the process
        assert not d.km.is_alive()
        assert time.monotonic() - t < 4.5, "the kernel ended by itself, not killed after the timeout"
    finally:
        d.kc.stop_channels()
        if d.km.is_alive():
            d.km.shutdown_kernel(now=True)


def test_any_request_gets_an_answer(tmp_path: Any) -> None:
    """Random requests (every command, arguments of any JSON shape) to an adapter over a
    notebook that defined a module: each is answered, none raises."""
    from hypothesis import given, settings
    from hypothesis import strategies as st

    from wasmlab.kernel.dap import DebugAdapter
    from wasmlab.kernel.workspace import Workspace

    ws = Workspace()
    ws.show_widgets = False
    ws.run_cell(DEFINE, lambda out: None, cell=1)
    events: list[Any] = []
    adapter = DebugAdapter(ws, events.append)
    adapter.prefix = f"{tmp_path}/"  # dumped cells go here
    adapter.cell_started(DEFINE, "cell[1]")
    json_values = st.recursive(
        st.none() | st.booleans() | st.integers(-(2**40), 2**40) | st.text(max_size=12),
        lambda inner: st.lists(inner, max_size=3) | st.dictionaries(st.text(max_size=8), inner, max_size=3),
        max_leaves=8,
    )
    keys = st.sampled_from(["line", "path", "source", "breakpoints", "threadId", "frameId", "expression",
                            "variablesReference", "start", "count", "filters", "code", "variableName"])  # fmt: skip
    args = st.dictionaries(keys, json_values, max_size=4) | json_values
    command = st.sampled_from([*adapter.handlers, "bogus", ""]) | st.text(max_size=10)

    @settings(max_examples=400, deadline=None)
    @given(command, args, st.integers(-5, 2**33))
    def one(cmd: str, arguments: Any, seq: int) -> None:
        r = adapter.handle({"type": "request", "seq": seq, "command": cmd, "arguments": arguments})
        assert isinstance(r["success"], bool) and r["type"] == "response"
        if not r["success"]:
            assert r["message"]

    one()
    adapter.handle({"command": "disconnect", "seq": 1})


def test_debug_command_session_in_the_panel(dk: Driver) -> None:
    """A `%debug` session shows in the panel between cells: its stop after each cell, frames
    and locals, and the panel's moves (in a thread of their own) are the session's moves,
    which `%where` then reports; the end of the call clears the panel."""
    dap = Dap(dk)
    dap.ok("initialize", {"adapterID": "wasmlab"})
    dap.ok("attach", {})
    dk.ok(DEFINE)
    dap.drop_events()
    r = dk.ok("%debug sum 3")  # the cell's own IOPub messages carry the event
    assert [c["body"]["threadId"] for c in events_of(r, "stopped")] == [1]
    assert dap.ok("debugInfo", {})["stoppedThreads"] == [1]
    top = dap.top()
    assert "sum" in top["name"] and top["line"] == 8, top  # (block $done): the first instruction
    assert dap.locals() == {"$n": "i32 3", "$i": "i32 0", "$acc": "i32 0"}
    assert events_of(dk.ok("%step 3"), "stopped")
    assert "step 3" in dk.ok("%where").text()
    dap.ok("next", {"threadId": 1})
    dap.event("stopped")
    assert "step 4" in dk.ok("%where").text()  # the panel moved the notebook's session
    dap.ok("stepBack", {"threadId": 1})
    dap.event("stopped")
    assert "step 3" in dk.ok("%where").text()
    assert dap.ok("evaluate", {"expression": "$n", "frameId": dap.top()["id"]})["result"] == "3"
    dap.ok("continue", {"threadId": 1})
    dap.event("continued")
    out = dap.event("output")["body"]["output"]
    assert "returned [i32 3]" in out, out
    assert dap.ok("stackTrace", {"threadId": 1})["stackFrames"] == []
    assert "returned" in dk.ok("%where").text()
    dap.ok("disconnect", {})
