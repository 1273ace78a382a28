/* Operation numbers of the core test driver (hashes, RLP, trie, bloom, S codec). The Python
 * side (tests/guest/core_driver.py) mirrors them. */
#ifndef SWAPVM_CORE_OPS_H
#define SWAPVM_CORE_OPS_H

#define OP_KECCAK256 1u       /* data -> digest[32] */
#define OP_KECCAK_SPLIT 2u    /* u64 k, k x u64 cut, data -> digest of incremental updates */
#define OP_KECCAKF 3u         /* 25 lanes as 200 LE bytes -> permuted 200 bytes */
#define OP_KECCAKF_REPEAT 9u  /* u64 count, 200 state bytes -> the state after count permutations */
#define OP_SHA256 4u          /* data -> digest[32] */
#define OP_RIPEMD160 5u       /* data -> digest[20] */
#define OP_BLOOM 6u           /* u64 n, n x blob -> bloom[256] */
#define OP_TRIE_ROOT 7u       /* u64 n, n x (key blob, value blob) -> root[32] */
#define OP_TRIE_INDEXED 8u    /* u64 n, n x value blob -> root[32] of keys rlp(0 … n-1) */
#define OP_RLP_DECODE 10u     /* rlp -> status rlp_err; on success the tree dump */
#define OP_RLP_ENCODE 11u     /* tree dump -> rlp */
#define OP_RLP_UINT 12u       /* u8 max_len, rlp -> status; uint as 32 BE bytes */
#define OP_RLP_U64 13u        /* rlp -> status; u64 as 8 BE bytes */
#define OP_RLP_FIXED 14u      /* u8 n, rlp -> status; the n bytes */
#define OP_RLP_LIST_EXACT 15u /* u8 n, rlp -> status; n raw item encodings as blobs */
#define OP_RLP_PUT_U64 16u    /* u64 (8 BE bytes) -> rlp */
#define OP_RLP_PUT_UINT 17u   /* BE bytes (leading zeros allowed) -> rlp */
#define OP_S_ROUNDTRIP 20u    /* S image -> status s_err; on success the re-encoded image */
#define OP_S_WORLD_ROOT 22u   /* S image -> status s_err; the state root of its accounts */
#define OP_WORLD_ROOT_SLOTS 23u /* u64 n, n x (key[32], value[32]) -> world root of one account
                                   * (address 0x11..11, nonce 1, no balance or code) with them */
#define OP_S_WRITE 21u        /* blob old window, new image -> status; the window after s_write_window */
#define OP_S2_ROUNDTRIP 24u   /* S version 2 image -> status s_err; on success the re-encoded image */
#define OP_MEM 25u            /* u8 fn, u8 byte, u64 dst, u64 src, u64 n, region -> the region after
                               * fn (0 memcpy, 1 memmove, 2 memset of byte, 3 memcmp) on region + dst,
                               * region + src, n bytes, the region placed 16-aligned; memcmp answers
                               * the sign of its result as one byte (0, 1 or 255) before the region */

/* Tree dump tags: a string is TAG_STR, u64 len, bytes; a list is TAG_LIST, u64 count, items. */
#define TAG_STR 0u
#define TAG_LIST 1u

#endif
