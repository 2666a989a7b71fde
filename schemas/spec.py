"""Load a dataset spec: YAML in, a frozen typed :class:`Spec` out.

The YAML is checked against ``dataset-spec.schema.json`` before anything runs.
Every problem is reported at once, located by its YAML path and line, e.g.
``rasters[0].resolution.unit: 'kilometre' is not one of m, km, deg, arcsec (line 14)``.
"""

from __future__ import annotations

import datetime as dt
import math
import re
from collections.abc import Mapping
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any, Literal

import jsonschema
import yaml
from tpqc.schemas.errors import SpecError
from tpqc.schemas.locations import is_remote
from tpqc.schemas.resources import load_json_schema

PathKey = tuple[str | int, ...]
TIME_FIELDS = ("year", "month", "day", "date", "doy")


@dataclass(frozen=True)
class FieldRule:
    """What one filename field may hold: fixed value, numeric bounds or allowed list."""

    name: str
    fixed: str | None = None
    min: float | None = None
    max: float | None = None
    allowed: tuple[str, ...] | None = None
    regex: str | None = None


@dataclass(frozen=True)
class Resolution:
    """Declared pixel size, its unit (m, km, deg, arcsec) and relative tolerance."""

    value: float
    unit: Literal["m", "km", "deg", "arcsec"]
    tolerance: float = 0.01


@dataclass(frozen=True)
class ExtentRule:
    """How a file's footprint must relate to the dataset extent."""

    match: Literal["within", "equal", "covers"] = "within"
    tolerance_pixels: float = 1.0


@dataclass(frozen=True)
class ValueRange:
    """The range valid pixel values must fall in, and their unit."""

    min: float | None = None
    max: float | None = None
    unit: str | None = None
    scale: float | None = None
    offset: float | None = None


@dataclass(frozen=True)
class NodataRule:
    """The nodata declaration: ``required`` (any), a number, or ``nan``."""

    kind: Literal["required", "value", "nan"]
    value: float | None = None

    def describe(self) -> str:
        """The rule as a user wrote it."""
        if self.kind == "value":
            return repr(self.value)
        return self.kind


@dataclass(frozen=True)
class RasterProduct:
    """One raster product of the dataset: a filename pattern and what its files must be."""

    name: str
    pattern: str
    fields: Mapping[str, FieldRule]
    description: str | None = None
    crs: str | None = None
    resolution: Resolution | None = None
    extent: ExtentRule | None = None
    bands: int | None = None
    dtype: str | None = None
    nodata: NodataRule | None = None
    values: ValueRange | None = None
    max_nodata_fraction: float | None = None


@dataclass(frozen=True)
class Station:
    """Where a station stands (WGS84 degrees, metres above sea level)."""

    lon: float
    lat: float
    elevation: float | None = None
    id: str | None = None
    name: str | None = None


@dataclass(frozen=True)
class ColumnRule:
    """What one declared column of a table must hold."""

    name: str
    aliases: tuple[str, ...] = ()
    unit: str | None = None
    min: float | None = None
    max: float | None = None
    variable: str | None = None
    required: bool = True
    max_missing_fraction: float | None = None
    description: str | None = None


@dataclass(frozen=True)
class TimeRule:
    """The time column: its name, format, regular step, time zone and labelling."""

    column: str
    step_seconds: int
    aliases: tuple[str, ...] = ()
    format: str | None = None
    timezone: str = "UTC"
    label: Literal["end", "start"] = "end"


@dataclass(frozen=True)
class TableProduct:
    """One station-table product: file pattern, layout, time, station and columns."""

    name: str
    pattern: str
    fields: Mapping[str, FieldRule]
    time: TimeRule
    columns: tuple[ColumnRule, ...] = ()
    description: str | None = None
    format: str | None = None
    sheet: str | int | None = None
    delimiter: str | None = None
    encoding: str | None = None
    header_rows: int = 1
    units_row: int | None = None
    missing_values: tuple[float, ...] = ()
    station: Station | None = None
    station_field: str | None = None
    max_missing_fraction: float | None = None
    unexpected_columns: Literal["warn", "allow"] = "warn"


@dataclass(frozen=True)
class Provider:
    """An organisation that hosts, produces or licenses the data."""

    name: str
    roles: tuple[str, ...] = ()
    url: str | None = None
    description: str | None = None


