/* One step of machine A (docs/spec.md §4.5): the checks of §4.6 in the order of their codes,
 * Cancun's beacon-root system call, execution of the transactions and withdrawals, and S' with
 * its outcome record. */
#include "blob.h"
#include "bloom.h"
#include "frame.h"
#include "mpt.h"
#include "scodec2.h"
#include "trie.h"
#include "tx.h"
#ifdef SWAPVM_EVM_TRACE
#include "../../trace/evm_trace.h"
#endif

env_t g_env;

typedef struct {
    rlp_item header_item, txs, ommers, withdrawals;
    s_header h;
    tx_t *tx;
    size_t n_tx;
    rlp_item *wd;          /* withdrawal items */
    size_t n_wd;
} block_t;

/* ---- code 1: structure ---- */

static bool parse_withdrawal(const rlp_item *it) {
    rlp_item f[4];
    if (!it->is_list || rlp_list_exact(it, f, 4) != RLP_OK) return false;
    for (int i = 0; i < 4; i++) {
        if (f[i].is_list) return false;
        if (i != 2 && f[i].payload.len > 0 && f[i].payload.ptr[0] == 0) return false; /* uint */
    }
    return f[2].payload.len == 20;
}

/* Count a list's items into an array of decoded items. */
static bool list_items(const rlp_item *list, rlp_item **out, size_t *n) {
    if (!list->is_list || rlp_list_count(list, n) != RLP_OK) return false;
    *out = rt_alloc((*n ? *n : 1) * sizeof **out);
    rlp_iter it;
    if (rlp_iter_init(&it, list) != RLP_OK) return false;
    for (size_t i = 0; i < *n; i++) {
        if (rlp_iter_next(&it, &(*out)[i]) != RLP_OK) return false;
    }
    return true;
}

static bool parse_block(span_t raw, uint64_t fork, block_t *b) {
    rlp_item top, parts[4];
    if (rlp_validate(raw) != RLP_OK || rlp_decode(raw, &top) != RLP_OK) return false;
    if (!top.is_list || rlp_list_exact(&top, parts, 4) != RLP_OK) return false;
    b->header_item = parts[0];
    b->txs = parts[1];
    b->ommers = parts[2];
    b->withdrawals = parts[3];
    if (!b->header_item.is_list || s_header_parse(&b->header_item, fork, &b->h) != S_OK) return false;
    if (!b->ommers.is_list) return false;
    rlp_item *items;
    if (!list_items(&b->txs, &items, &b->n_tx)) return false;
    b->tx = rt_alloc((b->n_tx ? b->n_tx : 1) * sizeof *b->tx);
    for (size_t i = 0; i < b->n_tx; i++) {
        if (!tx_parse(&items[i], fork, &b->tx[i])) return false;
    }
    if (!list_items(&b->withdrawals, &b->wd, &b->n_wd)) return false;
    for (size_t i = 0; i < b->n_wd; i++) {
        if (!parse_withdrawal(&b->wd[i])) return false;
    }
    return true;
}

/* ---- code 2: the header against its parent ---- */

/* r = a * b; true on overflow past 2^256. */
static bool mul_u64_overflows(u256 *r, const u256 *a, uint64_t b) {
    __extension__ typedef unsigned __int128 u128;
    uint64_t carry = 0;
    for (int i = 0; i < 4; i++) {
        u128 t = (u128)a->w[i] * b + carry;
        r->w[i] = (uint64_t)t;
        carry = (uint64_t)(t >> 64);
    }
    return carry != 0;
}

/* floor(base * diff / target / 8) exactly (diff, target < 2^63); true on overflow. */
static bool fee_delta(const u256 *base, uint64_t diff, uint64_t target, u256 *out) {
    u256 t, q, rem, hi, lo;
    u256_set_u64(&t, target);
    u256_div(&q, base, &t);
    u256_mod(&rem, base, &t);
    if (mul_u64_overflows(&hi, &q, diff)) return true;
    mul_u64_overflows(&lo, &rem, diff); /* < 2^126 */
    u256_div(&lo, &lo, &t);
    u256_add(out, &hi, &lo);
    if (u256_lt(out, &hi)) return true;
    u256 eight;
    u256_set_u64(&eight, 8);
    u256_div(out, out, &eight);
    return false;
}

