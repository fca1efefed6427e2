"""Which post-2.0 proposals a decoder, parser or validator accepts.

WebAssembly 3.0, the current standard, is the default everywhere: every proposal it merged
is on. `"2.0"` is strict WebAssembly 2.0 (the 2.0 test suite's "multiple memories" and
"illegal opcode" cases are errors there); `"all"` adds the opt-in proposals that are not
part of 3.0 (legacy exceptions). Module linking has its own switch (`module_linking=`),
because it also chooses a binary encoding.
"""

from __future__ import annotations

from collections.abc import Iterable

#: proposal name -> what it adds
PROPOSALS: dict[str, str] = {
    "exceptions": "tags, throw, throw_ref, try_table and exnref (exception handling)",
    "extended-const": "i32/i64 add, sub and mul in constant expressions",
    "legacy-exceptions": "try, catch, catch_all, delegate and rethrow (the exception handling 3.0 replaced)",
    "memory64": "64-bit memories and tables: i64 addresses (memory64 and table64)",
    "function-references": "typed function references: (ref null? $t), call_ref, br_on_null, ref.as_non_null, table initializers",
    "gc": "garbage collection: rec/sub types, structs, arrays, i31, casts, any/eq/none/extern conversions",
    "multi-memory": "more than one memory; a memory index on loads, stores and memory.*",
    "relaxed-simd": "SIMD instructions whose results the spec leaves open (wasmtime's deterministic ones here)",
    "tail-call": "return_call and return_call_indirect",
}

Features = frozenset[str]

#: proposals that are opt-in: not part of WebAssembly 3.0
OPT_IN: Features = frozenset({"legacy-exceptions"})

CORE_2_0: Features = frozenset()
WASM_3_0: Features = frozenset(PROPOSALS) - OPT_IN
ALL: Features = frozenset(PROPOSALS)
#: what every entry point accepts when not told otherwise
DEFAULT: Features = WASM_3_0

#: names of whole feature sets
SETS: dict[str, Features] = {"2.0": CORE_2_0, "none": CORE_2_0, "3.0": WASM_3_0, "all": ALL}


#: what a `features=` argument may be
FeatureSpec = str | Iterable[str] | None


def as_features(spec: FeatureSpec) -> Features:
    """A feature set from names: an iterable, or text like "2.0,tail-call,multi-memory";
    None is the default (WebAssembly 3.0); "3.0" is 3.0's proposals, "all" every proposal
    (3.0 plus the opt-in ones), "2.0", "none" or "" plain 2.0 (with the proposals named
    beside it). Unknown names raise ValueError."""
    if spec is None:
        return DEFAULT
    names = [n.strip() for n in spec.split(",")] if isinstance(spec, str) else list(spec)
    out: set[str] = set()
    for n in names:
        if not n:
            continue
        if n in SETS:
            out |= SETS[n]
        elif n in PROPOSALS:
            out.add(n)
        else:
            known = ", ".join([*PROPOSALS, "2.0", "3.0", "all"])
            raise ValueError(f"unknown feature {n!r} (known: {known})")
    if "legacy-exceptions" in out:  # its try/catch throw and catch the exceptions proposal's tags
        out.add("exceptions")
    return frozenset(out)
