/* rt_preimage_read on the host over an in-memory table (see preimages_host.h): the same answer
 * as ECALL 1001 on machine AB, byte for byte, including the 32-byte leaf bound at dst. */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "preimages_host.h"

typedef struct {
    uint8_t key[32];
    uint8_t *data;
    size_t len;
    bool used;    /* slot occupied */
    bool touched; /* read since the last preimages_host_touched */
} entry_t;

static entry_t *table;          /* open addressing, capacity a power of two */
static size_t capacity, count;
static uint8_t *touched_log;    /* 32 bytes per distinct key read */
static size_t touched_n, touched_cap;
uint64_t preimages_host_calls;

static size_t slot_of(const entry_t *t, size_t cap, const uint8_t key[32]) {
    size_t h = 0;
    memcpy(&h, key, sizeof h); /* keys are hashes: their first bytes are uniform */
    size_t i = h & (cap - 1);
    while (t[i].used && memcmp(t[i].key, key, 32) != 0) i = (i + 1) & (cap - 1);
    return i;
}

static void grow(void) {
    size_t cap = capacity ? 2 * capacity : 1024;
    entry_t *t = calloc(cap, sizeof *t);
    if (t == NULL) rt_abort(RT_ABORT_OOM);
    for (size_t i = 0; i < capacity; i++)
        if (table[i].used) t[slot_of(t, cap, table[i].key)] = table[i];
    free(table);
    table = t;
    capacity = cap;
}

void preimages_host_put(const uint8_t key[32], const uint8_t *data, size_t len) {
    if (2 * (count + 1) > capacity) grow();
    entry_t *e = &table[slot_of(table, capacity, key)];
    if (e->used) return;
    e->data = malloc(len ? len : 1);
    if (e->data == NULL) rt_abort(RT_ABORT_OOM);
    if (len) memcpy(e->data, data, len);
    memcpy(e->key, key, 32);
    e->len = len;
    e->used = true;
    count++;
}

void preimages_host_clear(void) {
    for (size_t i = 0; i < capacity; i++) free(table[i].data);
    free(table);
    table = NULL;
    capacity = count = touched_n = 0;
}

const uint8_t *preimages_host_touched(size_t *n) {
    for (size_t i = 0; i < capacity; i++) table[i].touched = false;
    *n = touched_n;
    touched_n = 0;
    return touched_log;
}

static void note_touched(entry_t *e) {
    if (e->touched) return;
    e->touched = true;
    if (touched_n == touched_cap) {
        touched_cap = touched_cap ? 2 * touched_cap : 256;
        touched_log = realloc(touched_log, touched_cap * 32);
        if (touched_log == NULL) rt_abort(RT_ABORT_OOM);
    }
    memcpy(touched_log + 32 * touched_n++, e->key, 32);
}

uint64_t rt_preimage_read(const uint8_t key[32], uint64_t offset, uint8_t *dst, uint64_t max, uint64_t *len) {
    preimages_host_calls++;
    entry_t *e = capacity ? &table[slot_of(table, capacity, key)] : NULL;
    if (e == NULL || !e->used) {
        fprintf(stderr, "preimage oracle: missing key 0x");
        for (int i = 0; i < 32; i++) fprintf(stderr, "%02x", key[i]);
        fprintf(stderr, "\n");
        fflush(stderr);
        exit(PREIMAGES_HOST_MISSING_EXIT);
    }
    note_touched(e);
    uint64_t n = max, leaf = 32u - (uint64_t)((uintptr_t)dst % 32u);
    uint64_t rest = offset < e->len ? e->len - offset : 0;
    if (leaf < n) n = leaf;
    if (rest < n) n = rest;
    if (n) memcpy(dst, e->data + offset, (size_t)n);
    *len = e->len;
    return n;
}
