"""Dataset-wide checks: each problem planted into a copy of the bundled example is reported
once, by its name; the metadata checks on their own; the inventory table."""

from __future__ import annotations

import csv
import http.server
import shutil
import threading
from collections import Counter
from collections.abc import Callable, Iterator
from pathlib import Path

import numpy as np
import pytest
import rasterio
from affine import Affine

from tpqc.examples.wudaoliang.generate import NORTH, PIXEL, WEST, alt_field, write_alt
from tpqc_testkit import run_cli, validate_json

Edit = Callable[[str, str], None]


def names(report: dict) -> Counter[str]:
    return Counter(f["name"] for f in report["findings"])


def test_missing_member_is_named(example: Path) -> None:
    (example / "Wudaoliang_ALT_2019.tif").unlink()
    code, report = validate_json(example / "spec.yaml")
    assert names(report) == Counter({"series-incomplete": 1})
    (finding,) = report["findings"]
    assert finding["expected"] == "Wudaoliang_ALT_2019.tif"
    assert finding["field"] == "rasters.alt" and finding["details"]["member"] == "2019"
    assert code == 1


def test_duplicate_in_other_letter_case(example: Path) -> None:
    shutil.copy(example / "Wudaoliang_ALT_2018.tif", example / "Wudaoliang_ALT_2018.TIF")
    _, report = validate_json(example / "spec.yaml")
    assert names(report) == Counter({"series-duplicate": 1})
    (finding,) = report["findings"]
    assert finding["path"] == "Wudaoliang_ALT_2018.TIF"
    assert finding["expected"] == "Wudaoliang_ALT_2018.tif"


def test_misnamed_member_still_counts_as_present(example: Path) -> None:
    (example / "Wudaoliang_ALT_2018.tif").rename(example / "Wudaoliang_ALT_2018 .tif")
    _, report = validate_json(example / "spec.yaml")
    assert names(report) == Counter({"filename-mismatch": 1})


def test_member_outside_coverage(example: Path) -> None:
    shutil.copy(example / "Wudaoliang_ALT_2020.tif", example / "Wudaoliang_ALT_2021.tif")
    _, report = validate_json(example / "spec.yaml")
    assert names(report) == Counter({"series-outside-coverage": 1})
    (finding,) = report["findings"]
    assert finding["path"] == "Wudaoliang_ALT_2021.tif"
    assert finding["actual"] == ["2021-01-01T00:00:00Z", "2021-12-31T23:59:59Z"]


def test_half_pixel_shift_is_an_inconsistent_grid(example: Path) -> None:
    (example / "Wudaoliang_ALT_2019.tif").unlink()
    shifted = Affine(PIXEL, 0, WEST + PIXEL / 2, 0, -PIXEL, NORTH)
    write_alt(example / "Wudaoliang_ALT_2019.tif", alt_field(2019), transform=shifted)
    _, report = validate_json(example / "spec.yaml")
    assert names(report) == Counter({"grid-inconsistent": 1})
    (finding,) = report["findings"]
    assert finding["path"] == "Wudaoliang_ALT_2019.tif" and finding["field"] == "transform"
    assert finding["expected"].split(",")[2] == repr(WEST)
    assert finding["actual"].split(",")[2] == repr(WEST + PIXEL / 2)


def test_one_year_in_centimetres_is_an_outlier(example: Path) -> None:
    data = alt_field(2019)
    data[data != -9999] *= 100.0
    (example / "Wudaoliang_ALT_2019.tif").unlink()
    write_alt(example / "Wudaoliang_ALT_2019.tif", data)
    _, report = validate_json(example / "spec.yaml")
    # The centimetre values also break the declared 0-10 m range: both findings are true.
    assert names(report) == Counter({"series-outlier": 1, "value-out-of-range": 1})
    (outlier,) = [f for f in report["findings"] if f["name"] == "series-outlier"]
    assert outlier["path"] == "Wudaoliang_ALT_2019.tif" and outlier["severity"] == "warning"
    assert outlier["details"]["metric"] == "valid_mean" and outlier["details"]["robust_z"] > 3.5


def test_outlier_in_range_values_alone(example: Path, edit_spec: Edit) -> None:
    edit_spec("values: {min: 0.0, max: 10.0, unit: m}", "values: {min: 0.0, max: 1000.0, unit: m}")
    data = alt_field(2018)
    data[data != -9999] *= 100.0
    (example / "Wudaoliang_ALT_2018.tif").unlink()
    write_alt(example / "Wudaoliang_ALT_2018.tif", data)
    code, report = validate_json(example / "spec.yaml")
    assert names(report) == Counter({"series-outlier": 1})
    assert code == 0  # a warning does not fail the default --fail-on error


