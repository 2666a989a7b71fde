"""Everything tpqc knows about one variable of a NetCDF (classic or NetCDF-4/HDF5) file,
from a single read. The only module that opens NetCDF files.

Read with netCDF4 (the Unidata library): its attributes are exact (numbers, not GDAL's
flattened metadata strings), the time axis is decoded with its own calendar (cftime:
``noleap``, ``360_day`` ...), and the variable is read in slabs of whole time steps that
follow the file's chunking, so memory is bounded by the slab. Statistics are exact over every
time step, in physical units (``scale_factor`` and ``add_offset`` applied; ``_FillValue`` and
``missing_value`` are not values), with the same accumulator as GeoTIFF bands. The grid
comes from the coordinate variables (regular spacing, pixel edges from centres) and its CRS
from ``grid_mapping`` (pyproj's CF reader) or from longitude/latitude coordinates. Big files
are read as contiguous shares of their time steps by several workers. Problems are recorded,
never raised: a truncated or foreign file is a fact with the library's own reason.
"""

from __future__ import annotations

import dataclasses
import math
import warnings
from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any, ClassVar

import numpy as np
import numpy.typing as npt

from tpqc.validators.engine.checksum import hashed_while
from tpqc.validators.engine.facts import FactsPart, FileFacts, ReadJob, openable
from tpqc.validators.grid.quicklook import Quicklook, QuicklookSampler
from tpqc.validators.grid.statistics import BandAccumulator
from tpqc.validators.kinds.netcdf.cf_suite import CfResult, run_suites
from tpqc.validators.kinds.netcdf.masking import (
    MaskingRules,
    invalid_cells,
    masking_rules,
    stored,
    stored_dtype,
)

SLAB_PIXELS = 4 << 20
"""Pixels read at a time (whole time steps)."""
REGULAR = 1e-4
"""Coordinate spacing differing by less than this share of the step is regular."""
COMMON_FILL_CODES = (-9999.0, -999.0, -32767.0, -32768.0, 9.969209968386869e36)
WGS84_NAMES = ("longitude", "latitude")
LON_UNITS = ("degrees_east", "degree_east", "degree_e", "degrees_e", "degreee", "degreese")
LAT_UNITS = ("degrees_north", "degree_north", "degree_n", "degrees_n", "degreen", "degreesn")


@dataclass(frozen=True, slots=True)
class AxisFacts:
    """One coordinate axis of the variable: its values' ends and spacing, and its CF
    attributes."""

    name: str
    size: int
    role: str
    """``x``, ``y``, ``time`` or ``other``."""
    has_variable: bool = False
    first: float | None = None
    last: float | None = None
    step: float | None = None
    """The spacing when it is regular, else None."""
    monotonic: bool = True
    attrs: Mapping[str, str] = field(default_factory=dict)


