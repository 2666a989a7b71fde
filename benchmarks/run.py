"""Side-by-side benchmarks of tpqc and the tools a user would otherwise use.

    python benchmarks/run.py            # full: 23000 x 23000 raster, 400 small files, AWS year
    python benchmarks/run.py --quick    # small sizes, one run: proves the benchmark works (CI)

Test data is generated into benchmarks/data/ (kept out of git). Each command runs as its
own process; wall time, CPU time (user + system, children included) and peak RSS (summed
over the whole process tree, sampled every 10 ms) are recorded as median and range over
--runs runs, and written to BENCHMARKS.md (or --out). Timings are never asserted.
"""

from __future__ import annotations

import argparse
import importlib.util
import os
import platform
import resource
import shutil
import statistics
import subprocess
import sys
import tempfile
import threading
import time
from dataclasses import dataclass, field
from pathlib import Path

HERE = Path(__file__).resolve().parent
PYTHON = sys.executable
BIN = Path(sys.executable).parent
HAS_RIO_STAC = importlib.util.find_spec("rio_stac") is not None
ENV = {
    **{k: v for k, v in os.environ.items() if k != "PYTHONDONTWRITEBYTECODE"},
    "GDAL_PAM_ENABLED": "NO",
    "OPENBLAS_NUM_THREADS": "1",
}
"""As on a user's machine: Python may cache bytecode (this sandbox turns it off)."""


@dataclass
class Measure:
    """Runs of one command."""

    label: str
    walls: list[float] = field(default_factory=list)
    cpus: list[float] = field(default_factory=list)
    rss: list[float] = field(default_factory=list)
    pss: list[float] = field(default_factory=list)
    note: str = ""

    def row(self, reference: Measure | None) -> str:
        def span(values: list[float], fmt: str) -> str:
            if not values:
                return "n/a"
            med = statistics.median(values)
            return f"{med:{fmt}} ({min(values):{fmt}}-{max(values):{fmt}})"

        ratio = ""
        if reference is not None and reference.walls and self.walls:
            ratio = f"{statistics.median(self.walls) / statistics.median(reference.walls):.1f}x"
        return (
            f"| {self.label} | {span(self.walls, '.2f')} | {span(self.cpus, '.2f')} | "
            f"{span([r / 1024 for r in self.rss], '.0f')} | "
            f"{span([p / 1024 for p in self.pss], '.0f')} | {ratio} | {self.note} |"
        )


def _tree_memory_kib(root: int) -> tuple[int, int]:
    """(RSS, PSS) of a process and all its descendants, in KiB. RSS counts pages shared by
    forked workers once per process; PSS splits them fairly."""
    rss, pss, stack = 0, 0, [root]
    while stack:
        pid = stack.pop()
        try:
            with Path(f"/proc/{pid}/smaps_rollup").open(encoding="ascii") as rollup:
                for line in rollup:
                    if line.startswith("Rss:"):
                        rss += int(line.split()[1])
                    elif line.startswith("Pss:"):
                        pss += int(line.split()[1])
            with Path(f"/proc/{pid}/task/{pid}/children").open(encoding="ascii") as children:
                stack.extend(int(c) for c in children.read().split())
        except (OSError, ValueError):
            continue
    return rss, pss


def run(command: list[str] | str, measure: Measure, *, sample_memory: bool = False) -> None:
    """Run a command once. Timing runs add wall and CPU time; a memory run (sampling the
    process tree's RSS and PSS every 20 ms, which costs CPU) adds only the peaks, so the
    sampler never slows the timed runs."""
    before = resource.getrusage(resource.RUSAGE_CHILDREN)
    start = time.perf_counter()
    process = subprocess.Popen(
        command,
        env=ENV,
        shell=isinstance(command, str),
        stdout=subprocess.DEVNULL,
        stderr=subprocess.PIPE,
    )
    peak = peak_pss = 0
    done = threading.Event()

    def sample() -> None:
        nonlocal peak, peak_pss
        while not done.is_set():
            rss, pss = _tree_memory_kib(process.pid)
            peak, peak_pss = max(peak, rss), max(peak_pss, pss)
            time.sleep(0.02)

    sampler = threading.Thread(target=sample, daemon=True)
    if sample_memory:
        sampler.start()
    _, stderr = process.communicate()
    wall = time.perf_counter() - start
    done.set()
    if sample_memory:
        sampler.join()
    after = resource.getrusage(resource.RUSAGE_CHILDREN)
    if process.returncode not in (0, 1):
        raise RuntimeError(f"{command} failed ({process.returncode}): {stderr.decode()[-2000:]}")
    if sample_memory:
        measure.rss.append(peak)
        measure.pss.append(peak_pss)
    else:
        measure.walls.append(wall)
        measure.cpus.append((after.ru_utime - before.ru_utime) + (after.ru_stime - before.ru_stime))


