"""tpqc pgstac against a real PostgreSQL + PostGIS with pgSTAC, and the STAC API that serves
it (stac-fastapi-pgstac under uvicorn on 127.0.0.1): collections and items in one
transaction, idempotent, updated when a file changes, pruned on request, refused when the
catalog fails check-stac or the pgSTAC version is unsupported, and the API returns the
items with the content of the files."""

from __future__ import annotations

import json
import os
import shutil
import subprocess
import sys
import time
import urllib.request
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import psycopg
import pytest

from tpqc.examples.qilian.generate import write_example as write_qilian
from tpqc.examples.wudaoliang.generate import alt_field, write_alt, write_example
from tpqc_testkit import run_cli

from .conftest import Cluster, free_port

PREFIX = "https://data.example.org/"


def publish(spec: Path, out: Path) -> Path:
    result = run_cli(
        "stac", str(spec), "--out", str(out), "--asset-href-prefix", PREFIX, "--no-cache", "-q"
    )
    assert result.exit_code == 0, result.output
    return out


def load(catalog: Path, dsn: str, *extra: str) -> tuple[int, str]:
    result = run_cli("pgstac", str(catalog), "--dsn", dsn, *extra)
    return result.exit_code, result.stdout + result.stderr


def rows(dsn: str, query: str, *args: Any) -> list[tuple[Any, ...]]:
    with psycopg.connect(dsn) as connection:
        return list(connection.execute(query, args).fetchall())


def stored_item(dsn: str, item_id: str, collection: str) -> dict[str, Any]:
    ((item,),) = rows(dsn, "SELECT pgstac.get_item(%s, %s)", item_id, collection)
    return dict(item)


def file_items(catalog: Path) -> dict[str, dict[str, Any]]:
    found = {}
    for path in catalog.rglob("*.json"):
        document = json.loads(path.read_text(encoding="utf-8"))
        if document.get("type") == "Feature":
            found[document["id"]] = document
    return found


def same_content(stored: dict[str, Any], written: dict[str, Any]) -> None:
    for key in ("id", "collection", "bbox", "geometry", "assets"):
        assert stored[key] == written[key], key
    # pgSTAC keeps no null property (an interval's "datetime": null comes back absent)
    assert {k: v for k, v in stored["properties"].items() if v is not None} == {
        k: v for k, v in written["properties"].items() if v is not None
    }


@pytest.fixture(scope="module")
def wudaoliang(tmp_path_factory: pytest.TempPathFactory) -> Path:
    folder = tmp_path_factory.mktemp("pg-wudaoliang")
    write_example(folder / "data")
    return folder / "data" / "spec.yaml"


def test_the_example_is_loaded_with_the_files_content(
    wudaoliang: Path, database: str, tmp_path: Path
) -> None:
    catalog = publish(wudaoliang, tmp_path / "catalog")
    code, output = load(catalog, database)
    assert code == 0, output
    assert rows(database, "SELECT id FROM pgstac.collections") == [("wudaoliang-alt",)]
    written = file_items(catalog)
    assert sorted(r[0] for r in rows(database, "SELECT id FROM pgstac.items")) == sorted(written)
    for item_id, item in written.items():
        stored = stored_item(database, item_id, "wudaoliang-alt")
        same_content(stored, item)
        assert stored["assets"]["data"]["href"].startswith(PREFIX)
        # the static catalog's relative links stay behind: the API makes its own
        assert not [link for link in stored.get("links", []) if not link["href"].startswith("http")]


def test_loading_twice_changes_nothing_and_a_changed_file_is_updated(
    wudaoliang: Path, database: str, tmp_path: Path
) -> None:
    catalog = publish(wudaoliang, tmp_path / "catalog")
    assert load(catalog, database)[0] == 0
    before = {i: stored_item(database, i, "wudaoliang-alt") for i in file_items(catalog)}
    assert load(catalog, database)[0] == 0
    after = {i: stored_item(database, i, "wudaoliang-alt") for i in file_items(catalog)}
    assert after == before
    data = tmp_path / "data"
    shutil.copytree(wudaoliang.parent, data)
    changed = alt_field(2018)
    changed[changed >= 0] += 0.1  # the same grid, other values (nodata kept)
    (data / "Wudaoliang_ALT_2018.tif").unlink()
    write_alt(data / "Wudaoliang_ALT_2018.tif", changed)
    again = publish(data / "spec.yaml", tmp_path / "again")
    assert load(again, database)[0] == 0
    old = before["Wudaoliang_ALT_2018"]["assets"]["data"]["file:checksum"]
    new = stored_item(database, "Wudaoliang_ALT_2018", "wudaoliang-alt")
    assert new["assets"]["data"]["file:checksum"] != old
    assert (
        new["assets"]["data"]["file:checksum"]
        == file_items(again)["Wudaoliang_ALT_2018"]["assets"]["data"]["file:checksum"]
    )