@dataclass(frozen=True, slots=True)
class NetcdfFacts(FileFacts):
    """What one read of a NetCDF variable established. Problems are recorded, never raised."""

    open_error: str | None = None
    file_format: str | None = None
    global_attrs: Mapping[str, str] = field(default_factory=dict)
    data_variables: tuple[str, ...] = ()
    variable: str | None = None
    """The variable checked (None: the requested one is missing, or none could be chosen)."""
    variable_error: str | None = None
    dims: tuple[str, ...] = ()
    shape: tuple[int, ...] = ()
    dtype: str | None = None
    attrs: Mapping[str, str] = field(default_factory=dict)
    """The variable's attributes as text (units, standard_name, grid_mapping ...)."""
    fill_value: float | None = None
    """The declared ``_FillValue``."""
    missing_values: tuple[float, ...] = ()
    implicit_fill: float | None = None
    """NetCDF's default fill of the type, missing when no ``_FillValue`` is declared."""
    valid_min: float | None = None
    valid_max: float | None = None
    """The valid range in stored values (``valid_range`` or ``valid_min``/``valid_max``)."""
    unsigned: bool = False
    """A signed integer variable read as unsigned (``_Unsigned = "true"``)."""
    scale: float = 1.0
    offset: float = 0.0
    packing_error: str | None = None
    """Why scale_factor/add_offset cannot decode the values (0, NaN, infinite); the values
    are then not read."""
    axes: tuple[AxisFacts, ...] = ()
    auxiliary: tuple[tuple[str, Mapping[str, str]], ...] = ()
    """Spatial auxiliary coordinates the variable names in ``coordinates`` (2-D latitude
    and longitude of a curvilinear grid ...), with their attributes."""
    grid_mapping: Mapping[str, str] = field(default_factory=dict)
    """The attributes of the grid-mapping variable the variable names."""
    crs_wkt: str | None = None
    crs_source: str | None = None
    crs_error: str | None = None
    transform: tuple[float, float, float, float, float, float] | None = None
    width: int = 0
    height: int = 0
    time_units: str | None = None
    calendar: str | None = None
    time_error: str | None = None
    """Why the time units or calendar cannot be decoded."""
    times_missing: int = 0
    """Time values that are missing (fill, outside the valid range) or cannot be decoded."""
    times_problem: str | None = None
    """What is wrong with the time values, when some are missing or undecodable."""
    times: tuple[str, ...] = ()
    """Each time step decoded with the file's calendar (ISO 8601, the file's own clock)."""
    time_seconds: tuple[float, ...] = ()
    """The same steps as seconds since 1970-01-01 on the file's calendar."""
    pixels_read: bool = False
    decode_error: str | None = None
    pixels: int = 0
    valid: int = 0
    nodata_count: int = 0
    minimum: float | None = None
    maximum: float | None = None
    mean: float | None = None
    stddev: float | None = None
    histogram: Mapping[str, Any] | None = None
    out_of_range: int = 0
    out_of_range_examples: tuple[tuple[int, int, int, float], ...] = ()
    """(time step, row, column, value) of the first out-of-range values."""
    step_means: tuple[float | None, ...] = ()
    step_valid: tuple[float, ...] = ()
    """Valid mean and valid share of each time step."""
    undeclared_fill: tuple[tuple[float, int], ...] = ()
    """Common fill codes found as values while not declared (value, count)."""
    quicklook: Quicklook | None = None
    value_range: tuple[float | None, float | None] | None = None
    cf_results: tuple[CfResult, ...] = ()
    """The failed checks of the compliance-checker suites the product asked for."""

    @property
    def readable(self) -> bool:
        """True when the file opened."""
        return self.open_error is None

    @property
    def decoded(self) -> bool:
        """True when every value of the variable was read."""
        return self.readable and self.pixels_read

    @property
    def has_geotransform(self) -> bool:
        """True when regular coordinates give the grid."""
        return self.transform is not None

    def axis(self, role: str) -> AxisFacts | None:
        """The variable's axis of a role (x, y, time), if it has one."""
        return next((a for a in self.axes if a.role == role), None)

    @property
    def nodata_fraction(self) -> float:
        """Share of the values that are fill or missing."""
        return self.nodata_count / self.pixels if self.pixels else 0.0


def _text(value: Any) -> str:
    if isinstance(value, bytes):
        return value.decode("utf-8", "replace")
    if isinstance(value, np.ndarray):
        return " ".join(str(v) for v in value.tolist())
    if isinstance(value, np.generic):
        return str(value.item())
    return str(value)


def _attrs(obj: Any) -> dict[str, str]:
    return {str(k): _text(obj.getncattr(k)) for k in obj.ncattrs()}


def _role(name: str, attrs: Mapping[str, str], values: Any) -> str:
    units = attrs.get("units", "").strip().lower()
    standard = attrs.get("standard_name", "").strip().lower()
    axis = attrs.get("axis", "").strip().upper()
    if axis == "T" or " since " in units or standard == "time" or name.lower() == "time":
        return "time"
    if axis == "X" or standard in ("longitude", "projection_x_coordinate", "grid_longitude"):
        return "x"
    if axis == "Y" or standard in ("latitude", "projection_y_coordinate", "grid_latitude"):
        return "y"
    if units.replace(" ", "") in LON_UNITS or name.lower() in ("lon", "longitude", "x"):
        return "x"
    if units.replace(" ", "") in LAT_UNITS or name.lower() in ("lat", "latitude", "y"):
        return "y"
    return "other"


def _axis(dataset: Any, name: str, size: int) -> AxisFacts:
    variable = dataset.variables.get(name)
    if variable is None or variable.ndim != 1:
        return AxisFacts(name, size, "other")
    attrs = _attrs(variable)
    role = _role(name, attrs, None)
    try:
        variable.set_auto_maskandscale(False)
        values = np.asarray(variable[:], dtype=np.float64)
    except Exception:  # an unreadable coordinate: a grid without coordinates
        return AxisFacts(name, size, role, True, attrs=attrs)
    if values.size == 0:
        return AxisFacts(name, size, role, True, attrs=attrs)
    diffs = np.diff(values)
    monotonic = bool(np.all(diffs > 0) or np.all(diffs < 0)) if diffs.size else True
    step = None
    if diffs.size and monotonic:
        mean = float((values[-1] - values[0]) / (values.size - 1))
        if float(np.max(np.abs(diffs - mean))) <= REGULAR * abs(mean):
            step = mean
    elif not diffs.size:
        step = None
    return AxisFacts(
        name, size, role, True, float(values[0]), float(values[-1]), step, monotonic, attrs
    )


