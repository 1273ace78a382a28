/* oracle_read: reads one preimage through the preimage oracle (ECALL 1001, docs/spec.md §2.4).
 * S[0..32) holds the key. The preimage is read in pieces whose offsets and destinations walk
 * through every alignment (so n is clipped by the destination leaf), then once more past its end;
 * S[32..40) receives the length, S[40..48) an FNV-1a hash of the bytes read, S[48..56) the number
 * of reads. Yields 0, or 1 if a read past the end returned bytes or the lengths disagree. */
#include "rt.h"

#define ECALL_PREIMAGE_READ 1001u
#define KEY_BYTES 32u
#define FNV_OFFSET 0xcbf29ce484222325ull
#define FNV_PRIME 0x100000001b3ull
#define MAX_PIECE 40u            /* asks for more than one leaf holds: the leaf clips it */

/* preimage(key)[offset : offset + n] to dst, n <= max and inside dst's 32-byte leaf; *length. */
static uint64_t preimage_read(const uint8_t *key, uint64_t offset, uint8_t *dst, uint64_t max,
                              uint64_t *length) {
    register uint64_t a0 __asm__("a0") = (uint64_t)(uintptr_t)key;
    register uint64_t a1 __asm__("a1") = offset;
    register uint64_t a2 __asm__("a2") = (uint64_t)(uintptr_t)dst;
    register uint64_t a3 __asm__("a3") = max;
    register uint64_t a7 __asm__("a7") = ECALL_PREIMAGE_READ;
    __asm__ volatile("ecall" : "+r"(a0), "+r"(a1) : "r"(a2), "r"(a3), "r"(a7) : "memory");
    *length = a1;
    return a0;
}

static uint64_t load_u64(const uint8_t *p) {
    uint64_t v = 0;
    for (unsigned i = 0; i < 8; i++) v |= (uint64_t)p[i] << (8 * i);
    return v;
}

static void store_u64(uint8_t *p, uint64_t v) {
    for (unsigned i = 0; i < 8; i++) p[i] = (uint8_t)(v >> (8 * i));
}

int main(void) {
    uint8_t *s = rt_s_base();
    uint8_t key[KEY_BYTES];
    for (unsigned i = 0; i < KEY_BYTES; i++) key[i] = s[i];
    uint8_t *piece = rt_alloc(2 * KEY_BYTES);
    uint64_t length = 0, seen = 0, offset = 0, reads = 0, hash = FNV_OFFSET;
    for (;;) {
        uint8_t *dst = piece + (reads % KEY_BYTES);      /* every alignment in turn */
        uint64_t n = preimage_read(key, offset, dst, MAX_PIECE, &length);
        reads++;
        if (reads > 1 && length != seen) return 1;
        seen = length;
        if (n == 0) break;
        for (uint64_t i = 0; i < n; i++) hash = (hash ^ dst[i]) * FNV_PRIME;
        offset += n;
    }
    uint64_t past = preimage_read(key, offset + 5, piece, MAX_PIECE, &length);
    if (past != 0 || offset != length) return 1;
    store_u64(s + 32, length);
    store_u64(s + 40, hash);
    store_u64(s + 48, reads + 1);
    return (int)(load_u64(s + 32) != length);
}
