"""WABT's `wasm-validate` as referee on random function bodies.

A seeded generator writes mostly well-typed bodies (it tracks the operand stack and
picks instructions that fit, with a few deliberate misfits, bad immediates and
one-instruction mutations), so roughly half of the modules are valid and the rest fail
in varied ways. Each module is encoded, and wasmlab's verdict (decode + validate) must
equal `wasm-validate`'s. Valid modules also get the machine's side table (`layout`).

`WASMLAB_FUZZ_N` sets the number of modules (default 80); run as a script with a first
seed and a count to fuzz longer: `python tests/valid/test_valid_differential.py 1000 2000`.
"""

from __future__ import annotations

import os
import random
import subprocess
import sys
from pathlib import Path

if __name__ == "__main__":  # script mode: make tests/conftest.py importable
    sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

try:  # tests/ as rootdir conftest, or as a package
    from conftest import need_tool
except ImportError:
    from tests.conftest import need_tool

from wasmlab.errors import WasmError
from wasmlab.exec.compile import layout
from wasmlab.syntax import (
    ALL_OPS,
    BY_NAME,
    EXTERNREF,
    F32,
    F64,
    FUNCREF,
    I32,
    I64,
    SELECT_T,
    V128,
    Data,
    Elem,
    Export,
    ExternKind,
    Func,
    FuncType,
    Global,
    GlobalType,
    Import,
    Instr,
    Limits,
    MemType,
    Module,
    Op,
    Table,
    TableType,
    ValType,
)
from wasmlab.syntax.features import PROPOSALS
from wasmlab.valid import validate

ALL_TYPES = [I32, I64, F32, F64, V128, FUNCREF, EXTERNREF]
TYPES = [
    FuncType(),
    FuncType((I32,), (I32,)),
    FuncType((I32, I32), (I64,)),
    FuncType((), (I32, F32)),
    FuncType((F64,), ()),
    FuncType((FUNCREF,), (EXTERNREF, I32)),
    FuncType((V128, I32), (V128,)),
]
#: the 2.0 instructions with a fixed signature (the proposals' are decoded only with their feature)
PLAIN = [op for op in ALL_OPS if op.params is not None and op.feature not in PROPOSALS]
LANES = {"i8x16": 16, "i16x8": 8, "i32x4": 4, "i64x2": 2, "f32x4": 4, "f64x2": 2}
GLOBALS = [I32, F32, I64, FUNCREF]  # 0: imported const, 1: imported mut, 2: mut, 3: const
TABLES = [FUNCREF, EXTERNREF]
Sig = list  # a list of ValType, or None for "any"


def ins(name: str, imm: object = None) -> Instr:
    return Instr(BY_NAME[name], imm)


def const(t: ValType) -> Instr:
    if t.is_ref:
        return ins("ref.null", t)
    return ins(f"{t.text}.const", bytes(16) if t is V128 else 0)


