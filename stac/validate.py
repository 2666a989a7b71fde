"""Validate a STAC catalog, collection or item fully offline and report findings."""

from __future__ import annotations

import dataclasses
import re
from collections.abc import Iterator, Sequence
from pathlib import Path

from tpqc.stac.checks import (
    STAC_DOCUMENT,
    STAC_LINK,
    STAC_TREE,
    STAC_UNREADABLE,
    StacContext,
    asset_hrefs,
)
from tpqc.stac.extension_refs import extension_refs, local_schemas
from tpqc.stac.paged import LinkPage
from tpqc.stac.schema_store import SchemaStore
from tpqc.stac.tree import MAX_DOCUMENT_BYTES, TreeWalk
from tpqc.validators.findings import FileEntries, Finding, Report, Severity
from tpqc.validators.registry import Selection, run_scope


def check_stac(
    start: Path | Sequence[Path],
    store: SchemaStore | None = None,
    *,
    profile: bool = False,
    selection: Selection | None = None,
    fail_on: Severity = Severity.ERROR,
    follow_links: bool = True,
    max_document_bytes: int = MAX_DOCUMENT_BYTES,
    assets_on_disk: bool = True,
    list_files: bool = True,
) -> Report:
    """Validate the documents at ``start`` and, with ``follow_links``, every document they
    reach; schemas are never fetched unless the store allows it. A document larger than
    ``max_document_bytes`` (or not a regular file) is reported unreadable, never read.
    Local assets are verified on disk (size, checksum, projection), and one that is missing
    is an error; with ``assets_on_disk`` False (a catalog published without its data) they
    are not looked for. The notes say how many assets were verified, missing, remote. With
    ``list_files`` False the report lists no documents (its findings are all that is asked)."""
    store = store or SchemaStore.load()
    selection = selection or Selection()
    walk = TreeWalk(
        start,
        follow_links=follow_links,
        slim_items=True,
        max_bytes=max_document_bytes,
        list_documents=list_files,
    )
    tree = walk.tree
    findings: list[Finding] = []
    census = {"local": 0, "remote": 0}
    # Each document is checked as it is read (parents before children: an item's collection
    # is known by then), then kept slim: read once, never whole in memory all at once.
    for whole in walk.documents():
        extensions = extension_refs(whole.data, whole.path, tree.root)
        beside = local_schemas(extensions, tree.root)
        context = StacContext(
            whole,
            tree,
            store.with_documents(beside),
            profile,
            assets_on_disk,
            tuple(extensions),
        )
        if whole.link_pages is None:
            findings += run_scope(STAC_DOCUMENT, context, selection)
        else:
            findings += _paged_findings(context, whole.link_pages, selection)
        for _, _, is_local in asset_hrefs(whole.data):
            census["local" if is_local else "remote"] += 1
    for unreadable in tree.unreadable:
        findings += run_scope(STAC_UNREADABLE, unreadable, selection)
    for link in tree.unresolved:
        findings += run_scope(STAC_LINK, link, selection)
    tree.close()  # every document is read: its first ids are not needed any more
    findings += run_scope(STAC_TREE, tree, selection)
    listed = sorted(tree.listed, key=lambda record: record[0])
    files = FileEntries(
        [name for name, _, _ in listed],
        lambda index: dict(zip(("path", "type", "id"), listed[index], strict=True)),
    )
    notes = []
    if tree.links_not_followed:
        notes.append(f"{tree.links_not_followed} links not followed (--no-links)")
    if census["local"] or census["remote"]:
        notes.append(_asset_census(census, findings, assets_on_disk))
    label = str(start) if isinstance(start, Path) else " ".join(str(p) for p in start)
    return Report.build(label, str(tree.root), findings, files, fail_on, notes=notes)


def _paged_findings(
    context: StacContext, pages: Iterator[LinkPage], selection: Selection
) -> list[Finding]:
    """The document checks of a document read in pages, run on the document with one page
    of links at a time (:class:`LinkPage`: every link that is not an item or child link,
    then some that are). The first page's findings are all kept; a later page adds those
    in its own links. A finding in a link is located by the link's index in the whole
    document. Assets are looked at with the first page only. A check that tells at most
    so many problems (the schemas' 20) does so for each page."""
    doc = context.doc
    findings: list[Finding] = []
    for number, page in enumerate(pages):
        paged = dataclasses.replace(doc, data={**doc.data, "links": page.links}, link_pages=None)
        later = number > 0
        page_context = dataclasses.replace(
            context, doc=paged, assets_on_disk=context.assets_on_disk and not later
        )
        for finding in run_scope(STAC_DOCUMENT, page_context, selection):
            field = finding.location.field
            match = _LINK_FIELD.fullmatch(field or "")
            if match is not None:
                position = int(match.group(1))
                if later and position < page.fresh_from:
                    continue  # a context link: the first page told it
                field = f"links.{page.indices[position]}{match.group(2)}"
            elif later:
                continue  # about the rest of the document: the first page told it
            if field != finding.location.field:
                location = dataclasses.replace(finding.location, field=field)
                finding = dataclasses.replace(finding, location=location)
            findings.append(finding)
    return findings


_LINK_FIELD = re.compile(r"links\.(\d+)((?:\..*)?)", re.DOTALL)
"""A field inside one link: its index, and where in the link."""


ASSET_MISSING = "S014"


def _asset_census(census: dict[str, int], findings: Sequence[Finding], on_disk: bool) -> str:
    """How many assets the documents hold and what became of them."""
    local, remote = census["local"], census["remote"]
    remote_text = f"{remote} remote (not fetched: offline)"
    if not on_disk:
        return f"assets: {local} local not looked for (--no-assets), {remote_text}"
    missing = sum(1 for f in findings if f.code == ASSET_MISSING)
    return f"assets: {local - missing} local verified on disk, {missing} missing, {remote_text}"
