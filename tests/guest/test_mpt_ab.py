"""The trie driver (guest/tests/mpt) as an AB image, its reads served by the machine's preimage
oracle (ECALL 1001): the same answers and roots as py-trie, the guest's keccak check refusing a
wrong preimage, and a missing node stopping the host with its key. Needs the emulator's oracle
(issue 13): skipped, with that reason, on an emulator without it."""

from __future__ import annotations

from pathlib import Path

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st
from mpt_driver import STEP_DELETE, STEP_GET, STEP_PUT, STEP_ROOT, Step, parse_run, steps_arg
from test_mpt import build, hashed_keys, reference, short_keys, steps_of, values

from bench.mpt_probe import OP_MPT_RUN, OP_ORACLE_READ, ab_batch, ab_run, build_ab_image
from emulator.layout import CAUSE_ABORT, SHADOW_CAUSE, SHADOW_STATUS, SHADOW_TVAL, STATUS_FAULTED
from emulator.machine import shadow_field

oracle = pytest.importorskip("emulator.oracle", reason="this emulator has no preimage oracle (ECALL 1001)")
RT_ABORT_PREIMAGE = 3


@pytest.fixture(scope="module")
def elf(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """The AB image of the trie driver, built once per module."""
    return build_ab_image(tmp_path_factory.mktemp("mpt_ab"))


@settings(max_examples=12, deadline=None)
@given(pairs=st.lists(st.tuples(st.one_of(short_keys, hashed_keys), values), max_size=30),
       batch=st.lists(steps_of(st.one_of(short_keys, hashed_keys)), max_size=20))
def test_ab_answers_as_py_trie(elf: Path, pairs: list[tuple[bytes, bytes]], batch: list[Step]) -> None:
    """Gets, puts and deletes on AB from a root alone, the oracle holding py-trie's nodes."""
    root, db = build(pairs)
    steps = [*batch, (STEP_ROOT, b"", b"")]
    responses, _ = ab_batch(elf, [(OP_MPT_RUN, steps_arg(root, steps))], list(db.values()))
    want, _ = reference(dict(db), root, pairs, [batch])
    assert responses[0][0] == 0
    assert parse_run(responses[0][1], steps).answers == want


def test_ab_collapse_reads_the_sibling(elf: Path) -> None:
    """A deletion that collapses a branch onto an unread sibling: one read more than the path."""
    a, b = b"\x10" + b"\x00" * 31, b"\x20" + b"\x00" * 31
    root, db = build([(a, b"A" * 40), (b, b"B" * 40)])
    steps: list[Step] = [(STEP_DELETE, a, b""), (STEP_GET, b, b""), (STEP_ROOT, b"", b"")]
    responses, _ = ab_batch(elf, [(OP_MPT_RUN, steps_arg(root, steps))], list(db.values()))
    got = parse_run(responses[0][1], steps)
    assert got.answers == [True, b"B" * 40, build([(b, b"B" * 40)])[0]]
    assert got.oracle_reads == 3


class WrongOracle:
    """An oracle that answers a key with bytes that do not hash to it."""

    def get(self, key: bytes) -> bytes | None:
        """Always the same 100 bytes."""
        return bytes(range(100))


def test_ab_refuses_a_wrong_preimage(elf: Path) -> None:
    """The guest hashes what the oracle gives: wrong bytes end in guest-abort RT_ABORT_PREIMAGE."""
    machine, _ = ab_run(elf, [(OP_ORACLE_READ, b"\x11" * 32)], WrongOracle())
    state = machine.state()
    assert shadow_field(state, SHADOW_STATUS) == STATUS_FAULTED
    assert shadow_field(state, SHADOW_CAUSE) == CAUSE_ABORT
    assert shadow_field(state, SHADOW_TVAL) == RT_ABORT_PREIMAGE


def test_ab_missing_node_names_its_key(elf: Path) -> None:
    """A witness without the root node: the host stops on the first read, naming the key."""
    root, db = build([(b"\x01" * 32, b"x" * 40), (b"\x02" * 32, b"y" * 40)])
    steps: list[Step] = [(STEP_PUT, b"\x03" * 32, b"z"), (STEP_ROOT, b"", b"")]
    with pytest.raises(oracle.PreimageMissing, match=root.hex()):
        ab_batch(elf, [(OP_MPT_RUN, steps_arg(root, steps))], [v for k, v in db.items() if k != root])
