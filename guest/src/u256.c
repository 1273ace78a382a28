/* uint256 multiplicative, division, exponent, byte and shift operations (see u256.h).
 *
 * Division is Knuth's algorithm D over 32-bit digits, so that every intermediate fits a
 * uint64_t and no 128-by-64 division (a compiler-runtime call on RV64) is ever needed.
 * Products use unsigned __int128, which RV64IM computes inline with MUL/MULHU.
 */
#include "u256.h"

__extension__ typedef unsigned __int128 u128;

/* Leading zero bits of a non-zero 32-bit value (portable: no builtin that may need libgcc). */
static unsigned clz32(uint32_t x) {
    unsigned n = 0;
    if ((x & 0xFFFF0000u) == 0) { n += 16; x <<= 16; }
    if ((x & 0xFF000000u) == 0) { n += 8; x <<= 8; }
    if ((x & 0xF0000000u) == 0) { n += 4; x <<= 4; }
    if ((x & 0xC0000000u) == 0) { n += 2; x <<= 2; }
    if ((x & 0x80000000u) == 0) { n += 1; }
    return n;
}

void u256_from_be(u256 *r, const uint8_t *p, size_t n) {
    /* limb i holds bytes [lo, hi) of the input, counted from its start */
    for (size_t i = 0; i < 4; i++) {
        size_t hi = n > 8 * i ? n - 8 * i : 0, lo = hi > 8 ? hi - 8 : 0;
        uint64_t v = 0;
        for (size_t k = lo; k < hi; k++) v = (v << 8) | p[k];
        r->w[i] = v;
    }
}

void u256_to_be(const u256 *a, uint8_t out[32]) {
    for (int i = 0; i < 32; i++) out[31 - i] = (uint8_t)(a->w[i >> 3] >> (8 * (i & 7)));
}

void u256_neg(u256 *r, const u256 *a) {
    u256 z = {{0, 0, 0, 0}};
    u256_sub(r, &z, a);
}

void u256_mul(u256 *r, const u256 *a, const u256 *b) {
    uint64_t t[4] = {0, 0, 0, 0};
    for (int i = 0; i < 4; i++) {
        uint64_t ai = a->w[i], carry = 0;
        if (ai == 0) continue;
        for (int j = 0; i + j < 4; j++) {
            u128 p = (u128)ai * b->w[j] + t[i + j] + carry;
            t[i + j] = (uint64_t)p;
            carry = (uint64_t)(p >> 64);
        }
    }
    for (int i = 0; i < 4; i++) r->w[i] = t[i];
}

/* ---- division over 32-bit digits ---- */

#define MAX_DIGITS 16 /* a 512-bit dividend */

/* Split `limbs` 64-bit limbs into 32-bit digits; returns the count without leading zeros. */
static int to_digits(uint32_t *d, const uint64_t *w, int limbs) {
    for (int i = 0; i < limbs; i++) {
        d[2 * i] = (uint32_t)w[i];
        d[2 * i + 1] = (uint32_t)(w[i] >> 32);
    }
    int n = 2 * limbs;
    while (n > 0 && d[n - 1] == 0) n--;
    return n;
}

/* Knuth D: u (m digits) divided by v (n >= 2 digits, v[n-1] != 0, m >= n).
 * q receives m - n + 1 digits (may be NULL), r receives n digits (may be NULL). */
static void divmod_digits(uint32_t *q, uint32_t *r, const uint32_t *u, int m, const uint32_t *v, int n) {
    uint32_t un[MAX_DIGITS + 1], vn[MAX_DIGITS / 2];
    unsigned s = clz32(v[n - 1]);
    /* Normalize so the divisor's top digit has its high bit set; shifting a uint64_t by 32
     * when s = 0 yields 0, which is what the missing carry-in should be. */
    for (int i = n - 1; i > 0; i--) vn[i] = (uint32_t)(((uint64_t)v[i] << s) | ((uint64_t)v[i - 1] >> (32 - s)));
    vn[0] = (uint32_t)((uint64_t)v[0] << s);
    un[m] = (uint32_t)((uint64_t)u[m - 1] >> (32 - s));
    for (int i = m - 1; i > 0; i--) un[i] = (uint32_t)(((uint64_t)u[i] << s) | ((uint64_t)u[i - 1] >> (32 - s)));
    un[0] = (uint32_t)((uint64_t)u[0] << s);

    const uint64_t base = (uint64_t)1 << 32;
    for (int j = m - n; j >= 0; j--) {
        uint64_t num = ((uint64_t)un[j + n] << 32) | un[j + n - 1];
        uint64_t qhat = num / vn[n - 1];
        uint64_t rhat = num - qhat * vn[n - 1];
        while (qhat >= base || qhat * vn[n - 2] > ((rhat << 32) | un[j + n - 2])) {
            qhat--;
            rhat += vn[n - 1];
            if (rhat >= base) break;
        }
        /* un[j .. j+n] -= qhat * vn */
        uint64_t borrow = 0;
        for (int i = 0; i < n; i++) {
            uint64_t p = qhat * vn[i] + borrow;
            uint32_t lo = (uint32_t)p, cur = un[i + j];
            borrow = (p >> 32) + (cur < lo);
            un[i + j] = cur - lo;
        }
        uint64_t top = un[j + n];
        un[j + n] = (uint32_t)(top - borrow);
        if (top < borrow) { /* qhat was one too large: add the divisor back */
            qhat--;
            uint64_t carry = 0;
            for (int i = 0; i < n; i++) {
                uint64_t t = (uint64_t)un[i + j] + vn[i] + carry;
                un[i + j] = (uint32_t)t;
                carry = t >> 32;
            }
            un[j + n] = (uint32_t)(un[j + n] + carry);
        }
        if (q) q[j] = (uint32_t)qhat;
    }
    if (r) {
        for (int i = 0; i < n; i++) r[i] = (uint32_t)(((uint64_t)un[i] >> s) | ((uint64_t)un[i + 1] << (32 - s)));
    }
}

