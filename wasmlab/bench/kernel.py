"""`python -m wasmlab.bench.kernel`: how fast the notebook front ends answer.

1. `%step` round trip through jupyter_client: from sending the execute request to the
   kernel going idle, with the Debugger widget live (every step refreshes it), median of N.
   Target: under 30 ms.
2. One Debugger widget refresh with a 64 KiB memory view, after a step that wrote memory
   (reading the session's views, the trait updates and their serialization), median of N;
   and end to end in the kernel: a `step 13` button click (a comm message; one store) with a 64 KiB view
   until the kernel is idle, the update with the 64 KiB buffer sent. Target: under 100 ms.
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
        steps = []
        for _ in range(n):
            t = time.perf_counter()
            if _run(kc, "%step") != "ok":
                raise RuntimeError("%step failed")
            steps.append((time.perf_counter() - t) * 1000)
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
    a = p.parse_args(argv if argv is not None else [])
    print(_summary("Debugger refresh, 64 KiB memory view", widget_refresh(a.n), REFRESH_TARGET_MS))
    if not a.no_kernel:
        steps, clicks = kernel_round_trips(a.n)
        print(_summary("%step round trip (jupyter_client, widget live)", steps, STEP_TARGET_MS))
        print(_summary("Debugger step click, 64 KiB view (jupyter_client)", clicks, REFRESH_TARGET_MS))
    return 0


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
