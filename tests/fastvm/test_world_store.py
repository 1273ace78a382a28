"""A world written into the preimage store has the Ethereum state root A computes today (spec §6.5)."""

from __future__ import annotations

import json
import subprocess
import sys
import textwrap
from pathlib import Path

import pytest
from geth_inputs import genesis_of
from hypothesis import given, settings
from s_strategies import accounts

from fastvm.contentdb import store_world
from fastvm.fixtures import initial_state, load_file
from fastvm.genesis import parse_genesis
from fastvm.inspect_state import world_state_root
from fastvm.machine import Machine
from fastvm.preimages import PreimageStore
from fastvm.state import Account
from fastvm.witness import RecordingMachine, state_root_of_header
from fastvm.workloads import workload
from fastvm.world import state_root_of

FIXTURES = Path(__file__).resolve().parents[3] / "shared" / "fixtures" / "ethereum-tests" / "BlockchainTests"
SAMPLE = sorted(FIXTURES.rglob("*.json"))[::15]


@settings(max_examples=40, deadline=None)
@given(accounts())
def test_a_stored_world_has_the_root_of_the_same_world_in_s(world: tuple[Account, ...]) -> None:
    store = PreimageStore()
    assert store_world(store, world, chunk=2) == state_root_of(world)


def test_a_workload_s_is_stored_with_its_world_root() -> None:
    state = workload("erc20", 60, 0, 1)
    store = PreimageStore()
    root = RecordingMachine(store).ensure_world(state)
    assert root == world_state_root(state) == state_root_of_header(state.parent_header)
    assert store.get(root) is not None


@pytest.mark.parametrize("path", SAMPLE, ids=lambda p: p.stem)
def test_a_fixture_pre_state_is_stored_with_its_genesis_root(path: Path) -> None:
    for test in load_file(path):
        store = PreimageStore()
        state = initial_state(test)
        root = state_root_of_header(state.parent_header)
        assert store_world(store, test.pre) == root == world_state_root(state)


@pytest.mark.parametrize("path", SAMPLE[:6], ids=lambda p: p.stem)
def test_a_geth_genesis_is_stored_with_its_header_root(path: Path) -> None:
    for body in json.loads(path.read_text()).values():
        genesis = parse_genesis(genesis_of(body))
        assert store_world(PreimageStore(), genesis.accounts) == state_root_of_header(genesis.header)


def test_a_reopened_store_rebuilds_nothing(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    state = workload("transfers", 30, 1, 3)
    store = PreimageStore(tmp_path / "p.sqlite")
    after, _info, _witness = RecordingMachine(store).export(state)
    store.close()
    reopened = PreimageStore(tmp_path / "p.sqlite")
    rows = len(reopened)

    def refuse(*_args: object) -> None:
        raise AssertionError("the world was rebuilt")

    monkeypatch.setattr("fastvm.witness.store_world", refuse)
    machine = RecordingMachine(reopened)
    assert machine.ensure_world(state) == state_root_of_header(state.parent_header)
    assert machine.ensure_world(after) == state_root_of_header(after.parent_header)
    assert len(reopened) == rows


EXPORTER = textwrap.dedent("""
    import sys
    from fastvm.preimages import PreimageStore
    from fastvm.witness import RecordingMachine
    from fastvm.workloads import workload
    state = workload("transfers", 30, 6, 3)
    machine = RecordingMachine(PreimageStore(sys.argv[1]))
    while state.pending:
        state, info, witness = machine.export(state)
        print(state.cursor, flush=True)
""")


def test_a_store_killed_between_blocks_resumes_without_rebuilding(tmp_path: Path,
                                                                   monkeypatch: pytest.MonkeyPatch) -> None:
    path = tmp_path / "p.sqlite"
    writer = subprocess.Popen([sys.executable, "-c", EXPORTER, str(path)], stdout=subprocess.PIPE, text=True,
                              cwd=Path(__file__).resolve().parents[2])
    assert writer.stdout is not None
    done = [int(writer.stdout.readline()) for _ in range(2)][-1]
    writer.kill()
    writer.wait()
    states = [workload("transfers", 30, 6, 3)]
    machine = Machine()
    while states[-1].pending:
        states.append(machine.step(states[-1])[0])

    def refuse(*_args: object) -> None:
        raise AssertionError("the world was rebuilt")

    monkeypatch.setattr("fastvm.witness.store_world", refuse)
    resumed = RecordingMachine(PreimageStore(path))
    for state in states[: done + 1]:
        assert resumed.ensure_world(state) == state_root_of_header(state.parent_header)
    state = states[done]
    while state.pending:   # the rest of the chain, from the store as the kill left it
        state, _info, _witness = resumed.export(state)
    assert state == states[-1]
