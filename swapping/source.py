"""What a replay starts from: an S0 file, a description, or BlockchainTests fixtures (one chain per test)."""

from __future__ import annotations

from pathlib import Path

from emulator.errors import SwapvmError
from fastvm.codec import decode
from fastvm.fixtures import fixture_files, initial_state, load_file
from fastvm.state import EssentialState
from swapping.expectations import Expected

Chain = tuple[str, EssentialState]


def load_chains(source: str, test: str | None = None, s_size: int | None = None) -> list[Chain]:
    """(name, S0) for every chain in SOURCE: BlockchainTests file/dir, a TOML description, or an S0 image."""
    return load_sources(source, test, s_size)[0]


def load_sources(
    source: str, test: str | None = None, s_size: int | None = None
) -> tuple[list[Chain], dict[str, Expected]]:
    """The chains of SOURCE, and a fixture's expectations of each chain's end (none for other sources)."""
    path = Path(source)
    if not path.exists():
        raise SwapvmError(f"{source} does not exist")
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
