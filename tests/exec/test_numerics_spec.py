"""The spec suite as referee for `wasmlab.exec.numerics`, without a machine.

In the numeric scripts (i32.wast, f32.wast, conversions.wast, ...) the module's exports are
single instructions over their parameters, e.g. `(func (export "add") (param $x i32) (param $y i32)
(result i32) (i32.add (local.get $x) (local.get $y)))`. The export -> instruction map is read from
the .wast source (only functions of exactly that shape count), and every assert_return /
assert_trap of the JSON conversion invoking such an export is checked by calling NUMERIC[op].

Run as a script (`python tests/exec/test_numerics_spec.py`) to print the per-file counts.
"""

from __future__ import annotations

import json
import re
import sys
from pathlib import Path

import pytest

if __name__ == "__main__":  # script mode: make tests/conftest.py importable
    sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

from tests.conftest import need_suite
from tests.conftest import testsuite_root as _suite_root
from wasmlab.errors import Trap
from wasmlab.exec.numerics import NUMERIC, f32_from_bits, f32_to_bits, f64_from_bits, f64_to_bits

FILES = [
    "i32", "i64", "f32", "f64", "f32_cmp", "f64_cmp", "f32_bitwise", "f64_bitwise",
    "conversions", "float_misc",
]  # fmt: skip

_FUNC = re.compile(
    r'\(func \(export "(?P<name>[^"]+)"\)(?P<params>(?:\s*\(param \$\w+ \w+\))*)\s*'
    r"\(result (?P<result>\w+)\)\s*\((?P<op>[a-z0-9_.]+)(?P<args>(?:\s*\(local\.get \$\w+\))*)\)\)"
)
_PARAM = re.compile(r"\(param \$(\w+) (\w+)\)")
_ARG = re.compile(r"\(local\.get \$(\w+)\)")


def first_module(source: str) -> str:
    """The text of the first top-level `(module ...)` form of a .wast script."""
    start = re.search(r"^\(module\b", source, re.M)
    if start is None:
        return ""
    depth = 0
    i = start.start()
    while i < len(source):
        c = source[i]
        if c == ";" and source.startswith(";;", i):
            i = source.find("\n", i)
            if i < 0:
                break
        elif c == "(":
            depth += 1
        elif c == ")":
            depth -= 1
            if depth == 0:
                return source[start.start() : i + 1]
        i += 1
    return source[start.start() :]


def single_op_exports(wast: Path) -> tuple[dict[str, str], int]:
    """export name -> opcode name for `(func (export N) params (result t) (op (local.get ...)))`
    whose arguments are exactly the parameters in order; also the number of funcs in the module."""
    module = first_module(wast.read_text(encoding="utf-8"))
    found: dict[str, str] = {}
    for m in _FUNC.finditer(module):
        params = [p for p, _t in _PARAM.findall(m["params"])]
        if _ARG.findall(m["args"]) == params:
            found[m["name"]] = m["op"]
    return found, module.count("(func")


def from_json(v: dict) -> int | float:
    t, s = v["type"], v["value"]
    if t in ("i32", "i64"):
        return int(s)
    if t == "f32":
        return f32_from_bits(int(s))
    if t == "f64":
        return f64_from_bits(int(s))
    raise ValueError(f"unexpected value type {t}")


def result_ok(expected: dict, got: object) -> bool:
    t, s = expected["type"], expected["value"]
    if t in ("i32", "i64"):
        bits = 32 if t == "i32" else 64
        return type(got) is int and 0 <= got < 1 << bits and got == int(s)
    if type(got) is not float:
        return False
    if t == "f32":
        b = f32_to_bits(got)
        # the float must be the exact f32 value those bits denote (NaNs: compare bits only)
        if got == got and f64_to_bits(f32_from_bits(b)) != f64_to_bits(got):
            return False
        exp_bits, quiet, canon = 0x7F80_0000, 0x0040_0000, 0x7FFF_FFFF
    else:
        b = f64_to_bits(got)
        exp_bits, quiet, canon = 0x7FF0_0000_0000_0000, 0x0008_0000_0000_0000, 0x7FFF_FFFF_FFFF_FFFF
    if s == "nan:canonical":
        return b & canon == exp_bits | quiet
    if s == "nan:arithmetic":
        return b & (exp_bits | quiet) == exp_bits | quiet
    return b == int(s)


def run_file(name: str) -> dict:
    """Check every applicable assertion of one file; counts and the first failures."""
    wast = _suite_root() / "core" / f"{name}.wast"
    data = json.loads((_suite_root() / "json" / name / f"{name}.json").read_text(encoding="utf-8"))
    ops, nfuncs = single_op_exports(wast)
    stats = {"passed": 0, "failed": 0, "skipped": 0, "funcs": nfuncs, "ops": len(ops), "failures": []}
    modules = 0
    for cmd in data["commands"]:
        if cmd["type"] == "module":
            modules += 1
            continue
        if cmd["type"] not in ("assert_return", "assert_trap"):
            continue
        action = cmd["action"]
        op = ops.get(action["field"])
        if modules != 1 or action["type"] != "invoke" or op is None or op not in NUMERIC:
            stats["skipped"] += 1
            continue
        args = [from_json(a) for a in action["args"]]
        try:
            got = NUMERIC[op](*args)
        except Trap as trap:
            ok = cmd["type"] == "assert_trap" and trap.kind == cmd["text"]
            got = f"trap {trap.kind!r}"
        except Exception as exc:  # noqa: BLE001 - any other exception is a failure to report
            ok, got = False, f"{type(exc).__name__}: {exc}"
        else:
            if cmd["type"] == "assert_trap":
                ok = False
            else:
                (expected,) = cmd["expected"]
                ok = result_ok(expected, got)
        if ok:
            stats["passed"] += 1
        else:
            stats["failed"] += 1
            if len(stats["failures"]) < 20:
                shown = [a["value"] for a in action["args"]]
                want = cmd.get("text") or cmd["expected"]
                stats["failures"].append(f"line {cmd['line']}: {op}{shown} -> {got!r}, want {want}")
    return stats


@pytest.mark.parametrize("name", FILES)
def test_spec_numerics(name: str) -> None:
    need_suite("json", name, f"{name}.json")
    need_suite("core", f"{name}.wast")
    stats = run_file(name)
    # every function of these modules is a single instruction, so nothing may be left unchecked
    assert stats["ops"] == stats["funcs"], f"{name}: only {stats['ops']} of {stats['funcs']} funcs mapped"
    assert stats["skipped"] == 0
    assert stats["passed"] > 0
    assert stats["failed"] == 0, "\n".join(stats["failures"])


def main() -> int:
    total = {"passed": 0, "failed": 0, "skipped": 0}
    for name in FILES:
        stats = run_file(name)
        for key in total:
            total[key] += stats[key]
        print(
            f"{name:12} {stats['passed']:5} passed {stats['failed']:4} failed {stats['skipped']:4} skipped"
            f"  ({stats['ops']}/{stats['funcs']} funcs are single instructions)"
        )
        for line in stats["failures"]:
            print("   ", line)
    print(f"{'total':12} {total['passed']:5} passed {total['failed']:4} failed {total['skipped']:4} skipped")
    return 1 if total["failed"] else 0


if __name__ == "__main__":
    sys.exit(main())
