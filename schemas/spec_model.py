"""The dataset spec, described once: typed pydantic dataclasses with their defaults and
descriptions. The JSON Schema editors use (``dataset-spec.schema.json``) is generated from
them (``python -m tpqc.schemas.spec_model``, kept in step by a test); the loader validates a
document against that schema for located messages, then builds these types from it.

Where the YAML form differs from the typed form (a field rule written as ``2017`` or
``{in: [...]}``, ``nodata: required``, columns keyed by name, ``step: 10min``, dates), a
validator turns the written form into the typed one and the schema describes what is written.
"""

from __future__ import annotations

import datetime as dt
import json
import sys
import typing
from collections.abc import Mapping
from typing import Annotated, Any, Literal

from pydantic import BeforeValidator, ConfigDict, Field, TypeAdapter, WithJsonSchema
from pydantic.dataclasses import dataclass
from pydantic.json_schema import GenerateJsonSchema, JsonSchemaValue
from pydantic_core import core_schema

from tpqc.schemas.identity import SPEC_VERSION
from tpqc.schemas.spec_values import (
    DATE_FORMS,
    DURATION_FORMS,
    RESOLUTION_FORMS,
    STEP_FORMS,
    is_placeholder,
    parse_moment,
    parse_nodata,
    parse_resolution_text,
    parse_step,
)
from tpqc.schemas.variables import VARIABLES

_CONFIG = ConfigDict(extra="forbid", arbitrary_types_allowed=False, defer_build=True)
_NAME = r"^[A-Za-z0-9][A-Za-z0-9._-]*$"
_FIELD_NAME = r"^[A-Za-z][A-Za-z0-9]*$"
_DATE = (
    r"^[0-9]{4}-[0-9]{2}-[0-9]{2}([T ][0-9]{2}:[0-9]{2}(:[0-9]{2}(\.[0-9]+)?)?"
    r"(Z|[+-][0-9]{2}:?[0-9]{2})?)?$"
)
_DURATION = (
    r"^P(?!$)([0-9]+Y)?([0-9]+M)?([0-9]+W)?([0-9]+D)?(T(?=[0-9])([0-9]+H)?([0-9]+M)?([0-9]+S)?)?$"
)
SAME_UNIT_TOLERANCE = 0.01
CROSS_UNIT_TOLERANCE = 0.25
Dtype = Literal[
    "uint8",
    "int8",
    "uint16",
    "int16",
    "uint32",
    "int32",
    "uint64",
    "int64",
    "float32",
    "float64",
    "complex64",
    "complex128",
]


def _doc(description: str, default: Any = None, **schema: Any) -> Any:
    """An optional field's default with its description (and extra schema keywords)."""
    return Field(default=default, description=description, json_schema_extra=schema or None)


# --- filename fields ---------------------------------------------------------------------


@dataclass(frozen=True, config=_CONFIG)
class FieldRule:
    """What one filename field may hold: a fixed value, numeric bounds, a list of allowed
    values, or its own regular expression."""

    name: str
    fixed: str | None = None
    min: float | None = None
    max: float | None = None
    allowed: tuple[str, ...] | None = None
    regex: str | None = None

    def admits(self, value: int | float | str) -> bool:
        """True when a value of the field keeps this rule (its regex aside, which the
        pattern itself applies)."""
        if self.fixed is not None and str(value) != self.fixed:
            return False
        if self.allowed is not None and str(value) not in self.allowed:
            return False
        if self.min is None and self.max is None:
            return True
        if not isinstance(value, int | float):
            return False
        return not (
            (self.min is not None and value < self.min)
            or (self.max is not None and value > self.max)
        )


_FIELD_RULE_SCHEMA = {
    "description": "A filename field: a fixed value, bounds, a regex, or a list of values.",
    "oneOf": [
        {"type": ["string", "number"], "description": "The one value the field must have."},
        {
            "type": "object",
            "additionalProperties": False,
            "minProperties": 1,
            "properties": {
                "min": {"type": "number"},
                "max": {"type": "number"},
                "regex": {
                    "type": "string",
                    "description": "Regular expression (RE2 syntax) the field matches instead "
                    "of the default [^/_]+.",
                },
            },
        },
        {
            "type": "object",
            "additionalProperties": False,
            "required": ["in"],
            "properties": {
                "in": {
                    "type": "array",
                    "minItems": 1,
                    "items": {"type": ["string", "number"]},
                    "description": "The allowed values.",
                }
            },
        },
    ],
}


