#pragma version ~=0.4.3
#pragma evm-version cancun
"""
@title StepVerifier: one step of machine AB checked on chain from the pre-root alone
@notice The EVM twin of emulator.proof.verify (docs/spec.md §2.6, §5 "on-chain verifier").
        verify(qstar_root, proof) parses the binary step proof of emulator/proof.py, checks its
        leaves and siblings against the pre-root, replays the step of docs/spec.md §2.3 over the
        proven leaves (every RV64IM instruction, the faults and ECALLs of §2.4, idle ticks and the
        clean at the window's last step), recomputes the post-root from the same siblings and
        returns it if it equals the claimed one. Anything else reverts with a reason whose first
        word names the check: "malformed", "Q* mismatch", "leaf order", "sibling count",
        "pre-root mismatch", "stuck", "preimage not loaded", "unused leaf", "post-root mismatch"
        -- in the order the Python verifier checks them.
        A preimage read (ECALL 1001) takes the 32-byte part at (key, offset) and the preimage's
        length from the PreimageOracle contract given at deployment, where a party loaded it
        ahead in its own transaction (spec §5.3); the proof itself carries no preimage.
@dev    The proven leaves live in transient storage during a call, so that the small per-
        instruction functions below can read and write them like the reference step does through
        its ReplayAccess. Values are u64 held in uint256; every helper keeps them below 2^64.
"""

# --- the tree (spec §2.5) ------------------------------------------------------------------------
TREE_HEIGHT: constant(uint256) = 27        # inner levels above the 2^27 leaves
WINDOW_HEIGHT: constant(uint256) = 25      # node (25, 0) is the Q window, replaced by Q* at a clean
LEAF_COUNT: constant(uint256) = 1 << 27

# --- the proof (emulator/proof.py, binary form) --------------------------------------------------
# MAGIC "SVMSP\x01" (6) | flags (1; bit 0: a Q* root follows) | pre_root (32) | post_root (32)
# | [qstar_root (32)] | u32 n | n x (u32 index, 32-byte value) | u32 m | m x 32-byte sibling
# | u32 p (must be 0 here: preimages are loaded into the oracle contract instead)
# (u32 little-endian). A step touches at most 9 leaves; the contract accepts up to MAX_LEAVES.
MAX_LEAVES: constant(uint256) = 16
MAX_PROOF: constant(uint256) = 7 + 3 * 32 + 4 + MAX_LEAVES * 36 + 4 + MAX_LEAVES * TREE_HEIGHT * 32 + 4
MAGIC: constant(uint256) = 91630129598466  # b"SVMSP\x02" read big-endian (0x53564d535002)

# --- machine layout (emulator/layout.py) ---------------------------------------------------------
RAM_BASE: constant(uint256) = 1 << 29      # 0x2000_0000
S_BASE: constant(uint256) = 1 << 30        # 0x4000_0000
ROM_BASE: constant(uint256) = 1 << 31      # 0x8000_0000
TOP_BASE: constant(uint256) = 3 << 30      # 0xC000_0000: nothing above; every access faults
SHADOW_PC: constant(uint256) = 256         # 0x100
SHADOW_CLOCK: constant(uint256) = 264      # 0x108
SHADOW_STATUS: constant(uint256) = 272     # 0x110
SHADOW_CAUSE: constant(uint256) = 280      # 0x118
SHADOW_TVAL: constant(uint256) = 288       # 0x120
SHADOW_LOG2_WINDOW: constant(uint256) = 296  # 0x128
SHADOW_TEXT_START: constant(uint256) = 304   # 0x130
SHADOW_TEXT_END: constant(uint256) = 312     # 0x138
SHADOW_ROM_END: constant(uint256) = 320      # 0x140
SHADOW_RAM_SIZE: constant(uint256) = 328     # 0x148
SHADOW_S_SIZE: constant(uint256) = 336       # 0x150
STATUS_RUNNING: constant(uint256) = 0
STATUS_YIELDED: constant(uint256) = 1
STATUS_FAULTED: constant(uint256) = 2
CAUSE_MISALIGNED_TARGET: constant(uint256) = 1
CAUSE_FETCH: constant(uint256) = 2
CAUSE_ILLEGAL: constant(uint256) = 3
CAUSE_BREAKPOINT: constant(uint256) = 4
CAUSE_LOAD: constant(uint256) = 5
CAUSE_STORE: constant(uint256) = 6
CAUSE_ECALL: constant(uint256) = 7
CAUSE_ABORT: constant(uint256) = 8
ECALL_WRITE: constant(uint256) = 64
ECALL_YIELD: constant(uint256) = 93
ECALL_ABORT: constant(uint256) = 1000
ECALL_PREIMAGE: constant(uint256) = 1001
A0: constant(uint256) = 10
A1: constant(uint256) = 11
A2: constant(uint256) = 12
A3: constant(uint256) = 13
A7: constant(uint256) = 17
KEY_BYTES: constant(uint256) = 32


# --- the preimage oracle (PreimageOracle.vy) -----------------------------------------------------
interface PreimageOracle:
    def readPart(key: bytes32, offset: uint256) -> (bool, bytes32, uint256): view


ORACLE: public(immutable(address))

