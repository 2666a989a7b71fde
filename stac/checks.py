"""Checks over STAC documents: official schemas offline, tpqc's profile, and semantics that
schemas cannot express. Each check's docstring is its user-facing description."""

from __future__ import annotations

import datetime as dt
import math
from collections.abc import Iterator
from dataclasses import dataclass
from typing import Any

from jsonschema.validators import validator_for

from tpqc.stac.extension_refs import ExtensionRef
from tpqc.stac.schema_store import PROFILE_URL, SchemaStore
from tpqc.stac.schema_urls import core_url
from tpqc.stac.tree import (
    StacDoc,
    StacTree,
    UnreadableDocument,
    UnresolvedLink,
    is_url,
    resolve_local,
)
from tpqc.validators.findings import Issue, Location, Severity
from tpqc.validators.registry import Scope, check

MAX_SCHEMA_ERRORS = 20
CORE_NAMES = {"Item": "item.json", "Catalog": "catalog.json", "Collection": "collection.json"}
PREFIX_EXTENSIONS = {"proj": "projection", "sci": "scientific", "cube": "datacube"}


@dataclass(frozen=True)
class StacContext:
    """A document with everything the checks may consult."""

    doc: StacDoc
    tree: StacTree
    store: SchemaStore
    profile: bool
    assets_on_disk: bool = True
    """False for a catalog published without its data: local assets are not looked for."""
    extensions: tuple[ExtensionRef, ...] = ()
    """The document's ``stac_extensions`` entries with the schemas they name."""


STAC_DOCUMENT = Scope[StacContext]("stac-document")
"""Checks of one STAC document (schemas, profile, semantics, its assets)."""
STAC_TREE = Scope[StacTree]("stac-tree")
"""Checks across every document reachable from the start."""
STAC_UNREADABLE = Scope[UnreadableDocument]("stac-unreadable")
"""Checks of a document that could not be read."""
STAC_LINK = Scope[UnresolvedLink]("stac-link")
"""Checks of a link that does not resolve."""


def _obj(value: Any) -> dict[str, Any]:
    """A JSON object, or an empty one for anything else (checks read hostile documents)."""
    return value if isinstance(value, dict) else {}


def _list(value: Any) -> list[Any]:
    """A JSON array, or an empty one for anything else."""
    return value if isinstance(value, list) else []


def _numbers(value: Any, count: int) -> list[float] | None:
    """``count`` finite numbers (a bbox, a transform), or None when the value is not that."""
    if not isinstance(value, list) or len(value) < count:
        return None
    out = []
    for item in value[:count]:
        if isinstance(item, bool) or not isinstance(item, int | float):
            return None
        try:
            number = float(item)
        except OverflowError:  # an integer of thousands of digits
            return None
        if not math.isfinite(number):
            return None
        out.append(number)
    return out


def _at(ctx: StacContext, field: str | None = None) -> Location:
    return Location(path=ctx.doc.name, field=field or None)


def _json_path(parts: Any) -> str:
    return ".".join(str(p) for p in parts)


def _schema_issues(
    ctx: StacContext, url: str, label: str, document: dict[str, Any] | None = None
) -> Iterator[Issue]:
    data = ctx.doc.data if document is None else document
    if ctx.store.conforms(url, data):
        return  # valid: the compiled validator is enough; jsonschema explains failures
    schema = ctx.store.schema(url)
    if isinstance(schema, dict):
        # Refs resolve against the URL the schema was fetched from: pre-1.0 schemas call
        # themselves "schema.json#", which resolves nothing.
        schema = {**schema, "$id": url.rstrip("#")}
    validator = validator_for(schema)(schema, registry=ctx.store.registry)
    try:
        errors = sorted(validator.iter_errors(data), key=lambda e: list(map(str, e.path)))
    except RecursionError:
        yield Issue(f"{label}: too deeply nested to explain", _at(ctx), expected=url)
        return
    except Exception as exc:  # a schema whose refs resolve nowhere cannot explain itself
        yield Issue(
            f"{label}: invalid, and the schema cannot say why: {exc}", _at(ctx), expected=url
        )
        return
    for error in errors[:MAX_SCHEMA_ERRORS]:
        yield Issue(
            f"{label}: {error.message[:300]}",
            _at(ctx, _json_path(error.absolute_path)),
            expected=url,
            actual=_json_path(error.absolute_schema_path),
        )
    if len(errors) > MAX_SCHEMA_ERRORS:
        yield Issue(
            f"{label}: {len(errors) - MAX_SCHEMA_ERRORS} more schema errors", _at(ctx), expected=url
        )


