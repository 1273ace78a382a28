/* What the decoders of both S versions share (scodec/decode.c, scodec/v2.c): the S error for
 * an RLP getter's failure, and early-return helpers. */
#ifndef SWAPVM_SCODEC_DECODE_INTERNAL_H
#define SWAPVM_SCODEC_DECODE_INTERNAL_H

#include "scodec.h"

static inline s_err s_from_rlp(rlp_err e) {
    switch (e) {
    case RLP_OK: return S_OK;
    case RLP_ERR_KIND:
    case RLP_ERR_COUNT:
    case RLP_ERR_SIZE:
    case RLP_ERR_INT_LEADING_ZERO: return S_ERR_SHAPE;
    case RLP_ERR_INT_TOO_BIG: return S_ERR_RANGE;
    default: return S_ERR_RLP;
    }
}

#define TRY(expr)                  \
    do {                           \
        s_err e_ = (expr);         \
        if (e_ != S_OK) return e_; \
    } while (0)
#define TRY_RLP(expr) TRY(s_from_rlp(expr))

/* The payload of an image of `version` (§4.1): the header checked, the padding not read. */
static inline s_err s_unframe(const uint8_t *image, size_t len, uint64_t version, span_t *payload) {
    if (len < S_HEADER_BYTES) return S_ERR_SHORT;
    if (load_le64(image) != version) return S_ERR_VERSION;
    uint64_t plen = load_le64(image + 8);
    if (plen > len - S_HEADER_BYTES) return S_ERR_LENGTH;
    *payload = span_make(image + S_HEADER_BYTES, (size_t)plen);
    return S_OK;
}

#endif
