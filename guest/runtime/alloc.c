/* The bump allocator of rt.h over scratch RAM: [__heap_start, __heap_end) from the linker script. */
#include "rt.h"

extern uint8_t __heap_start[];
extern uint8_t __heap_end[];

static size_t heap_used; /* bytes handed out from __heap_start; RAM starts zero, so does this */
static size_t top_size;  /* bytes of the growable region that ends at __heap_end (rt_top_grow) */
static size_t last_off = SIZE_MAX; /* offset of the newest live block (rt_realloc grows it in place) */
/* The most heap ever in use at once (bump part + top region), for measurement only: the host reads
 * it by its symbol from RAM when the guest stops (docs/spec.md §4.9). Nothing in the guest reads it. */
size_t rt_heap_peak;

static void note_peak(void) {
    size_t in_use = heap_used + top_size;
    if (in_use > rt_heap_peak) rt_heap_peak = in_use;
}

void *rt_alloc_uninit(size_t n) {
    size_t size = (n + 15u) & ~(size_t)15u;
    size_t room = (size_t)(__heap_end - __heap_start) - top_size;
    if (size < n || size > room - heap_used) rt_abort(RT_ABORT_OOM);
    uint8_t *p = __heap_start + heap_used;
    last_off = heap_used;
    heap_used += size;
    note_peak();
    return p;
}

void *rt_alloc(size_t n) {
    uint8_t *p = rt_alloc_uninit(n);
    memset(p, 0, (n + 15u) & ~(size_t)15u); /* released memory may be reused: hand out zeroed blocks */
    return p;
}

void *rt_realloc(void *p, size_t old_n, size_t new_n) {
    size_t size = (new_n + 15u) & ~(size_t)15u;
    if (p != NULL && last_off < heap_used && (uint8_t *)p == __heap_start + last_off && size >= new_n) {
        /* the newest block: grow (or shrink) it in place, leaving no old copy behind */
        size_t room = (size_t)(__heap_end - __heap_start) - top_size;
        if (size > room - last_off) rt_abort(RT_ABORT_OOM);
        size_t keep = old_n < new_n ? old_n : new_n;
        heap_used = last_off + size;
        note_peak();
        memset((uint8_t *)p + keep, 0, size - keep); /* as rt_alloc's block would be: zero past the copy */
        return p;
    }
    void *q = rt_alloc(new_n);
    memcpy(q, p, old_n < new_n ? old_n : new_n);
    return q;
}

void rt_trim(void *p, size_t n) {
    size_t size = (n + 15u) & ~(size_t)15u;
    if (p != NULL && last_off < heap_used && (uint8_t *)p == __heap_start + last_off && last_off + size <= heap_used) {
        heap_used = last_off + size;
    }
}

size_t rt_heap_mark(void) { return heap_used; }

void rt_heap_release(size_t mark) {
    if (mark <= heap_used) heap_used = mark;
    if (last_off >= heap_used) last_off = SIZE_MAX; /* released: no longer a block to grow */
}

void *rt_top_grow(void *p, size_t old_n, size_t new_n) {
    size_t size = (new_n + 15u) & ~(size_t)15u;
    size_t room = (size_t)(__heap_end - __heap_start) - heap_used;
    if (size < new_n || size > room) rt_abort(RT_ABORT_OOM);
    if (size <= top_size) return p;
    uint8_t *q = __heap_end - size;
    /* The region moves down by the growth: its bytes move with it (the ranges may overlap). */
    if (p != NULL && old_n) memmove(q, p, old_n);
    top_size = size;
    note_peak();
    return q;
}
