/* The crypto test driver: secp256k1 recovery, Montgomery arithmetic and the precompiles behind
 * the test harness (guest/tests/harness). Arguments are parsed defensively; a malformed one is
 * answered with HARNESS_BAD_REQUEST. */
#include "../harness/harness.h" /* the harness lives beside this driver's folder */
#include "mont256.h"
#include "ops.h"
#include "precompiles.h"
#include "secp256k1.h"
#include "../../src/crypto/secp256k1_internal.h" /* the plain-residue field modulo p */

static uint64_t op_recover(span_t a, buf_t *r) {
    if (a.len != 97) return HARNESS_BAD_REQUEST;
    uint8_t pub[64];
    int st = secp256k1_recover(a.ptr, a.ptr + 32, a.ptr + 64, a.ptr[96], pub);
    if (st == 0) buf_put(r, pub, 64);
    return (uint64_t)st;
}

static uint64_t op_address(span_t a, buf_t *r) {
    if (a.len != 64) return HARNESS_BAD_REQUEST;
    secp256k1_pubkey_address(a.ptr, buf_extend(r, 20));
    return 0;
}

/* The secp256k1 field on plain residues: the same operations without Montgomery form. */
static uint64_t op_secp_fe(span_t a, buf_t *r) {
    const mont256_ctx *c = &SECP256K1_P;
    fe256 x, y, z;
    fe_from_be(&x, a.ptr + 2);
    fe_from_be(&y, a.ptr + 34);
    if (!fe_lt_mod(c, &x) || !fe_lt_mod(c, &y)) return HARNESS_BAD_REQUEST;
    switch (a.ptr[1]) {
    case MONT_ADD: mont_add(c, &z, &x, &y); break;
    case MONT_SUB: mont_sub(c, &z, &x, &y); break;
    case MONT_NEG: mont_neg(c, &z, &x); break;
    case MONT_MUL: secp_fe_mul(&z, &x, &y); break;
    case MONT_SQR: secp_fe_sqr(&z, &x); break;
    case MONT_INV: fe_inv_plain(c, &z, &x); break;
    case MONT_SQRT:
        if (!secp_fe_sqrt(&z, &x)) return 1;
        break;
    default: return HARNESS_BAD_REQUEST;
    }
    fe_to_be(&z, buf_extend(r, 32));
    return 0;
}

static uint64_t op_mont(span_t a, buf_t *r) {
    static const mont256_ctx *const ctxs[4] = {&SECP256K1_P, &SECP256K1_N, &BN254_P, &BN254_R};
    if (a.len == 66 && a.ptr[0] == MONT_CTX_SECP_FE) return op_secp_fe(a, r);
    if (a.len != 66 || a.ptr[0] > 3) return HARNESS_BAD_REQUEST;
    const mont256_ctx *c = ctxs[a.ptr[0]];
    fe256 x, y, z;
    fe_from_be(&x, a.ptr + 2);
    fe_from_be(&y, a.ptr + 34);
    if (!fe_lt_mod(c, &x)) return HARNESS_BAD_REQUEST;
    bool ok = true;
    mont_to(c, &x, &x);
    if (a.ptr[1] == MONT_POW) {
        mont_pow(c, &z, &x, &y);
    } else {
        if (!fe_lt_mod(c, &y)) return HARNESS_BAD_REQUEST;
        mont_to(c, &y, &y);
        switch (a.ptr[1]) {
        case MONT_ADD: mont_add(c, &z, &x, &y); break;
        case MONT_SUB: mont_sub(c, &z, &x, &y); break;
        case MONT_MUL: mont_mul(c, &z, &x, &y); break;
        case MONT_INV: mont_inv(c, &z, &x); break;
        case MONT_SQRT: ok = mont_sqrt(c, &z, &x); break;
        case MONT_NEG: mont_neg(c, &z, &x); break;
        case MONT_SQR: mont_sqr(c, &z, &x); break;
        default: return HARNESS_BAD_REQUEST;
        }
    }
    if (!ok) return 1;
    mont_from(c, &z, &z);
    fe_to_be(&z, buf_extend(r, 32));
    return 0;
}

static uint64_t op_precompile(span_t a, buf_t *r) {
    uint64_t addr, gas;
    if (!harness_read_u64(&a, &addr) || !harness_read_u64(&a, &gas)) return HARNESS_BAD_REQUEST;
    precompile_result res;
    int st = precompile_run(addr > PRECOMPILE_LAST ? 0u : (unsigned)addr, a.ptr, a.len, gas, &res);
    store_le64(buf_extend(r, 8), res.gas_used);
    if (res.out_len) buf_put(r, res.out, res.out_len);
    return (uint64_t)st;
}

static uint64_t op_precompile_last(span_t a, buf_t *r) {
    uint64_t fork;
    if (!harness_read_u64(&a, &fork) || a.len) return HARNESS_BAD_REQUEST;
    store_le64(buf_extend(r, 8), precompile_last(fork));
    return 0;
}

const harness_op HARNESS_OPS[] = {
    {OP_RECOVER, op_recover},
    {OP_ADDRESS, op_address},
    {OP_MONT, op_mont},
    {OP_PRECOMPILE, op_precompile},
    {OP_BLS_FP, op_bls_fp},
    {OP_BLS_FP2, op_bls_fp2},
    {OP_BLS_FP12, op_bls_fp12},
    {OP_BLS_POINT, op_bls_point},
    {OP_BLS_PAIRING, op_bls_pairing},
    {OP_KZG_VERIFY, op_kzg_verify},
    {OP_PRECOMPILE_LAST, op_precompile_last},
    {0, NULL},
};
