"""The one root of every error tpqc raises on purpose.

Bad *data* never raises: it becomes a finding. These errors are for the tool
not being able to do its job at all (a bad spec, a missing data root, bad
command-line usage); the CLI maps every one of them to exit code 2.
"""

from __future__ import annotations


class TpqcError(Exception):
    """Root of all deliberate tpqc errors."""


class SpecError(TpqcError):
    """The dataset spec cannot be read or does not follow its schema."""

    def __init__(self, path: str, problems: list[str]) -> None:
        self.path = path
        self.problems = problems
        listing = "\n".join(f"  - {problem}" for problem in problems)
        super().__init__(f"invalid dataset spec {path}:\n{listing}")


class UsageError(TpqcError):
    """The tool was asked for something it cannot do (unknown check code, missing folder)."""
