"""The notebook's and the modules' `%` commands (`%help`, `%load`, `%run`, `%print`, `%graph`...),
registered in `registry`; the debugger's commands live in `debugcmds`."""

from __future__ import annotations

from pathlib import Path

from wasmlab.errors import WasmError
from wasmlab.script import WasiSetup
from wasmlab.syntax import PROPOSALS, ExternKind, Func, Import

from .outputs import (  # noqa: F401  (graph_output, fit_width, MAX_WIDTH_PT: kept importable from here)
    MAX_WIDTH_PT,
    CellError,
    describe_error,
    esc,
    fit_width,
    graph_output,
    pre_output,
    rich,
    table,
    table_output,
)
from .registry import COMMANDS, Emit, UsageError, command, lookup
from .workspace import Workspace, module_summary


def take_module(ws: Workspace, args: list[str]) -> tuple:
    """Split off a leading `$module` argument: (entry, remaining args)."""
    if args and args[0].startswith("$"):
        return ws.entry(args[0]), args[1:]
    return ws.entry(), args


# --- commands -----------------------------------------------------------------------------


@command("help", "%help [COMMAND]", "list the commands, or explain one", "notebook")
def cmd_help(ws: Workspace, args: list[str], emit: Emit) -> None:
    if args:
        cmd = lookup(args[0].lstrip("%"))
        if cmd is None:
            raise UsageError(f"no command %{args[0].lstrip('%')}")
        aliases = f"  (also: {', '.join('%' + a for a in cmd.aliases)})" if cmd.aliases else ""
        text = f"{cmd.usage}{aliases}\n  {cmd.help}"
        emit(rich(text, f"<code>{esc(cmd.usage)}</code>{esc(aliases)}<br>{esc(cmd.help)}"))
        return
    groups = ["notebook", "modules", "debugger"]
    rows = []
    for g in groups:
        for c in sorted((c for c in COMMANDS.values() if c.group == g), key=lambda c: c.name):
            also = ", ".join("%" + a for a in c.aliases)
            rows.append((c.usage, c.help + (f" (also {also})" if also else "")))
    intro = ("Cells hold WAST: (module ...) definitions, (invoke \"f\" (i32.const 1)), (register \"m\" $M), "
             "(assert_return ...); and % command lines.")  # fmt: skip
    text, html_text = table(["command", "what it does"], rows, caption=intro)
    emit(rich(text, html_text))


@command("echo", "%echo TEXT", "print TEXT (a note in the output, on stdout)", "notebook")
def cmd_echo(ws: Workspace, args: list[str], emit: Emit) -> None:
    print(" ".join(args), flush=True)


@command("reset", "%reset", "forget every module, registration and debug session", "notebook")
def cmd_reset(ws: Workspace, args: list[str], emit: Emit) -> None:
    ws.reset()
    emit(rich("all modules and sessions forgotten"))


@command("features", "%features [LIST | 3.0 | 2.0 | all]",
         f"the proposals later cells may use: 3.0 (WebAssembly 3.0, the default), 2.0 (strict 2.0), "
         f"all (3.0 and the opt-in ones), or 2.0 plus names among {', '.join(PROPOSALS)} "
         "(comma-separated); without arguments, the current set", "notebook")  # fmt: skip
def cmd_features(ws: Workspace, args: list[str], emit: Emit) -> None:
    from wasmlab.syntax import as_features

    if args:
        spec = ",".join(args)
        try:
            ws.features = as_features(spec)
        except ValueError as e:
            raise UsageError(str(e)) from None
    rows = [(name, "on" if name in ws.features else "off", what) for name, what in PROPOSALS.items()]
    emit(table_output(["proposal", "", "adds"], rows, caption="features (WebAssembly 2.0 plus these)"))


@command("modules", "%modules", "the modules defined so far", "modules")
def cmd_modules(ws: Workspace, args: list[str], emit: Emit) -> None:
    rows = []
    for e in ws.entries.values():
        mark = "*" if e is ws.current else ""
        rows.append((e.label + mark, e.filename or "", ", ".join(e.export_names)))
    emit(table_output(["module", "from", "exports"], rows, caption="modules (* = latest)"))


@command("load", "%load PATH [$name] [--wasi OPTIONS] [-- ARGS...]",
         "load a .wasm or .wat file as a module; --wasi gives it the WASI functions (options: "
         "--dir HOST::GUEST preopens a directory, --env NAME=VALUE sets a variable, --stdin FILE "
         "is what it reads; ARGS are the program's arguments; see %run)", "modules", args="file")  # fmt: skip
