"""Recognise a station table's layout from its first lines, and the rules its one read
suggests: which line holds the names, whether a units line follows, which column is the
time and its step; then for each column the variable of the pack it is, or its unit and a
range rounded outward; and the missing-value codes the data uses.
"""

from __future__ import annotations

import re
from collections.abc import Hashable, Sequence
from dataclasses import dataclass
from pathlib import Path

import numpy as np

from tpqc.init.inferrer import Inferred, Inferrer, Prepared, Span, fields_block
from tpqc.init.names import NameGroup
from tpqc.init.values import most_common, outward_range, step_text
from tpqc.init.writer import Block, Flow, Items
from tpqc.pipeline import ValidateOptions
from tpqc.schemas.spec import ColumnRule, TableProduct, TimeRule
from tpqc.schemas.units import same_unit
from tpqc.schemas.variables import VARIABLES, Variable
from tpqc.validators.engine.facts import FileFacts
from tpqc.validators.kinds import FileKind
from tpqc.validators.kinds.table.chunks import TableLimits, read_head
from tpqc.validators.kinds.table.problems import ProblemKind
from tpqc.validators.kinds.table.reader import ColumnFacts, TableFacts
from tpqc.validators.kinds.table.report import table_span

HEAD_ROWS = 200
_TIME_NAME = re.compile(r"time|date|timestamp|datetime|时间|日期", re.IGNORECASE)
_NUMBER = re.compile(r"^[-+]?(\d+\.?\d*|\.\d+)([eE][-+]?\d+)?$")


@dataclass(frozen=True)
class TableLayout:
    """Where a table's names, units, data and time are."""

    header_rows: int
    units_row: int | None
    headers: tuple[str, ...]
    time_column: str
    step_seconds: int
    format: str


def _numeric_share(cells: Sequence[str]) -> float:
    filled = [c for c in cells if c]
    return sum(bool(_NUMBER.match(c)) for c in filled) / len(filled) if filled else 0.0


def _parses_as_time(cells: Sequence[str], named: bool) -> bool:
    import pandas as pd

    from tpqc.validators.kinds.table.timestamps import parse_time

    filled = [c for c in cells if c]
    if len(filled) < 2:
        return False
    if not named and _numeric_share(filled) > 0.5:
        return False  # numbers are data, unless the column is named like a time
    parsed = parse_time(pd.Series(filled, dtype="object"), None)
    return bool(parsed.notna().mean() >= 0.9)


def _step(cells: Sequence[str]) -> int | None:
    import pandas as pd

    from tpqc.validators.kinds.table.timestamps import parse_time

    parsed = parse_time(pd.Series([c for c in cells if c], dtype="object"), None).dropna()
    stamps = parsed.to_numpy(dtype="datetime64[s]").astype(np.int64)
    steps = [int(s) for s in np.diff(stamps) if s > 0]
    found = most_common(steps)
    return found[0] if found else None


def sniff_layout(root: Path, relative: str, limits: TableLimits) -> TableLayout | str:
    """The layout of a table from its first lines, or why it is no station table."""
    fmt = "xlsx" if Path(relative).suffix.lower() in (".xlsx", ".xlsm", ".xls") else "csv"
    try:
        head = read_head(root / relative, fmt, HEAD_ROWS, limits)
    except Exception as exc:  # unreadable: validation will report the reader's reason
        return f"cannot be read: {exc}"
    if not head or not any(head[0]):
        return "no header line"
    first_data = next(
        (i for i, row in enumerate(head) if i > 0 and _numeric_share(row) >= 0.5), None
    )
    if first_data is None:
        return "no rows of numbers under a header"
    headers = tuple(head[0])
    width = len(headers)
    columns = [[row[i] if i < len(row) else "" for row in head[first_data:]] for i in range(width)]
    order = sorted(range(width), key=lambda i: not _TIME_NAME.search(headers[i] or ""))
    time_at = next(
        (
            i
            for i in order
            if headers[i] and _parses_as_time(columns[i], bool(_TIME_NAME.search(headers[i])))
        ),
        None,
    )
    if time_at is None:
        return "no time column (no column of dates or timestamps)"
    step = _step(columns[time_at])
    if step is None:
        return f"its time column {headers[time_at]!r} has no regular step in its first rows"
    units_row = 2 if first_data >= 2 and _numeric_share(head[1]) < 0.5 else None
    return TableLayout(first_data, units_row, headers, headers[time_at], step, fmt)


