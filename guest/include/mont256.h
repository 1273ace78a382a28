/* Montgomery arithmetic modulo an odd modulus below 2^256 (four 64-bit limbs, least significant
 * first), shared by secp256k1 (its p and n) and BN254 (its p and r).
 *
 * Field elements are kept in Montgomery form a·R mod m with R = 2^256, fully reduced (< m), so
 * equality of elements is equality of limbs. Every function allows its output to alias its
 * inputs. Nothing here faults or branches on secret data in ways that matter to the EVM: all
 * inputs are public, so the code aims at speed and totality, not constant time.
 */
#ifndef SWAPVM_MONT256_H
#define SWAPVM_MONT256_H

#include "rt.h"

/* An element (Montgomery form when it belongs to a field, plain otherwise). */
typedef struct {
    uint64_t w[4]; /* w[0] is the least significant limb */
} fe256;

/* A modulus and its Montgomery constants (const tables: they live in ROM). */
typedef struct {
    uint64_t m[4];   /* the odd modulus */
    uint64_t one[4]; /* R mod m: 1 in Montgomery form */
    uint64_t r2[4];  /* R^2 mod m: converts into Montgomery form */
    uint64_t minv;   /* -m^-1 mod 2^64 */
} mont256_ctx;

extern const mont256_ctx SECP256K1_P; /* 2^256 - 2^32 - 977 */
extern const mont256_ctx SECP256K1_N; /* the order of the secp256k1 group */
extern const mont256_ctx BN254_P;     /* the alt_bn128 base field */
extern const mont256_ctx BN254_R;     /* the alt_bn128 group order */

/* ---- plain 256-bit integers ---- */

/* Big-endian 32 bytes to limbs and back. */
void fe_from_be(fe256 *r, const uint8_t in[32]);
void fe_to_be(const fe256 *a, uint8_t out[32]);
bool fe_is_zero(const fe256 *a);
bool fe_eq(const fe256 *a, const fe256 *b);
/* a < m of the context (a plain integer range check). */
bool fe_lt_mod(const mont256_ctx *c, const fe256 *a);
/* The full 512-bit product of plain integers, little-endian limbs (inline: it is the hot part of
 * the secp256k1 field multiplication). */
static inline void fe_mul_wide(const fe256 *a, const fe256 *b, uint64_t t[8]) {
    for (int i = 0; i < 8; i++) t[i] = 0;
    for (int i = 0; i < 4; i++) {
        uint64_t k = 0;
        for (int j = 0; j < 4; j++) {
            unsigned __int128 z = (unsigned __int128)a->w[i] * b->w[j] + t[i + j] + k;
            t[i + j] = (uint64_t)z;
            k = (uint64_t)(z >> 64);
        }
        t[i + 4] = k;
    }
}
/* The number of trailing zero bits of a nonzero word, by a de Bruijn multiplication (RV64IM has
 * no count-trailing-zeros instruction): x & -x is 2^k, and the top six bits of 2^k times the
 * constant are distinct for every k. */
static inline int fe_ctz64(uint64_t x) {
    static const uint8_t table[64] = {
        0,  1,  2,  53, 3,  7,  54, 27, 4,  38, 41, 8,  34, 55, 48, 28, 62, 5,  39, 46, 44, 42,
        22, 9,  24, 35, 59, 56, 49, 18, 29, 11, 63, 52, 6,  26, 37, 40, 33, 47, 61, 45, 43, 21,
        23, 58, 17, 10, 51, 25, 36, 32, 60, 20, 57, 16, 50, 31, 19, 15, 30, 14, 13, 12};
    return table[((x & (0 - x)) * 0x022fdd63cc95386dull) >> 58];
}
/* Bit i (0 = least significant) of a plain integer. */
static inline unsigned fe_bit(const fe256 *a, unsigned i) { return (unsigned)(a->w[i >> 6] >> (i & 63)) & 1u; }

/* ---- modular arithmetic (inputs reduced below m) ---- */

void mont_add(const mont256_ctx *c, fe256 *r, const fe256 *a, const fe256 *b);
void mont_sub(const mont256_ctx *c, fe256 *r, const fe256 *a, const fe256 *b);
void mont_neg(const mont256_ctx *c, fe256 *r, const fe256 *a);
/* r = a·b·R^-1 mod m */
void mont_mul(const mont256_ctx *c, fe256 *r, const fe256 *a, const fe256 *b);
void mont_sqr(const mont256_ctx *c, fe256 *r, const fe256 *a);
/* Conversions between plain integers (< m) and Montgomery form. */
void mont_to(const mont256_ctx *c, fe256 *r, const fe256 *a);
void mont_from(const mont256_ctx *c, fe256 *r, const fe256 *a);
/* Reduce any plain 256-bit integer modulo m (result plain), e.g. a message hash modulo n. */
void fe_reduce_once(const mont256_ctx *c, fe256 *r, const fe256 *a);
void mont_set_one(const mont256_ctx *c, fe256 *r);
bool mont_is_one(const mont256_ctx *c, const fe256 *a);
/* r = a^e (a in Montgomery form, e a plain integer), 4-bit fixed window. */
void mont_pow(const mont256_ctx *c, fe256 *r, const fe256 *a, const fe256 *e);
/* r = a^-1 by the binary extended Euclidean algorithm (m must be prime); the inverse of 0 is 0.
 * fe_inv_plain inverts a plain residue, mont_inv a Montgomery-form one. */
void fe_inv_plain(const mont256_ctx *c, fe256 *r, const fe256 *a);
void mont_inv(const mont256_ctx *c, fe256 *r, const fe256 *a);
/* Square root for m ≡ 3 (mod 4): returns false (r unspecified) when a is not a square. */
bool mont_sqrt(const mont256_ctx *c, fe256 *r, const fe256 *a);

#endif
