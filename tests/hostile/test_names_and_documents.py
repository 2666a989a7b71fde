"""File names that are not UTF-8 or hold control characters go into every format, STAC
documents that are devices, pipes, huge or malformed are findings, and hostile specs are
located refusals (issue 25, items 5-10, 12)."""

from __future__ import annotations

import json
import os
import subprocess
import sys
import xml.etree.ElementTree as ET
from pathlib import Path

import numpy as np
import pytest

from tpqc_testkit import run_cli, tree_digest

TPQC = str(Path(sys.executable).with_name("tpqc"))
FORMATS = ("text", "json", "junit", "sarif", "github", "html")


@pytest.fixture
def odd_names(example: Path) -> Path:
    """The example with a name that is not UTF-8 (one that matches, one that does not) and
    one holding a control character."""
    source = (example / "Wudaoliang_ALT_2017.tif").read_bytes()
    folder = os.fsencode(example)
    for name in (b"\xff.tif", b"ctl\x01.tif"):
        Path(os.fsdecode(folder + b"/" + name)).write_bytes(source)
    (example / "Wudaoliang_ALT_2019.tif").rename(
        os.fsdecode(folder + b"/Wudaoliang\xfe_ALT_2019.tif")
    )
    spec = example / "spec.yaml"
    text = spec.read_text(encoding="utf-8").replace('"Wudaoliang_ALT_', '"{region}_ALT_')
    spec.write_text(text, encoding="utf-8")
    return example


@pytest.mark.parametrize("fmt", FORMATS)
def test_every_format_carries_odd_names(odd_names: Path, fmt: str, tmp_path: Path) -> None:
    out = tmp_path / f"report.{fmt}"
    result = run_cli(
        "validate", str(odd_names / "spec.yaml"), "-f", fmt, "-o", str(out), "--no-cache"
    )
    assert result.exit_code == 1, result.stderr
    text = out.read_bytes().decode("utf-8")  # strict: valid UTF-8
    # JSON writes a backslash as two
    shown = text.replace("\\\\", "\\") if fmt in ("json", "sarif") else text
    assert "\\xff.tif" in shown and "Wudaoliang\\xfe_ALT_2019.tif" in shown
    if fmt in ("junit", "html"):
        assert "\x01" not in text and "ctl\\x01.tif" in text
    if fmt == "junit":
        ET.fromstring(text.split("\n", 1)[1])  # well-formed XML
    if fmt in ("json", "sarif"):
        json.loads(text)


def test_odd_names_are_found_and_still_read(odd_names: Path) -> None:
    result = run_cli("validate", str(odd_names / "spec.yaml"), "-f", "json", "--no-cache")
    report = json.loads(result.stdout)
    by_path: dict[str, set[str]] = {}
    for finding in report["findings"]:
        by_path.setdefault(finding["path"], set()).add(finding["code"])
    assert by_path["\\xff.tif"] == {"F001", "F007"}
    assert "F007" in by_path["Wudaoliang\\xfe_ALT_2019.tif"]
    assert not {"R001", "R002"} & by_path["Wudaoliang\\xfe_ALT_2019.tif"]
    read = {f["path"]: f for f in report["files"]}
    assert read["Wudaoliang\\xfe_ALT_2019.tif"]["bands"][0]["valid"] > 0  # read like any other


def test_odd_names_travel_through_shards_and_stay_out_of_catalogs(
    odd_names: Path, tmp_path: Path
) -> None:
    spec = str(odd_names / "spec.yaml")
    facts = tmp_path / "facts"
    run_cli("validate", spec, "--shard", "1/1", "--facts-out", str(facts), "--no-cache")
    merged = json.loads(run_cli("merge", str(facts), "-f", "json").stdout)
    single = json.loads(run_cli("validate", spec, "-f", "json", "--no-cache").stdout)
    assert merged["findings"] == single["findings"]
    out = tmp_path / "stac"
    result = run_cli("stac", spec, "--out", str(out), "--allow-failed", "--no-cache")
    assert result.exit_code == 0, result.stderr
    names = [p.name for p in out.rglob("*.json")]
    assert len(names) == 2 + 3 + 1  # catalog, collection, three items, the report
    assert all("xfe" not in n and "\udcfe" not in n for n in names)


