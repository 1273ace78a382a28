/* secp256k1 public-key recovery: Q = r^-1 (s·R - z·G) = u1·G + u2·R with u1 = -z/r, u2 = s/r
 * (mod n). Each scalar is split by the GLV endomorphism (Gallant, Lambert, Vanstone 2001),
 * u = k1 + k2·λ with k1, k2 of about 128 bits and λ·(x, y) = (βx, y), so Q is one Strauss-Shamir
 * multiplication of four half-length scalars in Jacobian coordinates (about 130 doublings) over
 * width-w NAF digits: width 8 against a const ROM table of odd multiples of G (and of λG, whose
 * x is β times G's), width 5 against odd multiples of R (and λR) built per call. */
#include "secp256k1.h"

#include "secp256k1_internal.h"
#include "wnaf.h"

#define P (&SECP256K1_P)
#define N (&SECP256K1_N)
#define R_WINDOW 5

/* A Jacobian point (X/Z^2, Y/Z^3); Z = 0 is the point at infinity. */
typedef struct {
    fe256 x, y, z;
} jac;

static bool jac_is_inf(const jac *a) { return fe_is_zero(&a->z); }

/* r = 2a (dbl-2009-l for a = 0: 2M + 5S); the double of infinity (Z = 0) keeps Z = 0. */
static void jac_double(jac *r, const jac *a) {
    fe256 A, B, C, D, E, F, t;
    secp_fe_sqr(&A, &a->x);
    secp_fe_sqr(&B, &a->y);
    secp_fe_sqr(&C, &B);
    secp_fe_add(&t, &a->x, &B);
    secp_fe_sqr(&t, &t);
    secp_fe_sub(&t, &t, &A);
    secp_fe_sub(&t, &t, &C);
    secp_fe_add(&D, &t, &t); /* D = 2((X + B)^2 - A - C) = 4 X Y^2 */
    secp_fe_add(&E, &A, &A);
    secp_fe_add(&E, &E, &A); /* E = 3 X^2 */
    secp_fe_sqr(&F, &E);
    secp_fe_mul(&r->z, &a->y, &a->z);
    secp_fe_add(&r->z, &r->z, &r->z);
    secp_fe_sub(&r->x, &F, &D);
    secp_fe_sub(&r->x, &r->x, &D);
    secp_fe_sub(&t, &D, &r->x);
    secp_fe_mul(&t, &E, &t);
    secp_fe_add(&C, &C, &C);
    secp_fe_add(&C, &C, &C);
    secp_fe_add(&C, &C, &C); /* 8 Y^4 */
    secp_fe_sub(&r->y, &t, &C);
}

/* r = a + b for Jacobian points (add-1998-cmo-2: 11M + 5S), handling infinity and a = ±b. */
static void jac_add(jac *r, const jac *a, const jac *b) {
    if (jac_is_inf(a)) { *r = *b; return; }
    if (jac_is_inf(b)) { *r = *a; return; }
    fe256 z1z1, z2z2, U1, U2, S1, S2, H, rr, HH, HHH, V, t;
    secp_fe_sqr(&z1z1, &a->z);
    secp_fe_sqr(&z2z2, &b->z);
    secp_fe_mul(&U1, &a->x, &z2z2);
    secp_fe_mul(&U2, &b->x, &z1z1);
    secp_fe_mul(&S1, &a->y, &b->z);
    secp_fe_mul(&S1, &S1, &z2z2);
    secp_fe_mul(&S2, &b->y, &a->z);
    secp_fe_mul(&S2, &S2, &z1z1);
    secp_fe_sub(&H, &U2, &U1);
    secp_fe_sub(&rr, &S2, &S1);
    if (fe_is_zero(&H)) {
        if (fe_is_zero(&rr)) jac_double(r, a);
        else memset(r, 0, sizeof *r);
        return;
    }
    secp_fe_mul(&t, &a->z, &b->z);
    secp_fe_mul(&r->z, &t, &H);
    secp_fe_sqr(&HH, &H);
    secp_fe_mul(&HHH, &HH, &H);
    secp_fe_mul(&V, &U1, &HH);
    secp_fe_sqr(&t, &rr);
    secp_fe_sub(&t, &t, &HHH);
    secp_fe_sub(&t, &t, &V);
    secp_fe_sub(&r->x, &t, &V);
    secp_fe_sub(&t, &V, &r->x);
    secp_fe_mul(&t, &rr, &t);
    secp_fe_mul(&HHH, &S1, &HHH);
    secp_fe_sub(&r->y, &t, &HHH);
}

/* acc += (x2, y2), an affine point (mixed addition, Z2 = 1: 8M + 3S), handling infinity and
 * acc = ±(x2, y2). */
