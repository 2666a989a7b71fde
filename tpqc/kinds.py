"""The file kinds tpqc knows, one entry each: how a file of that kind is read, which checks
look at its facts, what the report says about it, how the dataset checks see it, and the STAC
item it becomes. The pipeline and the publisher iterate this table instead of branching on
kinds; adding a kind is one :func:`register_kind` call plus the kind's own modules.
"""

from __future__ import annotations

import datetime as dt
from abc import ABC, abstractmethod
from collections.abc import Mapping
from dataclasses import dataclass
from typing import TYPE_CHECKING, Any, ClassVar, Literal

from tpqc.schemas.spec import RasterProduct, Spec, TableProduct
from tpqc.validators.facts import FileFacts, ReadJob
from tpqc.validators.findings import Finding
from tpqc.validators.inventory import InventoryEntry
from tpqc.validators.netcdf_facts import NetcdfFacts
from tpqc.validators.raster_facts import (
    DEFAULT_MAX_BANDS,
    DEFAULT_MAX_PIXELS,
    DEFAULT_MAX_RATIO,
    RasterFacts,
)
from tpqc.validators.registry import Selection, run_scope
from tpqc.validators.render.pictures import FilePicture
from tpqc.validators.summary import FileSummary
from tpqc.validators.table_facts import TableFacts
from tpqc.validators.table_read import NO_LIMITS_GIVEN, TableLimits

if TYPE_CHECKING:
    import pystac

Section = Literal["rasters", "tables"]
Product = RasterProduct | TableProduct
Interval = tuple[dt.datetime, dt.datetime]


@dataclass(frozen=True)
class ReadOptions:
    """What every read of a run shares: limits, examples kept, the declared coverage."""

    max_examples: int = 5
    max_pixels: int = DEFAULT_MAX_PIXELS
    max_ratio: float = DEFAULT_MAX_RATIO
    max_bands: int = DEFAULT_MAX_BANDS
    table_limits: TableLimits = NO_LIMITS_GIVEN
    coverage: tuple[dt.datetime, dt.datetime] | None = None
    pictures: bool = False
    """Also take what the HTML report and the catalog draw (quicklooks, column sketches)."""


class FileKind(ABC):
    """One kind of data file: its spec section, its file suffixes, and everything tpqc does
    with a file of that kind."""

    name: ClassVar[str]
    """Stable name, stored in the inventory (``geotiff``, ``table``)."""
    section: ClassVar[Section]
    """The spec section whose products it serves."""
    suffixes: ClassVar[tuple[str, ...]]
    """File name endings it claims (lower case)."""

    def claims(self, name: str) -> bool:
        """True when a file name has one of this kind's suffixes (any letter case, stray
        trailing spaces allowed so that near-miss names are still reported)."""
        return name.rstrip().lower().endswith(self.suffixes)

    def listed(self, spec: Spec) -> bool:
        """True when files of this kind are part of the inventory of this spec."""
        return True

    @abstractmethod
    def job(
        self, spec: Spec, product: Product, entry: InventoryEntry, options: ReadOptions
    ) -> ReadJob:
        """How to read one matched file once."""

    @abstractmethod
    def findings(
        self,
        spec: Spec,
        product: Product,
        entry: InventoryEntry,
        facts: FileFacts,
        selection: Selection,
    ) -> list[Finding]:
        """The per-file findings of the kind's checks."""

    @abstractmethod
    def report_entry(self, facts: FileFacts, entry: InventoryEntry) -> dict[str, Any]:
        """The file's section of the JSON report."""

    @abstractmethod
    def summary(
        self, spec: Spec, product: Product, entry: InventoryEntry, facts: FileFacts
    ) -> FileSummary:
        """The file as the dataset-wide checks see it."""

    def stac_item(
        self,
        spec: Spec,
        product: Product,
        entry: InventoryEntry,
        facts: FileFacts,
        interval: Interval | None,
    ) -> pystac.Item | None:
        """The file's STAC item, or None when it cannot be published (unreadable, not
        placed on Earth, no time). ``interval`` is the span validation found the file to
        stand for as a series member (None for files that are no member)."""
        return None

    def picture(
        self, spec: Spec, product: Product, entry: InventoryEntry, facts: FileFacts
    ) -> FilePicture | None:
        """What the HTML report draws of the file (from facts read with ``pictures``)."""
        return None


def _raster_facts(facts: FileFacts) -> RasterFacts:
    if not isinstance(facts, RasterFacts):
        raise TypeError(f"{facts.path}: not GeoTIFF facts")
    return facts


