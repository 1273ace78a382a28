"""The window driver the fast and Unicorn engines share: run, idle, faults, the clean, the shadow page.

The reference step (emulator.step) defines what a step does; an engine that runs many steps at
once must agree with it at every step count. This module holds everything of that agreement that
is not instruction execution (spec §2.3, §2.10): chunking a run at the window's end, executing only
while RUNNING and fast-forwarding idle steps in O(1), the clean (Q := Q*), recording a fault, and
moving registers and fields between the shadow page and the engine, and the preimage read
(ECALL 1001) over the engine's registers and memory. An engine supplies only `_execute` (run up to
n instructions), how its memory and registers follow the state (`_begin`, `_end`,
`_before_clean`, `_reload`) and raw memory access for the oracle read (`_memory_read`,
`_memory_write`).
"""

from __future__ import annotations

from dataclasses import dataclass

from emulator.access import install_qstar
from emulator.isa.core import MASK64, Trap, inside, regions
from emulator.isa.system import A0, A1, A2, A3
from emulator.layout import (
    CAUSE_LOAD,
    CAUSE_STORE,
    SHADOW_BASE,
    SHADOW_CAUSE,
    SHADOW_CLOCK,
    SHADOW_LOG2_WINDOW,
    SHADOW_PC,
    SHADOW_RAM_SIZE,
    SHADOW_ROM_END,
    SHADOW_S_SIZE,
    SHADOW_STATUS,
    SHADOW_TEXT_END,
    SHADOW_TEXT_START,
    SHADOW_TVAL,
    SHADOW_X,
    STATUS_FAULTED,
    STATUS_RUNNING,
)
from emulator.oracle import KEY_BYTES, PreimageMissing, PreimageOracle, lookup, part_length
from emulator.state import MachineState
from emulator.step import steps_to_clean
from emulator.template import Template

SHADOW_FIELDS_BYTES = SHADOW_S_SIZE + 8    # x0..x31 and every machine field


@dataclass
class Shadow:
    """The registers and machine fields of a shadow page, as integers."""

    regs: list[int]      # x0..x31 (x0 as stored, normally 0)
    pc: int
    clock: int
    status: int
    cause: int
    tval: int
    log2_window: int
    text_start: int
    text_end: int
    rom_end: int
    ram_size: int
    s_size: int

    def bounds(self) -> tuple[int, int, int, int, int]:
        """(text_start, text_end, rom_end, ram_size, s_size): what fetches, loads and stores check."""
        return self.text_start, self.text_end, self.rom_end, self.ram_size, self.s_size


