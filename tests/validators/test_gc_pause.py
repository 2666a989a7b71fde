"""The cyclic collector is paused while tpqc's own process starts, and frozen and resumed at
the first read; a process that only calls tpqc (allowed False) is never touched."""

from __future__ import annotations

import gc
import json
import subprocess
import sys
from collections.abc import Iterator
from pathlib import Path

import pytest

from tpqc.validators.engine import gc_pause


@pytest.fixture
def allowed(monkeypatch: pytest.MonkeyPatch) -> Iterator[None]:
    monkeypatch.setattr(gc_pause, "ALLOWED", True)
    try:
        yield
    finally:
        gc.unfreeze()  # this test process keeps collecting what it made
        gc.enable()


def test_a_process_that_calls_tpqc_keeps_its_collector() -> None:
    assert not gc_pause.ALLOWED and gc.isenabled()
    with gc_pause.paused_until_read():
        assert gc.isenabled()
        gc_pause.resume()
    assert gc.isenabled() and gc.get_freeze_count() == 0


def test_paused_until_the_first_read_then_frozen(allowed: None) -> None:
    with gc_pause.paused_until_read():
        assert not gc.isenabled()
        made_at_start = [[] for _ in range(100)]
        gc_pause.resume()
        assert gc.isenabled() and gc.get_freeze_count() >= len(made_at_start)
        frozen = gc.get_freeze_count()
        gc_pause.resume()  # once only
        assert gc.get_freeze_count() == frozen
    # not frozen again on leaving (the count only falls, as frozen objects are freed)
    assert gc.isenabled() and gc.get_freeze_count() <= frozen


def test_resumed_when_the_command_ends_before_any_read(allowed: None) -> None:
    with pytest.raises(RuntimeError), gc_pause.paused_until_read():
        assert not gc.isenabled()
        raise RuntimeError("a spec error")
    assert gc.isenabled() and gc.get_freeze_count() > 0


def test_a_collector_already_off_is_left_off(allowed: None) -> None:
    gc.disable()
    with gc_pause.paused_until_read():
        gc_pause.resume()
        assert not gc.isenabled()
    assert not gc.isenabled() and gc.get_freeze_count() == 0


_WATCH_GATHER = """
import gc, json, sys
import tpqc.pipeline as pipeline
seen = []
original = pipeline.gather
def gather(*args, **kwargs):
    seen.append([gc.isenabled(), gc.get_freeze_count()])
    try:
        return original(*args, **kwargs)
    finally:
        seen.append([gc.isenabled(), gc.get_freeze_count()])
pipeline.gather = gather
import atexit
atexit.register(lambda: print(json.dumps(seen), file=sys.stderr, flush=True))
sys.argv = ["tpqc", *sys.argv[1:]]
from tpqc.cli import main
main()
"""


@pytest.mark.parametrize("command", ["validate", "stac"])
def test_tpqc_pauses_until_its_first_read(example: Path, tmp_path: Path, command: str) -> None:
    """The console script, end to end: paused when the read starts, frozen and collecting
    once it has; the same report as ever."""
    args = [command, str(example / "spec.yaml"), "--no-cache", "-q"]
    if command == "stac":
        args += ["--out", str(tmp_path / "catalog")]
    done = subprocess.run(
        [sys.executable, "-c", _WATCH_GATHER, *args],
        capture_output=True,
        cwd=tmp_path,
        timeout=120,
        check=False,
    )
    assert done.returncode == 0, done.stderr.decode()
    (before, after) = json.loads(done.stderr.decode().strip().splitlines()[-1])
    assert before == [False, 0]
    assert after[0] is True and after[1] > 10_000  # modules, classes, the spec: frozen
