/* Reading the preimage oracle: the whole preimage of a key, checked by its hash.
 *
 * The machine's oracle (ECALL 1001, rt_preimage_read) answers keccak256(x) -> x in pieces that
 * never cross a 32-byte leaf of the destination. oracle_read asks once into an aligned 32-byte
 * block (which tells the length and brings the first piece), then reads the rest in whole aligned
 * 32-byte pieces into an aligned heap block, and hashes what it got: a preimage whose keccak256
 * is not the key aborts with RT_ABORT_PREIMAGE. The guest never trusts bytes it did not hash.
 * On the host, rt_preimage_read is an in-memory table (guest/host/preimages_host.c) with the same
 * answers, so everything above the ECALL is the same code natively and on AB.
 */
#ifndef SWAPVM_ORACLE_H
#define SWAPVM_ORACLE_H

#include "bytes.h"

/* The preimage of `key` in a new heap block (never freed by the oracle; an arena release frees
 * it as any block). The key is read before anything is written, so it may live anywhere. */
span_t oracle_read(const uint8_t key[32]);

/* Counters since the start (for measurements; nothing in the guest depends on them). */
typedef struct {
    uint64_t reads;  /* preimages read by oracle_read */
    uint64_t bytes;  /* their total length */
    uint64_t calls;  /* rt_preimage_read calls (ECALLs on AB) */
} oracle_stats_t;

extern oracle_stats_t oracle_stats;

#endif
