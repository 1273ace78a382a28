/* The opcodes of the EVM as data: for each opcode its name, byte, static gas (a named constant of
 * evm_internal.h), stack inputs and outputs, the function that runs it (interp.c, op_<fn>) and an
 * argument for that function (PUSHn's byte count, DUPn's depth, LOGn's topics, ...).
 *
 * One X-macro list per fork holds what that fork changes: EVM_OPS_SHANGHAI is the base (every
 * opcode up to Shanghai), EVM_OPS_CANCUN_NEW the opcodes Cancun adds and EVM_OPS_CANCUN_CHANGED
 * the entries whose table data Cancun changes (their byte and function stay). optable.c builds each
 * fork's table from the previous fork's lists plus its own; interp.c generates the opcode enum
 * and the dispatch switch from the union of the "new" lists. A fork (Prague, ...) adds two lists
 * here, a table in optable.c and the functions of its new opcodes: nothing else.
 */
#ifndef SWAPVM_EVM_OPCODES_H
#define SWAPVM_EVM_OPCODES_H

#include "evm_internal.h"

/* Arguments of the functions shared by several opcodes. */
enum { COPY_CALLDATA, COPY_CODE, COPY_RETURNDATA };
/* SELFDESTRUCT's variant, the `variant` of its table entry: Shanghai deletes the account at the end
 * of the transaction; Cancun (EIP-6780) only when the transaction created it. */
enum { SELFDESTRUCT_DELETES = 0, SELFDESTRUCT_EIP6780 = 1 };

