"""The `wasmlab` command: parse, print, validate, dump, run, wast, trace, graph, lab.

Exit status: 0 on success, 1 when a run fails (failed assertion, trap, invalid module),
2 for bad usage. User mistakes print one clear message, never a Python traceback.
"""

from __future__ import annotations

import argparse
import sys
from collections.abc import Callable, Sequence
from pathlib import Path
from typing import Any

from .errors import LinkError, WasmError
from .syntax import PROPOSALS


class UsageError(Exception):
    pass


def _read(path: str) -> bytes:
    try:
        return Path(path).read_bytes()
    except OSError as e:
        raise UsageError(f"cannot read it: {e.strerror}") from None


def load_module_file(path: str, validate: bool = True, features: str | None = None) -> Any:
    """A Module from a .wasm or .wat file (UsageError when unreadable), validated by default;
    `features`: the proposals it may use (`--features`; default WebAssembly 3.0)."""
    from . import api

    data = _read(path)
    features = _feature_set(features)
    text = None
    if data[:4] == b"\0asm" or path.lower().endswith(".wasm"):  # a .wasm is never read as text
        module = api.decode(data, features=features)
    else:
        from .text import parse_module

        try:
            text = data.decode("utf-8")
        except UnicodeDecodeError:
            raise UsageError(f"{path}: neither a wasm binary nor UTF-8 text") from None
        module = parse_module(text, filename=path)
    if validate:
        api.validate(module, source=text, features=features)
    return module


def _feature_set(spec: str | None) -> Any:
    from .syntax import as_features

    try:
        return as_features(spec)
    except ValueError as e:
        raise UsageError(str(e)) from None


def _features(a: argparse.Namespace) -> Any:
    return _feature_set(a.features)


def cmd_parse(a: argparse.Namespace) -> int:
    from . import api

    module = load_module_file(a.file, features=a.features)
    data = api.encode(module, names=a.debug_names, module_linking=a.module_linking_encoding)
    out = a.output or str(Path(a.file).with_suffix(".wasm"))
    Path(out).write_bytes(data)
    print(f"wrote {out} ({len(data)} bytes)")
    return 0


def cmd_print(a: argparse.Namespace) -> int:
    from . import api

    module = load_module_file(a.file, validate=False, features=a.features)
    note = ""
    if a.no_custom:
        module.customs = []
    elif not a.debug_sections:  # DWARF as escaped strings helps nobody reading the text
        debug = [c for c in module.customs if c.name.startswith(".debug_")]
        if debug:
            module.customs = [c for c in module.customs if not c.name.startswith(".debug_")]
            size = sum(len(c.data) for c in debug)
            note = (
                f";; {len(debug)} .debug_* custom sections ({size:,} bytes of DWARF) left out: "
                "--debug-sections prints them, `wasmlab dump --lines` shows the line table\n"
            )
    print(note + api.print_wat(module, folded=a.folded), end="")
    return 0


def cmd_validate(a: argparse.Namespace) -> int:
    load_module_file(a.file, features=a.features)
    print("valid")
    return 0


def cmd_dump(a: argparse.Namespace) -> int:
    from . import binary

    if a.lines:
        from . import dwarf

        print(dwarf.line_table(load_module_file(a.file, validate=False, features=a.features)).dump(), end="")
        return 0
    data = _read(a.file)
    if data[:4] == b"\0asm":
        from .binary import decode_auto  # (module linking is recognized by itself)

        print(binary.dump(decode_auto(data, features=_features(a)), data), end="")
    else:
        print(binary.dump(load_module_file(a.file, validate=False, features=a.features)), end="")
    return 0


def _args_text(n: int) -> str:
    return f"{n} argument{'s' * (n != 1)}"


def _parse_arg(text: str, t: Any) -> Any:
    """A command-line argument for a parameter of type `t` (`wasmlab.script.parse_arg`'s
    syntax); a UsageError when it is not one."""
    from .script import parse_arg

    try:
        return parse_arg(text, t)
    except WasmError as e:
        raise UsageError(str(e)) from None


