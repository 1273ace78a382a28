/* The opcode table: for each fork, every opcode's static gas, stack inputs and outputs, and
 * whether the fork defines it. Dynamic gas (memory, copies, access lists, calls) is charged by
 * the opcode itself (interp.c). A new fork is a new table built from the previous one plus its
 * additions (Cancun: TLOAD, TSTORE, MCOPY, BLOBHASH, BLOBBASEFEE).
 */
#include "evm_internal.h"

/* min1 = inputs + 1 and range = 1024 - outputs, so that the loop's single unsigned compare
 * (sp + 1 - min1 > range) rejects underflow, overflow and (all-zero entries) undefined opcodes. */
#define OP(code, g, in, out) [code] = {g, (in) + 1, EVM_STACK_LIMIT - (out), 0}

/* Shanghai (yellow paper appendix G/H with EIPs 150, 1884, 2929, 3198, 3529, 3855). Opcodes
 * whose cost depends on warm/cold access have static gas 0 here and charge it themselves. */
static const opinfo_t SHANGHAI[256] = {
    OP(0x00, 0, 0, 0),   /* STOP */
    OP(0x01, 3, 2, 1),   /* ADD */
    OP(0x02, 5, 2, 1),   /* MUL */
    OP(0x03, 3, 2, 1),   /* SUB */
    OP(0x04, 5, 2, 1),   /* DIV */
    OP(0x05, 5, 2, 1),   /* SDIV */
    OP(0x06, 5, 2, 1),   /* MOD */
    OP(0x07, 5, 2, 1),   /* SMOD */
    OP(0x08, 8, 3, 1),   /* ADDMOD */
    OP(0x09, 8, 3, 1),   /* MULMOD */
    OP(0x0a, 10, 2, 1),  /* EXP (+50 per exponent byte) */
    OP(0x0b, 5, 2, 1),   /* SIGNEXTEND */
    OP(0x10, 3, 2, 1),   /* LT */
    OP(0x11, 3, 2, 1),   /* GT */
    OP(0x12, 3, 2, 1),   /* SLT */
    OP(0x13, 3, 2, 1),   /* SGT */
    OP(0x14, 3, 2, 1),   /* EQ */
    OP(0x15, 3, 1, 1),   /* ISZERO */
    OP(0x16, 3, 2, 1),   /* AND */
    OP(0x17, 3, 2, 1),   /* OR */
    OP(0x18, 3, 2, 1),   /* XOR */
    OP(0x19, 3, 1, 1),   /* NOT */
    OP(0x1a, 3, 2, 1),   /* BYTE */
    OP(0x1b, 3, 2, 1),   /* SHL */
    OP(0x1c, 3, 2, 1),   /* SHR */
    OP(0x1d, 3, 2, 1),   /* SAR */
    OP(0x20, 30, 2, 1),  /* KECCAK256 (+6 per word, memory) */
    OP(0x30, 2, 0, 1),   /* ADDRESS */
    OP(0x31, 0, 1, 1),   /* BALANCE (warm/cold) */
    OP(0x32, 2, 0, 1),   /* ORIGIN */
    OP(0x33, 2, 0, 1),   /* CALLER */
    OP(0x34, 2, 0, 1),   /* CALLVALUE */
    OP(0x35, 3, 1, 1),   /* CALLDATALOAD */
    OP(0x36, 2, 0, 1),   /* CALLDATASIZE */
    OP(0x37, 3, 3, 0),   /* CALLDATACOPY (+copy, memory) */
    OP(0x38, 2, 0, 1),   /* CODESIZE */
    OP(0x39, 3, 3, 0),   /* CODECOPY */
    OP(0x3a, 2, 0, 1),   /* GASPRICE */
    OP(0x3b, 0, 1, 1),   /* EXTCODESIZE (warm/cold) */
    OP(0x3c, 0, 4, 0),   /* EXTCODECOPY (warm/cold, copy, memory) */
    OP(0x3d, 2, 0, 1),   /* RETURNDATASIZE */
    OP(0x3e, 3, 3, 0),   /* RETURNDATACOPY */
    OP(0x3f, 0, 1, 1),   /* EXTCODEHASH (warm/cold) */
    OP(0x40, 20, 1, 1),  /* BLOCKHASH */
    OP(0x41, 2, 0, 1),   /* COINBASE */
    OP(0x42, 2, 0, 1),   /* TIMESTAMP */
    OP(0x43, 2, 0, 1),   /* NUMBER */
    OP(0x44, 2, 0, 1),   /* PREVRANDAO */
    OP(0x45, 2, 0, 1),   /* GASLIMIT */
    OP(0x46, 2, 0, 1),   /* CHAINID */
    OP(0x47, 5, 0, 1),   /* SELFBALANCE */
    OP(0x48, 2, 0, 1),   /* BASEFEE */
    OP(0x50, 2, 1, 0),   /* POP */
    OP(0x51, 3, 1, 1),   /* MLOAD */
    OP(0x52, 3, 2, 0),   /* MSTORE */
    OP(0x53, 3, 2, 0),   /* MSTORE8 */
    OP(0x54, 0, 1, 1),   /* SLOAD (warm/cold) */
    OP(0x55, 0, 2, 0),   /* SSTORE (EIP-2200/2929/3529) */
    OP(0x56, 8, 1, 0),   /* JUMP */
    OP(0x57, 10, 2, 0),  /* JUMPI */
    OP(0x58, 2, 0, 1),   /* PC */
    OP(0x59, 2, 0, 1),   /* MSIZE */
    OP(0x5a, 2, 0, 1),   /* GAS */
    OP(0x5b, 1, 0, 0),   /* JUMPDEST */
    OP(0x5f, 2, 0, 1),   /* PUSH0 */
    OP(0x60, 3, 0, 1),   /* PUSH1 */
    OP(0x61, 3, 0, 1),   /* PUSH2 */
    OP(0x62, 3, 0, 1),   /* PUSH3 */
    OP(0x63, 3, 0, 1),   /* PUSH4 */
    OP(0x64, 3, 0, 1),   /* PUSH5 */
    OP(0x65, 3, 0, 1),   /* PUSH6 */
    OP(0x66, 3, 0, 1),   /* PUSH7 */
    OP(0x67, 3, 0, 1),   /* PUSH8 */
    OP(0x68, 3, 0, 1),   /* PUSH9 */
    OP(0x69, 3, 0, 1),   /* PUSH10 */
    OP(0x6a, 3, 0, 1),   /* PUSH11 */
    OP(0x6b, 3, 0, 1),   /* PUSH12 */
    OP(0x6c, 3, 0, 1),   /* PUSH13 */
    OP(0x6d, 3, 0, 1),   /* PUSH14 */
    OP(0x6e, 3, 0, 1),   /* PUSH15 */
    OP(0x6f, 3, 0, 1),   /* PUSH16 */
    OP(0x70, 3, 0, 1),   /* PUSH17 */
    OP(0x71, 3, 0, 1),   /* PUSH18 */
    OP(0x72, 3, 0, 1),   /* PUSH19 */
    OP(0x73, 3, 0, 1),   /* PUSH20 */
    OP(0x74, 3, 0, 1),   /* PUSH21 */
    OP(0x75, 3, 0, 1),   /* PUSH22 */
    OP(0x76, 3, 0, 1),   /* PUSH23 */
    OP(0x77, 3, 0, 1),   /* PUSH24 */
    OP(0x78, 3, 0, 1),   /* PUSH25 */
    OP(0x79, 3, 0, 1),   /* PUSH26 */
    OP(0x7a, 3, 0, 1),   /* PUSH27 */
    OP(0x7b, 3, 0, 1),   /* PUSH28 */
    OP(0x7c, 3, 0, 1),   /* PUSH29 */
    OP(0x7d, 3, 0, 1),   /* PUSH30 */
    OP(0x7e, 3, 0, 1),   /* PUSH31 */
    OP(0x7f, 3, 0, 1),   /* PUSH32 */
    OP(0x80, 3, 1, 2),  /* DUP1 */
    OP(0x81, 3, 2, 3),  /* DUP2 */
    OP(0x82, 3, 3, 4),  /* DUP3 */
    OP(0x83, 3, 4, 5),  /* DUP4 */
    OP(0x84, 3, 5, 6),  /* DUP5 */
    OP(0x85, 3, 6, 7),  /* DUP6 */
    OP(0x86, 3, 7, 8),  /* DUP7 */
    OP(0x87, 3, 8, 9),  /* DUP8 */
    OP(0x88, 3, 9, 10),  /* DUP9 */
    OP(0x89, 3, 10, 11),  /* DUP10 */
    OP(0x8a, 3, 11, 12),  /* DUP11 */
    OP(0x8b, 3, 12, 13),  /* DUP12 */
    OP(0x8c, 3, 13, 14),  /* DUP13 */
    OP(0x8d, 3, 14, 15),  /* DUP14 */
    OP(0x8e, 3, 15, 16),  /* DUP15 */
    OP(0x8f, 3, 16, 17),  /* DUP16 */
    OP(0x90, 3, 2, 2),  /* SWAP1 */
    OP(0x91, 3, 3, 3),  /* SWAP2 */
    OP(0x92, 3, 4, 4),  /* SWAP3 */
    OP(0x93, 3, 5, 5),  /* SWAP4 */
    OP(0x94, 3, 6, 6),  /* SWAP5 */
    OP(0x95, 3, 7, 7),  /* SWAP6 */
    OP(0x96, 3, 8, 8),  /* SWAP7 */
    OP(0x97, 3, 9, 9),  /* SWAP8 */
    OP(0x98, 3, 10, 10),  /* SWAP9 */
    OP(0x99, 3, 11, 11),  /* SWAP10 */
    OP(0x9a, 3, 12, 12),  /* SWAP11 */
    OP(0x9b, 3, 13, 13),  /* SWAP12 */
    OP(0x9c, 3, 14, 14),  /* SWAP13 */
    OP(0x9d, 3, 15, 15),  /* SWAP14 */
    OP(0x9e, 3, 16, 16),  /* SWAP15 */
    OP(0x9f, 3, 17, 17),  /* SWAP16 */
    OP(0xa0, 375, 2, 0), /* LOG0 */
    OP(0xa1, 750, 3, 0), /* LOG1 */
    OP(0xa2, 1125, 4, 0),/* LOG2 */
    OP(0xa3, 1500, 5, 0),/* LOG3 */
    OP(0xa4, 1875, 6, 0),/* LOG4 */
    OP(0xf0, 32000, 3, 1),  /* CREATE */
    OP(0xf1, 0, 7, 1),   /* CALL */
    OP(0xf2, 0, 7, 1),   /* CALLCODE */
    OP(0xf3, 0, 2, 0),   /* RETURN */
    OP(0xf4, 0, 6, 1),   /* DELEGATECALL */
    OP(0xf5, 32000, 4, 1),  /* CREATE2 */
    OP(0xfa, 0, 6, 1),   /* STATICCALL */
    OP(0xfd, 0, 2, 0),   /* REVERT */
    /* 0xfe INVALID: not valid */
    OP(0xff, 5000, 1, 0),/* SELFDESTRUCT */
};

const opinfo_t *optable_for(uint64_t fork) {
    (void)fork; /* Cancun and Prague add tables here */
    return SHANGHAI;
}
