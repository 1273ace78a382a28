/* Keccak-256 and keccak-f[1600].
 *
 * The permutation keeps the 25 lanes in local variables and unrolls one round completely;
 * the round loop runs two rounds per iteration, alternating between two sets of lanes (A → E,
 * E → A), so no lane is ever copied. RV64IM has no rotate instruction: a rotation costs three
 * instructions, which is why theta and rho-pi are fused and no rotation by 0 is emitted.
 * Lane naming follows the Keccak team's convention: first letter the row y (b g k m s = 0…4),
 * second the column x (a e i o u = 0…4); lane (x, y) is st[x + 5*y].
 */
#include "keccak.h"

static const uint64_t RC[24] = {
    0x0000000000000001ull, 0x0000000000008082ull, 0x800000000000808Aull, 0x8000000080008000ull,
    0x000000000000808Bull, 0x0000000080000001ull, 0x8000000080008081ull, 0x8000000000008009ull,
    0x000000000000008Aull, 0x0000000000000088ull, 0x0000000080008009ull, 0x000000008000000Aull,
    0x000000008000808Bull, 0x800000000000008Bull, 0x8000000000008089ull, 0x8000000000008003ull,
    0x8000000000008002ull, 0x8000000000000080ull, 0x000000000000800Aull, 0x800000008000000Aull,
    0x8000000080008081ull, 0x8000000000008080ull, 0x0000000080000001ull, 0x8000000080008008ull,
};

#define ROL(v, n) (((v) << (n)) | ((v) >> (64 - (n))))

/* chi on each output row, on lane-complemented values (the Keccak team's "lane complementing
 * transform"): the state is kept with lanes 1, 2, 8, 12, 17, 20 complemented. theta
 * and rho-pi commute with that up to a known pattern of complemented inputs per row, and each
 * output lane below picks AND or OR and at most one NOT so that the result is chi(B) with the
 * same complement pattern again. RV64IM has no and-not, so this saves 17 NOTs per round over
 * the plain b0 ^ (~b1 & b2). The formulas were derived by checking every candidate against the
 * truth table of chi; the permutation tests (tests/guest/test_hashes.py) verify them. */
#define CHI_B(E, b0, b1, b2, b3, b4) \
    E##ba = b0 ^ (b1 | b2); \
    E##be = b1 ^ (~b2 | b3); \
    E##bi = b2 ^ (b3 & b4); \
    E##bo = b3 ^ (b4 | b0); \
    E##bu = b4 ^ (b0 & b1)

#define CHI_G(E, b0, b1, b2, b3, b4) \
    E##ga = b0 ^ (b1 | b2); \
    E##ge = b1 ^ (b2 & b3); \
    E##gi = b2 ^ (b3 | ~b4); \
    E##go = b3 ^ (b4 | b0); \
    E##gu = b4 ^ (b0 & b1)

#define CHI_K(E, b0, b1, b2, b3, b4) \
    E##ka = b0 ^ (b1 | b2); \
    E##ke = b1 ^ (b2 & b3); \
    E##ki = b2 ^ (~b3 & b4); \
    E##ko = b3 ^ ~(b4 | b0); \
    E##ku = b4 ^ (b0 & b1)

#define CHI_M(E, b0, b1, b2, b3, b4) \
    E##ma = b0 ^ (b1 & b2); \
    E##me = b1 ^ (b2 | b3); \
    E##mi = b2 ^ (~b3 | b4); \
    E##mo = b3 ^ ~(b4 & b0); \
    E##mu = b4 ^ (b0 | b1)

#define CHI_S(E, b0, b1, b2, b3, b4) \
    E##sa = b0 ^ (~b1 & b2); \
    E##se = b1 ^ ~(b2 | b3); \
    E##si = b2 ^ (b3 & b4); \
    E##so = b3 ^ (b4 | b0); \
    E##su = b4 ^ (b0 & b1)

/* One full round from lanes A.. into lanes E.. with round constant rc.
 * Output row y' takes the five lanes that pi moves there, each xored with its column's theta
 * term D[x] and rotated by its rho offset. */