/* X(name, byte, static gas, inputs, outputs, function, argument) */
#define EVM_OPS_SHANGHAI(X) \
    X(STOP, 0x00, G_ZERO, 0, 0, stop, 0) \
    X(ADD, 0x01, G_VERY_LOW, 2, 1, add, 0) \
    X(MUL, 0x02, G_LOW, 2, 1, mul, 0) \
    X(SUB, 0x03, G_VERY_LOW, 2, 1, sub, 0) \
    X(DIV, 0x04, G_LOW, 2, 1, div, 0) \
    X(SDIV, 0x05, G_LOW, 2, 1, sdiv, 0) \
    X(MOD, 0x06, G_LOW, 2, 1, mod, 0) \
    X(SMOD, 0x07, G_LOW, 2, 1, smod, 0) \
    X(ADDMOD, 0x08, G_MID, 3, 1, addmod, 0) \
    X(MULMOD, 0x09, G_MID, 3, 1, mulmod, 0) \
    X(EXP, 0x0a, G_EXP, 2, 1, exp, 0) \
    X(SIGNEXTEND, 0x0b, G_LOW, 2, 1, signextend, 0) \
    X(LT, 0x10, G_VERY_LOW, 2, 1, lt, 0) \
    X(GT, 0x11, G_VERY_LOW, 2, 1, gt, 0) \
    X(SLT, 0x12, G_VERY_LOW, 2, 1, slt, 0) \
    X(SGT, 0x13, G_VERY_LOW, 2, 1, sgt, 0) \
    X(EQ, 0x14, G_VERY_LOW, 2, 1, eq, 0) \
    X(ISZERO, 0x15, G_VERY_LOW, 1, 1, iszero, 0) \
    X(AND, 0x16, G_VERY_LOW, 2, 1, and, 0) \
    X(OR, 0x17, G_VERY_LOW, 2, 1, or, 0) \
    X(XOR, 0x18, G_VERY_LOW, 2, 1, xor, 0) \
    X(NOT, 0x19, G_VERY_LOW, 1, 1, not, 0) \
    X(BYTE, 0x1a, G_VERY_LOW, 2, 1, byte, 0) \
    X(SHL, 0x1b, G_VERY_LOW, 2, 1, shl, 0) \
    X(SHR, 0x1c, G_VERY_LOW, 2, 1, shr, 0) \
    X(SAR, 0x1d, G_VERY_LOW, 2, 1, sar, 0) \
    X(KECCAK256, 0x20, G_KECCAK, 2, 1, keccak256, 0) \
    X(ADDRESS, 0x30, G_BASE, 0, 1, address, 0) \
    X(BALANCE, 0x31, G_ZERO, 1, 1, balance, 0) \
    X(ORIGIN, 0x32, G_BASE, 0, 1, origin, 0) \
    X(CALLER, 0x33, G_BASE, 0, 1, caller, 0) \
    X(CALLVALUE, 0x34, G_BASE, 0, 1, callvalue, 0) \
    X(CALLDATALOAD, 0x35, G_VERY_LOW, 1, 1, calldataload, 0) \
    X(CALLDATASIZE, 0x36, G_BASE, 0, 1, calldatasize, 0) \
    X(CALLDATACOPY, 0x37, G_VERY_LOW, 3, 0, copy, COPY_CALLDATA) \
    X(CODESIZE, 0x38, G_BASE, 0, 1, codesize, 0) \
    X(CODECOPY, 0x39, G_VERY_LOW, 3, 0, copy, COPY_CODE) \
    X(GASPRICE, 0x3a, G_BASE, 0, 1, gasprice, 0) \
    X(EXTCODESIZE, 0x3b, G_ZERO, 1, 1, extcode, 0) \
    X(EXTCODECOPY, 0x3c, G_ZERO, 4, 0, extcodecopy, 0) \
    X(RETURNDATASIZE, 0x3d, G_BASE, 0, 1, returndatasize, 0) \
    X(RETURNDATACOPY, 0x3e, G_VERY_LOW, 3, 0, copy, COPY_RETURNDATA) \
    X(EXTCODEHASH, 0x3f, G_ZERO, 1, 1, extcode, 1) \
    X(BLOCKHASH, 0x40, G_BLOCKHASH, 1, 1, blockhash, 0) \
    X(COINBASE, 0x41, G_BASE, 0, 1, coinbase, 0) \
    X(TIMESTAMP, 0x42, G_BASE, 0, 1, timestamp, 0) \
    X(NUMBER, 0x43, G_BASE, 0, 1, number, 0) \
    X(PREVRANDAO, 0x44, G_BASE, 0, 1, prevrandao, 0) \
    X(GASLIMIT, 0x45, G_BASE, 0, 1, gaslimit, 0) \
    X(CHAINID, 0x46, G_BASE, 0, 1, chainid, 0) \
    X(SELFBALANCE, 0x47, G_LOW, 0, 1, selfbalance, 0) \
    X(BASEFEE, 0x48, G_BASE, 0, 1, basefee, 0) \
    X(POP, 0x50, G_BASE, 1, 0, pop, 0) \
    X(MLOAD, 0x51, G_VERY_LOW, 1, 1, mload, 0) \
    X(MSTORE, 0x52, G_VERY_LOW, 2, 0, mstore, 32) \
    X(MSTORE8, 0x53, G_VERY_LOW, 2, 0, mstore, 1) \
    X(SLOAD, 0x54, G_ZERO, 1, 1, sload, 0) \
    X(SSTORE, 0x55, G_ZERO, 2, 0, sstore, 0) \
    X(JUMP, 0x56, G_MID, 1, 0, jump, 0) \
    X(JUMPI, 0x57, G_HIGH, 2, 0, jumpi, 0) \
    X(PC, 0x58, G_BASE, 0, 1, pc, 0) \
    X(MSIZE, 0x59, G_BASE, 0, 1, msize, 0) \
    X(GAS, 0x5a, G_BASE, 0, 1, gas, 0) \
    X(JUMPDEST, 0x5b, G_JUMPDEST, 0, 0, jumpdest, 0) \
    X(PUSH0, 0x5f, G_BASE, 0, 1, push0, 0) \
    X(PUSH1, 0x60, G_VERY_LOW, 0, 1, push1, 0) \
    X(PUSH2, 0x61, G_VERY_LOW, 0, 1, push, 2) \
    X(PUSH3, 0x62, G_VERY_LOW, 0, 1, push, 3) \
    X(PUSH4, 0x63, G_VERY_LOW, 0, 1, push, 4) \
    X(PUSH5, 0x64, G_VERY_LOW, 0, 1, push, 5) \
    X(PUSH6, 0x65, G_VERY_LOW, 0, 1, push, 6) \
    X(PUSH7, 0x66, G_VERY_LOW, 0, 1, push, 7) \
    X(PUSH8, 0x67, G_VERY_LOW, 0, 1, push, 8) \
    X(PUSH9, 0x68, G_VERY_LOW, 0, 1, push, 9) \
    X(PUSH10, 0x69, G_VERY_LOW, 0, 1, push, 10) \
    X(PUSH11, 0x6a, G_VERY_LOW, 0, 1, push, 11) \
    X(PUSH12, 0x6b, G_VERY_LOW, 0, 1, push, 12) \
    X(PUSH13, 0x6c, G_VERY_LOW, 0, 1, push, 13) \
    X(PUSH14, 0x6d, G_VERY_LOW, 0, 1, push, 14) \
    X(PUSH15, 0x6e, G_VERY_LOW, 0, 1, push, 15) \
    X(PUSH16, 0x6f, G_VERY_LOW, 0, 1, push, 16) \
    X(PUSH17, 0x70, G_VERY_LOW, 0, 1, push, 17) \
    X(PUSH18, 0x71, G_VERY_LOW, 0, 1, push, 18) \
    X(PUSH19, 0x72, G_VERY_LOW, 0, 1, push, 19) \
    X(PUSH20, 0x73, G_VERY_LOW, 0, 1, push, 20) \
    X(PUSH21, 0x74, G_VERY_LOW, 0, 1, push, 21) \
    X(PUSH22, 0x75, G_VERY_LOW, 0, 1, push, 22) \
    X(PUSH23, 0x76, G_VERY_LOW, 0, 1, push, 23) \
    X(PUSH24, 0x77, G_VERY_LOW, 0, 1, push, 24) \
    X(PUSH25, 0x78, G_VERY_LOW, 0, 1, push, 25) \
    X(PUSH26, 0x79, G_VERY_LOW, 0, 1, push, 26) \
    X(PUSH27, 0x7a, G_VERY_LOW, 0, 1, push, 27) \
    X(PUSH28, 0x7b, G_VERY_LOW, 0, 1, push, 28) \
    X(PUSH29, 0x7c, G_VERY_LOW, 0, 1, push, 29) \
    X(PUSH30, 0x7d, G_VERY_LOW, 0, 1, push, 30) \
    X(PUSH31, 0x7e, G_VERY_LOW, 0, 1, push, 31) \
    X(PUSH32, 0x7f, G_VERY_LOW, 0, 1, push, 32) \
    X(DUP1, 0x80, G_VERY_LOW, 1, 2, dup, 1) \
    X(DUP2, 0x81, G_VERY_LOW, 2, 3, dup, 2) \
    X(DUP3, 0x82, G_VERY_LOW, 3, 4, dup, 3) \
    X(DUP4, 0x83, G_VERY_LOW, 4, 5, dup, 4) \
    X(DUP5, 0x84, G_VERY_LOW, 5, 6, dup, 5) \
    X(DUP6, 0x85, G_VERY_LOW, 6, 7, dup, 6) \
    X(DUP7, 0x86, G_VERY_LOW, 7, 8, dup, 7) \
    X(DUP8, 0x87, G_VERY_LOW, 8, 9, dup, 8) \
    X(DUP9, 0x88, G_VERY_LOW, 9, 10, dup, 9) \
    X(DUP10, 0x89, G_VERY_LOW, 10, 11, dup, 10) \
    X(DUP11, 0x8a, G_VERY_LOW, 11, 12, dup, 11) \
    X(DUP12, 0x8b, G_VERY_LOW, 12, 13, dup, 12) \
    X(DUP13, 0x8c, G_VERY_LOW, 13, 14, dup, 13) \
    X(DUP14, 0x8d, G_VERY_LOW, 14, 15, dup, 14) \
    X(DUP15, 0x8e, G_VERY_LOW, 15, 16, dup, 15) \
    X(DUP16, 0x8f, G_VERY_LOW, 16, 17, dup, 16) \
    X(SWAP1, 0x90, G_VERY_LOW, 2, 2, swap, 1) \
    X(SWAP2, 0x91, G_VERY_LOW, 3, 3, swap, 2) \
    X(SWAP3, 0x92, G_VERY_LOW, 4, 4, swap, 3) \
    X(SWAP4, 0x93, G_VERY_LOW, 5, 5, swap, 4) \
    X(SWAP5, 0x94, G_VERY_LOW, 6, 6, swap, 5) \
    X(SWAP6, 0x95, G_VERY_LOW, 7, 7, swap, 6) \
    X(SWAP7, 0x96, G_VERY_LOW, 8, 8, swap, 7) \
    X(SWAP8, 0x97, G_VERY_LOW, 9, 9, swap, 8) \
    X(SWAP9, 0x98, G_VERY_LOW, 10, 10, swap, 9) \
    X(SWAP10, 0x99, G_VERY_LOW, 11, 11, swap, 10) \
    X(SWAP11, 0x9a, G_VERY_LOW, 12, 12, swap, 11) \
    X(SWAP12, 0x9b, G_VERY_LOW, 13, 13, swap, 12) \
    X(SWAP13, 0x9c, G_VERY_LOW, 14, 14, swap, 13) \
    X(SWAP14, 0x9d, G_VERY_LOW, 15, 15, swap, 14) \
    X(SWAP15, 0x9e, G_VERY_LOW, 16, 16, swap, 15) \
    X(SWAP16, 0x9f, G_VERY_LOW, 17, 17, swap, 16) \
    X(LOG0, 0xa0, G_LOG, 2, 0, log, 0) \
    X(LOG1, 0xa1, (G_LOG + 1 * G_LOG_TOPIC), 3, 0, log, 1) \
    X(LOG2, 0xa2, (G_LOG + 2 * G_LOG_TOPIC), 4, 0, log, 2) \
    X(LOG3, 0xa3, (G_LOG + 3 * G_LOG_TOPIC), 5, 0, log, 3) \
    X(LOG4, 0xa4, (G_LOG + 4 * G_LOG_TOPIC), 6, 0, log, 4) \
    X(CREATE, 0xf0, G_CREATE, 3, 1, create, 0) \
    X(CALL, 0xf1, G_ZERO, 7, 1, call, 0xf1) \
    X(CALLCODE, 0xf2, G_ZERO, 7, 1, call, 0xf2) \
    X(RETURN, 0xf3, G_ZERO, 2, 0, return, EXEC_SUCCESS) \
    X(DELEGATECALL, 0xf4, G_ZERO, 6, 1, call, 0xf4) \
    X(CREATE2, 0xf5, G_CREATE, 4, 1, create, 1) \
    X(STATICCALL, 0xfa, G_ZERO, 6, 1, call, 0xfa) \
    X(REVERT, 0xfd, G_ZERO, 2, 0, return, EXEC_REVERT) \
    X(SELFDESTRUCT, 0xff, G_SELFDESTRUCT, 1, 0, selfdestruct, 0)

