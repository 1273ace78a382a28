/* The guest runtime: the few services freestanding guest code may call.
 *
 * On RV64 (the AB image) they are implemented by guest/runtime/ on top of the ECALL ABI
 * (docs/spec.md §2.4, §3); on the host (unit tests, fuzzers, sanitizers) by guest/host/rt_host.c
 * on top of libc. Guest code includes only this header and its own, never libc headers
 * other than the freestanding <stddef.h>, <stdint.h>, <stdbool.h>.
 */
#ifndef SWAPVM_RT_H
#define SWAPVM_RT_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

/* The compiler may emit calls to these four; the RV64 runtime provides them. */
void *memcpy(void *dst, const void *src, size_t n);
void *memmove(void *dst, const void *src, size_t n);
void *memset(void *dst, int c, size_t n);
int memcmp(const void *a, const void *b, size_t n);

/* Abort codes passed to rt_abort (they become tval of a guest-abort fault). */
#define RT_ABORT_OOM 1u        /* the heap is exhausted */
#define RT_ABORT_ASSERT 2u     /* an internal invariant failed: a bug in the guest */
#define RT_ABORT_PREIMAGE 3u   /* the oracle answered bytes whose keccak256 is not the key asked */
#define RT_ABORT_TRIE_NODE 4u  /* a trie node read by its hash does not decode as a canonical node */

/* Heap: a bump allocator over scratch RAM. Memory is 16-byte aligned and zeroed.
 * Exhaustion calls rt_abort(RT_ABORT_OOM); it never returns NULL. */
void *rt_alloc(size_t n);
/* As rt_alloc, but the contents are unspecified: for a block the caller writes whole before
 * reading any of it (a preimage, an encoding of known size), which then costs no zeroing. */
void *rt_alloc_uninit(size_t n);
/* Grow an allocation (copying `old_n` bytes, the rest zero): in place if it is the newest block,
 * else into a new block (the old one is not reused). */
void *rt_realloc(void *p, size_t old_n, size_t new_n);
/* Give back the bytes of block p beyond its first n if p is the newest block; else nothing. */
void rt_trim(void *p, size_t n);
/* The one growable region, at the top of the heap: grows in place (its bytes move down with its
 * start, so the old start is stale) and leaves no trail of old copies, unlike rt_realloc. Bytes
 * beyond old_n are unspecified. For the EVM's memory, which grows by doubling within a block. */
void *rt_top_grow(void *p, size_t old_n, size_t new_n);
/* Arena-style release: everything allocated after `rt_heap_mark()` is freed by rt_heap_release. */
size_t rt_heap_mark(void);
void rt_heap_release(size_t mark);
/* The most heap (bump part plus the top region) ever in use at once; read by the host by its symbol. */
extern size_t rt_heap_peak;

/* Machine services. */
_Noreturn void rt_abort(uint64_t code);   /* FAULTED, cause guest-abort, tval = code */
_Noreturn void rt_yield(uint64_t code);   /* YIELDED with a0 = code; the window then idles */
void rt_debug(const char *buf, size_t len); /* debug output to the host; no state effect */
/* A hint (ECALL 64 on fd 3): one whole preimage the guest created (a trie node, a contract's code),
 * handed to the host, which may keep it under its own keccak256 for a later block's oracle reads.
 * Advisory, with no state effect; at most 64 KiB reach the host (docs/spec.md §2.4). */
void rt_hint(const void *buf, size_t len);
/* The preimage oracle (ECALL 1001, docs/spec.md §2.4): copies n = min(max, 32 - dst mod 32,
 * len - offset if offset < len else 0) bytes of the preimage of `key` from `offset` to `dst`,
 * returns n and sets *len to the preimage's length. A missing key stops the host, never returns.
 * The bytes are not checked here: oracle_read (oracle.h) hashes them. On the host the table is
 * guest/host/preimages_host.c. */
uint64_t rt_preimage_read(const uint8_t key[32], uint64_t offset, uint8_t *dst, uint64_t max, uint64_t *len);

/* The S window: base and accessible size (build constants of the image, docs/spec.md §3). */
uint8_t *rt_s_base(void);
size_t rt_s_size(void);

#define RT_ASSERT(cond) do { if (!(cond)) rt_abort(RT_ABORT_ASSERT); } while (0)

#endif
