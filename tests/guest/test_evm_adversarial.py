"""Mutated blocks through the native guest (ASan/UBSan) and machine A: never a fault, always the same S'.

A block of a fixture is damaged (bytes flipped, cut, inserted, or a field re-encoded) and put alone in
the inbox of the fixture's genesis state. Whatever the damage, the guest must yield (no sanitizer report,
no abort) and leave the same image as A: the same accept/reject verdict and reason code, byte for byte.
"""

from __future__ import annotations

from pathlib import Path

import pytest
from evm_native import FIXTURES, guest_run, guest_step
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from emulator.errors import SwapvmError
from fastvm.codec import decode, encode
from fastvm.fixtures import initial_state, load_file
from fastvm.machine import Machine

# Blocks with typed and legacy transactions, withdrawals, contract code.
SOURCES = (
    "ValidBlocks/bcEIP1559/transType.json",
    "ValidBlocks/bcExample/shanghaiExample.json",
    "ValidBlocks/bcValidBlockTest/SimpleTx.json",
)


def _first_blocks() -> list[tuple[bytes, object]]:
    """(first block, genesis state) of each source test."""
    out = []
    for rel in SOURCES:
        path = FIXTURES / rel
        if not path.is_file():
            continue
        test = load_file(path)[0]
        out.append((test.blocks[0], initial_state(test)))
    return out


CASES = _first_blocks()


def mutate(block: bytes, kind: int, pos: int, value: int, length: int) -> bytes:
    """One damage of a block: flip, cut, insert, overwrite a run, or drop bytes."""
    if not block:
        return bytes([value])
    i = pos % len(block)
    if kind == 0:
        return block[:i] + bytes([block[i] ^ (value or 1)]) + block[i + 1:]
    if kind == 1:
        return block[:i]
    if kind == 2:
        return block[:i] + bytes([value]) * length + block[i:]
    if kind == 3:
        return block[:i] + bytes([value]) * length + block[i + length:]
    return block[:i] + block[i + length:]


@pytest.mark.skipif(not CASES, reason="fixtures not present")
@settings(max_examples=25, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture])
@given(case=st.integers(0, 10), kind=st.integers(0, 4), pos=st.integers(0, 1 << 20),
       value=st.integers(0, 255), length=st.integers(1, 40))
def test_mutated_block_same_outcome(tmp_path: Path, case: int, kind: int, pos: int,
                                    value: int, length: int) -> None:
    block, genesis = CASES[case % len(CASES)]
    damaged = mutate(block, kind, pos, value, length)
    state = genesis.with_changes(inbox=(damaged,), cursor=0)
    image = encode(state)
    _after, info = Machine().step(state)
    assert guest_step(image, tmp_path) == info.image, f"A: {info.status.name}/{info.reason.name}"


@pytest.mark.skipif(not CASES, reason="fixtures not present")
@settings(max_examples=25, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture])
@given(case=st.integers(0, 10), kind=st.integers(0, 4), pos=st.integers(0, 1 << 20),
       value=st.integers(0, 255), length=st.integers(1, 40))
def test_mutated_state_image_same_verdict(tmp_path: Path, case: int, kind: int, pos: int,
                                          value: int, length: int) -> None:
    """A damaged S image: if A's codec refuses it, the guest reports it (2) and leaves it alone;
    if it still decodes, the step must give A's S'."""
    block, genesis = CASES[case % len(CASES)]
    image = encode(genesis.with_changes(inbox=(block,), cursor=0))
    damaged = image[:16] + mutate(image[16:], kind, pos, value, length)
    damaged = damaged[:8] + (len(damaged) - 16).to_bytes(8, "little") + damaged[16:]  # keep the frame length
    try:
        state = decode(damaged)
    except SwapvmError:
        assert guest_run(damaged, tmp_path) == (2, damaged)
        return
    _after, info = Machine().step(state)
    assert guest_step(damaged, tmp_path) == info.image
