"""The trie test driver (guest/tests/mpt), shared by `swapvm bench mpt` and tests/guest: its build,
the encodings of its operations, a node database that records what a client reads, and a fast
builder of large secure tries.

The driver holds the preimage oracle's host table (guest/host/preimages_host.c); OP_MPT_RUN runs a
sequence of steps on the guest's partial trie (guest/src/mpt.c) opened at a root and answers each
get, delete and root, then five counters (docs/guest.md, "The partial trie").
"""

from __future__ import annotations

import bisect
import struct
from collections.abc import Iterator, Mapping, MutableMapping, Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import rlp
from eth_hash.auto import keccak

from bench.guest_probe import GUEST, HARNESS, Response, frame, parse_responses, u64
from emulator.errors import SwapvmError
from toolchain.build import ImageSpec, build_image
from toolchain.host import build_host_executable

MPT = GUEST / "tests" / "mpt"
LIB_SOURCES = ["bytes.c", "keccak.c", "rlp.c", "trie.c", "oracle.c", "mpt.c"]
EMPTY_ROOT = keccak(b"\x80")

# guest/tests/mpt/ops.h
OP_ORACLE_PUT = 1
OP_ORACLE_CLEAR = 2
OP_ORACLE_TOUCHED = 3
OP_ORACLE_READ = 4
OP_MPT_RUN = 5
STEP_GET = 0
STEP_PUT = 1
STEP_DELETE = 2
STEP_ROOT = 3
STEP_ROOT_EMIT = 4
STEP_REOPEN = 5
STEP_WRITE = 6
STEP_APPLY = 7

Step = tuple[int, bytes, bytes]


def build_driver(out_dir: Path, *, sanitize: bool = True) -> Path:
    """Compile the driver for the host: ASan/UBSan at -O1 for tests, plain -O2 for measurements."""
    harness = [HARNESS / "harness.c", HARNESS / "harness_host.c"]
    sources = [GUEST / "src" / s for s in LIB_SOURCES] + harness
    sources += [MPT / "driver.c", GUEST / "host" / "preimages_host.c"]
    name, extra = ("mpt_driver", ()) if sanitize else ("mpt_driver_o2", ("-O2",))
    return build_host_executable(sources, out_dir / name, sanitize=sanitize, extra_flags=extra)


def build_ab_image(out_dir: Path) -> Path:
    """The driver as an AB image (harness_ab.c; the oracle is the machine's); returns the ELF file."""
    sources = tuple(f"guest/src/{s}" for s in LIB_SOURCES) + (
        "guest/tests/harness/harness.c", "guest/tests/harness/harness_ab.c", "guest/tests/mpt/driver.c")
    return build_image(ImageSpec("mpt_tests", sources, locked=False), out_dir / "mpt_tests.elf")


def ab_run(elf: Path, requests: Sequence[tuple[int, bytes]], oracle: object, backend: str = "unicorn",
           max_steps: int = 4_000_000_000) -> tuple[Any, int]:
    """Run the requests in one window of the AB image with `oracle` serving ECALL 1001 (an
    emulator.oracle.PreimageOracle): the machine, stopped, and its steps."""
    from emulator.image import template_from_image
    from emulator.machine import make_machine

    template = template_from_image(elf)
    data = b"".join(frame(op, arg) for op, arg in requests)
    machine = make_machine(backend, template, template.initial_state(u64(len(data)) + data),
                           oracle=oracle)  # type: ignore[call-arg]
    return machine, machine.run_until_halt(max_steps)


def ab_batch(elf: Path, requests: Sequence[tuple[int, bytes]], preimages: Sequence[bytes],
             backend: str = "unicorn") -> tuple[list[Response], int]:
    """Answer the requests in one window of the AB image, its oracle holding `preimages`: the
    responses and the steps to the guest's yield."""
    from emulator.layout import S_BASE, SHADOW_STATUS, SHADOW_X, STATUS_YIELDED
    from emulator.machine import shadow_field

    try:
        from emulator.oracle import DictOracle  # the machine's preimage oracle (issue 13)
    except ModuleNotFoundError:
        raise SwapvmError("this emulator has no preimage oracle (ECALL 1001): AB figures need it") from None
    machine, steps = ab_run(elf, requests, DictOracle(preimages), backend)
    state = machine.state()
    status, code = shadow_field(state, SHADOW_STATUS), shadow_field(state, SHADOW_X + 8 * 10)
    if (status, code) != (STATUS_YIELDED, 0):
        raise SwapvmError(f"the AB trie driver ended with status {status}, a0 {code}")
    return parse_responses(state.read(S_BASE + 8, state.read_u64(S_BASE))), steps


def blob(b: bytes) -> bytes:
    """A u64 length followed by the bytes."""
    return u64(len(b)) + b


def preimages_arg(items: Sequence[tuple[bytes, bytes]]) -> bytes:
    """The argument of OP_ORACLE_PUT: (key, preimage) pairs."""
    return u64(len(items)) + b"".join(key + blob(data) for key, data in items)


