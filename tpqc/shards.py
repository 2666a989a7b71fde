"""Shards: validate a dataset as N independent slices (one task per slice under a workflow
engine), then merge them as if one process had read everything.

A file belongs to shard ``K/N`` by a hash of its path (stable: re-runs and retries read the
same files). Each shard lists the whole data root, unless ``tpqc list`` wrote the listing
once into the shards' folder (:data:`LISTING_NAME`: a bucket of a million objects is then
listed once, not N times); it reads only its own files, and
writes one JSON document (:data:`SHARD_FORMAT`) beside the others: the spec it ran against,
the inventory, the run's options, its files' facts and their per-file findings. Merging
checks that every shard of the set is there exactly once and that all saw the same spec,
inventory and options, then judges the merged facts with the very code a single run uses:
the report (and the catalog built from it) is byte-identical to a single run's. No data file
is read again.
"""

from __future__ import annotations

import hashlib
import json
import posixpath
import re
from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from tpqc.errors import UsageError
from tpqc.pipeline import (
    GatheredFacts,
    RunPlan,
    ValidateOptions,
    file_findings,
    plan_run,
    read_planned,
)
from tpqc.schemas.identity import TOOL_VERSION
from tpqc.schemas.patterns import FieldValue
from tpqc.schemas.spec import Spec, parse_spec
from tpqc.schemas.yaml_source import MAX_SPEC_BYTES
from tpqc.validators.engine.facts_codec import (
    FactsFormatError,
    decode_facts,
    decode_value,
    encode_facts,
    encode_value,
)
from tpqc.validators.engine.facts_store import FactsStore
from tpqc.validators.engine.json_values import dumps
from tpqc.validators.engine.listing import OddEntry
from tpqc.validators.filename import UnmatchedFile
from tpqc.validators.findings import Finding, Report, Severity
from tpqc.validators.inventory import Inventory, InventoryEntry
from tpqc.validators.kinds import load_facts_types
from tpqc.validators.registry import Selection, without_explained

SHARD_FORMAT = "tpqc-shard/1"
LISTING_FORMAT = "tpqc-listing/1"
LISTING_NAME = "tpqc-listing.json"
_NAME = re.compile(r"^tpqc-shard-(\d+)-of-(\d+)\.json$")


@dataclass(frozen=True)
class Shard:
    """The K-th (1-based) of N slices of a dataset's files."""

    index: int
    count: int

    @classmethod
    def parse(cls, text: str) -> Shard:
        """``3/8``: the third of eight shards (shards are numbered 1..N)."""
        found = re.fullmatch(r"\s*(\d+)\s*/\s*(\d+)\s*", text)
        if not found:
            raise UsageError(f"--shard {text!r}: write K/N, e.g. 3/8")
        index, count = int(found.group(1)), int(found.group(2))
        if not 1 <= index <= count:
            raise UsageError(
                f"--shard {text}: shards are numbered 1..N (1/{count} .. {count}/{count})"
            )
        return cls(index, count)

    def holds(self, path: str) -> bool:
        """True when the file with this path (relative to the data root) is this shard's."""
        return shard_of(path, self.count) == self.index

    @property
    def file_name(self) -> str:
        """Where the shard's document is written inside --facts-out."""
        return f"tpqc-shard-{self.index}-of-{self.count}.json"

    def __str__(self) -> str:
        return f"{self.index}/{self.count}"


def shard_of(path: str, count: int) -> int:
    """The 1-based shard a path belongs to: a hash of the path, never of its position."""
    digest = hashlib.sha256(path.encode("utf-8", "surrogateescape")).digest()
    return int.from_bytes(digest[:8], "big") % count + 1


def _selection_json(selection: Selection) -> dict[str, Any]:
    return {
        "selected": sorted(selection.selected) if selection.selected is not None else None,
        "ignored": sorted(selection.ignored),
        "severities": [[code, severity.label] for code, severity in selection.severities],
    }


def _selection(raw: Mapping[str, Any]) -> Selection:
    selected = raw.get("selected")
    return Selection(
        selected=frozenset(selected) if selected is not None else None,
        ignored=frozenset(raw.get("ignored", ())),
        severities=tuple(
            (code, Severity.parse(label)) for code, label in raw.get("severities", ())
        ),
    )


def run_options(options: ValidateOptions) -> dict[str, Any]:
    """The options that shape what a run reads and reports (all shards must agree)."""
    return {
        "selection": _selection_json(options.selection),
        "fail_on": options.fail_on.label,
        "online": options.online,
        "max_examples": options.max_examples,
        "max_pixels": options.max_pixels,
        "max_ratio": options.max_ratio,
        "max_bands": options.max_bands,
        "max_table_rows": options.max_table_rows,
        "max_sheet_bytes": options.max_sheet_bytes,
        "follow_symlinks": options.follow_symlinks,
        "pictures": options.pictures,
    }