def test_an_item_moved_in_time_is_one_row_in_its_new_partition(
    wudaoliang: Path, database: str, tmp_path: Path
) -> None:
    catalog = publish(wudaoliang, tmp_path / "catalog")
    assert load(catalog, database)[0] == 0
    with psycopg.connect(database, autocommit=True) as connection:  # a partition per year
        connection.execute("UPDATE pgstac.collections SET partition_trunc = 'year'")
    (path,) = catalog.rglob("Wudaoliang_ALT_2017.json")
    item = json.loads(path.read_text(encoding="utf-8"))
    properties = item["properties"]
    properties["start_datetime"] = "2019-01-01T00:00:00Z"
    properties["end_datetime"] = "2019-12-31T23:59:59Z"
    path.write_text(json.dumps(item), encoding="utf-8")
    code, output = load(catalog, database)
    assert code == 0, output
    moved = rows(
        database,
        "SELECT datetime, end_datetime FROM pgstac.items WHERE id = %s",
        "Wudaoliang_ALT_2017",
    )
    assert len(moved) == 1 and moved[0][0].year == 2019
    assert len(rows(database, "SELECT id FROM pgstac.items")) == 4


def test_prune_removes_only_what_the_catalog_no_longer_has(
    wudaoliang: Path, database: str, tmp_path: Path
) -> None:
    assert load(publish(wudaoliang, tmp_path / "full"), database)[0] == 0
    data = tmp_path / "data"
    shutil.copytree(wudaoliang.parent, data)
    (data / "Wudaoliang_ALT_2020.tif").unlink()
    spec = data / "spec.yaml"
    spec.write_text(
        spec.read_text(encoding="utf-8")
        .replace("max: 2020}", "max: 2019}")
        .replace("end: 2020-12-31", "end: 2019-12-31"),
        encoding="utf-8",
    )
    smaller = publish(spec, tmp_path / "smaller")
    assert load(smaller, database)[0] == 0
    assert len(rows(database, "SELECT id FROM pgstac.items")) == 4  # kept without --prune
    code, output = load(smaller, database, "--prune")
    assert code == 0 and "1 pruned" in output
    ids = sorted(r[0] for r in rows(database, "SELECT id FROM pgstac.items"))
    assert ids == [f"Wudaoliang_ALT_{y}" for y in (2017, 2018, 2019)]


def test_a_failure_half_way_leaves_the_previous_state(
    wudaoliang: Path, database: str, tmp_path: Path
) -> None:
    catalog = publish(wudaoliang, tmp_path / "catalog")
    assert load(catalog, database)[0] == 0
    before = rows(database, "SELECT id, content::text FROM pgstac.items ORDER BY id")
    with psycopg.connect(database, autocommit=True) as connection:
        connection.execute(
            """CREATE FUNCTION refuse() RETURNS trigger LANGUAGE plpgsql AS $$
            BEGIN IF NEW.id = 'Wudaoliang_ALT_2020' THEN RAISE EXCEPTION 'refused'; END IF;
            RETURN NEW; END $$;
            CREATE TRIGGER refuse BEFORE INSERT OR UPDATE ON pgstac.items
            FOR EACH ROW EXECUTE FUNCTION refuse();"""
        )
        connection.execute(
            'UPDATE pgstac.collections SET content = content || \'{"title": "old"}\''
        )
    code, output = load(catalog, database)
    assert code == 2 and "nothing was changed" in output
    assert rows(database, "SELECT id, content::text FROM pgstac.items ORDER BY id") == before
    assert rows(database, "SELECT content->>'title' FROM pgstac.collections") == [("old",)]


def test_a_catalog_failing_check_stac_is_not_loaded(
    wudaoliang: Path, database: str, tmp_path: Path
) -> None:
    catalog = publish(wudaoliang, tmp_path / "catalog")
    collection = catalog / "wudaoliang-alt" / "collection.json"
    document = json.loads(collection.read_text(encoding="utf-8"))
    del document["extent"]
    collection.write_text(json.dumps(document), encoding="utf-8")
    code, output = load(catalog, database)
    assert code == 1 and "S002" in output
    assert rows(database, "SELECT count(*) FROM pgstac.items") == [(0,)]


