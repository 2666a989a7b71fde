"""JUnit XML: one test suite per file, one test case per check, so CI systems list them."""

from __future__ import annotations

import json
import xml.etree.ElementTree as ET

from tpqc.validators.findings import Finding, Report
from tpqc.validators.render import RenderContext


def render_junit(report: Report, context: RenderContext) -> str:
    """Failures are findings at or above fail-on; lower ones go to the case's system-out.

    Each file gets one case per file-name and raster check (``context.checks``)."""
    checks = context.checks
    root = ET.Element("testsuites", name="tpqc")
    paths = sorted(
        {str(f["path"]) for f in report.files}
        | {f.location.path for f in report.findings if f.location.path is not None}
    )
    grouped = report.by_path()
    dataset = grouped.get(None, [])
    groups: list[tuple[str, list[Finding], list[str]]] = [
        ("(dataset)", dataset, sorted({f.code for f in dataset}))
    ]
    per_file_codes = [c.code for c in checks if c.code[0] in "FR"]
    groups += [(p, grouped.get(p, []), per_file_codes) for p in paths]
    names = {c.code: c.name for c in checks}
    total_failures = 0
    for suite_name, findings, codes in groups:
        if not codes:
            continue
        suite = ET.SubElement(root, "testsuite", name=suite_name)
        failures = 0
        for code in codes:
            case = ET.SubElement(
                suite,
                "testcase",
                classname=suite_name,
                name=f"{code} {names.get(code, '')}".strip(),
            )
            notes = []
            for finding in (f for f in findings if f.code == code):
                text = json.dumps(finding.to_json(), ensure_ascii=False, sort_keys=True)
                if finding.severity >= report.fail_on:
                    failures += 1
                    failure = ET.SubElement(
                        case, "failure", message=finding.message, type=finding.severity.label
                    )
                    failure.text = text
                else:
                    notes.append(f"{finding.severity.label}: {text}")
            if notes:
                ET.SubElement(case, "system-out").text = "\n".join(notes)
        suite.set("tests", str(len(codes)))
        suite.set("failures", str(failures))
        suite.set("errors", "0")
        total_failures += failures
    root.set("failures", str(total_failures))
    root.set("tests", str(sum(int(s.get("tests", "0")) for s in root)))
    ET.indent(root)
    return '<?xml version="1.0" encoding="UTF-8"?>\n' + ET.tostring(root, encoding="unicode") + "\n"
