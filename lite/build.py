"""Build wasmlab's JupyterLite site (`bash scripts/lite.sh build`): a static folder that runs
the teaching notebooks in the browser with nothing installed.

Everything comes from the package registries, at build time only:

- npm: `pyodide` (the core: pyodide.mjs, pyodide.asm.*, python_stdlib.zip, pyodide-lock.json;
  no package wheels) at the version jupyterlite-pyodide-kernel was made for, and
  `@viz-js/viz` (Graphviz compiled to wasm) for the pictures;
- PyPI: the pure-Python wheels the Pyodide kernel loads at start (micropip, IPython and what it
  needs, jedi, ...) at the versions Pyodide's lock names, and wasmlab's own dependencies under
  Pyodide (ipywidgets, anywidget, psygnal, comm, graphviz: pinned in `lite/requirements.txt`).
  PyPI's wheels are not the bytes Pyodide's lock hashed, so the lock is rewritten: each entry's
  file name and sha256 become the downloaded wheel's, and entries are added for the packages
  Pyodide does not have, with their dependencies read from the wheels' metadata as Pyodide
  sees them (sys_platform "emscripten"). The wasmlab wheel is built here and entered too, so
  `loadPyodideOptions.packages = ["wasmlab"]` makes `import wasmlab` work in every kernel;
  it is also in the site's piplite index (`%pip install wasmlab`), with PyPI switched off.
- the labextensions installed in this environment (the Pyodide kernel, ipywidgets' manager,
  anywidget), and `lite/extension` (`@wasmlab/lite`: the WebAssembly (wasmlab) kernel).

The notebooks are copied as they are (notebook 8's kernelspec `python3` becomes the site's
`python`); `lite/index.html` is the site's first page.

    python lite/build.py [--out DIR] [--work DIR] [--offline]

`--offline` reuses the downloads already in the work folder (and fails when one is missing).
"""

from __future__ import annotations

import argparse
import hashlib
import json
import os
import re
import shutil
import subprocess
import sys
import tarfile
import time
import zipfile
from email.parser import Parser
from pathlib import Path
from typing import Any

ROOT = Path(__file__).resolve().parent.parent
LITE = ROOT / "lite"

#: the npm packages (pyodide's version is the one jupyterlite-pyodide-kernel 0.8.6 names)
PYODIDE_VERSION = "314.0.6"
VIZ_VERSION = "3.31.0"
#: the files of the npm `pyodide` package the site needs
PYODIDE_FILES = (
    "pyodide.mjs",
    "pyodide.asm.mjs",
    "pyodide.asm.wasm",
    "python_stdlib.zip",
    "pyodide-lock.json",
)
#: the lock's packages the kernel asks for at start (piplite.install in the worker) and wasmlab
ROOTS = ("micropip", "packaging", "ipython", "jedi", "comm", "typing-extensions", "wasmlab")
#: requirements that are front-end only: the site has their labextension already
FRONTEND_ONLY = {"widgetsnbextension", "jupyterlab-widgets"}
#: the environment Pyodide 314 evaluates markers in
PYODIDE_MARKERS = {
    "sys_platform": "emscripten", "platform_system": "Emscripten", "os_name": "posix",
    "platform_machine": "wasm32", "python_version": "3.14", "python_full_version": "3.14.2",
    "implementation_name": "cpython", "platform_python_implementation": "CPython", "extra": "",
}  # fmt: skip


def log(msg: str) -> None:
    print(f"lite: {msg}", flush=True)


def canon(name: str) -> str:
    return re.sub(r"[-_.]+", "-", name).lower()


def run(cmd: list[str], **kw: Any) -> None:
    log(" ".join(str(c) for c in cmd))
    subprocess.run(cmd, check=True, **kw)


# --- downloads -------------------------------------------------------------------------------


def npm_pack(spec: str, dest: Path, offline: bool) -> Path:
    """The tarball of an npm package (`npm pack`), cached in `dest`."""
    name, _, version = spec.rpartition("@")
    stem = name.lstrip("@").replace("/", "-")
    tgz = dest / f"{stem}-{version}.tgz"
    if not tgz.exists():
        if offline:
            raise SystemExit(f"lite: {tgz} is missing and --offline was given")
        dest.mkdir(parents=True, exist_ok=True)
        run(["npm", "pack", "--silent", spec], cwd=dest, stdout=subprocess.DEVNULL)
    return tgz


def pip_download(reqs: list[str], dest: Path, offline: bool) -> None:
    """Pure-Python wheels (py3-none-any, for Python 3.14) of exact `name==version` pins."""
    have = {canon(w.name.split("-")[0]) + "==" + w.name.split("-")[1] for w in dest.glob("*.whl")}
    missing = [r for r in reqs if canon(r.split("==")[0]) + "==" + r.split("==")[1] not in have]
    if not missing:
        return
    if offline:
        raise SystemExit(f"lite: wheels missing and --offline was given: {missing}")
    dest.mkdir(parents=True, exist_ok=True)
    run([sys.executable, "-m", "pip", "download", "-q", "--no-deps", "--only-binary=:all:",
         "--python-version", "3.14", "--implementation", "py", "--abi", "none", "--platform", "any",
         "-d", str(dest), *missing])  # fmt: skip


