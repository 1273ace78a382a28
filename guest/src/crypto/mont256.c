/* Montgomery arithmetic modulo odd moduli below 2^256 (see mont256.h). Multiplication is the
 * CIOS method, squaring the SOS method (Koç, Acar, Kaliski 1996), both with 64-bit limbs and
 * 128-bit intermediate products, which both host compilers and the RV64 cross-compiler lower to
 * MUL/MULHU without library calls. Inversion is the binary extended Euclidean algorithm,
 * exponentiation (square roots) a fixed 4-bit window.
 */
#include "mont256.h"

typedef unsigned __int128 u128;

const mont256_ctx SECP256K1_P = {
    {0xfffffffefffffc2full, 0xffffffffffffffffull, 0xffffffffffffffffull, 0xffffffffffffffffull},
    {0x00000001000003d1ull, 0x0000000000000000ull, 0x0000000000000000ull, 0x0000000000000000ull},
    {0x000007a2000e90a1ull, 0x0000000000000001ull, 0x0000000000000000ull, 0x0000000000000000ull},
    0xd838091dd2253531ull,
};
const mont256_ctx SECP256K1_N = {
    {0xbfd25e8cd0364141ull, 0xbaaedce6af48a03bull, 0xfffffffffffffffeull, 0xffffffffffffffffull},
    {0x402da1732fc9bebfull, 0x4551231950b75fc4ull, 0x0000000000000001ull, 0x0000000000000000ull},
    {0x896cf21467d7d140ull, 0x741496c20e7cf878ull, 0xe697f5e45bcd07c6ull, 0x9d671cd581c69bc5ull},
    0x4b0dff665588b13full,
};
const mont256_ctx BN254_P = {
    {0x3c208c16d87cfd47ull, 0x97816a916871ca8dull, 0xb85045b68181585dull, 0x30644e72e131a029ull},
    {0xd35d438dc58f0d9dull, 0x0a78eb28f5c70b3dull, 0x666ea36f7879462cull, 0x0e0a77c19a07df2full},
    {0xf32cfc5b538afa89ull, 0xb5e71911d44501fbull, 0x47ab1eff0a417ff6ull, 0x06d89f71cab8351full},
    0x87d20782e4866389ull,
};
const mont256_ctx BN254_R = {
    {0x43e1f593f0000001ull, 0x2833e84879b97091ull, 0xb85045b68181585dull, 0x30644e72e131a029ull},
    {0xac96341c4ffffffbull, 0x36fc76959f60cd29ull, 0x666ea36f7879462eull, 0x0e0a77c19a07df2full},
    {0x1bb8e645ae216da7ull, 0x53fe3ab1e35c59e3ull, 0x8c49833d53bb8085ull, 0x0216d0b17f4e44a5ull},
    0xc2e1f593efffffffull,
};

void fe_from_be(fe256 *r, const uint8_t in[32]) {
    for (int i = 0; i < 4; i++) {
        uint64_t v = 0;
        for (int j = 0; j < 8; j++) v = (v << 8) | in[(3 - i) * 8 + j];
        r->w[i] = v;
    }
}

void fe_to_be(const fe256 *a, uint8_t out[32]) {
    for (int i = 0; i < 4; i++)
        for (int j = 0; j < 8; j++) out[(3 - i) * 8 + j] = (uint8_t)(a->w[i] >> (56 - 8 * j));
}

bool fe_is_zero(const fe256 *a) { return (a->w[0] | a->w[1] | a->w[2] | a->w[3]) == 0; }

bool fe_eq(const fe256 *a, const fe256 *b) {
    return ((a->w[0] ^ b->w[0]) | (a->w[1] ^ b->w[1]) | (a->w[2] ^ b->w[2]) | (a->w[3] ^ b->w[3])) == 0;
}

/* r = a - b over 256 bits; returns the borrow out. */
static uint64_t sub4(uint64_t r[4], const uint64_t a[4], const uint64_t b[4]) {
    uint64_t borrow = 0;
    for (int i = 0; i < 4; i++) {
        uint64_t d = a[i] - b[i];
        uint64_t b1 = a[i] < b[i];
        uint64_t t = d - borrow;
        borrow = b1 | (d < borrow);
        r[i] = t;
    }
    return borrow;
}

