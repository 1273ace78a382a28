"""Hypothesis strategies for arbitrary machine states: any shadow page a prover could choose.

A step proof's pre-state is the prover's choice (spec §2.8), so the step must be total and every
verifier must agree on all of them. The strategies draw full 64-bit fields biased to the edges
that matter: RAM and S sizes that end inside, at and past their windows (into S, ROM and beyond
the top), rom_end and text_end past TOP_BASE, text_start below ROM (the shadow page, RAM, S),
pcs in every region, log2_window at 0, 1, 63, 64 and beyond, clocks at the clean, and registers
at the window edges. The reference/fast differential (test_arbitrary_states.py) and the on-chain
differential (tests/swapping/test_onchain_states.py) both draw from here.
"""

from __future__ import annotations

from hypothesis import strategies as st
from rv_programs import INSTRUCTION, PROGRAM, REG, Program, prelude, prelude_registers, program_words
from rvasm import LOADS, S_OPS, i, s

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
    TOP_BASE,
)
from emulator.state import MachineState
from emulator.template import MachineParams, Template

__all__ = ["ARBITRARY", "PARAMS", "Arbitrary", "arbitrary_state", "program_words"]

PARAMS = MachineParams(log2_window=6, ram_size=1 << 13, s_size=1 << 13)
U64_MAX = (1 << 64) - 1
U64 = st.integers(0, U64_MAX)
U32 = st.integers(0, (1 << 32) + 64)
WINDOW_EDGES = (0, 0x100, RAM_BASE, S_BASE, ROM_BASE, TOP_BASE, 1 << 32)
CLIP_EDGES = (S_BASE, ROM_BASE, TOP_BASE)          # where a region may overflow into the next window


def near(points: tuple[int, ...], spread: int) -> st.SearchStrategy[int]:
    """A u64 within `spread` of one of the points (wrapping below 0 to the top of u64)."""
    return st.builds(lambda p, d: (p + d) & U64_MAX, st.sampled_from(points), st.integers(-spread, spread))


def edge_or_any(points: tuple[int, ...]) -> st.SearchStrategy[int]:
    """Half the time one of the points exactly, else near one, or any u32 or u64."""
    return st.one_of(st.sampled_from(points), st.one_of(near(points, 8), U32, U64))


# Sizes measured from their base: tiny, the template's own, ending at, inside or past their window
# (RAM into S and ROM, S into ROM, either past the top), and the largest u64.
RAM_SIZES = (0, 8, PARAMS.ram_size, S_BASE - RAM_BASE, S_BASE - RAM_BASE + 8, S_BASE - RAM_BASE + 0x1000,
             ROM_BASE - RAM_BASE, ROM_BASE - RAM_BASE + 0x1000, TOP_BASE - RAM_BASE,
             TOP_BASE - RAM_BASE + 0x1000,
             U64_MAX)
S_SIZES = (0, 8, PARAMS.s_size, ROM_BASE - S_BASE - 4, ROM_BASE - S_BASE, ROM_BASE - S_BASE + 8,
           ROM_BASE - S_BASE + 0x1000, TOP_BASE - S_BASE, TOP_BASE - S_BASE + 0x1000, U64_MAX)
ROM_ENDS = (0, RAM_BASE, ROM_BASE, ROM_BASE + 0x1000, ROM_BASE + 0x1004, TOP_BASE, TOP_BASE + 8,
            TOP_BASE + 0x1000, 1 << 32, U64_MAX)
TEXT_STARTS = (0, 0x100, RAM_BASE, RAM_BASE + 0x100, S_BASE, ROM_BASE, ROM_BASE + 8, TOP_BASE - 4, TOP_BASE)
TEXT_ENDS = (0, 4, ROM_BASE, ROM_BASE + 0x1000, TOP_BASE - 4, TOP_BASE, TOP_BASE + 4, 1 << 32, U64_MAX)
PCS = (0, 8, 0x100, RAM_BASE, RAM_BASE + 0x100, S_BASE, S_BASE + 0x80, ROM_BASE - 4, TOP_BASE - 4,
       TOP_BASE, (1 << 32) - 4, U64_MAX - 3)

# The region bounds are always drawn (they decide every access); the other fields only sometimes.
REGION_BOUNDS = {
    SHADOW_RAM_SIZE: edge_or_any(RAM_SIZES),
    SHADOW_S_SIZE: edge_or_any(S_SIZES),
    SHADOW_ROM_END: edge_or_any(ROM_ENDS),
}
FIELDS = st.fixed_dictionaries(
    REGION_BOUNDS,
    optional={
        SHADOW_PC: st.one_of(st.integers(ROM_BASE, ROM_BASE + 256).map(lambda v: v & ~3), edge_or_any(PCS)),
        SHADOW_CLOCK: st.one_of(st.integers(60, 70), near((0, 1 << 63, U64_MAX), 2), U64),
        SHADOW_STATUS: st.one_of(st.integers(0, 3), U64),
        SHADOW_LOG2_WINDOW: st.one_of(st.sampled_from([0, 1, 63, 64]), st.integers(0, 70), U64),
        SHADOW_TEXT_START: edge_or_any(TEXT_STARTS),
        SHADOW_TEXT_END: edge_or_any(TEXT_ENDS),
    },
)