def _core_url(ctx: StacContext) -> str | None:
    name = CORE_NAMES.get(ctx.doc.kind)
    version = ctx.doc.data.get("stac_version")
    if name is None or not isinstance(version, str):
        return None
    return core_url(f"v{version}", name)


def _usable_extensions(ctx: StacContext) -> list[ExtensionRef]:
    return [e for e in ctx.extensions if e.refusal is None and ctx.store.has(e.url)]


@check("S001", "stac-unreadable", scope=STAC_UNREADABLE)
def stac_unreadable(doc: UnreadableDocument) -> Iterator[Issue]:
    """A STAC document cannot be read or is not JSON with a ``type``."""
    yield Issue("cannot read the STAC document", Location(path=doc.name), actual=doc.reason)


@check("S002", "schema-invalid", scope=STAC_DOCUMENT)
def schema_invalid(ctx: StacContext) -> Iterator[Issue]:
    """The document breaks the official STAC core schema or a declared extension's schema."""
    url = _core_url(ctx)
    if url is None:
        yield Issue(
            "unknown STAC object type or version",
            _at(ctx, "type"),
            expected=list(CORE_NAMES),
            actual=ctx.doc.data.get("type"),
        )
        return
    if ctx.store.has(url):
        yield from _schema_issues(ctx, url, f"STAC {ctx.doc.kind} schema")
    # A short name stands for its extension's folder name (``proj`` for ``projection``),
    # which the release's own extension schemas look for, as stac-validator reads it.
    aliases = {e.written: e.folder for e in ctx.extensions if e.folder}
    document = ctx.doc.data
    if any(name in aliases for name in _list(document.get("stac_extensions"))):
        document = {
            **document,
            "stac_extensions": [aliases.get(n, n) for n in document["stac_extensions"]],
        }
    for ext in _usable_extensions(ctx):
        yield from _schema_issues(ctx, ext.url, f"extension {ext.written}", document)


@check("S003", "schema-unavailable", Severity.WARNING, scope=STAC_DOCUMENT)
def schema_unavailable(ctx: StacContext) -> Iterator[Issue]:
    """An extension schema the document names (a URL, a pre-1.0 short name such as ``eo``,
    or a relative path inside the checked folder) is not available offline, so that part
    was not validated (a warning: --fail-on warning makes it fail)."""
    for ext in ctx.extensions:
        if ext.refusal is None and ctx.store.has(ext.url):
            continue
        reason = ext.refusal or ctx.store.unavailable_reason(ext.url)
        refs = ctx.store.missing_refs(ext.url) if ext.url.rstrip("#") in ctx.store.urls else ()
        yield Issue(
            f"schema not validated: {reason}",
            _at(ctx, "stac_extensions"),
            expected="a local copy (--schemas DIR) or --online",
            actual=ext.written if ext.url == ext.written else f"{ext.written} ({ext.url})",
            details={"needs": list(refs)} if refs else {},
        )


