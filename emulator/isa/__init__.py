"""The RV64IM instruction set of machine AB, one module per instruction class; `decode` finds semantics."""

from __future__ import annotations

from emulator.isa import alu, control, memory, muldiv, system, word
from emulator.isa.core import (
    INSTRUCTIONS,
    TABLE,
    Cpu,
    Instruction,
    Semantics,
    Trap,
    decode,
    is_rv64im,
    lookup,
)

INSTRUCTION_CLASSES = (alu, word, muldiv, memory, control, system)

__all__ = [
    "INSTRUCTIONS", "INSTRUCTION_CLASSES", "TABLE", "Cpu", "Instruction", "Semantics", "Trap", "decode",
    "is_rv64im", "lookup",
]
