/* EIP-3155 trace hooks of the trace build of the guest (-DSWAPVM_EVM_TRACE; docs/spec.md §5.5).
 *
 * The interpreter calls these before every opcode and when a frame ends; tx.c calls one when a
 * transaction ends. Each writes one JSON line through the debug ECALL (rt_debug), which has no
 * effect on the machine's state. The normal guest never includes this header.
 */
#ifndef SWAPVM_EVM_TRACE_H
#define SWAPVM_EVM_TRACE_H

#include "../src/evm/frame.h"

/* Before an opcode: pc, opcode, gas left before it, the frame's stack (sp items). Returns the
 * gas to continue with: `gas`, unless a planted divergence (-DSWAPVM_TRACE_PLANT_ADD) changes it. */
uint64_t trace_op(const frame_t *f, size_t pc, uint8_t op, uint64_t gas, const u256 *stack, size_t sp);
/* A frame ended with status (EXEC_*) and gas_left. */
void trace_end(const frame_t *f, int status, uint64_t gas_left);
/* While muted (a system call, such as EIP-4788's, which is in no transaction) nothing is written. */
void trace_mute(bool muted);
/* A transaction ended: success, gas used after the refund, and its output. */
void trace_tx_end(bool success, uint64_t gas_used, const uint8_t *out, size_t out_len);

#endif
