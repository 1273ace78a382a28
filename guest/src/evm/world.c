/* The world state during a block: accounts and storage in hash tables, every change recorded in
 * a journal so that a failed call reverts exactly what it did (balances, nonces, code, storage,
 * existence, warm accounts and slots, touched accounts, self-destructs, logs).
 *
 * Semantics follow py-evm's account database, the reference of machine A: any write (or a touch)
 * makes an account exist, even if it stays empty; reads never create. EIP-161 deletes touched
 * empty accounts at the end of a transaction (world_end_tx).
 */
#include "evm_internal.h"
#include "oracle.h"
#include "rlp.h"
#include "trie.h"

enum { J_BALANCE, J_NONCE, J_CODE, J_SLOT, J_EXISTS, J_WARM_ACCOUNT, J_WARM_SLOT, J_TRANSIENT };

typedef struct {
    uint8_t kind;
    void *obj;
    union {
        u256 word;
        uint64_t n;
        uint32_t serial;
        bool flag;
        struct {
            const uint8_t *ptr;
            size_t len;
            uint8_t *jumpdests;
        } code;
    } old;
} jentry_t;

/* A growable array of fixed-size items on the heap, in chunks of VEC_CHUNK items that never move:
 * growing copies nothing and leaves no old copies behind, so a vector holds its items plus one
 * chunk at most (docs/spec.md §4.9). Chunks stay allocated when the vector is emptied and are
 * reused. Only the table of chunk pointers (8 bytes per chunk) grows by copying. */
#define VEC_CHUNK 1024u
typedef struct {
    uint8_t **chunks;
    size_t n_chunks, table_cap;
    size_t len, item;
} vec_t;

static void *vec_at(const vec_t *v, size_t i) { return v->chunks[i / VEC_CHUNK] + v->item * (i % VEC_CHUNK); }

static void *vec_push(vec_t *v) {
    if (v->len == v->n_chunks * VEC_CHUNK) {
        if (v->n_chunks == v->table_cap) {
            size_t cap = v->table_cap ? 2 * v->table_cap : 16;
            v->chunks = rt_realloc(v->chunks, v->table_cap * sizeof *v->chunks, cap * sizeof *v->chunks);
            v->table_cap = cap;
        }
        v->chunks[v->n_chunks++] = rt_alloc(VEC_CHUNK * v->item);
    }
    return vec_at(v, v->len++);
}

static struct {
    account_t **tab;
    uint32_t cap, n;
    uint32_t serial;
    uint64_t snap_id, snap_next; /* the innermost checkpoint's id; the next unused id */
    vec_t journal, touched, destructs, logs;
    bool lazy;           /* version 2: accounts, slots and code are read through the oracle */
    mpt_trie state;      /* version 2: the state trie */
} W;

/* ---- hashing ---- */

static uint64_t mix64(uint64_t h) {
    h ^= h >> 33;
    h *= 0xff51afd7ed558ccdull;
    h ^= h >> 33;
    h *= 0xc4ceb9fe1a85ec53ull;
    h ^= h >> 33;
    return h;
}

static uint64_t addr_hash(const uint8_t a[20]) {
    uint64_t h = 0;
    for (int i = 0; i < 20; i++) h = h * 131 + a[i];
    return mix64(h);
}

static uint64_t key_hash(const u256 *k) {
    return mix64(k->w[0] ^ mix64(k->w[1] ^ mix64(k->w[2] ^ mix64(k->w[3]))));
}

static void account_table_grow(void) {
    uint32_t cap = W.cap ? 2 * W.cap : 256;
    account_t **tab = rt_alloc((size_t)cap * sizeof *tab);
    for (uint32_t i = 0; i < W.cap; i++) {
        account_t *a = W.tab[i];
        if (!a) continue;
        uint32_t j = (uint32_t)addr_hash(a->addr) & (cap - 1);
        while (tab[j]) j = (j + 1) & (cap - 1);
        tab[j] = a;
    }
    W.tab = tab;
    W.cap = cap;
}

account_t *world_account(const uint8_t addr[20]) {
    if (2 * (W.n + 1) > W.cap) account_table_grow();
    uint32_t j = (uint32_t)addr_hash(addr) & (W.cap - 1);
    for (;;) {
        account_t *a = W.tab[j];
        if (!a) break;
        if (memcmp(a->addr, addr, 20) == 0) return a;
        j = (j + 1) & (W.cap - 1);
    }
    account_t *a = rt_alloc(sizeof *a); /* zeroed: not existing, empty */
    memcpy(a->addr, addr, 20);
    a->loaded = a->code_known = !W.lazy; /* version 1: S holds every account that exists */
    W.tab[j] = a;
    W.n++;
    return a;
}

