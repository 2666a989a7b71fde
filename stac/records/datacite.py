"""DataCite 4.5 from a dataset record, through the ``datacite`` package: its JSON form,
validated with the package's DataCite 4.5 schema before anything is written, and the XML
the package serialises from it. Creators keep their name parts, dates say when the data was
collected (its real first and last time), the licence is an SPDX identifier with its URI,
the location is the box around the files' footprints, sizes and formats come from the files,
and the CSTR is a related identifier."""

from __future__ import annotations

import json
from typing import Any

from tpqc.schemas.errors import UsageError
from tpqc.stac.records.record import DatasetRecord


def _creator(creator: Any) -> dict[str, Any]:
    out: dict[str, Any] = {"name": creator.name, "nameType": "Personal"}
    if creator.family and creator.given:
        out |= {"familyName": creator.family, "givenName": creator.given}
    else:
        del out["nameType"]  # a whole name: personal or organisational, the spec does not say
    return out


def _date(moment: Any) -> str:
    return str(moment.strftime("%Y-%m-%dT%H:%M:%SZ"))


def datacite_document(record: DatasetRecord) -> dict[str, Any]:
    """The record as DataCite 4.5 JSON (the ``datacite`` package's form)."""
    missing = [
        name
        for name, value in (
            ("a DOI (dataset.doi)", record.doi),
            ("creators (dataset.creators)", record.creators),
            ("a publisher (a provider with the role host or licensor)", record.publisher),
            ("a publication year (in dataset.citation)", record.publication_year),
        )
        if not value
    ]
    if missing:
        raise UsageError("DataCite needs " + ", ".join(missing))
    document: dict[str, Any] = {
        "schemaVersion": "http://datacite.org/schema/kernel-4",
        "doi": record.doi,
        "creators": [_creator(c) for c in record.creators],
        "titles": [{"title": record.title}],
        "publisher": {"name": record.publisher},
        "publicationYear": str(record.publication_year),
        "types": {"resourceTypeGeneral": "Dataset", "resourceType": "Dataset"},
        "sizes": [f"{record.size} bytes"]
        + [f"{p.files} files ({p.name})" for p in record.products],
        "formats": list(record.formats),
        "version": None,
    }
    del document["version"]
    if record.keywords:
        document["subjects"] = [{"subject": k} for k in record.keywords]
    if record.start and record.end:
        document["dates"] = [
            {
                "date": f"{_date(record.start)}/{_date(record.end)}",
                "dateType": "Collected",
            }
        ]
    if record.description:
        document["descriptions"] = [
            {"description": record.description, "descriptionType": "Abstract"}
        ]
    if record.license:
        rights: dict[str, Any] = {
            "rights": record.license,
            "rightsIdentifier": record.license,
            "rightsIdentifierScheme": "SPDX",
            "schemeUri": "https://spdx.org/licenses/",
        }
        if record.license_url:
            rights["rightsUri"] = record.license_url
        document["rightsList"] = [rights]
    if record.bbox:
        west, south, east, north = record.bbox
        document["geoLocations"] = [
            {
                "geoLocationBox": {
                    "westBoundLongitude": west,
                    "eastBoundLongitude": east,
                    "southBoundLatitude": south,
                    "northBoundLatitude": north,
                }
            }
        ]
    if record.cstr:
        document["relatedIdentifiers"] = [
            {
                "relatedIdentifier": f"https://cstr.cn/{record.cstr}",
                "relatedIdentifierType": "URL",
                "relationType": "IsIdenticalTo",
            }
        ]
    return document


def validated(record: DatasetRecord) -> dict[str, Any]:
    """The DataCite JSON, checked against the DataCite 4.5 schema."""
    from datacite import schema45

    document = datacite_document(record)
    validator = schema45.validator
    problems = sorted(validator.iter_errors(document), key=lambda e: list(map(str, e.path)))
    if problems:
        first = problems[0]
        where = ".".join(str(p) for p in first.absolute_path) or "(the record)"
        raise UsageError(f"the DataCite record is invalid at {where}: {first.message}")
    return document


def datacite_json(record: DatasetRecord) -> str:
    """DataCite 4.5 JSON."""
    return json.dumps(validated(record), ensure_ascii=False, indent=2) + "\n"


def datacite_xml(record: DatasetRecord) -> str:
    """DataCite 4.5 XML."""
    from datacite import schema45

    text: str = schema45.tostring(validated(record))
    return text if text.endswith("\n") else text + "\n"
