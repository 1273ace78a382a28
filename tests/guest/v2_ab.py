"""AB on S version 2 against machine A on S version 2, with A's witness of the block as the only oracle.

Shared by the version 2 tests of the guest (tests/guest/test_guest_v2_*.py): A's export of one block
(fastvm.export_v2.ExporterV2: S', witness) and AB's window on the same S with the witness's preimages
(inbox nodes, state and storage trie nodes, code) as the oracle; the two S' images must be byte-equal.
"""

from __future__ import annotations

from dataclasses import dataclass

from emulator.oracle import DictOracle
from fastvm.codec_v2 import encode_v2
from fastvm.export_v2 import ExporterV2, to_version_2
from fastvm.preimages import PreimageStore
from fastvm.state import EssentialState
from fastvm.state_v2 import EssentialStateV2
from swapping.guest_image import GuestImage
from swapping.window import WindowResult, run_window

LOG2_WINDOW = 41
EXIT_APPLIED, EXIT_IDLE = 0, 1


class WitnessOracle(DictOracle):
    """The witness of one block as the oracle, remembering every key the guest asked for."""

    def __init__(self, preimages: dict[bytes, bytes]) -> None:
        """Hold the witness's preimages (keyed by their keccak256)."""
        super().__init__()
        self.preimages = dict(preimages)
        self.asked: set[bytes] = set()

    def get(self, key: bytes) -> bytes | None:
        """The preimage of key, noting the key."""
        self.asked.add(bytes(key))
        return super().get(key)


@dataclass(frozen=True)
class BlockCheck:
    """One block on A and on AB: A's S' image, AB's window and the keys AB read."""

    a_image: bytes
    ab: WindowResult
    asked: frozenset[bytes]
    witness_keys: frozenset[bytes]


def ab_window(image: GuestImage, s_image: bytes, oracle: DictOracle, backend: str = "unicorn") -> WindowResult:
    """One AB window on a version 2 S image with the given oracle."""
    return run_window(image.elf, image.ram_size, image.s_size, LOG2_WINDOW, s_image, backend, oracle=oracle)


def check_block(image: GuestImage, exporter: ExporterV2, state: EssentialStateV2,
                backend: str = "unicorn") -> tuple[EssentialStateV2, BlockCheck]:
    """A's step on S (S', witness), then AB's window on S with the witness alone as the oracle."""
    after, _info, witness = exporter.export(state)
    oracle = WitnessOracle(witness.preimages())
    result = ab_window(image, encode_v2(state), oracle, backend)
    check = BlockCheck(encode_v2(after), result, frozenset(oracle.asked), frozenset(witness.preimages()))
    return after, check


def assert_same(check: BlockCheck, where: str) -> None:
    """AB yielded, left A's S' byte for byte, and asked only for keys in A's witness."""
    result = check.ab
    assert result.status == "yielded", f"{where}: AB {result.status} {result.cause} {result.tval:#x}"
    assert result.exit_code == EXIT_APPLIED, f"{where}: guest yielded {result.exit_code}"
    assert result.s_image == check.a_image, f"{where}: AB's S' differs from A's"
    assert check.asked <= check.witness_keys, f"{where}: AB read keys outside A's witness"


def run_chain(image: GuestImage, state: EssentialState, store: PreimageStore, where: str,
              backend: str = "unicorn") -> int:
    """Every block of a version 1 S's inbox on A and AB over version 2; the number of blocks checked."""
    s2 = to_version_2(state, store)
    exporter = ExporterV2(store)
    blocks = 0
    while s2.cursor < s2.inbox.length:
        s2, check = check_block(image, exporter, s2, backend)
        assert_same(check, f"{where} block {blocks}")
        blocks += 1
    return blocks
