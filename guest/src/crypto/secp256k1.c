/* secp256k1 public-key recovery: Q = r^-1 (s·R - z·G) = u1·G + u2·R with u1 = -z/r, u2 = s/r
 * (mod n), computed as one Strauss-Shamir double-scalar multiplication in Jacobian coordinates
 * over width-w NAF digits: width 8 against a const ROM table of odd multiples of G (additions
 * of Z = 1 points), width 5 against odd multiples of R built per call. */
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

/* Field operations modulo p for the shared Jacobian formulas. */
#define JT_POINT jac
#define JT_FE fe256
#define JT_ADD(r, a, b) mont_add(P, r, a, b)
#define JT_SUB(r, a, b) mont_sub(P, r, a, b)
#define JT_FMUL(r, a, b) mont_mul(P, r, a, b)
#define JT_SQR(r, a) mont_sqr(P, r, a)
#define JT_IS_ZERO(a) fe_is_zero(a)
#define JT_IS_INF jac_is_inf
#define JT_DOUBLE jac_double
#define JT_ADDP jac_add
#define JT_LINKAGE static
#include "jac_template.h"

/* An affine table point as a Jacobian one (Z = 1), negated when neg. */
static void jac_from_table(jac *r, const secp_affine *a, bool neg) {
    r->x = a->x;
    if (neg) mont_neg(P, &r->y, &a->y);
    else r->y = a->y;
    mont_set_one(P, &r->z);
}

/* u1·G + u2·R for plain scalars u1, u2 and the Jacobian point R. */
static void double_mul(jac *out, const fe256 *u1, const fe256 *u2, const jac *R) {
    int8_t ng[WNAF_MAX_DIGITS], nr[WNAF_MAX_DIGITS];
    int lg = wnaf(ng, u1, SECP_G_WINDOW);
    int lr = wnaf(nr, u2, R_WINDOW);
    jac rt[1 << (R_WINDOW - 2)]; /* odd multiples R, 3R, …, 15R */
    jac r2;
    rt[0] = *R;
    jac_double(&r2, R);
    for (int k = 1; k < (1 << (R_WINDOW - 2)); k++) jac_add(&rt[k], &rt[k - 1], &r2);
    jac acc;
    memset(&acc, 0, sizeof acc);
    for (int i = (lg > lr ? lg : lr) - 1; i >= 0; i--) {
        jac_double(&acc, &acc);
        if (i < lg && ng[i]) {
            int d = ng[i];
            jac t;
            jac_from_table(&t, &SECP256K1_GTABLE[(d > 0 ? d : -d) >> 1], d < 0);
            jac_add(&acc, &acc, &t);
        }
        if (i < lr && nr[i]) {
            int d = nr[i];
            if (d > 0) {
                jac_add(&acc, &acc, &rt[d >> 1]);
            } else {
                jac t = rt[(-d) >> 1];
                mont_neg(P, &t.y, &t.y);
                jac_add(&acc, &acc, &t);
            }
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
    fe256 rhs, seven = {{7, 0, 0, 0}}, y, yplain;
    mont_to(P, &R.x, &x);
    mont_sqr(P, &rhs, &R.x);
    mont_mul(P, &rhs, &rhs, &R.x);
    mont_to(P, &seven, &seven);
    mont_add(P, &rhs, &rhs, &seven);
    if (!mont_sqrt(P, &y, &rhs)) return 3;
    mont_from(P, &yplain, &y);
    if ((yplain.w[0] & 1) != (recid & 1)) mont_neg(P, &y, &y);
    R.y = y;
    mont_set_one(P, &R.z);

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
    mont_inv(P, &zi, &Q.z);
    mont_sqr(P, &zi2, &zi);
    mont_mul(P, &ax, &Q.x, &zi2);
    mont_mul(P, &zi2, &zi2, &zi);
    mont_mul(P, &ay, &Q.y, &zi2);
    mont_from(P, &ax, &ax);
    mont_from(P, &ay, &ay);
    fe_to_be(&ax, pubkey_out);
    fe_to_be(&ay, pubkey_out + 32);
    return 0;
}
