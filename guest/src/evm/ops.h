/* One function per opcode (opcodes.h names them op_<fn>), included by interp.c only, whose
 * dispatch switch inlines them: each is always inlined, so the loop's locals (the stack height,
 * the gas, the pc) stay in registers as in a hand-written switch.
 *
 * Each function shows the opcode's three parts: STACK (the items it reads and writes, relative to
 * the top; the loop has checked the heights against the table), GAS (the static part was charged
 * by the loop from the table; what a function charges is the dynamic part) and the operation. A
 * function returns NEXT to continue, HALT when the frame ends normally (vm->status set) and FAIL
 * for an exceptional halt. Opcodes that reach outside the frame (storage, calls, creations, logs,
 * SELFDESTRUCT) call ops_system.c through SYS, which hands the frame its stack height and gas.
 */
#ifndef SWAPVM_EVM_OPS_H
#define SWAPVM_EVM_OPS_H

#include "frame.h"
#include "opcodes.h"

/* The interpreter's registers: one frame's running state. Only ever addressed by the inlined
 * opcode functions, so the compiler keeps its fields in registers. */
typedef struct {
    u256 *stack;
    size_t sp;             /* number of items */
    uint64_t gas;
    size_t pc;             /* of the next byte to read (the opcode's own pc is pc - 1) */
    const uint8_t *code;
    size_t code_len;
    const uint8_t *jd;     /* JUMPDEST bitmap, built at the first jump */
    const msg_t *m;
    frame_t *f;            /* the frame (memory, refund, return data) for out-of-line helpers */
    const opinfo_t *info;  /* the running opcode's table entry (its fork variant) */
    result_t *r;
    int status;            /* EXEC_* when the function returns HALT */
} vm_t;

enum { NEXT = 0, HALT = 1, FAIL = 2 };

#define OPFN(fn) \
    static inline __attribute__((always_inline)) int op_##fn(vm_t *vm, unsigned arg __attribute__((unused)))
#define ST(i) (vm->stack[vm->sp - 1 - (i)]) /* i-th item from the top; ST(-1) is the push slot */
#define CHARGE(g)                         \
    do {                                  \
        uint64_t c_ = (g);                \
        if (vm->gas < c_) return FAIL;    \
        vm->gas -= c_;                    \
    } while (0)
/* Run an out-of-line helper on the frame: it sees the stack height and gas, and hands them back. */
#define SYS(call)                         \
    do {                                  \
        vm->f->sp = vm->sp;               \
        vm->f->gas = vm->gas;             \
        bool ok_ = (call);                \
        vm->sp = vm->f->sp;               \
        vm->gas = vm->f->gas;             \
        if (!ok_) return FAIL;            \
    } while (0)

/* The helpers the functions share (interp.c). */
static const uint8_t *jump_table(const msg_t *m);
static bool valid_jump(const uint8_t *bits, size_t code_len, const u256 *dest);
static void block_hash(const u256 *n, u256 *out);

/* The account an address operand names. */
static inline account_t *account_at(const u256 *w) {
    uint8_t a[20];
    word_to_addr(w, a);
    return world_account(a);
}

/* The length of a memory range whose expansion succeeded (its size fits then; 0 stays 0). */
static inline size_t range_len(const u256 *size) { return u256_is_zero(size) ? 0 : (size_t)size->w[0]; }

/* ---- arithmetic, comparison, bitwise: STACK a b -> r (r replaces b); GAS static only ---- */

#define BINARY(fn, expr)                      \
    OPFN(fn) {                                \
        u256 *a = &ST(0), *b = &ST(1);        \
        expr;                                 \
        vm->sp--;                             \
        return NEXT;                          \
    }
BINARY(add, u256_add(b, a, b))
BINARY(mul, u256_mul(b, a, b))
BINARY(sub, u256_sub(b, a, b))
BINARY(div, u256_div(b, a, b))
BINARY(sdiv, u256_sdiv(b, a, b))
BINARY(mod, u256_mod(b, a, b))
BINARY(smod, u256_smod(b, a, b))
BINARY(signextend, u256_signextend(b, a, b))
BINARY(lt, u256_set_u64(b, u256_lt(a, b)))
BINARY(gt, u256_set_u64(b, u256_lt(b, a)))
BINARY(slt, u256_set_u64(b, u256_slt(a, b)))
BINARY(sgt, u256_set_u64(b, u256_slt(b, a)))
BINARY(eq, u256_set_u64(b, u256_eq(a, b)))
BINARY(and, u256_and(b, a, b))
BINARY(or, u256_or(b, a, b))
BINARY(xor, u256_xor(b, a, b))
BINARY(byte, u256_byte(b, a, b))
BINARY(shl, u256_shl(b, a, b))
BINARY(shr, u256_shr(b, a, b))
BINARY(sar, u256_sar(b, a, b))
#undef BINARY

