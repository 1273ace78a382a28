"""S files of either version (spec §4.7, §6): an S of version 2 is its image plus a preimage store.

The store (`DIR/preimages.sqlite`, fastvm/preimages.PreimageStore) holds the world and the inbox; the
image holds their commitments. This module reads an image of either version by its framing header,
turns a version 1 S (what every builder makes) into version 2 inside a store without rebuilding a
world the store already holds, builds S0 of a genesis on version 2 with its fork schedule (so a
chain may cross a fork time), and merges one store into another.
"""

from __future__ import annotations

from pathlib import Path
from typing import TYPE_CHECKING, Union

from emulator.errors import SwapvmError
from fastvm.codec import decode, encode
from fastvm.codec_v2 import decode_v2, encode_v2
from fastvm.state import EssentialState, Fork
from fastvm.state_v2 import FORMAT_VERSION_2, ChainConfig, EssentialStateV2, ForkEntry

if TYPE_CHECKING:
    from fastvm.genesis import Genesis
    from fastvm.preimages import PreimageStore

AnyState = Union[EssentialState, EssentialStateV2]   # noqa: UP007 - a runtime alias
STORE_FILE = "preimages.sqlite"
# The one switch (spec §5.4): the S version replay, dispute, window, trace, the benchmarks and the state
# builders write when SOURCE does not fix it. 2 since the guest's version 2 path landed (AB = A on v2).
DEFAULT_S_VERSION = 2
S_VERSIONS = (1, 2)
# keccak256(rlp(b"")): the empty trie's root, which no store holds a node for.
BLANK_ROOT = bytes.fromhex("56e81f171bcc55a6ff8345e692c0f86e5b48e01b996cadc001622fb5e363b421")


def image_version(image: bytes) -> int:
    """The framing header's version (the image's first u64), 0 for an image shorter than 8 bytes."""
    return int.from_bytes(image[:8], "little") if len(image) >= 8 else 0


def decode_any(image: bytes, s_size: int | None = None) -> AnyState:
    """Decode an S image of version 1 or 2 (strict, canonical only), by its framing header."""
    if image_version(image) == FORMAT_VERSION_2:
        return decode_v2(image, s_size)
    return decode(image, s_size)


def encode_any(state: AnyState) -> bytes:
    """The image of an S of either version."""
    return encode_v2(state) if isinstance(state, EssentialStateV2) else encode(state)


def store_path(folder: Path) -> Path:
    """Where the preimage store of a folder lives."""
    return Path(folder) / STORE_FILE


def open_preimages(folder: Path, must_exist: bool = False) -> PreimageStore:
    """The preimage store in folder; with must_exist, a one-line error when the folder has none."""
    from fastvm.preimages import PreimageStore

    folder = Path(folder)
    if must_exist and not store_path(folder).is_file():
        raise SwapvmError(f"{folder} holds no preimage store ({STORE_FILE}): an S of version 2 is read "
                          "with the store that holds its world (--store DIR, default the S file's folder)")
    folder.mkdir(parents=True, exist_ok=True)
    return PreimageStore(store_path(folder))


def state_root_of(state: EssentialStateV2) -> bytes:
    """The world's root: the parent header's state root."""
    from fastvm.witness import state_root_of_header

    return state_root_of_header(state.parent_header)


def check_store_holds(state: EssentialStateV2, store: PreimageStore) -> None:
    """MissingPreimage (one line naming the key) unless the store holds S's world root and inbox root."""
    from fastvm.preimages import MissingPreimage

    for key in (state_root_of(state), state.inbox.root):
        if key != BLANK_ROOT and store.get(key) is None:
            raise MissingPreimage(key)


def single_fork_config(chain_id: int, fork: Fork) -> ChainConfig:
    """The configuration of a chain of one fork (a fixture, a description, a version 1 S)."""
    from fastvm.genesis import MAINNET_DEPOSIT_CONTRACT

    deposit = bytes.fromhex(MAINNET_DEPOSIT_CONTRACT[2:]) if fork >= Fork.PRAGUE else b""
    return ChainConfig(chain_id, (ForkEntry.with_defaults(fork, 0),), deposit)


