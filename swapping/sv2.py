"""A block's witness as a replay worker receives it (spec §5.1, §6.3): its preimages, never the world.

A stored witness is the sorted list of its preimages' keys (`witnesses/<digest>.keys` in the replay's
store, the preimages themselves in the preimage store); a task carries the preimages as one RLP list,
and the worker's oracle keys each by its own keccak, so a tampered witness can only lack a key, which
stops the host naming it.
"""

from __future__ import annotations

from collections.abc import Iterable
from typing import TYPE_CHECKING

from emulator.errors import SwapvmError
from fastvm import rlpx

if TYPE_CHECKING:
    from emulator.oracle import DictOracle
    from fastvm.preimages import PreimageStore

KEY_BYTES = 32



def witness_keys(preimages: Iterable[bytes]) -> bytes:
    """The witness's identity: its preimages' keccak keys, sorted and concatenated (32 bytes each)."""
    from emulator.merkle import keccak

    return b"".join(sorted({keccak(value) for value in preimages}))


def split_keys(keys: bytes) -> list[bytes]:
    """The 32-byte keys of a key list; a length that is not whole keys is refused."""
    if len(keys) % KEY_BYTES:
        raise SwapvmError(f"a witness key list of {len(keys)} bytes is not whole {KEY_BYTES}-byte keys")
    return [keys[i : i + KEY_BYTES] for i in range(0, len(keys), KEY_BYTES)]


def pack_witness(preimages: Iterable[bytes]) -> bytes:
    """The bytes a worker task carries: the witness's preimages as one RLP list."""
    return rlpx.encode(list(preimages))


def gather_witness(keys: bytes, store: PreimageStore) -> bytes:
    """The task bytes of a stored witness, each preimage read (and hash-checked) from the store."""
    from fastvm.preimages import MissingPreimage

    values = []
    for key in split_keys(keys):
        value = store.get(key)
        if value is None:
            raise MissingPreimage(key)
        values.append(value)
    return pack_witness(values)


def witness_oracle(packed: bytes) -> DictOracle:
    """The worker's oracle: every preimage of the task's bytes under its own keccak."""
    from emulator.oracle import DictOracle

    items = rlpx.decode(packed, "witness")
    if not isinstance(items, list) or not all(isinstance(item, bytes) for item in items):
        raise SwapvmError("a witness is a list of byte strings")
    return DictOracle(items)  # type: ignore[arg-type]
