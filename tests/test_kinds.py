"""The file-kind table: a new kind of file joins validation with one registration."""

from __future__ import annotations

from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import pytest

from tpqc.schemas.spec import Product, Spec
from tpqc.validators.dataset.summary import FileSummary
from tpqc.validators.engine.facts import FileFacts, ReadJob
from tpqc.validators.findings import Finding, Issue, Location
from tpqc.validators.inventory import InventoryEntry
from tpqc.validators.kinds import FileKind, ReadOptions, register_kind, registered_kinds
from tpqc.validators.registry import Scope, Selection, check, run_scope
from tpqc_testkit import validate_json


@dataclass(frozen=True)
class NoteFacts(FileFacts):
    """What one read of a toy ``.note`` file found."""

    lines: int = 0

    @property
    def readable(self) -> bool:
        return True


@dataclass(frozen=True)
class NoteJob(ReadJob):
    def read(self, root: str, relative: str) -> NoteFacts:
        text = (Path(root) / relative).read_text(encoding="utf-8")
        return NoteFacts(relative, len(text.encode()), None, text.count("\n"))


NOTE_FILE = Scope[NoteFacts]("note-file")


@check("X901", "note-empty", scope=NOTE_FILE)
def note_empty(facts: NoteFacts) -> Iterator[Issue]:
    """A toy note file has no lines."""
    if facts.lines == 0:
        yield Issue("the note is empty", Location(path=facts.path))


class NoteKind(FileKind):
    name = "note"
    section = "rasters"
    suffixes = (".note",)

    def job(
        self, spec: Spec, product: Product, entry: InventoryEntry, options: ReadOptions
    ) -> ReadJob:
        return NoteJob()

    def findings(
        self,
        spec: Spec,
        product: Product,
        entry: InventoryEntry,
        facts: FileFacts,
        selection: Selection,
    ) -> list[Finding]:
        assert isinstance(facts, NoteFacts)
        return run_scope(NOTE_FILE, facts, selection)

    def describe(self, facts: FileFacts, entry: InventoryEntry) -> dict[str, Any]:
        return {}

    def summary(
        self, spec: Spec, product: Product, entry: InventoryEntry, facts: FileFacts
    ) -> FileSummary:
        return FileSummary(facts.path, size_bytes=facts.size_bytes)


@pytest.fixture
def with_notes() -> Iterator[None]:
    before = dict(registered_kinds())
    register_kind(NoteKind())  # the one registration a new kind needs
    yield
    import tpqc.validators.kinds.base

    tpqc.validators.kinds.base._KINDS.clear()
    tpqc.validators.kinds.base._KINDS.update(before)


def test_a_toy_kind_is_read_checked_and_reported(example: Path, with_notes: None) -> None:
    spec = example / "spec.yaml"
    text = spec.read_text(encoding="utf-8")
    spec.write_text(
        text + '  - {name: notes, pattern: "{topic}.note"}\n',
        encoding="utf-8",
    )
    (example / "empty.note").write_text("", encoding="utf-8")
    (example / "full.note").write_text("one\ntwo\n", encoding="utf-8")
    code, report = validate_json(spec, "--no-cache")
    assert [(f["code"], f["path"]) for f in report["findings"]] == [("X901", "empty.note")]
    kinds = {f["path"]: f.get("kind") for f in report["files"]}
    assert kinds["full.note"] == "note" and kinds["Wudaoliang_ALT_2017.tif"] == "geotiff"
    assert code == 1