def to_v2(state: EssentialState, store: PreimageStore, config: ChainConfig | None = None) -> EssentialStateV2:
    """S version 2 of a version 1 S, its world and inbox in the store; a world the store holds is kept.

    The world is written in one transaction, so a store holding its root holds all of it: a resumed
    replay rebuilds nothing. config defaults to S's one fork from time 0."""
    from fastvm.contentdb import store_world
    from fastvm.inbox_trie import build_inbox
    from fastvm.witness import state_root_of_header

    root = state_root_of_header(state.parent_header)
    if root != BLANK_ROOT and store.get(root) is None:
        built = store_world(store, state.accounts)
        if built != root:
            raise SwapvmError(f"S's accounts have state root 0x{built.hex()}, not its parent header's")
    inbox, nodes = build_inbox(list(state.inbox))
    store.put_entries(nodes, checked=True)
    store.put(state.parent_header)
    store.commit()
    config = config or single_fork_config(state.chain_id, state.fork)
    return EssentialStateV2(config, inbox, state.parent_header, state.ancestor_hashes, state.cursor,
                            state.outcome)


# --- initial states on version 2 -------------------------------------------------------------------


def genesis_config(genesis: Genesis) -> ChainConfig:
    """The fork schedule a geth-style genesis gives (its fork from time 0, then each later fork's time)."""
    from fastvm.genesis import MAINNET_DEPOSIT_CONTRACT, TIME_FORKS

    forks = dict(TIME_FORKS)
    entries = [ForkEntry.with_defaults(genesis.fork, 0)]
    entries += [ForkEntry.with_defaults(forks[key], time) for key, time in genesis.later_forks]
    prague = any(entry.fork >= Fork.PRAGUE for entry in entries)
    deposit = bytes.fromhex(MAINNET_DEPOSIT_CONTRACT[2:]) if prague else b""
    return ChainConfig(genesis.chain_id, tuple(entries), deposit)


def genesis_v2(genesis: Genesis, blocks: list, first: int | None, last: int | None,
               store: PreimageStore) -> EssentialStateV2:
    """S0 version 2 of a genesis and its chain file: the genesis' fork schedule, so a chain may cross a
    fork time; with `first`, A (version 2) applies the blocks before it, unchecked."""
    from fastvm.chainfile import chosen_blocks
    from fastvm.export_v2 import ExporterV2

    chosen, below = chosen_blocks(genesis, blocks, first, last)
    state = EssentialState(chain_id=genesis.chain_id, fork=genesis.fork, parent_header=genesis.header,
                           accounts=genesis.accounts, inbox=tuple(block.rlp for block in chosen))
    s2 = to_v2(state, store, genesis_config(genesis))
    exporter = ExporterV2(store)
    while s2.cursor < below:
        s2, _info, _witness = exporter.export(s2)
    return s2


def as_version(state: AnyState, s_version: int, store: PreimageStore) -> AnyState:
    """A source's S in the version asked for: a version 1 S becomes version 2 in the store; an S file
    of version 2 stays version 2 (its world must be in the store)."""
    if isinstance(state, EssentialStateV2):
        check_store_holds(state, store)
        return state
    return to_v2(state, store) if s_version == 2 else state


def merge_store(source_folder: Path, target: Path) -> int:
    """Add the preimages of source_folder's store to the store file target (entries are content-addressed,
    so existing ones are kept); returns how many were added. Same file: nothing to do."""
    import sqlite3

    source = store_path(source_folder)
    if not source.is_file() or source.resolve() == Path(target).resolve():
        return 0
    db = sqlite3.connect(str(target))
    try:
        db.execute("ATTACH DATABASE ? AS src", (str(source),))
        before = db.total_changes
        db.execute("INSERT OR IGNORE INTO main.preimages (key, value) SELECT key, value FROM src.preimages")
        db.commit()
        return db.total_changes - before
    except sqlite3.Error as exc:
        raise SwapvmError(f"cannot read the preimage store {source}: {exc}") from None
    finally:
        db.close()


