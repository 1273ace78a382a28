"""Mutated blocks that reach every check of spec §4.6: transactions, headers and withdrawals re-sealed.

A transaction is mutated at the level of its RLP fields (a signature value at or around 0 and the
curve order, a parity, a chain id, a nonce, a gas field, an access list, a field's length), then
optionally re-signed with its sender's key so that the signature is valid over the new fields and the
mutant reaches the state checks; the block's transactions and withdrawals roots are recomputed, so the
block passes check 3 and the mutated part itself is judged. Header mutations keep the parent hash, so
they reach check 2. Used by tests/guest/test_evm_mutants.py.
"""

from __future__ import annotations

from dataclasses import dataclass

import rlp
from eth_keys import keys
from trie import HexaryTrie

from emulator.merkle import keccak
from fastvm.builder import address_of

SECP256K1_N = 0xFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFEBAAEDCE6AF48A03BBFD25E8CD0364141
SECP256K1_P = 0xFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFEFFFFFC2F
HALF_N = SECP256K1_N // 2

# The well-known key of the public fixtures (address a94f5374…0b) and two keys of the tests' own.
FIXTURE_KEY = bytes.fromhex("45a915e4d060149eb4365960e6a7a45f334393093061116b197e3240065ff2d8")
OWN_KEYS = (
    bytes.fromhex("1b2c3d4e5f60718293a4b5c6d7e8f90112233445566778899aabbccddeeff001"),
    bytes.fromhex("8a1f9a8f95be41cd7ccb6168179afb4504aefe388d1e14474d32c45c72ce7b7a"),
)
KEYS_BY_ADDRESS = {address_of(k): k for k in (FIXTURE_KEY, *OWN_KEYS)}

# Field names per transaction type, in RLP order (spec §4.6.1); the last three are the signature.
FIELDS = {
    0: ("nonce", "gas_price", "gas", "to", "value", "data", "v", "r", "s"),
    1: ("chain_id", "nonce", "gas_price", "gas", "to", "value", "data", "access_list", "v", "r", "s"),
    2: ("chain_id", "nonce", "max_priority_fee_per_gas", "max_fee_per_gas", "gas", "to", "value", "data",
        "access_list", "v", "r", "s"),
    3: ("chain_id", "nonce", "max_priority_fee_per_gas", "max_fee_per_gas", "gas", "to", "value", "data",
        "access_list", "max_fee_per_blob_gas", "blob_versioned_hashes", "v", "r", "s"),
}
SIGNATURE = ("v", "r", "s")

# Integer values worth trying in a 256-bit (or 64-bit) field: the edges of every range that matters.
EDGE_INTEGERS = (
    0, 1, 2, 7, 27, 28, 35, 36, 37, 38, 21_000, 20_999, 2**63 - 1, 2**63, 2**64 - 1, 2**64,
    HALF_N, HALF_N + 1, SECP256K1_N - 1, SECP256K1_N, SECP256K1_N + 1, SECP256K1_P, SECP256K1_P + 1,
    2**255, 2**256 - 1,
)