def make_big_raster(path: Path, size: int) -> None:
    """A float32 raster, 512-pixel tiles, DEFLATE with the floating-point predictor."""
    if path.exists():
        return
    code = f"""
import numpy as np, rasterio
from affine import Affine
from rasterio.windows import Window
n = {size}
profile = dict(driver="GTiff", width=n, height=n, count=1, dtype="float32", crs="EPSG:4326",
               transform=Affine(1 / 3600, 0, 96, 0, -1 / 3600, 40), nodata=-9999, tiled=True,
               blockxsize=512, blockysize=512, compress="deflate", predictor=3,
               num_threads="all_cpus", BIGTIFF="IF_SAFER")
rng = np.random.default_rng(0)
x = np.linspace(0, 1, n, dtype=np.float32)[None, :]
with rasterio.Env(GDAL_PAM_ENABLED="NO"), rasterio.open("{path}", "w", **profile) as out:
    for row in range(0, n, 512):
        h = min(512, n - row)
        y = ((row + np.arange(h, dtype=np.float32)) / n)[:, None]
        noise = rng.normal(0, 2, (h, n)).astype(np.float32)
        data = 3000 + 1500 * np.sin(9 * x) * np.cos(7 * y) + noise
        data[data < 1700] = -9999
        out.write(data.astype(np.float32), 1, window=Window(0, row, n, h))
"""
    path.parent.mkdir(parents=True, exist_ok=True)
    subprocess.run([PYTHON, "-c", code], check=True, env=ENV)


def make_striped(source: Path, path: Path) -> None:
    """The same raster striped (one row per strip) and uncompressed."""
    if path.exists():
        return
    code = f"""
import rasterio
from rasterio.windows import Window
with rasterio.open("{source}") as src:
    profile = {{**src.profile, "tiled": False, "blockysize": 1, "BIGTIFF": "YES"}}
    for key in ("blockxsize", "compress", "predictor"):
        profile.pop(key, None)
    with rasterio.Env(GDAL_PAM_ENABLED="NO"), rasterio.open("{path}", "w", **profile) as out:
        for row in range(0, src.height, 2048):
            window = Window(0, row, src.width, min(2048, src.height - row))
            out.write(src.read(window=window), window=window)
"""
    subprocess.run([PYTHON, "-c", code], check=True, env=ENV)


def make_small_files(folder: Path, count: int) -> None:
    """``count`` files of 270 x 100 pixels in the Wudaoliang layout, with their spec."""
    if (folder / "spec.yaml").exists():
        return
    code = f"""
import numpy as np
from pathlib import Path
from tpqc.examples.wudaoliang.generate import alt_field, write_alt, spec_text
folder = Path("{folder}")
folder.mkdir(parents=True, exist_ok=True)
fields = {{y: np.pad(alt_field(y), ((0, 3), (0, 1)), constant_values=-9999)[:100, :270]
          for y in (2017, 2018, 2019, 2020)}}
for tile in range({count} // 4):
    for year, data in fields.items():
        write_alt(folder / f"T{{tile:03d}}_ALT_{{year}}.tif", data.copy())
spec = spec_text().replace('"Wudaoliang_ALT_{{year}}.tif"', '"{{tile}}_ALT_{{year}}.tif"')
old = "extent: {{match: within, tolerance_pixels: 1}}"
spec = spec.replace(old, old.replace("1}}", "4}}"))
(folder / "spec.yaml").write_text(spec)
"""
    subprocess.run([PYTHON, "-c", code], check=True, env=ENV)


def make_medium_files(folder: Path, count: int, factor: int) -> None:
    """``count`` files of the Wudaoliang field upsampled ``factor`` times (pixels 1/factor
    the size), with their spec: per-file work that dwarfs a process's start."""
    if (folder / "spec.yaml").exists():
        return
    code = f"""
import numpy as np
from pathlib import Path
from affine import Affine
from tpqc.examples.wudaoliang.generate import NORTH, PIXEL, WEST, alt_field, write_alt, spec_text
folder = Path("{folder}")
folder.mkdir(parents=True, exist_ok=True)
f = {factor}
grid = Affine(PIXEL / f, 0.0, WEST, 0.0, -PIXEL / f, NORTH)
for tile in range({count} // 4):
    for year in (2017, 2018, 2019, 2020):
        data = np.kron(alt_field(year), np.ones((f, f), np.float32))
        data[data > 0] += np.float32(0.001 * tile)
        write_alt(folder / f"T{{tile:03d}}_ALT_{{year}}.tif", data, transform=grid)
spec = spec_text().replace('"Wudaoliang_ALT_{{year}}.tif"', '"{{tile}}_ALT_{{year}}.tif"')
old = "resolution: {{value: 1, unit: km, tolerance: 0.25}}"
new = "resolution: {{value: " + repr(1 / 120 / f) + ", unit: deg, tolerance: 0.01}}"
assert old in spec
spec = spec.replace(old, new)
(folder / "spec.yaml").write_text(spec)
"""
    subprocess.run([PYTHON, "-c", code], check=True, env=ENV)


def make_aws(folder: Path, days: int | None) -> None:
    """One year of 10-minute AWS records (52,560 rows x 40 columns) and its spec."""
    if (folder / "spec.yaml").exists():
        return
    code = f"""
from pathlib import Path
from tpqc.examples.aws.generate import write_aws_year, spec_text
folder = Path("{folder}")
write_aws_year(folder / "Dashalong_AWS_2019.csv", 2019, days={days})
(folder / "spec.yaml").write_text(spec_text())
"""
    subprocess.run([PYTHON, "-c", code], check=True, env=ENV)


def big_spec(folder: Path) -> Path:
    spec = folder / "big.yaml"
    spec.write_text(
        "spec_version: 1\ndata: .\ndataset: {id: big}\nrasters:\n"
        "  - {name: dem, pattern: 'big.tif', crs: 'EPSG:4326', nodata: required,\n"
        "     values: {min: 0, max: 9000, unit: m}}\n",
        encoding="utf-8",
    )
    return spec


