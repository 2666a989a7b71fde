"""Run the registered checks over an inventory and its facts, stamping findings."""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

from tpqc.schemas.spec import Spec, Station, TableProduct
from tpqc.validators.filename import (
    FILE_FIELDS,
    PRODUCT,
    UNMATCHED_FILE,
    FieldContext,
    ProductContext,
)
from tpqc.validators.findings import Finding
from tpqc.validators.inventory import Inventory, InventoryEntry
from tpqc.validators.raster import RASTER_FILE, RasterContext
from tpqc.validators.raster_facts import RasterFacts
from tpqc.validators.registry import Selection, run_scope


def inventory_findings(spec: Spec, inventory: Inventory, selection: Selection) -> list[Finding]:
    """Findings about file names: unmatched files, bad field values, empty products."""
    findings: list[Finding] = []
    for unmatched in inventory.unmatched:
        findings += run_scope(UNMATCHED_FILE, unmatched, selection)
    rules = {p.name: p.fields for p in spec.products}
    for entry in inventory.entries:
        context = FieldContext(entry.path, entry.product, entry.fields, rules[entry.product])
        findings += run_scope(FILE_FIELDS, context, selection)
    for product in spec.products:
        section = "tables" if product in spec.tables else "rasters"
        matched = len(inventory.for_product(product.name))
        context_p = ProductContext(product.name, product.pattern, section, matched)
        findings += run_scope(PRODUCT, context_p, selection)
    return findings


def raster_findings(
    spec: Spec, inventory: Inventory, facts: Mapping[str, RasterFacts], selection: Selection
) -> list[Finding]:
    """Findings of every per-file raster check over every matched file."""
    products = {p.name: p for p in spec.rasters}
    findings: list[Finding] = []
    for entry in inventory.entries:
        if entry.kind != "raster":
            continue
        context = RasterContext(facts[entry.path], products[entry.product], spec)
        findings += run_scope(RASTER_FILE, context, selection)
    return findings


def table_findings(
    spec: Spec, inventory: Inventory, facts: Mapping[str, Any], selection: Selection
) -> list[Finding]:
    """Findings of every table check over every matched table."""
    from tpqc.validators.tables import TABLE_FILE, TableContext

    tables = {t.name: t for t in spec.tables}
    findings: list[Finding] = []
    for entry in inventory.entries:
        if entry.kind != "table":
            continue
        table = tables[entry.product]
        context = TableContext(facts[entry.path], table, station_of(spec, table, entry), spec)
        findings += run_scope(TABLE_FILE, context, selection)
    return findings


def station_of(spec: Spec, table: TableProduct, entry: InventoryEntry) -> Station | None:
    """Where the table's station stands: declared in the table, or looked up by its field."""
    if table.station is not None:
        return table.station
    if table.station_field is not None:
        return spec.stations.get(str(entry.fields.get(table.station_field)))
    return None
