"""Discover the files of a dataset and match each to a product of the spec."""

from __future__ import annotations

import collections
import fnmatch
from array import array
from collections.abc import Iterable, Iterator, Mapping, Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import Any, ClassVar, Protocol

from tpqc.schemas.patterns import FieldValue, FilenamePattern, compile_pattern, parse_field
from tpqc.schemas.spec import Spec
from tpqc.validators.compact import CompactMapping
from tpqc.validators.engine.listing import OddEntry, list_data_root
from tpqc.validators.engine.made_when_read import MadeWhenRead
from tpqc.validators.engine.path_index import path_order
from tpqc.validators.filename import UnmatchedFile, loose_match, near_miss_hint


class KindOfFile(Protocol):
    """What the inventory needs to know of a file kind: its name, the spec section it
    serves, and which file names it claims."""

    @property
    def name(self) -> str: ...
    @property
    def section(self) -> str: ...
    def claims(self, name: str) -> bool: ...
    def listed(self, spec: Spec) -> bool: ...


class InventoryEntry:
    """A data file matched to a product, with its parsed filename fields and the name of
    its file kind. Read-only, and small (a million live through a run): the path, the
    field values, and one record of product, kind and field names shared by the files
    that have the same (about 110 bytes besides the path, was 170)."""

    __slots__ = ("_shape", "_values", "path")
    _shapes: ClassVar[dict[tuple[str, str, tuple[str, ...]], tuple[str, str, tuple[str, ...]]]] = {}

    path: str
    _shape: tuple[str, str, tuple[str, ...]]
    _values: tuple[FieldValue, ...]

    def __init__(
        self, path: str, product: str, fields: Mapping[str, FieldValue], kind: str
    ) -> None:
        shape = (product, kind, tuple(fields))
        object.__setattr__(self, "path", path)
        object.__setattr__(self, "_shape", InventoryEntry._shapes.setdefault(shape, shape))
        object.__setattr__(self, "_values", tuple(fields.values()))

    @property
    def product(self) -> str:
        """The product the file matched."""
        return self._shape[0]

    @property
    def kind(self) -> str:
        """The name of the file's kind."""
        return self._shape[1]

    @property
    def fields(self) -> Mapping[str, FieldValue]:
        """The parsed filename fields, by name."""
        return CompactMapping.of(self._shape[2], self._values)

    def __setattr__(self, name: str, value: object) -> None:
        raise AttributeError(f"an inventory entry is read-only ({name})")

    def __eq__(self, other: object) -> bool:
        if not isinstance(other, InventoryEntry):
            return NotImplemented
        return (self.path, self.product, self.kind, dict(self.fields)) == (
            other.path,
            other.product,
            other.kind,
            dict(other.fields),
        )

    def __hash__(self) -> int:
        return hash((self.path, self._shape))

    def __repr__(self) -> str:
        return (
            f"InventoryEntry(path={self.path!r}, product={self.product!r}, "
            f"fields={dict(self.fields)!r}, kind={self.kind!r})"
        )

    def __reduce__(self) -> tuple[Any, ...]:
        return (InventoryEntry, (self.path, self.product, dict(self.fields), self.kind))

    @classmethod
    def _made(
        cls, path: str, shape: tuple[str, str, tuple[str, ...]], values: tuple[FieldValue, ...]
    ) -> InventoryEntry:
        """An entry from parts already shared (its shape one of ``_shapes``)."""
        made = cls.__new__(cls)
        object.__setattr__(made, "path", path)
        object.__setattr__(made, "_shape", shape)
        object.__setattr__(made, "_values", values)
        return made


class InventoryEntries(MadeWhenRead[InventoryEntry]):
    """The matched files in columns: each file's path, the number of its shape (product,
    kind, field names) and its field values one after another in one list; an entry is
    made when it is read (a million entries as objects, with a tuple of values each, were
    about 110 MB more)."""

    def __init__(self, entries: Iterable[InventoryEntry] = ()) -> None:
        self.paths: list[str] = []
        """Every entry's path, in the order the entries were added."""
        self._shape_of = array("I")
        self._shapes: list[tuple[str, str, tuple[str, ...]]] = []
        self._shape_number: dict[tuple[str, str, tuple[str, ...]], int] = {}
        self._values: list[FieldValue] = []
        self._first_value = array("Q")
        for entry in entries:
            self.append(entry.path, entry.product, entry.fields, entry.kind)

    def append(self, path: str, product: str, fields: Mapping[str, FieldValue], kind: str) -> None:
        """Add one matched file."""
        shape = (product, kind, tuple(fields))
        number = self._shape_number.get(shape)
        if number is None:
            number = self._shape_number[shape] = len(self._shapes)
            self._shapes.append(InventoryEntry._shapes.setdefault(shape, shape))
        self.paths.append(path)
        self._shape_of.append(number)
        self._first_value.append(len(self._values))
        self._values.extend(fields.values())

    def path_order(self) -> array[int]:
        """Each entry's position among the entries, in path order (numbers in an array: a
        list of a million entries sorted by path was about 120 MB)."""
        import numpy as np

        return array("Q", path_order(self.paths).astype(np.uint64).tobytes())

    def in_path_order(self) -> Iterator[InventoryEntry]:
        """The entries in path order, each made when reached."""
        return (self._made(position) for position in self.path_order())

    def count_of(self, product: str) -> int:
        """How many entries are of ``product`` (counted by shape, no entry made)."""
        counts = collections.Counter(self._shape_of)
        return sum(counts[n] for n, shape in enumerate(self._shapes) if shape[0] == product)

    def _made(self, index: int) -> InventoryEntry:
        shape = self._shapes[self._shape_of[index]]
        first = self._first_value[index]
        values = tuple(self._values[first : first + len(shape[2])])
        return InventoryEntry._made(self.paths[index], shape, values)

    def __len__(self) -> int:
        return len(self.paths)

    def __repr__(self) -> str:
        return f"InventoryEntries({list(self)!r})"


