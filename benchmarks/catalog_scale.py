"""How `tpqc stac`'s time and memory grow with the number of items: benchmarks/big_catalog.py
at several sizes, each in its own process, one after the other.

    python benchmarks/catalog_scale.py WORK_FOLDER [N ...]      # default 10000 100000

For each size: wall seconds, CPU seconds (user + system) and peak RSS of the whole process
(making the synthetic facts and counting the files written included), then the publication
alone (validation of the facts, catalog, self-check, report): wall, CPU, CPU per item and
the marginal CPU between consecutive sizes (what one more item costs, without the fixed
start). The catalog folder is removed after each size. Prints a Markdown table.
"""

from __future__ import annotations

import os
import shutil
import subprocess
import sys
import time
from pathlib import Path

HERE = Path(__file__).resolve().parent
PYTHON = sys.executable


def measure(items: int, work: Path) -> tuple[float, float, float, float, float]:
    """(wall s, CPU s, peak MB, publish wall s, publish CPU s) of one big_catalog run."""
    target = work / f"catalog-{items}"
    shutil.rmtree(target, ignore_errors=True)
    started = time.perf_counter()
    process = subprocess.Popen(
        [PYTHON, str(HERE / "big_catalog.py"), str(items), str(target)],
        stdout=subprocess.PIPE,
        text=True,
    )
    output = process.stdout.read() if process.stdout else ""
    _, status, usage = os.wait4(process.pid, 0)
    wall = time.perf_counter() - started
    if os.waitstatus_to_exitcode(status) != 0:
        raise SystemExit(f"big_catalog.py {items} failed ({status})")
    shutil.rmtree(target, ignore_errors=True)
    said = dict(word.split("=", 1) for word in output.split() if "=" in word)
    return (
        wall,
        usage.ru_utime + usage.ru_stime,
        usage.ru_maxrss / 1024,
        float(said["publish_s"]),
        float(said["publish_cpu_s"]),
    )


def main() -> None:
    work = Path(sys.argv[1])
    work.mkdir(parents=True, exist_ok=True)
    sizes = [int(n) for n in sys.argv[2:]] or [10_000, 100_000]
    rows = []
    for items in sizes:
        wall, cpu, peak, publish, publish_cpu = measure(items, work)
        rows.append((items, wall, cpu, peak, publish, publish_cpu))
        print(
            f"{items} items: {wall:.1f} s wall, {cpu:.1f} s CPU, {peak:.0f} MB; "
            f"publish {publish:.1f} s, {publish_cpu:.1f} s CPU",
            flush=True,
        )
    print()
    print(
        "| items | process wall s | process CPU s | peak RSS MB | publish wall s "
        "| publish CPU s | publish CPU ms/item | marginal ms/item |"
    )
    print("|---:|---:|---:|---:|---:|---:|---:|---:|")
    previous: tuple[int, float] | None = None
    for items, wall, cpu, peak, publish, publish_cpu in rows:
        marginal = (
            f"{(publish_cpu - previous[1]) / (items - previous[0]) * 1000:.2f}"
            if previous is not None and items > previous[0]
            else ""
        )
        print(
            f"| {items:,} | {wall:.1f} | {cpu:.1f} | {peak:.0f} | {publish:.1f} "
            f"| {publish_cpu:.1f} | {publish_cpu / items * 1000:.2f} | {marginal} |"
        )
        previous = (items, publish_cpu)


if __name__ == "__main__":
    main()
