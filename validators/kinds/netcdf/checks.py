"""CF checks of one NetCDF variable (code letter C), and the GeoTIFF-shaped view of its
facts through which the raster checks (CRS, resolution, extent, values, nodata) apply.

A reviewer of a CF dataset checks that values have parseable units, standard names come
from the CF table, coordinates run one way, the time axis can be decoded with its calendar,
the grid mapping resolves to a CRS, fill values are declared, and the global attributes say
what the data is (title, institution, source, history, Conventions). A product may also
ask for compliance-checker's CF or ACDD suites (C013), run on the file the one read holds
open.
"""

from __future__ import annotations

import math
from collections.abc import Iterator, Sequence
from dataclasses import dataclass
from functools import cache

from tpqc.schemas.spec import RasterProduct, Spec
from tpqc.validators.engine.json_values import json_number
from tpqc.validators.findings import Finding, Issue, Location, Severity
from tpqc.validators.grid.facts import BandFacts, RasterFacts
from tpqc.validators.kinds.netcdf.reader import NetcdfFacts
from tpqc.validators.registry import Explains, Scope, check

GLOBAL_ATTRIBUTES = ("title", "institution", "source", "history", "Conventions")


@dataclass(frozen=True)
class NetcdfContext:
    """What a CF check looks at: the variable's facts, its product and the spec."""

    facts: NetcdfFacts
    product: RasterProduct
    spec: Spec

    def at(self, field: str | None = None) -> Location:
        """A location in this file (``field``: the variable or attribute concerned)."""
        return Location(path=self.facts.path, field=field)


NETCDF_FILE = Scope[NetcdfContext]("netcdf-file")
"""CF checks of one NetCDF/HDF5 file's variable."""


def raster_view(facts: NetcdfFacts) -> RasterFacts:
    """The variable as one band of a grid, so that every raster check applies to it
    (statistics over all time steps; fill and missing values, or NetCDF's default fill
    when none is declared, are its nodata)."""
    band = BandFacts(
        index=1,
        dtype=facts.dtype or "float64",
        nodata=next(
            (
                code
                for code in (facts.fill_value, *facts.missing_values, facts.implicit_fill)
                if code is not None
            ),
            None,
        ),
        nodata_representable=True,
        description=facts.attrs.get("long_name"),
        unit=facts.attrs.get("units"),
        scale=facts.scale,
        offset=facts.offset,
        decoded_statistics=True,
        pixels=facts.pixels,
        valid=facts.valid,
        nodata_count=facts.nodata_count,
        minimum=facts.minimum,
        maximum=facts.maximum,
        mean=facts.mean,
        stddev=facts.stddev,
        histogram=facts.histogram,
        out_of_range=facts.out_of_range,
        out_of_range_examples=tuple((r, c, v) for _, r, c, v in facts.out_of_range_examples),
    )
    readable = facts.readable and facts.variable is not None
    return RasterFacts(
        path=facts.path,
        size_bytes=facts.size_bytes,
        sha256=facts.sha256,
        open_error=None if readable else (facts.open_error or facts.variable_error),
        decode_error=facts.decode_error,
        pixels_read=facts.pixels_read,
        driver=f"netCDF ({facts.file_format})" if facts.file_format else "netCDF",
        width=facts.width,
        height=facts.height,
        count=1 if readable else 0,
        crs_wkt=facts.crs_wkt,
        transform=facts.transform,
        has_geotransform=facts.transform is not None,
        bands=(band,) if readable else (),
        quicklook=facts.quicklook,
        value_range=facts.value_range,
    )


@check("C001", "netcdf-unreadable", scope=NETCDF_FILE)
def netcdf_unreadable(ctx: NetcdfContext) -> Iterator[Issue]:
    """The file cannot be opened as NetCDF or HDF5 (truncated, a bad header, another
    format); the library's own reason is given."""
    if ctx.facts.open_error is not None:
        yield Issue(
            "the file cannot be opened as NetCDF/HDF5",
            ctx.at(),
            actual=ctx.facts.open_error,
        )