def immediate(rng: random.Random, op: Op, ok: bool) -> object:
    """An immediate for `op`: in range when `ok`, possibly out of range otherwise."""
    k, extra = op.imm, 0 if ok else 2
    if k == "memarg":
        return (rng.randint(0, op.natural_alignment + extra), rng.choice([0, 7, 0xFFFF_FFFF]), 0)
    if k == "memarg_lane":
        a = op.natural_alignment
        return (rng.randint(0, a + extra // 2), 0, 0, rng.randrange((16 >> a) + extra))
    if k == "lane":
        return rng.randrange(LANES[op.name.split(".")[0]] + extra)
    if k == "shuffle":
        return bytes(rng.randrange(32 + extra) for _ in range(16))
    if k in ("i32", "f32"):
        return rng.getrandbits(32)
    if k in ("i64", "f64"):
        return rng.getrandbits(64)
    if k == "v128":
        return bytes(16)
    if k == "data":
        return rng.randrange(1 + extra // 2)
    if k == "memory_init":
        return (rng.randrange(1 + extra // 2), 0)
    if k in ("elem", "table"):
        return rng.randrange(2 + extra // 2)
    if k in ("table_copy", "table_init"):
        return (rng.randrange(2 + extra // 2), rng.randrange(2 + extra // 2))
    if k == "memory_copy":
        return (0, 0)
    return 0 if k in ("memory", "memory_fill") else None


class Frame:
    def __init__(self, kind: str, params: list[ValType], results: list[ValType], height: int) -> None:
        self.kind, self.params, self.results, self.height = kind, params, results, height
        self.unreachable = False

    @property
    def labels(self) -> list[ValType]:
        return self.params if self.kind == "loop" else self.results


class BodyGen:
    """Writes a body while tracking (roughly) the operand stack, as the validator would."""

    def __init__(self, rng: random.Random, ftype: FuncType, locals_: list[ValType]) -> None:
        self.rng = rng
        self.ftype = ftype
        self.locals = [*ftype.params, *locals_]
        self.stack: list[ValType] = []
        self.frames = [Frame("func", [], list(ftype.results), 0)]
        self.out: list[Instr] = []

    def fits(self, params: Sig) -> bool:
        frame = self.frames[-1]
        avail = len(self.stack) - frame.height
        if avail < len(params) and not frame.unreachable:
            return False
        top = self.stack[len(self.stack) - min(len(params), avail) :] if params else []
        return all(w is None or w == g for w, g in zip(reversed(params), reversed(top)))

    def emit(self, instr: Instr, params: Sig, results: list[ValType]) -> None:
        self.out.append(instr)
        frame = self.frames[-1]
        k = min(len(params), len(self.stack) - frame.height)
        del self.stack[len(self.stack) - k :]
        self.stack.extend(results)

    def emit_if_fits(self, instr: Instr, params: Sig, results: list[ValType], misfit: float = 0.03) -> None:
        if self.fits(params) or self.rng.random() < misfit:
            self.emit(instr, params, results)

    def stop(self, instr: Instr) -> None:
        self.out.append(instr)
        frame = self.frames[-1]
        del self.stack[frame.height :]
        frame.unreachable = True

    def settle(self, frame: Frame) -> None:
        """Drop what is there and push constants of the frame's result types."""
        if self.stack[frame.height :] == frame.results:
            return
        while len(self.stack) > frame.height:
            self.emit(ins("drop"), [None], [])
        for t in frame.results:
            self.emit(const(t), [], [t])

    def close(self) -> None:
        frame = self.frames[-1]
        if frame.kind == "if" and (frame.params != frame.results or self.rng.random() < 0.5):
            self.out.append(ins("else"))
            frame.kind = "else"
            del self.stack[frame.height :]
            frame.unreachable = False
            self.stack.extend(frame.params)
            return
        self.out.append(ins("end"))
        self.frames.pop()
        del self.stack[frame.height :]
        self.stack.extend(frame.results)

    def step(self) -> None:
        rng = self.rng
        r = rng.random()
        if r < 0.3:
            op = rng.choice(PLAIN)
            self.emit_if_fits(
                Instr(op, immediate(rng, op, rng.random() < 0.97)), list(op.params), list(op.results)
            )
        elif r < 0.45:
            t = rng.choice(ALL_TYPES)
            self.emit(const(t), [], [t])
        elif r < 0.52 and self.locals:
            i = rng.randrange(len(self.locals) + (rng.random() < 0.02))
            t = self.locals[i] if i < len(self.locals) else I32
            name = rng.choice(["local.get", "local.set", "local.tee"])
            if name == "local.get":
                self.emit(ins(name, i), [], [t])
            else:
                self.emit_if_fits(ins(name, i), [t], [t] if name == "local.tee" else [], 0.05)
        elif r < 0.56:
            g = rng.randrange(len(GLOBALS) + (rng.random() < 0.05))
            t = GLOBALS[g] if g < len(GLOBALS) else I32
            if rng.random() < 0.5:
                self.emit(ins("global.get", g), [], [t])
            else:
                self.emit_if_fits(ins("global.set", g), [t], [])
        elif r < 0.66:
            self.open_block()
        elif r < 0.74 and len(self.frames) > 1:
            frame = self.frames[-1]
            if not self.fits(frame.results) and rng.random() < 0.9:
                self.settle(frame)
            self.close()
        elif r < 0.80:
            self.branch()
        elif r < 0.86:
            self.misc()
        else:
            name = rng.choice(["table.get", "table.set", "table.grow", "table.fill", "table.size"])
            x = rng.randrange(2 + (rng.random() < 0.02))
            t = TABLES[x] if x < 2 else FUNCREF
            params, results = {
                "table.get": ([I32], [t]),
                "table.set": ([I32, t], []),
                "table.grow": ([t, I32], [I32]),
                "table.fill": ([I32, t, I32], []),
                "table.size": ([], [I32]),
            }[name]
            self.emit_if_fits(ins(name, x), params, results, 0.0)

    def open_block(self) -> None:
        rng = self.rng
        kind = rng.choice(["block", "loop", "if"])
        pick = rng.random()
        bt: object
        if pick < 0.3:
            bt, params, results = None, [], []
        elif pick < 0.6:
            t = rng.choice(ALL_TYPES)
            bt, params, results = t, [], [t]
        else:
            bt = rng.randrange(len(TYPES) + (rng.random() < 0.02))
            ft = TYPES[bt] if bt < len(TYPES) else FuncType()  # type: ignore[operator]
            params, results = list(ft.params), list(ft.results)
        need = params + ([I32] if kind == "if" else [])
        if self.fits(need) or rng.random() < 0.05:
            self.emit(ins(kind, bt), need, [])
            self.frames.append(Frame(kind, params, results, len(self.stack)))
            self.stack.extend(params)

    def branch(self) -> None:
        rng = self.rng
        name = rng.choice(["br", "br_if", "br_table", "return", "unreachable"])
        depth = rng.randrange(len(self.frames) + (rng.random() < 0.02))
        if depth >= len(self.frames):
            self.out.append(ins("br", depth))
            return
        labels = self.frames[-1 - depth].labels
        if name == "br" and self.fits(labels):
            self.stop(ins("br", depth))
        elif name == "br_if" and self.fits([*labels, I32]):
            self.emit(ins("br_if", depth), [*labels, I32], labels)
        elif name == "br_table" and self.fits([*labels, I32]):
            same = [d for d, f in enumerate(reversed(self.frames)) if len(f.labels) == len(labels)]
            pool = same if rng.random() < 0.9 else list(range(len(self.frames)))
            table = tuple(rng.choice(pool) for _ in range(rng.randrange(4)))
            self.stop(ins("br_table", (table, depth)))
        elif name == "return" and self.fits(list(self.ftype.results)):
            self.stop(ins("return"))
        elif name == "unreachable":
            self.stop(ins("unreachable"))

    def misc(self) -> None:
        rng = self.rng
        name = rng.choice(["call", "call_indirect", "drop", "select", "select_t", "ref.is_null", "ref.func"])
        if name == "call":
            f = rng.randrange(3)
            ft = [TYPES[1], self.ftype, TYPES[5]][f]
            self.emit_if_fits(ins("call", f), list(ft.params), list(ft.results), 0.0)
        elif name == "call_indirect":
            ti = rng.randrange(len(TYPES))
            ft = TYPES[ti]
            table = 0 if rng.random() < 0.95 else 1
            self.emit_if_fits(ins("call_indirect", (ti, table)), [*ft.params, I32], list(ft.results), 0.0)
        elif name == "drop":
            self.emit_if_fits(ins("drop"), [None], [], 0.0)
        elif name == "select" and len(self.stack) >= 2:
            t = self.stack[-2]
            self.emit_if_fits(ins("select"), [t, t, I32], [t], 0.1)
        elif name == "select_t":
            t = rng.choice(ALL_TYPES)
            arity = 1 if rng.random() < 0.97 else rng.choice([0, 2])
            self.emit_if_fits(Instr(SELECT_T, (t,) * arity), [t, t, I32], [t], 0.0)
        elif name == "ref.is_null" and self.stack:
            if self.stack[-1].is_ref or rng.random() < 0.1:
                self.emit(ins("ref.is_null"), [None], [I32])
        elif name == "ref.func":
            self.emit(ins("ref.func", rng.randrange(3)), [], [FUNCREF])


def random_module(seed: int) -> Module:
    """A fixed module around one random function (funcidx 1; 0 is imported, 2 is undeclared)."""
    rng = random.Random(seed)
    ti = rng.randrange(len(TYPES))
    locals_ = [rng.choice(ALL_TYPES) for _ in range(rng.randrange(4))]
    gen = BodyGen(rng, TYPES[ti], locals_)
    for _ in range(rng.randrange(1, 40)):
        gen.step()
    while gen.frames:
        if rng.random() < 0.95:
            gen.settle(gen.frames[-1])
        gen.close()
    body = gen.out
    if rng.random() < 0.3 and len(body) > 1:  # one mutation
        i, j = rng.randrange(len(body) - 1), rng.randrange(len(body))
        how = rng.random()
        if how < 0.4:
            del body[i]
        elif how < 0.7:
            body.insert(i, body[j])
        else:
            body[i], body[j] = body[j], body[i]
    end = ins("end")
    return Module(
        types=list(TYPES),
        imports=[
            Import("env", "f", ExternKind.FUNC, 1),
            Import("env", "g", ExternKind.GLOBAL, GlobalType(I32)),
            Import("env", "h", ExternKind.GLOBAL, GlobalType(F32, True)),
            Import("env", "m", ExternKind.MEMORY, MemType(Limits(1))),
        ],
        funcs=[Func(ti, locals_, body), Func(5, [], [ins("ref.null", EXTERNREF), ins("i32.const", 0), end])],
        tables=[Table(TableType(Limits(1), FUNCREF)), Table(TableType(Limits(1), EXTERNREF))],
        globals=[
            Global(GlobalType(I64, True), [ins("i64.const", 0), end]),
            Global(GlobalType(FUNCREF), [ins("ref.func", 2), end]),
        ],
        elems=[
            Elem(FUNCREF, [[ins("ref.func", 0), end]], "passive"),
            Elem(EXTERNREF, [[ins("ref.null", EXTERNREF), end]], "passive"),
        ],
        datas=[Data(b"abc", "passive")],
        data_count=1 if rng.random() < 0.9 else None,
        exports=[Export("f", ExternKind.FUNC, 1)],
    )


def verdicts(seed: int, tool: str, tmp: Path) -> tuple[bool, str, bool, str]:
    """(wabt accepts, wabt's message, wasmlab accepts, wasmlab's message) for one seed."""
    from wasmlab.binary import decode
    from wasmlab.binary.encode import encode

    data = encode(random_module(seed))
    path = tmp / f"fuzz{seed}.wasm"
    path.write_bytes(data)
    proc = subprocess.run([tool, str(path)], capture_output=True, text=True)
    path.unlink()
    try:
        module = decode(data)
        validate(module)
        func_types = module.all_func_types()
        for f in module.funcs:
            layout(f.body, module.types, func_types, len(module.types[f.type].results))
        ours, message = True, ""
    except WasmError as e:
        ours, message = False, str(e)
    return proc.returncode == 0, proc.stderr.strip(), ours, message


N = int(os.environ.get("WASMLAB_FUZZ_N", "80"))


def test_agrees_with_wasm_validate(tmp_path: Path) -> None:
    tool = need_tool("wasm-validate")
    disagreements = []
    for seed in range(N):
        wabt_ok, wabt_msg, ours, msg = verdicts(seed, tool, tmp_path)
        if wabt_ok != ours:
            disagreements.append(f"seed {seed}: wabt {wabt_ok} {wabt_msg!r}; wasmlab {ours} {msg!r}")
    assert not disagreements, "\n".join(disagreements)


def test_generator_mixes_valid_and_invalid() -> None:
    """Without the referee: the bodies are neither all valid nor all invalid, and repeatable."""
    verdicts_ = []
    for seed in range(40):
        module = random_module(seed)
        assert module.funcs[0].body == random_module(seed).funcs[0].body
        try:
            validate(module)
            verdicts_.append(True)
        except WasmError:
            verdicts_.append(False)
    assert 5 < sum(verdicts_) < 35


def main() -> None:
    import shutil
    import tempfile

    first = int(sys.argv[1]) if len(sys.argv) > 1 else 0
    count = int(sys.argv[2]) if len(sys.argv) > 2 else 500
    tool = shutil.which("wasm-validate")
    if tool is None:
        sys.exit("wasm-validate is not installed")
    agree = valid = 0
    with tempfile.TemporaryDirectory() as tmp:
        for seed in range(first, first + count):
            wabt_ok, wabt_msg, ours, msg = verdicts(seed, tool, Path(tmp))
            valid += wabt_ok
            if wabt_ok == ours:
                agree += 1
            else:
                print(f"seed {seed}: wabt {wabt_ok} {wabt_msg!r}; wasmlab {ours} {msg!r}")
    print(f"{agree}/{count} agree ({valid} valid)")


if __name__ == "__main__":
    main()
