"""Waivers: the exceptions a dataset's spec accepts, each with its reason.

A waiver names one check (code or name) and optionally the files (a path glob), band or
table column it covers, and the last day it holds. Findings it matches leave the verdict
and are reported as waived with the reason; an expired waiver accepts nothing; a waiver that
accepts nothing, or has expired, is itself a finding, so stale exceptions do not pile up.
"""

from __future__ import annotations

import datetime as dt
import difflib
import fnmatch
from collections.abc import Iterator, Sequence
from dataclasses import dataclass

from tpqc.schemas.errors import SpecError
from tpqc.schemas.spec import Spec, Waiver
from tpqc.validators.findings import Finding, Issue, Location, Severity, WaivedFinding
from tpqc.validators.registry import CheckInfo, Scope, Selection, check, run_scope


@dataclass(frozen=True)
class WaiverOutcome:
    """What each waiver of a spec did in one run."""

    waivers: tuple[Waiver, ...]
    codes: tuple[frozenset[str], ...]
    """The check codes each waiver names (a name can be shared: R014 and T012 are both
    value-out-of-range)."""
    accepted: tuple[int, ...]
    """How many findings each waiver accepted."""
    today: dt.date
    selection: Selection

    def expired(self, index: int) -> bool:
        """True when the waiver's last day lies before today."""
        expires = self.waivers[index].expires
        return expires is not None and expires < self.today


WAIVERS = Scope[WaiverOutcome]("waivers")
"""Checks over the spec's waivers after they were applied."""


def _where(index: int) -> Location:
    return Location(field=f"waivers[{index}]")


@check("W001", "waiver-unused", Severity.WARNING, scope=WAIVERS)
def waiver_unused(outcome: WaiverOutcome) -> Iterator[Issue]:
    """A waiver accepts no finding: the exception it records is gone (or it names the wrong
    files), so it can be removed before it hides a new problem."""
    for index, waiver in enumerate(outcome.waivers):
        enabled = any(outcome.selection.enabled(code) for code in outcome.codes[index])
        if outcome.expired(index) or not enabled:
            continue
        if outcome.accepted[index] == 0:
            yield Issue(
                f"waiver for {waiver.check} accepts no finding",
                _where(index),
                expected="at least one finding it accepts",
                actual=0,
                hint="remove the waiver, or correct its path, band or column",
                details={"checks": sorted(outcome.codes[index]), "path": waiver.path},
            )


@check("W002", "waiver-expired", Severity.WARNING, scope=WAIVERS)
def waiver_expired(outcome: WaiverOutcome) -> Iterator[Issue]:
    """A waiver's last day has passed: the findings it accepted count again."""
    for index, waiver in enumerate(outcome.waivers):
        if outcome.expired(index):
            yield Issue(
                f"waiver for {waiver.check} expired on {waiver.expires}",
                _where(index),
                expected=f"expires on or after {outcome.today.isoformat()}",
                actual=str(waiver.expires),
                hint="renew it with a new expires date and reason, or fix the data",
                details={"checks": sorted(outcome.codes[index]), "path": waiver.path},
            )


def waiver_codes(spec: Spec, checks: Sequence[CheckInfo]) -> tuple[frozenset[str], ...]:
    """The check codes each waiver names (a code, or a name and every check bearing it); a
    token that is no check is a located spec error (a waiver that silently waives nothing
    would be a trap)."""
    by_token: dict[str, set[str]] = {}
    for info in checks:
        by_token.setdefault(info.code, set()).add(info.code)
        by_token.setdefault(info.name, set()).add(info.code)
    codes: list[frozenset[str]] = []
    problems: list[str] = []
    for index, waiver in enumerate(spec.waivers):
        token = waiver.check.strip()
        code = by_token.get(token.upper()) or by_token.get(token.lower())
        if code is None:
            close = difflib.get_close_matches(token, list(by_token), n=1, cutoff=0.6)
            hint = f"; did you mean {close[0]!r}?" if close else ""
            line = spec.lines.get(("waivers", index, "check"), 0)
            problems.append(
                f"waivers[{index}].check: {token!r} is no check code or name (see `tpqc "
                f"checks`){hint} (line {line})"
            )
            continue
        codes.append(frozenset(code))
    if problems:
        raise SpecError(str(spec.path), problems)
    return tuple(codes)


def _subject(finding: Finding) -> str | None:
    """The file a finding is about; a missing series member is named by its expected file."""
    if finding.location.path is not None:
        return finding.location.path
    named = finding.details.get("file")
    return named if isinstance(named, str) else None


def _accepts(waiver: Waiver, codes: frozenset[str], finding: Finding) -> bool:
    if finding.code not in codes:
        return False
    if waiver.path is not None:
        subject = _subject(finding)
        if subject is None or not fnmatch.fnmatchcase(subject, waiver.path):
            return False
    if waiver.band is not None and finding.location.band != waiver.band:
        return False
    return waiver.column is None or finding.location.field == waiver.column


@dataclass(frozen=True)
class Waived:
    """Findings split by the waivers, plus the waivers' own findings."""

    active: list[Finding]
    waived: list[WaivedFinding]


def apply_waivers(
    spec: Spec,
    findings: Sequence[Finding],
    codes: Sequence[frozenset[str]],
    today: dt.date,
    selection: Selection,
) -> Waived:
    """Move the findings the spec's live waivers accept out of the verdict (the first
    matching waiver records its reason), then report unused and expired waivers."""
    accepted = [0] * len(spec.waivers)
    live = [
        (index, waiver, codes[index])
        for index, waiver in enumerate(spec.waivers)
        if waiver.expires is None or waiver.expires >= today
    ]
    active: list[Finding] = []
    waived: list[WaivedFinding] = []
    for finding in findings:
        for index, waiver, code in live:
            if _accepts(waiver, code, finding):
                accepted[index] += 1
                waived.append(WaivedFinding(finding, waiver.reason, index))
                break
        else:
            active.append(finding)
    outcome = WaiverOutcome(spec.waivers, tuple(codes), tuple(accepted), today, selection)
    return Waived(active + run_scope(WAIVERS, outcome, selection), waived)


__all__ = ["WAIVERS", "Waived", "WaiverOutcome", "apply_waivers", "waiver_codes"]