@check("S015", "core-schema-unavailable", scope=STAC_DOCUMENT)
def core_schema_unavailable(ctx: StacContext) -> Iterator[Issue]:
    """The STAC core schema of the document's stac_version is not available (an unknown or
    unreleased version): the document could not be validated, which is never a pass."""
    url = _core_url(ctx)
    if url is not None and not ctx.store.has(url):
        versions = ctx.store.core_versions()
        yield Issue(
            f"STAC {ctx.doc.data.get('stac_version')} {ctx.doc.kind} not validated: "
            + ctx.store.unavailable_reason(url),
            _at(ctx, "stac_version"),
            expected=f"a STAC version with a schema at hand ({', '.join(versions)}), "
            "a local copy (--schemas DIR) or --online",
            actual=url,
        )


def _structure_problems(data: dict[str, Any], kind: str) -> Iterator[tuple[str, str]]:
    if not isinstance(data.get("stac_version"), str):
        yield "stac_version", "stac_version is missing or not text"
    if not isinstance(data.get("id"), str) or not data.get("id"):
        yield "id", "id is missing or not text"
    if not isinstance(data.get("links", []), list):
        yield "links", "links is not a list"
    if kind == "Item":
        geometry = data.get("geometry", "absent")
        if geometry == "absent":
            yield "geometry", "an Item needs a geometry (or null)"
        elif geometry is not None and not (
            isinstance(geometry, dict)
            and geometry.get("type") in GEOMETRY_TYPES
            and ("coordinates" in geometry or "geometries" in geometry)
        ):
            yield "geometry", "geometry is not a GeoJSON geometry"
        if not isinstance(data.get("properties"), dict):
            yield "properties", "properties is missing or not an object"


GEOMETRY_TYPES = (
    "Point",
    "MultiPoint",
    "LineString",
    "MultiLineString",
    "Polygon",
    "MultiPolygon",
    "GeometryCollection",
)


@check("S016", "stac-structure-invalid", scope=STAC_DOCUMENT)
def stac_structure_invalid(ctx: StacContext) -> Iterator[Issue]:
    """The document lacks what every STAC version requires (an id, a version, an Item's
    geometry and properties), whatever schemas are at hand."""
    if ctx.doc.kind not in CORE_NAMES:
        return
    for field, problem in _structure_problems(ctx.doc.data, ctx.doc.kind):
        yield Issue(problem, _at(ctx, field), actual=str(ctx.doc.data.get(field))[:200])


@check("S004", "profile-invalid", scope=STAC_DOCUMENT)
def profile_invalid(ctx: StacContext) -> Iterator[Issue]:
    """The document lacks something every tpqc catalog guarantees (stac-profile.schema.json)."""
    if ctx.profile:
        yield from _schema_issues(ctx, PROFILE_URL, "tpqc profile")


@check("S005", "link-unresolved", scope=STAC_LINK)
def link_unresolved(link: UnresolvedLink) -> Iterator[Issue]:
    """A child or item link points to a file that does not exist."""
    if link.rel in ("child", "item"):
        yield Issue(
            f"{link.rel} link does not resolve",
            Location(path=link.name, field="links"),
            expected="an existing file",
            actual=link.href,
        )


@check("S013", "upward-link-unresolved", Severity.WARNING, scope=STAC_LINK)
def upward_link_unresolved(link: UnresolvedLink) -> Iterator[Issue]:
    """A root, parent or collection link points to a missing file (often a document copied
    out of its catalog)."""
    if link.rel not in ("child", "item"):
        yield Issue(
            f"{link.rel} link does not resolve",
            Location(path=link.name, field="links"),
            expected="an existing file",
            actual=link.href,
        )


@check("S006", "id-duplicate", scope=STAC_TREE)
def id_duplicate(tree: StacTree) -> Iterator[Issue]:
    """Two collections of one catalog, or two items of one collection, share an id
    (documents given on their own, reached from no common start, are independent)."""
    for duplicate in tree.duplicates:
        yield Issue(
            f"{duplicate.kind} id {duplicate.id!r} is used twice",
            Location(path=duplicate.name, field="id"),
            expected="unique ids",
            actual=duplicate.first,
        )


