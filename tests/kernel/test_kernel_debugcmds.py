"""The debugger commands a gdb/lldb or DevTools user types first, in cells: %p/%print, %watch
local/expr, pending breakpoints and %info break, %set, %rstep/%rnext/%rfinish, %frame/%up/
%down, %memory $INSTANCE MEM ADDR LEN; forwards and backwards, and every mistake a clear
error in the cell. The engine first (no Jupyter), then the same through a real kernel."""

from __future__ import annotations

import pytest

from tests.kernel.conftest import Driver
from tests.kernel.test_kernel_workspace import FIB, Cell
from wasmlab.kernel.workspace import Workspace

LOOP = """(module $loop
  (memory (export "mem") 1)
  (global $g (mut i32) (i32.const 7))
  (func $sq (param $x i32) (result i32)
    (i32.mul (local.get $x) (local.get $x)))
  (func (export "f") (param $n i32) (result i32) (local $i i32) (local $acc i32)
    (block $out (loop $l
      (br_if $out (i32.ge_s (local.get $i) (local.get $n)))
      (local.set $acc (i32.add (local.get $acc) (call $sq (local.get $i))))
      (i32.store offset=0x100 (i32.const 0) (local.get $acc))
      (global.set $g (local.get $i))
      (local.set $i (i32.add (local.get $i) (i32.const 1)))
      (br $l)))
    (local.get $acc)))"""


@pytest.fixture
def run() -> Cell:
    ws = Workspace()
    ws.show_widgets = False
    return Cell(ws)


def test_print_forms(run: Cell) -> None:
    run(LOOP)
    run("%debug f 4\n%step 30")
    assert run.text("%p $i") == "$i = i32 1"
    assert run.text("%print $i + 4") == "$i + 4 = i32 5"  # %print EXPR while debugging
    assert run.text("%p global $g") == "global $g = i32 0"
    assert run.text("%p i32.load 0x100") == "i32.load 0x100 = i32 0"
    assert run.text("%p (i32.add (local.get $i) (i32.const 4))").endswith("= i32 5")
    assert run.text("%p $i + 4 > 3") == "$i + 4 > 3 = i32 1"
    assert "(module $loop" in run.text("%print $loop")  # a module name still prints the module
    assert "(module $loop" in run.text("%print")


@pytest.mark.parametrize(
    "code, says",
    [
        ("%p $nope", "unknown local $nope in f"),
        ("%p i32.load 0xffffff", "out of bounds of memory 0"),
        ("%p", "give an expression"),
        ("%p $i +", "ends too early"),
        ("%set $nope = 1", "unknown local $nope"),
        ("%set $i 3", "write WHAT = VALUE"),
        ("%set memory 0xfffff = 01", "cannot write 1 byte at 0xfffff"),
        ("%frame 9", "no frame 9"),
        ("%up", "outermost"),
        ("%rfinish", "outermost frame"),
        ("%watch local $nope", "unknown local"),
        ("%watch expr $i #", "cannot read"),
        ("%memory $nope 0 0 16", "no instance $nope"),
        ("%set memory 0x100 = zz", "unknown name 'zz'"),
        ("%set stack x = 1", "must be a number"),
        ("%frame x", "must be a number"),
        ("%p )", "unexpected ')'"),
        ("%p i32.load", "i32.load takes 1 operand, got 0"),
    ],
)
def test_mistakes_are_errors_in_the_cell_and_keep_the_state(run: Cell, code: str, says: str) -> None:
    run(LOOP)
    run("%debug f 4\n%step 30")
    before = run.text("%frames") + run.text("%stack") + run.text("%memory 0x100 16")
    err = run.error(code)
    assert err.ename in ("DebugError", "UsageError")
    assert says in "\n".join(err.traceback()) if hasattr(err, "traceback") else says in str(err)
    assert run.text("%frames") + run.text("%stack") + run.text("%memory 0x100 16") == before
    assert "returned [i32 14]" in run.text("%continue")


def test_pending_breakpoints_before_debug_and_across_redefinition(run: Cell) -> None:
    out = run.text("%break fib if $n == 1")
    assert "breakpoint 1 at fib if $n == 1 (pending" in out
    run(FIB)
    run.text("%break 1:9")  # cell 1's line 9: none yet (FIB is cell 2): pending
    info = run.text("%info break")
    assert "fib (pending)" in info and "$n == 1" in info
    run("%debug fib 4")
    info = run.text("%info break")
    assert "(pending" not in info.splitlines()[2]  # bound now
    out = run.text("%continue")
    assert "breakpoint 1 at fib" in out and run.text("%p $n") == "$n = i32 1"
    assert run.text("%info break").splitlines()[2].split()[-1] == "1"  # hits
    run("%disable 1")
    assert "off" in run.text("%info break").splitlines()[2]
    # the cell runs again (a new module): the next %debug binds the breakpoints again
    run(FIB)
    run("%debug fib 4\n%enable 1")
    assert "breakpoint 1 at fib" in run.text("%continue") and run.text("%p $n") == "$n = i32 1"
    # the CELL:LINE one bound by line alone (the cell ran again under another number)
    assert "line 9" in run.text("%info break")
    run("%delete 1 2")
    assert "returned [i32 3]" in run.text("%continue")
    assert run.text("%info break").endswith("(none)")