@dataclass(frozen=True)
class Publication:
    """A publication that describes the dataset."""

    doi: str | None = None
    citation: str | None = None


@dataclass(frozen=True)
class Temporal:
    """Declared temporal coverage and the length of one series member (ISO 8601)."""

    start: dt.datetime | None = None
    end: dt.datetime | None = None
    resolution: str | None = None


@dataclass(frozen=True)
class BBox:
    """A WGS84 bounding box in degrees."""

    west: float
    south: float
    east: float
    north: float

    def as_tuple(self) -> tuple[float, float, float, float]:
        """(west, south, east, north)."""
        return (self.west, self.south, self.east, self.north)


@dataclass(frozen=True)
class DatasetMeta:
    """The dataset's metadata as declared in the spec."""

    id: str
    title: str = ""
    description: str = ""
    doi: str | None = None
    cstr: str | None = None
    citation: str | None = None
    license: str | None = None
    creators: tuple[str, ...] = ()
    providers: tuple[Provider, ...] = ()
    keywords: tuple[str, ...] = ()
    publications: tuple[Publication, ...] = ()
    temporal: Temporal | None = None
    extent: BBox | None = None
    resolution: str | Resolution | None = None
    size: str | None = None


@dataclass(frozen=True)
class Spec:
    """A loaded, validated dataset spec."""

    path: Path
    data_root: Path
    dataset: DatasetMeta
    rasters: tuple[RasterProduct, ...]
    lines: Mapping[PathKey, int]
    tables: tuple[TableProduct, ...] = ()
    stations: Mapping[str, Station] = field(default_factory=dict)
    exclude: tuple[str, ...] = ()
    data_url: str | None = None
    """The data root when it is remote (/vsicurl/..., http(s)://...); data_root is unused then."""

    @property
    def location(self) -> str:
        """Where the data is: the remote root, or the local folder."""
        return self.data_url or str(self.data_root)

    @property
    def products(self) -> tuple[RasterProduct | TableProduct, ...]:
        """Every product, rasters first."""
        return (*self.rasters, *self.tables)

    def product_named(self, name: str) -> RasterProduct | TableProduct:
        """The product of this name (names are unique across sections)."""
        for product in self.products:
            if product.name == name:
                return product
        raise KeyError(name)

    def section_of(self, name: str) -> Literal["rasters", "tables"]:
        """The spec section that declares the product of this name."""
        return "tables" if any(t.name == name for t in self.tables) else "rasters"


class _PlainLoader(yaml.SafeLoader):
    """SafeLoader that keeps dates as strings, so the schema sees what the user wrote."""


_PlainLoader.yaml_implicit_resolvers = {
    first: [(tag, rx) for tag, rx in resolvers if tag != "tag:yaml.org,2002:timestamp"]
    for first, resolvers in yaml.SafeLoader.yaml_implicit_resolvers.items()
}


def format_path(key: PathKey) -> str:
    """Render a path like ``rasters[0].resolution.unit``."""
    out = ""
    for part in key:
        if isinstance(part, int):
            out += f"[{part}]"
        else:
            out += f".{part}" if out else str(part)
    return out or "(top level)"


def _line_map(node: yaml.Node, key: PathKey, lines: dict[PathKey, int]) -> None:
    lines.setdefault(key, node.start_mark.line + 1)
    if isinstance(node, yaml.MappingNode):
        for key_node, value_node in node.value:
            child = (*key, str(key_node.value))
            lines[child] = key_node.start_mark.line + 1
            _line_map(value_node, child, lines)
    elif isinstance(node, yaml.SequenceNode):
        for index, item in enumerate(node.value):
            _line_map(item, (*key, index), lines)


def _schema_problems(
    document: Any, lines: Mapping[PathKey, int], schema: Mapping[str, Any]
) -> list[tuple[int, str]]:
    validator = jsonschema.Draft202012Validator(schema)
    problems: list[tuple[int, str]] = []
    for error in validator.iter_errors(document):
        for where, text in _describe_error(error):
            line = lines.get(where, lines.get(where[:-1], 0))
            problems.append((line, f"{format_path(where)}: {text} (line {line})"))
    return problems


