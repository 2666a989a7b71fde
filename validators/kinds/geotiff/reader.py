"""Read one GeoTIFF once: its grid facts (:mod:`tpqc.validators.grid.facts`), gathered in
a single read.

This is the only module that opens a GeoTIFF. It reads the header, then every pixel
once, window by window in bounded memory, folding exact per-band statistics, a
histogram and out-of-range examples, while the file's sha256 is computed from the
same bytes in a helper thread. Statistics never come from overviews. Bad files
never raise: their facts carry GDAL's own reason instead.
"""

from __future__ import annotations

import contextlib
import dataclasses
import threading
import warnings
from collections.abc import Callable, Iterator, Mapping, Sequence
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any, ClassVar

from tpqc.validators.engine.checksum import hashed_while
from tpqc.validators.engine.facts import FactsPart, FileFacts, ReadJob, openable
from tpqc.validators.engine.remote import gdal_reason
from tpqc.validators.grid.dtypes import magnitude, stored_itemsize
from tpqc.validators.grid.facts import BandFacts, RasterFacts
from tpqc.validators.grid.quicklook import Quicklook, QuicklookSampler, shown_bands
from tpqc.validators.grid.statistics import BandAccumulator, nodata_representable
from tpqc.validators.kinds.base import DEFAULT_MAX_BANDS, DEFAULT_MAX_PIXELS, DEFAULT_MAX_RATIO

GDAL_OPTIONS: Mapping[str, str | int | bool] = {
    # No .aux.xml sidecars next to the data, ever.
    "GDAL_PAM_ENABLED": "NO",
    # A small block cache: windows are read once, so a big cache only costs memory.
    "GDAL_CACHEMAX": 16,
    "CPL_VSIL_CURL_ALLOWED_EXTENSIONS": ".tif,.tiff,.TIF,.TIFF",
    # Sidecars (.ovr, .msk, world files) are probed one by one instead of GDAL listing the
    # whole folder at every open: a folder of 400 files was read 400 times (0.2-0.4 ms an
    # open; past 1,000 entries GDAL gives up listing and probes anyway). Same files found.
    "GDAL_DISABLE_READDIR_ON_OPEN": "TRUE",
}
WINDOW_PIXELS = 1 << 20
BAND_GROUP_PIXELS = 4 << 20
"""Pixels of one read across bands: thousands of bands are read in groups within it."""
DEFAULT_MAX_BAND_BLOCKS = 50_000_000
"""Bands x blocks per band: each block read costs GDAL tens of microseconds."""
_UNCOMPRESSED_SLACK = 1.05
_REFUSE_FLOOR_BYTES = 64 << 20


@dataclass(frozen=True)
class ReadPlan(ReadJob):
    """What the single read of a GeoTIFF must know beforehand: value range, limits, examples
    kept. Big files can be read as window shares by several workers."""

    splittable: ClassVar[bool] = True
    value_min: float | None = None
    value_max: float | None = None
    max_examples: int = 5
    max_pixels: int = DEFAULT_MAX_PIXELS
    max_ratio: float = DEFAULT_MAX_RATIO
    header_only: bool = False
    quicklook: bool = False
    """Also take a quicklook during the read (for the HTML report and STAC thumbnails)."""
    max_bands: int = DEFAULT_MAX_BANDS
    max_band_blocks: int = DEFAULT_MAX_BAND_BLOCKS
    classes: tuple[int, ...] | None = None
    """A categorical product's legend: each distinct value is tallied and the quicklook
    draws one colour per class."""

    @property
    def count_values(self) -> bool:
        """Tally each distinct value (a categorical product: its classes)."""
        return self.classes is not None

    def read(self, root: str, relative: str) -> RasterFacts:
        """Read the whole file (hashing it alongside) and return its facts."""
        return dataclasses.replace(
            read_raster_facts(root, relative, self), value_range=self.value_range
        )

    @classmethod
    def warm_up(cls) -> None:
        """rasterio loaded and GDAL's drivers registered before the workers fork."""
        with gdal_env():
            pass

    def batch(self) -> contextlib.AbstractContextManager[None]:
        """tpqc's GDAL environment, entered once for a batch of files."""
        return gdal_env()

    @property
    def value_range(self) -> tuple[float | None, float | None]:
        """The declared range the read counts out-of-range pixels against."""
        return (self.value_min, self.value_max)

    def cache_form(self) -> ReadPlan:
        """Keyed without the value range: facts read against one range answer for another."""
        return dataclasses.replace(self, value_min=None, value_max=None)

    def reuse(self, cached: FileFacts) -> RasterFacts | None:
        """Facts read against another value range are exact for this one when every valid
        value lies inside it (nothing is out of range); otherwise the file is read again."""
        if not isinstance(cached, RasterFacts):
            return None
        if cached.value_range == self.value_range:
            return cached
        if not cached.decoded:
            return None
        low, high = self.value_range
        for band in cached.bands:
            if band.minimum is None or band.maximum is None:
                continue
            if (low is not None and band.minimum < low) or (
                high is not None and band.maximum > high
            ):
                return None
        bands = tuple(
            dataclasses.replace(b, out_of_range=0, out_of_range_examples=()) for b in cached.bands
        )
        return dataclasses.replace(cached, bands=bands, value_range=self.value_range)

    def read_part(self, root: str, relative: str, part: int, parts: int) -> RasterPart:
        """Read one contiguous share of the file's windows."""
        return read_raster_part(root, relative, self, part, parts)

    def assemble(self, parts: Sequence[FactsPart], sha256: str | None) -> RasterFacts:
        """Merge the shares of one file, in window order."""
        shares = [p for p in parts if isinstance(p, RasterPart)]
        if len(shares) != len(parts):
            raise TypeError("not the parts of a raster")
        return dataclasses.replace(assemble(shares, sha256, self), value_range=self.value_range)


