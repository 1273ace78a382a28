/* Native test driver for u256 (host only, uses libc): one request a line on stdin,
 *   <op> <a> <b> <c>
 * with each operand 64 hex digits (big-endian 256-bit); it answers one line of 64 hex digits.
 * Unary and binary ops ignore the operands they do not use. Built with sanitizers by
 * tests/guest/test_u256.py and checked against Python integers. */
#include <stdio.h>
#include <string.h>

#include "u256.h"

static int parse(const char *hex, u256 *out) {
    uint8_t be[32];
    if (strlen(hex) != 64) return -1;
    for (int i = 0; i < 32; i++) {
        unsigned v;
        if (sscanf(hex + 2 * i, "%2x", &v) != 1) return -1;
        be[i] = (uint8_t)v;
    }
    u256_from_be(out, be, 32);
    return 0;
}

int main(void) {
    char op[32], ha[80], hb[80], hc[80];
    while (scanf("%31s %79s %79s %79s", op, ha, hb, hc) == 4) {
        u256 a, b, c, r;
        if (parse(ha, &a) || parse(hb, &b) || parse(hc, &c)) {
            fprintf(stderr, "bad operand\n");
            return 2;
        }
        u256_set_u64(&r, 0);
        if (!strcmp(op, "add")) u256_add(&r, &a, &b);
        else if (!strcmp(op, "sub")) u256_sub(&r, &a, &b);
        else if (!strcmp(op, "mul")) u256_mul(&r, &a, &b);
        else if (!strcmp(op, "div")) u256_div(&r, &a, &b);
        else if (!strcmp(op, "sdiv")) u256_sdiv(&r, &a, &b);
        else if (!strcmp(op, "mod")) u256_mod(&r, &a, &b);
        else if (!strcmp(op, "smod")) u256_smod(&r, &a, &b);
        else if (!strcmp(op, "addmod")) u256_addmod(&r, &a, &b, &c);
        else if (!strcmp(op, "mulmod")) u256_mulmod(&r, &a, &b, &c);
        else if (!strcmp(op, "exp")) u256_exp(&r, &a, &b);
        else if (!strcmp(op, "signextend")) u256_signextend(&r, &a, &b);
        else if (!strcmp(op, "byte")) u256_byte(&r, &a, &b);
        else if (!strcmp(op, "shl")) u256_shl(&r, &a, &b);
        else if (!strcmp(op, "shr")) u256_shr(&r, &a, &b);
        else if (!strcmp(op, "sar")) u256_sar(&r, &a, &b);
        else if (!strcmp(op, "lt")) u256_set_u64(&r, u256_lt(&a, &b));
        else if (!strcmp(op, "gt")) u256_set_u64(&r, u256_lt(&b, &a));
        else if (!strcmp(op, "slt")) u256_set_u64(&r, u256_slt(&a, &b));
        else if (!strcmp(op, "sgt")) u256_set_u64(&r, u256_slt(&b, &a));
        else if (!strcmp(op, "eq")) u256_set_u64(&r, u256_eq(&a, &b));
        else if (!strcmp(op, "iszero")) u256_set_u64(&r, u256_is_zero(&a));
        else if (!strcmp(op, "and")) u256_and(&r, &a, &b);
        else if (!strcmp(op, "or")) u256_or(&r, &a, &b);
        else if (!strcmp(op, "xor")) u256_xor(&r, &a, &b);
        else if (!strcmp(op, "not")) u256_not(&r, &a);
        else if (!strcmp(op, "neg")) u256_neg(&r, &a);
        else if (!strcmp(op, "bytelen")) u256_set_u64(&r, u256_byte_len(&a));
        else if (!strcmp(op, "alias")) { r = a; u256_mulmod(&r, &r, &r, &b); } /* output aliases inputs */
        else {
            fprintf(stderr, "unknown op %s\n", op);
            return 2;
        }
        uint8_t be[32];
        u256_to_be(&r, be);
        for (int i = 0; i < 32; i++) printf("%02x", be[i]);
        printf("\n");
        fflush(stdout); /* the test talks to us line by line over a pipe */
    }
    return 0;
}