#define ROUND(A, E, rc)                                                                  \
    do {                                                                                 \
        uint64_t Ca = A##ba ^ A##ga ^ A##ka ^ A##ma ^ A##sa;                             \
        uint64_t Ce = A##be ^ A##ge ^ A##ke ^ A##me ^ A##se;                             \
        uint64_t Ci = A##bi ^ A##gi ^ A##ki ^ A##mi ^ A##si;                             \
        uint64_t Co = A##bo ^ A##go ^ A##ko ^ A##mo ^ A##so;                             \
        uint64_t Cu = A##bu ^ A##gu ^ A##ku ^ A##mu ^ A##su;                             \
        uint64_t Da = Cu ^ ROL(Ce, 1);                                                   \
        uint64_t De = Ca ^ ROL(Ci, 1);                                                   \
        uint64_t Di = Ce ^ ROL(Co, 1);                                                   \
        uint64_t Do = Ci ^ ROL(Cu, 1);                                                   \
        uint64_t Du = Co ^ ROL(Ca, 1);                                                   \
        uint64_t B0, B1, B2, B3, B4;                                                     \
        B0 = A##ba ^ Da;                                                                 \
        B1 = A##ge ^ De; B1 = ROL(B1, 44);                                               \
        B2 = A##ki ^ Di; B2 = ROL(B2, 43);                                               \
        B3 = A##mo ^ Do; B3 = ROL(B3, 21);                                               \
        B4 = A##su ^ Du; B4 = ROL(B4, 14);                                               \
        CHI_B(E, B0, B1, B2, B3, B4);                                               \
        E##ba ^= (rc);                                                                   \
        B0 = A##bo ^ Do; B0 = ROL(B0, 28);                                               \
        B1 = A##gu ^ Du; B1 = ROL(B1, 20);                                               \
        B2 = A##ka ^ Da; B2 = ROL(B2, 3);                                                \
        B3 = A##me ^ De; B3 = ROL(B3, 45);                                               \
        B4 = A##si ^ Di; B4 = ROL(B4, 61);                                               \
        CHI_G(E, B0, B1, B2, B3, B4);                                               \
        B0 = A##be ^ De; B0 = ROL(B0, 1);                                                \
        B1 = A##gi ^ Di; B1 = ROL(B1, 6);                                                \
        B2 = A##ko ^ Do; B2 = ROL(B2, 25);                                               \
        B3 = A##mu ^ Du; B3 = ROL(B3, 8);                                                \
        B4 = A##sa ^ Da; B4 = ROL(B4, 18);                                               \
        CHI_K(E, B0, B1, B2, B3, B4);                                               \
        B0 = A##bu ^ Du; B0 = ROL(B0, 27);                                               \
        B1 = A##ga ^ Da; B1 = ROL(B1, 36);                                               \
        B2 = A##ke ^ De; B2 = ROL(B2, 10);                                               \
        B3 = A##mi ^ Di; B3 = ROL(B3, 15);                                               \
        B4 = A##so ^ Do; B4 = ROL(B4, 56);                                               \
        CHI_M(E, B0, B1, B2, B3, B4);                                               \
        B0 = A##bi ^ Di; B0 = ROL(B0, 62);                                               \
        B1 = A##go ^ Do; B1 = ROL(B1, 55);                                               \
        B2 = A##ku ^ Du; B2 = ROL(B2, 39);                                               \
        B3 = A##ma ^ Da; B3 = ROL(B3, 41);                                               \
        B4 = A##se ^ De; B4 = ROL(B4, 2);                                                \
        CHI_S(E, B0, B1, B2, B3, B4);                                               \
    } while (0)

/* Little-endian lane access. With GCC/Clang on a little-endian target an 8-aligned lane is one
 * load or store through a may_alias type (no aliasing UB, and no call: the guest is built with
 * -fno-builtin, so memcpy would be a real call); otherwise bytes. */
#if defined(__GNUC__) && defined(__BYTE_ORDER__) && __BYTE_ORDER__ == __ORDER_LITTLE_ENDIAN__
typedef uint64_t __attribute__((may_alias)) lane_t;
#define LANE_FAST 1
#define INLINE inline __attribute__((always_inline))
#else
typedef uint64_t lane_t;
#define INLINE inline
#endif

#define IN(i) (absorb ? in[i] : 0) /* absorb is a constant at each (inlined) use */

/* The permutation; with `in`, the 17 lanes of a rate block (8-aligned, little-endian) are first
 * XORed into the state as it is loaded: absorbing a block costs no pass of its own over the state. */
