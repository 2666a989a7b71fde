"""Shared fixtures: the real third-party files, the bundled example, and raster factories."""

from __future__ import annotations

import os
import shutil
import tempfile
from collections.abc import Callable
from pathlib import Path

import pytest

from tpqc.examples.wudaoliang.generate import write_example
from tpqc_testkit import REALDATA

_CACHE_HOME: list[str] = []


def pytest_configure(config: pytest.Config) -> None:
    """Keep the facts cache of every CLI run inside a temporary folder, not the user's home."""
    _CACHE_HOME.append(tempfile.mkdtemp(prefix="tpqc-test-cache-"))
    os.environ["XDG_CACHE_HOME"] = _CACHE_HOME[-1]


def pytest_unconfigure(config: pytest.Config) -> None:
    """Remove that folder when the session ends (20 MB were left behind per session)."""
    while _CACHE_HOME:
        shutil.rmtree(_CACHE_HOME.pop(), ignore_errors=True)


@pytest.fixture(scope="session")
def realdata() -> Path:
    """The folder of real third-party test files (../shared/realdata or $TPQC_REALDATA)."""
    if not (REALDATA / "PROVENANCE.md").is_file():
        if os.environ.get("TPQC_REQUIRE_REALDATA"):
            pytest.fail(f"real test data missing at {REALDATA}")
        pytest.skip(f"real test data not found at {REALDATA}")
    return REALDATA


@pytest.fixture(scope="session")
def example_master(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """The bundled example written once per session; copy it before changing anything."""
    folder = tmp_path_factory.mktemp("wudaoliang-master")
    write_example(folder)
    return folder


@pytest.fixture
def example(example_master: Path, tmp_path: Path) -> Path:
    """A private copy of the bundled example dataset (spec.yaml beside four GeoTIFFs)."""
    target = tmp_path / "wudaoliang"
    shutil.copytree(example_master, target)
    return target


@pytest.fixture
def edit_spec(example: Path) -> Callable[[str, str], None]:
    """Replace text in the example copy's spec."""

    def edit(old: str, new: str) -> None:
        spec = example / "spec.yaml"
        text = spec.read_text(encoding="utf-8")
        assert old in text, old
        spec.write_text(text.replace(old, new), encoding="utf-8")

    return edit