def _parse_time(value: Any) -> dt.datetime | None:
    if not isinstance(value, str):
        return None
    try:
        parsed = dt.datetime.fromisoformat(value.replace("Z", "+00:00"))
    except ValueError:
        return None
    return parsed if parsed.tzinfo else parsed.replace(tzinfo=dt.UTC)


@check("S007", "datetime-order", scope=STAC_DOCUMENT)
def datetime_order(ctx: StacContext) -> Iterator[Issue]:
    """An end_datetime before its start_datetime, or a temporal interval that runs backwards."""
    data = ctx.doc.data
    if ctx.doc.kind == "Item":
        props = _obj(data.get("properties"))
        start, end = (
            _parse_time(props.get("start_datetime")),
            _parse_time(props.get("end_datetime")),
        )
        if start and end and end < start:
            yield Issue(
                "end_datetime is before start_datetime",
                _at(ctx, "properties.end_datetime"),
                expected=f">= {props['start_datetime']}",
                actual=props["end_datetime"],
            )
    if ctx.doc.kind == "Collection":
        intervals = _list(_obj(_obj(data.get("extent")).get("temporal")).get("interval"))
        for index, pair in enumerate(intervals):
            if isinstance(pair, list) and len(pair) == 2:
                start, end = _parse_time(pair[0]), _parse_time(pair[1])
                if start and end and end < start:
                    yield Issue(
                        "temporal interval ends before it starts",
                        _at(ctx, f"extent.temporal.interval.{index}"),
                        actual=pair,
                    )


def _is_position(node: Any) -> bool:
    return (
        isinstance(node, list)
        and len(node) >= 2
        and all(isinstance(v, int | float) and not isinstance(v, bool) for v in node[:2])
    )


def _positions(rows: list[Any]) -> Any:
    """A list of positions as an (n, 2) float array, or None when it is not one."""
    import numpy as np

    try:
        points = np.asarray(rows, dtype=np.float64)
    except (ValueError, TypeError, OverflowError):  # ragged, not numbers, or too big
        return None
    if points.ndim != 2 or points.shape[1] < 2:
        return None
    return points[:, :2]


def _bounds(geometry: Any) -> list[float] | None:
    """[west, south, east, north] of a GeoJSON geometry's positions, or None when it has
    none. A ring of positions goes through numpy at once (a footprint of millions of
    vertices takes milliseconds, not a Python call per vertex); nesting is walked without
    recursion."""
    import numpy as np

    low, high = [np.inf, np.inf], [-np.inf, -np.inf]
    stack = [geometry.get("coordinates")] if isinstance(geometry, dict) else []
    while stack:
        node = stack.pop()
        if not isinstance(node, list) or not node:
            continue
        if _is_position(node):
            points = _positions([node[:2]])
        elif _is_position(node[0]):
            points = _positions(node)
            if points is None:  # positions of mixed dimensions, or with odd members
                points = _positions([p[:2] for p in node if _is_position(p)])
        else:
            stack.extend(node)
            continue
        if points is None:
            continue
        points = points[np.isfinite(points).all(axis=1)]
        if points.size:
            low = np.minimum(low, points.min(axis=0)).tolist()
            high = np.maximum(high, points.max(axis=0)).tolist()
    if not np.isfinite(low[0]):
        return None
    return [float(low[0]), float(low[1]), float(high[0]), float(high[1])]


