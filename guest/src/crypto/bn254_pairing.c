/* The optimal ate pairing on BN254 (Vercauteren, "Optimal pairings", 2010): one Miller loop over
 * 6u+2 shared by all pairs, the two Frobenius lines, and the final exponentiation
 * (p^12 - 1)/r = (p^6 - 1)(p^2 + 1) · (p^4 - p^2 + 1)/r.
 *
 * Lines: with the untwisting map (x, y) -> (x w^2, y w^3), the line through twist points of slope
 * λ through (x, y), evaluated at P = (xP, yP) in G1, is yP - λ xP w + (λ x - y) w^3, and
 * w^3 = v w, so it has the sparse shape l0 + (l10 + l11 v) w of fp12_mul_line. T runs in Jacobian
 * coordinates and each line is scaled by its denominator, an element of Fp2 ⊂ Fp6: factors in
 * Fp6 (like vertical lines, never computed) vanish in the final exponentiation. */
#include "bn254_internal.h"

/* f *= tangent line at T evaluated at P; T = 2T. With A = X^2 the line scaled by 2YZ^3 is
 * 2YZ·Z^2·yP - 3A·Z^2·xP w + (3A·X - 2Y^2) w^3; the doubling itself is g2_double. */
static void double_step(fp12 *f, g2_jac *t, const fe256 *neg_px, const fe256 *py) {
    fp2 A, B, Z2, E, l0, l10, l11;
    fp2_sqr(&A, &t->x);
    fp2_sqr(&B, &t->y);
    fp2_sqr(&Z2, &t->z);
    fp2_add(&E, &A, &A);
    fp2_add(&E, &E, &A);
    fp2_mul(&l0, &t->y, &t->z);
    fp2_add(&l0, &l0, &l0);
    fp2_mul(&l0, &l0, &Z2);
    fp2_mul_fp(&l0, &l0, py);
    fp2_mul(&l10, &E, &Z2);
    fp2_mul_fp(&l10, &l10, neg_px);
    fp2_mul(&l11, &E, &t->x);
    fp2_sub(&l11, &l11, &B);
    fp2_sub(&l11, &l11, &B);
    fp12_mul_line(f, f, &l0, &l10, &l11);
    g2_double(t, t);
}

/* f *= line through T and the affine Q evaluated at P; T = T + Q. With H = xQ Z^2 - X and
 * R = yQ Z^3 - Y (slope R / ZH) the line through Q scaled by ZH is
 * ZH·yP - R·xP w + (R·xQ - yQ·ZH) w^3 (then the mixed addition). */
static void add_step(fp12 *f, g2_jac *t, const g2_affine *q, const fe256 *neg_px, const fe256 *py) {
    fp2 Z2, H, R, Z3, l0, l10, l11, HH, HHH, V, s;
    fp2_sqr(&Z2, &t->z);
    fp2_mul(&H, &q->x, &Z2);
    fp2_sub(&H, &H, &t->x);
    fp2_mul(&R, &q->y, &Z2);
    fp2_mul(&R, &R, &t->z);
    fp2_sub(&R, &R, &t->y);
    fp2_mul(&Z3, &t->z, &H);
    /* the line */
    fp2_mul_fp(&l0, &Z3, py);
    fp2_mul_fp(&l10, &R, neg_px);
    fp2_mul(&l11, &R, &q->x);
    fp2_mul(&s, &q->y, &Z3);
    fp2_sub(&l11, &l11, &s);
    fp12_mul_line(f, f, &l0, &l10, &l11);
    /* the addition: X3 = R^2 - H^3 - 2 X H^2, Y3 = R (X H^2 - X3) - Y H^3 */
    fp2_sqr(&HH, &H);
    fp2_mul(&HHH, &HH, &H);
    fp2_mul(&V, &t->x, &HH);
    fp2_sqr(&s, &R);
    fp2_sub(&s, &s, &HHH);
    fp2_sub(&s, &s, &V);
    fp2_sub(&t->x, &s, &V);
    fp2_sub(&s, &V, &t->x);
    fp2_mul(&s, &R, &s);
    fp2_mul(&HHH, &t->y, &HHH);
    fp2_sub(&t->y, &s, &HHH);
    t->z = Z3;
}

void bn254_twist_frobenius(g2_affine *r, const g2_affine *q) {
    fp2 t;
    fp2_conj(&t, &q->x);
    fp2_mul(&r->x, &t, &BN254_FROB_X);
    fp2_conj(&t, &q->y);
    fp2_mul(&r->y, &t, &BN254_FROB_Y);
}