def test_an_unsupported_pgstac_or_no_database_is_a_tool_error(
    wudaoliang: Path, database: str, cluster: Cluster, tmp_path: Path
) -> None:
    catalog = publish(wudaoliang, tmp_path / "catalog")
    with psycopg.connect(database, autocommit=True) as connection:
        connection.execute(
            "INSERT INTO pgstac.migrations (version, datetime) "
            "VALUES ('0.12.1', now() + interval '1 day')"
        )
    code, output = load(catalog, database)
    assert code == 2 and "0.12.1" in output and "0.9.0" in output
    secret = "s3cr3t-password"
    code, output = load(catalog, f"postgresql://someone:{secret}@127.0.0.1:{free_port()}/x")
    assert code == 2 and secret not in output


def test_a_netcdf_and_a_table_dataset_are_loaded(database: str, tmp_path: Path) -> None:
    spec = write_qilian(tmp_path / "qilian")
    catalog = publish(spec, tmp_path / "catalog")
    code, output = load(catalog, database)
    assert code == 0, output
    counts = dict(rows(database, "SELECT collection, count(*) FROM pgstac.items GROUP BY 1"))
    assert counts == {
        "qilian-integrated-lst": 6,
        "qilian-integrated-land-cover": 2,
        "qilian-integrated-soil-moisture": 12,
        "qilian-integrated-aws": 2,
    }
    written = file_items(catalog)
    same_content(
        stored_item(database, "SM_201803", "qilian-integrated-soil-moisture"), written["SM_201803"]
    )
    same_content(
        stored_item(database, "Arou_AWS_2019", "qilian-integrated-aws"), written["Arou_AWS_2019"]
    )


@pytest.fixture
def api(database: str) -> Iterator[str]:
    """stac-fastapi-pgstac serving the database on a free 127.0.0.1 port."""
    pytest.importorskip("stac_fastapi.pgstac")
    port = free_port()
    settings = psycopg.conninfo.conninfo_to_dict(database)
    env = {
        **os.environ,
        "PGUSER": str(settings["user"]),
        "PGPASSWORD": "unused",
        "PGHOST": str(settings["host"]),
        "PGPORT": str(settings["port"]),
        "PGDATABASE": str(settings["dbname"]),
    }
    server = subprocess.Popen(
        [
            sys.executable,
            "-m",
            "uvicorn",
            "stac_fastapi.pgstac.app:create_app",
            "--factory",
            "--host",
            "127.0.0.1",
            "--port",
            str(port),
        ],
        env=env,
        stdout=subprocess.DEVNULL,
        stderr=subprocess.PIPE,
    )
    base = f"http://127.0.0.1:{port}"
    try:
        for _ in range(150):
            try:
                urllib.request.urlopen(f"{base}/", timeout=1).close()
                break
            except OSError:
                if server.poll() is not None:
                    pytest.fail(server.stderr.read().decode() if server.stderr else "no API")
                time.sleep(0.2)
        yield base
    finally:
        server.terminate()
        server.wait(timeout=20)
        if server.stderr is not None:
            server.stderr.close()


def get(url: str) -> dict[str, Any]:
    with urllib.request.urlopen(url, timeout=20) as response:
        document: dict[str, Any] = json.loads(response.read())
    return document


def test_the_stac_api_serves_the_files_content(
    wudaoliang: Path, database: str, api: str, tmp_path: Path
) -> None:
    catalog = publish(wudaoliang, tmp_path / "catalog")
    assert load(catalog, database)[0] == 0
    written = file_items(catalog)
    collection = get(f"{api}/collections/wudaoliang-alt")
    on_disk = json.loads((catalog / "wudaoliang-alt" / "collection.json").read_text())
    assert collection["extent"] == on_disk["extent"] and collection["license"] == on_disk["license"]
    items = get(f"{api}/collections/wudaoliang-alt/items")["features"]
    assert sorted(i["id"] for i in items) == sorted(written)
    for item in items:
        same_content(item, written[item["id"]])
    found = get(
        f"{api}/search?bbox=91.8,34.8,94.04,35.61"
        "&datetime=2018-03-01T00:00:00Z/2018-06-30T00:00:00Z&collections=wudaoliang-alt"
    )["features"]
    assert [i["id"] for i in found] == ["Wudaoliang_ALT_2018"]
    same_content(found[0], written["Wudaoliang_ALT_2018"])
    nowhere = get(f"{api}/search?bbox=0,0,1,1&collections=wudaoliang-alt")["features"]
    assert nowhere == []
