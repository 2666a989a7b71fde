"""The series table (members by path with their rows' columns in arrays), the members'
order and the closest-overlap scan that replaced sets of starts per series."""

from __future__ import annotations

import datetime as dt
import itertools
import random
from pathlib import Path

import numpy as np
import pytest

from tpqc.validators.dataset.members import (
    TIME_FIELDS,
    Member,
    _closest_overlap,
    collect_members,
)
from tpqc.validators.dataset.rows import GRID_COLUMNS, series_rule_failures
from tpqc.validators.dataset.series_table import SeriesTable
from tpqc.validators.dataset.temporal import Duration, member_start
from tpqc_testkit import summary_columns

START = dt.datetime(2018, 1, 1, tzinfo=dt.UTC)


def _member(path: str, tile: str = "T01", key: str = "2018", matched: bool = True) -> Member:
    return Member(path, "alt", (("tile", tile),), key, START, START, matched)


def test_a_tables_rows_equal_the_rows_made_from_members_andsummary_columns() -> None:
    """Each row read from the table equals the slim row made from its member and its
    file's columns: floats, None, ints, numpy numbers and NaN come back as they went in;
    a grid that cannot be a key is kept as it is; a member without columns has none."""
    members = [_member(f"a/{name}.tif", key=name) for name in ("d", "b", "c", "a", "e", "f")]
    given = {
        "a/a.tif": summary_columns(),
        "a/b.tif": summary_columns(valid_mean=None, valid_fraction=1),
        "a/c.tif": summary_columns(valid_mean=np.float32(2.5), shape=[81, 224]),
        "a/d.tif": summary_columns(valid_mean=float("nan"), transform="other"),
        "a/e.tif": summary_columns(valid_fraction=0.25),
    }
    table = SeriesTable.of(members)
    for path, columns in given.items():
        index = table.index_of(path)
        assert index is not None
        table.set_columns(index, columns)
    assert list(table) == [f"a/{name}.tif" for name in "abcdef"]
    assert table.index_of("a/zz.tif") is None and "a/zz.tif" not in table
    for path, row in zip(table, table.rows, strict=True):
        member, columns = table[path], given.get(path, {})
        want = {
            "path": path,
            "product": "alt",
            "series": "tile=T01",
            "member": member.key,
            **{column: columns.get(column) for column in GRID_COLUMNS},
            "valid_fraction": columns.get("valid_fraction"),
            "valid_mean": columns.get("valid_mean"),
        }
        got = dict(row)
        assert got.keys() == want.keys()
        for column in want:
            if isinstance(want[column], float) and np.isnan(want[column]):
                assert np.isnan(got[column])
            else:
                assert got[column] == want[column] and type(got[column]) is type(want[column])
        assert dict(table.rows_by_path[path]) == got or path == "a/d.tif"
    assert type(table.rows[2]["valid_mean"]) is np.float32
    assert table.rows[0]._grid is table.rows[4]._grid  # equal grids kept once
    assert table.rows[-1]["crs"] is None and table.rows[-1]["member"] == "f"
    assert [m.path for m in table.values()] == list(table)
    assert dict(table.items()) == {m.path: m for m in members}
    assert list(table.in_series_order) == sorted(members, key=_series_order)  # made again
    assert table.in_series_order[-1] == members[-1] and table.in_series_order[1:3] == members[1:3]
    with pytest.raises(KeyError):
        table["a/zz.tif"]
    with pytest.raises(IndexError):
        table.rows[6]
    with pytest.raises(KeyError):
        table.rows[0]["sha256"]  # a summary column the series rules never read


def test_the_series_rules_read_a_table_as_they_read_rows() -> None:
    """The shortcut and pandera see the table's rows as the rows they replace: a clean
    table is clean, a moved grid and a second file for a member are found."""
    clean = SeriesTable.of([_member(f"a/{k}.tif", key=k) for k in ("1", "2", "3")])
    for index in range(3):
        clean.set_columns(index, summary_columns())
    assert series_rule_failures(clean.rows).grid == ()
    moved = SeriesTable.of([_member(f"a/{k}.tif", key=k) for k in ("1", "2", "3")])
    for index in range(3):
        moved.set_columns(index, summary_columns(transform="moved" if index == 2 else "same"))
    assert [(d.path, d.column) for d in series_rule_failures(moved.rows).grid] == [
        ("a/3.tif", "transform")
    ]
    twice = SeriesTable.of([_member("a/1.tif", key="1"), _member("a/1b.tif", key="1")])
    assert series_rule_failures(twice.rows).duplicates == ("a/1.tif", "a/1b.tif")


def _closest_by_sets(fields: list[dict[str, object]], step: Duration) -> dt.timedelta | None:
    """The scan as it was: a set of starts per series, consecutive starts compared."""
    groups: dict[tuple[tuple[str, str], ...], set[dt.datetime]] = {}
    for values in fields:
        start = member_start(values)  # type: ignore[arg-type]
        if start is not None:
            group = tuple(sorted((k, str(v)) for k, v in values.items() if k not in TIME_FIELDS))
            groups.setdefault(group, set()).add(start)
    closest = None
    for starts in groups.values():
        for earlier, later in itertools.pairwise(sorted(starts)):
            if step.after(earlier) > later:
                gap = later - earlier
                closest = gap if closest is None else min(closest, gap)
    return closest


