"""--geoparquet: the catalog's items as one stac-geoparquet file, written atomically,
checked by reading it back, the same bytes every time, never inside the data."""

from __future__ import annotations

import json
from pathlib import Path

import pyarrow.parquet as pq
import pytest
import stac_geoparquet.arrow as sga

from tpqc.stac.geoparquet import GeoParquetError, write_geoparquet
from tpqc.stac.schema_store import SchemaStore
from tpqc_testkit import run_cli, tree_digest


def stac(example: Path, *args: str) -> int:
    return run_cli("stac", str(example / "spec.yaml"), "--no-cache", "-q", *args).exit_code


def test_items_beside_the_json_catalog(example: Path, tmp_path: Path) -> None:
    plain = tmp_path / "plain"
    assert stac(example, "--out", str(plain)) == 0
    catalog, parquet = tmp_path / "catalog", tmp_path / "items.parquet"
    assert stac(example, "--out", str(catalog), "--geoparquet", str(parquet)) == 0
    assert tree_digest(catalog) == tree_digest(plain)  # the JSON catalog is unchanged
    first = parquet.read_bytes()
    assert stac(example, "--out", str(catalog), "--geoparquet", str(parquet)) == 0
    assert parquet.read_bytes() == first  # deterministic
    rows = list(sga.stac_table_to_items(pq.read_table(parquet)))
    json_items = sorted(catalog.glob("*/*/*.json"))
    assert [r["id"] for r in rows] == [p.stem for p in json_items]
    store = SchemaStore.load()
    for row, path in zip(rows, json_items, strict=True):
        assert store.conforms_item(row)
        document = json.loads(path.read_text(encoding="utf-8"))
        assert row["collection"] == document["collection"]
        assert row["assets"]["data"]["file:checksum"] == document["assets"]["data"]["file:checksum"]
        assert (
            Path(row["assets"]["data"]["href"]).resolve()
            == (example / f"{row['id']}.tif").resolve()
        )
        assert Path(row["assets"]["thumbnail"]["href"]).is_file()
        links = {link["rel"]: link["href"] for link in row["links"]}
        assert Path(links["collection"]).is_file() and Path(links["root"]).name == "catalog.json"


def test_geoparquet_alone_writes_no_json_and_names_no_collection(
    example: Path, tmp_path: Path
) -> None:
    parquet = tmp_path / "out" / "items.parquet"
    assert stac(example, "--geoparquet", str(parquet)) == 0
    assert sorted(p.name for p in parquet.parent.iterdir()) == ["items.parquet"]
    rows = list(sga.stac_table_to_items(pq.read_table(parquet)))
    assert len(rows) == 4 and all("collection" not in r and r["links"] == [] for r in rows)
    assert all(SchemaStore.load().conforms_item(r) for r in rows)


def test_geoparquet_inside_the_data_is_refused(example: Path) -> None:
    before = sorted(p.name for p in example.iterdir())
    assert stac(example, "--geoparquet", str(example / "items.parquet")) == 2
    assert sorted(p.name for p in example.iterdir()) == before


def test_a_file_that_reads_back_otherwise_is_never_put_in_place(tmp_path: Path) -> None:
    item = {
        "type": "Feature",
        "stac_version": "1.1.0",
        "id": "a",
        "geometry": {"type": "Point", "coordinates": [0.0, 0.0]},
        "bbox": [0.0, 0.0, 0.0, 0.0],
        "properties": {"datetime": "2020-01-01T00:00:00Z"},
        "links": [],
        "assets": {},
    }
    target = tmp_path / "items.parquet"
    with pytest.raises(GeoParquetError):
        write_geoparquet(
            target,
            [("c/a/a.json", item)],
            [{"id": "c"}],
            tmp_path,
            conforms=lambda _: False,  # whatever comes back is refused
            linked=False,
        )
    assert list(tmp_path.iterdir()) == []
    assert (
        write_geoparquet(target, [("c/a/a.json", item)], [{"id": "c"}], tmp_path, linked=False) == 1
    )


def test_a_dataset_of_rasters_and_station_tables_goes_into_one_file(tmp_path: Path) -> None:
    """One table holds every product's items: the columnar file gives a station's row the
    raster fields as nulls (proj:code, bands ...); the read-back check must not take those
    for invalid STAC (it refused every multi-product dataset before)."""
    from tpqc.examples.qilian.generate import write_example

    spec = write_example(tmp_path / "qilian")
    catalog, parquet = tmp_path / "catalog", tmp_path / "items.parquet"
    result = run_cli(
        "stac", str(spec), "--no-cache", "-q", "--out", str(catalog), "--geoparquet", str(parquet)
    )
    assert result.exit_code == 0, result.output
    rows = list(sga.stac_table_to_items(pq.read_table(parquet)))
    json_items = {
        p.stem: json.loads(p.read_text(encoding="utf-8"))
        for p in catalog.rglob("*.json")
        if json.loads(p.read_text(encoding="utf-8")).get("type") == "Feature"
    }
    assert sorted(r["id"] for r in rows) == sorted(json_items)
    kinds = {r["id"]: r["properties"].get("table:columns") is not None for r in rows}
    assert any(kinds.values()) and not all(kinds.values())  # stations and rasters alike
    station = next(r for r in rows if kinds[r["id"]])
    assert station["properties"].get("proj:code") is None  # the fill null the check ignores
    hrefs = [str(r["assets"]["data"]["href"]) for r in rows]
    assert hrefs == sorted(hrefs)  # the catalog's order: the files' paths
