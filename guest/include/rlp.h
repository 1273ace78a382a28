/* RLP (Yellow Paper appendix B): a strict, validating, zero-copy decoder and a small encoder.
 *
 * Decoding never copies: an item is a kind plus a span of its payload inside the input. Every
 * check makes the encoding canonical, as the `rlp` package's strict decoder demands:
 *   - the input holds enough bytes for every header and payload (else RLP_ERR_TRUNCATED);
 *   - a single byte < 0x80 is never wrapped as a 1-byte string (RLP_ERR_NONCANON_SINGLE);
 *   - a payload shorter than 56 bytes uses the short form (RLP_ERR_NONCANON_LONG);
 *   - a long-form length has no leading zero byte (RLP_ERR_LEN_LEADING_ZERO) and fits in
 *     size_t (RLP_ERR_LEN_OVERFLOW);
 *   - the decode of a whole span consumes it exactly (RLP_ERR_TRAILING), and a list's items
 *     fill its payload exactly (an item crossing the list end is RLP_ERR_TRUNCATED);
 * Typed getters add: integers have no leading zero byte (RLP_ERR_INT_LEADING_ZERO) and fit
 * (RLP_ERR_INT_TOO_BIG); fixed-size strings have their exact size (RLP_ERR_SIZE); the expected
 * kind is present (RLP_ERR_KIND); a list has the expected item count (RLP_ERR_COUNT).
 *
 * Headers of nested items are validated lazily, when they are reached by iteration;
 * rlp_validate checks a whole tree eagerly, iteratively (any nesting depth, as in Python).
 *
 * Encoding appends to a buf_t. Lists are written as rlp_list_begin … items … rlp_list_end,
 * which completes the header once the payload length is known (moving a payload of 56 bytes
 * or more by its extra length bytes); writers that can size their lists first use rlp_put_list_header and the *_len
 * helpers instead and move nothing (the S codec does).
 */
#ifndef SWAPVM_RLP_H
#define SWAPVM_RLP_H

#include "bytes.h"

typedef enum {
    RLP_OK = 0,
    RLP_ERR_TRUNCATED = 1,       /* header or payload runs past the end of its container */
    RLP_ERR_NONCANON_SINGLE = 2, /* 0x81 followed by a byte < 0x80 */
    RLP_ERR_NONCANON_LONG = 3,   /* long form used for a payload < 56 bytes */
    RLP_ERR_LEN_LEADING_ZERO = 4,/* long-form length with a leading zero byte */
    RLP_ERR_LEN_OVERFLOW = 5,    /* long-form length does not fit in size_t */
    RLP_ERR_TRAILING = 6,        /* bytes left after the item */
    RLP_ERR_KIND = 7,            /* a string where a list is expected or vice versa */
    RLP_ERR_INT_LEADING_ZERO = 8,/* an integer with a leading zero byte */
    RLP_ERR_INT_TOO_BIG = 9,     /* an integer wider than its target */
    RLP_ERR_SIZE = 10,           /* a fixed-size string of the wrong size */
    RLP_ERR_COUNT = 11,          /* a list with the wrong number of items */
} rlp_err;

/* A decoded item: its kind, its payload and its whole encoding (header + payload). */
typedef struct {
    bool is_list;
    span_t payload; /* the string's bytes, or the list's concatenated item encodings */
    span_t raw;     /* the item's full encoding, header included */
} rlp_item;

/* Decode the item at the start of `in` (header checks only; nested items are not visited).
 * On success *consumed is the item's full length (may be NULL). */
rlp_err rlp_decode_prefix(span_t in, rlp_item *out, size_t *consumed);
/* Decode `in` as exactly one item (RLP_ERR_TRAILING if bytes remain). */
rlp_err rlp_decode(span_t in, rlp_item *out);
/* Check a whole tree: every nested header canonical, every list filled exactly. */
rlp_err rlp_validate(span_t in);

/* Iteration over a list's items. */
typedef struct {
    span_t rest; /* the undecoded tail of the list's payload */
} rlp_iter;

/* Start iterating `list` (RLP_ERR_KIND if it is a string). */
rlp_err rlp_iter_init(rlp_iter *it, const rlp_item *list);
static inline bool rlp_iter_done(const rlp_iter *it) { return it->rest.len == 0; }
/* Decode the next item; call only while !rlp_iter_done. */
rlp_err rlp_iter_next(rlp_iter *it, rlp_item *out);
/* Count a list's items (validating their headers). */
rlp_err rlp_list_count(const rlp_item *list, size_t *count);
/* Decode a list of exactly `n` items into items[0 … n-1] (RLP_ERR_COUNT otherwise). */
rlp_err rlp_list_exact(const rlp_item *list, rlp_item *items, size_t n);

/* Typed getters (all check the kind first). */
/* A minimal big-endian integer of at most 8 bytes. */
rlp_err rlp_get_u64(const rlp_item *it, uint64_t *v);
/* A minimal big-endian integer of at most `max_len` (<= 32) bytes, right-aligned into a
 * 32-byte big-endian buffer (a uint256 as bytes). */
rlp_err rlp_get_uint_be32(const rlp_item *it, size_t max_len, uint8_t out[32]);
/* A string of exactly `n` bytes (addresses: 20, hashes: 32, blooms: 256), copied to out. */
rlp_err rlp_get_fixed(const rlp_item *it, uint8_t *out, size_t n);
/* Any string; *out spans its payload. */
rlp_err rlp_get_bytes(const rlp_item *it, span_t *out);

/* Encoding. */
/* Length of the header for a payload of `len` bytes (the single-byte string case aside). */
size_t rlp_header_len(size_t len);
/* A string item. */
void rlp_put_bytes(buf_t *b, const uint8_t *data, size_t n);
/* An integer item (minimal big-endian; 0 is the empty string). */
void rlp_put_u64(buf_t *b, uint64_t v);
/* An integer given as big-endian bytes (leading zero bytes are stripped). */
void rlp_put_uint_be(buf_t *b, const uint8_t *be, size_t n);
/* Already-encoded item(s), copied verbatim. */
void rlp_put_raw(buf_t *b, const uint8_t *enc, size_t n);
/* Encoded sizes, for writers that know their lengths up front (no memmove at list end). */
size_t rlp_bytes_len(const uint8_t *data, size_t n);   /* of rlp_put_bytes(data, n) */
size_t rlp_uint_be_len(const uint8_t *be, size_t n);   /* of rlp_put_uint_be(be, n) */
size_t rlp_u64_len(uint64_t v);                        /* of rlp_put_u64(v) */
static inline size_t rlp_list_len(size_t payload_len) { return rlp_header_len(payload_len) + payload_len; }
/* A list header for a payload of `len` bytes, which the caller appends next. */
void rlp_put_list_header(buf_t *b, size_t len);
/* A string header for `len` bytes the caller appends next (not for one byte below 0x80, which
 * is its own encoding). */
void rlp_put_string_header(buf_t *b, size_t len);
/* Open a list: reserves one header byte and returns a mark for rlp_list_end. */
size_t rlp_list_begin(buf_t *b);
/* Close the list opened at `mark`: writes its header (a payload of 56 bytes or more is moved
 * up by the extra length bytes). */
void rlp_list_end(buf_t *b, size_t mark);

#endif
