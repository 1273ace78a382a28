/* The 2048-bit logs bloom of receipts and headers (Yellow Paper §4.3.1, M3:2048): for an
 * entry (a log's address or one of its topics), keccak256(entry) selects three bits, one per
 * byte pair (0,1), (2,3), (4,5): bit index = pair & 2047, where bit i is bit (i % 8) of byte
 * 255 - i/8 (the bloom is a 2048-bit big-endian integer). */
#ifndef SWAPVM_BLOOM_H
#define SWAPVM_BLOOM_H

#include "rt.h"

#define BLOOM_BYTES 256u

/* Set the three bits of one entry. */
void bloom_add(uint8_t bloom[BLOOM_BYTES], const uint8_t *data, size_t len);
/* dst |= src (a block's bloom is the OR of its receipts' blooms). */
void bloom_or(uint8_t dst[BLOOM_BYTES], const uint8_t src[BLOOM_BYTES]);

#endif
