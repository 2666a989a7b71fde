"""The dataset's declared metadata against the data, and on its own, offline."""

from __future__ import annotations

import datetime as dt
import itertools
import re
from collections.abc import Iterator, Sequence
from dataclasses import dataclass

from tpqc.schemas.spdx import closest_spdx, is_spdx
from tpqc.schemas.spec import Resolution, Spec
from tpqc.schemas.spec_values import is_placeholder, parse_resolution_text
from tpqc.validators.dataset.members import Member
from tpqc.validators.dataset.summary import Box
from tpqc.validators.findings import Issue, Location, Severity
from tpqc.validators.grid.geo import Georeferenced, georeferencing_problem, pixel_size_in
from tpqc.validators.registry import Scope, check

# "(2022)" or ", 2022." - not the years inside a title such as "(2017-2020)".
PUBLICATION_YEAR = re.compile(r"\((19|20)\d\d[a-z]?\)|(^|[,.]\s*)(19|20)\d\d[a-z]?[.,]")
DOI = re.compile(r"^10\.\d{4,9}/\S+$")
CSTR = re.compile(r"^\d{5}\.\d{2}\.\S+$")
TPDC_CSTR_PREFIX, TPDC_DOI_PREFIX = "18406.11.", "10.11888/"
SIZE_UNITS = {
    "B": 1,
    "KB": 1e3,
    "MB": 1e6,
    "GB": 1e9,
    "TB": 1e12,
    "KIB": 2**10,
    "MIB": 2**20,
    "GIB": 2**30,
    "TIB": 2**40,
}
SIZE_TOLERANCE = 0.10


@dataclass(frozen=True)
class DatasetContext:
    """The spec, the series members and the facts of the files that could be read."""

    spec: Spec
    members: Sequence[Member]
    grids: Sequence[Georeferenced]
    """The readable gridded files' grids, one of each distinct placement (CRS, transform,
    shape): what the files measure is the same for files on the same grid."""
    wgs84_union: Box | None
    """The union of the footprints of the placed grids that are not already outside the
    declared extent, with the largest pixel width and height among them; None: no such
    grid."""
    table_spans: Sequence[tuple[dt.datetime, dt.datetime]] = ()
    """(first, last) instant the station tables cover, on their own clock."""
    total_size: int = 0
    """Bytes of the readable gridded files together."""


DATASET = Scope[DatasetContext]("dataset")
"""Checks of the declared metadata against the data, and on its own (offline)."""
ONLINE = Scope[DatasetContext]("dataset-online")
"""Checks that need the network; run only with --online."""


def _field(name: str) -> Location:
    return Location(field=f"dataset.{name}")


def _iso(moment: dt.datetime) -> str:
    return moment.isoformat().replace("+00:00", "Z")


@check("M001", "temporal-coverage-mismatch", scope=DATASET)
def temporal_coverage_mismatch(ctx: DatasetContext) -> Iterator[Issue]:
    """The declared temporal coverage differs from the span the files cover, either way."""
    temporal = ctx.spec.dataset.temporal
    if temporal is None or temporal.start is None or temporal.end is None:
        return
    start = end = None  # of the spans that meet the declared coverage (one at a time)
    for first, last in itertools.chain(((m.start, m.end) for m in ctx.members), ctx.table_spans):
        if first > temporal.end or last < temporal.start:
            continue
        start = first if start is None else min(start, first)
        end = last if end is None else max(end, last)
    if start is None or end is None:
        return
    slack = dt.timedelta(days=1)
    if abs(start - temporal.start) >= slack or abs(end - temporal.end) >= slack:
        yield Issue(
            "declared temporal coverage differs from what the files cover",
            _field("temporal"),
            expected=[_iso(start), _iso(end)],
            actual=[_iso(temporal.start), _iso(temporal.end)],
            hint="the files are the truth: correct the declared start/end",
        )


