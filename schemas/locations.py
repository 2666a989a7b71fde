"""What a data location written in a spec or on the command line means."""

from __future__ import annotations


def is_remote(location: str) -> bool:
    """True for GDAL virtual paths (/vsicurl/, /vsis3/ ...) and http(s) URLs."""
    return location.startswith(("/vsi", "http://", "https://"))
