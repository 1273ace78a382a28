/* The opcodes that reach outside the frame: storage (EIP-2200/2929/3529), the CALL family
 * (EIP-150's 63/64 rule, value stipend, new-account cost), CREATE/CREATE2, SELFDESTRUCT (Shanghai:
 * the account is deleted at the end of the transaction; Cancun, EIP-6780: only when the same
 * transaction created it) and logs. Costs and the order of the
 * checks that change the outcome follow py-evm (machine A).
 */
#include "opcodes.h"
#include "frame.h"

/* Init code of the creation at each depth: copied out of the caller's memory, which may move.
 * One block per depth, allocated at its first creation: 4 KiB, or the EIP-3860 maximum once a
 * larger init code comes, so the heap holds at most one small and one large block per depth. */
static uint8_t *g_initcode[EVM_DEPTH_LIMIT + 2];
static size_t g_initcode_cap[EVM_DEPTH_LIMIT + 2];
#define INITCODE_SMALL 4096u

static uint8_t *initcode_copy(int depth, const uint8_t *code, size_t len) {
    RT_ASSERT(len <= EVM_MAX_INITCODE_SIZE);
    if (len > g_initcode_cap[depth] || !g_initcode[depth]) {
        size_t cap = len <= INITCODE_SMALL ? INITCODE_SMALL : EVM_MAX_INITCODE_SIZE;
        g_initcode[depth] = rt_alloc(cap);
        g_initcode_cap[depth] = cap;
    }
    if (len) memcpy(g_initcode[depth], code, len);
    return g_initcode[depth];
}
/* The message of the frame at each depth: kept off the C stack, which must hold 1024 nested
 * calls within the runtime's stack. */
static msg_t g_msg[EVM_DEPTH_LIMIT + 2];

static void buf_set(buf_t *b, const uint8_t *p, size_t n) {
    if (n > b->cap) {
        size_t cap = b->cap ? b->cap : 64;
        while (cap < n) cap *= 2;
        b->ptr = rt_realloc(b->ptr, 0, cap);
        b->cap = cap;
    }
    if (n) memcpy(b->ptr, p, n);
    b->len = n;
}

bool charge_account_access(frame_t *f, account_t *a) {
    return use_gas(f, world_access_account(a) ? G_COLD_ACCOUNT : G_WARM_ACCESS);
}

bool sys_sload(frame_t *f) {
    u256 *top = &f->stack[f->sp - 1];
    account_t *a = world_account(f->m->to);
    slot_t *s = world_slot_ref(a, top);
    if (!use_gas(f, world_access_slot(a, s) ? G_COLD_SLOAD : G_WARM_ACCESS)) return false;
    world_slot_load(a, s); /* after the gas, where machine A reads it */
    *top = s->value;
    return true;
}

bool sys_sstore(frame_t *f) {
    if (f->m->is_static) return false;
    if (f->gas <= G_CALL_STIPEND) return false; /* EIP-2200: never with only the stipend left */
    u256 key = f->stack[f->sp - 1], v = f->stack[f->sp - 2];
    f->sp -= 2;
    account_t *a = world_account(f->m->to);
    slot_t *s = world_slot(a, &key);
    uint64_t cost = world_access_slot(a, s) ? G_COLD_SLOAD : 0;
    bool noop = u256_eq(&s->value, &v);
    const u256 *orig = &s->original, *cur = &s->value;
    bool orig0 = u256_is_zero(orig), cur0 = u256_is_zero(cur), new0 = u256_is_zero(&v);
    if (u256_eq(cur, &v)) {
        cost += G_WARM_ACCESS;
    } else if (u256_eq(orig, cur)) {
        cost += orig0 ? G_SSTORE_SET : G_SSTORE_RESET;
        if (!orig0 && new0) f->refund += G_SSTORE_CLEAR_REFUND;
    } else {
        cost += G_WARM_ACCESS;
        if (!orig0) {
            if (cur0) f->refund -= G_SSTORE_CLEAR_REFUND;
            else if (new0) f->refund += G_SSTORE_CLEAR_REFUND;
        }
        if (u256_eq(orig, &v)) f->refund += orig0 ? G_SSTORE_SET - G_WARM_ACCESS : G_SSTORE_RESET - G_WARM_ACCESS;
    }
    if (!use_gas(f, cost)) return false;
    if (!noop) world_set_slot(a, s, &v); /* a rewrite of the same value needs no journal entry */
    return true;
}

