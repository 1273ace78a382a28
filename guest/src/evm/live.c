/* The live-byte budget of a block (live.h, docs/spec.md §4.9): four monotone terms whose sum is
 * checked at every increase; past the budget the block is refused and the guest yields at once. */
#include "live.h"

#include "evm.h"
#include "evm_internal.h"
#include "scodec2.h"

uint64_t evm_live_total;

static struct {
    const s_state *before;      /* version 1's S before the block, or NULL */
    const s2_state *before2;    /* version 2's */
    uint8_t *window;
    size_t win_size, old_len, mark;
    uint64_t words[EVM_DEPTH_LIMIT + 1]; /* memory words of the frame at each depth on the stack */
    uint64_t words_live, words_peak, return_peak, journal, journal_peak;
} L;

/* S with the cursor advanced and outcome [2, 9], written over the window; then yield. Nothing the
 * block allocated is needed any more, so the bump heap goes back to where the block began. */
static _Noreturn void refuse(void) {
    s_outcome refused;
    memset(&refused, 0, sizeof refused);
    refused.status = S_STATUS_REJECTED;
    refused.reason = S_REASON_LIVE_BUDGET;
    rt_heap_release(L.mark);
    if (L.before2) {
        s2_state s = *L.before2;
        s.cursor++;
        s.outcome = refused;
        RT_ASSERT(s2_write_window(&s, L.window, L.win_size, L.old_len) == S_OK);
    } else {
        s_state s = *L.before;
        s.cursor++;
        s.outcome = refused;
        RT_ASSERT(s_write_window(&s, L.window, L.win_size, L.old_len) == S_OK);
    }
    rt_yield(EVM_STEP_APPLIED);
}

static void add(uint64_t bytes) {
    evm_live_total += bytes;
    if (evm_live_total > SWAPVM_LIVE_BUDGET) refuse();
}

void live_begin_block_v2(const s2_state *before, uint8_t *window, size_t win_size, size_t old_len) {
    live_begin_block(NULL, window, win_size, old_len);
    L.before2 = before;
}

void live_begin_block(const s_state *before, uint8_t *window, size_t win_size, size_t old_len) {
    memset(&L, 0, sizeof L);
    L.before = before;
    L.window = window;
    L.win_size = win_size;
    L.old_len = old_len;
    L.mark = rt_heap_mark();
    evm_live_total = 0;
}

void live_begin_tx(void) { L.journal = 0; }

void live_memory(int depth, uint64_t words) {
    L.words_live += words - L.words[depth];
    L.words[depth] = words;
    if (L.words_live <= L.words_peak) return;
    uint64_t more = L.words_live - L.words_peak;
    L.words_peak = L.words_live;
    add(LIVE_MEMORY_WORD * more);
}

void live_frame_end(int depth, size_t returned) {
    L.words_live -= L.words[depth];
    L.words[depth] = 0;
    live_return(returned);
}

void live_return(uint64_t bytes) {
    if (bytes <= L.return_peak) return;
    uint64_t more = bytes - L.return_peak;
    L.return_peak = bytes;
    add(LIVE_RETURN_BYTE * more);
}

void live_keep(uint64_t bytes) { add(bytes); }

void live_journal(uint64_t bytes) {
    L.journal += bytes;
    if (L.journal <= L.journal_peak) return;
    uint64_t more = L.journal - L.journal_peak;
    L.journal_peak = L.journal;
    add(more);
}

void live_log(unsigned topics, size_t len) {
    add(LIVE_LOG + (uint64_t)LIVE_LOG_TOPIC * topics + (uint64_t)LIVE_LOG_BYTE * len);
}

void live_trie_nodes(uint64_t nodes) { add((uint64_t)LIVE_TRIE_NODE * nodes); }

void live_code_read(size_t len) { add(LIVE_CODE_READ + ((uint64_t)LIVE_CODE_READ_EIGHTHS * len + 7) / 8); }
