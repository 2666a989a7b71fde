"""A throwaway PostgreSQL 15 + PostGIS cluster from Debian's packages for the pgSTAC tests:
``initdb`` in a temporary folder (as the unprivileged ``nobody`` when the tests run as
root), listening on a free 127.0.0.1 port, stopped at the end. Each test gets a database of
its own with pgSTAC installed by ``pypgstac migrate``. Without PostgreSQL the tests skip
with what to install, unless ``TPQC_REQUIRE_POSTGRES`` makes that a failure (``.ci/run``)."""

from __future__ import annotations

import os
import shutil
import socket
import subprocess
import sys
import tempfile
import uuid
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path

import pytest

BINARIES = Path("/usr/lib/postgresql/15/bin")


@dataclass(frozen=True)
class Cluster:
    port: int

    def dsn(self, database: str = "postgres") -> str:
        return f"postgresql://postgres@127.0.0.1:{self.port}/{database}"


def free_port() -> int:
    with socket.socket(socket.AF_INET, socket.SOCK_STREAM) as probe:
        probe.bind(("127.0.0.1", 0))
        return int(probe.getsockname()[1])


def as_postgres_user(command: list[str]) -> list[str]:
    """PostgreSQL refuses to run as root: as root, run it as ``nobody``."""
    if os.geteuid() == 0:
        return ["runuser", "-u", "nobody", "--", *command]
    return command


@pytest.fixture(scope="session")
def cluster() -> Iterator[Cluster]:
    if not (BINARIES / "initdb").is_file():
        message = "PostgreSQL 15 + PostGIS: apt-get install postgresql-15 postgresql-15-postgis-3"
        if os.environ.get("TPQC_REQUIRE_POSTGRES"):
            pytest.fail(message)
        pytest.skip(message)
    # not under pytest's own temporary folder: as root that is private to root, and the
    # cluster runs as nobody
    folder = Path(tempfile.mkdtemp(prefix="tpqc-postgres-"))
    try:
        yield from _running_cluster(folder)
    finally:  # the cluster's 300 MB go with it (one folder was left behind per session)
        shutil.rmtree(folder, ignore_errors=True)


def _running_cluster(folder: Path) -> Iterator[Cluster]:
    """initdb in ``folder``, the server started as an unprivileged user, stopped after."""
    if os.geteuid() == 0:
        shutil.chown(folder, "nobody")
    data = folder / "data"
    subprocess.run(
        as_postgres_user(
            [
                str(BINARIES / "initdb"),
                "-D",
                str(data),
                "-U",
                "postgres",
                "--auth=trust",
                "-E",
                "UTF8",
            ]
        ),
        check=True,
        capture_output=True,
    )
    port = free_port()
    options = (
        f"-k {folder} -c listen_addresses=127.0.0.1 -p {port} -c fsync=off -c full_page_writes=off"
    )
    subprocess.run(
        as_postgres_user(
            [
                str(BINARIES / "pg_ctl"),
                "-D",
                str(data),
                "-l",
                str(folder / "log"),
                "-o",
                options,
                "-w",
                "start",
            ]
        ),
        check=True,
        capture_output=True,
    )
    try:
        yield Cluster(port)
    finally:
        subprocess.run(
            as_postgres_user(
                [str(BINARIES / "pg_ctl"), "-D", str(data), "-m", "immediate", "stop"]
            ),
            capture_output=True,
            check=False,
        )


@pytest.fixture
def database(cluster: Cluster) -> str:
    """A new database with pgSTAC installed; its DSN."""
    import psycopg

    name = f"t_{uuid.uuid4().hex[:12]}"
    with psycopg.connect(cluster.dsn(), autocommit=True) as connection:
        connection.execute(f"CREATE DATABASE {name}")
    dsn = cluster.dsn(name)
    subprocess.run(
        [str(Path(sys.executable).parent / "pypgstac"), "migrate", "--dsn", dsn],
        check=True,
        capture_output=True,
    )
    return dsn
