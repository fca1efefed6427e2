"""`Instance.tiers()` (exec.tier_report, fast.tier_of): where each function of an instance runs
(compiled, on the machine with the translator's reason, held by the debugger, in Python), before
and after a run, under each tier setting, and that asking changes nothing."""

from __future__ import annotations

import pytest

import wasmlab
from wasmlab.exec import fast
from wasmlab.exec.tier_report import STATUSES

PROGRAM = """(module
  (import "env" "log" (func $log (param i32)))
  (func $fib (export "fib") (param $n i32) (result i32)
    (if (result i32) (i32.lt_s (local.get $n) (i32.const 2))
      (then (local.get $n))
      (else (i32.add (call $fib (i32.sub (local.get $n) (i32.const 1)))
                     (call $fib (i32.sub (local.get $n) (i32.const 2)))))))
  (func $say (export "say") (param $x i32) (call $log (local.get $x)))
  (func $unused (i32.const 1) drop))"""

# one body per instruction family the compiled tier may keep on the machine; each name is
# the instruction the body starts with
OTHERS = """(module
  (type $p (struct (field i32)))
  (type $arr (array (mut i32)))
  (tag $e (param i32))
  (func $simd (export "simd") (param i32) (result i32)
    (i32x4.extract_lane 1 (i32x4.splat (local.get 0))))
  (func $struct (export "struct") (result i32) (struct.get $p 0 (struct.new $p (i32.const 3))))
  (func $i31 (export "i31") (result i32) (i31.get_s (ref.i31 (i32.const 3))))
  (func $array (export "array") (result i32) (array.len (array.new_default $arr (i32.const 16))))
  (func $catch (export "catch") (result i32)
    (block $h (result i32) (try_table (catch $e $h) (throw $e (i32.const 4))) (unreachable))))"""


def _log(x: int) -> None:
    pass


def program() -> wasmlab.Instance:
    return wasmlab.load(PROGRAM, {"env": {"log": _log}})


def test_compiled_and_host_before_and_after_a_run() -> None:
    inst = program()
    before = inst.tiers()
    assert before.setting == fast.TIER
    assert [(f.index, f.name, f.status, f.imported) for f in before] == [
        (0, "log", "host", "env.log"), (1, "fib", "compiled", None), (2, "say", "compiled", None),
        (3, "unused", "compiled", None),
    ]  # fmt: skip
    assert not any(f.made for f in before)
    assert before["log"].why == "imports env.log" and before["fib"].why == ""
    assert before["fib"].runs == "compiled (not run yet)" and before["$fib"] is before[1]
    assert inst.exports.fib(12) == 144
    inst.exports.say(3)
    after = inst.tiers()
    assert after["fib"].made and after["fib"].runs == "compiled" and after["fib"].reason is None
    assert after["say"].made and not after["unused"].made
    assert after.counts() == {"compiled": 3, "machine": 0, "debugger": 0, "host": 1}
    assert after.summary() == "tier auto: 3 function bodies run compiled, 0 on the machine, 1 host function"
    assert "fib       compiled" in str(after) and "unused    compiled (not run yet)" in str(after)
    with pytest.raises(KeyError):
        after["nothing"]


def test_a_function_imported_from_another_instance() -> None:
    lib = program()
    user = wasmlab.load(
        '(module (import "lib" "fib" (func $f (param i32) (result i32)))'
        ' (func (export "f10") (result i32) (call $f (i32.const 10))))',
        {"lib": lib.exports},
    )
    assert user.exports.f10() == 55
    report = user.tiers()
    assert [(f.name, f.status, f.imported, f.made) for f in report] == [
        ("f", "compiled", "fib", True), ("f10", "compiled", None, True)
    ]  # fmt: skip
    assert report["f"].why == "imports fib"


def test_asking_changes_nothing() -> None:
    inst = wasmlab.load(OTHERS)
    stats = fast.stats()
    report = inst.tiers()
    assert fast.stats() == stats  # nothing compiled, nothing counted
    assert all(
        f.inst.compiled is None and f.inst.translated is None for f in map(inst.func, ("simd", "struct"))
    )
    assert inst.tiers() == report  # (and asking again says the same)
    assert [
        inst.exports[n]() if n != "simd" else inst.exports.simd(7) for n in ("simd", "struct", "i31")
    ] == [7, 3, 3]
    assert inst.exports.array() == 16 and inst.exports.catch() == 4


def test_kept_on_the_machine_with_the_translators_reason() -> None:
    inst = wasmlab.load(OTHERS)
    report = inst.tiers()
    kept = 0
    for f in report:
        source = fast.source_of(inst.inst.funcs[f.index])
        if source is None:  # the translator keeps it: the report says so and names the instruction
            kept += 1
            assert f.status == "machine" and f.reason, f
            assert f.reason.split()[0] in PROGRAM_WORDS[f.name], f
            assert "an instruction the compiled tier does not translate" in f.why, f
        else:
            assert f.status == "compiled" and f.reason is None, f
    assert report.counts()["machine"] == kept
    # after running them the report is the same (the tier tried them and counted its verdicts)
    (
        inst.exports.simd(1),
        inst.exports.struct(),
        inst.exports.i31(),
        inst.exports.array(),
        inst.exports.catch(),
    )
    after = inst.tiers()
    assert [(f.status, f.reason) for f in after] == [(f.status, f.reason) for f in report]
    for f in after:
        if f.status == "machine":
            assert f"kept on the machine: {f.reason}" in fast.stats()


#: the instructions of each body of OTHERS (a reason names one of them)
PROGRAM_WORDS = {
    "simd": {"i32x4.extract_lane", "i32x4.splat"},
    "struct": {"struct.get", "struct.new"},
    "i31": {"i31.get_s", "ref.i31"},
    "array": {"array.len", "array.new_default"},
    "catch": {"try_table", "throw", "unreachable", "block"},
}


def test_the_machine_tier(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr(fast, "TIER", "machine")
    inst = program()
    assert inst.exports.fib(10) == 55
    report = inst.tiers()
    assert report.setting == "machine"
    assert [f.status for f in report] == ["host", "machine", "machine", "machine"]
    assert report["fib"].reason == "the tier is machine (WASMLAB_TIER=machine)"
    assert (
        report.summary() == "tier machine: 0 function bodies run compiled, 3 on the machine, 1 host function"
    )


def test_the_debugger_keeps_a_function_with_a_breakpoint() -> None:
    inst = program()
    session = wasmlab.debug(inst, "fib", 5)
    bp = session.break_at("fib")
    report = inst.tiers()
    assert report["fib"].status == "debugger" and "breakpoint" in (report["fib"].reason or "")
    assert report.counts()["debugger"] == 1
    assert "(1 for the debugger)" in report.summary()
    session.delete(bp)
    assert inst.tiers()["fib"].status == "compiled"
    bp = session.break_at("fib", condition="$n == 2")  # (compiled; the machine makes the calls that stop)
    f = inst.tiers()["fib"]
    assert f.status == "compiled" and "conditional breakpoint" in (f.reason or ""), f
    session.close()
    assert inst.tiers()["fib"].status == "compiled"


def test_every_status_is_named() -> None:
    assert set(STATUSES) == {"compiled", "machine", "debugger", "host"}