bool sys_log(frame_t *f, unsigned n_topics) {
    if (f->m->is_static) return false;
    u256 *top = &f->stack[f->sp - 1];
    size_t o;
    if (!mem_expand(f, &top[0], &top[-1], &o)) return false;
    size_t len = u256_is_zero(&top[-1]) ? 0 : (size_t)top[-1].w[0];
    if (!use_gas(f, (uint64_t)G_LOG_BYTE * len)) return false;
    /* topics and data in one block: a log entry is small, however many a block holds */
    live_log(n_topics, len);
    size_t block = 32 * (size_t)n_topics + len;
    uint8_t *mem = block ? rt_alloc(block) : NULL;
    for (unsigned i = 0; i < n_topics; i++) u256_to_be(&top[-2 - (int)i], mem + 32 * i);
    if (len) memcpy(mem + 32 * n_topics, mem_at(f, o, len), len);
    log_t log;
    memcpy(log.addr, f->m->to, 20);
    log.n_topics = (uint8_t)n_topics;
    log.topics = (const uint8_t(*)[32])mem;
    log.data = len ? mem + 32 * n_topics : NULL;
    log.len = len;
    world_add_log(&log);
    f->sp -= 2 + n_topics;
    return true;
}

/* Put a child's output into the frame's return data buffer. */
static void set_return_data(frame_t *f, const result_t *r) {
    if (r->status == EXEC_ERROR) f->ret->len = 0;
    else if (r->out != f->ret->ptr) buf_set(f->ret, r->out, r->out_len); /* a precompile wrote it there */
}

bool sys_call(frame_t *f, uint8_t op) {
    const msg_t *m = f->m;
    bool has_value = op == OP_CALL || op == OP_CALLCODE;
    u256 *top = &f->stack[f->sp - 1];
    u256 gas_req = top[0], value, in_off, in_size, out_off, out_size;
    uint8_t target[20];
    word_to_addr(&top[-1], target);
    int k = -2;
    if (has_value) value = top[k--];
    else u256_set_u64(&value, 0);
    in_off = top[k--];
    in_size = top[k--];
    out_off = top[k--];
    out_size = top[k];
    f->sp -= has_value ? 7 : 6;
    bool nonzero = !u256_is_zero(&value);
    if (op == OP_CALL && nonzero && m->is_static) return false;

    size_t in_o, out_o;
    if (!mem_expand(f, &in_off, &in_size, &in_o) || !mem_expand(f, &out_off, &out_size, &out_o)) return false;
    size_t in_len = u256_is_zero(&in_size) ? 0 : (size_t)in_size.w[0];
    size_t out_len = u256_is_zero(&out_size) ? 0 : (size_t)out_size.w[0];
    account_t *callee = world_account(target);
    if (!charge_account_access(f, callee)) return false;
    world_need_code(callee); /* machine A reads the code here, before the checks below */
    uint64_t extra = 0;
    if (has_value && nonzero) {
        extra += G_CALL_VALUE;
        if (op == OP_CALL && account_dead(callee)) extra += G_NEW_ACCOUNT;
    }
    if (!use_gas(f, extra)) return false;
    uint64_t avail = all_but_64th(f->gas);
    uint64_t child_gas = u256_fits_u64(&gas_req) && gas_req.w[0] < avail ? gas_req.w[0] : avail;
    f->gas -= child_gas;
    if (has_value && nonzero) child_gas += G_CALL_STIPEND;

    u256 *res = &f->stack[f->sp++];
    account_t *self = world_account(m->to);
    bool transfers = op == OP_CALL || op == OP_CALLCODE;
    if (m->depth + 1 > EVM_DEPTH_LIMIT || (transfers && u256_lt(&acc(self)->balance, &value))) {
        f->ret->len = 0;
        f->gas += child_gas; /* the stipend too, as py-evm does */
        u256_set_u64(res, 0);
        return true;
    }
    msg_t *c = &g_msg[m->depth + 1];
    memset(c, 0, sizeof *c);
    c->depth = m->depth + 1;
    c->gas = child_gas;
    c->is_static = m->is_static || op == OP_STATICCALL;
    memcpy(c->code_addr, target, 20);
    switch (op) {
    case OP_CALL:
    case OP_STATICCALL:
        memcpy(c->caller, m->to, 20);
        memcpy(c->to, target, 20);
        c->value = value;
        c->transfer = op == OP_CALL;
        break;
    case OP_CALLCODE: /* our storage, their code */
        memcpy(c->caller, m->to, 20);
        memcpy(c->to, m->to, 20);
        c->value = value;
        c->transfer = true;
        break;
    default: /* DELEGATECALL: our storage, caller and value */
        memcpy(c->caller, m->caller, 20);
        memcpy(c->to, m->to, 20);
        c->value = m->value;
        c->transfer = false;
        break;
    }
    /* the input is read in place from our memory, which does not change while the child runs;
     * what we never stored is zero */
    c->data_in_region = true;
    c->data_off = f->mem_base + in_o;
    c->data_len = in_len;
    c->data_phys = in_len == 0 || f->mem_phys <= in_o ? 0 : (in_len < f->mem_phys - in_o ? in_len : f->mem_phys - in_o);
    c->code = callee->code;
    c->code_len = callee->code_len;
    c->code_owner = callee;

    result_t r;
    mem_child_base(f->mem_base + f->mem_phys);
    call_message(c, &r);
    set_return_data(f, &r);
    if (r.status != EXEC_ERROR && out_len) {
        size_t n = out_len < f->ret->len ? out_len : f->ret->len;
        if (n) memcpy(mem_at(f, out_o, n), f->ret->ptr, n);
    }
    f->gas += r.gas_left;
    if (r.status == EXEC_SUCCESS) f->refund += r.refund;
    u256_set_u64(&f->stack[f->sp - 1], r.status == EXEC_SUCCESS);
    return true;
}

