"""The GC benchmark: binary trees (depth 14), structs allocated and walked, as WAT.

A long-lived tree of the given depth, then one tree of each even depth from 4 up to it;
each is built by a recursive `$make` (two `struct.new` per inner node) and counted by a
recursive `$check`. Run mode (`Instance.machine(...).run()`) and under a debug `Session`
(history on: its checkpoints keep the reachable heap), against the same algorithm in plain
Python (tuples), which also gives the expected answer. `python -m wasmlab.bench --only gc`.
"""

from __future__ import annotations

import time
from typing import Any

BINARY_TREES = """
(module
  (type $tree (struct (field $left (ref null $tree)) (field $right (ref null $tree))))
  (func $make (param $d i32) (result (ref $tree))
    (if (result (ref $tree)) (i32.eqz (local.get $d))
      (then (struct.new $tree (ref.null $tree) (ref.null $tree)))
      (else
        (struct.new $tree
          (call $make (i32.sub (local.get $d) (i32.const 1)))
          (call $make (i32.sub (local.get $d) (i32.const 1)))))))
  (func $check (param $t (ref $tree)) (result i32)
    (local $l (ref null $tree))
    (local.set $l (struct.get $tree $left (local.get $t)))
    (if (result i32) (ref.is_null (local.get $l))
      (then (i32.const 1))
      (else
        (i32.add (i32.const 1)
          (i32.add
            (call $check (ref.as_non_null (local.get $l)))
            (call $check (ref.as_non_null (struct.get $tree $right (local.get $t)))))))))
  (func (export "run") (param $depth i32) (result i32)
    (local $long (ref null $tree)) (local $d i32) (local $sum i32)
    (local.set $long (call $make (local.get $depth)))
    (local.set $d (i32.const 4))
    (block $done
      (loop $each
        (br_if $done (i32.gt_s (local.get $d) (local.get $depth)))
        (local.set $sum (i32.add (local.get $sum) (call $check (call $make (local.get $d)))))
        (local.set $d (i32.add (local.get $d) (i32.const 2)))
        (br $each)))
    (i32.add (local.get $sum) (call $check (ref.as_non_null (local.get $long))))))
"""

DEPTH = 14


def plain_binary_trees(depth: int) -> int:
    """The same in plain Python: trees as nested tuples."""

    def make(d: int) -> Any:
        return (None, None) if d == 0 else (make(d - 1), make(d - 1))

    def check(t: Any) -> int:
        return 1 if t[0] is None else 1 + check(t[0]) + check(t[1])

    long = make(depth)
    total = sum(check(make(d)) for d in range(4, depth + 1, 2))
    return total + check(long)


def _best(fn: Any, repeat: int) -> tuple[float, Any]:
    best, out = float("inf"), None
    for _ in range(repeat):
        t = time.perf_counter()
        out = fn()
        best = min(best, time.perf_counter() - t)
    return best, out


def gc_benchmark(depth: int = DEPTH, repeat: int = 3) -> dict[str, Any]:
    """Seconds of run mode, of a session's continue (history on) and of plain Python; the
    instructions run; every result checked against the plain version's."""
    import wasmlab
    from wasmlab.debug import debug

    want = plain_binary_trees(depth)
    inst = wasmlab.load(BINARY_TREES, features="all")
    steps = 0

    def run() -> Any:
        nonlocal steps
        m = inst.machine("run", depth)
        out = m.run()
        steps = m.steps
        return out[0] if isinstance(out, (list, tuple)) else out

    def session() -> Any:
        s = debug(wasmlab.load(BINARY_TREES, features="all"), "run", depth)
        s.continue_()
        out = s.result
        s.close()
        return out[0] if isinstance(out, (list, tuple)) else out

    t_run, got = _best(run, repeat)
    if got != want:
        raise AssertionError(f"binary trees({depth}) in run mode returned {got!r}, expected {want!r}")
    t_session, got = _best(session, max(1, repeat - 1))
    if getattr(got, "value", got) != want:
        raise AssertionError(f"binary trees({depth}) in a session returned {got!r}, expected {want!r}")
    t_plain, _ = _best(lambda: plain_binary_trees(depth), repeat)
    return {
        "depth": depth,
        "steps": steps,
        "run": t_run,
        "session": t_session,
        "plain": t_plain,
        "nodes": want,
    }


def main() -> None:
    r = gc_benchmark()
    print(
        f"binary trees, depth {r['depth']}: {r['nodes']:,} nodes allocated and walked, {r['steps']:,} instructions"
    )
    print(f"{'mode':<10} {'seconds':>9} {'Minstr/s':>9} {'/plain':>8}")
    for mode in ("run", "session"):
        t = r[mode]
        print(f"{mode:<10} {t:>9.3f} {r['steps'] / t / 1e6:>9.2f} {t / r['plain']:>7.1f}x")
    print(f"{'plain':<10} {r['plain']:>9.3f}")
    print(f"session / run: {r['session'] / r['run']:.2f}x")


if __name__ == "__main__":
    main()
