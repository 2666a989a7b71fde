"""SARIF 2.1.0 output: valid against the official schema (shipped with the tests), one rule
per check code, one result per finding, located in the data or in the spec."""

from __future__ import annotations

import json
import shutil
from pathlib import Path

import jsonschema

from tpqc_testkit import REPO, run_cli

SCHEMA = json.loads((REPO / "tests" / "data" / "sarif-schema-2.1.0.json").read_text())


def test_sarif_is_valid_and_has_one_result_per_finding(example: Path) -> None:
    (example / "Wudaoliang_ALT_2019.tif").write_bytes(b"broken")
    shutil.copy(example / "Wudaoliang_ALT_2018.tif", example / "Wudaoliang_ALT_2018.TIF")
    text = example / "spec.yaml"
    text.write_text(
        text.read_text(encoding="utf-8").replace("license: CC-BY-4.0", "license: CC BY 4.0"),
        encoding="utf-8",
    )
    spec = str(example / "spec.yaml")
    report = json.loads(run_cli("validate", spec, "-f", "json", "--no-cache").stdout)
    result = run_cli("validate", spec, "-f", "sarif", "--no-cache")
    assert result.exit_code == 1
    sarif = json.loads(result.stdout)
    jsonschema.Draft4Validator.check_schema(SCHEMA)
    jsonschema.Draft4Validator(SCHEMA).validate(sarif)
    (run,) = sarif["runs"]
    results = run["results"]
    assert len(results) == len(report["findings"]) >= 3
    rules = run["tool"]["driver"]["rules"]
    assert sorted(r["id"] for r in rules) == sorted({f["code"] for f in report["findings"]})
    for item in results:
        assert rules[item["ruleIndex"]]["id"] == item["ruleId"]
    for rule in rules:  # help inline: no link to a web page tpqc does not have
        assert "helpUri" not in rule
        assert rule["help"]["text"].startswith(rule["fullDescription"]["text"])
        assert f"--ignore {rule['id']}" in rule["help"]["text"]
        assert f"`--ignore {rule['id']}`" in rule["help"]["markdown"]
    assert "informationUri" not in run["tool"]["driver"]
    by_rule = {r["ruleId"]: r for r in results}
    data = by_rule["R001"]["locations"][0]["physicalLocation"]["artifactLocation"]
    assert data == {"uri": "Wudaoliang_ALT_2019.tif", "uriBaseId": "DATAROOT"}
    licence = by_rule["M007"]["locations"][0]["physicalLocation"]
    assert licence["artifactLocation"]["uri"].endswith("spec.yaml")
    line = 1 + next(
        i for i, t in enumerate(text.read_text().splitlines()) if t.strip().startswith("license:")
    )
    assert licence["region"] == {"startLine": line}
    assert by_rule["R001"]["level"] == "error"


def test_clean_dataset_gives_an_empty_valid_run(example: Path) -> None:
    sarif = json.loads(run_cli("validate", str(example / "spec.yaml"), "-f", "sarif").stdout)
    jsonschema.Draft4Validator(SCHEMA).validate(sarif)
    assert sarif["runs"][0]["results"] == []