def _describe_error(error: jsonschema.ValidationError) -> list[tuple[PathKey, str]]:
    where: PathKey = tuple(error.absolute_path)
    if error.validator == "additionalProperties" and isinstance(error.instance, dict):
        schema = error.schema if isinstance(error.schema, Mapping) else {}
        allowed = set(schema.get("properties", {}))
        unknown = sorted(str(k) for k in error.instance if k not in allowed)
        hint = f"; allowed: {', '.join(sorted(allowed))}" if allowed else ""
        return [((*where, k), f"unknown key {k!r}{hint}") for k in unknown]
    if error.validator == "enum":
        choices: Any = error.validator_value
        options = ", ".join(str(o) for o in choices)
        return [(where, f"{error.instance!r} is not one of {options}")]
    if error.validator == "required":
        return [(where, error.message)]
    if error.validator == "oneOf" and error.context:
        # Report the branch that got furthest, not "is not valid under any of the given schemas".
        best = max(error.context, key=lambda e: len(e.absolute_path))
        if best.validator == "type":
            return [(where, f"{error.instance!r} is not a valid value here")]
        return _describe_error(best)
    return [(where, error.message)]


def _parse_datetime(text: str, *, end: bool) -> dt.datetime:
    if len(text) == 10:
        day = dt.date.fromisoformat(text)
        clock = dt.time(23, 59, 59) if end else dt.time(0, 0, 0)
        return dt.datetime.combine(day, clock, tzinfo=dt.UTC)
    value = dt.datetime.fromisoformat(text.replace("Z", "+00:00"))
    return value if value.tzinfo else value.replace(tzinfo=dt.UTC)


def _field_rule(name: str, raw: Any) -> FieldRule:
    if isinstance(raw, dict):
        if "in" in raw:
            return FieldRule(name, allowed=tuple(str(v) for v in raw["in"]))
        return FieldRule(name, min=raw.get("min"), max=raw.get("max"), regex=raw.get("regex"))
    return FieldRule(name, fixed=str(raw))


def _nodata_rule(raw: Any) -> NodataRule:
    if raw == "required":
        return NodataRule("required")
    if raw == "nan" or (isinstance(raw, float) and math.isnan(raw)):
        return NodataRule("nan")
    return NodataRule("value", float(raw))


def _raster(raw: Mapping[str, Any]) -> RasterProduct:
    res = raw.get("resolution")
    ext = raw.get("extent")
    values = raw.get("values")
    return RasterProduct(
        name=raw["name"],
        pattern=raw["pattern"],
        description=raw.get("description"),
        fields={k: _field_rule(k, v) for k, v in (raw.get("fields") or {}).items()},
        crs=raw.get("crs"),
        resolution=Resolution(float(res["value"]), res["unit"], float(res.get("tolerance", 0.01)))
        if res
        else None,
        extent=ExtentRule(ext.get("match", "within"), float(ext.get("tolerance_pixels", 1.0)))
        if ext is not None
        else None,
        bands=raw.get("bands"),
        dtype=raw.get("dtype"),
        nodata=_nodata_rule(raw["nodata"]) if "nodata" in raw else None,
        values=ValueRange(**values) if values else None,
        max_nodata_fraction=raw.get("max_nodata_fraction"),
    )


STEP_UNITS = {"s": 1, "sec": 1, "min": 60, "h": 3600, "d": 86400}


def parse_step(text: str) -> int:
    """Seconds in a step written as ``10min``, ``30 min``, ``1h``, ``1d`` or ``PT30M``."""
    found = re.fullmatch(r"(\d+) ?(s|sec|min|h|d)", text)
    if found:
        return int(found.group(1)) * STEP_UNITS[found.group(2)]
    iso = re.fullmatch(r"P(?:(\d+)D)?(?:T(?:(\d+)H)?(?:(\d+)M)?(?:(\d+)S)?)?", text)
    if iso and any(iso.groups()):
        days, hours, minutes, seconds = (int(g) if g else 0 for g in iso.groups())
        return ((days * 24 + hours) * 60 + minutes) * 60 + seconds
    raise ValueError(f"not a time step: {text!r}")


def _station(raw: Mapping[str, Any]) -> Station:
    return Station(
        float(raw["lon"]), float(raw["lat"]), raw.get("elevation"), raw.get("id"), raw.get("name")
    )


