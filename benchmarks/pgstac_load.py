"""Load a catalog of N items into pgSTAC: `tpqc pgstac` against `pypgstac load`, side by side.

    python benchmarks/pgstac_load.py 100000 /tmp/pgstac-bench

The catalog is written by benchmarks/big_catalog.py (synthetic facts, as after a
validation). A throwaway PostgreSQL 15 + PostGIS cluster from Debian's packages is started
in a temporary folder (as ``nobody`` when run as root, fsync off as in the tests); every load
gets a fresh database migrated by ``pypgstac migrate``. Measured, wall time and peak memory
of the whole process tree:

- ``tpqc pgstac CATALOG``: check-stac on the catalog, then collections and items upserted in
  one transaction;
- the same again on the loaded database (nothing changed: idempotent);
- ``pypgstac load collections`` + ``pypgstac load items --method upsert`` on the same items as
  NDJSON (what a user would otherwise run; writing the NDJSON from the catalog's files is
  not counted);
- ``tpqc pgstac --no-check``-equivalent cost is the first row minus ``tpqc check-stac``
  alone, reported as its own row.

Prints a Markdown table.
"""

from __future__ import annotations

import json
import os
import shutil
import socket
import subprocess
import sys
import tempfile
import threading
import time
from pathlib import Path

BINARIES = Path("/usr/lib/postgresql/15/bin")
HERE = Path(__file__).resolve().parent
BIN = Path(sys.executable).parent


def _as_postgres(command: list[str]) -> list[str]:
    return ["runuser", "-u", "nobody", "--", *command] if os.geteuid() == 0 else command


def _free_port() -> int:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return int(probe.getsockname()[1])


def _tree_rss_kib(root: int) -> int:
    """Resident memory of a process and all its descendants (KiB)."""
    total, pending = 0, [root]
    while pending:
        pid = pending.pop()
        try:
            with open(f"/proc/{pid}/status", encoding="ascii") as status:  # noqa: PTH123
                for line in status:
                    if line.startswith("VmRSS:"):
                        total += int(line.split()[1])
            with open(f"/proc/{pid}/task/{pid}/children", encoding="ascii") as kids:  # noqa: PTH123
                pending += [int(k) for k in kids.read().split()]
        except (OSError, ValueError):
            continue
    return total


def timed(command: list[str]) -> tuple[float, float]:
    """(seconds, peak MB of the process tree) of one command; it must succeed."""
    started = time.perf_counter()
    process = subprocess.Popen(command, stdout=subprocess.DEVNULL, stderr=subprocess.PIPE)
    peak = 0
    done = threading.Event()

    def sample() -> None:
        nonlocal peak
        while not done.is_set():
            peak = max(peak, _tree_rss_kib(process.pid))
            time.sleep(0.05)

    sampler = threading.Thread(target=sample, daemon=True)
    sampler.start()
    _, err = process.communicate()
    done.set()
    sampler.join()
    seconds = time.perf_counter() - started
    if process.returncode != 0:
        raise SystemExit(f"{command[:3]} failed: {err.decode()[-2000:]}")
    return seconds, peak / 1024