static INLINE void permute(uint64_t st[25], const lane_t *in, bool absorb) {
    /* 50 lanes, a theta term per column and a row of B values do not fit RV64's ~27 free
     * registers, and the compiler's own spilling costs ~65 loads and stores per round. So the ten
     * lanes read last in a round (rows 4 and 5 of B: bu ga ke mi so, bi go ku ma se) live in
     * memory by choice: one store when written, one load for theta and one for B; the other
     * fifteen stay in registers with no spill at all (the loop then has ~30 memory accesses per
     * round; the choice of the two rows was measured against every other pair). `volatile` is what
     * keeps the compiler from pulling them back into registers. */
    uint64_t Aba, Abe, Abo, Age, Agi, Agu, Aka, Aki, Ako, Ame, Amo, Amu, Asa, Asi, Asu;
    uint64_t Eba, Ebe, Ebo, Ege, Egi, Egu, Eka, Eki, Eko, Eme, Emo, Emu, Esa, Esi, Esu;
    volatile uint64_t Abi, Abu, Aga, Ago, Ake, Aku, Ama, Ami, Ase, Aso;
    volatile uint64_t Ebi, Ebu, Ega, Ego, Eke, Eku, Ema, Emi, Ese, Eso;
    /* Enter the complemented representation (lanes 1, 2, 8, 12, 17, 20). */
    Aba = st[0] ^ IN(0);    Abe = ~(st[1] ^ IN(1)); Abi = ~(st[2] ^ IN(2)); Abo = st[3] ^ IN(3);
    Abu = st[4] ^ IN(4);    Aga = st[5] ^ IN(5);    Age = st[6] ^ IN(6);    Agi = st[7] ^ IN(7);
    Ago = ~(st[8] ^ IN(8)); Agu = st[9] ^ IN(9);    Aka = st[10] ^ IN(10);  Ake = st[11] ^ IN(11);
    Aki = ~(st[12] ^ IN(12)); Ako = st[13] ^ IN(13); Aku = st[14] ^ IN(14); Ama = st[15] ^ IN(15);
    Ame = st[16] ^ IN(16);  Ami = ~st[17];          Amo = st[18];           Amu = st[19];
    Asa = ~st[20]; Ase = st[21];  Asi = st[22];  Aso = st[23]; Asu = st[24];
    for (int r = 0; r < 24; r += 2) {
        ROUND(A, E, RC[r]);
        ROUND(E, A, RC[r + 1]);
    }
    /* Leave it. */
    st[0] = Aba;   st[1] = ~Abe;  st[2] = ~Abi;  st[3] = Abo;  st[4] = Abu;
    st[5] = Aga;   st[6] = Age;   st[7] = Agi;   st[8] = ~Ago; st[9] = Agu;
    st[10] = Aka;  st[11] = Ake;  st[12] = ~Aki; st[13] = Ako; st[14] = Aku;
    st[15] = Ama;  st[16] = Ame;  st[17] = ~Ami; st[18] = Amo; st[19] = Amu;
    st[20] = ~Asa; st[21] = Ase;  st[22] = Asi;  st[23] = Aso; st[24] = Asu;
}

#undef IN

void keccakf1600(uint64_t st[25]) { permute(st, NULL, false); }

#define RATE_LANES (KECCAK256_RATE / 8)

static inline uint64_t lane_load(const uint8_t *p) {
    uint64_t v = 0;
    for (int i = 7; i >= 0; i--) v = (v << 8) | p[i];
    return v;
}

/* XOR one rate block into the state and permute: in one pass when the block is 8-aligned. */
static void absorb_block(uint64_t st[25], const uint8_t *block) {
#ifdef LANE_FAST
    if (((uintptr_t)block & 7) == 0) {
        permute(st, (const lane_t *)block, true);
        return;
    }
#endif
    for (unsigned i = 0; i < RATE_LANES; i++) st[i] ^= lane_load(block + 8 * i);
    permute(st, NULL, false);
}

/* XOR one byte into the state at byte offset `pos` of the rate. */
static inline void xor_byte(uint64_t st[25], size_t pos, uint8_t b) {
    st[pos >> 3] ^= (uint64_t)b << (8 * (pos & 7));
}

void keccak256_init(keccak_ctx *c) {
    memset(c->st, 0, sizeof c->st);
    c->pos = 0;
}

void keccak256_update(keccak_ctx *c, const uint8_t *data, size_t len) {
    /* Finish a partial block byte by byte. */
    while (len > 0 && c->pos != 0) {
        xor_byte(c->st, c->pos, *data++);
        len--;
        if (++c->pos == KECCAK256_RATE) {
            keccakf1600(c->st);
            c->pos = 0;
        }
    }
    /* Whole blocks, a lane at a time. */
    while (len >= KECCAK256_RATE) {
        absorb_block(c->st, data);
        data += KECCAK256_RATE;
        len -= KECCAK256_RATE;
    }
    if (len == 0) return; /* c->pos is already right (possibly mid-block) */
    /* The tail, into an empty block: whole lanes, then bytes. */
    size_t i = 0;
#ifdef LANE_FAST
    if (((uintptr_t)data & 7) == 0) {
        for (; i + 8 <= len; i += 8) c->st[i >> 3] ^= *(const lane_t *)(data + i);
    }
#endif
    for (; i + 8 <= len; i += 8) c->st[i >> 3] ^= lane_load(data + i);
    for (; i < len; i++) xor_byte(c->st, i, data[i]);
    c->pos = len;
}

void keccak256_final(keccak_ctx *c, uint8_t out[32]) {
    /* Keccak padding (pad10*1 with the original 0x01 domain byte, not SHA-3's 0x06). */
    xor_byte(c->st, c->pos, 0x01);
    xor_byte(c->st, KECCAK256_RATE - 1, 0x80);
    keccakf1600(c->st);
#ifdef LANE_FAST
    if (((uintptr_t)out & 7) == 0) {
        for (int i = 0; i < 4; i++) ((lane_t *)out)[i] = c->st[i];
        return;
    }
#endif
    for (int i = 0; i < 4; i++) {
        uint64_t v = c->st[i];
        for (int j = 0; j < 8; j++) out[8 * i + j] = (uint8_t)(v >> (8 * j));
    }
}

void keccak256(const uint8_t *data, size_t len, uint8_t out[32]) {
    keccak_ctx c;
    keccak256_init(&c);
    keccak256_update(&c, data, len);
    keccak256_final(&c, out);
}
