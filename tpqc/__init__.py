"""tpqc: a data-quality gate and STAC publisher for geoscience datasets."""

from __future__ import annotations

__version__ = "0.1.0"
REPORT_VERSION = "1.0"
