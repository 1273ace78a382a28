/* The guest test harness: one C test driver, run natively and on machine AB.
 *
 * A driver is a table of operations; the harness feeds it requests and frames its answers.
 * Framing (all integers u64 little-endian; docs/guest.md "Test harness"):
 *   request  = op, len, len bytes of argument
 *   response = status, len, len bytes of result
 * Natively (harness_host.c) requests stream on stdin and responses on stdout, one response per
 * request, flushed, so a test can converse with one long-lived process. On AB (harness_ab.c)
 * the S window holds `u64 N` then N bytes of requests; the harness answers all of them and
 * leaves `u64 M` then M bytes of responses at the start of the window, zeroing the rest of the
 * old input, then yields.
 */
#ifndef SWAPVM_HARNESS_H
#define SWAPVM_HARNESS_H

#include "bytes.h"

/* Statuses the harness itself answers with (drivers use small numbers of their own). */
#define HARNESS_UNKNOWN_OP 0xFFFFFFFFFFFFFFFFull   /* no such operation in the table */
#define HARNESS_BAD_REQUEST 0xFFFFFFFFFFFFFFFEull  /* the argument does not parse */

/* Handle one request: append the result to `resp`, return the status. */
typedef uint64_t (*harness_fn)(span_t arg, buf_t *resp);

typedef struct {
    uint64_t op;
    harness_fn fn;
} harness_op;

/* Each driver defines its table (terminated by an entry with fn == NULL). */
extern const harness_op HARNESS_OPS[];

/* Run one request through the table, appending the result to `resp`. The caller brackets it
 * with rt_heap_mark/rt_heap_release once the framed response has been written out. */
uint64_t harness_dispatch(uint64_t op, span_t arg, buf_t *resp);

/* Bounds-checked readers for request arguments: advance `s`, false when it is too short. */
bool harness_read_u64(span_t *s, uint64_t *v);
bool harness_read_span(span_t *s, size_t n, span_t *out);
/* A u64 length followed by that many bytes. */
bool harness_read_blob(span_t *s, span_t *out);

#endif
