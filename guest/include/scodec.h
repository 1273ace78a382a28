/* The S codec: the canonical image of the essential state S in the S window (docs/spec.md §4),
 * decoded with every rule of §4.1–4.4 checked, and encoded back canonically.
 *
 * The decoded state is a neutral representation: plain arrays sorted as in the image,
 * integers up to 64 bits as uint64_t, wider ones (balances, storage keys and values, header
 * difficulty and base fee) as 32-byte big-endian words. Byte strings of any length (code,
 * inbox blocks, the parent header, extra data) are spans INTO THE IMAGE: they stay valid only
 * while the image is unchanged, so s_write_window encodes S' into the heap first and copies it
 * over the window last. Arrays live on the guest heap.
 */
#ifndef SWAPVM_SCODEC_H
#define SWAPVM_SCODEC_H

#include "bytes.h"
#include "rlp.h"

#define S_FORMAT_VERSION 1u
#define S_HEADER_BYTES 16u  /* u64 LE version, u64 LE payload length */
#define S_MAX_ANCESTORS 255u

/* Forks (§4.2 item 1). */
#define S_FORK_SHANGHAI 1u
#define S_FORK_CANCUN 2u
#define S_FORK_PRAGUE 3u

/* Outcome statuses (§4.4) and rejection reasons (§4.6). */
#define S_STATUS_NONE 0u
#define S_STATUS_ACCEPTED 1u
#define S_STATUS_REJECTED 2u
#define S_REASON_MALFORMED 1u
#define S_REASON_HEADER_INVALID 2u
#define S_REASON_BODY_MISMATCH 3u
#define S_REASON_TRANSACTION_INVALID 4u
#define S_REASON_GAS_MISMATCH 5u
#define S_REASON_RECEIPTS_MISMATCH 6u
#define S_REASON_STATE_ROOT_MISMATCH 7u
#define S_REASON_STATE_TOO_LARGE 8u
#define S_REASON_LIVE_BUDGET 9u
#define S_REASON_MAX 9u

/* Why an image is refused. Python's decoder raises one StateDecodeError for all of them; the
 * codes say which rule failed (the verdict, not the code, is what must agree). */
typedef enum {
    S_OK = 0,
    S_ERR_SHORT = 1,        /* fewer than 16 bytes */
    S_ERR_VERSION = 2,      /* version != 1 */
    S_ERR_LENGTH = 3,       /* 16 + L beyond the window / the bytes given */
    S_ERR_PADDING = 4,      /* a nonzero byte after the payload (Python's decode only; the guest
                             * does not read the padding, spec §4.1) */
    S_ERR_RLP = 5,          /* the payload (or parent_header) is not one canonical RLP item */
    S_ERR_SHAPE = 6,        /* a field of the wrong kind, size or item count, or a non-minimal uint */
    S_ERR_RANGE = 7,        /* an integer beyond its bound (uint64 / uint256) */
    S_ERR_CHAIN_ID = 8,     /* chain_id == 0 */
    S_ERR_FORK = 9,         /* fork not 1, 2 or 3 */
    S_ERR_ANCESTORS = 10,   /* ancestor count != min(255, parent.number) */
    S_ERR_ORDER = 11,       /* accounts or storage keys not strictly ascending */
    S_ERR_ZERO_SLOT = 12,   /* a storage value of zero */
    S_ERR_CURSOR = 13,      /* cursor > len(inbox) */
    S_ERR_OUTCOME = 14,     /* status/reason/fields inconsistent, or disagreeing with parent_header */
    S_ERR_TOO_LARGE = 15,   /* s_write_window: the image does not fit in the window */
} s_err;

/* A block header of a fork (§4.3). Integer fields keep their minimal big-endian bytes (`*_raw`,
 * spans into the input) because a header's shape is checked before its ranges; after
 * s_header_check_ranges succeeds, the numeric fields hold the values. */
typedef struct {
    uint64_t fork;
    size_t n_fields;            /* 17 Shanghai, 20 Cancun, 21 Prague */
    uint8_t parent_hash[32];
    uint8_t ommers_hash[32];
    uint8_t coinbase[20];
    uint8_t state_root[32];
    uint8_t transactions_root[32];
    uint8_t receipts_root[32];
    uint8_t logs_bloom[256];
    span_t difficulty_raw, number_raw, gas_limit_raw, gas_used_raw, timestamp_raw;
    span_t base_fee_raw, blob_gas_used_raw, excess_blob_gas_raw;
    span_t extra_data;
    uint8_t mix_hash[32];
    uint8_t nonce[8];
    uint8_t withdrawals_root[32];
    uint8_t parent_beacon_block_root[32]; /* Cancun+ */
    uint8_t requests_hash[32];            /* Prague */
    /* Filled by s_header_check_ranges: */
    uint8_t difficulty[32], base_fee_per_gas[32];
    uint64_t number, gas_limit, gas_used, timestamp, blob_gas_used, excess_blob_gas;
} s_header;

