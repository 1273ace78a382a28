/* Transactions: structural parsing, validation (the rules of Shanghai and Cancun, every failure
 * code 4), execution through the message machinery, refunds (EIP-3529), fees to the coinbase
 * (EIP-1559), the blob fee burned (EIP-4844), EIP-161 clean-up, and the receipt. */
#include "tx.h"

#include "blob.h"
#include "bloom.h"
#include "frame.h"
#include "precompiles.h"
#include "secp256k1.h"
#ifdef SWAPVM_EVM_TRACE
#include "../../trace/evm_trace.h"
#endif

/* ---- parsing (code 1 is structural: kinds and sizes; ranges are code 4) ---- */

/* A structural uint: a string without a leading zero byte. Values wider than 256 bits are
 * structurally fine and flagged for validation. */
static bool get_uint(const rlp_item *it, u256 *v, bool *too_big) {
    if (it->is_list) return false;
    span_t p = it->payload;
    if (p.len > 0 && p.ptr[0] == 0) return false;
    if (p.len == 1 && p.ptr[0] < 0x80 && it->raw.len != 1) return false; /* the RLP decoder checks this too */
    if (p.len > 32) {
        *too_big = true;
        u256_set_u64(v, 0);
        return true;
    }
    u256_from_be(v, p.ptr, p.len);
    return true;
}

static bool get_to(const rlp_item *it, tx_t *tx) {
    if (it->is_list) return false;
    if (it->payload.len == 0) {
        tx->has_to = false;
        return true;
    }
    if (it->payload.len != 20) return false;
    tx->has_to = true;
    memcpy(tx->to, it->payload.ptr, 20);
    return true;
}

/* A list of strings: the blob versioned hashes (their sizes and versions are code 4). */
static bool get_blob_hashes(const rlp_item *it, tx_t *tx) {
    if (!it->is_list) return false;
    tx->blob_hashes = *it;
    rlp_iter iter;
    if (rlp_iter_init(&iter, it) != RLP_OK) return false;
    while (!rlp_iter_done(&iter)) {
        rlp_item h;
        if (rlp_iter_next(&iter, &h) != RLP_OK || h.is_list) return false;
        tx->n_blob_hashes++;
    }
    return true;
}

/* [[address bytes20, [key bytes32, …]], …]; counts addresses and keys. */
static bool check_access_list(tx_t *tx) {
    rlp_iter it;
    if (rlp_iter_init(&it, &tx->access_list) != RLP_OK) return false;
    while (!rlp_iter_done(&it)) {
        rlp_item entry, pair[2];
        if (rlp_iter_next(&it, &entry) != RLP_OK || !entry.is_list) return false;
        if (rlp_list_exact(&entry, pair, 2) != RLP_OK) return false;
        if (pair[0].is_list || pair[0].payload.len != 20 || !pair[1].is_list) return false;
        tx->al_addresses++;
        rlp_iter keys;
        if (rlp_iter_init(&keys, &pair[1]) != RLP_OK) return false;
        while (!rlp_iter_done(&keys)) {
            rlp_item k;
            if (rlp_iter_next(&keys, &k) != RLP_OK || k.is_list || k.payload.len != 32) return false;
            tx->al_keys++;
        }
    }
    return true;
}

/* The highest transaction type of a fork (Cancun adds EIP-4844's type 3). */
static uint8_t max_tx_type(uint64_t fork) {
    return fork >= S_FORK_CANCUN ? TX_TYPE_BLOB : TX_TYPE_FEE_MARKET;
}