class Cluster:
    """A throwaway PostgreSQL cluster on a free 127.0.0.1 port."""

    def __init__(self) -> None:
        self.folder = Path(tempfile.mkdtemp(prefix="tpqc-bench-postgres-"))
        if os.geteuid() == 0:
            shutil.chown(self.folder, "nobody")
        self.data = self.folder / "data"
        self.port = _free_port()
        subprocess.run(
            _as_postgres(
                [
                    *(str(BINARIES / "initdb"), "-D", str(self.data), "-U", "postgres"),
                    *("--auth=trust", "-E", "UTF8"),
                ]
            ),
            check=True,
            capture_output=True,
        )
        options = (
            f"-k {self.folder} -c listen_addresses=127.0.0.1 -p {self.port} -c fsync=off"
            " -c full_page_writes=off -c synchronous_commit=off"
        )
        subprocess.run(
            _as_postgres(
                [
                    *(str(BINARIES / "pg_ctl"), "-D", str(self.data)),
                    *("-l", str(self.folder / "log"), "-o", options, "-w", "start"),
                ]
            ),
            check=True,
            capture_output=True,
        )

    def database(self, name: str) -> str:
        import psycopg

        with psycopg.connect(self.dsn("postgres"), autocommit=True) as connection:
            connection.execute(f"DROP DATABASE IF EXISTS {name}")
            connection.execute(f"CREATE DATABASE {name}")
        dsn = self.dsn(name)
        subprocess.run([str(BIN / "pypgstac"), "migrate", "--dsn", dsn], check=True)
        return dsn

    def dsn(self, name: str) -> str:
        return f"postgresql://postgres@127.0.0.1:{self.port}/{name}"

    def count(self, dsn: str) -> int:
        import psycopg

        with psycopg.connect(dsn) as connection:
            row = connection.execute("SELECT count(*) FROM pgstac.items").fetchone()
        return int(row[0]) if row else 0

    def stop(self) -> None:
        subprocess.run(
            _as_postgres([str(BINARIES / "pg_ctl"), "-D", str(self.data), "-m", "fast", "stop"]),
            capture_output=True,
            check=False,
        )
        shutil.rmtree(self.folder, ignore_errors=True)


def write_ndjson(catalog: Path, items: Path, collections: Path) -> int:
    """The catalog's items and collections as pypgstac's input files; returns the item count."""
    count = 0
    with (
        items.open("w", encoding="utf-8") as out_items,
        collections.open("w", encoding="utf-8") as out_collections,
    ):
        for path in sorted(catalog.rglob("*.json")):
            document = json.loads(path.read_text(encoding="utf-8"))
            if document.get("type") == "Feature":
                out_items.write(json.dumps(document, separators=(",", ":")) + "\n")
                count += 1
            elif document.get("type") == "Collection":
                out_collections.write(json.dumps(document, separators=(",", ":")) + "\n")
    return count


def main() -> None:
    count = int(sys.argv[1])
    work = Path(sys.argv[2])
    work.mkdir(parents=True, exist_ok=True)
    catalog = work / f"catalog-{count}"
    if not (catalog / "catalog.json").is_file():
        subprocess.run([sys.executable, str(HERE / "big_catalog.py"), str(count), str(catalog)])
    items, collections = work / "items.ndjson", work / "collections.ndjson"
    loaded = write_ndjson(catalog, items, collections)
    cluster = Cluster()
    rows: list[tuple[str, float, float, int]] = []
    try:
        tpqc = str(BIN / "tpqc")
        dsn = cluster.database("bench_tpqc")
        seconds, peak = timed([tpqc, "pgstac", str(catalog), "--dsn", dsn, "--no-assets", "-q"])
        rows.append(
            ("tpqc pgstac (check-stac, then one transaction)", seconds, peak, cluster.count(dsn))
        )
        seconds, peak = timed([tpqc, "pgstac", str(catalog), "--dsn", dsn, "--no-assets", "-q"])
        rows.append(
            ("tpqc pgstac again (unchanged: idempotent)", seconds, peak, cluster.count(dsn))
        )
        seconds, peak = timed([tpqc, "check-stac", str(catalog), "--no-assets", "-q"])
        rows.append(("  of which: tpqc check-stac alone", seconds, peak, 0))
        dsn = cluster.database("bench_pypgstac")
        pypgstac = str(BIN / "pypgstac")
        first, peak_a = timed(
            [pypgstac, "load", "collections", str(collections), "--dsn", dsn, "--method", "upsert"]
        )
        second, peak_b = timed(
            [pypgstac, "load", "items", str(items), "--dsn", dsn, "--method", "upsert"]
        )
        rows.append(
            (
                "pypgstac load collections + items --method upsert (NDJSON)",
                first + second,
                max(peak_a, peak_b),
                cluster.count(dsn),
            )
        )
    finally:
        cluster.stop()
    print(f"| {loaded:,} items | wall s | peak MB | ms per item | items in pgSTAC |")
    print("| --- | ---: | ---: | ---: | ---: |")
    for label, seconds, peak, in_db in rows:
        print(
            f"| {label} | {seconds:.1f} | {peak:.0f} | {1000 * seconds / loaded:.2f} | {in_db:,} |"
        )


if __name__ == "__main__":
    main()
