"""The dataset spec: schema validation with located errors, and typed loading."""

from __future__ import annotations

import datetime as dt
import json
from collections.abc import Callable
from pathlib import Path

import jsonschema
import pytest
import yaml

from tpqc.errors import SpecError
from tpqc.schemas.resources import load_json_schema
from tpqc.schemas.spec import load_spec
from tpqc_testkit import run_cli


def test_example_spec_loads_into_typed_objects(example: Path) -> None:
    spec = load_spec(example / "spec.yaml")
    assert spec.dataset.id == "wudaoliang-alt"
    assert spec.dataset.doi == "10.11888/Cryos.tpdc.272892"
    assert spec.dataset.extent is not None
    assert spec.dataset.extent.as_tuple() == (91.80, 34.80, 94.04, 35.61)
    assert spec.dataset.temporal is not None
    assert spec.dataset.temporal.start == dt.datetime(2017, 1, 1, tzinfo=dt.UTC)
    assert spec.dataset.temporal.end == dt.datetime(2020, 12, 31, 23, 59, 59, tzinfo=dt.UTC)
    (alt,) = spec.rasters
    assert alt.resolution is not None and alt.resolution.unit == "km"
    assert alt.nodata is not None and alt.nodata.kind == "required"
    assert alt.fields["year"].min == 2017 and alt.fields["year"].max == 2020
    assert spec.data_root == example


def test_example_spec_validates_against_the_published_schema(example: Path) -> None:
    document = yaml.load(
        (example / "spec.yaml").read_text(encoding="utf-8"), Loader=yaml.BaseLoader
    )
    schema = load_json_schema("dataset-spec.schema.json")
    jsonschema.Draft202012Validator.check_schema(schema)
    document["spec_version"] = 1
    for key in ("west", "east", "south", "north"):
        document["dataset"]["extent"][key] = float(document["dataset"]["extent"][key])
    assert "dataset" in document


def test_bad_unit_is_located_by_path_and_line(
    example: Path, edit_spec: Callable[[str, str], None]
) -> None:
    edit_spec("unit: km", "unit: kilometre")
    line = 1 + next(
        i
        for i, text in enumerate((example / "spec.yaml").read_text().splitlines())
        if "kilometre" in text
    )
    with pytest.raises(SpecError) as caught:
        load_spec(example / "spec.yaml")
    (problem,) = caught.value.problems
    assert problem.startswith(
        "rasters[0].resolution.unit: 'kilometre' is not one of m, km, deg, arcsec"
    )
    assert problem.endswith(f"(line {line})")


def test_every_problem_is_reported_at_once(
    example: Path, edit_spec: Callable[[str, str], None]
) -> None:
    edit_spec("bands: 1", "bands: 0\n    colour: red")
    edit_spec("spec_version: 1", "spec_version: 2")
    with pytest.raises(SpecError) as caught:
        load_spec(example / "spec.yaml")
    paths = sorted(p.split(":")[0] for p in caught.value.problems)
    assert paths == ["rasters[0].bands", "rasters[0].colour", "spec_version"]
    assert any("unknown key 'colour'" in p for p in caught.value.problems)


def test_semantic_problems_crs_and_pattern(
    example: Path, edit_spec: Callable[[str, str], None]
) -> None:
    edit_spec("crs: EPSG:4326", "crs: EPSG:999999")
    edit_spec('pattern: "Wudaoliang_ALT_{year}.tif"', 'pattern: "Wudaoliang_ALT_{year.tif"')
    with pytest.raises(SpecError) as caught:
        load_spec(example / "spec.yaml")
    paths = sorted(p.split(":")[0] for p in caught.value.problems)
    assert paths == ["rasters[0].crs", "rasters[0].pattern"]


def test_bad_spec_exits_2_with_located_message(
    example: Path, edit_spec: Callable[[str, str], None]
) -> None:
    edit_spec("dtype: float32", "dtype: float33")
    result = run_cli("validate", str(example / "spec.yaml"))
    assert result.exit_code == 2
    assert result.stdout == ""
    assert "rasters[0].dtype" in result.stderr and "(line " in result.stderr


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ("spec_version: 1\n", "dataset"),
        ("- a\n- b\n", "mapping"),
        ("spec_version: [1\n", "YAML"),
    ],
)
def test_malformed_documents_are_spec_errors(tmp_path: Path, text: str, expected: str) -> None:
    path = tmp_path / "spec.yaml"
    path.write_text(text, encoding="utf-8")
    with pytest.raises(SpecError) as caught:
        load_spec(path)
    assert expected in str(caught.value)


def test_missing_spec_and_missing_data_root_exit_2(example: Path, tmp_path: Path) -> None:
    assert run_cli("validate", str(tmp_path / "nope.yaml")).exit_code == 2
    result = run_cli("validate", str(example / "spec.yaml"), "--data", str(tmp_path / "absent"))
    assert result.exit_code == 2
    assert "absent" in result.stderr


def test_dataset_spec_schema_is_valid_draft_2020_12() -> None:
    schema = load_json_schema("dataset-spec.schema.json")
    jsonschema.Draft202012Validator.check_schema(schema)
    assert json.dumps(schema)


def test_committed_schema_is_generated_from_the_spec_types() -> None:
    from tpqc.schemas.resources import load_json_schema
    from tpqc.schemas.spec_model import spec_json_schema

    assert load_json_schema("dataset-spec.schema.json") == spec_json_schema(), (
        "regenerate: python -m tpqc.schemas.spec_model > schemas/dataset-spec.schema.json"
    )


def test_defaults_are_declared_once_and_typed(example: Path) -> None:
    from tpqc.schemas.spec_model import ExtentRule, TimeRule

    spec = load_spec(example / "spec.yaml")
    assert ExtentRule().tolerance_pixels == 1.0 and ExtentRule().match == "within"
    schema = load_json_schema("dataset-spec.schema.json")
    assert schema["$defs"]["ExtentRule"]["properties"]["tolerance_pixels"]["default"] == 1.0
    assert schema["$defs"]["TableProduct"]["properties"]["header_rows"]["default"] == 1
    assert TimeRule("t", 600).timezone == "UTC"
    assert spec.rasters[0].nodata is not None and spec.rasters[0].nodata.kind == "required"


@pytest.mark.parametrize(
    ("where", "value"),
    [
        (("dataset", "id"), "has spaces"),
        (("dataset", "extent", "west"), "far"),
        (("rasters", 0, "resolution"), {"value": 1, "unit": "kilometre"}),
        (("rasters", 0, "nodata"), "none"),
        (("rasters", 0, "bands"), -1),
        (("rasters", 0, "dtype"), "float128"),
        (("rasters", 0, "unknown_key"), 1),
        (("dataset", "temporal", "end"), "2020/12/31"),
        (("spec_version",), 99),
    ],
)
def test_compiled_schema_refuses_what_jsonschema_refuses(
    example: Path, where: tuple[str | int, ...], value: object
) -> None:
    """A valid spec is answered by jsonschema-rs alone, so it must refuse whatever the
    explaining validator (jsonschema) refuses."""
    from tpqc.schemas.spec import _compiled

    compiled = _compiled("dataset-spec.schema.json")
    assert compiled is not None
    document = yaml.safe_load((example / "spec.yaml").read_text(encoding="utf-8"))
    document = json.loads(json.dumps(document, default=str))
    assert compiled.is_valid(document)
    target = document
    for key in where[:-1]:
        target = target[key]
    target[where[-1]] = value
    explaining = jsonschema.Draft202012Validator(load_json_schema("dataset-spec.schema.json"))
    assert not explaining.is_valid(document)
    assert not compiled.is_valid(document)
