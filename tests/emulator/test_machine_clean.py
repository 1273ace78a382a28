"""The clean: after exactly 2^a steps the root is the template's window root of the S root, for any S;
idle fast-forward equals single stepping, across faults, yields and window boundaries."""

from __future__ import annotations

from emu_harness import clock, make, pc, status, x
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st
from rvasm import EBREAK, i, jal, li, s, yield_

from emulator.layout import RAM_BASE, ROM_BASE, S_BASE, STATUS_RUNNING
from emulator.machine import make_machine
from emulator.template import MachineParams

PARAMS = MachineParams(log2_window=9, ram_size=1 << 16, s_size=1 << 16)
# Reads S[0..8], writes it + 1 back to S[8..16] and to RAM, then yields.
GUEST = [*li(5, S_BASE), i("ld", 6, 5, 0), i("addi", 6, 6, 1), s("sd", 6, 5, 8), *li(7, RAM_BASE),
         s("sd", 6, 7, 0), *yield_(0)]


@settings(max_examples=15, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture])
@given(s_bytes=st.binary(max_size=200))
def test_window_ends_at_the_template_root_of_s(backend: str, s_bytes: bytes) -> None:
    template = make(GUEST, PARAMS)
    machine = make_machine(backend, template, template.initial_state(s_bytes))
    assert machine.run(1 << PARAMS.log2_window) == 1 << PARAMS.log2_window
    state = machine.state()
    assert machine.root() == template.window_root(state.node(25, 1))
    assert (status(state), clock(state), pc(state), x(state, 6)) == (STATUS_RUNNING, 0, ROM_BASE, 0)
    assert state.read(RAM_BASE, 8) == bytes(8)                 # RAM is zero again
    expected = (int.from_bytes(s_bytes[:8].ljust(8, b"\0"), "little") + 1) % (1 << 64)
    assert state.read(S_BASE + 8, 8) == expected.to_bytes(8, "little")   # S keeps the guest's work


def test_fast_forward_equals_single_stepping(backend: str) -> None:
    template = make(GUEST, PARAMS)
    window = 1 << PARAMS.log2_window
    jumped = make_machine(backend, template, template.initial_state(b"\x05"))
    stepped = make_machine(backend, template, template.initial_state(b"\x05"))
    done = 0
    for total in (3, window - 1, window, window + 20, 2 * window + 7):
        assert jumped.run(total - done) == total - done
        for _ in range(total - done):
            assert stepped.run(1) == 1
        done = total
        assert stepped.root() == jumped.root(), f"after {total} steps"


def test_run_counts_exact_steps_across_windows(backend: str) -> None:
    template = make(GUEST, PARAMS)
    window = 1 << PARAMS.log2_window
    a = make_machine(backend, template, template.initial_state(b"\x01"))
    b = make_machine(backend, template, template.initial_state(b"\x01"))
    a.run(2 * window + 5)
    for chunk in (1, 2, window - 3, 3, window, 2):
        b.run(chunk)
    assert a.root() == b.root()
    assert clock(a.state()) == 5


def test_faulted_machine_is_cleaned_and_runs_again(backend: str) -> None:
    template = make([i("addi", 5, 5, 1), EBREAK], PARAMS)
    machine = make_machine(backend, template, template.initial_state())
    assert machine.run_until_halt(100) == 2
    machine.run((1 << PARAMS.log2_window) - 2)
    assert status(machine.state()) == STATUS_RUNNING
    assert machine.root() == template.window_root(machine.state().node(25, 1))
    assert machine.run_until_halt(100) == 2


def test_long_running_guest_is_cut_by_the_clean(backend: str) -> None:
    template = make([i("addi", 5, 5, 1), jal(0, -4)], PARAMS)
    machine = make_machine(backend, template, template.initial_state())
    machine.run((1 << PARAMS.log2_window) - 1)
    assert x(machine.state(), 5) == 1 << (PARAMS.log2_window - 1)
    machine.run(1)
    assert machine.root() == template.window_root(machine.state().node(25, 1))


def test_idle_fast_forward_is_o1_over_a_full_default_window(backend: str) -> None:
    template = make(GUEST, MachineParams(ram_size=1 << 16, s_size=1 << 16))   # log2_window = 32
    machine = make_machine(backend, template, template.initial_state(b"\x09"))
    used = machine.run_until_halt(1000)
    assert machine.run((1 << 32) - used) == (1 << 32) - used                    # ~4e9 idle steps at once
    assert machine.root() == template.window_root(machine.state().node(25, 1))
