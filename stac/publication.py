"""Publish the items of a validated dataset: the JSON catalog (staged, self-checked, swapped
into place), the GeoParquet file, or both, in one pass over the items.

Each item is made (:class:`~tpqc.stac.items.PublishedItems`), placed
(:class:`~tpqc.stac.build.CatalogStream`) and written the moment it is made, with its
thumbnail and its GeoParquet row; the collections, the metadata records and the report come
last, from the tally of the items. No list of items or documents is kept.
"""

from __future__ import annotations

from collections import Counter
from collections.abc import Iterator, Mapping
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import pystac

from tpqc.schemas.identity import CATALOG_REPORT_NAME
from tpqc.stac.build import CatalogStream, StacOptions, hrefs_outside
from tpqc.stac.items import PublishedItems
from tpqc.stac.schema_store import SchemaStore
from tpqc.stac.tree import MAX_DOCUMENT_BYTES
from tpqc.stac.write import CatalogWriteError, Staging, staged_catalog
from tpqc.validators.findings import Report

Document = tuple[str, dict[str, Any]]


@dataclass(frozen=True)
class CatalogRequest:
    """What to publish, and where."""

    target: Path | None
    """The catalog folder (replaced atomically); None: only ``geoparquet``."""
    geoparquet: Path | None = None
    asset_href_prefix: str | None = None
    copy_assets: bool = False
    schemas: Path | None = None
    """More STAC schemas for the self-check (a local mirror)."""
    metadata: tuple[str, ...] = ()
    """Metadata record formats to write beside the dataset's collection."""
    metadata_date: str | None = None


@dataclass(frozen=True)
class Publication:
    """What publishing did."""

    catalog_report: Report | None = None
    """The self-check of the new catalog (None: no JSON catalog)."""
    assets_outside: int = 0
    """Relative asset hrefs that leave the catalog folder (it breaks when moved)."""
    geoparquet_rows: int | None = None
    documents: Mapping[str, int] = field(default_factory=dict)
    """How many documents of each STAC type were written."""


class CatalogPublisher:
    """One publication of a dataset's items (see the module)."""

    def __init__(self, items: PublishedItems, request: CatalogRequest) -> None:
        self.items = items
        self.request = request
        # Without a JSON catalog the items' hrefs are laid out as if beside the GeoParquet file.
        place = request.target or Path(str(request.geoparquet)).with_suffix("")
        self.stream = CatalogStream(
            items.spec,
            StacOptions(place, request.asset_href_prefix, copy_assets=request.copy_assets),
        )
        self.store = SchemaStore.load(request.schemas)
        self.outside = 0
        self.largest = 0
        """The size of the largest document written (a collection of a million items
        links them all: over 100 MB)."""
        self.written: Counter[str] = Counter()
        self._closing: list[Document] | None = None

    def publish(self, report: Report) -> Publication:
        """Write what was asked for; ``report`` (the validation's) goes into the catalog."""
        target = self.request.target
        if target is None:
            return Publication(geoparquet_rows=self._every_item(None))
        checked: list[Report] = []
        with staged_catalog(
            target, lambda staged: checked.append(self._check(staged, report))
        ) as staging:
            rows = self._every_item(staging)
            for relative, document in self._closing_documents(staging):
                self._write(staging, relative, document)
            self._closing = None  # the collections' item links, one per item, are let go
            staging.file(CATALOG_REPORT_NAME, lambda: _report_chunks(report))
        return Publication(
            checked[0] if checked else None,
            self.outside,
            rows,
            dict(sorted(self.written.items())),
        )

    def _write(self, staging: Staging, relative: str, document: dict[str, Any]) -> None:
        self.largest = max(self.largest, staging.document(relative, document))
        self.outside += len(hrefs_outside(relative, document))
        self.written[str(document.get("type"))] += 1

    def _item_documents(self, staging: Staging | None) -> Iterator[Document]:
        """Each item made, placed and (with a catalog) written, with its thumbnail and data
        file beside it."""
        for file, item in self.items:
            thumbnail = file.of_kind.thumbnail(file) if staging is not None else None
            placed = self.stream.place(item, file.product.name, thumbnail)
            if staging is not None:
                self._write(staging, placed.relative, placed.document)
                for relative, content in placed.beside:
                    staging.file(relative, content)
                if placed.copied_asset is not None:
                    staging.asset(*placed.copied_asset)
            yield placed.relative, placed.document

    def _every_item(self, staging: Staging | None) -> int | None:
        """Every item through the catalog and, when asked for, the GeoParquet file (its
        rows taken as the items are made); the number of rows written."""
        geoparquet = self.request.geoparquet
        if geoparquet is None:
            for _ in self._item_documents(staging):
                pass
            return None
        from tpqc.stac.geoparquet import write_geoparquet

        return write_geoparquet(
            geoparquet,
            self._item_documents(staging),
            lambda: [
                {**d, "links": list(d["links"])}  # whole: the GeoParquet file's metadata
                for _, d in self._closing_documents(staging)
                if d["type"] == "Collection"
            ],
            self.stream.layout.target,
            conforms=self.store.conforms_item,
            linked=self.request.target is not None,
        )

    def _closing_documents(self, staging: Staging | None) -> list[Document]:
        """The collections and the root catalog (made once, after the last item), the
        metadata records written beside the dataset's collection."""
        if self._closing is None:
            from tpqc.stac.records import RECORD_FORMATS, build_record, render_record

            request = self.request
            records = {}
            if request.metadata:
                record = build_record(self.items.spec, self.stream.tally)
                records = {
                    fmt: render_record(record, fmt, request.metadata_date)
                    for fmt in request.metadata
                }
            links = []
            for fmt, text in records.items():
                name, media_type, title = RECORD_FORMATS[fmt]
                links.append(
                    pystac.Link(
                        "describedby", f"./metadata/{name}", media_type=media_type, title=title
                    )
                )
                if staging is not None:
                    collection = self.stream.layout.collection_id
                    staging.file(f"{collection}/metadata/{name}", text.encode("utf-8"))
            self._closing = self.stream.closing_documents(links)
        return self._closing

    def _check(self, staged: Path, report: Report) -> Report:
        """check-stac of the staged catalog; a failure stops the swap (nothing written).

        The catalog was built from the very facts just read: looking for the assets,
        re-hashing them and reopening every GeoTIFF (S014, S011, S012) would only read the
        data a second time (and a catalog built from shards' facts needs no data at all).
        The profile's metadata guarantees hold for datasets that passed validation; one
        published with --allow-failed may lack the very fields validation reported
        missing."""
        from tpqc.stac.validate import check_stac

        checked = check_stac(
            staged / "catalog.json",
            self.store,
            profile=not report.failed,
            assets_on_disk=False,
            list_files=False,  # findings are all a self-check reports
            # tpqc wrote these documents: the cap on what a hostile document may make it read
            # must not refuse the collection of a million items it just wrote
            max_document_bytes=max(MAX_DOCUMENT_BYTES, self.largest),
        )
        if checked.failed:
            problems = "; ".join(
                f"{f.code} {f.location.path}: {f.message}"
                for f in checked.findings
                if f.severity >= checked.fail_on
            )
            raise CatalogWriteError(
                f"the new catalog fails its own checks, nothing written: {problems}"
            )
        return checked


def _report_chunks(report: Report) -> Iterator[str]:
    from tpqc.validators.render.json_report import json_report_chunks

    return json_report_chunks(report)


__all__ = ["CatalogPublisher", "CatalogRequest", "Publication"]
