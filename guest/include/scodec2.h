/* S version 2 (docs/spec.md §6.2): commitments only. The world is the trie at the parent
 * header's state root and the inbox a trie rlp(i) -> rlp(raw block i), both read through the
 * preimage oracle; S holds the chain configuration with its fork schedule, the inbox's root and
 * length, the cursor, the parent header, the recent hashes and the outcome.
 *
 * Spans point INTO THE IMAGE, as for version 1 (scodec.h). Error codes are version 1's: the
 * verdict (refused or not) is what must agree with Python's decoder, not the code.
 */
#ifndef SWAPVM_SCODEC2_H
#define SWAPVM_SCODEC2_H

#include "scodec.h"

#define S2_FORMAT_VERSION 2u
#define S2_MAX_FORKS 3u /* the schedule is strictly ascending in fork: Shanghai, Cancun, Prague */

/* One entry of the fork schedule: `fork` is active from `time` on (blob parameters are 0 before
 * Cancun). */
typedef struct {
    uint64_t fork, time;
    uint64_t blob_target, blob_max, blob_update_fraction;
} s2_fork_entry;

typedef struct {
    uint64_t chain_id;
    s2_fork_entry forks[S2_MAX_FORKS];
    size_t n_forks;
    bool has_deposit_contract;     /* exactly when the schedule reaches Prague */
    uint8_t deposit_contract[20];
    uint8_t inbox_root[32];
    uint64_t inbox_length;
    uint64_t cursor;
    span_t parent_header;          /* the exact RLP bytes */
    s_header parent;               /* decoded under the fork active at its timestamp */
    uint8_t (*ancestors)[32];      /* oldest first */
    size_t n_ancestors;
    s_outcome outcome;
} s2_state;

/* The schedule entry active at `timestamp` (the last one whose time is at or before it), or
 * NULL before the first entry. */
const s2_fork_entry *s2_entry_at(const s2_state *s, uint64_t timestamp);

/* Decode an image of version 2 (the padding after the payload is not read, as in s_decode). */
s_err s2_decode(const uint8_t *image, size_t len, s2_state *s);
s_err s2_decode_payload(span_t payload, s2_state *s);
/* Append the image (16-byte header, then the canonical payload) to `out`. */
void s2_encode(const s2_state *s, buf_t *out);
/* Write the image of `s` over the window as s_write_window does for version 1. */
s_err s2_write_window(const s2_state *s, uint8_t *window, size_t win_size, size_t old_len);

#endif