def read_shadow(state: MachineState) -> Shadow:
    """The shadow page of state, read once."""
    raw = state.read(SHADOW_BASE, SHADOW_FIELDS_BYTES)
    fields = [int.from_bytes(raw[k : k + 8], "little") for k in range(0, SHADOW_FIELDS_BYTES, 8)]
    named = (
        SHADOW_PC, SHADOW_CLOCK, SHADOW_STATUS, SHADOW_CAUSE, SHADOW_TVAL, SHADOW_LOG2_WINDOW,
        SHADOW_TEXT_START, SHADOW_TEXT_END, SHADOW_ROM_END, SHADOW_RAM_SIZE, SHADOW_S_SIZE,
    )
    return Shadow(fields[SHADOW_X // 8 : SHADOW_X // 8 + 32], *(fields[k // 8] for k in named))


def write_shadow(state: MachineState, regs: list[int], fields: tuple[int, int, int, int, int]) -> None:
    """Store x1..x31 and (pc, clock, status, cause, tval) into the shadow page of state."""
    state.write(SHADOW_BASE + SHADOW_X + 8, b"".join((v & MASK64).to_bytes(8, "little") for v in regs[1:32]))
    state.write(SHADOW_BASE + SHADOW_PC, b"".join(v.to_bytes(8, "little") for v in fields))


class WindowDriver:
    """A machine AB engine's run loop over windows; subclasses execute instructions and move pages."""

    template: Template
    _state: MachineState
    pc: int
    clock: int
    status: int
    cause: int
    tval: int
    log2_window: int
    oracle: PreimageOracle | None = None
    _host_error: PreimageMissing | None = None

    def _take_fields(self, shadow: Shadow) -> None:
        """Adopt pc, clock, status, cause, tval and log2_window from a shadow page."""
        self.pc, self.clock, self.status = shadow.pc, shadow.clock, shadow.status
        self.cause, self.tval, self.log2_window = shadow.cause, shadow.tval, shadow.log2_window

    def _fields(self) -> tuple[int, int, int, int, int]:
        """(pc, clock, status, cause, tval) as the shadow page stores them."""
        return self.pc, self.clock, self.status, self.cause, self.tval

    # --- the public interface ----------------------------------------------------------------------
    def run(self, steps: int) -> int:
        """Exactly `steps` steps: instructions while RUNNING, idle ticks in O(1), the clean at window ends."""
        return self._drive(steps, until_halt=False)

    def run_until_halt(self, max_steps: int) -> int:
        """Run until right after the step that yields or faults, or max_steps; returns steps done."""
        return self._drive(max_steps, until_halt=True)

    def _drive(self, steps: int, until_halt: bool) -> int:
        """Run in chunks that end at the clean; idle chunks only tick, unless stopping at the halt."""
        self._begin()
        done = 0
        while done < steps and not (until_halt and self.status != STATUS_RUNNING):
            to_clean = steps_to_clean(self.clock, self.log2_window)
            chunk = steps - done if to_clean is None else min(steps - done, to_clean)
            if self.status == STATUS_RUNNING:
                executed = self._execute(chunk)
                if self._host_error is not None:
                    self._stop_on_host_error(executed)
                chunk = executed if until_halt else chunk
            self.clock = (self.clock + chunk) & MASK64
            done += chunk
            if chunk == to_clean:
                self._clean()
        self._end()
        return done

    def _stop_on_host_error(self, executed: int) -> None:
        """The step after `executed` ones read a missing key: keep the state from before it, raise."""
        error, self._host_error = self._host_error, None
        assert error is not None
        self.clock = (self.clock + executed) & MASK64
        self._end()
        raise error

    # --- shared steps of the window ------------------------------------------------------------------
    def _oracle_read(self, regs: list[int]) -> None:
        """ECALL 1001 over regs (x0..x31, a0 and a1 updated) and the engine's memory (spec §2.4).

        The same order as emulator.isa.system.preimage_read: key (load fault), oracle (a missing key
        raises PreimageMissing before anything changes), the n bytes (store fault), a0 and a1.
        """
        key_addr, offset, dst, want = regs[A0], regs[A1], regs[A2], regs[A3]
        _, _, rom_end, ram_size, s_size = self._region_bounds()
        if not inside(key_addr, KEY_BYTES, regions(ram_size, s_size, rom_end, False)):
            raise Trap(CAUSE_LOAD, key_addr)
        data = lookup(self.oracle, self._memory_read(key_addr, KEY_BYTES))
        n = part_length(offset, dst, want, len(data))
        if n > 0:
            if not inside(dst, n, regions(ram_size, s_size, rom_end, True)):
                raise Trap(CAUSE_STORE, dst)
            self._memory_write(dst, data[offset : offset + n])
        regs[A0], regs[A1] = n, len(data)

    def _fault(self, trap: Trap) -> None:
        """The instruction at pc faults: FAULTED with the trap's cause and tval (pc unchanged)."""
        self.status, self.cause, self.tval = STATUS_FAULTED, trap.cause, trap.tval

    def _clean(self) -> None:
        """Q := Q* (spec §2.3): the engine hands over S, the state takes Q*, the engine reloads from it."""
        self._before_clean()
        install_qstar(self._state, self.template.qstar_pages())
        self._reload()

    # --- what an engine supplies ---------------------------------------------------------------------
    def _execute(self, n: int) -> int:
        """Execute up to n instructions of a RUNNING machine; stop right after a yield or fault."""
        raise NotImplementedError

    def _begin(self) -> None:
        """Before a run: take anything the engine must from the state."""

    def _end(self) -> None:
        """After a run: bring the state up to date (registers, fields, memory)."""
        raise NotImplementedError

    def _before_clean(self) -> None:
        """Before the clean: hand the state whatever of the engine's memory survives it (S)."""

    def _region_bounds(self) -> tuple[int, int, int, int, int]:
        """(text_start, text_end, rom_end, ram_size, s_size) the engine runs with."""
        raise NotImplementedError

    def _memory_read(self, addr: int, n: int) -> bytes:
        """n bytes of the engine's memory (the range is readable)."""
        raise NotImplementedError

    def _memory_write(self, addr: int, data: bytes) -> None:
        """Store into the engine's memory (the range is writable)."""
        raise NotImplementedError

    def _reload(self) -> None:
        """After the clean: take registers, fields and Q's memory from the state."""
        raise NotImplementedError
