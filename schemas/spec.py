"""Load a dataset spec: YAML in, a frozen typed :class:`Spec` out.

The YAML is read once (:mod:`yaml_source`: size and alias limits, duplicate keys refused),
checked against ``dataset-spec.schema.json`` (generated from :mod:`spec_model`, where the
spec is described once) and by the semantic checks a schema cannot express, then built into
the typed objects. Every problem is reported at once, located by its YAML path and line, e.g.
``rasters[0].resolution.unit: 'kilometre' is not one of m, km, deg, arcsec (line 14)``, and
says what is accepted.
"""

from __future__ import annotations

import datetime as dt
import difflib
import hashlib
import re
from collections.abc import Callable, Mapping
from dataclasses import dataclass, field
from functools import lru_cache
from pathlib import Path
from typing import TYPE_CHECKING, Any

from tpqc.schemas.errors import SpecError
from tpqc.schemas.locations import is_remote
from tpqc.schemas.patterns import (
    PLACEHOLDER,
    TIME_FIELD_REGEX,
    PatternError,
    check_field_regex,
    compile_pattern,
)
from tpqc.schemas.resources import load_json_schema
from tpqc.schemas.sections import (
    Problems,
    Product,
    Section,
    register_section,
    registered_sections,
)
from tpqc.schemas.spec_model import (
    SPEC_ADAPTER,
    BBox,
    ColumnRule,
    DatasetMeta,
    ExtentRule,
    FieldRule,
    FieldRules,
    NodataRule,
    Provider,
    Publication,
    RasterProduct,
    Resolution,
    Station,
    StationField,
    TableProduct,
    Temporal,
    TimeRule,
    ValueRange,
    Waiver,
)
from tpqc.schemas.spec_values import (
    RESOLUTION_FORMS,
    StepError,
    check_duration,
    parse_moment,
    parse_nodata,
    parse_resolution_text,
    parse_step,
    suggest_date,
    suggest_duration,
)
from tpqc.schemas.yaml_source import PathKey, YamlSourceError, load_yaml, read_capped

if TYPE_CHECKING:
    import jsonschema

TIME_FIELDS = tuple(TIME_FIELD_REGEX)


@dataclass(frozen=True)
class Spec:
    """A loaded, validated dataset spec and where its values were written."""

    path: Path
    data_root: Path
    dataset: DatasetMeta
    sections: Mapping[str, tuple[Product, ...]]
    """The products of each section present (``rasters``, ``tables`` ...), in the order
    written."""
    lines: Mapping[PathKey, int]
    stations: Mapping[str, Station] = field(default_factory=dict)
    exclude: tuple[str, ...] = ()
    data_url: str | None = None
    """The data root when it is remote (/vsicurl/..., http(s)://...); data_root is unused then."""
    texts: Mapping[PathKey, str] = field(default_factory=dict)
    """The source text of every scalar (``91.80``), by YAML path."""
    sha256: str | None = None
    """sha256 of the spec file as read (reports name the spec they checked against)."""
    waivers: tuple[Waiver, ...] = ()
    """Accepted exceptions, in the order written (``waivers[0]`` ...)."""

    @property
    def location(self) -> str:
        """Where the data is: the remote root, or the local folder."""
        return self.data_url or str(self.data_root)

    @property
    def rasters(self) -> tuple[RasterProduct, ...]:
        """The raster products."""
        return tuple(p for p in self.sections.get("rasters", ()) if isinstance(p, RasterProduct))

    @property
    def tables(self) -> tuple[TableProduct, ...]:
        """The station-table products."""
        return tuple(p for p in self.sections.get("tables", ()) if isinstance(p, TableProduct))

    @property
    def products(self) -> tuple[Product, ...]:
        """Every product, section by section in the order sections are registered."""
        return tuple(p for products in self.sections.values() for p in products)

    def product_named(self, name: str) -> Product:
        """The product of this name (names are unique across sections)."""
        for product in self.products:
            if product.name == name:
                return product
        raise KeyError(name)

    def section_of(self, name: str) -> str:
        """The spec section that declares the product of this name."""
        for section, products in self.sections.items():
            if any(p.name == name for p in products):
                return section
        raise KeyError(name)

    def extent_slack(self) -> tuple[float, float, float, float] | None:
        """How far, in degrees, the files may lie from each side (west, south, east, north) of
        the declared extent beyond a pixel: the declared ``tolerance``, else one unit of the
        last decimal written (``94.04`` was rounded to 0.01 degrees)."""
        extent = self.dataset.extent
        if extent is None:
            return None
        if extent.tolerance is not None:
            return (extent.tolerance,) * 4
        slack = []
        for side in ("west", "south", "east", "north"):
            text = self.texts.get(("dataset", "extent", side), "")
            decimals = len(text.split(".", 1)[1]) if "." in text else 0
            slack.append(10.0**-decimals if text and "e" not in text.lower() else 0.0)
        return (slack[0], slack[1], slack[2], slack[3])