bool tx_parse(const rlp_item *item, uint64_t fork, tx_t *tx) {
    memset(tx, 0, sizeof *tx);
    tx->raw = item->is_list ? item->raw : item->payload;
    rlp_item list;
    if (item->is_list) {
        tx->type = 0;
        list = *item;
        tx->payload = item->raw;
    } else {
        span_t p = item->payload;
        if (p.len < 1 || p.ptr[0] < TX_TYPE_ACCESS_LIST || p.ptr[0] > max_tx_type(fork)) return false;
        tx->type = p.ptr[0];
        tx->payload = span_make(p.ptr + 1, p.len - 1);
        if (rlp_decode(tx->payload, &list) != RLP_OK || !list.is_list) return false;
    }
    static const size_t COUNTS[TX_TYPE_BLOB + 1] = {9, 11, 12, 14};
    tx->nf = COUNTS[tx->type];
    if (rlp_list_exact(&list, tx->f, tx->nf) != RLP_OK) return false;
    const rlp_item *f = tx->f;
    bool *big = &tx->too_big, ok = true;
    switch (tx->type) {
    case 0:
        ok = get_uint(&f[0], &tx->nonce, big) && get_uint(&f[1], &tx->max_fee, big) &&
             get_uint(&f[2], &tx->gas, big) && get_to(&f[3], tx) && get_uint(&f[4], &tx->value, big) &&
             !f[5].is_list && get_uint(&f[6], &tx->v, big) && get_uint(&f[7], &tx->r, big) &&
             get_uint(&f[8], &tx->s, big);
        tx->max_priority = tx->max_fee;
        tx->data = f[5].payload;
        break;
    case 1:
        ok = get_uint(&f[0], &tx->chain_id, big) && get_uint(&f[1], &tx->nonce, big) &&
             get_uint(&f[2], &tx->max_fee, big) && get_uint(&f[3], &tx->gas, big) && get_to(&f[4], tx) &&
             get_uint(&f[5], &tx->value, big) && !f[6].is_list && f[7].is_list &&
             get_uint(&f[8], &tx->v, big) && get_uint(&f[9], &tx->r, big) && get_uint(&f[10], &tx->s, big);
        tx->max_priority = tx->max_fee;
        tx->data = f[6].payload;
        tx->access_list = f[7];
        break;
    default: { /* 2 and 3: EIP-1559's fields, then type 3's blob fields before the signature */
        size_t sig = tx->nf - 3;
        ok = get_uint(&f[0], &tx->chain_id, big) && get_uint(&f[1], &tx->nonce, big) &&
             get_uint(&f[2], &tx->max_priority, big) && get_uint(&f[3], &tx->max_fee, big) &&
             get_uint(&f[4], &tx->gas, big) && get_to(&f[5], tx) && get_uint(&f[6], &tx->value, big) &&
             !f[7].is_list && f[8].is_list && get_uint(&f[sig], &tx->v, big) &&
             get_uint(&f[sig + 1], &tx->r, big) && get_uint(&f[sig + 2], &tx->s, big);
        if (ok && tx->type == TX_TYPE_BLOB) {
            ok = get_uint(&f[9], &tx->max_fee_per_blob_gas, big) && get_blob_hashes(&f[10], tx);
        }
        tx->data = f[7].payload;
        tx->access_list = f[8];
        break;
    }
    }
    if (!ok) return false;
    return tx->type == 0 || check_access_list(tx);
}

/* ---- sender recovery ---- */

/* secp256k1 n / 2: EIP-2 rejects signatures with a larger s. */
static const uint8_t HALF_N[32] = {0x7f, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff,
                                   0xff, 0xff, 0xff, 0xff, 0xff, 0x5d, 0x57, 0x6e, 0x73, 0x57, 0xa4,
                                   0x50, 0x1d, 0xdf, 0xe9, 0x2f, 0x46, 0x68, 0x1b, 0x20, 0xa0};

/* keccak of the signing payload: the fields before the signature re-wrapped as a list (legacy
 * EIP-155: plus chain_id, 0, 0), typed: prefixed with the type byte. */
static void signing_hash(const tx_t *tx, bool eip155, uint64_t chain_id, uint8_t out[32]) {
    buf_t b;
    buf_init(&b, 256);
    if (tx->type) buf_put_byte(&b, tx->type);
    size_t mark = rlp_list_begin(&b);
    size_t n = tx->nf - 3;
    for (size_t i = 0; i < n; i++) rlp_put_raw(&b, tx->f[i].raw.ptr, tx->f[i].raw.len);
    if (eip155) {
        rlp_put_u64(&b, chain_id);
        rlp_put_u64(&b, 0);
        rlp_put_u64(&b, 0);
    }
    rlp_list_end(&b, mark);
    keccak256(b.ptr, b.len, out);
}

/* EIP-155: a legacy v of at least 35 names the chain (v - 35) / 2, with recovery id (v - 35) % 2
 * (in 256 bits: a chain id near 2^64 has a v above 2^64). */
static bool legacy_eip155(const u256 *v, u256 *chain, unsigned *recid) {
    u256 k35, d, one;
    u256_set_u64(&k35, 35);
    if (u256_lt(v, &k35)) return false;
    u256_sub(&d, v, &k35);
    *recid = (unsigned)(d.w[0] & 1);
    u256_set_u64(&one, 1);
    u256_shr(chain, &one, &d);
    return true;
}

