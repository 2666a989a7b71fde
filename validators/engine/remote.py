"""Data roots on the network: GDAL's /vsicurl/ (HTTP range reads), plain http(s) URLs, and
S3-compatible buckets (``s3://``, ``/vsis3/``: :mod:`.buckets`, with credentials).

An http root is listed from its HTTP directory index (HTML links, or the <Key> entries of a
public S3 bucket listing); a bucket with obstore. GDAL reads rasters block by block; the
checksum streams the file once. Giving a URL as the data root is the opt-in to the network.
"""

from __future__ import annotations

import hashlib
import re
import shutil
import urllib.parse
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from pathlib import Path

TIMEOUT_SECONDS = 60
VSICURL = "/vsicurl/"


def http_url(location: str) -> str | None:
    """The http(s) URL behind a /vsicurl/ path or URL, else None (e.g. /vsis3/)."""
    bare = location[len(VSICURL) :] if location.startswith(VSICURL) else location
    return bare if bare.startswith(("http://", "https://")) else None


def public_root(location: str) -> str | None:
    """The address a catalog names for a remote root: its http(s) URL, or ``s3://bucket/key``
    for a bucket (given as ``s3://`` or ``/vsis3/``); None for a local root."""
    from tpqc.validators.engine.buckets import bucket_location

    found = bucket_location(location)
    if found is not None:
        return f"s3://{found[0]}/{found[1]}".rstrip("/")
    return http_url(location)


def join(root: str, relative: str) -> str:
    """A file's location under a remote root."""
    return root.rstrip("/") + "/" + urllib.parse.quote(relative)


def gdal_path(root: str, relative: str) -> str:
    """The path GDAL opens: http(s) roots go through /vsicurl/, buckets through /vsis3/."""
    from tpqc.validators.engine.buckets import bucket_location, vsis3_path

    if bucket_location(root) is not None:
        return vsis3_path(root.rstrip("/") + "/" + relative)
    location = join(root, relative)
    return VSICURL + location if location.startswith(("http://", "https://")) else location


def object_location(root: str, relative: str) -> str:
    """A file's location under a remote root, unquoted for buckets (object keys)."""
    from tpqc.validators.engine.buckets import bucket_location

    if bucket_location(root) is not None:
        return root.rstrip("/") + "/" + relative
    return join(root, relative)


def _open(url: str, method: str = "GET") -> object:
    import urllib.request  # with http.client: 20 ms, for remote roots only

    request = urllib.request.Request(url, method=method, headers={"User-Agent": "tpqc"})
    return urllib.request.urlopen(request, timeout=TIMEOUT_SECONDS)


def list_remote(root: str, depth: int = 3) -> list[str]:
    """Relative paths of the files below a remote root, from its directory listings (a
    bucket: every object below its prefix)."""
    from tpqc.validators.engine.buckets import bucket_location, list_bucket

    if bucket_location(root) is not None:
        return list_bucket(root)
    base = http_url(root)
    if base is None:
        raise ValueError(f"cannot list {root}: only http(s) and /vsicurl/ roots can be listed")
    base = base.rstrip("/") + "/"
    found: list[str] = []

    def walk(prefix: str, level: int) -> None:
        with _open(base + prefix) as response:  # type: ignore[attr-defined]
            text = response.read().decode("utf-8", "replace")
        names = re.findall(r'href="([^"?#]+)"', text) + re.findall(r"<Key>([^<]+)</Key>", text)
        for name in names:
            name = urllib.parse.unquote(name)
            if name.startswith(("/", "..", "http:", "https:")) or name in ("./", ""):
                continue
            if name.endswith("/"):
                if level < depth:
                    walk(prefix + name, level + 1)
            else:
                found.append(prefix + name)

    walk("", 0)
    return sorted(set(found))


def remote_size(location: str) -> int | None:
    """Content-Length of a remote file (a bucket object's size), or None when unknown."""
    from tpqc.validators.engine.buckets import bucket_location, object_head

    if bucket_location(location) is not None:
        return object_head(location)[0]
    url = http_url(location)
    if url is None:
        return None
    with _open(url, "HEAD") as response:  # type: ignore[attr-defined]
        length = response.headers.get("Content-Length")
    return int(length) if length else None


def remote_sha256(location: str, chunk: int = 1 << 20) -> str | None:
    """sha256 of a remote file streamed once (HTTP or a bucket), or None for others."""
    from tpqc.validators.engine.buckets import bucket_location, object_sha256

    if bucket_location(location) is not None:
        return object_sha256(location)
    url = http_url(location)
    if url is None:
        return None
    digest = hashlib.sha256()
    read: Callable[[int], bytes]
    with _open(url) as response:  # type: ignore[attr-defined]
        read = response.read
        while block := read(chunk):
            digest.update(block)
    return digest.hexdigest()


@contextmanager
def local_copy(root: str, relative: str) -> Iterator[Path]:
    """A remote file fetched once into a temporary folder, under its own name, for the
    readers that need a local file (tables, NetCDF); the folder is removed afterwards.
    Raises OSError when the file cannot be fetched."""
    import tempfile

    with tempfile.TemporaryDirectory(prefix="tpqc-fetched-") as folder:
        local = Path(folder) / Path(relative).name
        fetch(root, relative, local)
        yield local


def fetch(root: str, relative: str, target: Path) -> None:
    """A remote file into a local one (readers that need a file: tables, NetCDF)."""
    from tpqc.validators.engine.buckets import bucket_location, download

    location = object_location(root, relative)
    if bucket_location(root) is not None:
        download(location, target)
        return
    url = http_url(location)
    if url is None:
        raise OSError(f"{location}: only http(s), /vsicurl/ and s3:// files can be fetched")
    with _open(url) as response, target.open("wb") as out:  # type: ignore[attr-defined]
        shutil.copyfileobj(response, out)


def gdal_reason(exc: BaseException) -> str:
    """GDAL's own message: the last exception of the chain, without Python noise."""
    reasons = [str(exc)]
    seen = {id(exc)}
    current: BaseException | None = exc
    while current is not None:
        current = current.__cause__ or current.__context__
        if current is None or id(current) in seen:
            break
        seen.add(id(current))
        if str(current):
            reasons.append(str(current))
    return reasons[-1].strip() or type(exc).__name__
