"""Shards: N processes each validate a stable slice of the files, then `tpqc merge` and
`tpqc stac --from-facts` give byte for byte what one run gives, without reading any data
file again; an incomplete or inconsistent set of shards is refused, naming the culprit."""

from __future__ import annotations

import shutil
import subprocess
import sys
from collections import Counter
from pathlib import Path

import pytest

from tpqc.examples.wudaoliang.generate import alt_field, write_alt
from tpqc.shards import Shard, shard_of
from tpqc_testkit import run_cli, tree_digest

TPQC = str(Path(sys.executable).parent / "tpqc")


def grow_series(folder: Path, extra_years: range) -> None:
    """More members, a planted defect and a waiver, so the merge has real work to do."""
    for year in extra_years:
        write_alt(folder / f"Wudaoliang_ALT_{year}.tif", alt_field(year))
    data = alt_field(2018)
    data[3:5, 3:5] = 12.5
    (folder / "Wudaoliang_ALT_2018.tif").unlink()
    write_alt(folder / "Wudaoliang_ALT_2018.tif", data)
    (folder / "Wudaoliang_ALT_2019.tif").unlink()
    spec = folder / "spec.yaml"
    text = spec.read_text(encoding="utf-8").replace("max: 2020", f"max: {extra_years[-1]}")
    text = text.replace("end: 2020-12-31", f"end: {extra_years[-1]}-12-31")
    text += "waivers:\n  - {check: series-incomplete, path: '*_2019.tif', reason: no scenes}\n"
    spec.write_text(text, encoding="utf-8")


def fan_out(folder: Path, facts: Path, count: int, *extra: str) -> list[int]:
    """Run every shard as its own process, all at once."""
    processes = [
        subprocess.Popen(
            [
                TPQC,
                "validate",
                "spec.yaml",
                "--shard",
                f"{k}/{count}",
                "--facts-out",
                str(facts),
                "--no-cache",
                "-q",
                "-j",
                "1",
                *extra,
            ],
            cwd=folder,
            stdout=subprocess.DEVNULL,
            stderr=subprocess.PIPE,
        )
        for k in range(1, count + 1)
    ]
    codes = []
    for process in processes:
        _, err = process.communicate(timeout=300)
        assert process.returncode in (0, 1), err.decode()
        codes.append(process.returncode)
    return codes


def single(folder: Path, *args: str) -> subprocess.CompletedProcess[bytes]:
    return subprocess.run(
        [TPQC, *args, "--no-cache", "-q"], cwd=folder, capture_output=True, timeout=300, check=False
    )


@pytest.fixture
def series(example: Path) -> Path:
    grow_series(example, range(2021, 2027))
    return example


def test_merged_shards_equal_one_run_byte_for_byte(series: Path, tmp_path: Path) -> None:
    facts = tmp_path / "facts"
    codes = fan_out(series, facts, 4)
    assert 1 in codes  # the shard holding 2018 reports its out-of-range pixels
    assert sorted(p.name for p in facts.iterdir()) == [
        f"tpqc-shard-{k}-of-4.json" for k in range(1, 5)
    ]
    for fmt in ("json", "html", "sarif", "junit"):
        one = single(series, "validate", "spec.yaml", "-f", fmt, "-o", str(tmp_path / f"one.{fmt}"))
        merged = subprocess.run(
            [TPQC, "merge", str(facts), "-f", fmt, "-o", str(tmp_path / f"merged.{fmt}")],
            cwd=series,
            capture_output=True,
            check=False,
        )
        assert (merged.returncode, one.returncode) == (1, 1), merged.stderr.decode()
        assert (tmp_path / f"merged.{fmt}").read_bytes() == (tmp_path / f"one.{fmt}").read_bytes()


def test_catalog_from_shards_equals_one_run_and_reads_no_data(series: Path, tmp_path: Path) -> None:
    facts = tmp_path / "facts"
    spec = series / "spec.yaml"
    spec.write_text(
        spec.read_text(encoding="utf-8").replace("max: 10.0", "max: 20.0"), encoding="utf-8"
    )
    fan_out(series, facts, 3)
    one = single(series, "stac", "spec.yaml", "--out", str(tmp_path / "one"))
    assert one.returncode == 0, one.stderr.decode()
    # Every data file made unreadable: building from the shards cannot read any of them.
    for tif in series.glob("*.tif"):
        tif.rename(tif.with_suffix(".hidden"))
    merged = subprocess.run(
        [
            TPQC,
            "stac",
            "spec.yaml",
            "--from-facts",
            str(facts),
            "--out",
            str(tmp_path / "merged"),
            "-q",
        ],
        cwd=series,
        capture_output=True,
        check=False,
    )
    assert merged.returncode == 0, merged.stderr.decode()
    assert tree_digest(tmp_path / "merged") == tree_digest(tmp_path / "one")


def test_missing_duplicate_and_mixed_shards_are_refused(series: Path, tmp_path: Path) -> None:
    facts = tmp_path / "facts"
    fan_out(series, facts, 3)
    partial = tmp_path / "partial"
    partial.mkdir()
    for k in (1, 3):
        shutil.copy(facts / f"tpqc-shard-{k}-of-3.json", partial)
    result = run_cli("merge", str(partial))
    assert result.exit_code == 2 and "2/3" in result.output
    result = run_cli("merge", str(facts), str(partial))
    assert result.exit_code == 2 and "given twice" in result.output
    other = tmp_path / "other"
    fan_out(series, other, 2)
    result = run_cli("merge", str(facts), str(other / "tpqc-shard-1-of-2.json"))
    assert result.exit_code == 2