def _format_results(values: Any) -> str:
    if values is None:
        return ""
    if isinstance(values, tuple):
        return " ".join(map(str, values))
    return str(values)


def cmd_run(a: argparse.Namespace) -> int:
    from . import api

    module = load_module_file(a.file, features=a.features)
    wasi = _wasi_config(module, a, a.args)
    inst = api.instantiate(module, wasi=wasi, limits=_limits(a))
    name = a.invoke or ("_start" if "_start" in inst.exports else None)
    if name is None:
        raise UsageError("no _start export: name a function with --invoke NAME")
    func = inst.func(name)
    args = [_parse_arg(x, t) for x, t in zip(a.args, func.type.params)] if a.invoke else []
    if a.invoke and len(a.args) != len(func.type.params):
        raise UsageError(f"{name} takes {_args_text(len(func.type.params))}, got {len(a.args)}")
    if wasi is not None:
        status = wasi.run(inst, name, args)
        out = _format_results(wasi.results) if a.invoke else ""
        if out:
            print(out)
        return status
    out = _format_results(func(*args))
    if out:
        print(out)
    return 0


def _limits_options(s: argparse.ArgumentParser) -> None:
    s.add_argument("--max-memory", metavar="SIZE", help="bytes per linear memory (64K, 256M, 1G; default 4G)")
    s.add_argument("--max-table-elements", metavar="N", help="elements per table (default 10,000,000)")
    s.add_argument("--fuel", metavar="N", help="at most N instructions (default: unbounded)")


def _limits(a: argparse.Namespace) -> Any:
    """The store limits the options ask for (the library's defaults otherwise)."""
    from .api import StoreLimits
    from .script import parse_limit

    changes: dict[str, int | None] = {}
    for option, name in (("max_memory", "max_memory"), ("max_table_elements", "max_table_elements"),
                         ("fuel", "fuel")):  # fmt: skip
        text = getattr(a, option, None)
        if text is not None:
            try:
                changes[name] = parse_limit(name, text)
            except WasmError as e:
                raise UsageError(f"--{option.replace('_', '-')}: {e}") from None
    if "max_memory" in changes:  # one memory may then use it all
        changes["max_store_memory"] = max(changes["max_memory"] or 0, StoreLimits().max_store_memory)
    return StoreLimits().replace(**changes)


def cmd_wast(a: argparse.Namespace) -> int:
    from .script import run_file

    passed = failed = skipped = 0
    for f in a.files:
        path = Path(f)
        if not path.exists():
            raise UsageError(f"no such file: {f}")
        r = run_file(path, module_linking=a.module_linking, features=_features(a))
        passed, failed, skipped = passed + r.passed, failed + r.failed, skipped + r.skipped
        print(r.line())
        for msg in r.failures[: a.show]:
            print(f"  FAIL {msg}")
        if a.verbose:
            for msg in r.skips:
                print(f"  skip {msg}")
    print(f"{passed} passed, {failed} failed, {skipped} skipped")
    return 1 if failed else 0


def _is_wasi(module_name: str) -> bool:
    return module_name.startswith("wasi_")


def _wasi_config(module: Any, a: argparse.Namespace, args: Sequence[str], stdio: Any = None) -> Any:
    """A WasiConfig from `--dir`, `--env`, `--stdin` and the program's arguments when the
    module imports WASI, else None. `stdio`: where the program's stdout and stderr go."""
    if not any(_is_wasi(i.module) for i in module.imports):
        return None
    from .wasi import WasiConfig

    preopens = {}
    for spec in a.dir:
        host, _, guest = spec.partition("::")
        preopens[guest or host] = host
    env = dict(e.split("=", 1) if "=" in e else (e, "") for e in a.env)
    stdin = None
    if getattr(a, "stdin", None):
        stdin = _read(a.stdin)
    streams = {} if stdio is None else {"stdout": stdio, "stderr": stdio}
    return WasiConfig(args=[a.file, *args], env=env, preopens=preopens, stdin=stdin, **streams)


