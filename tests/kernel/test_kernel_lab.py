"""`wasmlab lab`: the JupyterLab command line it runs, and the kernelspec it makes available."""

from __future__ import annotations

import importlib.util
import json
import sys
from pathlib import Path
from typing import Any

import pytest

from wasmlab import lab


class FakeRun:
    def __init__(self) -> None:
        self.calls: list[tuple[list[str], dict[str, str]]] = []

    def __call__(self, cmd: list[str], env: dict[str, str]) -> int:
        self.calls.append((cmd, env))
        return 0


@pytest.fixture
def has_lab(monkeypatch: pytest.MonkeyPatch) -> None:
    real = importlib.util.find_spec
    monkeypatch.setattr(
        lab.importlib.util, "find_spec", lambda n, *a: object() if n == "jupyterlab" else real(n, *a)
    )


def test_launch_runs_jupyterlab_on_the_folder(
    tmp_path: Path, has_lab: Any, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setattr(lab, "kernelspec_installed", lambda: True)
    run = FakeRun()
    assert lab.launch(tmp_path, ["--", "--no-browser"], run=run) == 0
    ((cmd, env),) = run.calls
    assert cmd[:3] == [sys.executable, "-m", "jupyterlab"]
    assert f"--ServerApp.root_dir={tmp_path}" in cmd and cmd[-1] == "--no-browser"


def test_launch_provides_the_kernelspec(
    tmp_path: Path, has_lab: Any, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setattr(lab, "kernelspec_installed", lambda: False)
    monkeypatch.setenv("XDG_CACHE_HOME", str(tmp_path / "cache"))
    run = FakeRun()
    assert lab.launch(tmp_path, [], run=run) == 0
    env = run.calls[0][1]
    base = Path(env["JUPYTER_PATH"].split(":")[0])
    spec = json.loads((base / "kernels" / "wasmlab" / "kernel.json").read_text())
    assert spec["argv"][0] == sys.executable and spec["display_name"] == "WebAssembly (wasmlab)"


def test_launch_errors(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]
) -> None:
    assert lab.launch(tmp_path / "missing", [], run=FakeRun()) == 2
    assert "no such folder" in capsys.readouterr().err
    monkeypatch.setattr(lab.importlib.util, "find_spec", lambda n, *a: None)
    assert lab.launch(tmp_path, [], run=FakeRun()) == 2
    assert "pip install 'wasmlab[lab]'" in capsys.readouterr().err


def test_launch_survives_ctrl_c_and_missing_programs(tmp_path: Path, has_lab: Any,
                                                     monkeypatch: pytest.MonkeyPatch) -> None:  # fmt: skip
    monkeypatch.setattr(lab, "kernelspec_installed", lambda: True)

    def interrupted(cmd: list[str], env: dict[str, str]) -> int:
        raise KeyboardInterrupt

    def missing(cmd: list[str], env: dict[str, str]) -> int:
        raise FileNotFoundError(2, "no such program")

    assert lab.launch(tmp_path, [], run=interrupted) == 130
    assert lab.launch(tmp_path, [], run=missing) == 1


def test_default_notebooks_folder() -> None:
    assert lab.default_notebooks().is_dir()


def test_cli_lab(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    from wasmlab import cli

    seen: list[Any] = []
    monkeypatch.setattr(lab, "launch", lambda notebooks, extra=(): seen.append((notebooks, extra)) or 0)
    assert cli.main(["lab", "--notebooks", str(tmp_path), "--", "--port", "9999"]) == 0
    ((notebooks, extra),) = seen
    assert notebooks == str(tmp_path) and lab.lab_command(tmp_path, extra)[-2:] == ["--port", "9999"]
