/* The extension-field tower Fp2 = Fp[i]/(i^2 + 1) → Fp6 = Fp2[v]/(v^3 - xi) → Fp12 = Fp6[w]/(w^2 - v),
 * written once for BN254 (xi = 9 + i) and BLS12-381 (xi = 1 + i). Multiplications use the
 * Karatsuba forms of Devegili, Ó hÉigeartaigh, Scott, Dahab, "Multiplication and squaring on
 * pairing-friendly fields" (2006). Outputs may alias inputs. The including file declares the
 * types fp2, fp6, fp12 and fp2_mul_xi (its own xi) and defines:
 *   TW_FE                        the base field element type
 *   TW_ADD/SUB/MUL(r, a, b), TW_NEG/SQR/INV(r, a), TW_SET_ONE(r), TW_IS_ZERO(a), TW_EQ(a, b)
 *                                the base field operations
 *   TW_FROB1, TW_FROB2           the Frobenius constants xi^(k(p-1)/6) (fp2[6]) and
 *                                xi^(k(p^2-1)/6) (TW_FE[6], they lie in Fp)
 */

/* ---- Fp2 ---- */

void fp2_add(fp2 *r, const fp2 *a, const fp2 *b) {
    TW_ADD(&r->c0, &a->c0, &b->c0);
    TW_ADD(&r->c1, &a->c1, &b->c1);
}

void fp2_sub(fp2 *r, const fp2 *a, const fp2 *b) {
    TW_SUB(&r->c0, &a->c0, &b->c0);
    TW_SUB(&r->c1, &a->c1, &b->c1);
}

void fp2_neg(fp2 *r, const fp2 *a) {
    TW_NEG(&r->c0, &a->c0);
    TW_NEG(&r->c1, &a->c1);
}

void fp2_conj(fp2 *r, const fp2 *a) {
    r->c0 = a->c0;
    TW_NEG(&r->c1, &a->c1);
}

void fp2_mul(fp2 *r, const fp2 *a, const fp2 *b) {
    TW_FE v0, v1, s, t;
    TW_MUL(&v0, &a->c0, &b->c0);
    TW_MUL(&v1, &a->c1, &b->c1);
    TW_ADD(&s, &a->c0, &a->c1);
    TW_ADD(&t, &b->c0, &b->c1);
    TW_MUL(&s, &s, &t);
    TW_SUB(&s, &s, &v0);
    TW_SUB(&r->c1, &s, &v1);
    TW_SUB(&r->c0, &v0, &v1);
}

void fp2_sqr(fp2 *r, const fp2 *a) {
    /* (a0 + a1 i)^2 = (a0 + a1)(a0 - a1) + 2 a0 a1 i */
    TW_FE s, d, m;
    TW_ADD(&s, &a->c0, &a->c1);
    TW_SUB(&d, &a->c0, &a->c1);
    TW_MUL(&m, &a->c0, &a->c1);
    TW_MUL(&r->c0, &s, &d);
    TW_ADD(&r->c1, &m, &m);
}

void fp2_mul_fp(fp2 *r, const fp2 *a, const TW_FE *b) {
    TW_MUL(&r->c0, &a->c0, b);
    TW_MUL(&r->c1, &a->c1, b);
}

void fp2_inv(fp2 *r, const fp2 *a) {
    TW_FE t, u;
    TW_SQR(&t, &a->c0);
    TW_SQR(&u, &a->c1);
    TW_ADD(&t, &t, &u);
    TW_INV(&t, &t);
    TW_MUL(&r->c0, &a->c0, &t);
    TW_MUL(&u, &a->c1, &t);
    TW_NEG(&r->c1, &u);
}

void fp2_set_one(fp2 *r) {
    TW_SET_ONE(&r->c0);
    memset(&r->c1, 0, sizeof r->c1);
}

bool fp2_is_zero(const fp2 *a) { return TW_IS_ZERO(&a->c0) && TW_IS_ZERO(&a->c1); }

bool fp2_eq(const fp2 *a, const fp2 *b) { return TW_EQ(&a->c0, &b->c0) && TW_EQ(&a->c1, &b->c1); }

