"""The guest on S version 2 against a bad or short oracle: an abort or the host's PreimageMissing, never S'.

A preimage that does not hash to its key is a bad oracle: the guest hashes everything it reads and
aborts (RT_ABORT_PREIMAGE). An inbox leaf that is not a canonical RLP string, or no leaf for the
cursor, is a bad trie the host wrote (S commits to its root): an abort too (RT_ABORT_TRIE_NODE). A key
the oracle lacks stops the host with PreimageMissing naming it; the guest never sees it.
"""

from __future__ import annotations

import pytest
import rlp
from trie import HexaryTrie
from v2_ab import WitnessOracle, ab_window

from emulator.merkle import keccak
from emulator.oracle import PreimageMissing
from fastvm import rlpx
from fastvm.codec_v2 import encode_v2
from fastvm.export_v2 import ExporterV2, to_version_2
from fastvm.preimages import PreimageStore
from fastvm.state_v2 import EssentialStateV2, Inbox
from fastvm.workloads import workload
from swapping.guest_image import GuestImage, guest_image

RT_ABORT_PREIMAGE, RT_ABORT_TRIE_NODE = 3, 4


class TamperedOracle(WitnessOracle):
    """The witness, with the preimage of one key replaced by other bytes."""

    def __init__(self, preimages: dict[bytes, bytes], key: bytes) -> None:
        """Serve `preimages`, but a changed copy for `key`."""
        super().__init__(preimages)
        self.preimages[key] = preimages[key][:-1] + bytes([preimages[key][-1] ^ 1])


@pytest.fixture(scope="module")
def image() -> GuestImage:
    """The main guest image, built once."""
    return guest_image()


@pytest.fixture(scope="module")
def block() -> tuple[EssentialStateV2, dict[bytes, bytes]]:
    """S version 2 of a block that calls a contract (ERC-20 style workload), and A's witness of it."""
    store = PreimageStore()
    state = to_version_2(workload("erc20", 8, 1, 2), store)
    _after, _info, witness = ExporterV2(store).export(state)
    assert witness.codes, "the block must run code"
    return state, witness.preimages()


def keys_of(state: EssentialStateV2, preimages: dict[bytes, bytes]) -> dict[str, bytes]:
    """The keys of one inbox node, the state root node and one code of the witness."""
    codes = [k for k, v in preimages.items() if not _is_node(v)]
    return {"inbox-root": state.inbox.root, "state-root": rlpx.decode(state.parent_header)[3], "code": codes[0]}


def _is_node(data: bytes) -> bool:
    """Whether data decodes as a trie node (a list of 2 or 17 items)."""
    try:
        item = rlpx.decode(data)
    except rlpx.RlpError:
        return False
    return isinstance(item, list) and len(item) in (2, 17)


def assert_aborted(result, code: int) -> None:  # noqa: ANN001 - WindowResult
    """The guest aborted with `code` and left no result."""
    assert (result.status, result.cause, result.tval) == ("faulted", "guest-abort", code)


@pytest.mark.parametrize("which", ["inbox-root", "state-root", "code"])
def test_a_preimage_that_does_not_hash_to_its_key_is_an_abort(which: str, image: GuestImage, block) -> None:  # noqa: ANN001
    state, preimages = block
    key = keys_of(state, preimages)[which]
    assert key in preimages
    result = ab_window(image, encode_v2(state), TamperedOracle(preimages, key))
    assert_aborted(result, RT_ABORT_PREIMAGE)


@pytest.mark.parametrize("which", ["inbox-root", "state-root", "code"])
def test_a_missing_preimage_is_the_hosts_error_naming_it(which: str, image: GuestImage, block) -> None:  # noqa: ANN001
    state, preimages = block
    key = keys_of(state, preimages)[which]
    short = WitnessOracle({k: v for k, v in preimages.items() if k != key})
    with pytest.raises(PreimageMissing) as raised:
        ab_window(image, encode_v2(state), short)
    assert raised.value.key == key and f"0x{key.hex()}" in str(raised.value)


@pytest.mark.parametrize("leaf", [rlp.encode([b"block"]), b"\x81\x05", b"\x83ab"], ids=["list", "non-canonical",
                                                                                          "short"])
def test_an_inbox_leaf_that_is_not_a_canonical_string_is_an_abort(leaf: bytes, image: GuestImage, block) -> None:  # noqa: ANN001
    state, _preimages = block
    nodes: dict[bytes, bytes] = {}
    trie = HexaryTrie(nodes)
    trie[rlp.encode(0)] = leaf
    trie[rlp.encode(1)] = rlp.encode(b"another block, so that leaf 0 is a node of its own" * 2)
    bad = state.with_changes(inbox=Inbox(trie.root_hash, 2), cursor=0)
    result = ab_window(image, encode_v2(bad), WitnessOracle({keccak(v): v for v in nodes.values()}))
    assert_aborted(result, RT_ABORT_TRIE_NODE)


def test_an_inbox_without_the_cursors_leaf_is_an_abort(image: GuestImage, block) -> None:  # noqa: ANN001
    state, _preimages = block
    nodes: dict[bytes, bytes] = {}
    trie = HexaryTrie(nodes)
    trie[rlp.encode(0)] = rlp.encode(b"only block 0" * 4)
    trie[rlp.encode(2)] = rlp.encode(b"and block 2" * 4)
    bad = state.with_changes(inbox=Inbox(trie.root_hash, 3), cursor=1)
    result = ab_window(image, encode_v2(bad), WitnessOracle({keccak(v): v for v in nodes.values()}))
    assert_aborted(result, RT_ABORT_TRIE_NODE)
