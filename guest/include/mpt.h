/* A partial Merkle-Patricia trie (Yellow Paper appendix D) over the preimage oracle.
 *
 * A trie starts as its root hash alone. A node is read from the oracle (oracle.h, checked by
 * its keccak256) only when an operation must look inside it, and is then kept in RAM, decoded:
 * a branch's other children stay references (a hash, or an embedded node shorter than 32 bytes
 * decoded only when reached), so the nodes read are those on the paths of the keys touched, plus
 * the one sibling a deletion must merge with when it leaves a branch with a single child. New and
 * changed nodes live in RAM only; mpt_root hashes exactly the changed ones (a node unchanged
 * since it was read keeps the reference it was read by, without re-encoding).
 *
 * Keys are arbitrary byte strings (nibble path: high nibble of each byte first); a secure trie
 * (state: keccak256(address) -> rlp(account); storage: keccak256(slot) -> rlp(value)) hashes its
 * keys first, which is the caller's job. An empty value means absent (mpt_put with an empty value
 * deletes, as HexaryTrie's set does). Deletions normalise as every client does: a branch left
 * with one child and no value merges with that child (read through the oracle if it was not in
 * RAM), a branch left with only its value becomes a leaf, an extension over a leaf or extension
 * merges with it, and the last key deleted leaves the empty trie (root keccak256(0x80)).
 *
 * Memory: nodes, paths, values and the oracle's preimages are heap blocks that are never freed
 * by the trie; a caller must not rt_heap_release below a mark taken before it used the trie.
 * Values returned by mpt_get point into that memory. A node that does not decode as a canonical
 * trie node aborts with RT_ABORT_TRIE_NODE (its bytes are authentic: the trie itself is bad).
 *
 * Order of writes: the nodes a sequence of writes reads depend on its order (a deletion that
 * collapses a branch reads the surviving sibling; an insertion into that branch first would not).
 * Apply a block's writes to a trie with every put before every delete: that order reads a subset
 * of what any order of the same writes reads, so a witness recorded from a client (py-evm, which
 * commits in an order of its own) suffices (tests/guest/test_mpt.py checks both against py-trie).
 */
#ifndef SWAPVM_MPT_H
#define SWAPVM_MPT_H

#include "bytes.h"

typedef struct mpt_node mpt_node;

/* How a parent holds a child: a node in RAM, a reference not yet decoded (`ref` points at its
 * RLP inside the parent's encoding: 0xa0 and a 32-byte hash, or an embedded list under 32
 * bytes), or nothing (both NULL). */
typedef struct {
    mpt_node *node;
    const uint8_t *ref;
} mpt_slot;

typedef struct {
    mpt_slot root;
} mpt_trie;

/* Counters since the start, for measurements (nothing in the guest reads them). */
typedef struct {
    uint64_t decoded;  /* nodes decoded (read through the oracle or embedded) */
    uint64_t hashed;   /* nodes encoded and hashed by mpt_root */
    uint64_t path;     /* nodes on the path of the last mpt_get (read or already in RAM): the
                        * live-byte rule counts them (docs/spec.md §4.9, S version 2's heap) */
} mpt_stats_t;

extern mpt_stats_t mpt_stats;

/* A trie whose root hash is `root` (TRIE_EMPTY_ROOT gives the empty trie). Reads nothing. */
void mpt_open(mpt_trie *t, const uint8_t root[32]);
/* The value of `key`: true and *value spanning it, or false (absent) with an empty span. */
bool mpt_get(mpt_trie *t, const uint8_t *key, size_t key_len, span_t *value);
/* Set `key` to `value` (copied); an empty value deletes the key. */
void mpt_put(mpt_trie *t, const uint8_t *key, size_t key_len, const uint8_t *value, size_t value_len);
/* Delete `key`; true if it was present. */
bool mpt_delete(mpt_trie *t, const uint8_t *key, size_t key_len);
/* One write of a batch: an empty value deletes. */
typedef struct {
    span_t key;
    span_t value;
} mpt_write;
/* Apply a batch of writes, each key at most once (a block's final value per key, as the world's
 * dirty entries are): every put in the given order, then every delete, the order that reads no
 * node a client applying the same writes in any order would not read (see above). */
void mpt_apply(mpt_trie *t, const mpt_write *writes, size_t n);
/* The root hash. Hashes the nodes changed since the last call, and only those. */
void mpt_root(mpt_trie *t, uint8_t out[32]);
/* mpt_root, and emit(ctx, hash, encoding) for every node it hashes (the root always, other nodes
 * when their encoding is 32 bytes or more): the new nodes a content-addressed store would keep. */
typedef void (*mpt_emit_fn)(void *ctx, const uint8_t hash[32], span_t encoding);
void mpt_root_emit(mpt_trie *t, uint8_t out[32], mpt_emit_fn emit, void *ctx);

#endif
