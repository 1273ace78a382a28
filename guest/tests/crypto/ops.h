/* Operation numbers of the crypto test driver (secp256k1, Montgomery arithmetic, precompiles).
 * The Python side (tests/guest/crypto_driver.py) mirrors them. */
#ifndef SWAPVM_CRYPTO_OPS_H
#define SWAPVM_CRYPTO_OPS_H

#define OP_RECOVER 1u    /* hash[32] r[32] s[32] recid[1] -> status (0 ok); pubkey[64] */
#define OP_ADDRESS 2u    /* pubkey[64] -> address[20] */
#define OP_MONT 3u       /* ctx[1] op[1] a[32] b[32] (plain, big-endian) -> status (0 ok); r[32] */
#define OP_PRECOMPILE 4u /* u64 address, u64 gas limit, input -> status; u64 gas used, output */

/* OP_MONT contexts and operations. */
#define MONT_CTX_SECP_P 0u
#define MONT_CTX_SECP_N 1u
#define MONT_CTX_BN_P 2u
#define MONT_CTX_BN_R 3u
#define MONT_CTX_SECP_FE 4u /* secp256k1 p on plain residues (secp256k1_field.c): add sub mul sqr inv sqrt neg */
#define MONT_ADD 0u
#define MONT_SUB 1u
#define MONT_MUL 2u
#define MONT_INV 3u
#define MONT_SQRT 4u
#define MONT_POW 5u /* b is the plain exponent */
#define MONT_NEG 6u
#define MONT_SQR 7u

#endif
