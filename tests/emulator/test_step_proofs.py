"""Step proofs: record/replay round trips for every instruction kind, faults, idle ticks and the clean;
every tampered field is rejected with its own error."""

from __future__ import annotations

import dataclasses
import json

import pytest
from emu_harness import make
from hypothesis import Phase, given, settings
from rv_programs import PROGRAM, Program, program_words
from rvasm import (
    B_OPS,
    EBREAK,
    ECALL,
    FENCE,
    FENCE_I,
    LOADS,
    R_OPS,
    S_OPS,
    SHIFT_OPS,
    auipc,
    b,
    i,
    jal,
    li,
    lui,
    r,
    s,
    shift,
    yield_,
)

from emulator.isa import TABLE, decode
from emulator.layout import RAM_BASE, ROM_BASE, S_BASE, SHADOW_PC
from emulator.machine import make_machine
from emulator.proof import (
    LeafOrderError,
    MalformedProofError,
    PostRootMismatch,
    PreRootMismatch,
    QStarMismatch,
    SiblingCountError,
    StepProof,
    StuckError,
    UnusedLeafError,
    prove_step,
    verify,
)
from emulator.state import MachineState
from emulator.template import MachineParams, Template

PARAMS = MachineParams(log2_window=7, ram_size=1 << 16, s_size=1 << 16)
MAX_PROOF_BYTES = 8 * 1024


def every_kind() -> list[int]:
    """A straight-line program that executes every RV64IM instruction except EBREAK, then yields."""
    words = [*li(5, RAM_BASE + 29), *li(6, 0x8877_6655_F4F3_F2F1), *li(9, S_BASE + 60)]
    words += [s(name, 6, 5, 0) for name in S_OPS]            # the 8-byte store spans two leaves
    words += [i(name, 7, 5, 0) for name in LOADS]
    words += [i("ld", 8, 9, 0), *li(11, ROM_BASE), i("lw", 8, 11, 0)]
    words += [r(name, 7, 6, 5) for name in R_OPS]
    words += [i(name, 7, 6, -3) for name in ("addi", "slti", "sltiu", "xori", "ori", "andi", "addiw")]
    words += [shift(name, 7, 6, 13) for name in SHIFT_OPS]
    words += [lui(7, 0xABCDE), auipc(7, 3), FENCE, FENCE_I]
    for name in B_OPS:                                         # taken ones skip the nop after them
        words += [b(name, 5, 6, 8), i("addi", 0, 0, 0)]
    words += [jal(1, 8), i("addi", 0, 0, 0)]
    words += [auipc(12, 0), i("jalr", 1, 12, 12), i("addi", 0, 0, 0)]   # jalr to the next pc
    words += [*li(17, 64), *li(10, 1), *li(11, RAM_BASE), *li(12, 4), ECALL]
    return [*words, *yield_(7)]


def prove_all(template: Template, state: MachineState, steps: int) -> list[tuple[MachineState, StepProof]]:
    """(pre-state copy, proof) for each of the next `steps` steps."""
    out = []
    for _ in range(steps):
        pre = state.copy()
        out.append((pre, prove_step(template, state)))
    return out


def check(proof: StepProof, template: Template) -> None:
    """The proof verifies to its post-root, survives both encodings and is small."""
    assert verify(proof, template) == proof.post_root
    assert StepProof.from_json(json.loads(json.dumps(proof.to_json()))) == proof
    assert StepProof.from_bytes(proof.to_bytes()) == proof
    assert len(proof.to_bytes()) <= MAX_PROOF_BYTES


def test_every_instruction_kind_idle_ticks_and_the_clean_round_trip() -> None:
    template = make(every_kind(), PARAMS)
    state = template.initial_state(b"S" * 100)
    executed = set()
    window = 1 << PARAMS.log2_window
    for step_number in range(window):
        pc = state.read_u64(SHADOW_PC)
        word = int.from_bytes(state.read(pc, 4), "little")
        semantics = decode(word)
        if semantics is not None and step_number < len(every_kind()):
            executed.add(semantics)
        pre_root = state.root()
        proof = prove_step(template, state)
        assert proof.pre_root == pre_root
        assert proof.post_root == state.root()
        check(proof, template)
    assert set(TABLE.values()) - executed == {TABLE[(0b1110011, EBREAK)]}
    assert state.root() == template.window_root(state.node(25, 1))   # the last proof was the clean


