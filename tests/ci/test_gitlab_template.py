"""The GitLab CI template, run as a runner would: its variables, then its script lines in
bash in the project folder (the install line left out: tpqc is installed); the JUnit and
Code Quality reports it declares exist and are what GitLab reads."""

from __future__ import annotations

import json
import os
import subprocess
import sys
import xml.etree.ElementTree as ET
from pathlib import Path

import yaml

from tpqc.examples.wudaoliang.generate import alt_field, write_alt, write_example
from tpqc_testkit import REPO

TEMPLATE = yaml.safe_load((REPO / "examples" / "ci" / "tpqc.gitlab-ci.yml").read_text())


def run_job(project: Path) -> int:
    env = {
        **os.environ,
        **{k: str(v) for k, v in TEMPLATE["variables"].items()},
        "CI_PROJECT_DIR": str(project),
        "PATH": f"{Path(sys.executable).parent}{os.pathsep}{os.environ['PATH']}",
    }
    env["XDG_CACHE_HOME"] = env["XDG_CACHE_HOME"].replace("$CI_PROJECT_DIR", str(project))
    job = TEMPLATE["tpqc"]
    assert "$TPQC_PIP" in job["before_script"][0]
    code = 0
    for line in job["script"]:
        code = subprocess.run(
            ["bash", "-c", line], cwd=project, env=env, timeout=300, check=False
        ).returncode
    return code


def test_the_job_writes_the_reports_gitlab_reads(tmp_path: Path) -> None:
    write_example(tmp_path)
    data = alt_field(2018)
    data[40, 7:10] = 12.5
    (tmp_path / "Wudaoliang_ALT_2018.tif").unlink()
    write_alt(tmp_path / "Wudaoliang_ALT_2018.tif", data)
    assert run_job(tmp_path) == 1
    reports = TEMPLATE["tpqc"]["artifacts"]["reports"]
    junit = ET.parse(tmp_path / reports["junit"]).getroot()
    assert junit.tag in ("testsuites", "testsuite") and "R014" in ET.tostring(junit, "unicode")
    (issue,) = json.loads((tmp_path / reports["codequality"]).read_text(encoding="utf-8"))
    assert issue["location"]["path"] == "Wudaoliang_ALT_2018.tif"
    assert issue["check_name"] == "R014 value-out-of-range" and issue["severity"] == "major"
    for path in TEMPLATE["tpqc"]["artifacts"]["paths"]:
        assert (tmp_path / path).is_file()
    assert (tmp_path / ".cache" / "tpqc" / "facts").is_dir()  # the folder the cache keeps