def build_wasmlab_wheel(dest: Path) -> Path:
    """wasmlab's wheel from this checkout (built in a temporary copy: no build/ left here)."""
    dest.mkdir(parents=True, exist_ok=True)
    for old in dest.glob("wasmlab-*.whl"):
        old.unlink()
    tmp = dest / "src"
    shutil.rmtree(tmp, ignore_errors=True)
    ignore = shutil.ignore_patterns(".*", "__pycache__", "*.egg-info", "build", "tests", "artifacts", "lite")
    shutil.copytree(ROOT, tmp, ignore=ignore)
    run([sys.executable, "-m", "pip", "wheel", "-q", "--no-deps", "-w", str(dest),
         str(tmp)])  # fmt: skip
    shutil.rmtree(tmp)
    (wheel,) = dest.glob("wasmlab-*.whl")
    return wheel


# --- the lock --------------------------------------------------------------------------------


def wheel_metadata(wheel: Path) -> tuple[str, str, list[str], list[str]]:
    """(name, version, requirements under Pyodide, top-level import names) of a wheel."""
    from packaging.requirements import Requirement

    with zipfile.ZipFile(wheel) as z:
        meta_name = next(n for n in z.namelist() if n.endswith(".dist-info/METADATA"))
        meta = Parser().parsestr(z.read(meta_name).decode("utf-8"))
        tops = sorted({n.split("/")[0] for n in z.namelist() if "/" in n and ".dist-info" not in n.split("/")[0]
                       and ".data" not in n.split("/")[0]} | {n[:-3] for n in z.namelist() if "/" not in n
                       and n.endswith(".py")})  # fmt: skip
    deps = []
    for line in meta.get_all("Requires-Dist") or []:
        req = Requirement(line)
        if req.marker is None or req.marker.evaluate(PYODIDE_MARKERS):
            if canon(req.name) not in FRONTEND_ONLY:
                deps.append(canon(req.name))
    return meta["Name"], meta["Version"], deps, tops


def sha256(path: Path) -> str:
    return hashlib.sha256(path.read_bytes()).hexdigest()


def pins() -> dict[str, str]:
    """lite/requirements.txt: versions for the packages Pyodide's lock does not have."""
    out = {}
    for line in (LITE / "requirements.txt").read_text().splitlines():
        line = line.split("#")[0].strip()
        if line:
            name, _, version = line.partition("==")
            out[canon(name)] = version.strip()
    return out


def rewrite_lock(lock: dict[str, Any], wheels: Path, wasmlab_wheel: Path, offline: bool) -> list[Path]:
    """Resolve ROOTS through the lock and the wheels' metadata, download what is missing, and
    point the lock's entries at the downloaded wheels. Returns the wheels the site serves."""
    packages: dict[str, Any] = lock["packages"]
    by_canon = {canon(k): k for k in packages}
    pinned = pins()
    chosen: dict[str, Path] = {"wasmlab": wasmlab_wheel}
    todo = list(ROOTS)
    seen: set[str] = set()
    while todo:
        batch = []
        for name in todo:
            name = canon(name)
            if name in seen:
                continue
            seen.add(name)
            if name in chosen:
                continue
            key = by_canon.get(name)
            version = packages[key]["version"] if key else pinned.get(name)
            if version is None:
                raise SystemExit(
                    f"lite: {name} is neither in Pyodide's lock nor pinned in lite/requirements.txt"
                )
            batch.append(f"{name}=={version}")
        pip_download(batch, wheels, offline)
        for req in batch:
            name, version = req.split("==")
            found = [w for w in wheels.glob("*.whl") if canon(w.name.split("-")[0]) == name
                     and w.name.split("-")[1] == version]  # fmt: skip
            if not found:
                raise SystemExit(f"lite: no wheel for {req} in {wheels}")
            chosen[name] = found[0]
        todo = []
        for name in list(chosen):
            key = by_canon.get(name)
            deps = set(wheel_metadata(chosen[name])[2])
            if key:
                deps |= {canon(d) for d in packages[key]["depends"]}
            todo += [d for d in deps if d not in seen]
    for name, wheel in chosen.items():
        meta_name, version, deps, tops = wheel_metadata(wheel)
        key = by_canon.get(name)
        if key is None:
            key = name
            packages[key] = {"name": name, "version": version, "imports": tops, "install_dir": "site",
                             "package_type": "package", "unvendored_tests": False, "shared_library": False,
                             "depends": []}  # fmt: skip
        entry = packages[key]
        entry["file_name"] = wheel.name
        entry["sha256"] = sha256(wheel)
        entry["depends"] = sorted({*entry["depends"], *[by_canon.get(d, d) for d in deps]})
        log(f"lock: {key} {version} <- {wheel.name}")
    return sorted(chosen.values())


