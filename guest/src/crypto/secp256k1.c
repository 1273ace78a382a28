/* secp256k1 public-key recovery: Q = r^-1 (s·R - z·G) = u1·G + u2·R with u1 = -z/r, u2 = s/r
 * (mod n). Each scalar is split by the GLV endomorphism (Gallant, Lambert, Vanstone 2001),
 * u = k1 + k2·λ with k1, k2 of about 128 bits and λ·(x, y) = (βx, y), so Q is one Strauss-Shamir
 * multiplication of four half-length scalars in Jacobian coordinates (about 130 doublings) over
 * width-w NAF digits: width 8 against a const ROM table of odd multiples of G (and of λG, whose
 * x is β times G's), width 5 against odd multiples of R (and λR) built per call. */
#include "secp256k1.h"

#include "secp256k1_internal.h"

#define P (&SECP256K1_P)
#define N (&SECP256K1_N)
#define R_WINDOW 5

/* A Jacobian point (X/Z^2, Y/Z^3); Z = 0 is the point at infinity. */
typedef struct {
    fe256 x, y, z;
} jac;

static bool jac_is_inf(const jac *a) { return secp_fe_is_zero(&a->z); }

/* r = 2a with Z3 = Y·Z (the double scaled by 1/2, 3M + 4S, few additions): with L = 3X^2/2 and
 * T = X·Y^2, X3 = L^2 - 2T and Y3 = L·(T - X3) - Y^4; λ = 3x^2/2y = L/(Y·Z) gives
 * x3 = λ^2 - 2x = X3/(YZ)^2 and y3 = λ(x - x3) - y = Y3/(YZ)^3. The double of infinity (Z = 0)
 * keeps Z = 0. */
static void jac_double(jac *r, const jac *a) {
    fe256 L, S, T, t;
    secp_fe_sqr_inl(&L, &a->x);
    secp_fe_mul_small(&L, &L, 3);
    secp_fe_half(&L, &L);
    secp_fe_sqr_inl(&S, &a->y);
    secp_fe_mul_inl(&T, &a->x, &S);
    secp_fe_mul_inl(&r->z, &a->y, &a->z);
    secp_fe_sqr_inl(&t, &L);
    secp_fe_sub(&t, &t, &T);
    secp_fe_sub(&r->x, &t, &T);
    secp_fe_sub(&t, &T, &r->x);
    secp_fe_mul_inl(&t, &L, &t);
    secp_fe_sqr_inl(&S, &S);
    secp_fe_sub(&r->y, &t, &S);
}

/* acc += (x2, ±y2), an affine point (negated when neg), by a mixed addition (Z2 = 1: 8M + 3S),
 * handling infinity and acc = ±(x2, y2). When hout is given, acc is neither of those and *hout
 * receives H, the ratio of the new Z to the old one. When zs is given (and acc is not at
 * infinity), (x2, y2) is a point of the curve of acc's curve divided by zs, i.e. the point
 * added is (x2·zs^2, ±y2·zs^3): Z·zs stands for Z in U2 and S2 (one product instead of two). */