/* ---- Fp6 ---- */

void fp6_add(fp6 *r, const fp6 *a, const fp6 *b) {
    fp2_add(&r->c0, &a->c0, &b->c0);
    fp2_add(&r->c1, &a->c1, &b->c1);
    fp2_add(&r->c2, &a->c2, &b->c2);
}

void fp6_sub(fp6 *r, const fp6 *a, const fp6 *b) {
    fp2_sub(&r->c0, &a->c0, &b->c0);
    fp2_sub(&r->c1, &a->c1, &b->c1);
    fp2_sub(&r->c2, &a->c2, &b->c2);
}

static void fp6_neg(fp6 *r, const fp6 *a) {
    fp2_neg(&r->c0, &a->c0);
    fp2_neg(&r->c1, &a->c1);
    fp2_neg(&r->c2, &a->c2);
}

void fp6_mul(fp6 *r, const fp6 *a, const fp6 *b) {
    fp2 v0, v1, v2, s, t, c0, c1, c2;
    fp2_mul(&v0, &a->c0, &b->c0);
    fp2_mul(&v1, &a->c1, &b->c1);
    fp2_mul(&v2, &a->c2, &b->c2);
    /* c0 = xi((a1 + a2)(b1 + b2) - v1 - v2) + v0 */
    fp2_add(&s, &a->c1, &a->c2);
    fp2_add(&t, &b->c1, &b->c2);
    fp2_mul(&s, &s, &t);
    fp2_sub(&s, &s, &v1);
    fp2_sub(&s, &s, &v2);
    fp2_mul_xi(&s, &s);
    fp2_add(&c0, &s, &v0);
    /* c1 = (a0 + a1)(b0 + b1) - v0 - v1 + xi v2 */
    fp2_add(&s, &a->c0, &a->c1);
    fp2_add(&t, &b->c0, &b->c1);
    fp2_mul(&s, &s, &t);
    fp2_sub(&s, &s, &v0);
    fp2_sub(&s, &s, &v1);
    fp2_mul_xi(&t, &v2);
    fp2_add(&c1, &s, &t);
    /* c2 = (a0 + a2)(b0 + b2) - v0 - v2 + v1 */
    fp2_add(&s, &a->c0, &a->c2);
    fp2_add(&t, &b->c0, &b->c2);
    fp2_mul(&s, &s, &t);
    fp2_sub(&s, &s, &v0);
    fp2_sub(&s, &s, &v2);
    fp2_add(&c2, &s, &v1);
    r->c0 = c0;
    r->c1 = c1;
    r->c2 = c2;
}

/* r = a · (b0 + b1 v) */
static void fp6_mul_01(fp6 *r, const fp6 *a, const fp2 *b0, const fp2 *b1) {
    fp2 c0, c1, c2, t;
    fp2_mul(&c0, &a->c0, b0);
    fp2_mul(&t, &a->c2, b1);
    fp2_mul_xi(&t, &t);
    fp2_add(&c0, &c0, &t);
    fp2_mul(&c1, &a->c0, b1);
    fp2_mul(&t, &a->c1, b0);
    fp2_add(&c1, &c1, &t);
    fp2_mul(&c2, &a->c1, b1);
    fp2_mul(&t, &a->c2, b0);
    fp2_add(&c2, &c2, &t);
    r->c0 = c0;
    r->c1 = c1;
    r->c2 = c2;
}

/* r = a · v */
static void fp6_mul_v(fp6 *r, const fp6 *a) {
    fp2 t;
    fp2_mul_xi(&t, &a->c2);
    r->c2 = a->c1;
    r->c1 = a->c0;
    r->c0 = t;
}

