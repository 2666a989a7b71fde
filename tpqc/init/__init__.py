"""`tpqc init`: read a folder's files once and write the spec they suggest.

Every raster and table is read with the same one-pass engine as validation (the facts cache
is shared, and a raster read here answers validation's read against any value range that
holds its values). Names give the products, patterns and time fields; facts give the rules,
rounded outward so that the files they came from pass; the dataset's metadata is left as
TODO placeholders that validation reports until a person fills them in. Files that fit no
common pattern are named in a comment, tables that are no station table are excluded with
the reason. The output is checked against the spec schema before it is written.
"""

from __future__ import annotations

import datetime as dt
import itertools
import logging
import os
import re
from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from pathlib import Path, PurePosixPath

from tpqc.errors import UsageError
from tpqc.init.names import NameGroup, NameInference, infer_names
from tpqc.init.rasters import raster_guess, signature
from tpqc.init.tables import (
    TableLayout,
    column_guesses,
    missing_codes,
    provisional_table,
    sniff_layout,
)
from tpqc.init.values import most_common, outward_extent, step_text
from tpqc.init.writer import Block, Flow, Items, render_yaml
from tpqc.pipeline import ValidateOptions, gather
from tpqc.schemas.identity import SPEC_VERSION
from tpqc.schemas.patterns import compile_pattern, parse_field
from tpqc.schemas.spec import DatasetMeta, RasterProduct, Spec, TableProduct, parse_spec
from tpqc.schemas.spec_values import PLACEHOLDER
from tpqc.validators.dataset.temporal import Duration, member_start, natural_resolution
from tpqc.validators.engine.facts import FileFacts
from tpqc.validators.engine.listing import list_data_root
from tpqc.validators.engine.parallel import FactsJob
from tpqc.validators.grid.facts import RasterFacts
from tpqc.validators.inventory import InventoryEntry
from tpqc.validators.kinds import FileKind, ReadOptions, registered_kinds
from tpqc.validators.kinds.table.chunks import TableLimits
from tpqc.validators.kinds.table.reader import TableFacts
from tpqc.validators.kinds.table.report import table_span

log = logging.getLogger("tpqc")


@dataclass(frozen=True)
class InitResult:
    """The spec's text and what went into it."""

    text: str
    products: int
    files: int
    unfit: tuple[str, ...]
    excluded: tuple[str, ...]


@dataclass
class _Read:
    """Every file's facts, and the tables' layouts (or why a table is none)."""

    rasters: dict[str, RasterFacts]
    tables: dict[str, TableFacts]
    layouts: dict[str, TableLayout]
    not_tables: dict[str, str]
    products: dict[str, TableProduct]
    """The provisional product each table was read with."""


def _kind(kinds: Mapping[str, FileKind], section: str) -> FileKind:
    return next(k for k in kinds.values() if k.section == section)


def _read_all(root: Path, options: ValidateOptions) -> _Read:
    kinds = registered_kinds()
    raster_kind, table_kind = _kind(kinds, "rasters"), _kind(kinds, "tables")
    listing = list_data_root(
        root,
        lambda name: raster_kind.claims(name) or table_kind.claims(name),
        follow_symlinks=options.follow_symlinks,
    )
    limits = TableLimits(options.max_table_rows, options.max_sheet_bytes)
    rasters = [p for p in listing.files if raster_kind.claims(p)]
    layouts: dict[str, TableLayout] = {}
    not_tables: dict[str, str] = {}
    for path in (p for p in listing.files if table_kind.claims(p) and p not in rasters):
        found = sniff_layout(root, path, limits)
        if isinstance(found, str):
            not_tables[path] = found
        else:
            layouts[path] = found
    raster_product = RasterProduct(name="init", pattern="*")
    tables = {
        p: provisional_table(f"t{i}", p, layout) for i, (p, layout) in enumerate(layouts.items())
    }
    spec = Spec(
        path=root / "spec.yaml",
        data_root=root,
        dataset=DatasetMeta(id="init"),
        sections={"rasters": (raster_product,), "tables": tuple(tables.values())},
        lines={},
    )
    read = ReadOptions(
        max_examples=options.max_examples,
        max_pixels=options.max_pixels,
        max_ratio=options.max_ratio,
        max_bands=options.max_bands,
        max_table_rows=options.max_table_rows,
        max_sheet_bytes=options.max_sheet_bytes,
    )
    jobs: list[FactsJob] = [
        (
            str(root),
            p,
            raster_kind.job(
                spec, raster_product, InventoryEntry(p, "init", {}, raster_kind.name), read
            ),
        )
        for p in rasters
    ]
    jobs += [
        (
            str(root),
            p,
            table_kind.job(
                spec, product, InventoryEntry(p, product.name, {}, table_kind.name), read
            ),
        )
        for p, product in tables.items()
    ]
    facts: list[FileFacts] = gather(jobs, options)
    by_path = {f.path: f for f in facts}
    return _Read(
        {p: f for p in rasters if isinstance(f := by_path[p], RasterFacts)},
        {p: f for p in tables if isinstance(f := by_path[p], TableFacts)},
        layouts,
        not_tables,
        tables,
    )


