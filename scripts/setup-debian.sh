#!/usr/bin/env bash
# Debian packages the tests use: clang + wasi-libc (C programs compiled to wasm32-wasi), llvm
# (llvm-dwarfdump, the oracle for DWARF line tables), gcc and gdb (the oracle for C variables: the
# test programs built natively, run under gdb -batch), rustc with libstd-rust-dev-wasm32 (Rust built
# for wasm32-wasi with -g: tests/dwarf/test_rust.py) and
# nodejs (npm: the JupyterLite site's build fetches Pyodide and @viz-js/viz from the npm registry),
# chromium with fonts-liberation (the browser test; Helvetica-metric fonts, so that labels sized by
# graphviz fit their boxes in the browser). Idempotent: installs only what is missing. Needs root or sudo.
set -euo pipefail
pkgs=(clang lld wasi-libc libclang-rt-dev-wasm32 llvm gcc gdb rustc libstd-rust-dev-wasm32 chromium fonts-liberation nodejs)
# arguments name a subset (scripts/lab.sh asks for nodejs only: npm builds the labextension)
if [ $# -gt 0 ]; then pkgs=("$@"); fi
missing=()
for p in "${pkgs[@]}"; do
  dpkg-query -W -f='${Status}' "$p" 2>/dev/null | grep -q "install ok installed" || missing+=("$p")
done
if [ ${#missing[@]} -eq 0 ]; then
  echo "setup-debian: all of ${pkgs[*]} are installed"
  exit 0
fi
SUDO=""
if [ "$(id -u)" != 0 ]; then
  command -v sudo >/dev/null || { echo "setup-debian: need root to install: ${missing[*]}" >&2; exit 1; }
  SUDO=sudo
fi
echo "setup-debian: installing ${missing[*]}"
$SUDO apt-get update -qq
DEBIAN_FRONTEND=noninteractive $SUDO apt-get install -y -qq --no-install-recommends "${missing[@]}" >/dev/null
echo "setup-debian: done"