@check("S008", "bbox-geometry-mismatch", scope=STAC_DOCUMENT)
def bbox_geometry_mismatch(ctx: StacContext) -> Iterator[Issue]:
    """An item's bbox does not contain its geometry."""
    if ctx.doc.kind != "Item":
        return
    raw = ctx.doc.data.get("bbox")
    numbers = _numbers(raw, 6 if isinstance(raw, list) and len(raw) == 6 else 4)
    if numbers is None or (expected := _bounds(ctx.doc.data.get("geometry"))) is None:
        return
    # A 3-D bbox is west, south, low, east, north, high.
    bbox = numbers if len(numbers) == 4 else [numbers[0], numbers[1], numbers[3], numbers[4]]
    if bbox[0] > bbox[2]:
        return  # an antimeridian-crossing bbox legitimately differs from min/max
    tolerance = 1e-6
    if (
        bbox[0] > expected[0] + tolerance
        or bbox[1] > expected[1] + tolerance
        or bbox[2] < expected[2] - tolerance
        or bbox[3] < expected[3] - tolerance
    ):
        yield Issue(
            "bbox does not contain the geometry", _at(ctx, "bbox"), expected=expected, actual=raw
        )


def _collection_of(doc: StacDoc, tree: StacTree) -> StacDoc | None:
    parent = doc.parent
    if parent is not None and parent.kind == "Collection":
        return parent
    return tree.collection(doc.data.get("collection"))


@check("S009", "collection-extent-mismatch", scope=STAC_DOCUMENT)
def collection_extent_mismatch(ctx: StacContext) -> Iterator[Issue]:
    """An item lies outside its collection's spatial or temporal extent."""
    if ctx.doc.kind != "Item":
        return
    collection = _collection_of(ctx.doc, ctx.tree)
    if collection is None:
        return
    extent = _obj(collection.data.get("extent"))
    boxes = _list(_obj(extent.get("spatial")).get("bbox"))
    bbox = _numbers(ctx.doc.data.get("bbox"), 4)
    outer = _numbers(boxes[0], 4) if boxes else None
    if (
        bbox is not None
        and outer is not None
        and len(_list(boxes[0])) == 4
        and outer[0] <= outer[2]
        and (
            bbox[0] < outer[0] - 1e-9
            or bbox[1] < outer[1] - 1e-9
            or bbox[2] > outer[2] + 1e-9
            or bbox[3] > outer[3] + 1e-9
        )
    ):
        yield Issue(
            "item bbox is outside the collection's spatial extent",
            _at(ctx, "bbox"),
            expected=boxes[0],
            actual=ctx.doc.data.get("bbox"),
        )
    intervals = _list(_obj(extent.get("temporal")).get("interval"))
    props = _obj(ctx.doc.data.get("properties"))
    start = _parse_time(props.get("start_datetime") or props.get("datetime"))
    end = _parse_time(props.get("end_datetime") or props.get("datetime"))
    if intervals and isinstance(intervals[0], list) and len(intervals[0]) == 2:
        low, high = _parse_time(intervals[0][0]), _parse_time(intervals[0][1])
        if (low and start and start < low) or (high and end and end > high):
            yield Issue(
                "item time is outside the collection's temporal extent",
                _at(ctx, "properties"),
                expected=intervals[0],
                actual=[props.get("start_datetime"), props.get("end_datetime")],
            )


_NESTED_FIELDS = ("properties", "assets", "bands", "summaries", "item_assets")
_CONTAINERS = frozenset((dict, list))


def _prefixed_fields(node: Any, where: str) -> Iterator[tuple[str, str]]:
    """Every ``prefix:name`` key at the top level and inside properties, assets, bands,
    summaries and item assets, with where it is, in document order (walked without
    recursion: a deep document cannot exhaust the stack)."""
    # ("key", a prefixed key to report, its path) or ("node", a value to look inside, path)
    stack: list[tuple[str, Any, str]] = [("node", node, where)]
    while stack:
        what, value, at = stack.pop()
        if what == "key":
            yield value, at
        elif isinstance(value, dict):
            steps: list[tuple[str, Any, str]] = []
            inside_assets = at.startswith(("assets", "item_assets"))
            for key, child in value.items():
                prefixed = isinstance(key, str) and ":" in key and not key.startswith(("http", "$"))
                descend = inside_assets or key in _NESTED_FIELDS
                if prefixed or descend:
                    place = f"{at}.{key}".lstrip(".")
                    if prefixed:
                        steps.append(("key", key, place))
                    if descend:
                        steps.append(("node", child, place))
            stack.extend(reversed(steps))
        elif isinstance(value, list) and not _CONTAINERS.isdisjoint(map(type, value)):
            # only containers hold keys (a histogram's counts are skipped at C speed)
            inner = [(i, v) for i, v in enumerate(value) if isinstance(v, dict | list)]
            stack.extend(("node", v, f"{at}.{i}") for i, v in reversed(inner))


