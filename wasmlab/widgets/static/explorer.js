// wasmlab ModuleExplorer widget (anywidget ES module): sections, imports/exports, functions,
// types and graphs of one module. Python answers {action: "function" | "graph"} messages.

function h(tag, attrs = {}, ...children) {
  const el = document.createElement(tag);
  for (const [k, v] of Object.entries(attrs)) {
    if (k === "class") el.className = v;
    else el.setAttribute(k, v);
  }
  for (const c of children) {
    if (c === null || c === undefined) continue;
    el.append(c instanceof Node ? c : document.createTextNode(String(c)));
  }
  return el;
}

function table(headers, rows, onclick) {
  const t = h("table", { class: "wx-table" });
  t.append(h("tr", {}, ...headers.map((x) => h("th", {}, x))));
  rows.forEach((r, i) => {
    const tr = h("tr", {}, ...r.map((x) => h("td", {}, x)));
    if (onclick) { tr.classList.add("wx-click"); tr.addEventListener("click", () => onclick(i)); }
    t.append(tr);
  });
  if (!rows.length) t.append(h("tr", {}, h("td", { colspan: String(headers.length) }, "(none)")));
  return t;
}

function render({ model, el }) {
  el.classList.add("wasmlab-explorer");
  const tabs = ["sections", "imports", "exports", "functions", "types", "graph"];
  const bar = h("div", { class: "wx-tabs" });
  const body = h("div", { class: "wx-body" });
  const err = h("div", { class: "wx-error" });
  let current = "functions";
  for (const name of tabs) {
    const b = h("button", { class: "wx-tab" }, name);
    b.addEventListener("click", () => { current = name; draw(); });
    bar.append(b);
  }
  el.append(h("div", { class: "wx-title" }), bar, err, body);

  function draw() {
    el.querySelector(".wx-title").textContent = "module " + model.get("name");
    for (const b of bar.children) b.classList.toggle("wx-active", b.textContent === current);
    err.textContent = model.get("error") || "";
    body.replaceChildren();
    if (current === "sections") {
      body.append(table(["section", "entries"], model.get("sections").map((s) => [s.name, s.count])));
    } else if (current === "imports") {
      body.append(table(["module", "name", "kind", "type"], model.get("imports").map((i) => [i.module, i.name, i.kind, i.desc])));
    } else if (current === "exports") {
      body.append(table(["name", "kind", "index"], model.get("exports").map((e) => [e.name, e.kind, e.index])));
    } else if (current === "functions") {
      const fs = model.get("functions");
      body.append(table(["#", "name", "type", "export", "instructions"],
        fs.map((f) => [f.index, f.name + (f.imported ? " (import)" : ""), f.type, f.export, f.size]),
        (i) => model.send({ action: "function", index: fs[i].index })));
      if (model.get("func_text")) body.append(h("pre", { class: "wx-code" }, model.get("func_text")));
    } else if (current === "types") {
      body.append(table(["#", "type"], model.get("types").map((t) => [t.index, t.type])));
      if (model.get("type_tables")) body.append(h("pre", { class: "wx-code" }, model.get("type_tables")));
    } else if (current === "graph") {
      const sel = h("select", {});
      for (const k of model.get("graph_kinds")) sel.append(h("option", { value: k }, k));
      sel.value = model.get("graph_kind");
      sel.addEventListener("change", () => model.send({ action: "graph", kind: sel.value }));
      const g = h("div", { class: "wx-graph" });
      g.innerHTML = model.get("graph_svg") || "";
      body.append(sel, g);
    }
  }
  for (const n of ["name", "sections", "imports", "exports", "functions", "types", "type_tables", "func_text", "graph_svg", "graph_kind", "error"]) {
    model.on(`change:${n}`, draw);
  }
  draw();
}

export default { render };