/* STACK a b n -> (a op b) mod n */
OPFN(addmod) {
    u256_addmod(&ST(2), &ST(0), &ST(1), &ST(2));
    vm->sp -= 2;
    return NEXT;
}
OPFN(mulmod) {
    u256_mulmod(&ST(2), &ST(0), &ST(1), &ST(2));
    vm->sp -= 2;
    return NEXT;
}
/* STACK base exponent -> base ** exponent; GAS + G_EXP_BYTE per byte of the exponent */
OPFN(exp) {
    CHARGE((uint64_t)G_EXP_BYTE * u256_byte_len(&ST(1)));
    u256_exp(&ST(1), &ST(0), &ST(1));
    vm->sp--;
    return NEXT;
}
/* STACK a -> r */
OPFN(iszero) {
    u256_set_u64(&ST(0), u256_is_zero(&ST(0)));
    return NEXT;
}
OPFN(not) {
    u256_not(&ST(0), &ST(0));
    return NEXT;
}

/* STACK offset size -> keccak256(memory); GAS + G_KECCAK_WORD per word, memory */
OPFN(keccak256) {
    size_t o;
    SYS(mem_expand(vm->f, &ST(0), &ST(1), &o));
    size_t len = range_len(&ST(1));
    CHARGE(G_KECCAK_WORD * words_of(len));
    uint8_t h[32];
    keccak256(len ? mem_at(vm->f, o, len) : NULL, len, h);
    u256_from_be(&ST(1), h, 32);
    vm->sp--;
    return NEXT;
}

/* ---- environment: STACK -> value (push), unless noted ---- */

#define PUSH_WORD(fn, expr)           \
    OPFN(fn) {                        \
        u256 *r = &ST(-1);            \
        expr;                         \
        vm->sp++;                     \
        return NEXT;                  \
    }
PUSH_WORD(address, addr_to_word(vm->m->to, r))
PUSH_WORD(origin, addr_to_word(g_env.origin, r))
PUSH_WORD(caller, addr_to_word(vm->m->caller, r))
PUSH_WORD(callvalue, *r = vm->m->value)
PUSH_WORD(calldatasize, u256_set_u64(r, vm->m->data_len))
PUSH_WORD(codesize, u256_set_u64(r, vm->code_len))
PUSH_WORD(gasprice, *r = g_env.gas_price)
PUSH_WORD(returndatasize, u256_set_u64(r, vm->f->ret->len))
PUSH_WORD(coinbase, *r = g_env.coinbase_word)
PUSH_WORD(timestamp, u256_set_u64(r, g_env.header->timestamp))
PUSH_WORD(number, u256_set_u64(r, g_env.header->number))
PUSH_WORD(prevrandao, *r = g_env.prevrandao)
PUSH_WORD(gaslimit, u256_set_u64(r, g_env.header->gas_limit))
PUSH_WORD(chainid, *r = g_env.chain_id)
PUSH_WORD(selfbalance, *r = acc(world_account(vm->m->to))->balance)
PUSH_WORD(basefee, *r = g_env.base_fee)
PUSH_WORD(blobbasefee, *r = g_env.blob_base_fee) /* EIP-7516 */
PUSH_WORD(pc, u256_set_u64(r, vm->pc - 1))
PUSH_WORD(msize, u256_set_u64(r, vm->f->mem_size))
PUSH_WORD(gas, u256_set_u64(r, vm->gas))
PUSH_WORD(push0, u256_set_u64(r, 0))
#undef PUSH_WORD

/* STACK address -> balance; GAS warm/cold access (EIP-2929) */
OPFN(balance) {
    account_t *who = account_at(&ST(0));
    SYS(charge_account_access(vm->f, who));
    ST(0) = acc(who)->balance;
    return NEXT;
}
/* STACK address -> size (arg 0) or code hash (arg 1, 0 for a dead account); GAS warm/cold */
OPFN(extcode) {
    account_t *who = account_at(&ST(0));
    SYS(charge_account_access(vm->f, who));
    if (arg == 0) {
        world_need_code(who); /* EXTCODESIZE: machine A reads the code */
        u256_set_u64(&ST(0), who->code_len);
    } else if (account_dead(who)) u256_set_u64(&ST(0), 0);
    else u256_from_be(&ST(0), account_code_hash(who), 32);
    return NEXT;
}
/* STACK offset -> 32 bytes of calldata (zero past its end) */
OPFN(calldataload) {
    uint8_t w[32];
    copy_padded(w, msg_data(vm->m), vm->m->data_phys, &ST(0), 32);
    u256_from_be(&ST(0), w, 32);
    return NEXT;
}
/* STACK dest offset size -> ; GAS + G_COPY_WORD per word, memory. CALLDATACOPY, CODECOPY and
 * RETURNDATACOPY (which halts when it reads past the return data). */
