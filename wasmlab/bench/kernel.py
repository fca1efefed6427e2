"""`python -m wasmlab.bench.kernel`: how fast the notebook front ends answer.

1. `%step` round trip through jupyter_client: from sending the execute request to the
   kernel going idle, with the Debugger widget live (every step refreshes it), median of N.
   Target: under 30 ms.
2. One Debugger widget refresh with a 64 KiB memory view, after a step that wrote memory
   (reading the session's views, the trait updates and their serialization), median of N;
   and end to end in the kernel: a `step 13` button click (a comm message; one store) with a 64 KiB view
   until the kernel is idle, the update with the 64 KiB buffer sent. Target: under 100 ms.
3. JupyterLab's debugger panel over the debug protocol (control channel, `debug_request`)
   while a cell waits at a breakpoint: a `stackTrace` + `variables` (Locals) round trip,
   the whole refresh JupyterLab makes at a stop (stackTrace, scopes, the variables of every
   scope), and a `next` (request sent -> `stopped` event), each against the `%step` round
   trip of the same run as the peer.
"""

from __future__ import annotations

import argparse
import os
import statistics
import sys
import tempfile
import time
from pathlib import Path
from typing import Any

PROGRAM = """(module $bench
  (memory (export "mem") 1)
  (func $fill (export "fill") (param $n i32) (local $i i32)
    (loop $l
      (i32.store (i32.and (i32.mul (local.get $i) (i32.const 4)) (i32.const 65532)) (local.get $i))
      (local.set $i (i32.add (local.get $i) (i32.const 1)))
      (br_if $l (i32.lt_u (local.get $i) (local.get $n))))))"""

STEP_TARGET_MS = 30.0
REFRESH_TARGET_MS = 100.0


def _kernel_name() -> str:
    """The installed wasmlab kernelspec, else one written to a private JUPYTER_PATH dir."""
    from jupyter_client.kernelspec import KernelSpecManager

    if "wasmlab" in KernelSpecManager().find_kernel_specs():
        return "wasmlab"
    from ..kernel.install import write_spec

    base = Path(tempfile.mkdtemp(prefix="wasmlab-bench-"))
    write_spec(base / "kernels" / "wasmlab-bench", sys.executable)
    os.environ["JUPYTER_PATH"] = os.pathsep.join(p for p in (str(base), os.environ.get("JUPYTER_PATH")) if p)
    return "wasmlab-bench"


def _run(kc: Any, code: str, timeout: float = 60) -> str:
    msg_id = kc.execute(code)
    status = "?"
    while True:
        msg = kc.get_shell_msg(timeout=timeout)
        if msg["parent_header"].get("msg_id") == msg_id:
            status = msg["content"]["status"]
            break
    while True:
        msg = kc.get_iopub_msg(timeout=timeout)
        if (
            msg["parent_header"].get("msg_id") == msg_id
            and msg["msg_type"] == "status"
            and msg["content"]["execution_state"] == "idle"
        ):
            return status


def _step_times(kc: Any, n: int) -> list[float]:
    """Milliseconds of `n` `%step` cells, each from request to idle."""
    out = []
    for _ in range(n):
        t = time.perf_counter()
        if _run(kc, "%step") != "ok":
            raise RuntimeError("%step failed")
        out.append((time.perf_counter() - t) * 1000)
    return out


def _click(kc: Any, comm_id: str, content: dict[str, Any], timeout: float = 60) -> None:
    """A widget button: a custom comm message, until the kernel is idle again."""
    msg = kc.session.msg("comm_msg", {"comm_id": comm_id, "data": {"method": "custom", "content": content}})
    kc.shell_channel.send(msg)
    msg_id = msg["header"]["msg_id"]
    while True:
        m = kc.get_iopub_msg(timeout=timeout)
        if m["parent_header"].get("msg_id") == msg_id and m["msg_type"] == "status":
            if m["content"]["execution_state"] == "idle":
                return


