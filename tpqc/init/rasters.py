"""What a raster product's rules should be, from the facts of its files' one read: the CRS
(as an EPSG code where one matches), the pixel size with its unit (and on geographic grids
its geodesic size), bands, data type, nodata, a value range rounded outward and the nodata
share the files show. Rules follow what most files have; files that differ are named in a
comment, and validation reports them.
"""

from __future__ import annotations

import math
import statistics
from collections.abc import Hashable, Sequence
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from tpqc.init.inferrer import Box, Inferred, Inferrer, Prepared, fields_block, series_span
from tpqc.init.names import NameGroup
from tpqc.init.values import fraction_ceiling, most_common, outward_range, significant
from tpqc.init.writer import Block, Flow
from tpqc.pipeline import ValidateOptions
from tpqc.schemas.spec import RasterProduct
from tpqc.schemas.units import plausible_range
from tpqc.validators.engine.facts import FileFacts
from tpqc.validators.grid.facts import RasterFacts
from tpqc.validators.grid.geo import (
    authority_code,
    bounds_wgs84,
    georeferencing_problem,
    pixel_size_in,
)

SQUARE = 0.01
"""Pixels whose sides differ by more than this share are not square."""


@dataclass(frozen=True)
class Rule:
    """One rule: its YAML value and the comment that shows the evidence."""

    value: Any
    comment: str | None = None


@dataclass(frozen=True)
class RasterGuess:
    """The rules of one raster product, by spec key, in spec order."""

    rules: dict[str, Rule] = field(default_factory=dict)
    notes: tuple[str, ...] = ()
    """Comment lines for the product (files that differ, what could not be inferred)."""


def crs_text(wkt: str) -> str:
    """``EPSG:4326`` when an authority code matches, else the WKT itself."""
    return authority_code(wkt) or wkt


def signature(facts: RasterFacts) -> tuple[object, ...]:
    """What tells files of different content apart: CRS, pixel size, bands, data types."""
    if not facts.readable or facts.crs_wkt is None or facts.transform is None:
        return ("unreadable" if not facts.readable else "not placed",)
    a, _, _, _, e, _ = facts.transform
    return (
        crs_text(facts.crs_wkt),
        significant(abs(a), 3),
        significant(abs(e), 3),
        facts.count,
        facts.dtypes,
    )


def _others(name: str, facts: Sequence[RasterFacts], keep: object, value_of: object) -> str:
    assert callable(value_of)
    odd = [f.path for f in facts if value_of(f) != keep]
    shown = ", ".join(odd[:3]) + (f" and {len(odd) - 3} more" if len(odd) > 3 else "")
    return f"{len(odd)} of {len(facts)} files have another {name}: {shown}"


def _resolution(facts: RasterFacts) -> tuple[Rule | None, str | None]:
    """The pixel size as the spec writes it, or why it is left out."""
    from pyproj import CRS

    assert facts.crs_wkt is not None and facts.transform is not None
    crs = CRS.from_user_input(facts.crs_wkt)
    if crs.is_geographic:
        x, y, _ = pixel_size_in(facts, "deg")
    else:
        x, y, _ = pixel_size_in(facts, "m")
    if abs(x - y) > SQUARE * max(x, y):
        return None, f"pixels are not square ({x:.6g} x {y:.6g}): no resolution rule"
    if not crs.is_geographic:
        return Rule({"value": significant(x), "unit": "m"}), None
    arcsec = x * 3600
    km = pixel_size_in(facts, "km")[1]
    geodesic = f"about {km:.3g} km north-south (geodesic, at the grid's centre)"
    short = len(f"{x:.10f}".rstrip("0").split(".")[1]) <= 4  # 0.05, 0.25: written in degrees
    if not short and arcsec >= 1 and abs(arcsec - round(arcsec)) < 1e-4 * arcsec:
        return Rule({"value": float(round(arcsec)), "unit": "arcsec"}, geodesic), None
    return Rule({"value": significant(x), "unit": "deg"}, geodesic), None


def raster_guess(files: Sequence[RasterFacts]) -> RasterGuess:
    """The rules most of a product's readable files follow."""
    readable = [f for f in files if f.readable]
    notes: list[str] = []
    rules: dict[str, Rule] = {}
    unreadable = [f.path for f in files if not f.readable]
    if unreadable:
        notes.append(f"{len(unreadable)} files could not be read: {', '.join(unreadable[:3])}")
    placed = [
        f for f in readable if f.crs_wkt and f.transform and georeferencing_problem(f) is None
    ]
    if placed:
        crs = most_common([crs_text(f.crs_wkt or "") for f in placed])
        assert crs is not None
        rules["crs"] = Rule(crs[0])
        if crs[1] < len(placed):
            notes.append(_others("CRS", placed, crs[0], lambda f: crs_text(f.crs_wkt or "")))
        sizes = [(_resolution(f), f) for f in placed]
        usual = most_common([repr(r[0].value) if r[0] else r[1] for r, _ in sizes])
        assert usual is not None
        first = next(r for r, _ in sizes if (repr(r[0].value) if r[0] else r[1]) == usual[0])
        if first[0] is not None:
            rules["resolution"] = first[0]
        elif first[1]:
            notes.append(first[1])
        if usual[1] < len(placed):
            notes.append(f"{len(placed) - usual[1]} of {len(placed)} files have another pixel size")
        rules["extent"] = Rule({"match": "within"}, "each file inside the dataset extent")
    elif readable:
        notes.append("no file is placed on Earth (CRS and geotransform): no grid rules")
    if readable:
        count = most_common([f.count for f in readable])
        assert count is not None
        rules["bands"] = Rule(count[0])
        if count[1] < len(readable):
            notes.append(_others("band count", readable, count[0], lambda f: f.count))
        dtypes = most_common([f.dtypes for f in readable])
        assert dtypes is not None
        if len(set(dtypes[0])) == 1:
            rules["dtype"] = Rule(dtypes[0][0])
        _nodata(readable, rules, notes)
        _values(readable, rules, dtypes[0][0] if len(set(dtypes[0])) == 1 else None, notes)
    return RasterGuess(rules, tuple(notes))


