"""The Python client of the on-chain step verifier: deploy it once, verify proofs, meter their gas.

`verify_on_chain(proof, template_info)` first loads the part of each preimage the proof carries
into the PreimageOracle contract (its own transaction per preimage, as the party that needs it
would), then sends `verify(qstar_root, proof)` with the preimages left out (the contract reads them
from the oracle) and returns (post_root, gas_used of the verify transaction); a revert raises an
OnChainRejection that is also the ProofError subclass the Python verifier (emulator.proof.verify)
raises for the same defect, so one `pytest.raises(PreRootMismatch)` covers both verifiers.
"""

from __future__ import annotations

import statistics
from collections.abc import Iterable
from functools import lru_cache

from emulator.layout import SHADOW_X
from emulator.merkle import keccak
from emulator.proof import (
    LeafOrderError,
    MalformedProofError,
    PostRootMismatch,
    PreimageHashMismatch,
    PreimageNotLoaded,
    PreRootMismatch,
    ProofError,
    QStarMismatch,
    SiblingCountError,
    StepProof,
    StuckError,
    UnusedLeafError,
)
from emulator.template import Template
from swapping.onchain.build import compile_oracle, compile_verifier
from swapping.onchain.evm import CallResult, LocalChain

SELECTOR = keccak(b"verify(bytes32,bytes)")[:4]
LOAD_SELECTOR = keccak(b"loadPart(bytes32,uint256,bytes)")[:4]
A1_AT = SHADOW_X + 8 * 11          # the offset register of a preimage read (spec §2.4)


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
        ("preimage mismatch", PreimageHashMismatch),
        ("preimage not loaded", PreimageNotLoaded),
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


def _word_and_bytes(selector: bytes, words: list[bytes], data: bytes) -> bytes:
    """ABI calldata for a function of static 32-byte words followed by one `bytes` argument."""
    head = b"".join(words) + (32 * (len(words) + 1)).to_bytes(32, "big")
    return selector + head + len(data).to_bytes(32, "big") + data + bytes(-len(data) % 32)


def encode_call(qstar_root: bytes, proof_bytes: bytes) -> bytes:
    """ABI calldata for verify(bytes32 qstar_root, bytes proof)."""
    return _word_and_bytes(SELECTOR, [qstar_root], proof_bytes)


def encode_load(key: bytes, offset: int, preimage: bytes) -> bytes:
    """ABI calldata for PreimageOracle.loadPart(bytes32 key, uint256 offset, bytes preimage)."""
    return _word_and_bytes(LOAD_SELECTOR, [key, offset.to_bytes(32, "big")], preimage)


def read_offset(proof: StepProof) -> int:
    """The a1 (offset) a preimage read of this proof names, from its proven leaf (0 if it has none).

    The loading party knows the state; a wrong value here only means the part it loads is not the
    one the step reads, and the verifier then rejects with "preimage not loaded".
    """
    for index, value in proof.leaves:
        if index == A1_AT >> 5:
            at = A1_AT & 31
            return int.from_bytes(value[at : at + 8], "little")
    return 0


def _qstar(template_info: Template | bytes) -> bytes:
    """The Q* root of a template, or the root itself."""
    return template_info.qstar_root() if isinstance(template_info, Template) else bytes(template_info)


class OnChainVerifier:
    """One deployment of PreimageOracle.vy and StepVerifier.vy (reading it) on its own in-memory chain."""

    def __init__(self) -> None:
        """Compile (cached) and deploy both contracts."""
        self.chain = LocalChain()
        self.oracle_address = self.chain.deploy(compile_oracle().init_code)
        argument = bytes(12) + self.oracle_address
        self.address = self.chain.deploy(compile_verifier().init_code + argument)

    def call(self, qstar_root: bytes, proof_bytes: bytes) -> CallResult:
        """The raw transaction result of verify(qstar_root, proof_bytes)."""
        return self.chain.call(self.address, encode_call(qstar_root, proof_bytes))

    def load_part(self, key: bytes, offset: int, preimage: bytes) -> int:
        """Load part(offset) of preimage into the oracle contract under key; the transaction's gas.

        A preimage that does not hash to key is refused (OnChainRejection, a PreimageHashMismatch).
        """
        result = self.chain.call(self.oracle_address, encode_load(key, offset, preimage))
        if result.reverted:
            raise rejection_for(result.reason or "revert without a reason", result.gas_used)
        return result.gas_used

    def load_preimages(self, proof: StepProof) -> list[int]:
        """Load the part the step reads of every preimage the proof carries; the gas of each load."""
        offset = read_offset(proof)
        return [self.load_part(key, offset, data) for key, data in proof.preimages]

    def verify(self, proof: StepProof | bytes, template_info: Template | bytes) -> tuple[bytes, int]:
        """(post_root, gas_used) of an accepted proof; an OnChainRejection naming the check otherwise.

        A proof (or its binary form) with preimages has them loaded into the oracle contract first;
        the contract then gets the proof without them. Bytes that do not parse go to it as they are.
        """
        if not isinstance(proof, StepProof):
            try:
                proof = StepProof.from_bytes(proof)
            except MalformedProofError:
                return self._verify_bytes(proof, template_info)
        self.load_preimages(proof)
        return self._verify_bytes(proof.without_preimages().to_bytes(), template_info)

    def _verify_bytes(self, data: bytes, template_info: Template | bytes) -> tuple[bytes, int]:
        """Send data to verify() as it is."""
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
