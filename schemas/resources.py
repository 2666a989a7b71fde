"""Access to the JSON files shipped inside ``tpqc.schemas``."""

from __future__ import annotations

import json
from functools import cache
from importlib import resources
from typing import Any


@cache
def load_json_schema(name: str) -> dict[str, Any]:
    """Load a JSON Schema bundled with tpqc, e.g. ``dataset-spec.schema.json``."""
    text = resources.files("tpqc.schemas").joinpath(name).read_text(encoding="utf-8")
    schema: dict[str, Any] = json.loads(text)
    return schema
