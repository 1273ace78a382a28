/* Internal interfaces of the EVM block executor (guest/src/evm/). Not part of the guest's public
 * headers: world state (world.c), the interpreter (interp.c, optable.c, memory in interp.c),
 * messages (call.c), transactions (tx.c) and blocks (block.c).
 */
#ifndef SWAPVM_EVM_INTERNAL_H
#define SWAPVM_EVM_INTERNAL_H

#include "bytes.h"
#include "evm.h"
#include "keccak.h"
#include "live.h"
#include "mpt.h"
#include "u256.h"

/* ---- constants (yellow paper, EIPs 150, 170, 1153, 2929, 3529, 3860, 4844) ---- */
#define EVM_STACK_LIMIT 1024u
#define EVM_DEPTH_LIMIT 1024
#define EVM_MAX_CODE_SIZE 24576u     /* EIP-170 */
#define EVM_MAX_INITCODE_SIZE 49152u /* EIP-3860 */
/* static gas tiers of the yellow paper (appendix G) and the opcodes' own static costs */
#define G_ZERO 0u
#define G_JUMPDEST 1u
#define G_BASE 2u
#define G_VERY_LOW 3u
#define G_LOW 5u
#define G_MID 8u
#define G_HIGH 10u
#define G_EXP 10u
#define G_KECCAK 30u
#define G_BLOCKHASH 20u
#define G_HASH_OPCODE 3u             /* BLOBHASH (EIP-4844) */
#define G_WARM_ACCESS 100u           /* also TLOAD and TSTORE (EIP-1153) */
#define G_COLD_ACCOUNT 2600u
#define G_COLD_SLOAD 2100u
#define G_SSTORE_SET 20000u
#define G_SSTORE_RESET 2900u         /* 5000 - G_COLD_SLOAD */
#define G_SSTORE_CLEAR_REFUND 4800u  /* EIP-3529 */
#define G_CALL_VALUE 9000u
#define G_CALL_STIPEND 2300u
#define G_NEW_ACCOUNT 25000u
#define G_SELFDESTRUCT 5000u
#define G_CREATE 32000u
#define G_CODE_DEPOSIT 200u
#define G_INITCODE_WORD 2u
#define G_KECCAK_WORD 6u
#define G_COPY_WORD 3u
#define G_LOG 375u
#define G_LOG_TOPIC 375u
#define G_LOG_BYTE 8u
#define G_EXP_BYTE 50u
#define G_TX 21000u
#define G_TX_CREATE 32000u
#define G_TX_DATA_ZERO 4u
#define G_TX_DATA_NONZERO 16u
#define G_ACCESS_LIST_ADDRESS 2400u
#define G_ACCESS_LIST_KEY 1900u

/* ---- world state with a journal (world.c) ---- */

typedef struct {
    u256 key;
    u256 value;
    u256 original;        /* the value when the current transaction first saw it */
    uint32_t orig_serial; /* transaction serial `original` belongs to */
    uint64_t journal_id;  /* innermost checkpoint whose journal already holds this slot's value */
    uint32_t warm_serial; /* warm in the transaction with this serial (EIP-2929) */
    bool loaded;          /* `value` holds the slot (version 2 reads it from the storage trie first;
                           * the value the block found stays in the trie until the block's end) */
    bool path_counted;    /* version 2: its pre-state lookup path is in the live count (§4.9) */
} slot_t;

/* An EIP-1153 transient slot: `value` holds only while `serial` is the transaction's serial (a
 * later transaction reads it as 0 and reuses the entry), so clearing at the end of a transaction
 * costs nothing. Only TSTORE creates entries. */
typedef struct {
    u256 key;
    u256 value;
    uint64_t journal_id; /* as slot_t's */
    uint32_t serial;
} tslot_t;

