"""A document too big to hold whole (the collection of a million items) is checked a page
of links at a time, with the findings a whole read gives; the walk's queue of documents to
read goes to disk past some thousands."""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

import pytest

import tpqc.stac.paged as paged_module
import tpqc.validators.engine.spill_queue as queue_module
from tpqc.stac.tree import TreeWalk
from tpqc.stac.validate import check_stac
from tpqc.validators.engine.spill_queue import SpillQueue
from tpqc.validators.findings import Report
from tpqc_testkit import run_cli


def _catalog(example: Path, tmp_path: Path) -> tuple[Path, Path]:
    out = tmp_path / "catalog"
    assert run_cli("stac", str(example / "spec.yaml"), "--out", str(out), "-q").exit_code == 0
    (collection,) = out.rglob("collection.json")
    return out, collection


def _plant_link_problems(collection: Path, more: int = 30) -> list[dict[str, Any]]:
    """``more`` (at least 30) more links (item links again, each target already linked)
    with problems at known places: two links without href (7, 20: the same message
    twice), a rel that is a number (25), a title that is not text (28), a missing item
    (29)."""
    document = json.loads(collection.read_text())
    items = [link for link in document["links"] if link["rel"] == "item"]
    extra = [dict(items[i % len(items)]) for i in range(more)]
    base = len(document["links"])
    document["links"] += extra
    del document["links"][base + 7]["href"]
    del document["links"][base + 20]["href"]
    document["links"][base + 25]["rel"] = 5
    document["links"][base + 28]["title"] = ["not", "text"]
    document["links"][base + 29]["href"] = "./nowhere/missing.json"
    collection.write_text(json.dumps(document))
    return list(document["links"])


def _found(report: Report) -> list[tuple[str, str | None, str | None, str]]:
    return sorted((f.code, f.location.path, f.location.field, f.message) for f in report.findings)


@pytest.mark.parametrize("page", [1, 4, 7, 1000])
def test_a_paged_collection_gives_the_whole_reads_findings(
    example: Path, tmp_path: Path, monkeypatch: pytest.MonkeyPatch, page: int
) -> None:
    out, collection = _catalog(example, tmp_path)
    links = _plant_link_problems(collection)
    whole = check_stac(out, assets_on_disk=False)
    base = len(links) - 30
    fields = {(f.code, f.location.field) for f in whole.findings}
    assert {
        ("S002", f"links.{base + 7}"),
        ("S002", f"links.{base + 20}"),
        ("S002", f"links.{base + 25}.rel"),
        ("S002", f"links.{base + 28}.title"),
        ("S005", "links"),
    } <= fields

    monkeypatch.setattr(paged_module, "PAGED_AFTER_BYTES", 0)
    monkeypatch.setattr(paged_module, "LINKS_PER_PAGE", page)
    paged = check_stac(out, assets_on_disk=False)
    assert _found(paged) == _found(whole)
    assert list(paged.files) == list(whole.files)


