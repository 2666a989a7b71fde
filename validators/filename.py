"""Checks on file names and filename field values, and hints for names that nearly match."""

from __future__ import annotations

import datetime as dt
import difflib
import re
from collections.abc import Iterator, Mapping, Sequence
from dataclasses import dataclass, field

from tpqc.schemas.locations import has_unprintable, printable
from tpqc.schemas.patterns import PLACEHOLDER, FieldValue, FilenamePattern, compile_pattern
from tpqc.schemas.spec import FieldRule
from tpqc.validators.engine.listing import OddEntry
from tpqc.validators.findings import Finding, Issue, Location, Severity
from tpqc.validators.registry import Explains, Scope, check


def near_miss_hint(relative_path: str, patterns: list[FilenamePattern]) -> str | None:
    """Why a name that matches no pattern is probably meant to match one (or None)."""
    squeezed = re.sub(r"\s+", "", relative_path)
    for pattern in patterns:
        if squeezed != relative_path and pattern.regex.fullmatch(squeezed):
            return f"stray whitespace: {squeezed!r} would match {pattern.text!r}"
        if pattern.loose.fullmatch(relative_path) or pattern.loose.fullmatch(squeezed):
            return f"letter case differs from the pattern {pattern.text!r}"
    skeletons = {PLACEHOLDER.sub("", p.text): p.text for p in patterns}
    close = difflib.get_close_matches(
        PLACEHOLDER.sub("", re.sub(r"[0-9]+", "", relative_path)),
        list(skeletons),
        n=1,
        cutoff=0.75,
    )
    if close:
        return f"closest pattern: {skeletons[close[0]]!r}"
    return None


def loose_match(relative_path: str, pattern: FilenamePattern) -> dict[str, str] | None:
    """Fields of a name that matches the pattern once letter case and whitespace are ignored."""
    squeezed = re.sub(r"\s+", "", relative_path)
    found = pattern.loose.fullmatch(squeezed) or pattern.loose.fullmatch(relative_path)
    return found.groupdict() if found else None