def format_path(key: PathKey) -> str:
    """Render a path like ``rasters[0].resolution.unit``."""
    out = ""
    for part in key:
        if isinstance(part, int):
            out += f"[{part}]"
        else:
            out += f".{part}" if out else str(part)
    return out or "(top level)"


# --- schema validation -------------------------------------------------------------------

_SUGGESTIONS: dict[str, Callable[[str], str | None]] = {
    "date": suggest_date,
    "duration": suggest_duration,
}


@lru_cache(maxsize=4)
def _compiled(name: str) -> Any:
    """A compiled validator (jsonschema-rs) for a bundled schema, or None when it cannot
    compile the schema (then :mod:`jsonschema` answers alone)."""
    import jsonschema_rs

    try:
        return jsonschema_rs.validator_for(load_json_schema(name), validate_formats=False)
    except (ValueError, jsonschema_rs.ReferencingError):
        return None


def _schema_problems(
    document: Any, lines: Mapping[PathKey, int], name: str
) -> list[tuple[int, str]]:
    """Every schema problem of a spec document, located. A valid spec (the common case) is
    answered by the compiled validator; :mod:`jsonschema`, which explains, is loaded only
    for a spec that is not."""
    compiled = _compiled(name)
    if compiled is not None and compiled.is_valid(document):
        return []
    import jsonschema

    validator = jsonschema.Draft202012Validator(load_json_schema(name))
    problems: list[tuple[int, str]] = []
    for error in validator.iter_errors(document):
        for where, text in _describe_error(error):
            line = lines.get(where, lines.get(where[:-1], 0))
            problems.append((line, f"{format_path(where)}: {text} (line {line})"))
    return problems


def _describe_error(error: jsonschema.ValidationError) -> list[tuple[PathKey, str]]:
    where: PathKey = tuple(error.absolute_path)
    schema = error.schema if isinstance(error.schema, Mapping) else {}
    if error.validator == "additionalProperties" and isinstance(error.instance, dict):
        allowed = sorted(schema.get("properties", {}))
        out = []
        for key in sorted(str(k) for k in error.instance if k not in allowed):
            close = difflib.get_close_matches(key, allowed, n=1, cutoff=0.6)
            hint = f"; did you mean {close[0]!r}?" if close else ""
            listing = f"; allowed: {', '.join(allowed)}" if allowed else ""
            out.append(((*where, key), f"unknown key {key!r}{hint}{listing}"))
        return out
    if error.validator == "enum":
        choices: Any = error.validator_value
        options = ", ".join(str(o) for o in choices)
        return [(where, f"{error.instance!r} is not one of {options}")]
    if error.validator == "pattern" and "x-accepts" in schema:
        suggest = _SUGGESTIONS.get(str(schema.get("x-grammar")))
        suggestion = suggest(str(error.instance)) if suggest else None
        hint = f"; write {suggestion}" if suggestion else ""
        return [(where, f"{error.instance!r} is not accepted here ({schema['x-accepts']}){hint}")]
    if error.validator == "required":
        return [(where, error.message)]
    if error.validator in ("oneOf", "anyOf") and error.context:
        # Report the branch that got furthest, not "is not valid under any of the given schemas".
        best = max(error.context, key=lambda e: (len(e.absolute_path), e.validator != "type"))
        if "x-accepts" in schema and tuple(best.absolute_path) == where:
            return [(where, f"{error.instance!r} is not accepted here ({schema['x-accepts']})")]
        if best.validator == "type":
            accepts = schema.get("x-accepts")
            listing = f" (accepted: {accepts})" if accepts else ""
            return [(where, f"{error.instance!r} is not a valid value here{listing}")]
        return _describe_error(best)
    return [(where, error.message)]