void bn254_miller_loop(fp12 *f, const bn254_pair *pairs, size_t n) {
    fp12_set_one(f);
    if (n == 0) return;
    g2_jac *t = (g2_jac *)rt_alloc(n * sizeof *t);
    fe256 *neg_px = (fe256 *)rt_alloc(n * sizeof *neg_px);
    for (size_t j = 0; j < n; j++) {
        t[j].x = pairs[j].q.x;
        t[j].y = pairs[j].q.y;
        fp2_set_one(&t[j].z);
        mont_neg(FP, &neg_px[j], &pairs[j].px);
    }
    /* NAF digits of 6u+2 below the top one; a digit -1 adds -Q */
    g2_affine neg_q;
    for (int i = (int)sizeof BN254_ATE_NAF - 2; i >= 0; i--) {
        fp12_sqr(f, f);
        for (size_t j = 0; j < n; j++) double_step(f, &t[j], &neg_px[j], &pairs[j].py);
        int d = BN254_ATE_NAF[i];
        for (size_t j = 0; d != 0 && j < n; j++) {
            const g2_affine *q = &pairs[j].q;
            if (d < 0) {
                neg_q.x = q->x;
                fp2_neg(&neg_q.y, &q->y);
                q = &neg_q;
            }
            add_step(f, &t[j], q, &neg_px[j], &pairs[j].py);
        }
    }
    for (size_t j = 0; j < n; j++) {
        g2_affine q1, q2;
        bn254_twist_frobenius(&q1, &pairs[j].q);
        bn254_twist_frobenius(&q2, &q1);
        fp2_neg(&q2.y, &q2.y);
        add_step(f, &t[j], &q1, &neg_px[j], &pairs[j].py);
        add_step(f, &t[j], &q2, &neg_px[j], &pairs[j].py);
    }
}

/* r = a^u for a in the cyclotomic subgroup, over the NAF digits of u with cyclotomic squarings;
 * a digit -1 multiplies by the conjugate, which is the inverse there. */
static void pow_u(fp12 *r, const fp12 *a) {
    fp12 acc = *a, inv;
    fp12_conj(&inv, a);
    for (int i = (int)sizeof BN254_U_NAF - 2; i >= 0; i--) {
        fp12_cyclo_sqr(&acc, &acc);
        if (BN254_U_NAF[i] > 0) fp12_mul(&acc, &acc, a);
        else if (BN254_U_NAF[i] < 0) fp12_mul(&acc, &acc, &inv);
    }
    *r = acc;
}

void bn254_final_exp(fp12 *r, const fp12 *f) {
    fp12 m, t;
    /* easy part: m = f^((p^6 - 1)(p^2 + 1)); the p^6 power is the conjugate. Afterwards m is
     * in the cyclotomic subgroup, where the inverse is the conjugate. */
    fp12_inv(&t, f);
    fp12_conj(&m, f);
    fp12_mul(&m, &m, &t);
    fp12_frob2(&t, &m);
    fp12_mul(&m, &t, &m);
    /* hard part (p^4 - p^2 + 1)/r = λ0 + λ1 p + λ2 p^2 + p^3 in the addition chain of Scott,
     * Benger, Charlemagne, Dominguez Perez, Kachisa, "On the final exponentiation for calculating
     * pairings on ordinary elliptic curves" (2009), §5: m^λ = y0 · y1^2 · y2^6 · y3^12 · y4^18 ·
     * y5^30 · y6^36 with the y's below. */
    fp12 fx, fx2, fx3, y0, y1, y2, y3, y4, y5, y6, t0, t1;
    pow_u(&fx, &m);
    pow_u(&fx2, &fx);
    pow_u(&fx3, &fx2);
    fp12_frob(&y0, &m);              /* y0 = m^p · m^(p^2) · m^(p^3) */
    fp12_frob2(&t, &m);
    fp12_mul(&y0, &y0, &t);
    fp12_frob(&t, &t);
    fp12_mul(&y0, &y0, &t);
    fp12_conj(&y1, &m);              /* y1 = 1/m */
    fp12_frob2(&y2, &fx2);           /* y2 = (m^(u^2))^(p^2) */
    fp12_frob(&y3, &fx);             /* y3 = 1/(m^u)^p */
    fp12_conj(&y3, &y3);
    fp12_frob(&y4, &fx2);            /* y4 = 1/(m^u · (m^(u^2))^p) */
    fp12_mul(&y4, &y4, &fx);
    fp12_conj(&y4, &y4);
    fp12_conj(&y5, &fx2);            /* y5 = 1/m^(u^2) */
    fp12_frob(&y6, &fx3);            /* y6 = 1/(m^(u^3) · (m^(u^3))^p) */
    fp12_mul(&y6, &y6, &fx3);
    fp12_conj(&y6, &y6);
    fp12_cyclo_sqr(&t0, &y6);
    fp12_mul(&t0, &t0, &y4);
    fp12_mul(&t0, &t0, &y5);
    fp12_mul(&t1, &y3, &y5);
    fp12_mul(&t1, &t1, &t0);
    fp12_mul(&t0, &t0, &y2);
    fp12_cyclo_sqr(&t1, &t1);
    fp12_mul(&t1, &t1, &t0);
    fp12_cyclo_sqr(&t1, &t1);
    fp12_mul(&t0, &t1, &y1);
    fp12_mul(&t1, &t1, &y0);
    fp12_cyclo_sqr(&t0, &t0);
    fp12_mul(r, &t0, &t1);
}