FAULTS = {
    "load": [*li(5, 0xC000_0000), i("ld", 6, 5, 0)],
    "store": [*li(5, ROM_BASE), s("sd", 6, 5, 0)],
    "illegal": [0x0000_0001],
    "fetch": [jal(0, 0x1000)],
    "misaligned": [jal(0, 6)],
    "ebreak": [EBREAK],
    "abort": [*li(17, 1000), ECALL],
    "unknown ecall": [*li(17, 5), ECALL],
}


@pytest.mark.parametrize("words", list(FAULTS.values()), ids=list(FAULTS))
def test_faults_round_trip(words: list[int]) -> None:
    template = make([*words, *yield_()], PARAMS)
    state = template.initial_state()
    for _, proof in prove_all(template, state, len(words) + 2):
        check(proof, template)
    assert state.read_u64(0x110) == 2


# --- tampering --------------------------------------------------------------------------------------
@pytest.fixture(scope="module")
def sample() -> tuple[Template, MachineState, StepProof]:
    """The proof of the 8-byte store that spans two leaves, with its pre-state."""
    template = make(every_kind(), PARAMS)
    state = template.initial_state()
    setup = len(li(5, RAM_BASE + 29)) + len(li(6, 0)) * 0 + len(li(6, 0x8877_6655_F4F3_F2F1))
    setup += len(li(9, S_BASE + 60)) + 3                              # sb, sh, sw before sd
    prove_all(template, state, setup)
    pre = state.copy()
    proof = prove_step(template, state)
    assert len({index for index, _ in proof.leaves if RAM_BASE >> 5 <= index < S_BASE >> 5}) == 2
    return template, pre, proof


def reproof(pre: MachineState, proof: StepProof, indices: set[int]) -> StepProof:
    """The same claim, honestly proven for another leaf set."""
    leaves = tuple((index, pre.leaf(index)) for index in sorted(indices))
    return dataclasses.replace(proof, leaves=leaves, siblings=tuple(pre.multiproof(indices)))


def flip(value: bytes) -> bytes:
    """value with its first bit flipped."""
    return bytes([value[0] ^ 1]) + value[1:]


def test_sample_verifies(sample: tuple[Template, MachineState, StepProof]) -> None:
    template, _, proof = sample
    check(proof, template)


def test_tampered_pre_root(sample: tuple[Template, MachineState, StepProof]) -> None:
    template, _, proof = sample
    with pytest.raises(PreRootMismatch):
        verify(dataclasses.replace(proof, pre_root=flip(proof.pre_root)), template)


def test_tampered_post_root(sample: tuple[Template, MachineState, StepProof]) -> None:
    template, _, proof = sample
    with pytest.raises(PostRootMismatch):
        verify(dataclasses.replace(proof, post_root=flip(proof.post_root)), template)


@pytest.mark.parametrize("position", [0, -1])
def test_tampered_leaf_value(sample: tuple[Template, MachineState, StepProof], position: int) -> None:
    template, _, proof = sample
    leaves = list(proof.leaves)
    index, value = leaves[position]
    leaves[position] = (index, flip(value))
    with pytest.raises(PreRootMismatch):
        verify(dataclasses.replace(proof, leaves=tuple(leaves)), template)


def test_tampered_leaf_index(sample: tuple[Template, MachineState, StepProof]) -> None:
    template, _, proof = sample
    leaves = list(proof.leaves)
    index, value = leaves[-1]
    leaves[-1] = (index + 2, value)
    with pytest.raises(PreRootMismatch):
        verify(dataclasses.replace(proof, leaves=tuple(leaves)), template)


