"""What a replay starts from: an encoded S0 file, or BlockchainTests fixtures (one chain per test)."""

from __future__ import annotations

from pathlib import Path

from emulator.errors import SwapvmError
from fastvm.codec import decode
from fastvm.fixtures import fixture_files, initial_state, load_file
from fastvm.state import EssentialState

Chain = tuple[str, EssentialState]


def load_chains(source: str, test: str | None = None, s_size: int | None = None) -> list[Chain]:
    """(name, S0) for every chain in SOURCE: BlockchainTests file/dir, a TOML description, or an S0 image."""
    path = Path(source)
    if not path.exists():
        raise SwapvmError(f"{source} does not exist")
    if path.is_file() and path.suffix in (".toml", ".yaml"):
        from fastvm.describe import state_from_description_file

        return [(path.stem, state_from_description_file(path))]
    if path.is_file() and path.suffix != ".json":
        try:
            data = path.read_bytes()
        except OSError as exc:
            raise SwapvmError(f"cannot read {source}: {exc.strerror}") from None
        return [(path.name, decode(data, s_size))]
    chains = [
        (fixture.name, initial_state(fixture))
        for file in fixture_files([path])
        for fixture in load_file(file)
        if test is None or fixture.name == test
    ]
    if not chains:
        raise SwapvmError(f"{source}: no test {test!r}" if test else f"{source}: no BlockchainTests tests")
    return chains
