"""NetCDF (classic and NetCDF-4) and HDF5 files of a raster product: one variable each, over
all its time steps. Read once by :mod:`.reader`, judged by the CF checks of :mod:`.checks`
and by every raster check through the variable's grid view, published as grid items with
the datacube extension."""

from __future__ import annotations

import dataclasses
import datetime as dt
from typing import TYPE_CHECKING, Any

from tpqc.schemas.spec import Product, Spec
from tpqc.validators.engine.facts import FileFacts, ReadJob
from tpqc.validators.findings import Finding
from tpqc.validators.grid.kind import GridKind
from tpqc.validators.kinds.base import DataFile, ReadOptions, narrow
from tpqc.validators.registry import Selection

if TYPE_CHECKING:
    from tpqc.validators.dataset.summary import FileSummary
    from tpqc.validators.grid.facts import RasterFacts
    from tpqc.validators.kinds.netcdf.reader import NetcdfFacts


class NetcdfKind(GridKind):
    """NetCDF (classic and NetCDF-4) and HDF5 files of a raster product."""

    name = "netcdf"
    suffixes = (".nc", ".nc4", ".netcdf", ".h5", ".hdf5", ".he5", ".hdf")
    facts_module = "tpqc.validators.kinds.netcdf.reader"
    check_modules = ("tpqc.validators.kinds.netcdf.checks", "tpqc.validators.grid.checks")
    item_builder = "tpqc.stac.items.datacube:datacube_item"
    inferrer = "tpqc.init.netcdf:NetcdfInferrer"

    def _facts(self, facts: FileFacts) -> NetcdfFacts:
        from tpqc.validators.kinds.netcdf.reader import NetcdfFacts

        return narrow(facts, NetcdfFacts)

    def job(self, spec: Spec, product: Product, options: ReadOptions) -> ReadJob:
        """One read of the product's variable, seeded with its declared value range."""
        from tpqc.validators.grid.checks import raster_product
        from tpqc.validators.kinds.netcdf.reader import NetcdfReadJob

        raster = raster_product(product)
        values = raster.values
        return NetcdfReadJob(
            variable=raster.variable,
            value_min=values.min if values else None,
            value_max=values.max if values else None,
            max_examples=options.max_examples,
            quicklook=options.pictures,
            cf_suites=raster.cf.suite if raster.cf is not None else (),
        )

    def findings(self, file: DataFile, selection: Selection) -> list[Finding]:
        """The CF checks, then the raster checks on the variable seen as a grid (values
        out of range located at their time step, as GDAL numbers a NetCDF's bands)."""
        from tpqc.validators.findings import Location
        from tpqc.validators.grid.checks import raster_product
        from tpqc.validators.kinds.netcdf.checks import NETCDF_FILE, NetcdfContext
        from tpqc.validators.registry import run_scope

        nc = self._facts(file.facts)
        context = NetcdfContext(nc, raster_product(file.product), file.spec)
        found = run_scope(NETCDF_FILE, context, selection)
        if not nc.readable or nc.variable is None:
            return found
        for finding in super().findings(file, selection):
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

    def describe(self, file: DataFile) -> dict[str, Any]:
        """The grid, the variable, its time axis and statistics, and the checksum."""
        nc = self._facts(file.facts)
        out = super().describe(file)
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
            "implicit_fill": nc.implicit_fill,
            "missing_values": list(nc.missing_values),
            "valid_range": [nc.valid_min, nc.valid_max]
            if nc.valid_min is not None or nc.valid_max is not None
            else None,
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

    def summary(self, file: DataFile) -> FileSummary:
        """The grid's summary, the span and the steps of its time axis."""
        nc = self._facts(file.facts)
        return dataclasses.replace(
            super().summary(file), span=time_span(nc), times=nc.times, time_seconds=nc.time_seconds
        )

    def grid(self, facts: FileFacts) -> RasterFacts:
        """The variable as one band of a grid."""
        from tpqc.validators.kinds.netcdf.checks import raster_view

        return raster_view(self._facts(facts))


def time_span(nc: NetcdfFacts) -> tuple[dt.datetime, dt.datetime] | None:
    """The first and last step of the time axis on the real clock (None for a 360-day
    calendar's 30 February, or no time axis)."""
    try:
        if nc.times:
            return (
                dt.datetime.fromisoformat(nc.times[0]).replace(tzinfo=dt.UTC),
                dt.datetime.fromisoformat(nc.times[-1]).replace(tzinfo=dt.UTC),
            )
    except ValueError:
        return None
    return None


__all__ = ["NetcdfKind", "time_span"]