def _inventory_json(inventory: Inventory) -> dict[str, Any]:
    return {
        "root": str(inventory.root),
        "entries": [_entry_json(e) for e in inventory.entries],
        "unmatched": encode_value(inventory.unmatched),
        "odd": encode_value(inventory.odd),
    }


def _entry_json(entry: InventoryEntry) -> dict[str, Any]:
    """An inventory entry as the shard output holds it (what the codec gives a dataclass
    of path, product, fields and kind)."""
    return {
        "path": entry.path,
        "product": entry.product,
        "fields": encode_value(entry.fields),
        "kind": entry.kind,
    }


def _entry(raw: Mapping[str, Any]) -> InventoryEntry:
    """An inventory entry from a shard output; FactsFormatError when it does not fit."""
    if set(raw) != {"path", "product", "fields", "kind"}:
        raise FactsFormatError(f"an inventory entry has the keys {sorted(raw)}")
    fields = decode_value(Mapping[str, FieldValue], raw["fields"])
    path, product, kind = (decode_value(str, raw[key]) for key in ("path", "product", "kind"))
    return InventoryEntry(path, product, fields, kind)


def _list_of_objects(raw: Any, what: str) -> list[Mapping[str, Any]]:
    if not isinstance(raw, list) or not all(isinstance(item, dict) for item in raw):
        raise FactsFormatError(f"{what} must be a list of objects")
    return raw


def _inventory(raw: Mapping[str, Any]) -> Inventory:
    return Inventory(
        Path(raw["root"]),
        tuple(_entry(e) for e in _list_of_objects(raw["entries"], "entries")),
        decode_value(tuple[UnmatchedFile, ...], raw["unmatched"]),
        decode_value(tuple[OddEntry, ...], raw["odd"]),
    )


def run_shard(
    spec: Spec,
    spec_text: str,
    data_override: str | None,
    options: ValidateOptions,
    shard: Shard,
    out: Path,
) -> Report:
    """Read this shard's files, write its document into ``out``, and return the report of
    its own files' per-file findings (the dataset-wide checks wait for the merge)."""
    from tpqc.validators.engine.atomic import write_text_atomic

    plan = plan_run(spec, options, inventory=load_listing(spec, data_override, options, out))
    mine = RunPlan(spec, plan.inventory, tuple(j for j in plan.jobs if shard.holds(j[1])))
    facts = read_planned(mine, options)
    findings = without_explained(file_findings(spec, plan.inventory, facts, options.selection))
    document = {
        "format": SHARD_FORMAT,
        "tool_version": TOOL_VERSION,
        "shard": {"index": shard.index, "count": shard.count},
        "spec": {
            "path": str(spec.path),
            "sha256": spec.sha256,
            "text": spec_text,
            "data": data_override,
        },
        "options": run_options(options),
        "inventory": _inventory_json(plan.inventory),
        "facts": [encode_facts(facts[path]) for path in sorted(facts)],
        "findings": [f.to_json() for f in sorted(findings, key=Finding.sort_key)],
    }
    out.mkdir(parents=True, exist_ok=True)
    write_text_atomic(out / shard.file_name, dumps(document))
    entries = {e.path: e for e in plan.inventory.entries}
    files = [{"path": path, "product": entries[path].product} for path in sorted(facts)]
    return Report.build(
        str(spec.path), spec.location, findings, files, options.fail_on, dataset_id=spec.dataset.id
    )


def write_listing(
    spec: Spec, data_override: str | None, options: ValidateOptions, out: Path
) -> Inventory:
    """List the data root once and write it into the shards' folder, where every shard
    (``--facts-out`` the same folder) takes it instead of listing again."""
    from tpqc.validators.engine.atomic import write_text_atomic

    inventory = plan_run(spec, options).inventory
    document = {
        "format": LISTING_FORMAT,
        "tool_version": TOOL_VERSION,
        "spec": {"sha256": spec.sha256, "data": data_override},
        "follow_symlinks": options.follow_symlinks,
        "inventory": _inventory_json(inventory),
    }
    out.mkdir(parents=True, exist_ok=True)
    write_text_atomic(out / LISTING_NAME, dumps(document))
    return inventory


