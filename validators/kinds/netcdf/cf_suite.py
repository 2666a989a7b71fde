"""compliance-checker's CF and ACDD suites, opt-in per product (``cf: {suite: cf-1.8}``),
run on the dataset the one read already holds open: each failed check is kept with the
suite, its CF section (compliance-checker's own name for the check, ``§3.1 Units``), its
priority and compliance-checker's own messages. compliance-checker looks at attributes and
coordinates; the data variable's values are read once, by the reader, never again here.
"""

from __future__ import annotations

import warnings
from dataclasses import dataclass
from functools import cache
from typing import Any

SUITES = {
    "cf-1.6": "cf:1.6",
    "cf-1.7": "cf:1.7",
    "cf-1.8": "cf:1.8",
    "cf-1.9": "cf:1.9",
    "cf-1.10": "cf:1.10",
    "cf-1.11": "cf:1.11",
    "acdd-1.1": "acdd:1.1",
    "acdd-1.3": "acdd:1.3",
}
"""The suites a spec may name, and compliance-checker's names for them."""


READS_VALUES = ("check_actual_range",)
"""compliance-checker checks that read the data variable's values: skipped, since the values
are read once, by the reader (C014 compares ``actual_range`` with what that read found)."""


@dataclass(frozen=True)
class CfResult:
    """One failed check of a suite."""

    suite: str
    section: str
    """compliance-checker's name of the check: the CF section (``§3.1 Units``) or the ACDD
    attribute group."""
    priority: int
    """compliance-checker's weight: 3 high (a requirement), 2 medium, 1 low."""
    messages: tuple[str, ...]
    passed: int = 0
    total: int = 0


@cache
def _check_suite() -> Any:
    from compliance_checker.runner import CheckSuite

    suite = CheckSuite()
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        suite.load_all_available_checkers()
    return suite


def run_suites(dataset: Any, suites: tuple[str, ...]) -> tuple[CfResult, ...]:
    """Run the named suites on an open netCDF4 dataset; the failed checks, in order. A
    check that compliance-checker itself cannot run (it raised) is a result of its own."""
    checker = _check_suite()
    found: list[CfResult] = []
    for suite in suites:
        name = SUITES[suite]
        with warnings.catch_warnings():
            warnings.simplefilter("ignore")
            outcome = checker.run_all(dataset, [name], skip_checks=list(READS_VALUES))
        groups, errors = outcome.get(name, ([], {}))
        for result in groups:
            value = result.value
            passed, total = value if isinstance(value, tuple) else (int(bool(value)), 1)
            messages = tuple(str(m) for m in result.msgs or ())
            if messages and passed < total:
                found.append(
                    CfResult(suite, str(result.name), int(result.weight), messages, passed, total)
                )
        for method, problem in sorted(errors.items()):
            reason = problem[0] if isinstance(problem, tuple) else problem
            found.append(
                CfResult(suite, method, 1, (f"compliance-checker could not run: {reason}",))
            )
    return tuple(sorted(found, key=lambda r: (r.suite, r.section, -r.priority, r.messages)))
