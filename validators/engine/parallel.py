"""Read the facts of many files: in parallel processes (or on a Dask cluster), splitting big
rasters into window shares, serving unchanged files from the facts cache; order preserved."""

from __future__ import annotations

import logging
import multiprocessing
import os
import signal
import sys
import threading
from collections.abc import Callable, Sequence
from concurrent.futures import (
    Executor,
    Future,
    ProcessPoolExecutor,
    ThreadPoolExecutor,
    as_completed,
)
from dataclasses import dataclass
from pathlib import Path

from tpqc.schemas.locations import is_remote
from tpqc.validators.engine.checksum import sha256_file
from tpqc.validators.engine.facts import FactsPart, FileFacts, ReadJob
from tpqc.validators.engine.facts_cache import FactsCache

FactsJob = tuple[str, str, ReadJob]
"""(data root, relative path, how to read the file)."""
SPLIT_BYTES = 64 << 20
"""Rasters bigger than this on disk are read as window shares by several workers."""
Progress = Callable[[int, int], None]
"""Called with (files done, bytes done) as files complete."""
log = logging.getLogger("tpqc")


@dataclass(frozen=True)
class Task:
    """One unit of work: a whole file, or one share of a big raster's windows."""

    root: str
    relative: str
    job: ReadJob
    part: int = 0
    parts: int = 1


def run_task(task: Task) -> FileFacts | FactsPart:
    """Run one task in whatever process or cluster worker gets it."""
    if task.parts > 1:
        return task.job.read_part(task.root, task.relative, task.part, task.parts)
    return task.job.read(task.root, task.relative)


def run_batch(batch: list[Task]) -> list[FileFacts | FactsPart]:
    """Run several small tasks in one round trip to a worker."""
    if not batch:
        return []
    with batch[0].job.batch():
        return [run_task(task) for task in batch]


def default_jobs() -> int:
    """The number of cores this process may use."""
    try:
        return max(1, len(os.sched_getaffinity(0)))
    except AttributeError:  # not on Linux
        return max(1, os.cpu_count() or 1)


def local_size(root: str, relative: str) -> int:
    """Local file size (remote files count 0: they are never split)."""
    if is_remote(root):
        return 0
    try:
        return (Path(root) / relative).stat().st_size
    except OSError:
        return 0


def _location(root: str, relative: str) -> str:
    if is_remote(root):
        from tpqc.validators.engine.remote import object_location  # only for remote roots

        return object_location(root, relative)
    return str(Path(root) / relative)


_PR_SET_PDEATHSIG = 1


def die_with_parent(parent: int | None) -> None:
    """Make this worker process end when the process that started it dies (a kill -9 of
    tpqc must not leave workers idling forever): Linux's PR_SET_PDEATHSIG, and a check for
    a parent that died before the request took effect (``parent`` None: the worker was
    started by a fork server, whose own death ends it). Ctrl-C is the run's to handle: the
    worker ignores SIGINT and is ended by it."""
    import ctypes
    import ctypes.util

    signal.signal(signal.SIGINT, signal.SIG_IGN)
    name = ctypes.util.find_library("c")
    if name is not None:
        libc = ctypes.CDLL(name, use_errno=True)
        libc.prctl(_PR_SET_PDEATHSIG, int(signal.SIGKILL), 0, 0, 0)
    if parent is not None and os.getppid() != parent:
        os._exit(1)


def start_method() -> str:
    """How worker processes start: ``fork`` (cheapest: workers inherit the imported modules
    and GDAL settings) only while this process runs a single thread. A thread alive at a
    fork may hold a lock (an import lock, a logging lock, malloc's) that no thread of the
    child will ever release, so the child hangs: then ``forkserver``, whose server process
    was never forked from a threaded one. Native threads count too: once obstore (bucket
    roots) has made a store, its async runtime's threads live outside Python's view."""
    methods = multiprocessing.get_all_start_methods()
    buckets = sys.modules.get("tpqc.validators.engine.buckets")
    native_runtime = bool(getattr(buckets, "RUNTIME_STARTED", False))
    if "fork" in methods and threading.active_count() == 1 and not native_runtime:
        return "fork"
    return "forkserver" if "forkserver" in methods else "spawn"


