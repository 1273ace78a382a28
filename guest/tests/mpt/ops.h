/* Operation numbers of the trie test driver (guest/tests/mpt/driver.c); tests/guest/mpt_driver.py
 * mirrors them. */
#ifndef SWAPVM_MPT_OPS_H
#define SWAPVM_MPT_OPS_H

#define OP_ORACLE_PUT 1u     /* u64 n, n x (key[32], blob preimage) -> nothing (keys as given) */
#define OP_ORACLE_CLEAR 2u   /* -> nothing: the table and its log emptied */
#define OP_ORACLE_TOUCHED 3u /* -> u64 n, n x key[32]: distinct keys read since the last call */
#define OP_ORACLE_READ 4u    /* key[32] -> the preimage, through oracle_read (keccak checked) */
#define OP_MPT_RUN 5u        /* root[32], u64 n, n x step -> the steps' answers, then 5 x u64
                              * counters (oracle reads, bytes, calls; nodes decoded, hashed) */

/* Steps of OP_MPT_RUN: u8 kind, blob key, blob value (ignored but for PUT and WRITE). */
#define STEP_GET 0u       /* -> u8 found, blob value */
#define STEP_PUT 1u       /* -> nothing (an empty value deletes) */
#define STEP_DELETE 2u    /* -> u8 was present */
#define STEP_ROOT 3u      /* -> root[32] */
#define STEP_ROOT_EMIT 4u /* -> root[32]; the hashed nodes go into the oracle's table */
#define STEP_WRITE 6u      /* -> nothing; the write (an empty value deletes) joins the pending batch */
#define STEP_APPLY 7u      /* -> nothing; mpt_apply of the pending batch, which empties */
#define STEP_REOPEN 5u    /* -> root[32] (as ROOT_EMIT); the trie starts again from its root alone (nodes a
                           * plain ROOT hashed earlier are not in the table: emit at every root) */

#endif