static void slot_table_grow(account_t *a) {
    uint32_t cap = a->slot_cap ? 2 * a->slot_cap : 8;
    slot_t **tab = rt_alloc((size_t)cap * sizeof *tab);
    for (uint32_t i = 0; i < a->slot_cap; i++) {
        slot_t *s = a->slots[i];
        if (!s) continue;
        uint32_t j = (uint32_t)key_hash(&s->key) & (cap - 1);
        while (tab[j]) j = (j + 1) & (cap - 1);
        tab[j] = s;
    }
    a->slots = tab;
    a->slot_cap = cap;
}

/* Find or insert the slot without touching its `original`. */
static slot_t *slot_lookup(account_t *a, const u256 *key) {
    if (2 * (a->n_slots + 1) > a->slot_cap) slot_table_grow(a);
    uint32_t j = (uint32_t)key_hash(key) & (a->slot_cap - 1);
    for (;;) {
        slot_t *s = a->slots[j];
        if (!s) break;
        if (u256_eq(&s->key, key)) return s;
        j = (j + 1) & (a->slot_cap - 1);
    }
    slot_t *s = rt_alloc(sizeof *s);
    s->key = *key;
    s->loaded = !W.lazy; /* version 1: S holds every non-zero slot */
    a->slots[j] = s;
    a->n_slots++;
    return s;
}

slot_t *world_slot_ref(account_t *a, const u256 *key) { return slot_lookup(a, key); }

/* A trie leaf that is not what it must be: the trie is authentic (read by hash) but bad. */
static _Noreturn void bad_leaf(void) { rt_abort(RT_ABORT_TRIE_NODE); }

/* Version 2: the slot's value in its account's storage trie as the block found it (0 if absent);
 * `key` gets keccak256(slot). */
static void slot_in_trie(account_t *a, const u256 *slot, uint8_t key[32], u256 *value) {
    account_trie_t *t = acc(a)->trie;
    uint8_t be[32];
    u256_to_be(slot, be);
    keccak256(be, 32, key);
    u256_set_u64(value, 0);
    if (!t->storage_open) {
        mpt_open(&t->storage, t->storage_root);
        t->storage_open = true;
    }
    span_t v;
    if (!mpt_get(&t->storage, key, 32, &v)) return;
    rlp_item it;
    if (rlp_decode(v, &it) != RLP_OK || it.is_list || rlp_get_uint_be32(&it, 32, be) != RLP_OK) bad_leaf();
    u256_from_be(value, be, 32);
    if (u256_is_zero(value)) bad_leaf(); /* a zero slot is absent from the trie */
}

void world_slot_load(account_t *a, slot_t *s) {
    if (!s->loaded) {
        s->loaded = true;
        uint8_t key[32];
        if (acc(a)->trie->storage_reset) u256_set_u64(&s->value, 0); /* deleted in this block */
        else slot_in_trie(a, &s->key, key, &s->value);
    }
    if (s->orig_serial != W.serial) {
        s->original = s->value;
        s->orig_serial = W.serial;
    }
}

slot_t *world_slot(account_t *a, const u256 *key) {
    slot_t *s = slot_lookup(a, key);
    world_slot_load(a, s);
    return s;
}

/* ---- version 2: accounts and code through the oracle ---- */

void world_load_account(account_t *a) {
    account_trie_t *t = a->trie = rt_alloc(sizeof *t);
    a->loaded = true;
    a->code_known = true;
    memcpy(t->storage_root, TRIE_EMPTY_ROOT, 32);
    memcpy(a->code_hash, S_EMPTY_CODE_HASH, 32);
    a->code_hash_ok = true;
    keccak256(a->addr, 20, t->key);
    span_t v;
    bool found = mpt_get(&W.state, t->key, 32, &v);
    t->path_nodes = (uint8_t)mpt_stats.path; /* at most 65 */
    if (found) {
        rlp_item top, f[4];
        uint8_t balance[32];
        if (rlp_decode(v, &top) != RLP_OK || !top.is_list || rlp_list_exact(&top, f, 4) != RLP_OK ||
            rlp_get_u64(&f[0], &a->nonce) != RLP_OK || f[1].is_list ||
            rlp_get_uint_be32(&f[1], 32, balance) != RLP_OK || rlp_get_fixed(&f[2], t->storage_root, 32) != RLP_OK ||
            rlp_get_fixed(&f[3], a->code_hash, 32) != RLP_OK) {
            bad_leaf();
        }
        u256_from_be(&a->balance, balance, 32);
        a->exists = true;
        a->code_known = memcmp(a->code_hash, S_EMPTY_CODE_HASH, 32) == 0;
    }
    t->exists = a->exists;
    t->nonce = a->nonce;
    t->balance = a->balance;
    memcpy(t->code_hash, a->code_hash, 32);
}

