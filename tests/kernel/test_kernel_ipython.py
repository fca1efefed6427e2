"""The widgets and magics in the IPython kernel (ipykernel's python3), through jupyter_client:
`%load_ext wasmlab`, `%%wat`, a Debugger widget made in Python, and a button click on it."""

from __future__ import annotations

from typing import Any

import pytest

from tests.kernel.driver import Driver


@pytest.fixture(scope="module")
def pykernel() -> Any:
    from jupyter_client.kernelspec import KernelSpecManager

    from tests.conftest import skip_or_fail

    if "python3" not in KernelSpecManager().find_kernel_specs():
        skip_or_fail("the python3 (ipykernel) kernelspec is not installed")
    d = Driver("python3")
    yield d
    d.close()


def test_magics_and_debugger_widget_in_the_ipython_kernel(pykernel: Driver) -> None:
    pykernel.ok("%load_ext wasmlab")
    r = pykernel.ok(
        '%%wat sq\n(module (func (export "sq") (param i32) (result i32) (i32.mul (local.get 0) (local.get 0))))'
    )
    assert "module $sq" in r.text()
    r = pykernel.ok("sq.exports.sq(12)")
    assert r.of("execute_result")[0]["data"]["text/plain"] == "144"
    r = pykernel.ok(
        "from wasmlab.debug import debug\nfrom wasmlab.widgets import Debugger\nw = Debugger(debug(sq, 'sq', 3))\nw"
    )
    views = [c["data"] for t, c in r.outputs if t in ("execute_result", "display_data")]
    model_id = next(d["application/vnd.jupyter.widget-view+json"]["model_id"] for d in views
                    if "application/vnd.jupyter.widget-view+json" in d)  # fmt: skip
    assert any(c["comm_id"] == model_id for c in r.of("comm_open"))
    outs = pykernel.comm_msg(model_id, {"method": "custom", "content": {"action": "step"}})
    updates = [c["data"]["state"] for t, c in outs if t == "comm_msg" and c["data"].get("method") == "update"]
    assert any(u.get("position", "").startswith("step 1:") for u in updates), updates
    r = pykernel.ok("w.session.step_count")
    assert r.of("execute_result")[0]["data"]["text/plain"] == "1"
    r = pykernel.ok("%wasm debug sq 5")
    assert any("application/vnd.jupyter.widget-view+json" in c["data"] for c in r.of("display_data"))
