"""ECALL 1001, the preimage read (spec §2.4): every engine, root for root, at every boundary."""

from __future__ import annotations

import pytest
from conftest import BACKENDS
from emu_harness import SMALL, fault, make, pc, status, x
from hypothesis import given, settings
from hypothesis import strategies as st
from oracle_programs import (
    CODE_24K,
    DST,
    EMPTY,
    PREIMAGES,
    SMALL_PREIMAGE,
    Read,
    boundary_reads,
    expected,
    oracle_of,
    read_words,
    s_with_keys,
)
from rvasm import li, s, yield_

from emulator.layout import (
    CAUSE_LOAD,
    CAUSE_STORE,
    LEAF_BYTES,
    RAM_BASE,
    ROM_BASE,
    S_BASE,
    STATUS_FAULTED,
    STATUS_YIELDED,
    TOP_BASE,
)
from emulator.machine import lockstep, make_machine
from emulator.merkle import keccak
from emulator.oracle import DictOracle, PreimageMissing
from emulator.state import MachineState
from emulator.template import MachineParams, Template

RESULTS = RAM_BASE + 0x8000        # a0 and a1 after read k are stored at RESULTS + 16 k
T0 = 5


def recorded_program(reads: list[Read]) -> list[int]:
    """Every read, each followed by `sd a0, sd a1` into its result slot, then yield."""
    words: list[int] = []
    for k, read in enumerate(reads):
        words += [*read_words(read), *li(T0, RESULTS + 16 * k), s("sd", 10, T0, 0), s("sd", 11, T0, 8)]
    return [*words, *yield_(0)]


def check_results(state: MachineState, data: bytes, reads: list[Read]) -> None:
    """Each read left a0 = n, a1 = len and wrote exactly its bytes into its own destination slot."""
    for k, read in enumerate(reads):
        n, part = expected(data, read)
        assert state.read_u64(RESULTS + 16 * k) == n, read
        assert state.read_u64(RESULTS + 16 * k + 8) == len(data), read
        slot = read.dst - read.dst % LEAF_BYTES
        before = read.dst - slot
        assert state.read(slot, LEAF_BYTES) == bytes(before) + part + bytes(LEAF_BYTES - before - n)


@pytest.mark.parametrize("misalign", [0, 7, 31])
@pytest.mark.parametrize("data", PREIMAGES, ids=["empty", "100 bytes", "24 KiB"])
def test_every_boundary_in_lockstep_on_all_engines(data: bytes, misalign: int) -> None:
    """Offsets, lengths, alignments and the last chunk: all three engines agree after every step."""
    s_bytes, (key_addr,) = s_with_keys((data,), misalign)
    reads = boundary_reads(data, key_addr, 0)
    template = make(recorded_program(reads))
    result = lockstep(template, template.initial_state(s_bytes), BACKENDS, 100_000, every=1,
                      oracle=oracle_of())
    assert result.divergence is None, result.divergence
    assert status(result.state) == STATUS_YIELDED
    check_results(result.state, data, reads)


@settings(max_examples=40, derandomize=True, deadline=None)
@given(
    offset=st.one_of(st.integers(0, 24 * 1024 + 40), st.integers(0, (1 << 64) - 1)),
    align=st.integers(0, 31),
    want=st.one_of(st.integers(0, 40), st.integers(0, (1 << 64) - 1)),
    misalign=st.integers(0, 40),
)
def test_random_reads_match_the_formula_on_fast_and_reference(offset: int, align: int, want: int,
                                                             misalign: int) -> None:
    s_bytes, (key_addr,) = s_with_keys((CODE_24K,), misalign)
    reads = [Read(key_addr, offset, DST + align, want)]
    template = make(recorded_program(reads))
    roots = []
    for backend in ("reference", "fast"):
        machine = make_machine(backend, template, template.initial_state(s_bytes), oracle=oracle_of())
        machine.run_until_halt(10_000)
        check_results(machine.state(), CODE_24K, reads)
        roots.append(machine.root())
    assert roots[0] == roots[1]


# --- a missing key: a host error, the state as before the step ----------------------------------
def _missing_setup() -> tuple[Template, bytes, int]:
    """A program that reads SMALL_PREIMAGE; S with its key; the number of steps before the ECALL."""
    s_bytes, (key_addr,) = s_with_keys((SMALL_PREIMAGE,))
    words = read_words(Read(key_addr, 3, DST, 32))
    return make([*words, *yield_(7)]), s_bytes, len(words) - 1