# --- semantic checks ---------------------------------------------------------------------


class _Problems:
    def __init__(self, lines: Mapping[PathKey, int]) -> None:
        self.lines = lines
        self.found: list[str] = []

    def add(self, key: PathKey, text: str) -> None:
        line = self.lines.get(key, self.lines.get(key[:-1], 0))
        self.found.append(f"{format_path(key)}: {text} (line {line})")


def _placeholders(pattern: str) -> list[str]:
    return [m.group(1) for m in PLACEHOLDER.finditer(pattern)]


def _check_fields(problems: Problems, key: PathKey, product: Mapping[str, Any]) -> None:
    """Field rules must name fields of the pattern; their regexes must be usable."""
    fields = product.get("fields") or {}
    regexes = field_regexes(fields)
    for name, regex in regexes.items():
        reason = check_field_regex(regex)
        if reason is not None:
            problems.add((*key, "fields", name, "regex"), reason)
            return
    try:
        compile_pattern(product["pattern"], regexes)
    except PatternError as exc:
        problems.add((*key, "pattern"), str(exc))
        return
    placeholders = _placeholders(product["pattern"])
    for name in fields:
        if name not in placeholders:
            close = difflib.get_close_matches(name, placeholders, n=1, cutoff=0.5)
            hint = f"; did you mean {close[0]!r}?" if close else ""
            known = ", ".join(placeholders) or "none"
            problems.add(
                (*key, "fields", name),
                f"{name!r} is not a field of the pattern {product['pattern']!r} "
                f"(its fields: {known}){hint}; a rule for a field that does not exist checks "
                "nothing",
            )


_EPSG_CODE = re.compile(r"EPSG:(\d{4,6})")


def _known_epsg(text: str) -> bool:
    """True when ``text`` is an ``EPSG:code`` that rasterio's PROJ database knows: the
    common case, answered without loading pyproj (the checks load it while files are read)."""
    found = _EPSG_CODE.fullmatch(text.strip().upper())
    if found is None:
        return False
    import rasterio
    from rasterio.crs import CRS
    from rasterio.errors import CRSError

    try:
        with rasterio.Env():
            CRS.from_epsg(int(found.group(1)))
    except CRSError:
        return False
    return True


def _check_crs(problems: Problems, key: PathKey, text: str) -> None:
    if _known_epsg(text):
        return
    from pyproj import CRS
    from pyproj.exceptions import CRSError

    try:
        CRS.from_user_input(text)
    except CRSError:
        found = re.fullmatch(r"\s*([A-Za-z]+)[\s:_-]*(\d+)\s*", text)
        suggestion = f"{found.group(1).upper()}:{found.group(2)}" if found else None
        hint = f"; did you mean {suggestion}?" if suggestion and suggestion != text else ""
        problems.add(
            key,
            f"{text!r} is not a CRS pyproj understands (write an authority code such as "
            f"EPSG:4326, a PROJ string or WKT){hint}",
        )


def _check_resolution(problems: Problems, key: PathKey, raw: Any) -> None:
    if isinstance(raw, str) and parse_resolution_text(raw) is None:
        problems.add(key, f"{raw!r} is not one pixel size with a unit ({RESOLUTION_FORMS})")


def _check_dataset(problems: Problems, dataset: Mapping[str, Any]) -> dict[str, dt.datetime]:
    extent = dataset.get("extent")
    if extent and extent["south"] > extent["north"]:
        problems.add(("dataset", "extent", "south"), "south is greater than north")
    return _check_temporal(problems, ("dataset", "temporal"), dataset.get("temporal") or {})


def _check_temporal(
    problems: Problems, key: PathKey, temporal: Mapping[str, Any]
) -> dict[str, dt.datetime]:
    """A coverage's dates and member length; its start and end as read."""
    moments: dict[str, dt.datetime] = {}
    for which in ("start", "end"):
        if which in temporal:
            try:
                moments[which] = parse_moment(temporal[which], end=which == "end")
            except ValueError as exc:
                problems.add((*key, which), str(exc))
    if isinstance(temporal.get("resolution"), str):
        try:
            check_duration(temporal["resolution"])
        except ValueError as exc:
            problems.add((*key, "resolution"), str(exc))
    if "start" in moments and "end" in moments and moments["start"] > moments["end"]:
        problems.add((*key, "start"), f"start {temporal['start']} is after end {temporal['end']}")
    return moments