bool tx_for_chain(const tx_t *tx, uint64_t chain) {
    u256 id;
    unsigned recid;
    if (tx->type != 0) return u256_fits_u64(&tx->chain_id) && tx->chain_id.w[0] == chain;
    if (!legacy_eip155(&tx->v, &id, &recid)) return true; /* 27, 28 or an invalid v: names no chain */
    return u256_fits_u64(&id) && id.w[0] == chain;
}

static bool recover_sender(const tx_t *tx, uint8_t sender[20]) {
    uint64_t chain = g_env.chain->chain_id;
    unsigned recid;
    bool eip155 = false;
    if (tx->type == 0) {
        u256 id;
        if (u256_fits_u64(&tx->v) && (tx->v.w[0] == 27 || tx->v.w[0] == 28)) {
            recid = (unsigned)(tx->v.w[0] - 27);
        } else {
            if (!legacy_eip155(&tx->v, &id, &recid)) return false;
            if (!u256_fits_u64(&id) || id.w[0] != chain) return false;
            eip155 = true;
        }
    } else {
        if (!u256_fits_u64(&tx->v) || tx->v.w[0] > 1) return false;
        recid = (unsigned)tx->v.w[0];
        if (!u256_fits_u64(&tx->chain_id) || tx->chain_id.w[0] != chain) return false;
    }
    uint8_t r[32], s[32], h[32], pub[64];
    u256_to_be(&tx->r, r);
    u256_to_be(&tx->s, s);
    u256 half;
    u256_from_be(&half, HALF_N, 32);
    if (u256_lt(&half, &tx->s)) return false;
    signing_hash(tx, eip155, chain, h);
    if (secp256k1_recover(h, r, s, recid, pub) != 0) return false;
    secp256k1_pubkey_address(pub, sender);
    return true;
}

/* ---- validation and execution ---- */

static uint64_t intrinsic_gas(const tx_t *tx) {
    uint64_t g = G_TX;
    for (size_t i = 0; i < tx->data.len; i++) g += tx->data.ptr[i] ? G_TX_DATA_NONZERO : G_TX_DATA_ZERO;
    if (!tx->has_to) g += G_TX_CREATE + G_INITCODE_WORD * words_of(tx->data.len);
    g += G_ACCESS_LIST_ADDRESS * tx->al_addresses + G_ACCESS_LIST_KEY * tx->al_keys;
    return g;
}

/* acc += a * b over 384 bits (three such terms stay far below 2^384). */
static void add_product(uint64_t acc[6], uint64_t a, const u256 *b) {
    __extension__ typedef unsigned __int128 u128;
    uint64_t carry = 0;
    for (int i = 0; i < 6; i++) {
        u128 t = (u128)acc[i] + (i < 4 ? (u128)a * b->w[i] : 0) + carry;
        acc[i] = (uint64_t)t;
        carry = (uint64_t)(t >> 64);
    }
}

/* gas * price + blob_gas * blob_price + value, exactly, compared against `limit`: true when
 * above it (the upfront cost of EIP-1559 and EIP-4844). */
static bool cost_exceeds(uint64_t gas, const u256 *price, uint64_t blob_gas, const u256 *blob_price,
                         const u256 *value, const u256 *limit) {
    uint64_t total[6] = {0, 0, 0, 0, 0, 0};
    add_product(total, gas, price);
    add_product(total, blob_gas, blob_price);
    add_product(total, 1, value);
    if (total[4] || total[5]) return true;
    u256 t = {{total[0], total[1], total[2], total[3]}};
    return u256_lt(limit, &t);
}

/* EIP-4844's rules of a type-3 transaction (code 4) and its blob gas; the hashes are copied for
 * BLOBHASH. False when one is broken: `to` empty, no hash, a hash not of 32 bytes or not of
 * version VERSIONED_HASH_VERSION_KZG, more blob gas than the block has left, or a max fee per blob
 * gas below the blob base fee. */