def _field_rules(raw: Any) -> Any:
    if not isinstance(raw, Mapping):
        return raw
    rules = {}
    for name, rule in raw.items():
        if isinstance(rule, Mapping) and "in" in rule:
            rules[name] = FieldRule(str(name), allowed=tuple(str(v) for v in rule["in"]))
        elif isinstance(rule, Mapping):
            rules[name] = FieldRule(str(name), **dict(rule))
        else:
            rules[name] = FieldRule(str(name), fixed=str(rule))
    return rules


FieldRules = Annotated[
    dict[str, FieldRule],
    BeforeValidator(_field_rules),
    WithJsonSchema(
        {
            "type": "object",
            "additionalProperties": _FIELD_RULE_SCHEMA,
            "propertyNames": {"pattern": _FIELD_NAME},
            "description": "Rules for the {fields} of the pattern, by field name.",
        }
    ),
]


# --- rasters -----------------------------------------------------------------------------


@dataclass(frozen=True, config=_CONFIG)
class Resolution:
    """A pixel size and its unit. Written as {value, unit, tolerance} or as text such as
    "1 km", "30 m", "0.01 deg" or "30 arcsec". Across units (metres on a geographic grid,
    degrees on a projected one) the size means the degree spacing whose north-south geodesic
    length is that distance at the grid's centre ("1 km" is about 0.009 degrees)."""

    value: Annotated[float, Field(gt=0)]
    unit: Literal["m", "km", "deg", "arcsec"]
    tolerance: Annotated[float, Field(ge=0)] | None = _doc(
        description=f"Relative tolerance. Default: {SAME_UNIT_TOLERANCE:g} in the grid's own "
        f"units, {CROSS_UNIT_TOLERANCE:g} across units (the conversion is nominal)."
    )

    def tolerance_for(self, same_unit: bool) -> float:
        """The declared tolerance, else the default for a same-unit or cross-unit check."""
        if self.tolerance is not None:
            return self.tolerance
        return SAME_UNIT_TOLERANCE if same_unit else CROSS_UNIT_TOLERANCE

    def describe(self, same_unit: bool) -> str:
        """``1 km ± 25%``."""
        return f"{self.value:g} {self.unit} ± {self.tolerance_for(same_unit):.0%}"


def _resolution(raw: Any) -> Any:
    if isinstance(raw, str):
        parsed = parse_resolution_text(raw)
        if parsed is not None:
            return Resolution(parsed[0], parsed[1])  # type: ignore[arg-type]
    return raw


ResolutionRule = Annotated[
    Resolution,
    BeforeValidator(_resolution, json_schema_input_type=str | Resolution),
    Field(json_schema_extra={"x-accepts": RESOLUTION_FORMS}),
]


@dataclass(frozen=True, config=_CONFIG)
class ExtentRule:
    """How a file's footprint must relate to the dataset extent."""

    match: Literal["within", "equal", "covers"] = "within"
    tolerance_pixels: Annotated[float, Field(ge=0)] = 1.0


@dataclass(frozen=True, config=_CONFIG)
class ValueRange:
    """The range valid pixel values must fall in, and their unit."""

    min: float | None = None
    max: float | None = None
    unit: str | None = None
    scale: float | None = None
    offset: float | None = None


CfSuiteName = Literal[
    "cf-1.6", "cf-1.7", "cf-1.8", "cf-1.9", "cf-1.10", "cf-1.11", "acdd-1.1", "acdd-1.3"
]
_CF_SUITE_SCHEMA = {"type": "string", "enum": list(typing.get_args(CfSuiteName))}


def _suites(raw: object) -> object:
    return [raw] if isinstance(raw, str) else raw


