"""ISO 19139 XML and DCAT (JSON-LD) through pygeometa: its metadata control file (MCF) is
built from the dataset record, checked against pygeometa's MCF schema, and written by
pygeometa's own output schemas (:func:`_checked` says why not against pygeometa's MCF
schema). The record's date is an input (``date``), never the clock,
so the same dataset gives the same bytes; the progress status is ``completed`` (the record
describes a dataset being published)."""

from __future__ import annotations

import datetime as dt
from typing import Any

from tpqc.schemas.errors import UsageError
from tpqc.stac.records.record import DatasetRecord

TOPIC = "geoscientificInformation"


def _time(moment: dt.datetime) -> str:
    return moment.strftime("%Y-%m-%dT%H:%M:%SZ")


def mcf_document(record: DatasetRecord, date: str) -> dict[str, Any]:
    """The record as a pygeometa metadata control file."""
    missing = [
        name
        for name, value in (
            ("a DOI (dataset.doi) for the record's URL", record.landing_url),
            ("the files' extent", record.bbox),
            ("a licence (dataset.license)", record.license),
        )
        if not value
    ]
    if missing:
        raise UsageError("ISO 19139 and DCAT need " + ", ".join(missing))
    assert record.bbox is not None and record.landing_url is not None
    extents: dict[str, Any] = {"spatial": [{"bbox": list(record.bbox), "crs": 4326}]}
    if record.start and record.end:
        extents["temporal"] = [
            {
                "begin": _time(record.start),
                "end": _time(record.end),
                **({"resolution": record.resolution} if record.resolution else {}),
            }
        ]
    identification: dict[str, Any] = {
        "language": "en",
        "charset": "utf8",
        "title": record.title,
        "abstract": record.description,
        "dates": {"publication": str(record.publication_year)} if record.publication_year else {},
        "topiccategory": [TOPIC],
        "extents": extents,
        "fees": "None",
        "accessconstraints": "otherRestrictions",
        "rights": f"{record.license} {record.license_url or ''}".strip(),
        "url": record.landing_url,
        "status": "completed",
        "maintenancefrequency": "notPlanned",
    }
    if record.keywords:
        identification["keywords"] = {
            "default": {"keywords": list(record.keywords), "keywords_type": "theme"}
        }
    contact: dict[str, Any] = {}
    if record.publisher:
        # url None, not absent: pygeometa's DCAT writer looks it up on every contact
        contact["pointOfContact"] = {"organization": record.publisher, "url": record.publisher_url}
        contact["distributor"] = {"organization": record.publisher, "url": record.publisher_url}
    for index, creator in enumerate(record.creators):
        contact[f"creator{index}"] = {"individualname": creator.name, "role": "author", "url": None}
    distribution = {
        product.name: {
            "url": record.landing_url,
            "type": "WWW:LINK",
            "rel": "item",
            "name": product.title,
            "description": f"{product.files} files, {product.size} bytes, {product.media_type}",
            "function": "download",
        }
        for product in record.products
    }
    return {
        "mcf": {"version": 1.0},
        "metadata": {
            "identifier": record.identifier,
            "language": "en",
            "charset": "utf8",
            "hierarchylevel": "dataset",
            "datestamp": date,
            "dataseturi": record.landing_url,
        },
        "spatial": {"datatype": "grid", "geomtype": "surface"},
        "identification": identification,
        "contact": contact,
        "distribution": distribution,
    }


def _checked(record: DatasetRecord, date: str) -> dict[str, Any]:
    """The MCF. pygeometa's MCF schema wants a phone, fax, postal address and e-mail for
    every contact, which ISO 19139 does not (a name and a role suffice) and a spec does not
    hold: the MCF is not held to it (nothing is invented to please it); the tests parse the
    written XML back instead."""
    return mcf_document(record, date)


def iso19139_xml(record: DatasetRecord, date: str) -> str:
    """ISO 19139 XML."""
    from pygeometa.schemas.iso19139 import ISO19139OutputSchema

    text = str(ISO19139OutputSchema().write(_checked(record, date)))
    return text if text.endswith("\n") else text + "\n"


def dcat_json(record: DatasetRecord, date: str) -> str:
    """DCAT as JSON-LD."""
    from pygeometa.schemas.dcat import DCATOutputSchema

    text = str(DCATOutputSchema().write(_checked(record, date)))
    return text if text.endswith("\n") else text + "\n"
