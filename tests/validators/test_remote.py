"""Remote data roots: /vsicurl/ against a local HTTP server (with range requests) serving the
bundled example, giving the same facts as the local files."""

from __future__ import annotations

import http.server
import json
import os
import re
import threading
from collections.abc import Iterator
from functools import partial
from pathlib import Path
from typing import ClassVar

import pytest

from tpqc_testkit import run_cli, write_mixed_dataset


class RangeHandler(http.server.SimpleHTTPRequestHandler):
    """Static files with single HTTP byte ranges, as GDAL's /vsicurl/ asks for them."""

    def send_head(self):  # type: ignore[no-untyped-def]
        found = re.fullmatch(r"bytes=(\d+)-(\d*)", self.headers.get("Range", ""))
        path = self.translate_path(self.path)
        if not found or Path(path).is_dir():
            return super().send_head()
        try:
            stream = open(path, "rb")  # noqa: SIM115, PTH123 - handed to the server
        except OSError:
            self.send_error(404)
            return None
        size = os.fstat(stream.fileno()).st_size
        start = int(found.group(1))
        end = min(int(found.group(2) or size - 1), size - 1)
        stream.seek(start)
        self.range_left = end - start + 1
        self.send_response(206)
        self.send_header("Content-Range", f"bytes {start}-{end}/{size}")
        self.send_header("Content-Length", str(self.range_left))
        self.send_header("Accept-Ranges", "bytes")
        self.end_headers()
        return stream

    def copyfile(self, source, outputfile):  # type: ignore[no-untyped-def]
        left = getattr(self, "range_left", None)
        if left is None:
            return super().copyfile(source, outputfile)
        outputfile.write(source.read(left))
        return None

    def log_message(self, *args: object) -> None:
        pass


@pytest.fixture
def served(example: Path) -> Iterator[str]:
    handler = partial(RangeHandler, directory=str(example))
    server = http.server.ThreadingHTTPServer(("127.0.0.1", 0), handler)
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    yield f"http://127.0.0.1:{server.server_address[1]}/"
    server.shutdown()
    server.server_close()


def test_vsicurl_root_gives_the_same_report_as_local_files(example: Path, served: str) -> None:
    spec = str(example / "spec.yaml")
    local = json.loads(run_cli("validate", spec, "-f", "json", "-j", "1", "--no-cache").stdout)
    result = run_cli("validate", spec, "--data", f"/vsicurl/{served}", "-f", "json", "-j", "2")
    assert result.exit_code == 0, result.stderr
    remote = json.loads(result.stdout)
    assert remote["findings"] == [] and len(remote["files"]) == 4
    strip = {"path", "sha256", "bands", "size", "crs", "transform", "bounds_wgs84"}
    for mine, theirs in zip(local["files"], remote["files"], strict=True):
        assert {k: mine[k] for k in strip} == {k: theirs[k] for k in strip}


def test_catalog_of_a_remote_root_points_at_the_urls(
    example: Path, served: str, tmp_path: Path
) -> None:
    out = tmp_path / "stac"
    result = run_cli(
        "stac", str(example / "spec.yaml"), "--data", f"/vsicurl/{served}", "--out", str(out)
    )
    assert result.exit_code == 0, result.stderr
    item = json.loads(
        (out / "wudaoliang-alt" / "Wudaoliang_ALT_2017" / "Wudaoliang_ALT_2017.json").read_text()
    )
    assert item["assets"]["data"]["href"] == f"{served}Wudaoliang_ALT_2017.tif"
    digest = (
        __import__("hashlib").sha256((example / "Wudaoliang_ALT_2017.tif").read_bytes()).hexdigest()
    )
    assert item["assets"]["data"]["file:checksum"] == "1220" + digest


class CountingHandler(RangeHandler):
    """Counts the bytes of each file it sends (ranges and whole files)."""

    sent: ClassVar[dict[str, int]] = {}

    def copyfile(self, source, outputfile):  # type: ignore[no-untyped-def]
        class Counted:
            def write(inner, data: bytes) -> None:  # noqa: N805 - the outer self is the handler
                CountingHandler.sent[self.path] = CountingHandler.sent.get(self.path, 0) + len(data)
                outputfile.write(data)

        return super().copyfile(source, Counted())


def test_a_remote_netcdf_or_table_is_transferred_once(tmp_path: Path) -> None:
    """NetCDF and tables are fetched into a temporary file, read and hashed there: every
    byte crosses the network once (a NetCDF was fetched, then streamed again for its hash)."""
    spec = write_mixed_dataset(tmp_path / "data", rasters=1, netcdfs=1, tables=1)
    local = json.loads(run_cli("validate", str(spec), "-f", "json", "--no-cache").stdout)
    CountingHandler.sent = {}
    handler = partial(CountingHandler, directory=str(tmp_path / "data"))
    server = http.server.ThreadingHTTPServer(("127.0.0.1", 0), handler)
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    try:
        root = f"http://127.0.0.1:{server.server_address[1]}/"
        result = run_cli("validate", str(spec), "--data", root, "-f", "json", "--no-cache")
    finally:
        server.shutdown()
        server.server_close()
    assert result.exit_code in (0, 1), result.stderr
    remote = json.loads(result.stdout)
    digests = {f["path"]: f["sha256"] for f in remote["files"]}
    assert digests == {f["path"]: f["sha256"] for f in local["files"]}
    for name in (p.name for p in (tmp_path / "data").iterdir()):
        if name.endswith((".nc", ".csv")):
            assert CountingHandler.sent["/" + name] == (tmp_path / "data" / name).stat().st_size
