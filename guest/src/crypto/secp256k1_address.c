/* The Ethereum address of a secp256k1 public key (kept apart from the curve code so that the
 * curve code does not depend on keccak). */
#include "keccak.h"
#include "secp256k1.h"

void secp256k1_pubkey_address(const uint8_t pubkey[64], uint8_t addr_out[20]) {
    uint8_t h[32];
    keccak256(pubkey, 64, h);
    memcpy(addr_out, h + 12, 20);
}
