"""Run the per-file and per-window work on a Dask distributed cluster.

``--scheduler tcp://host:8786`` uses an existing cluster; ``--scheduler local:N`` starts a
LocalCluster of N single-threaded worker processes. Workers must see the data by the same
path (a shared file system) or read it by URL (GDAL's /vsicurl/, /vsis3/)."""

from __future__ import annotations

import logging
from collections.abc import Iterator
from concurrent.futures import Executor
from contextlib import contextmanager

from tpqc.schemas.errors import UsageError


@contextmanager
def dask_executor(scheduler: str) -> Iterator[tuple[Executor, int]]:
    """A concurrent.futures executor on the cluster, and how many workers it has."""
    try:
        from distributed import Client, LocalCluster
    except ImportError as exc:
        raise UsageError(
            "--scheduler needs Dask's distributed scheduler, which is not installed: "
            "pip install 'tpqc[cluster]'"
        ) from exc
    # distributed sets its loggers to INFO when imported ("Nanny at ... closed"): below -vv
    # they are tpqc's business to keep quiet.
    chatter = (
        logging.DEBUG if logging.getLogger("tpqc").isEnabledFor(logging.DEBUG) else logging.ERROR
    )
    for name in ("distributed", "tornado", "bokeh"):
        logging.getLogger(name).setLevel(chatter)
    cluster = None
    if scheduler.startswith("local:"):
        try:
            count = int(scheduler.split(":", 1)[1])
        except ValueError:
            raise UsageError(f"--scheduler {scheduler!r}: use local:N with a number") from None
        cluster = LocalCluster(
            n_workers=count,
            threads_per_worker=1,
            processes=True,
            dashboard_address=None,
            host="127.0.0.1",
            silence_logs=chatter,
        )
        client = Client(cluster)
    else:
        try:
            client = Client(scheduler, timeout="20s")
        except OSError as exc:
            raise UsageError(f"cannot reach the Dask scheduler {scheduler}: {exc}") from exc
    try:
        workers = sum(w.get("nthreads", 1) for w in client.scheduler_info()["workers"].values())
        yield client.get_executor(pure=False), max(1, workers)
    finally:
        client.close()
        if cluster is not None:
            cluster.close()
