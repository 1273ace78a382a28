/* Messages: a call (snapshot, value transfer, touch, precompile or code) and a creation (nonce,
 * init code, EIP-170 size limit, EIP-3541 0xEF prefix, code deposit), as py-evm's
 * apply_message and apply_create_message do them. A failed message reverts everything it did.
 */
#include "evm_internal.h"
#include "precompiles.h"

void create_address(const uint8_t sender[20], uint64_t nonce, uint8_t out[20]) {
    uint8_t enc[32];
    size_t n = 1;
    enc[n++] = 0x80 + 20;
    memcpy(enc + n, sender, 20);
    n += 20;
    if (nonce == 0) {
        enc[n++] = 0x80;
    } else if (nonce < 0x80) {
        enc[n++] = (uint8_t)nonce;
    } else {
        size_t len = u64_be_len(nonce);
        enc[n++] = (uint8_t)(0x80 + len);
        for (size_t i = 0; i < len; i++) enc[n++] = (uint8_t)(nonce >> (8 * (len - 1 - i)));
    }
    enc[0] = (uint8_t)(0xc0 + (n - 1));
    uint8_t h[32];
    keccak256(enc, n, h);
    memcpy(out, h + 12, 20);
}

void create2_address(const uint8_t sender[20], const u256 *salt, const uint8_t code_hash[32], uint8_t out[20]) {
    uint8_t pre[85], h[32];
    pre[0] = 0xff;
    memcpy(pre + 1, sender, 20);
    u256_to_be(salt, pre + 21);
    memcpy(pre + 53, code_hash, 32);
    keccak256(pre, sizeof pre, h);
    memcpy(out, h + 12, 20);
}

/* The precompile number of an address in the block's fork (1 … precompile_last), or 0. */
static unsigned precompile_of(const uint8_t a[20]) {
    for (int i = 0; i < 19; i++) {
        if (a[i]) return 0;
    }
    return a[19] >= 1 && a[19] <= precompile_last(g_env.fork) ? a[19] : 0;
}

/* An upper bound of a precompile's output for reserving it up front: the input's length for the
 * identity, the modulus length for modexp (up to 1 MiB; larger ones cannot be paid for), else 64. */
static size_t output_bound(unsigned pc, const uint8_t *in, size_t len) {
    if (pc == 4) return len;
    if (pc != 5) return 64;
    size_t mod_len = 0;
    for (size_t i = 64; i < 96; i++) {
        uint8_t b = i < len ? in[i] : 0;
        if (mod_len >> 20) return 0; /* beyond the bound: not reserved */
        mod_len = (mod_len << 8) | b;
    }
    return mod_len >> 20 ? 0 : mod_len;
}

/* Run code or a precompile for a message whose value has been transferred. */
static void execute(const msg_t *m, result_t *r) {
    unsigned pc = m->is_create ? 0 : precompile_of(m->code_addr);
    if (pc == 0) {
        interp_run(m, r);
        live_frame_end(m->depth, r->out_len);
        return;
    }
    /* a contiguous input: in place when it is all stored, else with its zero tail spelled out */
    static buf_t input;
    live_return(m->data_len); /* before the input buffer grows */
    const uint8_t *in = msg_data(m);
    if (m->data_phys < m->data_len) {
        buf_reserve(&input, m->data_len);
        memcpy(input.ptr, in, m->data_phys);
        memset(input.ptr + m->data_phys, 0, m->data_len - m->data_phys);
        in = input.ptr;
    }
    /* The output goes straight to the return data buffer (the caller's return data is dead once it
     * calls), reserved before the run so that the precompile's own heap use can be released:
     * repeated calls must not accumulate their outputs on the heap. */
    buf_t *rb = return_buffer();
    rb->len = 0;
    size_t bound = output_bound(pc, in, m->data_len);
    if (pc == 5) live_return(bound); /* MODEXP's output, reserved below 1 MiB */
    buf_reserve(rb, bound);
    size_t mark = rt_heap_mark();
    precompile_result pr = {0};
    int rc = precompile_run(pc, in, m->data_len, m->gas, &pr);
    r->refund = 0;
    if (rc == PRECOMPILE_OK) {
        RT_ASSERT(pr.gas_used <= m->gas);
        r->status = EXEC_SUCCESS;
        r->gas_left = m->gas - pr.gas_used;
        r->out_len = pr.out_len;
        r->out = pr.out;
        if (pr.out_len <= rb->cap) { /* else (an output beyond the bound): left on the heap */
            if (pr.out_len) memcpy(rb->ptr, pr.out, pr.out_len);
            rb->len = pr.out_len;
            r->out = rb->ptr;
            rt_heap_release(mark);
        }
        if (pc == 5 && pr.out_len >= LIVE_MODEXP_KEEP) live_keep(pr.out_len);
    } else {
        rt_heap_release(mark);
        result_error(r);
    }
}

/* Value transfer, touch, execution; reverts on failure (py-evm apply_message). */
static void apply_message(const msg_t *m, result_t *r) {
    live_journal(LIVE_MESSAGE + (m->transfer && !u256_is_zero(&m->value) ? LIVE_VALUE_TRANSFER : 0));
    snapshot_t s = world_snapshot();
    account_t *to = world_account(m->to);
    if (m->transfer && !u256_is_zero(&m->value)) {
        account_t *from = world_account(m->caller);
        RT_ASSERT(!u256_lt(&acc(from)->balance, &m->value)); /* callers check the balance first */
        world_sub_balance(from, &m->value);
        world_add_balance(to, &m->value);
    }
    if (m->is_create) {
        if (!acc(to)->exists) world_set_nonce(to, to->nonce); /* exists; creations are never "touched" */
    } else {
        world_touch(to);
    }
    execute(m, r);
    if (r->status != EXEC_SUCCESS) world_revert(s);
    else world_commit(s);
}

void call_message(const msg_t *m, result_t *r) { apply_message(m, r); }

void call_create(const msg_t *m, result_t *r) {
    snapshot_t s = world_snapshot();
    account_t *a = world_account(m->to);
    world_mark_created(a);            /* EIP-6780: its SELFDESTRUCT deletes it in this transaction */
    world_set_nonce(a, acc(a)->nonce + 1); /* EIP-161: a new contract starts at nonce 1 */
    apply_message(m, r);
    if (r->status != EXEC_SUCCESS) {
        world_revert(s);
        return;
    }
    size_t len = r->out_len;
    if (len == 0) {
        world_commit(s);
        return;
    }
    bool ok = len <= EVM_MAX_CODE_SIZE && r->out[0] != 0xEF && r->gas_left >= (uint64_t)G_CODE_DEPOSIT * len;
    if (!ok) {
        world_revert(s);
        result_error(r);
        return;
    }
    r->gas_left -= (uint64_t)G_CODE_DEPOSIT * len;
    uint8_t *code = rt_alloc(len);
    memcpy(code, r->out, len);
    world_set_code(a, code, len);
    world_commit(s);
    r->out = NULL;
    r->out_len = 0; /* a successful creation returns no data to its creator */
}