@check("M002", "extent-mismatch-dataset", scope=DATASET)
def extent_mismatch_dataset(ctx: DatasetContext) -> Iterator[Issue]:
    """The declared extent differs from the union of the files' WGS84 bounds by more than a
    pixel or the precision it was written to (0.01 degrees for 94.04; extent.tolerance sets
    it)."""
    extent = ctx.spec.dataset.extent
    if extent is None or ctx.wgs84_union is None:
        return
    west, south, east, north, tol_x, tol_y = ctx.wgs84_union
    union = (west, south, east, north)
    declared = extent.as_tuple()
    slack = ctx.spec.extent_slack() or (0.0, 0.0, 0.0, 0.0)
    if extent.tolerance is not None:
        tolerances = slack
    else:
        tolerances = (
            max(tol_x, slack[0]),
            max(tol_y, slack[1]),
            max(tol_x, slack[2]),
            max(tol_y, slack[3]),
        )
    if any(abs(a - b) > t for a, b, t in zip(union, declared, tolerances, strict=True)):
        yield Issue(
            "declared extent differs from the union of the files' bounds by more than its "
            "tolerance",
            _field("extent"),
            expected=[round(v, 6) for v in union],
            actual=list(declared),
            details={"tolerance_degrees": [round(t, 9) for t in tolerances]},
        )


def parse_resolution(text: str) -> Resolution | None:
    """``1 km``, ``30 arcsec``, ``0.25 deg``, ``500m`` → a Resolution; ranges give None."""
    parsed = parse_resolution_text(text)
    return Resolution(parsed[0], parsed[1]) if parsed else None  # type: ignore[arg-type]


@check("M003", "resolution-declared-mismatch", scope=DATASET)
def resolution_declared_mismatch(ctx: DatasetContext) -> Iterator[Issue]:
    """The declared nominal resolution (dataset.resolution) is not what the files have."""
    declared = ctx.spec.dataset.resolution
    if declared is None:
        return
    rule = parse_resolution(declared) if isinstance(declared, str) else declared
    if rule is None:
        yield Issue(
            "declared resolution is not one value with a unit",
            _field("resolution"),
            expected="e.g. '1 km' or '30 arcsec'",
            actual=declared,
        )
        return
    sizes: set[tuple[float, bool]] = set()
    for facts in ctx.grids:
        if georeferencing_problem(facts) is not None:
            continue
        try:
            x, y, same_unit = pixel_size_in(facts, rule.unit)
        except Exception:  # unmeasurable CRS: reported by the per-file checks
            continue
        sizes.add((round((x + y) / 2, 9), same_unit))
    wrong = sorted(
        (s, same)
        for s, same in sizes
        if abs(s - rule.value) > rule.value * rule.tolerance_for(same)
    )
    if wrong:
        yield Issue(
            "files' pixel size differs from the declared resolution",
            _field("resolution"),
            expected=rule.describe(wrong[0][1]),
            actual=sorted({f"{s:.6g} {rule.unit}" for s, _ in wrong}),
        )


def parse_size(text: str) -> list[float] | None:
    """Byte counts a declared size may mean (MB read both as 10^6 and 2^20 bytes)."""
    found = re.fullmatch(r"\s*([0-9]*\.?[0-9]+)\s*([KMGT]?i?B)\s*", text, re.I)
    if not found:
        return None
    value, unit = float(found.group(1)), found.group(2).upper()
    meanings = [value * SIZE_UNITS[unit]]
    if "I" not in unit and unit != "B":
        meanings.append(value * SIZE_UNITS[unit[0] + "IB"])
    return meanings


@check("M004", "size-declared-mismatch", Severity.WARNING, scope=DATASET)
def size_declared_mismatch(ctx: DatasetContext) -> Iterator[Issue]:
    """The declared total size (dataset.size) differs from the files' total by over 10 %."""
    declared = ctx.spec.dataset.size
    if declared is None:
        return
    meanings = parse_size(declared)
    total = ctx.total_size
    if meanings is None:
        yield Issue(
            "declared size is not a number with a unit",
            _field("size"),
            expected="e.g. '100 MB'",
            actual=declared,
        )
    elif not any(abs(total - m) <= m * SIZE_TOLERANCE for m in meanings):
        yield Issue(
            "declared size differs from the files' total",
            _field("size"),
            expected=f"{total} bytes",
            actual=declared,
        )


@check("M005", "doi-invalid", scope=DATASET)
def doi_invalid(ctx: DatasetContext) -> Iterator[Issue]:
    """The DOI is not ``10.<registrant>/<suffix>`` (URL prefix inside the field, whitespace)."""
    doi = ctx.spec.dataset.doi
    if doi is None or DOI.match(doi):
        return
    bare = re.sub(r"^(https?://(dx\.)?doi\.org/|doi:\s*)", "", doi.strip(), flags=re.I)
    hint = f"write it as {bare}" if bare != doi and DOI.match(bare) else None
    yield Issue(
        "not a DOI", _field("doi"), expected="10.<registrant>/<suffix>", actual=doi, hint=hint
    )


