"""The backend factory and the Machine interface every engine implements."""

from __future__ import annotations

import pytest
from emu_harness import make
from rvasm import yield_

from emulator.errors import SwapvmError
from emulator.machine import describe, make_machine


def test_unknown_backend_is_a_user_error() -> None:
    template = make(yield_())
    with pytest.raises(SwapvmError, match="unknown backend 'bogus'"):
        make_machine("bogus", template, template.initial_state())


def test_every_engine_offers_the_interface(backend: str) -> None:
    template = make(yield_(5))
    state = template.initial_state()
    machine = make_machine(backend, template, state)
    assert machine.template is template
    assert machine.run(0) == 0
    assert machine.root() == state.root() == template.initial_state().root()
    assert machine.run_until_halt(100) == len(yield_(5))
    assert describe(machine.state())["status"] == "yielded"
    assert describe(machine.state())["a0"] == 5
    assert machine.root() == machine.state().root()
