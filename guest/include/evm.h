/* The EVM block executor: machine A's step (docs/spec.md §4.5) in freestanding C.
 *
 * evm_window_step decodes S from the S window, applies the next inbox block exactly as machine A
 * does (the checks of §4.6 in order, then the outcome record), and writes the canonical S' back
 * over the window, zeroing what the old image used beyond the new one. It never faults on any
 * content of the window: a window that does not decode is left unchanged and reported.
 */
#ifndef SWAPVM_EVM_H
#define SWAPVM_EVM_H

#include "scodec.h"

/* Results of evm_window_step (they become the guest's yield code). */
#define EVM_STEP_APPLIED 0u     /* a block was applied or rejected; S' is in the window */
#define EVM_STEP_IDLE 1u        /* cursor == len(inbox): S is unchanged (A's no-op) */
#define EVM_STEP_BAD_STATE 2u   /* the window does not hold a valid S image: left unchanged */
#define EVM_STEP_UNSUPPORTED 3u /* S is of a fork this executor does not implement yet (Prague):
                                 * left unchanged rather than applied with wrong rules */

/* Apply the next inbox block of the image in window[0 .. win_size). */
unsigned evm_window_step(uint8_t *window, size_t win_size);

/* Apply the next inbox block to a decoded state, in place (s->cursor < s->n_inbox): on return
 * `s` is S' (or S with the cursor advanced and a rejected outcome). Spans of S' may point into
 * the old image or the heap, so encode S' before the image changes. Check 8 (the size of S')
 * is the caller's: see evm_window_step. */
void evm_apply_next_block(s_state *s);

#endif
