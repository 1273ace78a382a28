"""One-step proofs (spec §2.6): record a step, encode it (JSON with hex, or compact binary), verify it.

The verifier runs the very same step function as every engine's definition, over ReplayAccess,
and takes the Q* root from the machine template, never from the proof. A step that reads the
preimage oracle (ECALL 1001) carries the whole preimages it reads; the verifier checks each against
its key and serves the step from them (the part read follows from the proven registers and memory).
"""

from __future__ import annotations

import struct
from dataclasses import dataclass
from typing import Any

from emulator.access import (
    LeafOrderError,
    MalformedProofError,
    PostRootMismatch,
    PreimageHashMismatch,
    PreimageNotLoaded,
    PreRootMismatch,
    ProofError,
    RecordingAccess,
    ReplayAccess,
    SiblingCountError,
    StuckError,
    UnusedLeafError,
    UnusedPreimageError,
    check_preimages,
)
from emulator.layout import LEAF_BYTES, TREE_HEIGHT
from emulator.oracle import PreimageOracle
from emulator.state import MachineState
from emulator.step import step
from emulator.template import Template

__all__ = [
    "LeafOrderError", "MalformedProofError", "PostRootMismatch", "PreRootMismatch",
    "PreimageHashMismatch", "PreimageNotLoaded", "ProofError", "QStarMismatch", "SiblingCountError",
    "StepProof", "StuckError", "UnusedLeafError", "UnusedPreimageError", "prove_step", "verify",
]

FORMAT = "swapvm-step-proof"
VERSION = 2                         # 2: preimages (ECALL 1001) after the siblings
MAGIC = b"SVMSP\x02"
LEAF_COUNT = 1 << TREE_HEIGHT


class QStarMismatch(ProofError):
    """The proof names a Q* root that is not the template's."""


@dataclass(frozen=True)
class StepProof:
    """A step's pre/post roots, every leaf it touches (pre-values, sorted) and the canonical siblings."""

    pre_root: bytes
    post_root: bytes
    leaves: tuple[tuple[int, bytes], ...]
    siblings: tuple[bytes, ...]
    qstar_root: bytes | None = None     # for convenience only: verify() takes Q* from the template
    preimages: tuple[tuple[bytes, bytes], ...] = ()   # (key, whole preimage) the step reads, by key

    # --- JSON ---------------------------------------------------------------------------------------
    def to_json(self) -> dict[str, Any]:
        """A JSON-ready dict with hex strings."""
        return {
            "format": FORMAT,
            "version": VERSION,
            "pre_root": self.pre_root.hex(),
            "post_root": self.post_root.hex(),
            "qstar_root": self.qstar_root.hex() if self.qstar_root is not None else None,
            "leaves": [[index, value.hex()] for index, value in self.leaves],
            "siblings": [h.hex() for h in self.siblings],
            "preimages": [[key.hex(), data.hex()] for key, data in self.preimages],
        }

    @classmethod
    def from_json(cls, obj: Any) -> StepProof:
        """Parse the dict form; any deviation is a MalformedProofError naming the field."""
        if not isinstance(obj, dict):
            raise MalformedProofError("a step proof must be a JSON object")
        if obj.get("format") != FORMAT or obj.get("version") != VERSION:
            raise MalformedProofError(f"not a {FORMAT} version {VERSION} document")
        leaves = obj.get("leaves")
        siblings = obj.get("siblings")
        if not isinstance(leaves, list) or not isinstance(siblings, list):
            raise MalformedProofError("'leaves' and 'siblings' must be lists")
        parsed_leaves = []
        for k, item in enumerate(leaves):
            if not (isinstance(item, list) and len(item) == 2):
                raise MalformedProofError(f"leaves[{k}] must be [index, hex]")
            parsed_leaves.append((_leaf_index(item[0], f"leaves[{k}]"), _hash(item[1], f"leaves[{k}]")))
        qstar = obj.get("qstar_root")
        preimages = obj.get("preimages")
        if not isinstance(preimages, list):
            raise MalformedProofError("'preimages' must be a list")
        return cls(
            pre_root=_hash(obj.get("pre_root"), "pre_root"),
            post_root=_hash(obj.get("post_root"), "post_root"),
            leaves=tuple(parsed_leaves),
            siblings=tuple(_hash(h, f"siblings[{k}]") for k, h in enumerate(siblings)),
            qstar_root=_hash(qstar, "qstar_root") if qstar is not None else None,
            preimages=tuple(_preimage(item, f"preimages[{k}]") for k, item in enumerate(preimages)),
        )

    # --- compact binary -----------------------------------------------------------------------------
    def to_bytes(self) -> bytes:
        """MAGIC, flags, roots, optional Q*, u32 n + n (u32 index, 32-byte value), u32 m + m siblings,
        u32 p + p (32-byte key, u32 length, the preimage)."""
        flags = 1 if self.qstar_root is not None else 0
        parts = [MAGIC, bytes([flags]), self.pre_root, self.post_root]
        if self.qstar_root is not None:
            parts.append(self.qstar_root)
        parts.append(struct.pack("<I", len(self.leaves)))
        parts.extend(struct.pack("<I", index) + value for index, value in self.leaves)
        parts.append(struct.pack("<I", len(self.siblings)))
        parts.extend(self.siblings)
        parts.append(struct.pack("<I", len(self.preimages)))
        parts.extend(key + struct.pack("<I", len(data)) + data for key, data in self.preimages)
        return b"".join(parts)

    @classmethod
    def from_bytes(cls, data: bytes) -> StepProof:
        """Parse the binary form; truncation, trailing bytes or a bad header is a MalformedProofError."""
        reader = _Reader(data)
        if reader.take(len(MAGIC), "magic") != MAGIC:
            raise MalformedProofError("not a binary step proof (bad magic)")
        flags = reader.take(1, "flags")[0]
        if flags & ~1:
            raise MalformedProofError(f"unknown flags {flags:#x}")
        pre, post = reader.take(32, "pre_root"), reader.take(32, "post_root")
        qstar = reader.take(32, "qstar_root") if flags & 1 else None
        n_leaves = struct.unpack("<I", reader.take(4, "leaf count"))[0]
        leaves = []
        for k in range(n_leaves):
            index = struct.unpack("<I", reader.take(4, f"leaves[{k}] index"))[0]
            leaves.append((_leaf_index(index, f"leaves[{k}]"), reader.take(LEAF_BYTES, f"leaves[{k}] value")))
        n_siblings = struct.unpack("<I", reader.take(4, "sibling count"))[0]
        siblings = tuple(reader.take(32, f"siblings[{k}]") for k in range(n_siblings))
        n_preimages = struct.unpack("<I", reader.take(4, "preimage count"))[0]
        preimages = []
        for k in range(n_preimages):
            key = reader.take(32, f"preimages[{k}] key")
            length = struct.unpack("<I", reader.take(4, f"preimages[{k}] length"))[0]
            preimages.append((key, reader.take(length, f"preimages[{k}] data")))
        if reader.offset != len(data):
            raise MalformedProofError(f"{len(data) - reader.offset} trailing bytes after the proof")
        return cls(pre, post, tuple(leaves), siblings, qstar, tuple(preimages))

    def without_preimages(self) -> StepProof:
        """The proof as the on-chain verifier takes it: the preimages travel through its oracle contract."""
        return StepProof(self.pre_root, self.post_root, self.leaves, self.siblings, self.qstar_root)


