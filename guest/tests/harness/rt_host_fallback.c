/* A minimal rt.h over libc for native test drivers, used only while guest/host/rt_host.c
 * (the toolchain's host runtime) is absent. Host only. */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "rt.h"

/* Every allocation is its own malloc block (so AddressSanitizer sees overruns of each one);
 * the heap "mark" is the number of live blocks, and a release frees the newer ones. */
static void **blocks;
static size_t nblocks, capblocks;

void *rt_alloc(size_t n) {
    if (nblocks == capblocks) {
        capblocks = capblocks ? 2 * capblocks : 1024;
        blocks = realloc(blocks, capblocks * sizeof *blocks);
        if (blocks == NULL) rt_abort(RT_ABORT_OOM);
    }
    void *p = calloc(1, n ? n : 1);
    if (p == NULL) rt_abort(RT_ABORT_OOM);
    blocks[nblocks++] = p;
    return p;
}

void *rt_realloc(void *p, size_t old_n, size_t new_n) {
    void *q = rt_alloc(new_n);
    if (old_n) memcpy(q, p, old_n < new_n ? old_n : new_n);
    return q;
}

size_t rt_heap_mark(void) { return nblocks; }

void rt_heap_release(size_t mark) {
    while (nblocks > mark) free(blocks[--nblocks]);
}

_Noreturn void rt_abort(uint64_t code) {
    fprintf(stderr, "rt_abort(%llu)\n", (unsigned long long)code);
    exit(100 + (int)(code & 0x7f));
}

_Noreturn void rt_yield(uint64_t code) { exit((int)(code & 0x7f)); }

void rt_debug(const char *buf, size_t len) { fwrite(buf, 1, len, stderr); }

static uint8_t s_window[1 << 16];
uint8_t *rt_s_base(void) { return s_window; }
size_t rt_s_size(void) { return sizeof s_window; }