/* EIP-1559's base fee of a child of `p`; false when it exceeds 2^256 - 1. */
static bool expected_base_fee(const s_header *p, u256 *out) {
    u256 base;
    u256_from_be(&base, p->base_fee_per_gas, 32);
    uint64_t target = p->gas_limit / 2;
    if (target == 0) return false;
    if (p->gas_used == target) {
        *out = base;
        return true;
    }
    u256 delta;
    if (p->gas_used > target) {
        if (fee_delta(&base, p->gas_used - target, target, &delta)) return false;
        if (u256_is_zero(&delta)) u256_set_u64(&delta, 1);
        u256_add(out, &base, &delta);
        return !u256_lt(out, &base);
    }
    if (fee_delta(&base, target - p->gas_used, target, &delta)) return false;
    u256_sub(out, &base, &delta);
    return true;
}

/* EIP-4844's header fields (Cancun): the excess blob gas the parent implies, and a blob gas used
 * that whole blobs can make up within the block's maximum. */
static bool blob_header_valid(const s_header *p, const s_header *h) {
    uint64_t excess;
    if (!blob_excess_gas(p, &excess) || h->excess_blob_gas != excess) return false;
    return h->blob_gas_used <= MAX_BLOB_GAS_PER_BLOCK && h->blob_gas_used % GAS_PER_BLOB == 0;
}

static bool header_valid(const chain_t *c, uint64_t fork, s_header *h) {
    uint8_t ph[32];
    keccak256(c->parent_header.ptr, c->parent_header.len, ph);
    if (memcmp(ph, h->parent_hash, 32) != 0) return false;
    if (s_header_check_ranges(h) != S_OK) return false;
    const s_header *p = c->parent;
    if (h->number != p->number + 1) return false;
    if (h->timestamp <= p->timestamp) return false;
    if (h->gas_used > h->gas_limit) return false;
    if (h->gas_limit < 5000 || h->gas_limit > (uint64_t)INT64_MAX) return false;
    uint64_t diff = h->gas_limit > p->gas_limit ? h->gas_limit - p->gas_limit : p->gas_limit - h->gas_limit;
    if (diff >= p->gas_limit / 1024) return false;
    u256 want, have;
    u256_from_be(&have, h->base_fee_per_gas, 32);
    if (!expected_base_fee(p, &want) || !u256_eq(&want, &have)) return false;
    if (h->extra_data.len > 32) return false;
    for (int i = 0; i < 32; i++) {
        if (h->difficulty[i]) return false;
    }
    for (int i = 0; i < 8; i++) {
        if (h->nonce[i]) return false;
    }
    static const uint8_t EMPTY_LIST = 0xc0;
    uint8_t oh[32];
    keccak256(&EMPTY_LIST, 1, oh);
    if (memcmp(oh, h->ommers_hash, 32) != 0) return false;
    /* a parent of an earlier fork (the fork's first block) was decoded without the blob fields:
     * its excess blob gas and blob gas used count as 0 (EIP-4844) */
    return fork < S_FORK_CANCUN || blob_header_valid(p, h);
}

/* ---- code 3: the body against the header ---- */

static bool body_valid(const block_t *b) {
    uint8_t root[32];
    span_t *vals = rt_alloc((b->n_tx ? b->n_tx : 1) * sizeof *vals);
    for (size_t i = 0; i < b->n_tx; i++) vals[i] = b->tx[i].raw;
    trie_root_indexed(vals, b->n_tx, root);
    if (memcmp(root, b->h.transactions_root, 32) != 0) return false;
    keccak256(b->ommers.raw.ptr, b->ommers.raw.len, root);
    if (memcmp(root, b->h.ommers_hash, 32) != 0) return false;
    span_t *wv = rt_alloc((b->n_wd ? b->n_wd : 1) * sizeof *wv);
    for (size_t i = 0; i < b->n_wd; i++) wv[i] = b->wd[i].raw;
    trie_root_indexed(wv, b->n_wd, root);
    if (memcmp(root, b->h.withdrawals_root, 32) != 0) return false;
    for (size_t i = 0; i < b->n_wd; i++) {
        rlp_item f[4];
        RT_ASSERT(rlp_list_exact(&b->wd[i], f, 4) == RLP_OK);
        for (int k = 0; k < 4; k++) {
            if (k != 2 && f[k].payload.len > 8) return false;
        }
    }
    return true;
}

