"""The dataset record every metadata format is written from: one :class:`DatasetRecord` gathered
from the spec and the same catalog items ``tpqc stac`` builds (the union of the files'
footprints, the data's real first and last time, formats, sizes, products and their
variables), then written as DataCite 4.5 (XML or JSON), schema.org ``Dataset`` JSON-LD, ISO
19139 or DCAT (both through pygeometa).

Nothing is invented: a field the spec lacks and the data cannot give (creators'
affiliations, funding, a publisher when no provider hosts the data) is left out and named
in :attr:`DatasetRecord.left_out`; a format that requires it says so (exit 2)."""

from __future__ import annotations

import datetime as dt
import re
from dataclasses import dataclass

from tpqc.schemas.spec import Spec, TableProduct
from tpqc.stac.licenses import license_url
from tpqc.stac.tally import CatalogTally

PUBLICATION_YEAR = re.compile(r"\(((?:19|20)\d\d)[a-z]?\)|(?:^|[,.]\s*)((?:19|20)\d\d)[a-z]?[.,]")


@dataclass(frozen=True)
class Creator:
    """A creator as the spec names them: ``Lu, Ping`` gives family and given names; a name
    without a comma is kept whole (not split by guessing)."""

    name: str
    family: str | None = None
    given: str | None = None

    @classmethod
    def parse(cls, text: str) -> Creator:
        """Read ``Family, Given`` (or a whole name)."""
        family, comma, given = (p.strip() for p in text.partition(","))
        if comma and family and given:
            return cls(f"{family}, {given}", family, given)
        return cls(text.strip())


@dataclass(frozen=True)
class Variable:
    """What a product measures: a name, its unit and a description, as the spec declares."""

    name: str
    unit: str | None = None
    description: str | None = None


@dataclass(frozen=True)
class ProductRecord:
    """One product's distribution: its files' media type, count and bytes, its variables."""

    name: str
    title: str
    media_type: str
    files: int
    size: int
    variables: tuple[Variable, ...] = ()


@dataclass(frozen=True)
class DatasetRecord:
    """What every metadata format says about the dataset, from the spec and the facts."""

    identifier: str
    title: str
    description: str
    doi: str | None
    cstr: str | None
    citation: str | None
    license: str | None
    license_url: str | None
    keywords: tuple[str, ...]
    creators: tuple[Creator, ...]
    publisher: str | None
    publisher_url: str | None
    publication_year: int | None
    bbox: tuple[float, float, float, float] | None
    """West, south, east, north: the union of the files' footprints (WGS84)."""
    start: dt.datetime | None
    end: dt.datetime | None
    """The data's real first and last time (the items' intervals)."""
    resolution: str | None
    products: tuple[ProductRecord, ...]
    left_out: tuple[str, ...]
    """Fields these formats know that the spec and the data cannot give."""

    @property
    def landing_url(self) -> str | None:
        """The DOI's resolver URL, when there is a DOI."""
        return f"https://doi.org/{self.doi}" if self.doi else None

    @property
    def size(self) -> int:
        """Bytes of every file."""
        return sum(p.size for p in self.products)

    @property
    def formats(self) -> tuple[str, ...]:
        """The files' media types, once each."""
        return tuple(dict.fromkeys(p.media_type for p in self.products))


def publication_year(citation: str | None) -> int | None:
    """The year a citation gives, ``(2022)`` or ``, 2022.``."""
    found = PUBLICATION_YEAR.search(citation or "")
    if found is None:
        return None
    return int(found.group(1) or found.group(2))


def _variables(product: object) -> tuple[Variable, ...]:
    if isinstance(product, TableProduct):
        return tuple(Variable(c.name, c.unit, c.description) for c in product.columns if c.name)
    values = getattr(product, "values", None)
    name = getattr(product, "variable", None) or getattr(product, "name", "")
    description = getattr(product, "description", None)
    if values is None and not name:
        return ()
    return (Variable(str(name), getattr(values, "unit", None), description),)


def build_record(spec: Spec, tally: CatalogTally) -> DatasetRecord:
    """The record of a validated dataset from its spec and the tally of its catalog items."""
    meta = spec.dataset
    every = tally.every
    products = []
    for product in spec.products:
        found = tally.products.get(product.name)
        if found is None or not found.count:
            continue
        products.append(
            ProductRecord(
                product.name,
                product.description or product.name,
                str(found.first_media_type or "application/octet-stream"),
                found.count,
                found.size,
                _variables(product),
            )
        )
    host = next(
        (p for p in meta.providers if "host" in p.roles),
        next((p for p in meta.providers if "licensor" in p.roles), None),
    )
    publisher = host.name if host is not None else None
    left_out = ["creators' affiliations and identifiers (ORCID)", "funding references"]
    creators = tuple(Creator.parse(c) for c in meta.creators)
    if any(c.family is None for c in creators):
        left_out.append("name parts of creators written without a comma (write 'Lu, Ping')")
    if publisher is None:
        left_out.append("publisher (no provider with the role host or licensor)")
    license_id = meta.license or None
    return DatasetRecord(
        identifier=meta.doi or meta.id,
        title=meta.title,
        description=meta.description,
        doi=meta.doi or None,
        cstr=meta.cstr or None,
        citation=meta.citation or None,
        license=license_id,
        license_url=license_url(license_id) if license_id else None,
        keywords=tuple(meta.keywords),
        creators=creators,
        publisher=publisher,
        publisher_url=host.url if host is not None else None,
        publication_year=publication_year(meta.citation),
        bbox=(every.box[0], every.box[1], every.box[2], every.box[3]) if every.box else None,
        start=every.record_start,
        end=every.record_end,
        resolution=meta.temporal.resolution if meta.temporal else None,
        products=tuple(products),
        left_out=tuple(left_out),
    )
