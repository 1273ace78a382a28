"""Witnesses as `debug_executionWitness` JSON, the form geth and reth serve (spec §6.5).

One object with four arrays of 0x-prefixed hex strings, each read as a set: `state` (trie node RLPs
of the state trie and the storage tries), `codes` (contract code), `keys` (the preimages of hashed
keys: 20-byte addresses and 32-byte storage slots) and `headers` (header RLPs, the parent first). On
import nothing is trusted: every entry must be well-formed, and preimages are keyed by their own
keccak, so a wrong entry can only be useless, never a wrong answer.
"""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

from emulator.errors import SwapvmError
from fastvm import rlpx
from fastvm.preimages import PreimageStore
from fastvm.witness import Witness

FIELDS = ("state", "codes", "keys", "headers")
OPTIONAL = ("keys", "headers")   # EEST's zkevm fixtures carry no keys; a bare state witness no headers
KEY_SIZES = (20, 32)


def witness_to_json(witness: Witness) -> dict[str, list[str]]:
    """The witness as a `debug_executionWitness` object."""
    return {name: ["0x" + item.hex() for item in getattr(witness, name)] for name in FIELDS}


def _entry(value: Any, where: str) -> bytes:
    """One 0x-prefixed, even-length hex string."""
    if not isinstance(value, str) or not value.startswith(("0x", "0X")):
        raise SwapvmError(f"witness: {where} is not a 0x-prefixed hex string")
    try:
        return bytes.fromhex(value[2:])
    except ValueError:
        raise SwapvmError(f"witness: {where} is not a hex string of whole bytes") from None


def _check_node(data: bytes, where: str) -> None:
    """A trie node: an RLP list of 2 (leaf or extension) or 17 (branch) items."""
    try:
        item = rlpx.decode(data, where)
    except rlpx.RlpError as exc:
        raise SwapvmError(f"witness: {exc}") from None
    if not isinstance(item, list) or len(item) not in (2, 17):
        raise SwapvmError(f"witness: {where} is not a trie node (an RLP list of 2 or 17 items)")


def _check_header(data: bytes, where: str) -> None:
    """A header: an RLP list of at least 15 items (pre-London) up to Prague's 21."""
    try:
        item = rlpx.decode(data, where)
    except rlpx.RlpError as exc:
        raise SwapvmError(f"witness: {exc}") from None
    if not isinstance(item, list) or not 15 <= len(item) <= 21:
        raise SwapvmError(f"witness: {where} is not a block header (an RLP list of 15 to 21 items)")


def _check_key(data: bytes, where: str) -> None:
    """An address or a storage slot."""
    if len(data) not in KEY_SIZES:
        raise SwapvmError(f"witness: {where} has {len(data)} bytes, not an address (20) or a slot (32)")


CHECKS = {"state": _check_node, "codes": lambda data, where: None, "keys": _check_key,
          "headers": _check_header}


def witness_from_json(data: Any, source: str = "witness") -> Witness:
    """A witness from its JSON object; every entry checked, a malformed one refused in one line."""
    if not isinstance(data, dict):
        raise SwapvmError(f"witness: {source} is not a JSON object")
    unknown = sorted(set(data) - set(FIELDS))
    if unknown:
        raise SwapvmError(f"witness: {source} has a field {unknown[0]!r} (expected {', '.join(FIELDS)})")
    parts: dict[str, tuple[bytes, ...]] = {}
    for name in FIELDS:
        if name not in data and name in OPTIONAL:
            parts[name] = ()
            continue
        items = data.get(name)
        if not isinstance(items, list):
            raise SwapvmError(f"witness: {source} has no {name} array")
        values = []
        for index, item in enumerate(items):
            where = f"{name}[{index}]"
            value = _entry(item, where)
            CHECKS[name](value, where)
            values.append(value)
        parts[name] = tuple(values)
    return Witness(parts["state"], parts["codes"], parts["keys"], parts["headers"])


def save_witness(path: Path | str, witness: Witness) -> None:
    """Write the witness as JSON."""
    try:
        Path(path).write_text(json.dumps(witness_to_json(witness), indent=1) + "\n")
    except OSError as exc:
        raise SwapvmError(f"cannot write {path}: {exc.strerror}") from None


def load_witness(path: Path | str) -> Witness:
    """Read and check a witness JSON file."""
    try:
        data = json.loads(Path(path).read_text())
    except OSError as exc:
        raise SwapvmError(f"witness: cannot read {path}: {exc.strerror}") from None
    except (json.JSONDecodeError, UnicodeDecodeError) as exc:
        raise SwapvmError(f"witness: {path} is not JSON ({exc})") from None
    return witness_from_json(data, str(path))


def import_witness(store: PreimageStore, witness: Witness) -> int:
    """Add a witness's preimages (nodes, codes, headers) to a store, each keyed by its keccak; commits."""
    for value in (*witness.state, *witness.codes, *witness.headers):
        store.put(value)
    return store.commit()