@pytest.mark.parametrize("seed", range(6))
def test_the_closest_overlap_equals_the_scan_over_sets(seed: int) -> None:
    """Random series of monthly, daily and day-of-year names (repeated files, impossible
    dates, equal instants spelt two ways) give the closest gap the set-based scan gives."""
    rng = random.Random(seed)
    fields: list[dict[str, object]] = []
    for _ in range(rng.randint(1, 400)):
        tile = rng.choice(["A", "B", "C", 7])
        spelling = rng.random()
        if spelling < 0.4:
            values: dict[str, object] = {
                "year": rng.randint(2000, 2003),
                "month": rng.randint(1, 13),
            }
        elif spelling < 0.7:
            year, month, day = rng.randint(2000, 2001), rng.randint(1, 12), rng.randint(1, 31)
            values = {"date": year * 10000 + month * 100 + day}
        else:
            values = {"year": rng.randint(2000, 2001), "doy": rng.randint(1, 366)}
        values["tile"] = tile
        fields.append(values)
    for step in ("P1Y", "P1M", "P3D", "P1D"):
        duration = Duration.parse(step)
        assert _closest_overlap(fields, duration) == _closest_by_sets(fields, duration)
    assert _closest_overlap([], Duration.parse("P1Y")) is None
    assert _closest_overlap([{"tile": "A"}], Duration.parse("P1Y")) is None


def test_members_come_in_series_order(tmp_path: Path) -> None:
    """Members are ordered by product, series, key, matched names first, then path: the
    order one sort by those five gave."""
    from types import SimpleNamespace

    from tpqc.schemas.spec import parse_spec

    spec = parse_spec(
        """spec_version: 1
data: data
dataset: {id: x, title: X, temporal: {start: 2018-01-01, end: 2020-12-31, resolution: P1Y}}
rasters:
  - {name: alt, pattern: "alt/{tile}_{year}.tif"}
  - {name: bet, pattern: "bet/{tile}_{year}.tif"}
""",
        tmp_path / "spec.yaml",
    )
    rng = random.Random(3)
    entries = [
        SimpleNamespace(path=f"{p}/{t}_{y}{s}.tif", product=p, fields={"tile": t, "year": y})
        for p in ("bet", "alt")
        for t in ("T2", "T1", "T10")
        for y in (2020, 2018, 2019)
        for s in ("", "x")
    ]
    rng.shuffle(entries)
    near = [
        SimpleNamespace(path=f"alt/T1_{y}z.TIF", product="alt", fields={"tile": "T1", "year": y})
        for y in (2019, 2018)
    ]
    inventory = SimpleNamespace(entries=entries, unmatched=near)
    columns, _ = collect_members(spec, inventory, {"alt", "bet"})  # type: ignore[arg-type]
    members = list(SeriesTable(columns).in_series_order)
    assert len(members) == len(entries) + len(near)
    assert members == sorted(members, key=_series_order)
    t1_2018 = [
        m
        for m in members
        if m.product == "alt" and m.key == "2018" and m.group == (("tile", "T1"),)
    ]
    assert [m.matched for m in t1_2018] == [True, True, False]  # the near miss last


def _series_order(member: Member) -> tuple[object, ...]:
    return (member.product, member.group, member.key, not member.matched, member.path)


def test_a_table_gives_each_products_members_in_series_order() -> None:
    """Members given in any order come back per product in series order, made equal to
    the ones given (near misses, shared groups and time steps included)."""
    end = START + dt.timedelta(days=365)
    members = [
        Member(
            f"{product}/{tile}_{key}{suffix}.tif",
            product,
            (("tile", tile),),
            key,
            START,
            end,
            not suffix,
        )
        for product in ("alt", "bet")
        for tile in ("T2", "T1")
        for key in ("2019", "2018")
        for suffix in ("", "z")
    ]
    table = SeriesTable.of(members)
    in_order = sorted(members, key=_series_order)
    assert in_order != members  # the table sorts them
    assert list(table.members_of("alt")) == in_order[:8]
    assert list(table.members_of("bet")) == in_order[8:]
    assert len(table.members_of("gamma")) == 0 and list(table.in_series_order) == in_order
    assert table["bet/T2_2019z.tif"] == in_order[-1] and not table["bet/T2_2019z.tif"].matched
    assert table.members_of("bet")[0].group == (("tile", "T1"),)


@pytest.mark.parametrize("seed", range(4))
def test_a_tables_series_order_is_the_five_key_sort_of_random_members(seed: int) -> None:
    """Random members (products out of name order, groups of one and two fields, keys of
    every spelling, near misses, a path given twice) come in the order one stable sort by
    product, series, key, matched names first and path gives; each product's run is its
    own members."""
    rng = random.Random(seed)
    groups = [(("tile", "T1"),), (("tile", "T10"),), (("band", "b"), ("tile", "T1")), ()]
    keys = ["2018", "2018-02", "2018-02-14", "2018-045", "2019"]
    members = [
        Member(
            f"{rng.choice('xyz')}/{rng.randrange(50):02d}.tif",
            rng.choice(["zeta", "alt", "Beta"]),
            rng.choice(groups),
            rng.choice(keys),
            START + dt.timedelta(days=rng.randrange(3)),
            START + dt.timedelta(days=400),
            rng.random() < 0.8,
        )
        for _ in range(300)
    ]
    table = SeriesTable.of(members)
    in_order = sorted(members, key=_series_order)
    assert list(table.in_series_order) == in_order
    for product in ("zeta", "alt", "Beta"):
        assert list(table.members_of(product)) == [m for m in in_order if m.product == product]
    assert list(table) == sorted(m.path for m in members)


def test_grid_columns_of_a_table_are_the_gridsummary_columns() -> None:
    """Every grid column is read from the shared grid, in the declared order."""
    table = SeriesTable.of([_member("a/1.tif")])
    table.set_columns(0, summary_columns())
    row = table.rows[0]
    assert [row[c] for c in GRID_COLUMNS] == [summary_columns()[c] for c in GRID_COLUMNS]