OPFN(copy) {
    if (arg == COPY_RETURNDATA) {
        u256 end;
        u256_add(&end, &ST(1), &ST(2));
        if (u256_lt(&end, &ST(1)) || !u256_fits_u64(&end) || end.w[0] > vm->f->ret->len) return FAIL;
    }
    size_t o;
    SYS(mem_expand(vm->f, &ST(0), &ST(2), &o));
    size_t len = range_len(&ST(2));
    CHARGE(G_COPY_WORD * words_of(len));
    if (len) {
        uint8_t *dst = mem_at(vm->f, o, len); /* first: it may move the region */
        const msg_t *m = vm->m;
        const uint8_t *src = arg == COPY_CALLDATA ? msg_data(m) : arg == COPY_CODE ? vm->code : vm->f->ret->ptr;
        size_t src_len = arg == COPY_CALLDATA ? m->data_phys : arg == COPY_CODE ? vm->code_len : vm->f->ret->len;
        copy_padded(dst, src, src_len, &ST(1), len);
    }
    vm->sp -= 3;
    return NEXT;
}
/* STACK address dest offset size -> ; GAS warm/cold, + G_COPY_WORD per word, memory */
OPFN(extcodecopy) {
    account_t *who = account_at(&ST(0));
    SYS(charge_account_access(vm->f, who));
    size_t o;
    SYS(mem_expand(vm->f, &ST(1), &ST(3), &o));
    world_need_code(who); /* where machine A reads it: after the memory, before the copy's gas */
    size_t len = range_len(&ST(3));
    CHARGE(G_COPY_WORD * words_of(len));
    if (len) copy_padded(mem_at(vm->f, o, len), who->code, who->code_len, &ST(2), len);
    vm->sp -= 4;
    return NEXT;
}
/* STACK number -> hash of that block (0 unless one of the 256 before this one) */
OPFN(blockhash) {
    block_hash(&ST(0), &ST(0));
    return NEXT;
}
/* STACK index -> the transaction's blob versioned hash at index, 0 past the last (EIP-4844) */
OPFN(blobhash) {
    u256 *i = &ST(0);
    if (u256_fits_u64(i) && i->w[0] < g_env.n_blob_hashes) u256_from_be(i, g_env.blob_hashes[i->w[0]], 32);
    else u256_set_u64(i, 0);
    return NEXT;
}

/* ---- stack, memory, storage ---- */

/* STACK a -> */
OPFN(pop) {
    vm->sp--;
    return NEXT;
}
/* STACK offset -> word; GAS memory */
OPFN(mload) {
    u256 n32;
    size_t o;
    u256_set_u64(&n32, 32);
    SYS(mem_expand(vm->f, &ST(0), &n32, &o));
    u256_from_be(&ST(0), mem_at(vm->f, o, 32), 32);
    return NEXT;
}
/* STACK offset value -> ; GAS memory. MSTORE (arg 32) and MSTORE8 (arg 1). */
OPFN(mstore) {
    u256 n;
    size_t o;
    u256_set_u64(&n, arg);
    SYS(mem_expand(vm->f, &ST(0), &n, &o));
    if (arg == 32) u256_to_be(&ST(1), mem_at(vm->f, o, 32));
    else *mem_at(vm->f, o, 1) = (uint8_t)ST(1).w[0];
    vm->sp -= 2;
    return NEXT;
}
/* STACK dest src size -> ; GAS + G_COPY_WORD per word, memory of both ranges (EIP-5656). The
 * ranges may overlap either way: the copy reads all of the source before it writes. */
OPFN(mcopy) {
    size_t d, s;
    SYS(mem_expand(vm->f, &ST(1), &ST(2), &s) && mem_expand(vm->f, &ST(0), &ST(2), &d));
    size_t len = range_len(&ST(2));
    CHARGE(G_COPY_WORD * words_of(len));
    if (len) {
        mem_at(vm->f, s, len); /* store both ranges first: storing may move the region */
        uint8_t *dst = mem_at(vm->f, d, len);
        memmove(dst, mem_at(vm->f, s, len), len);
    }
    vm->sp -= 3;
    return NEXT;
}
/* STACK key -> value; GAS warm/cold slot (EIP-2929) */
OPFN(sload) {
    SYS(sys_sload(vm->f));
    return NEXT;
}
/* STACK key value -> ; GAS EIP-2200/2929/3529 with refunds */
OPFN(sstore) {
    SYS(sys_sstore(vm->f));
    return NEXT;
}
/* STACK key -> transient value (EIP-1153) */
OPFN(tload) {
    ST(0) = world_tload(world_account(vm->m->to), &ST(0));
    return NEXT;
}
/* STACK key value -> ; a write: fails in a static context (EIP-1153) */
OPFN(tstore) {
    if (vm->m->is_static) return FAIL;
    world_tstore(world_account(vm->m->to), &ST(0), &ST(1));
    vm->sp -= 2;
    return NEXT;
}