static bool blob_rules(const tx_t *tx, uint64_t blob_gas_available, uint64_t *blob_gas,
                       const uint8_t (**hashes)[32]) {
    *blob_gas = 0;
    *hashes = NULL;
    if (tx->type != TX_TYPE_BLOB) return true;
    if (!tx->has_to || tx->n_blob_hashes == 0) return false;
    if (tx->n_blob_hashes > blob_gas_available / GAS_PER_BLOB) return false;
    if (u256_lt(&tx->max_fee_per_blob_gas, &g_env.blob_base_fee)) return false;
    uint8_t(*copy)[32] = rt_alloc(tx->n_blob_hashes * 32);
    rlp_iter it;
    RT_ASSERT(rlp_iter_init(&it, &tx->blob_hashes) == RLP_OK);
    for (size_t i = 0; i < tx->n_blob_hashes; i++) {
        rlp_item h;
        RT_ASSERT(rlp_iter_next(&it, &h) == RLP_OK);
        if (h.payload.len != 32 || h.payload.ptr[0] != VERSIONED_HASH_VERSION_KZG) return false;
        memcpy(copy[i], h.payload.ptr, 32);
    }
    *blob_gas = (uint64_t)tx->n_blob_hashes * GAS_PER_BLOB;
    *hashes = (const uint8_t(*)[32])copy;
    return true;
}

static void warm_access_list(const tx_t *tx) {
    if (tx->type == 0) return;
    rlp_iter it;
    rlp_iter_init(&it, &tx->access_list);
    while (!rlp_iter_done(&it)) {
        rlp_item entry, pair[2], k;
        RT_ASSERT(rlp_iter_next(&it, &entry) == RLP_OK && rlp_list_exact(&entry, pair, 2) == RLP_OK);
        account_t *a = world_account(pair[0].payload.ptr);
        world_warm_account(a);
        rlp_iter keys;
        rlp_iter_init(&keys, &pair[1]);
        while (!rlp_iter_done(&keys)) {
            RT_ASSERT(rlp_iter_next(&keys, &k) == RLP_OK);
            u256 key;
            u256_from_be(&key, k.payload.ptr, 32);
            world_warm_slot(world_slot_ref(a, &key)); /* warm, not read */
        }
    }
}

