/* Decoding and encoding S version 2 (docs/spec.md §6.2). The shared parts (framing, header,
 * ancestors, outcome) are version 1's code. */
#include "decode_internal.h"
#include "scodec2.h"

/* Payload item positions (§6.2) and the items of one schedule entry. */
enum { F2_CONFIG, F2_INBOX, F2_CURSOR, F2_PARENT_HEADER, F2_ANCESTORS, F2_OUTCOME, F2_COUNT };
enum { E_FORK, E_TIME, E_BLOB_TARGET, E_BLOB_MAX, E_BLOB_FRACTION, E_COUNT };
#define TIMESTAMP_INDEX 11u /* a header's timestamp is its 12th item in every fork */

const s2_fork_entry *s2_entry_at(const s2_state *s, uint64_t timestamp) {
    const s2_fork_entry *active = NULL;
    for (size_t i = 0; i < s->n_forks && s->forks[i].time <= timestamp; i++) active = &s->forks[i];
    return active;
}

static s_err decode_entry(const rlp_item *item, s2_fork_entry *e) {
    rlp_item f[E_COUNT];
    TRY_RLP(rlp_list_exact(item, f, E_COUNT));
    rlp_err r = rlp_get_u64(&f[E_FORK], &e->fork);
    if (r == RLP_ERR_INT_TOO_BIG) return S_ERR_FORK;
    TRY_RLP(r);
    if (e->fork < S_FORK_SHANGHAI || e->fork > S_FORK_PRAGUE) return S_ERR_FORK;
    TRY_RLP(rlp_get_u64(&f[E_TIME], &e->time));
    TRY_RLP(rlp_get_u64(&f[E_BLOB_TARGET], &e->blob_target));
    TRY_RLP(rlp_get_u64(&f[E_BLOB_MAX], &e->blob_max));
    TRY_RLP(rlp_get_u64(&f[E_BLOB_FRACTION], &e->blob_update_fraction));
    if (e->fork < S_FORK_CANCUN)
        return (e->blob_target | e->blob_max | e->blob_update_fraction) == 0 ? S_OK : S_ERR_FORK;
    bool ok = e->blob_max >= 1 && e->blob_target <= e->blob_max && e->blob_update_fraction >= 1;
    return ok ? S_OK : S_ERR_FORK;
}

static s_err decode_config(const rlp_item *item, s2_state *s) {
    rlp_item f[3], entry;
    rlp_iter it;
    TRY_RLP(rlp_list_exact(item, f, 3));
    TRY_RLP(rlp_get_u64(&f[0], &s->chain_id));
    if (s->chain_id == 0) return S_ERR_CHAIN_ID;
    TRY_RLP(rlp_iter_init(&it, &f[1]));
    while (!rlp_iter_done(&it)) {
        if (s->n_forks == S2_MAX_FORKS) return S_ERR_FORK; /* a fourth entry cannot ascend */
        TRY_RLP(rlp_iter_next(&it, &entry));
        s2_fork_entry *e = &s->forks[s->n_forks];
        TRY(decode_entry(&entry, e));
        if (s->n_forks > 0 && (e->fork <= e[-1].fork || e->time <= e[-1].time)) return S_ERR_FORK;
        s->n_forks++;
    }
    if (s->n_forks == 0) return S_ERR_FORK;
    span_t deposit;
    TRY_RLP(rlp_get_bytes(&f[2], &deposit));
    s->has_deposit_contract = s->forks[s->n_forks - 1].fork >= S_FORK_PRAGUE;
    if (deposit.len != (s->has_deposit_contract ? 20u : 0u)) return S_ERR_SHAPE;
    if (s->has_deposit_contract) memcpy(s->deposit_contract, deposit.ptr, 20);
    return S_OK;
}

static s_err decode_inbox(const rlp_item *item, s2_state *s) {
    rlp_item f[2];
    TRY_RLP(rlp_list_exact(item, f, 2));
    TRY_RLP(rlp_get_fixed(&f[0], s->inbox_root, 32));
    return s_from_rlp(rlp_get_u64(&f[1], &s->inbox_length));
}

/* The parent header under the fork active at its own timestamp. */
static s_err decode_parent(s2_state *s) {
    rlp_item item, field;
    rlp_iter it;
    size_t n;
    uint64_t timestamp;
    TRY_RLP(rlp_decode(s->parent_header, &item));
    if (rlp_validate(s->parent_header) != RLP_OK) return S_ERR_RLP;
    TRY_RLP(rlp_list_count(&item, &n));
    if (n <= TIMESTAMP_INDEX) return S_ERR_SHAPE;
    TRY_RLP(rlp_iter_init(&it, &item));
    for (size_t i = 0; i <= TIMESTAMP_INDEX; i++) TRY_RLP(rlp_iter_next(&it, &field));
    TRY_RLP(rlp_get_u64(&field, &timestamp));
    const s2_fork_entry *entry = s2_entry_at(s, timestamp);
    if (entry == NULL) return S_ERR_FORK;
    TRY(s_header_parse(&item, entry->fork, &s->parent));
    return s_header_check_ranges(&s->parent);
}

