/* Keccak-256 as Ethereum uses it (original Keccak padding 0x01…0x80, rate 136 bytes), and the
 * keccak-f[1600] permutation it is built on (also the measured unit of the guest benchmarks). */
#ifndef SWAPVM_KECCAK_H
#define SWAPVM_KECCAK_H

#include "rt.h"

#define KECCAK256_RATE 136u

/* The permutation on 25 lanes, lane (x, y) at st[x + 5*y], as in FIPS 202. */
void keccakf1600(uint64_t st[25]);

/* One-shot hash. `data` may be NULL when len == 0. */
void keccak256(const uint8_t *data, size_t len, uint8_t out[32]);

/* Incremental hashing, for inputs assembled from several pieces (e.g. CREATE2 preimages). */
typedef struct {
    uint64_t st[25];
    size_t pos; /* bytes absorbed into the current block, 0 … KECCAK256_RATE-1 */
} keccak_ctx;

void keccak256_init(keccak_ctx *c);
void keccak256_update(keccak_ctx *c, const uint8_t *data, size_t len);
void keccak256_final(keccak_ctx *c, uint8_t out[32]);

#endif