@check("C002", "variable-missing", scope=NETCDF_FILE)
def variable_missing(ctx: NetcdfContext) -> Iterator[Issue]:
    """The variable the product names is not in the file (or the file has several data
    variables and the product names none)."""
    facts = ctx.facts
    if facts.readable and facts.variable is None:
        yield Issue(
            facts.variable_error or "no variable to check",
            ctx.at("variable"),
            expected=ctx.product.variable,
            actual=list(facts.data_variables),
            hint="name the variable with `variable:` in the product",
        )


@cache
def _unit_problem(text: str) -> str | None:
    import cf_units

    try:
        cf_units.Unit(text)
    except ValueError as exc:
        return str(exc)
    return None


def _checked(ctx: NetcdfContext) -> bool:
    return ctx.facts.readable and ctx.facts.variable is not None


def _about_the_variable(found: Sequence[Finding], _: Finding) -> bool:
    return any(f.details.get("subject") == "variable" for f in found)


@check(
    "C003",
    "units-invalid",
    scope=NETCDF_FILE,
    explains=(Explains("R020", when=_about_the_variable),),
)
def units_invalid(ctx: NetcdfContext) -> Iterator[Issue]:
    """The variable or a spatial coordinate (a dimension's, or an auxiliary one the
    ``coordinates`` attribute names, such as a curvilinear grid's 2-D latitude) has no
    ``units``, or units UDUNITS cannot parse (the variable's unit is then not compared with
    the spec's)."""
    if not _checked(ctx):
        return
    subjects = [(ctx.facts.variable or "", ctx.facts.attrs, "variable")]
    subjects += [
        (a.name, a.attrs, "coordinate")
        for a in ctx.facts.axes
        if a.role in ("x", "y") and a.has_variable
    ]
    subjects += [(name, attrs, "coordinate") for name, attrs in ctx.facts.auxiliary]
    for name, attrs, subject in subjects:
        units = attrs.get("units")
        if units is None:
            if attrs.get("flag_values") or attrs.get("flag_meanings"):
                continue  # flags carry no units
            yield Issue(
                f"{name} has no units attribute",
                ctx.at(name),
                expected="units",
                details={"subject": subject},
            )
            continue
        problem = _unit_problem(units)
        if problem is not None:
            yield Issue(
                f"{name} units {units!r} are not parseable (UDUNITS)",
                ctx.at(name),
                expected="UDUNITS units such as mm day-1, K, kg m-2 s-1",
                actual=units,
                details={"reason": problem, "subject": subject},
            )


@check("C004", "standard-name-invalid", scope=NETCDF_FILE)
def standard_name_invalid(ctx: NetcdfContext) -> Iterator[Issue]:
    """A ``standard_name`` is not in the CF standard-name table (shipped offline), or is an
    alias the table has renamed (warning)."""
    if not _checked(ctx):
        return
    from tpqc.schemas.cf_names import standard_names

    table = standard_names()
    subjects = [(ctx.facts.variable or "", ctx.facts.attrs)]
    subjects += [(a.name, a.attrs) for a in ctx.facts.axes if a.has_variable]
    for name, attrs in subjects:
        written = attrs.get("standard_name")
        if written is None:
            continue
        current, alias = table.lookup(written)
        if current is None:
            close = table.closest(written.split()[0]) if written.split() else None
            yield Issue(
                f"{name} standard_name {written!r} is not in the CF table (version "
                f"{table.version})",
                ctx.at(name),
                expected=close,
                actual=written,
                hint=f"did you mean {close}?" if close else None,
            )
        elif alias is not None:
            yield Issue(
                f"{name} standard_name {alias!r} is an alias of {current!r}",
                ctx.at(name),
                expected=current,
                actual=written,
                severity=Severity.WARNING,
            )