def _nodata(files: Sequence[RasterFacts], rules: dict[str, Rule], notes: list[str]) -> None:
    values = {
        "nan" if b.nodata is not None and math.isnan(b.nodata) else b.nodata
        for f in files
        for b in f.bands
    }
    if None in values:
        without = sum(1 for f in files if any(b.nodata is None for b in f.bands))
        if without < len(files):
            notes.append(f"{without} of {len(files)} files declare no nodata value")
        return
    if len(values) == 1:
        (value,) = values
        rules["nodata"] = Rule(value)
    else:
        rules["nodata"] = Rule("required", f"the files use {len(values)} nodata values")
    fractions = [b.nodata_fraction for f in files if f.decoded for b in f.bands]
    if fractions and max(fractions) > 0:
        rules["max_nodata_fraction"] = Rule(
            fraction_ceiling(max(fractions)), f"observed at most {max(fractions):.1%}"
        )


SUSPECT_Z = 3.5
"""Robust z-score of a file's valid mean beyond which it is a suspect of its series."""


def _mean(facts: RasterFacts) -> float | None:
    means = [b.mean for b in facts.bands if b.mean is not None]
    return sum(means) / len(means) if means else None


def suspects(files: Sequence[RasterFacts]) -> dict[str, str]:
    """Files whose values sit far from the rest of their series (a year stored as kelvin x
    100 among kelvin years), with why: robust z-score of the valid means over 3.5."""
    means = {f.path: m for f in files if f.decoded and (m := _mean(f)) is not None}
    if len(means) < 3:
        return {}
    centre = statistics.median(means.values())
    spread = statistics.median(abs(m - centre) for m in means.values())
    scale = max(spread, abs(centre) * 0.01, 1e-9)
    out = {}
    for path, mean in means.items():
        if abs(0.6745 * (mean - centre) / scale) > SUSPECT_Z:
            ratio = mean / centre if centre else 0.0
            scaled = next((f for f in (10, 100, 1000) if abs(ratio / f - 1) < 0.2), None)
            why = f" (about {scaled} times the others: stored x {scaled}?)" if scaled else ""
            out[path] = f"mean {mean:.6g}, the others about {centre:.6g}{why}"
    return out


def _values(
    files: Sequence[RasterFacts], rules: dict[str, Rule], dtype: str | None, notes: list[str]
) -> None:
    odd = suspects(files)
    for path, why in sorted(odd.items()):
        notes.append(f"suspect, left out of the value range: {path} ({why})")
    kept = [f for f in files if f.decoded and f.path not in odd]
    bands = [b for f in kept for b in f.bands]
    lows = [b.minimum for b in bands if b.minimum is not None]
    highs = [b.maximum for b in bands if b.maximum is not None]
    if not lows or not highs:
        return
    low, high = min(lows), max(highs)
    lo, hi = outward_range(low, high, dtype)
    units = {b.unit for b in bands if b.unit}
    value: dict[str, object] = {"min": lo, "max": hi}
    comment = f"observed {low:.6g} to {high:.6g} in {len(kept)} files"
    if len(units) == 1:
        unit = next(iter(units))
        value["unit"] = unit
        plausible = plausible_range(unit)
        if plausible is not None and (lo < plausible[0] or hi > plausible[1]):
            value["min"], value["max"] = max(lo, plausible[0]), min(hi, plausible[1])
            comment += (
                f"; held to what {unit} can plausibly be ({plausible[0]:g} to {plausible[1]:g})"
            )
    rules["values"] = Rule(value, comment)


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
    fields = fields_block(group)
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


def _footprints(facts: Sequence[RasterFacts]) -> list[Box]:
    boxes = []
    for fact in facts:
        if not fact.readable or georeferencing_problem(fact) is not None:
            continue
        try:
            boxes.append(bounds_wgs84(fact))
        except Exception:  # a CRS no operation reaches: validation reports it
            continue
    return boxes


class GridInferrer(Inferrer):
    """Gridded files (a GeoTIFF, a NetCDF variable seen as a grid): one product per
    pattern and grid signature, its rules from the grid facts of the one read."""

    text_fields = ("region",)
    fallback_name = "raster"

    def prepare(self, root: Path, paths: Sequence[str], options: ValidateOptions) -> Prepared:
        """Every file read with a product that declares nothing (every value counts)."""
        product = RasterProduct(name="init", pattern="*")
        return Prepared(dict.fromkeys(paths, product))

    def _grid(self, facts: FileFacts) -> RasterFacts:
        grid = self.kind.grid(facts)
        if grid is None:
            raise TypeError(f"{facts.path}: {self.kind.name} files are no grids")
        return grid

    def signature(self, path: str, facts: FileFacts) -> Hashable:
        """CRS, pixel size, bands and data types."""
        return signature(self._grid(facts))

    def infer(self, name: str, group: NameGroup, facts: Sequence[FileFacts]) -> Inferred:
        """The product's rules, the span its names give and its footprints."""
        grids = [self._grid(f) for f in facts]
        span = series_span(group)
        return Inferred(
            _raster_block(name, group, grids),
            (span,) if span is not None else (),
            tuple(_footprints(grids)),
        )


__all__ = ["GridInferrer", "RasterGuess", "Rule", "crs_text", "raster_guess", "signature"]