def test_shards_of_changed_data_are_refused(series: Path, tmp_path: Path) -> None:
    facts = tmp_path / "facts"
    fan_out(series, facts, 2)
    write_alt(series / "Wudaoliang_ALT_2019.tif", alt_field(2019))  # the data changed
    (facts / "tpqc-shard-2-of-2.json").unlink()
    subprocess.run(
        [TPQC, "validate", "spec.yaml", "--shard", "2/2", "--facts-out", str(facts), "-q"],
        cwd=series,
        capture_output=True,
        check=False,
    )
    result = run_cli("merge", str(facts))
    assert result.exit_code == 2 and "inventories" in result.output


def test_merge_refuses_another_spec(series: Path, tmp_path: Path) -> None:
    facts = tmp_path / "facts"
    fan_out(series, facts, 2)
    other = tmp_path / "other.yaml"
    other.write_text((series / "spec.yaml").read_text(encoding="utf-8") + "# edited\n")
    result = run_cli("merge", str(facts), "--spec", str(other))
    assert result.exit_code == 2


def test_assignment_is_stable_and_even() -> None:
    names = [f"tiles/T{n:04d}.tif" for n in range(4000)]
    first = [shard_of(name, 8) for name in names]
    assert first == [shard_of(name, 8) for name in reversed(names)][::-1]  # not by position
    counts = Counter(first)
    assert set(counts) == set(range(1, 9))
    assert all(abs(c - 500) < 75 for c in counts.values())  # 4000 names over 8 shards
    assert all(
        Shard(k, 8).holds(n) == (k == s)
        for n, s in zip(names[:50], first, strict=False)
        for k in (1, 2)
    )


@pytest.mark.parametrize("text", ["0/4", "5/4", "2", "a/b"])
def test_shard_numbers_are_checked(text: str, example: Path, tmp_path: Path) -> None:
    facts = tmp_path / "facts"
    result = run_cli(
        "validate", str(example / "spec.yaml"), "--shard", text, "--facts-out", str(facts)
    )
    assert result.exit_code == 2
    assert not facts.exists()


def test_argo_example_fans_out_and_in_with_these_commands() -> None:
    import yaml

    from tpqc_testkit import REPO

    workflow = yaml.safe_load((REPO / "examples" / "argo" / "tpqc-fan-out.yaml").read_text())
    assert workflow["kind"] == "Workflow"
    templates = {t["name"]: t for t in workflow["spec"]["templates"]}
    (fan_out_step,), (merge_step,), (publish_step,) = templates["validate-and-publish"]["steps"]
    assert fan_out_step["withSequence"] == {"start": "1", "end": "{{workflow.parameters.shards}}"}
    shard_args = " ".join(templates[fan_out_step["template"]]["container"]["args"])
    assert "--shard {{inputs.parameters.index}}/{{workflow.parameters.shards}}" in shard_args
    assert "--facts-out /work/facts" in shard_args
    assert "tpqc merge /work/facts" in " ".join(
        templates[merge_step["template"]]["container"]["args"]
    )
    assert "--from-facts" in templates[publish_step["template"]]["container"]["args"]


def test_a_listing_written_once_is_what_every_shard_reads(series: Path, tmp_path: Path) -> None:
    facts = tmp_path / "facts"
    one = single(series, "validate", "spec.yaml", "-f", "json", "-o", str(tmp_path / "one.json"))
    listed = subprocess.run(
        [TPQC, "list", "spec.yaml", "--facts-out", str(facts)],
        cwd=series,
        capture_output=True,
        check=False,
    )
    assert listed.returncode == 0, listed.stderr.decode()
    # A file arriving after the listing is not seen by any shard: the plan is the listing.
    write_alt(series / "Wudaoliang_ALT_2031.tif", alt_field(2017))
    fan_out(series, facts, 3)
    merged = subprocess.run(
        [TPQC, "merge", str(facts), "-f", "json", "-o", str(tmp_path / "merged.json")],
        cwd=series,
        capture_output=True,
        check=False,
    )
    assert merged.returncode == one.returncode == 1, merged.stderr.decode()
    assert (tmp_path / "merged.json").read_bytes() == (tmp_path / "one.json").read_bytes()


def test_a_stale_or_crafted_listing_is_refused(series: Path, tmp_path: Path) -> None:
    import json

    facts = tmp_path / "facts"
    spec = str(series / "spec.yaml")
    assert run_cli("list", spec, "--facts-out", str(facts)).exit_code == 0
    listing = facts / "tpqc-listing.json"
    document = json.loads(listing.read_text(encoding="utf-8"))
    document["inventory"]["entries"][0]["path"] = "../secret.tif"
    listing.write_text(json.dumps(document), encoding="utf-8")
    result = run_cli("validate", spec, "--shard", "1/2", "--facts-out", str(facts))
    assert result.exit_code == 2 and "../secret.tif" in result.stderr
    assert not (facts / "tpqc-shard-1-of-2.json").exists()
    assert run_cli("list", spec, "--facts-out", str(facts)).exit_code == 0
    (series / "spec.yaml").write_text(
        (series / "spec.yaml").read_text(encoding="utf-8") + "# edited\n", encoding="utf-8"
    )
    result = run_cli("validate", spec, "--shard", "1/2", "--facts-out", str(facts))
    assert result.exit_code == 2 and "tpqc-listing.json" in result.stderr
