"""What a file kind is: everything tpqc does with a file of one format, declared once.

A kind (GeoTIFF, NetCDF, station table ...) is a :class:`FileKind` subclass in a package of
its own under ``validators/kinds/``, registered with one :func:`register_kind` call. The
kind names the spec section whose products it serves, the file suffixes it claims, the
modules holding its checks, whether its products form series of members named by time
fields, and where the other layers find its catalog item builder and its ``tpqc init``
inferrer (as ``module:name`` references, so the engine never imports the publisher or the
door). Its methods are how a file of the kind is read (a picklable job), judged, reported,
summarised for the dataset checks, drawn and published. Nothing outside the kind's package
and this registry branches on a kind.
"""

from __future__ import annotations

import datetime as dt
import importlib
from abc import ABC, abstractmethod
from collections.abc import Mapping
from dataclasses import dataclass
from typing import TYPE_CHECKING, Any, ClassVar, TypeVar

from tpqc.schemas.sections import Section, register_section, registered_sections
from tpqc.schemas.spec import Product, Spec
from tpqc.validators.engine.facts import FileFacts, ReadJob
from tpqc.validators.findings import Finding
from tpqc.validators.inventory import InventoryEntry
from tpqc.validators.registry import Selection

if TYPE_CHECKING:
    from tpqc.validators.dataset.summary import FileSummary
    from tpqc.validators.grid.facts import RasterFacts
    from tpqc.validators.render.pictures import FilePicture, ProductPicture

Interval = tuple[dt.datetime, dt.datetime]
DEFAULT_MAX_PIXELS = 20_000_000_000
DEFAULT_MAX_RATIO = 100_000.0
DEFAULT_MAX_BANDS = 16_384
"""GDAL's reading time grows with the square of the band count in one file (8,192 bands of
64 x 64 read in 3.5 s, 65,535 in 226 s): more bands than this is refused as implausible."""
DEFAULT_MAX_TABLE_ROWS = 50_000_000
DEFAULT_MAX_SHEET_BYTES = 256 << 20
"""Uncompressed XML of a workbook's sheets: about 2-3 million cells, ~1 GB once unpacked (a
5 MB file can hold a 1.9 GB sheet)."""


@dataclass(frozen=True)
class ReadOptions:
    """What every read of a run shares: limits, examples kept, the declared coverage."""

    max_examples: int = 5
    max_pixels: int = DEFAULT_MAX_PIXELS
    max_ratio: float = DEFAULT_MAX_RATIO
    max_bands: int = DEFAULT_MAX_BANDS
    max_table_rows: int = DEFAULT_MAX_TABLE_ROWS
    max_sheet_bytes: int = DEFAULT_MAX_SHEET_BYTES
    coverage: tuple[dt.datetime, dt.datetime] | None = None
    pictures: bool = False
    """Also take what the HTML report and the catalog draw (quicklooks, column sketches)."""


@dataclass(frozen=True)
class DataFile:
    """One matched file with everything a kind's methods judge it by: the spec, its
    product, its inventory entry and the facts of its one read."""

    spec: Spec
    product: Product
    entry: InventoryEntry
    facts: FileFacts


F = TypeVar("F", bound=FileFacts)


def narrow(facts: FileFacts, kind: type[F]) -> F:
    """The facts as the class a kind reads (a kind handed another's facts is a bug)."""
    if not isinstance(facts, kind):
        raise TypeError(f"{facts.path}: {type(facts).__name__}, not {kind.__name__}")
    return facts


def resolve(reference: str) -> Any:
    """The object a ``module:name`` reference names (a builder, an inferrer)."""
    module, _, name = reference.partition(":")
    return getattr(importlib.import_module(module), name)


