"""Publish a STAC catalog of N items from synthetic facts, to measure how `tpqc stac`
scales with the number of items (link resolution, id uniqueness, the self-check, writing).

    python benchmarks/big_catalog.py 10000 /tmp/catalog-10k

The facts of one real small GeoTIFF (read once) are copied to N tiles of a yearly series
with their own paths, positions and checksums, and put in a facts store as the read or a
merge of shards puts them (past a few thousand files: its temporary file); their names
are matched to the spec as a run matches the data root's listing; the catalog is then
built, checked and written exactly as after a validation. No data file is read per
item, so the numbers are the catalog's own cost. Prints the wall time of each stage, the
publication's CPU time and the peak RSS when it ends (the facts made up front included).
"""

from __future__ import annotations

import dataclasses
import hashlib
import os
import resource
import shutil
import sys
import tempfile
import time
from pathlib import Path

YEARS = 10


def main() -> None:
    count = int(sys.argv[1])
    target = Path(sys.argv[2])
    started = time.perf_counter()
    from tpqc.examples.wudaoliang.generate import alt_field, write_alt
    from tpqc.init.values import outward_extent
    from tpqc.pipeline import GatheredFacts, PublishOptions, ValidateOptions, publish
    from tpqc.schemas.spec import parse_spec
    from tpqc.validators.engine.facts_store import FactsStore
    from tpqc.validators.inventory import build_inventory
    from tpqc.validators.kinds import registered_kinds
    from tpqc.validators.kinds.geotiff.reader import ReadPlan, read_raster_facts

    work = Path(tempfile.mkdtemp(prefix="tpqc-big-catalog-"))
    write_alt(work / "one.tif", alt_field(2017))
    template = read_raster_facts(str(work), "one.tif", ReadPlan(value_min=0.0, value_max=10.0))
    assert template.transform is not None
    a, b, _, d, e, _ = template.transform
    tiles = max(1, count // YEARS)
    paths, facts = [], FactsStore()
    west_most, south_most, east_most, north_most = 180.0, 90.0, -180.0, -90.0
    width = template.width * a
    for tile in range(tiles):
        # 150 x 200 places on the globe; past 30,000 tiles they are used again (a tile
        # further south would lie beyond the pole, off the Earth)
        row, col = divmod(tile % 30_000, 150)
        for year in range(2001, 2001 + YEARS):
            path = f"tiles/T{tile:06d}_{year}.tif"
            paths.append(path)
            west = -179.0 + col * width * 1.01
            north = 89.0 - row * abs(e) * template.height * 1.01
            fact = dataclasses.replace(
                template,
                path=path,
                transform=(a, b, west, d, e, north),
                sha256=hashlib.sha256(path.encode()).hexdigest(),
            )
            facts.put(fact)
            if fact.bounds is not None:
                west_most, south_most = (
                    min(west_most, fact.bounds[0]),
                    min(south_most, fact.bounds[1]),
                )
                east_most, north_most = (
                    max(east_most, fact.bounds[2]),
                    max(north_most, fact.bounds[3]),
                )
    box, _ = outward_extent(west_most, south_most, east_most, north_most)
    spec_text = f"""spec_version: 1
data: data
dataset:
  id: big
  title: A catalog of {count} items
  description: Synthetic tiles of a yearly series, to measure catalog scaling.
  license: CC-BY-4.0
  citation: "Somebody (2026) A catalog. https://doi.org/10.0000/big"
  keywords: [benchmark]
  creators: [Somebody]
  providers: [{{name: Nobody, roles: [host]}}]
  temporal: {{start: 2001-01-01, end: {2000 + YEARS}-12-31, resolution: P1Y}}
  extent: {{west: {box[0]}, east: {box[2]}, south: {box[1]}, north: {box[3]}}}
rasters:
  - name: tiles
    pattern: "tiles/T{{tile}}_{{year}}.tif"
    fields: {{year: {{min: 2001, max: {2000 + YEARS}}}}}
    crs: EPSG:4326
    bands: 1
    dtype: float32
    nodata: required
    values: {{min: 0, max: 10, unit: m}}
"""
    (work / "data").mkdir()
    spec = parse_spec(spec_text, work / "spec.yaml")
    # matched as a run matches the data root's listing
    inventory = build_inventory(spec, list(registered_kinds().values()), paths)
    del paths
    options = ValidateOptions(jobs=1)
    prepared = time.perf_counter()
    cpu_before = time.process_time()
    result = publish(
        spec,
        options,
        PublishOptions(target=target, force=True),
        gathered=GatheredFacts(inventory, facts, options),
    )
    done = time.perf_counter()
    publish_cpu = time.process_time() - cpu_before
    peak_mb = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024
    # counted folder by folder (pathlib's rglob keeps every path it yields in a set, and
    # os.walk lists a folder's million subfolders at once: tens to hundreds of megabytes
    # after the peak above, but in `time -v`'s)
    items = _json_files(str(target)) - 2
    shutil.rmtree(work, ignore_errors=True)  # the one small GeoTIFF and the spec
    print(
        f"items={len(inventory.entries)} written={result.written} json_files={items} "
        f"prepare_s={prepared - started:.2f} publish_s={done - prepared:.2f} "
        f"publish_cpu_s={publish_cpu:.2f} peak_mb={peak_mb:.0f}"
    )


def _json_files(folder: str) -> int:
    """The JSON files under ``folder``, one open folder per level held at a time."""
    count = 0
    with os.scandir(folder) as entries:
        for entry in entries:
            if entry.is_dir(follow_symlinks=False):
                count += _json_files(entry.path)
            elif entry.name.endswith(".json"):
                count += 1
    return count


if __name__ == "__main__":
    main()