class _Reader:
    """Sequential reads from a byte string; running out is a MalformedProofError."""

    def __init__(self, data: bytes) -> None:
        """Read data from the start."""
        self.data, self.offset = data, 0

    def take(self, n: int, what: str) -> bytes:
        """The next n bytes."""
        if self.offset + n > len(self.data):
            raise MalformedProofError(f"truncated proof: {what} needs {n} bytes at offset {self.offset}")
        chunk = self.data[self.offset : self.offset + n]
        self.offset += n
        return chunk


def _hash(value: Any, what: str) -> bytes:
    """A 32-byte value from 64 hex digits."""
    if not isinstance(value, str) or len(value) != 64:
        raise MalformedProofError(f"{what} must be 64 hex digits")
    try:
        return bytes.fromhex(value)
    except ValueError:
        raise MalformedProofError(f"{what} is not hex") from None


def _preimage(item: Any, what: str) -> tuple[bytes, bytes]:
    """A (key, preimage) pair from [64 hex digits, hex]."""
    if not (isinstance(item, list) and len(item) == 2 and isinstance(item[1], str)):
        raise MalformedProofError(f"{what} must be [key hex, preimage hex]")
    try:
        return _hash(item[0], f"{what} key"), bytes.fromhex(item[1])
    except ValueError:
        raise MalformedProofError(f"{what} preimage is not hex") from None


def _leaf_index(value: Any, what: str) -> int:
    """A leaf index of the machine tree."""
    if not isinstance(value, int) or isinstance(value, bool) or not 0 <= value < LEAF_COUNT:
        raise MalformedProofError(f"{what} index must be an integer in 0..{LEAF_COUNT - 1}")
    return value


def prove_step(template: Template, state: MachineState, oracle: PreimageOracle | None = None) -> StepProof:
    """Execute one step on state (mutated to the post-state) and return its proof.

    oracle serves a preimage read (ECALL 1001); a key it lacks raises PreimageMissing, state unchanged.
    """
    recorder = RecordingAccess(state, template.qstar_pages(), oracle)
    step(recorder)
    leaves, siblings = recorder.finish()
    return StepProof(
        pre_root=recorder.pre_root,
        post_root=state.root(),
        leaves=tuple(leaves),
        siblings=tuple(siblings),
        qstar_root=template.qstar_root(),
        preimages=tuple(sorted(recorder.preimages.items())),
    )


def verify(proof: StepProof, template_info: Template | bytes, oracle: PreimageOracle | None = None) -> bytes:
    """Check a step proof from its pre-root alone; return the post-root or raise a specific ProofError.

    template_info is the machine template or its Q* root; a Q* root carried by the proof must match it.
    The proof's preimages are loaded into the verifier's oracle first, each checked against its key
    (as a party loads them into the oracle contract before the on-chain verifier runs, spec §5.3).
    oracle is the verifier's own store, asked for a preimage the proof does not carry.
    """
    preimages = check_preimages(proof.preimages)
    qstar = template_info.qstar_root() if isinstance(template_info, Template) else template_info
    if proof.qstar_root is not None and proof.qstar_root != qstar:
        raise QStarMismatch(f"the proof names Q* {proof.qstar_root.hex()}, the template's is {qstar.hex()}")
    replay = ReplayAccess(proof.pre_root, proof.leaves, proof.siblings, qstar, preimages, oracle)
    step(replay)
    post = replay.post_root()
    if post != proof.post_root:
        claimed = proof.post_root.hex()
        raise PostRootMismatch(f"the step leads to {post.hex()}, not the claimed post-root {claimed}")
    return post
