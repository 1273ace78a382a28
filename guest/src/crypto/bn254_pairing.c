/* The optimal ate pairing on BN254 (Vercauteren, "Optimal pairings", 2010): a Miller loop over
 * 6u+2 in affine coordinates on the twist, the two Frobenius lines, and the final exponentiation
 * (p^12 - 1)/r = (p^6 - 1)(p^2 + 1) · (p^4 - p^2 + 1)/r.
 *
 * Lines: with the untwisting map (x, y) -> (x w^2, y w^3), the line through twist points T and
 * T' of slope λ, evaluated at P = (xP, yP) in G1, is yP - λ xP w + (λ xT - yT) w^3, and w^3 = v w,
 * so it has the sparse shape l0 + (l10 + l11 v) w that fp12_mul_line takes. Vertical lines lie
 * in Fp6 and vanish in the final exponentiation, so they are never computed. */
#include "bn254_internal.h"

/* f *= the line through t with slope lam, at (neg_px, py); t = t' given its new coordinates. */
static void apply_line(fp12 *f, g2_affine *t, const fp2 *lam, const fp2 *x3, const fe256 *neg_px,
                       const fe256 *py) {
    fp2 l10, l11, y3;
    fp2_mul_fp(&l10, lam, neg_px);
    fp2_mul(&l11, lam, &t->x);
    fp2_sub(&l11, &l11, &t->y);
    fp12_mul_line(f, f, py, &l10, &l11);
    /* y3 = λ (xT - x3) - yT */
    fp2_sub(&y3, &t->x, x3);
    fp2_mul(&y3, lam, &y3);
    fp2_sub(&t->y, &y3, &t->y);
    t->x = *x3;
}

/* Tangent at t: λ = 3 xT^2 / (2 yT), x3 = λ^2 - 2 xT. */
static void double_step(fp12 *f, g2_affine *t, const fe256 *neg_px, const fe256 *py) {
    fp2 lam, num, den, x3;
    fp2_sqr(&num, &t->x);
    fp2_add(&lam, &num, &num);
    fp2_add(&num, &lam, &num);
    fp2_add(&den, &t->y, &t->y);
    fp2_inv(&den, &den);
    fp2_mul(&lam, &num, &den);
    fp2_sqr(&x3, &lam);
    fp2_sub(&x3, &x3, &t->x);
    fp2_sub(&x3, &x3, &t->x);
    apply_line(f, t, &lam, &x3, neg_px, py);
}

/* Chord through t and q: λ = (yQ - yT) / (xQ - xT), x3 = λ^2 - xT - xQ. */
static void add_step(fp12 *f, g2_affine *t, const g2_affine *q, const fe256 *neg_px, const fe256 *py) {
    fp2 lam, num, den, x3;
    fp2_sub(&num, &q->y, &t->y);
    fp2_sub(&den, &q->x, &t->x);
    fp2_inv(&den, &den);
    fp2_mul(&lam, &num, &den);
    fp2_sqr(&x3, &lam);
    fp2_sub(&x3, &x3, &t->x);
    fp2_sub(&x3, &x3, &q->x);
    apply_line(f, t, &lam, &x3, neg_px, py);
}

/* The p-power Frobenius endomorphism on the twist. */
static void twist_frobenius(g2_affine *r, const g2_affine *q) {
    fp2 t;
    fp2_conj(&t, &q->x);
    fp2_mul(&r->x, &t, &BN254_FROB_X);
    fp2_conj(&t, &q->y);
    fp2_mul(&r->y, &t, &BN254_FROB_Y);
}

void bn254_miller_loop(fp12 *f, const fe256 *px, const fe256 *py, const g2_affine *q) {
    fe256 neg_px;
    mont_neg(FP, &neg_px, px);
    fp12 acc;
    fp12_set_one(&acc);
    g2_affine t = *q;
    /* bits of 6u+2 below the top one (bit 64) */
    for (int i = 63; i >= 0; i--) {
        fp12_sqr(&acc, &acc);
        double_step(&acc, &t, &neg_px, py);
        if ((BN254_ATE_LOOP[0] >> i) & 1) add_step(&acc, &t, q, &neg_px, py);
    }
    g2_affine q1, q2;
    twist_frobenius(&q1, q);
    twist_frobenius(&q2, &q1);
    fp2_neg(&q2.y, &q2.y);
    add_step(&acc, &t, &q1, &neg_px, py);
    add_step(&acc, &t, &q2, &neg_px, py);
    fp12_mul(f, f, &acc);
}

void bn254_final_exp(fp12 *r, const fp12 *f) {
    fp12 t, u;
    /* easy part: f^((p^6 - 1)(p^2 + 1)); the p^6 power is the conjugate */
    fp12_inv(&u, f);
    fp12_conj(&t, f);
    fp12_mul(&t, &t, &u);
    fp12_frob2(&u, &t);
    fp12_mul(&t, &u, &t);
    /* hard part: square-and-multiply over the bits of (p^4 - p^2 + 1)/r */
    u = t;
    for (int i = (int)BN254_HARD_EXP_BITS - 2; i >= 0; i--) {
        fp12_sqr(&u, &u);
        if ((BN254_HARD_EXP[i >> 6] >> (i & 63)) & 1) fp12_mul(&u, &u, &t);
    }
    *r = u;
}
