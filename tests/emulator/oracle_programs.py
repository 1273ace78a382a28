"""Programs that read the preimage oracle (ECALL 1001), and what each read must do (spec §2.4)."""

from __future__ import annotations

import random
from dataclasses import dataclass

from rvasm import ECALL, li

from emulator.layout import ECALL_PREIMAGE, LEAF_BYTES, RAM_BASE, S_BASE
from emulator.merkle import keccak
from emulator.oracle import DictOracle

A0, A1, A2, A3, A7 = 10, 11, 12, 13, 17
EMPTY = b""
SMALL_PREIMAGE = bytes(random.Random(1).randrange(256) for _ in range(100))
CODE_24K = bytes(random.Random(2).randrange(256) for _ in range(24 * 1024))
PREIMAGES = (EMPTY, SMALL_PREIMAGE, CODE_24K)
DST = RAM_BASE + 0x1000            # destination area: one 32-byte slot per read, dst inside it


@dataclass(frozen=True)
class Read:
    """One ECALL 1001: key address, offset, destination, most bytes wanted."""

    key_addr: int
    offset: int
    dst: int
    want: int


def read_words(read: Read) -> list[int]:
    """Set a0..a3 and a7, then ECALL."""
    return [
        *li(A0, read.key_addr), *li(A1, read.offset), *li(A2, read.dst), *li(A3, read.want),
        *li(A7, ECALL_PREIMAGE), ECALL,
    ]


def s_with_keys(preimages: tuple[bytes, ...], misalign: int = 0) -> tuple[bytes, list[int]]:
    """S bytes holding each preimage's key at S_BASE + misalign + 40 k; the key addresses."""
    blob = bytearray(misalign)
    addrs = []
    for data in preimages:
        addrs.append(S_BASE + len(blob))
        blob += keccak(data) + bytes(8)
    return bytes(blob), addrs


def oracle_of(preimages: tuple[bytes, ...] = PREIMAGES) -> DictOracle:
    """An in-memory oracle holding preimages."""
    return DictOracle(preimages)


def expected(data: bytes, read: Read) -> tuple[int, bytes]:
    """(n, the bytes written) written out from the spec's formula, independently of emulator.oracle."""
    room = LEAF_BYTES - read.dst % LEAF_BYTES
    available = max(len(data) - read.offset, 0)
    n = min(read.want, room, available)
    return n, data[read.offset : read.offset + n]


def boundary_reads(data: bytes, key_addr: int, slot: int) -> list[Read]:
    """Offsets 0, inside, len-1, len, beyond and 2^64-1; wants 0, 1, 31, 32, 33, 2^64-1; every alignment."""
    length = len(data)
    offsets = sorted({0, length // 3, max(length - 1, 0), length, length + 5, (1 << 64) - 1})
    wants = (0, 1, 31, 32, 33, (1 << 64) - 1)
    reads = []
    for offset in offsets:
        for want in wants:
            reads.append(Read(key_addr, offset, DST + LEAF_BYTES * slot, want))
            slot += 1
    for align in range(LEAF_BYTES):                      # n clipped by the destination leaf
        reads.append(Read(key_addr, max(length - 40, 0), DST + LEAF_BYTES * slot + align, 64))
        slot += 1
    last = max(length - length % LEAF_BYTES if length % LEAF_BYTES else length - LEAF_BYTES, 0)
    reads.append(Read(key_addr, last, DST + LEAF_BYTES * slot, LEAF_BYTES))   # the last chunk
    return reads
