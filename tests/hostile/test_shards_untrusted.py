"""Shard outputs are untrusted input: paths that leave the data root, damaged documents and
nesting bombs are refusals naming the shard, never crashes or escapes (issue 25, item 3)."""

from __future__ import annotations

import json
from collections.abc import Callable
from pathlib import Path
from typing import Any

import pytest

from tpqc_testkit import run_cli


@pytest.fixture
def shard(example: Path, tmp_path: Path) -> Path:
    """The example validated as one shard: the document a crafted one starts from."""
    facts = tmp_path / "facts"
    result = run_cli(
        "validate", str(example / "spec.yaml"), "--shard", "1/1", "--facts-out", str(facts)
    )
    assert result.exit_code == 0, result.stderr
    return facts / "tpqc-shard-1-of-1.json"


def _rewrite(shard: Path, change: Callable[[dict[str, Any]], None]) -> None:
    document = json.loads(shard.read_text(encoding="utf-8"))
    change(document)
    shard.write_text(json.dumps(document), encoding="utf-8")


def _escape(path: str) -> Callable[[dict[str, Any]], None]:
    def change(document: dict[str, Any]) -> None:
        document["inventory"]["entries"][0]["path"] = path
        document["facts"][0]["path"] = path

    return change


@pytest.mark.parametrize(
    "path", ["../secret.tif", "/etc/passwd", "../../etc/passwd", "a/../../x.tif", "./a.tif", ""]
)
def test_paths_leaving_the_root_are_refused(
    shard: Path, example: Path, tmp_path: Path, path: str
) -> None:
    (tmp_path / "secret.tif").write_bytes(b"not for the catalog")
    _rewrite(shard, _escape(path))
    merged = run_cli("merge", str(shard.parent))
    assert merged.exit_code == 2 and shard.name in merged.stderr
    assert repr(path) in merged.stderr and "internal error" not in merged.stderr
    out = tmp_path / "catalog"
    published = run_cli(
        "stac",
        str(example / "spec.yaml"),
        "--from-facts",
        str(shard.parent),
        "--copy-assets",
        "--out",
        str(out),
    )
    assert published.exit_code == 2 and not out.exists()


def test_an_inventory_root_other_than_the_specs_is_refused(shard: Path) -> None:
    _rewrite(shard, lambda d: d["inventory"].__setitem__("root", "/"))
    merged = run_cli("merge", str(shard.parent))
    assert merged.exit_code == 2 and "root" in merged.stderr


@pytest.mark.parametrize("key", ["spec", "inventory", "facts", "options", "shard"])
def test_a_missing_key_is_a_clear_error(shard: Path, key: str) -> None:
    _rewrite(shard, lambda d: d.pop(key))
    merged = run_cli("merge", str(shard.parent))
    assert merged.exit_code == 2 and repr(key) in merged.stderr
    assert "internal error" not in merged.stderr


@pytest.mark.parametrize("where", ["options", "inventory"])
def test_damaged_parts_are_clear_errors(shard: Path, where: str) -> None:
    _rewrite(shard, lambda d: d.__setitem__(where, {"nonsense": 1}))
    merged = run_cli("merge", str(shard.parent))
    assert merged.exit_code == 2 and "damaged" in merged.stderr
    assert "internal error" not in merged.stderr


def test_a_nesting_bomb_is_a_clear_error(shard: Path) -> None:
    shard.write_text('{"format": ' + "[" * 100_000 + "]" * 100_000 + "}", encoding="utf-8")
    merged = run_cli("merge", str(shard.parent))
    assert merged.exit_code == 2 and shard.name in merged.stderr
    assert "internal error" not in merged.stderr