def test_the_walk_hands_a_big_documents_links_over_a_page_at_a_time(
    example: Path, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    out, collection = _catalog(example, tmp_path)
    links = _plant_link_problems(collection, 600)
    others = max(p.stat().st_size for p in out.rglob("*.json") if p != collection)
    assert collection.stat().st_size > others
    monkeypatch.setattr(paged_module, "PAGED_AFTER_BYTES", others)
    monkeypatch.setattr(paged_module, "LINKS_PER_PAGE", 4)
    walk = TreeWalk(out, slim_items=True)
    seen: dict[int, dict[str, Any]] = {}
    kinds = []
    context = [i for i, link in enumerate(links) if link.get("rel") not in ("item", "child")]
    for doc in walk.documents():
        kinds.append(doc.kind)
        if doc.kind == "Collection":
            assert doc.link_pages is not None and "links" not in doc.data
            for number, page in enumerate(doc.link_pages):
                # every page carries the links that are not item links, then its own
                assert page.indices[: len(context)] == context
                assert page.fresh_from == (0 if number == 0 else len(context))
                own = page.indices[len(context) :]
                assert 0 < len(own) <= 4 and not set(own) & set(seen)
                seen.update(zip(page.indices, page.links, strict=True))
        else:
            assert doc.link_pages is None  # smaller: read whole
    assert [seen[i] for i in range(len(links))] == links
    assert kinds.count("Item") == 4  # the items its links lead to, each read once
    assert [u.href for u in walk.tree.unresolved] == ["./nowhere/missing.json"]
    # pages nobody asked for are still read for the links they hold
    unread = TreeWalk(out, slim_items=True)
    assert [d.kind for d in unread.documents()].count("Item") == 4
    assert [u.href for u in unread.tree.unresolved] == ["./nowhere/missing.json"]


@pytest.mark.parametrize(
    "text",
    [
        '{"type": "Collection", "links": [{"rel": "item"}, ',  # cut short
        '{"type": "Collection", "links": {"rel": "item"}, "pad": "%s"}',  # not an array
        '{"type": "Collection", "links": [], "links": [], "pad": "%s"}',  # twice
        '[{"type": "Collection", "links": [], "pad": "%s"}]',  # not an object
        '{"type": "Collection", "pad": "%s"}',  # no links
        '{"type": "Collection", "links": [' + "[" * 1100 + "]" * 1100 + '], "pad": "%s"}',
        '{"type": "Collection", "links": [], "x": NaN, "pad": "%s"}',
    ],
)
def test_a_big_document_that_cannot_be_paged_is_read_whole(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch, text: str
) -> None:
    """Whatever the pages could not make of a document, the whole read decides, with its
    reason when it is unreadable."""
    target = tmp_path / "collection.json"
    target.write_text(text.replace("%s", "x" * 100))
    whole = check_stac(target)
    monkeypatch.setattr(paged_module, "PAGED_AFTER_BYTES", 0)
    assert paged_module.read_paged(target, 1 << 20) is None
    assert _found(check_stac(target)) == _found(whole)


def test_a_page_that_cannot_be_read_back_makes_the_document_unreadable(
    example: Path, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    out, collection = _catalog(example, tmp_path)
    monkeypatch.setattr(paged_module, "PAGED_AFTER_BYTES", 0)
    walk = TreeWalk(out, slim_items=True)
    for doc in walk.documents():
        if doc.kind == "Collection":
            collection.write_text('{"links": [{"rel": "item", ')  # broken since
    names = [u.name for u in walk.tree.unreadable]
    assert names == [collection.relative_to(out).as_posix()]


def test_the_self_check_lists_no_documents_when_it_reports_findings_only(
    example: Path, tmp_path: Path
) -> None:
    out, _ = _catalog(example, tmp_path)
    assert len(check_stac(out, assets_on_disk=False).files) == 6
    assert len(check_stac(out, assets_on_disk=False, list_files=False).files) == 0


def test_a_walk_whose_queue_goes_to_disk_checks_the_same(
    example: Path, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    out, collection = _catalog(example, tmp_path)
    _plant_link_problems(collection)
    whole = check_stac(out, assets_on_disk=False)
    monkeypatch.setattr(queue_module, "HELD_ENTRIES", 1)
    spilled = check_stac(out, assets_on_disk=False)
    assert _found(spilled) == _found(whole)
    assert list(spilled.files) == list(whole.files)


def test_the_spill_queue_keeps_its_order_on_disk() -> None:
    queue = SpillQueue(held=3)
    expected: list[tuple[int, str]] = []
    got: list[tuple[int, str]] = []
    names = ["a", "ü/b", "c\nd", "/odd\udcff", ""]
    for round_ in range(40):
        for i in range(round_ % 7):
            entry = (round_ * 10 + i - 5, names[(round_ + i) % len(names)])
            queue.append(*entry)
            expected.append(entry)
        for _ in range(round_ % 4):
            if queue:
                got.append(queue.popleft())
    assert queue.on_disk
    while queue:
        got.append(queue.popleft())
    assert got == expected and len(queue) == 0
    with pytest.raises(IndexError):
        queue.popleft()
    queue.append(1, "again")
    assert queue.popleft() == (1, "again")
    queue.close()
