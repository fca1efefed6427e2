"""A small jupyter_client driver for the kernel tests: run a request, collect its outputs."""

from __future__ import annotations

import time
from dataclasses import dataclass, field
from typing import Any

KERNEL_NAME = "wasmlab-test"


@dataclass
class Reply:
    content: dict[str, Any]
    outputs: list[tuple[str, dict[str, Any]]] = field(default_factory=list)

    @property
    def status(self) -> str:
        return self.content["status"]

    def of(self, *types: str) -> list[dict[str, Any]]:
        return [c for t, c in self.outputs if t in types]

    def text(self) -> str:
        out = []
        for t, c in self.outputs:
            if t in ("display_data", "execute_result"):
                out.append(c["data"].get("text/plain", ""))
            elif t == "stream":
                out.append(c["text"])
            elif t == "error":
                out.append("\n".join(c["traceback"]))
        return "\n".join(out)


class Driver:
    """A running wasmlab kernel and a blocking client."""

    def __init__(self, name: str = KERNEL_NAME) -> None:
        from jupyter_client.manager import start_new_kernel

        self.km, self.kc = start_new_kernel(kernel_name=name, startup_timeout=60)

    def close(self) -> None:
        self.kc.stop_channels()
        self.km.shutdown_kernel(now=True)

    def collect(self, msg_id: str, timeout: float = 60) -> list[tuple[str, dict[str, Any]]]:
        """IOPub messages of request `msg_id` until it goes idle."""
        outs: list[tuple[str, dict[str, Any]]] = []
        deadline = time.monotonic() + timeout
        while True:
            msg = self.kc.get_iopub_msg(timeout=max(deadline - time.monotonic(), 0.1))
            if msg["parent_header"].get("msg_id") != msg_id:
                continue
            t = msg["msg_type"]
            if t == "status" and msg["content"]["execution_state"] == "idle":
                return outs
            if t not in ("status", "execute_input"):
                outs.append((t, msg["content"]))

    def shell_reply(self, msg_id: str, timeout: float = 60) -> dict[str, Any]:
        deadline = time.monotonic() + timeout
        while True:
            msg = self.kc.get_shell_msg(timeout=max(deadline - time.monotonic(), 0.1))
            if msg["parent_header"].get("msg_id") == msg_id:
                return msg

    def execute(self, code: str, timeout: float = 60) -> Reply:
        msg_id = self.kc.execute(code)
        reply = self.shell_reply(msg_id, timeout)
        return Reply(reply["content"], self.collect(msg_id, timeout))

    def ok(self, code: str) -> Reply:
        r = self.execute(code)
        assert r.status == "ok", r.text()
        return r

    def comm_msg(
        self, comm_id: str, data: dict[str, Any], timeout: float = 60
    ) -> list[tuple[str, dict[str, Any]]]:
        """Send a comm_msg as a front end does (a widget button); the IOPub messages it caused."""
        msg = self.kc.session.msg("comm_msg", {"comm_id": comm_id, "data": data})
        self.kc.shell_channel.send(msg)
        return self.collect(msg["header"]["msg_id"], timeout)
