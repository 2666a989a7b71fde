"""The catalog is made and checked as a stream: items in path order, each written when it is
made, the report written in pieces, each document read once by the self-check."""

from __future__ import annotations

import json
from pathlib import Path

import pystac
import pytest

from tpqc.pipeline import ValidateOptions, validate
from tpqc.schemas.spec import load_spec
from tpqc.stac.build import ASSET_KEY, CatalogStream, StacOptions
from tpqc.stac.validate import check_stac
from tpqc.validators.engine.json_values import dumps
from tpqc.validators.findings import Report
from tpqc.validators.render.json_report import json_report_chunks, report_document
from tpqc_testkit import run_cli


def _item(href: str) -> pystac.Item:
    item = pystac.Item(
        "x",
        {"type": "Point", "coordinates": [92.0, 35.0]},
        [92.0, 35.0, 92.0, 35.0],
        None,
        {},
        start_datetime=pystac.utils.str_to_datetime("2017-01-01T00:00:00Z"),
        end_datetime=pystac.utils.str_to_datetime("2017-12-31T23:59:59Z"),
    )
    item.add_asset(ASSET_KEY, pystac.Asset(href, media_type=pystac.MediaType.GEOTIFF))
    return item


def test_items_out_of_path_order_are_refused(example: Path, tmp_path: Path) -> None:
    """Ids are made unique in path order; an item coming later than its place would get
    another id than the catalog of the same files made in one piece."""
    stream = CatalogStream(load_spec(example / "spec.yaml", None), StacOptions(tmp_path / "c"))
    first = stream.place(_item("b/x.tif"), "alt", None)
    assert first.document["id"] == "x"
    second = stream.place(_item("c/x.tif"), "alt", None)
    assert second.document["id"] == "x_tif"  # the same stem: the file name makes it unique
    with pytest.raises(ValueError, match="path order"):
        stream.place(_item("a/x.tif"), "alt", None)
    assert stream.tally.every.ids == ["x", "x_tif"]


def test_the_report_written_in_pieces_is_the_report(example: Path) -> None:
    (example / "Wudaoliang_ALT_2018.tif").write_bytes(b"II*\x00 truncated")  # a finding
    report = validate(load_spec(example / "spec.yaml", None), ValidateOptions(jobs=1)).report
    assert report.failed and len(report.files) == 4
    pieces = list(json_report_chunks(report))
    assert len(pieces) > 4  # one piece per file entry, not one string
    assert "".join(pieces) == dumps(report_document(report))
    assert json.loads("".join(pieces))["files"][1]["path"] == "Wudaoliang_ALT_2018.tif"
    assert len(report.inventory) == 4
    empty = Report.build("spec.yaml", "data", [], [])
    assert "".join(json_report_chunks(empty)) == dumps(report_document(empty))


def test_links_resolve_as_the_file_system_does(tmp_path: Path) -> None:
    """The walk resolves a link step by step from the real path of the document holding it
    (every document it reads has one); what it finds is what resolving the whole path
    finds, through symlinked folders and files alike."""
    from tpqc.stac.tree import TreeWalk, resolve_local

    root = tmp_path / "cat"
    (root / "col" / "item").mkdir(parents=True)
    (tmp_path / "real").mkdir()
    (root / "col" / "linked").symlink_to(tmp_path / "real", target_is_directory=True)
    (tmp_path / "real" / "x.json").write_text("{}")
    (root / "col" / "alias.json").symlink_to(root / "col" / "item" / "item.json")
    for path in [root / "catalog.json", root / "col" / "collection.json"]:
        path.write_text("{}")
    (root / "col" / "item" / "item.json").write_text("{}")
    walk = TreeWalk(root / "catalog.json")
    cases = [
        (root / "col" / "item" / "item.json", "../collection.json"),
        (root / "col" / "item" / "item.json", "../../catalog.json"),
        (root / "col" / "collection.json", "./item/item.json"),
        (root / "col" / "collection.json", "./linked/x.json"),
        (root / "col" / "collection.json", "linked/../item/item.json"),
        (root / "col" / "collection.json", "./alias.json"),
        (root / "col" / "collection.json", "./missing/nothing.json"),
        (tmp_path / "real" / "x.json", "../cat/col/collection.json"),
        (root / "col" / "collection.json", "."),
        (root / "col" / "collection.json", f"file://{root / 'catalog.json'}"),
        (root / "col" / "collection.json", str(root / "catalog.json")),
    ]
    for base, href in cases:
        assert walk._resolve(href, base) == resolve_local(href, base), href


