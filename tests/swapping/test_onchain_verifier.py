"""The on-chain step verifier: every instruction kind, faults, idle ticks and the clean give the Python
verifier's post-root within the gas goal; every tampered field is rejected by both with the same kind."""

from __future__ import annotations

import dataclasses
import struct
import sys
from collections.abc import Callable
from pathlib import Path

import pytest

sys.path.insert(0, str(Path(__file__).resolve().parents[1] / "emulator"))   # rvasm, emu_harness

from emu_harness import make  # noqa: E402
from onchain_checks import GAS_GOAL, reproof  # noqa: E402
from test_step_proofs import FAULTS, PARAMS, every_kind  # noqa: E402

from emulator.layout import RAM_BASE, S_BASE, SHADOW_STATUS  # noqa: E402
from emulator.machine import make_machine  # noqa: E402
from emulator.proof import (  # noqa: E402
    LeafOrderError,
    MalformedProofError,
    PostRootMismatch,
    PreRootMismatch,
    ProofError,
    QStarMismatch,
    SiblingCountError,
    StepProof,
    StuckError,
    UnusedLeafError,
    prove_step,
)
from emulator.state import MachineState  # noqa: E402
from emulator.template import Template  # noqa: E402
from swapping.onchain import OnChainRejection, verify_on_chain  # noqa: E402
from swapping.onchain.differential import chain_outcome, python_outcome  # noqa: E402

Proved = tuple[MachineState, StepProof]
Sample = tuple[Template, MachineState, StepProof]


def prove_run(template: Template, state: MachineState, steps: int) -> list[Proved]:
    """(pre-state copy, proof) of each of the next `steps` steps."""
    out = []
    for _ in range(steps):
        pre = state.copy()
        out.append((pre, prove_step(template, state)))
    return out


def assert_accepted_alike(proof: StepProof, template: Template) -> int:
    """Both verifiers accept the proof with its post-root; the contract's gas."""
    post_root, gas = verify_on_chain(proof, template)
    assert post_root == proof.post_root
    assert python_outcome(proof.to_bytes(), template) == chain_outcome(proof.to_bytes(), template)
    assert gas <= GAS_GOAL
    return gas


def test_every_instruction_kind_idle_ticks_and_the_clean() -> None:
    template = make(every_kind(), PARAMS)
    state = template.initial_state(b"S" * 100)
    running = prove_run(template, state, len(every_kind()))    # ends yielded, then idles
    assert state.read_u64(SHADOW_STATUS) == 1
    idle = prove_run(template, state, 1)
    machine = make_machine("fast", template, state)
    machine.run((1 << PARAMS.log2_window) - 1 - state.read_u64(0x108))
    state = machine.state()
    clean = prove_run(template, state, 1)
    assert clean[0][1].post_root == template.window_root(state.node(25, 1))
    for _, proof in [*running, *idle, *clean]:
        assert_accepted_alike(proof, template)


@pytest.mark.parametrize("words", list(FAULTS.values()), ids=list(FAULTS))
def test_faults_verify_on_chain(words: list[int]) -> None:
    template = make(words, PARAMS)
    state = template.initial_state()
    for _, proof in prove_run(template, state, len(words) + 1):
        assert_accepted_alike(proof, template)
    assert state.read_u64(SHADOW_STATUS) == 2


def test_a_foreign_template_fails_the_clean() -> None:
    template = make(every_kind(), PARAMS)
    state = template.initial_state()
    machine = make_machine("fast", template, state)
    machine.run((1 << PARAMS.log2_window) - 1)
    proof = dataclasses.replace(prove_step(template, machine.state()), qstar_root=None)
    other = flip(template.qstar_root())
    with pytest.raises(PostRootMismatch):
        verify_on_chain(proof, other)
    assert python_outcome(proof.to_bytes(), other) == chain_outcome(proof.to_bytes(), other)


# --- tampering --------------------------------------------------------------------------------------
@pytest.fixture(scope="module")
def sample() -> Sample:
    """The proof of the first step that writes two RAM leaves (the spanning 8-byte store)."""
    template = make(every_kind(), PARAMS)
    state = template.initial_state()
    for pre, proof in prove_run(template, state, len(every_kind())):
        if len([i for i, _ in proof.leaves if RAM_BASE >> 5 <= i < S_BASE >> 5]) == 2:
            return template, pre, proof
    raise AssertionError("no spanning store in every_kind()")


def flip(value: bytes, bit: int = 0) -> bytes:
    """value with one bit of its first byte flipped."""
    return bytes([value[0] ^ (1 << bit)]) + value[1:]


def replaced(**fields: Callable[[StepProof], object]) -> Callable[[MachineState, StepProof], bytes]:
    """A tamperer that replaces proof fields by functions of the proof."""
    return lambda _, p: dataclasses.replace(p, **{k: f(p) for k, f in fields.items()}).to_bytes()


def leaf_changed(position: int, change: Callable[[int, bytes], tuple[int, bytes]]) -> Callable[..., bytes]:
    """A tamperer that changes one (index, value) leaf."""
    def tamper(_: MachineState, p: StepProof) -> bytes:
        """p with leaves[position] changed."""
        leaves = list(p.leaves)
        leaves[position] = change(*leaves[position])
        return dataclasses.replace(p, leaves=tuple(leaves)).to_bytes()
    return tamper


