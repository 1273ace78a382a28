"""Compile StepVerifier.vy with the pinned Vyper (from PyPI) into init code and runtime code."""

from __future__ import annotations

from dataclasses import dataclass
from functools import lru_cache
from pathlib import Path

SOURCE = Path(__file__).with_name("StepVerifier.vy")
VYPER_VERSION = "0.4.3"


@dataclass(frozen=True)
class Artifact:
    """The compiled contract: init code (deploys it), runtime code and the Vyper version used."""

    init_code: bytes
    runtime_code: bytes
    vyper_version: str


@lru_cache(maxsize=1)
def compile_verifier() -> Artifact:
    """Compile the step verifier once per process (about two seconds)."""
    import vyper

    out = vyper.compile_code(SOURCE.read_text(), output_formats=["bytecode", "bytecode_runtime"])
    return Artifact(
        init_code=bytes.fromhex(out["bytecode"].removeprefix("0x")),
        runtime_code=bytes.fromhex(out["bytecode_runtime"].removeprefix("0x")),
        vyper_version=vyper.__version__,
    )
