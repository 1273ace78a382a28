/* Arithmetic modulo the secp256k1 prime p = 2^256 - C, C = 2^32 + 977, on plain residues: a
 * product is reduced by folding its high half, 2^256 ≡ C (mod p), instead of Montgomery rounds
 * (about 2/3 of the work). Addition, subtraction and negation are mont256's (they do not care
 * about the representation); inversion is mont256's binary Euclid on plain residues. */
#include "secp256k1_internal.h"

typedef unsigned __int128 u128;

#define SECP_C 0x1000003D1ull

/* r = t mod p for a 512-bit t (little-endian limbs). */
static void reduce512(fe256 *r, const uint64_t t[8]) {
    /* s = lo + hi·C: five limbs, the top one below 2^34 */
    uint64_t s[5], k = 0;
    for (int i = 0; i < 4; i++) {
        u128 z = (u128)t[4 + i] * SECP_C + t[i] + k;
        s[i] = (uint64_t)z;
        k = (uint64_t)(z >> 64);
    }
    s[4] = k;
    /* fold s[4]·2^256 ≡ s[4]·C (below 2^68) into the low limbs */
    u128 z = (u128)s[4] * SECP_C + s[0];
    s[0] = (uint64_t)z;
    k = (uint64_t)(z >> 64);
    for (int i = 1; i < 4; i++) {
        s[i] += k;
        k = s[i] < k;
    }
    /* a carry out is one more 2^256 ≡ C; the sum is then tiny and cannot carry again */
    if (k) {
        s[0] += SECP_C;
        k = s[0] < SECP_C;
        for (int i = 1; i < 4; i++) {
            s[i] += k;
            k = s[i] < k;
        }
    }
    fe256 v = {{s[0], s[1], s[2], s[3]}};
    fe_reduce_once(&SECP256K1_P, r, &v);
}

void secp_fe_mul(fe256 *r, const fe256 *a, const fe256 *b) {
    uint64_t t[8];
    fe_mul_wide(a, b, t);
    reduce512(r, t);
}

void secp_fe_sqr(fe256 *r, const fe256 *a) {
    /* cross products doubled, plus the squares on the diagonal */
    uint64_t t[8] = {0};
    for (int i = 0; i < 3; i++) {
        uint64_t k = 0;
        for (int j = i + 1; j < 4; j++) {
            u128 z = (u128)a->w[i] * a->w[j] + t[i + j] + k;
            t[i + j] = (uint64_t)z;
            k = (uint64_t)(z >> 64);
        }
        t[i + 4] = k;
    }
    t[7] = t[6] >> 63;
    for (int i = 6; i > 1; i--) t[i] = (t[i] << 1) | (t[i - 1] >> 63);
    t[1] <<= 1;
    uint64_t k = 0;
    for (int i = 0; i < 4; i++) {
        u128 sq = (u128)a->w[i] * a->w[i];
        u128 z = (u128)t[2 * i] + (uint64_t)sq + k;
        t[2 * i] = (uint64_t)z;
        z = (u128)t[2 * i + 1] + (uint64_t)(sq >> 64) + (uint64_t)(z >> 64);
        t[2 * i + 1] = (uint64_t)z;
        k = (uint64_t)(z >> 64);
    }
    reduce512(r, t);
}

bool secp_fe_sqrt(fe256 *r, const fe256 *a) {
    /* a^((p+1)/4) by a 4-bit fixed window, checked by squaring (p ≡ 3 mod 4) */
    static const fe256 e = {{0xffffffffbfffff0cull, 0xffffffffffffffffull, 0xffffffffffffffffull,
                             0x3fffffffffffffffull}};
    fe256 tab[16], acc, chk;
    tab[0] = (fe256){{1, 0, 0, 0}};
    tab[1] = *a;
    for (int k = 2; k < 16; k++) secp_fe_mul(&tab[k], &tab[k - 1], a);
    acc = tab[0];
    for (int i = 63; i >= 0; i--) {
        for (int s = 0; s < 4 && i != 63; s++) secp_fe_sqr(&acc, &acc);
        unsigned nib = (unsigned)(e.w[i >> 4] >> (4 * (i & 15))) & 15u;
        if (nib) secp_fe_mul(&acc, &acc, &tab[nib]);
    }
    secp_fe_sqr(&chk, &acc);
    if (!fe_eq(&chk, a)) return false;
    *r = acc;
    return true;
}
