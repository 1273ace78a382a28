/* The live-byte budget of a block (docs/spec.md §4.9, reason code 9): EVM-level quantities that
 * bound what the guest holds, counted identically by machine A (fastvm/live.py). A block whose
 * count passes the budget is refused on the spot: S' is S with the cursor advanced and outcome
 * [2, 9], and the guest yields (no unwinding of the call stack). Never the allocator's figures.
 *
 * The count is a sum of four monotone terms, checked at every increase:
 *   LIVE_MEMORY_WORD x the most memory words ever live at once on the call stack
 * + LIVE_RETURN_BYTE x the largest return data (RETURN/REVERT size, precompile input, MODEXP's
 *                      declared modulus below 1 MiB)
 * + kept bytes of the block (logs, deposited code, cold accesses, MODEXP outputs above 1 MiB,
 *                           transient slots new in their transaction)
 * + the most journal bytes of one transaction (messages, nonce increments, slot writes, SELFDESTRUCTs,
 *                                               TSTOREs)
 */
#ifndef SWAPVM_EVM_LIVE_H
#define SWAPVM_EVM_LIVE_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "scodec2.h"

#ifndef SWAPVM_LIVE_BUDGET
#define SWAPVM_LIVE_BUDGET (256ull << 20) /* bytes; a test build sets a small one with -D */
#endif

/* Weights in bytes (the same constants as fastvm/live.py; tests/guest/test_evm_live.py checks). */
#define LIVE_MEMORY_WORD 40u       /* a word of memory: 32 bytes, and the region's quarter of slack */
#define LIVE_RETURN_BYTE 8u        /* return data and precompile input: two doubling buffers, 4x each */
#define LIVE_LOG 160u              /* a log's record, its receipt entry and their encodings */
#define LIVE_LOG_TOPIC 160u        /* a topic: 32 bytes held four times, with its RLP */
#define LIVE_LOG_BYTE 4u           /* a data byte: held four times */
#define LIVE_CODE 64u              /* deposited code: its journal entry */
#define LIVE_CODE_BYTE 2u          /* a byte of deposited code and its jump table */
#define LIVE_COLD_ACCOUNT 1024u    /* an account's first access in a transaction */
#define LIVE_COLD_SLOT 512u        /* a slot's first access in a transaction */
#define LIVE_MESSAGE 64u           /* a message: a touched entry and an existence entry */
#define LIVE_VALUE_TRANSFER 96u    /* a message that moves value: two balance entries */
#define LIVE_NONCE 48u             /* a nonce increment: its journal entry */
#define LIVE_SLOT_WRITE 48u        /* an SSTORE that changes a value: its journal entry */
#define LIVE_SELFDESTRUCT 256u     /* two balances, existence, the touched and destruct entries */
#define LIVE_MODEXP_KEEP (1u << 20) /* MODEXP outputs from here on stay on the heap: kept bytes */
#define LIVE_TRANSIENT_SLOT 160u   /* a TSTORE's (account, key) new in its transaction: kept bytes for
                                    * its 80 B entry and its tables (at most 64 B, old copies included) */
#define LIVE_TRANSIENT_WRITE 48u   /* a TSTORE: its journal entry (48 B, at most one per TSTORE) */
/* S version 2 only (its guest reads the world through the oracle; version 1's comes with S): */
#define LIVE_TRIE_NODE 2048u       /* a node on the pre-state lookup path of an account or slot first
                                    * touched in the block: read, decoded, rewritten at the end */
#define LIVE_CODE_READ 64u         /* an account's code read through the oracle, first in the block */
#define LIVE_CODE_READ_EIGHTHS 9u  /* per byte, in eighths: the code and its jump table (1/8) */

/* Where to write the refused S: the state before the block and its window (evm_window_step). */
void live_begin_block(const s_state *before, uint8_t *window, size_t win_size, size_t old_len);
/* The same for S version 2 (the refused S' is version 2's). */
void live_begin_block_v2(const s2_state *before, uint8_t *window, size_t win_size, size_t old_len);
void live_begin_tx(void);
void live_memory(int depth, uint64_t words);  /* the frame at depth now has `words` words */
void live_frame_end(int depth, size_t returned); /* its memory is given back; its output counted */
void live_return(uint64_t bytes);              /* a return data or precompile input candidate */
void live_keep(uint64_t bytes);
void live_journal(uint64_t bytes);
void live_log(unsigned topics, size_t len);
void live_trie_nodes(uint64_t nodes);  /* version 2: nodes on a first touch's lookup path */
void live_code_read(size_t len);       /* version 2: a code read through the oracle */
/* The count so far, for the heap probe (the RAM word evm_live_total) and tests. */
extern uint64_t evm_live_total;

#endif