/* ---- execution (codes 4 to 7) ---- */

static void withdrawals(const block_t *b) {
    account_t **touched = rt_alloc((b->n_wd ? b->n_wd : 1) * sizeof *touched);
    for (size_t i = 0; i < b->n_wd; i++) {
        rlp_item f[4];
        uint64_t gwei;
        RT_ASSERT(rlp_list_exact(&b->wd[i], f, 4) == RLP_OK && rlp_get_u64(&f[3], &gwei) == RLP_OK);
        account_t *a = world_account(f[2].payload.ptr);
        world_count_withdrawal(a);
        u256 amount, giga;
        u256_set_u64(&amount, gwei);
        u256_set_u64(&giga, 1000000000u);
        u256_mul(&amount, &amount, &giga);
        world_add_balance(a, &amount);
        touched[i] = a;
    }
    for (size_t i = 0; i < b->n_wd; i++) {
        if (acc(touched[i])->exists && account_empty(touched[i])) world_delete(touched[i]);
    }
}

/* ---- EIP-4788: the beacon roots contract's system call at the block's start ---- */

static const uint8_t SYSTEM_ADDRESS[20] = {0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff,
                                           0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xfe};
static const uint8_t BEACON_ROOTS_ADDRESS[20] = {0x00, 0x0f, 0x3d, 0xf6, 0xd7, 0x32, 0x80, 0x7e, 0xf1, 0x31,
                                                 0x9f, 0xb7, 0xb8, 0xbb, 0x85, 0x22, 0xd0, 0xbe, 0xac, 0x02};
#define SYSTEM_CALL_GAS 30000000u

/* A message from SYSTEM_ADDRESS to the beacon roots contract with the parent beacon block root as
 * its data, as execution-specs' Cancun makes it: whatever code the account holds (none: nothing
 * runs), no value, fresh access sets, GASPRICE = the base fee, its gas and logs outside the
 * block's; then, as after a transaction, touched empty accounts are deleted (the target itself if
 * it exists and is empty). */
static void beacon_root_call(const s_header *h) {
    account_t *target = world_account(BEACON_ROOTS_ADDRESS);
    world_begin_tx();
    memcpy(g_env.origin, SYSTEM_ADDRESS, 20);
    g_env.gas_price = g_env.base_fee;
    msg_t m;
    memset(&m, 0, sizeof m);
    memcpy(m.caller, SYSTEM_ADDRESS, 20);
    memcpy(m.to, BEACON_ROOTS_ADDRESS, 20);
    memcpy(m.code_addr, BEACON_ROOTS_ADDRESS, 20);
    m.gas = SYSTEM_CALL_GAS;
    m.data = h->parent_beacon_block_root;
    m.data_len = m.data_phys = 32;
    world_need_code(target); /* machine A reads it (fastvm/corrections.beacon_roots_call) */
    m.code = target->code;
    m.code_len = target->code_len;
    m.code_owner = target;
    result_t r;
    mem_child_base(0);
#ifdef SWAPVM_EVM_TRACE
    trace_mute(true); /* in no transaction's trace, as on machine A */
#endif
    call_message(&m, &r);
#ifdef SWAPVM_EVM_TRACE
    trace_mute(false);
#endif
    world_end_tx();
}

static void reject(s_state *s, uint64_t reason) {
    s->cursor++;
    memset(&s->outcome, 0, sizeof s->outcome);
    s->outcome.status = S_STATUS_REJECTED;
    s->outcome.reason = reason;
}

/* What one block did: accepted (reason 0) with its outcome fields, or the reason it was rejected. */
typedef struct {
    uint64_t reason;
    block_t b;
    uint64_t gas_used;
    uint8_t state_root[32], receipts_root[32], bloom[256];
    s_account *accounts;   /* version 1: the world after the block */
    size_t n_accounts;
} block_run;

/* Check 4's state-free part over the whole block, before anything runs or is read (machine A's
 * order, spec §4.6): every transaction is for this chain, and from Cancun the blobs of the
 * transactions so far never exceed the block's maximum. A later transaction failing either is code
 * 4 before the first one runs, so on S version 2 the guest reads no more of the world than A. */