SPATIAL_NAMES = {
    "lat",
    "lon",
    "latitude",
    "longitude",
    "nav_lat",
    "nav_lon",
    "xlat",
    "xlong",
    "x",
    "y",
}
SPATIAL_STANDARD_NAMES = {
    "latitude",
    "longitude",
    "grid_latitude",
    "grid_longitude",
    "projection_x_coordinate",
    "projection_y_coordinate",
}


def _auxiliary(
    dataset: Any, attrs: Mapping[str, str], dimension_names: set[str]
) -> tuple[tuple[str, Mapping[str, str]], ...]:
    """The spatial auxiliary coordinates the variable's ``coordinates`` attribute names:
    those with an X or Y ``axis``, a latitude/longitude ``standard_name`` or name, or two
    or more dimensions (a curvilinear grid's latitude and longitude)."""
    found = []
    for name in attrs.get("coordinates", "").split():
        variable = dataset.variables.get(name)
        if variable is None or name in dimension_names or not _numeric(variable):
            continue
        coordinate_attrs = _attrs(variable)
        spatial = (
            coordinate_attrs.get("axis", "").upper() in ("X", "Y")
            or coordinate_attrs.get("standard_name") in SPATIAL_STANDARD_NAMES
            or name.lower() in SPATIAL_NAMES
            or variable.ndim >= 2
        )
        if spatial:
            found.append((name, coordinate_attrs))
    return tuple(found)


def _grid(
    axes: Sequence[AxisFacts],
) -> tuple[tuple[float, float, float, float, float, float] | None, int, int]:
    x = next((a for a in axes if a.role == "x"), None)
    y = next((a for a in axes if a.role == "y"), None)
    width = x.size if x else 0
    height = y.size if y else 0
    if x is None or y is None or x.first is None or y.first is None:
        return None, width, height
    dx = x.step if x.step is not None else (0.0 if x.size == 1 else None)
    dy = y.step if y.step is not None else (0.0 if y.size == 1 else None)
    if not dx or not dy:
        return None, width, height
    # Coordinates name pixel centres; the geotransform starts at the outer edge.
    return (dx, 0.0, x.first - dx / 2, 0.0, dy, y.first - dy / 2), width, height


def _crs(
    dataset: Any, attrs: Mapping[str, str], axes: Sequence[AxisFacts]
) -> tuple[str | None, str | None, str | None, dict[str, str]]:
    """(WKT, where it came from, why there is none, the grid-mapping attributes)."""
    from pyproj import CRS
    from pyproj.exceptions import CRSError

    name = attrs.get("grid_mapping", "").strip()
    if name:
        key = name.split(":")[0].strip()
        mapping = dataset.variables.get(key)
        if mapping is None:
            return None, None, f"grid_mapping names {key!r}, which is no variable", {}
        raw = {k: mapping.getncattr(k) for k in mapping.ncattrs()}
        text = {k: _text(v) for k, v in raw.items()}
        cf = {k: (v.tolist() if isinstance(v, np.ndarray) else v) for k, v in raw.items()}
        cf = {k: (v.item() if isinstance(v, np.generic) else v) for k, v in cf.items()}
        try:
            crs = CRS.from_cf(cf)
        except (CRSError, ValueError, KeyError, TypeError) as exc:
            return None, None, f"grid_mapping {key!r}: {exc}", text
        return crs.to_wkt(), f"grid_mapping {key}", None, text
    x = next((a for a in axes if a.role == "x"), None)
    y = next((a for a in axes if a.role == "y"), None)
    if x is not None and y is not None:
        xu = x.attrs.get("units", "").replace(" ", "").lower()
        yu = y.attrs.get("units", "").replace(" ", "").lower()
        xs, ys = x.attrs.get("standard_name", ""), y.attrs.get("standard_name", "")
        if (xu in LON_UNITS or xs == "longitude") and (yu in LAT_UNITS or ys == "latitude"):
            return CRS.from_epsg(4326).to_wkt(), "longitude/latitude coordinates", None, {}
    return None, None, None, {}


