"""Station tables (CSV, text, Excel) of a table product: read once in chunks of rows by
:mod:`.reader`, judged by the T checks of :mod:`.checks`, drawn as columns over time,
published as Point items at the station with the table extension."""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

from tpqc.schemas.spec import Product, Spec, Station, TableProduct
from tpqc.validators.engine.facts import FileFacts, ReadJob
from tpqc.validators.findings import Finding
from tpqc.validators.kinds.base import DataFile, FileKind, ReadOptions, narrow
from tpqc.validators.registry import Selection

if TYPE_CHECKING:
    from tpqc.validators.dataset.summary import FileSummary
    from tpqc.validators.kinds.table.reader import TableFacts
    from tpqc.validators.render.pictures import FilePicture, ProductPicture


def table_product(product: Product) -> TableProduct:
    """A product of the tables section."""
    if not isinstance(product, TableProduct):
        raise TypeError(f"{product.name}: not a table product")
    return product


class TableKind(FileKind):
    """Station tables (CSV, text, Excel) of a table product."""

    name = "table"
    section = "tables"
    suffixes = (".csv", ".txt", ".dat", ".xlsx", ".xlsm", ".xls")
    facts_module = "tpqc.validators.kinds.table.reader"
    check_modules = ("tpqc.validators.kinds.table.checks",)
    item_builder = "tpqc.stac.items.station:station_item"
    inferrer = "tpqc.init.tables:TableInferrer"

    def _facts(self, facts: FileFacts) -> TableFacts:
        from tpqc.validators.kinds.table.reader import TableFacts

        return narrow(facts, TableFacts)

    def _station(self, file: DataFile) -> Station | None:
        from tpqc.validators.kinds.table.checks import station_of

        return station_of(file.spec, table_product(file.product), file.entry)

    def listed(self, spec: Spec) -> bool:
        """Tables are looked for only when the spec declares table products."""
        return bool(spec.sections.get(self.section))

    def job(self, spec: Spec, product: Product, options: ReadOptions) -> ReadJob:
        """One read of the table against its product and the declared coverage."""
        from tpqc.validators.kinds.table.chunks import TableLimits
        from tpqc.validators.kinds.table.reader import TableReadJob

        return TableReadJob(
            table_product(product),
            options.coverage,
            options.max_examples,
            TableLimits(options.max_table_rows, options.max_sheet_bytes),
            sketch=options.pictures,
        )

    def findings(self, file: DataFile, selection: Selection) -> list[Finding]:
        """The T checks over the table's facts."""
        from tpqc.validators.kinds.table.checks import TABLE_FILE, TableContext
        from tpqc.validators.registry import run_scope

        table = table_product(file.product)
        context = TableContext(self._facts(file.facts), table, self._station(file), file.spec)
        return run_scope(TABLE_FILE, context, selection)

    def describe(self, file: DataFile) -> dict[str, Any]:
        """Rows, time span, columns and checksum."""
        from tpqc.validators.kinds.table.report import table_entry

        return table_entry(self._facts(file.facts), file.entry)

    def summary(self, file: DataFile) -> FileSummary:
        """The time the records cover."""
        from tpqc.validators.kinds.table.report import table_summary

        return table_summary(self._facts(file.facts), table_product(file.product))

    def picture(self, file: DataFile) -> FilePicture:
        """Each declared column's shape over time, and where the station stands."""
        from tpqc.validators.render.pictures import FilePicture

        tabular = self._facts(file.facts)
        station = self._station(file)
        where = ((station.lon, station.lat),) if station is not None else ()
        return FilePicture(
            tabular.path, self.name, file.entry.product, footprint=where, sketches=tabular.sketches
        )

    def product_picture(self, product: Product) -> ProductPicture:
        """The time step and each column's declared limits and unit."""
        from tpqc.validators.render.pictures import ProductPicture

        table = table_product(product)
        return ProductPicture(
            table.name,
            self.section,
            table.description,
            step_seconds=table.time.step_seconds,
            column_limits={c.name: (c.min, c.max, c.unit) for c in table.columns},
        )

    def unpublishable(self, file: DataFile) -> str | None:
        """A table needs time and place: readable records with timestamps, and a station."""
        tabular = self._facts(file.facts)
        if not tabular.readable:
            return "unreadable"
        if not tabular.time_start:
            return "no timestamps"
        if self._station(file) is None:
            return "no station location"
        return None


__all__ = ["TableKind", "table_product"]