def _field_prefixes(node: Any) -> set[str]:
    """The prefixes of the fields :func:`_prefixed_fields` finds, without their places (most
    documents declare every extension they use: the places are then never needed)."""
    prefixes: set[str] = set()
    # (a value to look inside, whether it lies under the top-level assets or item assets)
    stack: list[tuple[Any, bool]] = [(node, False)]
    top = True
    while stack:
        value, inside_assets = stack.pop()
        if isinstance(value, dict):
            for key, child in value.items():
                if isinstance(key, str) and ":" in key and not key.startswith(("http", "$")):
                    prefixes.add(key.split(":", 1)[0])
                if inside_assets or key in _NESTED_FIELDS:
                    stack.append((child, inside_assets or (top and key in _ASSET_FIELDS)))
        elif isinstance(value, list) and not _CONTAINERS.isdisjoint(map(type, value)):
            stack.extend((v, inside_assets) for v in value if isinstance(v, dict | list))
        top = False
    return prefixes


_ASSET_FIELDS = ("assets", "item_assets")


@check("S010", "extension-field-undeclared", Severity.WARNING, scope=STAC_DOCUMENT)
def extension_field_undeclared(ctx: StacContext) -> Iterator[Issue]:
    """A ``prefix:`` field whose extension is not listed in stac_extensions."""
    declared = {name for ext in ctx.extensions for name in ext.names}
    if all(
        PREFIX_EXTENSIONS.get(prefix, prefix) in declared or prefix in declared
        for prefix in _field_prefixes(ctx.doc.data)
    ):
        return
    reported: set[str] = set()
    for key, where in _prefixed_fields(ctx.doc.data, ""):
        prefix = key.split(":", 1)[0]
        name = PREFIX_EXTENSIONS.get(prefix, prefix)
        if name not in declared and prefix not in declared and prefix not in reported:
            reported.add(prefix)
            yield Issue(
                f"field {key!r} belongs to an undeclared extension",
                _at(ctx, where),
                expected=f"an entry for the {name} extension in stac_extensions",
                actual=key,
            )


def asset_hrefs(data: dict[str, Any]) -> Iterator[tuple[str, dict[str, Any], bool]]:
    """Every asset of a document with an href: its key, the asset, and whether the href is
    local (a relative path or a file URL) rather than remote."""
    for key, asset in sorted(_obj(data.get("assets")).items()):
        href = asset.get("href") if isinstance(asset, dict) else None
        if isinstance(href, str):
            yield key, asset, not is_url(href)


def _local_assets(ctx: StacContext) -> Iterator[tuple[str, dict[str, Any]]]:
    """The document's local assets, when the catalog is checked with its data."""
    if not ctx.assets_on_disk:
        return
    for key, asset, local in asset_hrefs(ctx.doc.data):
        if local:
            yield key, asset


