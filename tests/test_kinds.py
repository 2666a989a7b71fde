"""A new kind of file joins tpqc with its own package and one registration line: the toy
``note`` kind (``tests/toy_kind``: three files, a spec section of its own) is listed by
`tpqc checks`, read, checked and reported (JSON and HTML), inferred by `tpqc init` and
published in the catalog, with nothing else of tpqc changed."""

from __future__ import annotations

import json
import os
import subprocess
import sys
import tempfile
from pathlib import Path

import pytest

from tpqc_testkit import REPO

TOY = REPO / "tests" / "toy_kind"
# The one registration line, then the command line as a user runs it.
RUN = (
    "import sys; from tpqc.validators.kinds import register_kind; "
    "from toy_kind import NoteKind; register_kind(NoteKind()); "
    "from tpqc.cli import main; sys.argv[0] = 'tpqc'; main()"
)


def tpqc_with_notes(*args: str) -> subprocess.CompletedProcess[str]:
    environment = {**os.environ, "PYTHONPATH": str(REPO / "tests")}
    return subprocess.run(
        [sys.executable, "-c", RUN, *args],
        capture_output=True,
        text=True,
        env=environment,
        cwd=tempfile.gettempdir(),  # not the checkout, whose bare folders would shadow tpqc
        timeout=300,
        check=False,
    )


def test_the_toy_kind_is_three_files() -> None:
    assert sorted(p.name for p in TOY.glob("*.py")) == ["__init__.py", "checks.py", "reader.py"]


@pytest.fixture
def notes(example: Path) -> Path:
    """The example dataset with a notes product beside its rasters."""
    spec = example / "spec.yaml"
    spec.write_text(
        spec.read_text(encoding="utf-8")
        + "notes:\n  - {name: field-notes, pattern: '{topic}.note', min_lines: 2, lon: 92.9,"
        " lat: 35.2}\n",
        encoding="utf-8",
    )
    (example / "short.note").write_text("one\n", encoding="utf-8")
    (example / "long.note").write_text("one\ntwo\nthree\n", encoding="utf-8")
    return example


def test_tpqc_checks_lists_the_kinds_checks() -> None:
    done = tpqc_with_notes("checks")
    assert done.returncode == 0, done.stderr
    assert any(line.startswith("X901  note-too-short") for line in done.stdout.splitlines())


def test_the_toy_kind_is_read_checked_and_reported(notes: Path, tmp_path: Path) -> None:
    spec = str(notes / "spec.yaml")
    done = tpqc_with_notes("validate", spec, "-f", "json", "--no-cache", "-j", "1")
    assert done.returncode == 1, done.stderr
    report = json.loads(done.stdout)
    assert [(f["code"], f["path"], f["actual"]) for f in report["findings"]] == [
        ("X901", "short.note", 1)
    ]
    kinds = {f["path"]: f["kind"] for f in report["files"]}
    assert kinds["long.note"] == "note" and kinds["Wudaoliang_ALT_2017.tif"] == "geotiff"
    assert {f["path"]: f.get("lines") for f in report["files"]}["long.note"] == 3
    html = tmp_path / "report.html"
    done = tpqc_with_notes("validate", spec, "-f", "html", "-o", str(html), "--no-cache")
    text = html.read_text(encoding="utf-8")
    assert 'data-code="X901"' in text and "long.note" in text


def test_the_toy_kind_is_published(notes: Path, tmp_path: Path) -> None:
    (notes / "short.note").write_text("one\ntwo\n", encoding="utf-8")
    out = tmp_path / "stac"
    done = tpqc_with_notes("stac", str(notes / "spec.yaml"), "--out", str(out), "--no-cache")
    assert done.returncode == 0, done.stderr
    items = {p.name: json.loads(p.read_text(encoding="utf-8")) for p in out.rglob("*.json")}
    assert items["long.json"]["geometry"] == {"type": "Point", "coordinates": [92.9, 35.2]}
    assert items["long.json"]["assets"]["data"]["file:size"] == len("one\ntwo\nthree\n")


def test_the_toy_kind_is_inferred_by_init(tmp_path: Path) -> None:
    data = tmp_path / "notes"
    data.mkdir()
    for day in (1, 2, 3):
        (data / f"notes_2020010{day}.note").write_text("a\n" * (day + 1), encoding="utf-8")
    done = tpqc_with_notes("init", str(data), "--no-cache")
    assert done.returncode == 0, done.stderr
    assert "notes:\n  - name:" in done.stdout
    assert 'pattern: "notes_{year}{month}{day}.note"' in done.stdout
    assert "min_lines: 2" in done.stdout
