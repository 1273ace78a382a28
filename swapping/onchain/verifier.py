"""The Python client of the on-chain step verifier: deploy it once, verify proofs, meter their gas.

`verify_on_chain(proof, template_info)` sends `verify(qstar_root, proof.to_bytes())` to the
contract and returns (post_root, gas_used); a revert raises an OnChainRejection that is also the
ProofError subclass the Python verifier (emulator.proof.verify) raises for the same defect, so one
`pytest.raises(PreRootMismatch)` covers both verifiers.
"""

from __future__ import annotations

import statistics
from collections.abc import Iterable
from functools import lru_cache

from emulator.merkle import keccak
from emulator.proof import (
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
)
from emulator.template import Template
from swapping.onchain.build import compile_verifier
from swapping.onchain.evm import CallResult, LocalChain

SELECTOR = keccak(b"verify(bytes32,bytes)")[:4]


class OnChainRejection(ProofError):
    """The contract reverted; `reason` is its revert string, `kind` the matching Python ProofError."""

    kind: type[ProofError] = ProofError

    def __init__(self, reason: str, gas_used: int) -> None:
        """Keep the revert reason and the gas the failed transaction used."""
        super().__init__(f"on-chain verifier: {reason}")
        self.reason = reason
        self.gas_used = gas_used


def _rejection(kind: type[ProofError]) -> type[OnChainRejection]:
    """An OnChainRejection that is also `kind`."""
    return type(f"OnChain{kind.__name__}", (OnChainRejection, kind), {"kind": kind})


# The first words of each revert reason of StepVerifier.vy, and the Python error they stand for.
REASONS: dict[str, type[OnChainRejection]] = {
    prefix: _rejection(kind)
    for prefix, kind in (
        ("malformed", MalformedProofError),
        ("Q* mismatch", QStarMismatch),
        ("leaf order", LeafOrderError),
        ("sibling count", SiblingCountError),
        ("pre-root mismatch", PreRootMismatch),
        ("stuck", StuckError),
        ("unused leaf", UnusedLeafError),
        ("post-root mismatch", PostRootMismatch),
    )
}
OnChainUnknown = _rejection(ProofError)


def rejection_for(reason: str, gas_used: int) -> OnChainRejection:
    """The exception for a revert reason (an unknown reason is a bare OnChainRejection)."""
    for prefix, klass in REASONS.items():
        if reason.startswith(prefix):
            return klass(reason, gas_used)
    return OnChainUnknown(reason, gas_used)


def encode_call(qstar_root: bytes, proof_bytes: bytes) -> bytes:
    """ABI calldata for verify(bytes32 qstar_root, bytes proof)."""
    padding = bytes(-len(proof_bytes) % 32)
    head = qstar_root + (64).to_bytes(32, "big")
    return SELECTOR + head + len(proof_bytes).to_bytes(32, "big") + proof_bytes + padding


def _qstar(template_info: Template | bytes) -> bytes:
    """The Q* root of a template, or the root itself."""
    return template_info.qstar_root() if isinstance(template_info, Template) else bytes(template_info)


class OnChainVerifier:
    """One deployment of StepVerifier.vy on its own in-memory chain."""

    def __init__(self) -> None:
        """Compile (cached) and deploy the contract."""
        self.chain = LocalChain()
        self.address = self.chain.deploy(compile_verifier().init_code)

    def call(self, qstar_root: bytes, proof_bytes: bytes) -> CallResult:
        """The raw transaction result of verify(qstar_root, proof_bytes)."""
        return self.chain.call(self.address, encode_call(qstar_root, proof_bytes))

    def verify(self, proof: StepProof | bytes, template_info: Template | bytes) -> tuple[bytes, int]:
        """(post_root, gas_used) of an accepted proof; an OnChainRejection naming the check otherwise."""
        data = proof.to_bytes() if isinstance(proof, StepProof) else proof
        result = self.call(_qstar(template_info), data)
        if result.reverted:
            raise rejection_for(result.reason or "revert without a reason", result.gas_used)
        if len(result.output) != 32:
            raise OnChainUnknown(f"unexpected return data {result.output.hex()}", result.gas_used)
        return result.output, result.gas_used


@lru_cache(maxsize=1)
def default_verifier() -> OnChainVerifier:
    """The process-wide deployment (deployed on first use)."""
    return OnChainVerifier()


def verify_on_chain(proof: StepProof | bytes, template_info: Template | bytes) -> tuple[bytes, int]:
    """Verify a step proof (or its binary form) on chain: (post_root, transaction gas used)."""
    return default_verifier().verify(proof, template_info)


def measure_gas(proofs: Iterable[StepProof], template_info: Template | bytes) -> list[int]:
    """The transaction gas of verifying each proof on chain (every proof must be accepted)."""
    return [verify_on_chain(proof, template_info)[1] for proof in proofs]


def gas_summary(gas: list[int]) -> dict[str, int]:
    """verify_gas_max and verify_gas_median of a list of per-proof gas figures."""
    return {"verify_gas_max": max(gas), "verify_gas_median": int(statistics.median(gas))}
