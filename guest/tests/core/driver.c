/* The core test driver: keccak, sha256, ripemd160, bloom, trie roots and RLP behind the test
 * harness (guest/tests/harness). Each operation parses its argument defensively and answers
 * HARNESS_BAD_REQUEST when it does not parse. */
#include "bloom.h"
#include "../harness/harness.h"
#include "keccak.h"
#include "ops.h"
#include "ripemd160.h"
#include "rlp.h"
#include "scodec.h"
#include "scodec2.h"
#include "sha256.h"
#include "trie.h"

static void put_u64(buf_t *b, uint64_t v) { store_le64(buf_extend(b, 8), v); }

static uint64_t op_keccak256(span_t a, buf_t *r) {
    keccak256(a.ptr, a.len, buf_extend(r, 32));
    return 0;
}

static uint64_t op_keccak_split(span_t a, buf_t *r) {
    uint64_t k, prev = 0;
    if (!harness_read_u64(&a, &k) || k > a.len / 8) return HARNESS_BAD_REQUEST;
    uint64_t *cuts = (uint64_t *)rt_alloc((size_t)k * 8 + 8);
    for (uint64_t i = 0; i < k; i++) harness_read_u64(&a, &cuts[i]);
    keccak_ctx c;
    keccak256_init(&c);
    for (uint64_t i = 0; i < k; i++) {
        if (cuts[i] < prev || cuts[i] > a.len) return HARNESS_BAD_REQUEST;
        keccak256_update(&c, a.ptr + prev, (size_t)(cuts[i] - prev));
        prev = cuts[i];
    }
    keccak256_update(&c, a.ptr + prev, a.len - (size_t)prev);
    keccak256_final(&c, buf_extend(r, 32));
    return 0;
}

static uint64_t op_keccakf(span_t a, buf_t *r) {
    if (a.len != 200) return HARNESS_BAD_REQUEST;
    uint64_t st[25];
    for (int i = 0; i < 25; i++) st[i] = load_le64(a.ptr + 8 * i);
    keccakf1600(st);
    uint8_t *o = buf_extend(r, 200);
    for (int i = 0; i < 25; i++) store_le64(o + 8 * i, st[i]);
    return 0;
}

/* The permutation applied `count` times: the step difference between two counts on AB is the
 * exact cost of one permutation (the benchmark's keccakf_instructions). */
/* The runtime's memcpy, memmove, memset and memcmp at chosen offsets from a 16-aligned start (on
 * AB these are guest/runtime/mem.c, whose word paths depend on the offsets mod 8). The region is
 * copied in and out byte by byte, so the answer does not go through the routines under test. */
static uint64_t op_mem(span_t a, buf_t *r) {
    uint64_t dst, src, n;
    if (a.len < 2) return HARNESS_BAD_REQUEST;
    uint8_t fn = a.ptr[0], byte = a.ptr[1];
    a.ptr += 2, a.len -= 2;
    if (!harness_read_u64(&a, &dst) || !harness_read_u64(&a, &src) || !harness_read_u64(&a, &n)) return HARNESS_BAD_REQUEST;
    if (fn > 3 || dst > a.len || src > a.len || n > a.len - dst || n > a.len - src) return HARNESS_BAD_REQUEST;
    volatile uint8_t *region = (uint8_t *)rt_alloc(a.len + 1);
    for (size_t i = 0; i < a.len; i++) region[i] = a.ptr[i];
    uint8_t *d = (uint8_t *)region + dst, *s = (uint8_t *)region + src;
    int cmp = 0;
    if (fn == 0) memcpy(d, s, (size_t)n);
    else if (fn == 1) memmove(d, s, (size_t)n);
    else if (fn == 2) memset(d, byte, (size_t)n);
    else cmp = memcmp(d, s, (size_t)n);
    if (fn == 3) buf_put_byte(r, (uint8_t)(cmp < 0 ? 255 : cmp > 0 ? 1 : 0));
    uint8_t *o = buf_extend(r, a.len);
    for (size_t i = 0; i < a.len; i++) o[i] = region[i];
    return 0;
}

static uint64_t op_keccakf_repeat(span_t a, buf_t *r) {
    uint64_t count;
    if (!harness_read_u64(&a, &count) || a.len != 200) return HARNESS_BAD_REQUEST;
    uint64_t st[25];
    for (int i = 0; i < 25; i++) st[i] = load_le64(a.ptr + 8 * i);
    for (uint64_t i = 0; i < count; i++) keccakf1600(st);
    uint8_t *o = buf_extend(r, 200);
    for (int i = 0; i < 25; i++) store_le64(o + 8 * i, st[i]);
    return 0;
}

static uint64_t op_sha256(span_t a, buf_t *r) {
    sha256(a.ptr, a.len, buf_extend(r, 32));
    return 0;
}

static uint64_t op_ripemd160(span_t a, buf_t *r) {
    ripemd160(a.ptr, a.len, buf_extend(r, 20));
    return 0;
}

