/* BN254 G2 (the sextic twist over Fp2): Jacobian arithmetic from the shared formulas of
 * jac_template.h, used for the subgroup check of pairing inputs. */
#include "bn254_internal.h"
#include "wnaf.h"

#define JT_POINT g2_jac
#define JT_FE fp2
#define JT_ADD(r, a, b) fp2_add(r, a, b)
#define JT_SUB(r, a, b) fp2_sub(r, a, b)
#define JT_FMUL(r, a, b) fp2_mul(r, a, b)
#define JT_SQR(r, a) fp2_sqr(r, a)
#define JT_NEG(r, a) fp2_neg(r, a)
#define JT_IS_ZERO(a) fp2_is_zero(a)
#define JT_IS_INF g2_is_inf
#define JT_DOUBLE g2_double
#define JT_ADDP g2_add
#define JT_SCALAR_MUL g2_mul
#define JT_LINKAGE
#include "jac_template.h"
