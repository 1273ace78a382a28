/* Decoding and validating an S image (docs/spec.md §4.1–4.4). Every list is iterated to its
 * end and every item's kind is checked where it is expected, so each byte of the payload is
 * validated even though the RLP decoder itself is lazy. */
#include "keccak.h"
#include "decode_internal.h"

/* The items of a list: its count (headers validated) and an iterator at its start. */
static s_err open_list(const rlp_item *list, size_t *n, rlp_iter *it) {
    TRY_RLP(rlp_list_count(list, n));
    TRY_RLP(rlp_iter_init(it, list));
    return S_OK;
}

static s_err decode_storage(const rlp_item *list, s_account *a) {
    rlp_iter it;
    TRY(open_list(list, &a->n_storage, &it));
    a->storage = a->n_storage ? (s_slot *)rt_alloc(a->n_storage * sizeof(s_slot)) : NULL;
    for (size_t i = 0; i < a->n_storage; i++) {
        rlp_item entry, kv[2];
        s_slot *slot = &a->storage[i];
        TRY_RLP(rlp_iter_next(&it, &entry));
        TRY_RLP(rlp_list_exact(&entry, kv, 2));
        TRY_RLP(rlp_get_uint_be32(&kv[0], 32, slot->key));
        TRY_RLP(rlp_get_uint_be32(&kv[1], 32, slot->value));
        if (i > 0 && memcmp(slot->key, a->storage[i - 1].key, 32) <= 0) return S_ERR_ORDER;
        if (kv[1].payload.len == 0) return S_ERR_ZERO_SLOT; /* minimal form: zero is empty */
    }
    return S_OK;
}

static s_err decode_account(const rlp_item *item, s_account *a) {
    rlp_item f[5];
    TRY_RLP(rlp_list_exact(item, f, 5));
    TRY_RLP(rlp_get_fixed(&f[0], a->address, 20));
    TRY_RLP(rlp_get_u64(&f[1], &a->nonce));
    TRY_RLP(rlp_get_uint_be32(&f[2], 32, a->balance));
    TRY_RLP(rlp_get_bytes(&f[3], &a->code));
    return decode_storage(&f[4], a);
}

static s_err decode_accounts(const rlp_item *list, s_state *s) {
    rlp_iter it;
    TRY(open_list(list, &s->n_accounts, &it));
    s->accounts = s->n_accounts ? (s_account *)rt_alloc(s->n_accounts * sizeof(s_account)) : NULL;
    for (size_t i = 0; i < s->n_accounts; i++) {
        rlp_item item;
        TRY_RLP(rlp_iter_next(&it, &item));
        TRY(decode_account(&item, &s->accounts[i]));
        if (i > 0 && memcmp(s->accounts[i].address, s->accounts[i - 1].address, 20) <= 0)
            return S_ERR_ORDER;
    }
    return S_OK;
}

s_err s_decode_ancestors(const rlp_item *list, uint64_t parent_number, uint8_t (**out)[32], size_t *n) {
    rlp_iter it;
    TRY(open_list(list, n, &it));
    uint64_t expected = parent_number < S_MAX_ANCESTORS ? parent_number : S_MAX_ANCESTORS;
    *out = *n ? (uint8_t(*)[32])rt_alloc(*n * 32) : NULL;
    for (size_t i = 0; i < *n; i++) {
        rlp_item h;
        TRY_RLP(rlp_iter_next(&it, &h));
        TRY_RLP(rlp_get_fixed(&h, (*out)[i], 32));
    }
    return *n == expected ? S_OK : S_ERR_ANCESTORS;
}

static s_err decode_inbox(const rlp_item *list, s_state *s) {
    rlp_iter it;
    TRY(open_list(list, &s->n_inbox, &it));
    s->inbox = s->n_inbox ? (span_t *)rt_alloc(s->n_inbox * sizeof(span_t)) : NULL;
    for (size_t i = 0; i < s->n_inbox; i++) {
        rlp_item b;
        TRY_RLP(rlp_iter_next(&it, &b));
        TRY_RLP(rlp_get_bytes(&b, &s->inbox[i]));
    }
    return S_OK;
}

static s_err decode_parent(s_state *s) {
    rlp_item item;
    TRY_RLP(rlp_decode(s->parent_header, &item));
    /* parent_header is bytes holding one canonical item: any RLP fault in it is S_ERR_RLP. */
    if (rlp_validate(s->parent_header) != RLP_OK) return S_ERR_RLP;
    TRY(s_header_parse(&item, s->fork, &s->parent));
    return s_header_check_ranges(&s->parent);
}

