"""Preimage reads on chain (spec §5.3): PreimageOracle.vy loads parts ahead, StepVerifier.vy reads them;
the Python verifier and the contracts agree on honest and tampered proofs, each step within the gas goal."""

from __future__ import annotations

import dataclasses
import random
import sys
from pathlib import Path

import pytest

sys.path.insert(0, str(Path(__file__).resolve().parents[1] / "emulator"))   # oracle_programs, rvasm

from emu_harness import make  # noqa: E402
from onchain_checks import GAS_GOAL, assert_alike, check_alike  # noqa: E402
from oracle_programs import CODE_24K, SMALL_PREIMAGE, Read, oracle_of, read_words  # noqa: E402
from rvasm import yield_  # noqa: E402
from test_oracle_proofs import READS, proven  # noqa: E402

from emulator.layout import RAM_BASE, S_BASE, SHADOW_X  # noqa: E402
from emulator.machine import make_machine  # noqa: E402
from emulator.merkle import keccak  # noqa: E402
from emulator.proof import (  # noqa: E402
    PreimageHashMismatch,
    PreimageNotLoaded,
    PreRootMismatch,
    StepProof,
    prove_step,
)
from emulator.template import MachineParams  # noqa: E402
from swapping.onchain.differential import chain_outcome, python_outcome  # noqa: E402
from swapping.onchain.verifier import OnChainVerifier, read_offset, verify_on_chain  # noqa: E402

LOAD_KECCAK = keccak(b"loadKeccak256PreimagePart(uint256,bytes)")[:4]
READ_PART = keccak(b"readPart(bytes32,uint256)")[:4]


def read_part(verifier: OnChainVerifier, key: bytes, offset: int) -> tuple[bool, bytes, int]:
    """(loaded, part, length) the oracle contract holds at (key, offset)."""
    result = verifier.chain.call(verifier.oracle_address, READ_PART + key + offset.to_bytes(32, "big"))
    assert not result.reverted, result.reason
    out = result.output
    return bool(int.from_bytes(out[:32], "big")), out[32:64], int.from_bytes(out[64:96], "big")


@pytest.mark.parametrize("name", list(READS))
def test_oracle_steps_verify_alike_within_the_gas_goal(name: str) -> None:
    template, _, proof = proven(*READS[name])
    post_root, gas = verify_on_chain(proof, template)
    assert post_root == proof.post_root
    assert gas <= GAS_GOAL
    assert_alike(proof.to_bytes(), template)


@pytest.mark.parametrize("offset", [0, 5, 24 * 1024 - 32, 24 * 1024 - 7, 24 * 1024, 24 * 1024 + 100])
def test_a_24_kib_preimage_loads_in_one_transaction_part_by_offset(offset: int) -> None:
    verifier = OnChainVerifier()
    data = LOAD_KECCAK + offset.to_bytes(32, "big") + (64).to_bytes(32, "big")
    data += len(CODE_24K).to_bytes(32, "big") + CODE_24K
    result = verifier.chain.call(verifier.oracle_address, data)
    assert not result.reverted, result.reason
    assert result.output == keccak(CODE_24K)
    assert result.gas_used < 1_000_000
    assert read_part(verifier, keccak(CODE_24K), offset) == (
        True, CODE_24K[offset : offset + 32].ljust(32, b"\0"), len(CODE_24K))
    assert read_part(verifier, keccak(CODE_24K), offset + 1)[0] is False


def test_a_checked_load_refuses_a_preimage_under_another_key() -> None:
    verifier = OnChainVerifier()
    with pytest.raises(PreimageHashMismatch, match="preimage mismatch"):
        verifier.load_part(keccak(b"other"), 0, SMALL_PREIMAGE)


@pytest.fixture(scope="module")
def sample() -> tuple:
    """An honest proof of a read of 32 bytes at offset 10 of a 100-byte preimage."""
    return proven(*READS["inside"])


def _fresh_alike(data: bytes, template: object) -> tuple:
    """Python's and a fresh deployment's outcomes (nothing loaded into its oracle before)."""
    return python_outcome(data, template), chain_outcome(data, template, OnChainVerifier())


def test_a_tampered_preimage_is_refused_alike(sample: tuple) -> None:
    template, _, proof = sample
    ((key, data),) = proof.preimages
    tampered = dataclasses.replace(proof, preimages=((key, data[:-1] + b"!"),)).to_bytes()
    python, chain = _fresh_alike(tampered, template)
    assert chain.kind is PreimageHashMismatch and python == chain


