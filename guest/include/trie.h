/* The root of a Merkle-Patricia trie (Yellow Paper appendix D) built from scratch over a set
 * of (key, value) pairs — the state, storage, transactions, receipts and withdrawals roots.
 *
 * Keys are arbitrary byte strings (the nibble path is the key's bytes, high nibble first). A
 * "secure" trie (state, storage) hashes its keys with keccak256 first; that is the caller's
 * job, as is RLP-encoding the values (e.g. rlp(account), rlp(slot value), rlp(index) keys).
 *
 * trie_root sorts `pairs` in place (by key), so the input may come in any order. An empty
 * value means "absent" (as in HexaryTrie, where setting b'' deletes): such pairs are ignored.
 * If a key occurs more than once, the pair that came last in the input wins. Nodes whose RLP
 * is shorter than 32 bytes are embedded in their parent instead of hashed; the root node is
 * always hashed. The root of the empty trie is keccak256(0x80).
 */
#ifndef SWAPVM_TRIE_H
#define SWAPVM_TRIE_H

#include "bytes.h"

typedef struct {
    span_t key;
    span_t value;
} trie_pair;

/* keccak256(rlp(b"")) = 56e81f17…b421. */
extern const uint8_t TRIE_EMPTY_ROOT[32];

/* Compute the root. Reorders pairs[0 … n-1]; uses heap scratch (released before return). */
void trie_root(trie_pair *pairs, size_t n, uint8_t out[32]);

/* The root of a list trie: key rlp(i) -> values[i] for i = 0 … n-1 (transactions, receipts,
 * withdrawals roots; values are the items' encodings). Heap scratch is released. */
void trie_root_indexed(const span_t *values, size_t n, uint8_t out[32]);

#endif
