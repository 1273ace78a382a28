/* Transactions of types 0 (legacy), 1 (EIP-2930), 2 (EIP-1559) and, from Cancun, 3 (EIP-4844):
 * parsing (the structural rules of code 1, docs/spec.md §4.6), validation against the state
 * (code 4), execution and the receipt. */
#ifndef SWAPVM_EVM_TX_H
#define SWAPVM_EVM_TX_H

#include "evm_internal.h"
#include "rlp.h"

/* Transaction types (EIP-2718). */
#define TX_TYPE_LEGACY 0u
#define TX_TYPE_ACCESS_LIST 1u
#define TX_TYPE_FEE_MARKET 2u
#define TX_TYPE_BLOB 3u

typedef struct {
    uint8_t type;          /* 0, 1, 2 or 3 */
    span_t raw;            /* the transactions-trie value: list RLP, or type ‖ rlp(payload) */
    span_t payload;        /* typed: rlp(payload); legacy: the list RLP */
    rlp_item f[14];        /* the fields as decoded */
    size_t nf;
    bool too_big;          /* an integer field wider than 256 bits (a range error, code 4) */
    u256 chain_id, nonce, max_priority, max_fee, gas, value, v, r, s; /* legacy: max_* = gas_price */
    bool has_to;
    uint8_t to[20];
    span_t data;
    rlp_item access_list;  /* typed only */
    uint64_t al_addresses, al_keys;
    /* type 3 only: */
    u256 max_fee_per_blob_gas;
    rlp_item blob_hashes;  /* the list of blob versioned hashes (strings; sizes are code 4) */
    size_t n_blob_hashes;
} tx_t;

typedef struct {
    bool success;
    uint64_t gas_used;     /* after the refund */
    uint64_t blob_gas;     /* EIP-4844: GAS_PER_BLOB per blob hash (0 for other types) */
    size_t n_logs;         /* its logs are world_log(0 … n_logs - 1), until the next transaction */
} tx_result_t;

/* Structural decode of one item of a block's transaction list; false = malformed (code 1). */
bool tx_parse(const rlp_item *item, uint64_t fork, tx_t *tx);
/* Validate against the current world and execute; false = invalid (code 4), nothing changed.
 * `gas_available` is the block's gas limit minus the gas used so far, `blob_gas_available` the
 * block's maximum blob gas minus the blob gas used so far. */
bool tx_apply(tx_t *tx, uint64_t gas_available, uint64_t blob_gas_available, tx_result_t *out);
/* Whether the transaction is for `chain`: a typed one's chain id, a legacy EIP-155 v's; a legacy v
 * that names no chain (27, 28, or an invalid one refused with the signature) passes. */
bool tx_for_chain(const tx_t *tx, uint64_t chain);
/* Append the receipt's trie value (typed receipts are prefixed by their type). */
void tx_encode_receipt(const tx_t *tx, const tx_result_t *res, uint64_t cumulative, const uint8_t bloom[256],
                       buf_t *out);

#endif
