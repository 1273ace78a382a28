/* The preimage oracle on the host (guest/host/preimages_host.c): an in-memory table behind
 * rt_preimage_read, for native tests, fuzzers and measurements of guest code that reads the
 * oracle. The table is libc memory, outside the guest heap (rt_heap_release never frees it). */
#ifndef SWAPVM_PREIMAGES_HOST_H
#define SWAPVM_PREIMAGES_HOST_H

#include "rt.h"

/* The exit code of the host when the guest asks for a key the table lacks (after a one-line
 * message naming the key on stderr), as the machine's host stops on a missing preimage. */
#define PREIMAGES_HOST_MISSING_EXIT 90

/* Store `data` as the preimage of `key` (the key is taken as given, not hashed: a test may plant
 * a wrong preimage). A key already present keeps its first preimage. */
void preimages_host_put(const uint8_t key[32], const uint8_t *data, size_t len);
/* Forget every preimage and the touched log. */
void preimages_host_clear(void);
/* The distinct keys read since the last call, in first-read order: *n of them at the returned
 * pointer (valid until the next host call); the log is then emptied. */
const uint8_t *preimages_host_touched(size_t *n);
/* Number of rt_preimage_read calls since the start (each one ECALL on the machine). */
extern uint64_t preimages_host_calls;

#endif