def test_a_preimage_under_a_wrong_key_is_refused_alike(sample: tuple) -> None:
    template, _, proof = sample
    ((_, data),) = proof.preimages
    wrong = dataclasses.replace(proof, preimages=((keccak(b"elsewhere"), data),)).to_bytes()
    python, chain = _fresh_alike(wrong, template)
    assert chain.kind is PreimageHashMismatch and python == chain


def test_a_part_not_loaded_is_stuck_alike(sample: tuple) -> None:
    template, _, proof = sample
    python, chain = _fresh_alike(proof.without_preimages().to_bytes(), template)
    assert chain.kind is PreimageNotLoaded and python == chain, chain.message


def test_a_part_loaded_at_another_offset_is_not_the_part_read(sample: tuple) -> None:
    template, _, proof = sample
    ((key, data),) = proof.preimages
    verifier = OnChainVerifier()
    verifier.load_part(key, read_offset(proof) + 1, data)
    bare = proof.without_preimages().to_bytes()
    assert chain_outcome(bare, template, verifier).kind is PreimageNotLoaded
    verifier.load_part(key, read_offset(proof), data)
    assert chain_outcome(bare, template, verifier).post_root == proof.post_root


@pytest.mark.parametrize("register", [10, 11, 12, 13], ids=["key address", "offset", "destination", "length"])
def test_tampered_registers_are_refused_alike(sample: tuple, register: int) -> None:
    template, _, proof = sample
    leaves = []
    for index, value in proof.leaves:
        at = SHADOW_X + 8 * register - 32 * index
        if 0 <= at < 32:
            value = value[:at] + (0x77).to_bytes(8, "little") + value[at + 8 :]
        leaves.append((index, value))
    data = dataclasses.replace(proof, leaves=tuple(leaves)).to_bytes()
    python, chain = _fresh_alike(data, template)
    assert chain.kind is PreRootMismatch and python == chain


def test_preimages_sent_to_the_contract_are_malformed(sample: tuple) -> None:
    """The contract takes preimages only through its oracle: a proof that carries them is refused."""
    template, _, proof = sample
    result = OnChainVerifier().call(template.qstar_root(), proof.to_bytes())
    assert result.reverted and (result.reason or "").startswith("malformed")


@pytest.mark.parametrize("seed", range(6))
def test_random_tamperings_of_oracle_proofs_are_rejected_alike(seed: int) -> None:
    rng = random.Random(seed)
    name = sorted(READS)[seed % len(READS)]
    template, pre, proof = proven(*READS[name])
    check_alike(pre, proof, template, rng)


def test_the_binary_proof_round_trips_with_preimages(sample: tuple) -> None:
    _, _, proof = sample
    assert StepProof.from_bytes(proof.to_bytes()) == proof


WIDE = MachineParams(log2_window=20, ram_size=1 << 29, s_size=1 << 28)
SPREAD = {   # (key address, destination): the key straddles a high tree boundary, all leaves far apart
    "key across 128 MiB in S": (S_BASE + (1 << 27) - 5, RAM_BASE + (1 << 27) + 3),
    "key across RAM's end into S": (S_BASE - 7, RAM_BASE + (1 << 28) + 40),
    "key across 1 MiB in S, dst at RAM's end": (S_BASE + (1 << 20) - 1, RAM_BASE + (1 << 29) - 32),
}


@pytest.mark.parametrize("name", list(SPREAD))
def test_the_widest_oracle_steps_stay_within_the_gas_goal(name: str) -> None:
    """The most siblings an oracle step can need (10 leaves, ~120 siblings) still verify in budget."""
    key_addr, dst = SPREAD[name]
    words = read_words(Read(key_addr, 100, dst, 33))
    template = make([*words, *yield_(0)], WIDE)
    state = template.initial_state()
    state.write(key_addr, keccak(CODE_24K))
    machine = make_machine("fast", template, state)
    machine.run(len(words) - 1)
    state = machine.state()
    proof = prove_step(template, state, oracle_of())
    assert len(proof.siblings) >= 110
    post_root, gas = verify_on_chain(proof, template)
    assert post_root == proof.post_root and gas <= GAS_GOAL
