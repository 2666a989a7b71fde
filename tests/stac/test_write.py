"""Atomic catalog writes: a killed writer never leaves a half-written catalog."""

from __future__ import annotations

import json
import os
import signal
import subprocess
import sys
import time
from collections.abc import Callable, Iterator
from pathlib import Path

import pytest

from tpqc.stac.write import CatalogWriteError, write_catalog_atomic
from tpqc_testkit import run_cli, tree_digest


def test_failed_check_leaves_previous_catalog(tmp_path: Path) -> None:
    target = tmp_path / "cat"
    write_catalog_atomic(target, {"catalog.json": {"id": "old"}})
    before = tree_digest(target)

    def refuse(staging: Path) -> None:
        assert (staging / "catalog.json").is_file()
        raise CatalogWriteError("no")

    with pytest.raises(CatalogWriteError):
        write_catalog_atomic(target, {"catalog.json": {"id": "new"}, "x/y.json": {}}, check=refuse)
    assert tree_digest(target) == before
    assert sorted(p.name for p in tmp_path.iterdir()) == ["cat"]


def test_rewrite_replaces_the_whole_tree(tmp_path: Path) -> None:
    target = tmp_path / "cat"
    write_catalog_atomic(target, {"catalog.json": {"id": "a"}, "old/item.json": {"id": "i"}})
    write_catalog_atomic(target, {"catalog.json": {"id": "b"}})
    assert sorted(str(p.relative_to(target)) for p in target.rglob("*")) == ["catalog.json"]


def test_displaced_catalog_is_restored_after_a_cut_swap(tmp_path: Path) -> None:
    target = tmp_path / "cat"
    write_catalog_atomic(target, {"catalog.json": {"id": "a"}})
    target.rename(tmp_path / ".tpqc-stac-cat-old")  # as if killed between the two renames
    write_catalog_atomic(target, {"catalog.json": {"id": "b"}})
    assert sorted(p.name for p in tmp_path.iterdir()) == ["cat"]


def test_killing_the_writer_never_leaves_a_partial_catalog(
    example: Path, tmp_path: Path, edit_spec: Callable[[str, str], None]
) -> None:
    out = tmp_path / "stac"
    assert run_cli("stac", str(example / "spec.yaml"), "--out", str(out), "-j", "1").exit_code == 0
    old = tree_digest(out)
    edit_spec("keywords: [permafrost,", "keywords: [frozen ground, permafrost,")
    tpqc = str(Path(sys.executable).with_name("tpqc"))
    killed_mid_write = 0
    for _ in range(3):
        process = subprocess.Popen(
            [tpqc, "-q", "stac", str(example / "spec.yaml"), "--out", str(out), "-j", "1"],
            stdout=subprocess.DEVNULL,
            stderr=subprocess.DEVNULL,
        )
        deadline = time.monotonic() + 60
        while process.poll() is None and time.monotonic() < deadline:
            if any(tmp_path.glob(".tpqc-stac-stac-*")):  # the staging folder exists: kill now
                os.kill(process.pid, signal.SIGKILL)
                break
        process.wait()
        if any(tmp_path.glob(".tpqc-stac-stac-*")):
            killed_mid_write += 1
            assert tree_digest(out) == old, "the previous catalog changed after a mid-write kill"
        else:
            assert tree_digest(out) in (old,), "a kill before the swap must leave the old catalog"
    assert killed_mid_write >= 1
    assert run_cli("stac", str(example / "spec.yaml"), "--out", str(out), "-j", "1").exit_code == 0
    assert tree_digest(out) != old
    assert json.loads((out / "wudaoliang-alt" / "collection.json").read_text())["keywords"][0] == (
        "frozen ground"
    )
    assert [p.name for p in tmp_path.iterdir() if p.name.startswith(".tpqc")] == []


def test_text_written_in_pieces_is_atomic(tmp_path: Path) -> None:
    """A report written piece by piece lands whole, or (a piece fails) not at all: the old
    file stays as it was and no temporary file is left."""
    from tpqc.validators.engine.atomic import write_chunks_atomic

    target = tmp_path / "report.json"
    write_chunks_atomic(target, iter(["{", '"a": 1', "}\n"]))
    assert target.read_text(encoding="utf-8") == '{"a": 1}\n'

    def failing() -> Iterator[str]:
        yield "{"
        raise RuntimeError("a renderer failed half-way")

    with pytest.raises(RuntimeError):
        write_chunks_atomic(target, failing())
    assert target.read_text(encoding="utf-8") == '{"a": 1}\n'
    assert sorted(p.name for p in tmp_path.iterdir()) == ["report.json"]


def test_reports_and_inventories_in_pieces_are_the_whole_texts(example: Path) -> None:
    from tpqc.pipeline import ValidateOptions, validate
    from tpqc.schemas.spec import load_spec
    from tpqc.validators.dataset.rows import rows_csv, rows_csv_chunks
    from tpqc.validators.render import render, render_chunks

    report = validate(load_spec(example / "spec.yaml", None), ValidateOptions(jobs=1)).report
    for fmt in ("json", "text", "sarif"):
        assert "".join(render_chunks(report, fmt)) == render(report, fmt)
    assert len(list(render_chunks(report, "json"))) > 4
    pieces = list(rows_csv_chunks(report.inventory, per_chunk=3))
    assert len(pieces) == 2 and "".join(pieces) == rows_csv(report.inventory)
    assert rows_csv(report.inventory).count("\n") == 5  # the header and four files