def kernel_round_trips(n: int = 100) -> tuple[list[float], list[float]]:
    """Milliseconds per `%step` (request sent -> kernel idle again) and per Debugger `step`
    button click with a 64 KiB memory view (comm message -> idle, the 64 KiB going out on
    every step that wrote memory), n samples each."""
    from jupyter_client.manager import start_new_kernel

    km, kc = start_new_kernel(kernel_name=_kernel_name(), startup_timeout=60)
    try:
        for code in (PROGRAM, "%step 5"):
            if code.startswith("%step"):
                msg_id = kc.execute("%debug fill 100000")
                model_id = None
                while model_id is None:
                    m = kc.get_iopub_msg(timeout=60)
                    if m["parent_header"].get("msg_id") == msg_id and m["msg_type"] == "display_data":
                        view = m["content"]["data"].get("application/vnd.jupyter.widget-view+json")
                        model_id = view["model_id"] if view else None
            if _run(kc, code) != "ok":
                raise RuntimeError(f"benchmark setup failed at {code!r}")
        steps = _step_times(kc, n)
        assert model_id is not None
        _click(kc, model_id, {"action": "memory", "addr": 0, "size": 65536})
        clicks = []
        for _ in range(n):
            t = time.perf_counter()
            _click(kc, model_id, {"action": "step", "n": 13})  # one loop iteration: one store
            clicks.append((time.perf_counter() - t) * 1000)
        return steps, clicks
    finally:
        kc.stop_channels()
        km.shutdown_kernel(now=True)


class _Dap:
    """The debug client JupyterLab is: requests on control, events from IOPub."""

    def __init__(self, kc: Any) -> None:
        self.kc = kc
        self.seq = 0

    def request(self, command: str, arguments: dict[str, Any] | None = None, timeout: float = 60) -> Any:
        self.seq += 1
        content = {"type": "request", "seq": self.seq, "command": command, "arguments": arguments or {}}
        msg = self.kc.session.msg("debug_request", content)
        self.kc.control_channel.send(msg)
        while True:
            reply = self.kc.control_channel.get_msg(timeout=timeout)
            if reply["parent_header"].get("msg_id") == msg["header"]["msg_id"]:
                if not reply["content"].get("success"):
                    raise RuntimeError(f"{command}: {reply['content'].get('message')}")
                return reply["content"].get("body", {})

    def event(self, name: str, timeout: float = 60) -> Any:
        while True:
            m = self.kc.get_iopub_msg(timeout=timeout)
            if m["msg_type"] == "debug_event" and m["content"].get("event") == name:
                return m["content"]


PANEL_LINE = 6  # (i32.store ...) of PROGRAM: a breakpoint every time round the loop


def panel_round_trips(n: int = 100) -> tuple[list[float], list[float], list[float], list[float]]:
    """Milliseconds, n samples each: `%step` (the peer), and, paused at a panel breakpoint in
    `fill`: stackTrace + variables(Locals), the full refresh of a stop (stackTrace, scopes,
    variables of each scope), and `next` until its `stopped` event."""
    from jupyter_client.manager import start_new_kernel

    km, kc = start_new_kernel(kernel_name=_kernel_name(), startup_timeout=60)
    try:
        if _run(kc, PROGRAM) != "ok" or _run(kc, "%debug fill 100000") != "ok":
            raise RuntimeError("benchmark setup failed")
        steps = _step_times(kc, n)
        dap = _Dap(kc)
        info = dap.request("debugInfo")
        dap.request("initialize", {"adapterID": "wasmlab", "linesStartAt1": True})
        dap.request("attach")
        path = dap.request("dumpCell", {"code": PROGRAM})["sourcePath"]
        assert path.startswith(info["tmpFilePrefix"])
        dap.request("setBreakpoints", {"source": {"path": path}, "breakpoints": [{"line": PANEL_LINE}]})
        dap.request("configurationDone")
        msg_id = kc.execute('(invoke "fill" (i32.const 1000000))')
        dap.event("stopped")
        traces, refreshes, nexts = [], [], []
        frame = dap.request("stackTrace", {"threadId": 1})["stackFrames"][0]
        scopes = dap.request("scopes", {"frameId": frame["id"]})["scopes"]
        local_ref = scopes[0]["variablesReference"]
        for _ in range(n):
            t = time.perf_counter()
            dap.request("stackTrace", {"threadId": 1})
            dap.request("variables", {"variablesReference": local_ref})
            traces.append((time.perf_counter() - t) * 1000)
        for _ in range(n):
            t = time.perf_counter()
            frames = dap.request("stackTrace", {"threadId": 1})["stackFrames"]
            for sc in dap.request("scopes", {"frameId": frames[0]["id"]})["scopes"]:
                dap.request("variables", {"variablesReference": sc["variablesReference"]})
            refreshes.append((time.perf_counter() - t) * 1000)
        for _ in range(n):
            t = time.perf_counter()
            dap.request("next", {"threadId": 1})
            dap.event("stopped")
            nexts.append((time.perf_counter() - t) * 1000)
        dap.request("setBreakpoints", {"source": {"path": path}, "breakpoints": []})
        dap.request("continue", {"threadId": 1})
        while kc.get_shell_msg(timeout=120)["parent_header"].get("msg_id") != msg_id:
            pass
        dap.request("disconnect")
        return steps, traces, refreshes, nexts
    finally:
        kc.stop_channels()
        km.shutdown_kernel(now=True)


