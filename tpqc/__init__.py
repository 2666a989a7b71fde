"""tpqc: a data-quality gate and STAC publisher for geoscience datasets."""

from __future__ import annotations

from tpqc.schemas.identity import REPORT_VERSION, TOOL_VERSION

__version__ = TOOL_VERSION

__all__ = ["REPORT_VERSION", "__version__"]
