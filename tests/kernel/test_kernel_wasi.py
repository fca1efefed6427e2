"""WASI programs in the kernel: `%load PATH --wasi ... -- ARGS`, `%run`, `%debug _start` with the
guest's output in the cell, and one clear error for each bad use."""

from __future__ import annotations

from pathlib import Path

import pytest

from tests.kernel.driver import Driver
from wasmlab.kernel.outputs import CellError, Output
from wasmlab.kernel.workspace import Workspace

ROOT = Path(__file__).resolve().parents[2]
FRACTIONS = ROOT / "notebooks" / "c" / "fractions.wasm"

# prints "hi\n" with fd_write, then exits with the code given as the first byte of the
# environment variable count (0 variables: proc_exit(0); otherwise proc_exit(7))
HELLO = """(module
  (import "wasi_snapshot_preview1" "fd_write" (func $fd_write (param i32 i32 i32 i32) (result i32)))
  (import "wasi_snapshot_preview1" "environ_sizes_get" (func $env_sizes (param i32 i32) (result i32)))
  (import "wasi_snapshot_preview1" "proc_exit" (func $exit (param i32)))
  (memory (export "memory") 1)
  (data (i32.const 16) "hi\\n")
  (func $main (export "_start")
    (i32.store (i32.const 0) (i32.const 16))
    (i32.store (i32.const 4) (i32.const 3))
    (drop (call $fd_write (i32.const 1) (i32.const 0) (i32.const 1) (i32.const 8)))
    (drop (call $env_sizes (i32.const 32) (i32.const 36)))
    (if (i32.load (i32.const 32)) (then (call $exit (i32.const 7))))))
"""


class Cell:
    def __init__(self, ws: Workspace) -> None:
        self.ws = ws

    def __call__(self, code: str) -> str:
        outs: list[Output] = []
        self.ws.run_cell(code, outs.append)
        return "\n".join(o.text for o in outs)

    def error(self, code: str) -> CellError:
        with pytest.raises(CellError) as info:
            self(code)
        return info.value


