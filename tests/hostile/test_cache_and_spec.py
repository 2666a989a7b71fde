"""A planted cache entry never runs code; spec bombs and catastrophic regexes are refused or
matched in linear time, with a clear exit 2."""

from __future__ import annotations

import json
import os
import pickle
import subprocess
import sys
import time
from pathlib import Path

import pytest

from tpqc_testkit import run_cli, validate_json


class Boom:
    """Unpickling this runs a command: what a cache that loads pickles would execute."""

    def __init__(self, marker: Path) -> None:
        self.marker = marker

    def __reduce__(self) -> tuple[object, ...]:
        return (os.system, (f"touch {self.marker}",))


def _cache_entries(cache: Path) -> list[Path]:
    return sorted(p for p in cache.rglob("*") if p.is_file())


def test_planted_pickle_never_runs(example: Path, tmp_path: Path) -> None:
    cache = tmp_path / "cache"
    assert validate_json(example / "spec.yaml", "--cache", str(cache))[0] == 0
    marker = tmp_path / "pwned"
    payload = pickle.dumps(Boom(marker))
    for entry in _cache_entries(cache):
        entry.write_bytes(payload)
        entry.with_suffix(".pickle").write_bytes(payload)
    code, report = validate_json(example / "spec.yaml", "--cache", str(cache))
    assert not marker.exists()
    assert code == 0 and report["findings"] == []


@pytest.mark.parametrize(
    "content",
    [b"\x00\xff" * 100, b"[]", b'{"key": "x", "entry": 3}', b'{"entry": {"format": 1}}'],
)
def test_corrupt_entries_are_misses(example: Path, tmp_path: Path, content: bytes) -> None:
    cache = tmp_path / "cache"
    first = validate_json(example / "spec.yaml", "--cache", str(cache))[1]
    for entry in _cache_entries(cache):
        entry.write_bytes(content)
    code, again = validate_json(example / "spec.yaml", "--cache", str(cache))
    assert code == 0 and again == first


def test_cache_folder_is_private_and_others_folders_are_refused(
    example: Path, tmp_path: Path
) -> None:
    cache = tmp_path / "cache"
    assert validate_json(example / "spec.yaml", "--cache", str(cache))[0] == 0
    assert cache.stat().st_mode & 0o777 == 0o700
    cache.chmod(0o777)
    result = run_cli("validate", str(example / "spec.yaml"), "--cache", str(cache))
    assert result.exit_code == 2 and "chmod 700" in result.stderr
    cache.chmod(0o700)
    if os.geteuid() == 0:
        os.chown(cache, 12345, 12345)
        result = run_cli("validate", str(example / "spec.yaml"), "--cache", str(cache))
        assert result.exit_code == 2 and "another user" in result.stderr


def _spec_with(tmp_path: Path, text: str) -> Path:
    spec = tmp_path / "bomb.yaml"
    spec.write_text(text, encoding="utf-8")
    return spec


def test_alias_bomb_is_refused_quickly(tmp_path: Path) -> None:
    lines = ["a0: &a0 [x, x, x, x, x, x, x, x, x, x]"]
    for level in range(1, 10):
        refs = ", ".join([f"*a{level - 1}"] * 10)
        lines.append(f"a{level}: &a{level} [{refs}]")
    spec = _spec_with(tmp_path, "spec_version: 1\ndataset: {id: d}\n" + "\n".join(lines) + "\n")
    start = time.perf_counter()
    result = run_cli("validate", str(spec))
    assert time.perf_counter() - start < 10  # generous: refusal is instant, expansion endless
    assert result.exit_code == 2 and "expands to more than" in result.stderr


def test_recursive_alias_is_refused(tmp_path: Path) -> None:
    spec = _spec_with(tmp_path, "spec_version: 1\ndataset: &d {id: d, x: *d}\n")
    result = run_cli("validate", str(spec))
    assert result.exit_code == 2 and "recursive alias" in result.stderr


def test_huge_spec_and_dev_zero_are_refused(tmp_path: Path) -> None:
    big = _spec_with(
        tmp_path,
        "spec_version: 1\ndataset: {id: d}\nrasters:\n  - {name: a, pattern: '"
        + "x" * (2 << 20)
        + "'}\n",
    )
    for path in (big, Path("/dev/zero")):
        result = run_cli("validate", str(path))
        assert result.exit_code == 2 and "larger than" in result.stderr


def test_yaml_errors_name_the_file_and_duplicate_keys_are_located(tmp_path: Path) -> None:
    spec = _spec_with(tmp_path, "spec_version: 1\ndataset: {id: d}\nrasters: [\n")
    result = run_cli("validate", str(spec))
    assert result.exit_code == 2 and "bomb.yaml (line" in result.stderr
    assert "<unicode string>" not in result.stderr
    spec.write_text(
        "spec_version: 1\ndataset: {id: d}\nrasters:\n  - name: a\n    pattern: x.tif\n"
        "    crs: EPSG:4326\n    crs: EPSG:4490\n",
        encoding="utf-8",
    )
    result = run_cli("validate", str(spec))
    assert result.exit_code == 2
    assert "rasters[0].crs: duplicate key 'crs' (line 7, first on line 6)" in result.stderr


def test_catastrophic_field_regex_matches_in_linear_time(tmp_path: Path) -> None:
    data = tmp_path / "data"
    data.mkdir()
    (data / ("a" * 240 + "!.tif")).write_bytes(b"not a tiff")
    spec = _spec_with(
        tmp_path,
        "spec_version: 1\ndata: data\ndataset: {id: d}\nrasters:\n"
        "  - {name: a, pattern: '{x}.tif', fields: {x: {regex: '(a+)+'}}}\n",
    )
    start = time.perf_counter()
    code, report = validate_json(spec, "--no-cache", "--select", "F001")
    assert time.perf_counter() - start < 10  # a backtracking engine takes hours here
    assert [f["code"] for f in report["findings"]] == ["F001"] and code == 1


def test_regex_re2_cannot_match_is_a_located_spec_error(tmp_path: Path) -> None:
    spec = _spec_with(
        tmp_path,
        "spec_version: 1\ndataset: {id: d}\nrasters:\n"
        "  - name: a\n    pattern: '{x}.tif'\n    fields: {x: {regex: '(a)\\1'}}\n",
    )
    done = subprocess.run(
        [str(Path(sys.executable).with_name("tpqc")), "validate", str(spec)],
        capture_output=True,
        text=True,
    )
    assert done.returncode == 2
    assert "rasters[0].fields.x.regex" in done.stderr and "(line 6)" in done.stderr
    assert "re2.cc" not in done.stderr  # RE2's own logging is silenced
    assert json.dumps(done.stdout) == '""'
