"""Run one binary step proof through both verifiers (Python replay, EVM contract) and compare outcomes.

An outcome is the post-root of an accepted proof or the ProofError class of a rejected one; the
two verifiers agree when their outcomes are equal.
"""

from __future__ import annotations

from dataclasses import dataclass

from emulator.proof import ProofError, StepProof, verify
from emulator.template import Template
from swapping.onchain.verifier import OnChainRejection, OnChainVerifier, default_verifier


@dataclass(frozen=True)
class Outcome:
    """Accepted with post_root, or rejected with the ProofError class `kind` (and a message)."""

    post_root: bytes | None
    kind: type[ProofError] | None
    message: str = ""
    gas_used: int = 0

    def __eq__(self, other: object) -> bool:
        """Same post-root and same rejection kind (messages and gas may differ)."""
        if not isinstance(other, Outcome):
            return NotImplemented
        return (self.post_root, self.kind) == (other.post_root, other.kind)

    def __hash__(self) -> int:
        """Hash of what equality compares."""
        return hash((self.post_root, self.kind))


def python_outcome(data: bytes, template_info: Template | bytes) -> Outcome:
    """Parse the binary proof and verify it with emulator.proof.verify."""
    try:
        return Outcome(verify(StepProof.from_bytes(data), template_info), None)
    except ProofError as exc:
        return Outcome(None, type(exc), str(exc))


def chain_outcome(
    data: bytes, template_info: Template | bytes, verifier: OnChainVerifier | None = None
) -> Outcome:
    """Verify the binary proof with the deployed contracts (its preimages loaded into the oracle first).

    verifier: a deployment of its own (a fresh oracle contract) instead of the process-wide one.
    """
    try:
        post_root, gas = (verifier or default_verifier()).verify(data, template_info)
    except OnChainRejection as exc:
        return Outcome(None, exc.kind, exc.reason, exc.gas_used)
    return Outcome(post_root, None, "", gas)
