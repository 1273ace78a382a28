/* Merkle-Patricia trie roots, built bottom-up from a sorted set of pairs (see trie.h).
 *
 * After sorting, the pairs below any node are a contiguous range whose keys share the node's
 * path (its first `d` nibbles). A range of one pair is a leaf; a range whose keys share more
 * nibbles is an extension; anything else is a branch (whose value slot holds the pair whose
 * key ends exactly at the branch, which sorts first). Every node is encoded straight into one
 * growing buffer (its header filled in last, in a gap left for it); a child whose encoding is
 * 32 bytes or longer is then replaced in place by the RLP string of its hash.
 */
#include "trie.h"

#include "keccak.h"
#include "rlp.h"

const uint8_t TRIE_EMPTY_ROOT[32] = {
    0x56, 0xe8, 0x1f, 0x17, 0x1b, 0xcc, 0x55, 0xa6, 0xff, 0x83, 0x45, 0xe6, 0x92, 0xc0, 0xf8, 0x6e,
    0x5b, 0x48, 0xe0, 0x1b, 0x99, 0x6c, 0xad, 0xc0, 0x01, 0x62, 0x2f, 0xb5, 0xe3, 0x63, 0xb4, 0x21,
};

/* Nibble i of a key (high nibble of each byte first). */
static inline unsigned nib(span_t key, size_t i) {
    uint8_t b = key.ptr[i >> 1];
    return (i & 1) ? (b & 15u) : (b >> 4);
}

static inline size_t nib_len(span_t key) { return key.len * 2; }

/* Append the hex-prefix encoding of nibbles [from, to) of key, as an RLP string, straight into
 * the buffer. After the flag byte (which also holds the first nibble when the count is odd)
 * the remaining nibbles start at an even index; when `to` is even too — always for leaves —
 * they are whole key bytes, copied as such. */
static void put_hex_prefix(buf_t *out, span_t key, size_t from, size_t to, bool leaf) {
    size_t n = to - from, k = n / 2 + 1, i = from;
    unsigned flag = (leaf ? 2u : 0u) + (unsigned)(n & 1);
    uint8_t first = (uint8_t)((flag << 4) | ((n & 1) ? nib(key, i++) : 0u));
    if (k == 1) { /* first <= 0x3f: a single byte below 0x80 is its own encoding */
        buf_put_byte(out, first);
        return;
    }
    rlp_put_string_header(out, k);
    uint8_t *p = buf_extend(out, k);
    p[0] = first;
    if ((to & 1) == 0) {
        memcpy(p + 1, key.ptr + i / 2, k - 1);
    } else {
        for (size_t j = 1; i < to; i += 2) p[j++] = (uint8_t)((nib(key, i) << 4) | nib(key, i + 1));
    }
}

/* A node's list header is written last, right-aligned in a gap of the longest header size left
 * in front of its payload: no payload is ever moved to make room for it. */
#define NODE_GAP 9u

static size_t encode_node(const trie_pair *pairs, size_t lo, size_t hi, size_t d, buf_t *out);

/* Append the reference to the node over [lo, hi) at depth d: the node itself if its
 * encoding is shorter than 32 bytes, else the RLP string of its keccak256. */
static void put_ref(const trie_pair *pairs, size_t lo, size_t hi, size_t d, buf_t *out) {
    size_t mark = out->len;
    size_t start = encode_node(pairs, lo, hi, d, out);
    size_t len = out->len - start;
    if (len >= 32) {
        uint8_t h[32];
        keccak256(out->ptr + start, len, h);
        out->len = mark;
        rlp_put_bytes(out, h, 32);
    } else { /* embedded: close the unused part of the header gap (under 32 bytes) */
        memmove(out->ptr + mark, out->ptr + start, len);
        out->len = mark + len;
    }
}

/* Append the node over [lo, hi) at depth d; returns the offset where its encoding starts (the
 * header gap's unused bytes precede it). */
