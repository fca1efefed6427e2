"""`wasmlab lab`: JupyterLab on the teaching notebooks, with the wasmlab kernel available.

The kernelspec normally comes with `pip install` (wheel data files). An editable install
does not install data files, so when Jupyter cannot find the spec, `launch` writes one to a
private directory and points the JupyterLab process at it (JUPYTER_PATH); nothing global
changes.
"""

from __future__ import annotations

import importlib.util
import os
import subprocess
import sys
from collections.abc import Callable, Sequence
from pathlib import Path

KERNEL_NAME = "wasmlab"


def default_notebooks() -> Path:
    """The repository's notebooks/ folder when running from a checkout, else the cwd."""
    here = Path(__file__).resolve().parent.parent / "notebooks"
    return here if here.is_dir() else Path.cwd()


def kernelspec_installed() -> bool:
    try:
        from jupyter_client.kernelspec import KernelSpecManager

        return KERNEL_NAME in KernelSpecManager().find_kernel_specs()
    except Exception:
        return False


def private_jupyter_path() -> Path:
    """A data directory holding `kernels/wasmlab` for this Python."""
    from .kernel.install import write_spec

    base = Path(os.environ.get("XDG_CACHE_HOME", Path.home() / ".cache")) / "wasmlab" / "jupyter"
    write_spec(base / "kernels" / KERNEL_NAME, sys.executable)
    return base


def lab_command(notebooks: Path, extra: Sequence[str]) -> list[str]:
    args = list(extra)
    if args and args[0] == "--":
        args = args[1:]
    root = ["--allow-root"] if hasattr(os, "geteuid") and os.geteuid() == 0 else []  # containers run as root
    return [sys.executable, "-m", "jupyterlab", f"--ServerApp.root_dir={notebooks}", *root, *args]


def launch(notebooks_dir: str | os.PathLike | None = None, extra: Sequence[str] = (),
           run: Callable[..., int] = subprocess.call) -> int:  # fmt: skip
    """Open JupyterLab on `notebooks_dir` (default: the repository's notebooks/); its exit status."""
    notebooks = Path(notebooks_dir).expanduser() if notebooks_dir else default_notebooks()
    if not notebooks.is_dir():
        print(f"wasmlab lab: no such folder: {notebooks}", file=sys.stderr)
        return 2
    if importlib.util.find_spec("jupyterlab") is None:
        print(
            "wasmlab lab: JupyterLab is not installed: pip install 'wasmlab[lab]' (or jupyterlab)",
            file=sys.stderr,
        )
        return 2
    env = dict(os.environ)
    if not kernelspec_installed():
        path = str(private_jupyter_path())
        env["JUPYTER_PATH"] = os.pathsep.join(p for p in (path, env.get("JUPYTER_PATH", "")) if p)
    try:
        return run(lab_command(notebooks, extra), env=env)
    except KeyboardInterrupt:
        return 130
    except OSError as e:
        print(f"wasmlab lab: cannot start JupyterLab: {e}", file=sys.stderr)
        return 1


__all__ = ["default_notebooks", "kernelspec_installed", "lab_command", "launch", "private_jupyter_path"]