def _times(
    axis: AxisFacts | None, dataset: Any
) -> tuple[str | None, str | None, str | None, tuple[str, ...], tuple[float, ...], int, str | None]:
    """(units, calendar, why they cannot be decoded, the steps as ISO text and as seconds
    since 1970 on the file's calendar, how many time values are missing or undecodable, and
    why). The units are judged on their own: valid units with time values that are all
    fill are no units problem. Missing time values (fill, missing codes, outside the valid
    range, as netCDF4 masks them) are left out of the steps and counted."""
    if axis is None or not axis.has_variable:
        return None, None, None, (), (), 0, None
    units = axis.attrs.get("units")
    calendar = axis.attrs.get("calendar", "standard")
    if not units:
        return None, calendar, "the time coordinate has no units", (), (), 0, None
    import cftime

    variable = dataset.variables[axis.name]
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")  # cftime's notes on calendars go to no terminal
        try:
            cftime.num2date(0, units, calendar=calendar, only_use_cftime_datetimes=True)
        except (ValueError, TypeError, OverflowError) as exc:
            return units, calendar, str(exc), (), (), 0, None
        try:
            variable.set_auto_maskandscale(False)
            raw = np.atleast_1d(np.asarray(variable[:]))
            if raw.size == 0:  # an unlimited axis without records: no step, no problem
                return units, calendar, None, (), (), 0, None
            if raw.dtype.kind not in "iuf":
                raise TypeError(f"time values are {raw.dtype}, not numbers")
            rules = masking_rules(variable)
            raw = stored(raw, rules)
            missing = invalid_cells(raw, rules) | ~np.isfinite(raw.astype(np.float64))
            values = raw.astype(np.float64)[~missing]
            dates = np.atleast_1d(
                cftime.num2date(values, units, calendar=calendar, only_use_cftime_datetimes=True)
            )
            seconds = cftime.date2num(dates, "seconds since 1970-01-01", calendar=calendar)
        except (ValueError, TypeError, OverflowError) as exc:
            return units, calendar, None, (), (), int(variable.size), str(exc)
    lost = int(np.count_nonzero(missing))
    return (
        units,
        calendar,
        None,
        tuple(d.isoformat() for d in dates) if values.size else (),
        tuple(float(v) for v in np.atleast_1d(seconds)) if values.size else (),
        lost,
        f"{lost} of {raw.size} time values are fill or outside the valid range" if lost else None,
    )


def choose_variable(
    data_variables: Sequence[str], wanted: str | None
) -> tuple[str | None, str | None]:
    """The variable to check, or why none can be chosen."""
    if wanted:
        if wanted in data_variables:
            return wanted, None
        listing = ", ".join(data_variables) or "none"
        return None, f"no variable {wanted!r} in the file (its data variables: {listing})"
    if len(data_variables) == 1:
        return data_variables[0], None
    listing = ", ".join(data_variables) or "none"
    return None, f"the file has {len(data_variables)} data variables ({listing}): name one"


def _data_variables(dataset: Any) -> tuple[str, ...]:
    skip: set[str] = set(dataset.dimensions)
    for variable in dataset.variables.values():
        attrs = variable.ncattrs()
        if "grid_mapping_name" in attrs:
            skip.add(variable.name)
        for key in ("bounds", "climatology"):
            if key in attrs:
                skip.add(str(variable.getncattr(key)))
        if "coordinates" in attrs:
            skip.update(str(variable.getncattr("coordinates")).split())
    return tuple(
        name
        for name, v in dataset.variables.items()
        if name not in skip and v.ndim >= 2 and _numeric(v)
    )


def _numeric(variable: Any) -> bool:
    """True for a variable of numbers (not text, not a compound or variable-length type)."""
    try:
        return np.dtype(variable.dtype).kind in "iuf"
    except TypeError:  # a variable-length or compound type
        return False


@dataclass
class NetcdfPart(FactsPart):
    """One worker's share of a variable's time steps, and the header every share reads."""

    header: dict[str, Any]
    accumulator: BandAccumulator | None = None
    step_means: list[float | None] = field(default_factory=list)
    step_valid: list[float] = field(default_factory=list)
    undeclared: dict[float, int] = field(default_factory=dict)
    decode_error: str | None = None
    quicklook: QuicklookSampler | None = None