def all_near(edges: tuple[int, ...], spread: int) -> st.SearchStrategy[dict[int, int]]:
    """x1..x31 all within `spread` of one of the edges."""
    deltas = st.lists(st.integers(-spread, spread), min_size=31, max_size=31)
    return st.builds(lambda edge, ds: {reg: (edge + d) & U64_MAX for reg, d in enumerate(ds, start=1)},
                     st.sampled_from(edges), deltas)


REGISTERS = st.one_of(                              # a few registers anywhere, or all near one edge
    st.dictionaries(st.integers(1, 31), st.one_of(near(WINDOW_EDGES, 40), U64), max_size=4),
    all_near(WINDOW_EDGES, 40),
)


def overflowing(edge: int, past: int, bounds: dict[int, int], pc: int | None) -> dict[int, int]:
    """The region bounds with the region below `edge` (and text) reaching `past` bytes beyond it,
    the region above it empty; pc (if given) is that many bytes from the edge."""
    over = {
        S_BASE: {SHADOW_RAM_SIZE: S_BASE - RAM_BASE + past, SHADOW_S_SIZE: 0, SHADOW_TEXT_START: RAM_BASE},
        ROM_BASE: {SHADOW_S_SIZE: ROM_BASE - S_BASE + past, SHADOW_TEXT_START: S_BASE},
        TOP_BASE: {SHADOW_ROM_END: TOP_BASE + past, SHADOW_TEXT_END: TOP_BASE + past},
    }[edge]
    return {**bounds, **over, **({} if pc is None else {SHADOW_PC: edge + pc})}


# A region overflowing into the next window, every register near that edge and maybe pc too: the
# states that need the clipping of spec §2.8 (an unclipped step lets the access or fetch through).
OVERFLOW = st.builds(
    lambda edge, past, bounds, pc, deltas: (
        overflowing(edge, past, bounds, pc), {r: (edge + d) & U64_MAX for r, d in enumerate(deltas, start=1)}
    ),
    st.sampled_from(CLIP_EDGES), st.sampled_from([8, 0x1000, 1 << 32, U64_MAX >> 1]),
    st.fixed_dictionaries(REGION_BOUNDS), st.one_of(st.none(), st.sampled_from([-8, -4, 0, 4])),
    st.lists(st.integers(-16, 16), min_size=31, max_size=31),
)
EDGE_ACCESS = st.one_of(                            # a load or store a few bytes off its base register
    st.builds(lambda n, d, a, imm: i(n, d, a, imm), st.sampled_from(LOADS), REG, REG, st.integers(-16, 16)),
    st.builds(lambda n, v, a, imm: s(n, v, a, imm), st.sampled_from(sorted(S_OPS)), REG, REG,
              st.integers(-16, 16)),
)
WORD_AT_PC = st.one_of(                             # the word wherever pc points (None: leave memory be)
    EDGE_ACCESS,
    st.one_of(st.none(), INSTRUCTION.map(lambda words: words[-1]), st.integers(0, 0xFFFF_FFFF)),
)

Arbitrary = tuple[Program, dict[int, int], dict[int, int], int | None]
ARBITRARY = st.builds(
    lambda program, page, word: (program, *page, word),
    PROGRAM, st.one_of(st.tuples(FIELDS, REGISTERS), OVERFLOW), WORD_AT_PC,
)


def arbitrary_state(template: Template, drawn: Arbitrary, s_bytes: bytes = b"\x33" * 40) -> MachineState:
    """The drawn state: the prelude's registers, pc at the body, then the drawn word, fields, registers."""
    (values, _), fields, registers, word = drawn
    state = template.initial_state(s_bytes)
    for reg, value in prelude_registers(values).items():
        state.write_u64(SHADOW_X + 8 * reg, value)
    state.write_u64(SHADOW_PC, ROM_BASE + 4 * len(prelude(values)))    # the body's first word
    pc = fields.get(SHADOW_PC, state.read_u64(SHADOW_PC))
    if word is not None and pc % 4 == 0 and pc + 4 <= 1 << 32:
        state.write(pc, word.to_bytes(4, "little"))
    for offset, value in fields.items():
        state.write_u64(offset, value)
    for reg, value in registers.items():
        state.write_u64(SHADOW_X + 8 * reg, value)
    return state
