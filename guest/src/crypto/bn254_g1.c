/* BN254 G1: Jacobian arithmetic over Fp (the shared formulas of jac_template.h). */
#include "bn254_internal.h"
#include "wnaf.h"

#define JT_POINT g1_jac
#define JT_FE fe256
#define JT_ADD(r, a, b) mont_add(FP, r, a, b)
#define JT_SUB(r, a, b) mont_sub(FP, r, a, b)
#define JT_FMUL(r, a, b) mont_mul(FP, r, a, b)
#define JT_SQR(r, a) mont_sqr(FP, r, a)
#define JT_NEG(r, a) mont_neg(FP, r, a)
#define JT_IS_ZERO(a) fe_is_zero(a)
#define JT_IS_INF g1_is_inf
#define JT_DOUBLE g1_double
#define JT_ADDP g1_add
#define JT_SCALAR_MUL g1_mul
#define JT_LINKAGE
#include "jac_template.h"

bool g1_to_affine(const g1_jac *a, fe256 *x, fe256 *y) {
    if (g1_is_inf(a)) return false;
    fe256 zi, zi2;
    mont_inv(FP, &zi, &a->z);
    mont_sqr(FP, &zi2, &zi);
    mont_mul(FP, x, &a->x, &zi2);
    mont_mul(FP, &zi2, &zi2, &zi);
    mont_mul(FP, y, &a->y, &zi2);
    return true;
}
