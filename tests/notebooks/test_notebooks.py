"""The teaching notebooks as files: the eleven of them, their kernels, stored outputs and no
bulky widget state. (That every cell runs and gives its stored output is nbval's job:
`pytest notebooks/`, part of the normal run through pyproject's `--nbval`.)"""

from __future__ import annotations

import json
from pathlib import Path

import pytest

from tests.conftest import ROOT

NOTEBOOKS = ROOT / "notebooks"
EXPECTED = {
    "01-stack-machine": "wasmlab",
    "02-control-flow": "wasmlab",
    "03-functions-and-calls": "wasmlab",
    "04-linear-memory": "wasmlab",
    "05-module-linking": "wasmlab",
    "06-wasi-c-program": "wasmlab",
    "07-time-travel-debugging": "wasmlab",
    "08-python-embedding": "python3",
    "09-tail-calls-and-memories": "wasmlab",
    "10-debugging-c": "wasmlab",
    "11-structs-arrays-and-the-heap": "wasmlab",
}
MAX_BYTES = 200_000
#: what each stored graph picture may add: its PNG (an untrusted notebook, a fresh clone,
#: shows no SVG, so graphs are stored as SVG and PNG), at most this many bytes in base64
PNG_BYTES = 100_000


def load(name: str) -> dict:
    return json.loads((NOTEBOOKS / f"{name}.ipynb").read_text(encoding="utf-8"))


def test_the_eleven_notebooks() -> None:
    assert sorted(p.stem for p in NOTEBOOKS.glob("*.ipynb")) == sorted(EXPECTED)


@pytest.mark.parametrize("name", sorted(EXPECTED))
def test_notebook_file(name: str) -> None:
    path = NOTEBOOKS / f"{name}.ipynb"
    nb = load(name)
    pngs = [o["data"]["image/png"] for c in nb["cells"] for o in c.get("outputs", []) if "image/png" in o.get("data", {})]
    assert all(len(p) < PNG_BYTES for p in pngs), "a graph picture of more than 100 kB"
    budget = MAX_BYTES + sum(len(p) for p in pngs)
    assert path.stat().st_size < budget, "keep notebooks small (no widget state, no big outputs)"
    assert nb["metadata"]["kernelspec"]["name"] == EXPECTED[name]
    assert "widgets" not in nb["metadata"], "widget state is not saved"
    cells = nb["cells"]
    first = "".join(cells[0]["source"])
    assert cells[0]["cell_type"] == "markdown" and first.startswith(f"# {int(name[:2])}. ")
    code = [c for c in cells if c["cell_type"] == "code"]
    assert len(code) >= 5
    for c in code:
        assert c["execution_count"] is not None, "outputs are stored (run the notebook before saving)"
        for out in c.get("outputs", []):
            assert "application/vnd.jupyter.widget-state+json" not in out.get("data", {})
    prose = sum(len("".join(c["source"])) for c in cells if c["cell_type"] == "markdown")
    assert prose > 2000, "each notebook explains what it shows"


def test_notebooks_link_to_the_next() -> None:
    names = sorted(EXPECTED)
    for here, there in zip(names, names[1:]):
        text = "".join("".join(c["source"]) for c in load(here)["cells"] if c["cell_type"] == "markdown")
        assert f"{there}.ipynb" in text, f"{here} links to {there}"


def test_error_cells_are_tagged() -> None:
    """A cell whose stored output is an error must say so (nbval, and JupyterLab's Run All)."""
    for name in EXPECTED:
        for c in load(name)["cells"]:
            if any(o["output_type"] == "error" for o in c.get("outputs", [])):
                assert "raises-exception" in c["metadata"].get("tags", []), (name, c["source"])


def test_c_program_fixture() -> None:
    import wasmlab

    src = NOTEBOOKS / "c" / "fractions.c"
    module = wasmlab.parse(NOTEBOOKS / "c" / "fractions.wasm")
    assert "int gcd(int a, int b)" in src.read_text()
    names = {module.func_name(i) for i in range(len(module.imports), len(module.imports) + len(module.funcs))}
    assert {"gcd", "main", "_start"} <= names
    cfg = wasmlab.WasiConfig(args=["fractions", "1071/462"], stdout=bytearray())
    assert cfg.run(wasmlab.load(NOTEBOOKS / "c" / "fractions.wasm", wasi=cfg)) == 0
    assert cfg.output == b"1071/462 = 51/22\n"


def test_grades_program_fixture() -> None:
    """notebooks/c/grades.wasm (notebook 10): the committed source, built with -g, shows the bug."""
    import wasmlab

    path = NOTEBOOKS / "c" / "grades.wasm"
    cfg = wasmlab.WasiConfig(args=["grades"], stdout=bytearray())
    assert cfg.run(wasmlab.load(path, wasi=cfg)) == 0
    assert cfg.output.endswith(b" 90-100 *\n10 of 10 passed\n")  # the bug the notebook finds
    cfg = wasmlab.WasiConfig(args=["grades"], stdout=bytearray())
    s = wasmlab.debug(wasmlab.load(path, wasi=cfg), "_start")
    s.break_at("grades.c:31")
    s.continue_()
    assert str(s.source_position) == "grades.c:31:33" and s.source_position.file == "c/grades.c"
    where = {v.name: v.where for v in s.variables}
    assert where["bands"].endswith("+32)") and where["passed"].endswith("+72)")


def test_grades_wasm_is_built_from_grades_c(tmp_path: Path) -> None:
    """The committed binary is the build of the committed source (tests/notebooks/build_c.py):
    byte for byte with the same clang; with another clang version, the same C lines and
    variables (a stale binary has the lines of an older source)."""
    import wasmlab
    from tests.conftest import need_tool
    from tests.notebooks.build_c import PROGRAMS, build, command
    from wasmlab.dwarf import DebugInfo

    clang = need_tool("clang")
    for source, out in PROGRAMS:
        fresh = tmp_path / Path(out).name
        r = build(clang, source, str(fresh))
        assert r.returncode == 0, f"{' '.join(command('clang', source, out))}: {r.stderr[-500:]}"
        committed = (NOTEBOOKS / out).read_bytes()
        if fresh.read_bytes() == committed:
            continue
        ours, theirs = (DebugInfo(wasmlab.parse(p)) for p in (NOTEBOOKS / out, fresh))
        for info in (ours, theirs):
            assert info.lines.match_file(Path(source).name) == [source]
        assert ours.lines.lines(source) == theirs.lines.lines(source), f"notebooks/{out} is stale: rebuild it"
        names = [sorted((f.name, tuple(v.name for v in f.scope.variables)) for f in i.functions) for i in (ours, theirs)]
        assert names[0] == names[1], f"notebooks/{out} is stale: rebuild it (python tests/notebooks/build_c.py)"


def test_sanitize_config_reads() -> None:
    import configparser

    cfg = configparser.ConfigParser()
    cfg.read(NOTEBOOKS / "sanitize.cfg")
    assert all({"regex", "replace"} <= set(cfg[s]) for s in cfg.sections())
    assert Path(NOTEBOOKS / "sanitize.cfg").read_text().count("[") >= 3
