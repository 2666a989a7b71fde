"""schema.org ``Dataset`` JSON-LD for a landing page, as Google's dataset guidelines ask:
name, description, identifier (the DOI as a URL), url, license URL, creators, keywords,
temporalCoverage as an ISO 8601 interval of the data's real first and last time,
spatialCoverage as a GeoShape box around the files' footprints, one distribution per
product with its encodingFormat and size, and variableMeasured from the spec's variables
and units."""

from __future__ import annotations

import json
from typing import Any

from tpqc.stac.records.record import DatasetRecord


def _time(moment: Any) -> str:
    return str(moment.strftime("%Y-%m-%dT%H:%M:%SZ"))


def schema_org_document(record: DatasetRecord) -> dict[str, Any]:
    """The record as a schema.org Dataset (JSON-LD)."""
    document: dict[str, Any] = {
        "@context": "https://schema.org/",
        "@type": "Dataset",
        "name": record.title,
        "description": record.description,
    }
    if record.landing_url:
        document["identifier"] = record.landing_url
        document["url"] = record.landing_url
        document["sameAs"] = [record.landing_url]
    if record.cstr:
        document.setdefault("sameAs", []).append(f"https://cstr.cn/{record.cstr}")
    if record.license_url or record.license:
        document["license"] = record.license_url or record.license
    if record.creators:
        document["creator"] = [
            {"@type": "Person", "name": c.name, "familyName": c.family, "givenName": c.given}
            if c.family
            else {"@type": "Person", "name": c.name}
            for c in record.creators
        ]
    if record.publisher:
        document["publisher"] = {"@type": "Organization", "name": record.publisher}
    if record.citation:
        document["citation"] = record.citation
    if record.keywords:
        document["keywords"] = list(record.keywords)
    if record.start and record.end:
        document["temporalCoverage"] = f"{_time(record.start)}/{_time(record.end)}"
    if record.bbox:
        west, south, east, north = record.bbox
        document["spatialCoverage"] = {
            "@type": "Place",
            "geo": {"@type": "GeoShape", "box": f"{south} {west} {north} {east}"},
        }
    variables = [v for p in record.products for v in p.variables]
    if variables:
        document["variableMeasured"] = [
            {
                "@type": "PropertyValue",
                "name": v.name,
                **({"unitText": v.unit} if v.unit else {}),
                **({"description": v.description} if v.description else {}),
            }
            for v in variables
        ]
    document["distribution"] = [
        {
            "@type": "DataDownload",
            "name": p.title,
            "encodingFormat": p.media_type,
            "contentSize": f"{p.size} B",
            **({"contentUrl": record.landing_url} if record.landing_url else {}),
        }
        for p in record.products
    ]
    return document


def schema_org_json(record: DatasetRecord) -> str:
    """schema.org Dataset JSON-LD."""
    return json.dumps(schema_org_document(record), ensure_ascii=False, indent=2) + "\n"
