"""SARIF 2.1.0: one rule per check code, one result per finding, located in the data file
(relative to the data root) or, for dataset-wide findings, at their line of the spec."""

from __future__ import annotations

from typing import Any

from tpqc.schemas.identity import TOOL_NAME, TOOL_VERSION
from tpqc.validators.engine.json_values import clean_json, dumps
from tpqc.validators.findings import Finding, Report, Severity, WaivedFinding
from tpqc.validators.render import RenderContext

SCHEMA = (
    "https://docs.oasis-open.org/sarif/sarif/v2.1.0/errata01/os/schemas/sarif-schema-2.1.0.json"
)
_LEVEL = {Severity.ERROR: "error", Severity.WARNING: "warning", Severity.INFO: "note"}


def _rule(info: Any) -> dict[str, Any]:
    """A check as a SARIF rule. Its help is carried inline (the description, and how to
    leave the check out or waive a finding): tpqc has no web page a ``helpUri`` could
    name, and a viewer shows the inline help beside each result."""
    description = {
        "text": info.description,
        "markdown": "".join(
            f"`{text}`" if is_code else text for text, is_code in info.description_parts
        ),
    }
    how = (
        "Leave the check out with {0}, or accept its findings in some files with an entry "
        "of the spec's {1} list ({2}, a reason, optionally a path glob and an expiry date)."
    )
    plain = how.format(f"--ignore {info.code}", "waivers", f"check: {info.code}")
    marked = how.format(f"`--ignore {info.code}`", "`waivers`", f"`check: {info.code}`")
    return {
        "id": info.code,
        "name": info.name,
        "shortDescription": {"text": f"{info.code} {info.name}"},
        "fullDescription": description,
        "help": {
            "text": f"{description['text']}\n\n{plain}",
            "markdown": f"{description['markdown']}\n\n{marked}",
        },
        "defaultConfiguration": {"level": _LEVEL[info.severity]},
        "properties": {"scope": info.scope},
    }


def _location(finding: Finding, context: RenderContext) -> dict[str, Any]:
    loc = finding.location
    if loc.path is not None:
        physical: dict[str, Any] = {"artifactLocation": {"uri": loc.path, "uriBaseId": "DATAROOT"}}
        if loc.row is not None and finding.code.startswith("T"):
            physical["region"] = {"startLine": loc.row}
        location: dict[str, Any] = {"physicalLocation": physical}
    else:
        line = context.spec_lines.get(loc.field or "") if loc.field else None
        physical = {"artifactLocation": {"uri": context.spec_uri or "spec.yaml"}}
        if line:
            physical["region"] = {"startLine": line}
        location = {"physicalLocation": physical}
    where = [f"band {loc.band}"] if loc.band is not None else []
    if loc.row is not None and not finding.code.startswith("T"):
        where.append(f"pixel row {loc.row}, column {loc.column}")
    if loc.field:
        where.append(loc.field)
    if where:
        location["logicalLocations"] = [{"name": "; ".join(where), "kind": "element"}]
    return location


def _result(finding: Finding, index: dict[str, int], context: RenderContext) -> dict[str, Any]:
    result: dict[str, Any] = {
        "ruleId": finding.code,
        "level": _LEVEL[finding.severity],
        "message": {"text": finding.message},
        "locations": [_location(finding, context)],
        "properties": {
            "name": finding.name,
            "expected": finding.expected,
            "actual": finding.actual,
        },
    }
    if finding.code in index:
        result["ruleIndex"] = index[finding.code]
    if finding.hint:
        result["properties"]["hint"] = finding.hint
    if finding.details:
        result["properties"]["details"] = dict(finding.details)
    return result


def _waived(waived: WaivedFinding, index: dict[str, int], context: RenderContext) -> Any:
    """A waived finding is a result with an accepted suppression (the spec's waiver)."""
    result = _result(waived.finding, index, context)
    result["suppressions"] = [
        {
            "kind": "external",
            "status": "accepted",
            "justification": waived.reason,
            "properties": {"waiver": waived.waiver},
        }
    ]
    return result


def _results(report: Report, index: dict[str, int], context: RenderContext) -> list[Any]:
    """Every finding, then the waived ones; with a baseline each carries its
    ``baselineState`` (new, unchanged) and the baseline's fixed findings are ``absent``."""
    results = [_result(f, index, context) for f in report.findings]
    waived = [_waived(w, index, context) for w in report.waived]
    if report.baseline is None:
        return results + waived
    for position, result in enumerate(results):
        result["baselineState"] = report.baseline.state(position)
    absent = []
    for old in report.baseline.fixed:
        result = _result(Finding.from_json(old), index, context)
        result["baselineState"] = "absent"
        absent.append(result)
    return results + waived + absent


def render_sarif(report: Report, context: RenderContext) -> str:
    """The report as a SARIF 2.1.0 log with one run of tpqc."""
    codes = {f.code for f in report.findings} | {w.finding.code for w in report.waived}
    if report.baseline is not None:
        codes |= {str(f.get("code")) for f in report.baseline.fixed}
    rules = [c for c in context.checks if c.code in codes] or []
    index = {rule.code: i for i, rule in enumerate(rules)}
    base = report.data_root.rstrip("/") + "/"
    run: dict[str, Any] = {
        "tool": {
            "driver": {
                "name": TOOL_NAME,
                "version": TOOL_VERSION,
                "rules": [_rule(r) for r in rules],
            }
        },
        "originalUriBaseIds": {
            "DATAROOT": {"uri": base if "://" in base else f"file://{_absolute(base)}"}
        },
        "results": _results(report, index, context),
        "properties": {
            "spec": report.spec_path,
            "failOn": report.fail_on.label,
            "passed": not report.failed,
        },
    }
    return dumps(clean_json({"$schema": SCHEMA, "version": "2.1.0", "runs": [run]}))


def _absolute(folder: str) -> str:
    from pathlib import Path
    from urllib.parse import quote

    path = Path(folder).resolve().as_posix()
    return quote(path if path.endswith("/") else path + "/")
