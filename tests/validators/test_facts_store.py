"""The facts store: a big run's facts live in a temporary file, read back equal to what was
read, and every report and catalog is byte for byte what a run holding them as objects
writes (planted defects, every kind of file)."""

from __future__ import annotations

import dataclasses
import json
from pathlib import Path

import pytest

from tpqc.examples.qilian.generate import DEFECTS, write_example
from tpqc.validators.engine import facts_store
from tpqc.validators.engine.facts_store import FactsStore
from tpqc.validators.grid.facts import BandFacts, RasterFacts
from tpqc.validators.kinds.geotiff.reader import ReadPlan, read_raster_facts
from tpqc_testkit import run_cli, tree_digest


def raster(path: str, mean: float) -> RasterFacts:
    band = BandFacts(1, "float32", -9999.0, True, mean=mean, minimum=0.5)
    return RasterFacts(path=path, size_bytes=10, sha256="ab" * 32, width=3, bands=(band,))


def test_facts_come_back_equal_from_the_file_in_path_order() -> None:
    store = FactsStore(spill_after=2)
    for index, path in enumerate(["c.tif", "a.tif"]):
        store.put(raster(path, index))
    assert not store.spilled
    store.put(raster("b.tif", 2.5))
    assert store.spilled
    assert list(store) == ["a.tif", "b.tif", "c.tif"] and len(store) == 3
    assert store["c.tif"] == raster("c.tif", 0) and store["b.tif"] == raster("b.tif", 2.5)
    assert "a.tif" in store and "d.tif" not in store
    with pytest.raises(KeyError):
        store["d.tif"]
    store.put(raster("a.tif", 7.0))  # read again: the new facts replace the old
    assert store["a.tif"].bands[0].mean == 7.0 and len(store) == 3
    store.close()
    assert len(store) == 0 and not store.spilled


def test_facts_read_from_a_real_file_survive_the_store(tmp_path: Path) -> None:
    from tpqc.examples.wudaoliang.generate import alt_field, write_alt

    write_alt(tmp_path / "one.tif", alt_field(2017))
    read = read_raster_facts(
        str(tmp_path), "one.tif", ReadPlan(value_min=0.0, value_max=10.0, quicklook=True)
    )
    assert read.quicklook is not None and read.bands[0].histogram
    store = FactsStore(spill_after=0)
    store.put(read)
    again = store["one.tif"]
    assert again == read and again is not read
    assert dataclasses.astuple(again) == dataclasses.astuple(read)


@pytest.fixture(scope="module")
def planted(tmp_path_factory: pytest.TempPathFactory) -> Path:
    return write_example(tmp_path_factory.mktemp("qilian-store") / "data", DEFECTS)