def test_stac_documents_that_are_no_files(tmp_path: Path) -> None:
    fifo = tmp_path / "item.json"
    os.mkfifo(fifo)
    for target in (str(fifo), "/dev/zero"):
        done = subprocess.run(
            [TPQC, "check-stac", target, "-f", "json"], capture_output=True, timeout=30, check=False
        )
        assert done.returncode == 1, done.stderr
        assert [f["code"] for f in json.loads(done.stdout)["findings"]] == ["S001"]


def _item(geometry: object, bbox: object, properties: object) -> dict[str, object]:
    return {
        "type": "Feature",
        "stac_version": "1.1.0",
        "id": "x",
        "geometry": geometry,
        "bbox": bbox,
        "properties": properties,
        "links": [],
        "assets": {},
    }


def test_big_documents_are_capped_and_big_footprints_are_cheap(tmp_path: Path) -> None:
    angle = np.linspace(0, 2 * np.pi, 200_000)
    ring = np.column_stack([92 + np.cos(angle), 35 + 0.5 * np.sin(angle)]).tolist()
    item = tmp_path / "big.json"
    item.write_text(
        json.dumps(
            _item(
                {"type": "Polygon", "coordinates": [ring]},
                [91, 34.5, 92.9, 35.5],
                {"datetime": "2020-01-01T00:00:00Z"},
            )
        ),
        encoding="utf-8",
    )
    capped = run_cli("check-stac", str(item), "-f", "json", "--max-document-bytes", "1000000")
    assert [f["code"] for f in json.loads(capped.stdout)["findings"]] == ["S001"]
    full = json.loads(run_cli("check-stac", str(item), "-f", "json").stdout)
    # The ring reaches lon 93; the bbox stops at 92.9: found over every vertex.
    assert [(f["code"], f["expected"][2]) for f in full["findings"]] == [("S008", 93.0)]


@pytest.mark.parametrize(
    "text",
    [
        json.dumps(_item(None, [0, 0, 1, 1], "nope")),
        json.dumps(_item(None, [0, 0, 1, 1], {})).replace(
            "[0, 0, 1, 1]", "[" + "9" * 5000 + ", 0, 1, 1]"
        ),
        '{"type": "Feature", "a": ' + "[" * 10_000 + "]" * 10_000 + "}",
        json.dumps(_item({"type": "Point", "coordinates": "x"}, {"west": 1}, {"datetime": 5})),
    ],
    ids=["properties-not-an-object", "5000-digit-integer", "nested-10000-deep", "odd-types"],
)
def test_malformed_documents_are_findings(tmp_path: Path, text: str) -> None:
    item = tmp_path / "item.json"
    item.write_text(text, encoding="utf-8")
    result = run_cli("check-stac", str(item), "-f", "json")
    assert result.exit_code == 1 and "internal error" not in result.stderr
    assert json.loads(result.stdout)["summary"]["errors"] >= 1


def test_a_fifo_in_place_of_a_cache_entry_is_a_miss(example: Path, tmp_path: Path) -> None:
    cache = tmp_path / "cache"
    spec = str(example / "spec.yaml")
    first = run_cli("validate", spec, "--cache", str(cache), "-f", "json", "-j", "1")
    for entry in cache.rglob("*.json"):
        entry.unlink()
        os.mkfifo(entry)
    done = subprocess.run(
        [TPQC, "validate", spec, "--cache", str(cache), "-f", "json", "-j", "1"],
        capture_output=True,
        timeout=60,
        check=False,
    )
    assert done.returncode == 0 and json.loads(done.stdout) == json.loads(first.stdout)


def _spec(tmp_path: Path, text: str) -> tuple[int, str]:
    spec = tmp_path / "spec.yaml"
    spec.write_text(text, encoding="utf-8")
    result = run_cli("validate", str(spec))
    return result.exit_code, result.stderr


