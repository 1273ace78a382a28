"""What a replay starts from: an S0 file, a description, BlockchainTests fixtures (one chain per test),
or a geth-style genesis with the blocks of a `geth export` file."""

from __future__ import annotations

import json
from dataclasses import dataclass
from pathlib import Path

from emulator.errors import SwapvmError
from fastvm.codec import decode
from fastvm.fixtures import fixture_files, initial_state, load_file
from fastvm.state import EssentialState
from swapping.expectations import Expected

Chain = tuple[str, EssentialState]


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
    source: str, test: str | None = None, s_size: int | None = None, chain_file: ChainFile | None = None
) -> tuple[list[Chain], dict[str, Expected]]:
    """The chains of SOURCE, and a fixture's expectations of each chain's end (none for other sources)."""
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

        state = state_from_genesis(load_genesis(path), read_blocks(chain_file.path), chain_file.first,
                                   chain_file.last)
        return [(path.stem, state)], {}
    if path.is_file() and path.suffix in (".toml", ".yaml"):
        from fastvm.describe import state_from_description_file

        return [(path.stem, state_from_description_file(path))], {}
    if path.is_file() and path.suffix != ".json":
        try:
            data = path.read_bytes()
        except OSError as exc:
            raise SwapvmError(f"cannot read {source}: {exc.strerror}") from None
        return [(path.name, decode(data, s_size))], {}
    fixtures = [
        fixture
        for file in fixture_files([path])
        for fixture in load_file(file)
        if test is None or fixture.name == test
    ]
    if not fixtures:
        raise SwapvmError(f"{source}: no test {test!r}" if test else f"{source}: no BlockchainTests tests")
    return [(f.name, initial_state(f)) for f in fixtures], {f.name: Expected.of(f) for f in fixtures}