# --- opcodes and whole-word instructions ---------------------------------------------------------
OPCODE_LOAD: constant(uint256) = 3         # 0000011
OPCODE_MISC_MEM: constant(uint256) = 15    # 0001111
OPCODE_OP_IMM: constant(uint256) = 19      # 0010011
OPCODE_AUIPC: constant(uint256) = 23       # 0010111
OPCODE_OP_IMM_32: constant(uint256) = 27   # 0011011
OPCODE_STORE: constant(uint256) = 35       # 0100011
OPCODE_OP: constant(uint256) = 51          # 0110011
OPCODE_LUI: constant(uint256) = 55         # 0110111
OPCODE_OP_32: constant(uint256) = 59       # 0111011
OPCODE_BRANCH: constant(uint256) = 99      # 1100011
OPCODE_JALR: constant(uint256) = 103       # 1100111
OPCODE_JAL: constant(uint256) = 111        # 1101111
OPCODE_SYSTEM: constant(uint256) = 115     # 1110011
WORD_ECALL: constant(uint256) = 115        # 0x0000_0073
WORD_EBREAK: constant(uint256) = 1048691   # 0x0010_0073
F7_ALT: constant(uint256) = 32             # 0100000: SUB, SRA, SRAI (funct7 / imm[11:5])
F7_MULDIV: constant(uint256) = 1           # 0000001: the M extension

# --- 64-bit arithmetic ---------------------------------------------------------------------------
MASK32: constant(uint256) = (1 << 32) - 1
MASK64: constant(uint256) = (1 << 64) - 1
SIGN64: constant(uint256) = 1 << 63
BYTES_1: constant(uint256) = 71777214294589695   # 0x00FF00FF00FF00FF
BYTES_2: constant(uint256) = 281470681808895     # 0x0000FFFF0000FFFF
TRAP: constant(uint256) = 1 << 255          # an instruction result >= TRAP is a fault (below)

# --- the proven leaves, for the duration of one call ---------------------------------------------
leaf_index: transient(uint256[MAX_LEAVES])
leaf_value: transient(uint256[MAX_LEAVES])  # the 32 bytes read big-endian
leaf_count: transient(uint256)
slot_of: transient(HashMap[uint256, uint256])  # leaf index -> epoch << 8 | (its slot + 1)
epoch: transient(uint256)                   # counts verify calls in a transaction: stale slot_of
                                            # entries of an earlier call never match
used: transient(uint256)                    # bit k: the step touched leaf slot k
cleaned: transient(bool)                    # the step performed the clean: node (25, 0) := Q*
stuck: transient(uint256)                   # 1 + the first leaf the step needed and the proof lacks
missing: transient(bool)                    # the step read a preimage part the oracle lacks


@deploy
def __init__(oracle: address):
    """Read preimage parts from the PreimageOracle contract at `oracle`."""
    ORACLE = oracle


# =================================================================================================
# The entry point
# =================================================================================================
@external
def verify(qstar_root: bytes32, proof: Bytes[MAX_PROOF]) -> bytes32:
    """
    @notice The post-root of the step the proof claims, if the proof is valid for the template
            whose Q* root is given; reverts with the reason of the first failing check otherwise.
    """
    size: uint256 = len(proof)
    # --- parse (emulator.proof.StepProof.from_bytes) ----------------------------------------------
    assert size >= 7, "malformed: truncated header"
    assert convert(slice(proof, 0, 6), uint256) == MAGIC, "malformed: bad magic"
    flags: uint256 = convert(slice(proof, 6, 1), uint256)
    assert flags < 2, "malformed: unknown flags"
    at: uint256 = 7 + 64 + 32 * flags
    assert size >= at + 4, "malformed: truncated roots"
    pre_root: bytes32 = extract32(proof, 7)
    post_root: bytes32 = extract32(proof, 39)
    count: uint256 = self._u32(convert(slice(proof, at, 4), uint256))
    at += 4
    assert size >= at + 36 * count + 4, "malformed: truncated leaves"
    assert count <= MAX_LEAVES, "malformed: more leaves than the contract accepts"
    idx: uint256[MAX_LEAVES] = empty(uint256[MAX_LEAVES])    # the known nodes of a level: indices,
    pre: bytes32[MAX_LEAVES] = empty(bytes32[MAX_LEAVES])    # pre-state values (here: the leaves)
    for k: uint256 in range(MAX_LEAVES):
        if k == count:
            break
        index: uint256 = self._u32(convert(slice(proof, at, 4), uint256))
        assert index < LEAF_COUNT, "malformed: leaf index outside the tree"
        idx[k] = index
        pre[k] = extract32(proof, at + 4)
        self.leaf_index[k] = index
        self.leaf_value[k] = convert(pre[k], uint256)
        at += 36
    siblings: uint256 = self._u32(convert(slice(proof, at, 4), uint256))
    assert size >= at + 4 + 32 * siblings, "malformed: truncated siblings"
    assert size >= at + 8 + 32 * siblings, "malformed: truncated preimage count"
    preimages: uint256 = self._u32(convert(slice(proof, at + 4 + 32 * siblings, 4), uint256))
    assert preimages == 0, "malformed: preimages are loaded into the oracle contract, not sent"
    assert size == at + 8 + 32 * siblings, "malformed: trailing bytes"
    # --- template, leaf order (emulator.proof.verify, ReplayAccess.__init__) ----------------------
    if flags == 1:
        assert extract32(proof, 71) == qstar_root, "Q* mismatch: the proof names another template"
    for k: uint256 in range(1, MAX_LEAVES):
        if k >= count:
            break
        assert idx[k] != idx[k - 1], "leaf order: duplicate leaf index"
        assert idx[k] > idx[k - 1], "leaf order: unsorted leaf index"
    assert count > 0, "malformed: the proof carries no leaves"
    # --- the step over the proven leaves (a missing leaf is reported after the pre-root check) ---
    self.leaf_count = count
    epoch: uint256 = self.epoch + 1
    self.epoch = epoch
    for k: uint256 in range(MAX_LEAVES):
        if k == count:
            break
        self.slot_of[idx[k]] = (epoch << 8) | (k + 1)  # indices are unique (checked above)
    self.used = 0
    self.stuck = 0
    self.missing = False
    self.cleaned = False
    self._step()
    # --- one pass up the tree: pre-root from the proof's values, post-root from the step's -------
    at += 4                                             # the first sibling hash
    post: bytes32[MAX_LEAVES] = empty(bytes32[MAX_LEAVES])  # post-state values
    for k: uint256 in range(MAX_LEAVES):
        if k == count:
            break
        post[k] = convert(self.leaf_value[k], bytes32)
    qstar_height: uint256 = TREE_HEIGHT                # no node is replaced ...
    if self.cleaned:
        qstar_height = WINDOW_HEIGHT                    # ... unless the step cleaned: (25, 0) := Q*
    known: uint256 = count
    cursor: uint256 = 0                                 # siblings consumed so far
    for h: uint256 in range(TREE_HEIGHT):
        if h == qstar_height:
            if idx[0] == 0:
                post[0] = qstar_root
        j: uint256 = 0                                  # the next known node at height h
        out: uint256 = 0                                # known nodes at height h + 1 so far
        for _: uint256 in range(MAX_LEAVES):
            if j == known:
                break
            i: uint256 = idx[j]
            left: bytes32 = pre[j]                      # pre-state children
            left_post: bytes32 = post[j]                # post-state children
            right: bytes32 = left
            right_post: bytes32 = left_post
            j = unsafe_add(j, 1)
            if i & 1 == 1:                              # a right child alone: left sibling from the proof
                assert cursor < siblings, "sibling count: too few sibling hashes"
                left = extract32(proof, unsafe_add(at, unsafe_mul(cursor, 32)))
                left_post = left
                if h == qstar_height and i == 1:
                    left_post = qstar_root
                cursor = unsafe_add(cursor, 1)
            elif j < known and idx[j] == unsafe_add(i, 1):   # both children known
                right = pre[j]
                right_post = post[j]
                j = unsafe_add(j, 1)
            else:                                       # a left child alone: right sibling from the proof
                assert cursor < siblings, "sibling count: too few sibling hashes"
                right = extract32(proof, unsafe_add(at, unsafe_mul(cursor, 32)))
                right_post = right
                cursor = unsafe_add(cursor, 1)
            node: bytes32 = keccak256(concat(left, right))
            idx[out] = i >> 1
            pre[out] = node
            if left_post != left or right_post != right:
                node = keccak256(concat(left_post, right_post))   # only where the step wrote
            post[out] = node
            out = unsafe_add(out, 1)
        known = out
    assert cursor == siblings, "sibling count: too many sibling hashes"
    assert pre[0] == pre_root, "pre-root mismatch: leaves and siblings hash elsewhere"
    stuck: uint256 = self.stuck
    if stuck != 0:
        raise concat("stuck: the step touches leaf ", uint2str(stuck - 1), ", not in the proof")
    if self.missing:
        raise "preimage not loaded: the step reads a part the oracle contract does not hold"
    self._check_all_used(count)
    assert post[0] == post_root, "post-root mismatch: the step leads elsewhere"
    return post[0]