/* r = a + b over 256 bits; returns the carry out. */
static uint64_t add4(uint64_t r[4], const uint64_t a[4], const uint64_t b[4]) {
    uint64_t carry = 0;
    for (int i = 0; i < 4; i++) {
        uint64_t s = a[i] + b[i];
        uint64_t c1 = s < a[i];
        uint64_t t = s + carry;
        carry = c1 | (t < s);
        r[i] = t;
    }
    return carry;
}

bool fe_lt_mod(const mont256_ctx *c, const fe256 *a) {
    uint64_t t[4];
    return sub4(t, a->w, c->m) != 0;
}

void fe_reduce_once(const mont256_ctx *c, fe256 *r, const fe256 *a) {
    uint64_t t[4];
    if (sub4(t, a->w, c->m)) *r = *a;
    else for (int i = 0; i < 4; i++) r->w[i] = t[i];
}

void mont_add(const mont256_ctx *c, fe256 *r, const fe256 *a, const fe256 *b) {
    uint64_t s[4], t[4];
    uint64_t carry = add4(s, a->w, b->w);
    uint64_t borrow = sub4(t, s, c->m);
    /* a + b < 2m: subtract m when the sum overflowed 2^256 or is at least m */
    const uint64_t *src = (carry || !borrow) ? t : s;
    for (int i = 0; i < 4; i++) r->w[i] = src[i];
}

void mont_sub(const mont256_ctx *c, fe256 *r, const fe256 *a, const fe256 *b) {
    uint64_t t[4];
    if (sub4(t, a->w, b->w)) add4(t, t, c->m);
    for (int i = 0; i < 4; i++) r->w[i] = t[i];
}

void mont_neg(const mont256_ctx *c, fe256 *r, const fe256 *a) {
    if (fe_is_zero(a)) { *r = *a; return; }
    uint64_t t[4];
    sub4(t, c->m, a->w);
    for (int i = 0; i < 4; i++) r->w[i] = t[i];
}

/* t + a·b + c into (t, c): one multiply-accumulate of CIOS. */
#define MAC(t, a, b, c)                                   \
    do {                                                  \
        u128 z_ = (u128)(a) * (b) + (t) + (c);            \
        (t) = (uint64_t)z_;                               \
        (c) = (uint64_t)(z_ >> 64);                       \
    } while (0)

/* One CIOS round: t += a·bi, then t = (t + q·m) / 2^64 with q making the low limb vanish. */
#define CIOS_ROUND(bi)                                                                   \
    do {                                                                                 \
        uint64_t c_ = 0, q_, t5_;                                                        \
        MAC(t0, a0, bi, c_);                                                             \
        MAC(t1, a1, bi, c_);                                                             \
        MAC(t2, a2, bi, c_);                                                             \
        MAC(t3, a3, bi, c_);                                                             \
        t4 += c_;                                                                        \
        t5_ = t4 < c_;                                                                   \
        q_ = t0 * minv;                                                                  \
        c_ = (uint64_t)(((u128)q_ * m0 + t0) >> 64);                                     \
        MAC(t1, q_, m1, c_);                                                             \
        MAC(t2, q_, m2, c_);                                                             \
        MAC(t3, q_, m3, c_);                                                             \
        t0 = t1;                                                                         \
        t1 = t2;                                                                         \
        t2 = t3;                                                                         \
        t3 = t4 + c_;                                                                    \
        t4 = t5_ + (t3 < c_);                                                            \
    } while (0)

void mont_mul(const mont256_ctx *c, fe256 *r, const fe256 *a, const fe256 *b) {
    const uint64_t m0 = c->m[0], m1 = c->m[1], m2 = c->m[2], m3 = c->m[3], minv = c->minv;
    const uint64_t a0 = a->w[0], a1 = a->w[1], a2 = a->w[2], a3 = a->w[3];
    const uint64_t b0 = b->w[0], b1 = b->w[1], b2 = b->w[2], b3 = b->w[3];
    uint64_t t0 = 0, t1 = 0, t2 = 0, t3 = 0, t4 = 0;
    CIOS_ROUND(b0);
    CIOS_ROUND(b1);
    CIOS_ROUND(b2);
    CIOS_ROUND(b3);
    /* the result is below 2m: one conditional subtraction */
    uint64_t t[4] = {t0, t1, t2, t3}, u[4];
    uint64_t borrow = sub4(u, t, c->m);
    const uint64_t *src = (t4 || !borrow) ? u : t;
    for (int i = 0; i < 4; i++) r->w[i] = src[i];
}

