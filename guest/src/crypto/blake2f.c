/* BLAKE2b compression F (RFC 7693 §3.2) and the blake2f precompile (EIP-152). */
#include "blake2f.h"

#include "precompile_internal.h"

static const uint64_t BLAKE2B_IV[8] = {
    0x6a09e667f3bcc908ull, 0xbb67ae8584caa73bull, 0x3c6ef372fe94f82bull, 0xa54ff53a5f1d36f1ull,
    0x510e527fade682d1ull, 0x9b05688c2b3e6c1full, 0x1f83d9abfb41bd6bull, 0x5be0cd19137e2179ull,
};

/* The message schedule; round i uses row i mod 10. */
static const uint8_t SIGMA[10][16] = {
    {0, 1, 2, 3, 4, 5, 6, 7, 8, 9, 10, 11, 12, 13, 14, 15},
    {14, 10, 4, 8, 9, 15, 13, 6, 1, 12, 0, 2, 11, 7, 5, 3},
    {11, 8, 12, 0, 5, 2, 15, 13, 10, 14, 3, 6, 7, 1, 9, 4},
    {7, 9, 3, 1, 13, 12, 11, 14, 2, 6, 5, 10, 4, 0, 15, 8},
    {9, 0, 5, 7, 2, 4, 10, 15, 14, 1, 11, 12, 6, 8, 3, 13},
    {2, 12, 6, 10, 0, 11, 8, 3, 4, 13, 7, 5, 15, 14, 1, 9},
    {12, 5, 1, 15, 14, 13, 4, 10, 0, 7, 6, 3, 9, 2, 8, 11},
    {13, 11, 7, 14, 12, 1, 3, 9, 5, 0, 15, 4, 8, 6, 2, 10},
    {6, 15, 14, 9, 11, 3, 0, 8, 12, 2, 13, 7, 1, 4, 10, 5},
    {10, 2, 8, 4, 7, 6, 1, 5, 15, 11, 9, 14, 3, 12, 13, 0},
};

static inline uint64_t rotr64(uint64_t x, unsigned n) { return (x >> n) | (x << (64 - n)); }

/* The mixing function G on v[a], v[b], v[c], v[d] with message words x, y. */
static inline void mix(uint64_t v[16], int a, int b, int c, int d, uint64_t x, uint64_t y) {
    v[a] = v[a] + v[b] + x;
    v[d] = rotr64(v[d] ^ v[a], 32);
    v[c] = v[c] + v[d];
    v[b] = rotr64(v[b] ^ v[c], 24);
    v[a] = v[a] + v[b] + y;
    v[d] = rotr64(v[d] ^ v[a], 16);
    v[c] = v[c] + v[d];
    v[b] = rotr64(v[b] ^ v[c], 63);
}

void blake2f_compress(uint64_t h[8], const uint64_t m[16], const uint64_t t[2], bool final, uint32_t rounds) {
    uint64_t v[16];
    for (int i = 0; i < 8; i++) {
        v[i] = h[i];
        v[i + 8] = BLAKE2B_IV[i];
    }
    v[12] ^= t[0];
    v[13] ^= t[1];
    if (final) v[14] = ~v[14];
    unsigned row = 0;
    for (uint32_t r = 0; r < rounds; r++) {
        const uint8_t *s = SIGMA[row];
        mix(v, 0, 4, 8, 12, m[s[0]], m[s[1]]);
        mix(v, 1, 5, 9, 13, m[s[2]], m[s[3]]);
        mix(v, 2, 6, 10, 14, m[s[4]], m[s[5]]);
        mix(v, 3, 7, 11, 15, m[s[6]], m[s[7]]);
        mix(v, 0, 5, 10, 15, m[s[8]], m[s[9]]);
        mix(v, 1, 6, 11, 12, m[s[10]], m[s[11]]);
        mix(v, 2, 7, 8, 13, m[s[12]], m[s[13]]);
        mix(v, 3, 4, 9, 14, m[s[14]], m[s[15]]);
        row = row == 9 ? 0 : row + 1;
    }
    for (int i = 0; i < 8; i++) h[i] ^= v[i] ^ v[i + 8];
}

static uint64_t le64(const uint8_t *p) {
    uint64_t v = 0;
    for (int i = 7; i >= 0; i--) v = (v << 8) | p[i];
    return v;
}

/* EIP-152 input: rounds (4 bytes big-endian) ‖ h (8×8 LE) ‖ m (16×8 LE) ‖ t (2×8 LE) ‖ f (1 byte).
 * The length must be exactly 213 and f 0 or 1; gas is the number of rounds. */
int precompile_blake2f(const uint8_t *in, size_t in_len, uint64_t gas_limit, precompile_result *res) {
    if (in_len != 213) return precompile_fail(res, gas_limit, PRECOMPILE_FAIL);
    uint32_t rounds = ((uint32_t)in[0] << 24) | ((uint32_t)in[1] << 16) | ((uint32_t)in[2] << 8) | in[3];
    if (in[212] > 1) return precompile_fail(res, gas_limit, PRECOMPILE_FAIL);
    int st = precompile_charge(res, gas_limit, rounds, 64);
    if (st != PRECOMPILE_OK) return st;
    uint64_t h[8], m[16], t[2];
    for (int i = 0; i < 8; i++) h[i] = le64(in + 4 + 8 * i);
    for (int i = 0; i < 16; i++) m[i] = le64(in + 68 + 8 * i);
    t[0] = le64(in + 196);
    t[1] = le64(in + 204);
    blake2f_compress(h, m, t, in[212] == 1, rounds);
    for (int i = 0; i < 8; i++)
        for (int j = 0; j < 8; j++) res->out[8 * i + j] = (uint8_t)(h[i] >> (8 * j));
    return PRECOMPILE_OK;
}
