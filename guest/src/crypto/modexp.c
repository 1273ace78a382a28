/* Modular exponentiation over arbitrary lengths (EIP-198) with EIP-2565 gas.
 *
 * Numbers are little-endian arrays of 32-bit digits so that every division the remainder
 * algorithm needs (Knuth, TAOCP vol. 2, §4.3.1, algorithm D) is a native 64-by-32-bit one: no
 * 128-bit division helper is needed on RV64. The exponent is consumed four bits at a time
 * (fixed window) from its big-endian bytes; the modulus may be even.
 */
#include "modexp.h"

#include "precompile_internal.h"

typedef unsigned __int128 u128;

/* ---- header parsing and gas ---- */

/* A 32-byte big-endian length field, saturated at UINT64_MAX. */
static uint64_t len_field(const uint8_t w[32]) {
    for (int i = 0; i < 24; i++)
        if (w[i]) return UINT64_MAX;
    uint64_t v = 0;
    for (int i = 24; i < 32; i++) v = (v << 8) | w[i];
    return v;
}

/* Byte `i` of the input seen as zero-padded on the right (any i). */
static uint8_t byte_at(const uint8_t *in, size_t in_len, uint64_t i) { return i < in_len ? in[i] : 0; }

static uint64_t sat_add(uint64_t a, uint64_t b) { return a > UINT64_MAX - b ? UINT64_MAX : a + b; }

/* Number of significant bits of the first min(n, 32) exponent bytes at offset off. */
static unsigned head_bits(const uint8_t *in, size_t in_len, uint64_t off, uint64_t n) {
    if (n > 32) n = 32;
    for (uint64_t i = 0; i < n; i++) {
        uint8_t b = byte_at(in, in_len, sat_add(off, i));
        if (b) {
            unsigned bits = 8;
            while (!(b & 0x80)) { b <<= 1; bits--; }
            return (unsigned)(8 * (n - 1 - i)) + bits;
        }
    }
    return 0;
}

uint64_t modexp_gas(const uint8_t *in, size_t in_len) {
    uint8_t hdr[96];
    precompile_padded(hdr, sizeof hdr, in, in_len);
    uint64_t blen = len_field(hdr), elen = len_field(hdr + 32), mlen = len_field(hdr + 64);
    uint64_t x = blen > mlen ? blen : mlen;
    uint64_t words = x / 8 + (x % 8 != 0);
    if (words == 0) return 200;
    if (words > ((uint64_t)1 << 32)) return UINT64_MAX;
    /* adjusted exponent length: 8·(elen - 32) plus the index of the head's top bit */
    unsigned hb = head_bits(in, in_len, sat_add(96, blen), elen);
    uint64_t adj = hb ? hb - 1 : 0;
    if (elen > 32) {
        if (elen - 32 > UINT64_MAX / 8) return UINT64_MAX;
        adj = sat_add(adj, 8 * (elen - 32));
        if (adj == UINT64_MAX) return UINT64_MAX;
    }
    if (adj == 0) adj = 1;
    u128 c = (u128)words * words;
    if (c > ~(u128)0 / adj) return UINT64_MAX;
    u128 g = c * adj / 3;
    if (g >= UINT64_MAX) return UINT64_MAX;
    return g < 200 ? 200 : (uint64_t)g;
}

/* ---- multi-digit arithmetic on 32-bit digits ---- */

/* Load big-endian bytes into n = ceil(len/4) little-endian digits. */
static void load_digits(uint32_t *d, size_t n, const uint8_t *p, size_t len) {
    memset(d, 0, n * sizeof *d);
    for (size_t i = 0; i < len; i++) {
        size_t k = len - 1 - i; /* byte significance */
        d[k / 4] |= (uint32_t)p[i] << (8 * (k % 4));
    }
}

/* Number of digits without leading zeros. */
static size_t digits_len(const uint32_t *d, size_t n) {
    while (n && d[n - 1] == 0) n--;
    return n;
}

static unsigned clz32(uint32_t v) {
    unsigned n = 0;
    while (!(v & 0x80000000u)) { v <<= 1; n++; }
    return n;
}

/* Reduction context: the modulus shifted left by `shift` so that its top digit has its high
 * bit set (n ≥ 2 digits), or a single-digit modulus. */
