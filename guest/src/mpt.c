/* The partial Merkle-Patricia trie of mpt.h.
 *
 * A node in RAM is a leaf (path, value), an extension (path, one child slot) or a branch (16
 * child slots, value); paths are nibble arrays, one nibble per byte. Each node caches the
 * reference its parent encodes it by (`ref`: 0xa0 and its keccak256, or its whole encoding when
 * that is under 32 bytes) and a `dirty` flag: an operation that changes a node marks it and every
 * node above it dirty, and mpt_root re-encodes exactly the dirty nodes, bottom-up, taking the
 * references of clean children (and of children never decoded) as they are.
 */
#include "mpt.h"

#include "keccak.h"
#include "oracle.h"
#include "rlp.h"
#include "trie.h"

enum { MPT_LEAF = 1, MPT_EXT = 2, MPT_BRANCH = 3 };

#define HASH_REF_LEN 33u /* 0xa0 then 32 bytes */

struct mpt_node {
    uint8_t kind;
    bool dirty;          /* changed since `ref` was computed (ref is then stale) */
    uint8_t ref_len;
    uint8_t ref[HASH_REF_LEN];
    size_t path_len;     /* nibbles (leaf, extension) */
    uint8_t *path;
    span_t value;        /* leaf: its value; branch: its value, empty when none */
    mpt_slot kids[];     /* extension: 1, branch: 16, leaf: none */
};

mpt_stats_t mpt_stats;

static void bad_node(void) { rt_abort(RT_ABORT_TRIE_NODE); }

static mpt_node *new_node(uint8_t kind) {
    size_t kids = kind == MPT_BRANCH ? 16 : kind == MPT_EXT ? 1 : 0;
    mpt_node *n = (mpt_node *)rt_alloc(sizeof(mpt_node) + kids * sizeof(mpt_slot));
    n->kind = kind;
    n->dirty = true;
    return n;
}

/* As new_node, but its child slots are left for the caller to write, every one (a decoded node). */
static mpt_node *new_node_kids_unset(uint8_t kind) {
    size_t kids = kind == MPT_BRANCH ? 16 : kind == MPT_EXT ? 1 : 0;
    mpt_node *n = (mpt_node *)rt_alloc_uninit(sizeof(mpt_node) + kids * sizeof(mpt_slot));
    memset(n, 0, sizeof(mpt_node));
    n->kind = kind;
    n->dirty = true;
    return n;
}

static uint8_t *copy_nibbles(const uint8_t *p, size_t n) {
    uint8_t *q = (uint8_t *)rt_alloc(n ? n : 1);
    if (n) memcpy(q, p, n);
    return q;
}

static mpt_node *new_leaf(const uint8_t *path, size_t n, span_t value) {
    mpt_node *x = new_node(MPT_LEAF);
    x->path = copy_nibbles(path, n);
    x->path_len = n;
    x->value = value;
    return x;
}

static mpt_node *new_ext(const uint8_t *path, size_t n, mpt_slot child) {
    mpt_node *x = new_node(MPT_EXT);
    x->path = copy_nibbles(path, n);
    x->path_len = n;
    x->kids[0] = child;
    return x;
}

/* ---- decoding ------------------------------------------------------------------------------ */

/* Length of a child reference as held in a slot (see mpt_slot). */
static size_t ref_len_of(const uint8_t *ref) {
    return ref[0] == 0xa0 ? HASH_REF_LEN : 1u + (size_t)(ref[0] - 0xc0);
}

/* A child item of a node: empty, a 32-byte hash or an embedded node under 32 bytes. */
static mpt_slot child_slot(const rlp_item *it) {
    mpt_slot s = {NULL, NULL};
    if (it->is_list) {
        if (it->raw.len >= 32) bad_node();
        s.ref = it->raw.ptr; /* short list: one header byte 0xc0 + payload length */
    } else if (it->payload.len == 32) {
        s.ref = it->raw.ptr; /* 0xa0 then the hash */
    } else if (it->payload.len != 0) {
        bad_node();
    }
    return s;
}

static span_t string_of(const rlp_item *it) {
    span_t v;
    if (rlp_get_bytes(it, &v) != RLP_OK) bad_node();
    return v;
}