@check("S011", "asset-file-mismatch", scope=STAC_DOCUMENT)
def asset_file_mismatch(ctx: StacContext) -> Iterator[Issue]:
    """A local asset's file:size or file:checksum differs from the file on disk."""
    from tpqc.validators.engine.checksum import sha256_file

    for key, asset in _local_assets(ctx):
        path = resolve_local(asset["href"], ctx.doc.path)
        field = f"assets.{key}"
        if not path.is_file():
            continue
        size = asset.get("file:size")
        if isinstance(size, int) and size != path.stat().st_size:
            yield Issue(
                "file:size differs from the file",
                _at(ctx, f"{field}.file:size"),
                expected=size,
                actual=path.stat().st_size,
            )
        checksum = asset.get("file:checksum")
        if isinstance(checksum, str) and checksum.startswith("1220"):
            digest = "1220" + sha256_file(path)
            if digest != checksum:
                yield Issue(
                    "file:checksum differs from the file",
                    _at(ctx, f"{field}.file:checksum"),
                    expected=checksum,
                    actual=digest,
                )


@check("S014", "asset-missing", scope=STAC_DOCUMENT)
def asset_missing(ctx: StacContext) -> Iterator[Issue]:
    """A local (relative or file) asset href points to no file: the catalog was moved
    without its data, or the file is gone (``--no-assets`` checks a catalog published
    without its data)."""
    for key, asset in _local_assets(ctx):
        if not resolve_local(asset["href"], ctx.doc.path).is_file():
            yield Issue(
                "asset file not found on disk",
                _at(ctx, f"assets.{key}.href"),
                expected="an existing file",
                actual=asset["href"],
                hint="publish the data beside the catalog, or check with --no-assets when "
                "the catalog is published without its data",
            )


@check("S012", "projection-mismatch", scope=STAC_DOCUMENT)
def projection_mismatch(ctx: StacContext) -> Iterator[Issue]:
    """proj:code, proj:shape, proj:transform or proj:bbox disagree with the grid on disk (a
    file whose kind reads its header alone, such as a GeoTIFF)."""
    if ctx.doc.kind != "Item":
        return
    from tpqc.validators.grid.geo import crs_equivalent
    from tpqc.validators.kinds import kind_claiming

    props = _obj(ctx.doc.data.get("properties"))
    for key, asset in _local_assets(ctx):
        path = resolve_local(asset["href"], ctx.doc.path)
        kind = kind_claiming(path.name)
        if kind is None or not path.is_file():
            continue
        header = kind.read_header(str(path.parent), path.name)
        facts = kind.grid(header) if header is not None else None
        if facts is None or not facts.readable:
            continue
        fields = {**props, **{k: v for k, v in asset.items() if k.startswith("proj:")}}
        where = f"assets.{key}"
        shape = fields.get("proj:shape")
        if shape is not None and shape != [facts.height, facts.width]:
            yield Issue(
                "proj:shape differs from the raster",
                _at(ctx, where),
                expected=[facts.height, facts.width],
                actual=shape,
            )
        transform = _numbers(fields.get("proj:transform"), 6)
        if (
            transform is not None
            and facts.transform is not None
            and not all(
                math.isclose(a, b, rel_tol=1e-12, abs_tol=1e-9)
                for a, b in zip(transform[:6], facts.transform, strict=False)
            )
        ):
            yield Issue(
                "proj:transform differs from the raster",
                _at(ctx, where),
                expected=list(facts.transform),
                actual=fields.get("proj:transform"),
            )
        code = fields.get("proj:code")
        if isinstance(code, str) and facts.crs_wkt and not crs_equivalent(code, facts.crs_wkt):
            yield Issue(
                "proj:code differs from the raster's CRS",
                _at(ctx, where),
                expected=code,
                actual=facts.crs_wkt[:200],
            )
        bbox = _numbers(fields.get("proj:bbox"), 4)
        if (
            bbox is not None
            and facts.bounds is not None
            and not all(
                math.isclose(a, b, rel_tol=1e-12, abs_tol=1e-6)
                for a, b in zip(bbox, facts.bounds, strict=False)
            )
        ):
            yield Issue(
                "proj:bbox differs from the raster",
                _at(ctx, where),
                expected=list(facts.bounds),
                actual=fields.get("proj:bbox"),
            )
