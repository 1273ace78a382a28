"""A tiny EVM assembler for the workload contracts: mnemonics, minimal PUSHes, and labels."""

from __future__ import annotations

from collections.abc import Sequence

OPCODES = {
    "STOP": 0x00, "ADD": 0x01, "MUL": 0x02, "SUB": 0x03, "LT": 0x10, "GT": 0x11, "EQ": 0x14, "ISZERO": 0x15,
    "SHR": 0x1C, "SHA3": 0x20, "CALLER": 0x33, "CALLDATALOAD": 0x35, "NUMBER": 0x43, "BLOCKHASH": 0x40,
    "POP": 0x50, "MLOAD": 0x51, "MSTORE": 0x52, "SLOAD": 0x54, "SSTORE": 0x55, "JUMP": 0x56, "JUMPI": 0x57,
    "JUMPDEST": 0x5B, "DUP1": 0x80, "DUP2": 0x81, "DUP3": 0x82, "DUP4": 0x83, "SWAP1": 0x90, "SWAP2": 0x91,
    "LOG3": 0xA3, "RETURN": 0xF3, "REVERT": 0xFD, "MSTORE8": 0x53, "ADDRESS": 0x30, "GAS": 0x5A,
    "CALL": 0xF1, "CALLDATASIZE": 0x36, "CALLDATACOPY": 0x37, "CODESIZE": 0x38, "CODECOPY": 0x39,
    "BALANCE": 0x31, "RETURNDATASIZE": 0x3D, "RETURNDATACOPY": 0x3E, "PUSH0": 0x5F, "LOG0": 0xA0,
    "LOG1": 0xA1, "LOG2": 0xA2, "LOG4": 0xA4, "CREATE": 0xF0, "CREATE2": 0xF5, "STATICCALL": 0xFA,
    "MSIZE": 0x59, "SELFDESTRUCT": 0xFF, "EXTCODESIZE": 0x3B,
    # Cancun: EIP-4844, EIP-7516, EIP-1153, EIP-5656
    "BLOBHASH": 0x49, "BLOBBASEFEE": 0x4A, "TLOAD": 0x5C, "TSTORE": 0x5D, "MCOPY": 0x5E,
}  # fmt: skip
OPCODES.update({f"DUP{n}": 0x7F + n for n in range(1, 17)} | {f"SWAP{n}": 0x8F + n for n in range(1, 17)})

# An instruction: a mnemonic, ("PUSH", value), ("LABEL", name) for a JUMPDEST, ("PUSHLABEL", name).
Instruction = str | tuple[str, int | str]


def _push(value: int) -> bytes:
    """The shortest PUSHn of a value (PUSH1 0 for zero)."""
    data = value.to_bytes(max(1, (value.bit_length() + 7) // 8), "big")
    return bytes((0x5F + len(data),)) + data


def assemble(program: Sequence[Instruction]) -> bytes:
    """Bytecode of a program; labels become JUMPDESTs and PUSHLABEL a PUSH2 of their offset."""
    labels: dict[str, int] = {}
    offset = 0
    for op in program:  # first pass: label offsets (PUSHLABEL is always 3 bytes)
        if isinstance(op, str):
            offset += 1
        elif op[0] == "PUSH":
            offset += len(_push(int(op[1])))
        elif op[0] == "LABEL":
            labels[str(op[1])] = offset
            offset += 1
        else:
            offset += 3
    code = bytearray()
    for op in program:
        if isinstance(op, str):
            code.append(OPCODES[op])
        elif op[0] == "PUSH":
            code += _push(int(op[1]))
        elif op[0] == "LABEL":
            code.append(OPCODES["JUMPDEST"])
        else:
            code += b"\x61" + labels[str(op[1])].to_bytes(2, "big")
    return bytes(code)