def _trace_imports(module: Any, notes: list[str], skip: Callable[[str], bool] = lambda m: False
                   ) -> dict[str, dict[str, Any]]:  # fmt: skip
    """`spectest` as the spec scripts have it; other function imports become stubs that
    return zeros (each named in `notes`). Other imports cannot be provided. Modules for
    which `skip(name)` holds are left out (WASI, when real WASI provides them)."""
    from . import api
    from .script import spectest_exports
    from .syntax import ExternKind

    out: dict[str, dict[str, Any]] = {}
    for imp in module.imports:
        if skip(imp.module):
            continue
        ns = out.setdefault(imp.module, {})
        if imp.module == "spectest" and "print" not in ns:
            ns.update(spectest_exports())
        if imp.name in ns:
            continue
        if imp.kind is not ExternKind.FUNC:
            raise LinkError(
                f'wasmlab trace cannot provide the import "{imp.module}" "{imp.name}" ({imp.kind.text})'
            )
        ft = module.types[imp.desc]
        ns[imp.name] = api.Func.returning_zeros(ft, f"{imp.module}.{imp.name}")
        notes.append(
            f"{imp.module}.{imp.name} is a stub returning {[api.default_value(t) for t in ft.results]}"
        )
    return out


def cmd_trace(a: argparse.Namespace) -> int:
    """`wasmlab trace FILE --invoke NAME [ARGS...]`: one line per instruction; 1 on a trap."""
    from . import api
    from .debug import Session, print_trace

    name, *rest = a.invoke  # `--invoke NAME ARGS...` (arguments may also follow FILE)
    args = [*rest, *a.args]
    if a.limit is not None and a.limit < 0:
        raise UsageError("--limit must be >= 0")
    module = load_module_file(a.file, features=a.features)
    notes: list[str] = []
    wasi = _wasi_config(module, a, args if name == "_start" else [], stdio=sys.stderr)
    if wasi is not None:  # real WASI, as `run` gives it; the program writes to our stderr
        inst = api.instantiate(
            module, _trace_imports(module, notes, skip=_is_wasi), wasi=wasi, limits=_limits(a)
        )
        if name == "_start":
            args = []
    else:
        inst = api.instantiate(module, _trace_imports(module, notes), limits=_limits(a))
    params = inst.func(name).type.params
    if len(args) != len(params):
        raise UsageError(f"{name} takes {_args_text(len(params))}, got {len(args)}")
    values = [_parse_arg(x, t) for x, t in zip(args, params)]
    return print_trace(Session(inst, name, *values, history=False), a.limit, sys.stdout, notes)


def cmd_graph(a: argparse.Namespace) -> int:
    from .viz import graph_for

    kind = "initializers" if a.initializers else "types" if a.types else "calls" if a.calls else "cfg"
    module = load_module_file(a.file, features=a.features)
    if kind == "cfg" and a.func is None:
        from .viz import resolve_func

        idx = resolve_func(module, None)
        name = module.names.funcs.get(idx)
        export = next((e.name for e in module.exports if e.index == idx and e.kind.text == "func"), None)
        label = f"{idx} (${name})" if name else f'{idx} (export "{export}")' if export else str(idx)
        print(f"{a.file}: note: --cfg of function {label}, the first exported one; choose another "
              "with --func NAME", file=sys.stderr)  # fmt: skip
    graph = graph_for(module, kind, func=a.func)
    if a.output:
        from .viz import render_svg

        Path(a.output).write_text(render_svg(graph))
        print(f"wrote {a.output}")
    else:
        print(graph.source)
    return 0


def cmd_lab(a: argparse.Namespace) -> int:
    from .lab import launch

    return launch(a.notebooks, extra=a.jupyter_args)


