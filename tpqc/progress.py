"""A progress bar on stderr for long runs: files done of all, bytes read, throughput, ETA."""

from __future__ import annotations

import sys
import time
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from typing import Any

SHOW_AFTER_SECONDS = 1.0


def _size(count: float) -> str:
    for unit in ("B", "kB", "MB", "GB", "TB"):
        if abs(count) < 1000 or unit == "TB":
            return f"{count:.0f} {unit}" if unit == "B" else f"{count:.1f} {unit}"
        count /= 1000
    return f"{count:.1f} TB"


def describe_progress(
    files: int, total_files: int, done_bytes: int, total_bytes: int, elapsed: float
) -> str:
    """``files 12/400 · 1.2 GB of 3.4 GB · 310.5 MB/s · 7 s left``: throughput over the
    whole run so far (a window over few, large updates would show nothing)."""
    parts = [f"files {files}/{total_files}", f"{_size(done_bytes)} of {_size(total_bytes)}"]
    if elapsed > 0 and done_bytes > 0:
        rate = done_bytes / elapsed
        parts.append(f"{_size(rate)}/s")
        if total_bytes > done_bytes:
            parts.append(f"{(total_bytes - done_bytes) / rate:.0f} s left")
    return " · ".join(parts)


@contextmanager
def progress_bar(
    total_files: int, total_bytes: int, enabled: bool
) -> Iterator[Callable[[int, int], None] | None]:
    """A callback (files done, bytes done) drawing a rich progress bar on a terminal's stderr,
    shown only once a run has lasted about a second; None when disabled or not a terminal."""
    if not enabled or not sys.stderr.isatty() or total_files == 0:
        yield None
        return
    from rich.console import Console
    from rich.progress import BarColumn, Progress, TextColumn

    bar = Progress(
        BarColumn(),
        TextColumn("{task.description}"),
        console=Console(stderr=True),
        transient=True,
    )
    task: Any = bar.add_task("", total=max(total_bytes, 1))
    start = time.monotonic()
    shown = False

    def update(files: int, done_bytes: int) -> None:
        nonlocal shown
        elapsed = time.monotonic() - start
        if not shown and elapsed >= SHOW_AFTER_SECONDS:
            bar.start()
            shown = True
        text = describe_progress(files, total_files, done_bytes, total_bytes, elapsed)
        bar.update(task, completed=done_bytes, description=text)

    try:
        yield update
    finally:
        if shown:
            bar.stop()