@check("C005", "coordinate-not-monotonic", scope=NETCDF_FILE)
def coordinate_not_monotonic(ctx: NetcdfContext) -> Iterator[Issue]:
    """A coordinate variable (x, y or time) does not strictly increase or decrease."""
    if not _checked(ctx):
        return
    for axis in ctx.facts.axes:
        if axis.has_variable and not axis.monotonic:
            yield Issue(
                f"coordinate {axis.name} is not strictly monotonic",
                ctx.at(axis.name),
                expected="strictly increasing or decreasing values",
                actual={"first": axis.first, "last": axis.last},
            )


@check("C006", "time-units-invalid", scope=NETCDF_FILE)
def time_units_invalid(ctx: NetcdfContext) -> Iterator[Issue]:
    """The time coordinate's units or calendar cannot be decoded (CF: ``<unit> since
    <date>`` and a CF calendar)."""
    facts = ctx.facts
    if _checked(ctx) and facts.time_error is not None:
        time = facts.axis("time")
        yield Issue(
            "the time axis cannot be decoded",
            ctx.at(time.name if time else "time"),
            expected="units '<unit> since <date>' and a CF calendar",
            actual={"units": facts.time_units, "calendar": facts.calendar},
            details={"reason": facts.time_error},
        )


@check("C012", "time-values-missing", scope=NETCDF_FILE)
def time_values_missing(ctx: NetcdfContext) -> Iterator[Issue]:
    """Values of the time coordinate are missing (its fill value, outside its valid range)
    or cannot be decoded with valid units: those steps have no time."""
    facts = ctx.facts
    if _checked(ctx) and facts.times_problem is not None:
        time = facts.axis("time")
        yield Issue(
            f"{facts.times_missing} time values have no time",
            ctx.at(time.name if time else "time"),
            expected="a time for every step",
            actual={
                "missing": facts.times_missing,
                "steps": facts.times_missing + len(facts.times),
            },
            details={"reason": facts.times_problem},
        )


@check("C007", "grid-mapping-unresolvable", scope=NETCDF_FILE)
def grid_mapping_unresolvable(ctx: NetcdfContext) -> Iterator[Issue]:
    """The ``grid_mapping`` attribute names no variable, or its attributes give no CRS."""
    if _checked(ctx) and ctx.facts.crs_error is not None:
        yield Issue(
            "the grid mapping does not resolve to a CRS",
            ctx.at("grid_mapping"),
            actual=ctx.facts.attrs.get("grid_mapping"),
            details={"reason": ctx.facts.crs_error},
        )


@check("C008", "global-attribute-missing", Severity.WARNING, scope=NETCDF_FILE)
def global_attribute_missing(ctx: NetcdfContext) -> Iterator[Issue]:
    """A global attribute a reader needs (title, institution, source, history, Conventions
    naming CF) is missing or empty."""
    facts = ctx.facts
    if not facts.readable:
        return
    for name in GLOBAL_ATTRIBUTES:
        value = facts.global_attrs.get(name, "").strip()
        if not value:
            yield Issue(f"global attribute {name} is missing", ctx.at(name), expected="a value")
        elif name == "Conventions" and "CF-" not in value:
            yield Issue(
                "Conventions does not name a CF version",
                ctx.at(name),
                expected="CF-1.x",
                actual=value,
            )


def _only_fill_out_of_range(fills: Sequence[Finding], out_of_range: Finding) -> bool:
    """Undeclared fill codes read as values: when they are all that lies out of range,
    fill-value-undeclared says it sharper than value-out-of-range."""
    count = out_of_range.actual.get("count") if isinstance(out_of_range.actual, dict) else None
    return bool(count == sum(f.actual["count"] for f in fills))


@check(
    "C009",
    "fill-value-undeclared",
    scope=NETCDF_FILE,
    explains=(Explains("R014", when=_only_fill_out_of_range),),
)
def fill_value_undeclared(ctx: NetcdfContext) -> Iterator[Issue]:
    """The data hold a common fill code (-9999, -32767, NetCDF's default fill ...) that is
    neither its ``_FillValue`` nor a ``missing_value``: those cells count as values."""
    for value, count in ctx.facts.undeclared_fill:
        yield Issue(
            f"{count} values equal {value:g}, a fill code the variable does not declare",
            ctx.at(ctx.facts.variable),
            expected={
                "_FillValue": ctx.facts.fill_value,
                "missing_value": list(ctx.facts.missing_values),
            },
            actual={"value": value, "count": count},
            hint=f"declare _FillValue = {value:g}, or mask those cells",
        )


