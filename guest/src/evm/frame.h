/* One executing call frame and its memory, shared by the interpreter loop (interp.c) and the
 * system opcodes (ops_system.c).
 *
 * Memory of all frames lives in one growable region used as a stack: a frame's memory starts
 * where its caller's stored memory ends at the time of the call, so a child never overlaps its
 * caller while it runs. The region may move when it grows, so frames keep offsets and re-derive
 * pointers after anything that can expand memory or run a child.
 *
 * A frame's memory has a logical size (what gas was paid for, MSIZE) and a stored size: bytes
 * beyond the stored size are zero and take no RAM until something touches them (mem_at). A
 * call's input is read in place from the caller's memory, with its zero tail implicit, so deep
 * recursion over large, mostly untouched memory costs RAM only for what was written.
 */
#ifndef SWAPVM_EVM_FRAME_H
#define SWAPVM_EVM_FRAME_H

#include "evm_internal.h"

typedef struct {
    const msg_t *m;
    u256 *stack;          /* EVM_STACK_LIMIT words for this depth */
    size_t sp;            /* number of items */
    size_t mem_base;      /* offset of this frame's memory in the region */
    size_t mem_size;      /* logical bytes, a multiple of 32 */
    size_t mem_phys;      /* bytes stored from mem_base; beyond them memory is zero */
    uint64_t gas;
    int64_t refund;
    buf_t *ret;           /* return data of the last call made by this frame */
} frame_t;

/* The shared memory region (interp.c). */
uint8_t *mem_region(void);
/* Memory [o, o + n) of the frame, stored (zero-filled as needed) and addressable; n > 0 and the
 * range lies inside the logical size. The pointer is valid until memory next grows. */
uint8_t *mem_at(frame_t *f, size_t o, size_t n);
/* Where the memory of the next frame to start begins: the caller's end before a call, 0 for a
 * transaction's top-level frame. */
void mem_child_base(size_t base);

/* Charge gas; false (and nothing charged) when there is not enough. */
static inline bool use_gas(frame_t *f, uint64_t g) {
    if (f->gas < g) return false;
    f->gas -= g;
    return true;
}

/* Expand memory to cover [off, off + size) and charge for it; size 0 touches nothing.
 * False on out of gas (offsets that cannot be paid for are out of gas). On success *o is the
 * offset as a size_t. */
bool mem_expand(frame_t *f, const u256 *off, const u256 *size, size_t *o);
/* Bytes of memory whose words cost `words` (3 per word plus the quadratic term). */
static inline uint64_t mem_cost(uint64_t words) { return 3 * words + words * words / 512; }
static inline uint64_t words_of(uint64_t bytes) { return bytes / 32 + (bytes % 32 != 0); }

/* Copy src[off .. off+len) into dst, zero-filling past src_len (CALLDATACOPY & co.). */
void copy_padded(uint8_t *dst, const uint8_t *src, size_t src_len, const u256 *off, size_t len);

/* The system opcodes (ops_system.c), called by their functions in ops.h. Each pops its operands from f's stack, charges its gas and
 * pushes its result; false is an exceptional halt of the frame. */
bool sys_sload(frame_t *f);
bool sys_sstore(frame_t *f);
bool sys_call(frame_t *f, uint8_t opcode);
bool sys_create(frame_t *f, bool create2);
/* eip6780: Cancun's rule (delete only an account created in this transaction, else only move the
 * balance); else Shanghai's (always delete at the end of the transaction). */
bool sys_selfdestruct(frame_t *f, bool eip6780);
bool sys_log(frame_t *f, unsigned n_topics);
/* Warm-or-cold access charge for an address (EIP-2929); false on out of gas. */
bool charge_account_access(frame_t *f, account_t *a);

#endif