typedef struct {
    uint32_t *v;   /* normalized modulus, n digits */
    size_t n;
    unsigned shift;
    uint32_t *u;   /* scratch for the normalized dividend, up to 2n+1 digits */
} reducer;

/* r[0 … n) = x[0 … xn) mod m. x is not modified. */
static void reduce(const reducer *R, uint32_t *r, const uint32_t *x, size_t xn) {
    size_t n = R->n;
    if (n == 1) {
        uint64_t v = R->v[0] >> R->shift, rem = 0;
        for (size_t i = xn; i-- > 0;) rem = ((rem << 32) | x[i]) % v;
        r[0] = (uint32_t)rem;
        return;
    }
    uint32_t *u = R->u;
    unsigned s = R->shift;
    /* u = x << s, with one extra top digit */
    u[xn] = s ? x[xn - 1] >> (32 - s) : 0;
    for (size_t i = xn - 1; i > 0; i--) u[i] = s ? (x[i] << s) | (x[i - 1] >> (32 - s)) : x[i];
    u[0] = x[0] << s;
    const uint32_t *v = R->v;
    uint64_t vt = v[n - 1], vs = v[n - 2];
    for (size_t j = xn - n + 1; j-- > 0;) {
        uint64_t num = ((uint64_t)u[j + n] << 32) | u[j + n - 1];
        uint64_t qhat = num / vt, rhat = num % vt;
        while (qhat >> 32 || qhat * vs > ((rhat << 32) | u[j + n - 2])) {
            qhat--;
            rhat += vt;
            if (rhat >> 32) break;
        }
        /* u[j … j+n] -= qhat · v */
        uint64_t carry = 0, borrow = 0;
        for (size_t i = 0; i < n; i++) {
            uint64_t p = qhat * v[i] + carry;
            carry = p >> 32;
            uint64_t t = (uint64_t)u[i + j] - (uint32_t)p - borrow;
            u[i + j] = (uint32_t)t;
            borrow = (t >> 32) & 1;
        }
        uint64_t t = (uint64_t)u[j + n] - carry - borrow;
        u[j + n] = (uint32_t)t;
        if (t >> 63) { /* qhat was one too large: add v back */
            uint64_t c = 0;
            for (size_t i = 0; i < n; i++) {
                uint64_t sum = (uint64_t)u[i + j] + v[i] + c;
                u[i + j] = (uint32_t)sum;
                c = sum >> 32;
            }
            u[j + n] += (uint32_t)c;
        }
    }
    for (size_t i = 0; i < n; i++) r[i] = s ? (u[i] >> s) | (u[i + 1] << (32 - s)) : u[i];
}

/* r = a·b mod m for a, b < m (n digits each); prod is scratch of 2n digits. */
static void mulmod(const reducer *R, uint32_t *r, const uint32_t *a, const uint32_t *b, uint32_t *prod) {
    size_t n = R->n;
    memset(prod, 0, 2 * n * sizeof *prod);
    for (size_t i = 0; i < n; i++) {
        uint64_t carry = 0, ai = a[i];
        if (!ai) continue;
        for (size_t k = 0; k < n; k++) {
            uint64_t t = ai * b[k] + prod[i + k] + carry;
            prod[i + k] = (uint32_t)t;
            carry = t >> 32;
        }
        prod[i + n] = (uint32_t)carry;
    }
    reduce(R, r, prod, 2 * n);
}

/* ---- Montgomery multiplication for odd moduli ---- */

/* CIOS Montgomery products over 64-bit limbs (the same method as mont256, for any length). The
 * operands are 32-bit digit arrays of 2·n64 digits, turned into limbs at the edges of each
 * product (O(n) against the O(n^2) product). */
typedef struct {
    size_t n64;
    const uint64_t *m;
    uint64_t minv;        /* -m^-1 mod 2^64 */
    uint64_t *a, *b, *t;  /* scratch: operands (n64 limbs) and accumulator (n64 + 2) */
} montn;

static void digits_to_limbs(uint64_t *l, const uint32_t *d, size_t n64) {
    for (size_t i = 0; i < n64; i++) l[i] = (uint64_t)d[2 * i] | ((uint64_t)d[2 * i + 1] << 32);
}