@dataclass(frozen=True, config=_CONFIG)
class CfSuites:
    """compliance-checker's CF or ACDD suites to run on a NetCDF product's files (opt-in):
    each failed check is a finding (C013) with compliance-checker's own message."""

    suite: Annotated[
        tuple[CfSuiteName, ...],
        BeforeValidator(_suites),
        Field(min_length=1),
        WithJsonSchema(
            {
                "description": "A suite (cf-1.8) or a list of them ([cf-1.8, acdd-1.3]).",
                "oneOf": [
                    _CF_SUITE_SCHEMA,
                    {
                        "type": "array",
                        "minItems": 1,
                        "uniqueItems": True,
                        "items": _CF_SUITE_SCHEMA,
                    },
                ],
            }
        ),
    ]


@dataclass(frozen=True, config=_CONFIG)
class NodataRule:
    """The nodata declaration: ``required`` (any nodata value), a number, or ``nan``."""

    kind: Literal["required", "value", "nan"]
    value: float | None = None

    def describe(self) -> str:
        """The rule as a user wrote it."""
        if self.kind == "value":
            return repr(self.value)
        return self.kind


def _nodata(raw: Any) -> Any:
    if isinstance(raw, NodataRule):
        return raw
    kind, value = parse_nodata(raw)
    return NodataRule(kind, value)  # type: ignore[arg-type]


NodataField = Annotated[
    NodataRule,
    BeforeValidator(_nodata),
    WithJsonSchema(
        {
            "description": "required (any nodata), nan, or a number (also quoted: '-9999').",
            "x-accepts": "required (any nodata value), nan, or a number such as -9999",
            "oneOf": [
                {"enum": ["required", "nan"]},
                {"type": "number"},
                {"type": "string", "pattern": r"^\s*[-+]?[0-9]*\.?[0-9]+([eE][-+]?[0-9]+)?\s*$"},
            ],
        }
    ),
]


def _step_seconds(raw: Any) -> Any:
    return raw if isinstance(raw, int) and not isinstance(raw, bool) else parse_step(str(raw))


Classes = Annotated[
    dict[int, Annotated[str, Field(min_length=1)]],
    WithJsonSchema(
        {
            "type": "object",
            "minProperties": 1,
            "propertyNames": {"pattern": "^-?[0-9]+$"},
            "additionalProperties": {"type": "string", "minLength": 1},
            "description": "Class values (integers) and their names.",
        }
    ),
]


@dataclass(frozen=True, config=_CONFIG)
class RasterProduct:
    """One raster product of the dataset: a filename pattern and what its files must be."""

    name: Annotated[str, Field(pattern=_NAME)]
    pattern: Annotated[str, Field(min_length=1)] = _doc(
        description="File name pattern relative to the data root, with {field} placeholders."
    )
    fields: FieldRules = Field(default_factory=dict)
    description: str | None = None
    temporal: Temporal | None = _doc(
        description="This product's own coverage and member length, when it differs from "
        "the dataset's (a monthly product in a dataset of yearly ones). Default: the "
        "dataset's coverage, its members limited by the field rules."
    )
    crs: str | None = _doc(description="Anything pyproj accepts; compared by equivalence.")
    resolution: ResolutionRule | None = None
    extent: ExtentRule | None = None
    bands: Annotated[int, Field(ge=1)] | None = None
    dtype: Dtype | None = None
    nodata: NodataField | None = None
    values: ValueRange | None = None
    classes: Classes | None = _doc(
        description="A categorical product's legend: each class value and its name, e.g. "
        "{10: cropland, 20: forest}. Values outside it are reported with their counts."
    )
    max_nodata_fraction: Annotated[float, Field(ge=0, le=1)] | None = None
    variable: Annotated[str, Field(min_length=1)] | None = _doc(
        description="NetCDF/HDF5 files: the variable to check, e.g. prec. Default: the "
        "file's only data variable."
    )
    cf: CfSuites | None = _doc(
        description="NetCDF/HDF5 files: also run compliance-checker's suites, e.g. "
        "{suite: cf-1.8} or {suite: [cf-1.8, acdd-1.3]}; each failed check is a finding."
    )
    time_step: (
        Annotated[
            int,
            BeforeValidator(_step_seconds, json_schema_input_type=str),
            Field(
                json_schema_extra={
                    "description": "NetCDF/HDF5 files: the regular step of the time axis "
                    f"inside the files ({STEP_FORMS}). Default: the most common step.",
                    "x-accepts": STEP_FORMS,
                }
            ),
        ]
        | None
    ) = None