def _column(name: str, raw: Mapping[str, Any]) -> ColumnRule:
    from tpqc.schemas.variables import VARIABLES

    known = VARIABLES.get(raw.get("variable", ""))
    return ColumnRule(
        name=name,
        aliases=tuple(raw.get("aliases") or ()),
        unit=raw.get("unit", known.unit if known else None),
        min=raw.get("min", known.min if known else None),
        max=raw.get("max", known.max if known else None),
        variable=raw.get("variable"),
        required=bool(raw.get("required", True)),
        max_missing_fraction=raw.get("max_missing_fraction"),
        description=raw.get("description", known.description if known else None),
    )


def _table(raw: Mapping[str, Any]) -> TableProduct:
    time = raw["time"]
    station = raw.get("station") or {}
    return TableProduct(
        name=raw["name"],
        pattern=raw["pattern"],
        fields={k: _field_rule(k, v) for k, v in (raw.get("fields") or {}).items()},
        time=TimeRule(
            column=time["column"],
            step_seconds=parse_step(time["step"]),
            aliases=tuple(time.get("aliases") or ()),
            format=time.get("format"),
            timezone=time.get("timezone", "UTC"),
            label=time.get("label", "end"),
        ),
        columns=tuple(_column(k, v or {}) for k, v in (raw.get("columns") or {}).items()),
        description=raw.get("description"),
        format=raw.get("format"),
        sheet=raw.get("sheet"),
        delimiter=raw.get("delimiter"),
        encoding=raw.get("encoding"),
        header_rows=int(raw.get("header_rows", 1)),
        units_row=raw.get("units_row"),
        missing_values=tuple(float(v) for v in raw.get("missing_values") or ()),
        station=_station(station) if "lon" in station else None,
        station_field=station.get("field"),
        max_missing_fraction=raw.get("max_missing_fraction"),
        unexpected_columns=raw.get("unexpected_columns", "warn"),
    )


def _dataset(raw: Mapping[str, Any]) -> DatasetMeta:
    temporal = raw.get("temporal")
    extent = raw.get("extent")
    return DatasetMeta(
        id=raw["id"],
        title=raw.get("title", ""),
        description=raw.get("description", ""),
        doi=raw.get("doi"),
        cstr=raw.get("cstr"),
        citation=raw.get("citation"),
        license=raw.get("license"),
        creators=tuple(raw.get("creators") or ()),
        providers=tuple(
            Provider(p["name"], tuple(p.get("roles") or ()), p.get("url"), p.get("description"))
            for p in raw.get("providers") or ()
        ),
        keywords=tuple(raw.get("keywords") or ()),
        publications=tuple(
            Publication(p.get("doi"), p.get("citation")) for p in raw.get("publications") or ()
        ),
        temporal=Temporal(
            start=_parse_datetime(temporal["start"], end=False) if "start" in temporal else None,
            end=_parse_datetime(temporal["end"], end=True) if "end" in temporal else None,
            resolution=temporal.get("resolution"),
        )
        if temporal
        else None,
        extent=BBox(extent["west"], extent["south"], extent["east"], extent["north"])
        if extent
        else None,
        resolution=_declared_resolution(raw.get("resolution")),
        size=raw.get("size"),
    )


def _declared_resolution(raw: Any) -> str | Resolution | None:
    if isinstance(raw, dict):
        return Resolution(float(raw["value"]), raw["unit"], float(raw.get("tolerance", 0.25)))
    return raw if isinstance(raw, str) else None


