"""The composite GitHub Action, run as a runner would run it: its ``run:`` steps in order, in
bash, with ``${{ ... }}`` expressions resolved from the inputs, the earlier steps' outputs
and the ``GITHUB_*`` files pointed at a temporary folder. The summary, the outputs and the
report files are checked; every ``uses:`` is pinned to a release; the example workflow
uses the action."""

from __future__ import annotations

import os
import re
import subprocess
import sys
import tempfile
from pathlib import Path
from typing import Any

import pytest
import yaml

from tpqc.examples.wudaoliang.generate import alt_field, write_alt, write_example
from tpqc_testkit import REPO

ACTION = yaml.safe_load((REPO / "action.yml").read_text(encoding="utf-8"))
EXPRESSION = re.compile(r"\$\{\{\s*(.+?)\s*\}\}")


def resolve(text: str, inputs: dict[str, str], outputs: dict[str, dict[str, str]]) -> str:
    """The ``${{ }}`` expressions of a value, as the runner resolves the ones we use."""

    def value(match: re.Match[str]) -> str:
        name = match.group(1)
        if name.startswith("inputs."):
            return inputs[name.removeprefix("inputs.")]
        if name == "github.action_path":
            return str(REPO)
        found = re.fullmatch(r"steps\.([\w-]+)\.outputs\.([\w-]+)", name)
        if found:
            return outputs.get(found[1], {}).get(found[2], "")
        raise AssertionError(f"an expression the test does not know: {name}")

    return EXPRESSION.sub(value, text)


def condition(text: str | None, inputs: dict[str, str]) -> bool:
    """A step's ``if:`` of the forms the action's run steps use."""
    if text is None or text == "always()":
        return True
    found = re.fullmatch(r"inputs\.([\w-]+) == '(\w+)'", text)
    assert found, f"a condition the test does not know: {text}"
    return inputs[found[1]] == found[2]


def read_outputs(path: Path) -> dict[str, str]:
    pairs = (line.split("=", 1) for line in path.read_text(encoding="utf-8").splitlines())
    return dict(pairs)


def run_action(workspace: Path, **given: str) -> tuple[int, dict[str, str], str]:
    """The action's run steps in order; (the last step's exit code, the validate step's
    outputs, the step summary)."""
    inputs = {name: str(spec.get("default", "")) for name, spec in ACTION["inputs"].items()}
    inputs |= given
    github = Path(tempfile.mkdtemp(prefix="github-files-", dir=workspace))
    summary = github / "summary.md"
    summary.touch()
    outputs: dict[str, dict[str, str]] = {}
    code = 0
    for step in ACTION["runs"]["steps"]:
        if "run" not in step or not condition(step.get("if"), inputs):
            continue
        output_file = github / f"output-{step.get('id', 'step')}"
        output_file.touch()
        env = {
            **os.environ,
            "PATH": f"{Path(sys.executable).parent}{os.pathsep}{os.environ['PATH']}",
            "GITHUB_OUTPUT": str(output_file),
            "GITHUB_STEP_SUMMARY": str(summary),
            "GITHUB_ENV": str(github / "env"),
            "XDG_CACHE_HOME": str(workspace / ".cache"),
        }
        for key, text in (step.get("env") or {}).items():
            env[key] = resolve(str(text), inputs, outputs)
        done = subprocess.run(
            ["bash", "-e", "-o", "pipefail", "-c", step["run"]],
            cwd=workspace,
            env=env,
            capture_output=True,
            text=True,
            timeout=300,
            check=False,
        )
        code = done.returncode
        if "id" in step:
            outputs[step["id"]] = read_outputs(output_file)
        if step.get("name") != "Verdict":
            assert code == 0, (step["name"], done.stdout, done.stderr)
    return code, outputs.get("validate", {}), summary.read_text(encoding="utf-8")


@pytest.fixture
def workspace(tmp_path: Path) -> Path:
    write_example(tmp_path / "data")
    return tmp_path


def test_a_clean_dataset_passes_with_every_report(workspace: Path) -> None:
    code, outputs, summary = run_action(workspace, spec="data/spec.yaml", install="false")
    assert code == 0
    assert outputs["verdict"] == "passed" and outputs["errors"] == "0"
    assert outputs["exit-code"] == "0" and outputs["sarif"] == "tpqc-reports/tpqc.sarif"
    reports = workspace / "tpqc-reports"
    assert sorted(p.name for p in reports.iterdir()) == [
        "junit.xml",
        "report.html",
        "report.json",
        "summary.md",
        "tpqc.sarif",
    ]
    assert summary.startswith("## tpqc: wudaoliang-alt passed")


def test_a_defect_fails_the_job_after_the_reports(workspace: Path) -> None:
    data = alt_field(2018)
    data[40, 7:10] = 12.5
    (workspace / "data" / "Wudaoliang_ALT_2018.tif").unlink()
    write_alt(workspace / "data" / "Wudaoliang_ALT_2018.tif", data)
    code, outputs, summary = run_action(
        workspace, spec="data/spec.yaml", install="false", formats="markdown, codequality"
    )
    assert code == 1 and outputs["verdict"] == "failed" and outputs["errors"] == "1"
    assert "sarif" not in outputs
    assert "#### R014 value-out-of-range (error): 1" in summary
    assert (workspace / "tpqc-reports" / "codequality.json").is_file()
    # a second run, no extra report: the same verdict (its facts from the cache)
    code, outputs, summary = run_action(
        workspace, spec="data/spec.yaml", install="false", formats=""
    )
    assert (code, outputs["errors"], summary) == (1, "1", "")


def test_a_tool_error_is_exit_code_2(workspace: Path) -> None:
    code, outputs, _ = run_action(workspace, spec="data/missing.yaml", install="false")
    assert code == 2 and outputs["verdict"] == "error"


def test_every_action_used_is_pinned_to_a_release() -> None:
    uses = [s["uses"] for s in ACTION["runs"]["steps"] if "uses" in s]
    workflow = yaml.safe_load((REPO / "examples" / "ci" / "github-workflow.yml").read_text())
    for job in workflow["jobs"].values():
        uses += [s["uses"] for s in job["steps"] if "uses" in s]
    remote = [u for u in uses if not u.startswith("./")]
    assert remote and all(re.search(r"@v\d+\.\d+\.\d+$", u) for u in remote), remote
    steps: list[Any] = [s for j in workflow["jobs"].values() for s in j["steps"]]
    (ours,) = [s for s in steps if s.get("uses", "").startswith("./")]
    assert set(ours["with"]) <= set(ACTION["inputs"]) and "spec" in ours["with"]