ZERO = dt.timedelta(0)


def _check_product_temporal(
    problems: Problems, key: PathKey, temporal: Mapping[str, Any], dataset: Mapping[str, Any]
) -> None:
    """A product's own coverage, which must lie within the dataset's (the dataset's is the
    union of its products')."""
    own = _check_temporal(problems, (*key, "temporal"), temporal)
    for which, sign in (("start", -1), ("end", 1)):
        if which in own and which in dataset and (own[which] - dataset[which]) * sign > ZERO:
            problems.add(
                (*key, "temporal", which),
                f"{which} {temporal[which]} lies outside the dataset's temporal coverage "
                "(the dataset covers what its products cover)",
            )


def _check_table(problems: Problems, key: PathKey, table: Mapping[str, Any]) -> None:
    try:
        parse_step(table["time"]["step"])
    except StepError as exc:
        problems.add((*key, "time", "step"), str(exc))
    station = table.get("station") or {}
    if "field" in station and station["field"] not in _placeholders(table["pattern"]):
        problems.add(
            (*key, "station", "field"), f"{station['field']!r} is not a field of the pattern"
        )
    units_row = table.get("units_row")
    if units_row is not None and units_row > table.get("header_rows", 1):
        problems.add((*key, "units_row"), "the units row must be one of the header_rows")
    for column, rule in (table.get("columns") or {}).items():
        rule = rule or {}
        if "min" in rule and "max" in rule and rule["min"] > rule["max"]:
            problems.add((*key, "columns", column, "min"), "min is greater than max")


def _check_raster(problems: Problems, key: PathKey, raster: Mapping[str, Any]) -> None:
    if "time_step" in raster:
        try:
            parse_step(raster["time_step"])
        except StepError as exc:
            problems.add((*key, "time_step"), str(exc))
    if "crs" in raster:
        _check_crs(problems, (*key, "crs"), raster["crs"])
    _check_resolution(problems, (*key, "resolution"), raster.get("resolution"))
    if "nodata" in raster:
        try:
            parse_nodata(raster["nodata"])
        except ValueError as exc:
            problems.add((*key, "nodata"), str(exc))
    values = raster.get("values") or {}
    if "min" in values and "max" in values and values["min"] > values["max"]:
        problems.add((*key, "values", "min"), "min is greater than max")


register_section(
    Section(
        "rasters",
        RasterProduct,
        "One entry per raster product of the dataset.",
        _check_raster,
        builtin=True,
    )
)
register_section(
    Section(
        "tables",
        TableProduct,
        "One entry per station-table product (CSV or XLSX).",
        _check_table,
        builtin=True,
    )
)


def _semantic_problems(document: Mapping[str, Any], lines: Mapping[PathKey, int]) -> list[str]:
    """Problems the JSON Schema cannot express: CRS strings, bounds and date order, patterns
    and their fields, time steps, resolutions written as text."""
    problems = _Problems(lines)
    coverage = _check_dataset(problems, document["dataset"])
    names: set[str] = set()
    for name, section in registered_sections().items():
        for index, product in enumerate(document.get(name) or []):
            key: PathKey = (name, index)
            if product["name"] in names:
                problems.add((*key, "name"), f"duplicate product name {product['name']!r}")
            names.add(product["name"])
            _check_fields(problems, key, product)
            if isinstance(product.get("temporal"), Mapping):
                _check_product_temporal(problems, key, product["temporal"], coverage)
            if section.check is not None:
                section.check(problems, key, product)
    return problems.found


def field_regexes(fields: Mapping[str, Any]) -> dict[str, str]:
    """The ``regex`` of each field rule that has one."""
    return {k: v["regex"] for k, v in fields.items() if isinstance(v, dict) and "regex" in v}


# --- sections a file kind adds -----------------------------------------------------------


def _entries_type(section: Section) -> Any:
    """``tuple[Model, ...]``: a section's entries as pydantic reads them."""
    return tuple.__class_getitem__((section.model, Ellipsis))


@lru_cache(maxsize=16)
def _section_schema(section: Section) -> dict[str, Any]:
    from pydantic import TypeAdapter

    from tpqc.schemas.spec_model import schema_of

    return schema_of(TypeAdapter(_entries_type(section)))