def int_bytes(value: int) -> bytes:
    """The minimal big-endian bytes of an RLP integer (may exceed 32 bytes: ranges are check 4)."""
    return value.to_bytes((value.bit_length() + 7) // 8, "big") if value else b""


def as_int(value: bytes) -> int:
    """An RLP integer field as a Python int."""
    return int.from_bytes(value, "big")


@dataclass(slots=True)
class RawTx:
    """A transaction as its type and raw RLP fields (bytes or nested lists), editable by name."""

    type: int
    fields: list

    @classmethod
    def parse(cls, item: bytes | list) -> RawTx:
        """A transaction of a block's list: a legacy list, or a typed string `type ‖ rlp(fields)`."""
        if isinstance(item, list):
            return cls(0, list(item))
        return cls(item[0], list(rlp.decode(item[1:])))

    def index(self, name: str) -> int:
        """The position of a named field."""
        return FIELDS[self.type].index(name)

    def get(self, name: str) -> bytes | list:
        """A named field's raw value."""
        return self.fields[self.index(name)]

    def set(self, name: str, value: bytes | list | int) -> None:
        """Set a named field (an int is encoded minimally)."""
        self.fields[self.index(name)] = int_bytes(value) if isinstance(value, int) else value

    def encode(self) -> bytes:
        """The transaction's encoding as the block's transactions trie holds it."""
        body = rlp.encode(self.fields)
        return body if self.type == 0 else bytes([self.type]) + body

    def signing_hash(self, chain_id: int) -> bytes:
        """keccak of what the sender signs: typed `type ‖ rlp(fields)`, legacy EIP-155 or pre-155."""
        unsigned = self.fields[:-3]
        if self.type:
            return keccak(bytes([self.type]) + rlp.encode(unsigned))
        v = as_int(self.get("v"))
        if v in (27, 28):
            return keccak(rlp.encode(unsigned))
        return keccak(rlp.encode([*unsigned, int_bytes(chain_id), b"", b""]))

    def sender_key(self, chain_id: int) -> bytes | None:
        """The key among the known ones that signed this transaction, if its signature recovers."""
        v, r, s = (as_int(self.get(name)) for name in SIGNATURE)
        parity = v if self.type else (v - 27 if v in (27, 28) else (v - 35) % 2)
        try:
            signature = keys.Signature(vrs=(parity, r, s))
            address = signature.recover_public_key_from_msg_hash(self.signing_hash(chain_id))
        except Exception:  # noqa: BLE001 - an unrecoverable signature simply has no known key
            return None
        return KEYS_BY_ADDRESS.get(address.to_canonical_address())

    def resign(self, key: bytes, chain_id: int) -> None:
        """Sign the current fields with key (legacy: EIP-155 for chain_id, keeping a pre-155 v)."""
        signature = keys.PrivateKey(key).sign_msg_hash(self.signing_hash(chain_id))
        if self.type:
            v = signature.v
        elif as_int(self.get("v")) in (27, 28):
            v = 27 + signature.v
        else:
            v = 35 + 2 * chain_id + signature.v
        self.set("v", v)
        self.set("r", signature.r)
        self.set("s", signature.s)


def trie_root(items: list[bytes]) -> bytes:
    """The root of a list trie (key rlp(index)), as transactions and withdrawals roots are."""
    trie = HexaryTrie({})
    for index, encoded in enumerate(items):
        trie[rlp.encode(index)] = encoded
    return trie.root_hash


TRANSACTIONS_ROOT, WITHDRAWALS_ROOT = 4, 16  # header item positions (spec §4.3)


def seal(header: list, txs: list[bytes | list], ommers: list, withdrawals: list) -> bytes:
    """A block with its transactions and withdrawals roots recomputed from its body."""
    header = list(header)
    header[TRANSACTIONS_ROOT] = trie_root([t if isinstance(t, bytes) else rlp.encode(t) for t in txs])
    if len(header) > WITHDRAWALS_ROOT:
        header[WITHDRAWALS_ROOT] = trie_root([rlp.encode(w) for w in withdrawals])
    return rlp.encode([header, txs, ommers, withdrawals])


def block_items(raw: bytes) -> tuple[list, list, list, list]:
    """A block's [header, transactions, ommers, withdrawals] as raw RLP structures."""
    header, txs, ommers, withdrawals = rlp.decode(raw)
    return list(header), list(txs), list(ommers), list(withdrawals)


def block_with_tx(raw: bytes, position: int, tx: RawTx) -> bytes:
    """raw with transaction `position` replaced by tx (typed stays a string, legacy a list), re-sealed."""
    header, txs, ommers, withdrawals = block_items(raw)
    txs[position] = tx.fields if tx.type == 0 else tx.encode()
    return seal(header, txs, ommers, withdrawals)