/* q = u / v and rem = u % v for a dividend of `limbs` limbs (4 or 8) and a non-zero 256-bit
 * divisor; q (may be NULL) receives the low 256 bits of the quotient. */
static void divmod_wide(u256 *q, u256 *rem, const uint64_t *u, int limbs, const u256 *v) {
    uint32_t ud[MAX_DIGITS], vd[8], qd[MAX_DIGITS + 1], rd[8];
    int m = to_digits(ud, u, limbs);
    int n = to_digits(vd, v->w, 4);
    for (int i = 0; i < MAX_DIGITS + 1; i++) qd[i] = 0;
    for (int i = 0; i < 8; i++) rd[i] = 0;
    if (m < n) { /* dividend below divisor */
        for (int i = 0; i < m; i++) rd[i] = ud[i];
    } else if (n == 1) { /* short division */
        uint64_t k = 0;
        for (int j = m - 1; j >= 0; j--) {
            uint64_t cur = (k << 32) | ud[j];
            qd[j] = (uint32_t)(cur / vd[0]);
            k = cur % vd[0];
        }
        rd[0] = (uint32_t)k;
    } else {
        divmod_digits(qd, rd, ud, m, vd, n);
    }
    if (q) {
        for (int i = 0; i < 4; i++) q->w[i] = (uint64_t)qd[2 * i] | ((uint64_t)qd[2 * i + 1] << 32);
    }
    if (rem) {
        for (int i = 0; i < 4; i++) rem->w[i] = (uint64_t)rd[2 * i] | ((uint64_t)rd[2 * i + 1] << 32);
    }
}

void u256_div(u256 *r, const u256 *a, const u256 *b) {
    if (u256_is_zero(b)) { u256_set_u64(r, 0); return; }
    if (u256_fits_u64(a) && u256_fits_u64(b)) { u256_set_u64(r, a->w[0] / b->w[0]); return; }
    if (u256_lt(a, b)) { u256_set_u64(r, 0); return; }
    divmod_wide(r, NULL, a->w, 4, b);
}

void u256_mod(u256 *r, const u256 *a, const u256 *b) {
    if (u256_is_zero(b)) { u256_set_u64(r, 0); return; }
    if (u256_fits_u64(a) && u256_fits_u64(b)) { u256_set_u64(r, a->w[0] % b->w[0]); return; }
    if (u256_lt(a, b)) { *r = *a; return; }
    divmod_wide(NULL, r, a->w, 4, b);
}

/* |a| for a two's complement value. */
static void u256_abs(u256 *r, const u256 *a) {
    if (u256_is_neg(a)) u256_neg(r, a);
    else *r = *a;
}

void u256_sdiv(u256 *r, const u256 *a, const u256 *b) {
    bool neg = u256_is_neg(a) != u256_is_neg(b);
    u256 x, y;
    u256_abs(&x, a);
    u256_abs(&y, b);
    u256_div(r, &x, &y); /* -2^255 / -1: |a| = 2^255, quotient 2^255, negated back to -2^255 */
    if (neg) u256_neg(r, r);
}

void u256_smod(u256 *r, const u256 *a, const u256 *b) {
    bool neg = u256_is_neg(a);
    u256 x, y;
    u256_abs(&x, a);
    u256_abs(&y, b);
    u256_mod(r, &x, &y);
    if (neg) u256_neg(r, r);
}

void u256_addmod(u256 *r, const u256 *a, const u256 *b, const u256 *m) {
    if (u256_is_zero(m)) { u256_set_u64(r, 0); return; }
    uint64_t s[8] = {0, 0, 0, 0, 0, 0, 0, 0}, c = 0;
    for (int i = 0; i < 4; i++) s[i] = u64_addc(a->w[i], b->w[i], c, &c);
    s[4] = c; /* the 257th bit */
    divmod_wide(NULL, r, s, 8, m);
}