/* Decode the node encoded by `enc`; its reference is `enc` itself when shorter than 32 bytes,
 * else 0xa0 and `hash` (computed here when NULL). */
static mpt_node *decode_node(span_t enc, const uint8_t *hash) {
    rlp_item top, items[17];
    size_t count = 17; /* a branch, else a leaf or extension, else no node: one pass for a branch */
    if (rlp_decode(enc, &top) != RLP_OK) bad_node();
    if (rlp_list_exact(&top, items, 17) != RLP_OK) {
        count = 2;
        if (rlp_list_exact(&top, items, 2) != RLP_OK) bad_node();
    }
    mpt_node *x;
    if (count == 17) {
        x = new_node_kids_unset(MPT_BRANCH);
        for (unsigned i = 0; i < 16; i++) x->kids[i] = child_slot(&items[i]);
        x->value = string_of(&items[16]);
    } else {
        span_t hp = string_of(&items[0]);
        if (hp.len == 0) bad_node();
        unsigned flag = hp.ptr[0] >> 4, odd = flag & 1u;
        if (flag > 3 || (!odd && (hp.ptr[0] & 15u))) bad_node();
        bool leaf = flag & 2u;
        x = new_node_kids_unset(leaf ? MPT_LEAF : MPT_EXT); /* an extension's one child is set below */
        x->path_len = 2 * (hp.len - 1) + odd;
        x->path = (uint8_t *)rt_alloc(x->path_len ? x->path_len : 1);
        size_t j = 0;
        if (odd) x->path[j++] = hp.ptr[0] & 15u;
        for (size_t i = 1; i < hp.len; i++) {
            x->path[j++] = hp.ptr[i] >> 4;
            x->path[j++] = hp.ptr[i] & 15u;
        }
        if (leaf) {
            x->value = string_of(&items[1]);
        } else {
            x->kids[0] = child_slot(&items[1]);
            if (x->path_len == 0 || x->kids[0].ref == NULL) bad_node();
        }
    }
    if (enc.len < 32) {
        memcpy(x->ref, enc.ptr, enc.len);
        x->ref_len = (uint8_t)enc.len;
    } else {
        x->ref[0] = 0xa0;
        if (hash) memcpy(x->ref + 1, hash, 32);
        else keccak256(enc.ptr, enc.len, x->ref + 1);
        x->ref_len = HASH_REF_LEN;
    }
    x->dirty = false;
    mpt_stats.decoded++;
    return x;
}

/* The node in slot s, decoding it (through the oracle for a hash) if needed; NULL if empty. */
static mpt_node *resolve(mpt_slot *s) {
    if (s->node || s->ref == NULL) return s->node;
    if (s->ref[0] == 0xa0) {
        span_t enc = oracle_read(s->ref + 1);
        s->node = decode_node(enc, s->ref + 1);
    } else {
        s->node = decode_node(span_make(s->ref, ref_len_of(s->ref)), NULL);
    }
    return s->node;
}

static bool slot_empty(const mpt_slot *s) { return s->node == NULL && s->ref == NULL; }

static void set_empty(mpt_slot *s) {
    s->node = NULL;
    s->ref = NULL;
}

/* ---- operations ---------------------------------------------------------------------------- */

static size_t common_prefix(const uint8_t *a, size_t na, const uint8_t *b, size_t nb) {
    size_t n = na < nb ? na : nb, i = 0;
    while (i < n && a[i] == b[i]) i++;
    return i;
}

static bool get_at(mpt_slot *s, const uint8_t *k, size_t n, span_t *value) {
    for (;;) {
        mpt_node *x = resolve(s);
        if (x == NULL) return false;
        mpt_stats.path++;
        if (x->kind == MPT_BRANCH) {
            if (n == 0) {
                *value = x->value;
                return x->value.len != 0;
            }
            s = &x->kids[k[0]];
            k++, n--;
            continue;
        }
        if (n < x->path_len || memcmp(x->path, k, x->path_len) != 0) return false;
        if (x->kind == MPT_LEAF) {
            if (n != x->path_len) return false;
            *value = x->value;
            return x->value.len != 0;
        }
        s = &x->kids[0];
        k += x->path_len, n -= x->path_len;
    }
}

