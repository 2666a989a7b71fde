"""tpqc on one big NetCDF variable against netCDF4's decode alone, over several rounds, run
alternately so that both see the same machine: the ratio's median and spread.

    python benchmarks/netcdf_rounds.py DATA_FOLDER [ROUNDS]

Uses (or writes) DATA_FOLDER/big.nc and its spec as benchmarks/run.py does. Each round runs
the decode-only floor, tpqc --jobs 2 and tpqc --jobs 1; wall and CPU time (user + system of
the process tree) are printed per round, with the load average before it, then medians.
"""

from __future__ import annotations

import os
import statistics
import subprocess
import sys
import time
from pathlib import Path

HERE = Path(__file__).resolve().parent
sys.path.insert(0, str(HERE))

from run import (  # noqa: E402
    BIN,
    ENV,
    NETCDF_DECODE_ONLY,
    PYTHON,
    make_netcdf,
    netcdf_spec,
)


def timed(command: list[str]) -> tuple[float, float]:
    """(wall, CPU) seconds of one command and its children."""
    before = os.times()
    started = time.perf_counter()
    subprocess.run(command, env=ENV, stdout=subprocess.DEVNULL, check=False)
    wall = time.perf_counter() - started
    after = os.times()
    cpu = (after.children_user - before.children_user) + (
        after.children_system - before.children_system
    )
    return wall, cpu


def main() -> None:
    folder = Path(sys.argv[1]).resolve()
    rounds = int(sys.argv[2]) if len(sys.argv) > 2 else 7
    nc = folder / "big.nc"
    make_netcdf(nc, 720, 800, 900)
    spec = str(netcdf_spec(folder))
    os.chdir(folder)
    commands = {
        "decode": [PYTHON, "-c", NETCDF_DECODE_ONLY, str(nc), "temp"],
        "tpqc -j2": [str(BIN / "tpqc"), "-q", "validate", spec, "--no-cache", "--jobs", "2"],
        "tpqc -j1": [str(BIN / "tpqc"), "-q", "validate", spec, "--no-cache", "--jobs", "1"],
    }
    timed(commands["decode"])  # the file in the page cache before round 1
    results: dict[str, list[tuple[float, float]]] = {name: [] for name in commands}
    print("| round | load avg | decode wall | tpqc -j2 wall (CPU) | ratio | tpqc -j1 wall (CPU) |")
    print("| ---: | ---: | ---: | ---: | ---: | ---: |")
    for index in range(1, rounds + 1):
        load = os.getloadavg()[0]
        for name, command in commands.items():
            results[name].append(timed(command))
        decode, two, one = (results[n][-1] for n in commands)
        print(
            f"| {index} | {load:.2f} | {decode[0]:.2f} | {two[0]:.2f} ({two[1]:.2f}) | "
            f"{two[0] / decode[0]:.2f}x | {one[0]:.2f} ({one[1]:.2f}) |",
            flush=True,
        )
    ratios = [t[0] / d[0] for t, d in zip(results["tpqc -j2"], results["decode"], strict=True)]
    medians = {n: statistics.median(w for w, _ in r) for n, r in results.items()}
    print(
        f"| median | | {medians['decode']:.2f} | {medians['tpqc -j2']:.2f} | "
        f"{statistics.median(ratios):.2f}x ({min(ratios):.2f}-{max(ratios):.2f}) | "
        f"{medians['tpqc -j1']:.2f} |"
    )


if __name__ == "__main__":
    main()