static uint64_t op_bloom(span_t a, buf_t *r) {
    uint64_t n;
    if (!harness_read_u64(&a, &n)) return HARNESS_BAD_REQUEST;
    uint8_t *bloom = buf_extend(r, BLOOM_BYTES);
    memset(bloom, 0, BLOOM_BYTES);
    for (uint64_t i = 0; i < n; i++) {
        span_t e;
        if (!harness_read_blob(&a, &e)) return HARNESS_BAD_REQUEST;
        bloom_add(bloom, e.ptr, e.len);
    }
    return 0;
}

static uint64_t op_trie_root(span_t a, buf_t *r) {
    uint64_t n;
    if (!harness_read_u64(&a, &n) || n > a.len / 16) return HARNESS_BAD_REQUEST;
    trie_pair *pairs = (trie_pair *)rt_alloc((size_t)n * sizeof *pairs + 1);
    for (uint64_t i = 0; i < n; i++)
        if (!harness_read_blob(&a, &pairs[i].key) || !harness_read_blob(&a, &pairs[i].value))
            return HARNESS_BAD_REQUEST;
    trie_root(pairs, (size_t)n, buf_extend(r, 32));
    return 0;
}

static uint64_t op_trie_indexed(span_t a, buf_t *r) {
    uint64_t n;
    if (!harness_read_u64(&a, &n) || n > a.len / 8) return HARNESS_BAD_REQUEST;
    span_t *values = (span_t *)rt_alloc((size_t)n * sizeof *values + 1);
    for (uint64_t i = 0; i < n; i++)
        if (!harness_read_blob(&a, &values[i])) return HARNESS_BAD_REQUEST;
    trie_root_indexed(values, (size_t)n, buf_extend(r, 32));
    return 0;
}

/* Dump a validated item tree (tags in ops.h). */
static void dump(const rlp_item *it, buf_t *r) {
    if (!it->is_list) {
        buf_put_byte(r, TAG_STR);
        put_u64(r, it->payload.len);
        buf_put(r, it->payload.ptr, it->payload.len);
        return;
    }
    size_t count = 0;
    RT_ASSERT(rlp_list_count(it, &count) == RLP_OK);
    buf_put_byte(r, TAG_LIST);
    put_u64(r, count);
    rlp_iter iter;
    rlp_item child;
    RT_ASSERT(rlp_iter_init(&iter, it) == RLP_OK);
    while (!rlp_iter_done(&iter)) {
        RT_ASSERT(rlp_iter_next(&iter, &child) == RLP_OK);
        dump(&child, r);
    }
}

static uint64_t op_rlp_decode(span_t a, buf_t *r) {
    rlp_err e = rlp_validate(a);
    if (e != RLP_OK) return e;
    rlp_item it;
    RT_ASSERT(rlp_decode(a, &it) == RLP_OK);
    dump(&it, r);
    return 0;
}

/* Encode one dumped tree from `s`; false if the dump is malformed. */
static bool encode_dump(span_t *s, buf_t *r, unsigned depth) {
    span_t tag, body;
    uint64_t n;
    if (depth > 200 || !harness_read_span(s, 1, &tag) || !harness_read_u64(s, &n)) return false;
    if (tag.ptr[0] == TAG_STR) {
        if (n > s->len || !harness_read_span(s, (size_t)n, &body)) return false;
        rlp_put_bytes(r, body.ptr, body.len);
        return true;
    }
    if (tag.ptr[0] != TAG_LIST) return false;
    size_t mark = rlp_list_begin(r);
    for (uint64_t i = 0; i < n; i++)
        if (!encode_dump(s, r, depth + 1)) return false;
    rlp_list_end(r, mark);
    return true;
}

static uint64_t op_rlp_encode(span_t a, buf_t *r) {
    return encode_dump(&a, r, 0) && a.len == 0 ? 0 : HARNESS_BAD_REQUEST;
}

/* Split "u8 n, rlp" and decode the item. */
static uint64_t sized_item(span_t *a, size_t *n, rlp_item *it) {
    span_t b;
    if (!harness_read_span(a, 1, &b)) return HARNESS_BAD_REQUEST;
    *n = b.ptr[0];
    return rlp_decode(*a, it);
}

static uint64_t op_rlp_uint(span_t a, buf_t *r) {
    size_t max_len;
    rlp_item it;
    uint64_t e = sized_item(&a, &max_len, &it);
    if (e == RLP_OK) e = rlp_get_uint_be32(&it, max_len, buf_extend(r, 32));
    return e;
}

static uint64_t op_rlp_u64(span_t a, buf_t *r) {
    rlp_item it;
    uint64_t v = 0;
    uint64_t e = rlp_decode(a, &it);
    if (e == RLP_OK) e = rlp_get_u64(&it, &v);
    if (e == RLP_OK) store_be64(buf_extend(r, 8), v);
    return e;
}

