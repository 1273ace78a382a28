"""Random programs aimed at the places where raw Unicorn differs from the reference: accesses across
region ends, jumps to pcs that are not 4-aligned (with link registers), words that are not RV64IM,
debug writes, exact stops in the middle of blocks and the clean. Roots must agree after every chunk."""

from __future__ import annotations

from hypothesis import given, settings
from hypothesis import strategies as st
from rvasm import ECALL, LOADS, S_OPS, assemble, b, i, jal, li, s, yield_

from emulator.layout import RAM_BASE, S_BASE
from emulator.machine import make_machine
from emulator.template import MachineParams, template_from_code

PARAMS = MachineParams(log2_window=9, ram_size=1 << 13, s_size=1 << 13)
EDGES = {5: RAM_BASE + PARAMS.ram_size - 16, 6: S_BASE + PARAMS.s_size - 16}
REG = st.integers(0, 31)
DATA = st.integers(8, 31)              # registers the program computes with (x5, x6 keep the edges)
BASE = st.sampled_from(sorted(EDGES))
SAFE_OFFSET = st.integers(-12, 8)      # an 8-byte access at edge - 16 + offset stays inside
WRITE = [*li(10, 1), *li(11, S_BASE), *li(12, 5), *li(17, 64), ECALL]

SAFE = st.one_of(                      # instructions that never fault here
    st.builds(lambda n, v, a, off: [s(n, v, a, off)], st.sampled_from(sorted(S_OPS)), REG, BASE, SAFE_OFFSET),
    st.builds(lambda n, d, a, off: [i(n, d, a, off)], st.sampled_from(LOADS), DATA, BASE, SAFE_OFFSET),
    st.builds(lambda d, imm: [i("addi", d, 0, imm)], DATA, st.integers(-2048, 2047)),
    st.builds(lambda d: [jal(d, 8), i("addi", d, d, 1)], DATA),          # skips one instruction
    st.builds(lambda a, c: [b("bne", a, c, 8), i("addi", a, a, 1)], DATA, DATA),
    st.just(WRITE),
)
EVENT = st.one_of(                     # each differs on raw Unicorn or ends the run
    st.builds(lambda n, v, a, k: [s(n, v, a, 16 - k)],                   # across the end of RAM or S
              st.sampled_from(["sh", "sw", "sd"]), DATA, BASE, st.integers(1, 7)),
    st.builds(lambda n, d, a, k: [i(n, d, a, 16 - k)], st.sampled_from(["lh", "lw", "ld"]), DATA, BASE,
              st.integers(1, 7)),
    st.builds(lambda d, off: [jal(d, off)], REG, st.sampled_from([2, 6, -2, 10])),
    st.builds(lambda d, a, imm: [i("addi", a, 0, 0), i("jalr", d, a, imm)], REG, DATA,
              st.sampled_from([2, 6, 0x7FE])),
    st.builds(lambda a, c: [b("beq", a, c, 6)], DATA, DATA),
    st.sampled_from([[0x0001_0001], [0xC000_2573], [0x0000_0000], [0x1000_252F], [0x0010_0073]]),
)
PROGRAM = st.tuples(
    st.lists(SAFE, max_size=12), EVENT, st.lists(SAFE, max_size=4),
    st.lists(st.integers(1, 40), min_size=1, max_size=12),
)


@settings(max_examples=60, deadline=None, derandomize=True)
@given(PROGRAM)
def test_random_edge_programs_agree_after_every_chunk(program: tuple) -> None:
    before, event, after, chunks = program
    prelude = [w for reg, value in EDGES.items() for w in li(reg, value)]
    words = [*prelude, *(w for group in [*before, event, *after] for w in group), *yield_()]
    template = template_from_code(assemble(words), PARAMS)
    outputs: dict[str, list[bytes]] = {"reference": [], "unicorn": []}
    ref, uni = (
        make_machine(name, template, template.initial_state(b"\x33" * PARAMS.s_size),
                     lambda fd, data, n=name: outputs[n].append(data))
        for name in ("reference", "unicorn")
    )
    for chunk in [*chunks, 600]:                       # the last chunk crosses the clean
        assert uni.run(chunk) == ref.run(chunk) == chunk
        assert uni.root() == ref.root(), f"after a chunk of {chunk}"
    assert outputs["unicorn"] == outputs["reference"]
