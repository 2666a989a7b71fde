"""Data roots on the network: GDAL's /vsicurl/ (HTTP range reads) and plain http(s) URLs.

A remote root is listed from its HTTP directory index (HTML links, or the <Key> entries of an
S3 bucket listing). GDAL reads rasters through /vsicurl/ block by block; the checksum streams
the file once over HTTP. Giving a URL as the data root is the opt-in to the network.
"""

from __future__ import annotations

import hashlib
import re
import urllib.parse
import urllib.request
from collections.abc import Callable

TIMEOUT_SECONDS = 60
VSICURL = "/vsicurl/"


def http_url(location: str) -> str | None:
    """The http(s) URL behind a /vsicurl/ path or URL, else None (e.g. /vsis3/)."""
    bare = location[len(VSICURL) :] if location.startswith(VSICURL) else location
    return bare if bare.startswith(("http://", "https://")) else None


def join(root: str, relative: str) -> str:
    """A file's location under a remote root."""
    return root.rstrip("/") + "/" + urllib.parse.quote(relative)


def gdal_path(root: str, relative: str) -> str:
    """The path GDAL opens: http(s) roots go through /vsicurl/."""
    location = join(root, relative)
    return VSICURL + location if location.startswith(("http://", "https://")) else location


def _open(url: str, method: str = "GET") -> object:
    request = urllib.request.Request(url, method=method, headers={"User-Agent": "tpqc"})
    return urllib.request.urlopen(request, timeout=TIMEOUT_SECONDS)


def list_remote(root: str, depth: int = 3) -> list[str]:
    """Relative paths of the files below a remote root, from its directory listings."""
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
    """Content-Length of a remote file, or None when unknown."""
    url = http_url(location)
    if url is None:
        return None
    with _open(url, "HEAD") as response:  # type: ignore[attr-defined]
        length = response.headers.get("Content-Length")
    return int(length) if length else None


def remote_sha256(location: str, chunk: int = 1 << 20) -> str | None:
    """sha256 of a remote file streamed once over HTTP, or None for non-http locations."""
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
