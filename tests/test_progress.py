"""The progress bar: drawn on a terminal's stderr, silent otherwise."""

from __future__ import annotations

import io

import pytest

from tpqc import progress
from tpqc.validators.kinds.geotiff.reader import ReadPlan, _refusal


class FakeTerminal(io.StringIO):
    def isatty(self) -> bool:
        return True


def test_no_bar_when_stderr_is_not_a_terminal() -> None:
    with progress.progress_bar(10, 1000, enabled=True) as update:
        assert update is None  # pytest captures stderr: not a terminal


def test_no_bar_when_quiet(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr("sys.stderr", FakeTerminal())
    with progress.progress_bar(10, 1000, enabled=False) as update:
        assert update is None


def test_bar_on_a_terminal_after_a_second(monkeypatch: pytest.MonkeyPatch) -> None:
    terminal = FakeTerminal()
    monkeypatch.setattr("sys.stderr", terminal)
    monkeypatch.setattr(progress, "SHOW_AFTER_SECONDS", 0.0)
    with progress.progress_bar(4, 4000, enabled=True) as update:
        assert update is not None
        for done in range(1, 5):
            update(done, done * 1000)
    assert "files 4/4" in terminal.getvalue()


@pytest.mark.parametrize(
    ("width", "height", "size", "compressed", "refused"),
    [
        (100_000, 100_000, 400, True, True),  # a few hundred bytes declaring 10 gigapixels
        (23_000, 23_000, 1_070_000_000, True, False),  # a real DEFLATE raster
        (65_535, 65_535, 401, False, True),  # huge4GB.tif: uncompressed, far too short
        (20, 20, 374, False, False),  # tiny and truncated: decoded, GDAL says why
    ],
)
def test_refusal_of_implausible_rasters(
    width: int, height: int, size: int, compressed: bool, refused: bool
) -> None:
    assert (_refusal(width, height, [1], size, compressed, ReadPlan()) is not None) is refused