def test_tampered_sibling(sample: tuple[Template, MachineState, StepProof]) -> None:
    template, _, proof = sample
    siblings = list(proof.siblings)
    siblings[len(siblings) // 2] = flip(siblings[len(siblings) // 2])
    with pytest.raises(PreRootMismatch):
        verify(dataclasses.replace(proof, siblings=tuple(siblings)), template)


def test_missing_leaf_makes_the_verifier_stuck(sample: tuple[Template, MachineState, StepProof]) -> None:
    template, pre, proof = sample
    indices = {index for index, _ in proof.leaves}
    with pytest.raises(StuckError):
        verify(reproof(pre, proof, indices - {max(indices)}), template)


def test_unused_leaf_is_rejected(sample: tuple[Template, MachineState, StepProof]) -> None:
    template, pre, proof = sample
    indices = {index for index, _ in proof.leaves}
    with pytest.raises(UnusedLeafError):
        verify(reproof(pre, proof, indices | {S_BASE >> 5}), template)


def test_unsorted_leaves_are_rejected(sample: tuple[Template, MachineState, StepProof]) -> None:
    template, _, proof = sample
    leaves = list(proof.leaves)
    leaves[0], leaves[1] = leaves[1], leaves[0]
    with pytest.raises(LeafOrderError, match="unsorted"):
        verify(dataclasses.replace(proof, leaves=tuple(leaves)), template)


def test_duplicate_leaves_are_rejected(sample: tuple[Template, MachineState, StepProof]) -> None:
    template, _, proof = sample
    leaves = (proof.leaves[0], *proof.leaves)
    with pytest.raises(LeafOrderError, match="duplicate"):
        verify(dataclasses.replace(proof, leaves=leaves), template)


@pytest.mark.parametrize("change", ["drop", "extra"])
def test_wrong_sibling_count(sample: tuple[Template, MachineState, StepProof], change: str) -> None:
    template, _, proof = sample
    siblings = proof.siblings[:-1] if change == "drop" else (*proof.siblings, proof.siblings[0])
    with pytest.raises(SiblingCountError):
        verify(dataclasses.replace(proof, siblings=siblings), template)


def test_foreign_qstar_is_rejected(sample: tuple[Template, MachineState, StepProof]) -> None:
    template, _, proof = sample
    with pytest.raises(QStarMismatch):
        verify(dataclasses.replace(proof, qstar_root=flip(template.qstar_root())), template)


def test_clean_needs_the_templates_qstar() -> None:
    template = make([EBREAK], PARAMS)
    state = template.initial_state()
    machine_steps = (1 << PARAMS.log2_window) - 1
    make_machine("fast", template, state).run(machine_steps)
    proof = prove_step(template, state)
    assert verify(proof, template) == template.window_root(state.node(25, 1))
    with pytest.raises(PostRootMismatch):
        verify(dataclasses.replace(proof, qstar_root=None), flip(template.qstar_root()))


@pytest.mark.parametrize(
    ("field", "value", "message"),
    [
        ("pre_root", "00" * 31, "pre_root"),
        ("post_root", "zz" * 32, "post_root"),
        ("leaves", [[1 << 27, "00" * 32]], "index"),
        ("leaves", [[3]], r"leaves\[0\]"),
        ("siblings", "abc", "lists"),
        ("format", "other", "swapvm-step-proof"),
        ("version", 1, "version"),
        ("preimages", [["00" * 32]], r"preimages\[0\]"),
        ("preimages", [["00" * 32, "xyz"]], "not hex"),
    ],
)
def test_malformed_json(
    sample: tuple[Template, MachineState, StepProof], field: str, value: object, message: str
) -> None:
    _, _, proof = sample
    obj = proof.to_json()
    obj[field] = value
    with pytest.raises(MalformedProofError, match=message):
        StepProof.from_json(obj)


@pytest.mark.parametrize("cut", [3, 40, 100, -1])
def test_truncated_binary(sample: tuple[Template, MachineState, StepProof], cut: int) -> None:
    _, _, proof = sample
    with pytest.raises(MalformedProofError, match="truncated"):
        StepProof.from_bytes(proof.to_bytes()[:cut])


def test_trailing_bytes_and_bad_magic(sample: tuple[Template, MachineState, StepProof]) -> None:
    _, _, proof = sample
    with pytest.raises(MalformedProofError, match="trailing"):
        StepProof.from_bytes(proof.to_bytes() + b"\0")
    with pytest.raises(MalformedProofError, match="magic"):
        StepProof.from_bytes(b"X" + proof.to_bytes()[1:])


@settings(max_examples=15, deadline=None, derandomize=True, phases=[Phase.explicit, Phase.generate])
@given(PROGRAM)
def test_every_step_of_random_programs_proves_and_verifies(program: Program) -> None:
    template = make(program_words(program), PARAMS)
    state = template.initial_state(b"\x22" * 40)
    twin = make_machine("fast", template, template.initial_state(b"\x22" * 40))
    for _ in range(1 << PARAMS.log2_window):
        proof = prove_step(template, state)
        assert verify(proof, template) == proof.post_root
        twin.run(1)
        assert proof.post_root == twin.root()


@pytest.mark.parametrize(
    "change",
    [
        {"leaves": ((1 << 27, bytes(32)),)},
        {"leaves": ((5, bytes(31)),)},
        {"siblings": (b"short",)},
    ],
    ids=["index beyond the tree", "short leaf", "short sibling"],
)
def test_malformed_fields_built_in_memory(
    sample: tuple[Template, MachineState, StepProof], change: dict[str, object]
) -> None:
    template, _, proof = sample
    with pytest.raises(MalformedProofError):
        verify(dataclasses.replace(proof, **change), template)  # type: ignore[arg-type]
