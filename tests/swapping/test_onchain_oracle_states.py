"""Preimage reads from arbitrary shadow pages (region bounds at and past every window edge, key and
destination near the edges): the reference and the fast engine agree, and the contract and the Python
verifier agree on the proof and on a random tampering of it (spec §2.4, §2.8, §5.3)."""

from __future__ import annotations

import random
import sys
from pathlib import Path

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

sys.path.insert(0, str(Path(__file__).resolve().parents[1] / "emulator"))   # the shared strategies

from emu_harness import make  # noqa: E402
from onchain_checks import check_alike  # noqa: E402
from oracle_programs import SMALL_PREIMAGE, oracle_of  # noqa: E402
from rvasm import ECALL  # noqa: E402
from shadow_pages import CLIP_EDGES, PARAMS, REGION_BOUNDS, WINDOW_EDGES, near  # noqa: E402

from emulator.layout import ECALL_PREIMAGE, SHADOW_X  # noqa: E402
from emulator.machine import make_machine  # noqa: E402
from emulator.merkle import keccak  # noqa: E402
from emulator.proof import prove_step  # noqa: E402

ADDRESSES = st.one_of(near(WINDOW_EDGES + CLIP_EDGES, 40), st.integers(0, (1 << 64) - 1))
LENGTH = len(SMALL_PREIMAGE)


READS = {
    "bounds": st.fixed_dictionaries(REGION_BOUNDS),
    "key_addr": ADDRESSES,
    "dst": ADDRESSES,
    "offset": st.one_of(st.integers(0, LENGTH + 2), st.integers(0, (1 << 64) - 1)),
    "want": st.one_of(st.integers(0, 40), st.integers(0, (1 << 64) - 1)),
    "seed": st.integers(0, 1 << 30),
}


@settings(max_examples=40, deadline=None, derandomize=True)
@given(**READS)
def test_oracle_reads_from_arbitrary_bounds_agree(
    bounds: dict[int, int], key_addr: int, dst: int, offset: int, want: int, seed: int
) -> None:
    check_read(bounds, key_addr, dst, offset, want, seed)


@pytest.mark.slow
@settings(max_examples=400, deadline=None)
@given(**READS)
def test_many_oracle_reads_from_arbitrary_bounds_agree(
    bounds: dict[int, int], key_addr: int, dst: int, offset: int, want: int, seed: int
) -> None:
    check_read(bounds, key_addr, dst, offset, want, seed)


def check_read(bounds: dict[int, int], key_addr: int, dst: int, offset: int, want: int, seed: int) -> None:
    """One preimage read from the drawn state: engines, proof and both verifiers agree."""
    template = make([ECALL], PARAMS)
    state = template.initial_state()
    if key_addr + 32 <= 1 << 32:
        state.write(key_addr, keccak(SMALL_PREIMAGE))
    for register, value in ((10, key_addr), (11, offset), (12, dst), (13, want), (17, ECALL_PREIMAGE)):
        state.write_u64(SHADOW_X + 8 * register, value)
    for field, value in bounds.items():
        state.write_u64(field, value)
    roots = []
    for backend in ("reference", "fast"):
        machine = make_machine(backend, template, state.copy(), oracle=oracle_of())
        machine.run(1)
        roots.append(machine.root())
    assert roots[0] == roots[1]
    pre = state.copy()
    proof = prove_step(template, state, oracle_of())
    assert proof.post_root == roots[0]
    check_alike(pre, proof, template, random.Random(seed) if seed % 2 else None)
