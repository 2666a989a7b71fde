"""Validate a STAC catalog, collection or item fully offline and report findings."""

from __future__ import annotations

from pathlib import Path

from tpqc.stac.checks import (
    STAC_DOCUMENT,
    STAC_LINK,
    STAC_TREE,
    STAC_UNREADABLE,
    StacContext,
)
from tpqc.stac.schema_store import SchemaStore
from tpqc.stac.tree import load_tree
from tpqc.validators.findings import Finding, Report, Severity
from tpqc.validators.registry import Selection, run_scope


def check_stac(
    start: Path,
    store: SchemaStore | None = None,
    *,
    profile: bool = False,
    selection: Selection | None = None,
    fail_on: Severity = Severity.ERROR,
) -> Report:
    """Validate every document reachable from start; schemas are never fetched."""
    store = store or SchemaStore.load()
    selection = selection or Selection()
    tree = load_tree(start)
    findings: list[Finding] = []
    for unreadable in tree.unreadable:
        findings += run_scope(STAC_UNREADABLE, unreadable, selection)
    for link in tree.unresolved:
        findings += run_scope(STAC_LINK, link, selection)
    findings += run_scope(STAC_TREE, tree, selection)
    for doc in tree.docs:
        findings += run_scope(STAC_DOCUMENT, StacContext(doc, tree, store, profile), selection)
    files = [{"path": doc.name, "type": doc.kind, "id": doc.data.get("id")} for doc in tree.docs]
    return Report.build(str(start), str(tree.root), findings, files, fail_on)