void world_need_code(account_t *a) {
    if (acc(a)->code_known) return;
    span_t code = oracle_read(a->code_hash);
    live_code_read(code.len);
    a->code = code.ptr;
    a->code_len = code.len;
    a->code_known = true;
}

/* ---- loading S ---- */

static void world_reset(bool lazy) {
    memset(&W, 0, sizeof W);
    W.journal.item = sizeof(jentry_t);
    W.touched.item = W.destructs.item = sizeof(account_t *);
    W.logs.item = sizeof(log_t);
    W.serial = 1;
    W.lazy = lazy;
}

void world_init_trie(const uint8_t state_root[32]) {
    world_reset(true);
    mpt_open(&W.state, state_root);
}

void world_init(const s_state *st) {
    world_reset(false);
    for (size_t i = 0; i < st->n_accounts; i++) {
        const s_account *src = &st->accounts[i];
        account_t *a = world_account(src->address);
        a->exists = true;
        a->nonce = src->nonce;
        u256_from_be(&a->balance, src->balance, 32);
        a->code = src->code.ptr;
        a->code_len = src->code.len;
        for (size_t k = 0; k < src->n_storage; k++) {
            u256 key;
            u256_from_be(&key, src->storage[k].key, 32);
            slot_t *s = slot_lookup(a, &key);
            u256_from_be(&s->value, src->storage[k].value, 32);
        }
    }
}

/* ---- journaled writes ---- */

static jentry_t *journal(uint8_t kind, void *obj) {
    jentry_t *e = vec_push(&W.journal);
    e->kind = kind;
    e->obj = obj;
    return e;
}

static void make_exist(account_t *a) {
    if (acc(a)->exists) return;
    journal(J_EXISTS, a)->old.flag = false;
    a->exists = true;
}

void world_set_balance(account_t *a, const u256 *v) {
    make_exist(a);
    journal(J_BALANCE, a)->old.word = a->balance;
    a->balance = *v;
}

void world_add_balance(account_t *a, const u256 *v) {
    u256 t;
    u256_add(&t, &acc(a)->balance, v);
    world_set_balance(a, &t);
}

void world_sub_balance(account_t *a, const u256 *v) {
    u256 t;
    u256_sub(&t, &acc(a)->balance, v);
    world_set_balance(a, &t);
}

void world_set_nonce(account_t *a, uint64_t n) {
    make_exist(a);
    if (n != a->nonce) live_journal(LIVE_NONCE);
    journal(J_NONCE, a)->old.n = a->nonce;
    a->nonce = n;
}

void world_set_code(account_t *a, const uint8_t *code, size_t len) {
    make_exist(a);
    world_need_code(a); /* a creation's target has none: nothing is read */
    live_keep(LIVE_CODE + (uint64_t)LIVE_CODE_BYTE * len);
    jentry_t *e = journal(J_CODE, a);
    e->old.code.ptr = a->code;
    e->old.code.len = a->code_len;
    e->old.code.jumpdests = a->jumpdests;
    a->code = code;
    a->code_len = len;
    a->jumpdests = NULL;
    a->code_hash_ok = false;
}

void world_set_slot(account_t *a, slot_t *s, const u256 *v) {
    make_exist(a);
    live_journal(LIVE_SLOT_WRITE);
    /* Once per checkpoint is enough: reverting it restores the value the first entry saved. This
     * keeps a loop of cheap rewrites (100 gas each) from growing the journal without bound. */
    if (s->journal_id != W.snap_id) {
        journal(J_SLOT, s)->old.word = s->value;
        s->journal_id = W.snap_id;
    }
    s->value = *v;
}

