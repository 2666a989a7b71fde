"""Where the time of one ``tpqc validate`` goes: its phases timed inside one fresh process.

    python benchmarks/phases.py SPEC JOBS

Prints one JSON object of seconds per phase: ``imports`` (the command-line module and the
pipeline, as ``tpqc validate`` loads them), ``spec`` (the YAML read, checked and typed),
``plan`` (the data root listed, files matched to products), ``read`` (rasterio loaded, the
worker pool forked, every file read once; the checks' modules load meanwhile, as in a run),
``judge`` (every check, the report assembled) and ``render`` (the JSON report written), plus
``read_one_process`` (the same files read again in this process, no pool: the per-file cost
itself, page cache warm). The interpreter's own start is measured by the caller.
"""

from __future__ import annotations

import dataclasses
import json
import sys
import time
from pathlib import Path


def main() -> None:
    spec_path, jobs = Path(sys.argv[1]), int(sys.argv[2])
    times: dict[str, float] = {}
    clock = time.perf_counter()

    def lap(name: str) -> None:
        nonlocal clock
        now = time.perf_counter()
        times[name] = now - clock
        clock = now

    sys.modules.setdefault("boto3", None)  # type: ignore[arg-type]  # as tpqc's main() does
    import tpqc.cli  # noqa: F401
    import tpqc.pipeline as pipeline
    from tpqc.schemas.spec import load_spec
    from tpqc.validators.kinds import registered_kinds
    from tpqc.validators.render import render

    lap("imports")
    spec = load_spec(spec_path)
    lap("spec")
    options = dataclasses.replace(pipeline.ValidateOptions(), jobs=jobs)
    plan = pipeline.plan_run(spec, options)
    lap("plan")
    # As `tpqc validate` does: the warming thread starts once the workers are (a thread
    # started before them would make the pool start by forkserver, not fork).
    present = pipeline.kinds_present(plan.inventory, registered_kinds())
    facts = pipeline.read_planned(
        plan, options, beside=lambda: pipeline._warm_judging(spec, present)
    )
    lap("read")
    result = pipeline.judge(spec, plan.inventory, facts, options)
    lap("judge")
    Path("/dev/null").write_text(render(result.report, "json"), encoding="utf-8")
    lap("render")
    pipeline.read_planned(plan, dataclasses.replace(options, jobs=1))
    lap("read_one_process")
    times["files"] = len(facts)
    print(json.dumps(times))


if __name__ == "__main__":
    main()
