"""Check codes, names, default severities and scopes, and the select/ignore rules over them.

Every check is a function decorated with :func:`check`. The decorator records its stable
code, kebab-case name, default severity, the first line of its docstring (the user-facing
description) and its :class:`Scope`: the kind of thing it looks at (one raster file, one
table, a series, the dataset, a STAC document ...). Runners ask the registry for the checks
of a scope instead of keeping lists; the runner stamps every issue with the check's identity,
so severity overrides live here and nowhere else.

A check can declare which findings of other checks its own findings make redundant at the
same file (``explains``): a duplicate member is ``series-duplicate``, not also
``filename-mismatch``. :func:`without_explained` applies every declaration, in one place.

The registry imports no check module: the command-line door loads them (``tpqc.catalogue``),
which keeps the import graph free of cycles.
"""

from __future__ import annotations

import re
from collections.abc import Callable, Iterable, Sequence
from dataclasses import dataclass
from typing import Generic, TypeVar, cast

from tpqc.schemas.errors import UsageError
from tpqc.validators.findings import Finding, Issue, Severity

_CODE = re.compile(r"^[A-Z][0-9]{3}$")
_NAME = re.compile(r"^[a-z][a-z0-9]*(-[a-z0-9]+)*$")
C = TypeVar("C")


@dataclass(frozen=True)
class Scope(Generic[C]):
    """What the checks of one scope look at: a context of type ``C`` (one raster file's
    facts, one table's, a series ...). Declared once beside its context class."""

    name: str


@dataclass(frozen=True)
class Explains:
    """Findings of check ``code`` that a finding of the declaring check makes redundant at the
    same file; with ``when``, only those for which it holds (given the declaring check's
    findings at that file and the candidate)."""

    code: str
    when: Callable[[Sequence[Finding], Finding], bool] | None = None
    across_files: bool = False
    """Judge candidates anywhere (a dataset-wide finding about a file the declaring check
    reported), given every finding of the declaring check."""


@dataclass(frozen=True)
class CheckInfo:
    """The identity of one check: code, name, default severity, description and scope."""

    code: str
    name: str
    severity: Severity
    description_rst: str
    """The first paragraph of the check's docstring, as written (reST: ``units``)."""
    scope: str

    @property
    def description(self) -> str:
        """The description as plain text: ``units`` and :class:`Scope` become units and
        Scope."""
        return plain_text(self.description_rst)

    @property
    def description_parts(self) -> list[tuple[str, bool]]:
        """The description as (text, is_code) runs, for renderers that set code apart."""
        parts = re.split(r"``(.+?)``|:[a-z]+:`~?(.+?)`", self.description_rst)
        out: list[tuple[str, bool]] = []
        for index in range(0, len(parts), 3):
            if parts[index]:
                out.append((parts[index], False))
            code = next((p for p in parts[index + 1 : index + 3] if p), None)
            if code:
                out.append((code, True))
        return out


def plain_text(rst: str) -> str:
    """reST inline markup written as plain text: ``x`` and :role:`x` become x."""
    return re.sub(r":[a-z]+:`~?(.+?)`", r"\1", rst.replace("``", ""))


_REGISTRY: dict[str, CheckInfo] = {}
_BY_SCOPE: dict[str, list[tuple[CheckInfo, object]]] = {}
_EXPLAINS: dict[str, tuple[Explains, ...]] = {}


def check(
    code: str,
    name: str,
    severity: Severity = Severity.ERROR,
    *,
    scope: Scope[C],
    explains: Sequence[Explains | str] = (),
) -> Callable[[Callable[[C], Iterable[Issue]]], Callable[[C], Iterable[Issue]]]:
    """Register a check function under a stable code and name, in a scope; ``explains``
    names the findings (by code, or :class:`Explains`) its own make redundant."""
    if not _CODE.match(code) or not _NAME.match(name):
        raise ValueError(f"bad check identity {code} {name}")

    def register(func: Callable[[C], Iterable[Issue]]) -> Callable[[C], Iterable[Issue]]:
        doc = (func.__doc__ or "").strip().split("\n\n")[0]
        if not doc:
            raise ValueError(f"check {code} {name} needs a docstring")
        info = CheckInfo(code, name, severity, " ".join(doc.split()), scope.name)
        known = _REGISTRY.get(code)
        if known is not None and (known.name, known.scope) != (name, scope.name):
            raise ValueError(f"check code {code} is already {known.name}")
        _REGISTRY[code] = info
        _EXPLAINS[code] = tuple(e if isinstance(e, Explains) else Explains(e) for e in explains)
        entries = [e for e in _BY_SCOPE.setdefault(scope.name, []) if e[0].code != code]
        _BY_SCOPE[scope.name] = sorted([*entries, (info, func)], key=lambda e: e[0].code)
        return func

    return register