void world_touch(account_t *a) {
    make_exist(a);
    *(account_t **)vec_push(&W.touched) = a;
}

void world_mark_destruct(account_t *a) {
    live_journal(LIVE_SELFDESTRUCT);
    *(account_t **)vec_push(&W.destructs) = a;
}

void world_add_log(const log_t *log) { *(log_t *)vec_push(&W.logs) = *log; }

/* Version 2 (spec §4.9): the first touch of an account in the block counts the nodes on its lookup
 * path in the state trie as the block found it (the trie is not written before the block's end): the
 * nodes its load read (loaded now if not before). */
static void count_account_path(account_t *a) {
    if (!W.lazy || a->path_counted) return;
    a->path_counted = true;
    live_trie_nodes(acc(a)->trie->path_nodes);
}

/* The same for a slot, in its account's storage trie at the storage root the block found (read then,
 * where its load reads it). */
static void count_slot_path(account_t *a, slot_t *s) {
    if (!W.lazy || s->path_counted) return;
    s->path_counted = true;
    account_trie_t *t = acc(a)->trie;
    if (!s->loaded && !t->storage_reset) {
        world_slot_load(a, s);
        live_trie_nodes(mpt_stats.path);
        return;
    }
    uint8_t be[32], key[32];
    span_t v;
    u256_to_be(&s->key, be);
    keccak256(be, 32, key);
    if (!t->storage_open) {
        mpt_open(&t->storage, t->storage_root);
        t->storage_open = true;
    }
    mpt_get(&t->storage, key, 32, &v);
    live_trie_nodes(mpt_stats.path);
}

void world_count_withdrawal(account_t *a) {
    if (!W.lazy) return;
    if (!a->warmed_in_block) {
        a->warmed_in_block = true;
        live_keep(LIVE_COLD_ACCOUNT);
    }
    count_account_path(a);
}

bool world_warm_account(account_t *a) {
    if (a->warm_serial == W.serial) return false;
    live_keep(LIVE_COLD_ACCOUNT);
    a->warmed_in_block = true;
    journal(J_WARM_ACCOUNT, a)->old.serial = a->warm_serial;
    a->warm_serial = W.serial;
    return true;
}

bool world_access_account(account_t *a) {
    count_account_path(a);
    return world_warm_account(a);
}

bool world_warm_slot(slot_t *s) {
    if (s->warm_serial == W.serial) return false;
    live_keep(LIVE_COLD_SLOT);
    journal(J_WARM_SLOT, s)->old.serial = s->warm_serial;
    s->warm_serial = W.serial;
    return true;
}

bool world_access_slot(account_t *a, slot_t *s) {
    count_slot_path(a, s);
    return world_warm_slot(s);
}

const uint8_t *account_code_hash(account_t *a) {
    if (!acc(a)->code_hash_ok) {
        keccak256(a->code, a->code_len, a->code_hash);
        a->code_hash_ok = true;
    }
    return a->code_hash;
}

/* ---- transient storage (EIP-1153) and created accounts (EIP-6780) ---- */

/* The transient slot of `key`, or NULL when absent and !insert. */
static tslot_t *tslot_find(account_t *a, const u256 *key, bool insert) {
    if (insert && 2 * (a->n_tslots + 1) > a->tslot_cap) {
        uint32_t cap = a->tslot_cap ? 2 * a->tslot_cap : 8;
        tslot_t **tab = rt_alloc((size_t)cap * sizeof *tab);
        for (uint32_t i = 0; i < a->tslot_cap; i++) {
            tslot_t *t = a->tslots[i];
            if (!t) continue;
            uint32_t j = (uint32_t)key_hash(&t->key) & (cap - 1);
            while (tab[j]) j = (j + 1) & (cap - 1);
            tab[j] = t;
        }
        a->tslots = tab;
        a->tslot_cap = cap;
    }
    if (!a->tslot_cap) return NULL;
    uint32_t j = (uint32_t)key_hash(key) & (a->tslot_cap - 1);
    for (;;) {
        tslot_t *t = a->tslots[j];
        if (!t) break;
        if (u256_eq(&t->key, key)) return t;
        j = (j + 1) & (a->tslot_cap - 1);
    }
    if (!insert) return NULL;
    tslot_t *t = rt_alloc(sizeof *t); /* zeroed: serial 0 is never a transaction's */
    t->key = *key;
    a->tslots[j] = t;
    a->n_tslots++;
    return t;
}