@pytest.fixture
def cell(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Cell:
    monkeypatch.chdir(tmp_path)
    (tmp_path / "hello.wat").write_text(HELLO)
    ws = Workspace()
    ws.show_widgets = False
    return Cell(ws)


def test_load_and_run_a_wat_program(cell: Cell, capsys: pytest.CaptureFixture[str]) -> None:
    out = cell("%load hello.wat --wasi")
    assert "_start" in out and "3 imports" in out
    assert cell("%run") == "exit status 0"
    assert capsys.readouterr().out == "hi\n"
    assert cell("%run") == "exit status 0"  # a fresh instance each run
    assert capsys.readouterr().out == "hi\n"


def test_env_reaches_the_program(cell: Cell, capsys: pytest.CaptureFixture[str]) -> None:
    cell("%load hello.wat $h --env GREETING=hello")  # --env implies --wasi
    entry = cell.ws.entry("$h")
    assert entry.wasi is not None and entry.wasi.env == {"GREETING": "hello"}
    assert cell("%run $h") == "exit status 7"


def test_dir_preopens(cell: Cell, tmp_path: Path) -> None:
    (tmp_path / "data").mkdir()
    cell("%load hello.wat --wasi --dir data::/data --dir data")
    entry = cell.ws.entry()
    assert entry.wasi is not None and set(entry.wasi.preopens) == {"/data", "data"}
    assert set(entry.config.preopens) == {"/data", "data"}


def test_fractions_run_args_and_stderr(cell: Cell, capsys: pytest.CaptureFixture[str]) -> None:
    if not FRACTIONS.exists():
        pytest.skip("notebooks/c/fractions.wasm is not there")
    cell(f"%load {FRACTIONS} --wasi -- 12/18 35/49")
    assert cell("%run") == "exit status 0"
    assert capsys.readouterr().out == "12/18 = 2/3\n35/49 = 5/7\n"
    assert cell("%run 3/0") == "exit status 1"  # ARGS replace the loaded ones
    got = capsys.readouterr()
    assert got.out == "" and "not a fraction: 3/0" in got.err
    assert cell("%run --") == "exit status 0"  # no arguments at all
    assert capsys.readouterr().out == ""
    assert cell.ws.entry().config.args_bytes == [b"fractions"]


WC = ROOT / "tests" / "c" / "wc.wasm"


def test_stdin_from_load_run_redirects_and_here_strings(
    cell: Cell, capsys: pytest.CaptureFixture[str], tmp_path: Path
) -> None:
    """wc counts its stdin: empty by default, a file from %load --stdin, and per run `< FILE`
    or `<<< TEXT` (a here-string: TEXT plus a newline, `\\n` for more lines)."""
    (tmp_path / "in.txt").write_text("one two\nthree\n")
    cell(f"%load {WC} --wasi")
    assert cell("%run") == "exit status 0"
    assert capsys.readouterr().out.split() == ["0", "0", "0", "-"]
    assert cell("%run <<< 'a b c'") == "exit status 0"
    assert capsys.readouterr().out.split() == ["1", "3", "6", "-"]
    assert cell("%run <<< 'x\\ny'") == "exit status 0"
    assert capsys.readouterr().out.split() == ["2", "2", "4", "-"]
    assert cell("%run < in.txt") == "exit status 0"
    assert capsys.readouterr().out.split() == ["2", "3", "14", "-"]
    cell(f"%load {WC} $wc2 --wasi --stdin in.txt")
    assert cell("%run $wc2") == "exit status 0"
    assert capsys.readouterr().out.split() == ["2", "3", "14", "-"]
    assert cell("%run $wc2 <<< ''") == "exit status 0"  # a redirect wins over --stdin
    assert capsys.readouterr().out.split() == ["1", "0", "1", "-"]
    assert "<<<" not in " ".join(a.decode() for a in cell.ws.entry("$wc2").config.args_bytes)


@pytest.mark.parametrize(
    ("code", "message"),
    [
        ("%run <", "< needs a file"),
        ("%run <<<", "<<< needs a text"),
        ("%run < nowhere.txt", "cannot read nowhere.txt for stdin"),
        (f"%load {WC} --wasi --stdin", "--stdin needs a value"),
        (f"%load {WC} --wasi --stdin nowhere.txt", "cannot read nowhere.txt for stdin"),
    ],
)
def test_bad_stdin(cell: Cell, code: str, message: str) -> None:
    cell(f"%load {WC} --wasi")
    e = cell.error(code)
    assert message in "\n".join([e.evalue, *e.lines])


def test_debug_a_wasi_program_prints_once(cell: Cell, capsys: pytest.CaptureFixture[str]) -> None:
    if not FRACTIONS.exists():
        pytest.skip("notebooks/c/fractions.wasm is not there")
    cell(f"%load {FRACTIONS} --wasi -- 12/18 35/49")
    assert "paused before the first instruction" in cell("%debug _start")
    assert "breakpoint 1 at gcd" in cell("%break gcd\n%continue")
    assert capsys.readouterr().out == ""
    assert "gcd" in cell("%continue")
    assert capsys.readouterr().out == "12/18 = 2/3\n"  # printed while the cell ran
    cell("%back 3000\n%continue")
    assert capsys.readouterr().out == ""  # replayed: nothing printed twice
    assert "returned" in cell("%delete all\n%continue")
    assert capsys.readouterr().out == "35/49 = 5/7\n"
    cell(f"%load {FRACTIONS} --wasi -- 3/0")
    cell("%debug _start")
    assert "exited with status 1" in cell("%continue")
    assert "not a fraction" in capsys.readouterr().err


def test_bad_uses(cell: Cell) -> None:
    if FRACTIONS.exists():
        e = cell.error(f"%load {FRACTIONS}")
        assert "--wasi" in str(e)
    for line, words in [
        ("%load hello.wat --dir", "needs a value"),
        ("%load hello.wat --dir nowhere::/x", "not a directory"),
        ("%load hello.wat --dir ::/x", "HOST::GUEST"),
        ("%load hello.wat --env NOEQUALS", "NAME=VALUE"),
        ("%load hello.wat --bogus", "unknown option"),
        ("%load hello.wat $a extra --wasi", "after --"),
        ("%run", "no WASI program"),
    ]:
        e = cell.error(line)
        assert e.ename == "UsageError" and words in e.lines[0], (line, e.lines)
    cell('(module $plain (func (export "f")))')
    e = cell.error("%run $plain")
    assert e.ename == "UsageError" and "not a WASI program" in e.lines[0]
    assert cell.error("%run $nothing").ename == "NoModule"


def test_program_without_start(cell: Cell, tmp_path: Path) -> None:
    (tmp_path / "lib.wat").write_text(
        '(module (import "wasi_snapshot_preview1" "proc_exit" (func (param i32))) (func (export "f")))'
    )
    cell("%load lib.wat --wasi")
    e = cell.error("%run")
    assert e.ename == "NoExport" and "_start" in e.lines[0]
    assert "returned" in cell("%debug f\n%continue")


def test_through_the_kernel(kernel: Driver) -> None:
    if not FRACTIONS.exists():
        pytest.skip("notebooks/c/fractions.wasm is not there")
    r = kernel.ok(f"%load {FRACTIONS} --wasi -- 12/18\n%run")
    assert "12/18 = 2/3" in r.text() and "exit status 0" in r.text()
    kernel.ok("%debug _start\n%break gcd\n%continue")
    r = kernel.ok("%delete all\n%continue")
    assert "12/18 = 2/3" in r.text() and "returned" in r.text()
    r = kernel.execute("%load nowhere.wasm --env X")
    assert r.status == "error" and "UsageError" in r.text()
    r = kernel.execute("%run $nope")
    assert r.status == "error"
    assert kernel.ok("%run 1/2").text().startswith("1/2 = 1/2")  # the kernel is still alive


def test_stop_button_interrupts_a_run(cell: Cell, tmp_path: Path) -> None:
    import threading

    (tmp_path / "spin.wat").write_text(
        '(module (import "wasi_snapshot_preview1" "proc_exit" (func (param i32)))'
        ' (memory (export "memory") 1) (func (export "_start") (loop $l (br $l))))'
    )
    cell("%load spin.wat --wasi")
    threading.Timer(0.3, cell.ws.interrupt).start()
    e = cell.error("%run")
    assert "interrupted" in str(e)


def test_reset_closes_preopens(cell: Cell, tmp_path: Path) -> None:
    (tmp_path / "data").mkdir()
    cell("%load hello.wat --dir data::/data")
    cell("%run")
    first = cell.ws.entry().config
    cell("%run")  # a fresh world: the first one is kept until %reset
    second = cell.ws.entry().config
    dirs = [d for c in (first, second) for _, d in c.fds if getattr(d, "preopen", None)]
    assert len(dirs) == 2 and all(d.dir_fd is not None for d in dirs)
    cell("%reset")
    assert not cell.ws.entries
    assert all(d.dir_fd is None for d in dirs)