# --- names, fields, time ---------------------------------------------------------------


def _product_name(group: NameGroup, taken: set[str], fallback: str) -> str:
    """The pattern's literal words, lower case: Wudaoliang_ALT_{year}.tif is wudaoliang-alt."""
    stem = re.sub(r"\.[A-Za-z0-9]+$", "", PurePosixPath(group.pattern).name)
    words = [w.lower() for w in re.split(r"\{[^}]*\}|[^A-Za-z0-9]+", stem) if w]
    base = "-".join(words[:3]) or fallback
    name, index = base, 2
    while name in taken:
        name, index = f"{base}-{index}", index + 1
    taken.add(name)
    return name


def _fields(group: NameGroup) -> Block | None:
    block = Block()
    for guess in group.fields:
        if guess.kind in ("time", "number"):
            low, high = min(guess.numbers), max(guess.numbers)
            items: list[tuple[str, object]] = [("min", low), ("max", high)]
            if guess.regex:
                items.append(("regex", guess.regex))
            block.add(guess.name, Flow(items))
        else:
            block.add(guess.name, Flow([("in", list(guess.values))]))
    return block if block.entries else None


@dataclass(frozen=True)
class _Span:
    start: dt.datetime
    end: dt.datetime
    resolution: str | None


def _series_span(group: NameGroup) -> _Span | None:
    """First and last instant the members stand for, and the member length the names say
    (P1Y, P1M, P8D ...), from the pattern's time fields."""
    if not group.time_fields:
        return None
    pattern = compile_pattern(group.pattern, {f.name: f.regex for f in group.fields if f.regex})
    starts: list[dt.datetime] = []
    natural = None
    for path in group.paths:
        raw = pattern.match(path)
        if raw is None:
            continue
        fields = {k: parse_field(k, v) for k, v in raw.items()}
        start = member_start(fields)
        if start is not None:
            starts.append(start)
            natural = natural_resolution(fields)
    if not starts or natural is None:
        return None
    starts = sorted(set(starts))
    resolution = _spacing(starts, natural)
    last = Duration.parse(resolution).after(starts[-1]) - dt.timedelta(seconds=1)
    return _Span(starts[0], last, resolution)


def _spacing(starts: Sequence[dt.datetime], natural: str) -> str:
    """The usual distance between members, in the unit the names give."""
    if len(starts) < 2:
        return natural
    unit = natural[-1]
    if unit == "Y":
        gaps = [b.year - a.year for a, b in itertools.pairwise(starts)]
    elif unit == "M":
        gaps = [(b.year - a.year) * 12 + b.month - a.month for a, b in itertools.pairwise(starts)]
    else:  # days; a new year restarts day-of-year composites (MODIS 8-day)
        gaps = [
            (b - a).days
            for a, b in itertools.pairwise(starts)
            if a.year == b.year or natural != "P1D"
        ] or [1]
    usual = most_common([g for g in gaps if g > 0])
    return f"P{usual[0] if usual else 1}{unit}"


# --- the document ------------------------------------------------------------------------


def _todo(what: str) -> str:
    return f"{PLACEHOLDER}: {what}"


