"""SPDX licence identifiers that data and software publishers use (a curated subset of the
SPDX License List; ``LicenseRef-`` ids are also valid SPDX), and the closest match for
almost-ids such as "CC BY 4.0"."""

from __future__ import annotations

import difflib
import re

SPDX_IDS: frozenset[str] = frozenset(
    (
        "0BSD",
        "AFL-3.0",
        "AGPL-3.0-only",
        "AGPL-3.0-or-later",
        "Apache-1.1",
        "Apache-2.0",
        "Artistic-2.0",
        "BSD-1-Clause",
        "BSD-2-Clause",
        "BSD-3-Clause",
        "BSD-3-Clause-Clear",
        "BSD-4-Clause",
        "BSL-1.0",
        "CC-BY-1.0",
        "CC-BY-2.0",
        "CC-BY-2.5",
        "CC-BY-3.0",
        "CC-BY-3.0-IGO",
        "CC-BY-4.0",
        "CC-BY-NC-1.0",
        "CC-BY-NC-2.0",
        "CC-BY-NC-2.5",
        "CC-BY-NC-3.0",
        "CC-BY-NC-4.0",
        "CC-BY-NC-ND-1.0",
        "CC-BY-NC-ND-2.0",
        "CC-BY-NC-ND-2.5",
        "CC-BY-NC-ND-3.0",
        "CC-BY-NC-ND-3.0-IGO",
        "CC-BY-NC-ND-4.0",
        "CC-BY-NC-SA-1.0",
        "CC-BY-NC-SA-2.0",
        "CC-BY-NC-SA-2.5",
        "CC-BY-NC-SA-3.0",
        "CC-BY-NC-SA-4.0",
        "CC-BY-ND-1.0",
        "CC-BY-ND-2.0",
        "CC-BY-ND-2.5",
        "CC-BY-ND-3.0",
        "CC-BY-ND-4.0",
        "CC-BY-SA-1.0",
        "CC-BY-SA-2.0",
        "CC-BY-SA-2.5",
        "CC-BY-SA-3.0",
        "CC-BY-SA-3.0-IGO",
        "CC-BY-SA-4.0",
        "CC-PDDC",
        "CC0-1.0",
        "CDLA-Permissive-1.0",
        "CDLA-Permissive-2.0",
        "CDLA-Sharing-1.0",
        "EPL-1.0",
        "EPL-2.0",
        "EUPL-1.1",
        "EUPL-1.2",
        "etalab-2.0",
        "GFDL-1.3-only",
        "GFDL-1.3-or-later",
        "GPL-2.0-only",
        "GPL-2.0-or-later",
        "GPL-3.0-only",
        "GPL-3.0-or-later",
        "ISC",
        "LGPL-2.1-only",
        "LGPL-2.1-or-later",
        "LGPL-3.0-only",
        "LGPL-3.0-or-later",
        "MIT",
        "MIT-0",
        "MPL-2.0",
        "NCGL-UK-2.0",
        "NLOD-1.0",
        "NLOD-2.0",
        "ODbL-1.0",
        "ODC-By-1.0",
        "OGL-Canada-2.0",
        "OGL-UK-1.0",
        "OGL-UK-2.0",
        "OGL-UK-3.0",
        "OPUBL-1.0",
        "PDDL-1.0",
        "Unlicense",
        "UPL-1.0",
        "Zlib",
        "DL-DE-BY-2.0",
        "DL-DE-ZERO-2.0",
    )
)
_LICENSE_REF = re.compile(r"^LicenseRef-[A-Za-z0-9.-]+$")


def is_spdx(text: str) -> bool:
    """True for a known SPDX id (exact spelling) or a LicenseRef- id."""
    return text in SPDX_IDS or bool(_LICENSE_REF.match(text))


def closest_spdx(text: str) -> str | None:
    """The SPDX id a near-miss most likely means: "CC BY 4.0" → CC-BY-4.0."""
    normalised = re.sub(r"[\s_]+", "-", text.strip()).replace("--", "-")
    normalised = re.sub(r"(?i)^(cc)-?(by)", r"\1-\2", normalised)
    by_upper = {i.upper(): i for i in SPDX_IDS}
    if normalised.upper() in by_upper:
        return by_upper[normalised.upper()]
    if normalised.upper().startswith("CC-BY") and not re.search(r"\d", normalised):
        return None
    close = difflib.get_close_matches(normalised.upper(), list(by_upper), n=1, cutoff=0.8)
    return by_upper[close[0]] if close else None