class FileKind(ABC):
    """One kind of data file: its spec section, its file suffixes, and everything tpqc does
    with a file of that kind."""

    name: ClassVar[str]
    """Stable name, stored in the inventory and the report (``geotiff``, ``table``)."""
    section: ClassVar[str]
    """The spec section whose products it serves (``rasters``, ``tables``)."""
    product_model: ClassVar[type | None] = None
    """The product model of a section of its own (a pydantic dataclass with name, pattern,
    fields and description), registered with the kind; None: a section already known."""
    section_description: ClassVar[str] = ""
    """What the section of its own holds (its description in the spec's schema)."""
    suffixes: ClassVar[tuple[str, ...]]
    """File name endings it claims (lower case)."""
    facts_module: ClassVar[str | None] = None
    """The module defining its facts class (loaded before facts written elsewhere, by shards
    or the facts cache, are decoded)."""
    check_modules: ClassVar[tuple[str, ...]] = ()
    """Modules whose checks judge its files: loaded for ``tpqc checks``, ``--select`` and
    before judging."""
    series: ClassVar[bool] = False
    """Its products form series: members named by time fields, checked across files."""
    item_builder: ClassVar[str | None] = None
    """``module:function`` of the publisher that makes a file's STAC item; None: its files
    are not published."""
    inferrer: ClassVar[str | None] = None
    """``module:Class`` of the ``tpqc init`` inferrer for its files; None: init skips them."""

    def claims(self, name: str) -> bool:
        """True when a file name has one of this kind's suffixes (any letter case, stray
        trailing spaces allowed so that near-miss names are still reported)."""
        return name.rstrip().lower().endswith(self.suffixes)

    def listed(self, spec: Spec) -> bool:
        """True when files of this kind are part of the inventory of this spec."""
        return True

    @abstractmethod
    def job(self, spec: Spec, product: Product, options: ReadOptions) -> ReadJob:
        """How to read any matched file of ``product`` once: one job serves all of them
        (what a read needs to know of its file is the path it is given)."""

    @abstractmethod
    def findings(self, file: DataFile, selection: Selection) -> list[Finding]:
        """The per-file findings of the kind's checks."""

    @abstractmethod
    def describe(self, file: DataFile) -> dict[str, Any]:
        """What the report says about the file beyond its path, product and kind."""

    def report_entry(self, file: DataFile) -> dict[str, Any]:
        """The file's section of the JSON report: path, product and kind first."""
        return {
            "path": file.facts.path,
            "product": file.entry.product,
            "kind": self.name,
            **self.describe(file),
        }

    @abstractmethod
    def summary(self, file: DataFile) -> FileSummary:
        """The file as the dataset-wide checks see it."""

    def read_header(self, root: str, relative: str) -> FileFacts | None:
        """The file's header facts alone, read without decoding its values (None: the kind
        has no such read). ``check-stac`` compares an item's projection fields with them."""
        return None

    def grid(self, facts: FileFacts) -> RasterFacts | None:
        """The file seen as a grid (footprint, projection, bands), when it is one."""
        return None

    def picture(self, file: DataFile) -> FilePicture | None:
        """What the HTML report draws of the file (from facts read with ``pictures``)."""
        return None

    def thumbnail(self, file: DataFile) -> bytes | None:
        """The PNG quicklook taken during the read (with ``pictures``): the catalog item's
        thumbnail. None: the file has none."""
        picture = self.picture(file)
        return picture.quicklook.png if picture and picture.quicklook else None

    def product_picture(self, product: Product) -> ProductPicture:
        """What a product of the kind declares that its pictures are drawn against."""
        from tpqc.validators.render.pictures import ProductPicture

        return ProductPicture(product.name, self.section, product.description)

    def unpublishable(self, file: DataFile) -> str | None:
        """Why the file cannot become a catalog item (None: it can)."""
        return None if file.facts.readable else "unreadable"


_KINDS: dict[str, FileKind] = {}


def register_kind(kind: FileKind) -> None:
    """Add (or replace) a file kind; kinds are tried in the order registered. A kind with a
    spec section of its own registers the section too."""
    if kind.section not in registered_sections():
        if kind.product_model is None:
            raise ValueError(
                f"kind {kind.name!r} serves the unknown spec section {kind.section!r}: "
                "give its product_model"
            )
        register_section(
            Section(kind.section, kind.product_model, kind.section_description or kind.name)
        )
    _KINDS[kind.name] = kind


def registered_kinds() -> Mapping[str, FileKind]:
    """Every file kind by name, in the order registered."""
    return dict(_KINDS)


def load_facts_types() -> None:
    """Import every registered kind's facts module, so that facts written by another process
    (shard outputs) can be decoded."""
    for kind in _KINDS.values():
        if kind.facts_module is not None:
            importlib.import_module(kind.facts_module)


def kind_claiming(name: str) -> FileKind | None:
    """The first registered kind that claims a file name, if any."""
    return next((k for k in _KINDS.values() if k.claims(name)), None)


__all__ = [
    "DEFAULT_MAX_BANDS",
    "DEFAULT_MAX_PIXELS",
    "DEFAULT_MAX_RATIO",
    "DEFAULT_MAX_SHEET_BYTES",
    "DEFAULT_MAX_TABLE_ROWS",
    "DataFile",
    "FileKind",
    "Interval",
    "ReadOptions",
    "kind_claiming",
    "load_facts_types",
    "narrow",
    "register_kind",
    "registered_kinds",
    "resolve",
]
