/* EIP-4844's point-evaluation precompile (0x0a): verify_kzg_proof over BLS12-381 with the
 * trusted setup's [τ]₂ (bls12_381_consts.c). */
#include "bls12_381_internal.h"
#include "precompile_internal.h"
#include "sha256.h"

#define POINT_EVALUATION_GAS 50000u
#define POINT_EVALUATION_INPUT 192u      /* versioned hash, z, y, commitment, proof */
#define FIELD_ELEMENTS_PER_BLOB 4096u
#define VERSIONED_HASH_VERSION_KZG 0x01u

/* a < r for a plain 256-bit integer. */
static bool below_order(const fe256 *a) {
    for (int i = 3; i >= 0; i--)
        if (a->w[i] != BLS_ORDER.w[i]) return a->w[i] < BLS_ORDER.w[i];
    return false;
}

/* Decode a compressed G1 point of the KZG encoding: valid, and in the order-r subgroup
 * (infinity is allowed, as validate_kzg_g1 does). */
static int decode_g1(bls_g1 *r, const uint8_t in[48]) {
    if (!bls_g1_decompress(r, in)) return KZG_BAD_POINT;
    return bls_g1_in_subgroup(r) ? KZG_OK : KZG_NOT_IN_G1;
}

int bls12_381_verify_kzg_proof(const uint8_t commitment[48], const uint8_t z[32], const uint8_t y[32],
                               const uint8_t proof[48]) {
    fe256 zs, ys;
    fe_from_be(&zs, z);
    fe_from_be(&ys, y);
    if (!below_order(&zs) || !below_order(&ys)) return KZG_BAD_SCALAR;
    bls_g1 c, pi;
    int st = decode_g1(&c, commitment);
    if (st == KZG_OK) st = decode_g1(&pi, proof);
    if (st != KZG_OK) return st;
    /* e(π, [τ - z]₂) = e(C - [y]₁, [1]₂) ⇔ e(π, [τ]₂) · e([y]₁ - [z]π - C, [1]₂) = 1 by
     * bilinearity: both G2 points are constants (their Miller-loop lines are in ROM) and only G1
     * is multiplied. A pair whose G1 point is infinity contributes 1. */
    bls_g1 s, g, neg_pi = pi;
    g.x = BLS_G1_X;
    g.y = BLS_G1_Y;
    fp_set_one(&g.z);
    fp_neg(&neg_pi.y, &neg_pi.y);
    bls_g1_mul2(&s, &g, &ys, &neg_pi, &zs);
    fp_neg(&c.y, &c.y);
    bls_g1_add(&s, &s, &c);
    fp384 px[2], py[2];
    const fp2(*lines[2])[2];
    size_t n = 0;
    if (bls_g1_to_affine(&pi, &px[n], &py[n])) lines[n++] = BLS_TAU_G2_LINES;
    if (bls_g1_to_affine(&s, &px[n], &py[n])) lines[n++] = BLS_G2_LINES;
    fp12 f;
    bls_miller_loop_fixed(&f, px, py, lines, n);
    bls_final_exp(&f, &f);
    return fp12_is_one(&f) ? KZG_OK : KZG_WRONG_PROOF;
}

int precompile_point_evaluation(const uint8_t *in, size_t in_len, uint64_t gas_limit, precompile_result *res) {
    if (POINT_EVALUATION_GAS > gas_limit) return precompile_fail(res, gas_limit, PRECOMPILE_OOG);
    if (in_len != POINT_EVALUATION_INPUT) return precompile_fail(res, gas_limit, PRECOMPILE_FAIL);
    const uint8_t *hash = in, *z = in + 32, *y = in + 64, *commitment = in + 96, *proof = in + 144;
    /* the versioned hash: the version byte, then sha256(commitment) without its first byte */
    uint8_t h[32];
    sha256(commitment, 48, h);
    h[0] = VERSIONED_HASH_VERSION_KZG;
    if (memcmp(h, hash, 32) != 0) return precompile_fail(res, gas_limit, PRECOMPILE_FAIL);
    if (bls12_381_verify_kzg_proof(commitment, z, y, proof) != KZG_OK)
        return precompile_fail(res, gas_limit, PRECOMPILE_FAIL);
    precompile_charge(res, gas_limit, POINT_EVALUATION_GAS, 64);
    fe256 n = {{FIELD_ELEMENTS_PER_BLOB, 0, 0, 0}};
    fe_to_be(&n, res->out);
    fe_to_be(&BLS_ORDER, res->out + 32);
    return PRECOMPILE_OK;
}
