/* Encoding S canonically (docs/spec.md §4.1–4.4) and writing it over the S window. */
#include "scodec.h"

static void encode_account(const s_account *a, buf_t *out) {
    size_t acc = rlp_list_begin(out);
    rlp_put_bytes(out, a->address, 20);
    rlp_put_u64(out, a->nonce);
    rlp_put_uint_be(out, a->balance, 32);
    rlp_put_bytes(out, a->code.ptr, a->code.len);
    size_t storage = rlp_list_begin(out);
    for (size_t i = 0; i < a->n_storage; i++) {
        size_t pair = rlp_list_begin(out);
        rlp_put_uint_be(out, a->storage[i].key, 32);
        rlp_put_uint_be(out, a->storage[i].value, 32);
        rlp_list_end(out, pair);
    }
    rlp_list_end(out, storage);
    rlp_list_end(out, acc);
}

static void encode_outcome(const s_outcome *o, buf_t *out) {
    size_t mark = rlp_list_begin(out);
    rlp_put_u64(out, o->status);
    if (o->status != S_STATUS_ACCEPTED) {
        /* Non-accepted outcomes carry only status and reason; the rest are empty strings. */
        rlp_put_u64(out, o->reason);
        for (int i = 0; i < 5; i++) buf_put_byte(out, 0x80);
    } else {
        rlp_put_u64(out, 0);
        rlp_put_u64(out, o->gas_used);
        rlp_put_bytes(out, o->state_root, 32);
        rlp_put_bytes(out, o->receipts_root, 32);
        rlp_put_bytes(out, o->logs_bloom, 256);
        rlp_put_bytes(out, o->block_hash, 32);
    }
    rlp_list_end(out, mark);
}

void s_encode_payload(const s_state *s, buf_t *out) {
    size_t top = rlp_list_begin(out);
    rlp_put_u64(out, s->chain_id);
    rlp_put_u64(out, s->fork);
    rlp_put_bytes(out, s->parent_header.ptr, s->parent_header.len);
    size_t list = rlp_list_begin(out);
    for (size_t i = 0; i < s->n_ancestors; i++) rlp_put_bytes(out, s->ancestors[i], 32);
    rlp_list_end(out, list);
    list = rlp_list_begin(out);
    for (size_t i = 0; i < s->n_accounts; i++) encode_account(&s->accounts[i], out);
    rlp_list_end(out, list);
    list = rlp_list_begin(out);
    for (size_t i = 0; i < s->n_inbox; i++) rlp_put_bytes(out, s->inbox[i].ptr, s->inbox[i].len);
    rlp_list_end(out, list);
    rlp_put_u64(out, s->cursor);
    encode_outcome(&s->outcome, out);
    rlp_list_end(out, top);
}

void s_encode(const s_state *s, buf_t *out) {
    size_t start = out->len;
    uint8_t *hdr = buf_extend(out, S_HEADER_BYTES);
    store_le64(hdr, S_FORMAT_VERSION);
    s_encode_payload(s, out);
    store_le64(out->ptr + start + 8, (uint64_t)(out->len - start - S_HEADER_BYTES));
}

s_err s_write_window(const s_state *s, uint8_t *window, size_t win_size, size_t old_len) {
    size_t mark = rt_heap_mark();
    buf_t img;
    buf_init(&img, 4096);
    s_encode(s, &img);
    s_err e = S_OK;
    if (img.len > win_size) {
        e = S_ERR_TOO_LARGE;
    } else {
        /* Only now is the old image overwritten: the spans of `s` point into it. */
        memcpy(window, img.ptr, img.len);
        if (old_len > win_size) old_len = win_size;
        if (old_len > img.len) memset(window + img.len, 0, old_len - img.len);
    }
    rt_heap_release(mark);
    return e;
}