# --- station tables ----------------------------------------------------------------------


@dataclass(frozen=True, config=_CONFIG)
class Station:
    """Where a station stands (WGS84 degrees, metres above sea level)."""

    lon: Annotated[float, Field(ge=-180, le=180)]
    lat: Annotated[float, Field(ge=-90, le=90)]
    elevation: float | None = _doc(description="metres above sea level")
    id: str | None = None
    name: str | None = None


@dataclass(frozen=True, config=_CONFIG)
class StationField:
    """The station is named by a filename field and looked up in the spec's stations."""

    field: str


@dataclass(frozen=True, config=_CONFIG)
class ColumnRule:
    """What one declared column of a table must hold."""

    name: str
    aliases: tuple[str, ...] = _doc(
        "Other names the column goes by in some years (H for Hs, ustar for Ustar).", ()
    )
    unit: str | None = None
    min: float | None = None
    max: float | None = None
    variable: str | None = _doc(
        "A variable of the built-in pack: gives unit and physical limits.", enum=sorted(VARIABLES)
    )
    required: bool = True
    max_missing_fraction: Annotated[float, Field(ge=0, le=1)] | None = None
    description: str | None = None


def _columns(raw: Any) -> Any:
    """Columns keyed by name, with unit, limits and description from the variable pack where
    the column names a variable and does not say otherwise."""
    if not isinstance(raw, Mapping):
        return raw
    out = []
    for name, rule in raw.items():
        given = dict(rule or {})
        known = VARIABLES.get(str(given.get("variable", "")))
        if known is not None:
            given.setdefault("unit", known.unit)
            given.setdefault("min", known.min)
            given.setdefault("max", known.max)
            given.setdefault("description", known.description)
        out.append(ColumnRule(str(name), **given))
    return tuple(out)


_COLUMN_INPUT = {
    "type": "object",
    "additionalProperties": False,
    "properties": {
        "aliases": {"type": "array", "items": {"type": "string"}},
        "variable": {"enum": sorted(VARIABLES)},
        "unit": {"type": "string"},
        "min": {"type": "number"},
        "max": {"type": "number"},
        "required": {"type": "boolean", "default": True},
        "max_missing_fraction": {"type": "number", "minimum": 0, "maximum": 1},
        "description": {"type": "string"},
    },
}
Columns = Annotated[
    tuple[ColumnRule, ...],
    BeforeValidator(_columns),
    WithJsonSchema(
        {
            "type": "object",
            "additionalProperties": {**_COLUMN_INPUT, "description": ColumnRule.__doc__},
            "description": "The declared columns by name (as in the file's header).",
        }
    ),
]


@dataclass(frozen=True, config=_CONFIG)
class TimeRule:
    """The time column: its name, format, regular step, time zone and labelling."""

    column: str
    step_seconds: Annotated[
        int,
        BeforeValidator(_step_seconds, json_schema_input_type=str),
        Field(
            alias="step",
            json_schema_extra={
                "description": f"The regular time step: {STEP_FORMS} (pandas offset aliases "
                "or ISO 8601 durations).",
                "x-accepts": STEP_FORMS,
            },
        ),
    ]
    aliases: tuple[str, ...] = ()
    format: str | None = _doc(
        description="strptime format; default: ISO text, Excel dates or serial numbers."
    )
    timezone: Annotated[str, Field(pattern=r"^(UTC|Z|[+-][0-9]{2}:[0-9]{2})$")] = "UTC"
    label: Literal["end", "start"] | None = _doc(
        "Whether a timestamp labels the end (usual for loggers) or the start of its interval. "
        "Default: end for steps under a day, start for a day or more (a date names its day)."
    )

    @property
    def labelled(self) -> Literal["end", "start"]:
        """The label in force: the declared one, else by the step."""
        if self.label is not None:
            return self.label
        return "start" if self.step_seconds >= 86400 else "end"


