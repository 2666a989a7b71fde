"""First values by key, the same in memory and once on disk."""

from __future__ import annotations

import pytest

from tpqc.validators.engine.firsts import Firsts


@pytest.mark.parametrize("held", [0, 2, 1000])
def test_the_first_value_wins_in_memory_and_on_disk(held: int) -> None:
    firsts = Firsts(held=held)
    assert firsts.first("a", "one") is None
    assert firsts.first(b"\x00b", "") is None
    assert firsts.first("c", "three") is None
    assert firsts.on_disk == (held < 3)
    assert firsts.first("a", "again") == "one"
    assert firsts.first(b"\x00b", "other") == ""
    assert firsts.first("d", "four") is None and len(firsts) == 4
    firsts.close()
    assert len(firsts) == 0 and not firsts.on_disk