def provisional_table(name: str, relative: str, layout: TableLayout) -> TableProduct:
    """A product that reads every column of the table and judges nothing: the read that
    tells what the rules should be."""
    columns = tuple(
        ColumnRule(header, required=True)
        for header in dict.fromkeys(layout.headers)
        if header and header != layout.time_column
    )
    return TableProduct(
        name=name,
        pattern=relative,
        time=_time_rule(layout),
        columns=columns,
        header_rows=layout.header_rows,
        units_row=layout.units_row,
        unexpected_columns="allow",
    )


def _time_rule(layout: TableLayout) -> TimeRule:
    from pydantic import TypeAdapter

    written = {"column": layout.time_column, "step": layout.step_seconds}
    return TypeAdapter(TimeRule).validate_python(written)


# name → variable, the usual spellings of station loggers and EddyPro output.
_VARIABLE_NAMES: tuple[tuple[str, str], ...] = (
    (r"^(ta|t_?air|airtc|air_?temp|temp)(_|$)", "air_temperature"),
    (r"^(rh|relhum|humidity)(_|$)", "relative_humidity"),
    (r"^(press|pa|pressure|p_?air|bp)(_|$)", "air_pressure"),
    (r"^(rain|precip|prec|ppt|p_rain)(_|$)", "precipitation"),
    (r"^(ws|wnd|wind_?speed|u_?wind|wspd)(_|$)", "wind_speed"),
    (r"^(wd|wdir|wind_?dir)(_|$)", "wind_direction"),
    (r"^std_?u[xy]?(_|$)", "wind_speed_std"),
    (r"^(dr|ur|sw_?in|sw_?out|rs|rsd|rsu|swdown|swup|global)(_|$)", "shortwave_radiation"),
    (r"^(dlr|ulr|lw_?in|lw_?out|rld|rlu|lwdown|lwup)(_|$)", "longwave_radiation"),
    (r"^(rn|netrad|net_?radiation)(_|$)", "net_radiation"),
    (r"^par(_|$)", "par"),
    (r"^(ts_\d|tsoil|soil_?temp|tg_)", "soil_temperature"),
    (r"^(ms_\d|swc|vwc|soil_?moist|mois)", "soil_moisture"),
    (r"^(gs_?\d*|shf|soil_?heat)(_|$)", "soil_heat_flux"),
    (r"^(hs|h)$", "sensible_heat_flux"),
    (r"^le$", "latent_heat_flux"),
    (r"^(fc|co2_?flux|nee)$", "co2_flux"),
    (r"^co2$", "co2_density"),
    (r"^h2o$", "h2o_density"),
    (r"^(ustar|u_?star|u\*)$", "friction_velocity"),
    (r"^(ts|t_?sonic|sonic_?temp)$", "sonic_temperature"),
    (r"^l$", "obukhov_length"),
    (r"^(z_?l|zl|stability)$", "stability"),
    (r"^qa_", "qa_class"),
)


LIMIT_SLACK = 0.1
"""Values up to this share of a variable's range beyond its physical limits still make the
column that variable (RH of 104 % is a defect of humidity, not another quantity)."""


def variable_for(column: ColumnFacts) -> Variable | None:
    """The pack's variable a column is, by its name, when its unit (if the file gives one)
    agrees and its values lie within the variable's limits, give or take a tenth of their
    range (a column named ``L`` holding -85208..430491 is no stability z/L; RH up to 104 %
    is humidity with defects)."""
    for pattern, name in _VARIABLE_NAMES:
        if re.search(pattern, column.header, re.IGNORECASE):
            known = VARIABLES[name]
            if column.unit and not same_unit(column.unit, known.unit):
                return None
            slack = (
                LIMIT_SLACK * (known.max - known.min)
                if known.min is not None and known.max is not None
                else 0.0
            )
            low, high = column.minimum, column.maximum
            if low is not None and known.min is not None and low < known.min - slack:
                return None
            if high is not None and known.max is not None and high > known.max + slack:
                return None
            return known
    return None


def _beyond(known: Variable, low: float, high: float) -> str:
    """A note when observed values pass the variable's physical limits."""
    if (known.min is not None and low < known.min) or (known.max is not None and high > known.max):
        low_limit = "-inf" if known.min is None else f"{known.min:g}"
        high_limit = "inf" if known.max is None else f"{known.max:g}"
        return (
            f"; beyond the physical limits ({low_limit} to {high_limit}): validation "
            "reports those values"
        )
    return ""