WHOLE_ARRAY = """
import sys, numpy as np, rasterio
with rasterio.open(sys.argv[1]) as src:
    data = src.read(1, masked=True)
print(data.min(), data.max(), data.mean(), data.std(), data.count())
"""
DECODE_ONLY = """
import sys, rasterio
from rasterio.windows import Window
with rasterio.Env(GDAL_NUM_THREADS=2, GDAL_CACHEMAX=64), rasterio.open(sys.argv[1]) as src:
    bh, bw = src.block_shapes[0]
    rows = bh if bw < src.width else max(bh, 512)  # batch thin strips, as tpqc does
    for row in range(0, src.height, rows):
        src.read(1, window=Window(0, row, src.width, min(rows, src.height - row)))
"""
DECODE_STATS_HASH = """
import hashlib, sys, threading
from concurrent.futures import ProcessPoolExecutor
import numpy as np, rasterio
from rasterio.windows import Window
# The least a hand-written tool does for exact statistics and a checksum: two processes
# decode halves of the raster band by band (GDAL on one thread each) and fold count, min,
# max, sum and sum of squares with numpy, while the parent hashes the file.
def half(args):
    path, part = args
    with rasterio.Env(GDAL_NUM_THREADS=1, GDAL_CACHEMAX=64), rasterio.open(path) as src:
        bh, bw = src.block_shapes[0]
        rows = bh if bw < src.width else max(bh, 512)
        starts = list(range(0, src.height, rows))[part::2]
        n, lo, hi, total, squares = 0, np.inf, -np.inf, 0.0, 0.0
        for row in starts:
            block = src.read(1, window=Window(0, row, src.width, min(rows, src.height - row)))
            valid = block[(block != src.nodata) & np.isfinite(block)]
            if valid.size:
                n += valid.size
                lo, hi = min(lo, valid.min()), max(hi, valid.max())
                total += valid.sum(dtype=np.float64)
                squares += np.square(valid, dtype=np.float64).sum()
        return n, lo, hi, total, squares
digest = []
def sha():
    h = hashlib.sha256()
    with open(sys.argv[1], "rb") as f:
        while chunk := f.read(1 << 20):
            h.update(chunk)
    digest.append(h.hexdigest())
hasher = threading.Thread(target=sha)
hasher.start()
with ProcessPoolExecutor(2) as pool:
    parts = list(pool.map(half, [(sys.argv[1], 0), (sys.argv[1], 1)]))
hasher.join()
n = sum(p[0] for p in parts)
mean = sum(p[3] for p in parts) / n
print(n, min(p[1] for p in parts), max(p[2] for p in parts), mean, digest[0])
"""
SHA256 = """
import hashlib, sys
h = hashlib.sha256()
with open(sys.argv[1], "rb") as f:
    while chunk := f.read(1 << 20):
        h.update(chunk)
print(h.hexdigest())
"""
RIO_STAC = """
import sys, glob
from rio_stac import create_stac_item
for path in sys.argv[1:] if len(sys.argv) > 2 else sorted(glob.glob(sys.argv[1] + "/*.tif")):
    create_stac_item(path, with_raster=True, with_eo=False)
"""


PIP_GDAL_STATS = """
import hashlib, sys
import numpy as np, rasterio
# rasterio's own GDAL (the wheel's): ComputeStatistics exactly, then a histogram pass over
# the blocks as a user of rasterio writes it, then the checksum.
with rasterio.Env(GDAL_NUM_THREADS="ALL_CPUS", GDAL_CACHEMAX=256, GDAL_PAM_ENABLED="NO"):
    with rasterio.open(sys.argv[1]) as src:
        stats = src.statistics(1, approx=False, clear_cache=True)
        counts = np.zeros(256, np.int64)
        for _, window in src.block_windows(1):
            block = src.read(1, window=window)
            valid = block[block != src.nodata]
            counts += np.histogram(valid, 256, (stats.min, stats.max))[0]
h = hashlib.sha256()
with open(sys.argv[1], "rb") as f:
    while chunk := f.read(1 << 20):
        h.update(chunk)
print(stats, counts.sum(), h.hexdigest())
"""
NETCDF_DECODE_ONLY = """
import sys, netCDF4
with netCDF4.Dataset(sys.argv[1]) as ds:
    v = ds[sys.argv[2]]
    v.set_auto_maskandscale(False)
    step = max(1, (4 << 20) // (v.shape[1] * v.shape[2]))
    for start in range(0, v.shape[0], step):
        v[start:start + step]
"""
GDAL_NETCDF_DECODE = """
import sys, rasterio
# GDAL's netCDF driver (rasterio's bundled GDAL): every time step is a band.
with rasterio.Env(GDAL_CACHEMAX=64), rasterio.open(f"netcdf:{sys.argv[1]}:{sys.argv[2]}") as src:
    for band in range(1, src.count + 1):
        src.read(band)
"""
XARRAY_STATS = """
import sys, xarray as xr
with xr.open_dataset(sys.argv[1], chunks={"time": 16}) as ds:
    v = ds[sys.argv[2]]
    print(float(v.min()), float(v.max()), float(v.mean()))
"""