u256 world_tload(account_t *a, const u256 *key) {
    tslot_t *t = tslot_find(a, key, false);
    u256 v;
    if (t && t->serial == W.serial) v = t->value;
    else u256_set_u64(&v, 0);
    return v;
}

void world_tstore(account_t *a, const u256 *key, const u256 *v) {
    tslot_t *t = tslot_find(a, key, true);
    if (t->serial != W.serial) { /* new in this transaction (or left by an earlier one: reads 0) */
        u256_set_u64(&t->value, 0);
        t->serial = W.serial;
        live_keep(LIVE_TRANSIENT_SLOT);
    }
    live_journal(LIVE_TRANSIENT_WRITE); /* every TSTORE: it journals at most once */
    if (t->journal_id != W.snap_id) { /* once per checkpoint, as world_set_slot */
        journal(J_TRANSIENT, t)->old.word = t->value;
        t->journal_id = W.snap_id;
    }
    t->value = *v;
}

void world_mark_created(account_t *a) { a->created_serial = W.serial; }

bool world_created_in_tx(const account_t *a) { return a->created_serial == W.serial; }

/* ---- snapshots ---- */

snapshot_t world_snapshot(void) {
    snapshot_t s = {W.journal.len, W.touched.len, W.destructs.len, W.logs.len, W.snap_id};
    W.snap_id = ++W.snap_next; /* ids are never reused, so a stale slot mark cannot match */
    return s;
}

void world_commit(snapshot_t s) { W.snap_id = s.outer_id; }

static const uint8_t RIPEMD_ADDR[20] = {0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 3};

void world_revert(snapshot_t s) {
    while (W.journal.len > s.journal) {
        jentry_t *e = vec_at(&W.journal, --W.journal.len);
        account_t *a = e->obj;
        slot_t *sl = e->obj;
        switch (e->kind) {
        case J_BALANCE: a->balance = e->old.word; break;
        case J_NONCE: a->nonce = e->old.n; break;
        case J_CODE:
            a->code = e->old.code.ptr;
            a->code_len = e->old.code.len;
            a->jumpdests = e->old.code.jumpdests;
                    a->code_hash_ok = false;
            break;
        case J_SLOT: sl->value = e->old.word; break;
        case J_EXISTS: a->exists = e->old.flag; break;
        case J_WARM_ACCOUNT: a->warm_serial = e->old.serial; break;
        case J_WARM_SLOT: sl->warm_serial = e->old.serial; break;
        case J_TRANSIENT: ((tslot_t *)e->obj)->value = e->old.word; break;
        default: RT_ASSERT(0);
        }
    }
    /* A reverted touch is forgotten, except of the RIPEMD-160 precompile: py-evm keeps it
     * (the EIP-716 consensus quirk), so it may still be deleted as an empty account. */
    size_t keep = s.touched;
    for (size_t i = s.touched; i < W.touched.len; i++) {
        account_t *t = *(account_t **)vec_at(&W.touched, i);
        if (memcmp(t->addr, RIPEMD_ADDR, 20) == 0) *(account_t **)vec_at(&W.touched, keep++) = t;
    }
    W.touched.len = keep;
    W.destructs.len = s.destructs;
    W.logs.len = s.logs;
    W.snap_id = s.outer_id;
}

/* ---- transaction boundaries ---- */

void world_begin_tx(void) {
    live_begin_tx();
    W.serial++;
    W.snap_id = ++W.snap_next;
    W.journal.len = 0;
    W.touched.len = 0;
    W.destructs.len = 0;
    W.logs.len = 0;
}

void world_delete(account_t *a) {
    acc(a)->exists = false;
    if (a->trie) a->trie->storage_reset = true;
    a->code_known = true;
    a->nonce = 0;
    u256_set_u64(&a->balance, 0);
    a->code = NULL;
    a->code_len = 0;
    a->jumpdests = NULL;
    a->code_hash_ok = false;
    for (uint32_t i = 0; i < a->slot_cap; i++) {
        if (!a->slots[i]) continue;
        u256_set_u64(&a->slots[i]->value, 0);
        a->slots[i]->loaded = true;
    }
}