def _station_ref(raw: Any) -> Any:
    if isinstance(raw, Mapping) and set(raw) == {"field"}:
        return StationField(str(raw["field"]))
    return raw


@dataclass(frozen=True, config=_CONFIG)
class TableProduct:
    """One station-table product: file pattern, layout, time, station and columns."""

    name: Annotated[str, Field(pattern=_NAME)]
    pattern: Annotated[str, Field(min_length=1)]
    time: TimeRule
    fields: FieldRules = Field(default_factory=dict)
    columns: Columns = ()
    description: str | None = None
    temporal: Temporal | None = _doc(
        description="This product's own coverage, when it differs from the dataset's."
    )
    format: Literal["csv", "xlsx"] | None = _doc(description="Default: from the file extension.")
    sheet: str | int | None = _doc(
        description="Sheet name or 0-based index (XLSX); default the first."
    )
    delimiter: Annotated[str, Field(min_length=1, max_length=1)] | None = None
    encoding: str | None = None
    header_rows: Annotated[int, Field(ge=1)] = _doc(
        default=1, description="Lines before the data; the column names are on the first."
    )
    units_row: Annotated[int, Field(ge=2)] | None = _doc(
        description="1-based line holding the units, e.g. 2 for a units line under the header."
    )
    missing_values: tuple[float, ...] = ()
    station_ref: Annotated[
        Station | StationField | None,
        BeforeValidator(_station_ref),
        Field(alias="station"),
    ] = None
    max_missing_fraction: Annotated[float, Field(ge=0, le=1)] | None = _doc(
        description="Default for every column."
    )
    unexpected_columns: Literal["warn", "allow"] = "warn"

    @property
    def station(self) -> Station | None:
        """The station, when the table declares its place."""
        return self.station_ref if isinstance(self.station_ref, Station) else None

    @property
    def station_field(self) -> str | None:
        """The filename field that names the station, when it does."""
        return self.station_ref.field if isinstance(self.station_ref, StationField) else None


# --- dataset metadata --------------------------------------------------------------------


@dataclass(frozen=True, config=_CONFIG)
class Provider:
    """An organisation that hosts, produces or licenses the data."""

    name: Annotated[str, Field(min_length=1)]
    roles: tuple[Literal["licensor", "producer", "processor", "host"], ...] = ()
    url: Annotated[str, Field(pattern=r"^https?://")] | None = None
    description: str | None = None


@dataclass(frozen=True, config=_CONFIG)
class Publication:
    """A publication that describes the dataset."""

    doi: str | None = None
    citation: str | None = None


def _moment(end: bool) -> Any:
    def parse(raw: Any) -> Any:
        return raw if isinstance(raw, dt.datetime) else parse_moment(str(raw), end=end)

    return BeforeValidator(parse, json_schema_input_type=str)


_DAY_SCHEMA = {
    "type": "string",
    "format": "date",
    "pattern": r"^[0-9]{4}-[0-9]{2}-[0-9]{2}$",
    "x-accepts": "a date YYYY-MM-DD",
}
_DATE_SCHEMA = {
    "pattern": _DATE,
    "description": f"An ISO 8601 date or date-time: {DATE_FORMS}.",
    "x-accepts": DATE_FORMS,
    "x-grammar": "date",
}


@dataclass(frozen=True, config=_CONFIG)
class Temporal:
    """Declared temporal coverage and the length of one series member (ISO 8601)."""

    start: Annotated[dt.datetime, _moment(False), Field(json_schema_extra=_DATE_SCHEMA)] | None = (
        None
    )
    end: Annotated[dt.datetime, _moment(True), Field(json_schema_extra=_DATE_SCHEMA)] | None = None
    resolution: (
        Annotated[
            str,
            Field(
                json_schema_extra={
                    "pattern": _DURATION,
                    "description": "ISO 8601 duration of one member of a series: "
                    f"{DURATION_FORMS}.",
                    "x-accepts": DURATION_FORMS,
                    "x-grammar": "duration",
                },
            ),
        ]
        | None
    ) = None