def make_netcdf(path: Path, steps: int, height: int, width: int) -> None:
    """A NetCDF-4 variable of ``steps`` x ``height`` x ``width`` float32, deflate level 1,
    chunks of one time step (random noise on a smooth field: compresses like real data)."""
    if path.exists():
        return
    code = f"""
import numpy as np, netCDF4
rng = np.random.default_rng(0)
with netCDF4.Dataset("{path}", "w", format="NETCDF4") as ds:
    for name in ("title", "institution", "source", "history"):
        ds.setncattr(name, "benchmark")
    ds.Conventions = "CF-1.8"
    ds.createDimension("time", None)
    ds.createDimension("lat", {height})
    ds.createDimension("lon", {width})
    t = ds.createVariable("time", "f8", ("time",))
    t.units, t.calendar, t.standard_name = "hours since 2000-01-01", "standard", "time"
    t[:] = np.arange({steps}) * 3.0
    lat = ds.createVariable("lat", "f8", ("lat",))
    lat.units, lat.standard_name = "degrees_north", "latitude"
    lat[:] = 15.005 + np.arange({height}) * 0.01
    lon = ds.createVariable("lon", "f8", ("lon",))
    lon.units, lon.standard_name = "degrees_east", "longitude"
    lon[:] = 70.005 + np.arange({width}) * 0.01
    v = ds.createVariable("temp", "f4", ("time", "lat", "lon"), zlib=True, complevel=1,
                          chunksizes=(1, {height}, {width}), fill_value=-9999.0)
    v.units, v.standard_name = "K", "air_temperature"
    base = 270 + 20 * np.sin(np.linspace(0, 6, {width}))[None, :] * np.cos(
        np.linspace(0, 4, {height}))[:, None]
    for k in range({steps}):
        v[k] = (base + rng.normal(0, 1, ({height}, {width}))).astype(np.float32)
"""
    path.parent.mkdir(parents=True, exist_ok=True)
    subprocess.run([PYTHON, "-c", code], check=True, env=ENV)


def netcdf_spec(folder: Path) -> Path:
    spec = folder / "netcdf.yaml"
    spec.write_text(
        "spec_version: 1\ndata: .\ndataset: {id: nc}\nrasters:\n"
        "  - {name: temp, pattern: 'big.nc', variable: temp, crs: 'EPSG:4326',\n"
        "     nodata: required, values: {min: 200, max: 340, unit: K}}\n",
        encoding="utf-8",
    )
    return spec


def make_table_rows(path: Path, rows: int) -> Path:
    """A CSV of ``rows`` 10-minute records (time and three variables) and its spec."""
    spec = path.parent / "rows.yaml"
    if not path.exists():
        code = f"""
import numpy as np, pandas as pd
n = {rows}
t = pd.date_range("2000-01-01 00:10", periods=n, freq="10min").strftime("%Y-%m-%d %H:%M:%S")
rng = np.random.default_rng(0)
frame = pd.DataFrame({{"TIMESTAMP": t, "Ta": rng.normal(5, 8, n).round(2),
                       "RH": rng.uniform(5, 100, n).round(1), "WS": rng.gamma(2, 1.5, n).round(2)}})
frame.to_csv("{path}", index=False)
"""
        path.parent.mkdir(parents=True, exist_ok=True)
        subprocess.run([PYTHON, "-c", code], check=True, env=ENV)
    spec.write_text(
        "spec_version: 1\ndata: .\ndataset: {id: rows}\ntables:\n"
        f"  - name: aws\n    pattern: '{path.name}'\n"
        "    time: {column: TIMESTAMP, step: 10min}\n"
        "    columns: {Ta: {variable: air_temperature}, RH: {variable: relative_humidity},"
        " WS: {variable: wind_speed}}\n",
        encoding="utf-8",
    )
    return spec


PHASES = {
    "start": "the interpreter starts (`python -c pass`)",
    "imports": "the command-line module and the pipeline load (click, pydantic, the spec model)",
    "spec": "the spec is read, checked against its schema and typed",
    "plan": "the data root is listed, files matched to products",
    "read": "rasterio loads, the pool forks, every file is read once (the checks load meanwhile)",
    "judge": "every check runs, the report is assembled",
    "render": "the JSON report is written",
}


def phase_section(spec: Path, runs: int, files: int) -> tuple[str, list[Measure], str, None]:
    """Where the time of one run on the small files goes (benchmarks/phases.py, each round
    in a fresh process), as a markdown table in the section's note."""
    import json

    rounds: list[dict[str, float]] = []
    for _ in range(runs):
        started = time.perf_counter()
        subprocess.run([PYTHON, "-c", "pass"], env=ENV, check=True)
        start = time.perf_counter() - started
        done = subprocess.run(
            [PYTHON, str(HERE / "phases.py"), str(spec), "2"],
            env=ENV,
            check=True,
            capture_output=True,
            text=True,
        )
        rounds.append({"start": start, **json.loads(done.stdout)})
    median = {k: statistics.median(r[k] for r in rounds) for k in (*PHASES, "read_one_process")}
    total = sum(median[k] for k in PHASES)
    rows = [
        "| phase | median s | share | what happens |",
        "| --- | --- | --- | --- |",
        *(
            f"| {k} | {median[k]:.3f} | {median[k] / total:.0%} | {what} |"
            for k, what in PHASES.items()
        ),
        f"| sum | {total:.3f} | 100% | |",
    ]
    per_file = 1000 * median["read_one_process"] / max(1, files)
    note = "\n".join(
        [
            *rows,
            "",
            f"Reading the same {files} files again in one process, without the pool, takes "
            f"{median['read_one_process']:.3f} s: {per_file:.2f} ms per file (open, decode, "
            "statistics, histogram, sha256, close). Everything before `read` and after it "
            "runs once per run whatever the number of files, which is also what each extra "
            "shard pays again.",
        ]
    )
    rounds_text = f"{runs} round{'s' if runs > 1 else ''}"
    return (f"Where the time goes: {files} small rasters, --jobs 2 ({rounds_text})", [], note, None)