def _raster_product(product: Product) -> RasterProduct:
    if not isinstance(product, RasterProduct):
        raise TypeError(f"{product.name}: not a raster product")
    return product


def _table_product(product: Product) -> TableProduct:
    if not isinstance(product, TableProduct):
        raise TypeError(f"{product.name}: not a table product")
    return product


class GeoTiffKind(FileKind):
    """GeoTIFFs (and anything else GDAL opens) of a raster product."""

    name = "geotiff"
    section = "rasters"
    suffixes = (".tif", ".tiff")

    def job(
        self, spec: Spec, product: Product, entry: InventoryEntry, options: ReadOptions
    ) -> ReadJob:
        """A one-pass read seeded with the product's declared value range."""
        from tpqc.validators.raster_facts import ReadPlan

        values = _raster_product(product).values
        return ReadPlan(
            value_min=values.min if values else None,
            value_max=values.max if values else None,
            max_examples=options.max_examples,
            max_pixels=options.max_pixels,
            max_ratio=options.max_ratio,
            max_bands=options.max_bands,
            quicklook=options.pictures,
        )

    def findings(
        self,
        spec: Spec,
        product: Product,
        entry: InventoryEntry,
        facts: FileFacts,
        selection: Selection,
    ) -> list[Finding]:
        """The R checks over the file's facts."""
        from tpqc.validators.raster import RASTER_FILE, RasterContext

        context = RasterContext(_raster_facts(facts), _raster_product(product), spec)
        return run_scope(RASTER_FILE, context, selection)

    def report_entry(self, facts: FileFacts, entry: InventoryEntry) -> dict[str, Any]:
        """Header, grid, footprint, statistics and checksum."""
        from tpqc.validators.raster_report import raster_file_json

        return raster_file_json(_raster_facts(facts), entry)

    def summary(
        self, spec: Spec, product: Product, entry: InventoryEntry, facts: FileFacts
    ) -> FileSummary:
        """Grid columns, footprint and statistics for the series and metadata checks."""
        from tpqc.validators.raster_report import raster_summary

        return raster_summary(_raster_facts(facts))

    def stac_item(
        self,
        spec: Spec,
        product: Product,
        entry: InventoryEntry,
        facts: FileFacts,
        interval: Interval | None,
    ) -> pystac.Item | None:
        """An item with projection, raster bands and file fields, if the file is placed on
        the Earth (a grid on Mars, or one no coordinate operation reaches, is left out)."""
        from tpqc.stac.build import build_item
        from tpqc.validators.geo import footprint_wgs84, georeferencing_problem

        raster = _raster_facts(facts)
        if not raster.decoded or georeferencing_problem(raster) is not None:
            return None
        try:
            footprint_wgs84(raster)
        except ValueError:
            return None
        return build_item(raster, _raster_product(product), spec, interval)

    def picture(
        self, spec: Spec, product: Product, entry: InventoryEntry, facts: FileFacts
    ) -> FilePicture | None:
        """The quicklook taken during the read and the WGS84 footprint."""
        from tpqc.validators.geo import footprint_wgs84, georeferencing_problem

        raster = _raster_facts(facts)
        footprint: tuple[tuple[float, float], ...] = ()
        if raster.readable and georeferencing_problem(raster) is None:
            try:
                footprint = tuple(footprint_wgs84(raster))
            except ValueError:
                footprint = ()
        return FilePicture(raster.path, self.name, entry.product, raster.quicklook, footprint)


