"""`tpqc init` for NetCDF and HDF5 files: the grid rules of :mod:`.rasters`, plus the
variable each product checks and the step of the time axis inside its files."""

from __future__ import annotations

from collections.abc import Sequence

import numpy as np

from tpqc.init.inferrer import Inferred
from tpqc.init.names import NameGroup
from tpqc.init.rasters import GridInferrer
from tpqc.init.values import most_common, step_text
from tpqc.schemas.spec_values import PLACEHOLDER
from tpqc.validators.engine.facts import FileFacts
from tpqc.validators.kinds.netcdf.reader import NetcdfFacts


class NetcdfInferrer(GridInferrer):
    """NetCDF variables: one product per pattern and grid, naming its variable and time
    step."""

    def infer(self, name: str, group: NameGroup, facts: Sequence[FileFacts]) -> Inferred:
        """The grid's rules, the variable and the time step inside the files."""
        found = super().infer(name, group, facts)
        files = [f for f in facts if isinstance(f, NetcdfFacts)]
        chosen = most_common([f.variable for f in files if f.variable])
        keys = ("pattern", "fields", "temporal")
        if chosen is not None:
            others = sorted({v for f in files for v in f.data_variables} - {chosen[0]})
            note = f"the files' other data variables: {', '.join(others)}" if others else None
            found.block.add_after(keys, "variable", chosen[0], note)
        else:
            listed = sorted({v for f in files for v in f.data_variables})
            found.block.add_after(
                keys,
                "variable",
                f"{PLACEHOLDER}: one of {', '.join(listed) or 'the data variables'}",
                "the files hold several data variables: name the one this product checks",
            )
        step = _inner_step(files)
        if step is not None:
            found.block.add_after((*keys, "variable"), "time_step", step_text(step))
        return found


def _inner_step(files: Sequence[NetcdfFacts]) -> int | None:
    """The most common step (seconds) of the time axes inside the files, when they have
    more than one step each."""
    steps = [
        round(float(d))
        for f in files
        if len(f.time_seconds) > 1
        for d in np.diff(np.asarray(f.time_seconds, dtype=np.float64))
        if d > 0
    ]
    usual = most_common(steps)
    return usual[0] if usual else None


__all__ = ["NetcdfInferrer"]