static void jac_add_affine(jac *acc, const fe256 *x2, const fe256 *y2) {
    if (jac_is_inf(acc)) {
        acc->x = *x2;
        acc->y = *y2;
        acc->z = (fe256){{1, 0, 0, 0}};
        return;
    }
    fe256 z1z1, U2, S2, H, rr, HH, HHH, V, t;
    secp_fe_sqr(&z1z1, &acc->z);
    secp_fe_mul(&U2, x2, &z1z1);
    secp_fe_mul(&S2, y2, &acc->z);
    secp_fe_mul(&S2, &S2, &z1z1);
    secp_fe_sub(&H, &U2, &acc->x);
    secp_fe_sub(&rr, &S2, &acc->y);
    if (fe_is_zero(&H)) {
        if (fe_is_zero(&rr)) jac_double(acc, acc);
        else memset(acc, 0, sizeof *acc);
        return;
    }
    secp_fe_mul(&acc->z, &acc->z, &H);
    secp_fe_sqr(&HH, &H);
    secp_fe_mul(&HHH, &HH, &H);
    secp_fe_mul(&V, &acc->x, &HH);
    secp_fe_sqr(&t, &rr);
    secp_fe_sub(&t, &t, &HHH);
    secp_fe_sub(&t, &t, &V);
    secp_fe_sub(&acc->x, &t, &V);
    secp_fe_sub(&t, &V, &acc->x);
    secp_fe_mul(&t, &rr, &t);
    secp_fe_mul(&HHH, &acc->y, &HHH);
    secp_fe_sub(&acc->y, &t, &HHH);
}

/* round(k·g / 2^382) for plain k, g < 2^256 (below 2^130 for the GLV constants). */
static void mul_shift_382(fe256 *c, const fe256 *k, const fe256 *g) {
    uint64_t prod[8];
    fe_mul_wide(k, g, prod);
    /* 382 = 5·64 + 62; bit 381 rounds */
    uint64_t round = (prod[5] >> 61) & 1;
    c->w[0] = (prod[5] >> 62) | (prod[6] << 2);
    c->w[1] = (prod[6] >> 62) | (prod[7] << 2);
    c->w[2] = prod[7] >> 62;
    c->w[3] = 0;
    c->w[0] += round;
    uint64_t carry = c->w[0] < round;
    c->w[1] += carry;
    c->w[2] += c->w[1] < carry;
}

/* a < b as plain integers. */
static bool fe_less(const fe256 *a, const fe256 *b) {
    for (int i = 3; i >= 0; i--)
        if (a->w[i] != b->w[i]) return a->w[i] < b->w[i];
    return false;
}

/* A half-length scalar: the magnitude and whether the point it multiplies is negated. */
typedef struct {
    fe256 k;
    bool neg;
} half_scalar;

/* Replace k (mod n) by n - k when that is shorter, remembering the sign. */
static void shortest(half_scalar *h, const fe256 *k) {
    fe256 m;
    mont_neg(N, &m, k);
    h->neg = fe_less(&m, k);
    h->k = h->neg ? m : *k;
}

/* k ≡ k1 + k2·λ (mod n) with k1 = k - c1·a1 - c2·a2, k2 = -c1·b1 - c2·b2; exact modulo n for any
 * c1, c2 (a_i + b_i·λ ≡ 0), and about 128 bits each for the rounded ones. k < n. */
static void glv_split(const fe256 *k, half_scalar *k1, half_scalar *k2) {
    fe256 c1, c2, t, x, y;
    mul_shift_382(&c1, k, &SECP256K1_GLV_G1);
    mul_shift_382(&c2, k, &SECP256K1_GLV_G2);
    /* plain c times a Montgomery constant is the plain product modulo n */
    mont_mul(N, &t, &c1, &SECP256K1_GLV_A1);
    mont_sub(N, &x, k, &t);
    mont_mul(N, &t, &c2, &SECP256K1_GLV_A2);
    mont_sub(N, &x, &x, &t);
    mont_mul(N, &t, &c1, &SECP256K1_GLV_B1);
    mont_neg(N, &y, &t);
    mont_mul(N, &t, &c2, &SECP256K1_GLV_B2);
    mont_sub(N, &y, &y, &t);
    shortest(k1, &x);
    shortest(k2, &y);
}

/* acc += (sign d)·table[|d|/2] for a nonzero wNAF digit d, flipping the sign when neg. */
static void add_jac_digit(jac *acc, const jac *table, int d, bool neg) {
    jac t = table[(d > 0 ? d : -d) >> 1];
    if ((d < 0) != neg) secp_fe_neg(&t.y, &t.y);
    jac_add(acc, acc, &t);
}