def _features_option(s: argparse.ArgumentParser) -> None:
    s.add_argument(
        "--features",
        metavar="LIST",
        help=f"proposals to accept: 2.0 (strict WebAssembly 2.0), 3.0 (the default), all (3.0 and the opt-in "
        f"ones), or 2.0 plus names among {', '.join(PROPOSALS)} (comma-separated)",
    )


FILE_HELP = "a .wasm binary or a .wat text file"


def _wasi_options(s: argparse.ArgumentParser) -> None:
    s.add_argument(
        "--dir", action="append", default=[], metavar="HOST::GUEST",
        help="give a WASI program the host folder HOST, as GUEST (repeatable)",
    )  # fmt: skip
    s.add_argument(
        "--env", action="append", default=[], metavar="K=V", help="an environment variable (repeatable)"
    )
    s.add_argument(
        "--stdin", metavar="PATH", help="a file as a WASI program's standard input (default: this one's)"
    )


def build_parser() -> argparse.ArgumentParser:
    p = argparse.ArgumentParser(prog="wasmlab", description="Explore and step-debug WebAssembly.")
    sub = p.add_subparsers(dest="command", required=True)

    s = sub.add_parser("parse", help="WAT text to a .wasm binary (like wat2wasm)")
    s.add_argument("file", help=FILE_HELP)
    s.add_argument("-o", "--output", help="the .wasm file to write (default: FILE with a .wasm suffix)")
    s.add_argument(
        "--module-linking-encoding",
        choices=["0.22", "pr2451"],
        default="0.22",
        help="binary encoding of module-linking sections: wasmtime 0.22's (default) or PR 2451's",
    )
    s.add_argument(
        "--debug-names", action="store_true", help="write a name section from the text's $ids (as wat2wasm)"
    )
    _features_option(s)
    s.set_defaults(fn=cmd_parse)

    s = sub.add_parser("print", help="a module as WAT text (like wasm2wat)")
    s.add_argument("file", help=FILE_HELP)
    s.add_argument("--folded", action="store_true", help="print instructions in folded (S-expression) form")
    s.add_argument(
        "--no-custom", action="store_true", help="leave out custom sections (.debug_*, producers, ...)"
    )
    s.add_argument(
        "--debug-sections",
        action="store_true",
        help="print the .debug_* custom sections (DWARF) too (left out by default)",
    )
    _features_option(s)
    s.set_defaults(fn=cmd_print)

    s = sub.add_parser("validate", help="decode/parse and validate")
    s.add_argument("file", help=FILE_HELP)
    _features_option(s)
    s.set_defaults(fn=cmd_validate)

    s = sub.add_parser("dump", help="sections, imports/exports and function bodies with byte offsets")
    s.add_argument("file", help=FILE_HELP)
    s.add_argument(
        "--lines",
        action="store_true",
        help="the DWARF line table of a module built with -g (rows as llvm-dwarfdump --debug-line prints them)",
    )
    _features_option(s)
    s.set_defaults(fn=cmd_dump)

    s = sub.add_parser("run", help="run a module (WASI programs included)")
    _wasi_options(s)
    s.add_argument("--invoke", metavar="NAME", help="call export NAME with ARGS (default: _start)")
    s.add_argument("file", help=FILE_HELP)
    _limits_options(s)
    s.add_argument(
        "args", nargs=argparse.REMAINDER, help="the program's arguments (WASI), or NAME's with --invoke"
    )
    _features_option(s)
    s.set_defaults(fn=cmd_run)

    s = sub.add_parser("wast", help="run spec scripts (.wast or wast2json .json)")
    s.add_argument("files", nargs="+", help="the scripts to run")
    s.add_argument(
        "--module-linking", action="store_true", help="accept the module-linking proposal (wasmtime 0.22)"
    )
    s.add_argument("--show", type=int, default=10, help="failures shown per file")
    s.add_argument("-v", "--verbose", action="store_true", help="list skipped assertions")
    _features_option(s)
    s.set_defaults(fn=cmd_wast)

    s = sub.add_parser("trace", help="one line per instruction executed")
    s.add_argument("file", help=FILE_HELP)
    s.add_argument(
        "--invoke", required=True, nargs="+", metavar="NAME",
        help="NAME, then its arguments (for a WASI program's _start: the program's arguments)",
    )  # fmt: skip
    s.add_argument(
        "--limit", type=int, default=100_000, help="stop after this many instructions (default 100000)"
    )
    _wasi_options(s)
    _limits_options(s)
    s.add_argument("args", nargs="*", help="more arguments, as after --invoke NAME")
    _features_option(s)
    s.set_defaults(fn=cmd_trace)

    s = sub.add_parser("graph", help="graphviz pictures of a module")
    g = s.add_mutually_exclusive_group(required=True)
    g.add_argument("--initializers", action="store_true", help="what instantiation does (module linking)")
    g.add_argument("--types", action="store_true", help="the module and instance types (type tables)")
    g.add_argument("--calls", action="store_true", help="the call graph")
    g.add_argument("--cfg", action="store_true", help="the control-flow graph of one function (--func)")
    s.add_argument(
        "--func", help="function for --cfg: index, $name or export name (default: the first exported)"
    )
    s.add_argument("file", help=FILE_HELP)
    s.add_argument("-o", "--output", help="write an SVG picture here (default: print the DOT source)")
    _features_option(s)
    s.set_defaults(fn=cmd_graph)

    s = sub.add_parser("lab", help="open JupyterLab on the teaching notebooks")
    s.add_argument("--notebooks", default=None, help="the folder to open (default: the teaching notebooks)")
    s.set_defaults(fn=cmd_lab, jupyter_args=[])  # unknown options go to jupyter lab
    return p


