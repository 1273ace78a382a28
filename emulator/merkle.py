"""The one Merkle tree of machine AB (spec §2.5, §2.6): keccak nodes, pristine hashes, multiproofs.

Leaves are raw 32-byte words; an inner node is keccak(left ‖ right). Everything that hashes
the address space (the machine state, templates, proofs, machine A's S root) uses this module.
"""

from __future__ import annotations

import ctypes
import threading
from collections.abc import Callable, Iterable, Mapping, Sequence

from Crypto.Hash import keccak as _keccak_module

from emulator.layout import LEAF_BYTES, TREE_HEIGHT, WINDOW_HEIGHT


def _keccak_public(data: bytes) -> bytes:
    """Keccak-256 through pycryptodome's public API (the fallback; ~4 µs per call)."""
    return _keccak_module.new(digest_bits=256, data=data).digest()


def _make_raw_keccak() -> Callable[[bytes], bytes] | None:
    """Keccak-256 straight on one pycryptodome C state, reused across calls (~1 µs); None if unavailable.

    The state is not shared between threads: `keccak` below gives each thread its own.
    PyDLL keeps the GIL during each call (cheaper than releasing it for a 64-byte input).
    """
    try:
        lib = ctypes.PyDLL(_keccak_module._raw_keccak_lib._name)
        state = ctypes.c_void_p()
        if lib.keccak_init(ctypes.byref(state), ctypes.c_size_t(64), ctypes.c_ubyte(24)) != 0:
            return None
    except (AttributeError, OSError):
        return None
    out = ctypes.create_string_buffer(32)
    reset, absorb, digest = lib.keccak_reset, lib.keccak_absorb, lib.keccak_digest

    def raw(data: bytes) -> bytes:
        """Keccak-256 of data on this thread's C state."""
        reset(state)
        absorb(state, data, len(data))
        digest(state, out, 32, 1)
        return out.raw

    probe = b"swapvm keccak self-test" * 5
    return raw if raw(probe) == _keccak_public(probe) and raw(b"") == _keccak_public(b"") else None


_per_thread = threading.local()


def keccak(data: bytes) -> bytes:
    """Keccak-256 (Ethereum's, not SHA3-256), on a C state private to the calling thread."""
    try:
        hasher: Callable[[bytes], bytes] = _per_thread.hasher
    except AttributeError:
        hasher = _per_thread.hasher = _make_raw_keccak() or _keccak_public
    return hasher(data)


def hash_pair(left: bytes, right: bytes) -> bytes:
    """H(a, b) = keccak(a ‖ b): one inner node from its two children."""
    return keccak(left + right)


def _pristine_table() -> tuple[bytes, ...]:
    """Z0 = 32 zero bytes, Z(k+1) = H(Zk, Zk), for every height of the machine tree."""
    table = [bytes(LEAF_BYTES)]
    for _ in range(TREE_HEIGHT):
        table.append(hash_pair(table[-1], table[-1]))
    return tuple(table)


PRISTINE: tuple[bytes, ...] = _pristine_table()


def pristine(height: int) -> bytes:
    """Z_h: the root of an all-zero subtree of the given height (0 = one leaf)."""
    if not 0 <= height <= TREE_HEIGHT:
        raise ValueError(f"height {height} outside 0..{TREE_HEIGHT}")
    return PRISTINE[height]


def level_up(nodes: Sequence[bytes], height: int) -> list[bytes]:
    """Hash a dense row of nodes at `height` into the row above; an odd tail pairs with Z_height."""
    if len(nodes) % 2:
        nodes = [*nodes, PRISTINE[height]]
    kc, zero_pair, zero_up = keccak, PRISTINE[height] * 2, PRISTINE[height + 1]
    pairs = (nodes[i] + nodes[i + 1] for i in range(0, len(nodes), 2))
    return [zero_up if pair == zero_pair else kc(pair) for pair in pairs]


def leaves_of(data: bytes) -> list[bytes]:
    """Split bytes into 32-byte leaves, zero-padding the last one."""
    if len(data) % LEAF_BYTES:
        data = data + bytes(LEAF_BYTES - len(data) % LEAF_BYTES)
    return [data[i : i + LEAF_BYTES] for i in range(0, len(data), LEAF_BYTES)]


