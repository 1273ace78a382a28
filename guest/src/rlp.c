/* RLP decoding and encoding (see rlp.h for the rules enforced). */
#include "rlp.h"

rlp_err rlp_decode_prefix(span_t in, rlp_item *out, size_t *consumed) {
    if (in.len == 0) return RLP_ERR_TRUNCATED;
    const uint8_t *p = in.ptr;
    uint8_t b0 = p[0];
    size_t hdr, len;
    bool is_list = b0 >= 0xc0;
    if (b0 < 0x80) { /* a single byte is its own encoding */
        out->is_list = false;
        out->payload = span_make(p, 1);
        out->raw = span_make(p, 1);
        if (consumed) *consumed = 1;
        return RLP_OK;
    }
    uint8_t base = is_list ? 0xc0 : 0x80;
    if (b0 < base + 56) { /* short form: the length is in the first byte */
        hdr = 1;
        len = (size_t)(b0 - base);
        if (len > in.len - 1) return RLP_ERR_TRUNCATED;
        if (!is_list && len == 1 && p[1] < 0x80) return RLP_ERR_NONCANON_SINGLE;
    } else { /* long form: the first byte gives the length of the big-endian length */
        size_t ll = (size_t)(b0 - base - 55);
        if (ll > in.len - 1) return RLP_ERR_TRUNCATED;
        if (p[1] == 0) return RLP_ERR_LEN_LEADING_ZERO;
        if (ll > sizeof(size_t)) return RLP_ERR_LEN_OVERFLOW;
        len = 0;
        for (size_t i = 0; i < ll; i++) len = (len << 8) | p[1 + i];
        if (len < 56) return RLP_ERR_NONCANON_LONG;
        hdr = 1 + ll;
        if (len > in.len - hdr) return RLP_ERR_TRUNCATED;
    }
    out->is_list = is_list;
    out->payload = span_make(p + hdr, len);
    out->raw = span_make(p, hdr + len);
    if (consumed) *consumed = hdr + len;
    return RLP_OK;
}

rlp_err rlp_decode(span_t in, rlp_item *out) {
    size_t used;
    rlp_err e = rlp_decode_prefix(in, out, &used);
    if (e != RLP_OK) return e;
    return used == in.len ? RLP_OK : RLP_ERR_TRAILING;
}

/* A whole-tree check without recursion (nesting is attacker-controlled and unbounded but for
 * the input's length): `ends` holds the end of every list still open, innermost last; each
 * item is decoded within the innermost open list, a list item opens a new level, and a level
 * closes when the position reaches its end. The first 32 levels live on the stack. */
rlp_err rlp_validate(span_t in) {
    rlp_item it;
    rlp_err e = rlp_decode(in, &it);
    if (e != RLP_OK || !it.is_list) return e;
    size_t heap = rt_heap_mark();
    const uint8_t *local[32];
    const uint8_t **ends = local;
    size_t depth = 0, cap = 32;
    const uint8_t *pos = it.payload.ptr;
    ends[depth++] = it.payload.ptr + it.payload.len;
    while (depth > 0) {
        if (pos == ends[depth - 1]) {
            depth--;
            continue;
        }
        e = rlp_decode_prefix(span_make(pos, (size_t)(ends[depth - 1] - pos)), &it, NULL);
        if (e != RLP_OK) break;
        if (!it.is_list) {
            pos = it.raw.ptr + it.raw.len;
            continue;
        }
        if (depth == cap) {
            const uint8_t **grown = (const uint8_t **)rt_alloc(2 * cap * sizeof *grown);
            memcpy(grown, ends, cap * sizeof *grown);
            ends = grown;
            cap *= 2;
        }
        pos = it.payload.ptr;
        ends[depth++] = it.payload.ptr + it.payload.len;
    }
    rt_heap_release(heap);
    return e;
}

rlp_err rlp_iter_init(rlp_iter *it, const rlp_item *list) {
    if (!list->is_list) return RLP_ERR_KIND;
    it->rest = list->payload;
    return RLP_OK;
}

rlp_err rlp_iter_next(rlp_iter *it, rlp_item *out) {
    /* A 32-byte string (a hash: the children of a trie branch) is most items read: decoded here
     * without the general path, with the same result (its header is short and canonical). */
    if (it->rest.len >= 33 && it->rest.ptr[0] == 0xa0) {
        out->is_list = false;
        out->payload = span_make(it->rest.ptr + 1, 32);
        out->raw = span_make(it->rest.ptr, 33);
        it->rest.ptr += 33;
        it->rest.len -= 33;
        return RLP_OK;
    }
    size_t used;
    rlp_err e = rlp_decode_prefix(it->rest, out, &used);
    if (e != RLP_OK) return e;
    it->rest.ptr += used;
    it->rest.len -= used;
    return RLP_OK;
}

rlp_err rlp_list_count(const rlp_item *list, size_t *count) {
    rlp_iter it;
    rlp_item item;
    rlp_err e = rlp_iter_init(&it, list);
    size_t n = 0;
    while (e == RLP_OK && !rlp_iter_done(&it)) {
        e = rlp_iter_next(&it, &item);
        n++;
    }
    *count = n;
    return e;
}