def cmd_load(ws: Workspace, args: list[str], emit: Emit) -> None:
    args, wasi = load_options(args)
    if not args:
        raise UsageError("give a path")
    if len(args) > 2:
        raise UsageError(f"unexpected {args[2]!r} (program arguments go after --)")
    path = Path(args[0]).expanduser()
    name = args[1] if len(args) > 1 else None
    if name is not None and not name.startswith("$"):
        name = "$" + name
    try:
        data = path.read_bytes()
    except OSError as e:
        raise CellError("FileError", str(e), [f"cannot read {path}: {e.strerror}"]) from None
    source = ws.module_text(data, str(path))  # None for a wasm binary
    binary = data if source is None else None
    try:
        module = ws.decode(data) if source is None else ws.parse(source, str(path))
    except WasmError as e:
        raise describe_error(e, source, str(path)) from None
    module.origin = str(path.resolve())  # C sources of a -g program are looked for beside it
    if name is None:
        stem = "".join(c if c.isalnum() or c in "_.-" else "_" for c in path.stem) or "module"
        name = module.id or f"${stem}"
    try:
        if wasi is not None:
            wasi.args.insert(0, path.stem)
            entry = ws.add_wasi_module(name, module, wasi, source=source, filename=str(path), binary=binary)
        else:
            entry = ws.add_module(name, module, source=source, filename=str(path), binary=binary)
    except WasmError as e:
        err = describe_error(e, source, str(path))
        if wasi is None and any(i.module.startswith("wasi_") for i in module.imports):
            err.lines.append("it imports WASI functions: load it with %load PATH --wasi")
        raise err from None
    emit(module_summary(entry))


def load_options(args: list[str]) -> tuple[list[str], WasiSetup | None]:
    """Split `%load`'s WASI options off: (the other arguments, the WASI setup or None)."""
    rest: list[str] = []
    wasi = False
    setup = WasiSetup([], {}, {})
    i = 0
    while i < len(args):
        a = args[i]
        if a == "--":
            wasi = True
            setup.args.extend(args[i + 1 :])
            break
        if a == "--wasi":
            wasi = True
        elif a in ("--dir", "--env", "--stdin"):
            if i + 1 >= len(args):
                raise UsageError(f"{a} needs a value ({_OPTION_VALUES[a]})")
            value = args[i + 1]
            i += 1
            wasi = True
            if a == "--stdin":
                setup.stdin = read_input(value)
            elif a == "--dir":
                host, sep, guest = value.partition("::")
                if not host or (sep and not guest):
                    raise UsageError(f"--dir wants HOST::GUEST (or just HOST), not {value!r}")
                if not Path(host).expanduser().is_dir():
                    raise UsageError(f"--dir {value}: {host!r} is not a directory")
                setup.preopens[guest or host] = str(Path(host).expanduser())
            else:
                key, sep, val = value.partition("=")
                if not key or not sep:
                    raise UsageError(f"--env wants NAME=VALUE, not {value!r}")
                setup.env[key] = val
        elif a.startswith("--"):
            raise UsageError(f"unknown option {a} (options: --wasi, --dir, --env, --stdin, -- ARGS)")
        else:
            rest.append(a)
        i += 1
    return rest, setup if wasi else None


_OPTION_VALUES = {"--dir": "HOST[::GUEST]", "--env": "NAME=VALUE", "--stdin": "a file to read"}


def read_input(path: str) -> bytes:
    """The bytes of a file given as a program's stdin, or a clear error."""
    try:
        return Path(path).expanduser().read_bytes()
    except OSError as e:
        raise CellError("FileError", str(e), [f"cannot read {path} for stdin: {e.strerror}"]) from None


def stdin_redirect(args: list[str]) -> tuple[list[str], bytes | None]:
    """`< FILE` (the file's bytes) or `<<< TEXT` (TEXT and a newline, as a shell here-string;
    `\\n` in TEXT is a newline) taken out of `%run`'s arguments: (the rest, stdin or None)."""
    rest: list[str] = []
    data = None
    i = 0
    while i < len(args):
        a = args[i]
        if a in ("<", "<<<"):
            if i + 1 >= len(args):
                raise UsageError(f"{a} needs {'a file' if a == '<' else 'a text'} after it")
            value = args[i + 1]
            data = read_input(value) if a == "<" else (value.replace("\\n", "\n") + "\n").encode()
            i += 2
            continue
        rest.append(a)
        i += 1
    return rest, data


@command("run", "%run [$name] [ARGS...] [< FILE | <<< TEXT]",
         "run a WASI program (loaded with %load --wasi): _start on a fresh instance, showing its "
         "output and exit status; ARGS replace the arguments given to %load; < FILE or <<< TEXT "
         "is its stdin for this run", "modules", args="module")  # fmt: skip
def cmd_run(ws: Workspace, args: list[str], emit: Emit) -> None:
    args, stdin = stdin_redirect(args)
    if args and args[0].startswith("$"):
        entry, rest = ws.entry(args[0]), args[1:]
    else:
        entry = ws.wasi_program()
        if entry is None:
            raise UsageError("no WASI program loaded: load one with %load PATH --wasi")
        rest = args
    if entry.wasi is None:
        raise UsageError(f"{entry.label} is not a WASI program: load it with %load PATH --wasi")
    explicit = bool(rest) and rest[0] == "--"  # `%run --` runs with no arguments at all
    if explicit:
        rest = rest[1:]
    status = ws.run_wasi(entry, rest if rest or explicit else None, stdin)
    color = "green" if status == 0 else "#b00020"
    emit(rich(f"exit status {status}", f"<span style='color:{color}'>exit status {status}</span>"))


