"""Spec script files by their suffix: wast2json `.json` or `.wast` text."""

from __future__ import annotations

from pathlib import Path
from typing import Any

from ..syntax.features import DEFAULT
from .runner import Result, run_json
from .wast import run_wast


def run_file(path: Path, **options: Any) -> Result:
    """Run one script file (options: module_linking, features), counting its assertions."""
    if path.suffix == ".json":
        return run_json(
            path,
            module_linking=bool(options.get("module_linking")),
            features=options.get("features", DEFAULT),
        )
    return run_wast(path, **options)


__all__ = ["run_file"]