@internal
@pure
def _u32(big_endian: uint256) -> uint256:
    """A u32 stored little-endian, from its 4 bytes read big-endian."""
    return self._bswap64(big_endian) >> 32


@internal
def _check_all_used(count: uint256):
    """Reject a proof that carries a leaf the step never touched (UnusedLeafError)."""
    touched: uint256 = self.used
    for k: uint256 in range(MAX_LEAVES):
        if k == count:
            break
        if touched & (1 << k) == 0:
            raise concat("unused leaf: the step never touches leaf ", uint2str(self.leaf_index[k]))


# =================================================================================================
# The state access: reads and writes of the proven leaves (emulator.access.ReplayAccess)
# =================================================================================================
@internal
def _slot(index: uint256) -> uint256:
    """The proof slot of leaf `index`, marked used; a leaf the proof lacks makes the verifier stuck.

    Stuck is reported only after the pre-root check (the Python verifier's order), so the step
    carries on with slot 0: every helper masks its values, so garbage can neither loop nor revert.
    """
    entry: uint256 = self.slot_of[index]
    if entry >> 8 == self.epoch:
        k: uint256 = (entry & 255) - 1
        used: uint256 = self.used
        if used & (1 << k) == 0:
            self.used = used | (1 << k)                 # the first touch of this leaf
        return k
    if self.stuck == 0:
        self.stuck = index + 1                          # the first missing leaf, reported later
    return 0                                            # the step goes on with harmless garbage


@internal
def _read(addr: uint256, n: uint256) -> uint256:
    """The little-endian value of the n <= 8 bytes at addr (they may span two leaves)."""
    k: uint256 = self._slot(addr >> 5)
    offset: uint256 = addr & 31
    bits: uint256 = n << 3
    raw: uint256 = 0                                    # the bytes in memory order, big-endian
    if offset + n <= 32:
        raw = (self.leaf_value[k] >> ((32 - offset - n) << 3)) & ((1 << bits) - 1)
    else:
        k2: uint256 = self._slot((addr >> 5) + 1)
        tail: uint256 = offset + n - 32                 # bytes in the second leaf
        head: uint256 = n - tail
        raw = (self.leaf_value[k] & ((1 << (head << 3)) - 1)) << (tail << 3)
        raw |= self.leaf_value[k2] >> ((32 - tail) << 3)
    return self._bswap64(raw) >> (64 - bits)


