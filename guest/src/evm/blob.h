/* EIP-4844's blob gas for blocks and transactions (docs/spec.md §4.6): the constants of Cancun,
 * the excess blob gas a header must carry, and the blob base fee it implies. */
#ifndef SWAPVM_EVM_BLOB_H
#define SWAPVM_EVM_BLOB_H

#include "scodec.h"
#include "u256.h"

#define GAS_PER_BLOB 131072u                   /* 2^17 */
#define MAX_BLOB_GAS_PER_BLOCK 786432u         /* 6 blobs */
#define TARGET_BLOB_GAS_PER_BLOCK 393216u      /* 3 blobs */
#define MIN_BLOB_BASE_FEE 1u
#define BLOB_BASE_FEE_UPDATE_FRACTION 3338477u
#define VERSIONED_HASH_VERSION_KZG 0x01u       /* the first byte of every blob versioned hash */
/* Prague's defaults (EIP-7691), only to recognise a schedule entry that keeps them */
#define PRAGUE_BLOB_TARGET 6u
#define PRAGUE_BLOB_MAX 9u
#define PRAGUE_BLOB_BASE_FEE_UPDATE_FRACTION 5007716u

/* The excess blob gas of a child of `parent`: max(0, excess + used - target). False when it is
 * 2^64 or more (no header can carry it). */
bool blob_excess_gas(const s_header *parent, uint64_t *out);

/* The blob base fee fake_exponential(MIN_BLOB_BASE_FEE, excess, BLOB_BASE_FEE_UPDATE_FRACTION),
 * exactly; a value of 2^256 or more is saturated to 2^256 - 1 (no fee field can reach it). */
void blob_base_fee(uint64_t excess, u256 *out);

#endif
