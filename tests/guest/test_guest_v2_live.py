"""The live-byte rule (spec §4.9, reason 9) on S version 2: the same count as machine A, the same refusal.

The crossing blocks of tests/guest/test_evm_live.py (one just within the small budget, one just past
it, by one counter) run on the small-budget guest over S version 2 with A's witness as the oracle: AB's
count of live bytes equals A's (fastvm/live.py), the block within the budget leaves A's S' of version
2, the one past it leaves S with the cursor advanced and outcome [2, 9].
"""

from __future__ import annotations

from pathlib import Path

import pytest
from test_evm_live import COUNTERS, crossing, run_a, small_image  # noqa: F401 (a fixture)
from v2_ab import WitnessOracle

from fastvm.codec_v2 import encode_v2
from fastvm.export_v2 import ExporterV2, to_version_2
from fastvm.preimages import PreimageStore
from fastvm.state import EssentialState, Outcome, Reason, Status
from swapping.guest_image import GuestImage
from swapping.heap_probe import measure_heap

KNOBS = {"cold accesses": 1, "journal": 20}   # the counters version 2 reads and writes the tries for


def agree_v2(state: EssentialState, image: GuestImage, tmp_path: Path) -> Status:
    """A at the small budget and AB on version 2 count the same live bytes and leave the same S'."""
    _after, info, total = run_a(state)
    store = PreimageStore(tmp_path / f"preimages{info.status}.sqlite")
    before = to_version_2(state, store)
    after, _info, witness = ExporterV2(store).export(before)   # A at the default budget: its witness
    run = measure_heap(image, encode_v2(before), oracle=WitnessOracle(witness.preimages()))
    assert run.status == "yielded", (run.status, run.cause)
    assert run.live_total == total
    if info.status == Status.REJECTED:
        assert info.reason == Reason.LIVE_BUDGET
        after = before.with_changes(cursor=before.cursor + 1, outcome=Outcome.rejected(Reason.LIVE_BUDGET))
    assert run.s_image == encode_v2(after)
    return info.status


@pytest.mark.parametrize("counter", sorted(KNOBS))
def test_crossing_the_budget_on_version_2(small_image: GuestImage, counter: str,  # noqa: F811
                                          tmp_path: Path) -> None:
    _strategy, maker, low, high = COUNTERS[counter]
    below, above = crossing(maker(KNOBS[counter]), low, high)
    assert agree_v2(below, small_image, tmp_path) == Status.ACCEPTED
    assert agree_v2(above, small_image, tmp_path) == Status.REJECTED