static size_t encode_node(const trie_pair *pairs, size_t lo, size_t hi, size_t d, buf_t *out) {
    size_t mark = out->len;
    buf_extend(out, NODE_GAP);
    span_t first = pairs[lo].key, last = pairs[hi - 1].key;
    if (hi - lo == 1) { /* leaf: [hp(rest of key, leaf), value] */
        put_hex_prefix(out, first, d, nib_len(first), true);
        rlp_put_bytes(out, pairs[lo].value.ptr, pairs[lo].value.len);
    } else {
        /* No key ends here if the first does not: the shared nibbles of first and last are
         * then shared by all, and more than zero of them make an extension. */
        size_t c = d;
        if (nib_len(first) > d) {
            size_t end = nib_len(first) < nib_len(last) ? nib_len(first) : nib_len(last);
            while (c < end && nib(first, c) == nib(last, c)) c++;
        }
        if (c > d) { /* extension: [hp(shared nibbles, not leaf), ref(child)] */
            put_hex_prefix(out, first, d, c, false);
            put_ref(pairs, lo, hi, c, out);
        } else { /* branch: 16 children by the nibble at d, then the value of a key ending at d */
            size_t i = lo;
            const trie_pair *value = NULL;
            if (nib_len(first) == d) value = &pairs[i++];
            for (unsigned v = 0; v < 16; v++) {
                size_t j = i;
                while (j < hi && nib(pairs[j].key, d) == v) j++;
                if (j == i) buf_put_byte(out, 0x80);
                else put_ref(pairs, i, j, d + 1, out);
                i = j;
            }
            if (value) rlp_put_bytes(out, value->value.ptr, value->value.len);
            else buf_put_byte(out, 0x80);
        }
    }
    size_t len = out->len - mark - NODE_GAP;
    size_t h = rlp_header_len(len);
    buf_t gap = {out->ptr + mark + NODE_GAP - h, 0, h}; /* a view of the gap's last h bytes */
    rlp_put_list_header(&gap, len);
    return mark + NODE_GAP - h;
}

/* Stable merge sort of pairs by key, using scratch of the same size. */
static void sort_pairs(trie_pair *a, trie_pair *tmp, size_t n) {
    for (size_t width = 1; width < n; width *= 2) {
        for (size_t lo = 0; lo < n; lo += 2 * width) {
            size_t mid = lo + width < n ? lo + width : n;
            size_t hi = lo + 2 * width < n ? lo + 2 * width : n;
            size_t i = lo, j = mid, k = lo;
            while (i < mid && j < hi) tmp[k++] = span_cmp(a[j].key, a[i].key) < 0 ? a[j++] : a[i++];
            while (i < mid) tmp[k++] = a[i++];
            while (j < hi) tmp[k++] = a[j++];
        }
        memcpy(a, tmp, n * sizeof *a);
    }
}

void trie_root(trie_pair *pairs, size_t n, uint8_t out[32]) {
    size_t heap = rt_heap_mark();
    trie_pair *live = n ? (trie_pair *)rt_alloc(n * sizeof *live) : NULL;
    if (n > 1) sort_pairs(pairs, live, n);
    /* Keep the last of each run of equal keys (the stable sort kept input order), drop
     * empty values. */
    size_t m = 0;
    for (size_t i = 0; i < n; i++) {
        if (i + 1 < n && span_eq(pairs[i].key, pairs[i + 1].key)) continue;
        if (pairs[i].value.len == 0) continue;
        live[m++] = pairs[i];
    }
    if (m == 0) {
        memcpy(out, TRIE_EMPTY_ROOT, 32);
    } else {
        buf_t b;
        buf_init(&b, 256);
        size_t start = encode_node(live, 0, m, 0, &b);
        keccak256(b.ptr + start, b.len - start, out);
    }
    rt_heap_release(heap);
}

void trie_root_indexed(const span_t *values, size_t n, uint8_t out[32]) {
    size_t heap = rt_heap_mark();
    trie_pair *pairs = n ? (trie_pair *)rt_alloc(n * sizeof *pairs) : NULL;
    uint8_t *keys = n ? (uint8_t *)rt_alloc(n * 9) : NULL; /* rlp of a u64: at most 9 bytes */
    for (size_t i = 0; i < n; i++) {
        buf_t k = {keys + 9 * i, 0, 9};
        rlp_put_u64(&k, (uint64_t)i);
        pairs[i].key = span_make(k.ptr, k.len);
        pairs[i].value = values[i];
    }
    trie_root(pairs, n, out);
    rt_heap_release(heap);
}
