/* rt.h on the host over libc, for native unit tests, fuzzers and sanitizer runs of guest code.
 *
 * Every rt_alloc is its own calloc block, so AddressSanitizer sees an overrun of each one; the
 * heap mark is the number of live blocks and rt_heap_release frees the newer ones. The S window
 * is a zeroed malloc'd buffer of SWAPVM_HOST_S_SIZE bytes (default: the image's S size) that the
 * test driver fills through rt_s_base(). rt_yield exits with the code (low 7 bits); rt_abort
 * prints the code and exits 100 + code. The RV64 runtime provides memcpy & co., libc does here.
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "abi.h"
#include "rt.h"

#ifndef SWAPVM_HOST_S_SIZE
#define SWAPVM_HOST_S_SIZE SWAPVM_S_SIZE
#endif

static void **blocks;
static size_t live, capacity;

void *rt_alloc(size_t n) {
    if (live == capacity) {
        size_t grown = capacity ? 2 * capacity : 256;
        void **more = realloc(blocks, grown * sizeof *blocks);
        if (more == NULL) rt_abort(RT_ABORT_OOM);
        blocks = more;
        capacity = grown;
    }
    void *p = calloc(1, n ? n : 1);
    if (p == NULL) rt_abort(RT_ABORT_OOM);
    blocks[live++] = p;
    return p;
}

/* Filled with a pattern, not zero, so that a caller that reads before it writes shows up. */
void *rt_alloc_uninit(size_t n) {
    void *p = rt_alloc(n);
    memset(p, 0xa5, n);
    return p;
}

void *rt_realloc(void *p, size_t old_n, size_t new_n) {
    void *q = rt_alloc(new_n);
    if (old_n && new_n) memcpy(q, p, old_n < new_n ? old_n : new_n);
    return q;
}

void *rt_top_grow(void *p, size_t old_n, size_t new_n) {
    (void)old_n;
    void *q = realloc(p, new_n ? new_n : 1); /* one block of its own: ASan sees overruns of it */
    if (q == NULL) rt_abort(RT_ABORT_OOM);
    return q;
}

size_t rt_heap_peak; /* AB's measurement only (alloc.c): the host build does not track it */

void rt_trim(void *p, size_t n) { (void)p, (void)n; } /* a block of its own: nothing to give back */

size_t rt_heap_mark(void) { return live; }

void rt_heap_release(size_t mark) {
    while (live > mark) free(blocks[--live]);
}

_Noreturn void rt_abort(uint64_t code) {
    fprintf(stderr, "rt_abort(%llu)\n", (unsigned long long)code);
    fflush(stderr);
    exit(100 + (int)(code & 0x7f));
}

_Noreturn void rt_yield(uint64_t code) {
    fflush(stdout);
    exit((int)(code & 0x7f));
}

void rt_debug(const char *buf, size_t len) { fwrite(buf, 1, len, stderr); }

/* Natively no host keeps hints: they are advisory and change nothing. */
void rt_hint(const void *buf, size_t len) {
    (void)buf;
    (void)len;
}

static uint8_t *s_window;

uint8_t *rt_s_base(void) {
    if (s_window == NULL) {
        s_window = calloc(1, SWAPVM_HOST_S_SIZE);
        if (s_window == NULL) rt_abort(RT_ABORT_OOM);
    }
    return s_window;
}

size_t rt_s_size(void) { return (size_t)SWAPVM_HOST_S_SIZE; }
