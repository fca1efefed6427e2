"""The front-end benchmark runs (a few samples; the figures themselves are reported, not tested)."""

from __future__ import annotations

from wasmlab.bench import kernel as bench


def test_widget_refresh_samples() -> None:
    samples = bench.widget_refresh(n=3, window=4096)
    assert len(samples) == 3 and all(s >= 0 for s in samples)


def test_main_without_kernel(capsys) -> None:  # noqa: ANN001
    assert bench.main(["--no-kernel", "-n", "2"]) == 0
    assert "Debugger refresh" in capsys.readouterr().out
