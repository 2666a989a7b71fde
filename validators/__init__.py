"""The engine of tpqc: facts about files in, findings out (installed as ``tpqc.validators``).

Rooms:

- :mod:`.engine` — the machinery: listing a data root, reading planned files in parallel
  processes or on a Dask cluster, the facts cache and codec, atomic writes, remote access,
  the output guard. It knows no check and no file kind.
- :mod:`.kinds` — one package per file kind (GeoTIFF, NetCDF, station table) and the
  registry: each kind's reader (the only code that opens its format), checks, report entry
  and picture.
- :mod:`.grid` — what every gridded kind shares: grid facts, the raster checks, geodesy,
  statistics, quicklooks.
- :mod:`.dataset` — checks across files: series members, time axes, metadata against data.
- :mod:`.render` — one module per report format.
- The top level: the result model (:mod:`.findings`), the check registry
  (:mod:`.registry`), the inventory and the checks of file names (:mod:`.inventory`,
  :mod:`.filename`, :mod:`.inventory_checks`) and the spec's waivers (:mod:`.waivers`).
"""