bool tx_apply(tx_t *tx, uint64_t gas_available, uint64_t blob_gas_available, tx_result_t *out) {
    /* ranges; EIP-2681's nonce bound is one of them (execution-specs and py-evm refuse a nonce of
     * 2^64 - 1 before the sender is read, so on S version 2 the guest must not read it either) */
    if (tx->too_big || !u256_fits_u64(&tx->gas) || !u256_fits_u64(&tx->nonce)) return false;
    if (tx->nonce.w[0] == UINT64_MAX) return false;
    uint64_t gas = tx->gas.w[0];
    uint8_t sender_addr[20];
    if (!recover_sender(tx, sender_addr)) return false;
    uint64_t intrinsic = intrinsic_gas(tx);
    if (gas < intrinsic) return false;
    if (!tx->has_to && tx->data.len > EVM_MAX_INITCODE_SIZE) return false;
    if (gas > gas_available) return false;
    if (u256_lt(&tx->max_fee, &g_env.base_fee)) return false;
    if (u256_lt(&tx->max_fee, &tx->max_priority)) return false;
    uint64_t blob_gas;
    const uint8_t(*hashes)[32];
    if (!blob_rules(tx, blob_gas_available, &blob_gas, &hashes)) return false;
    /* every rule above reads no state: the sender is read only for a transaction machine A reads
     * it for (S version 2 reads accounts through the oracle: spec §6.6) */
    account_t *sender = acc(world_account(sender_addr));
    if (account_has_code(sender)) return false; /* EIP-3607 (by the code hash; A reads the code) */
    if (tx->nonce.w[0] != sender->nonce) return false;
    if (sender->nonce == UINT64_MAX) return false; /* EIP-2681 */
    if (cost_exceeds(gas, &tx->max_fee, blob_gas, &tx->max_fee_per_blob_gas, &tx->value, &sender->balance)) {
        return false;
    }

    /* effective gas price = min(max_fee, base_fee + priority); tip = price - base_fee */
    u256 price, tip;
    u256_add(&price, &g_env.base_fee, &tx->max_priority);
    if (u256_lt(&tx->max_fee, &price) || u256_lt(&price, &g_env.base_fee)) price = tx->max_fee;
    u256_sub(&tip, &price, &g_env.base_fee);

    world_begin_tx();
    memcpy(g_env.origin, sender_addr, 20);
    g_env.gas_price = price;
    g_env.blob_hashes = hashes;
    g_env.n_blob_hashes = tx->n_blob_hashes;
    u256 g, fee, blob_fee;
    u256_set_u64(&g, gas);
    u256_mul(&fee, &g, &price);
    u256_set_u64(&g, blob_gas);
    u256_mul(&blob_fee, &g, &g_env.blob_base_fee); /* burned: nobody is credited */
    u256_add(&fee, &fee, &blob_fee);               /* both fit: cost_exceeds checked a larger sum */
    world_sub_balance(sender, &fee);
    uint64_t nonce = sender->nonce;
    world_set_nonce(sender, nonce + 1);

    msg_t m;
    memset(&m, 0, sizeof m);
    memcpy(m.caller, sender_addr, 20);
    m.value = tx->value;
    m.gas = gas - intrinsic;
    m.transfer = true;
    if (tx->has_to) {
        memcpy(m.to, tx->to, 20);
    } else {
        create_address(sender_addr, nonce, m.to);
        m.is_create = true;
    }
    memcpy(m.code_addr, m.to, 20);
    world_access_account(sender);
    account_t *target = world_account(m.to);
    world_access_account(target);
    for (unsigned i = 1; i <= precompile_last(g_env.fork); i++) { /* always warm (EIP-2929) */
        uint8_t pa[20] = {0};
        pa[19] = (uint8_t)i;
        world_warm_account(world_account(pa));
    }
    uint8_t coinbase[20];
    memcpy(coinbase, g_env.header->coinbase, 20);
    account_t *cb = world_account(coinbase);
    world_access_account(cb); /* EIP-3651 (the guest reads it: its fee) */
    warm_access_list(tx);

    result_t r;
    mem_child_base(0);
    if (m.is_create) {
        m.code = tx->data.ptr;
        m.code_len = tx->data.len;
        if (world_create_collision(target)) {
            result_error(&r); /* all gas is consumed */
        } else {
            call_create(&m, &r);
        }
    } else {
        m.data = tx->data.ptr;
        m.data_len = m.data_phys = tx->data.len;
        world_need_code(target); /* machine A's message reads the target's code */
        m.code = target->code;
        m.code_len = target->code_len;
        m.code_owner = target;
        call_message(&m, &r);
    }

    uint64_t used = gas - r.gas_left;
    int64_t refund = r.status == EXEC_SUCCESS ? r.refund : 0;
    uint64_t cap = used / 5;
    uint64_t granted = refund <= 0 ? 0 : ((uint64_t)refund < cap ? (uint64_t)refund : cap);
    u256 back, amount;
    u256_set_u64(&back, r.gas_left + granted);
    u256_mul(&amount, &back, &price);
    world_add_balance(sender, &amount);
    uint64_t final_used = used - granted;
#ifdef SWAPVM_EVM_TRACE
    trace_tx_end(r.status == EXEC_SUCCESS, final_used, r.out, r.out_len);
#endif
    u256_set_u64(&g, final_used);
    u256_mul(&amount, &g, &tip);
    world_add_balance(cb, &amount);
    world_touch(cb);
    out->success = r.status == EXEC_SUCCESS;
    out->gas_used = final_used;
    out->blob_gas = blob_gas;
    out->n_logs = out->success ? world_n_logs() : 0;
    world_end_tx();
    return true;
}

/* ---- receipts ---- */

void tx_encode_receipt(const tx_t *tx, const tx_result_t *res, uint64_t cumulative, const uint8_t bloom[256],
                       buf_t *out) {
    if (tx->type) buf_put_byte(out, tx->type);
    size_t mark = rlp_list_begin(out);
    rlp_put_u64(out, res->success ? 1 : 0);
    rlp_put_u64(out, cumulative);
    rlp_put_bytes(out, bloom, 256);
    size_t logs = rlp_list_begin(out);
    for (size_t i = 0; i < res->n_logs; i++) {
        const log_t *l = world_log(i);
        size_t one = rlp_list_begin(out);
        rlp_put_bytes(out, l->addr, 20);
        size_t topics = rlp_list_begin(out);
        for (unsigned t = 0; t < l->n_topics; t++) rlp_put_bytes(out, l->topics[t], 32);
        rlp_list_end(out, topics);
        rlp_put_bytes(out, l->data, l->len);
        rlp_list_end(out, one);
    }
    rlp_list_end(out, logs);
    rlp_list_end(out, mark);
}
