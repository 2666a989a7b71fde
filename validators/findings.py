"""The result model: severities, locations, findings and the report that holds them."""

from __future__ import annotations

import dataclasses
import enum
from collections.abc import Callable, Iterable, Iterator, Mapping, Sequence
from dataclasses import dataclass, field
from typing import Any, overload

from tpqc.schemas.locations import has_unprintable, printable

JSONValue = Any
"""A value that serialises to JSON (str, number, bool, None, list or dict of those)."""


def _printable_value(value: Any) -> Any:
    if isinstance(value, str):
        return printable(value)
    if isinstance(value, Mapping):
        return {printable(str(k)): _printable_value(v) for k, v in value.items()}
    if isinstance(value, list | tuple):
        return [_printable_value(v) for v in value]
    return value


class Severity(enum.IntEnum):
    """How bad a finding is; ordered so that ``--fail-on`` can compare."""

    INFO = 10
    WARNING = 20
    ERROR = 30

    @property
    def label(self) -> str:
        """The lower-case name used in reports and on the command line."""
        return self.name.lower()

    @classmethod
    def parse(cls, text: str) -> Severity:
        """Read a severity from its label (``info``, ``warning`` or ``error``)."""
        try:
            return cls[text.strip().upper()]
        except KeyError:
            raise ValueError(f"unknown severity {text!r}: use info, warning or error") from None


@dataclass(frozen=True)
class Location:
    """Where a finding is: a path relative to the data root, and optionally more."""

    path: str | None = None
    band: int | None = None
    row: int | None = None
    column: int | None = None
    field: str | None = None

    def sort_key(self) -> tuple[str, int, int, int, str]:
        """Key that orders locations by path, then band, row, column, field."""
        return (
            self.path or "",
            self.band if self.band is not None else -1,
            self.row if self.row is not None else -1,
            self.column if self.column is not None else -1,
            self.field or "",
        )


@dataclass(frozen=True)
class Issue:
    """What a check yields: a finding before the runner stamps code, name and severity."""

    message: str
    location: Location = Location()
    expected: JSONValue = None
    actual: JSONValue = None
    hint: str | None = None
    details: Mapping[str, JSONValue] = field(default_factory=dict)
    severity: Severity | None = None
    """Set only when one check reports issues of different weight (required vs recommended)."""


@dataclass(frozen=True)
class Finding:
    """One problem found in the data, identified by a stable check code."""

    code: str
    name: str
    severity: Severity
    message: str
    location: Location
    expected: JSONValue = None
    actual: JSONValue = None
    hint: str | None = None
    details: Mapping[str, JSONValue] = field(default_factory=dict)

    def sort_key(self) -> tuple[str, str, tuple[str, int, int, int, str], str]:
        """Stable order: by path, then code, then the rest of the location, then message."""
        return (self.location.path or "", self.code, self.location.sort_key(), self.message)

    def printable(self) -> Finding:
        """The finding with every text printable (see :func:`printable`)."""
        return dataclasses.replace(
            self,
            message=printable(self.message),
            location=dataclasses.replace(
                self.location,
                path=printable(self.location.path) if self.location.path else None,
                field=printable(self.location.field) if self.location.field else None,
            ),
            expected=_printable_value(self.expected),
            actual=_printable_value(self.actual),
            hint=printable(self.hint) if self.hint else None,
            details=_printable_value(self.details),
        )

    @classmethod
    def from_json(cls, data: Mapping[str, Any]) -> Finding:
        """A finding as a JSON report wrote it (a baseline's fixed findings, for renderers)."""

        def whole(key: str) -> int | None:
            value = data.get(key)
            return value if isinstance(value, int) and not isinstance(value, bool) else None

        field_value = data.get("field")
        return cls(
            code=str(data.get("code", "")),
            name=str(data.get("name", "")),
            severity=Severity.parse(str(data.get("severity", "error"))),
            message=str(data.get("message", "")),
            location=Location(
                path=data.get("path") if isinstance(data.get("path"), str) else None,
                band=whole("band"),
                row=whole("row"),
                column=whole("column"),
                field=field_value if isinstance(field_value, str) else None,
            ),
            expected=data.get("expected"),
            actual=data.get("actual"),
        )

    @property
    def baseline_key(self) -> tuple[JSONValue, ...]:
        """What identifies the finding across runs: check, file and place, not wording."""
        return finding_key(self.to_json())

    def to_json(self) -> dict[str, JSONValue]:
        """The finding as it appears in the JSON report."""
        out: dict[str, JSONValue] = {
            "code": self.code,
            "name": self.name,
            "severity": self.severity.label,
            "path": self.location.path,
            "message": self.message,
            "expected": self.expected,
            "actual": self.actual,
        }
        for key in ("band", "row", "column", "field"):
            value = getattr(self.location, key)
            if value is not None:
                out[key] = value
        if self.hint:
            out["hint"] = self.hint
        if self.details:
            out["details"] = dict(self.details)
        return out


