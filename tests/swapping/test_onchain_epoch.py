"""Two verify calls in one transaction: the second never sees the first call's proven leaves (spec §5.3,
the transient leaf map is tagged with a per-call epoch)."""

from __future__ import annotations

import sys
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parents[1] / "emulator"))   # oracle_programs, rvasm

import vyper  # noqa: E402
from onchain_checks import reproof  # noqa: E402
from test_oracle_proofs import READS, proven  # noqa: E402

from emulator.merkle import keccak  # noqa: E402
from emulator.proof import StepProof  # noqa: E402
from swapping.onchain.verifier import OnChainVerifier  # noqa: E402

TWICE = """
#pragma version ~=0.4.3
#pragma evm-version cancun
interface StepVerifier:
    def verify(qstar_root: bytes32, proof: Bytes[14515]) -> bytes32: nonpayable

@external
def twice(target: address, qstar: bytes32, first: Bytes[14515], second: Bytes[14515]) -> bytes32:
    extcall StepVerifier(target).verify(qstar, first)
    return extcall StepVerifier(target).verify(qstar, second)
"""
SELECTOR = keccak(b"twice(address,bytes32,bytes,bytes)")[:4]


def _padded(data: bytes) -> bytes:
    """Length word, data, zero padding to 32 bytes."""
    return len(data).to_bytes(32, "big") + data + bytes(-len(data) % 32)


def call_twice(verifier: OnChainVerifier, caller: bytes, qstar: bytes, first: StepProof,
               second: StepProof) -> tuple[bool, str | None, bytes]:
    """(reverted, reason, output) of twice(verifier, qstar, first, second) in one transaction."""
    a, b = first.without_preimages().to_bytes(), second.without_preimages().to_bytes()
    tail_a = _padded(a)
    offsets = (128).to_bytes(32, "big") + (128 + len(tail_a)).to_bytes(32, "big")
    head = bytes(12) + verifier.address + qstar + offsets
    result = verifier.chain.call(caller, SELECTOR + head + tail_a + _padded(b))
    return result.reverted, result.reason, result.output


def test_a_second_call_in_one_transaction_is_stuck_on_a_leaf_only_the_first_proved() -> None:
    verifier = OnChainVerifier()
    caller = verifier.chain.deploy(bytes.fromhex(vyper.compile_code(TWICE)["bytecode"].removeprefix("0x")))
    template, pre, proof = proven(*READS["inside"])
    verifier.load_preimages(proof)
    qstar = template.qstar_root()
    reverted, reason, output = call_twice(verifier, caller, qstar, proof, proof)
    assert not reverted and output == proof.post_root, reason
    missing = reproof(pre, proof, {i for i, _ in proof.leaves} - {proof.leaves[-1][0]})
    reverted, reason, _ = call_twice(verifier, caller, qstar, proof, missing)
    assert reverted and (reason or "").startswith("stuck"), reason
