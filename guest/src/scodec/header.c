/* Block headers of each fork (docs/spec.md §4.3): shape, then ranges. Field layout is a table
 * so that Cancun and Prague are appended rows, not new code. */
#include "scodec.h"

typedef enum { F_FIXED, F_UINT64, F_UINT256, F_BYTES } field_kind;

typedef struct {
    field_kind kind;
    uint16_t size;    /* F_FIXED: exact byte count */
    uint16_t offset;  /* F_FIXED: of the byte array; otherwise: of the span (raw bytes) */
    uint16_t value;   /* F_UINT64: of the uint64_t; F_UINT256: of the 32-byte array */
} field_spec;

#define FIXED(name, n) {F_FIXED, n, offsetof(s_header, name), 0}
#define UINT64(name) {F_UINT64, 0, offsetof(s_header, name##_raw), offsetof(s_header, name)}
#define UINT256(name, v) {F_UINT256, 0, offsetof(s_header, name##_raw), offsetof(s_header, v)}
#define BYTES(name) {F_BYTES, 0, offsetof(s_header, name), 0}

/* The Prague header; Shanghai uses the first 17 rows, Cancun the first 20. */
static const field_spec FIELDS[21] = {
    FIXED(parent_hash, 32),  FIXED(ommers_hash, 32),       FIXED(coinbase, 20),
    FIXED(state_root, 32),   FIXED(transactions_root, 32), FIXED(receipts_root, 32),
    FIXED(logs_bloom, 256),  UINT256(difficulty, difficulty), UINT64(number),
    UINT64(gas_limit),       UINT64(gas_used),             UINT64(timestamp),
    BYTES(extra_data),       FIXED(mix_hash, 32),          FIXED(nonce, 8),
    UINT256(base_fee, base_fee_per_gas), FIXED(withdrawals_root, 32),
    UINT64(blob_gas_used),   UINT64(excess_blob_gas),      FIXED(parent_beacon_block_root, 32),
    FIXED(requests_hash, 32),
};

static size_t field_count(uint64_t fork) {
    switch (fork) {
    case S_FORK_SHANGHAI: return 17;
    case S_FORK_CANCUN: return 20;
    case S_FORK_PRAGUE: return 21;
    default: return 0;
    }
}

s_err s_header_parse(const rlp_item *item, uint64_t fork, s_header *h) {
    size_t n = field_count(fork);
    if (n == 0) return S_ERR_FORK;
    memset(h, 0, sizeof *h);
    h->fork = fork;
    h->n_fields = n;
    rlp_iter it;
    if (rlp_iter_init(&it, item) != RLP_OK) return S_ERR_SHAPE;
    uint8_t *base = (uint8_t *)h;
    for (size_t i = 0; i < n; i++) {
        rlp_item f;
        if (rlp_iter_done(&it)) return S_ERR_SHAPE;
        if (rlp_iter_next(&it, &f) != RLP_OK) return S_ERR_RLP;
        if (f.is_list) return S_ERR_SHAPE;
        const field_spec *spec = &FIELDS[i];
        if (spec->kind == F_FIXED) {
            if (rlp_get_fixed(&f, base + spec->offset, spec->size) != RLP_OK) return S_ERR_SHAPE;
            continue;
        }
        if (spec->kind != F_BYTES && f.payload.len > 0 && f.payload.ptr[0] == 0) return S_ERR_SHAPE;
        memcpy(base + spec->offset, &f.payload, sizeof f.payload);
    }
    return rlp_iter_done(&it) ? S_OK : S_ERR_SHAPE;
}

s_err s_header_check_ranges(s_header *h) {
    uint8_t *base = (uint8_t *)h;
    for (size_t i = 0; i < h->n_fields; i++) {
        const field_spec *spec = &FIELDS[i];
        if (spec->kind != F_UINT64 && spec->kind != F_UINT256) continue;
        span_t raw;
        memcpy(&raw, base + spec->offset, sizeof raw);
        if (raw.len > (spec->kind == F_UINT64 ? 8u : 32u)) return S_ERR_RANGE;
        if (spec->kind == F_UINT64) {
            uint64_t v = 0;
            for (size_t k = 0; k < raw.len; k++) v = (v << 8) | raw.ptr[k];
            memcpy(base + spec->value, &v, sizeof v);
        } else {
            uint8_t *out = base + spec->value;
            memset(out, 0, 32 - raw.len);
            if (raw.len) memcpy(out + 32 - raw.len, raw.ptr, raw.len);
        }
    }
    return S_OK;
}
