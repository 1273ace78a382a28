/* The interpreter loop: fetch, check the stack and the static gas from the fork's opcode table,
 * execute. Simple opcodes are inline cases; memory, storage, calls and logs live in helpers.
 * Every failure of the code (bad jump, stack under/overflow, out of gas, invalid opcode, a
 * write in a static context) is an exceptional halt: EXEC_ERROR with no gas left.
 */
#include "frame.h"
#ifdef SWAPVM_EVM_TRACE
#include "../../trace/evm_trace.h"
#endif

/* ---- the memory region and per-depth stacks ---- */

static uint8_t *g_mem;
static size_t g_mem_cap;
static u256 *g_stacks[EVM_DEPTH_LIMIT + 1];
/* Return data: only the running frame's is ever live (a call replaces its caller's, and a frame's
 * own dies when it returns), so one buffer serves every depth. */
static buf_t g_ret;

static size_t g_child_base;

uint8_t *mem_region(void) { return g_mem; }
buf_t *return_buffer(void) { return &g_ret; }
void mem_child_base(size_t base) { g_child_base = base; }

/* Grow the region to hold `end` bytes: by a quarter at least (each growth moves the region, so
 * growth must be geometric), and to whole pages; not by doubling, whose slack could be half the
 * heap (docs/spec.md §4.9). */
static void region_reserve(size_t end) {
    if (end <= g_mem_cap) return;
    size_t cap = g_mem_cap + g_mem_cap / 4;
    if (cap < end) cap = end;
    cap = (cap + 4095u) & ~(size_t)4095u;
    g_mem = rt_top_grow(g_mem, g_mem_cap, cap); /* in place: no trail of old regions on the heap */
    g_mem_cap = cap;
}

/* Offsets and sizes beyond this can never be paid for with a 64-bit gas budget. */
#define MEM_LIMIT ((uint64_t)1 << 32)

bool mem_expand(frame_t *f, const u256 *off, const u256 *size, size_t *o) {
    *o = 0;
    if (u256_is_zero(size)) return true;
    if (!u256_fits_u64(off) || !u256_fits_u64(size) || off->w[0] >= MEM_LIMIT || size->w[0] >= MEM_LIMIT) {
        return false;
    }
    uint64_t end = off->w[0] + size->w[0];
    *o = (size_t)off->w[0];
    if (end <= f->mem_size) return true;
    uint64_t new_words = words_of(end), old_words = f->mem_size / 32;
    if (!use_gas(f, mem_cost(new_words) - mem_cost(old_words))) return false;
    f->mem_size = (size_t)new_words * 32; /* stored lazily: see mem_at */
    return true;
}

uint8_t *mem_at(frame_t *f, size_t o, size_t n) {
    RT_ASSERT(n > 0 && o + n <= f->mem_size);
    if (o + n > f->mem_phys) {
        live_memory(f->m->depth, words_of(o + n)); /* touched memory counts (live.h) */
        region_reserve(f->mem_base + o + n);
        memset(g_mem + f->mem_base + f->mem_phys, 0, o + n - f->mem_phys);
        f->mem_phys = o + n;
    }
    return g_mem + f->mem_base + o;
}

const uint8_t *msg_data(const msg_t *m) { return m->data_in_region ? g_mem + m->data_off : m->data; }

void copy_padded(uint8_t *dst, const uint8_t *src, size_t src_len, const u256 *off, size_t len) {
    size_t start = u256_fits_u64(off) && off->w[0] < src_len ? (size_t)off->w[0] : src_len;
    size_t avail = src_len - start, n = len < avail ? len : avail;
    if (n) memcpy(dst, src + start, n);
    if (len > n) memset(dst + n, 0, len - n);
}

/* ---- jump destinations ---- */

/* Mark the JUMPDESTs of code in `bits` (len / 8 + 1 zeroed bytes). */
static uint8_t *analyze_jumpdests(uint8_t *bits, const uint8_t *code, size_t len) {
    for (size_t i = 0; i < len; i++) {
        uint8_t op = code[i];
        if (op == 0x5b) bits[i >> 3] |= (uint8_t)(1u << (i & 7));
        else if (op >= 0x60 && op <= 0x7f) i += (size_t)(op - 0x5f);
    }
    return bits;
}

