"""The RV64IM instruction set of machine AB, one module per instruction class; `decode` finds semantics."""

from __future__ import annotations

from emulator.isa import alu, control, memory, muldiv, system, word
from emulator.isa.core import TABLE, Cpu, Semantics, Trap, decode

INSTRUCTION_CLASSES = (alu, word, muldiv, memory, control, system)

__all__ = ["INSTRUCTION_CLASSES", "TABLE", "Cpu", "Semantics", "Trap", "decode"]
