"""Packaging: every wasmlab/ subpackage is found by the package discovery pyproject asks
for, the kernelspec data files exist, and `python -m wasmlab.kernel install` writes a
working spec."""

from __future__ import annotations

import json
import subprocess
import sys
import tomllib
from pathlib import Path

from wasmlab.kernel.install import DISPLAY_NAME, kernel_json, main, write_spec

ROOT = Path(__file__).resolve().parents[2]


def pyproject() -> dict:
    return tomllib.loads((ROOT / "pyproject.toml").read_text())


def test_every_subpackage_is_packaged() -> None:
    from setuptools import find_packages

    include = pyproject()["tool"]["setuptools"]["packages"]["find"]["include"]
    packaged = set(find_packages(str(ROOT), include=include))
    found = {".".join(p.parent.relative_to(ROOT).parts) for p in (ROOT / "wasmlab").rglob("__init__.py")}
    assert found == packaged
    assert {"wasmlab.kernel", "wasmlab.widgets"} <= packaged


def test_kernelspec_data_files() -> None:
    files = pyproject()["tool"]["setuptools"]["data-files"]["share/jupyter/kernels/wasmlab"]
    for f in files:
        assert (ROOT / f).is_file(), f
    spec = json.loads((ROOT / "wasmlab/kernel/resources/kernel.json").read_text())
    assert spec == kernel_json(), "wasmlab/kernel/resources/kernel.json differs from install.kernel_json()"
    assert spec["display_name"] == DISPLAY_NAME == "WebAssembly (wasmlab)"
    assert spec["metadata"]["debugger"] is True  # JupyterLab's debugger panel (kernel/dap.py)
    for logo in ("logo-32x32.png", "logo-64x64.png"):
        assert (ROOT / "wasmlab/kernel/resources" / logo).read_bytes()[:8] == b"\x89PNG\r\n\x1a\n"


def test_write_and_install_spec(tmp_path: Path, capsys) -> None:  # noqa: ANN001
    d = write_spec(tmp_path / "k" / "wasmlab", "/usr/bin/python3")
    spec = json.loads((d / "kernel.json").read_text())
    assert spec["argv"][:3] == ["/usr/bin/python3", "-m", "wasmlab.kernel"]
    assert (d / "logo-64x64.png").exists()
    assert main(["--prefix", str(tmp_path / "prefix")]) == 0
    installed = tmp_path / "prefix" / "share" / "jupyter" / "kernels" / "wasmlab" / "kernel.json"
    assert json.loads(installed.read_text())["argv"][0] == sys.executable
    assert "installed kernelspec wasmlab" in capsys.readouterr().out


def test_module_entry_point_help() -> None:
    out = subprocess.run(
        [sys.executable, "-m", "wasmlab.kernel", "install", "--help"], capture_output=True, text=True
    )
    assert out.returncode == 0 and "--sys-prefix" in out.stdout
