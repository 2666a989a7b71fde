"""Who is writing: the tool's name and version, and the versions of the formats it writes.

The bottom layer holds them so that reports, caches and catalogs can be stamped without
importing the command-line door."""

from __future__ import annotations

TOOL_NAME = "tpqc"
TOOL_VERSION = "0.1.0"
"""Also in pyproject.toml; a packaging test keeps the two equal."""
REPORT_VERSION = "1.2"
"""Version of the JSON report format (schemas/report.schema.json)."""
SPEC_VERSION = 1
"""Version of the dataset spec format (schemas/dataset-spec.schema.json)."""
CATALOG_REPORT_NAME = "tpqc-report.json"
"""The validation report written into every catalog tpqc publishes; with ``catalog.json`` it
marks a folder as a tpqc catalog (never replaced by mistake, never read as data)."""