def steps_arg(root: bytes, steps: Sequence[Step]) -> bytes:
    """The argument of OP_MPT_RUN: the root, then the steps."""
    return root + u64(len(steps)) + b"".join(bytes([k]) + blob(key) + blob(v) for k, key, v in steps)


@dataclass
class RunResult:
    """What OP_MPT_RUN answered: one entry per get/delete/root step, and the run's counters."""

    answers: list[object]
    oracle_reads: int
    oracle_bytes: int
    oracle_calls: int
    decoded: int
    hashed: int


def parse_run(out: bytes, steps: Sequence[Step]) -> RunResult:
    """Decode OP_MPT_RUN's answer: a get gives its value or None, a delete whether the key was there,
    a root step the root."""
    answers: list[object] = []
    pos = 0
    for kind, _, _ in steps:
        if kind == STEP_GET:
            found = out[pos] == 1
            n = struct.unpack_from("<Q", out, pos + 1)[0]
            answers.append(out[pos + 9: pos + 9 + n] if found else None)
            pos += 9 + n
        elif kind == STEP_DELETE:
            answers.append(out[pos] == 1)
            pos += 1
        elif kind in (STEP_ROOT, STEP_ROOT_EMIT, STEP_REOPEN):
            answers.append(out[pos: pos + 32])
            pos += 32
    if pos + 40 != len(out):
        raise ValueError(f"OP_MPT_RUN answered {len(out)} bytes, expected {pos + 40}")
    return RunResult(answers, *struct.unpack_from("<5Q", out, pos))


class RecordingDB(MutableMapping[bytes, bytes]):
    """A node database over a base mapping that records every key read (py-trie reads nodes by hash);
    writes go to an overlay, so the base (maybe a million nodes) is neither copied nor changed."""

    def __init__(self, base: Mapping[bytes, bytes]) -> None:
        self.base = base
        self.new: dict[bytes, bytes] = {}
        self.reads: set[bytes] = set()

    def __getitem__(self, key: bytes) -> bytes:
        self.reads.add(key)
        return self.new[key] if key in self.new else self.base[key]

    def __setitem__(self, key: bytes, value: bytes) -> None:
        self.new[key] = value

    def __delitem__(self, key: bytes) -> None:
        del self.new[key]

    def __contains__(self, key: object) -> bool:
        return key in self.new or key in self.base

    def __iter__(self) -> Iterator[bytes]:
        yield from self.new
        yield from (k for k in self.base if k not in self.new)

    def __len__(self) -> int:
        return len(self.base) + sum(1 for k in self.new if k not in self.base)


def _hex_prefix(nibbles: str, leaf: bool) -> bytes:
    """The hex-prefix encoding of a path given as hex digits."""
    flag = (2 if leaf else 0) + (len(nibbles) & 1)
    return bytes.fromhex(f"{flag:x}{nibbles}" if len(nibbles) & 1 else f"{flag:x}0{nibbles}")


def build_secure_trie(pairs: Sequence[tuple[bytes, bytes]]) -> tuple[bytes, dict[bytes, bytes]]:
    """The root and node database (hash -> node, every node of 32 bytes or more, and the root) of
    the trie of fixed-length keys, built bottom-up from the sorted keys: a million keys in well under
    a minute, where inserting them one by one into py-trie takes over half an hour. The tests check
    it against py-trie (tests/guest/test_mpt.py)."""
    ordered = sorted((k.hex(), v) for k, v in pairs)
    keys = [k for k, _ in ordered]
    values = [v for _, v in ordered]
    if len({len(k) for k in keys}) > 1 or len(set(keys)) != len(keys):
        raise ValueError("build_secure_trie takes distinct keys of one length")
    db: dict[bytes, bytes] = {}

    def ref(node: list) -> object:
        enc = rlp.encode(node)
        if len(enc) < 32:
            return node
        h = keccak(enc)
        db[h] = enc
        return h

    def build(lo: int, hi: int, d: int) -> list:
        first, last = keys[lo], keys[hi - 1]
        if hi - lo == 1:
            return [_hex_prefix(first[d:], True), values[lo]]
        c = d
        while first[c] == last[c]:
            c += 1
        if c > d:
            return [_hex_prefix(first[d:c], False), ref(build(lo, hi, c))]
        node: list = [b""] * 17
        prefix, i = first[:d], lo
        for digit in "0123456789abcdef":
            j = bisect.bisect_left(keys, prefix + chr(ord(digit) + 1), i, hi)   # '9' + 1 is ':', below 'a'
            if j > i:
                node[int(digit, 16)] = ref(build(i, j, d + 1))
            i = j
        return node

    if not keys:
        return EMPTY_ROOT, db
    enc = rlp.encode(build(0, len(keys), 0))
    root = keccak(enc)
    db[root] = enc
    return root, db