def _semantic_problems(document: Mapping[str, Any], lines: Mapping[PathKey, int]) -> list[str]:
    """Problems the JSON Schema cannot express: CRS strings, bounds order, dates, patterns."""
    from pyproj import CRS
    from pyproj.exceptions import CRSError

    problems: list[str] = []

    def add(key: PathKey, text: str) -> None:
        problems.append(f"{format_path(key)}: {text} (line {lines.get(key, 0)})")

    extent = document["dataset"].get("extent")
    if extent and extent["south"] > extent["north"]:
        add(("dataset", "extent", "south"), "south is greater than north")
    temporal = document["dataset"].get("temporal") or {}
    for which in ("start", "end"):
        if which in temporal:
            try:
                _parse_datetime(temporal[which], end=which == "end")
            except ValueError as exc:
                add(("dataset", "temporal", which), f"not a valid date: {exc}")
    names: set[str] = set()
    for index, table in enumerate(document.get("tables") or []):
        key: PathKey = ("tables", index)
        if table["name"] in names:
            add((*key, "name"), f"duplicate product name {table['name']!r}")
        names.add(table["name"])
        try:
            parse_step(table["time"]["step"])
        except ValueError as exc:
            add((*key, "time", "step"), str(exc))
        from tpqc.schemas.patterns import PatternError, compile_pattern

        try:
            compile_pattern(table["pattern"], field_regexes(table.get("fields") or {}))
        except PatternError as exc:
            add((*key, "pattern"), str(exc))
        station = table.get("station") or {}
        if "field" in station and station["field"] not in _placeholders(table["pattern"]):
            add((*key, "station", "field"), f"{station['field']!r} is not a field of the pattern")
        units_row = table.get("units_row")
        if units_row is not None and units_row > table.get("header_rows", 1):
            add((*key, "units_row"), "the units row must be one of the header_rows")
        for column, rule in (table.get("columns") or {}).items():
            rule = rule or {}
            if "min" in rule and "max" in rule and rule["min"] > rule["max"]:
                add((*key, "columns", column, "min"), "min is greater than max")
    for index, raster in enumerate(document.get("rasters") or []):
        if raster["name"] in names:
            add(("rasters", index, "name"), f"duplicate product name {raster['name']!r}")
        names.add(raster["name"])
        if "crs" in raster:
            try:
                CRS.from_user_input(raster["crs"])
            except CRSError as exc:
                add(("rasters", index, "crs"), f"not a CRS pyproj understands: {exc}")
        from tpqc.schemas.patterns import PatternError, compile_pattern

        try:
            compile_pattern(raster["pattern"], field_regexes(raster.get("fields") or {}))
        except PatternError as exc:
            add(("rasters", index, "pattern"), str(exc))
        values = raster.get("values") or {}
        if "min" in values and "max" in values and values["min"] > values["max"]:
            add(("rasters", index, "values", "min"), "min is greater than max")
    return problems


def _placeholders(pattern: str) -> set[str]:
    return set(re.findall(r"\{([A-Za-z][A-Za-z0-9]*)\}", pattern))


def field_regexes(fields: Mapping[str, Any]) -> dict[str, str]:
    """The ``regex`` of each field rule that has one."""
    return {k: v["regex"] for k, v in fields.items() if isinstance(v, dict) and "regex" in v}


def load_spec(path: str | Path, data_override: str | Path | None = None) -> Spec:
    # data_override is a str for URLs: Path() would fold the // of http://.
    """Read, validate and type a dataset spec; raise :class:`SpecError` listing every problem."""
    spec_path = Path(path)
    try:
        text = spec_path.read_text(encoding="utf-8")
    except (OSError, UnicodeDecodeError) as exc:
        raise SpecError(str(spec_path), [f"cannot read the spec: {exc}"]) from exc
    try:
        node = yaml.compose(text, Loader=_PlainLoader)
        document = yaml.load(text, Loader=_PlainLoader)
    except yaml.YAMLError as exc:
        raise SpecError(str(spec_path), [f"not valid YAML: {exc}"]) from exc
    lines: dict[PathKey, int] = {}
    if node is not None:
        _line_map(node, (), lines)
    if not isinstance(document, dict):
        raise SpecError(str(spec_path), ["the spec must be a YAML mapping (key: value lines)"])
    found = _schema_problems(document, lines, load_json_schema("dataset-spec.schema.json"))
    if found:
        raise SpecError(str(spec_path), [text for _, text in sorted(found)])
    semantic = _semantic_problems(document, lines)
    if semantic:
        raise SpecError(str(spec_path), semantic)
    base = spec_path.parent
    data_value = str(data_override) if data_override is not None else document.get("data", ".")
    remote = is_remote(data_value)
    data_root = Path(data_value) if data_override is not None else base / data_value
    return Spec(
        path=spec_path,
        data_root=data_root,
        dataset=_dataset(document["dataset"]),
        rasters=tuple(_raster(r) for r in document.get("rasters") or ()),
        lines=lines,
        tables=tuple(_table(t) for t in document.get("tables") or ()),
        stations={k: _station(v) for k, v in (document.get("stations") or {}).items()},
        exclude=tuple(document.get("exclude") or ()),
        data_url=data_value if remote else None,
    )
