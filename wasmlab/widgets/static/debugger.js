// wasmlab Debugger widget: the view of a debug session (anywidget ES module, no build step).
// Python owns the state (traits); buttons send {action: ...} messages and Python answers by
// updating the traits.

const ROW = 16; // bytes per memory row
const LINE_PX = 18; // height of one memory row, for the virtual scroll

function h(tag, attrs = {}, ...children) {
  const el = document.createElement(tag);
  for (const [k, v] of Object.entries(attrs)) {
    if (k === "class") el.className = v;
    else if (k.startsWith("on")) el.addEventListener(k.slice(2), v);
    else el.setAttribute(k, v);
  }
  for (const c of children) {
    if (c === null || c === undefined) continue;
    el.append(c instanceof Node ? c : document.createTextNode(String(c)));
  }
  return el;
}

function bytesOf(model) {
  const v = model.get("memory");
  if (!v) return new Uint8Array(0);
  if (v instanceof DataView) return new Uint8Array(v.buffer, v.byteOffset, v.byteLength);
  if (v instanceof ArrayBuffer) return new Uint8Array(v);
  if (ArrayBuffer.isView(v)) return new Uint8Array(v.buffer, v.byteOffset, v.byteLength);
  return new Uint8Array(0);
}

function hex(n, width) {
  return n.toString(16).padStart(width, "0");
}

function decodeSelection(bytes, start, end) {
  // values of the bytes from `start` (relative to the window), little-endian
  const out = [];
  const view = new DataView(bytes.buffer, bytes.byteOffset, bytes.byteLength);
  const avail = bytes.length - start;
  if (avail >= 4) {
    out.push(["i32", String(view.getInt32(start, true))]);
    out.push(["u32", String(view.getUint32(start, true))]);
    out.push(["f32", String(view.getFloat32(start, true))]);
  }
  if (avail >= 8) {
    out.push(["i64", view.getBigInt64(start, true).toString()]);
    out.push(["f64", String(view.getFloat64(start, true))]);
  }
  if (end > start) {
    const text = new TextDecoder("utf-8", { fatal: false }).decode(bytes.subarray(start, end + 1));
    out.push(["utf-8", JSON.stringify(text)]);
  }
  return out;
}

