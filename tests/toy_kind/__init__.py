"""A complete toy file kind, as a newcomer would add one: ``.note`` text files in a spec
section of their own (``notes``), read once, checked, reported, drawn, published as STAC
items and inferred by ``tpqc init``: this file, its reader and its checks, plus one
``register_kind(NoteKind())`` line."""

from __future__ import annotations

from collections.abc import Hashable, Sequence
from dataclasses import field
from pathlib import Path
from typing import Any

import pystac
from pydantic.dataclasses import dataclass

from tpqc.init.inferrer import Inferred, Inferrer, Prepared, fields_block, series_span
from tpqc.init.names import NameGroup
from tpqc.init.writer import Block
from tpqc.pipeline import ValidateOptions
from tpqc.schemas.spec import FieldRules, Product, Spec, Temporal
from tpqc.stac.build import ASSET_KEY, declared_interval, multihash_sha256
from tpqc.stac.items import PublishedFile
from tpqc.validators.dataset.summary import FileSummary
from tpqc.validators.engine.facts import FileFacts, ReadJob
from tpqc.validators.findings import Finding
from tpqc.validators.kinds import DataFile, FileKind, ReadOptions, narrow
from tpqc.validators.registry import Selection, run_scope


@dataclass(frozen=True)
class NoteProduct:
    """One product of notes: where they are, and how long each must be."""

    name: str
    pattern: str
    fields: FieldRules = field(default_factory=dict)
    description: str | None = None
    temporal: Temporal | None = None
    min_lines: int = 1
    lon: float = 0.0
    lat: float = 0.0


class NoteKind(FileKind):
    """Toy ``.note`` files, in the spec section ``notes``."""

    name = "note"
    section = "notes"
    product_model = NoteProduct
    section_description = "One entry per product of toy notes."
    suffixes = (".note",)
    facts_module = "toy_kind.reader"
    check_modules = ("toy_kind.checks",)
    item_builder = "toy_kind:note_item"
    inferrer = "toy_kind:NoteInferrer"

    def job(self, spec: Spec, product: Product, options: ReadOptions) -> ReadJob:
        from toy_kind.reader import NoteJob

        return NoteJob()

    def findings(self, file: DataFile, selection: Selection) -> list[Finding]:
        from toy_kind.checks import NOTE_FILE, NoteContext
        from toy_kind.reader import NoteFacts

        assert isinstance(file.product, NoteProduct)
        context = NoteContext(narrow(file.facts, NoteFacts), file.product.min_lines)
        return run_scope(NOTE_FILE, context, selection)

    def describe(self, file: DataFile) -> dict[str, Any]:
        return {"lines": getattr(file.facts, "lines", None), "size": file.facts.size_bytes}

    def summary(self, file: DataFile) -> FileSummary:
        return FileSummary(file.facts.path, size_bytes=file.facts.size_bytes)


def note_item(file: PublishedFile) -> pystac.Item:
    """A Point item at the product's place over the dataset's coverage."""
    product = file.product
    assert isinstance(product, NoteProduct)
    interval = file.interval or declared_interval(file.spec)
    assert interval is not None
    item = pystac.Item(
        id=Path(file.facts.path).stem,
        geometry={"type": "Point", "coordinates": [product.lon, product.lat]},
        bbox=[product.lon, product.lat, product.lon, product.lat],
        datetime=None,
        start_datetime=interval[0],
        end_datetime=interval[1],
        properties={},
    )
    asset = pystac.Asset(href=file.facts.path, media_type="text/plain", roles=["data"])
    asset.extra_fields["file:size"] = file.facts.size_bytes
    asset.extra_fields["file:checksum"] = multihash_sha256(str(file.facts.sha256))
    item.add_asset(ASSET_KEY, asset)
    item.stac_extensions.append("https://stac-extensions.github.io/file/v2.1.0/schema.json")
    return item


class NoteInferrer(Inferrer):
    """tpqc init for notes: the least line count seen becomes the product's minimum."""

    fallback_name = "notes"

    def prepare(self, root: Path, paths: Sequence[str], options: ValidateOptions) -> Prepared:
        product = NoteProduct(name="init", pattern="*")
        return Prepared(dict.fromkeys(paths, product))

    def signature(self, path: str, facts: FileFacts) -> Hashable:
        return "note"

    def infer(self, name: str, group: NameGroup, facts: Sequence[FileFacts]) -> Inferred:
        block = Block().add("name", name).add("pattern", group.pattern)
        fields = fields_block(group)
        if fields is not None:
            block.add("fields", fields)
        block.add("min_lines", min(getattr(f, "lines", 0) for f in facts), "fewest lines seen")
        span = series_span(group)
        return Inferred(block, (span,) if span is not None else ())
