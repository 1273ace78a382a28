/* Encoding S canonically (docs/spec.md §4.1–4.4) and writing it over the S window.
 *
 * Every list's payload length is computed before the list is written, so each header goes
 * straight in front of its payload: one pass, no memmove of a payload once written, and the
 * whole image is reserved at once. (S may be tens of MiB; moving it once per nesting level
 * would cost several instructions per byte per level on AB.) */
#include "scodec.h"

/* Encoded length of one storage pair [key, value]. */
static size_t slot_len(const s_slot *slot) {
    return rlp_list_len(rlp_uint_be_len(slot->key, 32) + rlp_uint_be_len(slot->value, 32));
}

/* Payload length of an account's storage list. */
static size_t storage_payload_len(const s_account *a) {
    size_t n = 0;
    for (size_t i = 0; i < a->n_storage; i++) n += slot_len(&a->storage[i]);
    return n;
}

/* Payload length of an account, given its storage payload length. */
static size_t account_payload_len(const s_account *a, size_t storage_len) {
    return rlp_bytes_len(a->address, 20) + rlp_u64_len(a->nonce) + rlp_uint_be_len(a->balance, 32) +
           rlp_bytes_len(a->code.ptr, a->code.len) + rlp_list_len(storage_len);
}

static void put_account(const s_account *a, size_t storage_len, buf_t *out) {
    rlp_put_list_header(out, account_payload_len(a, storage_len));
    rlp_put_bytes(out, a->address, 20);
    rlp_put_u64(out, a->nonce);
    rlp_put_uint_be(out, a->balance, 32);
    rlp_put_bytes(out, a->code.ptr, a->code.len);
    rlp_put_list_header(out, storage_len);
    for (size_t i = 0; i < a->n_storage; i++) {
        const s_slot *slot = &a->storage[i];
        rlp_put_list_header(out, rlp_uint_be_len(slot->key, 32) + rlp_uint_be_len(slot->value, 32));
        rlp_put_uint_be(out, slot->key, 32);
        rlp_put_uint_be(out, slot->value, 32);
    }
}

/* The outcome's payload length (non-accepted outcomes: status, reason, five empty strings). */
size_t s_outcome_payload_len(const s_outcome *o) {
    if (o->status != S_STATUS_ACCEPTED) return rlp_u64_len(o->status) + rlp_u64_len(o->reason) + 5;
    return rlp_u64_len(o->status) + 1 + rlp_u64_len(o->gas_used) + 3 * 33 + 259;
}

void s_put_outcome(const s_outcome *o, buf_t *out) {
    rlp_put_list_header(out, s_outcome_payload_len(o));
    rlp_put_u64(out, o->status);
    if (o->status != S_STATUS_ACCEPTED) {
        rlp_put_u64(out, o->reason);
        for (int i = 0; i < 5; i++) buf_put_byte(out, 0x80);
        return;
    }
    rlp_put_u64(out, 0);
    rlp_put_u64(out, o->gas_used);
    rlp_put_bytes(out, o->state_root, 32);
    rlp_put_bytes(out, o->receipts_root, 32);
    rlp_put_bytes(out, o->logs_bloom, 256);
    rlp_put_bytes(out, o->block_hash, 32);
}

void s_encode_payload(const s_state *s, buf_t *out) {
    /* Sizes first: storage payload of each account (kept), then every list's payload. The
     * small size array stays on the heap: releasing it here could free a grown `out`. */
    size_t *storage_len = s->n_accounts ? (size_t *)rt_alloc(s->n_accounts * sizeof(size_t)) : NULL;
    size_t accounts_len = 0, ancestors_len = 33 * s->n_ancestors, inbox_len = 0;
    for (size_t i = 0; i < s->n_accounts; i++) {
        storage_len[i] = storage_payload_len(&s->accounts[i]);
        accounts_len += rlp_list_len(account_payload_len(&s->accounts[i], storage_len[i]));
    }
    for (size_t i = 0; i < s->n_inbox; i++) inbox_len += rlp_bytes_len(s->inbox[i].ptr, s->inbox[i].len);
    size_t total = rlp_u64_len(s->chain_id) + rlp_u64_len(s->fork) + rlp_list_len(inbox_len) +
                   rlp_list_len(accounts_len) + rlp_u64_len(s->cursor) +
                   rlp_bytes_len(s->parent_header.ptr, s->parent_header.len) + rlp_list_len(ancestors_len) +
                   rlp_list_len(s_outcome_payload_len(&s->outcome));
    buf_reserve(out, rlp_list_len(total));
    size_t start = out->len;
    /* Then one pass of writing, in the payload order of docs/spec.md §4.2. */
    rlp_put_list_header(out, total);
    rlp_put_u64(out, s->chain_id);
    rlp_put_u64(out, s->fork);
    rlp_put_list_header(out, inbox_len);
    for (size_t i = 0; i < s->n_inbox; i++) rlp_put_bytes(out, s->inbox[i].ptr, s->inbox[i].len);
    rlp_put_list_header(out, accounts_len);
    for (size_t i = 0; i < s->n_accounts; i++) put_account(&s->accounts[i], storage_len[i], out);
    rlp_put_u64(out, s->cursor);
    rlp_put_bytes(out, s->parent_header.ptr, s->parent_header.len);
    rlp_put_list_header(out, ancestors_len);
    for (size_t i = 0; i < s->n_ancestors; i++) rlp_put_bytes(out, s->ancestors[i], 32);
    s_put_outcome(&s->outcome, out);
    RT_ASSERT(out->len - start == rlp_list_len(total));
}

void s_encode(const s_state *s, buf_t *out) {
    size_t start = out->len;
    uint8_t *hdr = buf_extend(out, S_HEADER_BYTES);
    store_le64(hdr, S_FORMAT_VERSION);
    s_encode_payload(s, out);
    store_le64(out->ptr + start + 8, (uint64_t)(out->len - start - S_HEADER_BYTES));
}

static void encode_v1(const void *s, buf_t *out) { s_encode(s, out); }

s_err s_write_window(const s_state *s, uint8_t *window, size_t win_size, size_t old_len) {
    return s_write_encoded(encode_v1, s, window, win_size, old_len);
}

s_err s_write_encoded(s_encode_fn encode, const void *s, uint8_t *window, size_t win_size, size_t old_len) {
    size_t mark = rt_heap_mark();
    buf_t img;
    buf_init(&img, 0);
    encode(s, &img);
    s_err e = S_OK;
    if (img.len > win_size) {
        e = S_ERR_TOO_LARGE;
    } else {
        /* Only now is the old image overwritten (the spans of `s` point into it), and only
         * where it differs, so that unchanged pages of the window stay clean. */
        bytes_store_changed(window, img.ptr, img.len);
        if (old_len > win_size) old_len = win_size;
        if (old_len > img.len) bytes_store_changed(window + img.len, NULL, old_len - img.len);
    }
    rt_heap_release(mark);
    return e;
}
