"""Check codes, names and default severities, and the select/ignore rules over them.

Every check is a function decorated with :func:`check`. The decorator records
its stable code, kebab-case name, default severity and the first line of its
docstring (the user-facing description). The runner stamps every issue a check
yields with those, so severity overrides live here and nowhere else.
"""

from __future__ import annotations

import importlib
import re
from collections.abc import Callable, Iterable
from dataclasses import dataclass
from typing import TypeVar

from tpqc.schemas.errors import UsageError
from tpqc.validators.findings import Finding, Issue, Severity

CHECK_MODULES = (
    "tpqc.validators.filename",
    "tpqc.validators.raster",
    "tpqc.validators.series",
    "tpqc.validators.tables",
    "tpqc.validators.metadata",
    "tpqc.validators.doi_online",
    "tpqc.stac.checks",
)
_CODE = re.compile(r"^[A-Z][0-9]{3}$")
_NAME = re.compile(r"^[a-z][a-z0-9]*(-[a-z0-9]+)*$")


@dataclass(frozen=True)
class CheckInfo:
    """The identity of one check: code, name, default severity and description."""

    code: str
    name: str
    severity: Severity
    description: str


_REGISTRY: dict[str, CheckInfo] = {}
F = TypeVar("F", bound=Callable[..., Iterable[Issue]])


def check(code: str, name: str, severity: Severity = Severity.ERROR) -> Callable[[F], F]:
    """Register a check function under a stable code and name."""
    if not _CODE.match(code) or not _NAME.match(name):
        raise ValueError(f"bad check identity {code} {name}")

    def register(func: F) -> F:
        doc = (func.__doc__ or "").strip().splitlines()
        if not doc:
            raise ValueError(f"check {code} {name} needs a docstring")
        info = CheckInfo(code, name, severity, doc[0])
        known = _REGISTRY.get(code)
        if known is not None and known.name != name:
            raise ValueError(f"check code {code} is already {known.name}")
        _REGISTRY[code] = info
        func.check_info = info  # type: ignore[attr-defined]
        return func

    return register


def info_of(func: Callable[..., Iterable[Issue]]) -> CheckInfo:
    """The registered identity of a check function."""
    info: CheckInfo = func.check_info  # type: ignore[attr-defined]
    return info


def all_checks() -> list[CheckInfo]:
    """Every registered check, ordered by code."""
    for module in CHECK_MODULES:
        importlib.import_module(module)
    return sorted(_REGISTRY.values(), key=lambda c: c.code)


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
    ) -> Selection:
        """Resolve codes, names or code prefixes (``R``, ``R01``) into a selection."""
        chosen = resolve_codes(select)
        return cls(
            selected=frozenset(chosen) if chosen else None,
            ignored=frozenset(resolve_codes(ignore)),
            severities=tuple((c, sev) for token, sev in severities for c in resolve_codes([token])),
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


def run_check(
    func: Callable[..., Iterable[Issue]], selection: Selection, *args: object
) -> list[Finding]:
    """Run one check if the selection enables it, stamping its issues into findings."""
    info = info_of(func)
    if not selection.enabled(info.code):
        return []
    return [selection.stamp(info, issue) for issue in func(*args)]


def resolve_codes(tokens: Iterable[str]) -> list[str]:
    """Map check codes, names or code prefixes to codes; unknown tokens are usage errors."""
    checks = all_checks()
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
