/* Jacobian point arithmetic on y^2 = x^3 + b (a = 0), written once for secp256k1, BN254 G1 and G2.
 * The including file defines:
 *   JT_POINT          the point type (fields x, y, z of type JT_FE)
 *   JT_FE             the field element type
 *   JT_ADD/SUB/FMUL(r, a, b), JT_SQR(r, a), JT_IS_ZERO(a)   the field operations
 *   JT_IS_INF, JT_DOUBLE, JT_ADDP  the names of the infinity test, doubling and addition to define
 *   JT_SCALAR_MUL       (optional) the name of the scalar multiplication to define; it needs
 *                       JT_NEG(r, a) and wnaf.h
 *   JT_LINKAGE          the storage class of the definitions (empty or static)
 * Formulas: doubling dbl-2009-l, addition add-1998-cmo-2 (Explicit-Formulas Database). */

static bool JT_IS_INF(const JT_POINT *a) { return JT_IS_ZERO(&a->z); }

JT_LINKAGE void JT_DOUBLE(JT_POINT *r, const JT_POINT *a) {
    JT_FE A, B, C, D, E, F, t;
    JT_SQR(&A, &a->x);
    JT_SQR(&B, &a->y);
    JT_SQR(&C, &B);
    JT_ADD(&t, &a->x, &B);
    JT_SQR(&t, &t);
    JT_SUB(&t, &t, &A);
    JT_SUB(&t, &t, &C);
    JT_ADD(&D, &t, &t);      /* D = 2((X + B)^2 - A - C) = 4 X Y^2 */
    JT_ADD(&E, &A, &A);
    JT_ADD(&E, &E, &A);      /* E = 3 X^2 */
    JT_SQR(&F, &E);
    JT_FMUL(&r->z, &a->y, &a->z);
    JT_ADD(&r->z, &r->z, &r->z);
    JT_SUB(&r->x, &F, &D);
    JT_SUB(&r->x, &r->x, &D);
    JT_SUB(&t, &D, &r->x);
    JT_FMUL(&t, &E, &t);
    JT_ADD(&C, &C, &C);
    JT_ADD(&C, &C, &C);
    JT_ADD(&C, &C, &C);      /* 8 Y^4 */
    JT_SUB(&r->y, &t, &C);
}

JT_LINKAGE void JT_ADDP(JT_POINT *r, const JT_POINT *a, const JT_POINT *b) {
    if (JT_IS_INF(a)) { *r = *b; return; }
    if (JT_IS_INF(b)) { *r = *a; return; }
    JT_FE z1z1, z2z2, U1, U2, S1, S2, H, rr, HH, HHH, V, t;
    JT_SQR(&z1z1, &a->z);
    JT_SQR(&z2z2, &b->z);
    JT_FMUL(&U1, &a->x, &z2z2);
    JT_FMUL(&U2, &b->x, &z1z1);
    JT_FMUL(&S1, &a->y, &b->z);
    JT_FMUL(&S1, &S1, &z2z2);
    JT_FMUL(&S2, &b->y, &a->z);
    JT_FMUL(&S2, &S2, &z1z1);
    JT_SUB(&H, &U2, &U1);
    JT_SUB(&rr, &S2, &S1);
    if (JT_IS_ZERO(&H)) {
        if (JT_IS_ZERO(&rr)) JT_DOUBLE(r, a);
        else memset(r, 0, sizeof *r);
        return;
    }
    JT_FMUL(&t, &a->z, &b->z);
    JT_FMUL(&r->z, &t, &H);
    JT_SQR(&HH, &H);
    JT_FMUL(&HHH, &HH, &H);
    JT_FMUL(&V, &U1, &HH);
    JT_SQR(&t, &rr);
    JT_SUB(&t, &t, &HHH);
    JT_SUB(&t, &t, &V);
    JT_SUB(&r->x, &t, &V);
    JT_SUB(&t, &V, &r->x);
    JT_FMUL(&t, &rr, &t);
    JT_FMUL(&HHH, &S1, &HHH);
    JT_SUB(&r->y, &t, &HHH);
}

#ifdef JT_SCALAR_MUL
/* r = k·a for a plain 256-bit scalar k: width-5 NAF over the odd multiples a, 3a, …, 15a
 * (about 256 doublings and 43 additions). Needs JT_NEG(r, a), the field negation. */
JT_LINKAGE void JT_SCALAR_MUL(JT_POINT *r, const JT_POINT *a, const fe256 *k) {
    int8_t digits[WNAF_MAX_DIGITS];
    int len = wnaf(digits, k, 5);
    JT_POINT tab[8], a2, acc, t;
    tab[0] = *a;
    JT_DOUBLE(&a2, a);
    for (int i = 1; i < 8; i++) JT_ADDP(&tab[i], &tab[i - 1], &a2);
    memset(&acc, 0, sizeof acc);
    for (int i = len - 1; i >= 0; i--) {
        JT_DOUBLE(&acc, &acc);
        int d = digits[i];
        if (d > 0) {
            JT_ADDP(&acc, &acc, &tab[d >> 1]);
        } else if (d < 0) {
            t = tab[(-d) >> 1];
            JT_NEG(&t.y, &t.y);
            JT_ADDP(&acc, &acc, &t);
        }
    }
    *r = acc;
}
#endif