def _dataset_block(
    root: Path,
    spans: Sequence[_Span],
    table_spans: Sequence[tuple[dt.datetime, dt.datetime]],
    boxes: Sequence[tuple[float, float, float, float]],
) -> Block:
    slug = re.sub(r"[^A-Za-z0-9._-]+", "-", root.resolve().name).strip("-.") or "dataset"
    block = Block()
    block.add("id", slug.lower(), "the STAC collection id")
    block.add("title", _todo("the dataset's title"))
    block.add("description", _todo("what the data is and how it was made"))
    block.add("doi", _todo("10.xxxx/... without https://doi.org/"))
    block.add("citation", _todo("Authors (year) Title. Publisher. https://doi.org/..."))
    block.add("license", _todo("an SPDX licence such as CC-BY-4.0"))
    block.entries[-1].before = (
        "recommended too: keywords, creators, providers (validation warns while missing)",
    )
    starts = [s.start for s in spans] + [s[0] for s in table_spans]
    ends = [s.end for s in spans] + [s[1] for s in table_spans]
    if starts:
        temporal: list[tuple[str, object]] = [
            ("start", _day(min(starts))),
            ("end", _day(max(ends))),
        ]
        resolutions = {s.resolution for s in spans if s.resolution}
        comment = "from the files' time fields and tables"
        if len(resolutions) == 1:
            temporal.append(("resolution", next(iter(resolutions))))
        elif resolutions:
            comment = f"the series differ in member length ({', '.join(sorted(resolutions))})"
        block.add("temporal", Flow(temporal), comment)
    else:
        block.add(
            "temporal",
            Flow([("start", _todo("YYYY-MM-DD")), ("end", _todo("YYYY-MM-DD"))]),
            "no time in the names or tables",
        )
    if not boxes:
        block.entries[-1].before += (
            f"extent: {{west: ..., east: ..., south: ..., north: ...}} is {PLACEHOLDER}: no "
            "raster footprint to take it from",
        )
    else:
        union = (
            min(b[0] for b in boxes),
            min(b[1] for b in boxes),
            max(b[2] for b in boxes),
            max(b[3] for b in boxes),
        )
        (west, south, east, north), decimals = outward_extent(*union)
        block.add(
            "extent",
            Flow([("west", west), ("east", east), ("south", south), ("north", north)]),
            f"union of the footprints, rounded outward to {10.0**-decimals:g} degrees",
        )
    return block


def _day(moment: dt.datetime) -> str:
    return moment.date().isoformat()


RASTER_KEYS = (  # spec order
    "crs",
    "resolution",
    "extent",
    "bands",
    "dtype",
    "nodata",
    "values",
    "max_nodata_fraction",
)


def _raster_block(name: str, group: NameGroup, facts: Sequence[RasterFacts]) -> Block:
    guess = raster_guess(facts)
    block = Block().add("name", name, before=guess.notes)
    block.add("pattern", group.pattern, f"{len(group.paths)} files")
    fields = _fields(group)
    if fields is not None:
        block.add("fields", fields)
    for key in RASTER_KEYS:
        rule = guess.rules.get(key)
        if rule is None:
            continue
        value = rule.value
        if isinstance(value, dict):
            value = Flow(list(value.items()))
        block.add(key, value, rule.comment)
    return block


def _table_block(
    name: str, group: NameGroup, layout: TableLayout, facts: Sequence[TableFacts]
) -> Block:
    block = Block().add("name", name)
    block.add("pattern", group.pattern, f"{len(group.paths)} files")
    fields = _fields(group)
    if fields is not None:
        block.add("fields", fields)
    block.add(
        "time",
        Flow([("column", layout.time_column), ("step", step_text(layout.step_seconds))]),
        "timestamps read as UTC: add timezone: '+08:00' for Beijing time",
    )
    if layout.header_rows != 1:
        block.add("header_rows", layout.header_rows)
    if layout.units_row is not None:
        block.add("units_row", layout.units_row)
    codes = missing_codes(facts)
    if codes:
        block.add("missing_values", Items(list(codes)), "fill codes found in the data")
    columns = Block()
    for guess in column_guesses(facts):
        if guess.variable is not None:
            columns.add(guess.name, Flow([("variable", guess.variable)]), guess.comment)
            continue
        items: list[tuple[str, object]] = []
        if guess.unit:
            items.append(("unit", guess.unit))
        if guess.minimum is not None and guess.maximum is not None:
            items += [("min", guess.minimum), ("max", guess.maximum)]
        columns.add(guess.name, Flow(items) if items else Block(), guess.comment)
    station_note = (
        [
            "the {station} field can place each table: add station: {field: station} here and",
            "the stations' lon, lat and elevation under stations: at the top level",
        ]
        if group.field_named("station") is not None
        else ["add station: {lon: ..., lat: ..., elevation: ...} to place the table on the map"]
    )
    block.add("columns", columns, before=station_note)
    return block