@internal
def _write(addr: uint256, n: uint256, v: uint256):
    """Store the low n <= 8 bytes of v little-endian at addr (they may span two leaves)."""
    k: uint256 = self._slot(addr >> 5)
    k2: uint256 = k
    offset: uint256 = addr & 31
    bits: uint256 = n << 3
    raw: uint256 = self._bswap64(v & ((1 << bits) - 1)) >> (64 - bits)
    if offset + n <= 32:
        at: uint256 = (32 - offset - n) << 3           # bit position of the last byte
        mask: uint256 = ((1 << bits) - 1) << at
        self.leaf_value[k] = (self.leaf_value[k] & ~mask) | (raw << at)
    else:
        k2 = self._slot((addr >> 5) + 1)
        tail: uint256 = offset + n - 32
        head: uint256 = n - tail
        self.leaf_value[k] = (self.leaf_value[k] & ~((1 << (head << 3)) - 1)) | (raw >> (tail << 3))
        top: uint256 = (32 - tail) << 3                # the tail bytes open the second leaf
        low: uint256 = (1 << (tail << 3)) - 1
        self.leaf_value[k2] = (self.leaf_value[k2] & ~(low << top)) | ((raw & low) << top)


@internal
def _field(offset: uint256) -> uint256:
    """The u64 shadow field at offset."""
    return self._read(offset, 8)


@internal
def _set_field(offset: uint256, v: uint256):
    """Store a u64 shadow field."""
    self._write(offset, 8, v)


@internal
def _x(i: uint256) -> uint256:
    """Register i; x0 reads as 0 without touching the state."""
    if i == 0:
        return 0
    return self._read(i << 3, 8)


@internal
def _set_x(i: uint256, v: uint256):
    """Write register i; writes to x0 are discarded without touching the state."""
    if i != 0:
        self._write(i << 3, 8, v)


@internal
def _inside(addr: uint256, n: uint256, readable_rom: bool) -> bool:
    """Every byte of [addr, addr + n) lies in RAM, S or (for loads) ROM, each clipped to its window.

    Spec §2.8: RAM ends at min(RAM_BASE + ram_size, S_BASE), S at min(S_BASE + s_size, ROM_BASE)
    and ROM at min(rom_end, TOP_BASE), whatever the (prover-chosen) shadow page says.
    """
    ram_end: uint256 = min(RAM_BASE + self._field(SHADOW_RAM_SIZE), S_BASE)
    s_end: uint256 = min(S_BASE + self._field(SHADOW_S_SIZE), ROM_BASE)
    rom_end: uint256 = ROM_BASE                          # empty unless loads may read ROM
    if readable_rom:
        rom_end = min(self._field(SHADOW_ROM_END), TOP_BASE)
    return self._within(addr, n, ram_end, s_end, rom_end)


@internal
@pure
def _within(addr: uint256, n: uint256, ram_end: uint256, s_end: uint256, rom_end: uint256) -> bool:
    """Every byte of [addr, addr + n) lies in [RAM_BASE, ram_end), [S_BASE, s_end) or [ROM_BASE, rom_end)."""
    p: uint256 = addr
    for _: uint256 in range(3):                          # each region can carry p at most once
        if p >= addr + n:
            break
        if RAM_BASE <= p and p < ram_end:
            p = ram_end
        elif S_BASE <= p and p < s_end:
            p = s_end
        elif ROM_BASE <= p and p < rom_end:
            p = rom_end
        else:
            return False
    return p >= addr + n


# =================================================================================================
# 64-bit helpers (emulator/isa/core.py)
# =================================================================================================
@internal
@pure
def _bswap64(x: uint256) -> uint256:
    """The 8 low bytes of x in reverse order."""
    y: uint256 = ((x >> 8) & BYTES_1) | ((x & BYTES_1) << 8)
    y = ((y >> 16) & BYTES_2) | ((y & BYTES_2) << 16)
    return (y >> 32) | ((y & MASK32) << 32)


@internal
@pure
def _sext(v: uint256, bits: uint256) -> uint256:
    """Sign-extend the low `bits` bits of v to an unsigned 64-bit value."""
    low: uint256 = v & ((1 << bits) - 1)
    if low >> (bits - 1) == 1:
        return low | (MASK64 ^ ((1 << bits) - 1))
    return low


@internal
@pure
def _lt_signed(a: uint256, b: uint256) -> bool:
    """signed(a) < signed(b) for 64-bit values: flipping the sign bit maps signed to unsigned order."""
    return (a ^ SIGN64) < (b ^ SIGN64)


@internal
@pure
def _sra(a: uint256, shamt: uint256, bits: uint256) -> uint256:
    """Arithmetic right shift of a `bits`-bit value a (bits 32 or 64), unsigned `bits`-bit result."""
    mask: uint256 = (1 << bits) - 1
    if (a >> (bits - 1)) & 1 == 1:
        return (a >> shamt) | (mask ^ (mask >> shamt))
    return a >> shamt


@internal
@pure
def _magnitude(v: uint256, bits: uint256) -> uint256:
    """|signed(v)| of a `bits`-bit value v."""
    if (v >> (bits - 1)) & 1 == 1:
        return (1 << bits) - v
    return v


@internal
@pure
def _div_signed(a: uint256, b: uint256, bits: uint256) -> uint256:
    """RISC-V signed division of `bits`-bit values: /0 -> -1, MIN/-1 -> MIN; toward zero, sign-extended."""
    sa: uint256 = a & ((1 << bits) - 1)
    sb: uint256 = b & ((1 << bits) - 1)
    if sb == 0:
        return MASK64
    q: uint256 = self._magnitude(sa, bits) // self._magnitude(sb, bits)
    if (sa >> (bits - 1)) != (sb >> (bits - 1)):
        q = ((1 << bits) - q) & ((1 << bits) - 1)
    return self._sext(q, bits)