static void fp6_inv(fp6 *r, const fp6 *a) {
    /* (A + B v + C v^2) / F with A = a0^2 - xi a1 a2, B = xi a2^2 - a0 a1, C = a1^2 - a0 a2,
     * F = a0 A + xi (a2 B + a1 C) */
    fp2 A, B, C, F, t;
    fp2_sqr(&A, &a->c0);
    fp2_mul(&t, &a->c1, &a->c2);
    fp2_mul_xi(&t, &t);
    fp2_sub(&A, &A, &t);
    fp2_sqr(&B, &a->c2);
    fp2_mul_xi(&B, &B);
    fp2_mul(&t, &a->c0, &a->c1);
    fp2_sub(&B, &B, &t);
    fp2_sqr(&C, &a->c1);
    fp2_mul(&t, &a->c0, &a->c2);
    fp2_sub(&C, &C, &t);
    fp2_mul(&F, &a->c2, &B);
    fp2_mul(&t, &a->c1, &C);
    fp2_add(&F, &F, &t);
    fp2_mul_xi(&F, &F);
    fp2_mul(&t, &a->c0, &A);
    fp2_add(&F, &F, &t);
    fp2_inv(&F, &F);
    fp2_mul(&r->c0, &A, &F);
    fp2_mul(&r->c1, &B, &F);
    fp2_mul(&r->c2, &C, &F);
}

/* ---- Fp12 ---- */

void fp12_set_one(fp12 *r) {
    memset(r, 0, sizeof *r);
    fp2_set_one(&r->c0.c0);
}

bool fp12_is_one(const fp12 *a) {
    fp12 one;
    fp12_set_one(&one);
    return memcmp(a, &one, sizeof one) == 0;
}

void fp12_mul(fp12 *r, const fp12 *a, const fp12 *b) {
    fp6 v0, v1, s, t;
    fp6_mul(&v0, &a->c0, &b->c0);
    fp6_mul(&v1, &a->c1, &b->c1);
    fp6_add(&s, &a->c0, &a->c1);
    fp6_add(&t, &b->c0, &b->c1);
    fp6_mul(&s, &s, &t);
    fp6_sub(&s, &s, &v0);
    fp6_sub(&r->c1, &s, &v1);
    fp6_mul_v(&v1, &v1);
    fp6_add(&r->c0, &v0, &v1);
}

void fp12_sqr(fp12 *r, const fp12 *a) {
    /* (a0 + a1 w)^2 = ((a0 + a1)(a0 + v a1) - m - v m) + 2 m w with m = a0 a1 */
    fp6 m, s, t;
    fp6_mul(&m, &a->c0, &a->c1);
    fp6_add(&s, &a->c0, &a->c1);
    fp6_mul_v(&t, &a->c1);
    fp6_add(&t, &t, &a->c0);
    fp6_mul(&s, &s, &t);
    fp6_sub(&s, &s, &m);
    fp6_mul_v(&t, &m);
    fp6_sub(&r->c0, &s, &t);
    fp6_add(&r->c1, &m, &m);
}

/* (z0 + z1 y)^2 in Fp4 = Fp2[y]/(y^2 - xi): r0 = z0^2 + xi z1^2, r1 = 2 z0 z1. */
static void fp4_sqr(fp2 *r0, fp2 *r1, const fp2 *z0, const fp2 *z1) {
    fp2 m, s, t;
    fp2_mul(&m, z0, z1);
    fp2_add(&s, z0, z1);
    fp2_mul_xi(&t, z1);
    fp2_add(&t, z0, &t);
    fp2_mul(&s, &s, &t); /* (z0 + z1)(z0 + xi z1) = z0^2 + xi z1^2 + (1 + xi) z0 z1 */
    fp2_sub(&s, &s, &m);
    fp2_mul_xi(&t, &m);
    fp2_sub(r0, &s, &t);
    fp2_add(r1, &m, &m);
}

/* r = 3t - 2z (sign = -1) or 3t + 2z (sign = +1). */
static void three_t_two_z(fp2 *r, const fp2 *t, const fp2 *z, int sign) {
    fp2 u;
    if (sign < 0) fp2_sub(&u, t, z);
    else fp2_add(&u, t, z);
    fp2_add(&u, &u, &u);
    fp2_add(r, &u, t);
}

