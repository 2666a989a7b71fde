"""Write a realistic synthetic Wudaoliang ALT series (2017-2020) and its spec.

30-arc-second EPSG:4326 grid over the published bbox (W 91.80, N 35.61), float32,
a smooth active-layer-thickness field of about 1-5 m with a slow yearly deepening,
and nodata -9999 over two lakes. Deterministic: the same bytes on every run.
"""

from __future__ import annotations

import tempfile
from importlib import resources
from pathlib import Path

import numpy as np
import numpy.typing as npt

from tpqc.schemas.errors import UsageError

YEARS = (2017, 2018, 2019, 2020)
WEST, NORTH = 91.80, 35.61
PIXEL = 1.0 / 120.0  # 30 arc-seconds
WIDTH, HEIGHT = 269, 97
NODATA = -9999.0
FILENAME = "Wudaoliang_ALT_{year}.tif"


def alt_field(year: int) -> npt.NDArray[np.float32]:
    """The ALT grid of one year, in metres, with lakes set to nodata."""
    rows, cols = np.mgrid[0:HEIGHT, 0:WIDTH]
    x, y = cols / (WIDTH - 1), rows / (HEIGHT - 1)
    base = 2.8 + 1.2 * np.sin(2 * np.pi * 1.5 * x) * np.cos(2 * np.pi * y) + 0.6 * x
    noise = np.random.default_rng(year).normal(0.0, 0.05, size=base.shape)
    alt = np.clip(base + 0.03 * (year - 2017) + noise, 0.8, 5.5)
    lakes = ((x - 0.3) / 0.06) ** 2 + ((y - 0.4) / 0.12) ** 2 < 1
    lakes |= ((x - 0.72) / 0.04) ** 2 + ((y - 0.7) / 0.1) ** 2 < 1
    alt[lakes] = NODATA
    result: npt.NDArray[np.float32] = alt.astype(np.float32)
    return result


def write_alt(path: Path, data: npt.NDArray[np.generic], **profile_overrides: object) -> None:
    """Write one ALT GeoTIFF with the example's grid; overrides change the profile."""
    import rasterio
    from affine import Affine

    profile: dict[str, object] = {
        "driver": "GTiff",
        "width": data.shape[-1],
        "height": data.shape[-2],
        "count": 1 if data.ndim == 2 else data.shape[0],
        "dtype": str(data.dtype),
        "crs": "EPSG:4326",
        "transform": Affine(PIXEL, 0.0, WEST, 0.0, -PIXEL, NORTH),
        "nodata": NODATA,
        "tiled": True,
        "blockxsize": 128,
        "blockysize": 128,
        "compress": "deflate",
    }
    profile.update(profile_overrides)
    with rasterio.Env(GDAL_PAM_ENABLED="NO"), rasterio.open(path, "w", **profile) as out:
        out.write(data if data.ndim == 3 else data[np.newaxis])


def spec_text() -> str:
    """The example's dataset spec."""
    return resources.files(__package__).joinpath("spec.yaml").read_text(encoding="utf-8")


class ExampleConflictError(UsageError):
    """The folder already holds a file of the example's name with other content."""


def write_example(folder: Path) -> Path:
    """Write the four yearly files and ``spec.yaml`` into folder; return the spec's path.

    Nothing in the folder is overwritten: the files are made in a staging folder first, and
    when a file of the same name already exists with other content (a curator's own
    ``spec.yaml``, say) nothing is written and :class:`ExampleConflictError` is raised."""
    folder = Path(folder)
    folder.mkdir(parents=True, exist_ok=True)
    with tempfile.TemporaryDirectory(prefix=".tpqc-demo-", dir=folder) as staging_name:
        staging = Path(staging_name)
        for year in YEARS:
            write_alt(staging / FILENAME.format(year=year), alt_field(year))
        (staging / "spec.yaml").write_text(spec_text(), encoding="utf-8")
        made = sorted(staging.iterdir())
        conflicts = [
            p.name
            for p in made
            if (folder / p.name).exists()
            and (
                not (folder / p.name).is_file() or (folder / p.name).read_bytes() != p.read_bytes()
            )
        ]
        if conflicts:
            raise ExampleConflictError(
                f"{folder} already holds {', '.join(conflicts)} with other content; the demo "
                "never overwrites files: choose another folder, e.g. tpqc demo tpqc-demo-2"
            )
        for path in made:
            path.replace(folder / path.name)
    return folder / "spec.yaml"


if __name__ == "__main__":
    import sys

    print(write_example(Path(sys.argv[1] if len(sys.argv) > 1 else "wudaoliang-example")))
