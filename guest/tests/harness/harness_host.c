/* Native main of a test driver (host only, uses libc): requests stream in on stdin, one framed
 * response is written and flushed per request (see harness.h). Exits 0 at a clean end of
 * input, 3 on a truncated request. */
#include <stdio.h>
#include <stdlib.h>

#include "harness.h"

static bool read_exact(void *p, size_t n) { return fread(p, 1, n, stdin) == n; }

static void write_u64(uint64_t v) {
    uint8_t b[8];
    store_le64(b, v);
    fwrite(b, 1, 8, stdout);
}

int main(void) {
    uint8_t hdr[16];
    for (;;) {
        size_t got = fread(hdr, 1, 16, stdin);
        if (got == 0) return 0;
        if (got != 16) return 3;
        uint64_t op = load_le64(hdr), len = load_le64(hdr + 8);
        size_t mark = rt_heap_mark();
        uint8_t *arg = (uint8_t *)malloc(len ? len : 1);
        if (arg == NULL || !read_exact(arg, len)) return 3;
        buf_t resp;
        buf_init(&resp, 0);
        uint64_t status = harness_dispatch(op, span_make(arg, len), &resp);
        write_u64(status);
        write_u64(resp.len);
        if (resp.len) fwrite(resp.ptr, 1, resp.len, stdout);
        fflush(stdout);
        free(arg);
        rt_heap_release(mark);
    }
}
