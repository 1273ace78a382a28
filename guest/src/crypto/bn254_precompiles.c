/* The alt_bn128 precompiles: ecAdd (0x06), ecMul (0x07), ecPairing (0x08), with the input
 * validation of EIP-196/197 and the gas of EIP-1108. */
#include "bn254_internal.h"
#include "precompile_internal.h"

/* Decode a field element (< p) into Montgomery form. */
static bool fp_decode(fe256 *r, const uint8_t in[32]) {
    fe256 v;
    fe_from_be(&v, in);
    if (!fe_lt_mod(FP, &v)) return false;
    mont_to(FP, r, &v);
    return true;
}

/* Decode a G1 point: coordinates < p, (0, 0) the point at infinity, else on y^2 = x^3 + 3. */
static bool g1_decode(g1_jac *r, const uint8_t in[64]) {
    if (!fp_decode(&r->x, in) || !fp_decode(&r->y, in + 32)) return false;
    if (fe_is_zero(&r->x) && fe_is_zero(&r->y)) {
        memset(r, 0, sizeof *r);
        return true;
    }
    fe256 lhs, rhs, three = {{3, 0, 0, 0}};
    mont_sqr(FP, &lhs, &r->y);
    mont_sqr(FP, &rhs, &r->x);
    mont_mul(FP, &rhs, &rhs, &r->x);
    mont_to(FP, &three, &three);
    mont_add(FP, &rhs, &rhs, &three);
    if (!fe_eq(&lhs, &rhs)) return false;
    mont_set_one(FP, &r->z);
    return true;
}

static void g1_encode(const g1_jac *a, uint8_t out[64]) {
    fe256 x, y;
    if (!g1_to_affine(a, &x, &y)) {
        memset(out, 0, 64);
        return;
    }
    mont_from(FP, &x, &x);
    mont_from(FP, &y, &y);
    fe_to_be(&x, out);
    fe_to_be(&y, out + 32);
}

/* Decode a G2 point (x_im ‖ x_re ‖ y_im ‖ y_re): coordinates < p; all zero is infinity (*inf);
 * otherwise on the twist and in the order-r subgroup. */
static bool g2_decode(g2_affine *r, bool *inf, const uint8_t in[128]) {
    if (!fp_decode(&r->x.c1, in) || !fp_decode(&r->x.c0, in + 32) || !fp_decode(&r->y.c1, in + 64) ||
        !fp_decode(&r->y.c0, in + 96))
        return false;
    *inf = fp2_is_zero(&r->x) && fp2_is_zero(&r->y);
    if (*inf) return true;
    fp2 lhs, rhs;
    fp2_sqr(&lhs, &r->y);
    fp2_sqr(&rhs, &r->x);
    fp2_mul(&rhs, &rhs, &r->x);
    fp2_add(&rhs, &rhs, &BN254_TWIST_B);
    if (!fp2_eq(&lhs, &rhs)) return false;
    /* Subgroup check. py-evm asks r·Q = O; equivalently ψ(Q) = [6u^2]Q: ψ satisfies
     * ψ^2 - tψ + p = 0 with t = 6u^2 + 1, so ψ(Q) = [λ]Q with λ = 6u^2 gives
     * [λ^2 - tλ + p]Q = [p - 6u^2]Q = [r]Q = O; conversely ψ is [p] = [6u^2] on G2. Half the
     * doublings of r·Q. */
    g2_jac j = {r->x, r->y, {{{0}}, {{0}}}}, lq;
    fp2_set_one(&j.z);
    g2_mul(&lq, &j, &BN254_SIX_U2);
    if (fp2_is_zero(&lq.z)) return false;
    g2_affine psi;
    bn254_twist_frobenius(&psi, r);
    fp2 z2, z3, t;
    fp2_sqr(&z2, &lq.z);
    fp2_mul(&z3, &z2, &lq.z);
    fp2_mul(&t, &psi.x, &z2);
    if (!fp2_eq(&t, &lq.x)) return false;
    fp2_mul(&t, &psi.y, &z3);
    return fp2_eq(&t, &lq.y);
}

