"""ModuleExplorer: a module's sections, imports/exports, functions (with their text), types,
TypeTables and graphs (call graph, control-flow graphs, initializer graph when available)."""

from __future__ import annotations

from pathlib import Path
from typing import Any

import anywidget
import traitlets as t

from wasmlab.api import type_tables
from wasmlab.errors import WasmError
from wasmlab.syntax import Alias, ExternKind, Import

STATIC = Path(__file__).parent / "static"


def _module_of(obj: Any) -> Any:
    if hasattr(obj, "funcs") and hasattr(obj, "exports"):
        return obj
    inner = getattr(obj, "module", None)
    if inner is not None and hasattr(inner, "funcs"):
        return inner
    raise WasmError(f"cannot explore a {type(obj).__name__}: give a Module or an Instance")


class ModuleExplorer(anywidget.AnyWidget):
    """`ModuleExplorer(module_or_instance, name=None)`."""

    _esm = STATIC / "explorer.js"
    _css = STATIC / "explorer.css"

    name = t.Unicode("").tag(sync=True)
    sections = t.List(t.Dict()).tag(sync=True)
    imports = t.List(t.Dict()).tag(sync=True)
    exports = t.List(t.Dict()).tag(sync=True)
    functions = t.List(t.Dict()).tag(sync=True)
    types = t.List(t.Dict()).tag(sync=True)
    type_tables = t.Unicode("").tag(sync=True)
    selected = t.Int(-1).tag(sync=True)
    func_text = t.Unicode("").tag(sync=True)
    graph_kind = t.Unicode("none").tag(sync=True)
    graph_kinds = t.List(t.Unicode()).tag(sync=True)
    graph_svg = t.Unicode("").tag(sync=True)
    error = t.Unicode("").tag(sync=True)

    def __init__(self, module: Any, name: str | None = None, **kwargs: Any) -> None:
        super().__init__(**kwargs)
        self.module = _module_of(module)
        self.on_msg(self._on_custom)
        self._fill(name)

    def _fill(self, name: str | None) -> None:
        m = self.module
        from wasmlab.viz import kinds

        with self.hold_sync():
            self.name = name or m.id or "module"
            counts = [
                ("type", len(m.types)), ("import", len(m.imports)), ("func", len(m.funcs)),
                ("table", len(m.tables)), ("memory", len(m.mems)), ("global", len(m.globals)),
                ("export", len(m.exports)), ("start", 0 if m.start is None else 1), ("elem", len(m.elems)),
                ("data", len(m.datas)), ("custom", len(m.customs)),
            ]  # fmt: skip
            self.sections = [{"name": n, "count": c} for n, c in counts if c]
            self.imports = [{"module": i.module, "name": i.name or "", "kind": i.kind.text, "desc": str(i.desc)}
                            for i in m.imports]  # fmt: skip
            self.exports = [{"name": e.name, "kind": e.kind.text, "index": e.index} for e in m.exports]
            self.types = [{"index": i, "type": str(ty)} for i, ty in enumerate(m.types)]
            nbase = m.base_index(ExternKind.FUNC)
            exported = {e.index: e.name for e in m.exports if e.kind is ExternKind.FUNC}
            self.functions = [
                {"index": i, "name": m.func_name(i), "type": str(ft), "imported": i < nbase,
                 "export": exported.get(i, ""),
                 "size": len(m.funcs[i - nbase].body) if i >= nbase else 0}
                for i, ft in enumerate(m.all_func_types())
            ]  # fmt: skip
            self.type_tables = repr(type_tables(m))
            self.graph_kinds = ["none", *sorted(set(kinds()) | {"initializers", "types"})]

    def send_action(self, action: str, **content: Any) -> None:
        self._handle({"action": action, **content})

    def _on_custom(self, widget: Any, content: Any, buffers: Any) -> None:
        if isinstance(content, dict):
            self._handle(content)

    def _handle(self, content: dict[str, Any]) -> None:
        action = content.get("action")
        self.error = ""
        try:
            if action == "function":
                self.show_function(int(content["index"]))
            elif action == "graph":
                self.show_graph(str(content.get("kind", "none")), content.get("func"))
            else:
                self.error = f"unknown action {action!r}"
        except WasmError as e:
            self.error = str(e)
        except (KeyError, TypeError, ValueError) as e:
            self.error = f"bad {action} message: {e}"

    def show_function(self, index: int) -> None:
        from wasmlab.viz import instr_text

        m = self.module
        if not 0 <= index < m.base_index(ExternKind.FUNC) + len(m.funcs):
            raise WasmError(f"no function {index}")
        self.selected = index
        f = m.func_source(index)
        if isinstance(f, Import):
            self.func_text = f"(import {f.module!r} {f.name!r}) {m.func_type(index)}"
            return
        if isinstance(f, Alias):
            self.func_text = f"({f}) {m.func_type(index)}"
            return
        lines = [f"func {m.func_name(index)} {m.func_type(index)}"]
        if f.locals:
            lines.append("  locals " + " ".join(v.text for v in f.locals))
        depth = 1
        for pc, ins in enumerate(f.body):
            if ins.op.name in ("end", "else"):
                depth = max(depth - 1, 0)
            lines.append(f"{pc:>5} " + "  " * depth + instr_text(ins, m, index))
            if ins.op.name in ("block", "loop", "if", "else", "try_table"):
                depth += 1
        self.func_text = "\n".join(lines)
        if self.graph_kind == "cfg":
            self.show_graph("cfg", index)

    def show_graph(self, kind: str, func: Any = None) -> None:
        from wasmlab.viz import graph_for, render_svg

        self.graph_kind = kind
        if kind == "none":
            self.graph_svg = ""
            return
        if kind == "cfg" and func is None and self.selected >= 0:
            func = self.selected
        try:
            self.graph_svg = render_svg(graph_for(self.module, kind, func=func))
        except WasmError:
            self.graph_svg = ""
            raise

    def __repr__(self) -> str:
        m = self.module
        return f"<ModuleExplorer {self.name}: {len(m.funcs)} funcs, {len(m.exports)} exports>"

    def _repr_mimebundle_(self, **kwargs: Any) -> Any:
        bundle = super()._repr_mimebundle_(**kwargs)
        data, meta = bundle if isinstance(bundle, tuple) else (bundle, {})
        data = dict(data or {})
        data["text/plain"] = repr(self)
        return data, meta


__all__ = ["ModuleExplorer"]
