"""Module-linking programs run on both wasmlab and wasmtime 0.22 (tests/linking/test_differential.py).

Each `Program` is WAT text in the syntax wasmtime 0.22's `wat2wasm` accepts, the values the
host supplies for its imports (in import order), and the actions whose outcomes must agree:
an export path (`"f"`, `"inst/f"`: function `f` of exported instance `inst`, `"mod!/f"`:
instantiate exported module `mod` without imports, then call `f`) and arguments. f32 results
are compared through `i32.reinterpret_f32` inside the programs (wasmtime 0.22 quiets NaN
payloads when a float crosses into Python).
"""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any


@dataclass(frozen=True)
class HostFunc:
    """A host function `name` (see HOST_FUNCS) of type params -> results."""

    params: tuple[str, ...]
    results: tuple[str, ...]
    name: str


@dataclass(frozen=True)
class HostInstance:
    """An instance of this WAT module (no imports), made by the host."""

    wat: str


@dataclass(frozen=True)
class HostModule:
    """This WAT module, compiled by the host and supplied as a module import."""

    wat: str


@dataclass(frozen=True)
class Program:
    name: str
    wat: str
    calls: list[tuple[str, tuple[Any, ...]]]
    imports: list[tuple[str, str | None, Any]] = field(default_factory=list)
    depth: int = 1  # deepest module nesting
    #: what the program exercises, for the coverage check in the test
    tags: frozenset[str] = frozenset()


def P(
    name: str, wat: str, calls: list, imports: list | None = None, depth: int = 1, tags: str = ""
) -> Program:
    return Program(name, wat, calls, imports or [], depth, frozenset(tags.split()))