@dataclass(frozen=True)
class NetcdfReadJob(ReadJob):
    """What the single read of a NetCDF variable must know beforehand."""

    splittable: ClassVar[bool] = True
    variable: str | None = None
    value_min: float | None = None
    value_max: float | None = None
    max_examples: int = 5
    quicklook: bool = False
    cf_suites: tuple[str, ...] = ()
    """compliance-checker suites to run on the open file (``cf-1.8``, ``acdd-1.3``)."""

    @property
    def value_range(self) -> tuple[float | None, float | None]:
        """The declared range the read counts out-of-range values against."""
        return (self.value_min, self.value_max)

    def read(self, root: str, relative: str) -> NetcdfFacts:
        """Read the whole variable (hashing the file alongside) and return its facts. A
        remote file is fetched once into a temporary folder, then read and hashed there:
        the netCDF library reads local files, and the object is transferred only once."""
        from tpqc.schemas.locations import is_remote

        if is_remote(root):
            return self._read_fetched(root, relative)
        part, digest = hashed_while(root, relative, lambda: self.read_part(root, relative, 0, 1))
        return self.assemble([part], digest)

    def _read_fetched(self, root: str, relative: str) -> NetcdfFacts:
        from tpqc.validators.engine.remote import local_copy

        try:
            with local_copy(root, relative) as local:
                facts = self.read(str(local.parent), local.name)
        except OSError as exc:
            header = {"path": relative, "size_bytes": None, "open_error": str(exc)}
            return self.assemble([NetcdfPart(header)], None)
        return dataclasses.replace(facts, path=relative)

    def read_part(self, root: str, relative: str, part: int, parts: int) -> NetcdfPart:
        """Read the ``part``-th of ``parts`` contiguous shares of the time steps."""
        return read_netcdf_part(root, relative, self, part, parts)

    def assemble(self, parts: Sequence[FactsPart], sha256: str | None) -> NetcdfFacts:
        """Merge the shares of one file, in time order."""
        shares = [p for p in parts if isinstance(p, NetcdfPart)]
        if len(shares) != len(parts):
            raise TypeError("not the parts of a NetCDF variable")
        return assemble_netcdf(shares, sha256, self)

    def cache_form(self) -> NetcdfReadJob:
        """Keyed without the value range (see :meth:`reuse`)."""
        return dataclasses.replace(self, value_min=None, value_max=None)

    def reuse(self, cached: FileFacts) -> NetcdfFacts | None:
        """Facts read against another value range are exact for this one when every valid
        value lies inside it."""
        if not isinstance(cached, NetcdfFacts):
            return None
        if cached.value_range == self.value_range:
            return cached
        if not cached.decoded:
            return None
        low, high = self.value_range
        if cached.minimum is not None and (
            (low is not None and cached.minimum < low)
            or (high is not None and cached.maximum is not None and cached.maximum > high)
        ):
            return None
        return dataclasses.replace(
            cached, out_of_range=0, out_of_range_examples=(), value_range=self.value_range
        )


def _header(dataset: Any, relative: str, size: int | None, wanted: str | None) -> dict[str, Any]:
    data_variables = _data_variables(dataset)
    name, problem = choose_variable(data_variables, wanted)
    if wanted and name is None and wanted in dataset.variables:
        found = dataset.variables[wanted]
        if not _numeric(found):
            problem = f"variable {wanted!r} holds {found.dtype} values, not numbers: no grid"
        else:
            problem = f"variable {wanted!r} has {found.ndim} dimension(s): no grid of values"
    header: dict[str, Any] = {
        "path": relative,
        "size_bytes": size,
        "file_format": str(dataset.data_model),
        "global_attrs": _attrs(dataset),
        "data_variables": data_variables,
        "variable": name,
        "variable_error": problem,
    }
    if name is None:
        return header
    variable = dataset.variables[name]
    attrs = _attrs(variable)
    axes = tuple(
        _axis(dataset, dim, size_)
        for dim, size_ in zip(variable.dimensions, variable.shape, strict=True)
    )
    if not any(a.role == "x" for a in axes) and len(axes) >= 2:  # no coordinates: by position
        axes = (
            *axes[:-2],
            dataclasses.replace(axes[-2], role="y"),
            dataclasses.replace(axes[-1], role="x"),
        )
    transform, width, height = _grid(axes)
    auxiliary = _auxiliary(dataset, attrs, {a.name for a in axes})
    wkt, source, crs_error, mapping = _crs(dataset, attrs, axes)
    time_axis = next((a for a in axes if a.role == "time"), None)
    units, calendar, time_error, times, seconds, times_missing, times_problem = _times(
        time_axis, dataset
    )
    rules = masking_rules(variable)
    scale, scale_text = _packing_number(variable, "scale_factor", 1.0)
    offset, offset_text = _packing_number(variable, "add_offset", 0.0)
    header.update(
        dims=tuple(variable.dimensions),
        shape=tuple(int(s) for s in variable.shape),
        dtype=str(stored_dtype(variable.dtype, rules)),
        attrs=attrs,
        fill_value=None if rules.fill_is_default else rules.fill,
        missing_values=rules.missing,
        implicit_fill=rules.fill if rules.fill_is_default else None,
        valid_min=rules.valid_min,
        valid_max=rules.valid_max,
        unsigned=rules.unsigned,
        scale=scale,
        offset=offset,
        packing_error=_packing_problem(scale, offset, scale_text or offset_text),
        axes=axes,
        auxiliary=auxiliary,
        grid_mapping=mapping,
        crs_wkt=wkt,
        crs_source=source,
        crs_error=crs_error,
        transform=transform,
        width=width,
        height=height,
        time_units=units,
        calendar=calendar,
        time_error=time_error,
        times_missing=times_missing,
        times_problem=times_problem,
        times=times,
        time_seconds=seconds,
    )
    return header


