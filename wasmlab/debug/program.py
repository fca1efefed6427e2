"""What the debugger knows about the code it runs: instances, functions, names and places.

A `Program` is built once per session from the instance being debugged. It finds the
instances reachable from it (those whose functions it imports or holds in tables, and
nested instances; not every instance of the store, which a call cannot touch), resolves
what users name (a function by export name, `$name` or index; a byte offset; a source
line; a global) to runtime objects and `(function, pc)` places, and caches per function
the static facts the views need (operand types, blocks, byte offsets, local names).
"""

from __future__ import annotations

from collections.abc import Iterator
from typing import TYPE_CHECKING, Any

from ..exec.compile import compile_function
from ..exec.runtime import FuncInst, GlobalInst, MemoryInst, ModuleInst
from ..syntax.features import ALL
from ..syntax.module import Instr, Module
from ..syntax.types import ExternKind, ValType
from .errors import DebugError
from .source import FILE_LINE, SourceMap
from .stacktypes import BodyFacts, body_facts

if TYPE_CHECKING:
    from ..exec.machine import Machine

Place = tuple[FuncInst, int]


def _instr_text(ins: Instr, module: Module | None) -> str:
    try:
        from ..binary.dump import instr_text
    except ImportError:  # pragma: no cover - the binary package is part of wasmlab
        return ins.op.name if ins.imm is None else f"{ins.op.name} {ins.imm!r}"
    return instr_text(ins, module)