void mont_sqr(const mont256_ctx *c, fe256 *r, const fe256 *a) {
    /* The 512-bit square from the 6 cross products (doubled) and the 4 squares, then Montgomery
     * reduction by rounds (SOS, Koç, Acar, Kaliski 1996): 26 products instead of CIOS's 32. */
    const uint64_t a0 = a->w[0], a1 = a->w[1], a2 = a->w[2], a3 = a->w[3];
    uint64_t t[8], k;
    u128 z;
    /* cross products a_i·a_j, i < j, at positions i + j */
    z = (u128)a0 * a1; t[1] = (uint64_t)z; k = (uint64_t)(z >> 64);
    z = (u128)a0 * a2 + k; t[2] = (uint64_t)z; k = (uint64_t)(z >> 64);
    z = (u128)a0 * a3 + k; t[3] = (uint64_t)z; t[4] = (uint64_t)(z >> 64);
    k = 0;
    MAC(t[3], a1, a2, k);
    MAC(t[4], a1, a3, k);
    t[5] = k;
    k = 0;
    MAC(t[5], a2, a3, k);
    t[6] = k;
    /* double them */
    t[7] = t[6] >> 63;
    for (int i = 6; i > 1; i--) t[i] = (t[i] << 1) | (t[i - 1] >> 63);
    t[1] <<= 1;
    /* add the squares a_i^2 at positions 2i */
    z = (u128)a0 * a0; t[0] = (uint64_t)z; k = (uint64_t)(z >> 64);
    z = (u128)t[1] + k; t[1] = (uint64_t)z; k = (uint64_t)(z >> 64);
    const uint64_t sq[3] = {a1, a2, a3};
    for (int i = 0; i < 3; i++) {
        u128 s2 = (u128)sq[i] * sq[i];
        z = (u128)t[2 * i + 2] + (uint64_t)s2 + k; t[2 * i + 2] = (uint64_t)z;
        z = (u128)t[2 * i + 3] + (uint64_t)(s2 >> 64) + (uint64_t)(z >> 64); t[2 * i + 3] = (uint64_t)z;
        k = (uint64_t)(z >> 64);
    }
    /* reduce: each round clears t[i] and carries into t[i + 4] (the running carry `top` moves up
     * with the rounds and ends as bit 256 of the result) */
    uint64_t top = 0;
    for (int i = 0; i < 4; i++) {
        uint64_t q = t[i] * c->minv, cc = 0;
        MAC(t[i], q, c->m[0], cc);
        MAC(t[i + 1], q, c->m[1], cc);
        MAC(t[i + 2], q, c->m[2], cc);
        MAC(t[i + 3], q, c->m[3], cc);
        z = (u128)t[i + 4] + cc + top;
        t[i + 4] = (uint64_t)z;
        top = (uint64_t)(z >> 64);
    }
    uint64_t u[4];
    uint64_t borrow = sub4(u, t + 4, c->m);
    const uint64_t *src = (top || !borrow) ? u : t + 4;
    for (int i = 0; i < 4; i++) r->w[i] = src[i];
}

void mont_to(const mont256_ctx *c, fe256 *r, const fe256 *a) {
    fe256 r2;
    for (int i = 0; i < 4; i++) r2.w[i] = c->r2[i];
    mont_mul(c, r, a, &r2);
}

void mont_from(const mont256_ctx *c, fe256 *r, const fe256 *a) {
    fe256 one = {{1, 0, 0, 0}};
    mont_mul(c, r, a, &one);
}

void mont_set_one(const mont256_ctx *c, fe256 *r) {
    for (int i = 0; i < 4; i++) r->w[i] = c->one[i];
}

bool mont_is_one(const mont256_ctx *c, const fe256 *a) {
    fe256 one;
    mont_set_one(c, &one);
    return fe_eq(a, &one);
}