def _packing_number(variable: Any, name: str, default: float) -> tuple[float, str | None]:
    """A packing attribute as a number, or the default and why it is not one (text such as
    ``0.001f``: netCDF4 then leaves the values packed)."""
    if name not in variable.ncattrs():
        return default, None
    value = variable.getncattr(name)
    try:
        number = np.asarray(value)
        if number.dtype.kind not in "iuf" or number.size != 1:
            raise TypeError
        return float(number.ravel()[0]), None
    except (TypeError, ValueError):
        return default, f"{name} is not a number ({_text(value)[:40]!r})"


def _packing_problem(scale: float, offset: float, not_a_number: str | None = None) -> str | None:
    """Why packed values cannot be decoded with this scale and offset, or None."""
    if not_a_number is not None:
        return f"{not_a_number}: the values cannot be unpacked"
    if not math.isfinite(scale):
        return f"scale_factor is {scale}: no value can be decoded"
    if scale == 0.0:
        return "scale_factor is 0: every value would decode to add_offset"
    if not math.isfinite(offset):
        return f"add_offset is {offset}: no value can be decoded"
    return None


def read_netcdf_part(
    root: str, relative: str, job: NetcdfReadJob, part: int = 0, parts: int = 1
) -> NetcdfPart:
    """Open the file read-only and read one share of the variable's time steps (the first
    dimension); never raises for bad data. A remote file (http(s), a bucket) is fetched
    once into a temporary file first: the netCDF library reads local files."""
    from tpqc.schemas.locations import is_remote

    if is_remote(root):
        return _read_remote(root, relative, job, part, parts)
    return _read_local(root, relative, job, part, parts)


def _read_remote(root: str, relative: str, job: NetcdfReadJob, part: int, parts: int) -> NetcdfPart:
    from tpqc.validators.engine.remote import local_copy

    try:
        with local_copy(root, relative) as local:
            result = _read_local(str(local.parent), local.name, job, part, parts)
    except OSError as exc:
        return NetcdfPart({"path": relative, "size_bytes": None, "open_error": str(exc)})
    result.header["path"] = relative
    return result


def _read_local(root: str, relative: str, job: NetcdfReadJob, part: int, parts: int) -> NetcdfPart:
    import netCDF4

    full = Path(root) / relative
    try:
        size: int | None = full.stat().st_size
    except OSError as exc:
        return NetcdfPart({"path": relative, "size_bytes": None, "open_error": str(exc)})
    with openable(str(full)) as reachable:
        try:
            with warnings.catch_warnings():
                warnings.simplefilter("ignore")
                dataset = netCDF4.Dataset(reachable, "r")
        except Exception as exc:  # the library's own reason: truncated, not NetCDF, bad header
            return NetcdfPart({"path": relative, "size_bytes": size, "open_error": _reason(exc)})
        return _read_dataset(dataset, relative, size, job, part, parts)


def _read_dataset(
    dataset: Any, relative: str, size: int | None, job: NetcdfReadJob, part: int, parts: int
) -> NetcdfPart:
    with dataset:
        try:
            header = _header(dataset, relative, size, job.variable)
        except Exception as exc:
            return NetcdfPart({"path": relative, "size_bytes": size, "open_error": _reason(exc)})
        if part == 0 and job.cf_suites:
            header["cf_results"] = _cf_results(dataset, job.cf_suites)
        if header.get("variable") is None or header.get("packing_error"):
            return NetcdfPart(header)
        variable = dataset.variables[header["variable"]]
        return _read_values(variable, header, job, part, parts)


def _cf_results(dataset: Any, suites: tuple[str, ...]) -> tuple[CfResult, ...]:
    """compliance-checker's failed checks on the open dataset; its own failure is a result."""
    try:
        return run_suites(dataset, suites)
    except Exception as exc:  # compliance-checker's bug must not lose the file's facts
        return (CfResult(suites[0], "compliance-checker", 1, (f"could not run: {_reason(exc)}",)),)


