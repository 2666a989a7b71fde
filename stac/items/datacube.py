"""STAC items of NetCDF variables: a grid item (:mod:`.grid`) with the datacube extension
(the spatial and time dimensions with their extents and steps, the variable with its unit)
and the NetCDF media type; its time is the time axis when the file is no series member."""

from __future__ import annotations

from typing import Any

import pystac

from tpqc.schemas.spec_values import iso_step, unit_seconds
from tpqc.stac.build import ASSET_KEY
from tpqc.stac.items import PublishedFile
from tpqc.stac.items.grid import grid_item
from tpqc.validators.grid.geo import authority_code
from tpqc.validators.kinds.netcdf import time_span
from tpqc.validators.kinds.netcdf.reader import NetcdfFacts

DATACUBE = "https://stac-extensions.github.io/datacube/v2.3.0/schema.json"


def datacube_item(file: PublishedFile) -> pystac.Item:
    """The variable's grid item with its datacube fields."""
    facts = file.facts
    if not isinstance(facts, NetcdfFacts):
        raise TypeError(f"{file.entry.path}: not NetCDF facts")
    if file.interval is None:
        file = file.with_interval(time_span(facts))
    item = grid_item(file)
    datacube_fields(item, facts)
    return item


NETCDF_MEDIA_TYPE = "application/netcdf"


def datacube_fields(item: pystac.Item, facts: NetcdfFacts) -> None:
    """The datacube extension for a NetCDF variable: its spatial and time dimensions with
    their extents and steps, and the variable with its unit; the asset's NetCDF media type."""
    from pystac.extensions.datacube import DatacubeExtension, Dimension, Variable

    reference = _reference_system(facts.crs_wkt)
    dimensions: dict[str, Dimension] = {}
    for axis in facts.axes:
        if axis.role in ("x", "y") and axis.first is not None and axis.last is not None:
            spatial: dict[str, Any] = {
                "type": "spatial",
                "axis": axis.role,
                "extent": sorted([axis.first, axis.last]),
            }
            if axis.step is not None:
                spatial["step"] = axis.step
            if reference is not None:
                spatial["reference_system"] = reference
            dimensions[axis.name] = Dimension.from_dict(spatial)
        elif axis.role == "time" and facts.times:
            temporal: dict[str, Any] = {
                "type": "temporal",
                "extent": [_iso_z(facts.times[0]), _iso_z(facts.times[-1])],
            }
            if axis.step is not None and facts.time_units:
                temporal["step"] = _iso_step(axis.step, facts.time_units)
            dimensions[axis.name] = Dimension.from_dict(temporal)
    variable: dict[str, Any] = {"dimensions": list(facts.dims), "type": "data"}
    if facts.attrs.get("units"):
        variable["unit"] = facts.attrs["units"]
    if facts.attrs.get("long_name"):
        variable["description"] = facts.attrs["long_name"]
    DatacubeExtension.ext(item, add_if_missing=True).apply(
        dimensions, {str(facts.variable): Variable(variable)}
    )
    # pystac names datacube v2.2.0, whose schema needs PROJJSON v0.4 (not published with
    # the others); v2.3.0 has the same fields and names PROJJSON v0.7, shipped with tpqc.
    item.stac_extensions = [
        DATACUBE if "/datacube/" in url else url for url in item.stac_extensions
    ]
    item.assets[ASSET_KEY].media_type = NETCDF_MEDIA_TYPE


def _reference_system(wkt: str | None) -> int | str | None:
    if wkt is None:
        return None
    code = authority_code(wkt)
    if code is not None and code.startswith("EPSG:"):
        return int(code.split(":", 1)[1])
    return wkt


def _iso_z(text: str) -> str:
    return text if text.endswith("Z") or "+" in text[10:] else text + "Z"


def _iso_step(step: float, units: str) -> str | None:
    """The time step as an ISO 8601 duration (PT3H, P1D), from the axis units."""
    seconds = unit_seconds(units.split(" since ", 1)[0])
    return iso_step(round(step * seconds)) if seconds is not None else None
