/* The optimal ate pairing on BLS12-381: one Miller loop over |x| shared by all pairs, and the
 * final exponentiation.
 *
 * Lines: the twist is of M type, untwisted by (x, y) -> (x / w^2, y / w^3) (w^6 = xi). The line
 * through twist points with twist slope λ through (xT, yT), evaluated at P = (xP, yP) and
 * multiplied by w^3, is (λ xT - yT) - λ xP w^2 + yP w^3 = a + b v + c v w. T runs in Jacobian
 * coordinates and each line is further scaled by its denominator, which lies in Fp2: w^3 lies in
 * Fp4 and Fp2 in Fp4, and both vanish in the final exponentiation, (p^4 - 1) dividing
 * (p^12 - 1)/r. */
#include "bls12_381_internal.h"

/* f *= tangent line at T evaluated at P; T = 2T. With A = X^2, B = Y^2 the line scaled by 2YZ^3
 * is (3A·X - 2B) - 3A·Z^2·xP w^2 + 2YZ·Z^2·yP w^3. */
static void double_step(fp12 *f, bls_g2 *t, const fp384 *neg_px, const fp384 *py) {
    fp2 A, B, Z2, E, a, b, c;
    fp2_sqr(&A, &t->x);
    fp2_sqr(&B, &t->y);
    fp2_sqr(&Z2, &t->z);
    fp2_add(&E, &A, &A);
    fp2_add(&E, &E, &A);
    fp2_mul(&a, &E, &t->x);
    fp2_sub(&a, &a, &B);
    fp2_sub(&a, &a, &B);
    fp2_mul(&b, &E, &Z2);
    fp2_mul_fp(&b, &b, neg_px);
    fp2_mul(&c, &t->y, &t->z);
    fp2_add(&c, &c, &c);
    fp2_mul(&c, &c, &Z2);
    fp2_mul_fp(&c, &c, py);
    bls_fp12_mul_line(f, f, &a, &b, &c);
    bls_g2_double(t, t);
}

/* f *= line through T and the affine Q evaluated at P; T = T + Q. With H = xQ Z^2 - X and
 * R = yQ Z^3 - Y (twist slope R / ZH) the line through Q scaled by ZH is
 * (R·xQ - yQ·ZH) - R·xP w^2 + ZH·yP w^3 (then the mixed addition). */