void mont_pow(const mont256_ctx *c, fe256 *r, const fe256 *a, const fe256 *e) {
    fe256 tab[16]; /* tab[k] = a^k */
    mont_set_one(c, &tab[0]);
    tab[1] = *a;
    for (int k = 2; k < 16; k++) mont_mul(c, &tab[k], &tab[k - 1], a);
    fe256 acc;
    mont_set_one(c, &acc);
    for (int i = 63; i >= 0; i--) {
        if (i != 63)
            for (int s = 0; s < 4; s++) mont_sqr(c, &acc, &acc);
        unsigned nib = (unsigned)(e->w[i >> 4] >> (4 * (i & 15))) & 15u;
        if (nib) mont_mul(c, &acc, &acc, &tab[nib]);
    }
    *r = acc;
}

static bool is_one4(const uint64_t a[4]) { return a[0] == 1 && (a[1] | a[2] | a[3]) == 0; }
static bool is_zero4(const uint64_t a[4]) { return (a[0] | a[1] | a[2] | a[3]) == 0; }

/* a /= 2 (a even). */
static void half4(uint64_t a[4]) {
    for (int i = 0; i < 3; i++) a[i] = (a[i] >> 1) | (a[i + 1] << 63);
    a[3] >>= 1;
}

/* x = x/2 mod m for x < m: (x + m)/2 when x is odd, with the carry of x + m shifted back in. */
static void half_mod(const uint64_t m[4], uint64_t x[4]) {
    uint64_t carry = 0;
    if (x[0] & 1) carry = add4(x, x, m);
    half4(x);
    x[3] |= carry << 63;
}

/* x = x - y mod m for x, y < m. */
static void sub_mod(const uint64_t m[4], uint64_t x[4], const uint64_t y[4]) {
    if (sub4(x, x, y)) add4(x, x, m);
}

/* The plain binary extended Euclid, bit by bit: the fallback of fe_inv_plain. */
static void inv_bitwise(const mont256_ctx *c, fe256 *r, const fe256 *a) {
    /* Binary extended Euclid (public inputs, so no constant-time concern): invariants
     * x1·a ≡ u and x2·a ≡ v (mod m); it ends when u or v reaches 1, which happens for every
     * a ≠ 0 since m is prime. */
    uint64_t u[4], v[4], x1[4] = {1, 0, 0, 0}, x2[4] = {0, 0, 0, 0};
    for (int i = 0; i < 4; i++) {
        u[i] = a->w[i];
        v[i] = c->m[i];
    }
    if (is_zero4(u)) {
        memset(r, 0, sizeof *r);
        return;
    }
    while (!is_one4(u) && !is_one4(v)) {
        if (is_zero4(u) || is_zero4(v)) break; /* only for a modulus that is not prime */
        while (!(u[0] & 1)) {
            half4(u);
            half_mod(c->m, x1);
        }
        while (!(v[0] & 1)) {
            half4(v);
            half_mod(c->m, x2);
        }
        uint64_t t[4];
        if (!sub4(t, u, v)) { /* u ≥ v */
            memcpy(u, t, sizeof t);
            sub_mod(c->m, x1, x2);
        } else {
            sub4(v, v, u);
            sub_mod(c->m, x2, x1);
        }
    }
    for (int i = 0; i < 4; i++) r->w[i] = is_one4(u) ? x1[i] : x2[i];
}

/* The number of significant bits of x (0 for 0); RV64IM has no count-leading-zeros. */
static int bitlen64(uint64_t x) {
    int n = 0;
    if (x >> 32) { n += 32; x >>= 32; }
    if (x >> 16) { n += 16; x >>= 16; }
    if (x >> 8) { n += 8; x >>= 8; }
    if (x >> 4) { n += 4; x >>= 4; }
    if (x >> 2) { n += 2; x >>= 2; }
    if (x >> 1) { n += 1; x >>= 1; }
    return n + (int)x;
}

static int bitlen256(const uint64_t a[4]) {
    for (int i = 3; i > 0; i--)
        if (a[i]) return 64 * i + bitlen64(a[i]);
    return bitlen64(a[0]);
}