/* The bitmap of the message's code: cached on the account that owns it; for init code built in a
 * buffer of the frame's depth, reused by later creations. Init code is at most 49152 bytes, so the
 * buffer is allocated once at the largest bitmap: no trail of smaller ones on the heap. */
static const uint8_t *jump_table(const msg_t *m) {
    static uint8_t *scratch[EVM_DEPTH_LIMIT + 1];
    size_t n = m->code_len / 8 + 1;
    account_t *owner = m->code_owner;
    if (owner) {
        if (!owner->jumpdests) owner->jumpdests = analyze_jumpdests(rt_alloc(n), m->code, m->code_len);
        return owner->jumpdests;
    }
    RT_ASSERT(n <= EVM_MAX_INITCODE_SIZE / 8 + 1);
    if (!scratch[m->depth]) scratch[m->depth] = rt_alloc(EVM_MAX_INITCODE_SIZE / 8 + 1);
    memset(scratch[m->depth], 0, n);
    return analyze_jumpdests(scratch[m->depth], m->code, m->code_len);
}

static bool valid_jump(const uint8_t *bits, size_t code_len, const u256 *dest) {
    if (!u256_fits_u64(dest) || dest->w[0] >= code_len) return false;
    size_t d = (size_t)dest->w[0];
    return (bits[d >> 3] >> (d & 7)) & 1;
}

/* BLOCKHASH(n) from the parent header and the ancestor hashes (docs/spec.md §4.2). */
static void block_hash(const u256 *n, u256 *out) {
    const s_state *s = g_env.s;
    uint64_t p = s->parent.number;
    bool small = u256_fits_u64(n);
    uint64_t num = n->w[0]; /* read before writing: out may alias n */
    u256_set_u64(out, 0);
    if (!small || num > p) return;
    uint64_t back = p - num;
    uint8_t h[32];
    if (back == 0) {
        keccak256(s->parent_header.ptr, s->parent_header.len, h);
    } else if (back < 256 && back <= s->n_ancestors) {
        memcpy(h, s->ancestors[s->n_ancestors - back], 32);
    } else {
        return;
    }
    u256_from_be(out, h, 32);
}

/* ---- the loop ---- */

/* Runs of case labels (C11 has no case ranges). */
#define CASE4(b) case (b): case (b) + 1: case (b) + 2: case (b) + 3:
#define CASE8(b) CASE4(b) CASE4((b) + 4)
#define CASE16(b) CASE8(b) CASE8((b) + 8)

/* The loop keeps the stack height and the gas in locals; helpers that take the frame see them
 * after SYNC_OUT and hand them back through SYNC_IN. */
#define ST(i) (stack[sp - 1 - (i)]) /* i-th item from the top */
#define SYNC_OUT() (f.sp = sp, f.gas = gas)
#define SYNC_IN() (sp = f.sp, gas = f.gas)
#define CHARGE(g)                       \
    do {                                \
        uint64_t c_ = (g);              \
        if (gas < c_) goto fail;        \
        gas -= c_;                      \
    } while (0)
#define HELPER(call)                    \
    do {                                \
        SYNC_OUT();                     \
        bool ok_ = (call);              \
        SYNC_IN();                      \
        if (!ok_) goto fail;            \
    } while (0)