@dataclass(frozen=True, config=_CONFIG)
class BBox:
    """A WGS84 bounding box in degrees."""

    west: Annotated[float, Field(ge=-180, le=180)]
    south: Annotated[float, Field(ge=-90, le=90)]
    east: Annotated[float, Field(ge=-180, le=180)]
    north: Annotated[float, Field(ge=-90, le=90)]
    tolerance: Annotated[float, Field(ge=0)] | None = _doc(
        description="How far (degrees) the files' bounds may differ from this box. Default: a "
        "pixel, or one unit of the last decimal written (94.04: 0.01), whichever is larger."
    )

    def as_tuple(self) -> tuple[float, float, float, float]:
        """(west, south, east, north)."""
        return (self.west, self.south, self.east, self.north)


def _declared_resolution(raw: Any) -> Any:
    if isinstance(raw, str):
        parsed = parse_resolution_text(raw)
        if parsed is not None:
            return Resolution(parsed[0], parsed[1])  # type: ignore[arg-type]
    return raw


def _unfilled(empty: Any) -> Any:
    """A TODO placeholder (what `tpqc init` writes) reads as the field not filled in, so
    metadata-missing reports it and no other check takes it for a value."""

    def read(raw: Any) -> Any:
        return empty if is_placeholder(raw) else raw

    return BeforeValidator(read)


Text = Annotated[str, _unfilled("")]
OptionalText = Annotated[str | None, _unfilled(None)]


@dataclass(frozen=True, config=_CONFIG)
class DatasetMeta:
    """The dataset's metadata as declared in the spec."""

    id: Annotated[
        str,
        Field(
            pattern=_NAME,
            description="Identifier of the dataset; becomes the STAC collection id.",
        ),
    ]
    title: Text = ""
    description: Text = ""
    doi: OptionalText = _doc(description="DOI without URL prefix, e.g. 10.11888/Cryos.tpdc.272892.")
    cstr: OptionalText = _doc(description="China Science and Technology Resource identifier.")
    citation: OptionalText = None
    license: OptionalText = _doc(
        description="An SPDX licence expression such as CC-BY-4.0 or CC-BY-4.0 OR MIT."
    )
    creators: tuple[str, ...] = ()
    providers: tuple[Provider, ...] = ()
    keywords: tuple[str, ...] = ()
    publications: tuple[Publication, ...] = ()
    temporal: Temporal | None = None
    extent: BBox | None = _doc(description="Bounding box in degrees, WGS84.")
    resolution: (
        Annotated[
            Resolution | str,
            BeforeValidator(_declared_resolution),
            Field(
                json_schema_extra={
                    "description": "Declared nominal resolution, e.g. '1 km', '30 arcsec', or "
                    "{value, unit, tolerance}; text that is not one value (1km - 10km) is reported "
                    "by resolution-declared-mismatch.",
                }
            ),
        ]
        | None
    ) = None
    size: str | None = _doc(description="Declared total size of the data files, e.g. '100 MB'.")


@dataclass(frozen=True, config=_CONFIG)
class Waiver:
    """An accepted exception: findings of one check in the files it names are reported as
    waived, with the reason, and do not fail the run. A waiver that matches nothing, or has
    expired, is itself a finding (waiver-unused, waiver-expired)."""

    check: Annotated[
        str,
        Field(min_length=1, description="The check's code (R006) or name (value-out-of-range)."),
    ]
    reason: Annotated[
        str,
        Field(
            min_length=1,
            pattern=r"\S",
            description="Why the exception is accepted (shown with every waived finding).",
        ),
    ]
    path: Annotated[str, Field(min_length=1)] | None = _doc(
        description="Glob of the files it covers, relative to the data root (2019/*.tif); "
        "a missing series member is named by the file it should have been. Default: every "
        "file and the dataset-wide findings."
    )
    band: Annotated[int, Field(ge=1)] | None = _doc(description="Only this band (1-based).")
    column: Annotated[str, Field(min_length=1)] | None = _doc(description="Only this table column.")
    expires: Annotated[dt.date, Field(json_schema_extra=_DAY_SCHEMA)] | None = _doc(
        description="Last day the waiver holds (YYYY-MM-DD); after it the findings count again."
    )