static uint64_t op_rlp_fixed(span_t a, buf_t *r) {
    size_t n;
    rlp_item it;
    uint64_t e = sized_item(&a, &n, &it);
    uint8_t tmp[256];
    if (e == RLP_OK) e = rlp_get_fixed(&it, tmp, n);
    if (e == RLP_OK) buf_put(r, tmp, n);
    return e;
}

static uint64_t op_rlp_list_exact(span_t a, buf_t *r) {
    size_t n;
    rlp_item it, items[256];
    uint64_t e = sized_item(&a, &n, &it);
    if (e == RLP_OK) e = rlp_list_exact(&it, items, n);
    for (size_t i = 0; e == RLP_OK && i < n; i++) {
        put_u64(r, items[i].raw.len);
        buf_put(r, items[i].raw.ptr, items[i].raw.len);
    }
    return e;
}

static uint64_t op_rlp_put_u64(span_t a, buf_t *r) {
    if (a.len != 8) return HARNESS_BAD_REQUEST;
    rlp_put_u64(r, load_be64(a.ptr));
    return 0;
}

static uint64_t op_rlp_put_uint(span_t a, buf_t *r) {
    rlp_put_uint_be(r, a.ptr, a.len);
    return 0;
}

static uint64_t op_s_roundtrip(span_t a, buf_t *r) {
    s_state s;
    s_err e = s_decode(a.ptr, a.len, &s);
    if (e == S_OK) s_encode(&s, r);
    return e;
}

static uint64_t op_s2_roundtrip(span_t a, buf_t *r) {
    s2_state s;
    s_err e = s2_decode(a.ptr, a.len, &s);
    if (e == S_OK) s2_encode(&s, r);
    return e;
}

static uint64_t op_s_world_root(span_t a, buf_t *r) {
    s_state s;
    s_err e = s_decode(a.ptr, a.len, &s);
    if (e == S_OK) s_world_root(s.accounts, s.n_accounts, buf_extend(r, 32));
    return e;
}

static uint64_t op_world_root_slots(span_t a, buf_t *r) {
    uint64_t n;
    if (!harness_read_u64(&a, &n) || a.len != n * 64) return HARNESS_BAD_REQUEST;
    s_account acc;
    memset(&acc, 0, sizeof acc);
    memset(acc.address, 0x11, 20);
    acc.nonce = 1;
    acc.n_storage = (size_t)n;
    acc.storage = (s_slot *)rt_alloc((size_t)n * sizeof(s_slot) + 1);
    memcpy(acc.storage, a.ptr, a.len); /* s_slot is key[32] then value[32] */
    s_world_root(&acc, 1, buf_extend(r, 32));
    return 0;
}

/* Decode a new image, write it over a copy of an old window whose image is the old one. */
static uint64_t op_s_write(span_t a, buf_t *r) {
    span_t old;
    if (!harness_read_blob(&a, &old) || old.len < S_HEADER_BYTES) return HARNESS_BAD_REQUEST;
    uint64_t old_payload = load_le64(old.ptr + 8);
    if (old_payload > old.len - S_HEADER_BYTES) return HARNESS_BAD_REQUEST;
    s_state s;
    s_err e = s_decode(a.ptr, a.len, &s);
    if (e != S_OK) return e;
    uint8_t *win = buf_extend(r, old.len);
    memcpy(win, old.ptr, old.len);
    return s_write_window(&s, win, old.len, S_HEADER_BYTES + (size_t)old_payload);
}

const harness_op HARNESS_OPS[] = {
    {OP_KECCAK256, op_keccak256},     {OP_KECCAK_SPLIT, op_keccak_split},
    {OP_KECCAKF, op_keccakf},         {OP_KECCAKF_REPEAT, op_keccakf_repeat},
    {OP_SHA256, op_sha256},
    {OP_RIPEMD160, op_ripemd160},     {OP_BLOOM, op_bloom},
    {OP_TRIE_ROOT, op_trie_root},     {OP_TRIE_INDEXED, op_trie_indexed},
    {OP_RLP_DECODE, op_rlp_decode},
    {OP_RLP_ENCODE, op_rlp_encode},   {OP_RLP_UINT, op_rlp_uint},
    {OP_RLP_U64, op_rlp_u64},         {OP_RLP_FIXED, op_rlp_fixed},
    {OP_RLP_LIST_EXACT, op_rlp_list_exact}, {OP_RLP_PUT_U64, op_rlp_put_u64},
    {OP_RLP_PUT_UINT, op_rlp_put_uint}, {OP_S_ROUNDTRIP, op_s_roundtrip},
    {OP_S_WRITE, op_s_write},         {OP_S_WORLD_ROOT, op_s_world_root},
    {OP_WORLD_ROOT_SLOTS, op_world_root_slots}, {OP_S2_ROUNDTRIP, op_s2_roundtrip},
    {OP_MEM, op_mem},
    {0, NULL},
};