def subtree_root(data: bytes, height: int) -> bytes:
    """Root of a subtree of `height` whose leading bytes are data and the rest zero."""
    if len(data) > LEAF_BYTES << height:
        raise ValueError(f"{len(data)} bytes do not fit a subtree of height {height}")
    if not data.strip(b"\0"):
        return PRISTINE[height]
    row = leaves_of(data)
    for h in range(height):
        if len(row) == 1 and row[0] == PRISTINE[h]:
            return PRISTINE[height]
        row = level_up(row, h)
    return row[0]


def window_root(data: bytes) -> bytes:
    """Root (height 25) of a 1 GiB window whose first len(data) bytes are data, the rest zero."""
    return subtree_root(data, WINDOW_HEIGHT)


def sparse_root(nodes: Mapping[int, bytes], height: int, top: int) -> bytes:
    """Root at height `top` of a tree whose known nodes at `height` are given; the others are Z_height."""
    row = dict(nodes)
    for h in range(height, top):
        up: dict[int, bytes] = {}
        for i in sorted({j >> 1 for j in row}):
            left = row.get(2 * i, PRISTINE[h])
            right = row.get(2 * i + 1, PRISTINE[h])
            up[i] = hash_pair(left, right)
        row = up
    if len(row) > 1:
        raise ValueError("nodes lie in more than one subtree of the requested height")
    return next(iter(row.values()), PRISTINE[top])


def machine_root(q_root: bytes, s_root: bytes, rom_root: bytes) -> bytes:
    """The machine root from its three window roots: H(H(Q, S), H(ROM, Z25))."""
    return hash_pair(hash_pair(q_root, s_root), hash_pair(rom_root, PRISTINE[WINDOW_HEIGHT]))


# --- compact multiproofs (spec §2.6) --------------------------------------------------------------


def sibling_positions(leaf_indices: Iterable[int], top: int = TREE_HEIGHT) -> list[tuple[int, int]]:
    """The (height, index) of every sibling hash a multiproof of these leaves carries, in canonical order."""
    known = sorted(set(leaf_indices))
    positions: list[tuple[int, int]] = []
    for h in range(top):
        present = set(known)
        positions.extend((h, i ^ 1) for i in known if i ^ 1 not in present)
        known = sorted({i >> 1 for i in known})
    return positions


def multiproof(node: Callable[[int, int], bytes], leaf_indices: Iterable[int]) -> list[bytes]:
    """The sibling hashes for a set of leaves, in the canonical order, read through node(height, index)."""
    return [node(h, i) for h, i in sibling_positions(leaf_indices)]


class SiblingCountError(ValueError):
    """A multiproof carries more or fewer sibling hashes than its leaf set needs."""


def root_from_proof(
    leaves: Mapping[int, bytes],
    siblings: Sequence[bytes],
    overrides: Mapping[tuple[int, int], bytes] | None = None,
) -> bytes:
    """Recompute the root from proven leaves and canonical siblings; `overrides` replace whole nodes.

    An override at (h, i) replaces that node's value, whether it is known or a sibling (the clean
    writes node (25, 0) := Q*). Raises SiblingCountError unless exactly all siblings are consumed.
    """
    if not leaves:
        raise ValueError("a multiproof needs at least one leaf")
    overrides = overrides or {}
    row = dict(leaves)
    cursor = 0
    for h in range(TREE_HEIGHT):
        for key in [k for k in overrides if k[0] == h and k[1] in row]:
            row[key[1]] = overrides[key]
        up: dict[int, bytes] = {}
        for i in sorted(row):
            parent = i >> 1
            if parent in up:
                continue
            if i ^ 1 in row:
                left, right = (row[i], row[i ^ 1]) if i % 2 == 0 else (row[i ^ 1], row[i])
            else:
                if cursor >= len(siblings):
                    raise SiblingCountError(f"too few sibling hashes: ran out at height {h}")
                other = overrides.get((h, i ^ 1), siblings[cursor])
                cursor += 1
                left, right = (row[i], other) if i % 2 == 0 else (other, row[i])
            up[parent] = hash_pair(left, right)
        row = up
    if cursor != len(siblings):
        raise SiblingCountError(f"too many sibling hashes: {len(siblings)} given, {cursor} used")
    if overrides.get((TREE_HEIGHT, 0)) is not None:
        return overrides[(TREE_HEIGHT, 0)]
    return row[0]