@check("M006", "cstr-invalid", scope=DATASET)
def cstr_invalid(ctx: DatasetContext) -> Iterator[Issue]:
    """The CSTR is malformed, or a TPDC CSTR is not 18406.11. followed by the DOI suffix."""
    meta = ctx.spec.dataset
    if meta.cstr is None:
        return
    if not CSTR.match(meta.cstr):
        yield Issue(
            "not a CSTR identifier",
            _field("cstr"),
            expected="<5-digit registrant>.<2-digit type>.<suffix>",
            actual=meta.cstr,
        )
        return
    if (
        meta.doi
        and DOI.match(meta.doi)
        and (meta.cstr.startswith(TPDC_CSTR_PREFIX) or meta.doi.startswith(TPDC_DOI_PREFIX))
    ):
        expected = TPDC_CSTR_PREFIX + meta.doi.split("/", 1)[1]
        if meta.cstr != expected:
            yield Issue(
                "CSTR does not match the DOI (TPDC: 18406.11.<DOI suffix>)",
                _field("cstr"),
                expected=expected,
                actual=meta.cstr,
            )


@check("M007", "license-unknown", scope=DATASET)
def license_unknown(ctx: DatasetContext) -> Iterator[Issue]:
    """The licence is not an SPDX id; the closest one is offered ("CC BY 4.0" → CC-BY-4.0)."""
    text = ctx.spec.dataset.license
    if not text or is_spdx(text):
        return
    closest = closest_spdx(text)
    yield Issue(
        "licence is not an SPDX id",
        _field("license"),
        expected=closest or "an SPDX id",
        actual=text,
        hint=f"did you mean {closest}?" if closest else None,
    )


def _surnames(creator: str) -> set[str]:
    parts = [p for p in re.split(r"[\s,]+", creator.strip()) if p]
    return {parts[0].lower(), parts[-1].lower()} if parts else set()


@check("M008", "citation-incomplete", scope=DATASET)
def citation_incomplete(ctx: DatasetContext) -> Iterator[Issue]:
    """The citation lacks the DOI, the publication year, or a creator's surname."""
    meta = ctx.spec.dataset
    citation = meta.citation
    if not citation:
        return
    lowered = citation.lower()
    if meta.doi and meta.doi.lower() not in lowered:
        yield Issue("citation does not contain the DOI", _field("citation"), expected=meta.doi)
    if not PUBLICATION_YEAR.search(citation):
        yield Issue(
            "citation has no publication year", _field("citation"), expected="a year such as (2022)"
        )
    words = set(re.findall(r"[^\W\d_]+", lowered))
    for creator in meta.creators:
        if not _surnames(creator) & words:
            yield Issue("citation does not name a creator", _field("citation"), expected=creator)


REQUIRED = ("title", "description", "license", "citation", "temporal", "extent")
RECOMMENDED = ("keywords", "providers", "creators")


@check("M009", "metadata-missing", scope=DATASET)
def metadata_missing(ctx: DatasetContext) -> Iterator[Issue]:
    """A required metadata field (title, description, license, citation, temporal, extent) is
    empty or still a TODO placeholder (error), or a recommended one (keywords, providers,
    creators) or any other placeholder is missing (warning)."""
    meta = ctx.spec.dataset
    todo = {
        str(key[1])
        for key, text in ctx.spec.texts.items()
        if len(key) == 2 and key[0] == "dataset" and is_placeholder(text)
    }
    for name in REQUIRED:
        value = getattr(meta, name)
        if value in (None, "", ()) or (isinstance(value, str) and not value.strip()):
            state = "still a TODO placeholder" if name in todo else "empty"
            yield Issue(f"required field {name} is {state}", _field(name), expected="a value")
    for name in sorted(todo - set(REQUIRED)):
        yield Issue(
            f"field {name} is still a TODO placeholder",
            _field(name),
            expected="a value",
            actual="TODO",
            severity=Severity.WARNING,
        )
    for name in RECOMMENDED:
        if not getattr(meta, name):
            yield Issue(
                f"recommended field {name} is missing",
                _field(name),
                expected="a value",
                severity=Severity.WARNING,
            )
