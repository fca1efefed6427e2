"""`python -m wasmlab.kernel -f CONNECTION_FILE` starts the kernel;
`python -m wasmlab.kernel install [--user|--sys-prefix|--prefix DIR]` installs its spec."""

from __future__ import annotations

import sys


def main() -> None:
    if len(sys.argv) > 1 and sys.argv[1] == "install":
        from .install import main as install_main

        sys.exit(install_main(sys.argv[2:]))
    from ipykernel.kernelapp import IPKernelApp

    from .kernel import WasmKernel

    IPKernelApp.launch_instance(kernel_class=WasmKernel)


if __name__ == "__main__":
    main()