def _no_op() -> int:
    return os.getpid()


def _process_pool(workers: int) -> ProcessPoolExecutor:
    """A pool whose workers are all started before this returns, so that nothing started
    afterwards (a progress bar's thread) is alive when a worker forks."""
    method = start_method()
    if method != "fork":
        log.debug("%d threads alive: workers start by %s", threading.active_count(), method)
    pool = ProcessPoolExecutor(
        workers,
        mp_context=multiprocessing.get_context(method),
        initializer=die_with_parent,
        initargs=(os.getpid() if method == "fork" else None,),
    )
    # With fork the first task starts every worker at once (none is spawned later).
    pool.submit(_no_op).result()
    return pool


def end_pool(pool: ProcessPoolExecutor) -> None:
    """Stop a pool at once: queued work cancelled, running workers terminated (an
    interrupted run must not wait for them)."""
    pool.shutdown(wait=False, cancel_futures=True)
    processes = getattr(pool, "_processes", None) or {}
    for process in list(processes.values()):
        process.terminate()


def _warm(work: Callable[[], None] | None) -> None:
    """Run ``work`` (a cache warmed, never a result: a failure is logged, not raised) in
    this thread. Never in a thread of its own: two threads importing the same package for
    the first time can meet in its circular imports, and Python then hands one of them the
    partially initialised module (pyproj's ``_context``: "cannot import name ... from
    partially initialized module"), which a read took for an unreadable file."""
    if work is None:
        return
    try:
        work()
    except Exception:
        log.debug("warming beside the read failed", exc_info=True)


def _cache_keys(jobs: Sequence[FactsJob], cache: FactsCache | None) -> list[str | None]:
    """Each job's cache key; content keys hash the files in threads (hashlib releases the
    GIL), all finished before any worker process starts. The first key is made here, so
    that whatever keying imports is imported before the threads start."""
    if cache is None:
        return [None] * len(jobs)

    def key(job: FactsJob) -> str | None:
        root, rel, plan = job
        return cache.key(_location(root, rel), plan.cache_form(), rel)

    if not cache.by_content or len(jobs) < 2:
        return [key(job) for job in jobs]
    first = key(jobs[0])
    with ThreadPoolExecutor(max_workers=min(4, len(jobs) - 1)) as hashing:
        return [first, *hashing.map(key, jobs[1:])]


def gather_facts(
    jobs: Sequence[FactsJob],
    workers: int,
    *,
    executor: Executor | None = None,
    cache: FactsCache | None = None,
    progress: Progress | None = None,
    beside: Callable[[], None] | None = None,
) -> list[FileFacts]:
    """Facts for every job, in the order given.

    ``workers`` processes (1: in this process) unless an ``executor`` (a Dask client's) is
    given. ``beside`` runs in this thread while the worker processes read, once every task
    is submitted (no thread of ours is alive when a worker forks, none imports beside a
    read); with no worker processes, after the reads."""
    results: list[FileFacts | None] = [None] * len(jobs)

    def keep(index: int, value: FileFacts) -> None:
        results[index] = value

    gather_facts_into(
        keep, jobs, workers, executor=executor, cache=cache, progress=progress, beside=beside
    )
    return _complete(results)