/* Set k to value (non-empty) under slot s; false if nothing changed (the same value). */
static bool put_at(mpt_slot *s, const uint8_t *k, size_t n, span_t value) {
    mpt_node *x = resolve(s);
    if (x == NULL) {
        s->node = new_leaf(k, n, value);
        return true;
    }
    if (x->kind == MPT_BRANCH) {
        if (n == 0) {
            if (span_eq(x->value, value)) return false;
            x->value = value;
        } else if (!put_at(&x->kids[k[0]], k + 1, n - 1, value)) {
            return false;
        }
        x->dirty = true;
        return true;
    }
    size_t c = common_prefix(x->path, x->path_len, k, n);
    if (x->kind == MPT_LEAF && c == x->path_len && c == n) {
        if (span_eq(x->value, value)) return false;
        x->value = value;
        x->dirty = true;
        return true;
    }
    if (x->kind == MPT_EXT && c == x->path_len) {
        if (!put_at(&x->kids[0], k + c, n - c, value)) return false;
        x->dirty = true;
        return true;
    }
    /* The paths part at nibble c: a branch there, under an extension of the shared c nibbles. */
    mpt_node *b = new_node(MPT_BRANCH);
    if (c == x->path_len) { /* a leaf whose key ends here: its value moves into the branch */
        b->value = x->value;
    } else {
        unsigned i = x->path[c];
        if (x->kind == MPT_EXT && c + 1 == x->path_len) {
            b->kids[i] = x->kids[0]; /* the extension's child moves up, as it is (maybe unread) */
        } else {
            x->path += c + 1;
            x->path_len -= c + 1;
            x->dirty = true;
            b->kids[i].node = x;
        }
    }
    if (c == n) b->value = value;
    else b->kids[k[c]].node = new_leaf(k + c + 1, n - c - 1, value);
    mpt_slot bs = {b, NULL};
    s->node = c ? new_ext(k, c, bs) : b;
    return true;
}

/* A branch that lost a child or its value: keep it, or turn it into what it now stands for. */
static void normalise_branch(mpt_slot *s, mpt_node *x) {
    unsigned count = 0, only = 0;
    for (unsigned i = 0; i < 16; i++)
        if (!slot_empty(&x->kids[i])) count++, only = i;
    if (count >= 2 || (count == 1 && x->value.len)) return;
    if (count == 0) {
        if (x->value.len) s->node = new_leaf(NULL, 0, x->value);
        else set_empty(s);
        return;
    }
    mpt_node *c = resolve(&x->kids[only]); /* the lone child: its kind decides (an oracle read) */
    uint8_t nibble = (uint8_t)only;
    if (c->kind == MPT_BRANCH) {
        s->node = new_ext(&nibble, 1, x->kids[only]);
        return;
    }
    uint8_t *path = (uint8_t *)rt_alloc(c->path_len + 1);
    path[0] = nibble;
    memcpy(path + 1, c->path, c->path_len);
    c->path = path;
    c->path_len++;
    c->dirty = true;
    s->node = c;
}

/* Delete k under slot s; false if it was absent (then nothing changed). */
static bool del_at(mpt_slot *s, const uint8_t *k, size_t n) {
    mpt_node *x = resolve(s);
    if (x == NULL) return false;
    if (x->kind == MPT_BRANCH) {
        if (n == 0) {
            if (x->value.len == 0) return false;
            x->value = span_make(NULL, 0);
        } else if (!del_at(&x->kids[k[0]], k + 1, n - 1)) {
            return false;
        }
        x->dirty = true;
        normalise_branch(s, x);
        return true;
    }
    if (n < x->path_len || memcmp(x->path, k, x->path_len) != 0) return false;
    if (x->kind == MPT_LEAF) {
        if (n != x->path_len) return false;
        set_empty(s);
        return true;
    }
    if (!del_at(&x->kids[0], k + x->path_len, n - x->path_len)) return false;
    x->dirty = true;
    mpt_node *c = x->kids[0].node; /* decoded by del_at, NULL if the child vanished */
    if (c == NULL) {
        set_empty(s);
    } else if (c->kind != MPT_BRANCH) { /* extension over a leaf or an extension: one node */
        uint8_t *path = (uint8_t *)rt_alloc(x->path_len + c->path_len);
        memcpy(path, x->path, x->path_len);
        memcpy(path + x->path_len, c->path, c->path_len);
        c->path = path;
        c->path_len += x->path_len;
        c->dirty = true;
        s->node = c;
    }
    return true;
}