class TableKind(FileKind):
    """Station tables (CSV, text, Excel) of a table product."""

    name = "table"
    section = "tables"
    suffixes = (".csv", ".txt", ".dat", ".xlsx", ".xlsm", ".xls")

    def listed(self, spec: Spec) -> bool:
        """Tables are looked for only when the spec declares table products."""
        return bool(spec.tables)

    def job(
        self, spec: Spec, product: Product, entry: InventoryEntry, options: ReadOptions
    ) -> ReadJob:
        """One read of the table against its product and the declared coverage."""
        from tpqc.validators.table_facts import TableReadJob

        return TableReadJob(
            _table_product(product),
            options.coverage,
            options.max_examples,
            options.table_limits,
            sketch=options.pictures,
        )

    def _facts(self, facts: FileFacts) -> TableFacts:
        if not isinstance(facts, TableFacts):
            raise TypeError(f"{facts.path}: not table facts")
        return facts

    def findings(
        self,
        spec: Spec,
        product: Product,
        entry: InventoryEntry,
        facts: FileFacts,
        selection: Selection,
    ) -> list[Finding]:
        """The T checks over the table's facts."""
        from tpqc.validators.tables import TABLE_FILE, TableContext, station_of

        table = _table_product(product)
        context = TableContext(self._facts(facts), table, station_of(spec, table, entry), spec)
        return run_scope(TABLE_FILE, context, selection)

    def report_entry(self, facts: FileFacts, entry: InventoryEntry) -> dict[str, Any]:
        """Rows, time span, columns and checksum."""
        from tpqc.validators.table_report import table_file_json

        return table_file_json(self._facts(facts), entry)

    def summary(
        self, spec: Spec, product: Product, entry: InventoryEntry, facts: FileFacts
    ) -> FileSummary:
        """The time the records cover."""
        from tpqc.validators.table_report import table_summary

        return table_summary(self._facts(facts), _table_product(product))

    def stac_item(
        self,
        spec: Spec,
        product: Product,
        entry: InventoryEntry,
        facts: FileFacts,
        interval: Interval | None,
    ) -> pystac.Item | None:
        """A Point item at the station with the table extension, if it has time and place
        (the time from its records, not from its name)."""
        from tpqc.stac.table_items import build_table_item
        from tpqc.validators.tables import station_of

        table = _table_product(product)
        station = station_of(spec, table, entry)
        tabular = self._facts(facts)
        if not tabular.readable or not tabular.time_start or station is None:
            return None
        return build_table_item(tabular, table, station)

    def picture(
        self, spec: Spec, product: Product, entry: InventoryEntry, facts: FileFacts
    ) -> FilePicture | None:
        """Each declared column's shape over time, and where the station stands."""
        from tpqc.validators.tables import station_of

        tabular = self._facts(facts)
        station = station_of(spec, _table_product(product), entry)
        where = ((station.lon, station.lat),) if station is not None else ()
        return FilePicture(
            tabular.path, self.name, entry.product, footprint=where, sketches=tabular.sketches
        )


_KINDS: dict[str, FileKind] = {}


def _netcdf_facts(facts: FileFacts) -> NetcdfFacts:
    if not isinstance(facts, NetcdfFacts):
        raise TypeError(f"{facts.path}: not NetCDF facts")
    return facts


