"""Kernel tests: a kernelspec for this Python in a private JUPYTER_PATH directory, and a small
jupyter_client driver that collects a request's outputs."""

from __future__ import annotations

import atexit
import importlib.util
import os
import shutil
import sys
import tempfile
from pathlib import Path
from typing import Any

import pytest

from tests.kernel.driver import KERNEL_NAME, Driver


def _install_test_spec() -> Path | None:
    """Write the kernelspec (this interpreter) where jupyter_client looks first."""
    if importlib.util.find_spec("wasmlab.kernel") is None:
        return None
    from wasmlab.kernel.install import write_spec

    base = Path(tempfile.mkdtemp(prefix="wasmlab-jupyter-"))
    write_spec(base / "kernels" / KERNEL_NAME, sys.executable)
    old = os.environ.get("JUPYTER_PATH")
    os.environ["JUPYTER_PATH"] = os.pathsep.join(p for p in (str(base), old) if p)
    atexit.register(shutil.rmtree, base, ignore_errors=True)
    return base


SPEC_DIR = _install_test_spec()


def need_kernel() -> None:
    if SPEC_DIR is None:
        from tests.conftest import skip_or_fail

        skip_or_fail("wasmlab.kernel is not importable: pip install -e . first")


@pytest.fixture(scope="module")
def kernel() -> Any:
    need_kernel()
    d = Driver()
    try:
        yield d
    finally:
        d.close()