def load_listing(
    spec: Spec, data_override: str | None, options: ValidateOptions, out: Path
) -> Inventory | None:
    """The listing ``tpqc list`` wrote into the shards' folder, or None when there is none.
    A listing of another spec, data root, tool version or symlink rule is refused (exit 2):
    a shard never reads by a stale plan."""
    path = out / LISTING_NAME
    if not path.is_file():
        return None
    try:
        document = json.loads(path.read_text(encoding="utf-8"))
    except (OSError, ValueError, RecursionError) as exc:
        raise ShardFormatError(f"{path}: not a readable tpqc listing ({exc!r})") from None
    if not isinstance(document, dict) or document.get("format") != LISTING_FORMAT:
        raise ShardFormatError(f"{path}: not a tpqc listing ({LISTING_FORMAT})")
    written = document.get("spec")
    expected = {"sha256": spec.sha256, "data": data_override}
    if document.get("tool_version") != TOOL_VERSION or written != expected:
        raise ShardFormatError(
            f"{path}: listed for another spec, data root or tpqc version; run tpqc list again"
        )
    if document.get("follow_symlinks") != options.follow_symlinks:
        raise ShardFormatError(f"{path}: listed with another --follow-symlinks; list again")
    raw = document.get("inventory")
    try:
        inventory = _inventory(raw if isinstance(raw, dict) else {})
    except (KeyError, TypeError, FactsFormatError) as exc:
        raise ShardFormatError(f"{path}: damaged listing ({exc!r})") from exc
    if str(inventory.root) != str(spec.data_root):
        raise ShardFormatError(f"{path}: lists {inventory.root}, not {spec.location}; refused")
    _inside_root(path, (e.path for e in inventory.entries), "inventory entry")
    _inside_root(path, (u.path for u in inventory.unmatched), "unmatched entry")
    _inside_root(path, (o.path for o in inventory.odd), "odd entry")
    return inventory


@dataclass(frozen=True)
class MergedRun:
    """What a complete set of shards gathered: the spec, and the inventory, facts and
    options to judge them with."""

    spec: Spec
    gathered: GatheredFacts
    shards: int


def shard_files(folders: Iterable[Path]) -> list[Path]:
    """Every shard document in the given folders (or shard files given directly)."""
    found: list[Path] = []
    for folder in folders:
        if folder.is_file():
            found.append(folder)
            continue
        if not folder.is_dir():
            raise UsageError(f"{folder}: no such folder of shard outputs")
        found += sorted(p for p in folder.iterdir() if _NAME.match(p.name))
    if not found:
        raise UsageError(
            "no shard outputs (tpqc-shard-K-of-N.json) in " + ", ".join(map(str, folders))
        )
    return found


class ShardFormatError(UsageError):
    """A shard output that is damaged, incomplete or names files outside the data root."""


_SHAPE: dict[str, type] = {
    "shard": dict,
    "spec": dict,
    "options": dict,
    "inventory": dict,
    "facts": list,
    "findings": list,
}


def _read(path: Path) -> dict[str, Any]:
    """A shard document, its shape checked: shards are untrusted input (a crafted or
    damaged one is a refusal naming it, never a crash)."""
    try:
        document = json.loads(path.read_text(encoding="utf-8"))
    except RecursionError:
        raise ShardFormatError(f"{path}: not a readable shard output (nested too deep)") from None
    except (OSError, ValueError) as exc:
        raise ShardFormatError(f"{path}: not a readable shard output ({exc})") from exc
    if not isinstance(document, dict) or document.get("format") != SHARD_FORMAT:
        raise ShardFormatError(f"{path}: not a tpqc shard output ({SHARD_FORMAT})")
    if document.get("tool_version") != TOOL_VERSION:
        raise ShardFormatError(
            f"{path}: written by tpqc {document.get('tool_version')}, this is {TOOL_VERSION}"
        )
    for key, kind in _SHAPE.items():
        if not isinstance(document.get(key), kind):
            raise ShardFormatError(
                f"{path}: damaged shard output: {key!r} missing or not a {kind.__name__}"
            )
    shard, spec = document["shard"], document["spec"]
    index, count = shard.get("index"), shard.get("count")
    if not (isinstance(index, int) and isinstance(count, int) and 1 <= index <= count):
        raise ShardFormatError(f"{path}: damaged shard output: 'shard' needs 1 <= index <= count")
    text = spec.get("text")
    if not isinstance(text, str) or not isinstance(spec.get("path"), str):
        raise ShardFormatError(f"{path}: damaged shard output: 'spec' needs path and text")
    if len(text.encode("utf-8", "surrogateescape")) > MAX_SPEC_BYTES:
        raise ShardFormatError(f"{path}: the spec it carries is larger than a spec may be")
    return document


def safe_relative(path: object) -> bool:
    """True for a path that stays inside the data root: relative, normalised, no ``..``."""
    if not isinstance(path, str) or not path or "\x00" in path or path.startswith("/"):
        return False
    parts = path.split("/")
    return posixpath.normpath(path) == path and not any(p in ("", ".", "..") for p in parts)