def _reason(exc: BaseException) -> str:
    text = str(exc).strip()
    return text or type(exc).__name__


def header_rules(header: Mapping[str, Any]) -> MaskingRules:
    """The masking rules the header recorded."""
    implicit = header.get("implicit_fill")
    return MaskingRules(
        fill=implicit if implicit is not None else header.get("fill_value"),
        fill_is_default=implicit is not None,
        missing=tuple(header.get("missing_values", ())),
        valid_min=header.get("valid_min"),
        valid_max=header.get("valid_max"),
        unsigned=bool(header.get("unsigned")),
    )


def _raw_to_values(
    raw: npt.NDArray[Any], header: Mapping[str, Any]
) -> tuple[npt.NDArray[Any], float | None]:
    """A slab in physical units and the value that marks no data in it: the stored values
    with the missing cells (fill, missing codes, outside the valid range: netCDF4's mask)
    as NaN, scaled and offset when packed; an unpacked slab whose only missing code is its
    fill is returned as stored (the accumulator skips the fill value itself)."""
    rules = header_rules(header)
    raw = stored(raw, rules)
    scale, offset = header.get("scale", 1.0), header.get("offset", 0.0)
    simple = not rules.missing and rules.valid_min is None and rules.valid_max is None
    if scale == 1.0 and offset == 0.0 and simple:
        return raw, rules.fill
    invalid = invalid_cells(raw, rules)
    values = raw.astype(np.float64)
    if scale != 1.0 or offset != 0.0:
        with np.errstate(over="ignore", invalid="ignore"):  # overflow is inf, counted as such
            values = values * scale + offset
    values[invalid] = np.nan
    return values, math.nan


def _moments_mean(moments: Sequence[tuple[int, float, float]]) -> tuple[int, float]:
    """(count, mean) of the values of some blocks' moments (count, mean, M2)."""
    count = sum(n for n, _, _ in moments)
    if not count:
        return 0, math.nan
    return count, math.fsum(n * mean for n, mean, _ in moments) / count


def _count_undeclared_codes(
    raw: npt.NDArray[Any], declared: set[float], found: dict[float, int]
) -> None:
    """Count the common fill codes the variable does not declare, in one slab of raw values;
    a code outside the slab's range cannot occur in it and costs no pass over the values."""
    codes = [c for c in COMMON_FILL_CODES if c not in declared and _fits(c, raw.dtype)]
    if not codes or raw.size == 0:
        return
    low, high = raw.min(), raw.max()
    if raw.dtype.kind != "f" or (math.isfinite(low) and math.isfinite(high)):
        codes = [c for c in codes if low <= np.asarray(c).astype(raw.dtype) <= high]
    for code in codes:
        hits = int(np.count_nonzero(raw == np.asarray(code).astype(raw.dtype)))
        if hits:
            found[code] = found.get(code, 0) + hits


def _layout(header: Mapping[str, Any]) -> tuple[list[int], int, int]:
    """The variable's dimensions in reading order (the others, then y, then x) and the
    grid's height and width."""
    axes = header["axes"]
    ndim = len(axes)
    y = next((i for i, a in enumerate(axes) if a.role == "y"), ndim - 2)
    x = next((i for i, a in enumerate(axes) if a.role == "x"), ndim - 1)
    order = [i for i in range(ndim) if i not in (y, x)] + [y, x]
    return order, int(header["shape"][y]), int(header["shape"][x])