bool world_create_collision(account_t *a) {
    if (acc(a)->nonce != 0 || account_has_code(a)) return true;
    /* Version 2, as machine A (fastvm/corrections.has_storage): the storage root the account has */
    if (W.lazy) return !a->trie->storage_reset && memcmp(a->trie->storage_root, TRIE_EMPTY_ROOT, 32) != 0;
    for (uint32_t k = 0; k < a->slot_cap; k++) {
        if (a->slots[k] && !u256_is_zero(&a->slots[k]->value)) return true; /* EIP-7610 */
    }
    return false;
}

void world_end_tx(void) {
    for (size_t i = 0; i < W.destructs.len; i++) world_delete(*(account_t **)vec_at(&W.destructs, i));
    for (size_t i = 0; i < W.touched.len; i++) {
        account_t *t = *(account_t **)vec_at(&W.touched, i);
        if (t->exists && account_empty(t)) world_delete(t);
    }
    W.journal.len = 0;
    W.touched.len = 0;
    W.destructs.len = 0;
}

size_t world_n_logs(void) { return W.logs.len; }

const log_t *world_log(size_t i) {
    RT_ASSERT(i < W.logs.len);
    return vec_at(&W.logs, i);
}

/* ---- export ---- */

static int addr_cmp(const account_t *a, const account_t *b) { return memcmp(a->addr, b->addr, 20); }

/* Bottom-up merge sort of pointers (stable, no recursion); `tmp` has room for n. */
static void sort_accounts(account_t **v, account_t **tmp, size_t n) {
    for (size_t width = 1; width < n; width *= 2) {
        for (size_t lo = 0; lo < n; lo += 2 * width) {
            size_t mid = lo + width < n ? lo + width : n, hi = lo + 2 * width < n ? lo + 2 * width : n;
            size_t i = lo, j = mid, k = lo;
            while (i < mid && j < hi) tmp[k++] = addr_cmp(v[j], v[i]) < 0 ? v[j++] : v[i++];
            while (i < mid) tmp[k++] = v[i++];
            while (j < hi) tmp[k++] = v[j++];
        }
        for (size_t i = 0; i < n; i++) v[i] = tmp[i];
    }
}

static void sort_slots(s_slot *v, s_slot *tmp, size_t n) {
    for (size_t width = 1; width < n; width *= 2) {
        for (size_t lo = 0; lo < n; lo += 2 * width) {
            size_t mid = lo + width < n ? lo + width : n, hi = lo + 2 * width < n ? lo + 2 * width : n;
            size_t i = lo, j = mid, k = lo;
            while (i < mid && j < hi) tmp[k++] = memcmp(v[j].key, v[i].key, 32) < 0 ? v[j++] : v[i++];
            while (i < mid) tmp[k++] = v[i++];
            while (j < hi) tmp[k++] = v[j++];
        }
        for (size_t i = 0; i < n; i++) v[i] = tmp[i];
    }
}

s_account *world_export(size_t *n_out) {
    size_t n = 0;
    for (uint32_t i = 0; i < W.cap; i++) n += W.tab[i] && W.tab[i]->exists;
    account_t **v = rt_alloc((n ? n : 1) * sizeof *v), **tmp = rt_alloc((n ? n : 1) * sizeof *tmp);
    n = 0;
    for (uint32_t i = 0; i < W.cap; i++) {
        if (W.tab[i] && W.tab[i]->exists) v[n++] = W.tab[i];
    }
    sort_accounts(v, tmp, n);
    s_account *out = rt_alloc((n ? n : 1) * sizeof *out);
    for (size_t i = 0; i < n; i++) {
        account_t *a = v[i];
        s_account *o = &out[i];
        memcpy(o->address, a->addr, 20);
        o->nonce = a->nonce;
        u256_to_be(&a->balance, o->balance);
        o->code = span_make(a->code, a->code_len);
        size_t ns = 0;
        for (uint32_t k = 0; k < a->slot_cap; k++) ns += a->slots[k] && !u256_is_zero(&a->slots[k]->value);
        o->storage = rt_alloc((ns ? ns : 1) * sizeof *o->storage);
        s_slot *stmp = rt_alloc((ns ? ns : 1) * sizeof *stmp);
        ns = 0;
        for (uint32_t k = 0; k < a->slot_cap; k++) {
            slot_t *s = a->slots[k];
            if (!s || u256_is_zero(&s->value)) continue;
            u256_to_be(&s->key, o->storage[ns].key);
            u256_to_be(&s->value, o->storage[ns].value);
            ns++;
        }
        sort_slots(o->storage, stmp, ns);
        o->n_storage = ns;
    }
    *n_out = n;
    return out;
}

