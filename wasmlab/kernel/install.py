"""The kernelspec: `python -m wasmlab.kernel install [--user | --sys-prefix | --prefix DIR]`.

`pip install wasmlab` already puts the same spec under `share/jupyter/kernels/wasmlab`
(wheel data files); this command is for other environments and for a specific Python.
"""

from __future__ import annotations

import argparse
import json
import shutil
import sys
import tempfile
from pathlib import Path
from typing import Any

KERNEL_NAME = "wasmlab"
DISPLAY_NAME = "WebAssembly (wasmlab)"
RESOURCES = Path(__file__).parent / "resources"


def kernel_json(executable: str | None = None) -> dict[str, Any]:
    """The kernel.json content; `executable` defaults to `python` (jupyter_client puts its own
    Python there), or the given interpreter."""
    return {
        "argv": [executable or "python", "-m", "wasmlab.kernel", "-f", "{connection_file}"],
        "display_name": DISPLAY_NAME,
        "language": "wast",
        "interrupt_mode": "signal",
        # JupyterLab enables its debugger from here (kernel_info cannot answer while a cell waits)
        "metadata": {"debugger": True},
    }


def write_spec(directory: Path, executable: str | None = None) -> Path:
    directory.mkdir(parents=True, exist_ok=True)
    (directory / "kernel.json").write_text(json.dumps(kernel_json(executable), indent=1) + "\n")
    for logo in ("logo-32x32.png", "logo-64x64.png", "logo-svg.svg"):
        src = RESOURCES / logo
        if src.exists():
            shutil.copy(src, directory / logo)
    return directory


def install(user: bool = False, prefix: str | None = None, executable: str | None = None) -> str:
    """Install the kernelspec with jupyter_client; returns where it went."""
    from jupyter_client.kernelspec import KernelSpecManager

    with tempfile.TemporaryDirectory() as tmp:
        spec_dir = write_spec(Path(tmp) / KERNEL_NAME, executable)
        return KernelSpecManager().install_kernel_spec(str(spec_dir), KERNEL_NAME, user=user, prefix=prefix)


def main(argv: list[str] | None = None) -> int:
    p = argparse.ArgumentParser(
        prog="python -m wasmlab.kernel install", description="install the wasmlab kernelspec"
    )
    where = p.add_mutually_exclusive_group()
    where.add_argument("--user", action="store_true", help="for the current user")
    where.add_argument("--sys-prefix", action="store_true", help="into sys.prefix (a venv or conda env)")
    where.add_argument("--prefix", help="into PREFIX/share/jupyter/kernels")
    p.add_argument(
        "--python", help="the interpreter the spec runs (default: this one)", default=sys.executable
    )
    a = p.parse_args(argv)
    prefix = sys.prefix if a.sys_prefix else a.prefix
    path = install(user=a.user, prefix=prefix, executable=a.python)
    print(f"installed kernelspec {KERNEL_NAME} in {path}")
    return 0


__all__ = ["DISPLAY_NAME", "KERNEL_NAME", "install", "kernel_json", "main", "write_spec"]