def gather_facts_into(
    keep: Callable[[int, FileFacts], None],
    jobs: Sequence[FactsJob],
    workers: int,
    *,
    executor: Executor | None = None,
    cache: FactsCache | None = None,
    progress: Progress | None = None,
    beside: Callable[[], None] | None = None,
) -> None:
    """:func:`gather_facts`, each job's facts handed to ``keep(index, facts)`` as soon as
    they are complete (in no particular order; nothing is held here)."""
    keys = _cache_keys(jobs, cache)
    pending: list[int] = []
    for index, key in enumerate(keys):
        cached = cache.get(key) if cache is not None else None
        if cached is not None:
            cached = jobs[index][2].reuse(cached)
        if cached is None:
            pending.append(index)
        else:
            keep(index, cached)
    done_files, done_bytes = len(jobs) - len(pending), 0
    parallel = executor is not None or (workers > 1 and len(pending) > 0)
    split = {
        i: workers
        for i in pending
        if parallel
        and workers > 1
        and jobs[i][2].splittable
        and local_size(jobs[i][0], jobs[i][1]) > SPLIT_BYTES
    }
    tasks = [
        (i, Task(jobs[i][0], jobs[i][1], jobs[i][2], part, split.get(i, 1)))
        for i in pending
        for part in range(split.get(i, 1))
    ]
    parts: dict[int, list[FactsPart | None]] = {i: [None] * n for i, n in split.items()}

    def finish(index: int, value: FileFacts) -> None:
        nonlocal done_files, done_bytes
        keep(index, value)
        if cache is not None:
            cache.put(keys[index], value)
        done_files += 1
        done_bytes += local_size(jobs[index][0], jobs[index][1])
        if progress is not None:
            progress(done_files, done_bytes)

    if not parallel and executor is None:
        for index, task in tasks:
            finish(index, _whole(run_task(task)))
        _warm(beside)
        return

    own_pool = executor is None
    if own_pool:
        for kind in {type(task.job) for _, task in tasks}:
            kind.warm_up()
    pool = executor or _process_pool(min(workers, max(1, len(tasks))))
    try:
        _run_pool(pool, tasks, jobs, split, parts, workers, finish, beside)
    except BaseException:
        if isinstance(pool, ProcessPoolExecutor) and own_pool:
            end_pool(pool)
        raise
    finally:
        if own_pool:
            pool.shutdown()


def _run_pool(
    pool: Executor,
    tasks: list[tuple[int, Task]],
    jobs: Sequence[FactsJob],
    split: dict[int, int],
    parts: dict[int, list[FactsPart | None]],
    workers: int,
    finish: Callable[[int, FileFacts], None],
    beside: Callable[[], None] | None,
) -> None:
    """Submit the tasks in batches, run ``beside`` while the workers read, and finish each
    file as its results come back."""
    hashing = ThreadPoolExecutor(1) if split else None
    # Small files travel in batches: one round trip per batch, not per file.
    size = max(1, min(16, len(tasks) // (workers * 4)))
    batches = [tasks[i : i + size] for i in range(0, len(tasks), size)]
    try:
        futures: dict[Future[list[FileFacts | FactsPart]], list[tuple[int, Task]]] = {
            pool.submit(run_batch, [task for _, task in batch]): batch for batch in batches
        }
        # The big files' checksums: this process is otherwise idle while workers decode.
        digests = (
            {i: hashing.submit(sha256_file, str(Path(jobs[i][0]) / jobs[i][1])) for i in split}
            if hashing
            else {}
        )
        _warm(beside)
        for future in as_completed(futures):
            for (index, task), value in zip(futures[future], future.result(), strict=True):
                if index not in split:
                    finish(index, _whole(value))
                    continue
                shares = parts[index]
                if isinstance(value, FileFacts):
                    raise TypeError(f"a share of {task.relative} came back whole")
                shares[task.part] = value
                if all(share is not None for share in shares):
                    try:
                        digest: str | None = digests[index].result()
                    except OSError:
                        digest = None
                    finish(index, task.job.assemble([s for s in shares if s], digest))
    finally:
        if hashing is not None:
            hashing.shutdown(cancel_futures=True)


def _whole(value: FileFacts | FactsPart) -> FileFacts:
    if not isinstance(value, FileFacts):
        raise TypeError("a whole-file task returned a part")
    return value


def _complete(results: list[FileFacts | None]) -> list[FileFacts]:
    done = [r for r in results if r is not None]
    if len(done) != len(results):
        raise RuntimeError("some files were never read")
    return done