/* Keys of up to 64 bytes take their nibbles on the stack; longer ones on the heap. */
#define STACK_KEY_BYTES 64u

static const uint8_t *key_nibbles(const uint8_t *key, size_t len, uint8_t stack[2 * STACK_KEY_BYTES]) {
    uint8_t *out = len <= STACK_KEY_BYTES ? stack : (uint8_t *)rt_alloc(2 * len);
    for (size_t i = 0; i < len; i++) {
        out[2 * i] = key[i] >> 4;
        out[2 * i + 1] = key[i] & 15u;
    }
    return out;
}

void mpt_open(mpt_trie *t, const uint8_t root[32]) {
    set_empty(&t->root);
    if (memcmp(root, TRIE_EMPTY_ROOT, 32) == 0) return;
    uint8_t *ref = (uint8_t *)rt_alloc(HASH_REF_LEN);
    ref[0] = 0xa0;
    memcpy(ref + 1, root, 32);
    t->root.ref = ref;
}

bool mpt_get(mpt_trie *t, const uint8_t *key, size_t key_len, span_t *value) {
    uint8_t stack[2 * STACK_KEY_BYTES];
    const uint8_t *k = key_nibbles(key, key_len, stack);
    *value = span_make(NULL, 0);
    mpt_stats.path = 0;
    if (get_at(&t->root, k, 2 * key_len, value)) return true;
    *value = span_make(NULL, 0);
    return false;
}

void mpt_put(mpt_trie *t, const uint8_t *key, size_t key_len, const uint8_t *value, size_t value_len) {
    if (value_len == 0) {
        mpt_delete(t, key, key_len);
        return;
    }
    uint8_t stack[2 * STACK_KEY_BYTES];
    const uint8_t *k = key_nibbles(key, key_len, stack);
    uint8_t *copy = (uint8_t *)rt_alloc(value_len);
    memcpy(copy, value, value_len);
    put_at(&t->root, k, 2 * key_len, span_make(copy, value_len));
}

bool mpt_delete(mpt_trie *t, const uint8_t *key, size_t key_len) {
    uint8_t stack[2 * STACK_KEY_BYTES];
    const uint8_t *k = key_nibbles(key, key_len, stack);
    return del_at(&t->root, k, 2 * key_len);
}

void mpt_apply(mpt_trie *t, const mpt_write *writes, size_t n) {
    for (size_t i = 0; i < n; i++) {
        const mpt_write *w = &writes[i];
        if (w->value.len) mpt_put(t, w->key.ptr, w->key.len, w->value.ptr, w->value.len);
    }
    for (size_t i = 0; i < n; i++)
        if (!writes[i].value.len) mpt_delete(t, writes[i].key.ptr, writes[i].key.len);
}

/* ---- hashing ------------------------------------------------------------------------------- */

/* Append the hex-prefix encoding of a path (as an RLP string). */
static void put_path(buf_t *out, const uint8_t *path, size_t n, bool leaf) {
    size_t k = n / 2 + 1, i = 0;
    unsigned flag = (leaf ? 2u : 0u) + (unsigned)(n & 1);
    uint8_t first = (uint8_t)((flag << 4) | ((n & 1) ? path[i++] : 0u));
    if (k == 1) { /* one byte below 0x40: its own encoding */
        buf_put_byte(out, first);
        return;
    }
    rlp_put_string_header(out, k);
    uint8_t *p = buf_extend(out, k);
    p[0] = first;
    for (size_t j = 1; i < n; i += 2) p[j++] = (uint8_t)((path[i] << 4) | path[i + 1]);
}

/* Bytes put_path writes for n nibbles. */
static size_t path_enc_len(size_t n) {
    size_t k = n / 2 + 1;
    return k == 1 ? 1 : rlp_header_len(k) + k;
}