void fp12_cyclo_sqr(fp12 *r, const fp12 *f) {
    /* Granger, Scott, "Faster squaring in the cyclotomic subgroup of sixth degree extensions"
     * (2010): with y = w^3 (y^2 = xi) write f = a + b w + c w^2 over Fp4 = Fp2[y], so
     * a = (c0.c0, c1.c1), b = (c1.c0, c0.c2), c = (c0.c1, c1.c2) as (Fp2 part, y part). For f in
     * the cyclotomic subgroup f^2 = (3a^2 - 2 conj a) + (3 y c^2 + 2 conj b) w + (3 b^2 - 2 conj c) w^2,
     * conj being y -> -y. */
    fp2 a0, a1, b0, b1, c0, c1, t;
    fp4_sqr(&a0, &a1, &f->c0.c0, &f->c1.c1);
    fp4_sqr(&b0, &b1, &f->c1.c0, &f->c0.c2);
    fp4_sqr(&c0, &c1, &f->c0.c1, &f->c1.c2);
    fp12 out;
    three_t_two_z(&out.c0.c0, &a0, &f->c0.c0, -1);
    three_t_two_z(&out.c1.c1, &a1, &f->c1.c1, +1);
    fp2_mul_xi(&t, &c1); /* y c^2 = xi c1 + c0 y */
    three_t_two_z(&out.c1.c0, &t, &f->c1.c0, +1);
    three_t_two_z(&out.c0.c2, &c0, &f->c0.c2, -1);
    three_t_two_z(&out.c0.c1, &b0, &f->c0.c1, -1);
    three_t_two_z(&out.c1.c2, &b1, &f->c1.c2, +1);
    *r = out;
}

void fp12_conj(fp12 *r, const fp12 *a) {
    r->c0 = a->c0;
    fp6_neg(&r->c1, &a->c1);
}

void fp12_inv(fp12 *r, const fp12 *a) {
    /* (a0 - a1 w) / (a0^2 - v a1^2) */
    fp6 t0, t1;
    fp6_mul(&t0, &a->c0, &a->c0);
    fp6_mul(&t1, &a->c1, &a->c1);
    fp6_mul_v(&t1, &t1);
    fp6_sub(&t0, &t0, &t1);
    fp6_inv(&t0, &t0);
    fp6_mul(&r->c0, &a->c0, &t0);
    fp6_mul(&t1, &a->c1, &t0);
    fp6_neg(&r->c1, &t1);
}

/* The six Fp2 coefficients of w^0 … w^5 (w^2j in c0.cj, w^(2j+1) in c1.cj). */
static void fp12_coeffs(fp12 *a, fp2 *k[6]) {
    k[0] = &a->c0.c0; k[1] = &a->c1.c0; k[2] = &a->c0.c1;
    k[3] = &a->c1.c1; k[4] = &a->c0.c2; k[5] = &a->c1.c2;
}

void fp12_frob(fp12 *r, const fp12 *a) {
    /* (c w^k)^p = conj(c) · w^k · xi^(k(p-1)/6) */
    fp12 t = *a;
    fp2 *k[6];
    fp12_coeffs(&t, k);
    for (int i = 0; i < 6; i++) {
        fp2_conj(k[i], k[i]);
        if (i) fp2_mul(k[i], k[i], &TW_FROB1[i]);
    }
    *r = t;
}

void fp12_frob2(fp12 *r, const fp12 *a) {
    /* the coefficient of w^k (k = 2j for c0.cj, 2j+1 for c1.cj) is fixed by the p^2 power of
     * Fp2 and gains the factor xi^(k(p^2-1)/6), which lies in Fp */
    const fp2 *c0[3] = {&a->c0.c0, &a->c0.c1, &a->c0.c2}, *c1[3] = {&a->c1.c0, &a->c1.c1, &a->c1.c2};
    fp2 *d0[3] = {&r->c0.c0, &r->c0.c1, &r->c0.c2}, *d1[3] = {&r->c1.c0, &r->c1.c1, &r->c1.c2};
    for (int j = 0; j < 3; j++) {
        fp2_mul_fp(d0[j], c0[j], &TW_FROB2[2 * j]);
        fp2_mul_fp(d1[j], c1[j], &TW_FROB2[2 * j + 1]);
    }
}