def _inside_root(where: Path, paths: Iterable[str | None], what: str) -> None:
    for path in paths:
        if path is not None and not safe_relative(path):
            raise ShardFormatError(
                f"{where}: {what} {path!r} is not a path inside the data root (relative, "
                "normalised, no '..'); refused"
            )


def _complete(documents: Sequence[tuple[Path, dict[str, Any]]]) -> int:
    """The shard count N, when every shard 1..N is there exactly once."""
    counts = {int(d["shard"]["count"]) for _, d in documents}
    if len(counts) != 1:
        raise UsageError(f"shard outputs of different splits mixed: of {sorted(counts)} shards")
    (count,) = counts
    seen: dict[int, Path] = {}
    for path, document in documents:
        index = int(document["shard"]["index"])
        if index in seen:
            raise UsageError(f"shard {index}/{count} given twice: {seen[index]} and {path}")
        seen[index] = path
    missing = [f"{i}/{count}" for i in range(1, count + 1) if i not in seen]
    if missing:
        raise UsageError(f"shard {', '.join(missing)} missing: every shard 1..{count} is needed")
    return count


def _agree(documents: Sequence[tuple[Path, dict[str, Any]]], key: str, what: str) -> Any:
    first_path, first = documents[0]
    for path, document in documents[1:]:
        if document[key] != first[key]:
            raise UsageError(f"{path} and {first_path} ran with different {what}")
    return first[key]


def merge_shards(folders: Iterable[Path], spec_path: Path | None = None) -> MergedRun:
    """Load a complete set of shards; a missing, repeated or foreign shard is a UsageError
    naming it. ``spec_path``, when given, must be the spec the shards ran against."""
    documents = [(path, _read(path)) for path in shard_files(folders)]
    count = _complete(documents)
    spec_doc = _agree(documents, "spec", "specs")
    raw_options = _agree(documents, "options", "options")
    raw_inventory = _agree(documents, "inventory", "inventories (did the data change?)")
    spec = parse_spec(spec_doc["text"], Path(spec_doc["path"]), spec_doc.get("data"))
    if spec_path is not None:
        given = hashlib.sha256(spec_path.read_bytes()).hexdigest()
        if given != spec.sha256:
            raise UsageError(
                f"{spec_path} is not the spec the shards validated ({spec_doc['path']})"
            )
    where = documents[0][0]
    try:
        inventory = _inventory(raw_inventory)
    except (KeyError, TypeError, FactsFormatError) as exc:
        raise ShardFormatError(f"{where}: damaged inventory ({exc!r})") from exc
    if str(inventory.root) != str(spec.data_root):  # a remote root is its location as a Path
        raise ShardFormatError(
            f"{where}: the inventory's root {str(inventory.root)!r} is not the spec's data "
            f"root {spec.location!r}; refused"
        )
    _inside_root(where, (e.path for e in inventory.entries), "inventory entry")
    _inside_root(where, (u.path for u in inventory.unmatched), "unmatched entry")
    _inside_root(where, (o.path for o in inventory.odd), "odd entry")
    load_facts_types()
    facts = FactsStore()
    for path, document in documents:
        for raw in document["facts"]:
            try:
                fact = decode_facts(raw)
            except FactsFormatError as exc:
                raise ShardFormatError(f"{path}: damaged facts ({exc})") from exc
            _inside_root(path, [fact.path], "facts of")
            if fact.path in facts:
                raise UsageError(f"{fact.path} read by two shards (one of them is {path})")
            facts.put(fact)
    missing = [e.path for e in inventory.entries if e.path not in facts]
    if missing:
        raise UsageError(f"no shard read {missing[0]} ({len(missing)} files unread)")
    try:
        options = _options(raw_options)
    except (KeyError, TypeError, ValueError) as exc:
        raise ShardFormatError(f"{where}: damaged options ({exc!r})") from exc
    return MergedRun(spec, GatheredFacts(inventory, facts, options), count)


def _options(raw_options: Mapping[str, Any]) -> ValidateOptions:
    return ValidateOptions(
        selection=_selection(raw_options["selection"]),
        fail_on=Severity.parse(raw_options["fail_on"]),
        online=raw_options["online"],
        max_examples=raw_options["max_examples"],
        max_pixels=raw_options["max_pixels"],
        max_ratio=raw_options["max_ratio"],
        max_bands=raw_options["max_bands"],
        max_table_rows=raw_options["max_table_rows"],
        max_sheet_bytes=raw_options["max_sheet_bytes"],
        follow_symlinks=raw_options["follow_symlinks"],
        pictures=raw_options["pictures"],
    )


__all__ = [
    "MergedRun",
    "Shard",
    "ShardFormatError",
    "merge_shards",
    "run_shard",
    "safe_relative",
    "shard_files",
    "shard_of",
]