@pytest.mark.parametrize(
    ("old", "new", "name", "field"),
    [
        ("end: 2020-12-31", "end: 2020-01-31", "temporal-coverage-mismatch", "dataset.temporal"),
        (
            "cstr: 18406.11.Cryos.tpdc.272892",
            "cstr: 18406.11.Cryos.tpdc.272893",
            "cstr-invalid",
            "dataset.cstr",
        ),
        ("license: CC-BY-4.0", "license: CC BY 4.0", "license-unknown", "dataset.license"),
        (
            "doi: 10.11888/Cryos.tpdc.272892",
            "doi: https://doi.org/10.11888/Cryos.tpdc.272892",
            "doi-invalid",
            "dataset.doi",
        ),
        ("east: 94.04", "east: 95.04", "extent-mismatch-dataset", "dataset.extent"),
    ],
)
def test_published_metadata_errors(
    example: Path, edit_spec: Edit, old: str, new: str, name: str, field: str
) -> None:
    edit_spec(old, new)
    code, report = validate_json(example / "spec.yaml", "--select", "M")
    assert names(report) == Counter({name: 1}), report["findings"]
    assert report["findings"][0]["field"] == field
    assert code == 1


def test_published_temporal_coverage_states_the_truth(example: Path, edit_spec: Edit) -> None:
    edit_spec("end: 2020-12-31", "end: 2020-01-31")
    _, report = validate_json(example / "spec.yaml")
    assert names(report) == Counter({"temporal-coverage-mismatch": 1})
    (finding,) = report["findings"]
    assert finding["expected"] == ["2017-01-01T00:00:00Z", "2020-12-31T23:59:59Z"]
    assert finding["actual"] == ["2017-01-01T00:00:00Z", "2020-01-31T23:59:59Z"]


def test_licence_suggestion(example: Path, edit_spec: Edit) -> None:
    edit_spec("license: CC-BY-4.0", "license: CC BY 4.0")
    _, report = validate_json(example / "spec.yaml")
    (finding,) = report["findings"]
    assert (finding["name"], finding["expected"], finding["actual"]) == (
        "license-unknown",
        "CC-BY-4.0",
        "CC BY 4.0",
    )


@pytest.mark.parametrize(
    ("declared", "expected_findings"),
    [("1 km", 0), ("30 arcsec", 0), ("1km - 10km", 1), ("5 km", 1), ("0.5 deg", 1)],
)
def test_declared_resolution(
    example: Path, edit_spec: Edit, declared: str, expected_findings: int
) -> None:
    edit_spec("  keywords:", f"  resolution: {declared}\n  keywords:")
    _, report = validate_json(example / "spec.yaml", "--select", "resolution-declared-mismatch")
    assert len(report["findings"]) == expected_findings


def test_declared_size(example: Path, edit_spec: Edit) -> None:
    total = sum(p.stat().st_size for p in example.glob("*.tif"))
    edit_spec("  keywords:", f"  size: {total / 1e6:.3f} MB\n  keywords:")
    assert validate_json(example / "spec.yaml")[1]["findings"] == []
    edit_spec(f"size: {total / 1e6:.3f} MB", "size: 100 MB")
    code, report = validate_json(example / "spec.yaml")
    assert [(f["name"], f["severity"]) for f in report["findings"]] == [
        ("size-declared-mismatch", "warning")
    ]
    assert code == 0


def test_citation_and_missing_metadata(example: Path, edit_spec: Edit) -> None:
    edit_spec("Lu, P., Hao, T., Li, R. (2022). ", "Lu, P., Hao, T. ")
    edit_spec('. https://doi.org/10.11888/Cryos.tpdc.272892"', '"')
    edit_spec(
        "  keywords: [permafrost, active layer thickness, InSAR, Qinghai-Tibet Plateau]\n", ""
    )
    code, report = validate_json(example / "spec.yaml", "--select", "M")
    found = sorted((f["name"], f["severity"], str(f["expected"])) for f in report["findings"])
    assert found == [
        ("citation-incomplete", "error", "10.11888/Cryos.tpdc.272892"),
        ("citation-incomplete", "error", "Li Rongxing"),
        ("citation-incomplete", "error", "a year such as (2022)"),
        ("metadata-missing", "warning", "a value"),
    ]
    assert code == 1


def test_required_metadata_missing_is_an_error(tmp_path: Path, example_master: Path) -> None:
    folder = tmp_path / "bare"
    shutil.copytree(example_master, folder)
    (folder / "spec.yaml").write_text(
        "spec_version: 1\ndataset: {id: bare}\nrasters:\n"
        "  - {name: alt, pattern: 'Wudaoliang_ALT_{year}.tif'}\n",
        encoding="utf-8",
    )
    _, report = validate_json(folder / "spec.yaml")
    missing = Counter(
        (f["field"], f["severity"]) for f in report["findings"] if f["name"] == "metadata-missing"
    )
    assert missing == Counter(
        {
            ("dataset.title", "error"): 1,
            ("dataset.description", "error"): 1,
            ("dataset.license", "error"): 1,
            ("dataset.citation", "error"): 1,
            ("dataset.temporal", "error"): 1,
            ("dataset.extent", "error"): 1,
            ("dataset.keywords", "warning"): 1,
            ("dataset.providers", "warning"): 1,
            ("dataset.creators", "warning"): 1,
        }
    )


