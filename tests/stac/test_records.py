"""DataCite, schema.org, ISO 19139 and DCAT from the validated facts: each field checked
against the spec and against the catalog's own items (the union of their footprints, the
data's first and last time, formats and sizes), DataCite validated with the DataCite 4.5
schema, ISO parsed back by pygeometa with the same extent and dates; nothing invented;
published beside the catalog as describedby links; the same from shard facts."""

from __future__ import annotations

import json
import xml.etree.ElementTree as ET
from pathlib import Path
from typing import Any

import pytest

from tpqc.examples.qilian.generate import write_example as write_qilian
from tpqc.examples.wudaoliang.generate import alt_field, write_alt
from tpqc_testkit import run_cli

DATACITE = "{http://datacite.org/schema/kernel-4}"


def metadata(spec: Path, fmt: str, *extra: str) -> tuple[int, str, str]:
    result = run_cli("metadata", str(spec), "-f", fmt, "--no-cache", *extra)
    return result.exit_code, result.stdout, result.stderr


def catalog_items(spec: Path, out: Path) -> list[dict[str, Any]]:
    assert run_cli("stac", str(spec), "--out", str(out), "--no-cache", "-q").exit_code == 0
    found = []
    for path in out.rglob("*.json"):
        document = json.loads(path.read_text(encoding="utf-8"))
        if document.get("type") == "Feature":
            found.append(document)
    return found


def union(items: list[dict[str, Any]]) -> tuple[float, float, float, float]:
    boxes = [i["bbox"] for i in items]
    return (
        min(b[0] for b in boxes),
        min(b[1] for b in boxes),
        max(b[2] for b in boxes),
        max(b[3] for b in boxes),
    )


@pytest.fixture
def qilian(tmp_path: Path) -> Path:
    spec = write_qilian(tmp_path / "data")
    spec.write_text(
        spec.read_text(encoding="utf-8").replace(
            "creators: [Example Anna, Sample Bo]", "creators: ['Example, Anna', 'Sample, Bo']"
        ),
        encoding="utf-8",
    )
    return spec


def test_datacite_from_the_facts(qilian: Path, tmp_path: Path) -> None:
    from datacite import schema45

    code, text, errors = metadata(qilian, "datacite-json")
    assert code == 0, errors
    record = json.loads(text)
    assert schema45.validator.is_valid(record)  # DataCite 4.5, by the package's schema
    assert record["doi"] == "10.11888/Geogra.tpdc.270000"
    assert record["creators"][0] == {
        "name": "Example, Anna",
        "nameType": "Personal",
        "familyName": "Example",
        "givenName": "Anna",
    }
    assert record["publisher"] == {"name": "National Tibetan Plateau Data Center"}
    assert record["publicationYear"] == "2026"
    assert record["types"]["resourceTypeGeneral"] == "Dataset"
    items = catalog_items(qilian, tmp_path / "catalog")
    starts = sorted(i["properties"]["start_datetime"] for i in items)
    ends = sorted(i["properties"]["end_datetime"] for i in items)
    (collected,) = record["dates"]
    assert collected == {"date": f"{starts[0]}/{ends[-1]}", "dateType": "Collected"}
    west, south, east, north = union(items)
    assert record["geoLocations"][0]["geoLocationBox"] == {
        "westBoundLongitude": west,
        "eastBoundLongitude": east,
        "southBoundLatitude": south,
        "northBoundLatitude": north,
    }
    assert record["formats"] == [
        "image/tiff; application=geotiff",
        "application/netcdf",
        "text/csv",
    ]
    total = sum(i["assets"]["data"]["file:size"] for i in items)
    assert record["sizes"][0] == f"{total} bytes"
    (rights,) = record["rightsList"]
    assert rights["rightsIdentifier"] == "CC-BY-4.0" and rights["rightsIdentifierScheme"] == "SPDX"
    # the XML form says the same
    code, xml, _ = metadata(qilian, "datacite")
    root = ET.fromstring(xml)
    assert root.find(f"{DATACITE}identifier").text == record["doi"]  # type: ignore[union-attr]
    assert root.find(f"{DATACITE}dates/{DATACITE}date").text == collected["date"]  # type: ignore[union-attr]


def test_nothing_is_invented(qilian: Path) -> None:
    code, _, errors = metadata(qilian, "datacite")
    assert code == 0 and "funding references" in errors and "affiliations" in errors
    qilian.write_text(
        qilian.read_text(encoding="utf-8").replace("roles: [host]", "roles: [producer]"),
        encoding="utf-8",
    )
    code, _, errors = metadata(qilian, "datacite")
    assert code == 2 and "publisher" in errors  # DataCite requires one: none is made up
    code, text, errors = metadata(qilian, "schema-org")
    assert code == 0 and "publisher" not in json.loads(text)
    assert "publisher (no provider with the role host or licensor)" in errors