static void limbs_to_digits(uint32_t *d, const uint64_t *l, size_t n64) {
    for (size_t i = 0; i < n64; i++) {
        d[2 * i] = (uint32_t)l[i];
        d[2 * i + 1] = (uint32_t)(l[i] >> 32);
    }
}

/* r = a·b·2^(-64·n64) mod m for a, b < m. */
static void montn_mul(const montn *M, uint32_t *r, const uint32_t *a, const uint32_t *b) {
    size_t n = M->n64;
    uint64_t *A = M->a, *B = M->b, *t = M->t;
    const uint64_t *m = M->m;
    digits_to_limbs(A, a, n);
    digits_to_limbs(B, b, n);
    memset(t, 0, (n + 2) * sizeof *t);
    for (size_t i = 0; i < n; i++) {
        uint64_t c = 0, bi = B[i];
        u128 z;
        for (size_t j = 0; j < n; j++) {
            z = (u128)A[j] * bi + t[j] + c;
            t[j] = (uint64_t)z;
            c = (uint64_t)(z >> 64);
        }
        z = (u128)t[n] + c;
        t[n] = (uint64_t)z;
        t[n + 1] = (uint64_t)(z >> 64);
        uint64_t q = t[0] * M->minv;
        z = (u128)q * m[0] + t[0];
        c = (uint64_t)(z >> 64);
        for (size_t j = 1; j < n; j++) {
            z = (u128)q * m[j] + t[j] + c;
            t[j - 1] = (uint64_t)z;
            c = (uint64_t)(z >> 64);
        }
        z = (u128)t[n] + c;
        t[n - 1] = (uint64_t)z;
        t[n] = t[n + 1] + (uint64_t)(z >> 64);
    }
    /* t < 2m: subtract m once when t ≥ m */
    bool ge = t[n] != 0;
    if (!ge) {
        ge = true; /* equal counts as ≥ */
        for (size_t j = n; j-- > 0;)
            if (t[j] != m[j]) {
                ge = t[j] > m[j];
                break;
            }
    }
    if (ge) {
        uint64_t borrow = 0;
        for (size_t j = 0; j < n; j++) {
            uint64_t d = t[j] - m[j];
            uint64_t b1 = t[j] < m[j];
            t[j] = d - borrow;
            borrow = b1 | (d < borrow);
        }
    }
    limbs_to_digits(r, t, n);
}

/* ---- the exponentiation ---- */

/* The multiplication of the exponentiation: Montgomery for odd moduli (elements in Montgomery
 * form), else the schoolbook product and the remainder. */
typedef struct {
    const reducer *R;
    const montn *M; /* NULL for an even modulus */
    uint32_t *prod; /* scratch for the schoolbook product */
} multiplier;

static void mul(const multiplier *X, uint32_t *r, const uint32_t *a, const uint32_t *b) {
    if (X->M) montn_mul(X->M, r, a, b);
    else mulmod(X->R, r, a, b, X->prod);
}