def infer_spec(data_root: Path, spec_path: Path | None, options: ValidateOptions) -> InitResult:
    """The spec a folder's files suggest, as commented YAML, checked against the schema.
    ``spec_path`` is where it will be written (its ``data`` is relative to it; None: the
    current folder)."""
    root = Path(data_root)
    if not root.is_dir():
        raise UsageError(f"{root} is not a folder")
    read = _read_all(root, options)
    taken: set[str] = set()
    rasters = infer_names(
        list(read.rasters), lambda p: signature(read.rasters[p]), text_names=("region",)
    )
    tables = infer_names(
        list(read.tables),
        lambda p: (read.layouts[p].headers, read.layouts[p].step_seconds),
        text_names=("station",),
    )
    raster_items: list[Block] = []
    spans: list[_Span] = []
    boxes: list[tuple[float, float, float, float]] = []
    for group in rasters.groups:
        facts = [read.rasters[p] for p in group.paths]
        raster_items.append(_raster_block(_product_name(group, taken, "raster"), group, facts))
        span = _series_span(group)
        if span is not None:
            spans.append(span)
        boxes += _footprints(facts)
    table_items: list[Block] = []
    table_spans: list[tuple[dt.datetime, dt.datetime]] = []
    for group in tables.groups:
        facts_t = [read.tables[p] for p in group.paths]
        layout = read.layouts[group.paths[0]]
        table_items.append(
            _table_block(_product_name(group, taken, "table"), group, layout, facts_t)
        )
        table_spans += [
            covered
            for p in group.paths
            if (covered := table_span(read.tables[p], read.products[p])) is not None
        ]
    unfit = [f"{p} (nearly {near})" for p, near in (*rasters.unfit, *tables.unfit)]
    document = Block()
    document.add("spec_version", SPEC_VERSION)
    target_folder = (spec_path.parent if spec_path is not None else Path.cwd()).resolve()
    document.add("data", os.path.relpath(root.resolve(), target_folder))
    if read.not_tables:
        document.add(
            "exclude",
            Items(sorted(read.not_tables)),
            before=[
                f"{p}: not a station table ({why})" for p, why in sorted(read.not_tables.items())
            ],
        )
    document.add("dataset", _dataset_block(root, spans, table_spans, boxes))
    if raster_items:
        document.add("rasters", Items(raster_items))
    if table_items:
        document.add("tables", Items(table_items))
    files = len(read.rasters) + len(read.tables)
    header = [
        f"tpqc dataset spec inferred by `tpqc init` from {files} files.",
        "Fill in every TODO (validation reports them as missing), then tighten the rules:",
        "ranges are rounded outward from what the files hold, so they pass as they are.",
    ]
    if unfit:
        header += [
            "",
            "These files fit no common pattern and were left out (validation reports them):",
        ]
        header += [f"  {line}" for line in unfit]
    text = render_yaml(document, header)
    parse_spec(text, (target_folder / "spec.yaml"))  # the output must be a valid spec
    products = len(raster_items) + len(table_items)
    return InitResult(
        text,
        products,
        sum(len(g.paths) for g in (*rasters.groups, *tables.groups)),
        tuple(unfit),
        tuple(sorted(read.not_tables)),
    )


def _footprints(facts: Sequence[RasterFacts]) -> list[tuple[float, float, float, float]]:
    from tpqc.validators.grid.geo import bounds_wgs84, georeferencing_problem

    boxes = []
    for fact in facts:
        if not fact.readable or georeferencing_problem(fact) is not None:
            continue
        try:
            boxes.append(bounds_wgs84(fact))
        except Exception:  # a CRS no operation reaches: validation reports it
            continue
    return boxes


__all__ = ["InitResult", "NameInference", "infer_spec"]