PROGRAMS: list[Program] = [
    P(
        "counter-two-instances",
        """(module
  (module $counter
    (global $n (mut i32) (i32.const 0))
    (func $inc (export "inc") (result i32)
      (global.set $n (i32.add (global.get $n) (i32.const 1))) (global.get $n)))
  (instance $c1 (instantiate $counter))
  (instance $c2 (instantiate $counter))
  (func (export "both") (result i32)
    (drop (call $c1.$inc)) (i32.add (call $c1.$inc) (call $c2.$inc))))""",
        [("both", ()), ("both", ())],
        depth=2,
        tags="nested alias-func",
    ),
    P(
        "depth-3-chain",
        """(module
  (module $mid
    (module $leaf
      (func $v (export "v") (param i32) (result i32) (i32.mul (local.get 0) (i32.const 3))))
    (instance $l (instantiate $leaf))
    (func $v (export "v") (param i32) (result i32) (i32.add (call $l.$v (local.get 0)) (i32.const 1))))
  (instance $m (instantiate $mid))
  (func (export "run") (param i32) (result i32) (call $m.$v (local.get 0))))""",
        [("run", (5,)), ("run", (-7,)), ("run", (0x7FFFFFFF,))],
        depth=3,
        tags="nested alias-func",
    ),
    P(
        "depth-4-values-down",
        """(module
  (module $src (global (export "g") i32 (i32.const 11)))
  (instance $s (instantiate $src))
  (alias $g (instance $s) (global 0))
  (module $a
    (import "g" (global i32))
    (module $b
      (import "g" (global i32))
      (module $c
        (import "g" (global i32))
        (func $get (export "get") (result i32) (i32.mul (global.get 0) (i32.const 2))))
      (instance $ci (instantiate $c (global 0)))
      (func $get (export "get") (result i32) (i32.add (call $ci.$get) (i32.const 1))))
    (instance $bi (instantiate $b (global 0)))
    (func $get (export "get") (result i32) (i32.add (call $bi.$get) (i32.const 100))))
  (instance $ai (instantiate $a (global $g)))
  (func (export "run") (result i32) (call $ai.$get)))""",
        [("run", ())],
        depth=4,
        tags="nested args-global alias-func",
    ),
    P(
        "depth-4-trap-deep",
        """(module
  (module $a
    (module $b
      (module $c
        (func $div (export "div") (param i32 i32) (result i32) (i32.div_s (local.get 0) (local.get 1))))
      (instance $ci (instantiate $c))
      (func $div (export "div") (param i32 i32) (result i32) (call $ci.$div (local.get 0) (local.get 1))))
    (instance $bi (instantiate $b))
    (func $div (export "div") (param i32 i32) (result i32) (call $bi.$div (local.get 0) (local.get 1))))
  (instance $ai (instantiate $a))
  (func (export "div") (param i32 i32) (result i32) (call $ai.$div (local.get 0) (local.get 1))))""",
        [("div", (7, 2)), ("div", (1, 0)), ("div", (-2147483648, -1)), ("div", (-9, 4))],
        depth=4,
        tags="nested trap",
    ),
    P(
        "host-instance-import",
        """(module
  (import "lib" (instance $lib
    (export "add" (func $add (param i32 i32) (result i32)))
    (export "g" (global $g i32))
    (export "mem" (memory $mem 1))))
  (func (export "run") (param i32) (result i32)
    (i32.add (call $lib.$add (local.get 0) (global.get $lib.$g))
             (i32.load (i32.const 4)))))""",
        [("run", (1,)), ("run", (-50,))],
        imports=[
            (
                "lib",
                None,
                HostInstance("""(module
  (func (export "add") (param i32 i32) (result i32) (i32.add (local.get 0) (local.get 1)))
  (global (export "g") i32 (i32.const 40))
  (memory (export "mem") 1)
  (data (i32.const 4) "\\05\\00\\00\\00")
  (func (export "extra")))"""),
            )
        ],
        tags="import-instance alias-func alias-global alias-memory subtype",
    ),
    P(
        "host-module-import",
        """(module
  (import "m" (module $m
    (import "x" "f" (func (param i32) (result i32)))
    (export "run" (func $run (param i32) (result i32)))))
  (module $dbl (func $double (export "d") (param i32) (result i32) (i32.mul (local.get 0) (i32.const 2))))
  (instance $di (instantiate $dbl))
  (instance $i (instantiate $m (func $di.$double)))
  (func (export "run") (param i32) (result i32) (call $i.$run (local.get 0))))""",
        [("run", (21,)), ("run", (-4,))],
        imports=[
            (
                "m",
                None,
                HostModule("""(module
  (import "y" "g" (func $g (param i32) (result i32)))
  (func (export "run") (param i32) (result i32) (i32.add (call $g (local.get 0)) (i32.const 1)))
  (func (export "other") (result i32) (i32.const 9)))"""),
            )
        ],
        depth=1,
        tags="import-module args-func subtype",
    ),
    P(
        "module-and-instance-exports",
        """(module
  (module $m
    (global $n (mut i32) (i32.const 100))
    (func $next (export "next") (result i32) (global.set $n (i32.add (global.get $n) (i32.const 1))) (global.get $n)))
  (instance $i (instantiate $m))
  (export "mod" (module $m))
  (export "inst" (instance $i))
  (func (export "peek") (result i32) (call $i.$next)))""",
        [("inst/next", ()), ("peek", ()), ("inst/next", ()), ("mod!/next", ()), ("mod!/next", ())],
        depth=2,
        tags="export-module export-instance nested",
    ),
    P(
        "alias-global-mut-shared",
        """(module
  (module $m
    (global $g (export "g") (mut i32) (i32.const 1))
    (func $bump (export "bump") (global.set $g (i32.mul (global.get $g) (i32.const 3)))))
  (instance $i (instantiate $m))
  (alias $gg (instance $i) (global 0))
  (func (export "get") (result i32) (global.get $gg))
  (func (export "set") (param i32) (global.set $gg (local.get 0)))
  (func (export "bump") (call $i.$bump)))""",
        [("get", ()), ("bump", ()), ("get", ()), ("set", (7,)), ("bump", ()), ("get", ())],
        depth=2,
        tags="alias-global nested",
    ),
    P(
        "alias-memory-and-data",
        """(module
  (module $m
    (memory $mem (export "mem") 1)
    (data (i32.const 16) "\\2a\\00\\00\\00")
    (func $store (export "store") (param i32 i32) (i32.store (local.get 0) (local.get 1))))
  (instance $i (instantiate $m))
  (alias $mm (instance $i) (memory 0))
  (func (export "load") (param i32) (result i32) (i32.load (local.get 0)))
  (func (export "store") (param i32 i32) (call $i.$store (local.get 0) (local.get 1))))""",
        [("load", (16,)), ("store", (8, 1234)), ("load", (8,)), ("load", (65534,)), ("store", (70000, 1))],
        depth=2,
        tags="alias-memory trap nested",
    ),
    P(
        "alias-table-call-indirect",
        """(module
  (type $ii (func (param i32) (result i32)))
  (module $m
    (type $ii (func (param i32) (result i32)))
    (table $t (export "t") 3 funcref)
    (func $sq (type $ii) (i32.mul (local.get 0) (local.get 0)))
    (func $neg (type $ii) (i32.sub (i32.const 0) (local.get 0)))
    (func $nop)
    (elem (i32.const 0) $sq $neg $nop))
  (instance $i (instantiate $m))
  (alias $tt (instance $i) (table 0))
  (func (export "call") (param i32 i32) (result i32)
    (call_indirect $tt (type $ii) (local.get 1) (local.get 0))))""",
        [("call", (0, 9)), ("call", (1, 9)), ("call", (2, 9)), ("call", (3, 9))],
        depth=2,
        tags="alias-table trap nested",
    ),
    P(
        "alias-instance-and-module-exports",
        """(module
  (module $outer
    (module $inner (func $f (export "f") (result i32) (i32.const 77)))
    (instance $ii (instantiate $inner))
    (export "inst" (instance $ii))
    (export "mod" (module $inner)))
  (instance $o (instantiate $outer))
  (alias $oi (instance $o) (instance 0))
  (alias $om (instance $o) (module 1))
  (instance $again (instantiate $om))
  (alias $f1 (instance $oi) (func 0))
  (alias $f2 (instance $again) (func 0))
  (func (export "a") (result i32) (call $f1))
  (func (export "b") (result i32) (call $f2)))""",
        [("a", ()), ("b", ())],
        depth=3,
        tags="alias-instance alias-module nested",
    ),
    P(
        "parent-type-and-module-alias",
        """(module
  (type $t (func (param i32) (result i32)))
  (module $helper (func $h (export "h") (param i32) (result i32) (i32.add (local.get 0) (i32.const 1000))))
  (module $user
    (alias $pt parent (type $t))
    (alias $ph parent (module $helper))
    (instance $hi (instantiate $ph))
    (alias $h (instance $hi) (func 0))
    (func $use (export "use") (type $pt) (call $h (local.get 0))))
  (instance $u (instantiate $user))
  (func (export "run") (param i32) (result i32) (call $u.$use (local.get 0))))""",
        [("run", (1,)), ("run", (-1000,))],
        depth=2,
        tags="alias-parent-type alias-parent-module nested",
    ),
    P(
        "automatic-parent-aliases",
        """(module
  (type $t (func (result i32)))
  (module $dep (func $x (export "x") (result i32) (i32.const 5)))
  (module $user
    (instance $d (instantiate $dep))
    (func $y (export "y") (type $t) (i32.mul (call $d.$x) (i32.const 3))))
  (instance $u (instantiate $user))
  (func (export "run") (result i32) (call $u.$y)))""",
        [("run", ())],
        depth=2,
        tags="alias-parent-type alias-parent-module nested",
    ),
    P(
        "trap-unreachable-nested",
        """(module
  (module $m
    (func $inner (export "boom") (param i32) (result i32)
      (if (i32.eqz (local.get 0)) (then unreachable))
      (local.get 0)))
  (instance $i (instantiate $m))
  (func (export "run") (param i32) (result i32) (call $i.$inner (local.get 0))))""",
        [("run", (3,)), ("run", (0,)), ("run", (-1,))],
        depth=2,
        tags="trap nested",
    ),
    P(
        "nested-start-sets-global",
        """(module
  (module $m
    (global $g (export "g") (mut i32) (i32.const 0))
    (func $init (global.set $g (i32.const 99)))
    (start $init))
  (instance $i (instantiate $m))
  (func (export "get") (result i32) (global.get $i.$g)))""",
        [("get", ())],
        depth=2,
        tags="nested start alias-global",
    ),
    P(
        "nested-start-traps",
        """(module
  (module $m
    (func $init unreachable)
    (start $init))
  (instance $i (instantiate $m))
  (func (export "never") (result i32) (i32.const 1)))""",
        [("never", ())],
        depth=2,
        tags="nested start trap",
    ),
    P(
        "pass-items-down",
        """(module
  (import "env" (instance $env
    (export "mem" (memory $mem 1))
    (export "tab" (table $tab 2 funcref))
    (export "gl" (global $gl (mut i32)))
    (export "seven" (func $seven (result i32)))))
  (module $m
    (import "mem" (memory 1))
    (import "tab" (table 2 funcref))
    (import "gl" (global (mut i32)))
    (import "f" (func (result i32)))
    (type $r (func (result i32)))
    (func $go (export "go") (result i32)
      (i32.store (i32.const 0) (i32.const 31))
      (global.set 0 (i32.add (global.get 0) (call 0)))
      (i32.add (call_indirect (type $r) (i32.const 1)) (global.get 0))))
  (instance $i (instantiate $m (memory $env.$mem) (table $env.$tab) (global $env.$gl) (func $env.$seven)))
  (func (export "go") (result i32) (call $i.$go))
  (func (export "mem0") (result i32) (i32.load (i32.const 0)))
  (func (export "gl") (result i32) (global.get $env.$gl)))""",
        [("go", ()), ("mem0", ()), ("gl", ()), ("go", ()), ("gl", ())],
        imports=[
            (
                "env",
                None,
                HostInstance("""(module
  (memory (export "mem") 1)
  (table (export "tab") 2 funcref)
  (global (export "gl") (mut i32) (i32.const 5))
  (func $seven (export "seven") (result i32) (i32.const 7))
  (elem (i32.const 1) $seven))"""),
            )
        ],
        depth=2,
        tags="args-memory args-table args-global args-func nested import-instance",
    ),
    P(
        "nested-data-into-imported-memory-oob",
        """(module
  (module $owner (memory (export "mem") 1))
  (instance $o (instantiate $owner))
  (alias $mem (instance $o) (memory 0))
  (module $m
    (import "mem" (memory 1))
    (data (i32.const 65530) "0123456789"))
  (instance $i (instantiate $m (memory $mem)))
  (func (export "x") (result i32) (i32.const 0)))""",
        [("x", ())],
        depth=2,
        tags="nested trap args-memory",
    ),
    P(
        "export-all",
        """(module
  (module $m
    (func (export "one") (result i32) (i32.const 1))
    (global (export "two") i32 (i32.const 2))
    (memory (export "three") 1))
  (instance $i (instantiate $m))
  (export $i))""",
        [("one", ())],
        depth=2,
        tags="export-all nested",
    ),
    P(
        "host-func-through-nesting",
        """(module
  (import "host" "twice" (func $twice (param i32) (result i32)))
  (module $a
    (import "f" (func $f (param i32) (result i32)))
    (module $b
      (import "f" (func $f (param i32) (result i32)))
      (func $run (export "run") (param i32) (result i32) (i32.add (call $f (local.get 0)) (i32.const 1))))
    (instance $bi (instantiate $b (func $f)))
    (func $run (export "run") (param i32) (result i32) (call $bi.$run (call $f (local.get 0)))))
  (instance $ai (instantiate $a (func $twice)))
  (func (export "run") (param i32) (result i32) (call $ai.$run (local.get 0))))""",
        [("run", (3,)), ("run", (-100,))],
        imports=[("host", "twice", HostFunc(("i32",), ("i32",), "twice"))],
        depth=3,
        tags="host-func args-func nested",
    ),
    P(
        "virtualize",
        """(module
  (type $Api (instance (export "get" (func $get (result i32)))))
  (module $real (func $get (export "get") (result i32) (i32.const 10)))
  (module $virt
    (import "api" (instance $api (type $Api)))
    (alias $g (instance $api) (func 0))
    (func $get (export "get") (result i32) (i32.mul (call $g) (i32.const 4))))
  (module $client
    (import "api" (instance $api (type $Api)))
    (alias $g (instance $api) (func 0))
    (func $work (export "work") (result i32) (i32.add (call $g) (i32.const 2))))
  (instance $r (instantiate $real))
  (instance $v (instantiate $virt (instance $r)))
  (instance $c1 (instantiate $client (instance $r)))
  (instance $c2 (instantiate $client (instance $v)))
  (func (export "direct") (result i32) (call $c1.$work))
  (func (export "virtual") (result i32) (call $c2.$work)))""",
        [("direct", ()), ("virtual", ())],
        depth=2,
        tags="args-instance nested alias-parent-type",
    ),
    P(
        "higher-order-module-arg",
        """(module
  (module $impl (func $f (export "f") (result i32) (i32.const 6)))
  (module $runner
    (import "m" (module $m (export "f" (func $f (result i32)))))
    (instance $x (instantiate $m))
    (instance $y (instantiate $m))
    (func $run (export "run") (result i32) (i32.add (call $x.$f) (call $y.$f))))
  (instance $r (instantiate $runner (module $impl)))
  (func (export "run") (result i32) (call $r.$run)))""",
        [("run", ())],
        depth=2,
        tags="args-module nested",
    ),
    P(
        "callback-through-host",
        """(module
  (import "host" "call_back" (func $cb (param i32) (result i32)))
  (module $m
    (import "cb" (func $cb (param i32) (result i32)))
    (func $f (export "f") (param i32) (result i32) (i32.add (call $cb (local.get 0)) (i32.const 1))))
  (instance $i (instantiate $m (func $cb)))
  (func (export "f") (param i32) (result i32) (call $i.$f (local.get 0))))""",
        [("f", (1,)), ("f", (41,))],
        imports=[("host", "call_back", HostFunc(("i32",), ("i32",), "square"))],
        depth=2,
        tags="host-func nested",
    ),
    P(
        "f32-nan-payload-nested",
        """(module
  (module $m
    (func $nan (export "nan") (result f32) (f32.const nan:0x200001))
    (func $neg (export "neg") (param f32) (result f32) (f32.neg (local.get 0))))
  (instance $i (instantiate $m))
  (func (export "bits") (result i32) (i32.reinterpret_f32 (call $i.$nan)))
  (func (export "negbits") (result i32) (i32.reinterpret_f32 (call $i.$neg (call $i.$nan))))
  (func (export "half") (result f64) (f64.promote_f32 (call $i.$neg (f32.const 0.5)))))""",
        [("bits", ()), ("negbits", ()), ("half", ())],
        depth=2,
        tags="nested floats",
    ),
    P(
        "i64-in-nested",
        """(module
  (module $m
    (func $mul (export "mul") (param i64 i64) (result i64) (i64.mul (local.get 0) (local.get 1)))
    (func $rem (export "rem") (param i64 i64) (result i64) (i64.rem_u (local.get 0) (local.get 1))))
  (instance $i (instantiate $m))
  (func (export "mul") (param i64 i64) (result i64) (call $i.$mul (local.get 0) (local.get 1)))
  (func (export "rem") (param i64 i64) (result i64) (call $i.$rem (local.get 0) (local.get 1))))""",
        [("mul", (0x123456789, 0x1000)), ("mul", (-3, 7)), ("rem", (-1, 10)), ("rem", (5, 0))],
        depth=2,
        tags="nested trap",
    ),
    P(
        "call-indirect-type-mismatch-nested",
        """(module
  (module $m
    (type $v (func (result i32)))
    (table (export "t") 1 funcref)
    (func $f (param i64) (result i64) (local.get 0))
    (elem (i32.const 0) $f)
    (func $bad (export "bad") (result i32) (call_indirect (type $v) (i32.const 0))))
  (instance $i (instantiate $m))
  (func (export "bad") (result i32) (call $i.$bad)))""",
        [("bad", ())],
        depth=2,
        tags="nested trap",
    ),
    P(
        "elem-into-imported-table",
        """(module
  (module $owner (table (export "t") 4 funcref))
  (instance $o (instantiate $owner))
  (alias $t (instance $o) (table 0))
  (type $r (func (result i32)))
  (module $m
    (import "t" (table 4 funcref))
    (func $a (result i32) (i32.const 100))
    (func $b (result i32) (i32.const 200))
    (elem (i32.const 2) $a $b))
  (instance $i (instantiate $m (table $t)))
  (func (export "call") (param i32) (result i32) (call_indirect $t (type $r) (local.get 0))))""",
        [("call", (2,)), ("call", (3,)), ("call", (0,)), ("call", (9,))],
        depth=2,
        tags="args-table nested trap",
    ),
    P(
        "aliased-global-in-const-expr",
        """(module
  (module $m (global (export "base") i32 (i32.const 1024)))
  (instance $i (instantiate $m))
  (alias $base (instance $i) (global 0))
  (global $derived i32 (global.get $base))
  (func (export "d") (result i32) (global.get $derived)))""",
        [("d", ())],
        depth=2,
        tags="alias-global nested",
    ),
    P(
        "separate-state-shared-memory",
        """(module
  (module $owner (memory (export "m") 1))
  (instance $o (instantiate $owner))
  (alias $shared (instance $o) (memory 0))
  (module $cell
    (import "mem" (memory 1))
    (global $local (mut i32) (i32.const 0))
    (func $inc (export "inc") (result i32)
      (global.set $local (i32.add (global.get $local) (i32.const 1)))
      (i32.store (i32.const 0) (i32.add (i32.load (i32.const 0)) (i32.const 1)))
      (i32.add (i32.mul (global.get $local) (i32.const 1000)) (i32.load (i32.const 0)))))
  (instance $x (instantiate $cell (memory $shared)))
  (instance $y (instantiate $cell (memory $shared)))
  (func (export "x") (result i32) (call $x.$inc))
  (func (export "y") (result i32) (call $y.$inc)))""",
        [("x", ()), ("x", ()), ("y", ()), ("x", ()), ("y", ())],
        depth=2,
        tags="args-memory nested",
    ),
    P(
        "host-instance-missing-export",
        """(module
  (import "lib" (instance $lib (export "needed" (func $n))))
  (func (export "x") (call $lib.$n)))""",
        [("x", ())],
        imports=[("lib", None, HostInstance("""(module (func (export "other")))"""))],
        tags="import-instance link-error",
    ),
    P(
        "host-module-wrong-import-count",
        """(module
  (import "m" (module $m (import "a" "b" (func)) (export "r" (func (result i32)))))
  (func (export "x") (result i32) (i32.const 1)))""",
        [("x", ())],
        imports=[("m", None, HostModule("""(module (func (export "r") (result i32) (i32.const 3)))"""))],
        tags="import-module link-error",
    ),
    P(
        "recursion-across-instances",
        """(module
  (module $fact
    (func $f (export "fact") (param i64) (result i64)
      (if (result i64) (i64.eqz (local.get 0))
        (then (i64.const 1))
        (else (i64.mul (local.get 0) (call $f (i64.sub (local.get 0) (i64.const 1))))))))
  (instance $i (instantiate $fact))
  (func (export "fact") (param i64) (result i64) (call $i.$f (local.get 0))))""",
        [("fact", (10,)), ("fact", (20,)), ("fact", (25,))],
        depth=2,
        tags="nested",
    ),
    P(
        "instance-import-nested-instance-export",
        """(module
  (import "lib" (instance $lib
    (export "sub" (instance $sub (export "k" (global $k i32))))))
  (alias $s (instance $lib) (instance 0))
  (alias $k (instance $s) (global 0))
  (func (export "k") (result i32) (global.get $k)))""",
        [("k", ())],
        imports=[
            (
                "lib",
                None,
                HostInstance("""(module
  (module $m (global (export "k") i32 (i32.const 314)))
  (instance $i (instantiate $m))
  (export "sub" (instance $i)))"""),
            )
        ],
        depth=2,
        tags="import-instance alias-instance",
    ),
]


def host_func_impl(name: str) -> Any:
    """The Python implementation of a host function (the same on both engines)."""
    if name == "twice":
        return lambda x: x * 2
    if name == "square":
        return lambda x: x * x
    raise KeyError(name)