/* Cancun: EIP-4844 BLOBHASH, EIP-7516 BLOBBASEFEE, EIP-1153 TLOAD/TSTORE, EIP-5656 MCOPY. */
#define EVM_OPS_CANCUN_NEW(X) \
    X(BLOBHASH, 0x49, G_HASH_OPCODE, 1, 1, blobhash, 0) \
    X(BLOBBASEFEE, 0x4a, G_BASE, 0, 1, blobbasefee, 0) \
    X(TLOAD, 0x5c, G_WARM_ACCESS, 1, 1, tload, 0) \
    X(TSTORE, 0x5d, G_WARM_ACCESS, 2, 0, tstore, 0) \
    X(MCOPY, 0x5e, G_VERY_LOW, 3, 0, mcopy, 0)

/* Cancun's changes to existing entries: X(name, variant). EIP-6780 SELFDESTRUCT. */
#define EVM_OPS_CANCUN_CHANGED(X) \
    X(SELFDESTRUCT, SELFDESTRUCT_EIP6780)

/* Every opcode some fork defines, once (for the enum and the dispatch). */
#define EVM_OPS_ALL(X) EVM_OPS_SHANGHAI(X) EVM_OPS_CANCUN_NEW(X)

#define EVM_OP_ENUM_(name, code, gas, in, out, fn, arg) OP_##name = (code),
typedef enum { EVM_OPS_ALL(EVM_OP_ENUM_) } evm_opcode;
#undef EVM_OP_ENUM_

#endif