def test_a_spilled_run_writes_the_same_report_and_catalog(
    planted: Path, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    def run(name: str) -> tuple[bytes, dict[str, str]]:
        report, catalog = tmp_path / f"{name}.json", tmp_path / f"{name}-catalog"
        validated = run_cli(
            "validate", str(planted), "--no-cache", "-f", "json", "-o", str(report), "-q"
        )
        assert validated.exit_code == 1, validated.output
        published = run_cli(
            "stac", str(planted), "--out", str(catalog), "--allow-failed", "--no-cache", "-q"
        )
        assert published.exit_code == 0, published.output
        return report.read_bytes(), tree_digest(catalog)

    held = run("held")
    spilled_stores: list[FactsStore] = []
    original_put = FactsStore.put

    def put(store: FactsStore, facts: object, path: str | None = None) -> None:
        original_put(store, facts, path)  # type: ignore[arg-type]
        if store.spilled and store not in spilled_stores:
            spilled_stores.append(store)

    monkeypatch.setattr(facts_store, "SPILL_AFTER", 1)
    monkeypatch.setattr(FactsStore, "put", put)
    # the item ids, the ids given and the self-check's queue on disk too
    import tpqc.validators.engine.firsts as firsts
    import tpqc.validators.engine.path_index as path_index
    import tpqc.validators.engine.spill_list as spill_list
    import tpqc.validators.engine.spill_queue as spill_queue

    monkeypatch.setattr(path_index, "MERGE_AFTER", 1)  # the store's paths merged at once
    monkeypatch.setattr(spill_list, "HELD_TEXTS", 1)
    monkeypatch.setattr(firsts, "HELD_KEYS", 1)
    monkeypatch.setattr(spill_queue, "HELD_ENTRIES", 1)
    spilled = run("spilled")
    assert len(spilled_stores) == 2  # the validation's and the publication's
    assert spilled == held
    report = json.loads(spilled[0])
    assert {f["code"] for f in report["findings"]} >= {"D001", "R019", "T010"}


def test_an_inventory_entrys_fields_are_kept_compact() -> None:
    """A million entries' filename fields are a shared tuple of names and a tuple of
    values each, equal to the dict they were made from, through pickling too."""
    import pickle

    from tpqc.validators.compact import CompactMapping
    from tpqc.validators.inventory import InventoryEntry

    one = InventoryEntry("T1_2017.tif", "tiles", {"tile": 1, "year": 2017}, "geotiff")
    two = InventoryEntry("T2_2018.tif", "tiles", {"tile": 2, "year": 2018}, "geotiff")
    assert isinstance(one.fields, CompactMapping)
    assert one.fields == {"tile": 1, "year": 2017} and dict(two.fields) == {"tile": 2, "year": 2018}
    assert one.fields._names is two.fields._names
    back = pickle.loads(pickle.dumps(one))
    assert back == one and back.fields._names is one.fields._names
    assert one.fields.get("month") is None and list(one.fields) == ["tile", "year"]


@pytest.mark.parametrize("held", [0, 2, 1000])
def test_a_spill_list_reads_back_what_was_appended(
    held: int, monkeypatch: pytest.MonkeyPatch
) -> None:
    import tpqc.validators.engine.spill_list as spill_list
    from tpqc.validators.engine.spill_list import SpillList

    monkeypatch.setattr(spill_list, "READ_BYTES", 7)  # passes of a few texts, some longer
    texts = ["T000001_2017", "", "ü/é", "odd\udcff", "x" * 20, "a\nb", *map(str, range(30))]
    listed = SpillList(held=held)
    for text in texts:
        listed.append(text)
    assert listed.on_disk == (held < len(texts))
    assert list(listed) == texts and listed == texts and len(listed) == len(texts)
    assert [listed[i] for i in range(len(texts))] == texts
    assert listed[-1] == "29" and listed[2:4] == texts[2:4]
    listed.append("later")  # appended after a read: still in order
    assert list(listed)[-2:] == ["29", "later"]
    with pytest.raises(IndexError):
        listed[len(listed)]
    listed.close()
    assert len(listed) == 0 and not listed.on_disk


@pytest.mark.parametrize("merge_after", [1, 3, 4096])
def test_a_path_index_answers_as_a_dict_would(
    merge_after: int, monkeypatch: pytest.MonkeyPatch
) -> None:
    """Paths put in any order (some again, with a new number), found or not between puts,
    listed sorted: the same answers as a dict, whenever the recent paths are merged."""
    import random

    import tpqc.validators.engine.path_index as path_index
    from tpqc.validators.engine.path_index import PathIndex

    monkeypatch.setattr(path_index, "MERGE_AFTER", merge_after)
    rng = random.Random(merge_after)
    index, expected = PathIndex(), {}
    names = [f"d{rng.randint(0, 9)}/T{n:04d}.tif" for n in range(300)] + ["", "ü/é", "odd\udcff"]
    for step in range(900):
        path = rng.choice(names)
        index.put(path, step)
        expected[path] = step
        probe = rng.choice(names)
        assert index.get(probe) == expected.get(probe)
        assert (probe in index) == (probe in expected)
    assert len(index) == len(expected)
    assert list(index) == sorted(expected)
    assert all(index.get(p) == n for p, n in expected.items())
    assert 3 not in index and index.get("missing") is None


def test_facts_are_kept_under_the_runs_own_path() -> None:
    """The store keeps the path object it is given (the inventory's), and refuses facts put
    under another file's path."""
    store = FactsStore(spill_after=0)
    one = raster("a/one.tif", 1.0)
    own = "".join(["a/", "one.tif"])  # equal to the facts' path, another object
    store.put(one, own)
    assert next(iter(store)) is own and store["a/one.tif"] == one
    with pytest.raises(ValueError):
        store.put(raster("a/two.tif", 2.0), "a/three.tif")
    assert "a/three.tif" not in store and len(store) == 1
