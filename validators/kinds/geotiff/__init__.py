"""GeoTIFFs (and anything else GDAL opens) of a raster product: read once by
:mod:`.reader` into grid facts, judged by the raster checks of :mod:`tpqc.validators.grid`,
published as grid items with projection and band statistics."""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

from tpqc.schemas.spec import Product, Spec
from tpqc.validators.engine.facts import FileFacts, ReadJob
from tpqc.validators.findings import Finding
from tpqc.validators.inventory import InventoryEntry
from tpqc.validators.kinds.base import FileKind, ReadOptions
from tpqc.validators.registry import Selection

if TYPE_CHECKING:
    from tpqc.validators.dataset.summary import FileSummary
    from tpqc.validators.grid.facts import RasterFacts
    from tpqc.validators.render.pictures import FilePicture, ProductPicture


class GeoTiffKind(FileKind):
    """GeoTIFFs (and anything else GDAL opens) of a raster product."""

    name = "geotiff"
    section = "rasters"
    suffixes = (".tif", ".tiff")
    facts_module = "tpqc.validators.grid.facts"
    check_modules = ("tpqc.validators.grid.checks",)
    series = True
    item_builder = "tpqc.stac.items.grid:grid_item"
    inferrer = "tpqc.init.rasters:GridInferrer"

    def _facts(self, facts: FileFacts) -> RasterFacts:
        from tpqc.validators.grid.facts import RasterFacts

        if not isinstance(facts, RasterFacts):
            raise TypeError(f"{facts.path}: not GeoTIFF facts")
        return facts

    def job(
        self, spec: Spec, product: Product, entry: InventoryEntry, options: ReadOptions
    ) -> ReadJob:
        """A one-pass read seeded with the product's declared value range."""
        from tpqc.validators.grid.checks import raster_product
        from tpqc.validators.kinds.geotiff.reader import ReadPlan

        values = raster_product(product).values
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
        from tpqc.validators.grid.checks import RASTER_FILE, RasterContext, raster_product
        from tpqc.validators.registry import run_scope

        context = RasterContext(self._facts(facts), raster_product(product), spec)
        return run_scope(RASTER_FILE, context, selection)

    def describe(self, facts: FileFacts, entry: InventoryEntry) -> dict[str, Any]:
        """Header, grid, footprint, statistics and checksum."""
        from tpqc.validators.grid.report import grid_entry

        return grid_entry(self._facts(facts), entry)

    def summary(
        self, spec: Spec, product: Product, entry: InventoryEntry, facts: FileFacts
    ) -> FileSummary:
        """Grid columns, footprint and statistics for the series and metadata checks."""
        from tpqc.validators.grid.report import grid_summary

        return grid_summary(self._facts(facts))

    def read_header(self, root: str, relative: str) -> RasterFacts:
        """The GeoTIFF's header: grid, CRS, bands (no pixel decoded)."""
        from tpqc.validators.kinds.geotiff.reader import ReadPlan, read_raster_facts

        return read_raster_facts(root, relative, ReadPlan(header_only=True))

    def grid(self, facts: FileFacts) -> RasterFacts:
        """The file's own grid facts."""
        return self._facts(facts)

    def picture(
        self, spec: Spec, product: Product, entry: InventoryEntry, facts: FileFacts
    ) -> FilePicture:
        """The quicklook taken during the read and the WGS84 footprint."""
        from tpqc.validators.grid.report import grid_picture

        return grid_picture(self._facts(facts), self.name, entry)

    def product_picture(self, product: Product) -> ProductPicture:
        """The declared value range and unit."""
        from tpqc.validators.grid.report import grid_product_picture

        return grid_product_picture(product, self.section)

    def unpublishable(
        self, spec: Spec, product: Product, entry: InventoryEntry, facts: FileFacts
    ) -> str | None:
        """Not decoded, not georeferenced, or on no part of the Earth."""
        from tpqc.validators.grid.report import grid_unpublishable

        return grid_unpublishable(self._facts(facts))


__all__ = ["GeoTiffKind"]