def test_break_at_cell_line(run: Cell) -> None:
    run(FIB)  # cell 1
    assert "breakpoint 1 at cell[1]:9" in run.text("%debug fib 4\n%break 1:9")
    out = run.text("%continue")
    assert "breakpoint 1 at cell[1]:9" in out and "call $fib" in out


def test_set_var_then_back_and_forward(run: Cell) -> None:
    run(LOOP)
    run("%debug f 4\n%step 30")
    assert run.text("%set $i = 3").startswith("$i = i32 3 (at step 30")
    assert "returned [i32 9]" in run.text("%continue")
    run("%goto 29")
    assert run.text("%p $i") == "$i = i32 1"  # before the edit
    run("%goto 31")
    assert run.text("%p $i") == "$i = i32 3"  # after it, replayed
    assert run.text("%set global $g = 42").startswith("global $g = i32 42")
    assert "i32 42" in run.text("%globals")
    assert run.text("%set memory 0x100 = 01 02 03").startswith("memory 0 [0x100, 0x103) = 01 02 03")
    assert "01 02 03" in run.text("%memory 0x100 4")
    assert run.text("%set memory 0x100 = i32 258").startswith("memory 0 [0x100, 0x104) = 02 01 00 00")
    run("%step")
    assert run.text("%set stack 0 = 5").startswith("stack 0 = i32 5")
    first = run.text("%continue").splitlines()[0]
    run("%goto 30")  # after the edit of $i, before the others
    assert "i32 42" not in run.text("%globals") and run.text("%p $i") == "$i = i32 3"
    assert run.text("%continue").splitlines()[0] == first  # forward again: every edit again
    run("%goto 29")
    assert run.text("%p $i") == "$i = i32 1"


def test_reverse_moves(run: Cell) -> None:
    run(FIB)
    run("%debug fib 4\n%break fib if $n == 2\n%continue\n%delete all")
    out = run.text("%rfinish")
    assert "back at the call of fib" in out and "call" in out.splitlines()[0]
    call = int(out.split(":")[0].split()[1])
    run("%next")
    out = run.text("%rnext")
    assert out.startswith(f"step {call}:")
    out = run.text("%rstep")
    assert out.startswith(f"step {call - 1}:") and "went back 1 instruction" in out


def test_frames_up_down_and_what_follows_them(run: Cell) -> None:
    run(FIB)
    run("%debug fib 4\n%break fib if $n == 2\n%continue")
    assert run.text("%up").startswith("#1 fib.fib")  # frames #0 (n=4), #1 (n=3), #2 (n=2)
    assert "locals of #1 fib" in run.text("%locals") and "i32 3" in run.text("%locals")
    assert run.text("%p $n") == "$n = i32 3"
    assert "value stack of frame #1" in run.text("%stack")
    assert run.text("%down").startswith("#2 fib.fib")
    assert run.text("%p $n") == "$n = i32 2"
    run("%frame 0")
    assert run.text("%p $n") == "$n = i32 4"
    run("%step")  # a move selects the innermost frame again
    assert run.text("%p $n") == "$n = i32 2"
    assert run.text("%frame").startswith("#2 ")


def test_watch_local_and_expression_both_ways(run: Cell) -> None:
    run(LOOP)
    run("%debug f 4\n%step 3")
    assert "watchpoint w1 on local $acc of #0 f" in run.text("%watch local $acc")
    out = run.text("%continue")
    assert "watchpoint 1: local $acc of #0 f i32 0 -> i32 1 by local.set 2 at line 9" in out
    out = run.text("%continue")
    assert "i32 1 -> i32 5" in out
    out = run.text("%rcontinue")
    assert "i32 0 -> i32 1" in out
    run("%delete w1")
    assert "watchpoint w2 on expr global $g * 2" in run.text("%watch expr global $g * 2")
    assert "watchpoint 2: expr global $g * 2 i32 0 -> i32 2" in run.text("%continue")
    assert "watchpoint 2" in run.text("%rcontinue")


def test_watch_memory_is_hex_and_names_the_writer(run: Cell) -> None:
    run(LOOP)
    run("%debug f 4")
    assert "watchpoint w1 on memory 0 at 0x47 (1 byte)" in run.text("%watch memory 0x47 1")
    run("%delete w1")
    run("%watch memory 0x100 4")
    out = run.text("%continue")
    assert "write to [0x100, 0x104) by i32.store offset=0x100 at line 10" in out


