/* Operation lookup and argument readers of the test harness (see harness.h). */
#include "harness.h"

uint64_t harness_dispatch(uint64_t op, span_t arg, buf_t *resp) {
    for (const harness_op *e = HARNESS_OPS; e->fn != NULL; e++)
        if (e->op == op) return e->fn(arg, resp);
    return HARNESS_UNKNOWN_OP;
}

bool harness_read_span(span_t *s, size_t n, span_t *out) {
    if (n > s->len) return false;
    *out = span_make(s->ptr, n);
    s->ptr += n;
    s->len -= n;
    return true;
}

bool harness_read_u64(span_t *s, uint64_t *v) {
    span_t w;
    if (!harness_read_span(s, 8, &w)) return false;
    *v = load_le64(w.ptr);
    return true;
}

bool harness_read_blob(span_t *s, span_t *out) {
    uint64_t n;
    return harness_read_u64(s, &n) && n <= SIZE_MAX && harness_read_span(s, (size_t)n, out);
}
