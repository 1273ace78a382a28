/* libFuzzer target (host only): the partial trie (mpt.c) against a naive map. The input is a
 * sequence of operations over small keys (0-3 bytes over a tiny alphabet, so keys share prefixes
 * and are prefixes of one another) and 32-byte hashed keys, with values short enough to embed
 * nodes or long enough to hash them. Every get and delete agrees with the map; at every check the
 * incremental root equals the root built from scratch over the map (trie.c); a reopen hands the
 * nodes mpt_root_emit hashed to the host's oracle table and starts again from the root alone, so
 * later operations resolve nodes through oracle_read. */
#include "../../host/preimages_host.h"
#include "keccak.h"
#include "mpt.h"
#include "trie.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

#define MAX_KEYS 96

typedef struct {
    uint8_t key[32];
    size_t key_len;
    uint8_t value[48];
    size_t value_len;
} entry_t;

static entry_t map[MAX_KEYS];
static size_t map_n;

static entry_t *find(const uint8_t *key, size_t len) {
    for (size_t i = 0; i < map_n; i++)
        if (map[i].key_len == len && memcmp(map[i].key, key, len) == 0) return &map[i];
    return NULL;
}

static void map_set(const uint8_t *key, size_t len, const uint8_t *value, size_t value_len) {
    entry_t *e = find(key, len);
    if (value_len == 0) {
        if (e) *e = map[--map_n];
        return;
    }
    if (e == NULL) {
        if (map_n == MAX_KEYS) return; /* full: the caller skips the trie too */
        e = &map[map_n++];
        memcpy(e->key, key, len);
        e->key_len = len;
    }
    memcpy(e->value, value, value_len);
    e->value_len = value_len;
}

static void emit(void *ctx, const uint8_t hash[32], span_t enc) {
    (void)ctx;
    preimages_host_put(hash, enc.ptr, enc.len);
}

/* The incremental root equals the one built from the map; the nodes it hashed go to the oracle
 * (a node is hashed once, when it changes: a reopen later may need any of them). */
static void check_root(mpt_trie *t) {
    trie_pair pairs[MAX_KEYS];
    for (size_t i = 0; i < map_n; i++) {
        pairs[i].key = span_make(map[i].key, map[i].key_len);
        pairs[i].value = span_make(map[i].value, map[i].value_len);
    }
    uint8_t want[32], got[32];
    trie_root(pairs, map_n, want);
    mpt_root_emit(t, got, emit, NULL);
    RT_ASSERT(memcmp(want, got, 32) == 0);
}

static uint8_t next(const uint8_t *data, size_t size, size_t *pos) { return *pos < size ? data[(*pos)++] : 0; }

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size) {
    static const size_t value_lens[8] = {0, 1, 2, 3, 20, 31, 33, 45};
    size_t heap = rt_heap_mark();
    preimages_host_clear(); /* each input on its own: only its own nodes are in the oracle */
    map_n = 0;
    mpt_trie t;
    mpt_open(&t, TRIE_EMPTY_ROOT);
    size_t pos = 0;
    while (pos < size) {
        uint8_t op = next(data, size, &pos) % 8, kb = next(data, size, &pos), vb = next(data, size, &pos);
        uint8_t key[32], value[48];
        size_t key_len;
        if (kb & 0x80) {
            uint8_t seed = kb & 0x0f;
            keccak256(&seed, 1, key);
            key_len = 32;
        } else {
            key_len = kb % 4;
            for (size_t i = 0; i < key_len; i++) key[i] = next(data, size, &pos) & 0x13;
        }
        size_t value_len = value_lens[vb % 8];
        for (size_t i = 0; i < value_len; i++) value[i] = (uint8_t)(vb + 7 * i);
        span_t got;
        entry_t *e = find(key, key_len);
        switch (op) {
        case 0: case 1: case 2: case 7: /* put (an empty value deletes) */
            if (e == NULL && value_len && map_n == MAX_KEYS) break;
            map_set(key, key_len, value, value_len);
            mpt_put(&t, key, key_len, value, value_len);
            break;
        case 3:
            RT_ASSERT(mpt_delete(&t, key, key_len) == (e != NULL));
            map_set(key, key_len, NULL, 0);
            break;
        case 4:
            RT_ASSERT(mpt_get(&t, key, key_len, &got) == (e != NULL));
            RT_ASSERT(e == NULL ? got.len == 0 : span_eq(got, span_make(e->value, e->value_len)));
            break;
        case 5:
            check_root(&t);
            break;
        default: { /* 6: reopen from the root, the hashed nodes in the oracle */
            uint8_t root[32];
            mpt_root_emit(&t, root, emit, NULL);
            mpt_open(&t, root);
        }
        }
    }
    check_root(&t);
    rt_heap_release(heap);
    return 0;
}
