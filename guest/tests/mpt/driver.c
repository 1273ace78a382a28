/* The trie test driver: the preimage oracle's host table, oracle_read, and runs of mpt
 * operations (ops.h), behind the test harness (guest/tests/harness). One OP_MPT_RUN is one
 * trie's whole life: the harness releases the heap after each request. On AB (an image of
 * harness_ab.c) the oracle is the machine's: the table operations exist on the host only, and
 * STEP_ROOT_EMIT / STEP_REOPEN (which write to the table) are refused. */
#include "../harness/harness.h"
#include "mpt.h"
#include "oracle.h"
#include "ops.h"

#if defined(__riscv)
#define HOST_TABLE 0
#else
#define HOST_TABLE 1
#include "../../host/preimages_host.h"
#endif

static void put_u64(buf_t *b, uint64_t v) { store_le64(buf_extend(b, 8), v); }

#if HOST_TABLE

static uint64_t op_oracle_put(span_t a, buf_t *r) {
    (void)r;
    uint64_t n;
    if (!harness_read_u64(&a, &n)) return HARNESS_BAD_REQUEST;
    for (uint64_t i = 0; i < n; i++) {
        span_t key, data;
        if (!harness_read_span(&a, 32, &key) || !harness_read_blob(&a, &data)) return HARNESS_BAD_REQUEST;
        preimages_host_put(key.ptr, data.ptr, data.len);
    }
    return a.len == 0 ? 0 : HARNESS_BAD_REQUEST;
}

static uint64_t op_oracle_clear(span_t a, buf_t *r) {
    (void)a, (void)r;
    preimages_host_clear();
    return 0;
}

static uint64_t op_oracle_touched(span_t a, buf_t *r) {
    (void)a;
    size_t n;
    const uint8_t *keys = preimages_host_touched(&n);
    put_u64(r, n);
    buf_put(r, keys, 32 * n);
    return 0;
}

static void emit_to_oracle(void *ctx, const uint8_t hash[32], span_t enc) {
    (void)ctx;
    preimages_host_put(hash, enc.ptr, enc.len);
}
#endif

static uint64_t op_oracle_read(span_t a, buf_t *r) {
    if (a.len != 32) return HARNESS_BAD_REQUEST;
    span_t p = oracle_read(a.ptr);
    buf_put(r, p.ptr, p.len);
    return 0;
}

static uint64_t op_mpt_run(span_t a, buf_t *r) {
    span_t root;
    uint64_t n;
    if (!harness_read_span(&a, 32, &root) || !harness_read_u64(&a, &n)) return HARNESS_BAD_REQUEST;
    mpt_trie t;
    memset(&oracle_stats, 0, sizeof oracle_stats);
    memset(&mpt_stats, 0, sizeof mpt_stats);
    mpt_open(&t, root.ptr);
    mpt_write *pending = (mpt_write *)rt_alloc((size_t)(n < a.len ? n : a.len) * sizeof *pending + 1);
    size_t n_pending = 0;
    for (uint64_t i = 0; i < n; i++) {
        span_t kind, key, value, got;
        if (!harness_read_span(&a, 1, &kind) || !harness_read_blob(&a, &key) || !harness_read_blob(&a, &value))
            return HARNESS_BAD_REQUEST;
        uint8_t h[32];
        switch (kind.ptr[0]) {
        case STEP_GET: {
            bool found = mpt_get(&t, key.ptr, key.len, &got);
            buf_put_byte(r, found);
            put_u64(r, got.len);
            buf_put(r, got.ptr, got.len);
            break;
        }
        case STEP_PUT: mpt_put(&t, key.ptr, key.len, value.ptr, value.len); break;
        case STEP_DELETE: buf_put_byte(r, mpt_delete(&t, key.ptr, key.len)); break;
        case STEP_ROOT: mpt_root(&t, h); buf_put(r, h, 32); break;
        case STEP_WRITE:
            pending[n_pending].key = key;
            pending[n_pending++].value = value;
            break;
        case STEP_APPLY: mpt_apply(&t, pending, n_pending); n_pending = 0; break;
#if HOST_TABLE
        case STEP_ROOT_EMIT: mpt_root_emit(&t, h, emit_to_oracle, NULL); buf_put(r, h, 32); break;
        case STEP_REOPEN: mpt_root_emit(&t, h, emit_to_oracle, NULL); mpt_open(&t, h); buf_put(r, h, 32); break;
#endif
        default: return HARNESS_BAD_REQUEST;
        }
    }
    if (a.len != 0) return HARNESS_BAD_REQUEST;
    put_u64(r, oracle_stats.reads);
    put_u64(r, oracle_stats.bytes);
    put_u64(r, oracle_stats.calls);
    put_u64(r, mpt_stats.decoded);
    put_u64(r, mpt_stats.hashed);
    return 0;
}

const harness_op HARNESS_OPS[] = {
#if HOST_TABLE
    {OP_ORACLE_PUT, op_oracle_put},         {OP_ORACLE_CLEAR, op_oracle_clear},
    {OP_ORACLE_TOUCHED, op_oracle_touched},
#endif
    {OP_ORACLE_READ, op_oracle_read},       {OP_MPT_RUN, op_mpt_run},
    {0, NULL},
};