void interp_run(const msg_t *m, result_t *r) {
    static const uint8_t NOTHING[1] = {0};
    const opinfo_t *table = optable_for(g_env.s->fork);
    int depth = m->depth;
    RT_ASSERT(depth >= 0 && depth <= EVM_DEPTH_LIMIT);
    if (!g_stacks[depth]) g_stacks[depth] = rt_alloc(EVM_STACK_LIMIT * sizeof(u256));
    frame_t f = {0};
    f.m = m;
    f.stack = g_stacks[depth];
    f.gas = m->gas;
    f.ret = &g_ret;
    f.ret->len = 0;
    f.mem_base = g_child_base; /* after the caller's memory (mem_child_base) */

    u256 *stack = f.stack;
    size_t sp = 0;
    uint64_t gas = f.gas;
    const uint8_t *code = m->code;
    size_t code_len = m->code_len;
    const uint8_t *jd = NULL;
    size_t pc = 0;
    r->out = NOTHING;
    r->out_len = 0;
    int status = EXEC_ERROR;

    for (;;) {
        uint8_t op = pc < code_len ? code[pc] : 0x00; /* past the end: STOP */
#ifdef SWAPVM_EVM_TRACE
        gas = trace_op(&f, pc, op, gas, stack, sp);
#endif
        const opinfo_t *info = &table[op];
        /* one compare covers undefined opcodes, stack underflow and overflow (optable.c) */
        if ((size_t)(sp + 1 - info->min1) > info->range) goto fail;
        if (gas < info->gas) goto fail;
        gas -= info->gas;
        pc++;
        switch (op) {
        case 0x00: status = EXEC_SUCCESS; goto done;
        case 0x01: u256_add(&ST(1), &ST(0), &ST(1)); sp--; break;
        case 0x02: u256_mul(&ST(1), &ST(0), &ST(1)); sp--; break;
        case 0x03: u256_sub(&ST(1), &ST(0), &ST(1)); sp--; break;
        case 0x04: u256_div(&ST(1), &ST(0), &ST(1)); sp--; break;
        case 0x05: u256_sdiv(&ST(1), &ST(0), &ST(1)); sp--; break;
        case 0x06: u256_mod(&ST(1), &ST(0), &ST(1)); sp--; break;
        case 0x07: u256_smod(&ST(1), &ST(0), &ST(1)); sp--; break;
        case 0x08: u256_addmod(&ST(2), &ST(0), &ST(1), &ST(2)); sp -= 2; break;
        case 0x09: u256_mulmod(&ST(2), &ST(0), &ST(1), &ST(2)); sp -= 2; break;
        case 0x0a:
            CHARGE((uint64_t)G_EXP_BYTE * u256_byte_len(&ST(1)));
            u256_exp(&ST(1), &ST(0), &ST(1));
            sp--;
            break;
        case 0x0b: u256_signextend(&ST(1), &ST(0), &ST(1)); sp--; break;
        case 0x10: u256_set_u64(&ST(1), u256_lt(&ST(0), &ST(1))); sp--; break;
        case 0x11: u256_set_u64(&ST(1), u256_lt(&ST(1), &ST(0))); sp--; break;
        case 0x12: u256_set_u64(&ST(1), u256_slt(&ST(0), &ST(1))); sp--; break;
        case 0x13: u256_set_u64(&ST(1), u256_slt(&ST(1), &ST(0))); sp--; break;
        case 0x14: u256_set_u64(&ST(1), u256_eq(&ST(0), &ST(1))); sp--; break;
        case 0x15: u256_set_u64(&ST(0), u256_is_zero(&ST(0))); break;
        case 0x16: u256_and(&ST(1), &ST(0), &ST(1)); sp--; break;
        case 0x17: u256_or(&ST(1), &ST(0), &ST(1)); sp--; break;
        case 0x18: u256_xor(&ST(1), &ST(0), &ST(1)); sp--; break;
        case 0x19: u256_not(&ST(0), &ST(0)); break;
        case 0x1a: u256_byte(&ST(1), &ST(0), &ST(1)); sp--; break;
        case 0x1b: u256_shl(&ST(1), &ST(0), &ST(1)); sp--; break;
        case 0x1c: u256_shr(&ST(1), &ST(0), &ST(1)); sp--; break;
        case 0x1d: u256_sar(&ST(1), &ST(0), &ST(1)); sp--; break;
        case 0x20: { /* KECCAK256 */
            size_t o;
            HELPER(mem_expand(&f, &ST(0), &ST(1), &o));
            size_t len = (size_t)ST(1).w[0] * !u256_is_zero(&ST(1));
            CHARGE(G_KECCAK_WORD * words_of(len));
            uint8_t h[32];
            keccak256(len ? mem_at(&f, o, len) : NULL, len, h);
            u256_from_be(&ST(1), h, 32);
            sp--;
            break;
        }
        case 0x30: addr_to_word(m->to, &ST(-1)); sp++; break;
        case 0x31: { /* BALANCE */
            uint8_t a[20];
            word_to_addr(&ST(0), a);
            account_t *acc = world_account(a);
            HELPER(charge_account_access(&f, acc));
            ST(0) = acc->balance;
            break;
        }
        case 0x32: addr_to_word(g_env.origin, &ST(-1)); sp++; break;
        case 0x33: addr_to_word(m->caller, &ST(-1)); sp++; break;
        case 0x34: ST(-1) = m->value; sp++; break;
        case 0x35: { /* CALLDATALOAD */
            uint8_t w[32];
            copy_padded(w, msg_data(m), m->data_phys, &ST(0), 32);
            u256_from_be(&ST(0), w, 32);
            break;
        }
        case 0x36: u256_set_u64(&ST(-1), m->data_len); sp++; break;
        case 0x37:   /* CALLDATACOPY */
        case 0x39:   /* CODECOPY */
        case 0x3e: { /* RETURNDATACOPY */
            size_t o;
            if (op == 0x3e) { /* reading past the return data is an exceptional halt */
                u256 end;
                u256_add(&end, &ST(1), &ST(2));
                if (u256_lt(&end, &ST(1)) || !u256_fits_u64(&end) || end.w[0] > f.ret->len) goto fail;
            }
            HELPER(mem_expand(&f, &ST(0), &ST(2), &o));
            size_t len = u256_is_zero(&ST(2)) ? 0 : (size_t)ST(2).w[0];
            CHARGE(G_COPY_WORD * words_of(len));
            if (len) {
                uint8_t *dst = mem_at(&f, o, len); /* first: it may move the region */
                const uint8_t *src = op == 0x37 ? msg_data(m) : op == 0x39 ? code : f.ret->ptr;
                size_t src_len = op == 0x37 ? m->data_phys : op == 0x39 ? code_len : f.ret->len;
                copy_padded(dst, src, src_len, &ST(1), len);
            }
            sp -= 3;
            break;
        }
        case 0x38: u256_set_u64(&ST(-1), code_len); sp++; break;
        case 0x3a: ST(-1) = g_env.gas_price; sp++; break;
        case 0x3b:   /* EXTCODESIZE */
        case 0x3f: { /* EXTCODEHASH */
            uint8_t a[20];
            word_to_addr(&ST(0), a);
            account_t *acc = world_account(a);
            HELPER(charge_account_access(&f, acc));
            if (op == 0x3b) u256_set_u64(&ST(0), acc->code_len);
            else if (account_dead(acc)) u256_set_u64(&ST(0), 0);
            else u256_from_be(&ST(0), account_code_hash(acc), 32);
            break;
        }
        case 0x3c: { /* EXTCODECOPY */
            uint8_t a[20];
            word_to_addr(&ST(0), a);
            account_t *acc = world_account(a);
            HELPER(charge_account_access(&f, acc));
            size_t o;
            HELPER(mem_expand(&f, &ST(1), &ST(3), &o));
            size_t len = u256_is_zero(&ST(3)) ? 0 : (size_t)ST(3).w[0];
            CHARGE(G_COPY_WORD * words_of(len));
            if (len) copy_padded(mem_at(&f, o, len), acc->code, acc->code_len, &ST(2), len);
            sp -= 4;
            break;
        }
        case 0x3d: u256_set_u64(&ST(-1), f.ret->len); sp++; break;
        case 0x40: block_hash(&ST(0), &ST(0)); break;
        case 0x41: ST(-1) = g_env.coinbase_word; sp++; break;
        case 0x42: u256_set_u64(&ST(-1), g_env.header->timestamp); sp++; break;
        case 0x43: u256_set_u64(&ST(-1), g_env.header->number); sp++; break;
        case 0x44: ST(-1) = g_env.prevrandao; sp++; break;
        case 0x45: u256_set_u64(&ST(-1), g_env.header->gas_limit); sp++; break;
        case 0x46: ST(-1) = g_env.chain_id; sp++; break;
        case 0x47: ST(-1) = world_account(m->to)->balance; sp++; break;
        case 0x48: ST(-1) = g_env.base_fee; sp++; break;
        case 0x50: sp--; break;
        case 0x51: { /* MLOAD */
            u256 n32;
            size_t o;
            u256_set_u64(&n32, 32);
            HELPER(mem_expand(&f, &ST(0), &n32, &o));
            u256_from_be(&ST(0), mem_at(&f, o, 32), 32);
            break;
        }
        case 0x52:   /* MSTORE */
        case 0x53: { /* MSTORE8 */
            u256 n;
            size_t o;
            u256_set_u64(&n, op == 0x52 ? 32 : 1);
            HELPER(mem_expand(&f, &ST(0), &n, &o));
            if (op == 0x52) u256_to_be(&ST(1), mem_at(&f, o, 32));
            else *mem_at(&f, o, 1) = (uint8_t)ST(1).w[0];
            sp -= 2;
            break;
        }
        case 0x54: HELPER(op_sload(&f)); break;
        case 0x55: HELPER(op_sstore(&f)); break;
        case 0x56: /* JUMP */
            if (!jd) jd = jump_table(m);
            if (!valid_jump(jd, code_len, &ST(0))) goto fail;
            pc = (size_t)ST(0).w[0];
            sp--;
            break;
        case 0x57: /* JUMPI */
            if (!u256_is_zero(&ST(1))) {
                if (!jd) jd = jump_table(m);
                if (!valid_jump(jd, code_len, &ST(0))) goto fail;
                pc = (size_t)ST(0).w[0];
            }
            sp -= 2;
            break;
        case 0x58: u256_set_u64(&ST(-1), pc - 1); sp++; break;
        case 0x59: u256_set_u64(&ST(-1), f.mem_size); sp++; break;
        case 0x5a: u256_set_u64(&ST(-1), gas); sp++; break;
        case 0x5b: break;
        case 0x5f: u256_set_u64(&ST(-1), 0); sp++; break;
        case 0xa0: case 0xa1: case 0xa2: case 0xa3: case 0xa4:
            HELPER(op_log(&f, op - 0xa0));
            break;
        case 0xf0: HELPER(op_create(&f, false)); break;
        case 0xf5: HELPER(op_create(&f, true)); break;
        case 0xf1: case 0xf2: case 0xf4: case 0xfa:
            HELPER(op_call(&f, op));
            break;
        case 0xf3:   /* RETURN */
        case 0xfd: { /* REVERT */
            size_t o;
            HELPER(mem_expand(&f, &ST(0), &ST(1), &o));
            r->out_len = u256_is_zero(&ST(1)) ? 0 : (size_t)ST(1).w[0];
            r->out = r->out_len ? mem_at(&f, o, r->out_len) : NOTHING;
            status = op == 0xf3 ? EXEC_SUCCESS : EXEC_REVERT;
            goto done;
        }
        case 0xff:
            HELPER(op_selfdestruct(&f));
            status = EXEC_SUCCESS;
            goto done;
        case 0x60: /* PUSH1: the commonest opcode */
            u256_set_u64(&ST(-1), pc < code_len ? code[pc] : 0);
            sp++;
            pc++;
            break;
        CASE8(0x61) CASE16(0x69) CASE4(0x79) case 0x7d: case 0x7e: case 0x7f: { /* PUSH2 … PUSH32 */
            size_t n = (size_t)(op - 0x5f);
            if (pc + n > code_len) { /* bytes past the end of the code read as zero */
                uint8_t w[32] = {0};
                for (size_t i = 0; pc + i < code_len; i++) w[i] = code[pc + i];
                u256_from_be(&ST(-1), w, n);
            } else if (n <= 8) {
                uint64_t v = 0;
                for (size_t i = 0; i < n; i++) v = (v << 8) | code[pc + i];
                u256_set_u64(&ST(-1), v);
            } else {
                u256_from_be(&ST(-1), code + pc, n);
            }
            sp++;
            pc += n;
            break;
        }
        CASE16(0x80) /* DUPn */
            ST(-1) = ST(op - 0x80);
            sp++;
            break;
        CASE16(0x90) { /* SWAPn */
            u256 t = ST(0);
            ST(0) = ST(op - 0x8f);
            ST(op - 0x8f) = t;
            break;
        }
        default:
            RT_ASSERT(0); /* the table marked it valid */
        }
    }
fail:
#ifdef SWAPVM_EVM_TRACE
    trace_end(&f, EXEC_ERROR, 0);
#endif
    result_error(r);
    return;
done:
#ifdef SWAPVM_EVM_TRACE
    trace_end(&f, status, gas);
#endif
    r->status = status;
    r->gas_left = gas;
    r->refund = status == EXEC_SUCCESS ? f.refund : 0;
}