@dataclass(frozen=True)
class Inventory:
    """All files of the dataset: matched entries and raster-like files that match nothing."""

    root: Path
    entries: Sequence[InventoryEntry]
    """The matched files (given as any sequence, kept as :class:`InventoryEntries`)."""
    unmatched: tuple[UnmatchedFile, ...]
    odd: tuple[OddEntry, ...] = ()
    """Data-looking entries that are not readable regular files inside the root."""

    def __post_init__(self) -> None:
        if not isinstance(self.entries, InventoryEntries):
            object.__setattr__(self, "entries", InventoryEntries(self.entries))

    @property
    def matched_paths(self) -> Sequence[str]:
        """The matched files' paths, in the entries' order (no entry made)."""
        entries = self.entries
        assert isinstance(entries, InventoryEntries)
        return entries.paths

    def in_path_order(self) -> Iterator[InventoryEntry]:
        """The matched files' entries in path order, each made when reached."""
        entries = self.entries
        assert isinstance(entries, InventoryEntries)
        return entries.in_path_order()

    def count_of(self, name: str) -> int:
        """How many files match one product."""
        entries = self.entries
        assert isinstance(entries, InventoryEntries)
        return entries.count_of(name)


def _kind_of(relative: str, section: str, kinds: Sequence[KindOfFile]) -> str:
    """The kind of a matched file: the first of its product's section that claims the name,
    else that section's first kind (GDAL opens more than .tif)."""
    of_section = [k for k in kinds if k.section == section]
    for kind in of_section:
        if kind.claims(relative):
            return kind.name
    return of_section[0].name


def build_inventory(
    spec: Spec,
    kinds: Sequence[KindOfFile],
    files: Sequence[str] | None = None,
    *,
    follow_symlinks: bool = False,
) -> Inventory:
    """Match the data root's files of the listed kinds to the spec's products; data-looking
    entries that cannot be read as regular files are kept as odd entries."""
    root = spec.data_root
    listed = [k for k in kinds if k.listed(spec)]
    odd: tuple[OddEntry, ...] = ()
    compiled: list[tuple[str, FilenamePattern, str]] = [
        (
            product.name,
            compile_pattern(
                product.pattern, {k: r.regex for k, r in product.fields.items() if r.regex}
            ),
            spec.section_of(product.name),
        )
        for product in spec.products
    ]
    entries = InventoryEntries()
    unmatched: list[UnmatchedFile] = []
    # Equal field values (a million files' years, each tile's name ten times) are kept once:
    # keyed with their type, so that 1 and 1.0 stay apart.
    values_seen: dict[tuple[type, FieldValue], FieldValue] = {}
    if files is None and spec.data_url is not None:
        from tpqc.validators.engine.remote import list_remote

        files = list_remote(spec.data_url)
    elif files is None:

        def looks_like_data(name: str) -> bool:
            return any(kind.claims(name) for kind in listed)

        listing = list_data_root(root, looks_like_data, follow_symlinks=follow_symlinks)
        files = listing.files
        odd = tuple(
            e for e in listing.odd if not any(fnmatch.fnmatchcase(e.path, g) for g in spec.exclude)
        )
    for relative in files:
        if any(fnmatch.fnmatchcase(relative, glob) for glob in spec.exclude):
            continue
        if not any(kind.claims(relative) for kind in listed):
            continue
        for product_name, pattern, section in compiled:
            raw = pattern.match(relative)
            if raw is not None:
                values = {}
                for name, text in raw.items():
                    value = parse_field(name, text)
                    values[name] = values_seen.setdefault((type(value), value), value)
                kind_name = _kind_of(relative, section, kinds)
                entries.append(relative, product_name, values, kind_name)
                break
        else:
            patterns = [p for _, p, _ in compiled]
            near_product, near_fields = None, {}
            for product_name, pattern, _ in compiled:
                raw = loose_match(relative, pattern)
                if raw is not None:
                    near_product = product_name
                    near_fields = {name: parse_field(name, text) for name, text in raw.items()}
                    break
            unmatched.append(
                UnmatchedFile(
                    relative,
                    tuple(p.text for p in patterns),
                    near_miss_hint(relative, patterns),
                    near_product,
                    near_fields,
                )
            )
    return Inventory(root, entries, tuple(unmatched), odd)