def tpqc(*args: str) -> list[str]:
    return [str(BIN / "tpqc"), "-q", "validate", *args, "-f", "json", "-o", "/dev/null"]


def deflate_codec() -> str:
    """Which DEFLATE library rasterio's GDAL links (libdeflate decodes about twice as fast
    as zlib)."""
    import rasterio

    libs = Path(rasterio.__file__).parent.parent / "rasterio.libs"
    names = " ".join(p.name for p in libs.glob("*")) if libs.is_dir() else ""
    return "libdeflate" if "libdeflate" in names else "zlib (no libdeflate bundled)"


def gdal_wheel_note() -> str:
    """Whether the GDAL Python bindings install from the package index (they need a
    matching libgdal to build against; no binary wheel is published on PyPI)."""
    with tempfile.TemporaryDirectory() as folder:
        download = ["download", "--no-deps", "--only-binary=:all:", "-d", folder, "gdal"]
        found = subprocess.run(
            [PYTHON, "-m", "pip", *download],
            capture_output=True,
            text=True,
            check=False,
        )
    if found.returncode == 0:
        return "a binary wheel exists: add it to this benchmark"
    return "no binary GDAL wheel on the package index here (pip download gdal: none)"


def machine() -> str:
    cpu = "unknown CPU"
    try:
        with Path("/proc/cpuinfo").open(encoding="utf-8") as info:
            cpu = next(
                line.split(":", 1)[1].strip() for line in info if line.startswith("model name")
            )
    except (OSError, StopIteration):
        pass
    memory = os.sysconf("SC_PAGE_SIZE") * os.sysconf("SC_PHYS_PAGES") / 2**30
    import numpy
    import rasterio

    gdalinfo = shutil.which("gdalinfo")
    gdal_cli = (
        subprocess.run([gdalinfo, "--version"], capture_output=True, text=True).stdout.strip()
        if gdalinfo
        else "not installed"
    )
    return (
        f"{os.cpu_count()} cores ({cpu}), {memory:.0f} GiB RAM, {platform.system()} "
        f"{platform.release()}; Python {platform.python_version()}, numpy {numpy.__version__}, "
        f"rasterio {rasterio.__version__} (GDAL {rasterio.__gdal_version__}); gdalinfo: {gdal_cli}"
    )