class Program:
    def __init__(self, root: ModuleInst) -> None:
        self.root = root
        self.instances: list[ModuleInst] = []
        self._facts: dict[int, tuple[FuncInst, BodyFacts]] = {}
        self._offsets: dict[int, list[int | None]] = {}  # id(Module) -> offsets of all defined funcs
        self._contexts: dict[int, Any] = {}
        self._paths: dict[int, str] = {}
        self._source: SourceMap | None = None
        self.know(root)

    @property
    def source(self) -> SourceMap:
        """The DWARF of the debugged module joined to its instructions (made when first asked)."""
        smap = self._source
        if smap is None:
            smap = self._source = SourceMap(self.root)
        return smap

    # --- instances and functions --------------------------------------------------------

    def know(self, inst: ModuleInst) -> None:
        """Add an instance and, transitively, the instances its functions, tables and nested
        instances (module linking) lead to; nested ones get their path (`$c1`, `$a.$b`)."""
        todo: list[tuple[ModuleInst, str | None]] = [(inst, None)]
        while todo:
            i, path = todo.pop()
            if any(i is k for k in self.instances):
                continue
            self.instances.append(i)
            if path is not None:
                self._paths[id(i)] = path
            for f in i.funcs:
                if isinstance(f, FuncInst) and f.module is not None and f.module is not i:
                    todo.append((f.module, None))
            for t in i.tables:
                for e in t.elements:
                    if isinstance(e, FuncInst) and e.module is not None:
                        todo.append((e.module, None))
            subs = [
                (sub, sub.name or f"{self.instance_name(i)}.{n}")
                for n, sub in enumerate(getattr(i, "instances", ()))
                if isinstance(sub, ModuleInst)
            ]
            todo.extend(reversed(subs))  # popped in definition order: $c1 before $c2

    def functions(self) -> Iterator[FuncInst]:
        """Every wasm (not host) function instance defined by a known instance."""
        for inst in self.instances:
            for f in inst.funcs:
                if isinstance(f, FuncInst) and f.module is inst and f.func is not None:
                    yield f

    @staticmethod
    def code(f: FuncInst) -> list:
        """The function's handler list, compiled now if it never ran."""
        if f.code is None:
            f.code = compile_function(f)
        return f.code

    def compile_all(self) -> None:
        for f in self.functions():
            self.code(f)

    def instance_name(self, inst: ModuleInst | None) -> str:
        if inst is None:
            return "host"
        path = self._paths.get(id(inst))
        if path is not None:
            return path
        if inst.name:
            return inst.name
        m = inst.module
        if m.names.module:
            return m.names.module
        if m.id:
            return m.id
        if inst is self.root:
            return "instance"
        for n, known in enumerate(self.instances):
            if known is inst:
                return f"instance#{n}"
        return "instance?"

    def nested_path(self, inst: ModuleInst | None) -> str | None:
        """The path of a nested instance (`$c1`, `$outer.$inner`); None for any other."""
        return self._paths.get(id(inst)) if inst is not None else None

    def current_instance(self, machine: Machine | None) -> ModuleInst:
        """The instance the top frame runs in (the debugged instance when there is none)."""
        fr = machine.frame if machine is not None else None
        if fr is not None:
            inst = fr.func.module
            if isinstance(inst, ModuleInst):
                return inst
        return self.root

    def source_module(self, f: FuncInst) -> Module | None:
        """The outermost module whose text holds `f` (for a nested module's function, the module
        it is nested in: the one a notebook cell or file was parsed into)."""
        if f.module is None:
            return None
        target = f.module.module

        def holds(m: Module, depth: int = 0) -> bool:
            return m is target or (depth < 64 and any(holds(n, depth + 1) for n in m.modules))

        for inst in self.instances:
            if holds(inst.module):
                return inst.module
        return target

    def qualified_name(self, f: FuncInst) -> str:
        """`func_name`, prefixed with the instance path for a function of a nested instance."""
        name = self.func_name(f)
        path = self.nested_path(f.module)
        return f"{path}.{name}" if path else name

    def func_name(self, f: FuncInst) -> str:
        if f.module is not None and f.func is not None:
            return f.module.module.func_name(f.index)
        return f.name

    def local_names(self, f: FuncInst) -> list[str]:
        """`$name` from the name section where known, else the index as text."""
        named = {}
        if f.module is not None:
            named = f.module.module.names.locals.get(f.index, {})
        return [f"${named[i]}" if i in named else str(i) for i in range(len(f.local_types))]

    # --- static facts ---------------------------------------------------------------------

    def facts(self, f: FuncInst) -> BodyFacts:
        hit = self._facts.get(id(f))
        if hit is not None and hit[0] is f:
            return hit[1]
        assert f.module is not None
        module = f.module.module
        ctx = self._contexts.get(id(module))
        if ctx is None:
            from ..valid.context import Context

            ctx = self._contexts[id(module)] = Context(module)
        facts = body_facts(module, f.index, ctx)
        self._facts[id(f)] = (f, facts)
        return facts

    def instr(self, f: FuncInst, pc: int) -> Instr | None:
        body = f.func.body if f.func is not None else []
        return body[pc] if 0 <= pc < len(body) else None

    def instr_text(self, f: FuncInst, pc: int) -> str:
        ins = self.instr(f, pc)
        if ins is None:
            return ""
        return _instr_text(ins, f.module.module if f.module is not None else None)

    def offset(self, f: FuncInst, pc: int) -> int | None:
        """The byte offset of instruction pc: as decoded, or in the module's binary encoding."""
        ins = self.instr(f, pc)
        if ins is None:
            return None
        if ins.offset is not None:
            return ins.offset
        offsets = self._encoded_offsets(f)
        return offsets[pc] if pc < len(offsets) else None

    def _encoded_offsets(self, f: FuncInst) -> list[int | None]:
        assert f.module is not None
        module = f.module.module
        key = id(module) * 100_003 + f.index
        cached = self._offsets.get(key)
        if cached is not None:
            return cached
        table = self._module_offsets(module)
        nimported = module.base_index(ExternKind.FUNC)
        i = f.index - nimported
        out = table[i] if 0 <= i < len(table) else []
        self._offsets[key] = out
        return out

    def _module_offsets(self, module: Module) -> list[list[int | None]]:
        key = -id(module)
        cached = self._offsets.get(key)
        if cached is not None:
            return cached  # type: ignore[return-value]
        try:
            from ..binary import decode_auto, encode

            # the module is valid already: accept whatever it uses (module linking, proposals)
            decoded = decode_auto(encode(module), features=ALL)
            table: list[list[int | None]] = [[i.offset for i in fn.body] for fn in decoded.funcs]
        except Exception:  # noqa: BLE001 - no binary form (e.g. an unencodable extension): no offsets
            table = []
        self._offsets[key] = table  # type: ignore[assignment]
        return table

    # --- resolving what users name ---------------------------------------------------------

    def function(self, spec: Any) -> FuncInst:
        """A function by export name, name-section name (with or without `$`), index or object."""
        return self.functions_named(spec)[0]

    def functions_named(self, spec: Any) -> list[FuncInst]:
        """Like `function`, but a name finds the function in every instance of the module that
        defines it (module linking: `inc` stops in both `$c1` and `$c2`); an instance-qualified
        name (`$c1.$inc`, `$c1.inc`) selects one instance."""
        if isinstance(spec, FuncInst):
            found = [spec]
        elif hasattr(spec, "inst") and isinstance(spec.inst, FuncInst):  # an api.Func
            found = [spec.inst]
        elif isinstance(spec, bool):
            raise DebugError(f"not a function: {spec!r}")
        elif isinstance(spec, int):
            funcs = self.root.funcs
            if not 0 <= spec < len(funcs):
                raise DebugError(f"no function {spec}: the instance has {len(funcs)} functions")
            found = [funcs[spec]]
        elif isinstance(spec, str):
            found = self._functions_by_name(spec)
        else:
            raise DebugError(f"cannot name a function with a {type(spec).__name__}: give a name or an index")
        for f in found:
            if f.is_host or f.func is None:
                raise DebugError(f"{f.name} is a host function: it has no instructions to stop at")
            if f.module is not None:
                self.know(f.module)
        return found

    @staticmethod
    def _in_instance(inst: ModuleInst, name: str) -> FuncInst | None:
        """A function of one instance by export name (no `$`) or name-section name."""
        bare = name[1:] if name.startswith("$") else name
        exported = inst.exports.get(name)
        if isinstance(exported, FuncInst) and not name.startswith("$"):
            return exported
        for idx, n in inst.module.names.funcs.items():
            if n == bare and idx < len(inst.funcs):
                return inst.funcs[idx]
        return None

    def _functions_by_name(self, name: str) -> list[FuncInst]:
        # an instance-qualified name: `$c1.$inc`, `$c1.inc`, `$outer.$inner.inc` (longest path first)
        for path, inst in self._nested_longest_first():
            if name.startswith(path + ".") and len(name) > len(path) + 1:
                f = self._in_instance(inst, name[len(path) + 1 :])
                if f is not None:
                    return [f]
        first: FuncInst | None = None
        for inst in self.instances:
            first = self._in_instance(inst, name)
            if first is not None:
                break
        bare = name[1:] if name.startswith("$") else name
        if first is None:
            if bare.isdigit():
                return self.functions_named(int(bare))
            known = sorted({self.func_name(f) for f in self.functions()})
            raise DebugError(f"unknown function {name!r}; functions: {', '.join(known) or '(none)'}")
        return self.siblings(first)

    def _nested_longest_first(self) -> list[tuple[str, ModuleInst]]:
        paths = [(self._paths[id(i)], i) for i in self.instances if id(i) in self._paths]
        return sorted(paths, key=lambda pi: -len(pi[0]))

    def siblings(self, f: FuncInst) -> list[FuncInst]:
        """`f` and the same function in every other known instance of the module defining it."""
        home = f.module
        if home is None or f.func is None:
            return [f]
        out = [f]
        for inst in self.instances:
            if inst is home or inst.module is not home.module or not 0 <= f.index < len(inst.funcs):
                continue
            g = inst.funcs[f.index]
            if (
                isinstance(g, FuncInst)
                and g.module is inst
                and g.func is f.func
                and all(g is not h for h in out)
            ):
                out.append(g)
        if len(out) > 1:
            order = {id(i): n for n, i in enumerate(self.instances)}
            out.sort(key=lambda g: order.get(id(g.module), 0))
        return out

    def at_offset(self, at: int) -> Place:
        """The instruction that starts at byte offset `at`."""
        if isinstance(at, bool) or not isinstance(at, int):
            raise DebugError(f"a byte offset must be an int, not {at!r}")
        for f in self.functions():
            body = f.func.body if f.func is not None else []
            for pc in range(len(body)):
                if self.offset(f, pc) == at:
                    return f, pc
        raise DebugError(f"no instruction starts at byte offset {at:#x}")

    def at_line(self, line: int, filename: str | None = None) -> list[Place]:
        """The first instruction of every run of instructions written on source line `line`."""
        if isinstance(line, bool) or not isinstance(line, int):
            raise DebugError(f"a line number must be an int, not {line!r}")
        places: list[Place] = []
        for f in self.functions():
            body = f.func.body if f.func is not None else []
            prev = False
            for pc, ins in enumerate(body):
                sp = ins.span
                here = (
                    sp is not None
                    and sp.line == line
                    and (filename is None or sp.filename is None or sp.filename == filename)
                )
                if here and not prev:
                    places.append((f, pc))
                prev = here
        if not places:
            has_spans = any(ins.span is not None for f in self.functions() for ins in f.func.body)  # type: ignore[union-attr]
            if not has_spans:
                raise DebugError("the module has no source positions (it was not parsed from text)")
            raise DebugError(f"no instruction on line {line}")
        return places

    def place(self, func: Any = None, *, at: int | None = None, line: int | None = None) -> list[Place]:
        """Places for a breakpoint: a function's entry, a byte offset, or a source line."""
        given = sum(x is not None for x in (func, at, line))
        if given != 1:
            raise DebugError("name exactly one place: a function, at=byte offset, or line=source line")
        if func is not None:
            if isinstance(func, str) and (m := FILE_LINE.match(func)):
                return self.source.line_places(m["file"], int(m["line"]))
            if isinstance(func, str) and not func.startswith("$") and self.source.available:
                c_function = self.source.function_places(func)
                if c_function:  # a C function: its body, past the prologue (`$name`: the wasm entry)
                    return c_function
            return [(f, 0) for f in self.functions_named(func)]
        if at is not None:
            return [self.at_offset(at)]
        assert line is not None
        return self.at_line(line)

    def global_(self, spec: Any, inst: ModuleInst | None = None) -> tuple[int, GlobalInst]:
        """A global of the debugged instance (or `inst`) by index, export name or `$name` (name
        section); a name qualified by a nested instance's path (`$c1.$n`) looks in that one."""
        given = inst is not None
        inst = inst if inst is not None else self.root
        globs = inst.globals
        if isinstance(spec, GlobalInst):
            for i, g in enumerate(globs):
                if g is spec:
                    return i, g
            return -1, spec
        if hasattr(spec, "inst") and isinstance(spec.inst, GlobalInst):
            return self.global_(spec.inst, inst)
        if isinstance(spec, int) and not isinstance(spec, bool):
            if not 0 <= spec < len(globs):
                raise DebugError(f"no global {spec}: the instance has {len(globs)} globals")
            return spec, globs[spec]
        if isinstance(spec, str):
            if not given:
                for path, sub in self._nested_longest_first():
                    if spec.startswith(path + ".") and len(spec) > len(path) + 1:
                        return self.global_(spec[len(path) + 1 :], sub)
            bare = spec[1:] if spec.startswith("$") else spec
            for i, n in self.global_names(inst).items():
                if n == bare and i < len(globs):
                    return i, globs[i]
            exported = inst.exports.get(bare)
            if isinstance(exported, GlobalInst):
                return self.global_(exported, inst)
            if bare.isdigit() and not spec.startswith("$"):  # the label of an unnamed global
                return self.global_(int(bare), inst)
            known = ", ".join(self.global_label(i, inst) for i in range(len(globs))) or "(none)"
            raise DebugError(f"unknown global {spec!r}; globals: {known}")
        raise DebugError(f"cannot name a global with a {type(spec).__name__}")

    def global_text(self, g: GlobalInst, fallback: Any = None) -> str:
        """A global's label, qualified by the path of the nested instance holding it."""
        for inst in self.instances:
            for i, h in enumerate(inst.globals):
                if h is g:
                    path = self.nested_path(inst)
                    label = self.global_label(i, inst)
                    return f"{path}.{label}" if path else label
        return str(fallback if fallback is not None else "?")

    def global_names(self, inst: ModuleInst | None = None) -> dict[int, str]:
        inst = inst if inst is not None else self.root
        return dict(getattr(inst.module.names, "globals", None) or {})

    def global_label(self, i: int, inst: ModuleInst | None = None) -> str:
        inst = inst if inst is not None else self.root
        name = self.global_names(inst).get(i)
        if name:
            return f"${name}"
        for ex in inst.module.exports:
            if ex.kind is ExternKind.GLOBAL and ex.index == i:
                return ex.name
        return str(i)

    def memory(self, i: int, inst: ModuleInst | None = None) -> MemoryInst:
        """Memory `i` of the debugged instance (or of `inst`)."""
        inst = inst if inst is not None else self.root
        mems = inst.mems
        if isinstance(i, bool) or not isinstance(i, int) or not 0 <= i < len(mems):
            path = self.nested_path(inst)
            where = f"the instance {path}" if path else "the instance"
            raise DebugError(f"no memory {i!r}: {where} has {len(mems)} memories")
        return mems[i]

    def local_type(self, f: FuncInst, i: int) -> ValType:
        return f.local_types[i]