/* a >> s, the low 64 bits (0 ≤ s < 256). */
static uint64_t shr_word(const uint64_t a[4], int s) {
    int l = s >> 6, b = s & 63;
    uint64_t v = a[l] >> b;
    if (b && l < 3) v |= a[l + 1] << (64 - b);
    return v;
}

/* r = |f|·x over 5 limbs. */
static void mul_small5(uint64_t r[5], const uint64_t x[4], uint64_t f) {
    uint64_t k = 0;
    for (int i = 0; i < 4; i++) {
        u128 z = (u128)x[i] * f + k;
        r[i] = (uint64_t)z;
        k = (uint64_t)(z >> 64);
    }
    r[4] = k;
}

/* r = -r over 5 limbs (two's complement). */
static void neg5(uint64_t r[5]) {
    uint64_t k = 1;
    for (int i = 0; i < 5; i++) {
        r[i] = ~r[i] + k;
        k = r[i] < k;
    }
}

/* r += x over 5 limbs (mod 2^320). */
static void add5(uint64_t r[5], const uint64_t x[5]) {
    uint64_t k = 0;
    for (int i = 0; i < 5; i++) {
        uint64_t s = r[i] + x[i];
        uint64_t c1 = s < x[i];
        r[i] = s + k;
        k = c1 | (r[i] < s);
    }
}

#define INV_STEPS 31 /* exact low bits of the approximations: divsteps per outer iteration */

/* (f·a + g·b) / 2^31 for |f| + |g| ≤ 2^31 and a, b < 2^256, an exact division: its magnitude
 * into out (below 2^256), returning whether it was negative. */
static bool lin_comb_shift(uint64_t out[4], const uint64_t a[4], int64_t f, const uint64_t b[4], int64_t g) {
    uint64_t t[5], u[5];
    mul_small5(t, a, f < 0 ? 0 - (uint64_t)f : (uint64_t)f);
    if (f < 0) neg5(t);
    mul_small5(u, b, g < 0 ? 0 - (uint64_t)g : (uint64_t)g);
    if (g < 0) neg5(u);
    add5(t, u);
    bool neg = t[4] >> 63;
    if (neg) neg5(t);
    for (int i = 0; i < 4; i++) out[i] = (t[i] >> INV_STEPS) | (t[i + 1] << (64 - INV_STEPS));
    return neg;
}

/* (f·u + g·v) / 2^31 mod m for u, v < m and |f| + |g| ≤ 2^31: -f·u is taken as |f|·(m - u), so
 * the sum t is nonnegative and below 2^31·m; adding q·m with q = -t·m^-1 mod 2^31 makes it a
 * multiple of 2^31 (a Montgomery step) and the quotient is below 2m. */
static void mod_comb_shift(const mont256_ctx *c, uint64_t out[4], const uint64_t u[4], int64_t f,
                           const uint64_t v[4], int64_t g) {
    uint64_t us[4], vs[4], t[5], w[5];
    if (f < 0) sub4(us, c->m, u);
    else for (int i = 0; i < 4; i++) us[i] = u[i];
    if (g < 0) sub4(vs, c->m, v);
    else for (int i = 0; i < 4; i++) vs[i] = v[i];
    mul_small5(t, us, f < 0 ? 0 - (uint64_t)f : (uint64_t)f);
    mul_small5(w, vs, g < 0 ? 0 - (uint64_t)g : (uint64_t)g);
    add5(t, w);
    uint64_t q = (t[0] * c->minv) & ((1ull << INV_STEPS) - 1);
    mul_small5(w, c->m, q);
    add5(t, w);
    uint64_t r[4];
    for (int i = 0; i < 4; i++) r[i] = (t[i] >> INV_STEPS) | (t[i + 1] << (64 - INV_STEPS));
    uint64_t top = t[4] >> INV_STEPS, d[4];
    uint64_t borrow = sub4(d, r, c->m);
    const uint64_t *src = (top || !borrow) ? d : r;
    for (int i = 0; i < 4; i++) out[i] = src[i];
}

