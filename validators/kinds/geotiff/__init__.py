"""GeoTIFFs (and anything else GDAL opens) of a raster product: read once by
:mod:`.reader` into grid facts, judged, reported and published through
:mod:`tpqc.validators.grid` as every gridded kind is."""

from __future__ import annotations

from typing import TYPE_CHECKING

from tpqc.validators.engine.facts import FileFacts, ReadJob
from tpqc.validators.grid.kind import GridKind
from tpqc.validators.kinds.base import ReadOptions, narrow

if TYPE_CHECKING:
    from tpqc.schemas.spec import Product, Spec
    from tpqc.validators.grid.facts import RasterFacts


class GeoTiffKind(GridKind):
    """GeoTIFFs (and anything else GDAL opens) of a raster product."""

    name = "geotiff"
    suffixes = (".tif", ".tiff")
    facts_module = "tpqc.validators.grid.facts"

    def job(self, spec: Spec, product: Product, options: ReadOptions) -> ReadJob:
        """A one-pass read seeded with the product's declared value range."""
        from tpqc.validators.grid.checks import raster_product
        from tpqc.validators.kinds.geotiff.reader import ReadPlan

        raster = raster_product(product)
        values = raster.values
        return ReadPlan(
            value_min=values.min if values else None,
            value_max=values.max if values else None,
            max_examples=options.max_examples,
            max_pixels=options.max_pixels,
            max_ratio=options.max_ratio,
            max_bands=options.max_bands,
            quicklook=options.pictures,
            classes=tuple(sorted(raster.classes)) if raster.classes is not None else None,
        )

    def read_header(self, root: str, relative: str) -> RasterFacts:
        """The GeoTIFF's header: grid, CRS, bands (no pixel decoded)."""
        from tpqc.validators.kinds.geotiff.reader import ReadPlan, read_raster_facts

        return read_raster_facts(root, relative, ReadPlan(header_only=True))

    def grid(self, facts: FileFacts) -> RasterFacts:
        """The file's own grid facts."""
        from tpqc.validators.grid.facts import RasterFacts

        return narrow(facts, RasterFacts)


__all__ = ["GeoTiffKind"]