@dataclass(frozen=True)
class WaivedFinding:
    """A finding the spec's waivers accept: kept in the report with the reason, never
    counted towards the verdict."""

    finding: Finding
    reason: str
    waiver: int
    """Index of the waiver in the spec (``waivers[0]`` ...)."""

    def to_json(self) -> dict[str, JSONValue]:
        """The finding as in the JSON report, with the waiver that accepts it."""
        return {**self.finding.to_json(), "waiver": {"index": self.waiver, "reason": self.reason}}


def finding_key(finding: Mapping[str, JSONValue]) -> tuple[JSONValue, ...]:
    """A finding of a JSON report identified by check, file and place (band, row, column,
    field), so that a baseline matches it whatever its message says."""
    return tuple(finding.get(k) for k in ("code", "path", "band", "row", "column", "field"))


@dataclass(frozen=True)
class BaselineComparison:
    """How a run's findings compare with an earlier report's (``--baseline``)."""

    source: str
    """The baseline report's file name."""
    unchanged: frozenset[int]
    """Indexes of this run's findings the baseline already had."""
    fixed: tuple[Mapping[str, JSONValue], ...] = ()
    """The baseline's findings this run no longer has (as the baseline wrote them)."""

    def state(self, index: int) -> str:
        """``unchanged`` or ``new`` for the finding at this index."""
        return "unchanged" if index in self.unchanged else "new"


@dataclass(frozen=True)
class Summary:
    """Counts shown at the top of every report."""

    files: int
    errors: int
    warnings: int
    infos: int
    passed: bool
    waived: int = 0
    new: int | None = None
    """With a baseline: findings the baseline did not have (they alone decide the verdict)."""
    fixed: int | None = None
    """With a baseline: the baseline's findings this run no longer has."""


class FileEntries(Sequence[Mapping[str, JSONValue]]):
    """A report's file entries (or inventory rows) in path order, each made from the
    file's facts when it is read (by a renderer) and let go after: the facts are held
    anyway, and the entries of a million files (histograms and all) would be gigabytes.
    ``paths`` are known without making any entry."""

    def __init__(
        self,
        paths: Sequence[str],
        make: Callable[[int], Mapping[str, JSONValue]],
    ) -> None:
        self.paths = paths
        self._make = make

    def __len__(self) -> int:
        return len(self.paths)

    def _entry(self, index: int) -> Mapping[str, JSONValue]:
        return self._make(index)

    @overload
    def __getitem__(self, index: int) -> Mapping[str, JSONValue]: ...

    @overload
    def __getitem__(self, index: slice) -> Sequence[Mapping[str, JSONValue]]: ...

    def __getitem__(
        self, index: int | slice
    ) -> Mapping[str, JSONValue] | Sequence[Mapping[str, JSONValue]]:
        if isinstance(index, slice):
            return [self._entry(i) for i in range(len(self.paths))[index]]
        return self._entry(range(len(self.paths))[index])

    def __iter__(self) -> Iterator[Mapping[str, JSONValue]]:
        return (self._entry(i) for i in range(len(self.paths)))

    def __eq__(self, other: object) -> bool:
        if not isinstance(other, Sequence):
            return NotImplemented
        return len(self) == len(other) and all(a == b for a, b in zip(self, other, strict=True))

    __hash__ = None  # type: ignore[assignment]


def file_paths(files: Sequence[Mapping[str, JSONValue]]) -> list[str]:
    """The paths of a report's file entries (without making lazy entries)."""
    if isinstance(files, FileEntries):
        return list(files.paths)
    return [str(f.get("path", "")) for f in files]


def _unprintable(
    spec_path: str,
    data_root: str,
    findings: Sequence[Finding],
    files: Sequence[Mapping[str, JSONValue]],
    waived: Sequence[WaivedFinding],
) -> bool:
    """True when some text of a report may hold non-UTF-8 bytes. They come only from file
    names, and every file with such a name is a file entry or the location of a finding
    (F007), so looking at those paths is enough."""
    paths = [spec_path, data_root]
    paths += [f.location.path for f in findings if f.location.path]
    paths += [w.finding.location.path for w in waived if w.finding.location.path]
    paths += file_paths(files)
    return any(has_unprintable(p) for p in paths)


