/* The trace build's line writer: compact JSON records, one per line, out through rt_debug.
 *
 * Records (the host turns them into EIP-3155 lines, swapping/trace_guest.py):
 *   {"pc":N,"op":N,"gas":"0x..","memSize":N,"stack":["0x.."],"depth":N,"refund":N}
 *   {"end":N,"depth":N,"gas":"0x.."}            a frame ended with status N (EXEC_*)
 *   {"tx":1,"pass":B,"gasUsed":"0x..","output":"0x.."}
 * Frames without code write nothing (as on machine A).
 */
#include "evm_trace.h"

static char g_line[4096];
static size_t g_len;
/* The running frame of each depth, for the transaction's refund counter so far. */
static const frame_t *g_frames[EVM_DEPTH_LIMIT + 1];
static bool g_muted;

void trace_mute(bool muted) { g_muted = muted; }

static void flush(void) {
    if (g_len) rt_debug(g_line, g_len);
    g_len = 0;
}

static void put(const char *s) {
    while (*s) {
        if (g_len == sizeof g_line) flush();
        g_line[g_len++] = *s++;
    }
}

static void put_char(char c) {
    if (g_len == sizeof g_line) flush();
    g_line[g_len++] = c;
}

static void put_dec(uint64_t v) {
    char d[21];
    int n = 0;
    do {
        d[n++] = (char)('0' + v % 10);
        v /= 10;
    } while (v);
    while (n) put_char(d[--n]);
}

static void put_signed(int64_t v) {
    if (v < 0) {
        put_char('-');
        put_dec((uint64_t)0 - (uint64_t)v);
    } else {
        put_dec((uint64_t)v);
    }
}

static const char HEX[] = "0123456789abcdef";

/* A quoted 0x-number without leading zeros ("0x0" for zero). */
static void put_hex_word(const u256 *w) {
    put("\"0x");
    bool started = false;
    for (int i = 63; i >= 0; i--) {
        unsigned nib = (unsigned)(w->w[i / 16] >> (4 * (i % 16))) & 15u;
        if (nib || started || i == 0) {
            put_char(HEX[nib]);
            started = true;
        }
    }
    put_char('"');
}

static void put_hex_u64(uint64_t v) {
    u256 w;
    u256_set_u64(&w, v);
    put_hex_word(&w);
}

static void put_hex_bytes(const uint8_t *p, size_t n) {
    put("\"0x");
    for (size_t i = 0; i < n; i++) {
        put_char(HEX[p[i] >> 4]);
        put_char(HEX[p[i] & 15]);
    }
    put_char('"');
}

uint64_t trace_op(const frame_t *f, size_t pc, uint8_t op, uint64_t gas, const u256 *stack, size_t sp) {
    int depth = f->m->depth;
    g_frames[depth] = f;
    if (g_muted || f->m->code_len == 0) return gas;
    int64_t refund = 0;
    for (int d = 0; d <= depth; d++) refund += g_frames[d]->refund;
    put("{\"pc\":");
    put_dec(pc);
    put(",\"op\":");
    put_dec(op);
    put(",\"gas\":");
    put_hex_u64(gas);
    put(",\"memSize\":");
    put_dec(f->mem_size);
    put(",\"stack\":[");
    for (size_t i = 0; i < sp; i++) {
        if (i) put_char(',');
        put_hex_word(&stack[i]);
    }
    put("],\"depth\":");
    put_dec((uint64_t)depth + 1);
    put(",\"refund\":");
    put_signed(refund);
    put("}\n");
    flush();
#ifdef SWAPVM_TRACE_PLANT_ADD
    /* A planted divergence for the tests: ADD costs one gas more than Ethereum says. */
    if (op == 0x01 && gas > 3) gas -= 1;
#endif
    return gas;
}

void trace_end(const frame_t *f, int status, uint64_t gas_left) {
    if (g_muted || f->m->code_len == 0) return;
    put("{\"end\":");
    put_dec((uint64_t)status);
    put(",\"depth\":");
    put_dec((uint64_t)f->m->depth + 1);
    put(",\"gas\":");
    put_hex_u64(gas_left);
    put("}\n");
    flush();
}

void trace_tx_end(bool success, uint64_t gas_used, const uint8_t *out, size_t out_len) {
    put("{\"tx\":1,\"pass\":");
    put(success ? "true" : "false");
    put(",\"gasUsed\":");
    put_hex_u64(gas_used);
    put(",\"output\":");
    put_hex_bytes(out, out_len);
    put("}\n");
    flush();
}
