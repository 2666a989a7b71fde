"""`tpqc init`: read a folder's files once and write the spec they suggest.

Every file of a kind that has an inferrer (``FileKind.inferrer``) is read with the same
one-pass engine as validation (the facts cache
is shared, and a raster read here answers validation's read against any value range that
holds its values). Names give the products, patterns and time fields; facts give the rules,
rounded outward so that the files they came from pass; the dataset's metadata is left as
TODO placeholders that validation reports until a person fills them in. Files that fit no
common pattern are named in a comment, tables that are no station table are excluded with
the reason. The output is checked against the spec schema before it is written.
"""

from __future__ import annotations

import datetime as dt
import logging
import os
import re
from collections.abc import Callable, Hashable, Mapping, Sequence
from dataclasses import dataclass
from pathlib import Path, PurePosixPath

from tpqc.errors import UsageError
from tpqc.init.inferrer import Box, Inferred, Inferrer, Prepared, Span
from tpqc.init.names import NameGroup, NameInference, infer_names
from tpqc.init.values import outward_extent
from tpqc.init.writer import Block, Flow, Items, render_yaml
from tpqc.pipeline import ValidateOptions, gather
from tpqc.schemas.identity import SPEC_VERSION
from tpqc.schemas.sections import Product, registered_sections
from tpqc.schemas.spec import DatasetMeta, Spec, parse_spec
from tpqc.schemas.spec_values import PLACEHOLDER
from tpqc.validators.engine.facts import FileFacts
from tpqc.validators.engine.listing import list_data_root
from tpqc.validators.engine.parallel import FactsJob
from tpqc.validators.kinds import FileKind, registered_kinds, resolve

log = logging.getLogger("tpqc")


@dataclass(frozen=True)
class InitResult:
    """The spec's text and what went into it."""

    text: str
    products: int
    files: int
    unfit: tuple[str, ...]
    excluded: tuple[str, ...]


@dataclass
class _Kind:
    """One kind's files in this folder, how they were prepared and what they hold."""

    kind: FileKind
    inferrer: Inferrer
    paths: list[str]
    prepared: Prepared | None = None
    facts: dict[str, FileFacts] | None = None


def _inferrers(root: Path, options: ValidateOptions) -> list[_Kind]:
    """The folder's data files, each given to the first kind with an inferrer that claims
    it."""
    kinds = [k for k in registered_kinds().values() if k.inferrer is not None]
    listing = list_data_root(
        root,
        lambda name: any(k.claims(name) for k in kinds),
        follow_symlinks=options.follow_symlinks,
    )
    found: dict[str, _Kind] = {}
    for path in listing.files:
        kind = next(k for k in kinds if k.claims(path))
        if kind.name not in found:
            found[kind.name] = _Kind(kind, resolve(str(kind.inferrer))(kind), [])
        found[kind.name].paths.append(path)
    return list(found.values())


def _read_all(root: Path, options: ValidateOptions, groups: Sequence[_Kind]) -> None:
    """Every file read once, all kinds together, with the product its inferrer prepared."""
    for group in groups:
        group.prepared = group.inferrer.prepare(root, group.paths, options)
    products: dict[str, list[Product]] = {}
    for group in groups:
        assert group.prepared is not None
        known = products.setdefault(group.kind.section, [])
        known += [p for p in group.prepared.products.values() if p not in known]
    spec = Spec(
        path=root / "spec.yaml",
        data_root=root,
        dataset=DatasetMeta(id="init"),
        sections={section: tuple(found) for section, found in products.items()},
        lines={},
    )
    read = options.read_options()
    jobs: list[FactsJob] = []
    for group in groups:
        assert group.prepared is not None
        for path, product in group.prepared.products.items():
            jobs.append((str(root), path, group.kind.job(spec, product, read)))
    facts = gather(jobs, options)
    for group in groups:
        assert group.prepared is not None
        group.facts = {p: facts[p] for p in group.prepared.products}


# --- the document ------------------------------------------------------------------------


def _product_name(group: NameGroup, taken: set[str], fallback: str) -> str:
    """The pattern's literal words, lower case: Wudaoliang_ALT_{year}.tif is wudaoliang-alt."""
    stem = re.sub(r"\.[A-Za-z0-9]+$", "", PurePosixPath(group.pattern).name)
    words = [w.lower() for w in re.split(r"\{[^}]*\}|[^A-Za-z0-9]+", stem) if w]
    base = "-".join(words[:3]) or fallback
    name, index = base, 2
    while name in taken:
        name, index = f"{base}-{index}", index + 1
    taken.add(name)
    return name


def _todo(what: str) -> str:
    return f"{PLACEHOLDER}: {what}"


