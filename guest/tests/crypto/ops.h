/* Operation numbers of the crypto test driver (secp256k1, Montgomery arithmetic, precompiles).
 * The Python side (tests/guest/crypto_driver.py) mirrors them. */
#ifndef SWAPVM_CRYPTO_OPS_H
#define SWAPVM_CRYPTO_OPS_H

#define OP_RECOVER 1u    /* hash[32] r[32] s[32] recid[1] -> status (0 ok); pubkey[64] */
#define OP_ADDRESS 2u    /* pubkey[64] -> address[20] */
#define OP_MONT 3u       /* ctx[1] op[1] a[32] b[32] (plain, big-endian) -> status (0 ok); r[32] */
#define OP_PRECOMPILE 4u /* u64 address, u64 gas limit, input -> status; u64 gas used, output */
/* BLS12-381 (driver_bls.c, where the argument layouts are described) */
#define OP_BLS_FP 5u
#define OP_BLS_FP2 6u
#define OP_BLS_FP12 7u
#define OP_BLS_POINT 8u
#define OP_BLS_PAIRING 9u
#define OP_KZG_VERIFY 10u
#define OP_PRECOMPILE_LAST 11u /* u64 fork -> the fork's highest precompile address (u64) */

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
/* OP_BLS_FP2 operations beyond MONT_MUL, MONT_SQR, MONT_INV, MONT_SQRT */
#define BLS_FP2_MUL_XI 8u
#define BLS_FP2_LARGE 9u
/* OP_BLS_FP12 operations */
#define BLS_FP12_MUL 0u
#define BLS_FP12_SQR 1u
#define BLS_FP12_INV 2u
#define BLS_FP12_FROB 3u
#define BLS_FP12_FROB2 4u
#define BLS_FP12_CONJ 5u
#define BLS_FP12_CYCLO_SQR 6u
#define BLS_FP12_EASY 7u
#define BLS_FP12_FINAL_EXP 8u
#define BLS_FP12_LINE 9u
/* OP_BLS_POINT: the operation byte is a kind | BLS_POINT_G2 | BLS_POINT_AFFINE */
#define BLS_POINT_DECODE 0u
#define BLS_POINT_ADD 1u
#define BLS_POINT_MUL 2u
#define BLS_POINT_ON_CURVE 3u
#define BLS_POINT_OP_MASK 15u
#define BLS_POINT_G2 16u
#define BLS_POINT_AFFINE 32u

#include "../harness/harness.h"
uint64_t op_bls_fp(span_t a, buf_t *r);
uint64_t op_bls_fp2(span_t a, buf_t *r);
uint64_t op_bls_fp12(span_t a, buf_t *r);
uint64_t op_bls_point(span_t a, buf_t *r);
uint64_t op_bls_pairing(span_t a, buf_t *r);
uint64_t op_kzg_verify(span_t a, buf_t *r);

#endif