# --- the site ----------------------------------------------------------------------------------


def extract(tgz: Path, members: dict[str, Path]) -> None:
    """Copy the named files of an npm tarball (paths below `package/`) to their destinations."""
    with tarfile.open(tgz) as tar:
        for name, dest in members.items():
            src = tar.extractfile(f"package/{name}")
            if src is None:
                raise SystemExit(f"lite: {name} not in {tgz.name}")
            dest.parent.mkdir(parents=True, exist_ok=True)
            dest.write_bytes(src.read())


def copy_notebooks(files: Path) -> None:
    """notebooks/ (with c/fractions.wasm for notebook 6, c/grades.wasm and its C source for
    notebook 10's source view) into the site's contents, unchanged
    except a kernelspec the site does not have (python3 -> the Pyodide kernel `python`)."""
    src = ROOT / "notebooks"
    files.mkdir(parents=True, exist_ok=True)
    for nb in sorted(src.glob("*.ipynb")):
        data = json.loads(nb.read_text(encoding="utf-8"))
        spec = data.get("metadata", {}).get("kernelspec", {})
        if spec.get("name") == "python3":
            spec.update(name="python", display_name="Python (Pyodide)")
        (files / nb.name).write_text(json.dumps(data, indent=1, ensure_ascii=False) + "\n", encoding="utf-8")
    for path in sorted((src / "c").glob("*.wasm")) + sorted((src / "c").glob("*.c")):
        (files / "c").mkdir(exist_ok=True)
        shutil.copy2(path, files / "c" / path.name)


def site_size(out: Path) -> int:
    return sum(p.stat().st_size for p in out.rglob("*") if p.is_file())


def build(out: Path, work: Path, offline: bool) -> Path:
    t0 = time.monotonic()
    src = work / "src"  # the lite_dir handed to `jupyter lite build`
    shutil.rmtree(src, ignore_errors=True)
    shutil.rmtree(out, ignore_errors=True)
    npm = work / "npm"
    wheels = work / "wheels"

    pyodide = src / "static" / "pyodide"
    extract(npm_pack(f"pyodide@{PYODIDE_VERSION}", npm, offline), {f: pyodide / f for f in PYODIDE_FILES})
    ext = src / "wasmlab-lite-extension"  # handed to the build as a federated extension
    shutil.copytree(LITE / "extension", ext)
    extract(npm_pack(f"@viz-js/viz@{VIZ_VERSION}", npm, offline), {"dist/viz.js": ext / "static" / "viz.js"})
    for logo in ("logo-32x32.png", "logo-64x64.png"):
        shutil.copy2(ROOT / "wasmlab" / "kernel" / "resources" / logo, ext / "static" / logo)

    wasmlab_wheel = build_wasmlab_wheel(work / "wasmlab")
    lock_path = pyodide / "pyodide-lock.json"
    lock = json.loads(lock_path.read_text())
    for wheel in rewrite_lock(lock, wheels, wasmlab_wheel, offline):
        shutil.copy2(wheel, pyodide / wheel.name)
    lock_path.write_text(json.dumps(lock, indent=1, sort_keys=True) + "\n")
    (src / "pypi").mkdir(parents=True)
    shutil.copy2(wasmlab_wheel, src / "pypi" / wasmlab_wheel.name)

    shutil.copy2(LITE / "jupyter-lite.json", src / "jupyter-lite.json")
    config = json.loads((LITE / "jupyter_lite_config.json").read_text())
    config.setdefault("LiteBuildConfig", {})["federated_extensions"] = [str(ext.relative_to(src))]
    (src / "jupyter_lite_config.json").write_text(json.dumps(config, indent=2) + "\n")
    copy_notebooks(src / "files")

    env = dict(os.environ, JUPYTERLITE_NO_LIBARCHIVE="1")
    env.pop("JUPYTERLITE_PYODIDE_URL", None)
    cmd = [sys.executable, "-m", "jupyterlite_core", "build", "--lite-dir", str(src), "--output-dir", str(out),
           "--no-sourcemaps", "--apps", "lab"]  # fmt: skip
    run(cmd, cwd=src, env=env)
    shutil.copy2(LITE / "index.html", out / "index.html")
    size = site_size(out)
    log(f"site: {out} ({size / 1e6:.1f} MB in {sum(1 for p in out.rglob('*') if p.is_file())} files, "
        f"built in {time.monotonic() - t0:.0f} s)")  # fmt: skip
    return out


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description="build wasmlab's JupyterLite site")
    parser.add_argument("--out", type=Path, default=LITE / "_output", help="the site (default lite/_output)")
    parser.add_argument(
        "--work", type=Path, default=LITE / "_work", help="downloads and staging (lite/_work)"
    )
    parser.add_argument("--offline", action="store_true", help="use only the downloads in --work")
    args = parser.parse_args(argv)
    build(args.out.resolve(), args.work.resolve(), args.offline)
    return 0


if __name__ == "__main__":
    sys.exit(main())