def time_field_problem(
    name: str, value: FieldValue, fields: Mapping[str, FieldValue]
) -> str | None:
    """Why a time field is not a real calendar value (month 13, 2019-02-30, day 367), or None."""
    if not isinstance(value, int):
        return None
    if name == "month" and not 1 <= value <= 12:
        return "not a month (01-12)"
    if name == "doy" and not 1 <= value <= 366:
        return "not a day of year (001-366)"
    if name == "date":
        try:
            dt.date(value // 10000, value // 100 % 100, value % 100)
        except ValueError:
            return "not a calendar date (YYYYMMDD)"
    if name == "day":
        year = fields.get("year", 2000)
        month = fields.get("month", 1)
        if isinstance(year, int) and isinstance(month, int) and 1 <= month <= 12:
            try:
                dt.date(year, month, value)
            except ValueError:
                return "not a day of that month"
    return None


@dataclass(frozen=True)
class UnmatchedFile:
    """A raster-like file that matches no product's pattern.

    A near miss (stray whitespace, letter case) still names the product and fields it was
    meant to have, so series checks can count it as present or as a duplicate."""

    path: str
    patterns: tuple[str, ...]
    hint: str | None
    product: str | None = None
    fields: Mapping[str, FieldValue] = field(default_factory=dict)


@dataclass(frozen=True)
class FieldContext:
    """A matched file's parsed fields with the rules they must satisfy."""

    path: str
    product: str
    values: Mapping[str, FieldValue]
    rules: Mapping[str, FieldRule]


@dataclass(frozen=True)
class ProductContext:
    """A product of the spec and how many files it matched."""

    name: str
    pattern: str
    section: str
    """rasters or tables: where the product is declared."""
    matched: int


UNMATCHED_FILE = Scope[UnmatchedFile]("unmatched-file")
"""Checks of a data file that matches no pattern."""
FILE_FIELDS = Scope[FieldContext]("file-fields")
"""Checks of the field values parsed from a matched file's name."""
PRODUCT = Scope[ProductContext]("product")
"""Checks of one product of the spec over the whole inventory."""


@check("F001", "filename-mismatch", scope=UNMATCHED_FILE)
def filename_mismatch(unmatched: UnmatchedFile) -> Iterator[Issue]:
    """A file with a raster extension in the data root matches no product's filename pattern."""
    yield Issue(
        message="file name matches no pattern of the spec",
        location=Location(path=unmatched.path),
        expected=list(unmatched.patterns),
        actual=unmatched.path,
        hint=unmatched.hint,
    )


@check("F002", "field-out-of-range", scope=FILE_FIELDS)
def field_out_of_range(context: FieldContext) -> Iterator[Issue]:
    """A filename field is outside its declared bounds or list, or is not a real date part."""
    for name, value in context.values.items():
        location = Location(path=context.path, field=name)
        problem = time_field_problem(name, value, context.values)
        if problem:
            yield Issue(f"field {name}={value}: {problem}", location, actual=value)
        rule = context.rules.get(name)
        if rule is None:
            continue
        if rule.fixed is not None and str(value) != rule.fixed:
            yield Issue(f"field {name} must be {rule.fixed!r}", location, rule.fixed, value)
        if rule.allowed is not None and str(value) not in rule.allowed:
            yield Issue(
                f"field {name} is not an allowed value", location, list(rule.allowed), value
            )
        if rule.min is not None or rule.max is not None:
            bounds = {"min": rule.min, "max": rule.max}
            if not isinstance(value, int | float):
                yield Issue(f"field {name} is not a number", location, bounds, value)
            elif (rule.min is not None and value < rule.min) or (
                rule.max is not None and value > rule.max
            ):
                yield Issue(f"field {name}={value} is outside its bounds", location, bounds, value)


@check("F003", "no-files-matched", Severity.ERROR, scope=PRODUCT)
def no_files_matched(product: ProductContext) -> Iterator[Issue]:
    """A product of the spec matches no file at all in the data root."""
    if product.matched == 0:
        yield Issue(
            message=f"no file matches the pattern of product {product.name!r}",
            location=Location(field=f"{product.section}.{product.name}.pattern"),
            expected=product.pattern,
            actual=None,
        )


ODD_ENTRY = Scope[OddEntry]("odd-entry")
"""Checks of a data-looking entry that is not a readable regular file inside the root."""


@check("F004", "entry-unreadable", scope=ODD_ENTRY)
def entry_unreadable(entry: OddEntry) -> Iterator[Issue]:
    """A data file or folder of the data root cannot be stat'ed or listed (permissions, I/O
    error); it was not validated and the run went on."""
    if entry.kind == "unreadable":
        yield Issue(
            f"the entry cannot be read: {entry.reason}",
            Location(path=entry.path),
            expected="a readable file or folder",
            actual=entry.reason,
        )


@check("F005", "not-a-regular-file", scope=ODD_ENTRY)
def not_a_regular_file(entry: OddEntry) -> Iterator[Issue]:
    """A name that looks like a data file is a FIFO, a device, a folder, or a dangling or
    looping symlink; it was not opened."""
    if entry.kind == "not-regular":
        yield Issue(
            f"not a regular file: {entry.reason}",
            Location(path=entry.path),
            expected="a regular file",
            actual=entry.reason,
            details={"target": entry.target} if entry.target else {},
        )


@check("F006", "symlink-outside-root", Severity.WARNING, scope=ODD_ENTRY)
def symlink_outside_root(entry: OddEntry) -> Iterator[Issue]:
    """A symlink in the data root points outside it; it is not followed (so not validated)
    unless --follow-symlinks is given."""
    if entry.kind == "outside-root":
        yield Issue(
            "symlink leaves the data root; not followed",
            Location(path=entry.path),
            expected="a file inside the data root",
            actual=entry.target,
            hint="pass --follow-symlinks to validate what it points to",
        )


NOT_FETCHED = Scope[tuple[OddEntry, ...]]("not-fetched")
"""The data files a checkout did not fetch (Git LFS or git-annex pointers, DVC placeholders)."""
MANY_NOT_FETCHED = 20
"""More files than this not fetched are one dataset-wide finding, not one each."""


def _the_missing_member(found: Sequence[Finding], candidate: Finding) -> bool:
    """The series member is missing because its file was not fetched."""
    not_fetched = {f.location.path for f in found}
    for finding in found:
        paths = finding.details.get("paths")
        if isinstance(paths, list):
            not_fetched.update(str(p) for p in paths)
    return candidate.expected in not_fetched


def _a_product_of_them(found: Sequence[Finding], candidate: Finding) -> bool:
    """The product matches no file because its files were not fetched."""
    if not isinstance(candidate.expected, str):
        return False
    try:
        pattern = compile_pattern(candidate.expected)
    except ValueError:
        return False
    for finding in found:
        paths = finding.details.get("paths")
        names = [str(p) for p in paths] if isinstance(paths, list) else []
        if finding.location.path is not None:
            names.append(finding.location.path)
        if any(pattern.match(name) is not None for name in names):
            return True
    return False


@check(
    "F008",
    "data-not-fetched",
    scope=NOT_FETCHED,
    explains=(
        Explains("D001", when=_the_missing_member, across_files=True),
        # coverage, extent, size and products judged without the data mean nothing
        Explains("M001", across_files=True),
        Explains("M002", across_files=True),
        Explains("M004", across_files=True),
        Explains("F003", when=_a_product_of_them, across_files=True),
    ),
)
def data_not_fetched(entries: tuple[OddEntry, ...]) -> Iterator[Issue]:
    """A data file is a placeholder the checkout did not fetch (a Git LFS pointer, a
    git-annex pointer or link, a DVC-tracked file not pulled), not the data: it was not
    read. Many of them are one dataset-wide finding."""
    hint = "fetch the data first: git lfs pull, git annex get, or dvc pull"
    if len(entries) > MANY_NOT_FETCHED:
        reasons = sorted({e.reason for e in entries})
        yield Issue(
            f"{len(entries)} data files were not fetched: {'; '.join(reasons)}",
            Location(),
            expected="the data files",
            actual={"count": len(entries)},
            hint=hint,
            details={"paths": [e.path for e in entries]},
        )
        return
    for entry in entries:
        yield Issue(
            f"not the data: {entry.reason}",
            Location(path=entry.path),
            expected="the data file",
            actual=entry.reason,
            hint=hint,
        )


DATA_NAME = Scope[str]("data-name")
"""Checks of the name of every data-looking entry of the root (matched or not)."""


@check("F007", "filename-not-utf8", scope=DATA_NAME)
def filename_not_utf8(path: str) -> Iterator[Issue]:
    """A data file's name is not valid UTF-8: reports show its bytes escaped (``\\xff``),
    but no STAC catalog, metadata record or other system can name it as it is; such a file
    is left out of the catalog."""
    if has_unprintable(path):
        yield Issue(
            "the file name is not valid UTF-8",
            Location(path=path),
            expected="a UTF-8 file name",
            actual=printable(path),
            hint="rename the file with its intended characters (e.g. convmv -f GBK -t UTF-8)",
        )
