"""Differential on arbitrary machine states: both verifiers agree on one step from random shadow fields.

Programs only reach states a template allows; here the shadow page itself is random — status, clock
at and around the clean, log2_window up to and beyond 64, region sizes that make RAM touch or overlap
S and S touch ROM, empty and odd text and ROM ranges, misaligned and out-of-text pcs — and the word
at pc is any 32-bit value biased to real opcodes, registers point at region edges. The contract
must accept the honest proof with the Python verifier's post-root, and reject a flipped bit alike
(100 states by default, 2,000 more with -m slow).
"""

from __future__ import annotations

import random

import pytest

from emulator.layout import (
    RAM_BASE,
    ROM_BASE,
    S_BASE,
    SHADOW_CLOCK,
    SHADOW_LOG2_WINDOW,
    SHADOW_PC,
    SHADOW_RAM_SIZE,
    SHADOW_ROM_END,
    SHADOW_S_SIZE,
    SHADOW_STATUS,
    SHADOW_TEXT_END,
    SHADOW_TEXT_START,
    SHADOW_X,
)
from emulator.proof import prove_step
from emulator.state import MachineState
from emulator.template import MachineParams, template_from_code
from swapping.onchain.differential import chain_outcome, python_outcome

TEMPLATE = template_from_code(bytes(64), MachineParams(log2_window=4, ram_size=1 << 12, s_size=1 << 12))
U64 = (1 << 64) - 1
OPCODES = [0x03, 0x0F, 0x13, 0x17, 0x1B, 0x23, 0x33, 0x37, 0x3B, 0x63, 0x67, 0x6F, 0x73]
EDGES = [RAM_BASE, S_BASE, ROM_BASE, 0x3000_0000, 0x4000_1000, 0x8000_1000, 0xC000_0000, 0]



def random_word(rng: random.Random) -> int:
    """An instruction word: fields over a real opcode (mostly), ECALL/EBREAK/FENCE, or any 32 bits."""
    roll = rng.random()
    if roll < 0.65:
        registers = [rng.randrange(32) for _ in range(3)]
        f3, f7 = rng.randrange(8), rng.choice([0, 0, 0x20, 1, rng.randrange(128)])
        fields = [rng.choice(OPCODES), registers[0], f3, registers[1], registers[2], f7]
        return sum(value << shift for value, shift in zip(fields, (0, 7, 12, 15, 20, 25), strict=True))
    if roll < 0.8:
        return rng.choice([0x0000_0073, 0x0010_0073, 0x0000_000F, 0x0000_100F])   # ECALL EBREAK FENCE(.I)
    return rng.getrandbits(32)


def random_register(rng: random.Random) -> int:
    """A register value: near a region edge, an ECALL number or extreme, or any 64 bits."""
    roll = rng.random()
    if roll < 0.5:
        return (rng.choice(EDGES) + rng.randrange(-40, 41)) & U64
    if roll < 0.65:
        return rng.choice([64, 93, 1000, 7, U64, 1 << 63])
    return rng.getrandbits(64)


def random_state(seed: int) -> MachineState:
    """A machine state with random shadow fields (biased to RUNNING, in text), word at pc, registers."""
    rng = random.Random(seed)
    state = TEMPLATE.initial_state()
    log2_window = rng.choice([1, 4, 8, 20, 63, 64, 65, U64])
    clock = rng.randrange(1 << 20)
    if rng.random() < 0.15:                                   # at or near the clean
        clock = ((1 << min(log2_window, 64)) - rng.choice([1, 1, 2, 0])) & U64
    start, length = (0, 4096) if rng.random() < 0.93 else rng.choice([(0, 8), (8, 8), (4096, 0)])
    text_start = ROM_BASE + start
    offset = 4 * rng.randrange(256) if rng.random() < 0.93 else rng.choice([2, 4092, 4096, -4])
    pc = text_start + offset
    fields = {
        SHADOW_STATUS: 0 if rng.random() < 0.85 else rng.choice([1, 2, 5, U64]),
        SHADOW_LOG2_WINDOW: log2_window, SHADOW_CLOCK: clock, SHADOW_PC: pc,
        SHADOW_TEXT_START: text_start, SHADOW_TEXT_END: text_start + length,
        SHADOW_ROM_END: rng.choice([ROM_BASE, ROM_BASE + 4096, 0x8000_1004, 0xC000_0000, 0]),
        SHADOW_RAM_SIZE: rng.choice([0, 8, 4096, 0x2000_0000, 0x2000_1000]),      # RAM up to, into S
        SHADOW_S_SIZE: rng.choice([0, 4096, 0x4000_0000, 0x3FFF_FFFC]),           # S up to ROM
    }
    for offset, value in fields.items():
        state.write(offset, value.to_bytes(8, "little"))
    for i in range(1, 32):
        value = random_register(rng)
        state.write(SHADOW_X + 8 * i, value.to_bytes(8, "little"))
        if RAM_BASE <= value < 0xC000_0000 - 64:
            state.write(value - 32, rng.randbytes(64))                         # data around pointers
    if pc % 4 == 0:
        state.write(pc, random_word(rng).to_bytes(4, "little"))
    return state


def check(seed: int) -> None:
    """Both verifiers accept the honest proof alike; one in three flipped bits is rejected alike."""
    proof = prove_step(TEMPLATE, random_state(seed))
    data = proof.to_bytes()
    chain = chain_outcome(data, TEMPLATE)
    assert chain.post_root == proof.post_root, chain.message
    assert python_outcome(data, TEMPLATE) == chain
    rng = random.Random(-seed)
    if rng.random() < 1 / 3:
        at = rng.randrange(len(data))
        bad = data[:at] + bytes([data[at] ^ (1 << rng.randrange(8))]) + data[at + 1 :]
        tampered = chain_outcome(bad, TEMPLATE)
        assert tampered.kind is not None
        assert python_outcome(bad, TEMPLATE) == tampered, tampered.message


@pytest.mark.parametrize("block", range(4))
def test_random_states_verify_alike(block: int) -> None:
    for seed in range(25 * block, 25 * (block + 1)):
        check(seed)


@pytest.mark.slow
@pytest.mark.parametrize("block", range(40))
def test_many_random_states_verify_alike(block: int) -> None:
    for seed in range(1000 + 50 * block, 1000 + 50 * (block + 1)):
        check(seed)
