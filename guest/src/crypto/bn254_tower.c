/* The BN254 extension-field tower (see bn254_internal.h for the moduli): the shared tower of
 * tower_template.h with xi = 9 + i, and the sparse product by a line. */
#include "bn254_internal.h"

#define TW_FE fe256
#define TW_ADD(r, a, b) mont_add(FP, r, a, b)
#define TW_SUB(r, a, b) mont_sub(FP, r, a, b)
#define TW_MUL(r, a, b) mont_mul(FP, r, a, b)
#define TW_NEG(r, a) mont_neg(FP, r, a)
#define TW_SQR(r, a) mont_sqr(FP, r, a)
#define TW_INV(r, a) mont_inv(FP, r, a)
#define TW_SET_ONE(r) mont_set_one(FP, r)
#define TW_IS_ZERO(a) fe_is_zero(a)
#define TW_EQ(a, b) fe_eq(a, b)
#define TW_FROB1 BN254_FROB1
#define TW_FROB2 BN254_FROB2
#include "tower_template.h"

void fp2_mul_xi(fp2 *r, const fp2 *a) {
    /* (a0 + a1 i)(9 + i) = (9 a0 - a1) + (a0 + 9 a1) i */
    fe256 n0 = a->c0, n1 = a->c1, t0, t1;
    mont_add(FP, &t0, &n0, &n0); /* 2 */
    mont_add(FP, &t0, &t0, &t0); /* 4 */
    mont_add(FP, &t0, &t0, &t0); /* 8 */
    mont_add(FP, &t0, &t0, &n0); /* 9 a0 */
    mont_add(FP, &t1, &n1, &n1);
    mont_add(FP, &t1, &t1, &t1);
    mont_add(FP, &t1, &t1, &t1);
    mont_add(FP, &t1, &t1, &n1); /* 9 a1 */
    mont_sub(FP, &r->c0, &t0, &n1);
    mont_add(FP, &r->c1, &t1, &n0);
}

void fp12_mul_line(fp12 *r, const fp12 *f, const fp2 *l0, const fp2 *l10, const fp2 *l11) {
    /* L = L0 + L1 w with L0 = l0 (in Fp2), L1 = l10 + l11 v:
     * f L = (f0 L0 + v f1 L1) + ((f0 + f1)(L0 + L1) - f0 L0 - f1 L1) w */
    fp6 t0, t1, t2;
    fp2_mul(&t0.c0, &f->c0.c0, l0);
    fp2_mul(&t0.c1, &f->c0.c1, l0);
    fp2_mul(&t0.c2, &f->c0.c2, l0);
    fp6_mul_01(&t1, &f->c1, l10, l11);
    fp2 b0;
    fp2_add(&b0, l10, l0);
    fp6_add(&t2, &f->c0, &f->c1);
    fp6_mul_01(&t2, &t2, &b0, l11);
    fp6_sub(&t2, &t2, &t0);
    fp6_sub(&r->c1, &t2, &t1);
    fp6_mul_v(&t1, &t1);
    fp6_add(&r->c0, &t0, &t1);
}