def iter_windows(
    width: int, height: int, block: tuple[int, int], bands: int
) -> Iterator[tuple[int, int, int, int]]:
    """Windows (row, col, rows, cols) aligned to the block grid, about WINDOW_PIXELS each."""
    block_rows, block_cols = max(1, block[0]), max(1, block[1])
    budget = max(1, WINDOW_PIXELS // max(1, bands))
    if block_cols >= width:
        rows = max(block_rows, (budget // max(1, width)) // block_rows * block_rows)
        cols = width
    else:
        rows = block_rows
        cols = max(block_cols, (budget // block_rows) // block_cols * block_cols)
    for row in range(0, height, rows):
        for col in range(0, width, cols):
            yield (row, col, min(rows, height - row), min(cols, width - col))


def _refusal(
    width: int,
    height: int,
    itemsizes: list[int],
    size: int | None,
    compressed: bool,
    plan: ReadPlan,
    *,
    blocks: int = 1,
) -> str | None:
    bands = len(itemsizes)
    if bands > plan.max_bands:
        return (
            f"declares {bands} bands, over the limit of {plan.max_bands} (reading time grows "
            "with the square of the band count)"
        )
    if bands * blocks > plan.max_band_blocks:
        return (
            f"declares {bands} bands x {blocks} blocks = {bands * blocks} block reads, over "
            f"the limit of {plan.max_band_blocks}"
        )
    pixels = width * height * bands
    declared = width * height * sum(itemsizes)
    if pixels > plan.max_pixels:
        return (
            f"declares {width} x {height} x {len(itemsizes)} pixels, "
            f"over the limit of {plan.max_pixels}"
        )
    if declared < _REFUSE_FLOOR_BYTES or size is None:
        return None
    limit = plan.max_ratio if compressed else _UNCOMPRESSED_SLACK
    if declared > size * limit:
        kind = "compressed" if compressed else "uncompressed"
        return (
            f"declares {width} x {height} x {len(itemsizes)} pixels ({declared} bytes) in a "
            f"{size}-byte {kind} file: truncated or hostile, not decoded"
        )
    return None


@dataclass
class RasterPart(FactsPart):
    """What one reader established about a file and its share of the windows; the parts of
    one file merge into its RasterFacts."""

    relative: str
    size: int | None
    open_error: str | None = None
    header: dict[str, Any] | None = None
    band_headers: list[BandFacts] = field(default_factory=list)
    refused: str | None = None
    accumulators: list[BandAccumulator] = field(default_factory=list)
    decode_error: str | None = None
    decode_window: tuple[int, int] | None = None
    quicklook: QuicklookSampler | None = None


_ENV_DEPTH = threading.local()


@contextlib.contextmanager
def gdal_env() -> Iterator[None]:
    """rasterio's environment with tpqc's GDAL options; inside one already, nothing more
    (entering an environment per small file costs more than reading it)."""
    import rasterio

    depth = getattr(_ENV_DEPTH, "value", 0)
    if depth:
        _ENV_DEPTH.value = depth + 1
        try:
            yield
        finally:
            _ENV_DEPTH.value = depth
        return
    from tpqc.validators.engine.buckets import gdal_config

    # an S3-compatible endpoint named the usual way (AWS_ENDPOINT_URL), as GDAL spells it
    with rasterio.Env(**GDAL_OPTIONS, **gdal_config()):
        _ENV_DEPTH.value = 1
        try:
            yield
        finally:
            _ENV_DEPTH.value = 0


def read_raster_part(
    root: str, relative: str, plan: ReadPlan = ReadPlan(), part: int = 0, parts: int = 1
) -> RasterPart:
    """Open one GeoTIFF read-only and read the ``part``-th of ``parts`` contiguous shares of
    its windows (all of them by default). Never raises for bad data."""
    import rasterio

    full, size_of = _locate(root, relative)
    try:
        size = size_of()
    except OSError as exc:
        return RasterPart(relative, None, open_error=str(exc))
    with warnings.catch_warnings(), gdal_env(), openable(full) as reachable:
        warnings.simplefilter("ignore")
        try:
            dataset = rasterio.open(reachable, "r", sharing=False)
        except Exception as exc:  # any GDAL failure to open is a finding, not a crash
            return RasterPart(relative, size, open_error=gdal_reason(exc))
        with dataset:
            try:
                header = _header(dataset)
                band_headers = _band_headers(dataset)
            except Exception as exc:
                return RasterPart(relative, size, open_error=gdal_reason(exc))
            itemsizes = [stored_itemsize(b.dtype) for b in band_headers]
            compressed = header["compression"] is not None
            block_rows, block_cols = header["block_shape"]
            blocks = -(-dataset.height // max(1, block_rows)) * -(
                -dataset.width // max(1, block_cols)
            )
            refused = _refusal(
                dataset.width, dataset.height, itemsizes, size, compressed, plan, blocks=blocks
            )
            result = RasterPart(
                relative,
                size,
                header=header,
                band_headers=band_headers,
                refused=refused,
                accumulators=[
                    BandAccumulator(
                        b.nodata,
                        plan.value_min,
                        plan.value_max,
                        plan.max_examples,
                        count_values=plan.count_values,
                    )
                    for b in band_headers
                ],
            )
            if result.refused is not None or plan.header_only:
                return result
            if plan.quicklook:
                shown = shown_bands(dataset.count, [b.dtype for b in band_headers])
                result.quicklook = QuicklookSampler(
                    dataset.width,
                    dataset.height,
                    shown,
                    legend=plan.classes,
                    colour_table={v: (r, g, b) for v, r, g, b in header["colour_table"]},
                )
            windows = list(
                iter_windows(dataset.width, dataset.height, header["block_shape"], dataset.count)
            )
            share = windows[part * len(windows) // parts : (part + 1) * len(windows) // parts]
            _read_windows(dataset, share, result)
    return result


def _ceil_div(size: int, block: int) -> int:
    return -(-size // max(1, block))


def _read_windows(
    dataset: Any, windows: Sequence[tuple[int, int, int, int]], result: RasterPart
) -> None:
    """Fold every window into the band accumulators, reading as many bands at a time as fit
    the memory budget (one read for a few bands; groups of bands for thousands)."""
    from rasterio.windows import Window

    count = len(result.accumulators)
    for row, col, rows, cols in windows:
        group = max(1, min(count, BAND_GROUP_PIXELS // max(1, rows * cols)))
        for start in range(0, count, group):
            indexes = list(range(start + 1, min(count, start + group) + 1))
            try:
                if len(indexes) == count:
                    data = dataset.read(window=Window(col, row, cols, rows))
                else:
                    data = dataset.read(indexes=indexes, window=Window(col, row, cols, rows))
            except Exception as exc:
                result.decode_error, result.decode_window = gdal_reason(exc), (row, col)
                return
            for offset, band in enumerate(indexes):
                accumulator = result.accumulators[band - 1]
                block = data[offset]
                if block.dtype.kind == "c":  # summarised by magnitude, as GDAL does
                    block = magnitude(block, accumulator.nodata)
                accumulator.add_block(block, row, col)
                if result.quicklook is not None:
                    result.quicklook.add(band, block, row, col, accumulator.nodata)


def assemble(parts: Sequence[RasterPart], sha256: str | None, plan: ReadPlan) -> RasterFacts:
    """Merge the parts of one file (in window order) into its facts."""
    first = parts[0]
    if first.open_error is not None or first.header is None:
        return RasterFacts(
            path=first.relative,
            size_bytes=first.size,
            sha256=sha256,
            open_error=first.open_error or "no header",
        )
    failed = [p for p in parts if p.decode_error is not None]
    decode_error = failed[0].decode_error if failed else None
    decode_window = failed[0].decode_window if failed else None
    accumulators = first.accumulators
    for other in parts[1:]:
        for mine, theirs in zip(accumulators, other.accumulators, strict=True):
            mine.merge(theirs)
    complete = first.refused is None and decode_error is None and not plan.header_only
    bands = tuple(
        _band_facts(b, a, complete) for b, a in zip(first.band_headers, accumulators, strict=True)
    )
    return RasterFacts(
        path=first.relative,
        size_bytes=first.size,
        sha256=sha256,
        decode_error=decode_error,
        decode_window=decode_window,
        refused=first.refused,
        pixels_read=complete,
        bands=bands,
        quicklook=_quicklook(parts, bands) if complete else None,
        **first.header,
    )


def _quicklook(parts: Sequence[RasterPart], bands: Sequence[BandFacts]) -> Quicklook | None:
    samplers = [p.quicklook for p in parts if p.quicklook is not None]
    if not samplers:
        return None
    sampler = samplers[0]
    for other in samplers[1:]:
        sampler.merge(other)
    return sampler.render([bands[b - 1].histogram for b in sampler.bands])


def _locate(root: str, relative: str) -> tuple[str, Callable[[], int | None]]:
    """The path GDAL opens and how to learn the file's size (local or remote)."""
    from tpqc.schemas.locations import is_remote
    from tpqc.validators.engine.remote import gdal_path, object_location, remote_size

    if is_remote(root):
        return gdal_path(root, relative), lambda: remote_size(object_location(root, relative))
    full = str(Path(root) / relative)
    return full, lambda: Path(full).stat().st_size


def read_raster_facts(root: str, relative: str, plan: ReadPlan = ReadPlan()) -> RasterFacts:
    """Open one GeoTIFF read-only, read it once, and return every fact about it."""
    part, digest = hashed_while(
        root, relative, lambda: read_raster_part(root, relative, plan), enabled=not plan.header_only
    )
    return assemble([part], digest, plan)


def _header(dataset: Any) -> dict[str, Any]:
    transform = dataset.transform
    identity = transform.is_identity
    gcps, _ = dataset.gcps
    structure = dataset.tags(ns="IMAGE_STRUCTURE")
    compression = dataset.compression.value if dataset.compression is not None else None
    try:
        overviews = tuple(int(f) for f in dataset.overviews(1)) if dataset.count else ()
    except Exception:  # an unreadable overview list must not hide the base image
        overviews = ()
    tiled = bool(dataset.profile.get("tiled", False))  # rasterio builds the profile anew
    tags = dataset.tags()
    return {
        "driver": dataset.driver,
        "width": int(dataset.width),
        "height": int(dataset.height),
        "count": int(dataset.count),
        "crs_wkt": dataset.crs.to_wkt() if dataset.crs is not None else None,
        "transform": tuple(float(v) for v in transform[:6]),
        "has_geotransform": not identity,
        "gcp_count": len(gcps),
        # Asking for RPCs probes some 46 sidecar names (.RPB, _rpc.txt, .IMD ...): 50 us a
        # file, asked only where they would be the file's only georeferencing.
        "has_rpc": identity and not gcps and bool(dataset.rpcs),
        "block_shape": tuple(int(v) for v in dataset.block_shapes[0]) if dataset.count else (1, 1),
        "tiled": tiled,
        "compression": compression,
        "interleave": dataset.interleaving.value if dataset.interleaving is not None else None,
        "layout": structure.get("LAYOUT"),
        "area_or_point": tags.get("AREA_OR_POINT"),
        "overviews": overviews,
        "cog": _has_cog_layout(dataset, structure, overviews, tiled),
        "tags": {k: v for k, v in sorted(tags.items()) if len(v) < 1000},
        "colour_table": _colour_table(dataset),
    }


MAX_COLOUR_ENTRIES = 4096
"""Colour tables longer than this (a 16-bit palette) are not kept: no legend is that long."""


def _colour_table(dataset: Any) -> tuple[tuple[int, int, int, int], ...]:
    """Band 1's colour table when its colour interpretation is a palette; () otherwise."""
    from rasterio.enums import ColorInterp

    if not dataset.count or dataset.colorinterp[0] != ColorInterp.palette:
        return ()
    try:
        table = dataset.colormap(1)
    except ValueError:  # a palette band without a table
        return ()
    if len(table) > MAX_COLOUR_ENTRIES:
        return ()
    return tuple(
        (int(value), int(rgba[0]), int(rgba[1]), int(rgba[2]))
        for value, rgba in sorted(table.items())
    )


def _tiff_offset(dataset: Any, item: str) -> int | None:
    value = dataset.get_tag_item(item, "TIFF", bidx=1)
    return int(value) if value not in (None, "") else None


def _has_cog_layout(
    dataset: Any, structure: Mapping[str, str], overviews: tuple[int, ...], tiled: bool
) -> bool:
    """True when the file really is cloud-optimised: tiled, overviews when large, and every
    header before the pixel data with the smallest overview's data before the full image's."""
    if dataset.driver != "GTiff" or not dataset.count:
        return False
    if structure.get("LAYOUT") == "COG":
        return True  # written by GDAL's COG driver, which guarantees the layout
    if not tiled:
        return False
    if max(dataset.width, dataset.height) > 512 and not overviews:
        return False
    ifd, data = _tiff_offset(dataset, "IFD_OFFSET"), _tiff_offset(dataset, "BLOCK_OFFSET_0_0")
    if ifd is None or data is None or ifd > data:
        return False
    if overviews:
        import rasterio

        with rasterio.open(dataset.name, overview_level=len(overviews) - 1) as smallest:
            ovr_ifd = _tiff_offset(smallest, "IFD_OFFSET")
            ovr_data = _tiff_offset(smallest, "BLOCK_OFFSET_0_0")
        if ovr_ifd is None or ovr_data is None or ovr_ifd > data or ovr_data > data:
            return False
    return True


def _unit_tag(dataset: Any, band: int) -> str | None:
    """A band's ``units`` (or ``unit``) metadata tag, where GDAL's unit type is empty."""
    tags = dataset.tags(band)
    unit = tags.get("units") or tags.get("unit") or tags.get("UNITS")
    return str(unit).strip() or None if unit else None


def _band_headers(dataset: Any) -> list[BandFacts]:
    # rasterio computes each of these tuples over every band on each access: take them
    # once, or the header read is quadratic in the band count.
    nodatas, dtypes = dataset.nodatavals, dataset.dtypes
    descriptions, units = dataset.descriptions, dataset.units
    scales, offsets = dataset.scales, dataset.offsets
    return [
        BandFacts(
            index=i + 1,
            dtype=dtypes[i],
            nodata=nodatas[i],
            nodata_representable=nodatas[i] is None or nodata_representable(nodatas[i], dtypes[i]),
            description=descriptions[i],
            unit=units[i] or _unit_tag(dataset, i + 1),
            scale=float(scales[i]),
            offset=float(offsets[i]),
        )
        for i in range(dataset.count)
    ]


def _band_facts(header: BandFacts, acc: BandAccumulator, complete: bool) -> BandFacts:
    if not complete:
        return header
    has_values = acc.valid > 0
    return dataclasses.replace(
        header,
        pixels=acc.total,
        valid=acc.valid,
        nodata_count=acc.nodata_count,
        nan_count=acc.nan_count,
        inf_count=acc.inf_count,
        minimum=acc.minimum if has_values else None,
        maximum=acc.maximum if has_values else None,
        mean=acc.mean if has_values else None,
        stddev=acc.std,
        histogram=acc.histogram.to_json() if has_values else None,
        out_of_range=acc.out_of_range,
        out_of_range_examples=tuple(acc.examples),
        first_nan=acc.first_nan,
        first_inf=acc.first_inf,
        value_counts=tuple(sorted(acc.value_counts.items())) if acc.count_values else None,
        too_many_values=acc.too_many_values,
    )