def main() -> None:
    parser = argparse.ArgumentParser(
        description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter
    )
    parser.add_argument("--quick", action="store_true", help="small data, one run (CI)")
    parser.add_argument("--runs", type=int, default=None)
    parser.add_argument("--data", type=Path, default=HERE / "data")
    parser.add_argument("--out", type=Path, default=None)
    args = parser.parse_args()
    args.out = args.out.resolve() if args.out else None
    runs = args.runs or (1 if args.quick else 3)
    size = 2000 if args.quick else 23000
    small_count = 40 if args.quick else 400
    data = args.data.resolve() / ("quick" if args.quick else "full")
    big = data / "big.tif"
    small = data / "small"
    aws = data / "aws"
    data.mkdir(parents=True, exist_ok=True)
    # Away from the checkout: its bare tpqc/ folder would shadow the installed package.
    os.chdir(data)
    print(f"generating test data in {data} ...", flush=True)
    make_big_raster(big, size)
    make_small_files(small, small_count)
    make_aws(aws, 30 if args.quick else None)
    striped = data / "striped.tif"
    make_striped(big, striped)
    spec = big_spec(data)
    striped_spec = data / "striped.yaml"
    striped_spec.write_text(spec.read_text().replace("'big.tif'", "'striped.tif'"))
    gdalinfo = shutil.which("gdalinfo")
    sha256sum = shutil.which("sha256sum") or "sha256sum"
    small_files = sorted(str(p) for p in small.glob("*.tif"))

    sections: list[tuple[str, list[Measure], str, Measure | None]] = []

    def bench(
        title: str,
        cases: list[tuple[Measure, list[str] | str | None]],
        note: str,
        rounds: int | None = None,
    ) -> None:
        timed = rounds or runs
        for round_ in range(timed + 1):  # timed rounds, then one memory-sampled round
            for measure, command in cases:
                if command is not None:
                    print(f"  {title}: {measure.label}", flush=True)
                    run(command, measure, sample_memory=round_ == timed)
        for measure, command in cases:
            if command is None and not measure.note:
                measure.note = "not installed here"
        sections.append((title, [m for m, _ in cases], note, cases[0][0]))

    pixels = f"{size} x {size}"
    tp_big = Measure("tpqc validate (every check, exact stats + histogram, sha256), --jobs 2")
    cases_big: list[tuple[Measure, list[str] | str | None]] = [
        (tp_big, tpqc(str(spec), "--jobs", "2", "--no-cache")),
    ]
    if gdalinfo:
        cases_big.append(
            (
                Measure("gdalinfo -stats -hist, then sha256sum"),
                f"{gdalinfo} -stats -hist {big} > /dev/null && {sha256sum} {big} > /dev/null",
            )
        )
    else:
        cases_big.append(
            (Measure("gdalinfo -stats -hist, then sha256sum", note="gdalinfo not installed"), None)
        )
    import rasterio

    cases_big += [
        (
            Measure(
                f"rasterio's bundled GDAL {rasterio.__gdal_version__} (pip): "
                "ComputeStatistics(approx=False) + a histogram pass + sha256, "
                "GDAL_NUM_THREADS=ALL_CPUS",
                note=f"codec: {deflate_codec()}",
            ),
            [PYTHON, "-c", PIP_GDAL_STATS, str(big)],
        ),
        (
            Measure("newest GDAL Python wheel (pip install gdal)", note=gdal_wheel_note()),
            None,
        ),
        (
            Measure("rasterio whole-array read + numpy masked statistics"),
            [PYTHON, "-c", WHOLE_ARRAY, str(big)],
        ),
        (
            Measure(
                "rio-stac create_stac_item(with_raster=True)",
                note="statistics from a 1024-px overview-level read: not exact",
            ),
            [PYTHON, "-c", RIO_STAC, str(big), str(big)] if HAS_RIO_STAC else None,
        ),
        (
            Measure("decode only, GDAL on 2 threads (the decoding limit)"),
            [PYTHON, "-c", DECODE_ONLY, str(big)],
        ),
        (
            Measure(
                "decode + stats + sha256 floor: 2 processes, numpy count/min/max/sum/sum of "
                "squares per band, hashing beside"
            ),
            [PYTHON, "-c", DECODE_STATS_HASH, str(big)],
        ),
        (Measure("sha256 alone (hashlib, 1 MiB chunks)"), [PYTHON, "-c", SHA256, str(big)]),
    ]
    bench(
        f"One big raster: {pixels} float32, 512-px tiles, DEFLATE + predictor 3, "
        f"{big.stat().st_size / 1e9:.2f} GB",
        cases_big,
        "ratios against tpqc",
    )

    tp_striped = Measure("tpqc validate, --jobs 2")
    cases_striped: list[tuple[Measure, list[str] | str | None]] = [
        (tp_striped, tpqc(str(striped_spec), "--jobs", "2", "--no-cache")),
        (
            Measure("decode only, GDAL on 2 threads (the decoding limit)"),
            [PYTHON, "-c", DECODE_ONLY, str(striped)],
        ),
        (Measure("sha256 alone (hashlib, 1 MiB chunks)"), [PYTHON, "-c", SHA256, str(striped)]),
    ]
    if gdalinfo:
        cases_striped.insert(
            1,
            (
                Measure("gdalinfo -stats -hist, then sha256sum"),
                f"{gdalinfo} -stats -hist {striped} > /dev/null && "
                f"{sha256sum} {striped} > /dev/null",
            ),
        )
    bench(
        f"The same raster striped (1-row strips) and uncompressed, "
        f"{striped.stat().st_size / 1e9:.2f} GB",
        cases_striped,
        "ratios against tpqc",
    )

    cache = data / "cache"
    shutil.rmtree(cache, ignore_errors=True)
    tp_small = Measure("tpqc validate --jobs 2 (no cache)")
    warm = Measure("tpqc validate --jobs 2, re-run with a warm facts cache")
    subprocess.run(tpqc(str(small / "spec.yaml"), "--cache", str(cache)), env=ENV, check=False)
    cases_small: list[tuple[Measure, list[str] | str | None]] = [
        (tp_small, tpqc(str(small / "spec.yaml"), "--jobs", "2", "--no-cache")),
        (warm, tpqc(str(small / "spec.yaml"), "--jobs", "2", "--cache", str(cache))),
        (
            Measure("Python loop of rio-stac items (with_raster)"),
            [PYTHON, "-c", RIO_STAC, str(small)] if HAS_RIO_STAC else None,
        ),
    ]
    if gdalinfo:
        loop = "; ".join(f"{gdalinfo} -stats -hist {f} > /dev/null" for f in small_files)
        cases_small.append((Measure("loop of gdalinfo -stats -hist"), loop))
    bench(
        f"{len(small_files)} small rasters (270 x 100 px each)",
        cases_small,
        "ratios against tpqc (no cache)",
    )

    sections.append(phase_section(small / "spec.yaml", runs, len(small_files)))

    # CI: a cache restored into a fresh checkout, where every file has new times (touch).
    content_cache, stat_cache = data / "cache-content", data / "cache-stat"
    for folder in (content_cache, stat_cache):
        shutil.rmtree(folder, ignore_errors=True)
    for spec_file in (small / "spec.yaml", spec):
        subprocess.run(
            tpqc(str(spec_file), "--cache", str(content_cache), "--cache-key", "content"),
            env=ENV,
            check=False,
        )
        subprocess.run(tpqc(str(spec_file), "--cache", str(stat_cache)), env=ENV, check=False)

    def fresh(folder: Path, *command: str) -> str:
        touch = f"find {folder} -maxdepth 1 -name '*.tif' -exec touch {{}} +"
        return f"{touch} && {' '.join(command)} || test $? -eq 1"

    bench(
        "CI: the facts cache restored into a fresh checkout (every file with new times)",
        [
            (
                Measure(f"{len(small_files)} small rasters, no cache"),
                fresh(small, *tpqc(str(small / "spec.yaml"), "--jobs", "2", "--no-cache")),
            ),
            (
                Measure(f"{len(small_files)} small rasters, stat-keyed cache (every file missed)"),
                fresh(
                    small,
                    *tpqc(str(small / "spec.yaml"), "--jobs", "2", "--cache", str(stat_cache)),
                ),
            ),
            (
                Measure(
                    f"{len(small_files)} small rasters, --cache-key content (hash every file, "
                    "serve every one)"
                ),
                fresh(
                    small,
                    *tpqc(
                        str(small / "spec.yaml"),
                        "--jobs",
                        "2",
                        "--cache",
                        str(content_cache),
                        "--cache-key",
                        "content",
                    ),
                ),
            ),
            (
                Measure(f"the {pixels} raster, no cache"),
                fresh(big.parent, *tpqc(str(spec), "--jobs", "2", "--no-cache")),
            ),
            (
                Measure(f"the {pixels} raster, --cache-key content (hash it, serve it)"),
                fresh(
                    big.parent,
                    *tpqc(
                        str(spec),
                        "--jobs",
                        "2",
                        "--cache",
                        str(content_cache),
                        "--cache-key",
                        "content",
                    ),
                ),
            ),
        ],
        "A fresh CI checkout gives every file new inodes and times: the default stat-keyed "
        "cache misses them all, a content-keyed one pays one sha256 pass over the bytes and "
        "serves every unchanged file (the ratio column is against the first row).",
    )

    tp_aws = Measure("tpqc validate (pandera, every table check)")
    bench(
        "A year of 10-minute AWS records (52,560 rows x 40 columns, CSV)"
        if not args.quick
        else "30 days of 10-minute AWS records (CSV)",
        [(tp_aws, tpqc(str(aws / "spec.yaml"), "--no-cache"))],
        "",
    )

    # Shards: 4 slices + merge against one run, on small files and on files with real work.
    def shard_bench(folder: Path, what: str) -> None:
        spec_file = str(folder / "spec.yaml")
        facts = folder.parent / f"shards-{folder.name}"
        shard_cmds = " && ".join(
            [f"rm -rf {facts}"]
            + [
                " ".join(tpqc(spec_file, "--no-cache", "--jobs", "1")).replace(
                    " validate ", f" validate --shard {k}/4 --facts-out {facts} "
                )
                + " || test $? -eq 1"
                for k in range(1, 5)
            ]
            + [f"{BIN / 'tpqc'} -q merge {facts} -f json -o /dev/null || test $? -eq 1"]
        )
        listed_cmds = shard_cmds.replace(
            f"rm -rf {facts} && ",
            f"rm -rf {facts} && {BIN / 'tpqc'} list {spec_file} --facts-out {facts} -q && ",
        )
        bench(
            f"Shards: {what} as 4 shards + merge (one after another, 1 worker each) "
            "against one run",
            [
                (
                    Measure("tpqc validate, one run, --jobs 1"),
                    tpqc(spec_file, "--jobs", "1", "--no-cache"),
                ),
                (Measure("4 x tpqc validate --shard K/4, then tpqc merge"), shard_cmds),
                (
                    Measure("tpqc list once, 4 x tpqc validate --shard K/4, tpqc merge"),
                    listed_cmds,
                ),
            ],
            "The CPU column is what matters: the shards' total work against one run's. Each "
            "extra process pays the fixed start (interpreter, imports, spec, listing; see "
            "'Where the time goes'), about half a CPU second, whatever its share of files.",
        )

    shard_bench(small, f"{len(small_files)} small rasters (270 x 100)")
    medium = data / "medium"
    make_medium_files(medium, small_count, 2 if args.quick else 6)
    medium_shape = " x ".join(str((2 if args.quick else 6) * n) for n in (269, 97))
    shard_bench(medium, f"{small_count} rasters of {medium_shape} px (DEFLATE, 128-px tiles)")

    # Catalogs of many items, from synthetic facts (benchmarks/big_catalog.py).
    counts = (1000,) if args.quick else (1000, 10000, 100000, 1000000)
    catalog_cases: list[tuple[Measure, list[str] | str | None]] = [
        (
            Measure(f"tpqc stac, {n:,} items"),
            [PYTHON, str(HERE / "big_catalog.py"), str(n), str(data / f"catalog-{n}")],
        )
        for n in counts
    ]
    bench(
        "STAC catalogs of many items (built, written atomically and self-checked)",
        catalog_cases,
        "Time per item should stay flat as the catalog grows; `benchmarks/catalog_scale.py` "
        "gives per-item and marginal figures.",
        rounds=1,
    )

    # The catalog into pgSTAC (benchmarks/pgstac_load.py) against pypgstac load.
    if (Path("/usr/lib/postgresql/15/bin/initdb")).is_file() and shutil.which("runuser"):
        items = 1000 if args.quick else 100_000
        print(f"  pgSTAC: {items:,} items", flush=True)
        loaded = subprocess.run(
            [PYTHON, str(HERE / "pgstac_load.py"), str(items), str(data / "pgstac")],
            env=ENV,
            capture_output=True,
            text=True,
            check=False,
        )
        table = "\n".join(line for line in loaded.stdout.splitlines() if line.startswith("|"))
        sections.append(
            (
                f"A catalog of {items:,} items into pgSTAC (PostgreSQL 15 + PostGIS, fsync off)",
                [],
                (table or f"failed: {loaded.stderr[-500:]}")
                + "\n\nEach load into a fresh database migrated by `pypgstac migrate`; one run "
                "each. `tpqc pgstac` checks the catalog first (check-stac, the row below it) "
                "and then upserts collections and items in one transaction; pypgstac loads "
                "NDJSON the user has to write from the catalog first (not counted).",
                None,
            )
        )

    # NetCDF: one variable, deflate, chunked by time step.
    steps, rows, cols = (40, 300, 400) if args.quick else (720, 800, 900)
    nc = data / "big.nc"
    make_netcdf(nc, steps, rows, cols)
    nc_spec = netcdf_spec(data)
    nc_cases: list[tuple[Measure, list[str] | str | None]] = [
        (
            Measure("tpqc validate (CF checks, exact stats + histogram, sha256), --jobs 2"),
            tpqc(str(nc_spec), "--jobs", "2", "--no-cache"),
        ),
        (
            Measure("decode only: netCDF4 slabs, no processing (the decoding limit)"),
            [PYTHON, "-c", NETCDF_DECODE_ONLY, str(nc), "temp"],
        ),
        (
            Measure("decode only: GDAL's netCDF driver (rasterio's GDAL), band by band"),
            [PYTHON, "-c", GDAL_NETCDF_DECODE, str(nc), "temp"],
        ),
        (
            Measure("xarray (dask chunks of 16 steps): min, max, mean"),
            [PYTHON, "-c", XARRAY_STATS, str(nc), "temp"]
            if importlib.util.find_spec("xarray")
            else None,
        ),
    ]
    cdo = shutil.which("cdo")
    nc_cases.append(
        (
            Measure("cdo info (per-step min/mean/max)"),
            f"{cdo} -s info {nc} > /dev/null" if cdo else None,
        )
    )
    bench(
        f"A NetCDF-4 variable: {steps} x {rows} x {cols} float32, deflate, chunks of one step, "
        f"{nc.stat().st_size / 1e9:.2f} GB",
        nc_cases,
        "ratios against tpqc",
    )

    # Table memory: rows read in chunks.
    rows_count = 200_000 if args.quick else 10_000_000
    rows_spec = make_table_rows(data / "rows" / "rows.csv", rows_count)
    bench(
        f"A CSV of {rows_count:,} 10-minute records (3 variables)",
        [(Measure("tpqc validate"), tpqc(str(rows_spec), "--no-cache"))],
        "Memory is bounded by the chunk (200,000 rows) plus 8 bytes a row for the time column.",
    )

    # The curator's report: HTML (quicklooks, histograms, charts) against JSON, written
    # beside the data (tpqc never writes into a data root unless asked).
    reports = data.parent / f"{data.name}-reports"
    reports.mkdir(exist_ok=True)
    html = [
        str(BIN / "tpqc"),
        "-q",
        "validate",
        str(small / "spec.yaml"),
        "--no-cache",
        "--jobs",
        "2",
        "-f",
        "html",
        "-o",
        str(reports / "report.html"),
    ]
    bench(
        f"The HTML report of {len(small_files)} small rasters against JSON",
        [
            (
                Measure("tpqc validate -f json"),
                tpqc(str(small / "spec.yaml"), "--jobs", "2", "--no-cache"),
            ),
            (Measure("tpqc validate -f html (quicklooks taken during the one read)"), html),
        ],
        "",
    )
    big_html = [
        str(BIN / "tpqc"),
        "-q",
        "validate",
        str(spec),
        "--no-cache",
        "--jobs",
        "2",
        "-f",
        "html",
        "-o",
        str(reports / "big.html"),
    ]
    bench(
        f"Quicklook overhead on the {pixels} raster",
        [
            (Measure("tpqc validate -f json"), tpqc(str(spec), "--jobs", "2", "--no-cache")),
            (Measure("tpqc validate -f html (quicklook, histogram chart)"), big_html),
        ],
        "",
    )

    lines = [
        "# Benchmarks",
        "",
        f"Generated by `python benchmarks/run.py{' --quick' if args.quick else ''}` "
        f"({runs} run{'s' if runs > 1 else ''} of each command, run side by side; "
        "median (min-max)). Page cache warm after the first run. Memory comes from one more "
        "run of each command, sampled every 20 ms so that the sampling never slows a timed run: "
        "peak RSS summed over the whole process tree (pages shared by forked workers counted "
        "once per process) and peak PSS (shared pages split fairly).",
        "",
        f"Machine: {machine()}",
        "",
    ]
    for title, measures, note, reference in sections:
        lines += [f"## {title}", ""]
        if measures:
            lines += [
                "| command | wall s | CPU s | peak RSS MB | peak PSS MB | time vs tpqc | note |",
                "| --- | --- | --- | --- | --- | --- | --- |",
            ]
            lines += [m.row(reference) for m in measures if reference is not None]
        if note:
            lines += ["", note, ""] if measures else [note, ""]
        else:
            lines += [""]
    out = (
        args.out or HERE.parent / ("BENCHMARKS.quick.md" if args.quick else "BENCHMARKS.md")
    ).resolve()
    out.write_text("\n".join(lines).rstrip() + "\n", encoding="utf-8")
    print(out.read_text(encoding="utf-8"))


if __name__ == "__main__":
    main()