@dataclass(frozen=True)
class Report:
    """Everything one run found, in a stable order, ready to render."""

    spec_path: str
    data_root: str
    findings: tuple[Finding, ...]
    files: Sequence[Mapping[str, JSONValue]]
    """Per file, in path order (a :class:`FileEntries` makes them when read)."""
    fail_on: Severity = Severity.ERROR
    inventory: Sequence[Mapping[str, JSONValue]] = ()
    """One row per file, in path order (a :class:`FileEntries` makes them when read)."""
    notes: tuple[str, ...] = ()
    """What the reader should know that is no finding (links not followed, checks skipped)."""
    waived: tuple[WaivedFinding, ...] = ()
    """Findings the spec's waivers accept, in finding order; not in ``findings``."""
    dataset_id: str | None = None
    """The spec's dataset id (a baseline must come from the same dataset)."""
    baseline: BaselineComparison | None = None
    """The comparison with an earlier report, when one was given."""

    @classmethod
    def build(
        cls,
        spec_path: str,
        data_root: str,
        findings: Iterable[Finding],
        files: Sequence[Mapping[str, JSONValue]],
        fail_on: Severity = Severity.ERROR,
        inventory: Sequence[Mapping[str, JSONValue]] = (),
        notes: Sequence[str] = (),
        waived: Iterable[WaivedFinding] = (),
        dataset_id: str | None = None,
    ) -> Report:
        """Make a report with findings and files in their canonical order. File names that
        are not UTF-8 are written visibly (``\\xff``), so every format can carry them."""
        findings, waived = list(findings), list(waived)
        if _unprintable(spec_path, data_root, findings, files, waived):
            spec_path, data_root = printable(spec_path), printable(data_root)
            findings = [f.printable() for f in findings]
            waived = [dataclasses.replace(w, finding=w.finding.printable()) for w in waived]
            files = [_printable_value(f) for f in files]  # rare: made whole, sorted below
            inventory = [_printable_value(r) for r in inventory]
            notes = [printable(n) for n in notes]
        ordered = tuple(sorted(findings, key=Finding.sort_key))
        ordered_files = (
            files
            if isinstance(files, FileEntries)  # made in path order
            else tuple(sorted(files, key=lambda f: str(f.get("path", ""))))
        )
        ordered_rows = (
            inventory
            if isinstance(inventory, FileEntries)  # made in path order
            else tuple(sorted(inventory, key=lambda r: str(r.get("path", ""))))
        )
        ordered_waived = tuple(sorted(waived, key=lambda w: (w.finding.sort_key(), w.waiver)))
        return cls(
            spec_path,
            data_root,
            ordered,
            ordered_files,
            fail_on,
            ordered_rows,
            tuple(notes),
            ordered_waived,
            dataset_id,
        )

    def file_paths(self) -> list[str]:
        """The paths of the files the report covers, in order."""
        return file_paths(self.files)

    def count(self, severity: Severity) -> int:
        """How many findings have exactly this severity."""
        return sum(1 for f in self.findings if f.severity == severity)

    def deciding(self) -> list[Finding]:
        """The findings that decide the verdict: all, or with a baseline the new ones."""
        if self.baseline is None:
            return list(self.findings)
        unchanged = self.baseline.unchanged
        return [f for i, f in enumerate(self.findings) if i not in unchanged]

    @property
    def failed(self) -> bool:
        """True when some deciding finding is at or above the fail-on severity (with a
        baseline, findings it already had are unchanged and do not decide)."""
        return any(f.severity >= self.fail_on for f in self.deciding())

    @property
    def summary(self) -> Summary:
        """Counts of files and findings by severity."""
        return Summary(
            files=len(self.files),
            errors=self.count(Severity.ERROR),
            warnings=self.count(Severity.WARNING),
            infos=self.count(Severity.INFO),
            passed=not self.failed,
            waived=len(self.waived),
            new=len(self.deciding()) if self.baseline is not None else None,
            fixed=len(self.baseline.fixed) if self.baseline is not None else None,
        )

    def findings_for(self, path: str | None) -> list[Finding]:
        """The findings located in one file (``None``: dataset-wide findings)."""
        return [f for f in self.findings if f.location.path == path]

    def by_path(self) -> dict[str | None, list[Finding]]:
        """Findings grouped by file (``None``: dataset-wide), each group in report order."""
        grouped: dict[str | None, list[Finding]] = {}
        for finding in self.findings:
            grouped.setdefault(finding.location.path, []).append(finding)
        return grouped