@internal
@pure
def _rem_signed(a: uint256, b: uint256, bits: uint256) -> uint256:
    """RISC-V signed remainder: %0 -> a, MIN%-1 -> 0; the sign of the dividend, sign-extended."""
    sa: uint256 = a & ((1 << bits) - 1)
    sb: uint256 = b & ((1 << bits) - 1)
    if sb == 0:
        return self._sext(sa, bits)
    r: uint256 = self._magnitude(sa, bits) % self._magnitude(sb, bits)
    if (sa >> (bits - 1)) == 1:
        r = ((1 << bits) - r) & ((1 << bits) - 1)
    return self._sext(r, bits)


@internal
@pure
def _div_unsigned(a: uint256, b: uint256, bits: uint256) -> uint256:
    """RISC-V unsigned division of `bits`-bit values: /0 -> all ones; sign-extended."""
    ua: uint256 = a & ((1 << bits) - 1)
    ub: uint256 = b & ((1 << bits) - 1)
    if ub == 0:
        return MASK64
    return self._sext(ua // ub, bits)


@internal
@pure
def _rem_unsigned(a: uint256, b: uint256, bits: uint256) -> uint256:
    """RISC-V unsigned remainder: %0 -> a; sign-extended."""
    ua: uint256 = a & ((1 << bits) - 1)
    ub: uint256 = b & ((1 << bits) - 1)
    if ub == 0:
        return self._sext(ua, bits)
    return self._sext(ua % ub, bits)


# --- instruction fields --------------------------------------------------------------------------
@internal
@pure
def _rd(word: uint256) -> uint256:
    """Bits 11..7."""
    return (word >> 7) & 31


@internal
@pure
def _rs1(word: uint256) -> uint256:
    """Bits 19..15."""
    return (word >> 15) & 31


@internal
@pure
def _rs2(word: uint256) -> uint256:
    """Bits 24..20."""
    return (word >> 20) & 31


@internal
@pure
def _imm_i(word: uint256) -> uint256:
    """I-type immediate: bits 31..20, sign-extended."""
    return self._sext(word >> 20, 12)


@internal
@pure
def _imm_s(word: uint256) -> uint256:
    """S-type immediate: bits 31..25 | 11..7, sign-extended."""
    return self._sext(((word >> 25) << 5) | ((word >> 7) & 31), 12)


@internal
@pure
def _imm_b(word: uint256) -> uint256:
    """B-type immediate: imm[12|10:5] in 31..25, imm[4:1|11] in 11..7, sign-extended."""
    v: uint256 = ((word >> 31) & 1) << 12
    v |= ((word >> 7) & 1) << 11
    v |= ((word >> 25) & 63) << 5
    v |= ((word >> 8) & 15) << 1
    return self._sext(v, 13)


@internal
@pure
def _imm_u(word: uint256) -> uint256:
    """U-type immediate: bits 31..12 in place, sign-extended from bit 31."""
    return self._sext(word & (MASK32 ^ 4095), 32)


@internal
@pure
def _imm_j(word: uint256) -> uint256:
    """J-type immediate: imm[20|10:1|11|19:12] in 31..12, sign-extended."""
    v: uint256 = ((word >> 31) & 1) << 20
    v |= ((word >> 12) & 255) << 12
    v |= ((word >> 20) & 1) << 11
    v |= ((word >> 21) & 1023) << 1
    return self._sext(v, 21)


@internal
@pure
def _trap(cause: uint256, tval: uint256) -> uint256:
    """The result of a faulting instruction: TRAP | cause << 64 | u64(tval)."""
    return TRAP | (cause << 64) | (tval & MASK64)


@internal
@pure
def _jump_target(target: uint256) -> uint256:
    """A jump or taken-branch target, or a misaligned-target fault (tval = target)."""
    if target % 4 != 0:
        return self._trap(CAUSE_MISALIGNED_TARGET, target)
    return target


# =================================================================================================
# Decode (emulator.isa.core.decode_key and the table): is the word an RV64IM instruction?
# =================================================================================================
@internal
@pure
def _legal(word: uint256) -> bool:
    """Whether word decodes to an RV64IM instruction (FENCE/FENCE.I included)."""
    op: uint256 = word & 127
    f3: uint256 = (word >> 12) & 7
    f7: uint256 = word >> 25
    if op == OPCODE_OP:
        return f7 == 0 or f7 == F7_MULDIV or (f7 == F7_ALT and (f3 == 0 or f3 == 5))
    if op == OPCODE_OP_32:
        if f7 == 0:
            return f3 in [0, 1, 5]
        if f7 == F7_ALT:
            return f3 == 0 or f3 == 5
        return f7 == F7_MULDIV and f3 in [0, 4, 5, 6, 7]
    if op == OPCODE_OP_IMM:
        if f3 == 1:
            return word >> 26 == 0                     # SLLI: imm[11:6] = 000000
        if f3 == 5:
            return word >> 26 == 0 or word >> 26 == 16  # SRLI 000000, SRAI 010000
        return True
    if op == OPCODE_OP_IMM_32:
        if f3 == 0:
            return True
        if f3 == 1:
            return f7 == 0
        return f3 == 5 and (f7 == 0 or f7 == F7_ALT)
    if op == OPCODE_LUI or op == OPCODE_AUIPC or op == OPCODE_JAL:
        return True
    if op == OPCODE_JALR:
        return f3 == 0
    if op == OPCODE_BRANCH:
        return f3 != 2 and f3 != 3
    if op == OPCODE_LOAD:
        return f3 != 7
    if op == OPCODE_STORE:
        return f3 < 4
    if op == OPCODE_MISC_MEM:
        return f3 < 2
    if op == OPCODE_SYSTEM:
        return word == WORD_ECALL or word == WORD_EBREAK
    return False


# =================================================================================================
# The instructions, one function per group, each returning the next pc or a trap
# =================================================================================================
@internal
@pure
def _alu(f3: uint256, f7: uint256, a: uint256, b: uint256) -> uint256:
    """OP / OP-IMM by funct3 (funct7 0100000 selects SUB, SRA): ADD SUB SLL SLT SLTU XOR SRL SRA OR AND."""
    if f3 == 0:
        if f7 == F7_ALT:
            return unsafe_sub(a, b) & MASK64                # SUB
        return (a + b) & MASK64                              # ADD, ADDI
    if f3 == 1:
        return (a << (b & 63)) & MASK64                      # SLL, SLLI
    if f3 == 2:
        return convert(self._lt_signed(a, b), uint256)       # SLT, SLTI
    if f3 == 3:
        return convert(a < b, uint256)                       # SLTU, SLTIU
    if f3 == 4:
        return a ^ b                                         # XOR, XORI
    if f3 == 5:
        if f7 == F7_ALT:
            return self._sra(a, b & 63, 64)                  # SRA, SRAI
        return a >> (b & 63)                                 # SRL, SRLI
    if f3 == 6:
        return a | b                                         # OR, ORI
    return a & b                                             # AND, ANDI


@internal
@pure
def _muldiv(f3: uint256, a: uint256, b: uint256) -> uint256:
    """OP funct7 0000001 by funct3: MUL MULH MULHSU MULHU DIV DIVU REM REMU."""
    if f3 == 0:
        return (a * b) & MASK64                              # MUL
    if f3 < 4:
        high: uint256 = (a * b) >> 64                        # MULHU
        if f3 != 3 and a >= SIGN64:
            high = unsafe_sub(high, b)                       # MULH, MULHSU: signed(a) = a - 2^64
        if f3 == 1 and b >= SIGN64:
            high = unsafe_sub(high, a)                       # MULH: signed(b) = b - 2^64
        return high & MASK64
    if f3 == 4:
        return self._div_signed(a, b, 64)                    # DIV
    if f3 == 5:
        return self._div_unsigned(a, b, 64)                  # DIVU
    if f3 == 6:
        return self._rem_signed(a, b, 64)                    # REM
    return self._rem_unsigned(a, b, 64)                      # REMU


@internal
@pure
def _alu32(f3: uint256, f7: uint256, a: uint256, b: uint256) -> uint256:
    """OP-32 / OP-IMM-32: ADDW SUBW SLLW SRLW SRAW and MULW DIVW DIVUW REMW REMUW, sign-extended."""
    if f7 == F7_MULDIV:
        if f3 == 0:
            return self._sext(a * b, 32)                     # MULW
        if f3 == 4:
            return self._div_signed(a, b, 32)                # DIVW
        if f3 == 5:
            return self._div_unsigned(a, b, 32)              # DIVUW
        if f3 == 6:
            return self._rem_signed(a, b, 32)                # REMW
        return self._rem_unsigned(a, b, 32)                  # REMUW
    if f3 == 0:
        if f7 == F7_ALT:
            return self._sext(unsafe_sub(a, b), 32)          # SUBW
        return self._sext(a + b, 32)                         # ADDW, ADDIW
    if f3 == 1:
        return self._sext((a & MASK32) << (b & 31), 32)      # SLLW, SLLIW
    if f7 == F7_ALT:
        return self._sext(self._sra(a & MASK32, b & 31, 32), 32)  # SRAW, SRAIW
    return self._sext((a & MASK32) >> (b & 31), 32)          # SRLW, SRLIW


@internal
def _op(word: uint256, pc: uint256) -> uint256:
    """funct7 rs2 rs1 funct3 rd 0110011 (OP, M included): rd = rs1 op rs2."""
    f3: uint256 = (word >> 12) & 7
    f7: uint256 = word >> 25
    a: uint256 = self._x(self._rs1(word))
    b: uint256 = self._x(self._rs2(word))
    if f7 == F7_MULDIV:
        self._set_x(self._rd(word), self._muldiv(f3, a, b))
    else:
        self._set_x(self._rd(word), self._alu(f3, f7, a, b))
    return pc + 4


@internal
def _op_imm(word: uint256, pc: uint256) -> uint256:
    """imm[11:0] rs1 funct3 rd 0010011 (OP-IMM): rd = rs1 op sext(imm); shifts take imm[5:0]."""
    f3: uint256 = (word >> 12) & 7
    f7: uint256 = 0
    if f3 == 5 and word >> 26 == 16:
        f7 = F7_ALT                                          # SRAI: imm[11:6] = 010000
    self._set_x(self._rd(word), self._alu(f3, f7, self._x(self._rs1(word)), self._imm_i(word)))
    return pc + 4


@internal
def _op_32(word: uint256, pc: uint256) -> uint256:
    """funct7 rs2 rs1 funct3 rd 0111011 (OP-32): rd = sext32(rs1 op rs2)."""
    a: uint256 = self._x(self._rs1(word))
    b: uint256 = self._x(self._rs2(word))
    self._set_x(self._rd(word), self._alu32((word >> 12) & 7, word >> 25, a, b))
    return pc + 4


@internal
def _op_imm_32(word: uint256, pc: uint256) -> uint256:
    """imm[11:0] rs1 funct3 rd 0011011 (OP-IMM-32): ADDIW; SLLIW SRLIW SRAIW take shamt = bits 24..20."""
    f3: uint256 = (word >> 12) & 7
    f7: uint256 = 0                                          # ADDIW: bits 31..25 are immediate
    b: uint256 = self._imm_i(word)
    if f3 != 0:
        f7 = word >> 25                                      # SRAIW: 0100000
        b = self._rs2(word)
    self._set_x(self._rd(word), self._alu32(f3, f7, self._x(self._rs1(word)), b))
    return pc + 4


@internal
def _lui(word: uint256, pc: uint256) -> uint256:
    """imm[31:12] rd 0110111: rd = sext(imm << 12)."""
    self._set_x(self._rd(word), self._imm_u(word))
    return pc + 4


@internal
def _auipc(word: uint256, pc: uint256) -> uint256:
    """imm[31:12] rd 0010111: rd = pc + sext(imm << 12)."""
    self._set_x(self._rd(word), (pc + self._imm_u(word)) & MASK64)
    return pc + 4


@internal
def _branch(word: uint256, pc: uint256) -> uint256:
    """imm rs2 rs1 funct3 imm 1100011: BEQ BNE BLT BGE BLTU BGEU; a taken target must be 4-aligned."""
    f3: uint256 = (word >> 12) & 7
    a: uint256 = self._x(self._rs1(word))
    b: uint256 = self._x(self._rs2(word))
    taken: bool = False
    if f3 == 0:
        taken = a == b                                       # BEQ
    elif f3 == 1:
        taken = a != b                                       # BNE
    elif f3 == 4:
        taken = self._lt_signed(a, b)                        # BLT
    elif f3 == 5:
        taken = not self._lt_signed(a, b)                    # BGE
    elif f3 == 6:
        taken = a < b                                        # BLTU
    else:
        taken = a >= b                                       # BGEU
    if taken:
        return self._jump_target((pc + self._imm_b(word)) & MASK64)
    return pc + 4


@internal
def _jal(word: uint256, pc: uint256) -> uint256:
    """imm[20|10:1|11|19:12] rd 1101111: rd = pc + 4; pc += sext(imm) (rd untouched if it faults)."""
    target: uint256 = self._jump_target((pc + self._imm_j(word)) & MASK64)
    if target < TRAP:
        self._set_x(self._rd(word), pc + 4)
    return target


@internal
def _jalr(word: uint256, pc: uint256) -> uint256:
    """imm[11:0] rs1 000 rd 1100111: rd = pc + 4; pc = (rs1 + sext(imm)) & ~1 (rd untouched if it faults)."""
    base: uint256 = self._x(self._rs1(word))
    target: uint256 = self._jump_target(((base + self._imm_i(word)) & MASK64) & (MASK64 ^ 1))
    if target < TRAP:
        self._set_x(self._rd(word), pc + 4)
    return target


@internal
def _load(word: uint256, pc: uint256) -> uint256:
    """imm[11:0] rs1 funct3 rd 0000011: LB LH LW LD LBU LHU LWU; outside RAM, S and ROM: load fault."""
    f3: uint256 = (word >> 12) & 7
    n: uint256 = 1 << (f3 & 3)
    addr: uint256 = (self._x(self._rs1(word)) + self._imm_i(word)) & MASK64
    if not self._inside(addr, n, True):
        return self._trap(CAUSE_LOAD, addr)
    v: uint256 = self._read(addr, n)
    if f3 < 3:
        v = self._sext(v, n << 3)                    # LB LH LW sign-extend
    self._set_x(self._rd(word), v)
    return pc + 4


@internal
def _store(word: uint256, pc: uint256) -> uint256:
    """imm[11:5] rs2 rs1 funct3 imm[4:0] 0100011: SB SH SW SD; outside RAM and S: store fault."""
    n: uint256 = 1 << ((word >> 12) & 7)
    addr: uint256 = (self._x(self._rs1(word)) + self._imm_s(word)) & MASK64
    v: uint256 = self._x(self._rs2(word))
    if not self._inside(addr, n, False):
        return self._trap(CAUSE_STORE, addr)
    self._write(addr, n, v)
    return pc + 4


@internal
def _read_key(addr: uint256) -> bytes32:
    """The 32 bytes at addr (one leaf if aligned, else the tails of two)."""
    k: uint256 = self._slot(addr >> 5)
    offset: uint256 = addr & 31
    if offset == 0:
        return convert(self.leaf_value[k], bytes32)
    k2: uint256 = self._slot((addr >> 5) + 1)
    head: uint256 = self.leaf_value[k] << (offset << 3)           # SHL drops the bytes before addr
    return convert(head | (self.leaf_value[k2] >> ((32 - offset) << 3)), bytes32)


@internal
def _write_part(addr: uint256, n: uint256, part: bytes32):
    """Store the first n (1..32) bytes of part at addr; they stay inside addr's leaf."""
    k: uint256 = self._slot(addr >> 5)
    if n == 32:
        self.leaf_value[k] = convert(part, uint256)                # addr is leaf-aligned
        return
    at: uint256 = (32 - (addr & 31) - n) << 3                      # bit position of the last byte
    mask: uint256 = ((1 << (n << 3)) - 1) << at
    raw: uint256 = (convert(part, uint256) >> ((32 - n) << 3)) << at
    self.leaf_value[k] = (self.leaf_value[k] & ~mask) | raw


@internal
def _preimage_read(pc: uint256) -> uint256:
    """ECALL 1001 (spec §2.4): preimage(key at a0)[a1 : a1 + n] to a2; a0 = n, a1 = length.

    n = min(a3, 32 - a2 mod 32, length - a1 if a1 < length else 0). The part and the length come
    from the oracle contract; a part it lacks is reported after the pre-root check.
    """
    low: uint256 = self.leaf_value[self._slot(A0 >> 2)]      # x8..x11: a0, a1 in bytes 16..31
    high: uint256 = self.leaf_value[self._slot(A2 >> 2)]     # x12..x15: a2, a3 in bytes 0..15
    key_addr: uint256 = self._bswap64(low >> 64)
    offset: uint256 = self._bswap64(low)
    dst: uint256 = self._bswap64(high >> 192)
    want: uint256 = self._bswap64(high >> 128)
    bounds: uint256 = self.leaf_value[self._slot(SHADOW_ROM_END >> 5)]   # rom_end, ram_size, s_size
    ram_end: uint256 = min(RAM_BASE + self._bswap64(bounds >> 128), S_BASE)
    s_end: uint256 = min(S_BASE + self._bswap64(bounds >> 64), ROM_BASE)
    if not self._within(key_addr, KEY_BYTES, ram_end, s_end, min(self._bswap64(bounds >> 192), TOP_BASE)):
        return self._trap(CAUSE_LOAD, key_addr)
    key: bytes32 = self._read_key(key_addr)
    loaded: bool = False
    part: bytes32 = empty(bytes32)
    length: uint256 = 0
    loaded, part, length = staticcall PreimageOracle(ORACLE).readPart(key, offset)
    if not loaded:
        self.missing = True
        return pc + 4                                        # the step cannot go on: rejected later
    n: uint256 = 0
    if offset < length:
        n = min(min(want, 32 - (dst & 31)), length - offset)
    if n > 0:
        if not self._within(dst, n, ram_end, s_end, ROM_BASE):
            return self._trap(CAUSE_STORE, dst)
        self._write_part(dst, n, part)
    k: uint256 = self._slot(A0 >> 2)                         # a0 = n, a1 = length: one leaf write
    self.leaf_value[k] = (self.leaf_value[k] & ~((1 << 128) - 1)) | (self._bswap64(n) << 64) | self._bswap64(length)
    return pc + 4


@internal
def _system(word: uint256, pc: uint256) -> uint256:
    """ECALL (yield 93, write 64, abort 1000, preimage read 1001, anything else unknown), EBREAK (§2.4)."""
    if word == WORD_EBREAK:
        return self._trap(CAUSE_BREAKPOINT, pc)
    number: uint256 = self._x(A7)
    if number == ECALL_YIELD:
        self._set_field(SHADOW_STATUS, STATUS_YIELDED)       # pc stays on the ECALL
        return pc
    if number == ECALL_WRITE:
        return pc + 4                                        # debug output: no state effect
    if number == ECALL_ABORT:
        return self._trap(CAUSE_ABORT, self._x(A0))
    if number == ECALL_PREIMAGE:
        return self._preimage_read(pc)
    return self._trap(CAUSE_ECALL, number)


@internal
def _dispatch(word: uint256, pc: uint256) -> uint256:
    """Run a legal instruction word at pc: the next pc, or a trap."""
    op: uint256 = word & 127
    if op == OPCODE_OP:
        return self._op(word, pc)
    if op == OPCODE_OP_IMM:
        return self._op_imm(word, pc)
    if op == OPCODE_LOAD:
        return self._load(word, pc)
    if op == OPCODE_STORE:
        return self._store(word, pc)
    if op == OPCODE_BRANCH:
        return self._branch(word, pc)
    if op == OPCODE_JAL:
        return self._jal(word, pc)
    if op == OPCODE_JALR:
        return self._jalr(word, pc)
    if op == OPCODE_LUI:
        return self._lui(word, pc)
    if op == OPCODE_AUIPC:
        return self._auipc(word, pc)
    if op == OPCODE_OP_32:
        return self._op_32(word, pc)
    if op == OPCODE_OP_IMM_32:
        return self._op_imm_32(word, pc)
    if op == OPCODE_SYSTEM:
        return self._system(word, pc)
    return pc + 4                                            # MISC-MEM: FENCE, FENCE.I are no-ops


# =================================================================================================
# The step (emulator/step.py)
# =================================================================================================
@internal
def _fetch_and_run(pc: uint256) -> uint256:
    """Fetch (4-aligned, inside [text_start, text_end - 4] clipped to ROM), decode, execute: the next pc or a trap.

    Spec §2.8: text is clipped to ROM like the regions, so a fetch needs ROM_BASE <= pc and
    pc + 4 <= TOP_BASE whatever text_start and text_end say.
    """
    if pc % 4 != 0:
        return self._trap(CAUSE_FETCH, pc)
    if pc < max(self._field(SHADOW_TEXT_START), ROM_BASE):
        return self._trap(CAUSE_FETCH, pc)
    if pc + 4 > min(self._field(SHADOW_TEXT_END), TOP_BASE):
        return self._trap(CAUSE_FETCH, pc)
    word: uint256 = self._read(pc, 4)
    if not self._legal(word):
        return self._trap(CAUSE_ILLEGAL, word)
    return self._dispatch(word, pc)


@internal
def _execute():
    """Retire one instruction, or fault: status FAULTED, cause, tval, and nothing else changed."""
    result: uint256 = self._fetch_and_run(self._field(SHADOW_PC))
    if result >= TRAP:
        self._set_field(SHADOW_STATUS, STATUS_FAULTED)
        self._set_field(SHADOW_CAUSE, (result >> 64) & MASK64)
        self._set_field(SHADOW_TVAL, result & MASK64)
    else:
        self._set_field(SHADOW_PC, result)


@internal
def _tick():
    """clock += 1, or the clean when this is the window's last step (clock == 2^log2_window - 1)."""
    clock: uint256 = self._field(SHADOW_CLOCK)
    log2_window: uint256 = self._field(SHADOW_LOG2_WINDOW)
    if log2_window < 64 and clock == (1 << log2_window) - 1:
        self.cleaned = True                                  # node (25, 0) := Q* in the post-root
    else:
        self._set_field(SHADOW_CLOCK, (clock + 1) & MASK64)


@internal
def _step():
    """One step: execute if RUNNING (a YIELDED or FAULTED machine idles), then tick the clock."""
    if self._field(SHADOW_STATUS) == STATUS_RUNNING:
        self._execute()
    self._tick()