def test_inventory_in_json_and_csv(example: Path, tmp_path: Path) -> None:
    target = tmp_path / "inventory.csv"
    result = run_cli(
        "validate", str(example / "spec.yaml"), "-f", "json", "--inventory", str(target)
    )
    assert result.exit_code == 0
    with target.open(encoding="utf-8") as stream:
        rows = list(csv.DictReader(stream))
    assert [r["member"] for r in rows] == ["2017", "2018", "2019", "2020"]
    assert {r["crs"] for r in rows} == {"EPSG:4326"} and {r["shape"] for r in rows} == {"97x269"}
    assert all(len(r["sha256"]) == 64 for r in rows)
    import json

    inventory = json.loads(result.stdout)["inventory"]
    assert [r["path"] for r in inventory] == [r["path"] for r in rows]
    assert inventory[0]["valid_fraction"] == pytest.approx(float(rows[0]["valid_fraction"]))


class _Resolver(http.server.BaseHTTPRequestHandler):
    def do_HEAD(self) -> None:
        self.send_response(200 if self.path.endswith("272892") else 404)
        self.end_headers()

    def log_message(self, *args: object) -> None:
        pass


@pytest.fixture
def doi_resolver(monkeypatch: pytest.MonkeyPatch) -> Iterator[str]:
    server = http.server.ThreadingHTTPServer(("127.0.0.1", 0), _Resolver)
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    base = f"http://127.0.0.1:{server.server_address[1]}/"
    monkeypatch.setenv("TPQC_DOI_RESOLVER", base)
    yield base
    server.shutdown()
    server.server_close()


def test_online_doi_resolution_is_opt_in(example: Path, edit_spec: Edit, doi_resolver: str) -> None:
    assert validate_json(example / "spec.yaml", "--online")[1]["findings"] == []
    edit_spec("doi: 10.11888/Cryos.tpdc.272892", "doi: 10.11888/Cryos.tpdc.000000")
    _, offline = validate_json(example / "spec.yaml", "--select", "doi-unresolvable")
    assert offline["findings"] == []
    _, online = validate_json(example / "spec.yaml", "--online", "--select", "doi-unresolvable")
    assert [(f["name"], f["severity"]) for f in online["findings"]] == [
        ("doi-unresolvable", "error")
    ]


def test_unreachable_resolver_is_a_warning_not_a_verdict(
    example: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setenv("TPQC_DOI_RESOLVER", "http://127.0.0.1:9/")
    code, report = validate_json(example / "spec.yaml", "--online")
    assert [(f["name"], f["severity"]) for f in report["findings"]] == [
        ("doi-unresolvable", "warning")
    ]
    assert code == 0


def test_series_with_station_groups(tmp_path: Path, example_master: Path) -> None:
    folder = tmp_path / "tiles"
    folder.mkdir()
    spec = (example_master / "spec.yaml").read_text(encoding="utf-8")
    spec = spec.replace('"Wudaoliang_ALT_{year}.tif"', '"{tile}_ALT_{year}.tif"')
    spec = spec.replace("fields: {year: {min: 2017, max: 2020}}", "fields: {tile: {in: [A, B]}}")
    (folder / "spec.yaml").write_text(spec, encoding="utf-8")
    for tile in ("A", "B"):
        for year in (2017, 2018, 2019, 2020):
            if (tile, year) != ("B", 2018):
                write_alt(folder / f"{tile}_ALT_{year}.tif", alt_field(year))
    _, report = validate_json(folder / "spec.yaml")
    assert [(f["name"], f["expected"]) for f in report["findings"]] == [
        ("series-incomplete", "B_ALT_2018.tif")
    ]
    with rasterio.open(folder / "A_ALT_2017.tif") as src:
        assert src.crs.to_epsg() == 4326 and np.isfinite(src.read(1)).all()


def test_the_series_rules_shortcut_says_clean_only_when_pandera_would() -> None:
    """Rows with every member distinct and every series on one grid skip pandera; a
    duplicate member or a grid departing from its series' first is never called clean."""
    from tpqc.validators.dataset.rows import (
        GRID_COLUMNS,
        _obviously_clean,
        _sorted_union,
        series_rule_failures,
    )

    def row(series: str, member: str, **grid: object) -> dict[str, object]:
        base: dict[str, object] = dict.fromkeys(GRID_COLUMNS, "g")
        base.update(grid)
        keys = {"path": f"{series}/{member}", "product": "p", "series": series}
        return {**keys, "member": member, **base}

    clean = [row(s, m) for s in ("a", "b") for m in ("1", "2")] + [row("b", "3", shape="x")]
    clean[-1]["crs"] = None  # a member without a grid is never compared
    assert _obviously_clean(clean)
    assert series_rule_failures(clean).grid == ()
    moved = [*clean[:4], row("a", "3", transform="other")]
    assert not _obviously_clean(moved)
    assert [d.path for d in series_rule_failures(moved).grid] == ["a/3"]
    twice = [*clean[:4], row("a", "1")]
    assert not _obviously_clean(twice)
    assert series_rule_failures(twice).duplicates == ("a/1", "a/1")
    assert _sorted_union(["c", "a", "b"], {"b": 1, "d": 2}) == ["a", "b", "c", "d"]