/* Bytes put_child writes. */
static size_t child_len(const mpt_slot *s) {
    if (s->node) return s->node->ref_len;
    return s->ref ? ref_len_of(s->ref) : 1;
}

/* Append a child's reference; the buffer already has room for it (commit sizes it first), so
 * this writes in place with no growth checks (a branch writes sixteen of these). */
static void put_child(buf_t *out, const mpt_slot *s) {
    uint8_t *p = out->ptr + out->len;
    size_t n = child_len(s);
    RT_ASSERT(n <= out->cap - out->len);
    if (s->node) memcpy(p, s->node->ref, n);
    else if (s->ref) memcpy(p, s->ref, n);
    else p[0] = 0x80;
    out->len += n;
}

typedef struct {
    mpt_emit_fn emit;
    void *ctx;
} emitter;

/* Re-encode the dirty nodes under and at x, children first; `root` hashes even a short node. */
static void commit(mpt_node *x, const emitter *e, bool root, uint8_t root_hash[32]) {
    if (!x->dirty && !root) return;
    size_t kids = x->kind == MPT_BRANCH ? 16 : x->kind == MPT_EXT ? 1 : 0;
    for (size_t i = 0; i < kids; i++)
        if (x->kids[i].node && x->kids[i].node->dirty) commit(x->kids[i].node, e, false, NULL);
    if (!x->dirty) { /* a clean root: its hash is known, or it is short and hashed as it is */
        if (x->ref_len == HASH_REF_LEN) memcpy(root_hash, x->ref + 1, 32);
        else keccak256(x->ref, x->ref_len, root_hash);
        return;
    }
    size_t mark = rt_heap_mark();
    size_t payload = 0; /* the encoding's size is known before it is written: one exact buffer, no moves */
    if (x->kind == MPT_BRANCH) {
        for (size_t i = 0; i < 16; i++) payload += child_len(&x->kids[i]);
        payload += rlp_bytes_len(x->value.ptr, x->value.len);
    } else {
        payload += path_enc_len(x->path_len);
        payload += x->kind == MPT_LEAF ? rlp_bytes_len(x->value.ptr, x->value.len) : child_len(&x->kids[0]);
    }
    size_t total = rlp_list_len(payload);
    buf_t b = {(uint8_t *)rt_alloc_uninit(total), 0, total}; /* written whole below */
    rlp_put_list_header(&b, payload);
    if (x->kind == MPT_BRANCH) {
        for (size_t i = 0; i < 16; i++) put_child(&b, &x->kids[i]);
        rlp_put_bytes(&b, x->value.ptr, x->value.len);
    } else {
        put_path(&b, x->path, x->path_len, x->kind == MPT_LEAF);
        if (x->kind == MPT_LEAF) rlp_put_bytes(&b, x->value.ptr, x->value.len);
        else put_child(&b, &x->kids[0]);
    }
    RT_ASSERT(b.len == b.cap);
    uint8_t h[32];
    bool hashed = b.len >= 32 || root;
    if (hashed) {
        keccak256(b.ptr, b.len, h);
        mpt_stats.hashed++;
        if (e->emit) e->emit(e->ctx, h, buf_span(&b));
    }
    if (b.len < 32) {
        memcpy(x->ref, b.ptr, b.len);
        x->ref_len = (uint8_t)b.len;
    } else {
        x->ref[0] = 0xa0;
        memcpy(x->ref + 1, h, 32);
        x->ref_len = HASH_REF_LEN;
    }
    if (root) memcpy(root_hash, h, 32);
    x->dirty = false;
    rt_heap_release(mark);
}

void mpt_root_emit(mpt_trie *t, uint8_t out[32], mpt_emit_fn emit, void *ctx) {
    emitter e = {emit, ctx};
    if (t->root.node) commit(t->root.node, &e, true, out);
    else if (t->root.ref) memcpy(out, t->root.ref + 1, 32);
    else memcpy(out, TRIE_EMPTY_ROOT, 32);
}

void mpt_root(mpt_trie *t, uint8_t out[32]) { mpt_root_emit(t, out, NULL, NULL); }