typedef struct {
    uint8_t addr[20];
    bool loaded;          /* the fields below hold the account (version 2: read from the state trie
                           * the first time one is needed; an unloaded account was never written) */
    bool code_known;      /* `code` holds the code (version 2: read through the oracle only where
                           * machine A reads code; until then code_hash says whether there is any) */
    bool exists;          /* present in the world state (an empty account may exist) */
    bool code_hash_ok;
    bool path_counted;    /* version 2: its pre-state lookup path is in the live count (§4.9) */
    bool warmed_in_block; /* made warm (a cold access) in this block, even if reverted since */
    uint64_t nonce;
    u256 balance;
    const uint8_t *code;
    size_t code_len;
    uint8_t code_hash[32];
    uint8_t *jumpdests;   /* JUMPDEST bitmap of `code`, built on first execution */
    slot_t **slots;       /* open addressing table of slot_cap entries */
    uint32_t slot_cap, n_slots;
    tslot_t **tslots;     /* transient storage: open addressing table of tslot_cap entries */
    uint32_t tslot_cap, n_tslots;
    uint32_t warm_serial;
    uint32_t created_serial; /* created (a creation started) in the transaction with this serial */
    struct account_trie *trie; /* version 2 only (NULL on version 1, which keeps its heap per account) */
} account_t;

/* Version 2: the account as the block found it in the state trie (for the writes of the new state
 * root), and its storage trie. */
typedef struct account_trie {
    bool exists;
    bool storage_reset;   /* deleted in this block: its storage starts empty */
    bool storage_open;
    uint8_t path_nodes;   /* the nodes on its lookup path in the state trie (its load read them) */
    uint64_t nonce;
    u256 balance;
    uint8_t code_hash[32], storage_root[32];
    uint8_t key[32];      /* keccak256(address): the account's key in the state trie, hashed once */
    mpt_trie storage;     /* at storage_root, opened on the first slot read */
} account_trie_t;

typedef struct {
    uint8_t addr[20];
    uint8_t n_topics;
    const uint8_t (*topics)[32]; /* n_topics topics, stored in one heap block with the data */
    const uint8_t *data;
    size_t len;
} log_t;

/* A checkpoint: everything needed to revert the world to it, and the id of the checkpoint that
 * was innermost before it (restored when it is reverted or committed). */
typedef struct {
    size_t journal, touched, destructs, logs;
    uint64_t outer_id;
} snapshot_t;

/* The world of S version 1: every account in S (all of them loaded). */
void world_init(const s_state *s);
/* The world of S version 2: the state trie at `state_root`, read through the oracle lazily. */
void world_init_trie(const uint8_t state_root[32]);
/* The account at `addr`, created as a placeholder if unknown (never NULL). On version 2 it is not
 * loaded yet: read its fields through acc() (or the world_* functions, which load it). */
account_t *world_account(const uint8_t addr[20]);
/* Version 2: read the account from the state trie (mpt_get of keccak256(address)). */
void world_load_account(account_t *a);
static inline account_t *acc(account_t *a) {
    if (!a->loaded) world_load_account(a);
    return a;
}
/* The account's code in a->code/code_len: read through the oracle by its hash on version 2 the
 * first time; call it only where machine A reads code (spec §6.6). */
void world_need_code(account_t *a);
/* Whether the account has code, from its code hash (reads no code). */
static inline bool account_has_code(account_t *a) { return !acc(a)->code_known || a->code_len != 0; }
/* The slot `key` of `a` without reading its value (for warm sets): see world_slot_load. */
slot_t *world_slot_ref(account_t *a, const u256 *key);
/* Read the slot's value (version 2: from the account's storage trie, the first time); its
 * `original` is brought up to date. */
void world_slot_load(account_t *a, slot_t *s);
/* The slot `key` of `a`, read (world_slot_ref, then world_slot_load). */
slot_t *world_slot(account_t *a, const u256 *key);