def test_a_string_alias_bomb_is_refused(tmp_path: Path) -> None:
    big = "x" * 600_000
    aliases = ", ".join(["*big"] * 1500)
    code, stderr = _spec(
        tmp_path,
        f"spec_version: 1\ndataset:\n  id: bomb\n  description: &big {big}\n"
        f"  keywords: [{aliases}]\n",
    )
    assert code == 2 and "characters" in stderr


@pytest.mark.parametrize(
    ("text", "where"),
    [
        ("spec_version: 1\ndataset: " + "[" * 100_000 + "]" * 100_000 + "\n", "too deep"),
        (
            "spec_version: 1\ndataset:\n"
            + "".join(" " * (i + 1) + f"k{i}:\n" for i in range(1300))
            + " " * 1301
            + "x: 1\n",
            "too deep",
        ),
        (
            "spec_version: 1\ndataset: {id: x, temporal: "
            "{start: 2017-01-01, resolution: P99999999999Y}}\n",
            "dataset.temporal.resolution",
        ),
        (
            "spec_version: 1\ndataset: {id: x, temporal: {start: 2017-01-01, end: 9999-12-31}}\n",
            "dataset.temporal.end",
        ),
    ],
    ids=["flow-100000-deep", "block-1300-deep", "duration-overflow", "year-9999"],
)
def test_hostile_specs_are_located_refusals(tmp_path: Path, text: str, where: str) -> None:
    code, stderr = _spec(tmp_path, text)
    assert code == 2 and where in stderr and "internal error" not in stderr


def test_a_full_disk_on_stdout_is_a_tool_error(example: Path) -> None:
    with Path("/dev/full").open("wb") as full:
        done = subprocess.run(
            [TPQC, "validate", str(example / "spec.yaml"), "-f", "json"],
            stdout=full,
            stderr=subprocess.PIPE,
            timeout=120,
            check=False,
        )
    assert done.returncode == 2 and b"No space left" in done.stderr
    assert b"Traceback" not in done.stderr


@pytest.mark.parametrize(
    ("scale", "offset"), [(0.0, 0.0), (1.0, float("nan")), (float("inf"), 0.0)]
)
def test_undecodable_packing_is_a_finding_without_warnings(
    tmp_path: Path, scale: float, offset: float
) -> None:
    import netCDF4

    with netCDF4.Dataset(tmp_path / "v_1.nc", "w") as ds:
        ds.createDimension("lat", 4)
        ds.createDimension("lon", 5)
        for name, units, start in (("lat", "degrees_north", 30.5), ("lon", "degrees_east", 90.5)):
            axis = ds.createVariable(name, "f8", (name,))
            axis.units = units
            axis[:] = np.arange(ds.dimensions[name].size) + start
        values = ds.createVariable("v", "i2", ("lat", "lon"))
        values.set_auto_maskandscale(False)
        values.setncatts({"scale_factor": scale, "add_offset": offset, "units": "K"})
        values[:] = np.arange(20).reshape(4, 5)
    before = tree_digest(tmp_path)
    spec = tmp_path / "spec.yaml"
    spec.write_text(
        "spec_version: 1\ndataset: {id: x}\n"
        "rasters:\n  - {name: v, pattern: 'v_{n}.nc', variable: v}\n",
        encoding="utf-8",
    )
    done = subprocess.run(
        [TPQC, "validate", str(spec), "-f", "json", "--no-cache", "-j", "1"],
        capture_output=True,
        timeout=120,
        check=False,
    )
    assert done.returncode == 1 and done.stderr == b""
    codes = {f["code"] for f in json.loads(done.stdout)["findings"] if f["path"] == "v_1.nc"}
    assert "C011" in codes and not {"R014", "R015", "R002"} & codes
    assert tree_digest(tmp_path) == {**before, "spec.yaml": tree_digest(tmp_path)["spec.yaml"]}