function render({ model, el }) {
  el.classList.add("wasmlab-dbg");
  // the selection: absolute addresses (the window's base moves under it)
  const state = { selStart: null, selEnd: null };

  // --- toolbar -----------------------------------------------------------------------
  const buttons = [
    ["reset", "|◀", "back to the start (goto 0)"],
    ["reverse_continue", "◀◀", "back to the previous breakpoint or watchpoint"],
    ["back", "◀", "one instruction back"],
    ["step", "▶", "one instruction"],
    ["over", "↷", "step over a call"],
    ["out", "↑", "run to the end of this function"],
    ["continue", "▶▶", "run to the next breakpoint, watchpoint, trap or the end"],
  ];
  const toolbar = h("div", { class: "wl-toolbar" });
  const btnEls = {};
  for (const [action, label, title] of buttons) {
    const b = h("button", { class: "wl-btn", title, "data-action": action }, label + " " + action.replace("_", " "));
    b.addEventListener("click", () => model.send({ action }));
    btnEls[action] = b;
    toolbar.append(b);
  }
  // C compiled with -g: the view switch (C / WAT) and moves by source line
  const viewSel = h("span", { class: "wl-views" });
  const viewBtns = {};
  for (const [kind, label] of [["c", "C"], ["wat", "WAT"]]) {
    const b = h("button", { class: "wl-btn wl-view", "data-view": kind, title: `show the ${label} source` }, label);
    b.addEventListener("click", () => model.send({ action: "view", kind }));
    viewBtns[kind] = b;
    viewSel.append(b);
  }
  const lineButtons = [
    ["back_line", "◀ back line", "back to the start of the previous C line (reverse-next)"],
    ["next_line", "▶ next line", "run to the next C line of this function, over calls (next)"],
    ["step_line", "↓ step line", "run to the next C line, into called functions (step)"],
    ["finish", "↑ finish", "run to the end of this function, back in its caller (finish)"],
  ];
  const lineBar = h("div", { class: "wl-toolbar wl-linebar" }, viewSel);
  for (const [action, label, title] of lineButtons) {
    const b = h("button", { class: "wl-btn", title, "data-action": action }, label);
    b.addEventListener("click", () => model.send({ action }));
    btnEls[action] = b;
    lineBar.append(b);
  }
  const status = h("div", { class: "wl-status" });
  const error = h("div", { class: "wl-error" });

  // --- panes -------------------------------------------------------------------------
  const source = h("div", { class: "wl-source" });
  const cHead = h("div", { class: "wl-chead" });
  const cFileSel = h("select", { class: "wl-cfile", title: "the C source on show" });
  cFileSel.addEventListener("change", () => model.send({ action: "c_file", file: cFileSel.value }));
  const cPos = h("span", { class: "wl-cpos" });
  cHead.append(cFileSel, cPos);
  const left = h("div", { class: "wl-left" }, cHead, source);
  const varsPane = h("div", { class: "wl-pane wl-vars" });
  const varsBox = h("div", { class: "wl-varsbox" }, h("div", { class: "wl-title" }, "Variables"), varsPane);
  // the instructions of the current C line: folded under it until opened (kept open across moves)
  state.foldOpen = false;
  const stack = h("div", { class: "wl-pane" });
  const frames = h("div", { class: "wl-pane" });
  const globals = h("div", { class: "wl-pane" });
  const watchList = h("div", { class: "wl-pane wl-watches" });
  const watchInput = h("input", { class: "wl-addr wl-watch-input", type: "text", placeholder: "watch: $i, global $g", size: "18" });
  watchInput.addEventListener("keydown", (e) => {
    if (e.key === "Enter" && watchInput.value.trim()) {
      model.send({ action: "add_watch", expr: watchInput.value.trim() });
      watchInput.value = "";
    }
  });
  const right = h("div", { class: "wl-right" },
    h("div", { class: "wl-title" }, "value stack (top first)"), stack,
    h("div", { class: "wl-title" }, "call stack"), frames,
    h("div", { class: "wl-title" }, "globals"), globals,
    h("div", { class: "wl-title" }, "watch ", watchInput), watchList);
  const main = h("div", { class: "wl-main" }, left, right);

  // --- memory ------------------------------------------------------------------------
  const addr = h("input", { class: "wl-addr", type: "text", placeholder: "address (0x400)", size: "12" });
  const go = h("button", { class: "wl-btn" }, "go");
  const memInfo = h("span", { class: "wl-meminfo" });
  const memScroll = h("div", { class: "wl-mem" });
  const memInner = h("div", { class: "wl-mem-inner" });
  memScroll.append(memInner);
  const selView = h("div", { class: "wl-sel" });
  const jump = () => {
    const text = addr.value.trim();
    const n = Number(text);
    if (!text || !Number.isInteger(n) || n < 0) return;
    const base = model.get("mem_base");
    const bytes = bytesOf(model);
    state.selStart = state.selEnd = n;
    if (n >= base && n < base + bytes.length) {
      memScroll.scrollTop = Math.floor((n - base) / ROW) * LINE_PX;
      renderMemory();
    } else {
      model.send({ action: "memory", addr: n }); // the new window arrives, then renders
    }
  };
  go.addEventListener("click", jump);
  addr.addEventListener("keydown", (e) => { if (e.key === "Enter") jump(); });
  const memory = h("div", { class: "wl-memory" },
    h("div", { class: "wl-title" }, "memory ", addr, go, memInfo), memScroll, selView);

  // --- graph -------------------------------------------------------------------------
  const graphSel = h("select", { class: "wl-graphsel" });
  for (const k of ["none", "cfg", "calls", "heap"]) graphSel.append(h("option", { value: k }, k));
  graphSel.addEventListener("change", () => model.send({ action: "graph", kind: graphSel.value }));
  const graph = h("div", { class: "wl-graph" });
  const graphBox = h("div", {}, h("div", { class: "wl-title" }, "graph ", graphSel), graph);

  el.append(toolbar, lineBar, status, error, main, varsBox, memory, graphBox);

  // --- rendering ---------------------------------------------------------------------
  function renderStatus() {
    status.textContent = model.get("position");
    status.dataset.state = model.get("run_state");
    error.textContent = model.get("error") || "";
    const busy = model.get("busy");
    const st = model.get("run_state");
    for (const [action, b] of Object.entries(btnEls)) {
      const forward = ["step", "over", "out", "continue", "next_line", "step_line", "finish"].includes(action);
      b.disabled = busy || (forward && st !== "paused");
    }
  }

  function isC() {
    return model.get("has_c") && model.get("view") === "c";
  }

  function renderView() {
    const hasC = model.get("has_c");
    lineBar.style.display = hasC ? "" : "none";
    varsBox.style.display = hasC ? "" : "none";
    for (const [kind, b] of Object.entries(viewBtns)) b.classList.toggle("wl-on", model.get("view") === kind);
    el.classList.toggle("wl-cview", isC());
    renderSource();
  }

  function renderCSource() {
    source.replaceChildren();
    const files = model.get("c_files") || [];
    const file = model.get("c_file") || "";
    cFileSel.replaceChildren(...files.map((f) => h("option", { value: f }, f)));
    cFileSel.value = file;
    cFileSel.style.display = files.length > 1 ? "" : "none";
    cPos.textContent = (files.length > 1 ? "" : file + "  ") + (model.get("c_position") ? "— " + model.get("c_position") : "");
    const text = model.get("c_source") || "";
    if (!text) {
      source.append(h("div", { class: "wl-empty" }, "(no C source is readable here: the WAT view shows the module)"));
      return;
    }
    const cur = model.get("c_line");
    const callerLine = model.get("c_frame_line");
    const bps = new Set(model.get("c_breakpoint_lines") || []);
    const code = new Set(model.get("c_code_lines") || []);
    const instrs = model.get("c_instrs") || [];
    let curEl = null;
    text.split("\n").forEach((line, i) => {
      const n = i + 1;
      const gutter = h("span", { class: "wl-gutter" + (code.has(n) ? " wl-code-line" : ""),
        title: code.has(n) ? "toggle a breakpoint on this line" : "no code on this line" },
        bps.has(n) ? "●" : " ", String(n).padStart(4, " "), n === cur ? " ▶" : n === callerLine ? " ◆" : "  ");
      gutter.addEventListener("click", () => model.send({ action: "toggle_c_break", line: n }));
      const cls = "wl-line" + (n === cur ? " wl-line-cur" : "") + (n === callerLine ? " wl-line-caller" : "") + (bps.has(n) ? " wl-line-bp" : "");
      const row = h("div", { class: cls, "data-line": String(n) }, gutter, h("span", { class: "wl-code" }, line || " "));
      source.append(row);
      if (n === cur) {
        curEl = row;
        if (instrs.length) source.append(foldedInstrs(instrs));
      }
    });
    // the current line in the middle; unfolded, near the top with its instructions under it
    // (a selected caller's line, or the innermost caller's, comes first: its variables are shown)
    const caller = callerLine ? source.querySelector(".wl-line-caller") : null;
    const target = caller || curEl;
    if (target) {
      const above = !caller && state.foldOpen ? 3 * 16 : source.clientHeight / 2;
      source.scrollTop = Math.max(target.offsetTop - above, 0);
    }
    showCurrentInstr();
  }

  function foldedInstrs(instrs) {
    const box = h("details", { class: "wl-fold" });
    box.open = state.foldOpen;
    box.addEventListener("toggle", () => {
      state.foldOpen = box.open;
      showCurrentInstr();
    });
    const k = instrs.findIndex((x) => x.current);
    box.append(h("summary", {}, `${instrs.length} wasm instruction${instrs.length === 1 ? "" : "s"} on this line` + (k >= 0 ? ` (at the ${k + 1}${["st", "nd", "rd"][k] || "th"})` : "")));
    const body = h("div", { class: "wl-fold-body" });
    for (const x of instrs) {
      body.append(h("div", { class: "wl-instr" + (x.current ? " wl-instr-cur" : "") },
        h("span", { class: "wl-ipc" }, (x.current ? "→ " : "  ") + String(x.pc).padStart(5, " ")), " ", x.text));
    }
    box.append(body);
    return box;
  }

  function showCurrentInstr() {
    // a long line's instructions scroll in their own box: the next one in its middle
    const body = source.querySelector(".wl-fold[open] .wl-fold-body");
    const cur = body && body.querySelector(".wl-instr-cur");
    if (cur) body.scrollTop = Math.max(cur.offsetTop - body.clientHeight / 2, 0);
  }

  function whereCell(where) {
    // a variable in memory: a click shows its bytes in the memory view below
    const m = /^memory (0x[0-9a-f]+)/.exec(where || "");
    if (!m) return h("td", { class: "wl-where" }, where);
    const td = h("td", { class: "wl-where wl-where-mem", title: "show these bytes in the memory view" }, where);
    td.addEventListener("click", () => { addr.value = m[1]; jump(); });
    return td;
  }

  function renderVariables() {
    varsPane.replaceChildren();
    const vs = model.get("variables") || [];
    if (!vs.length) {
      varsPane.append(h("div", { class: "wl-empty" }, "(no C variables here)"));
      return;
    }
    const table = h("table", { class: "wl-table wl-vtable" });
    table.append(h("tr", {}, h("th", {}, "name"), h("th", {}, "type"), h("th", {}, "value"), h("th", {}, "where it lives")));
    for (const v of vs) {
      if (v.error) { table.append(h("tr", {}, h("td", { class: "wl-error", colspan: "4" }, v.error))); continue; }
      table.append(h("tr", { class: v.changed ? "wl-changed" : "" },
        h("td", { class: "wl-vname" }, v.name, v.is_param ? h("span", { class: "wl-param" }, " (param)") : null),
        h("td", { class: "wl-type" }, v.type), h("td", { class: "wl-value" }, v.value),
        whereCell(v.where)));
    }
    varsPane.append(table);
  }

  function renderSource() {
    const c = isC();
    cHead.style.display = c ? "" : "none";
    if (c) { renderCSource(); return; }
    source.replaceChildren();
    const text = model.get("source") || "";
    const first = model.get("source_first_line") || 1;
    const cur = model.get("current");
    const bps = new Set(model.get("breakpoint_lines") || []);
    const lines = text.split("\n");
    let curEl = null;
    lines.forEach((line, i) => {
      const n = first + i;
      const gutter = h("span", { class: "wl-gutter", title: "toggle a breakpoint on this line" },
        bps.has(n) ? "●" : " ", String(n).padStart(4, " "));
      gutter.addEventListener("click", () => model.send({ action: "toggle_break", line: n }));
      const code = h("span", { class: "wl-code" });
      if (cur && cur.line === n) {
        const c0 = Math.max(cur.col - 1, 0);
        const c1 = cur.end_line === n ? Math.max(cur.end_col - 1, c0 + 1) : line.length;
        code.append(line.slice(0, c0), h("mark", { class: "wl-cur" }, line.slice(c0, c1) || " "), line.slice(c1));
      } else {
        code.append(line);
      }
      const row = h("div", { class: "wl-line" + (cur && cur.line === n ? " wl-line-cur" : "") + (bps.has(n) ? " wl-line-bp" : "") }, gutter, code);
      if (cur && cur.line === n) curEl = row;
      source.append(row);
    });
    if (curEl) {
      const top = curEl.offsetTop - source.clientHeight / 2;
      source.scrollTop = Math.max(top, 0);
    }
  }

  function renderStack() {
    stack.replaceChildren();
    const values = model.get("stack") || [];
    if (!values.length) { stack.append(h("div", { class: "wl-empty" }, "(empty)")); return; }
    const table = h("table", { class: "wl-table" });
    for (const v of [...values].reverse()) {
      table.append(h("tr", { class: v.changed ? "wl-changed" : "" },
        h("td", { class: "wl-type" }, v.type), h("td", {}, v.value), h("td", { class: "wl-owner" }, v.owner)));
    }
    stack.append(table);
  }

  function renderFrames() {
    frames.replaceChildren();
    const fs = model.get("frames") || [];
    if (!fs.length) { frames.append(h("div", { class: "wl-empty" }, "(no frames)")); return; }
    for (const f of [...fs].reverse()) {
      const head = h("div", { class: "wl-frame" }, `#${f.index} ${f.function}+${f.pc}: `, h("code", {}, f.instr));
      const table = h("table", { class: "wl-table" });
      for (const l of f.locals) {
        table.append(h("tr", { class: l.changed ? "wl-changed" : "" },
          h("td", {}, l.name), h("td", { class: "wl-type" }, l.type), h("td", {}, l.value)));
      }
      frames.append(head, table);
    }
  }

  function renderGlobals() {
    globals.replaceChildren();
    const gs = model.get("globals") || [];
    if (!gs.length) { globals.append(h("div", { class: "wl-empty" }, "(none)")); return; }
    const table = h("table", { class: "wl-table" });
    for (const g of gs) {
      table.append(h("tr", { class: g.changed ? "wl-changed" : "" },
        h("td", {}, g.name), h("td", { class: "wl-type" }, (g.mutable ? "mut " : "") + g.type), h("td", {}, g.value)));
    }
    globals.append(table);
  }

  function renderWatches() {
    watchList.replaceChildren();
    const ws = model.get("watches") || [];
    if (!ws.length) return;
    const table = h("table", { class: "wl-table" });
    ws.forEach((w, i) => {
      const del = h("button", { class: "wl-btn wl-watch-del", title: "remove" }, "×");
      del.addEventListener("click", () => model.send({ action: "remove_watch", index: i }));
      table.append(h("tr", { class: w.changed ? "wl-changed" : "" },
        h("td", {}, w.expr), h("td", { class: "wl-type" }, w.type),
        h("td", { class: w.error ? "wl-error" : "" }, w.error || w.value), h("td", {}, del)));
    });
    watchList.append(table);
  }

  function changedSet() {
    const base = model.get("mem_base");
    const set = new Set();
    for (const [lo, hi] of model.get("mem_changed") || []) {
      for (let a = Math.max(lo, base); a < hi && set.size < 65536; a++) set.add(a - base);
    }
    return set;
  }

  function renderMemory() {
    const bytes = bytesOf(model);
    const base = model.get("mem_base");
    const rows = Math.ceil(bytes.length / ROW);
    memInfo.textContent = bytes.length
      ? ` [0x${hex(base, 8)}, 0x${hex(base + bytes.length, 8)}) of ${model.get("mem_total")} bytes`
      : " (no memory)";
    // no memory: a one-line title, not an empty 240 px box
    memory.classList.toggle("wl-nomem", !bytes.length && !model.get("mem_total"));
    memInner.style.height = `${rows * LINE_PX}px`;
    const first = Math.max(Math.floor(memScroll.scrollTop / LINE_PX) - 2, 0);
    const last = Math.min(first + Math.ceil((memScroll.clientHeight || 240) / LINE_PX) + 4, rows);
    const changed = changedSet();
    memInner.replaceChildren();
    for (let r = first; r < last; r++) {
      const row = h("div", { class: "wl-mrow" });
      row.style.top = `${r * LINE_PX}px`;
      row.append(h("span", { class: "wl-maddr" }, hex(base + r * ROW, 8)));
      let ascii = "";
      for (let i = 0; i < ROW; i++) {
        const k = r * ROW + i;
        if (k >= bytes.length) break;
        const b = bytes[k];
        let cls = "wl-byte";
        if (changed.has(k)) cls += " wl-bchanged";
        const a = base + k;
        if (state.selStart !== null && a >= Math.min(state.selStart, state.selEnd) && a <= Math.max(state.selStart, state.selEnd)) cls += " wl-bsel";
        const cell = h("span", { class: cls, "data-k": String(k), "data-addr": String(a) }, hex(b, 2));
        cell.addEventListener("click", (e) => {
          if (e.shiftKey && state.selStart !== null) state.selEnd = a;
          else state.selStart = state.selEnd = a;
          renderMemory();
        });
        row.append(cell);
        ascii += b >= 32 && b < 127 ? String.fromCharCode(b) : ".";
      }
      row.append(h("span", { class: "wl-ascii" }, ascii));
      memInner.append(row);
    }
    selView.replaceChildren();
    const selLo = state.selStart === null ? null : Math.min(state.selStart, state.selEnd) - base;
    if (selLo !== null && selLo >= 0 && selLo < bytes.length) {
      const s = selLo;
      const e = Math.min(Math.max(state.selStart, state.selEnd) - base, bytes.length - 1);
      selView.append(h("span", { class: "wl-seladdr" }, `0x${hex(base + s, 8)}` + (e > s ? `..0x${hex(base + e, 8)}` : "") + ": "));
      for (const [k, v] of decodeSelection(bytes, s, e)) selView.append(h("span", { class: "wl-selval" }, h("b", {}, k), " " + v));
    }
  }
  memScroll.addEventListener("scroll", () => renderMemory());

  function renderGraph() {
    graphSel.value = model.get("graph_kind") || "none";
    graph.innerHTML = model.get("graph_svg") || "";
  }

  const on = (names, fn) => { for (const n of names) model.on(`change:${n}`, fn); };
  on(["position", "run_state", "error", "busy"], renderStatus);
  // each view re-renders for its own traits only (a WAT text can have thousands of lines)
  on(["source", "source_first_line", "current", "breakpoint_lines"], () => { if (!isC()) renderSource(); });
  on(["c_source", "c_line", "c_frame_line", "c_instrs", "c_breakpoint_lines", "c_code_lines", "c_files", "c_file",
      "c_position"], () => { if (isC()) renderSource(); });
  on(["view", "has_c"], renderView);
  on(["variables"], renderVariables);
  on(["stack"], renderStack);
  on(["frames"], renderFrames);
  on(["globals"], renderGlobals);
  on(["watches"], renderWatches);
  on(["memory", "mem_base", "mem_changed", "mem_total"], () => {
    if (model.get("mem_focus") !== null && model.get("mem_focus") !== undefined) {
      const k = model.get("mem_focus") - model.get("mem_base");
      if (k >= 0) memScroll.scrollTop = Math.max(Math.floor(k / ROW) * LINE_PX - 2 * LINE_PX, 0);
    }
    renderMemory();
  });
  on(["graph_svg", "graph_kind"], renderGraph);

  renderStatus();
  renderView();
  renderVariables();
  renderStack();
  renderFrames();
  renderGlobals();
  renderWatches();
  renderMemory();
  renderGraph();
  return () => {};
}

export default { render };