/* Journaled writes. Any write makes the account exist (as py-evm's account database does). */
void world_set_balance(account_t *a, const u256 *v);
void world_add_balance(account_t *a, const u256 *v);
void world_sub_balance(account_t *a, const u256 *v); /* caller has checked the balance */
void world_set_nonce(account_t *a, uint64_t n);
void world_set_code(account_t *a, const uint8_t *code, size_t len);
void world_set_slot(account_t *a, slot_t *s, const u256 *v);
void world_touch(account_t *a);           /* exists, and remembered as touched (EIP-161) */
void world_mark_destruct(account_t *a);   /* SELFDESTRUCT: delete at the end of the transaction */
void world_add_log(const log_t *log);
/* EIP-1153 transient storage of `a`: read (0 unless written in this transaction) and a journaled
 * write; all of it is cleared when the transaction ends. */
u256 world_tload(account_t *a, const u256 *key);
void world_tstore(account_t *a, const u256 *key, const u256 *v);
/* EIP-6780: a creation at `a` started in this transaction (not reverted with it, as in
 * execution-specs' created_accounts), and whether one has. */
void world_mark_created(account_t *a);
bool world_created_in_tx(const account_t *a);

/* Access sets (journaled). Return true when the item was cold before. Warming alone (the precompiles,
 * an access list's entries) reads nothing. */
bool world_warm_account(account_t *a);
bool world_warm_slot(slot_t *s);
/* A touch (spec §4.9, "S version 2's heap"): a transaction's own account, an EIP-2929 opcode's access,
 * a creation's address, SLOAD and SSTORE; the item is made warm, and on version 2 its lookup path is
 * counted the first time in the block (the account is loaded then: its path is the nodes its load reads). */
bool world_access_account(account_t *a);
bool world_access_slot(account_t *a, slot_t *s);
/* Version 2: a withdrawal's recipient is touched; not yet made warm in the block, it counts
 * LIVE_COLD_ACCOUNT too (spec §4.9, "S version 2's heap"). */
void world_count_withdrawal(account_t *a);

static inline bool account_empty(account_t *a) {
    return acc(a)->nonce == 0 && !account_has_code(a) && u256_is_zero(&a->balance);
}
static inline bool account_dead(account_t *a) { return !acc(a)->exists || account_empty(a); }
/* Creating a contract at `a` collides: a nonce, code, or (EIP-7610) a non-zero storage slot. */
bool world_create_collision(account_t *a);
/* keccak256 of the code (cached); all zero for a non-existing account is the caller's business. */
const uint8_t *account_code_hash(account_t *a);

snapshot_t world_snapshot(void);
void world_revert(snapshot_t s);
/* The checkpoint's changes are kept: its enclosing checkpoint becomes the innermost again. */
void world_commit(snapshot_t s);

/* Transaction boundaries: a new serial (fresh warm sets and originals), then the end-of-
 * transaction deletions (self-destructs, then touched empty accounts). */
void world_begin_tx(void);
void world_end_tx(void);
/* Logs of the current transaction: how many, and the i-th (valid until the next transaction). */
size_t world_n_logs(void);
const log_t *world_log(size_t i);
/* Delete `a` and wipe its storage (not journaled: only between transactions). */
void world_delete(account_t *a);

/* The world state as the S codec's sorted account list (storage without zero slots). */
s_account *world_export(size_t *n);
/* Version 2: the new state root: every changed account's storage trie gets its changed slots, then
 * the state trie the changed accounts (mpt_apply: every put before every delete). */
void world_state_root(uint8_t out[32]);

/* ---- execution environment ---- */

/* What a block is checked and run against, from S of either version. */
typedef struct {
    uint64_t chain_id;
    span_t parent_header;      /* the exact RLP bytes */
    const s_header *parent;
    const uint8_t (*ancestors)[32]; /* oldest first */
    size_t n_ancestors;
} chain_t;

