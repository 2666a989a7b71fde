"""Discovery and DOI metadata from the validated facts (:mod:`.record`), written as
DataCite 4.5 (:mod:`.datacite`), schema.org JSON-LD (:mod:`.schema_org`), ISO 19139 or DCAT
(:mod:`.iso`)."""

from __future__ import annotations

import datetime as dt

from tpqc.stac.records.record import DatasetRecord, build_record

__all__ = ["RECORD_FORMATS", "DatasetRecord", "build_record", "record_date", "render_record"]


RECORD_FORMATS: dict[str, tuple[str, str, str]] = {
    "datacite": ("datacite.xml", "application/vnd.datacite.datacite+xml", "DataCite 4.5"),
    "datacite-json": (
        "datacite.json",
        "application/vnd.datacite.datacite+json",
        "DataCite 4.5 (JSON)",
    ),
    "schema-org": ("schema-org.jsonld", "application/ld+json", "schema.org Dataset"),
    "iso19139": ("iso19139.xml", "application/vnd.iso.19139+xml", "ISO 19139"),
    "dcat": ("dcat.jsonld", "application/ld+json", "DCAT"),
}
"""Each format: the file name it is published under, its media type and its title."""


def record_date(record: DatasetRecord, given: str | None = None) -> str:
    """The record's own date: the one given, else ``SOURCE_DATE_EPOCH`` (the
    reproducible-builds convention), else the publication year of the citation; never the
    clock, so the same dataset gives the same bytes."""
    import os

    from tpqc.schemas.errors import UsageError

    if given:
        return given
    epoch = os.environ.get("SOURCE_DATE_EPOCH")
    if epoch and epoch.isdigit():
        return dt.datetime.fromtimestamp(int(epoch), dt.UTC).date().isoformat()
    if record.publication_year:
        return str(record.publication_year)
    raise UsageError(
        "the record needs a date: pass --date YYYY-MM-DD (or give the citation a year)"
    )


def render_record(record: DatasetRecord, fmt: str, date: str | None = None) -> str:
    """The record in one of :data:`RECORD_FORMATS`."""
    if fmt == "datacite":
        from tpqc.stac.records.datacite import datacite_xml

        return datacite_xml(record)
    if fmt == "datacite-json":
        from tpqc.stac.records.datacite import datacite_json

        return datacite_json(record)
    if fmt == "schema-org":
        from tpqc.stac.records.schema_org import schema_org_json

        return schema_org_json(record)
    from tpqc.stac.records.iso import dcat_json, iso19139_xml

    if fmt == "iso19139":
        return iso19139_xml(record, record_date(record, date))
    if fmt == "dcat":
        return dcat_json(record, record_date(record, date))
    raise ValueError(f"unknown metadata format {fmt!r}")
