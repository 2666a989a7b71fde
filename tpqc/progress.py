"""A progress bar on stderr for long runs: files done, bytes read, throughput, ETA."""

from __future__ import annotations

import sys
import time
from collections.abc import Callable, Iterator
from contextlib import contextmanager

SHOW_AFTER_SECONDS = 1.0


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
    from rich.progress import (
        BarColumn,
        DownloadColumn,
        MofNCompleteColumn,
        Progress,
        TimeRemainingColumn,
        TransferSpeedColumn,
    )

    bar = Progress(
        "[progress.description]{task.description}",
        BarColumn(),
        MofNCompleteColumn(),
        DownloadColumn(),
        TransferSpeedColumn(),
        TimeRemainingColumn(),
        console=Console(stderr=True),
        transient=True,
    )
    files_task = bar.add_task("files", total=max(total_bytes, 1))
    start = time.monotonic()
    shown = False

    def update(files: int, done_bytes: int) -> None:
        nonlocal shown
        if not shown and time.monotonic() - start >= SHOW_AFTER_SECONDS:
            bar.start()
            shown = True
        bar.update(files_task, completed=done_bytes, description=f"files {files}/{total_files}")

    try:
        yield update
    finally:
        if shown:
            bar.stop()
