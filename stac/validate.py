"""Validate a STAC catalog, collection or item fully offline and report findings."""

from __future__ import annotations

from pathlib import Path

from tpqc.stac.checks import (
    StacContext,
    asset_file_mismatch,
    asset_missing,
    bbox_geometry_mismatch,
    collection_extent_mismatch,
    datetime_order,
    extension_field_undeclared,
    id_duplicate,
    link_unresolved,
    profile_invalid,
    projection_mismatch,
    schema_invalid,
    schema_unavailable,
    stac_unreadable,
    upward_link_unresolved,
)
from tpqc.stac.schema_store import SchemaStore
from tpqc.stac.tree import load_tree
from tpqc.validators.findings import Finding, Report, Severity
from tpqc.validators.registry import Selection, run_check

DOCUMENT_CHECKS = (
    schema_invalid,
    schema_unavailable,
    profile_invalid,
    datetime_order,
    bbox_geometry_mismatch,
    collection_extent_mismatch,
    extension_field_undeclared,
    asset_file_mismatch,
    asset_missing,
    projection_mismatch,
)


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
    for name, reason in tree.unreadable:
        findings += run_check(stac_unreadable, selection, name, reason)
    for name, rel, href in tree.unresolved:
        findings += run_check(link_unresolved, selection, name, rel, href)
        findings += run_check(upward_link_unresolved, selection, name, rel, href)
    findings += run_check(id_duplicate, selection, tree)
    for doc in tree.docs:
        context = StacContext(doc, tree, store, profile)
        for document_check in DOCUMENT_CHECKS:
            findings += run_check(document_check, selection, context)
    files = [{"path": doc.name, "type": doc.kind, "id": doc.data.get("id")} for doc in tree.docs]
    return Report.build(str(start), str(tree.root), findings, files, fail_on)