@check("C010", "units-mismatch", scope=NETCDF_FILE, explains=("R020",))
def units_mismatch(ctx: NetcdfContext) -> Iterator[Issue]:
    """The variable's units differ from the unit the spec declares for its values (the value
    range would be compared in the wrong unit)."""
    rule = ctx.product.values
    units = ctx.facts.attrs.get("units")
    if not _checked(ctx) or rule is None or rule.unit is None or units is None:
        return
    if _unit_problem(units) is not None:
        return  # units-invalid says it
    from tpqc.schemas.units import units_agree

    if not units_agree(rule.unit, units):
        yield Issue(
            f"{ctx.facts.variable} is in {units}, the spec declares {rule.unit}",
            ctx.at(ctx.facts.variable),
            expected=rule.unit,
            actual=units,
        )


@check("C011", "packing-invalid", scope=NETCDF_FILE)
def packing_invalid(ctx: NetcdfContext) -> Iterator[Issue]:
    """``scale_factor`` or ``add_offset`` cannot decode the stored values (a scale of 0, a
    NaN or infinite scale or offset): the values were not read, and no value check ran."""
    facts = ctx.facts
    if _checked(ctx) and facts.packing_error is not None:
        yield Issue(
            "the variable's packing cannot decode its values",
            ctx.at(facts.variable),
            expected="a finite, non-zero scale_factor and a finite add_offset",
            actual={"scale_factor": facts.scale, "add_offset": facts.offset},
            details={"reason": facts.packing_error},
        )


__all__ = ["NETCDF_FILE", "NetcdfContext", "raster_view"]


_PRIORITY_SEVERITY = {3: Severity.ERROR, 2: Severity.WARNING, 1: Severity.INFO}


@check("C013", "cf-suite-failed", scope=NETCDF_FILE)
def cf_suite_failed(ctx: NetcdfContext) -> Iterator[Issue]:
    """A check of the compliance-checker suite the product asks for (``cf: {suite:
    cf-1.8}``) failed, with compliance-checker's own messages; its priority gives the
    severity (high: error, medium: warning, low: note). Opt-in: nothing runs without it."""
    for result in ctx.facts.cf_results:
        yield Issue(
            f"{result.section}: {result.messages[0]}"
            + (f" (and {len(result.messages) - 1} more)" if len(result.messages) > 1 else ""),
            ctx.at(),
            expected=result.suite,
            actual=list(result.messages),
            details={
                "suite": result.suite,
                "section": result.section,
                "priority": result.priority,
                "score": [result.passed, result.total],
            },
            severity=_PRIORITY_SEVERITY.get(result.priority, Severity.INFO),
        )


@check("C014", "actual-range-mismatch", Severity.WARNING, scope=NETCDF_FILE)
def actual_range_mismatch(ctx: NetcdfContext) -> Iterator[Issue]:
    """The variable's ``actual_range`` attribute is not the minimum and maximum of its
    valid values (in physical units), as the one read measured them."""
    facts = ctx.facts
    declared = facts.attrs.get("actual_range")
    if not facts.decoded or declared is None or facts.minimum is None or facts.maximum is None:
        return
    try:
        low, high = (float(v) for v in declared.split())
    except ValueError:
        yield Issue(
            "actual_range is not two numbers",
            ctx.at(facts.variable),
            expected="[minimum, maximum]",
            actual=declared,
        )
        return
    found = (facts.minimum, facts.maximum)
    if not all(
        math.isclose(a, b, rel_tol=1e-6, abs_tol=1e-12)
        for a, b in zip((low, high), found, strict=True)
    ):
        yield Issue(
            "actual_range differs from the values' minimum and maximum",
            ctx.at(facts.variable),
            expected=[json_number(v) for v in found],
            actual=[low, high],
        )
