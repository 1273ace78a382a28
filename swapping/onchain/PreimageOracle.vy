#pragma version ~=0.4.3
#pragma evm-version cancun
"""
@title PreimageOracle: keccak256 preimages for the step verifier, loaded ahead one part at a time
@notice The on-chain side of machine AB's preimage oracle (docs/spec.md §2.4, §5.3). A party that
        needs a preimage read proven loads the 32-byte part the step reads, in its own
        transaction, before it calls the step verifier: the contract hashes the whole preimage
        (so a 24 KiB contract code costs one transaction, not one step), and keeps only the part
        at (key, offset) and the preimage's length. Parts are immutable facts about keccak256:
        anyone may load any part, loading twice stores the same values.
        part(offset) = preimage[offset : offset + 32], zero-padded past the end (all zero at or
        beyond the length, so a read at the length or beyond can be proven too).
"""

MAX_PREIMAGE: constant(uint256) = 65536    # 24 KiB of code (EIP-170) and any trie node fit
MAX_OFFSET: constant(uint256) = 1 << 64    # the offset is a u64 register

parts: HashMap[bytes32, HashMap[uint256, bytes32]]
meta: HashMap[bytes32, HashMap[uint256, uint256]]   # 1 + the preimage's length; 0: part not loaded


@external
def loadKeccak256PreimagePart(offset: uint256, preimage: Bytes[MAX_PREIMAGE]) -> bytes32:
    """
    @notice Store part(offset) of preimage under its key keccak256(preimage); returns the key.
    """
    key: bytes32 = keccak256(preimage)
    self._store(key, offset, preimage)
    return key


@external
def loadPart(key: bytes32, offset: uint256, preimage: Bytes[MAX_PREIMAGE]):
    """
    @notice The same, for a caller that names the key it means: reverts unless the preimage hashes to it.
    """
    assert keccak256(preimage) == key, "preimage mismatch: the preimage does not hash to its key"
    self._store(key, offset, preimage)


@view
@external
def readPart(key: bytes32, offset: uint256) -> (bool, bytes32, uint256):
    """
    @notice (loaded, part, length) of the part at (key, offset); loaded is False if nobody loaded it.
    """
    meta: uint256 = self.meta[key][offset]
    if meta == 0:
        return False, empty(bytes32), 0
    return True, self.parts[key][offset], meta - 1


@internal
def _store(key: bytes32, offset: uint256, preimage: Bytes[MAX_PREIMAGE]):
    """Keep part(offset), the length and the loaded mark."""
    assert offset < MAX_OFFSET, "preimage offset: not a u64"
    size: uint256 = len(preimage)
    word: uint256 = 0
    if offset + 32 <= size:
        word = convert(extract32(preimage, offset), uint256)
    elif offset < size:
        for i: uint256 in range(32):                 # the last, short part: byte by byte, zero-padded
            if offset + i == size:
                break
            byte: uint256 = convert(slice(preimage, offset + i, 1), uint256)
            word |= byte << ((31 - i) << 3)
    self.parts[key][offset] = convert(word, bytes32)
    self.meta[key][offset] = size + 1
