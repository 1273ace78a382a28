/* Byte spans, a growable byte buffer, and fixed-width load/store helpers.
 *
 * A span is a read-only view (pointer + length) into memory owned by someone else; decoders
 * (RLP, the S codec) hand out spans into their input instead of copying. A buffer owns a
 * growable heap block (rt_alloc/rt_realloc); encoders append to it. Buffers are never freed
 * individually: the heap is an arena (rt_heap_mark/rt_heap_release).
 */
#ifndef SWAPVM_BYTES_H
#define SWAPVM_BYTES_H

#include "rt.h"

/* A read-only view of `len` bytes at `ptr` (ptr may be NULL when len == 0). */
typedef struct {
    const uint8_t *ptr;
    size_t len;
} span_t;

/* A growable byte buffer: `len` bytes used out of `cap` allocated at `ptr`. */
typedef struct {
    uint8_t *ptr;
    size_t len;
    size_t cap;
} buf_t;

static inline span_t span_make(const uint8_t *ptr, size_t len) {
    span_t s = {ptr, len};
    return s;
}

/* Lexicographic comparison (a proper prefix sorts first): <0, 0, >0. */
int span_cmp(span_t a, span_t b);
bool span_eq(span_t a, span_t b);

/* Start an empty buffer with room for `cap` bytes (cap may be 0). */
void buf_init(buf_t *b, size_t cap);
/* Make room for `extra` more bytes (amortized doubling). */
void buf_reserve(buf_t *b, size_t extra);
/* Append `n` uninitialized bytes and return a pointer to them (valid until the next growth). */
uint8_t *buf_extend(buf_t *b, size_t n);
void buf_put(buf_t *b, const void *data, size_t n);
void buf_put_byte(buf_t *b, uint8_t c);
/* Insert `n` uninitialized bytes at offset `at` (at <= len), shifting the tail up. */
uint8_t *buf_insert(buf_t *b, size_t at, size_t n);
static inline span_t buf_span(const buf_t *b) { return span_make(b->ptr, b->len); }

/* Whether p[0 … n-1] are all zero (word-wise and unrolled where aligned: the S padding check
 * scans up to the whole window, tens of MiB, every block). */
bool bytes_all_zero(const uint8_t *p, size_t n);

/* dst[0 … n-1] := src[0 … n-1] (or zero when src is NULL), storing only the 8-byte words or
 * bytes that differ: an AB engine that tracks dirty pages then re-hashes only the pages whose
 * content really changed (the S window is large, and a step changes little of it). */
void bytes_store_changed(uint8_t *dst, const uint8_t *src, size_t n);

/* Fixed-width integer access at unaligned addresses. */
static inline uint64_t load_le64(const uint8_t *p) {
    uint64_t v = 0;
    for (int i = 7; i >= 0; i--) v = (v << 8) | p[i];
    return v;
}
static inline void store_le64(uint8_t *p, uint64_t v) {
    for (int i = 0; i < 8; i++) p[i] = (uint8_t)(v >> (8 * i));
}
static inline uint64_t load_be64(const uint8_t *p) {
    uint64_t v = 0;
    for (int i = 0; i < 8; i++) v = (v << 8) | p[i];
    return v;
}
static inline void store_be64(uint8_t *p, uint64_t v) {
    for (int i = 0; i < 8; i++) p[i] = (uint8_t)(v >> (56 - 8 * i));
}
static inline uint32_t load_be32(const uint8_t *p) {
    return ((uint32_t)p[0] << 24) | ((uint32_t)p[1] << 16) | ((uint32_t)p[2] << 8) | p[3];
}
static inline void store_be32(uint8_t *p, uint32_t v) {
    p[0] = (uint8_t)(v >> 24); p[1] = (uint8_t)(v >> 16); p[2] = (uint8_t)(v >> 8); p[3] = (uint8_t)v;
}

/* The padded last block(s) of a Merkle–Damgård hash with 64-byte blocks (SHA-256, RIPEMD-160):
 * the `rem` (< 64) leftover bytes, 0x80, zeros, then the message length in bits as a u64,
 * big-endian if `be` else little-endian. Writes one or two blocks into `tail`, returns 64 or
 * 128. */
size_t md64_tail(uint8_t tail[128], const uint8_t *rest, size_t rem, uint64_t total_len, bool be);

/* Number of bytes in the minimal big-endian form of v (0 for v == 0). */
static inline size_t u64_be_len(uint64_t v) {
    size_t n = 0;
    while (v) { n++; v >>= 8; }
    return n;
}

#endif