static bool block_txs_stateless_valid(const block_t *b, uint64_t chain_id, uint64_t fork) {
    uint64_t blobs = 0;
    for (size_t i = 0; i < b->n_tx; i++) {
        if (!tx_for_chain(&b->tx[i], chain_id)) return false;
        if (fork < S_FORK_CANCUN || b->tx[i].type != TX_TYPE_BLOB) continue;
        blobs += b->tx[i].n_blob_hashes;
        if (blobs > MAX_BLOB_GAS_PER_BLOCK / GAS_PER_BLOB) return false;
    }
    return true;
}

/* Checks 1 to 7 of `raw` under `fork` against the chain context; the world is version 1's accounts
 * (v1 != NULL) or the state trie at the parent's state root. */
static void run_block(const chain_t *c, uint64_t fork, span_t raw, const s_state *v1, block_run *out) {
    block_t *b = &out->b;
    memset(out, 0, sizeof *out);
    if (!parse_block(raw, fork, b)) { out->reason = S_REASON_MALFORMED; return; }
    if (!header_valid(c, fork, &b->h)) { out->reason = S_REASON_HEADER_INVALID; return; }
    if (!body_valid(b)) { out->reason = S_REASON_BODY_MISMATCH; return; }
    if (!block_txs_stateless_valid(b, c->chain_id, fork)) { out->reason = S_REASON_TRANSACTION_INVALID; return; }

    memset(&g_env, 0, sizeof g_env);
    g_env.chain = c;
    g_env.fork = fork;
    g_env.header = &b->h;
    u256_set_u64(&g_env.chain_id, c->chain_id);
    u256_from_be(&g_env.base_fee, b->h.base_fee_per_gas, 32);
    u256_from_be(&g_env.prevrandao, b->h.mix_hash, 32);
    addr_to_word(b->h.coinbase, &g_env.coinbase_word);
    if (v1) world_init(v1);
    else world_init_trie(c->parent->state_root);
    if (fork >= S_FORK_CANCUN) {
        blob_base_fee(b->h.excess_blob_gas, &g_env.blob_base_fee);
        beacon_root_call(&b->h);
    }

    uint64_t cumulative = 0, blob_gas = 0;
    span_t *receipts = rt_alloc((b->n_tx ? b->n_tx : 1) * sizeof *receipts);
    for (size_t i = 0; i < b->n_tx; i++) {
        tx_result_t res;
        uint64_t blob_gas_available = fork >= S_FORK_CANCUN ? MAX_BLOB_GAS_PER_BLOCK - blob_gas : 0;
        if (!tx_apply(&b->tx[i], b->h.gas_limit - cumulative, blob_gas_available, &res)) {
            out->reason = S_REASON_TRANSACTION_INVALID;
            return;
        }
        cumulative += res.gas_used;
        blob_gas += res.blob_gas;
        uint8_t bloom[256] = {0};
        for (size_t k = 0; k < res.n_logs; k++) {
            const log_t *log = world_log(k);
            bloom_add(bloom, log->addr, 20);
            for (unsigned t = 0; t < log->n_topics; t++) bloom_add(bloom, log->topics[t], 32);
        }
        bloom_or(out->bloom, bloom);
        buf_t enc;
        buf_init(&enc, 512);
        tx_encode_receipt(&b->tx[i], &res, cumulative, bloom, &enc);
        rt_trim(enc.ptr, enc.len); /* kept to the block's end: not its doubling slack (spec §4.9) */
        receipts[i] = buf_span(&enc);
    }
    withdrawals(b);
    bool blob_gas_differs = fork >= S_FORK_CANCUN && blob_gas != b->h.blob_gas_used;
    if (cumulative != b->h.gas_used || blob_gas_differs) { out->reason = S_REASON_GAS_MISMATCH; return; }
    trie_root_indexed(receipts, b->n_tx, out->receipts_root);
    if (memcmp(out->receipts_root, b->h.receipts_root, 32) != 0 || memcmp(out->bloom, b->h.logs_bloom, 256) != 0) {
        out->reason = S_REASON_RECEIPTS_MISMATCH;
        return;
    }
    if (v1) {
        out->accounts = world_export(&out->n_accounts);
        s_world_root(out->accounts, out->n_accounts, out->state_root);
    } else {
        world_state_root(out->state_root);
    }
    if (memcmp(out->state_root, b->h.state_root, 32) != 0) { out->reason = S_REASON_STATE_ROOT_MISMATCH; return; }
    out->gas_used = cumulative;
}