def main(argv: Sequence[str] | None = None) -> int:
    parser = build_parser()
    try:
        a, extra = parser.parse_known_args(argv)
        if extra and a.command != "lab":  # only `lab` passes unknown options on (to jupyter)
            parser.parse_args(argv)
    except SystemExit as e:
        return int(e.code or 0)
    if extra:
        a.jupyter_args = extra
    fn: Callable[[argparse.Namespace], int] = a.fn
    try:
        return fn(a)
    except UsageError as e:
        print(f"{_subject(a)}: error: {e}", file=sys.stderr)
        return 2
    except WasmError as e:
        print(error_text(_subject(a), e), file=sys.stderr)
        return 1
    except KeyboardInterrupt:
        print("interrupted", file=sys.stderr)
        return 130
    except BrokenPipeError:
        return 0


def _subject(a: argparse.Namespace) -> str:
    """The file an error is about (the one a command reads), else the program's name."""
    file = getattr(a, "file", None)
    return file if isinstance(file, str) else "wasmlab"


def error_text(file: str, e: WasmError) -> str:
    """The one error format: `FILE:LINE:COL: error: ...` (text, with the source line and a
    caret) or `FILE: error: at byte 0xN: ...` (binary), else `FILE: error: ...`."""
    located = getattr(e, "source_line", None) is not None or getattr(e, "line", None) is not None
    if located:  # ParseError / ValidationError with a span: they say "FILE:L:C: error:" already
        return str(e)
    offset = getattr(e, "offset", None)
    if offset is not None:
        reason = getattr(e, "reason", None) or str(e)
        if hasattr(e, "_where_reason"):  # a binary ValidationError: func/instruction too
            reason = e._where_reason().replace(f" @{offset:#x}", "").replace(f"@{offset:#x}", "").strip()
            reason = reason[2:] if reason.startswith(": ") else reason
        return f"{file}: error: at byte {offset:#x}: {reason}"
    return f"{file}: error: {e}"


if __name__ == "__main__":  # pragma: no cover
    sys.exit(main())