def test_memory_of_an_instance_and_index(run: Cell) -> None:
    run("%features multi-memory")
    run('(module $lib (memory (export "m") 1) (data (i32.const 16) "lib!"))')
    run('(register "lib" $lib)')
    run('(module $main (import "lib" "m" (memory 1)) (memory $own 1) (data (memory $own) (i32.const 0x20) "own")'
        ' (func (export "go") (i32.store8 $own (i32.const 0) (i32.const 9))))')  # fmt: skip
    run("%debug $main go")
    assert "6c 69 62 21" in run.text("%memory $lib 0 16 4")
    assert "6f 77 6e" in run.text("%memory $main 1 0x20 3")
    assert "6f 77 6e" in run.text("%memory 1 0x20 3")
    run("%continue")
    assert "09" in run.text("%memory $main 1 0 1")


def test_help_knows_every_new_command(run: Cell) -> None:
    text = run.text("%help")
    for name in ["%p EXPR", "%frame", "%up", "%down", "%set", "%rstep", "%rnext", "%rfinish", "local $NAME",
                 "CELL:LINE", "$INSTANCE"]:  # fmt: skip
        assert name in text, name


# --- the same through a real kernel ------------------------------------------------------------


def test_debugger_commands_in_a_real_kernel(kernel: Driver) -> None:
    kernel.ok("%reset")
    r = kernel.ok("%break fib if $n == 1")
    assert "pending" in r.text()
    kernel.ok(FIB)
    kernel.ok("%debug fib 4")
    assert "breakpoint 1 at fib" in kernel.ok("%continue").text()
    assert "$n = i32 1" in kernel.ok("%p $n").text()
    assert "back at the call of fib" in kernel.ok("%rfinish").text()
    assert "$n = i32 2" in kernel.ok("%p $n").text()
    assert "$n = i32 5" in kernel.ok("%set $n = 5").text()
    assert "#" in kernel.ok("%up").text()
    assert "watchpoint w1" in kernel.ok("%watch expr global $g").text()
    r = kernel.execute("%p $nope")
    assert r.status == "error" and "unknown local $nope" in r.text()
    assert "$n" in kernel.ok("%info break").text() or "fib" in kernel.ok("%info break").text()
    kernel.ok("%reset")


def test_set_spellings(run: Cell) -> None:
    run(LOOP)
    run("%debug f 4\n%step 30")
    assert run.text("%set var $i = 2").startswith("$i = i32 2")
    assert run.text("%set local 2 = $i + 1").startswith("2 = i32 3")
    assert run.text("%p $acc") == "$acc = i32 3"
    assert run.text("%set $i=1").startswith("$i = i32 1")
    assert run.error("%set global $g = 1.5 +").ename == "DebugError"


def test_completion_of_the_new_commands() -> None:
    from wasmlab.kernel.complete import complete

    ws = Workspace()
    ws.show_widgets = False
    run = Cell(ws)
    run(LOOP)

    def matches(code: str) -> list[str]:
        return complete(ws, code, len(code))["matches"]

    assert {"local", "expr"} <= set(matches("%watch "))
    assert "global" in matches("%set g") and "stack" in matches("%set s")
    assert "%rfinish" in matches("%rf") and "%rnext" in matches("%rn") and "%frame" in matches("%fra")
    run("%debug f 4\n%step 5")
    assert "$acc" in matches("%p $a") and "$i" in matches("%set $i")


def test_memory64_above_4_gib(run: Cell) -> None:
    """A 64-bit memory past 4 GiB (lazy: only the touched page costs anything): %memory, %p,
    %changes and moving back show addresses above 2^32 (12 hex digits, columns aligned)."""
    run("%features all")
    run("%limits max_memory=8G max_store_memory=8G")
    run("""(module $m64 (memory (export "mem") i64 65537)
      (func (export "f") (param $a i64) (result i32)
        (i32.store (local.get $a) (i32.const 0x41424344))
        (i32.load8_u offset=1 (local.get $a))))""")
    run("%debug f 0x100000008\n%step 3")
    dump = run.text("%memory 0x100000000 16")
    assert "000100000000  00 00 00 00 00 00 00 00 44 43 42 41 00 00 00 00  ........DCBA...." in dump
    assert run.text("%p i32.load 0x100000008") == "i32.load 0x100000008 = i32 1094861636"
    assert "memory 0 [0x100000008, 0x10000000c): 00 00 00 00 -> 44 43 42 41" in run.text("%changes")
    assert "returned [i32 67]" in run.text("%continue")
    run("%back 5")
    assert "44 43 42 41" not in run.text("%memory 0x100000000 16")


def test_heap_command_draws_the_reachable_gc_objects(run: Cell) -> None:
    from tests.debug.test_gc_heap import LIST

    run("%features all")
    run(LIST)
    run("%debug build 4")
    assert "no GC objects reachable at step 0" in run.text("%heap")
    run("%step 60")
    text = run.text("%heap")
    assert text.startswith("heap at step 60:") and "$node #" in text and "$vec #1" in text
    assert "ref $node #" in run.text("%globals")
    assert "must be a number" in run.error("%heap x").evalue
