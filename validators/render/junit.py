"""JUnit XML: one test suite per file, one test case per check, so CI systems list them."""

from __future__ import annotations

import json
import xml.etree.ElementTree as ET

from tpqc.validators.findings import Finding, Report, WaivedFinding
from tpqc.validators.render import RenderContext
from tpqc.validators.render.plain import xml_text


def render_junit(report: Report, context: RenderContext) -> str:
    """Failures are findings at or above fail-on; lower ones go to the case's system-out.
    A case whose only findings the spec waived is skipped, with the waivers' reasons.

    Each file gets one case per file-name and raster check (``context.checks``)."""
    checks = context.checks
    root = ET.Element("testsuites", name="tpqc")
    paths = sorted(
        set(report.file_paths())
        | {f.location.path for f in report.findings if f.location.path is not None}
    )
    grouped = report.by_path()
    waived: dict[str | None, list[WaivedFinding]] = {}
    for item in report.waived:
        waived.setdefault(item.finding.location.path, []).append(item)
    paths = sorted(set(paths) | {p for p in waived if p is not None})
    dataset = grouped.get(None, [])
    dataset_codes = {f.code for f in dataset} | {w.finding.code for w in waived.get(None, [])}
    groups: list[tuple[str, list[Finding], list[str]]] = [
        ("(dataset)", dataset, sorted(dataset_codes))
    ]
    per_file_codes = [c.code for c in checks if c.code[0] in "FR"]
    for path in paths:
        present = {f.code for f in grouped.get(path, [])} | {
            w.finding.code for w in waived.get(path, [])
        }
        groups.append((path, grouped.get(path, []), sorted(set(per_file_codes) | present)))
    names = {c.code: c.name for c in checks}
    total_failures = 0
    for suite_name, findings, codes in groups:
        accepted = waived.get(None if suite_name == "(dataset)" else suite_name, [])
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
            case_waived = [w for w in accepted if w.finding.code == code]
            for item in case_waived:
                text = json.dumps(item.to_json(), ensure_ascii=False, sort_keys=True)
                notes.append(f"waived: {text}")
            if case_waived and case.find("failure") is None:
                reasons = "; ".join(sorted({w.reason for w in case_waived}))
                ET.SubElement(case, "skipped", message=f"waived: {reasons}")
            if notes:
                ET.SubElement(case, "system-out").text = "\n".join(notes)
        suite.set("tests", str(len(codes)))
        suite.set("failures", str(failures))
        suite.set("skipped", str(len(suite.findall("testcase/skipped"))))
        suite.set("errors", "0")
        total_failures += failures
    root.set("failures", str(total_failures))
    root.set("tests", str(sum(int(s.get("tests", "0")) for s in root)))
    ET.indent(root)
    document = ET.tostring(root, encoding="unicode")
    return '<?xml version="1.0" encoding="UTF-8"?>\n' + xml_text(document) + "\n"
