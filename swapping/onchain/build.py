"""Compile the on-chain contracts (StepVerifier.vy, PreimageOracle.vy) with the pinned Vyper (from PyPI)."""

from __future__ import annotations

from dataclasses import dataclass
from functools import lru_cache
from pathlib import Path

SOURCE = Path(__file__).with_name("StepVerifier.vy")
ORACLE_SOURCE = Path(__file__).with_name("PreimageOracle.vy")
VYPER_VERSION = "0.4.3"


@dataclass(frozen=True)
class Artifact:
    """The compiled contract: init code (deploys it), runtime code and the Vyper version used."""

    init_code: bytes
    runtime_code: bytes
    vyper_version: str


@lru_cache(maxsize=2)
def compile_contract(source: Path) -> Artifact:
    """Compile one contract once per process (about two seconds)."""
    import vyper

    out = vyper.compile_code(source.read_text(), output_formats=["bytecode", "bytecode_runtime"])
    return Artifact(
        init_code=bytes.fromhex(out["bytecode"].removeprefix("0x")),
        runtime_code=bytes.fromhex(out["bytecode_runtime"].removeprefix("0x")),
        vyper_version=vyper.__version__,
    )


def compile_verifier() -> Artifact:
    """The step verifier (its init code takes the oracle contract's address as constructor argument)."""
    return compile_contract(SOURCE)


def compile_oracle() -> Artifact:
    """The preimage oracle contract."""
    return compile_contract(ORACLE_SOURCE)