def module_text(entry: object, folded: bool = False) -> str:
    from wasmlab.text import print_wat

    return print_wat(entry.module, folded=folded)  # type: ignore[attr-defined]


@command("print", "%print [$name] [--folded] | EXPR", "the module as WAT text; while debugging, %print EXPR is %p EXPR",
         "modules", args="module")  # fmt: skip
def cmd_print(ws: Workspace, args: list[str], emit: Emit) -> None:
    if (
        args
        and ws.session is not None
        and "--folded" not in args
        and not (len(args) == 1 and args[0] in ws.entries)
    ):
        from .debugcmds import cmd_p  # `%print EXPR` while debugging: gdb's print

        cmd_p(ws, args, emit)
        return
    folded = "--folded" in args
    entry, rest = take_module(ws, [a for a in args if a != "--folded"])
    if rest:
        raise UsageError(f"unexpected {rest[0]!r}")
    text = module_text(entry, folded)
    emit(pre_output(text))


@command("dump", "%dump [$name]", "sections, entries and code with byte offsets", "modules", args="module")
def cmd_dump(ws: Workspace, args: list[str], emit: Emit) -> None:
    from wasmlab import binary

    entry, rest = take_module(ws, args)
    if rest:
        raise UsageError(f"unexpected {rest[0]!r}")
    emit(pre_output(binary.dump(entry.module, entry.binary)))


@command(
    "types", "%types [$name]", "the type section and every function's signature", "modules", args="module"
)
def cmd_types(ws: Workspace, args: list[str], emit: Emit) -> None:
    entry, rest = take_module(ws, args)
    m = entry.module
    type_rows = [(i, str(t)) for i, t in enumerate(m.types)]
    emit(table_output(["type", "definition"], type_rows, caption=f"types of {entry.label}"))
    exports: dict[int, list[str]] = {}
    for e in m.exports:
        if e.kind is ExternKind.FUNC:
            exports.setdefault(e.index, []).append(e.name)
    rows = []
    for idx, ft in enumerate(m.all_func_types()):
        src = m.func_source(idx)
        typeidx = src.desc if isinstance(src, Import) else src.type if isinstance(src, Func) else ""
        where = f"import {src.module}.{src.name}" if isinstance(src, Import) else ""
        if not isinstance(src, (Import, Func)):
            where = str(src)  # a module-linking alias
        rows.append((idx, m.func_name(idx), typeidx, str(ft), ", ".join(exports.get(idx, [])) or where))
    emit(table_output(["func", "name", "type", "signature", "export / import"], rows, caption="functions"))
    from wasmlab.api import type_tables

    from .outputs import Output

    tt = type_tables(m)
    emit(Output({"text/plain": str(tt), "text/html": tt._repr_html_()}))


@command("explore", "%explore [$name]", "a ModuleExplorer widget: sections, imports/exports, functions, types, graphs",
         "modules", args="module")  # fmt: skip
def cmd_explore(ws: Workspace, args: list[str], emit: Emit) -> None:
    from .outputs import Output

    entry, rest = take_module(ws, args)
    if rest:
        raise UsageError(f"unexpected {rest[0]!r}")
    text = module_summary(entry)
    try:
        from wasmlab.widgets import ModuleExplorer
    except ImportError:
        emit(text)
        return
    widget = ModuleExplorer(entry.module, name=entry.label)
    ws.widgets.append(widget)
    data = dict(text.data)
    data["application/vnd.jupyter.widget-view+json"] = {
        "version_major": 2,
        "version_minor": 1,
        "model_id": widget.model_id,
    }
    emit(Output(data))


@command("graph", "%graph KIND [FUNC] [$name]",
         "a graph of the module: initializers, types, calls, cfg (one function)", "modules", args="graph")  # fmt: skip
def cmd_graph(ws: Workspace, args: list[str], emit: Emit) -> None:
    from wasmlab.viz import GraphUnavailable, graph_for

    if not args:
        from wasmlab.viz import kinds

        raise UsageError(f"give a kind: {', '.join(sorted(set(kinds()) | {'initializers', 'types'}))}")
    kind, rest = args[0], args[1:]
    mod_args = [a for a in rest if a.startswith("$") and a in ws.entries]
    entry = ws.entry(mod_args[0]) if mod_args else ws.entry()
    rest = [a for a in rest if a not in mod_args]
    func = rest[0] if rest else None
    try:
        graph = graph_for(entry.module, kind, func=func)
    except GraphUnavailable as e:
        raise CellError("GraphUnavailable", str(e), [str(e)]) from None
    emit(graph_output(graph, f"{kind} graph of {entry.label}"))


__all__ = ["graph_output", "load_options", "module_text", "read_input", "stdin_redirect", "take_module"]