@dataclass(frozen=True, config=_CONFIG)
class SpecDocument:
    """tpqc dataset spec, version 1: what the files of a geoscience dataset must look like and
    the metadata to publish with them."""

    spec_version: Annotated[Literal[1], Field(description="Version of this spec format; always 1.")]
    dataset: DatasetMeta
    data: str = _doc(default=".", description="Data root, relative to the spec file.")
    rasters: tuple[RasterProduct, ...] = _doc(
        default=(), description="One entry per raster product of the dataset."
    )
    tables: tuple[TableProduct, ...] = _doc(
        default=(), description="One entry per station-table product (CSV or XLSX)."
    )
    stations: dict[str, Station] = Field(
        default_factory=dict,
        description="Station locations keyed by the value of a filename field "
        "(see tables[].station.field).",
    )
    exclude: tuple[str, ...] = _doc(
        default=(),
        description="Glob patterns (relative to the data root) of files that are not part of "
        "the dataset, e.g. README.txt or docs/*.",
    )
    waivers: tuple[Waiver, ...] = _doc(
        default=(), description="Accepted exceptions, each with its reason."
    )


class _SchemaWriter(GenerateJsonSchema):
    """JSON Schema as an editor wants it: no generated titles, no null branches (an absent
    key is how a spec says "none"), no null defaults."""

    def field_title_should_be_set(self, schema: Any) -> bool:
        return False

    def nullable_schema(self, schema: core_schema.NullableSchema) -> JsonSchemaValue:
        return self.generate_inner(schema["schema"])

    def default_schema(self, schema: core_schema.WithDefaultSchema) -> JsonSchemaValue:
        out = super().default_schema(schema)
        default = out.get("default", 0)
        if default is None or (default == [] and out.get("type") == "object"):
            out.pop("default")
        return out

    def generate(self, schema: Any, mode: Any = "validation") -> JsonSchemaValue:
        out = super().generate(schema, mode)
        _drop_titles(out)
        return out


def _drop_titles(node: Any) -> None:
    if isinstance(node, dict):
        if isinstance(node.get("title"), str):
            node.pop("title")
        for value in node.values():
            _drop_titles(value)
    elif isinstance(node, list):
        for value in node:
            _drop_titles(value)


SPEC_ADAPTER: TypeAdapter[SpecDocument] = TypeAdapter(SpecDocument)


def schema_of(adapter: TypeAdapter[Any]) -> dict[str, Any]:
    """The JSON Schema of a typed value, written as the spec's own schema is."""
    return adapter.json_schema(by_alias=True, schema_generator=_SchemaWriter)


def spec_json_schema() -> dict[str, Any]:
    """The JSON Schema of the spec format, generated from the types above."""
    body = SPEC_ADAPTER.json_schema(by_alias=True, schema_generator=_SchemaWriter)
    body["properties"]["spec_version"] = {
        "const": SPEC_VERSION,
        **body["properties"]["spec_version"],
    }
    body["properties"]["spec_version"].pop("enum", None)
    body["properties"]["spec_version"].pop("type", None)
    # The written forms of a field rule and a column get names of their own, as editors show.
    defs = body["$defs"]
    for product in ("RasterProduct", "TableProduct"):
        defs[product]["properties"]["fields"]["additionalProperties"] = {
            "$ref": "#/$defs/fieldRule"
        }
    defs["TableProduct"]["properties"]["columns"]["additionalProperties"] = {
        "$ref": "#/$defs/column"
    }
    defs.pop("FieldRule", None)
    defs.pop("ColumnRule", None)
    defs["fieldRule"] = _FIELD_RULE_SCHEMA
    defs["column"] = {**_COLUMN_INPUT, "description": ColumnRule.__doc__}
    body["$defs"] = dict(sorted(defs.items()))
    return {
        "$schema": "https://json-schema.org/draft/2020-12/schema",
        "$id": "https://tpqc.dev/schemas/dataset-spec/1.json",
        "title": "tpqc dataset spec, version 1",
        **body,
    }


def schema_text() -> str:
    """The schema file's text: stable key order, two-space indent, trailing newline."""
    return json.dumps(spec_json_schema(), indent=2, ensure_ascii=False, sort_keys=False) + "\n"


if __name__ == "__main__":
    sys.stdout.write(schema_text())
