"""Read the facts of many files, in parallel processes when asked; order is preserved."""

from __future__ import annotations

import multiprocessing
import os
from collections.abc import Callable, Sequence
from concurrent.futures import ProcessPoolExecutor
from dataclasses import dataclass
from typing import Any

from tpqc.validators.raster_facts import ReadPlan, read_raster_facts

FactsJob = tuple[str, str, Any]
"""(data root, relative path, a ReadPlan for a raster or a TableJob for a table)."""
Facts = Any  # RasterFacts or TableFacts


@dataclass(frozen=True)
class TableJob:
    """What reading one table needs besides its path."""

    table: Any
    coverage: Any
    max_examples: int


def _read(job: FactsJob) -> Facts:
    root, relative, plan = job
    if isinstance(plan, ReadPlan):
        return read_raster_facts(root, relative, plan)
    from tpqc.validators.table_facts import read_table_facts

    return read_table_facts(root, relative, plan.table, plan.coverage, plan.max_examples)


def default_jobs() -> int:
    """The number of cores this process may use."""
    try:
        return max(1, len(os.sched_getaffinity(0)))
    except AttributeError:  # not on Linux
        return max(1, os.cpu_count() or 1)


def gather_facts(
    jobs: Sequence[FactsJob], workers: int, started: Callable[[], None] | None = None
) -> list[Facts]:
    """Facts for every job, in the order given; ``workers`` processes (1: in this process).

    ``started`` runs once the workers exist (never before a fork, so it may start threads)."""
    if workers <= 1 or len(jobs) <= 1:
        if started is not None:
            started()
        return [_read(job) for job in jobs]
    workers = min(workers, len(jobs))
    chunk = max(1, len(jobs) // (workers * 8))
    # fork is cheapest on Linux: workers inherit the imported modules and GDAL settings.
    method = "fork" if "fork" in multiprocessing.get_all_start_methods() else "spawn"
    with ProcessPoolExecutor(workers, mp_context=multiprocessing.get_context(method)) as pool:
        results = pool.map(_read, jobs, chunksize=chunk)
        if started is not None:
            started()
        return list(results)