void u256_mulmod(u256 *r, const u256 *a, const u256 *b, const u256 *m) {
    if (u256_is_zero(m)) { u256_set_u64(r, 0); return; }
    uint64_t p[8] = {0, 0, 0, 0, 0, 0, 0, 0};
    for (int i = 0; i < 4; i++) {
        uint64_t carry = 0;
        for (int j = 0; j < 4; j++) {
            u128 t = (u128)a->w[i] * b->w[j] + p[i + j] + carry;
            p[i + j] = (uint64_t)t;
            carry = (uint64_t)(t >> 64);
        }
        p[i + 4] = carry;
    }
    divmod_wide(NULL, r, p, 8, m);
}

void u256_exp(u256 *r, const u256 *base, const u256 *exponent) {
    u256 acc, b = *base, e = *exponent;
    u256_set_u64(&acc, 1);
    for (int limb = 0; limb < 4; limb++) {
        uint64_t bits = e.w[limb];
        /* stop squaring once no higher exponent bits remain */
        bool more = false;
        for (int k = limb + 1; k < 4; k++) more |= e.w[k] != 0;
        for (int i = 0; i < 64 && (bits != 0 || more); i++) {
            if (bits & 1) u256_mul(&acc, &acc, &b);
            bits >>= 1;
            if (bits != 0 || more) u256_mul(&b, &b, &b);
        }
        if (!more) break;
    }
    *r = acc;
}

void u256_signextend(u256 *r, const u256 *b, const u256 *x) {
    if (!u256_fits_u64(b) || b->w[0] >= 31) { *r = *x; return; }
    unsigned bit = 8 * (unsigned)b->w[0] + 7, li = bit >> 6, off = bit & 63;
    u256 v = *x;
    uint64_t fill = ((v.w[li] >> off) & 1) ? ~(uint64_t)0 : 0;
    uint64_t keep = off == 63 ? ~(uint64_t)0 : (((uint64_t)1 << (off + 1)) - 1);
    v.w[li] = (v.w[li] & keep) | (fill & ~keep);
    for (unsigned j = li + 1; j < 4; j++) v.w[j] = fill;
    *r = v;
}

void u256_byte(u256 *r, const u256 *i, const u256 *x) {
    if (!u256_fits_u64(i) || i->w[0] >= 32) { u256_set_u64(r, 0); return; }
    unsigned pos = 31 - (unsigned)i->w[0]; /* byte index from the least significant end */
    u256_set_u64(r, (x->w[pos >> 3] >> (8 * (pos & 7))) & 0xFF);
}

void u256_shl(u256 *r, const u256 *shift, const u256 *x) {
    if (!u256_fits_u64(shift) || shift->w[0] >= 256) { u256_set_u64(r, 0); return; }
    unsigned ls = (unsigned)shift->w[0] >> 6, bs = (unsigned)shift->w[0] & 63;
    uint64_t out[4];
    for (int i = 3; i >= 0; i--) {
        int src = i - (int)ls;
        uint64_t v = src >= 0 ? x->w[src] << bs : 0;
        if (bs && src - 1 >= 0) v |= x->w[src - 1] >> (64 - bs);
        out[i] = v;
    }
    for (int i = 0; i < 4; i++) r->w[i] = out[i];
}

void u256_shr(u256 *r, const u256 *shift, const u256 *x) {
    if (!u256_fits_u64(shift) || shift->w[0] >= 256) { u256_set_u64(r, 0); return; }
    unsigned ls = (unsigned)shift->w[0] >> 6, bs = (unsigned)shift->w[0] & 63;
    uint64_t out[4];
    for (int i = 0; i < 4; i++) {
        int src = i + (int)ls;
        uint64_t v = src < 4 ? x->w[src] >> bs : 0;
        if (bs && src + 1 < 4) v |= x->w[src + 1] << (64 - bs);
        out[i] = v;
    }
    for (int i = 0; i < 4; i++) r->w[i] = out[i];
}

void u256_sar(u256 *r, const u256 *shift, const u256 *x) {
    if (!u256_is_neg(x)) { u256_shr(r, shift, x); return; }
    /* for negative x, x >> n (rounding toward -inf) equals ~((~x) >> n) */
    u256 t;
    u256_not(&t, x);
    u256_shr(&t, shift, &t);
    u256_not(r, &t);
}

unsigned u256_byte_len(const u256 *a) {
    for (int i = 3; i >= 0; i--) {
        uint64_t w = a->w[i];
        if (w == 0) continue;
        unsigned bytes = 8;
        while ((w >> 56) == 0) { w <<= 8; bytes--; }
        return 8 * (unsigned)i + bytes;
    }
    return 0;
}
