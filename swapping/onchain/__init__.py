"""The step verifier as an EVM contract (StepVerifier.vy), deployed in an in-memory py-evm chain."""

from __future__ import annotations

from swapping.onchain.verifier import (
    OnChainRejection,
    OnChainVerifier,
    default_verifier,
    gas_summary,
    measure_gas,
    verify_on_chain,
)

__all__ = [
    "OnChainRejection", "OnChainVerifier", "default_verifier", "gas_summary", "measure_gas",
    "verify_on_chain",
]