bool sys_create(frame_t *f, bool create2) {
    const msg_t *m = f->m;
    if (m->is_static) return false;
    u256 *top = &f->stack[f->sp - 1];
    u256 value = top[0], off = top[-1], size = top[-2], salt;
    if (create2) salt = top[-3];
    f->sp -= create2 ? 4 : 3;
    u256 *res = &f->stack[f->sp++];
    u256_set_u64(res, 0);

    /* EIP-3860 word cost (CREATE2 also hashes the init code); a size that cannot be paid for
     * fails in the memory expansion below. */
    uint64_t len64 = u256_fits_u64(&size) && size.w[0] < ((uint64_t)1 << 32) ? size.w[0] : ((uint64_t)1 << 32);
    uint64_t words = words_of(len64);
    if (!use_gas(f, words * (G_INITCODE_WORD + (create2 ? G_KECCAK_WORD : 0)))) return false;
    size_t o;
    if (!mem_expand(f, &off, &size, &o)) return false;
    size_t len = (size_t)len64 * !u256_is_zero(&size);

    account_t *self = world_account(m->to);
    f->ret->len = 0;
    if (u256_lt(&acc(self)->balance, &value) || m->depth + 1 > EVM_DEPTH_LIMIT || self->nonce == UINT64_MAX) {
        return true;
    }
    /* the init code is read here, where py-evm reads it (touched memory counts: live.h); nothing
     * below moves the memory region */
    const uint8_t *init = len ? mem_at(f, o, len) : NULL;
    uint64_t child_gas = all_but_64th(f->gas);
    f->gas -= child_gas;

    uint8_t addr[20];
    if (create2) {
        uint8_t h[32];
        keccak256(init, len, h);
        create2_address(m->to, &salt, h, addr);
    } else {
        create_address(m->to, self->nonce, addr);
    }
    world_set_nonce(self, self->nonce + 1);
    account_t *na = world_account(addr);
    world_access_account(na);
    if (world_create_collision(na)) return true; /* the gas is gone */
    if (len > EVM_MAX_INITCODE_SIZE) return false;  /* EIP-3860: py-evm halts the creator */

    msg_t *c = &g_msg[m->depth + 1];
    memset(c, 0, sizeof *c);
    c->depth = m->depth + 1;
    c->gas = child_gas;
    memcpy(c->caller, m->to, 20);
    memcpy(c->to, addr, 20);
    memcpy(c->code_addr, addr, 20);
    c->value = value;
    c->transfer = true;
    c->is_create = true;
    c->code = initcode_copy(c->depth, init, len);
    c->code_len = len;

    result_t r;
    mem_child_base(f->mem_base + f->mem_phys);
    call_create(c, &r);
    /* return data: only a REVERT's output survives a creation */
    if (r.status == EXEC_REVERT) buf_set(f->ret, r.out, r.out_len);
    else f->ret->len = 0;
    f->gas += r.gas_left;
    if (r.status == EXEC_SUCCESS) {
        f->refund += r.refund;
        addr_to_word(addr, res);
    }
    return true;
}

bool sys_selfdestruct(frame_t *f, bool eip6780) {
    const msg_t *m = f->m;
    if (m->is_static) return false;
    uint8_t to[20];
    word_to_addr(&f->stack[f->sp - 1], to);
    f->sp--;
    account_t *ben = world_account(to), *self = world_account(m->to);
    uint64_t cost = world_access_account(ben) ? G_COLD_ACCOUNT : 0;
    if (!u256_is_zero(&acc(self)->balance) && account_dead(ben)) cost += G_NEW_ACCOUNT;
    if (!use_gas(f, cost)) return false;
    u256 bal = self->balance, zero;
    u256_set_u64(&zero, 0);
    if (eip6780 && !world_created_in_tx(self)) {
        /* EIP-6780: the account stays; its balance moves (to itself: it stays where it is) */
        world_sub_balance(self, &bal);
        world_add_balance(ben, &bal);
    } else {
        world_add_balance(ben, &bal); /* first credit, then zero: to itself, the ether is burnt */
        world_set_balance(self, &zero);
        world_mark_destruct(self);
    }
    world_touch(ben);
    return true;
}