def registered_checks() -> list[CheckInfo]:
    """Every check registered so far, ordered by code."""
    return sorted(_REGISTRY.values(), key=lambda c: c.code)


def checks_of(scope: Scope[C]) -> list[tuple[CheckInfo, Callable[[C], Iterable[Issue]]]]:
    """The checks of one scope, ordered by code."""
    return list(
        cast(
            "list[tuple[CheckInfo, Callable[[C], Iterable[Issue]]]]",
            _BY_SCOPE.get(scope.name, []),
        )
    )


def info_of(code: str) -> CheckInfo:
    """The registered identity of a check code."""
    return _REGISTRY[code]


@dataclass(frozen=True)
class Selection:
    """Which checks run (``--select``/``--ignore``) and their severity overrides."""

    selected: frozenset[str] | None = None
    ignored: frozenset[str] = frozenset()
    severities: tuple[tuple[str, Severity], ...] = ()

    @classmethod
    def from_tokens(
        cls,
        select: Iterable[str] = (),
        ignore: Iterable[str] = (),
        severities: Iterable[tuple[str, Severity]] = (),
        *,
        checks: Sequence[CheckInfo],
    ) -> Selection:
        """Resolve codes, names or code prefixes (``R``, ``R01``) among ``checks``."""
        chosen = resolve_codes(select, checks)
        return cls(
            selected=frozenset(chosen) if chosen else None,
            ignored=frozenset(resolve_codes(ignore, checks)),
            severities=tuple(
                (c, sev) for token, sev in severities for c in resolve_codes([token], checks)
            ),
        )

    def enabled(self, code: str) -> bool:
        """True when a check with this code should run."""
        if code in self.ignored:
            return False
        return self.selected is None or code in self.selected

    def severity_of(self, info: CheckInfo, issue: Issue | None = None) -> Severity:
        """The effective severity: the user's override, else the issue's own, else the default."""
        for code, severity in self.severities:
            if code == info.code:
                return severity
        if issue is not None and issue.severity is not None:
            return issue.severity
        return info.severity

    def stamp(self, info: CheckInfo, issue: Issue) -> Finding:
        """Turn an issue a check yielded into a finding with code, name and severity."""
        return Finding(
            code=info.code,
            name=info.name,
            severity=self.severity_of(info, issue),
            message=issue.message,
            location=issue.location,
            expected=issue.expected,
            actual=issue.actual,
            hint=issue.hint,
            details=issue.details,
        )


def run_scope(scope: Scope[C], context: C, selection: Selection) -> list[Finding]:
    """Run every enabled check of a scope over one context, stamping issues into findings."""
    findings: list[Finding] = []
    for info, func in checks_of(scope):
        if selection.enabled(info.code):
            findings += [selection.stamp(info, issue) for issue in func(context)]
    return findings


def without_explained(findings: Sequence[Finding]) -> list[Finding]:
    """The findings, in their order, without those a sharper finding of the same file
    explains, as the explaining checks declare (``explains``)."""
    at: dict[str, dict[str, list[Finding]]] = {}
    anywhere: dict[str, list[Finding]] = {}
    for finding in findings:
        rules = _EXPLAINS.get(finding.code)
        if not rules:
            continue
        if finding.location.path is not None:
            at.setdefault(finding.location.path, {}).setdefault(finding.code, []).append(finding)
        if any(rule.across_files for rule in rules):
            anywhere.setdefault(finding.code, []).append(finding)
    if not at and not anywhere:
        return list(findings)

    def explained(finding: Finding) -> bool:
        for code, explaining in at.get(finding.location.path or "", {}).items():
            for rule in _EXPLAINS[code]:
                if rule.code == finding.code and (
                    rule.when is None or rule.when(explaining, finding)
                ):
                    return True
        for code, explaining in anywhere.items():
            for rule in _EXPLAINS[code]:
                if (
                    rule.across_files
                    and rule.code == finding.code
                    and (rule.when is None or rule.when(explaining, finding))
                ):
                    return True
        return False

    return [f for f in findings if not explained(f)]


def resolve_codes(tokens: Iterable[str], checks: Sequence[CheckInfo]) -> list[str]:
    """Map check codes, names or code prefixes to codes; unknown tokens are usage errors."""
    codes: list[str] = []
    for raw in tokens:
        for token in (t.strip() for t in raw.split(",")):
            if not token:
                continue
            matched = [
                c.code
                for c in checks
                if c.name == token.lower() or c.code.startswith(token.upper())
            ]
            if not matched:
                raise UsageError(f"unknown check {token!r}: see `tpqc checks`")
            codes.extend(matched)
    return codes