/* The accepted block's outcome, and the ancestor hashes once the block is the parent. */
static void accepted(const chain_t *c, const block_run *r, s_outcome *o, uint8_t (**anc)[32], size_t *n_anc) {
    size_t keep = c->n_ancestors < S_MAX_ANCESTORS ? c->n_ancestors : S_MAX_ANCESTORS - 1;
    uint8_t(*a)[32] = rt_alloc((keep + 1) * 32);
    for (size_t i = 0; i < keep; i++) memcpy(a[i], c->ancestors[c->n_ancestors - keep + i], 32);
    /* keccak256 of the parent header: header_valid checked that it is the block's parent hash */
    memcpy(a[keep], r->b.h.parent_hash, 32);
    *anc = a;
    *n_anc = keep + 1;
    o->status = S_STATUS_ACCEPTED;
    o->reason = 0;
    o->gas_used = r->gas_used;
    memcpy(o->state_root, r->state_root, 32);
    memcpy(o->receipts_root, r->receipts_root, 32);
    memcpy(o->logs_bloom, r->bloom, 256);
    keccak256(r->b.header_item.raw.ptr, r->b.header_item.raw.len, o->block_hash);
}

void evm_apply_next_block(s_state *s) {
    RT_ASSERT(s->cursor < s->n_inbox);
    chain_t c = {s->chain_id, s->parent_header, &s->parent, (const uint8_t(*)[32])s->ancestors, s->n_ancestors};
    block_run r;
    run_block(&c, s->fork, s->inbox[s->cursor], s, &r);
    if (r.reason) { reject(s, r.reason); return; }
    accepted(&c, &r, &s->outcome, &s->ancestors, &s->n_ancestors);
    s->accounts = r.accounts;
    s->n_accounts = r.n_accounts;
    s->parent_header = r.b.header_item.raw;
    s->parent = r.b.h;
    s->cursor++;
}

/* ---- S version 2 (spec §6.3, §6.6) ---- */

/* Block `cursor`: the leaf of key rlp(cursor) under the inbox root, an RLP string holding the raw
 * block. The host writes the inbox and S commits to its root, so a missing leaf or one that is not
 * a canonical RLP string is a bad oracle: an abort, never a result. */
static span_t inbox_block(const s2_state *s) {
    mpt_trie t;
    mpt_open(&t, s->inbox_root);
    buf_t key;
    buf_init(&key, 9);
    rlp_put_u64(&key, s->cursor);
    span_t leaf;
    rlp_item item;
    if (!mpt_get(&t, key.ptr, key.len, &leaf) || rlp_validate(leaf) != RLP_OK || rlp_decode(leaf, &item) != RLP_OK ||
        item.is_list) {
        rt_abort(RT_ABORT_TRIE_NODE);
    }
    return item.payload;
}

/* The block's fork (V2_SHARED, spec §6.3): the schedule's at the header's timestamp when the block
 * is an RLP list whose first item is a list with a canonical uint64 as item 11, else the parent's
 * (the ordinary checks then reject the block). */
static uint64_t block_fork(const s2_state *s, span_t raw) {
    const s2_fork_entry *parent = s2_entry_at(s, s->parent.timestamp);
    RT_ASSERT(parent != NULL); /* s2_decode checked it */
    rlp_item top, header, field;
    rlp_iter it;
    size_t n;
    uint64_t timestamp;
    if (rlp_validate(raw) != RLP_OK || rlp_decode(raw, &top) != RLP_OK || !top.is_list) return parent->fork;
    if (rlp_iter_init(&it, &top) != RLP_OK || rlp_iter_done(&it) || rlp_iter_next(&it, &header) != RLP_OK) {
        return parent->fork;
    }
    if (!header.is_list || rlp_list_count(&header, &n) != RLP_OK || n <= 11) return parent->fork;
    RT_ASSERT(rlp_iter_init(&it, &header) == RLP_OK);
    for (int i = 0; i <= 11; i++) RT_ASSERT(rlp_iter_next(&it, &field) == RLP_OK);
    if (field.is_list || rlp_get_u64(&field, &timestamp) != RLP_OK) return parent->fork;
    const s2_fork_entry *e = s2_entry_at(s, timestamp);
    return e ? e->fork : parent->fork;
}