def test_the_self_check_reads_each_document_once(
    example: Path, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    out = tmp_path / "catalog"
    assert run_cli("stac", str(example / "spec.yaml"), "--out", str(out), "-q").exit_code == 0
    import tpqc.stac.tree as tree_module

    reads: list[str] = []
    original = tree_module.read_json_document

    def counting(path: Path, limit: int = tree_module.MAX_DOCUMENT_BYTES) -> object:
        reads.append(str(path))
        return original(path, limit)

    monkeypatch.setattr(tree_module, "read_json_document", counting)
    report = check_stac(out, assets_on_disk=False)
    assert len(report.files) == 6 and not report.failed  # catalog, collection, four items
    assert len(reads) == 6 and len(set(reads)) == 6


def test_relative_asset_hrefs_are_what_pystac_writes() -> None:
    """The catalog makes a million relative hrefs without pystac's two getcwd per href;
    on plain absolute paths it writes exactly what pystac writes (others go to pystac)."""
    import random

    from pystac.utils import make_relative_href

    from tpqc.stac.layout import _plain_absolute, relative_path

    names = ["a", "b", ".", "..", "dd", "e e", "ü", ".x", "x."]
    rng = random.Random(7)
    compared = 0
    for _ in range(5000):
        source = "/" + "/".join(rng.choice(names) for _ in range(rng.randint(1, 5))) + "/f.tif"
        folder = "/" + "/".join(rng.choice(names) for _ in range(rng.randint(1, 5)))
        if not (_plain_absolute(source) and _plain_absolute(folder)):
            continue
        compared += 1
        assert relative_path(source, folder) == make_relative_href(source, folder + "/i.json")
    assert compared > 1000
    assert not _plain_absolute("/data/../x.tif") and not _plain_absolute("relative/x.tif")


def test_the_self_check_reads_the_big_documents_it_wrote(
    example: Path, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    """A collection of a million items links them all (over 100 MB of JSON, past the cap on
    what a document may make check-stac read): the self-check of the catalog tpqc just wrote
    reads what it wrote, and the catalog is published (it was refused as S001 before)."""
    import tpqc.stac.publication as publication

    monkeypatch.setattr(publication, "MAX_DOCUMENT_BYTES", 1000)  # below the collection's size
    out = tmp_path / "catalog"
    result = run_cli("stac", str(example / "spec.yaml"), "--out", str(out), "-q")
    assert result.exit_code == 0, result.output
    collection = next(out.glob("*/collection.json"))
    assert collection.stat().st_size > 1000
    refused = check_stac(out, assets_on_disk=False, max_document_bytes=1000)
    assert "S001" in {f.code for f in refused.findings}  # others' documents stay capped


def test_inventory_rows_are_made_when_read_and_keep_every_file(example: Path) -> None:
    """The report holds no inventory row: each is made again from the file's facts when a
    renderer reads it, the same row the series checks saw; near-miss names (members that
    match no product) and files of no series keep their rows, and only matched members
    have a published interval."""
    from tpqc.validators.findings import FileEntries

    (example / "Wudaoliang_ALT_2021.tif").write_bytes(
        (example / "Wudaoliang_ALT_2020.tif").read_bytes()
    )
    (example / "wudaoliang_ALT_2022.tif").write_bytes(b"II*\x00")  # near miss: unmatched member
    result = validate(load_spec(example / "spec.yaml", None), ValidateOptions(jobs=1))
    rows = result.report.inventory
    assert isinstance(rows, FileEntries)
    assert [r["path"] for r in rows] == sorted(r["path"] for r in rows)
    by_path = {r["path"]: dict(r) for r in rows}
    first = by_path["Wudaoliang_ALT_2017.tif"]
    assert (first["matched"], first["member"], first["member_start"]) == (
        True,
        "2017",
        "2017-01-01T00:00:00Z",
    )
    assert first["crs"] == "EPSG:4326" and first["shape"] == "97x269"
    assert len(first["sha256"]) == 64
    assert rows[0] == rows[0] and dict(rows[0]) == by_path[rows[0]["path"]]
    near = by_path["wudaoliang_ALT_2022.tif"]
    assert (near["matched"], near["member"], near["crs"]) == (False, "2022", None)
    assert "Wudaoliang_ALT_2017.tif" in result.intervals
    assert "wudaoliang_ALT_2022.tif" not in result.intervals
    start, end = result.intervals["Wudaoliang_ALT_2021.tif"]
    assert (start.year, end.year, end.month) == (2021, 2021, 12)
    assert len(result.intervals) == 5


def test_summary_columns_are_a_compact_mapping() -> None:
    from tpqc.validators.dataset.summary import Columns

    one = Columns({"crs": "EPSG:4326", "bands": 1})
    two = Columns({"crs": None, "bands": 3})
    assert dict(one) == {"crs": "EPSG:4326", "bands": 1} and two["crs"] is None
    assert one._names is two._names  # one tuple of names for every file alike
    with pytest.raises(KeyError):
        one["sha256"]
    assert one.get("sha256") is None and len(two) == 2


def test_a_checked_collection_keeps_its_extent_not_its_links(example: Path, tmp_path: Path) -> None:
    """The self-check keeps the documents items need (a collection's extent, for S009) but
    drops their links once checked: a collection of a million items links them all."""
    from tpqc.stac.tree import TreeWalk

    target = tmp_path / "catalog"
    assert run_cli("stac", str(example / "spec.yaml"), "--out", str(target)).exit_code == 0
    (collection,) = target.rglob("collection.json")
    slim = TreeWalk(target, slim_items=True)
    kinds = [doc.kind for doc in slim.documents()]
    assert kinds.count("Item") == 4
    kept = slim.tree.collection(json.loads(collection.read_text())["id"])
    assert kept is not None and "extent" in kept.data and "links" not in kept.data
    whole = TreeWalk(target)
    list(whole.documents())
    kept_whole = whole.tree.collection(json.loads(collection.read_text())["id"])
    assert kept_whole is not None and len(kept_whole.data["links"]) >= 4
    # the items are still checked against the extent the collection kept
    item = next(p for p in target.rglob("*.json") if "2018" in p.name)
    document = json.loads(item.read_text())
    document["properties"]["start_datetime"] = "1990-01-01T00:00:00Z"
    item.write_text(json.dumps(document))
    found = [(f.code, f.location.path) for f in check_stac(target).findings]
    assert ("S009", item.relative_to(target).as_posix()) in found


@pytest.mark.parametrize("items", [0, 1, 3])
def test_a_collection_written_a_link_at_a_time_is_the_whole_documents_bytes(
    tmp_path: Path, items: int, monkeypatch: pytest.MonkeyPatch
) -> None:
    from tpqc.stac import write
    from tpqc.stac.layout import Links
    from tpqc.stac.write import Staging

    monkeypatch.setattr(write, "WRITE_BYTES", 64)  # many writes of a few links each
    ids = [f"T{i:06d}_2001" for i in range(items)]
    links = Links(
        [{"rel": "root", "href": "../catalog.json", "type": "application/json", "title": "Ü"}],
        ids,
        [{"rel": "parent", "href": "../catalog.json", "type": "application/json"}],
    )
    document = {"type": "Collection", "id": "c", "links": links, "extent": {"links": []}}
    size = Staging(tmp_path).document("c/collection.json", document)
    whole = dumps({**document, "links": list(links)}).encode("utf-8")
    assert (tmp_path / "c" / "collection.json").read_bytes() == whole and size == len(whole)
    assert [link["href"] for link in links[1:-1]] == [f"./{i}/{i}.json" for i in ids]
    assert len(links) == items + 2 and links[-1]["rel"] == "parent"