typedef struct {
    const chain_t *chain;      /* for BLOCKHASH and the chain id */
    uint64_t fork;             /* the block's fork: its rules everywhere (spec §6.3) */
    const s_header *header;    /* the block being applied */
    u256 chain_id, base_fee, prevrandao, coinbase_word;
    /* transaction context */
    uint8_t origin[20];
    u256 gas_price;
    /* Cancun (EIP-4844, EIP-7516): the block's blob base fee; the transaction's blob hashes */
    u256 blob_base_fee;
    const uint8_t (*blob_hashes)[32];
    size_t n_blob_hashes;
} env_t;

extern env_t g_env;

/* A message call or creation (py-evm's Message). */
typedef struct {
    uint8_t caller[20];   /* CALLER */
    uint8_t to[20];       /* the storage address (ADDRESS) */
    uint8_t code_addr[20];
    u256 value;
    const uint8_t *data;   /* calldata, unless data_in_region */
    size_t data_off;       /* data_in_region: offset of the calldata in the memory region */
    size_t data_len;       /* CALLDATASIZE */
    size_t data_phys;      /* bytes of calldata stored; the rest (up to data_len) is zero */
    bool data_in_region;   /* the calldata is the caller's memory, read in place */
    const uint8_t *code;
    size_t code_len;
    account_t *code_owner; /* caches the jump table; NULL for init code */
    uint64_t gas;
    int depth;
    bool is_static;
    bool transfer;         /* move `value` from caller to `to` (false for DELEGATECALL) */
    bool is_create;
} msg_t;

enum { EXEC_SUCCESS = 0, EXEC_REVERT = 1, EXEC_ERROR = 2 };

typedef struct {
    int status;
    uint64_t gas_left;
    int64_t refund;       /* the refund counter change (EIP-3529), kept only on success */
    const uint8_t *out;   /* output or revert data; valid until the caller's memory changes */
    size_t out_len;
} result_t;

/* The stored calldata of a message (data_phys bytes; the rest is zero). The memory region may
 * move when a frame grows it, so call this again after anything that can expand memory. */
const uint8_t *msg_data(const msg_t *m);
/* The return data buffer shared by all depths (interp.c). */
buf_t *return_buffer(void);

/* An exceptional halt: no gas left, no refund, no output. */
static inline void result_error(result_t *r) {
    r->status = EXEC_ERROR;
    r->gas_left = 0;
    r->refund = 0;
    r->out = NULL;
    r->out_len = 0;
}

/* Run a message's code (interp.c): no snapshot, no value transfer. */
void interp_run(const msg_t *m, result_t *r);
/* A message call with snapshot, value transfer and touch (call.c). */
void call_message(const msg_t *m, result_t *r);
/* A creation: nonce, transfer, init code, code deposit (call.c). */
void call_create(const msg_t *m, result_t *r);

/* The address of CREATE (sender, nonce) and CREATE2 (sender, salt, init code hash). */
void create_address(const uint8_t sender[20], uint64_t nonce, uint8_t out[20]);
void create2_address(const uint8_t sender[20], const u256 *salt, const uint8_t code_hash[32], uint8_t out[20]);

/* ---- transactions (tx.c) and helpers ---- */

static inline void addr_to_word(const uint8_t a[20], u256 *w) { u256_from_be(w, a, 20); }
static inline void word_to_addr(const u256 *w, uint8_t a[20]) {
    uint8_t be[32];
    u256_to_be(w, be);
    for (int i = 0; i < 20; i++) a[i] = be[12 + i];
}

/* 63/64 of the gas left (EIP-150). */
static inline uint64_t all_but_64th(uint64_t g) { return g - g / 64; }

/* Per-fork opcode facts (optable.c): static gas and the stack heights it may run at, encoded
 * for one compare; an undefined opcode is an all-zero entry. */
typedef struct {
    uint16_t gas;
    uint16_t min1;   /* stack inputs + 1 (0: undefined opcode) */
    uint16_t range;  /* EVM_STACK_LIMIT - stack outputs */
    uint16_t variant; /* a fork's variant of the opcode's behaviour (opcodes.h), else 0 */
} opinfo_t;
const opinfo_t *optable_for(uint64_t fork);

#endif