void fe_inv_plain(const mont256_ctx *c, fe256 *r, const fe256 *x) {
    /* Binary GCD with approximations (after T. Pornin, "Optimized Binary GCD for Modular
     * Inversion", 2020): a ≡ u·x and b ≡ v·x (mod m), b odd, start from (x, 1) and (m, 0). Each
     * outer iteration runs 31 binary-GCD steps on 64-bit stand-ins for a and b (their low 31 bits,
     * exact, under their top 33 bits at the common length n), collects them as a matrix
     * [f0 g0; f1 g1] and applies it to the full values: a, b <- (f·a + g·b)/2^31 (negated with the
     * row when negative) and u, v <- (f·u + g·v)/2^31 mod m. 2·256 - 1 steps, 17 iterations,
     * bring a to 0 and b to gcd(x, m) = 1, so v = x^-1. */
    uint64_t a[4], b[4], u[4] = {1, 0, 0, 0}, v[4] = {0, 0, 0, 0};
    for (int i = 0; i < 4; i++) {
        a[i] = x->w[i];
        b[i] = c->m[i];
    }
    if (is_zero4(a)) {
        memset(r, 0, sizeof *r);
        return;
    }
    const uint64_t low = (1ull << INV_STEPS) - 1;
    for (int iter = 0; iter < 20 && !is_zero4(a); iter++) {
        uint64_t ab[4] = {a[0] | b[0], a[1] | b[1], a[2] | b[2], a[3] | b[3]};
        int n = bitlen256(ab); /* the longer length */
        uint64_t xa, xb;
        if (n <= 64) {
            xa = a[0];
            xb = b[0];
        } else {
            xa = (a[0] & low) | (shr_word(a, n - 33) << INV_STEPS);
            xb = (b[0] & low) | (shr_word(b, n - 33) << INV_STEPS);
        }
        int64_t f0 = 1, g0 = 0, f1 = 0, g1 = 1;
        for (int j = 0; j < INV_STEPS; j++) {
            if (xa & 1) {
                if (xa < xb) {
                    uint64_t t = xa;
                    xa = xb;
                    xb = t;
                    int64_t tf = f0, tg = g0;
                    f0 = f1;
                    g0 = g1;
                    f1 = tf;
                    g1 = tg;
                }
                xa -= xb;
                f0 -= f1;
                g0 -= g1;
            }
            xa >>= 1;
            f1 *= 2;
            g1 *= 2;
        }
        uint64_t na[4], nb[4], nu[4], nv[4];
        if (lin_comb_shift(na, a, f0, b, g0)) {
            f0 = -f0;
            g0 = -g0;
        }
        if (lin_comb_shift(nb, a, f1, b, g1)) {
            f1 = -f1;
            g1 = -g1;
        }
        mod_comb_shift(c, nu, u, f0, v, g0);
        mod_comb_shift(c, nv, u, f1, v, g1);
        for (int i = 0; i < 4; i++) {
            a[i] = na[i];
            b[i] = nb[i];
            u[i] = nu[i];
            v[i] = nv[i];
        }
    }
    if (!is_zero4(a) || !is_one4(b)) { /* not expected for a prime modulus: the exact method */
        inv_bitwise(c, r, x);
        return;
    }
    for (int i = 0; i < 4; i++) r->w[i] = v[i];
}

void mont_inv(const mont256_ctx *c, fe256 *r, const fe256 *a) {
    /* The plain inverse of the representation A = a·R is a^-1·R^-1; two multiplications by R^2
     * (each adds a factor R) give a^-1·R, the Montgomery form of a^-1. */
    fe256 inv, r2;
    fe_inv_plain(c, &inv, a);
    for (int i = 0; i < 4; i++) r2.w[i] = c->r2[i];
    mont_mul(c, &inv, &inv, &r2);
    mont_mul(c, r, &inv, &r2);
}

bool mont_sqrt(const mont256_ctx *c, fe256 *r, const fe256 *a) {
    /* for m ≡ 3 (mod 4) a square root of a square a is a^((m+1)/4) */
    fe256 e, one = {{1, 0, 0, 0}}, s, chk;
    add4(e.w, c->m, one.w); /* m < 2^256 - 1, so no carry out */
    for (int i = 0; i < 4; i++) e.w[i] = (e.w[i] >> 2) | (i < 3 ? e.w[i + 1] << 62 : 0);
    mont_pow(c, &s, a, &e);
    mont_sqr(c, &chk, &s);
    if (!fe_eq(&chk, a)) return false;
    *r = s;
    return true;
}