/* u1·G + u2·R for plain scalars u1, u2 < n and the Jacobian point R. */
static void double_mul(jac *out, const fe256 *u1, const fe256 *u2, const jac *R) {
    half_scalar g[2], r[2];
    glv_split(u1, &g[0], &g[1]);
    glv_split(u2, &r[0], &r[1]);
    int8_t ng[2][WNAF_MAX_DIGITS], nr[2][WNAF_MAX_DIGITS];
    int lg[2], lr[2], top = 0;
    for (int j = 0; j < 2; j++) {
        lg[j] = wnaf(ng[j], &g[j].k, SECP_G_WINDOW);
        lr[j] = wnaf(nr[j], &r[j].k, R_WINDOW);
        if (lg[j] > top) top = lg[j];
        if (lr[j] > top) top = lr[j];
    }
    /* rt[0] holds R, 3R, …, 15R; rt[1] the same points under the endomorphism */
    jac rt[2][1 << (R_WINDOW - 2)], r2;
    rt[0][0] = *R;
    jac_double(&r2, R);
    for (int k = 1; k < (1 << (R_WINDOW - 2)); k++) jac_add(&rt[0][k], &rt[0][k - 1], &r2);
    for (int k = 0; k < (1 << (R_WINDOW - 2)); k++) {
        rt[1][k] = rt[0][k];
        secp_fe_mul(&rt[1][k].x, &rt[0][k].x, &SECP256K1_BETA);
    }
    jac acc;
    memset(&acc, 0, sizeof acc);
    for (int i = top - 1; i >= 0; i--) {
        jac_double(&acc, &acc);
        for (int j = 0; j < 2; j++) {
            if (i < lg[j] && ng[j][i]) {
                int d = ng[j][i];
                const secp_affine *e = &SECP256K1_GTABLE[(d > 0 ? d : -d) >> 1];
                fe256 x, y;
                if (j == 1) secp_fe_mul(&x, &e->x, &SECP256K1_BETA);
                else x = e->x;
                if ((d < 0) != g[j].neg) secp_fe_neg(&y, &e->y);
                else y = e->y;
                jac_add_affine(&acc, &x, &y);
            }
            if (i < lr[j] && nr[j][i]) add_jac_digit(&acc, rt[j], nr[j][i], r[j].neg);
        }
    }
    *out = acc;
}

int secp256k1_recover(const uint8_t msg_hash[32], const uint8_t r[32], const uint8_t s[32], unsigned recid,
                      uint8_t pubkey_out[64]) {
    fe256 rv, sv, z;
    fe_from_be(&rv, r);
    fe_from_be(&sv, s);
    fe_from_be(&z, msg_hash);
    if (recid > 3 || fe_is_zero(&rv) || fe_is_zero(&sv) || !fe_lt_mod(N, &rv) || !fe_lt_mod(N, &sv)) return 1;

    /* R.x = r (+ n for recid 2, 3), which must be below p */
    fe256 x = rv;
    if (recid & 2) {
        uint64_t carry = 0;
        for (int i = 0; i < 4; i++) {
            uint64_t t = x.w[i] + N->m[i];
            uint64_t c1 = t < x.w[i];
            x.w[i] = t + carry;
            carry = c1 | (x.w[i] < t);
        }
        if (carry) return 2;
    }
    if (!fe_lt_mod(P, &x)) return 2;

    /* R.y from y^2 = x^3 + 7 with the parity of recid */
    jac R;
    fe256 rhs, seven = {{7, 0, 0, 0}}, y;
    R.x = x;
    secp_fe_sqr(&rhs, &x);
    secp_fe_mul(&rhs, &rhs, &x);
    secp_fe_add(&rhs, &rhs, &seven);
    if (!secp_fe_sqrt(&y, &rhs)) return 3;
    if ((y.w[0] & 1) != (recid & 1)) secp_fe_neg(&y, &y);
    R.y = y;
    R.z = (fe256){{1, 0, 0, 0}};

    /* u1 = -z/r, u2 = s/r modulo n (z reduced once: n > 2^255) */
    fe256 rinv, u1, u2;
    fe_reduce_once(N, &z, &z);
    mont_to(N, &rinv, &rv);
    mont_inv(N, &rinv, &rinv); /* Montgomery form of r^-1 */
    mont_mul(N, &u1, &z, &rinv); /* plain z times Montgomery r^-1: plain z/r */
    mont_neg(N, &u1, &u1);
    mont_mul(N, &u2, &sv, &rinv);

    jac Q;
    double_mul(&Q, &u1, &u2, &R);
    if (jac_is_inf(&Q)) return 4;

    fe256 zi, zi2, ax, ay;
    fe_inv_plain(P, &zi, &Q.z);
    secp_fe_sqr(&zi2, &zi);
    secp_fe_mul(&ax, &Q.x, &zi2);
    secp_fe_mul(&zi2, &zi2, &zi);
    secp_fe_mul(&ay, &Q.y, &zi2);
    fe_to_be(&ax, pubkey_out);
    fe_to_be(&ay, pubkey_out + 32);
    return 0;
}
