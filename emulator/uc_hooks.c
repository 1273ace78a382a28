/* Host-side Unicorn callbacks of the AB engine (emulator/unicorn_engine.py), built by the pinned zig.
 *
 * swapvm_block (UC_HOOK_BLOCK) counts retired instructions exactly (size / 4 per block) and stops
 * the emulation *before* a block that would pass the step limit, that starts at a pc that is not
 * 4-aligned, or that contains a word Unicorn would execute differently from the reference (a
 * "hazard": the engine then finishes by hand). Dirty pages are found by write-protecting the host
 * buffers behind RAM and S (a UC_HOOK_MEM_WRITE callback costs ~6x in speed; this costs one host
 * fault per page per sync). No Unicorn header is needed: uc_emu_stop comes as a function pointer.
 */
#define _GNU_SOURCE
#include <signal.h>
#include <stdint.h>
#include <string.h>
#include <sys/mman.h>

typedef struct uc_struct uc_engine;
typedef int (*emu_stop_fn)(uc_engine *);

enum { STOP_NONE = 0, STOP_LIMIT = 1, STOP_MISALIGNED = 2, STOP_HAZARD = 3 };

struct swapvm_hooks {
    uint64_t count;        /* instructions of the blocks entered since the counter was reset */
    uint64_t limit;        /* a block that would take count past this is not entered */
    uint64_t block_addr;   /* the last block entered ... */
    uint64_t block_size;   /* ... its size in bytes ... */
    uint64_t block_count;  /* ... and count before it */
    uint64_t stop_reason;  /* STOP_* */
    uint64_t stop_addr;    /* the block that was not entered */
    uint64_t stop_size;
    uint64_t checks;       /* 0: count only (a tail run that Unicorn itself bounds) */
    uint64_t skip_hazard;  /* enter the block at this address once despite a hazard after it */
    emu_stop_fn emu_stop;
    const uint8_t *hazard; /* one byte per word of [text_start, text_start + 4 * text_words) */
    uint64_t text_start;
    uint64_t text_words;
};

static void stop(uc_engine *uc, struct swapvm_hooks *h, uint64_t reason, uint64_t addr, uint32_t size) {
    h->stop_reason = reason;
    h->stop_addr = addr;
    h->stop_size = size;
    h->emu_stop(uc);
}

static int has_hazard(const struct swapvm_hooks *h, uint64_t address, uint32_t size) {
    if (h->hazard == 0 || address < h->text_start) return 0;
    uint64_t first = (address - h->text_start) >> 2;
    uint64_t end = first + (size >> 2) + 2; /* the word after the block too: it may end there */
    if (end > h->text_words) end = h->text_words;
    for (uint64_t i = first; i < end; i++) {
        if (h->hazard[i]) return 1;
    }
    return 0;
}

void swapvm_block(uc_engine *uc, uint64_t address, uint32_t size, void *user) {
    struct swapvm_hooks *h = user;
    uint64_t n = size >> 2;
    if (address & 3) {
        stop(uc, h, STOP_MISALIGNED, address, size);
        return;
    }
    if (h->checks) {
        if (address != h->skip_hazard && has_hazard(h, address, size)) {
            stop(uc, h, STOP_HAZARD, address, size);
            return;
        }
        if (h->count + n > h->limit) {
            stop(uc, h, STOP_LIMIT, address, size);
            return;
        }
        h->skip_hazard = 1; /* never a block address */
    }
    h->block_addr = address;
    h->block_size = size;
    h->block_count = h->count;
    h->count += n;
}

/* --- dirty pages: RAM and S live in host buffers that are write-protected between syncs ------------
 * The first store to a page faults on the host; the handler records the page, unprotects it and
 * returns, so the store is retried. Faults outside the tracked buffers go to the previous handler. */

#define MAX_REGIONS 4096
#define HOST_PAGE 4096u

struct region {
    uintptr_t start, end;
    uint8_t *dirty;        /* one byte per page */
    uint32_t *list;        /* page indices marked, in order */
    uint64_t *count;
};

static struct region regions[MAX_REGIONS];
static struct sigaction previous;

static void on_segv(int sig, siginfo_t *info, void *context) {
    uintptr_t a = (uintptr_t)info->si_addr;
    for (int i = 0; i < MAX_REGIONS; i++) {
        struct region *r = &regions[i];
        if (r->start <= a && a < r->end) {
            uint64_t page = (a - r->start) / HOST_PAGE;
            if (!r->dirty[page]) {
                r->dirty[page] = 1;
                r->list[(*r->count)++] = (uint32_t)page;
            }
            mprotect((void *)(r->start + page * HOST_PAGE), HOST_PAGE, PROT_READ | PROT_WRITE);
            return;
        }
    }
    /* Not ours: hand the signal back to the handler that was there before and let the access
     * fault again, so that handler (or the default action) sees it exactly as without us. */
    (void)sig;
    (void)context;
    sigaction(SIGSEGV, &previous, NULL);
}

/* Make on_segv the SIGSEGV handler, chaining to whatever was installed before it (also when
 * another component, e.g. Python's faulthandler, installed its own handler after ours). */
int swapvm_ensure_handler(void) {
    struct sigaction current;
    if (sigaction(SIGSEGV, NULL, &current) != 0) return -1;
    if ((current.sa_flags & SA_SIGINFO) && current.sa_sigaction == on_segv) return 0;
    struct sigaction action;
    memset(&action, 0, sizeof action);
    action.sa_sigaction = on_segv;
    action.sa_flags = SA_SIGINFO | SA_NODEFER;
    sigemptyset(&action.sa_mask);
    if (sigaction(SIGSEGV, &action, &previous) != 0) return -1;
    return 0;
}

/* Track [start, start + size): writes there mark pages in dirty/list/count. Returns 0 on success. */
int swapvm_track(void *start, uint64_t size, uint8_t *dirty, uint32_t *list, uint64_t *count) {
    if (swapvm_ensure_handler() != 0) return -1;
    for (int i = 0; i < MAX_REGIONS; i++) {
        if (regions[i].start == 0) {
            regions[i].dirty = dirty;
            regions[i].list = list;
            regions[i].count = count;
            regions[i].end = (uintptr_t)start + size;
            regions[i].start = (uintptr_t)start;
            return 0;
        }
    }
    return -2;
}

/* Stop tracking the buffer at start (before it is unmapped). */
void swapvm_untrack(void *start) {
    for (int i = 0; i < MAX_REGIONS; i++) {
        if (regions[i].start == (uintptr_t)start) {
            mprotect(start, regions[i].end - regions[i].start, PROT_READ | PROT_WRITE);
            regions[i].start = regions[i].end = 0;
        }
    }
}

/* Write-protect a tracked buffer again (after its dirty pages were taken). */
int swapvm_protect(void *start, uint64_t size) {
    if (swapvm_ensure_handler() != 0) return -1;
    return mprotect(start, size, PROT_READ);
}