def _dataset_block(root: Path, spans: Sequence[Span], boxes: Sequence[Box]) -> Block:
    slug = re.sub(r"[^A-Za-z0-9._-]+", "-", root.resolve().name).strip("-.") or "dataset"
    block = Block()
    block.add("id", slug.lower(), "the STAC collection id")
    block.add("title", _todo("the dataset's title"))
    block.add("description", _todo("what the data is and how it was made"))
    block.add("doi", _todo("10.xxxx/... without https://doi.org/"))
    block.add("citation", _todo("Authors (year) Title. Publisher. https://doi.org/..."))
    block.add("license", _todo("an SPDX licence such as CC-BY-4.0"))
    block.entries[-1].before = (
        "recommended too: keywords, creators, providers (validation warns while missing)",
    )
    starts = [s.start for s in spans]
    ends = [s.end for s in spans]
    if starts:
        temporal: list[tuple[str, object]] = [
            ("start", _day(min(starts))),
            ("end", _day(max(ends))),
        ]
        resolutions = {s.resolution for s in spans if s.resolution}
        comment = "from the files' time fields and tables"
        if len(resolutions) == 1:
            temporal.append(("resolution", next(iter(resolutions))))
        elif resolutions:
            comment = "the union of the products' own coverages"
        block.add("temporal", Flow(temporal), comment)
    else:  # left out, not a placeholder that would fail: validation reports it missing
        block.entries[-1].before += (
            f"temporal: {{start: YYYY-MM-DD, end: YYYY-MM-DD}} is {PLACEHOLDER}: no time in "
            "the names or tables to take it from",
        )
    if not boxes:
        block.entries[-1].before += (
            f"extent: {{west: ..., east: ..., south: ..., north: ...}} is {PLACEHOLDER}: no "
            "raster footprint to take it from",
        )
    else:
        union = (
            min(b[0] for b in boxes),
            min(b[1] for b in boxes),
            max(b[2] for b in boxes),
            max(b[3] for b in boxes),
        )
        (west, south, east, north), decimals = outward_extent(*union)
        block.add(
            "extent",
            Flow([("west", west), ("east", east), ("south", south), ("north", north)]),
            f"union of the footprints, rounded outward to {10.0**-decimals:g} degrees",
        )
    return block


def _day(moment: dt.datetime) -> str:
    return moment.date().isoformat()


def _own_coverages(products: Sequence[Inferred]) -> None:
    """When the products' members differ in length (yearly maps, monthly grids), each
    series product says its own coverage and member length; the dataset's is their union."""
    lengths = {s.resolution for p in products for s in p.spans if s.resolution}
    if len(lengths) < 2:
        return
    for product in products:
        series = [s for s in product.spans if s.resolution]
        if len(series) != 1:
            continue
        (span,) = series
        coverage = Flow(
            [("start", _day(span.start)), ("end", _day(span.end)), ("resolution", span.resolution)]
        )
        product.block.add_after(("pattern", "fields"), "temporal", coverage, "from the names")


def _signature(inferrer: Inferrer, facts: Mapping[str, FileFacts]) -> Callable[[str], Hashable]:
    def of(path: str) -> Hashable:
        return inferrer.signature(path, facts[path])

    return of


def infer_spec(data_root: Path, spec_path: Path | None, options: ValidateOptions) -> InitResult:
    """The spec a folder's files suggest, as commented YAML, checked against the schema.
    ``spec_path`` is where it will be written (its ``data`` is relative to it; None: the
    current folder)."""
    root = Path(data_root)
    if not root.is_dir():
        raise UsageError(f"{root} is not a folder")
    kinds = _inferrers(root, options)
    _read_all(root, options, kinds)
    taken: set[str] = set()
    sections: dict[str, list[Block]] = {}
    spans: list[Span] = []
    boxes: list[Box] = []
    unfit: list[str] = []
    excluded: dict[str, str] = {}
    inferred: list[Inferred] = []
    files = 0
    for group in kinds:
        assert group.prepared is not None and group.facts is not None
        excluded.update(group.prepared.excluded)
        readable = group.facts
        names = infer_names(
            list(readable),
            _signature(group.inferrer, readable),
            text_names=group.inferrer.text_fields,
        )
        unfit += [f"{p} (nearly {near})" for p, near in names.unfit]
        for name_group in names.groups:
            name = _product_name(name_group, taken, group.inferrer.fallback_name)
            found: Inferred = group.inferrer.infer(
                name, name_group, [readable[p] for p in name_group.paths]
            )
            sections.setdefault(group.kind.section, []).append(found.block)
            inferred.append(found)
            spans += found.spans
            boxes += found.boxes
            files += len(name_group.paths)
    _own_coverages(inferred)
    for line in unfit:
        log.info("fits no pattern: %s", line)
    document = Block()
    document.add("spec_version", SPEC_VERSION)
    target_folder = (spec_path.parent if spec_path is not None else Path.cwd()).resolve()
    document.add("data", os.path.relpath(root.resolve(), target_folder))
    if excluded:
        document.add(
            "exclude",
            Items(sorted(excluded)),
            before=[f"{p}: not data ({why})" for p, why in sorted(excluded.items())],
        )
    document.add("dataset", _dataset_block(root, spans, boxes))
    for section in registered_sections():
        if sections.get(section):
            document.add(section, Items(sections[section]))
    read = sum(len(g.facts or {}) for g in kinds)
    header = [
        f"tpqc dataset spec inferred by `tpqc init` from {read} files.",
        "Fill in every TODO (validation reports them as missing), then tighten the rules:",
        "ranges are rounded outward from what the files hold, so they pass as they are.",
    ]
    if unfit:
        header += [
            "",
            "These files fit no common pattern and were left out (validation reports them):",
        ]
        header += [f"  {line}" for line in unfit]
    text = render_yaml(document, header)
    parse_spec(text, (target_folder / "spec.yaml"))  # the output must be a valid spec
    return InitResult(
        text,
        sum(len(blocks) for blocks in sections.values()),
        files,
        tuple(unfit),
        tuple(sorted(excluded)),
    )


__all__ = ["InitResult", "NameInference", "infer_spec"]
