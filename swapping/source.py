"""What a replay starts from: an S0 file, a description, BlockchainTests fixtures (one chain per test),
or a geth-style genesis with the blocks of a `geth export` file."""

from __future__ import annotations

import json
from dataclasses import dataclass
from pathlib import Path

from emulator.errors import SwapvmError
from fastvm.fixtures import FixtureTest, fixture_files, initial_state, load_file
from fastvm.preimages import PreimageStore
from fastvm.sfiles import AnyState, as_version, decode_any, merge_store
from fastvm.state import EssentialState
from fastvm.state_v2 import EssentialStateV2
from swapping.expectations import Expected

Chain = tuple[str, AnyState]


@dataclass(frozen=True)
class ChainFile:
    """The blocks to replay on a genesis: a CHAIN.rlp file and the header numbers to start and stop at."""

    path: Path
    first: int | None = None
    last: int | None = None


def _genesis_spec(path: Path) -> bool:
    """True when a .json file is a geth-style genesis rather than a BlockchainTests file."""
    from fastvm.genesis import is_genesis

    try:
        return is_genesis(json.loads(path.read_text()))
    except (OSError, UnicodeDecodeError, json.JSONDecodeError):
        return False   # the fixture reader names what is wrong with it


def load_chains(source: str, test: str | None = None, s_size: int | None = None) -> list[Chain]:
    """(name, S0) for every chain in SOURCE: BlockchainTests file/dir, a TOML description, or an S0 image."""
    return load_sources(source, test, s_size)[0]


def load_sources(
    source: str, test: str | None = None, s_size: int | None = None, chain_file: ChainFile | None = None,
    s_version: int = 1, preimages: PreimageStore | None = None,
) -> tuple[list[Chain], dict[str, Expected]]:
    """The chains of SOURCE, and a fixture's expectations of each chain's end (none for other sources).

    With s_version 2 (and the run's preimage store) every S0 is version 2, its world in the store; an S
    file of version 2 is read with the store in its own folder, whose preimages join the run's."""
    chains, expected = _load(source, test, s_size, chain_file, s_version, preimages)
    if preimages is None:
        if any(isinstance(s0, EssentialStateV2) for _, s0 in chains):
            raise SwapvmError(f"{source}: an S of version 2 needs a preimage store")
        return chains, expected
    return [(name, as_version(s0, s_version, preimages)) for name, s0 in chains], expected


def _load(source: str, test: str | None, s_size: int | None, chain_file: ChainFile | None, s_version: int,
          preimages: PreimageStore | None) -> tuple[list[Chain], dict[str, Expected]]:
    """The chains of SOURCE as it gives them (version 1, or the version of an S file)."""
    path = Path(source)
    if not path.exists():
        raise SwapvmError(f"{source} does not exist")
    genesis = path.is_file() and path.suffix == ".json" and _genesis_spec(path)
    if genesis != (chain_file is not None):
        raise SwapvmError(f"{source} is a genesis: give its blocks with --blocks CHAIN.rlp" if genesis
                          else "--blocks, --from and --to go with a genesis file as SOURCE")
    if chain_file is not None:
        from fastvm.chainfile import read_blocks, state_from_genesis
        from fastvm.genesis import load_genesis

        genesis, blocks = load_genesis(path), read_blocks(chain_file.path)
        if s_version == 2 and preimages is not None:
            from fastvm.sfiles import genesis_v2

            s0 = genesis_v2(genesis, blocks, chain_file.first, chain_file.last, preimages)
            return [(path.stem, s0)], {}
        state = state_from_genesis(genesis, blocks, chain_file.first, chain_file.last)
        return [(path.stem, state)], {}
    if path.is_file() and path.suffix in (".toml", ".yaml"):
        from fastvm.describe import state_from_description_file

        return [(path.stem, state_from_description_file(path))], {}
    if path.is_file() and path.suffix != ".json":
        try:
            data = path.read_bytes()
        except OSError as exc:
            raise SwapvmError(f"cannot read {source}: {exc.strerror}") from None
        state = decode_any(data, s_size)
        if isinstance(state, EssentialStateV2) and preimages is not None and preimages.path is not None:
            merge_store(path.parent, preimages.path)
        return [(path.name, state)], {}
    fixtures = [
        fixture
        for file in fixture_files([path])
        for fixture in load_file(file)
        if test is None or fixture.name == test
    ]
    if not fixtures:
        raise SwapvmError(f"{source}: no test {test!r}" if test else f"{source}: no BlockchainTests tests")
    expected = {f.name: Expected.of(f) for f in fixtures}
    if s_version == 2 and preimages is not None:   # a fixture's network gives the schedule (transitions too)
        from fastvm.fixtures import chain_config, genesis_header
        from fastvm.sfiles import to_v2

        def v2(f: FixtureTest) -> AnyState:
            """S0 of the test on version 2, its world and inbox in the run's store."""
            s1 = EssentialState(chain_id=chain_config(f).chain_id, fork=f.fork,
                                parent_header=genesis_header(f.genesis_rlp, f.fork), accounts=f.pre,
                                inbox=f.blocks)
            return to_v2(s1, preimages, chain_config(f))

        return [(f.name, v2(f)) for f in fixtures], expected
    return [(f.name, initial_state(f)) for f in fixtures], expected


def chain_store(source: str, s_version: int, store_dir: Path | None) -> PreimageStore | None:
    """The preimage store a one-chain command (window, trace) reads SOURCE with: an S file of version 2
    needs its own (store_dir, default the file's folder); a chain built on version 2 gets store_dir's
    or an in-memory one; version 1 needs none."""
    from fastvm.sfiles import image_version, open_preimages

    path = Path(source)
    if path.is_file() and path.suffix not in (".json", ".toml", ".yaml"):
        with path.open("rb") as handle:
            if image_version(handle.read(8)) == 2:
                return open_preimages(store_dir if store_dir is not None else path.parent, must_exist=True)
    if s_version != 2:
        return None
    return open_preimages(store_dir) if store_dir is not None else PreimageStore()
