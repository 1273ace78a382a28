/* The logs bloom (see bloom.h). */
#include "bloom.h"

#include "keccak.h"

void bloom_add(uint8_t bloom[BLOOM_BYTES], const uint8_t *data, size_t len) {
    uint8_t h[32];
    keccak256(data, len, h);
    for (int i = 0; i < 6; i += 2) {
        unsigned bit = (((unsigned)h[i] << 8) | h[i + 1]) & 2047u;
        bloom[BLOOM_BYTES - 1 - bit / 8] |= (uint8_t)(1u << (bit % 8));
    }
}

void bloom_or(uint8_t dst[BLOOM_BYTES], const uint8_t src[BLOOM_BYTES]) {
    for (unsigned i = 0; i < BLOOM_BYTES; i++) dst[i] |= src[i];
}
