/* The BLS12-381 extension-field tower (see bls12_381_internal.h): the shared tower of
 * tower_template.h with xi = 1 + u, square roots in Fp2, and the sparse product by a line. */
#include "bls12_381_internal.h"

#define TW_FE fp384
#define TW_ADD(r, a, b) fp_add(r, a, b)
#define TW_SUB(r, a, b) fp_sub(r, a, b)
#define TW_MUL(r, a, b) fp_mul(r, a, b)
#define TW_NEG(r, a) fp_neg(r, a)
#define TW_SQR(r, a) fp_sqr(r, a)
#define TW_INV(r, a) fp_inv(r, a)
#define TW_SET_ONE(r) fp_set_one(r)
#define TW_IS_ZERO(a) fp_is_zero(a)
#define TW_EQ(a, b) fp_eq(a, b)
#define TW_FROB1 BLS_FROB1
#define TW_FROB2 BLS_FROB2
#include "tower_template.h"

void fp2_mul_xi(fp2 *r, const fp2 *a) {
    /* (a0 + a1 u)(1 + u) = (a0 - a1) + (a0 + a1) u */
    fp384 t;
    fp_sub(&t, &a->c0, &a->c1);
    fp_add(&r->c1, &a->c0, &a->c1);
    r->c0 = t;
}

/* r = a^e for a plain exponent of six limbs, square and multiply from the top bit. */
static void fp2_pow(fp2 *r, const fp2 *a, const uint64_t e[FP_LIMBS]) {
    fp2 acc;
    fp2_set_one(&acc);
    for (int i = 64 * FP_LIMBS - 1; i >= 0; i--) {
        fp2_sqr(&acc, &acc);
        if ((e[i >> 6] >> (i & 63)) & 1) fp2_mul(&acc, &acc, a);
    }
    *r = acc;
}

/* e = (p - k) / 2^s for a small k making p - k divisible by 2^s (no borrow beyond limb 0). */
static void p_minus_shift(uint64_t e[FP_LIMBS], uint64_t k, int s) {
    for (int i = 0; i < FP_LIMBS; i++) e[i] = BLS_P.w[i];
    e[0] -= k;
    for (int i = 0; i < FP_LIMBS; i++) e[i] = (e[i] >> s) | (i + 1 < FP_LIMBS ? e[i + 1] << (64 - s) : 0);
}

bool fp2_sqrt(fp2 *r, const fp2 *a) {
    /* a1 = a^((p-3)/4), alpha = a1^2·a, x0 = a1·a; alpha = -1 gives x = u·x0, else
     * x = (1 + alpha)^((p-1)/2)·x0; x is a root exactly when a is a square. */
    uint64_t e[FP_LIMBS];
    fp2 a1, alpha, x0, x, minus_one, chk;
    p_minus_shift(e, 3, 2);
    fp2_pow(&a1, a, e);
    fp2_mul(&x0, &a1, a);
    fp2_mul(&alpha, &a1, &x0);
    fp2_set_one(&minus_one);
    fp2_neg(&minus_one, &minus_one);
    if (fp2_eq(&alpha, &minus_one)) {
        fp_neg(&x.c0, &x0.c1);
        x.c1 = x0.c0;
    } else {
        fp2 b, one;
        fp2_set_one(&one);
        fp2_add(&b, &alpha, &one);
        p_minus_shift(e, 1, 1);
        fp2_pow(&b, &b, e);
        fp2_mul(&x, &b, &x0);
    }
    fp2_sqr(&chk, &x);
    if (!fp2_eq(&chk, a)) return false;
    *r = x;
    return true;
}

bool fp2_is_large(const fp2 *a) { return fp_is_zero(&a->c1) ? fp_is_large(&a->c0) : fp_is_large(&a->c1); }

void bls_fp12_mul_line(fp12 *r, const fp12 *f, const fp2 *a, const fp2 *b, const fp2 *c) {
    /* L = L0 + L1 w with L0 = a + b v, L1 = c v:
     * f L = (f0 L0 + v f1 L1) + ((f0 + f1)(L0 + L1) - f0 L0 - f1 L1) w */
    fp6 t0, t1, t2;
    fp6_mul_01(&t0, &f->c0, a, b);
    fp2_mul(&t1.c0, &f->c1.c0, c);
    fp2_mul(&t1.c1, &f->c1.c1, c);
    fp2_mul(&t1.c2, &f->c1.c2, c);
    fp6_mul_v(&t1, &t1); /* f1 · c v */
    fp2 bc;
    fp2_add(&bc, b, c);
    fp6_add(&t2, &f->c0, &f->c1);
    fp6_mul_01(&t2, &t2, a, &bc);
    fp6_sub(&t2, &t2, &t0);
    fp6_sub(&r->c1, &t2, &t1);
    fp6_mul_v(&t1, &t1);
    fp6_add(&r->c0, &t0, &t1);
}
