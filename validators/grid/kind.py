"""What every kind of gridded file shares (a GeoTIFF, a NetCDF variable ...): the raster
checks, the report entry, the summary, the picture and the publishability of its grid view.
A gridded kind says how its files are read and seen as a grid; the rest is here."""

from __future__ import annotations

from abc import abstractmethod
from typing import TYPE_CHECKING, Any, ClassVar

from tpqc.schemas.spec import Product
from tpqc.validators.engine.facts import FileFacts
from tpqc.validators.findings import Finding
from tpqc.validators.kinds.base import DataFile, FileKind
from tpqc.validators.registry import Selection

if TYPE_CHECKING:
    from tpqc.validators.dataset.summary import FileSummary
    from tpqc.validators.grid.facts import RasterFacts
    from tpqc.validators.render.pictures import FilePicture, ProductPicture


class GridKind(FileKind):
    """A kind of gridded file of the ``rasters`` section, judged through its grid view."""

    section = "rasters"
    series = True
    check_modules: ClassVar[tuple[str, ...]] = ("tpqc.validators.grid.checks",)
    item_builder: ClassVar[str | None] = "tpqc.stac.items.grid:grid_item"
    inferrer: ClassVar[str | None] = "tpqc.init.rasters:GridInferrer"

    @abstractmethod
    def grid(self, facts: FileFacts) -> RasterFacts:
        """The file seen as a grid."""

    def findings(self, file: DataFile, selection: Selection) -> list[Finding]:
        """The R checks over the grid view."""
        from tpqc.validators.grid.checks import RASTER_FILE, RasterContext, raster_product
        from tpqc.validators.registry import run_scope

        context = RasterContext(self.grid(file.facts), raster_product(file.product), file.spec)
        return run_scope(RASTER_FILE, context, selection)

    def describe(self, file: DataFile) -> dict[str, Any]:
        """Header, grid, footprint, statistics and checksum."""
        from tpqc.validators.grid.report import grid_entry

        return grid_entry(self.grid(file.facts), file.entry)

    def summary(self, file: DataFile) -> FileSummary:
        """Grid columns, footprint and statistics for the series and metadata checks."""
        from tpqc.validators.grid.report import grid_summary

        return grid_summary(self.grid(file.facts))

    def picture(self, file: DataFile) -> FilePicture:
        """The quicklook taken during the read and the WGS84 footprint."""
        from tpqc.validators.grid.report import grid_picture

        return grid_picture(self.grid(file.facts), self.name, file.entry)

    def thumbnail(self, file: DataFile) -> bytes | None:
        """The quicklook taken during the read, without the footprint a picture draws."""
        grid = self.grid(file.facts)
        return grid.quicklook.png if grid is not None and grid.quicklook is not None else None

    def product_picture(self, product: Product) -> ProductPicture:
        """The declared value range and unit."""
        from tpqc.validators.grid.report import grid_product_picture

        return grid_product_picture(product, self.section)

    def unpublishable(self, file: DataFile) -> str | None:
        """Not decoded, not georeferenced, or on no part of the Earth."""
        from tpqc.validators.grid.report import grid_unpublishable

        return grid_unpublishable(self.grid(file.facts))


__all__ = ["GridKind"]