class NetcdfKind(FileKind):
    """NetCDF (classic and NetCDF-4) and HDF5 files of a raster product: one variable
    each, over all its time steps."""

    name = "netcdf"
    section = "rasters"
    suffixes = (".nc", ".nc4", ".netcdf", ".h5", ".hdf5", ".he5", ".hdf")

    def job(
        self, spec: Spec, product: Product, entry: InventoryEntry, options: ReadOptions
    ) -> ReadJob:
        """One read of the product's variable, seeded with its declared value range."""
        from tpqc.validators.netcdf_facts import NetcdfReadJob

        raster = _raster_product(product)
        values = raster.values
        return NetcdfReadJob(
            variable=raster.variable,
            value_min=values.min if values else None,
            value_max=values.max if values else None,
            max_examples=options.max_examples,
            quicklook=options.pictures,
        )

    def findings(
        self,
        spec: Spec,
        product: Product,
        entry: InventoryEntry,
        facts: FileFacts,
        selection: Selection,
    ) -> list[Finding]:
        """The CF checks, then the raster checks on the variable seen as a grid (values
        out of range located at their time step, as GDAL numbers a NetCDF's bands)."""
        import dataclasses

        from tpqc.validators.findings import Location
        from tpqc.validators.netcdf import NETCDF_FILE, NetcdfContext, raster_view
        from tpqc.validators.raster import RASTER_FILE, RasterContext

        nc = _netcdf_facts(facts)
        raster = _raster_product(product)
        found = run_scope(NETCDF_FILE, NetcdfContext(nc, raster, spec), selection)
        if not nc.readable or nc.variable is None:
            return found
        # Undeclared fill codes read as values: when they are all that is out of range,
        # fill-value-undeclared (C009) says it sharper than value-out-of-range.
        fill_explains = any(f.code == "C009" for f in found) and nc.out_of_range == sum(
            count for _, count in nc.undeclared_fill
        )
        for finding in run_scope(
            RASTER_FILE, RasterContext(raster_view(nc), raster, spec), selection
        ):
            if finding.code == "R014" and fill_explains:
                continue
            if finding.code == "R014" and nc.out_of_range_examples:
                step, row, col, _ = nc.out_of_range_examples[0]
                time = nc.times[step] if step < len(nc.times) else None
                finding = dataclasses.replace(
                    finding,
                    location=Location(path=nc.path, band=step + 1, row=row, column=col),
                    details={
                        **finding.details,
                        "examples": [
                            {"step": s, "row": r, "column": c, "value": v}
                            for s, r, c, v in nc.out_of_range_examples
                        ],
                        "time": time,
                    },
                )
            found.append(finding)
        return found

    def report_entry(self, facts: FileFacts, entry: InventoryEntry) -> dict[str, Any]:
        """The grid, the variable, its time axis and statistics, and the checksum."""
        from tpqc.validators.netcdf import raster_view
        from tpqc.validators.raster_report import raster_file_json

        nc = _netcdf_facts(facts)
        out = raster_file_json(raster_view(nc), entry)
        if nc.open_error is not None:
            out["open_error"] = nc.open_error
        out["netcdf"] = {
            "format": nc.file_format,
            "variable": nc.variable,
            "data_variables": list(nc.data_variables),
            "dims": list(nc.dims),
            "shape": list(nc.shape),
            "units": nc.attrs.get("units"),
            "standard_name": nc.attrs.get("standard_name"),
            "fill_value": nc.fill_value,
            "scale_factor": nc.scale,
            "add_offset": nc.offset,
            "crs_source": nc.crs_source,
            "calendar": nc.calendar,
            "time_units": nc.time_units,
            "time_steps": len(nc.times),
            "time_first": nc.times[0] if nc.times else None,
            "time_last": nc.times[-1] if nc.times else None,
        }
        return out

    def summary(
        self, spec: Spec, product: Product, entry: InventoryEntry, facts: FileFacts
    ) -> FileSummary:
        """The grid's summary, the span and the steps of its time axis."""
        import dataclasses

        from tpqc.validators.netcdf import raster_view
        from tpqc.validators.raster_report import raster_summary

        nc = _netcdf_facts(facts)
        base = raster_summary(raster_view(nc))
        span = None
        try:
            if nc.times:
                span = (
                    dt.datetime.fromisoformat(nc.times[0]).replace(tzinfo=dt.UTC),
                    dt.datetime.fromisoformat(nc.times[-1]).replace(tzinfo=dt.UTC),
                )
        except ValueError:  # a 360-day calendar's 30 February: no span on the real clock
            span = None
        return dataclasses.replace(base, span=span, times=nc.times, time_seconds=nc.time_seconds)

    def stac_item(
        self,
        spec: Spec,
        product: Product,
        entry: InventoryEntry,
        facts: FileFacts,
        interval: Interval | None,
    ) -> pystac.Item | None:
        """An item with projection, raster and datacube fields, and the NetCDF media type."""
        from tpqc.stac.build import build_item, datacube_fields
        from tpqc.validators.geo import footprint_wgs84, georeferencing_problem
        from tpqc.validators.netcdf import raster_view

        nc = _netcdf_facts(facts)
        raster = raster_view(nc)
        if not raster.decoded or georeferencing_problem(raster) is not None:
            return None
        try:
            footprint_wgs84(raster)
        except ValueError:
            return None
        if interval is None and nc.times:
            try:
                interval = (
                    dt.datetime.fromisoformat(nc.times[0]).replace(tzinfo=dt.UTC),
                    dt.datetime.fromisoformat(nc.times[-1]).replace(tzinfo=dt.UTC),
                )
            except ValueError:
                interval = None
        item = build_item(raster, _raster_product(product), spec, interval)
        datacube_fields(item, nc)
        return item

    def picture(
        self, spec: Spec, product: Product, entry: InventoryEntry, facts: FileFacts
    ) -> FilePicture | None:
        """The quicklook of the first time step and the footprint."""
        from tpqc.validators.netcdf import raster_view

        return GeoTiffKind().picture(spec, product, entry, raster_view(_netcdf_facts(facts)))


def register_kind(kind: FileKind) -> None:
    """Add (or replace) a file kind; kinds are tried in the order registered."""
    _KINDS[kind.name] = kind


def registered_kinds() -> Mapping[str, FileKind]:
    """Every file kind by name, in the order registered."""
    return dict(_KINDS)


register_kind(GeoTiffKind())
register_kind(TableKind())
register_kind(NetcdfKind())