s_err s2_decode_payload(span_t payload, s2_state *s) {
    rlp_item top, f[F2_COUNT];
    memset(s, 0, sizeof *s);
    TRY_RLP(rlp_decode(payload, &top));
    TRY_RLP(rlp_list_exact(&top, f, F2_COUNT));
    TRY(decode_config(&f[F2_CONFIG], s));
    TRY(decode_inbox(&f[F2_INBOX], s));
    TRY_RLP(rlp_get_u64(&f[F2_CURSOR], &s->cursor));
    if (s->cursor > s->inbox_length) return S_ERR_CURSOR;
    TRY_RLP(rlp_get_bytes(&f[F2_PARENT_HEADER], &s->parent_header));
    TRY(decode_parent(s));
    TRY(s_decode_ancestors(&f[F2_ANCESTORS], s->parent.number, &s->ancestors, &s->n_ancestors));
    return s_decode_outcome(&f[F2_OUTCOME], s->parent_header, &s->parent, &s->outcome);
}

s_err s2_decode(const uint8_t *image, size_t len, s2_state *s) {
    span_t payload;
    TRY(s_unframe(image, len, S2_FORMAT_VERSION, &payload));
    return s2_decode_payload(payload, s);
}

static size_t entry_payload_len(const s2_fork_entry *e) {
    return rlp_u64_len(e->fork) + rlp_u64_len(e->time) + rlp_u64_len(e->blob_target) +
           rlp_u64_len(e->blob_max) + rlp_u64_len(e->blob_update_fraction);
}

static size_t config_payload_len(const s2_state *s, size_t *forks_len) {
    *forks_len = 0;
    for (size_t i = 0; i < s->n_forks; i++) *forks_len += rlp_list_len(entry_payload_len(&s->forks[i]));
    return rlp_u64_len(s->chain_id) + rlp_list_len(*forks_len) +
           rlp_bytes_len(s->deposit_contract, s->has_deposit_contract ? 20 : 0);
}

static void put_config(const s2_state *s, buf_t *out) {
    size_t forks_len, len = config_payload_len(s, &forks_len);
    rlp_put_list_header(out, len);
    rlp_put_u64(out, s->chain_id);
    rlp_put_list_header(out, forks_len);
    for (size_t i = 0; i < s->n_forks; i++) {
        const s2_fork_entry *e = &s->forks[i];
        rlp_put_list_header(out, entry_payload_len(e));
        rlp_put_u64(out, e->fork);
        rlp_put_u64(out, e->time);
        rlp_put_u64(out, e->blob_target);
        rlp_put_u64(out, e->blob_max);
        rlp_put_u64(out, e->blob_update_fraction);
    }
    rlp_put_bytes(out, s->deposit_contract, s->has_deposit_contract ? 20 : 0);
}

void s2_encode(const s2_state *s, buf_t *out) {
    size_t forks_len;
    size_t inbox_len = 33 + rlp_u64_len(s->inbox_length);
    size_t total = rlp_list_len(config_payload_len(s, &forks_len)) + rlp_list_len(inbox_len) +
                   rlp_u64_len(s->cursor) + rlp_bytes_len(s->parent_header.ptr, s->parent_header.len) +
                   rlp_list_len(33 * s->n_ancestors) + rlp_list_len(s_outcome_payload_len(&s->outcome));
    uint8_t *hdr = buf_extend(out, S_HEADER_BYTES);
    store_le64(hdr, S2_FORMAT_VERSION);
    store_le64(hdr + 8, (uint64_t)rlp_list_len(total));
    size_t start = out->len;
    rlp_put_list_header(out, total);
    put_config(s, out);
    rlp_put_list_header(out, inbox_len);
    rlp_put_bytes(out, s->inbox_root, 32);
    rlp_put_u64(out, s->inbox_length);
    rlp_put_u64(out, s->cursor);
    rlp_put_bytes(out, s->parent_header.ptr, s->parent_header.len);
    rlp_put_list_header(out, 33 * s->n_ancestors);
    for (size_t i = 0; i < s->n_ancestors; i++) rlp_put_bytes(out, s->ancestors[i], 32);
    s_put_outcome(&s->outcome, out);
    RT_ASSERT(out->len - start == rlp_list_len(total));
}

static void encode_v2(const void *s, buf_t *out) { s2_encode(s, out); }

s_err s2_write_window(const s2_state *s, uint8_t *window, size_t win_size, size_t old_len) {
    return s_write_encoded(encode_v2, s, window, win_size, old_len);
}
