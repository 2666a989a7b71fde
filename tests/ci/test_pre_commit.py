"""The pre-commit hooks, run by the real pre-commit against this repository as the hook
repository (``pre-commit try-repo``), in a temporary git repository holding a dataset: the
validation hook passes on a clean dataset and fails on a planted defect; the STAC hook
passes on a catalog and fails on a broken one. pre-commit installs tpqc into its own
environment from a local wheelhouse (``.ci/run`` builds it; no network in tests)."""

from __future__ import annotations

import json
import os
import subprocess
import sys
from collections.abc import Iterator
from pathlib import Path

import pytest

from tpqc.examples.wudaoliang.generate import alt_field, write_alt, write_example
from tpqc_testkit import REPO, run_cli

PRE_COMMIT = str(Path(sys.executable).parent / "pre-commit")


@pytest.fixture(scope="module")
def hook_env(tmp_path_factory: pytest.TempPathFactory) -> dict[str, str]:
    wheelhouse = os.environ.get("TPQC_WHEELHOUSE")
    if not wheelhouse or not Path(wheelhouse).is_dir():
        if os.environ.get("TPQC_REQUIRE_WHEELHOUSE"):
            pytest.fail("TPQC_WHEELHOUSE must name the wheels .ci/run builds")
        pytest.skip("no wheelhouse for pre-commit's offline install (TPQC_WHEELHOUSE)")
    return {
        **os.environ,
        "PRE_COMMIT_HOME": str(tmp_path_factory.mktemp("pre-commit-home")),
        "PIP_NO_INDEX": "1",
        "PIP_FIND_LINKS": wheelhouse,
        "GIT_AUTHOR_NAME": "t",
        "GIT_AUTHOR_EMAIL": "t@example.org",
        "GIT_COMMITTER_NAME": "t",
        "GIT_COMMITTER_EMAIL": "t@example.org",
    }


@pytest.fixture
def dataset_repo(tmp_path: Path, hook_env: dict[str, str]) -> Iterator[Path]:
    repo = tmp_path / "dataset"
    repo.mkdir()
    write_example(repo)
    subprocess.run(["git", "init", "-q"], cwd=repo, check=True, env=hook_env)
    commit(repo, hook_env)
    yield repo


def commit(repo: Path, env: dict[str, str]) -> None:
    subprocess.run(["git", "add", "-A"], cwd=repo, check=True, env=env)
    subprocess.run(["git", "commit", "-qm", "data"], cwd=repo, check=True, env=env)


def try_repo(repo: Path, hook: str, env: dict[str, str]) -> subprocess.CompletedProcess[str]:
    return subprocess.run(
        [PRE_COMMIT, "try-repo", str(REPO), hook, "--all-files"],
        cwd=repo,
        env=env,
        capture_output=True,
        text=True,
        timeout=600,
        check=False,
    )


def test_the_validation_hook_passes_clean_data_and_fails_a_defect(
    dataset_repo: Path, hook_env: dict[str, str]
) -> None:
    clean = try_repo(dataset_repo, "tpqc-validate", hook_env)
    assert clean.returncode == 0, clean.stdout + clean.stderr
    assert "tpqc validate" in clean.stdout and "Passed" in clean.stdout
    data = alt_field(2018)
    data[40, 7:10] = 12.5  # out of the declared 0..10 m
    (dataset_repo / "Wudaoliang_ALT_2018.tif").unlink()
    write_alt(dataset_repo / "Wudaoliang_ALT_2018.tif", data)
    commit(dataset_repo, hook_env)
    failed = try_repo(dataset_repo, "tpqc-validate", hook_env)
    assert failed.returncode == 1 and "Failed" in failed.stdout
    assert "R014" in failed.stdout


def test_the_stac_hook_checks_catalogs(dataset_repo: Path, hook_env: dict[str, str]) -> None:
    catalog = dataset_repo / "catalog"
    published = run_cli(
        "stac",
        str(dataset_repo / "spec.yaml"),
        "--out",
        str(catalog),
        "--copy-assets",
        "--no-cache",
    )
    assert published.exit_code == 0, published.output
    commit(dataset_repo, hook_env)
    good = try_repo(dataset_repo, "tpqc-check-stac", hook_env)
    assert good.returncode == 0, good.stdout + good.stderr
    collection = next(catalog.glob("*/collection.json"))
    document = json.loads(collection.read_text(encoding="utf-8"))
    del document["extent"]
    collection.write_text(json.dumps(document), encoding="utf-8")
    commit(dataset_repo, hook_env)
    bad = try_repo(dataset_repo, "tpqc-check-stac", hook_env)
    assert bad.returncode == 1 and "S002" in bad.stdout