@pytest.mark.parametrize("how", ["run", "run_until_halt"])
def test_a_missing_key_is_a_host_error_that_keeps_the_state(backend: str, how: str) -> None:
    template, s_bytes, before = _missing_setup()
    reference = make_machine("reference", template, template.initial_state(s_bytes))
    reference.run(before)
    oracle = DictOracle()
    machine = make_machine(backend, template, template.initial_state(s_bytes), oracle=oracle)
    with pytest.raises(PreimageMissing, match=f"no preimage for key 0x{keccak(SMALL_PREIMAGE).hex()}"):
        getattr(machine, how)(1000)
    assert machine.root() == reference.root()                 # exactly the state before the ECALL
    assert pc(machine.state()) == ROM_BASE + 4 * before
    with pytest.raises(PreimageMissing):                      # asking again changes nothing
        machine.run(1)
    assert machine.root() == reference.root()
    oracle.add(SMALL_PREIMAGE)                                # with the preimage the run goes on
    machine.run_until_halt(1000)
    complete = make_machine("reference", template, template.initial_state(s_bytes),
                            oracle=oracle_of((SMALL_PREIMAGE,)))
    complete.run_until_halt(1000)
    assert machine.root() == complete.root()
    assert x(machine.state(), 10) == 7 and status(machine.state()) == STATUS_YIELDED


# --- faults: key first, then the oracle, then the destination ------------------------------------
def _run_one(backend: str, read: Read, s_bytes: bytes, oracle: DictOracle,
             params: MachineParams = SMALL) -> MachineState:
    """Run a program with one read on backend."""
    template = make([*read_words(read), *yield_(0)], params)
    machine = make_machine(backend, template, template.initial_state(s_bytes), oracle=oracle)
    machine.run_until_halt(1000)
    return machine.state()


@pytest.mark.parametrize("key_addr", [0x8, RAM_BASE + SMALL.ram_size - 16, TOP_BASE - 16, 1 << 40],
                         ids=["shadow page", "straddles RAM end", "straddles ROM end", "above 4 GiB"])
def test_an_unreadable_key_is_a_load_fault(backend: str, key_addr: int) -> None:
    state = _run_one(backend, Read(key_addr, 0, DST, 32), b"", DictOracle())   # the oracle is not asked
    assert status(state) == STATUS_FAULTED
    assert fault(state) == (CAUSE_LOAD, key_addr)
    assert x(state, 10) == key_addr


def test_a_key_at_the_end_of_rom_is_readable(backend: str) -> None:
    """The key is read from ROM, ending exactly at rom_end: no fault."""
    rodata = bytes(4096 - 32) + keccak(EMPTY)               # the key fills rodata's last 32 bytes
    key_addr = make([*read_words(Read(0, 0, DST, 32)), *yield_(0)], SMALL, rodata).rom_end - 32
    template = make([*read_words(Read(key_addr, 0, DST, 32)), *yield_(0)], SMALL, rodata)
    machine = make_machine(backend, template, template.initial_state(), oracle=oracle_of((EMPTY,)))
    machine.run_until_halt(1000)
    assert status(machine.state()) == STATUS_YIELDED
    assert (x(machine.state(), 10), x(machine.state(), 11)) == (0, 0)


@pytest.mark.parametrize("dst", [ROM_BASE, 0x40, S_BASE + SMALL.s_size, TOP_BASE])
def test_an_unwritable_destination_is_a_store_fault(backend: str, dst: int) -> None:
    s_bytes, (key_addr,) = s_with_keys((SMALL_PREIMAGE,))
    state = _run_one(backend, Read(key_addr, 0, dst, 32), s_bytes, oracle_of())
    assert status(state) == STATUS_FAULTED
    assert fault(state) == (CAUSE_STORE, dst)
    assert (x(state, 10), x(state, 11)) == (key_addr, 0)        # a0, a1 unchanged


def test_nothing_to_write_never_faults_on_the_destination(backend: str) -> None:
    s_bytes, (key_addr,) = s_with_keys((SMALL_PREIMAGE,))
    state = _run_one(backend, Read(key_addr, len(SMALL_PREIMAGE), ROM_BASE, 32), s_bytes, oracle_of())
    assert status(state) == STATUS_YIELDED
    assert (x(state, 10), x(state, 11)) == (0, len(SMALL_PREIMAGE))


def test_the_oracle_comes_before_the_destination_and_after_the_key(backend: str) -> None:
    s_bytes, (key_addr,) = s_with_keys((SMALL_PREIMAGE,))
    with pytest.raises(PreimageMissing):
        _run_one(backend, Read(key_addr, 0, ROM_BASE, 32), s_bytes, DictOracle())
    state = _run_one(backend, Read(0x8, 0, ROM_BASE, 32), s_bytes, DictOracle())
    assert fault(state) == (CAUSE_LOAD, 0x8)