/* An empty string where a non-accepted outcome has no value. */
static s_err expect_empty(const rlp_item *f) {
    span_t b;
    TRY_RLP(rlp_get_bytes(f, &b));
    return b.len == 0 ? S_OK : S_ERR_OUTCOME;
}

s_err s_decode_outcome(const rlp_item *item, span_t parent_header, const s_header *parent, s_outcome *o) {
    rlp_item f[7];
    memset(o, 0, sizeof *o);
    TRY_RLP(rlp_list_exact(item, f, 7));
    rlp_err e = rlp_get_u64(&f[0], &o->status);
    if (e == RLP_ERR_INT_TOO_BIG) return S_ERR_OUTCOME;
    TRY_RLP(e);
    e = rlp_get_u64(&f[1], &o->reason);
    if (e == RLP_ERR_INT_TOO_BIG) return S_ERR_OUTCOME;
    TRY_RLP(e);
    if (o->status == S_STATUS_NONE || o->status == S_STATUS_REJECTED) {
        bool ok = o->status == S_STATUS_NONE ? o->reason == 0 : (o->reason >= 1 && o->reason <= S_REASON_MAX);
        if (!ok) return S_ERR_OUTCOME;
        for (int i = 2; i < 7; i++) TRY(expect_empty(&f[i]));
        return S_OK;
    }
    if (o->status != S_STATUS_ACCEPTED || o->reason != 0) return S_ERR_OUTCOME;
    TRY_RLP(rlp_get_u64(&f[2], &o->gas_used));
    TRY_RLP(rlp_get_fixed(&f[3], o->state_root, 32));
    TRY_RLP(rlp_get_fixed(&f[4], o->receipts_root, 32));
    TRY_RLP(rlp_get_fixed(&f[5], o->logs_bloom, 256));
    TRY_RLP(rlp_get_fixed(&f[6], o->block_hash, 32));
    /* An accepted outcome repeats the parent header's results (§4.4). */
    uint8_t parent_hash[32];
    keccak256(parent_header.ptr, parent_header.len, parent_hash);
    if (o->gas_used != parent->gas_used || memcmp(o->state_root, parent->state_root, 32) != 0 ||
        memcmp(o->receipts_root, parent->receipts_root, 32) != 0 ||
        memcmp(o->logs_bloom, parent->logs_bloom, 256) != 0 || memcmp(o->block_hash, parent_hash, 32) != 0)
        return S_ERR_OUTCOME;
    return S_OK;
}

/* Payload item positions (docs/spec.md §4.2): the parts a step leaves in place first. */
enum { F_CHAIN_ID, F_FORK, F_INBOX, F_ACCOUNTS, F_CURSOR, F_PARENT_HEADER, F_ANCESTORS, F_OUTCOME, F_COUNT };

s_err s_decode_payload(span_t payload, s_state *s) {
    rlp_item top, f[F_COUNT];
    memset(s, 0, sizeof *s);
    TRY_RLP(rlp_decode(payload, &top));
    TRY_RLP(rlp_list_exact(&top, f, F_COUNT));
    rlp_err e = rlp_get_u64(&f[F_CHAIN_ID], &s->chain_id);
    TRY_RLP(e);
    if (s->chain_id == 0) return S_ERR_CHAIN_ID;
    e = rlp_get_u64(&f[F_FORK], &s->fork);
    if (e == RLP_ERR_INT_TOO_BIG) return S_ERR_FORK;
    TRY_RLP(e);
    if (s->fork < S_FORK_SHANGHAI || s->fork > S_FORK_PRAGUE) return S_ERR_FORK;
    TRY(decode_inbox(&f[F_INBOX], s));
    TRY(decode_accounts(&f[F_ACCOUNTS], s));
    TRY_RLP(rlp_get_u64(&f[F_CURSOR], &s->cursor));
    if (s->cursor > s->n_inbox) return S_ERR_CURSOR;
    TRY_RLP(rlp_get_bytes(&f[F_PARENT_HEADER], &s->parent_header));
    TRY(decode_parent(s));
    TRY(s_decode_ancestors(&f[F_ANCESTORS], s->parent.number, &s->ancestors, &s->n_ancestors));
    return s_decode_outcome(&f[F_OUTCOME], s->parent_header, &s->parent, &s->outcome);
}

s_err s_decode(const uint8_t *image, size_t len, s_state *s) {
    /* The padding after the payload is not read (spec §4.1, §5.1: A is defined on canonical
     * states only, so the window after 16 + L is zero by construction; scanning it cost ~21 M
     * instructions per block). */
    span_t payload;
    TRY(s_unframe(image, len, S_FORMAT_VERSION, &payload));
    return s_decode_payload(payload, s);
}