rlp_err rlp_list_exact(const rlp_item *list, rlp_item *items, size_t n) {
    rlp_iter it;
    rlp_err e = rlp_iter_init(&it, list);
    if (e != RLP_OK) return e;
    for (size_t i = 0; i < n; i++) {
        if (rlp_iter_done(&it)) return RLP_ERR_COUNT;
        e = rlp_iter_next(&it, &items[i]);
        if (e != RLP_OK) return e;
    }
    return rlp_iter_done(&it) ? RLP_OK : RLP_ERR_COUNT;
}

/* An integer payload: a string with no leading zero byte, at most max_len bytes. */
static rlp_err int_payload(const rlp_item *it, size_t max_len) {
    if (it->is_list) return RLP_ERR_KIND;
    if (it->payload.len > 0 && it->payload.ptr[0] == 0) return RLP_ERR_INT_LEADING_ZERO;
    if (it->payload.len > max_len) return RLP_ERR_INT_TOO_BIG;
    return RLP_OK;
}

rlp_err rlp_get_u64(const rlp_item *it, uint64_t *v) {
    rlp_err e = int_payload(it, 8);
    if (e != RLP_OK) return e;
    uint64_t x = 0;
    for (size_t i = 0; i < it->payload.len; i++) x = (x << 8) | it->payload.ptr[i];
    *v = x;
    return RLP_OK;
}

rlp_err rlp_get_uint_be32(const rlp_item *it, size_t max_len, uint8_t out[32]) {
    rlp_err e = int_payload(it, max_len < 32 ? max_len : 32);
    if (e != RLP_OK) return e;
    size_t n = it->payload.len;
    memset(out, 0, 32 - n);
    if (n) memcpy(out + 32 - n, it->payload.ptr, n);
    return RLP_OK;
}

rlp_err rlp_get_fixed(const rlp_item *it, uint8_t *out, size_t n) {
    if (it->is_list) return RLP_ERR_KIND;
    if (it->payload.len != n) return RLP_ERR_SIZE;
    if (n) memcpy(out, it->payload.ptr, n);
    return RLP_OK;
}

rlp_err rlp_get_bytes(const rlp_item *it, span_t *out) {
    if (it->is_list) return RLP_ERR_KIND;
    *out = it->payload;
    return RLP_OK;
}

size_t rlp_header_len(size_t len) {
    return len < 56 ? 1 : 1 + u64_be_len((uint64_t)len);
}

/* Write the header for a payload of `len` bytes at p (rlp_header_len(len) bytes). */
static void write_header(uint8_t *p, uint8_t base, size_t len) {
    if (len < 56) {
        p[0] = (uint8_t)(base + len);
        return;
    }
    size_t ll = u64_be_len((uint64_t)len);
    p[0] = (uint8_t)(base + 55 + ll);
    for (size_t i = 0; i < ll; i++) p[1 + i] = (uint8_t)((uint64_t)len >> (8 * (ll - 1 - i)));
}

void rlp_put_bytes(buf_t *b, const uint8_t *data, size_t n) {
    if (n == 1 && data[0] < 0x80) {
        buf_put_byte(b, data[0]);
        return;
    }
    size_t h = rlp_header_len(n);
    uint8_t *p = buf_extend(b, h + n);
    write_header(p, 0x80, n);
    if (n) memcpy(p + h, data, n);
}

void rlp_put_u64(buf_t *b, uint64_t v) {
    uint8_t be[8];
    store_be64(be, v);
    rlp_put_uint_be(b, be, 8);
}

void rlp_put_uint_be(buf_t *b, const uint8_t *be, size_t n) {
    while (n > 0 && be[0] == 0) { be++; n--; }
    rlp_put_bytes(b, be, n);
}

void rlp_put_raw(buf_t *b, const uint8_t *enc, size_t n) { buf_put(b, enc, n); }

size_t rlp_bytes_len(const uint8_t *data, size_t n) {
    return (n == 1 && data[0] < 0x80) ? 1 : rlp_header_len(n) + n;
}

size_t rlp_uint_be_len(const uint8_t *be, size_t n) {
    while (n > 0 && be[0] == 0) { be++; n--; }
    return rlp_bytes_len(be, n);
}

size_t rlp_u64_len(uint64_t v) { return v < 0x80 ? 1 : 1 + u64_be_len(v); }

void rlp_put_list_header(buf_t *b, size_t len) {
    write_header(buf_extend(b, rlp_header_len(len)), 0xc0, len);
}

void rlp_put_string_header(buf_t *b, size_t len) {
    write_header(buf_extend(b, rlp_header_len(len)), 0x80, len);
}

/* One header byte is reserved up front: a list under 56 bytes (most of them) then needs no
 * move at all; a longer one moves its payload by the extra length bytes only. */
size_t rlp_list_begin(buf_t *b) {
    buf_put_byte(b, 0xc0);
    return b->len - 1;
}

void rlp_list_end(buf_t *b, size_t mark) {
    RT_ASSERT(mark < b->len);
    size_t len = b->len - mark - 1;
    size_t h = rlp_header_len(len);
    if (h > 1) buf_insert(b, mark + 1, h - 1);
    write_header(b->ptr + mark, 0xc0, len);
}
