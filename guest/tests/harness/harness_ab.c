/* Machine AB main of a test driver: answer the batch of requests in the S window (framing in
 * harness.h) and yield. Yield codes: 0 done, 1 the batch framing is malformed, 2 the
 * responses do not fit in the window. */
#include "harness.h"

#define YIELD_DONE 0u
#define YIELD_BAD_BATCH 1u
#define YIELD_TOO_BIG 2u

/* The entry point the runtime's start-up code calls. */
int main(void);

int main(void) {
    uint8_t *s = rt_s_base();
    size_t cap = rt_s_size();
    if (cap < 8) rt_yield(YIELD_BAD_BATCH);
    uint64_t n = load_le64(s);
    if (n > cap - 8) rt_yield(YIELD_BAD_BATCH);
    /* Copy the batch to the heap: responses overwrite it in place. */
    uint8_t *in = (uint8_t *)rt_alloc(n ? (size_t)n : 1);
    memcpy(in, s + 8, (size_t)n);
    span_t rest = span_make(in, (size_t)n);
    size_t w = 8; /* write offset in the window */
    unsigned code = YIELD_DONE;
    while (rest.len > 0) {
        uint64_t op;
        span_t arg;
        if (!harness_read_u64(&rest, &op) || !harness_read_blob(&rest, &arg)) {
            code = YIELD_BAD_BATCH;
            break;
        }
        size_t mark = rt_heap_mark();
        buf_t resp;
        buf_init(&resp, 0);
        uint64_t status = harness_dispatch(op, arg, &resp);
        if (resp.len > cap - w || cap - w - resp.len < 16) {
            code = YIELD_TOO_BIG;
            break;
        }
        store_le64(s + w, status);
        store_le64(s + w + 8, resp.len);
        if (resp.len) memcpy(s + w + 16, resp.ptr, resp.len);
        w += 16 + resp.len;
        rt_heap_release(mark);
    }
    store_le64(s, (uint64_t)(w - 8));
    if (w < 8 + n) memset(s + w, 0, (size_t)(8 + n - w));
    rt_yield(code);
}