void modexp_compute(const uint8_t *base, size_t blen, const uint8_t *exp, size_t elen, const uint8_t *mod,
                    size_t mlen, uint8_t *out) {
    memset(out, 0, mlen);
    size_t mn = (mlen + 3) / 4;
    uint32_t *m = rt_alloc(mn * 4 + 4);
    load_digits(m, mn, mod, mlen);
    size_t n = digits_len(m, mn);
    if (n == 0) return; /* modulus 0: the result is 0 */
    bool odd = m[0] & 1;
    /* elements have w digits: n, rounded up to whole 64-bit limbs for Montgomery */
    size_t n64 = (n + 1) / 2, w = odd ? 2 * n64 : n;

    reducer R;
    R.n = n;
    R.shift = clz32(m[n - 1]);
    R.v = rt_alloc(n * 4);
    for (size_t i = n; i-- > 0;) R.v[i] = R.shift ? (m[i] << R.shift) | (i ? m[i - 1] >> (32 - R.shift) : 0) : m[i];
    size_t bn = (blen + 3) / 4;
    size_t xn = (bn + w > 2 * w ? bn + w : 2 * w) + 2; /* the longest number reduce() sees */
    R.u = rt_alloc((xn + 1) * 4);

    multiplier X = {&R, NULL, rt_alloc(2 * n * 4)};
    montn M;
    if (odd) {
        uint64_t *ml = rt_alloc(n64 * 8);
        digits_to_limbs(ml, m, n64); /* m has a zero digit above n when n is odd */
        uint64_t inv = 1; /* Newton: each step doubles the correct low bits of m^-1 mod 2^64 */
        for (int k = 0; k < 6; k++) inv *= 2 - ml[0] * inv;
        M = (montn){n64, ml, (uint64_t)0 - inv, rt_alloc(n64 * 8), rt_alloc(n64 * 8), rt_alloc((n64 + 2) * 8)};
        X.M = &M;
    }

    /* tab[k] = base^k mod m (Montgomery form when odd) for the 4-bit window */
    uint32_t *tab = rt_alloc(16 * w * 4), *acc = rt_alloc(w * 4), *x = rt_alloc(xn * 4);
    /* tab[0] = 1 (or R mod m): the digit 1 at position 0 (or w) reduced */
    x[odd ? w : 0] = 1;
    reduce(&R, tab, x, (odd ? w : 0) + 1 > n ? (odd ? w : 0) + 1 : n);
    /* tab[1] = base mod m (times R when odd) */
    memset(x, 0, xn * 4);
    size_t off = odd ? w : 0;
    load_digits(x + off, bn, base, blen);
    reduce(&R, tab + w, x, off + bn > n ? off + bn : n);
    for (int k = 2; k < 16; k++) mul(&X, tab + k * w, tab + (k - 1) * w, tab + w);

    memcpy(acc, tab, w * 4);
    bool started = false;
    for (size_t i = 0; i < elen; i++) {
        for (int half = 1; half >= 0; half--) {
            unsigned nib = (exp[i] >> (4 * half)) & 15u;
            if (started)
                for (int s = 0; s < 4; s++) mul(&X, acc, acc, acc);
            if (nib) {
                mul(&X, acc, acc, tab + nib * w);
                started = true;
            }
        }
    }
    if (odd) { /* leave Montgomery form: multiply by plain 1 */
        memset(x, 0, w * 4);
        x[0] = 1;
        montn_mul(&M, acc, acc, x);
    }
    for (size_t i = 0; i < mlen && i / 4 < n; i++) out[mlen - 1 - i] = (uint8_t)(acc[i / 4] >> (8 * (i % 4)));
}

/* EIP-198 input: Lb, Le, Lm (32-byte big-endian each) ‖ base ‖ exp ‖ mod, zero-padded on the
 * right; the output has exactly Lm bytes. */
int precompile_modexp(const uint8_t *in, size_t in_len, uint64_t gas_limit, precompile_result *res) {
    uint64_t gas = modexp_gas(in, in_len);
    if (gas == UINT64_MAX) return precompile_fail(res, gas_limit, PRECOMPILE_OOG);
    uint8_t hdr[96];
    precompile_padded(hdr, sizeof hdr, in, in_len);
    uint64_t blen = len_field(hdr), elen = len_field(hdr + 32), mlen = len_field(hdr + 64);
    /* once the gas is paid, mlen > 0 bounds blen and elen (they enter the gas) */
    if (mlen == 0) return precompile_charge(res, gas_limit, gas, 0);
    int st = precompile_charge(res, gas_limit, gas, (size_t)mlen);
    if (st != PRECOMPILE_OK) return st;
    /* The modulus follows base and exponent. When it starts beyond the input it is zero and so
     * is the (already zeroed) output; otherwise base and exponent lie inside the input and only
     * the modulus may need its zero padding (the gas bounds mlen by 8·sqrt(3·gas)). */
    uint64_t moff = sat_add(sat_add(96, blen), elen);
    if (moff >= in_len) return PRECOMPILE_OK;
    uint8_t *m = rt_alloc((size_t)mlen);
    for (uint64_t i = 0; i < mlen; i++) m[i] = byte_at(in, in_len, moff + i);
    modexp_compute(in + 96, (size_t)blen, in + 96 + blen, (size_t)elen, m, (size_t)mlen, res->out);
    return PRECOMPILE_OK;
}