/* The header fields of `fork`, one item per field of its kind (§4.3 without the ranges):
 * S_ERR_SHAPE (or S_ERR_FORK for an unknown fork). `item` is the header's RLP list. */
s_err s_header_parse(const rlp_item *item, uint64_t fork, s_header *h);
/* The ranges of §4.3 (S_ERR_RANGE); fills the numeric fields. */
s_err s_header_check_ranges(s_header *h);

typedef struct {
    uint8_t key[32];   /* big-endian */
    uint8_t value[32]; /* big-endian, never zero */
} s_slot;

typedef struct {
    uint8_t address[20];
    uint64_t nonce;
    uint8_t balance[32]; /* big-endian */
    span_t code;
    s_slot *storage;     /* strictly ascending by key */
    size_t n_storage;
} s_account;

typedef struct {
    uint64_t status; /* S_STATUS_* */
    uint64_t reason; /* 0, or S_REASON_* when rejected */
    /* Meaningful only when accepted: */
    uint64_t gas_used;
    uint8_t state_root[32];
    uint8_t receipts_root[32];
    uint8_t logs_bloom[256];
    uint8_t block_hash[32];
} s_outcome;

typedef struct {
    uint64_t chain_id;
    uint64_t fork;
    span_t parent_header;      /* the exact RLP bytes */
    s_header parent;           /* parent_header decoded, ranges checked */
    uint8_t (*ancestors)[32];  /* oldest first */
    size_t n_ancestors;
    s_account *accounts;       /* strictly ascending by address */
    size_t n_accounts;
    span_t *inbox;             /* raw block RLP, any content */
    size_t n_inbox;
    uint64_t cursor;
    s_outcome outcome;
} s_state;

/* Decode an image: the first `len` bytes of the S window (pass the whole accessible window, or
 * at least 16 + L bytes). The bytes after the payload are not read: machine A is defined on
 * canonical states only (spec §5.1), whose padding is zero, so unlike Python's decode the guest
 * does not check it (a nonzero byte there is never a fault, just ignored). */
s_err s_decode(const uint8_t *image, size_t len, s_state *s);
/* Decode just the RLP payload (§4.2–4.4). */
s_err s_decode_payload(span_t payload, s_state *s);

/* Parts shared by both format versions (§4.2, §6.2): the ancestor list, whose length must be
 * min(255, parent_number); the outcome, which an accepted outcome must agree with the parent
 * header; and the outcome's encoding. */
s_err s_decode_ancestors(const rlp_item *list, uint64_t parent_number, uint8_t (**out)[32], size_t *n);
s_err s_decode_outcome(const rlp_item *item, span_t parent_header, const s_header *parent, s_outcome *o);
size_t s_outcome_payload_len(const s_outcome *o);
void s_put_outcome(const s_outcome *o, buf_t *out);

/* Append the payload RLP of `s` to `out` (canonical: the inverse of s_decode_payload). */
void s_encode_payload(const s_state *s, buf_t *out);
/* Append the image (16-byte header, then the payload) to `out`. */
void s_encode(const s_state *s, buf_t *out);

/* The state root of a world state (Yellow Paper §4.1): the secure trie keccak(address) ->
 * rlp([nonce, balance, storage_root, keccak(code)]), each storage root the secure trie
 * keccak(key) -> rlp(value), zero-valued slots left out (they do not exist). `accounts` need
 * not be sorted; heap scratch is released. */
void s_world_root(const s_account *accounts, size_t n, uint8_t out[32]);
/* keccak256 of the empty string: the code hash of an account without code. */
extern const uint8_t S_EMPTY_CODE_HASH[32];

/* Encode `s` into the heap, then copy it over the window of `win_size` bytes and zero the bytes
 * in [new end, old_len) (old_len: the old image's 16 + L), storing only bytes that change (so
 * the engine's dirty pages are the changed ones). S_ERR_TOO_LARGE leaves the window
 * untouched. */
s_err s_write_window(const s_state *s, uint8_t *window, size_t win_size, size_t old_len);
/* The same for S of either version, encoded by `encode` (s_encode, s2_encode). */
typedef void (*s_encode_fn)(const void *s, buf_t *out);
s_err s_write_encoded(s_encode_fn encode, const void *s, uint8_t *window, size_t win_size, size_t old_len);

#endif
