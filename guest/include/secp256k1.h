/* secp256k1 public-key recovery (SEC 1 v2 §4.1.6), for transaction senders and the ecrecover
 * precompile. Inputs are attacker-controlled: every invalid case is an error return. */
#ifndef SWAPVM_SECP256K1_H
#define SWAPVM_SECP256K1_H

#include "rt.h"

/* Recover the public key that signed `msg_hash` with signature (r, s) and recovery id `recid`
 * (bit 0: parity of R.y; bit 1: R.x = r + n). Writes x ‖ y (big-endian, 64 bytes, no 0x04 prefix).
 * Returns 0 on success; nonzero when r or s is 0 or ≥ n, recid > 3, R.x ≥ p, R.x is not on the
 * curve, or the result is the point at infinity. High s is accepted (low-s is a transaction rule
 * of the caller). */
int secp256k1_recover(const uint8_t msg_hash[32], const uint8_t r[32], const uint8_t s[32], unsigned recid,
                      uint8_t pubkey_out[64]);

/* The Ethereum address of a public key: the last 20 bytes of keccak256(x ‖ y). */
void secp256k1_pubkey_address(const uint8_t pubkey[64], uint8_t addr_out[20]);

#endif