/* Every schedule entry has its fork's default blob parameters (the only ones implemented). */
static bool default_blobs(const s2_state *s) {
    for (size_t i = 0; i < s->n_forks; i++) {
        const s2_fork_entry *e = &s->forks[i];
        uint64_t target = 0, max = 0, fraction = 0;
        if (e->fork == S_FORK_CANCUN) {
            target = TARGET_BLOB_GAS_PER_BLOCK / GAS_PER_BLOB;
            max = MAX_BLOB_GAS_PER_BLOCK / GAS_PER_BLOB;
            fraction = BLOB_BASE_FEE_UPDATE_FRACTION;
        } else if (e->fork >= S_FORK_PRAGUE) {
            target = PRAGUE_BLOB_TARGET;
            max = PRAGUE_BLOB_MAX;
            fraction = PRAGUE_BLOB_BASE_FEE_UPDATE_FRACTION;
        }
        if (e->blob_target != target || e->blob_max != max || e->blob_update_fraction != fraction) return false;
    }
    return true;
}

static void apply_v2(s2_state *s, span_t raw, uint64_t fork) {
    chain_t c = {s->chain_id, s->parent_header, &s->parent, (const uint8_t(*)[32])s->ancestors, s->n_ancestors};
    block_run r;
    run_block(&c, fork, raw, NULL, &r);
    s->cursor++;
    memset(&s->outcome, 0, sizeof s->outcome);
    if (r.reason) {
        s->outcome.status = S_STATUS_REJECTED;
        s->outcome.reason = r.reason;
        return;
    }
    accepted(&c, &r, &s->outcome, &s->ancestors, &s->n_ancestors);
    s->parent_header = r.b.header_item.raw;
    s->parent = r.b.h;
}

static unsigned window_step_v2(uint8_t *window, size_t win_size) {
    s2_state s;
    if (s2_decode(window, win_size, &s) != S_OK) return EVM_STEP_BAD_STATE;
    if (s.cursor == s.inbox_length) return EVM_STEP_IDLE;
    if (!default_blobs(&s)) return EVM_STEP_UNSUPPORTED;
    span_t raw = inbox_block(&s);
    uint64_t fork = block_fork(&s, raw);
    if (fork != S_FORK_SHANGHAI && fork != S_FORK_CANCUN) return EVM_STEP_UNSUPPORTED;
    size_t old_len = S_HEADER_BYTES + (size_t)load_le64(window + 8);
    s2_state before = s;
    live_begin_block_v2(&before, window, win_size, old_len);
    apply_v2(&s, raw, fork);
    if (s2_write_window(&s, window, win_size, old_len) == S_ERR_TOO_LARGE) {
        before.cursor++;
        memset(&before.outcome, 0, sizeof before.outcome);
        before.outcome.status = S_STATUS_REJECTED;
        before.outcome.reason = S_REASON_STATE_TOO_LARGE;
        RT_ASSERT(s2_write_window(&before, window, win_size, old_len) == S_OK);
    }
    return EVM_STEP_APPLIED;
}

unsigned evm_window_step(uint8_t *window, size_t win_size) {
    if (win_size >= S_HEADER_BYTES && load_le64(window) == S2_FORMAT_VERSION) return window_step_v2(window, win_size);
    s_state s;
    if (s_decode(window, win_size, &s) != S_OK) return EVM_STEP_BAD_STATE;
    if (s.cursor == s.n_inbox) return EVM_STEP_IDLE;
    if (s.fork != S_FORK_SHANGHAI && s.fork != S_FORK_CANCUN) return EVM_STEP_UNSUPPORTED;
    size_t old_len = S_HEADER_BYTES + (size_t)load_le64(window + 8);
    s_state before = s;
    live_begin_block(&before, window, win_size, old_len);
    evm_apply_next_block(&s);
    if (s_write_window(&s, window, win_size, old_len) == S_ERR_TOO_LARGE) {
        reject(&before, S_REASON_STATE_TOO_LARGE);
        RT_ASSERT(s_write_window(&before, window, win_size, old_len) == S_OK);
    }
    return EVM_STEP_APPLIED;
}