int bn254_g1_add(const uint8_t in[128], uint8_t out[64]) {
    g1_jac a, b;
    if (!g1_decode(&a, in) || !g1_decode(&b, in + 64)) return 1;
    g1_add(&a, &a, &b);
    g1_encode(&a, out);
    return 0;
}

int bn254_g1_mul(const uint8_t in[96], uint8_t out[64]) {
    g1_jac a;
    if (!g1_decode(&a, in)) return 1;
    fe256 k;
    fe_from_be(&k, in + 64);
    g1_mul(&a, &a, &k);
    g1_encode(&a, out);
    return 0;
}

int bn254_pairing_check(const uint8_t *in, size_t npairs, bool *holds) {
    /* decode every pair first; pairs with a point at infinity contribute 1 and are dropped */
    bn254_pair *pairs = npairs ? (bn254_pair *)rt_alloc(npairs * sizeof *pairs) : NULL;
    size_t n = 0;
    for (size_t k = 0; k < npairs; k++) {
        const uint8_t *pair = in + 192 * k;
        g1_jac p;
        bool q_inf;
        if (!g1_decode(&p, pair) || !g2_decode(&pairs[n].q, &q_inf, pair + 64)) return 1;
        if (fe_is_zero(&p.z) || q_inf) continue;
        pairs[n].px = p.x; /* g1_decode leaves Z = 1 */
        pairs[n].py = p.y;
        n++;
    }
    fp12 f;
    bn254_miller_loop(&f, pairs, n);
    bn254_final_exp(&f, &f);
    *holds = fp12_is_one(&f);
    return 0;
}

/* ecAdd and ecMul: the input zero-padded (or cut) to `width` bytes, a fixed price, a 64-byte
 * point out; an invalid point fails with all gas. */
static int g1_precompile(int (*op)(const uint8_t *, uint8_t *), size_t width, uint64_t price, const uint8_t *in,
                         size_t in_len, uint64_t gas_limit, precompile_result *res) {
    uint8_t buf[128], out[64];
    precompile_padded(buf, width, in, in_len);
    if (price > gas_limit) return precompile_fail(res, gas_limit, PRECOMPILE_OOG);
    if (op(buf, out)) return precompile_fail(res, gas_limit, PRECOMPILE_FAIL);
    precompile_charge(res, gas_limit, price, 64);
    memcpy(res->out, out, 64);
    return PRECOMPILE_OK;
}

int precompile_bn254_add(const uint8_t *in, size_t in_len, uint64_t gas_limit, precompile_result *res) {
    return g1_precompile(bn254_g1_add, 128, 150, in, in_len, gas_limit, res);
}

int precompile_bn254_mul(const uint8_t *in, size_t in_len, uint64_t gas_limit, precompile_result *res) {
    return g1_precompile(bn254_g1_mul, 96, 6000, in, in_len, gas_limit, res);
}

int precompile_bn254_pairing(const uint8_t *in, size_t in_len, uint64_t gas_limit, precompile_result *res) {
    /* gas 45000 + 34000 k with k = floor(len / 192), charged before the length check */
    uint64_t k = in_len / 192;
    uint64_t gas = k > (UINT64_MAX - 45000) / 34000 ? UINT64_MAX : 45000 + 34000 * k;
    if (gas > gas_limit) return precompile_fail(res, gas_limit, PRECOMPILE_OOG);
    if (in_len % 192) return precompile_fail(res, gas_limit, PRECOMPILE_FAIL);
    bool holds;
    if (bn254_pairing_check(in, (size_t)k, &holds)) return precompile_fail(res, gas_limit, PRECOMPILE_FAIL);
    precompile_charge(res, gas_limit, gas, 32);
    res->out[31] = holds;
    return PRECOMPILE_OK;
}
