"""The C expression language against gdb: at a stop of each C test program, gdb's `print`
of each expression (the program built natively with gcc -O0 -g) equals wasmlab's
`Session.eval_c` (the wasm32 build): members, `->`, `*`, `&`, multi-dimensional indexing,
pointer arithmetic, casts to base types and pointers, C's arithmetic conversions. Pointers
are compared by their pointees; what differs between x86-64 and wasm32 (`sizeof(long)`,
`sizeof` a pointer) is checked against wasm32's sizes. Mistakes are CExprErrors."""

from __future__ import annotations

import re
import subprocess
from pathlib import Path

import pytest

from tests.conftest import need_tool
from tests.dwarf.programs import native, session, wasm
from tests.dwarf.test_gdb_variables import normal
from wasmlab.dwarf import CExprError

#: (program, stop line): expressions printed there (the stop's first hit)
EXPRESSIONS = {
    ("arrays", 29): [
        "m[1][2]", "m[2]", "*m", "m[r][r] + m[2][3]", "*(m[1] + 3)", "*&m[1][2]", "(char)65", "(char)(m[2][3] + 60)",
        "(unsigned)-1", "(unsigned char)300", "(short)70000", "(signed char)200", "(double)7/2", "(float)1/3",
        "7/2", "-7/2", "-7%3", "7 % -3", "(unsigned)-1 + 1", "(unsigned)-1 / 2", "(long long)(unsigned)-1 * 2",
        "1 + m[0][1]", "(_Bool)5", "!m[0][0]", "m[1][1] > 5 && m[0][0] == 1", "-(unsigned char)1",
    ],
    ("structs", 31): [
        "*b", "b->max", "b->max.x - b->min.x", "(*b).min", "*(struct point *)b", "((struct point *)b)[1].y",
        "*&b->max", "(char)b->max.x + 1", "(unsigned char)w", "w * h", "(enum shape_kind)1", "(enum shape_kind)2",
        "sizeof(box)", "sizeof *b", "sizeof(struct point)", "sizeof(union number)", "sizeof b->min", "sizeof(int)",
        "sizeof(char)", "sizeof(long long)", "sizeof(double)",
    ],
    ("scalars", 14): [
        "c", "s + i", "(char)(c + 1)", "(unsigned short)s", "ll * 2", "(int)ll", "(unsigned)c", "c * 1000000",
        "(long long)i * i", "(double)i / 3", "(float)i / 3", "ll - 1 < 0", "(unsigned long long)ll",
    ],
    ("recursion", 47): ["*t", "t->key", "t->left", "t->key * 2 + l - r", "l > r && r == 0"],
    ("list", 18): ["*n", "n->value * 2", "n->next->value", "*n->next", "total + n->value"],
}  # fmt: skip

#: what only the expression language refuses, or the wasm32 answer where x86-64's differs
WASM32 = {
    ("arrays", 29): {
        "sizeof m": "4",
        "sizeof(long)": "4",
        "sizeof(unsigned long)": "4",
        "sizeof(void *)": "4",
    },
    ("structs", 31): {"sizeof b": "4", "sizeof(struct shape)": "40", "(long)b - (long)&b->min": "0"},
}

GDB_SCRIPT = r"""
import gdb
class Stop(gdb.Breakpoint):
    def stop(self):
        self.enabled = False
        for e in EXPRS:
            try:
                print("@@ %s => %s" % (e, gdb.parse_and_eval(e).format_string()))
            except gdb.error as x:
                print("@@ %s => <error: %s>" % (e, x))
        return False
Stop(LOCATION)
"""


def gdb_prints(binary: Path, location: str, exprs: list[str]) -> dict[str, str]:
    script = binary.parent / f"{binary.name}-{location.replace(':', '-')}.expr.py"
    script.write_text(f"EXPRS = {exprs!r}\nLOCATION = {location!r}\n" + GDB_SCRIPT)
    out = subprocess.run(
        [need_tool("gdb"), "-batch", "-nx", "-ex", f"source {script}", "-ex", "run", str(binary)],
        capture_output=True, text=True, timeout=120,
    ).stdout  # fmt: skip
    return dict(m.groups() for m in re.finditer(r"^@@ (.*?) => (.*)$", out, re.M))


@pytest.mark.parametrize("program,line", list(EXPRESSIONS))
def test_expressions_print_as_gdb_prints_them(
    program: str, line: int, tmp_path_factory: pytest.TempPathFactory
) -> None:
    exprs = EXPRESSIONS[(program, line)]
    location = f"{program}.c:{line}"
    theirs = gdb_prints(native(tmp_path_factory, program), location, exprs)
    assert len(theirs) == len(exprs)
    s = session(wasm(tmp_path_factory, program))
    s.break_at(location)
    assert s.continue_().kind == "breakpoint"
    ours = {e: s.eval_c(e).text for e in exprs}
    assert {e: normal(v) for e, v in ours.items()} == {e: normal(v) for e, v in theirs.items()}
    for e, want in WASM32.get((program, line), {}).items():
        assert s.eval_c(e).text == want, e


def test_types_of_casts_and_pointers(tmp_path_factory: pytest.TempPathFactory) -> None:
    s = session(wasm(tmp_path_factory, "arrays"))
    s.break_at("arrays.c:29")
    s.continue_()
    assert {v.name: v.type for v in s.variables}["m"] == "int (*)[4]"
    assert s.eval_c("m[1]").type.spelling == "int[4]"
    assert s.eval_c("(unsigned)-1").type.spelling == "unsigned int"
    assert s.eval_c("(long long)m").text == str(s.eval_c("m").scalar())
    assert s.eval_c("(char *)0").text == "0x0"
    for bad, message in [
        ("(struct nope *)m", "no type 'struct nope'"),
        ("(long char)1", "not a C type"),
        ("(int[2])m", "expected ')'"),
        ("sizeof(void)", "sizeof of void"),
        ("(unsigned)", "unexpected 'end of expression'"),
        ("*(void *)m", "cannot dereference a void pointer"),
        ("1 % (double)2", "% needs integers"),
    ]:
        with pytest.raises(CExprError, match=re.escape(message)):
            s.eval_c(bad)
