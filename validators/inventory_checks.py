"""The checks of the inventory itself: names that match no pattern, field values, and
products that matched nothing."""

from __future__ import annotations

import itertools

from tpqc.schemas.spec import Spec
from tpqc.validators.filename import (
    DATA_NAME,
    FILE_FIELDS,
    NOT_FETCHED,
    ODD_ENTRY,
    PRODUCT,
    UNMATCHED_FILE,
    FieldContext,
    ProductContext,
)
from tpqc.validators.findings import Finding
from tpqc.validators.inventory import Inventory
from tpqc.validators.registry import Selection, run_scope


def inventory_findings(spec: Spec, inventory: Inventory, selection: Selection) -> list[Finding]:
    """Findings about the entries and their names: odd entries, unmatched files, bad field
    values, empty products."""
    findings: list[Finding] = []
    names = itertools.chain(
        inventory.matched_paths,
        (u.path for u in inventory.unmatched),
        (o.path for o in inventory.odd),
    )
    for name in names:
        findings += run_scope(DATA_NAME, name, selection)
    for odd in inventory.odd:
        findings += run_scope(ODD_ENTRY, odd, selection)
    not_fetched = tuple(o for o in inventory.odd if o.kind == "not-fetched")
    if not_fetched:
        findings += run_scope(NOT_FETCHED, not_fetched, selection)
    for unmatched in inventory.unmatched:
        findings += run_scope(UNMATCHED_FILE, unmatched, selection)
    rules = {p.name: p.fields for p in spec.products}
    for entry in inventory.entries:
        context = FieldContext(entry.path, entry.product, entry.fields, rules[entry.product])
        findings += run_scope(FILE_FIELDS, context, selection)
    for product in spec.products:
        section = spec.section_of(product.name)
        matched = inventory.count_of(product.name)
        context_p = ProductContext(product.name, product.pattern, section, matched)
        findings += run_scope(PRODUCT, context_p, selection)
    return findings