static void jac_add_affine(jac *acc, const fe256 *x2, const fe256 *y2, bool neg, fe256 *hout, const fe256 *zs) {
    if (jac_is_inf(acc)) {
        acc->x = *x2;
        if (neg) secp_fe_neg(&acc->y, y2);
        else acc->y = *y2;
        acc->z = (fe256){{1, 0, 0, 0}};
        return;
    }
    fe256 z1z1, U2, S2, H, rr, HH, HHH, V, t, zsc;
    const fe256 *z1 = &acc->z;
    if (zs) {
        secp_fe_mul_inl(&zsc, &acc->z, zs);
        z1 = &zsc;
    }
    secp_fe_sqr_inl(&z1z1, z1);
    secp_fe_mul_inl(&U2, x2, &z1z1);
    secp_fe_mul_inl(&S2, y2, z1);
    secp_fe_mul_inl(&S2, &S2, &z1z1);
    if (neg) secp_fe_neg(&S2, &S2);
    secp_fe_sub(&H, &U2, &acc->x);
    secp_fe_sub(&rr, &S2, &acc->y);
    if (secp_fe_is_zero(&H)) {
        if (secp_fe_is_zero(&rr)) jac_double(acc, acc);
        else memset(acc, 0, sizeof *acc);
        return;
    }
    if (hout) *hout = H;
    secp_fe_mul_inl(&acc->z, &acc->z, &H);
    secp_fe_sqr_inl(&HH, &H);
    secp_fe_mul_inl(&HHH, &HH, &H);
    secp_fe_mul_inl(&V, &acc->x, &HH);
    secp_fe_sqr_inl(&t, &rr);
    secp_fe_sub(&t, &t, &HHH);
    secp_fe_sub(&t, &t, &V);
    secp_fe_sub(&acc->x, &t, &V);
    secp_fe_sub(&t, &V, &acc->x);
    secp_fe_mul_inl(&t, &rr, &t);
    secp_fe_mul_inl(&HHH, &acc->y, &HHH);
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

/* The nonzero digits of a width-w NAF (5 ≤ w ≤ 8): k = sum d[i]·2^pos[i], d[i] odd in
 * (-2^(w-1), 2^(w-1)), positions increasing and at least w apart (so at most 53 digits for
 * k < 2^256). */
#define NAF_MAX 56
typedef struct {
    int n;
    int16_t pos[NAF_MAX];
    int8_t d[NAF_MAX];
} naf_list;

/* The wNAF of a plain scalar below 2^256. Runs of zeros are skipped a limb or a trailing-zero
 * count at a time, and the w - 1 zeros after each nonzero digit without being looked at (after
 * v -= d, v is a multiple of 2^w). */
static void secp_wnaf(naf_list *out, const fe256 *k, int w) {
    uint64_t v0 = k->w[0], v1 = k->w[1], v2 = k->w[2], v3 = k->w[3], v4 = 0;
    const uint64_t mask = ((uint64_t)1 << w) - 1;
    int pos = 0, n = 0;
    while (v0 | v1 | v2 | v3 | v4) {
        int sh;
        if (v0 == 0) {
            v0 = v1;
            v1 = v2;
            v2 = v3;
            v3 = v4;
            v4 = 0;
            pos += 64;
            continue;
        }
        if (v0 & 1) {
            int d = (int)(v0 & mask);
            if (d >= (1 << (w - 1))) {
                d -= 1 << w;
                uint64_t add = (uint64_t)(-d);
                v0 += add;
                if (v0 < add && ++v1 == 0 && ++v2 == 0 && ++v3 == 0) ++v4;
            } else {
                v0 -= (uint64_t)d;
            }
            out->pos[n] = (int16_t)pos;
            out->d[n++] = (int8_t)d;
            sh = w;
        } else {
            sh = fe_ctz64(v0);
        }
        v0 = (v0 >> sh) | (v1 << (64 - sh));
        v1 = (v1 >> sh) | (v2 << (64 - sh));
        v2 = (v2 >> sh) | (v3 << (64 - sh));
        v3 = (v3 >> sh) | (v4 << (64 - sh));
        v4 >>= sh;
        pos += sh;
    }
    out->n = n;
}

/* u1·G + u2·R for plain scalars u1, u2 < n and the affine point R (the result Jacobian).
 *
 * The R multiples are made affine without an inversion by moving to an isomorphic curve: the
 * map (x, y) -> (x·F^2, y·F^3) takes y^2 = x^3 + 7 to y^2 = x^3 + 7F^6, and the a = 0 formulas
 * never use the constant, so the whole Strauss loop can run there. With D = 2R = (Dx, Dy, Dz),
 * D is affine (Dx, Dy) on the curve of F = Dz and R is (Rx·Dz^2, Ry·Dz^3); the multiples
 * T_k = (2k+1)R are then built by mixed additions of D, each Z the previous one times the H of
 * its addition, and rescaled to the last one, Zc, with the products of the later H's. On the
 * curve of F = Dz·Zc every T_k is affine, so its digits cost mixed additions; a G table point
 * costs two more products (x·F^2, y·F^3) and the result goes back by Z·F. */
static void double_mul(jac *out, const fe256 *u1, const fe256 *u2, const secp_affine *R) {
    half_scalar g[2], r[2];
    glv_split(u1, &g[0], &g[1]);
    glv_split(u2, &r[0], &r[1]);
    naf_list ng[2], nr[2];
    int ig[2], ir[2], top = 0; /* the next digit of each list, from the top */
    for (int j = 0; j < 2; j++) {
        secp_wnaf(&ng[j], &g[j].k, SECP_G_WINDOW);
        secp_wnaf(&nr[j], &r[j].k, R_WINDOW);
        ig[j] = ng[j].n - 1;
        ir[j] = nr[j].n - 1;
        if (ig[j] >= 0 && ng[j].pos[ig[j]] + 1 > top) top = ng[j].pos[ig[j]] + 1;
        if (ir[j] >= 0 && nr[j].pos[ir[j]] + 1 > top) top = nr[j].pos[ir[j]] + 1;
    }

    enum { NT = 1 << (R_WINDOW - 2) };
    jac d, t[NT];
    fe256 h[NT], zz, zzz, f, f2, f3, bf2, s, s2, s3;
    /* D = 2R; R on the curve of Dz */
    d.x = R->x;
    d.y = R->y;
    d.z = (fe256){{1, 0, 0, 0}};
    jac_double(&d, &d);
    secp_fe_sqr_inl(&zz, &d.z);
    secp_fe_mul_inl(&zzz, &zz, &d.z);
    secp_fe_mul_inl(&t[0].x, &R->x, &zz);
    secp_fe_mul_inl(&t[0].y, &R->y, &zzz);
    t[0].z = (fe256){{1, 0, 0, 0}};
    /* T_k = T_(k-1) + D; never ±D or infinity: R has prime order n */
    for (int k = 1; k < NT; k++) {
        t[k] = t[k - 1];
        jac_add_affine(&t[k], &d.x, &d.y, false, &h[k], NULL);
    }
    /* rescale T_k (k < NT - 1) by s = H_(k+1) ⋯ H_(NT-1): (X s^2, Y s^3) */
    secp_affine rt[2][NT];
    rt[0][NT - 1].x = t[NT - 1].x;
    rt[0][NT - 1].y = t[NT - 1].y;
    s = h[NT - 1];
    for (int k = NT - 2; k >= 0; k--) {
        if (k < NT - 2) secp_fe_mul_inl(&s, &s, &h[k + 1]);
        secp_fe_sqr_inl(&s2, &s);
        secp_fe_mul_inl(&s3, &s2, &s);
        secp_fe_mul_inl(&rt[0][k].x, &t[k].x, &s2);
        secp_fe_mul_inl(&rt[0][k].y, &t[k].y, &s3);
    }
    /* rt[1] holds the same points under the endomorphism */
    for (int k = 0; k < NT; k++) {
        secp_fe_mul_inl(&rt[1][k].x, &rt[0][k].x, &SECP256K1_BETA);
        rt[1][k].y = rt[0][k].y;
    }
    /* F = Dz·Zc and its powers for the G table points (β·F^2 for λG) */
    secp_fe_mul_inl(&f, &d.z, &t[NT - 1].z);
    secp_fe_sqr_inl(&f2, &f);
    secp_fe_mul_inl(&f3, &f2, &f);
    secp_fe_mul_inl(&bf2, &f2, &SECP256K1_BETA);

    jac acc;
    memset(&acc, 0, sizeof acc);
    for (int i = top - 1; i >= 0; i--) {
        jac_double(&acc, &acc);
        for (int j = 0; j < 2; j++) {
            if (ig[j] >= 0 && ng[j].pos[ig[j]] == i) {
                int dg = ng[j].d[ig[j]--];
                const secp_affine *e = &SECP256K1_GTABLE[(dg > 0 ? dg : -dg) >> 1];
                bool neg = (dg < 0) != g[j].neg;
                fe256 x, y;
                if (jac_is_inf(&acc)) {
                    secp_fe_mul(&x, &e->x, j ? &bf2 : &f2);
                    secp_fe_mul(&y, &e->y, &f3);
                    jac_add_affine(&acc, &x, &y, neg, NULL, NULL);
                } else if (j == 0) {
                    jac_add_affine(&acc, &e->x, &e->y, neg, NULL, &f);
                } else {
                    secp_fe_mul_inl(&x, &e->x, &SECP256K1_BETA);
                    jac_add_affine(&acc, &x, &e->y, neg, NULL, &f);
                }
            }
            if (ir[j] >= 0 && nr[j].pos[ir[j]] == i) {
                int dr = nr[j].d[ir[j]--];
                const secp_affine *e = &rt[j][(dr > 0 ? dr : -dr) >> 1];
                jac_add_affine(&acc, &e->x, &e->y, (dr < 0) != r[j].neg, NULL, NULL);
            }
        }
    }
    /* back to the curve itself: (X, Y, Z·F) */
    secp_fe_mul_inl(&acc.z, &acc.z, &f);
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
    secp_affine R;
    fe256 rhs, seven = {{7, 0, 0, 0}}, y;
    R.x = x;
    secp_fe_sqr(&rhs, &x);
    secp_fe_mul(&rhs, &rhs, &x);
    secp_fe_add(&rhs, &rhs, &seven);
    if (!secp_fe_sqrt(&y, &rhs)) return 3;
    if ((y.w[0] & 1) != (recid & 1)) secp_fe_neg(&y, &y);
    R.y = y;

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
