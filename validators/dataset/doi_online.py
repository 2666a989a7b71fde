"""Opt-in DOI resolution (``--online``): the only check that touches the network."""

from __future__ import annotations

import os
from collections.abc import Iterator

from tpqc.validators.dataset.metadata import ONLINE, DatasetContext
from tpqc.validators.findings import Issue, Location, Severity
from tpqc.validators.registry import check

TIMEOUT_SECONDS = 20
DEFAULT_RESOLVER = "https://doi.org/"


def resolver() -> str:
    """Base URL DOIs are resolved against (TPQC_DOI_RESOLVER overrides doi.org, e.g. a mirror)."""
    return os.environ.get("TPQC_DOI_RESOLVER", DEFAULT_RESOLVER)


@check("M010", "doi-unresolvable", scope=ONLINE)
def doi_unresolvable(ctx: DatasetContext) -> Iterator[Issue]:
    """The DOI does not resolve at doi.org (checked only with --online; a network failure is a
    warning that it could not be checked, never a verdict)."""
    import urllib.error  # the network stack only for runs that go online
    import urllib.request

    doi = ctx.spec.dataset.doi
    if not doi:
        return
    url = resolver() + doi
    request = urllib.request.Request(url, method="HEAD", headers={"User-Agent": "tpqc"})
    try:
        with urllib.request.urlopen(request, timeout=TIMEOUT_SECONDS):
            return
    except urllib.error.HTTPError as exc:
        if exc.code == 404:
            yield Issue(
                "DOI is not registered",
                Location(field="dataset.doi"),
                expected="a DOI that resolves",
                actual=f"{url}: HTTP 404",
            )
            return
        reason = f"HTTP {exc.code}"
    except (urllib.error.URLError, TimeoutError, OSError) as exc:
        reason = str(getattr(exc, "reason", exc))
    yield Issue(
        "DOI could not be checked online",
        Location(field="dataset.doi"),
        actual=f"{url}: {reason}",
        severity=Severity.WARNING,
    )