def read_any(path: Path, store_dir: Path | None = None) -> tuple[AnyState, PreimageStore | None]:
    """An S file of either version; version 2 with its store (store_dir, default the file's folder),
    which must hold S's world and inbox roots (MissingPreimage names the first it lacks)."""
    try:
        data = Path(path).read_bytes()
    except OSError as exc:
        raise SwapvmError(f"cannot read {path}: {exc.strerror}") from None
    state = decode_any(data)
    if not isinstance(state, EssentialStateV2):
        return state, None
    store = open_preimages(store_dir if store_dir is not None else Path(path).parent, must_exist=True)
    check_store_holds(state, store)
    return state, store


def write_any(path: Path, state: AnyState) -> bytes:
    """Write an S file of either version; returns its S root."""
    from fastvm.codec import image_root

    image = encode_any(state)
    try:
        Path(path).write_bytes(image)
    except OSError as exc:
        raise SwapvmError(f"cannot write {path}: {exc.strerror}") from exc
    return image_root(image)


def append_v2(state: EssentialStateV2, blocks: list, first: int | None, last: int | None,
              store: PreimageStore) -> tuple[EssentialStateV2, int]:
    """S with a chain file's blocks appended to its inbox trie in the store (block 0 and blocks already
    in the inbox skipped, as on version 1); with `first`, A applies the new blocks before it. Returns
    S and how many blocks were appended."""
    from fastvm.chainfile import below_first, select
    from fastvm.export_v2 import ExporterV2
    from fastvm.inbox_trie import InboxTrie
    from fastvm.preimages import BlockView

    view = BlockView(store)
    trie = InboxTrie(view, state.inbox)  # type: ignore[arg-type]
    known = {trie.block(index) for index in range(state.inbox.length)}
    chosen = select([block for block in blocks if block.number != 0 and block.rlp not in known], first, last)
    for block in chosen:
        trie.append(block.rlp)
    store.put_entries(view.writes, checked=True)
    store.commit()
    appended = state.with_changes(inbox=trie.inbox)
    if first is not None:
        target = state.inbox.length + below_first(chosen, first)
        exporter = ExporterV2(store)
        while appended.cursor < target:
            appended, _info, _witness = exporter.export(appended)
    return appended, len(chosen)


def diff_v2_lines(first: AnyState, second: AnyState, names: tuple[str, str]) -> list[str]:
    """The top-level fields of two S of version 2 that differ, one line each (the world is not in S:
    its root is the parent header's)."""
    from fastvm.state_v2 import PAYLOAD_FIELDS_2

    one, two = names
    if not isinstance(first, EssentialStateV2) or not isinstance(second, EssentialStateV2):
        version = 2 if isinstance(first, EssentialStateV2) else 1
        return [f"{one}'s S is version {version}, {two}'s is not"]
    return [f"{name}: {one} {_shown(getattr(first, name))} / {two} {_shown(getattr(second, name))}"
            for name in PAYLOAD_FIELDS_2 if getattr(first, name) != getattr(second, name)]


def _shown(value: object) -> str:
    """A field of S version 2 for a difference line: bytes in hex, hashes counted, at most 120 characters."""
    from fastvm.state import Outcome
    from fastvm.state_v2 import Inbox

    if isinstance(value, bytes):
        text = "0x" + value.hex()
    elif isinstance(value, Inbox):
        text = f"root 0x{value.root.hex()}, length {value.length}"
    elif isinstance(value, Outcome):
        text = value.status.name.lower() + (f" ({value.reason.name.lower()})" if value.reason else "")
        text += f", gas {value.gas_used}, state root 0x{value.state_root.hex()}"
    elif isinstance(value, tuple) and all(isinstance(item, bytes) for item in value):
        text = f"{len(value)} hashes" + (f", newest 0x{value[-1].hex()}" if value else "")
    else:
        text = repr(value)
    return text if len(text) <= 120 else text[:119] + "…"