static void add_step(fp12 *f, bls_g2 *t, const bls_g2_affine *q, const fp384 *neg_px, const fp384 *py) {
    fp2 Z2, H, R, Z3, a, b, c, HH, HHH, V, s;
    fp2_sqr(&Z2, &t->z);
    fp2_mul(&H, &q->x, &Z2);
    fp2_sub(&H, &H, &t->x);
    fp2_mul(&R, &q->y, &Z2);
    fp2_mul(&R, &R, &t->z);
    fp2_sub(&R, &R, &t->y);
    fp2_mul(&Z3, &t->z, &H);
    fp2_mul(&a, &R, &q->x);
    fp2_mul(&s, &q->y, &Z3);
    fp2_sub(&a, &a, &s);
    fp2_mul_fp(&b, &R, neg_px);
    fp2_mul_fp(&c, &Z3, py);
    bls_fp12_mul_line(f, f, &a, &b, &c);
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

void bls_miller_loop(fp12 *f, const bls_pair *pairs, size_t n) {
    fp12_set_one(f);
    if (n == 0) return;
    bls_g2 *t = (bls_g2 *)rt_alloc(n * sizeof *t);
    fp384 *neg_px = (fp384 *)rt_alloc(n * sizeof *neg_px);
    for (size_t j = 0; j < n; j++) {
        t[j].x = pairs[j].q.x;
        t[j].y = pairs[j].q.y;
        fp2_set_one(&t[j].z);
        fp_neg(&neg_px[j], &pairs[j].px);
    }
    /* the bits of |x| below its top one; T never meets ±Q (|x| < r) */
    for (int i = 62; i >= 0; i--) {
        if (i != 62) fp12_sqr(f, f);
        for (size_t j = 0; j < n; j++) double_step(f, &t[j], &neg_px[j], &pairs[j].py);
        if ((BLS_X_ABS >> i) & 1)
            for (size_t j = 0; j < n; j++) add_step(f, &t[j], &pairs[j].q, &neg_px[j], &pairs[j].py);
    }
    fp12_conj(f, f); /* x < 0: f_{x} = 1 / f_{|x|} up to factors the final exponentiation kills */
}

void bls_miller_loop_fixed(fp12 *f, const fp384 *px, const fp384 *py, const fp2 (*const *lines)[2], size_t n) {
    /* the same loop with the lines read from ROM: with slope λ and μ = λ·x - y, the line is
     * μ - λ·xP w^2 + yP w^3 */
    fp12_set_one(f);
    int step = 0;
    for (int i = 62; i >= 0; i--) {
        int last = step + (int)((BLS_X_ABS >> i) & 1);
        if (i != 62) fp12_sqr(f, f);
        for (; step <= last; step++) {
            for (size_t j = 0; j < n; j++) {
                fp2 b, c;
                fp384 neg_px;
                fp_neg(&neg_px, &px[j]);
                fp2_mul_fp(&b, &lines[j][step][0], &neg_px);
                c.c0 = py[j];
                memset(&c.c1, 0, sizeof c.c1);
                bls_fp12_mul_line(f, f, &lines[j][step][1], &b, &c);
            }
        }
    }
    fp12_conj(f, f);
}

/* r = a^x for a in the cyclotomic subgroup (x < 0: the conjugate of a^|x|, the inverse there). */
static void pow_x(fp12 *r, const fp12 *a) {
    fp12 acc = *a;
    for (int i = 62; i >= 0; i--) {
        fp12_cyclo_sqr(&acc, &acc);
        if ((BLS_X_ABS >> i) & 1) fp12_mul(&acc, &acc, a);
    }
    fp12_conj(r, &acc);
}

void bls_final_exp(fp12 *r, const fp12 *f) {
    fp12 m, t, a, b, c;
    /* easy part: m = f^((p^6 - 1)(p^2 + 1)); the p^6 power is the conjugate. Afterwards m is in
     * the cyclotomic subgroup, where the inverse is the conjugate. */
    fp12_inv(&t, f);
    fp12_conj(&m, f);
    fp12_mul(&m, &m, &t);
    fp12_frob2(&t, &m);
    fp12_mul(&m, &t, &m);
    /* hard part, cubed: 3(p^4 - p^2 + 1)/r = (x - 1)^2 (x + p)(x^2 + p^2 - 1) + 3 (Hayashida,
     * Hayasaka, Teruya, "Efficient final exponentiation via cyclotomic structure for pairings
     * over families of elliptic curves", 2020) */
    pow_x(&t, &m);
    fp12_conj(&a, &m);
    fp12_mul(&t, &t, &a); /* m^(x-1) */
    pow_x(&a, &t);
    fp12_conj(&t, &t);
    fp12_mul(&a, &a, &t); /* a = m^((x-1)^2) */
    pow_x(&b, &a);
    fp12_frob(&t, &a);
    fp12_mul(&b, &b, &t); /* b = a^(x+p) */
    pow_x(&c, &b);
    pow_x(&c, &c);
    fp12_frob2(&t, &b);
    fp12_mul(&c, &c, &t);
    fp12_conj(&t, &b);
    fp12_mul(&c, &c, &t); /* c = b^(x^2+p^2-1) */
    fp12_cyclo_sqr(&t, &m);
    fp12_mul(&t, &t, &m);
    fp12_mul(r, &c, &t); /* c · m^3 */
}

bool bls_pairing_check(const bls_g1 *p, const bls_g2 *q, size_t n) {
    /* pairs with a point at infinity contribute 1 and are dropped */
    bls_pair *pairs = n ? (bls_pair *)rt_alloc(n * sizeof *pairs) : NULL;
    size_t k = 0;
    for (size_t j = 0; j < n; j++) {
        if (!bls_g1_to_affine(&p[j], &pairs[k].px, &pairs[k].py) || !bls_g2_to_affine(&q[j], &pairs[k].q)) continue;
        k++;
    }
    fp12 f;
    bls_miller_loop(&f, pairs, k);
    bls_final_exp(&f, &f);
    return fp12_is_one(&f);
}