def test_schema_org_field_by_field(qilian: Path, tmp_path: Path) -> None:
    code, text, _ = metadata(qilian, "schema-org")
    assert code == 0
    document = json.loads(text)
    assert document["@type"] == "Dataset" and document["@context"] == "https://schema.org/"
    assert document["identifier"] == "https://doi.org/10.11888/Geogra.tpdc.270000"
    assert document["license"] == "https://creativecommons.org/licenses/by/4.0/"
    items = catalog_items(qilian, tmp_path / "catalog")
    west, south, east, north = union(items)
    assert document["spatialCoverage"]["geo"] == {
        "@type": "GeoShape",
        "box": f"{south} {west} {north} {east}",
    }
    begin, end = document["temporalCoverage"].split("/")
    assert begin == min(i["properties"]["start_datetime"] for i in items)
    assert end == max(i["properties"]["end_datetime"] for i in items)
    formats = {d["name"]: d["encodingFormat"] for d in document["distribution"]}
    assert formats["Monthly surface soil moisture"] == "application/netcdf"
    measured = {v["name"]: v.get("unitText") for v in document["variableMeasured"]}
    assert measured["sm"] == "m3 m-3" and measured["RH_5m"] == "%"
    assert [c["familyName"] for c in document["creator"]] == ["Example", "Sample"]


def test_iso19139_and_dcat_parse_back_with_the_same_extent_and_dates(
    qilian: Path, tmp_path: Path
) -> None:
    from pygeometa.schemas.iso19139 import ISO19139OutputSchema

    code, xml, errors = metadata(qilian, "iso19139")
    assert code == 0, errors
    parsed = ISO19139OutputSchema().import_(xml)
    items = catalog_items(qilian, tmp_path / "catalog")
    (spatial,) = parsed["identification"]["extents"]["spatial"]
    assert [float(v) for v in spatial["bbox"]] == pytest.approx(list(union(items)))
    (temporal,) = parsed["identification"]["extents"]["temporal"]
    assert str(temporal["begin"]).startswith("2015-01-01")
    assert str(temporal["end"]).startswith("2020-12-31")
    assert parsed["metadata"]["identifier"] == "10.11888/Geogra.tpdc.270000"
    assert str(parsed["metadata"]["datestamp"]) == "2026"  # the citation's year, not the clock
    code, xml_dated, _ = metadata(qilian, "iso19139", "--date", "2026-11-30")
    assert "2026-11-30" in xml_dated and xml_dated != xml
    code, dcat, errors = metadata(qilian, "dcat")
    assert code == 0, errors
    document = json.loads(dcat)
    assert document["title"] == "Qilian Mountains integrated observations (synthetic example)"
    assert document["spatial"][0]["bbox"] == list(union(items))
    (period,) = document["temporal"]
    assert period["begin"] == min(i["properties"]["start_datetime"] for i in items)


def test_records_are_deterministic_and_come_from_shards(qilian: Path, tmp_path: Path) -> None:
    _, first, _ = metadata(qilian, "datacite")
    _, second, _ = metadata(qilian, "datacite")
    assert first == second
    facts = tmp_path / "facts"
    for shard in ("1/2", "2/2"):
        run_cli("validate", str(qilian), "--shard", shard, "--facts-out", str(facts), "--no-cache")
    for path in qilian.parent.rglob("*.tif"):  # shards hold the facts: nothing is read again
        path.rename(path.with_suffix(".hidden"))
    code, from_facts, errors = metadata(qilian, "datacite", "--from-facts", str(facts))
    assert code == 0, errors
    assert from_facts == first


def test_a_dataset_with_errors_gets_no_metadata(tmp_path: Path) -> None:
    from tpqc.examples.wudaoliang.generate import write_example

    spec = write_example(tmp_path / "data")
    data = alt_field(2018)
    data[40, 7:10] = 12.5
    (tmp_path / "data" / "Wudaoliang_ALT_2018.tif").unlink()
    write_alt(tmp_path / "data" / "Wudaoliang_ALT_2018.tif", data)
    out = tmp_path / "datacite.xml"
    code, _, _ = metadata(spec, "datacite", "-o", str(out))
    assert code == 1 and not out.exists()


def test_stac_publishes_the_records_beside_the_collection(qilian: Path, tmp_path: Path) -> None:
    out = tmp_path / "catalog"
    result = run_cli(
        "stac", str(qilian), "--out", str(out), "--no-cache", "--metadata", "datacite,schema-org"
    )
    assert result.exit_code == 0, result.output
    collection = json.loads((out / "qilian-integrated" / "collection.json").read_text())
    described = {
        link["href"]: link["type"] for link in collection["links"] if link["rel"] == "describedby"
    }
    assert described == {
        "./metadata/datacite.xml": "application/vnd.datacite.datacite+xml",
        "./metadata/schema-org.jsonld": "application/ld+json",
    }
    record = out / "qilian-integrated" / "metadata" / "datacite.xml"
    assert record.read_text(encoding="utf-8") == metadata(qilian, "datacite")[1]
    checked = run_cli("check-stac", str(out), "--profile", "-f", "json")
    assert json.loads(checked.stdout)["findings"] == [] and checked.exit_code == 0
    bad = run_cli("stac", str(qilian), "--out", str(tmp_path / "x"), "--metadata", "pdf")
    assert bad.exit_code == 2