def binary_leaf_count_zero(_: MachineState, p: StepProof) -> bytes:
    """A proof with no leaves and no siblings."""
    return dataclasses.replace(p, leaves=(), siblings=()).to_bytes()


def binary_bad_index(_: MachineState, p: StepProof) -> bytes:
    """The last leaf index set to 2^27 (outside the tree) in the binary form."""
    data = bytearray(p.to_bytes())
    at = 6 + 1 + 96 + 4 + 36 * (len(p.leaves) - 1)
    data[at : at + 4] = struct.pack("<I", 1 << 27)
    return bytes(data)


TAMPERS: dict[str, tuple[Callable[[MachineState, StepProof], bytes], type[ProofError]]] = {
    "pre_root": (replaced(pre_root=lambda p: flip(p.pre_root)), PreRootMismatch),
    "post_root": (replaced(post_root=lambda p: flip(p.post_root, 7)), PostRootMismatch),
    "first leaf value": (leaf_changed(0, lambda i, v: (i, flip(v))), PreRootMismatch),
    "last leaf value": (leaf_changed(-1, lambda i, v: (i, flip(v, 3))), PreRootMismatch),
    "leaf index": (leaf_changed(-1, lambda i, v: (i + 2, v)), PreRootMismatch),
    "sibling": (replaced(siblings=lambda p: (*p.siblings[:9], flip(p.siblings[9]), *p.siblings[10:])),
                PreRootMismatch),
    "missing leaf": (lambda pre, p: reproof(pre, p, {i for i, _ in p.leaves[:-1]}).to_bytes(), StuckError),
    "unused leaf": (lambda pre, p: reproof(pre, p, {i for i, _ in p.leaves} | {S_BASE >> 5}).to_bytes(),
                    UnusedLeafError),
    "unsorted": (replaced(leaves=lambda p: (p.leaves[1], p.leaves[0], *p.leaves[2:])), LeafOrderError),
    "duplicate": (replaced(leaves=lambda p: (p.leaves[0], *p.leaves)), LeafOrderError),
    "sibling dropped": (replaced(siblings=lambda p: p.siblings[:-1]), SiblingCountError),
    "sibling added": (replaced(siblings=lambda p: (*p.siblings, p.siblings[0])), SiblingCountError),
    "foreign Q*": (replaced(qstar_root=lambda p: flip(p.qstar_root or bytes(32))), QStarMismatch),
    "no leaves": (binary_leaf_count_zero, MalformedProofError),
    "index outside the tree": (binary_bad_index, MalformedProofError),
    "truncated header": (lambda _, p: p.to_bytes()[:3], MalformedProofError),
    "truncated roots": (lambda _, p: p.to_bytes()[:40], MalformedProofError),
    "truncated leaves": (lambda _, p: p.to_bytes()[:150], MalformedProofError),
    "truncated siblings": (lambda _, p: p.to_bytes()[:-1], MalformedProofError),
    "trailing byte": (lambda _, p: p.to_bytes() + b"\0", MalformedProofError),
    "bad magic": (lambda _, p: b"X" + p.to_bytes()[1:], MalformedProofError),
    "unknown flags": (lambda _, p: p.to_bytes()[:6] + b"\x03" + p.to_bytes()[7:], MalformedProofError),
}


@pytest.mark.parametrize("name", list(TAMPERS))
def test_tampered_proofs_are_rejected_alike(name: str, sample: Sample) -> None:
    template, pre, proof = sample
    tamper, kind = TAMPERS[name]
    data = tamper(pre, proof)
    chain = chain_outcome(data, template)
    assert chain.kind is kind, chain.message
    assert python_outcome(data, template) == chain


def test_a_rejection_raises_with_the_revert_reason(sample: Sample) -> None:
    template, _, proof = sample
    with pytest.raises(OnChainRejection, match="pre-root mismatch") as caught:
        verify_on_chain(dataclasses.replace(proof, pre_root=flip(proof.pre_root)), template)
    assert isinstance(caught.value, PreRootMismatch) and caught.value.gas_used > 21_000


def test_more_leaves_than_the_contract_bound_is_malformed_on_chain(sample: Sample) -> None:
    """The documented divergence: Python finds an unused leaf, the contract refuses the size first."""
    template, pre, proof = sample
    indices = {i for i, _ in proof.leaves} | {(S_BASE >> 5) + k for k in range(17)}
    data = reproof(pre, proof, indices).to_bytes()
    assert python_outcome(data, template).kind is UnusedLeafError
    assert chain_outcome(data, template).kind is MalformedProofError


def test_step_kinds_are_read_off_the_proofs() -> None:
    """The bench's step_kind names every instruction the program runs, idle ticks, faults and the clean."""
    from emulator.isa import TABLE
    from swapping.onchain.bench import step_kind

    template = make(every_kind(), PARAMS)
    state = template.initial_state()
    proofs = [proof for _, proof in prove_run(template, state, len(every_kind()) + 1)]
    machine = make_machine("fast", template, state)
    machine.run((1 << PARAMS.log2_window) - 1 - state.read_u64(0x108))
    proofs.append(prove_step(template, machine.state()))
    kinds = {step_kind(proof, template.qstar_root()) for proof in proofs}
    names = {fn.__name__.rstrip("_") for fn in TABLE.values()} - {"ebreak"}
    assert kinds == names | {"idle", "clean"}
    fault = make(FAULTS["ebreak"], PARAMS)
    assert step_kind(prove_step(fault, fault.initial_state()), fault.qstar_root()) == "fault:breakpoint"
