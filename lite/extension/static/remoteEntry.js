/*
 * @wasmlab/lite: the "WebAssembly (wasmlab)" kernel of wasmlab's JupyterLite site.
 *
 * A federated JupyterLab extension written by hand, with no bundler: the page loads this
 * script, calls init(shareScope) with the modules the page shares, then get("./extension")
 * for the plugin. The plugin registers a kernel named "wasmlab" whose factory makes the
 * site's Pyodide kernel (the "python" factory, from @jupyterlite/pyodide-kernel-extension)
 * and adapts it: once the worker is up it runs `await wasmlab.kernel.lite.start()` there, and
 * each cell of WAST and % commands is sent as one Python line that hands the cell's text to
 * wasmlab.kernel.lite.execute (the same Workspace the desktop kernel runs). The notebooks keep
 * their kernelspec ("wasmlab") and their cells unchanged.
 *
 * The build (lite/build.py) puts @viz-js/viz's ES module beside this file (static/viz.js);
 * wasmlab/viz/browser.py loads it in the worker for %graph and the Debugger's pictures.
 */
var _JUPYTERLAB;
(function () {
  "use strict";
  const NAME = "@wasmlab/lite";
  const here = document.currentScript ? document.currentScript.src : "";
  const staticUrl = here.slice(0, here.lastIndexOf("/") + 1);

  // what the desktop kernel says in kernel_info (wasmlab/kernel/info.py: LANGUAGE_INFO);
  // the worker's start() returns the same, checked by tests/lite
  const LANGUAGE_INFO = {
    name: "wast",
    version: "3.0",
    mimetype: "text/webassembly",
    file_extension: ".wat",
    codemirror_mode: "webassembly",
    pygments_lexer: "wat",
  };

  // run once in the worker before the first cell; the count reset keeps the first cell [1]
  const START = [
    "import wasmlab.kernel.lite as _wasmlab_lite",
    "await _wasmlab_lite.start()",
    "get_ipython().execution_count = 0",
  ].join("\n");

  let shareScope = null;

  async function shared(pkg) {
    const versions = shareScope && shareScope[pkg];
    if (!versions) {
      throw new Error(`${NAME}: the page does not share ${pkg}`);
    }
    const version = Object.keys(versions)[0];
    const factory = await versions[version].get();
    return factory();
  }

  function adapt(kernel) {
    const execute = kernel.executeRequest.bind(kernel);
    const info = kernel.kernelInfoRequest.bind(kernel);
    let startReply = null;
    const started = kernel.ready
      .then(() => execute({ code: START, silent: true, store_history: false, user_expressions: {}, allow_stdin: false }))
      .then((reply) => (startReply = reply));
    const run = (content) => {
      if (startReply && startReply.status === "error") {
        return execute({ ...content, code: START }); // wasmlab did not start: show why
      }
      return execute({ ...content, code: `_wasmlab_lite.execute(${JSON.stringify(content.code)})` });
    };
    // JupyterLite cancels every queued request after an execute_reply with status "error",
    // even when the request said stop_on_error: false (a cell tagged raises-exception, as the
    // notebooks' lessons on traps are). The error output is already shown then; the reply says
    // "ok" so that the cells after it run, as they do with the desktop kernel.
    const reply = (content, r) =>
      r && r.status === "error" && content.stop_on_error === false ? { ...r, status: "ok" } : r;
    kernel.executeRequest = async (content) => {
      if (startReply) {
        // no await before run(): the request's parent header is still the current one
        return reply(content, await run(content));
      }
      const parent = kernel._parentHeader; // the outputs must go to this request's cell
      await started;
      kernel._parentHeader = parent;
      return reply(content, await run(content));
    };
    kernel.kernelInfoRequest = async () => {
      const base = await info();
      return {
        ...base,
        implementation: "wasmlab",
        language_info: LANGUAGE_INFO,
        banner: "wasmlab in the browser: WebAssembly text (WAT/WAST) with a stepping debugger. %help lists every command.",
      };
    };
    // completion, inspection and is_complete: the worker answers them as the desktop kernel
    // does (wasmlab.kernel.lite.start() set that up)
    return kernel;
  }

  function makePlugin(IKernelSpecs) {
    return {
      id: `${NAME}:kernel`,
      description: "The WebAssembly (wasmlab) kernel: wasmlab's kernel logic in a Pyodide worker",
      autoStart: true,
      requires: [IKernelSpecs],
      activate: (app, specs) => {
        specs.register({
          spec: {
            name: "wasmlab",
            display_name: "WebAssembly (wasmlab)",
            language: "wast",
            argv: [],
            resources: {
              "logo-32x32": `${staticUrl}logo-32x32.png`,
              "logo-64x64": `${staticUrl}logo-64x64.png`,
            },
          },
          create: async (options) => {
            const python = specs.factories.get("python");
            if (!python) {
              throw new Error(`${NAME}: this site has no Pyodide kernel to run wasmlab in`);
            }
            return adapt(await python(options));
          },
        });
      },
    };
  }

  _JUPYTERLAB = typeof _JUPYTERLAB === "object" && _JUPYTERLAB ? _JUPYTERLAB : {};
  window._JUPYTERLAB = _JUPYTERLAB;
  _JUPYTERLAB[NAME] = {
    init: (scope) => {
      shareScope = scope;
    },
    get: async (module) => {
      if (module !== "./extension") {
        throw new Error(`${NAME}: no module ${module}`);
      }
      const { IKernelSpecs } = await shared("@jupyterlite/services");
      const plugin = makePlugin(IKernelSpecs);
      return () => ({ __esModule: true, default: [plugin] });
    },
  };
})();