def _read_values(
    variable: Any, header: dict[str, Any], job: NetcdfReadJob, part: int, parts: int
) -> NetcdfPart:
    """Read the share of the variable's steps (or, for a 2-D variable, rows) in slabs that
    follow the first non-spatial dimension, whatever the order the file stores them in."""
    variable.set_auto_maskandscale(False)
    shape = [int(v) for v in header["shape"]]
    order, height, width = _layout(header)
    lead = [shape[i] for i in order[:-2]]
    per_unit = int(np.prod(lead[1:])) if lead else 1  # steps in one index of the first lead
    units = lead[0] if lead else height
    unit_pixels = per_unit * height * width if lead else width
    first, last = part * units // parts, (part + 1) * units // parts
    result = NetcdfPart(header)
    if part == 0 and job.quicklook and width and height:
        result.quicklook = QuicklookSampler(width, height, (1,))
    declared = set(header_rules(header).codes)
    accumulator: BandAccumulator | None = None
    size = max(1, SLAB_PIXELS // max(1, unit_pixels))
    for start in range(first, last, size):
        stop = min(last, start + size)
        try:
            raw = _read_slab(variable, order, bool(lead), start, stop)
        except Exception as exc:
            result.decode_error = f"values {start}-{stop - 1}: {_reason(exc)}"
            break
        _count_undeclared_codes(raw, declared, result.undeclared)
        values, nodata = _raw_to_values(raw, header)
        if accumulator is None:
            accumulator = BandAccumulator(nodata, job.value_min, job.value_max, job.max_examples)
        if not lead:  # a 2-D variable: one block of rows
            accumulator.add_block(values, start, 0)
            if result.quicklook is not None:
                result.quicklook.add(1, values, start, 0, nodata)
            continue
        for offset_step, grid in enumerate(values.reshape(-1, height, width)):
            step = start * per_unit + offset_step
            # the step's valid count and mean are the accumulator's own, for this block
            seen = len(accumulator.moments)
            accumulator.add_block(grid, step * height, 0)
            count, mean = _moments_mean(accumulator.moments[seen:])
            result.step_valid.append(count / grid.size if grid.size else 0.0)
            result.step_means.append(mean if count else None)
            if result.quicklook is not None and step == 0:
                result.quicklook.add(1, grid, 0, 0, nodata)
    result.accumulator = accumulator
    return result


def _read_slab(
    variable: Any, order: Sequence[int], has_lead: bool, start: int, stop: int
) -> npt.NDArray[Any]:
    """Indexes [start, stop) of the first dimension in reading order (a time range, or rows
    of a 2-D variable), transposed to (steps ..., y, x)."""
    index: list[Any] = [slice(None)] * len(order)
    index[order[0] if has_lead else order[-2]] = slice(start, stop)
    data = np.asarray(variable[tuple(index)])
    return np.transpose(data, order) if list(order) != sorted(order) else data


def _fits(code: float, dtype: np.dtype[Any]) -> bool:
    if dtype.kind in "iu":
        info = np.iinfo(dtype)
        return float(code).is_integer() and info.min <= code <= info.max
    if dtype == np.float32:
        return abs(code) < float(np.finfo(np.float32).max)
    return dtype.kind == "f"


def assemble_netcdf(
    parts: Sequence[NetcdfPart], sha256: str | None, job: NetcdfReadJob
) -> NetcdfFacts:
    """Merge the parts of one file (in time order) into its facts."""
    first = parts[0]
    header = dict(first.header)
    if "open_error" in header:
        return NetcdfFacts(
            path=header["path"],
            size_bytes=header.get("size_bytes"),
            sha256=sha256,
            open_error=header["open_error"],
        )
    if header.get("variable") is None:
        return NetcdfFacts(sha256=sha256, **header)
    accumulators = [p.accumulator for p in parts if p.accumulator is not None]
    accumulator = accumulators[0] if accumulators else None
    for other in accumulators[1:]:
        assert accumulator is not None
        accumulator.merge(other)
    failed = [p.decode_error for p in parts if p.decode_error is not None]
    undeclared: dict[float, int] = {}
    for part in parts:
        for code, count in part.undeclared.items():
            undeclared[code] = undeclared.get(code, 0) + count
    height = _layout(header)[1] if header.get("axes") else 1
    facts = NetcdfFacts(sha256=sha256, value_range=job.value_range, **header)
    if accumulator is None:
        return dataclasses.replace(
            facts, pixels_read=not failed, decode_error=failed[0] if failed else None
        )
    has = accumulator.valid > 0
    histogram = accumulator.histogram.to_json() if has else None
    quicklook = None
    if first.quicklook is not None and not failed:
        quicklook = first.quicklook.render([histogram])
    return dataclasses.replace(
        facts,
        pixels_read=not failed,
        decode_error=failed[0] if failed else None,
        pixels=accumulator.total,
        valid=accumulator.valid,
        nodata_count=accumulator.nodata_count + accumulator.nan_count,
        minimum=accumulator.minimum if has else None,
        maximum=accumulator.maximum if has else None,
        mean=accumulator.mean if has else None,
        stddev=accumulator.std if has else None,
        histogram=histogram,
        out_of_range=accumulator.out_of_range,
        out_of_range_examples=tuple(
            (row // height, row % height, col, value) for row, col, value in accumulator.examples
        ),
        step_means=tuple(m for p in parts for m in p.step_means),
        step_valid=tuple(v for p in parts for v in p.step_valid),
        undeclared_fill=tuple(sorted(undeclared.items())),
        quicklook=quicklook,
    )


__all__ = [
    "AxisFacts",
    "NetcdfFacts",
    "NetcdfReadJob",
    "choose_variable",
    "read_netcdf_part",
]