def step_round_trip(n: int = 100) -> list[float]:
    """Milliseconds per `%step` through jupyter_client (see kernel_round_trips)."""
    return kernel_round_trips(n)[0]


def widget_refresh(n: int = 100, window: int = 65536) -> list[float]:
    """Milliseconds per Debugger refresh with a `window`-byte memory view, n samples; each
    follows a move that stored into memory (so the memory view and its highlights change)."""
    import wasmlab
    from wasmlab.debug import debug
    from wasmlab.widgets import Debugger

    inst = wasmlab.load(PROGRAM)
    session = debug(inst, "fill", 1_000_000)
    w = Debugger(session, sources=PROGRAM, memory_window=window)
    samples = []
    for _ in range(n):
        session.step(13)  # one loop iteration: one i32.store
        t = time.perf_counter()
        w.refresh()
        w.send_state()  # serialize every trait, as a full sync to the browser does
        samples.append((time.perf_counter() - t) * 1000)
    return samples


def _summary(name: str, samples: list[float], target: float) -> str:
    med = statistics.median(samples)
    ok = "ok" if med < target else "OVER TARGET"
    return (
        f"{name:<44} median {med:7.2f} ms  min {min(samples):7.2f}  max {max(samples):7.2f}  "
        f"(n={len(samples)}, target < {target:g} ms: {ok})"
    )


def main(argv: list[str] | None = None) -> int:
    p = argparse.ArgumentParser(prog="python -m wasmlab.bench.kernel")
    p.add_argument("-n", type=int, default=100, help="samples per measurement")
    p.add_argument("--no-kernel", action="store_true", help="only the widget refresh")
    p.add_argument("--panel", action="store_true", help="only JupyterLab's debugger panel (debug protocol)")
    a = p.parse_args(argv if argv is not None else [])
    if a.panel:
        _panel(a.n)
        return 0
    print(_summary("Debugger refresh, 64 KiB memory view", widget_refresh(a.n), REFRESH_TARGET_MS))
    if not a.no_kernel:
        steps, clicks = kernel_round_trips(a.n)
        print(_summary("%step round trip (jupyter_client, widget live)", steps, STEP_TARGET_MS))
        print(_summary("Debugger step click, 64 KiB view (jupyter_client)", clicks, REFRESH_TARGET_MS))
        _panel(a.n)
    return 0


def _panel(n: int) -> None:
    steps, traces, refreshes, nexts = panel_round_trips(n)
    peer = statistics.median(steps)
    print(_summary("%step round trip (jupyter_client, this run)", steps, STEP_TARGET_MS))
    for name, samples in (("panel: stackTrace + variables (Locals)", traces),
                          ("panel: a stop's refresh (trace, scopes, 4 vars)", refreshes),
                          ("panel: next -> stopped event", nexts)):  # fmt: skip
        ratio = statistics.median(samples) / peer
        print(_summary(name, samples, STEP_TARGET_MS) + f"  {ratio:.2f}x %step")


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
