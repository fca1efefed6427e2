"""The spec suite as referee for the validator, through the binary decoder.

For every wast2json file: each `assert_invalid` module must decode and then fail
validation with a message that contains the spec interpreter's text; each module the
script instantiates (`module`, and the ones of `assert_unlinkable` and
`assert_uninstantiable`, which fail only later) must validate.

Run as a script (`python tests/valid/test_spec_invalid.py`) to print the totals and the
time validation takes.
"""

from __future__ import annotations

import json
import sys
import time
from dataclasses import dataclass, field
from pathlib import Path

import pytest

if __name__ == "__main__":  # script mode: make tests/conftest.py importable
    sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

try:  # tests/ as rootdir conftest, or as a package
    from conftest import need_suite, suite_files, suite_params
except ImportError:
    from tests.conftest import need_suite, suite_files, suite_params

from functools import partial

from wasmlab.binary import decode as decode_any
from wasmlab.errors import ValidationError
from wasmlab.syntax.features import CORE_2_0
from wasmlab.valid import validate as validate_any

decode = partial(decode_any, features=CORE_2_0)  # the 2.0 suite: strict 2.0
validate = partial(validate_any, features=CORE_2_0)

VALID_KINDS = ("module", "assert_unlinkable", "assert_uninstantiable")


@dataclass
class Tally:
    invalid: int = 0
    detected: int = 0
    message_ok: int = 0
    valid: int = 0
    accepted: int = 0
    seconds: float = 0.0
    failures: list[str] = field(default_factory=list)


def run_file(path: Path, tally: Tally) -> None:
    script = json.loads(path.read_text())
    for cmd in script["commands"]:
        kind = cmd["type"]
        if kind != "assert_invalid" and kind not in VALID_KINDS:
            continue
        if cmd.get("module_type", "binary") != "binary":
            continue
        where = f"{path.name}:{cmd['line']}"
        module = decode((path.parent / cmd["filename"]).read_bytes())
        start = time.perf_counter()
        try:
            validate(module)
            error = None
        except ValidationError as e:
            error = e
        tally.seconds += time.perf_counter() - start
        if kind == "assert_invalid":
            tally.invalid += 1
            if error is None:
                tally.failures.append(f"{where}: accepted, expected {cmd['text']!r}")
                continue
            tally.detected += 1
            if cmd["text"] in str(error):
                tally.message_ok += 1
            else:
                tally.failures.append(f"{where}: message {str(error)!r} lacks {cmd['text']!r}")
        else:
            tally.valid += 1
            if error is None:
                tally.accepted += 1
            else:
                tally.failures.append(f"{where}: rejected a valid module: {error}")


@pytest.mark.parametrize("path", suite_params("json", pattern="*/*.json"))
def test_spec_validation(path: Path) -> None:
    need_suite("json")
    tally = Tally()
    run_file(path, tally)
    assert not tally.failures, "\n".join(tally.failures)


def main() -> None:
    tally = Tally()
    files = suite_files("json", pattern="*/*.json")
    if not files:
        sys.exit("WebAssembly test suite not found (set WASMLAB_TESTSUITE)")
    for path in files:
        run_file(path, tally)
    for line in tally.failures:
        print(line)
    print(
        f"assert_invalid detected {tally.detected}/{tally.invalid}, messages matching {tally.message_ok}; "
        f"valid modules accepted {tally.accepted}/{tally.valid}; validation took {tally.seconds:.2f} s"
    )


if __name__ == "__main__":
    main()
