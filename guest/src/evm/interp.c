/* The interpreter loop: fetch, check the stack and the static gas from the fork's opcode table
 * (optable.c), run the opcode's function (ops.h). The switch is generated from the opcode lists
 * (opcodes.h), one case per opcode, each inlining its function. Every failure of the code (bad
 * jump, stack under/overflow, out of gas, invalid opcode, a write in a static context) is an
 * exceptional halt: EXEC_ERROR with no gas left.
 */
#include "ops.h"
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
        if (op == OP_JUMPDEST) bits[i >> 3] |= (uint8_t)(1u << (i & 7));
        else if (op >= OP_PUSH1 && op <= OP_PUSH32) i += (size_t)(op - OP_PUSH1 + 1);
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
    const chain_t *s = g_env.chain;
    uint64_t p = s->parent->number;
    bool small = u256_fits_u64(n);
    uint64_t num = n->w[0]; /* read before writing: out may alias n */
    u256_set_u64(out, 0);
    if (!small || num > p) return;
    uint64_t back = p - num;
    uint8_t h[32];
    if (back == 0) {
        memcpy(h, g_env.header->parent_hash, 32); /* = keccak256(parent header): header_valid checked it */
    } else if (back < 256 && back <= s->n_ancestors) {
        memcpy(h, s->ancestors[s->n_ancestors - back], 32);
    } else {
        return;
    }
    u256_from_be(out, h, 32);
}

/* ---- the loop ---- */

void interp_run(const msg_t *m, result_t *r) {
    static const uint8_t NOTHING[1] = {0};
    const opinfo_t *table = optable_for(g_env.fork);
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
    r->out = NOTHING;
    r->out_len = 0;

    vm_t vm = {0};
    vm.stack = f.stack;
    vm.gas = f.gas;
    vm.code = m->code;
    vm.code_len = m->code_len;
    vm.m = m;
    vm.f = &f;
    vm.r = r;
    vm.status = EXEC_ERROR;

    for (;;) {
        uint8_t op = vm.pc < vm.code_len ? vm.code[vm.pc] : OP_STOP; /* past the end: STOP */
#ifdef SWAPVM_EVM_TRACE
        vm.gas = trace_op(&f, vm.pc, op, vm.gas, vm.stack, vm.sp);
#endif
        const opinfo_t *info = &table[op];
        /* one compare covers undefined opcodes, stack underflow and overflow (optable.c) */
        if ((size_t)(vm.sp + 1 - info->min1) > info->range) goto fail;
        if (vm.gas < info->gas) goto fail;
        vm.gas -= info->gas;
        vm.pc++;
        vm.info = info;
        int k;
        switch (op) {
#define DISPATCH(name, code, g, in, out, fn, arg) \
        case OP_##name:                            \
            k = op_##fn(&vm, arg);                 \
            if (k != NEXT) goto halt;              \
            break;
        EVM_OPS_ALL(DISPATCH)
#undef DISPATCH
        default:
            RT_ASSERT(0); /* the table marked it valid */
        }
        continue;
    halt:
        if (k == FAIL) goto fail;
        goto done;
    }
fail:
#ifdef SWAPVM_EVM_TRACE
    trace_end(&f, EXEC_ERROR, 0);
#endif
    result_error(r);
    return;
done:
#ifdef SWAPVM_EVM_TRACE
    trace_end(&f, vm.status, vm.gas);
#endif
    r->status = vm.status;
    r->gas_left = vm.gas;
    r->refund = vm.status == EXEC_SUCCESS ? f.refund : 0;
}