/* ---- control flow ---- */

/* STACK dest -> ; fails unless dest is a JUMPDEST */
OPFN(jump) {
    if (!vm->jd) vm->jd = jump_table(vm->m);
    if (!valid_jump(vm->jd, vm->code_len, &ST(0))) return FAIL;
    vm->pc = (size_t)ST(0).w[0];
    vm->sp--;
    return NEXT;
}
/* STACK dest condition -> */
OPFN(jumpi) {
    if (!u256_is_zero(&ST(1))) {
        if (!vm->jd) vm->jd = jump_table(vm->m);
        if (!valid_jump(vm->jd, vm->code_len, &ST(0))) return FAIL;
        vm->pc = (size_t)ST(0).w[0];
    }
    vm->sp -= 2;
    return NEXT;
}
OPFN(jumpdest) {
    (void)vm;
    return NEXT;
}
/* STACK -> ; the frame succeeds with no output */
OPFN(stop) {
    vm->status = EXEC_SUCCESS;
    return HALT;
}
/* STACK offset size -> ; GAS memory. RETURN (arg EXEC_SUCCESS) and REVERT (arg EXEC_REVERT). */
OPFN(return) {
    size_t o;
    SYS(mem_expand(vm->f, &ST(0), &ST(1), &o));
    size_t len = range_len(&ST(1));
    vm->r->out_len = len;
    if (len) vm->r->out = mem_at(vm->f, o, len);
    vm->status = (int)arg;
    return HALT;
}

/* ---- push, dup, swap ---- */

/* STACK -> the next byte of code (PUSH1: the commonest opcode) */
OPFN(push1) {
    u256_set_u64(&ST(-1), vm->pc < vm->code_len ? vm->code[vm->pc] : 0);
    vm->sp++;
    vm->pc++;
    return NEXT;
}
/* PUSHn whose bytes run past the end of the code (rare: out of line). */
static __attribute__((noinline)) void push_past_end(u256 *r, const uint8_t *p, size_t avail, size_t n) {
    uint8_t w[32] = {0};
    for (size_t i = 0; i < avail; i++) w[i] = p[i];
    u256_from_be(r, w, n);
}
/* STACK -> the next arg bytes of code, big-endian; bytes past the end of the code read as zero */
OPFN(push) {
    size_t n = arg, pc = vm->pc;
    const uint8_t *code = vm->code;
    if (pc + n > vm->code_len) {
        push_past_end(&ST(-1), code + pc, vm->code_len - pc, n);
    } else if (n <= 8) {
        uint64_t v = 0;
        for (size_t i = 0; i < n; i++) v = (v << 8) | code[pc + i];
        u256_set_u64(&ST(-1), v);
    } else {
        u256_from_be(&ST(-1), code + pc, n);
    }
    vm->sp++;
    vm->pc = pc + n;
    return NEXT;
}
/* STACK a_1 … a_arg -> a_arg a_1 … a_arg */
OPFN(dup) {
    ST(-1) = ST(arg - 1);
    vm->sp++;
    return NEXT;
}
/* STACK a_0 … a_arg -> a_arg … a_0 */
OPFN(swap) {
    u256 *a = &ST(0), *b = &ST(arg);
    for (int i = 0; i < 4; i++) { /* limb by limb: no u256 temporary on the C stack per SWAPn */
        uint64_t t = a->w[i];
        a->w[i] = b->w[i];
        b->w[i] = t;
    }
    return NEXT;
}

/* ---- logs, calls, creations, SELFDESTRUCT (ops_system.c) ---- */

/* STACK offset size topic_1 … topic_arg -> ; GAS + G_LOG_BYTE per byte, memory; not static */
OPFN(log) {
    SYS(sys_log(vm->f, arg));
    return NEXT;
}
/* STACK gas address [value] in_offset in_size out_offset out_size -> success; arg: the opcode */
OPFN(call) {
    SYS(sys_call(vm->f, (uint8_t)arg));
    return NEXT;
}
/* STACK value offset size [salt] -> address or 0; arg: 1 for CREATE2 */
OPFN(create) {
    SYS(sys_create(vm->f, arg != 0));
    return NEXT;
}
/* STACK beneficiary -> ; the frame succeeds. The table's variant selects the fork's rule. */
OPFN(selfdestruct) {
    SYS(sys_selfdestruct(vm->f, vm->info->variant == SELFDESTRUCT_EIP6780));
    vm->status = EXEC_SUCCESS;
    return HALT;
}

#undef OPFN
#undef CHARGE
#undef SYS

#endif