def _section_problems(
    section: Section, entries: Any, lines: Mapping[PathKey, int]
) -> list[tuple[int, str]]:
    """Every schema problem of a section a file kind registered, located like the rest."""
    import jsonschema

    validator = jsonschema.Draft202012Validator(_section_schema(section))
    problems: list[tuple[int, str]] = []
    for error in validator.iter_errors(entries):
        for where, text in _describe_error(error):
            where = (section.name, *where)
            line = lines.get(where, lines.get(where[:-1], 0))
            problems.append((line, f"{format_path(where)}: {text} (line {line})"))
    return problems


def _typed_section(section: Section, entries: Any) -> tuple[Product, ...]:
    from pydantic import TypeAdapter

    adapter: TypeAdapter[tuple[Any, ...]] = TypeAdapter(_entries_type(section))
    return tuple(adapter.validate_python(entries))


# --- loading -----------------------------------------------------------------------------


def load_spec(path: str | Path, data_override: str | Path | None = None) -> Spec:
    """Read, validate and type a dataset spec; raise :class:`SpecError` listing every problem.

    ``data_override`` is a str for URLs: Path() would fold the // of http://."""
    spec_path = Path(path)
    try:
        text = read_capped(spec_path)
    except OSError as exc:
        raise SpecError(str(spec_path), [f"cannot read the spec: {exc}"]) from exc
    except YamlSourceError as exc:
        raise SpecError(str(spec_path), exc.problems) from exc
    return parse_spec(text, spec_path, data_override)


def parse_spec(text: str, spec_path: Path, data_override: str | Path | None = None) -> Spec:
    """Validate and type a spec's text as if read from ``spec_path`` (its data root is
    relative to that); raise :class:`SpecError` listing every problem."""
    try:
        source = load_yaml(text, str(spec_path))
    except YamlSourceError as exc:
        raise SpecError(str(spec_path), exc.problems) from exc
    document = source.value
    if not isinstance(document, dict):
        raise SpecError(str(spec_path), ["the spec must be a YAML mapping (key: value lines)"])
    sections = registered_sections()
    added = {name: s for name, s in sections.items() if not s.builtin}
    builtin_part = {k: v for k, v in document.items() if k not in added}
    found = _schema_problems(builtin_part, source.lines, "dataset-spec.schema.json")
    for name, section in added.items():
        if name in document:
            found += _section_problems(section, document[name], source.lines)
    if found:
        raise SpecError(str(spec_path), [text for _, text in sorted(found)])
    semantic = _semantic_problems(document, source.lines)
    if semantic:
        raise SpecError(str(spec_path), semantic)
    try:
        typed = SPEC_ADAPTER.validate_python(builtin_part)
        products = {
            name: _typed_section(section, document.get(name) or [])
            for name, section in sections.items()
            if not section.builtin
        }
    except ValueError as exc:  # the schema and the types disagree: say so, located
        raise SpecError(str(spec_path), [f"the spec cannot be typed: {exc}"]) from exc
    typed_sections: dict[str, tuple[Product, ...]] = {
        "rasters": typed.rasters,
        "tables": typed.tables,
        **products,
    }
    data_value = str(data_override) if data_override is not None else typed.data
    remote = is_remote(data_value)
    data_root = Path(data_value) if data_override is not None else spec_path.parent / data_value
    return Spec(
        path=spec_path,
        data_root=data_root,
        dataset=typed.dataset,
        sections={name: typed_sections.get(name, ()) for name in sections},
        lines=source.lines,
        stations=typed.stations,
        exclude=typed.exclude,
        data_url=data_value if remote else None,
        texts=source.texts,
        sha256=hashlib.sha256(text.encode("utf-8")).hexdigest(),
        waivers=typed.waivers,
    )


__all__ = [
    "TIME_FIELDS",
    "BBox",
    "ColumnRule",
    "DatasetMeta",
    "ExtentRule",
    "FieldRule",
    "FieldRules",
    "NodataRule",
    "PathKey",
    "Product",
    "Provider",
    "Publication",
    "RasterProduct",
    "Resolution",
    "Section",
    "Spec",
    "Station",
    "StationField",
    "TableProduct",
    "Temporal",
    "TimeRule",
    "ValueRange",
    "Waiver",
    "field_regexes",
    "format_path",
    "load_spec",
    "parse_spec",
]
