"""Step proofs of preimage reads (spec §2.6, §2.9): they verify, and every tampering has its own error."""

from __future__ import annotations

import dataclasses

import pytest
from emu_harness import make
from oracle_programs import CODE_24K, DST, EMPTY, SMALL_PREIMAGE, Read, oracle_of, read_words, s_with_keys
from rvasm import yield_

from emulator.layout import ROM_BASE, SHADOW_X
from emulator.machine import make_machine
from emulator.merkle import keccak
from emulator.oracle import DictOracle, PreimageMissing
from emulator.proof import (
    MalformedProofError,
    PreimageHashMismatch,
    PreimageNotLoaded,
    PreRootMismatch,
    StepProof,
    StuckError,
    UnusedPreimageError,
    prove_step,
    verify,
)
from emulator.state import MachineState
from emulator.template import Template

Sample = tuple[Template, MachineState, StepProof]


def oracle_step(read: Read, data: bytes = SMALL_PREIMAGE, misalign: int = 5) -> tuple[Template, MachineState]:
    """A template whose next step is ECALL 1001 reading data's preimage, and the state before it."""
    s_bytes, (key_addr,) = s_with_keys((data,), misalign)
    read = dataclasses.replace(read, key_addr=read.key_addr or key_addr)
    words = read_words(read)
    template = make([*words, *yield_(0)])
    state = template.initial_state(s_bytes)
    machine = make_machine("fast", template, state)
    machine.run(len(words) - 1)
    return template, machine.state()


def proven(read: Read, data: bytes = SMALL_PREIMAGE) -> tuple[Template, MachineState, StepProof]:
    """The template, the pre-state and the proof of the oracle step."""
    template, state = oracle_step(read, data)
    pre = state.copy()
    return template, pre, prove_step(template, state, oracle_of())


READS = {
    "inside": (Read(0, 10, DST + 3, 32), SMALL_PREIMAGE),
    "last chunk": (Read(0, 96, DST, 32), SMALL_PREIMAGE),
    "at length": (Read(0, 100, DST, 32), SMALL_PREIMAGE),
    "want 0": (Read(0, 0, DST, 0), SMALL_PREIMAGE),
    "empty preimage": (Read(0, 0, DST, 32), EMPTY),
    "24 KiB code": (Read(0, 24 * 1024 - 7, DST + 31, 32), CODE_24K),
    "store fault": (Read(0, 0, ROM_BASE, 32), SMALL_PREIMAGE),
}


@pytest.mark.parametrize("name", list(READS))
def test_oracle_steps_prove_and_verify_in_both_encodings(name: str) -> None:
    read, data = READS[name]
    template, _, proof = proven(read, data)
    assert proof.preimages == ((keccak(data), data),)
    for copy in (StepProof.from_json(proof.to_json()), StepProof.from_bytes(proof.to_bytes())):
        assert copy == proof
        assert verify(copy, template) == proof.post_root


def test_a_key_fault_proof_carries_no_preimage() -> None:
    template, _, proof = proven(Read(0x8, 0, DST, 32))
    assert proof.preimages == ()
    assert verify(proof, template) == proof.post_root


def test_a_missing_key_cannot_be_proven_and_keeps_the_state() -> None:
    template, state = oracle_step(Read(0, 0, DST, 32))
    root = state.root()
    with pytest.raises(PreimageMissing, match=keccak(SMALL_PREIMAGE).hex()):
        prove_step(template, state, DictOracle())
    assert state.root() == root


@pytest.fixture(scope="module")
def sample() -> tuple[Template, MachineState, StepProof]:
    """An honest proof of a read of 32 bytes at offset 10."""
    return proven(*READS["inside"])


def test_a_tampered_preimage_does_not_hash_to_its_key(sample: Sample) -> None:
    template, _, proof = sample
    ((key, data),) = proof.preimages
    tampered = dataclasses.replace(proof, preimages=((key, b"X" + data[1:]),))
    with pytest.raises(PreimageHashMismatch, match="does not hash to its key"):
        verify(tampered, template)


def test_a_preimage_under_a_wrong_key(sample: Sample) -> None:
    template, _, proof = sample
    ((key, data),) = proof.preimages
    with pytest.raises(PreimageHashMismatch):
        verify(dataclasses.replace(proof, preimages=((keccak(b"other"), data),)), template)


def test_a_missing_preimage_is_stuck(sample: Sample) -> None:
    template, _, proof = sample
    with pytest.raises(PreimageNotLoaded, match="preimage not loaded") as caught:
        verify(dataclasses.replace(proof, preimages=()), template)
    assert isinstance(caught.value, StuckError)
    other = (keccak(b"other"), b"other")       # a well-formed preimage, but not the one read
    with pytest.raises(PreimageNotLoaded):
        verify(dataclasses.replace(proof, preimages=(other,)), template)


def test_an_extra_preimage_is_unused(sample: Sample) -> None:
    template, _, proof = sample
    extra = tuple(sorted((*proof.preimages, (keccak(b"extra"), b"extra"))))
    with pytest.raises(UnusedPreimageError):
        verify(dataclasses.replace(proof, preimages=extra), template)


def test_unsorted_or_repeated_preimages_are_malformed(sample: Sample) -> None:
    template, _, proof = sample
    with pytest.raises(MalformedProofError):
        verify(dataclasses.replace(proof, preimages=proof.preimages * 2), template)


def _with_register(proof: StepProof, register: int, value: int) -> StepProof:
    """The proof with one register's pre-value changed in its leaf (siblings kept)."""
    leaves = []
    for index, leaf in proof.leaves:
        offset = SHADOW_X + 8 * register - 32 * index
        if 0 <= offset < 32:
            leaf = leaf[:offset] + value.to_bytes(8, "little") + leaf[offset + 8 :]
        leaves.append((index, leaf))
    return dataclasses.replace(proof, leaves=tuple(leaves))


@pytest.mark.parametrize(("register", "what"), [(10, "key address"), (11, "offset"), (12, "destination"),
                                                (13, "length")])
def test_tampered_registers_do_not_hash_to_the_pre_root(
    sample: Sample, register: int, what: str
) -> None:
    template, _, proof = sample
    with pytest.raises(PreRootMismatch):
        verify(_with_register(proof, register, 0x77), template)


def test_a_tampered_key_in_memory_does_not_hash_to_the_pre_root(
    sample: Sample
) -> None:
    template, pre, proof = sample
    key_leaf = (pre.read_u64(SHADOW_X + 8 * 10)) >> 5
    leaves = tuple((i, bytes(32) if i == key_leaf else v) for i, v in proof.leaves)
    with pytest.raises(PreRootMismatch):
        verify(dataclasses.replace(proof, leaves=leaves), template)