/* ---- version 2: the new state root over the partial tries ---- */

/* The changed slots of `a` as trie writes (keccak256(slot) -> rlp(value), empty: delete): every
 * non-zero slot of a storage that starts empty, else those whose value differs from the trie's (the
 * value the block found: the trie is not written before the block's end). */
static size_t storage_writes(account_t *a, mpt_write *w) {
    bool reset = a->trie->storage_reset;
    size_t n = 0;
    for (uint32_t i = 0; i < a->slot_cap; i++) {
        const slot_t *s = a->slots[i];
        if (!s || !s->loaded) continue;
        uint8_t *key = rt_alloc(32), be[32];
        u256 start;
        if (reset) {
            u256_to_be(&s->key, be);
            keccak256(be, 32, key);
            u256_set_u64(&start, 0);
        } else {
            slot_in_trie(a, &s->key, key, &start);
        }
        if (u256_eq(&s->value, &start)) continue;
        w[n].key = span_make(key, 32);
        w[n].value = span_make(NULL, 0);
        if (!u256_is_zero(&s->value)) {
            buf_t v;
            buf_init(&v, 34);
            u256_to_be(&s->value, be);
            rlp_put_uint_be(&v, be, 32);
            w[n].value = buf_span(&v);
        }
        n++;
    }
    return n;
}

/* Hint every node the new roots hash (mpt_root_emit: the root and each node referenced by its hash)
 * to the host (rt_hint, docs/spec.md §6.7): with the code of the accounts created, they are every
 * preimage a later block can read that the block's pre-state did not hold. */
static void hint_node(void *ctx, const uint8_t hash[32], span_t encoding) {
    (void)ctx;
    (void)hash;
    rt_hint(encoding.ptr, encoding.len);
}

/* The account's storage root after the block. */
static void storage_root_after(account_t *a, uint8_t out[32]) {
    account_trie_t *t = a->trie;
    mpt_write *w = rt_alloc((a->n_slots ? a->n_slots : 1) * sizeof *w);
    size_t n = storage_writes(a, w);
    if (t->storage_reset) {
        mpt_open(&t->storage, TRIE_EMPTY_ROOT);
    } else if (n == 0) {
        memcpy(out, t->storage_root, 32);
        return;
    } else if (!t->storage_open) {
        mpt_open(&t->storage, t->storage_root);
    }
    t->storage_open = true;
    mpt_apply(&t->storage, w, n);
    mpt_root_emit(&t->storage, out, hint_node, NULL);
}

void world_state_root(uint8_t out[32]) {
    mpt_write *w = rt_alloc((W.n ? W.n : 1) * sizeof *w);
    size_t n = 0;
    for (uint32_t i = 0; i < W.cap; i++) {
        account_t *a = W.tab[i];
        if (!a || !a->loaded || (!a->exists && !a->trie->exists)) continue;
        const account_trie_t *t = a->trie;
        const uint8_t *key = t->key; /* hashed when the account was loaded */
        if (!a->exists) {
            w[n].key = span_make(key, 32);
            w[n++].value = span_make(NULL, 0);
            continue;
        }
        uint8_t sroot[32];
        storage_root_after(a, sroot);
        const uint8_t *code_hash = account_code_hash(a);
        bool same = t->exists && a->nonce == t->nonce && u256_eq(&a->balance, &t->balance) &&
                    memcmp(code_hash, t->code_hash, 32) == 0 && memcmp(sroot, t->storage_root, 32) == 0;
        if (same) continue;
        if (a->code_len && memcmp(code_hash, t->code_hash, 32) != 0)
            rt_hint(a->code, a->code_len); /* code set in this block: in RAM, not in the store */
        uint8_t balance[32];
        u256_to_be(&a->balance, balance);
        buf_t v;
        buf_init(&v, 112);
        size_t list = rlp_list_begin(&v);
        rlp_put_u64(&v, a->nonce);
        rlp_put_uint_be(&v, balance, 32);
        rlp_put_bytes(&v, sroot, 32);
        rlp_put_bytes(&v, code_hash, 32);
        rlp_list_end(&v, list);
        w[n].key = span_make(key, 32);
        w[n++].value = buf_span(&v);
    }
    mpt_apply(&W.state, w, n);
    mpt_root_emit(&W.state, out, hint_node, NULL);
}