@dataclass(frozen=True)
class ColumnGuess:
    """What the spec should say about one column, and the comment that shows why."""

    name: str
    variable: str | None
    unit: str | None
    minimum: float | None
    maximum: float | None
    comment: str


def column_guesses(facts: Sequence[TableFacts]) -> list[ColumnGuess]:
    """Each column of a product's tables (in the first table's order), judged on all of
    them together."""
    by_name: dict[str, list[ColumnFacts]] = {}
    for table in facts:
        for column in table.columns:
            by_name.setdefault(column.name, []).append(column)
    guesses: list[ColumnGuess] = []
    for name, columns in by_name.items():
        rows = sum(c.rows for c in columns)
        missing = sum(c.missing for c in columns)
        lows = [c.minimum for c in columns if c.minimum is not None]
        highs = [c.maximum for c in columns if c.maximum is not None]
        units = [c.unit for c in columns if c.unit]
        unit = units[0] if units and all(same_unit(u, units[0]) for u in units) else None
        share = f"{missing / rows:.1%} missing" if rows else "no rows"
        if not lows:
            guesses.append(ColumnGuess(name, None, unit, None, None, f"no numbers ({share})"))
            continue
        low, high = min(lows), max(highs)
        observed = f"observed {low:.6g} to {high:.6g}{' ' + unit if unit else ''}, {share}"
        merged = ColumnFacts(
            name, columns[0].header, False, unit, None, None, "number", rows, missing, low, high
        )
        known = variable_for(merged)
        if known is not None:
            note = observed + _beyond(known, low, high)
            guesses.append(ColumnGuess(name, known.name, None, None, None, note))
            continue
        lo, hi = outward_range(low, high)
        guesses.append(ColumnGuess(name, None, unit, lo, hi, observed))
    return guesses


def missing_codes(facts: Sequence[TableFacts]) -> list[float]:
    """The common fill codes (-9999, -6999 ...) the tables use in place of values."""
    codes = {
        float(problem.details["code"])
        for table in facts
        for problem in table.problems_of(ProblemKind.MISSING_CODE)
    }
    return sorted(codes)


def _table_block(
    name: str, group: NameGroup, layout: TableLayout, facts: Sequence[TableFacts]
) -> Block:
    block = Block().add("name", name)
    block.add("pattern", group.pattern, f"{len(group.paths)} files")
    fields = fields_block(group)
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


class TableInferrer(Inferrer):
    """Station tables: the layout sniffed from the first lines, every column read, and for
    each product its time, missing codes and columns (as variables of the pack, or with
    their unit and range)."""

    text_fields = ("station",)
    fallback_name = "table"

    def __init__(self, kind: FileKind) -> None:
        super().__init__(kind)
        self.layouts: dict[str, TableLayout] = {}
        self.products: dict[str, TableProduct] = {}

    def prepare(self, root: Path, paths: Sequence[str], options: ValidateOptions) -> Prepared:
        """Each table's layout from its first lines; a file that is no station table is
        excluded with the reason."""
        limits = TableLimits(options.max_table_rows, options.max_sheet_bytes)
        excluded: dict[str, str] = {}
        for path in paths:
            found = sniff_layout(root, path, limits)
            if isinstance(found, str):
                excluded[path] = found
            else:
                self.layouts[path] = found
        self.products = {
            p: provisional_table(f"t{i}", p, layout)
            for i, (p, layout) in enumerate(self.layouts.items())
        }
        return Prepared(dict(self.products), excluded)

    def signature(self, path: str, facts: FileFacts) -> Hashable:
        """The header and the time step."""
        layout = self.layouts[path]
        return (layout.headers, layout.step_seconds)

    def infer(self, name: str, group: NameGroup, facts: Sequence[FileFacts]) -> Inferred:
        """The product's layout, time, missing codes and columns, and the time it covers."""
        tables = [f for f in facts if isinstance(f, TableFacts)]
        layout = self.layouts[group.paths[0]]
        spans = [
            Span(*covered)
            for table in tables
            if (covered := table_span(table, self.products[table.path])) is not None
        ]
        return Inferred(_table_block(name, group, layout, tables), tuple(spans))


__all__ = [
    "ColumnGuess",
    "TableInferrer",
    "TableLayout",
    "column_guesses",
    "missing_codes",
    "provisional_table",
    "sniff_layout",
    "variable_for",
]
