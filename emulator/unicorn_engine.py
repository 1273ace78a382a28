"""The Unicorn engine of machine AB: the same roots as the reference step, at Unicorn's speed.

Unicorn never defines semantics (spec §2.3–2.4); this module makes it agree with the reference:

* exact step counts: a C block hook counts instructions and stops *before* a block that would
  pass the limit; the rest of that block runs in Unicorn's count mode (a tail);
* hazards: words of text that are not RV64IM (Unicorn would run compressed, CSR, float or atomic
  encodings) are never executed: the block hook stops before a block containing one, the legal
  prefix runs as a tail, and the word faults as illegal-instruction, as in the reference;
* a jump to a pc that is not 4-aligned (Unicorn has RVC, so it jumps): the hook stops at the new
  block; the jump already wrote rd, so the engine restores the last sync point, re-runs to the step
  before the jump and faults there (misaligned-target, pc and registers unchanged);
* fetch, load and store faults come back as Unicorn errors with a precise pc; a store that
  straddles a region end may have written its first bytes, so it is replayed the same way;
* ECALL and EBREAK come back as interrupts (yield, write, abort, unknown number, breakpoint).

RAM and S live in host buffers that are write-protected between syncs, so the state is brought up
to date (and roots recomputed) from dirty pages only. Registers live in Unicorn until a sync
writes them into the shadow page. The state belongs to the engine: changes made to it from outside
between runs are not seen (start a new engine from the changed state instead).
"""

from __future__ import annotations

import functools
import struct
from collections.abc import Callable

from unicorn import Uc, UcError
from unicorn.riscv_const import UC_RISCV_REG_PC, UC_RISCV_REG_X0
from unicorn.unicorn_const import (
    UC_ARCH_RISCV,
    UC_ERR_FETCH_PROT,
    UC_ERR_FETCH_UNMAPPED,
    UC_ERR_INSN_INVALID,
    UC_ERR_READ_PROT,
    UC_ERR_READ_UNMAPPED,
    UC_ERR_WRITE_PROT,
    UC_ERR_WRITE_UNMAPPED,
    UC_HOOK_INTR,
    UC_MODE_RISCV64,
    UC_PROT_EXEC,
    UC_PROT_READ,
    UC_PROT_WRITE,
)

from emulator.access import debug_bytes
from emulator.errors import SwapvmError
from emulator.isa.core import FORMAT_S, IMMEDIATES, Trap, add64, fetchable, is_rv64im, lookup, rs1
from emulator.isa.system import A0, A7, EBREAK_WORD, host_call
from emulator.layout import (
    CAUSE_BREAKPOINT,
    CAUSE_FETCH,
    CAUSE_ILLEGAL,
    CAUSE_LOAD,
    CAUSE_MISALIGNED_TARGET,
    CAUSE_STORE,
    ECALL_PREIMAGE,
    ECALL_YIELD,
    PAGE_BITS,
    PAGE_BYTES,
    RAM_BASE,
    ROM_BASE,
    S_BASE,
    STATUS_RUNNING,
    STATUS_YIELDED,
)
from emulator.oracle import PreimageMissing, PreimageOracle
from emulator.state import MachineState
from emulator.template import Template
from emulator.unicorn_engine_hooks import (
    NO_LIMIT,
    STOP_HAZARD,
    STOP_LIMIT,
    STOP_MISALIGNED,
    STOP_NONE,
    BlockCounter,
    TrackedBuffer,
    ensure_fault_handler,
)
from emulator.window import WindowDriver, read_shadow, write_shadow

MASK64 = (1 << 64) - 1
UNTIL = 0                      # emu_start's stop address: outside text, so reaching it is a fetch fault
INTR_ILLEGAL, INTR_BREAKPOINT = 2, 3
INTR_ECALLS = (8, 9, 11)       # ECALL from U, S or M mode, whichever Unicorn runs in
FETCH_ERRORS = (UC_ERR_FETCH_UNMAPPED, UC_ERR_FETCH_PROT)
LOAD_ERRORS = (UC_ERR_READ_UNMAPPED, UC_ERR_READ_PROT)
STORE_ERRORS = (UC_ERR_WRITE_UNMAPPED, UC_ERR_WRITE_PROT)
Output = Callable[[int, bytes], None]


def memory_access(word: int, rs1_value: int) -> tuple[int, int, bool] | None:
    """(address, size, is_store) of a load or store word (its table entry) at rs1 = rs1_value, else None."""
    entry = lookup(word)
    if entry is None or not entry.width:
        return None
    return add64(rs1_value, IMMEDIATES[entry.format](word)), entry.width, entry.format == FORMAT_S


@functools.lru_cache(maxsize=16)
def hazard_map(code: bytes) -> bytes:
    """One byte per word of code: 1 where it is not RV64IM (cached: machines of one image share it)."""
    return bytes(not is_rv64im(word) for (word,) in struct.iter_unpack("<I", code))


class UnicornMachine(WindowDriver):
    """Machine AB on Unicorn with the semantics of the reference step (see the module docstring)."""

    def __init__(
        self,
        template: Template,
        state: MachineState,
        output: Output | None = None,
        oracle: PreimageOracle | None = None,
    ) -> None:
        """Map template's machine into Unicorn and load state (which this engine then keeps current)."""
        self.template = template
        self._state = state
        self.output = output
        self.oracle = oracle
        self._quiet = False
        self._read_fields()
        self._uc = Uc(UC_ARCH_RISCV, UC_MODE_RISCV64)
        self._rom = self._map_rom()
        self._ram = self._map_buffer(RAM_BASE, self._ram_size)
        self._s = self._map_buffer(S_BASE, self._s_size)
        self._load_memory()
        self._hazard_words = self._hazards()
        self._counter = BlockCounter(self._uc, self._hazard_words, self._text_start)
        self._interrupt: int | None = None
        self._uc.hook_add(UC_HOOK_INTR, self._on_interrupt)
        self._write_registers(self._regs)
        self._retired = 0          # instructions retired since the last sync (the replay point)
        self._protect()

    # --- loading -----------------------------------------------------------------------------
    def _read_fields(self) -> None:
        """Registers, pc, clock, status and the region bounds from the shadow page."""
        shadow = read_shadow(self._state)
        self._regs = [0, *shadow.regs[1:]]
        self._take_fields(shadow)
        found = shadow.bounds()
        self._text_start, self._text_end, self._rom_end, self._ram_size, self._s_size = found
        t = self.template
        expected = (t.text_start, t.text_end, t.rom_end, t.params.ram_size, t.params.s_size)
        if found != expected:
            raise SwapvmError(f"state's shadow bounds {found} differ from the template's {expected}")
        if any(v % PAGE_BYTES for v in found):
            raise SwapvmError("the unicorn backend needs page-aligned text, rom_end, ram_size and s_size")

    def _map_rom(self) -> bytearray:
        """Map [ROM_BASE, rom_end): text pages read+execute, the rest read-only; returns the ROM bytes."""
        rom = bytearray(self._rom_end - ROM_BASE)
        for number, page in self._state.pages.items():
            addr = number << PAGE_BITS
            if ROM_BASE <= addr < self._rom_end:
                rom[addr - ROM_BASE : addr - ROM_BASE + PAGE_BYTES] = page
        ranges = [
            (ROM_BASE, self._text_start, UC_PROT_READ),
            (self._text_start, self._text_end, UC_PROT_READ | UC_PROT_EXEC),
            (self._text_end, self._rom_end, UC_PROT_READ),
        ]
        for start, end, perms in ranges:
            if end > start:
                self._uc.mem_map(start, end - start, perms)
                self._uc.mem_write(start, bytes(rom[start - ROM_BASE : end - ROM_BASE]))
        return rom

    def _map_buffer(self, base: int, size: int) -> TrackedBuffer | None:
        """A write-tracked host buffer mapped read+write at base (None for an empty region)."""
        if size == 0:
            return None
        buffer = TrackedBuffer(size)
        self._uc.mem_map_ptr(base, size, UC_PROT_READ | UC_PROT_WRITE, buffer.address)
        return buffer

    def _regions(self) -> list[tuple[int, TrackedBuffer]]:
        """The writable regions that exist: (base, buffer)."""
        return [(b, buf) for b, buf in ((RAM_BASE, self._ram), (S_BASE, self._s)) if buf is not None]

    def _load_memory(self) -> None:
        """Copy the state's RAM and S pages into the buffers."""
        for number, page in self._state.pages.items():
            addr = number << PAGE_BITS
            for base, buffer in self._regions():
                if base <= addr < base + buffer.size:
                    buffer.write(addr - base, bytes(page))

    def _hazards(self) -> bytes:
        """One byte per text word: 1 where the word is not RV64IM (Unicorn must never run it)."""
        return hazard_map(bytes(self._rom[self._text_start - ROM_BASE : self._text_end - ROM_BASE]))

    # --- registers and sync --------------------------------------------------------------------
    def _write_registers(self, regs: list[int]) -> None:
        """x1..x31 into Unicorn."""
        for i in range(1, 32):
            self._uc.reg_write(UC_RISCV_REG_X0 + i, regs[i])

    def _read_registers(self) -> list[int]:
        """x0..x31 from Unicorn."""
        return [0] + [self._uc.reg_read(UC_RISCV_REG_X0 + i) & MASK64 for i in range(1, 32)]

    def _protect(self) -> None:
        """Start a new dirty-page epoch: the state now equals Unicorn's memory."""
        for _, buffer in self._regions():
            buffer.protect()
        self._retired = 0

    def _sync(self) -> None:
        """Bring the state up to date: changed pages of RAM and S, registers and fields."""
        for base, buffer in self._regions():
            self._take_pages(base, buffer)
        write_shadow(self._state, self._read_registers(), self._fields())
        self._protect()

    _end = _sync

    def _take_pages(self, base: int, buffer: TrackedBuffer) -> None:
        """Copy the pages of buffer written since the last sync into the state, if they changed."""
        for offset in buffer.take_dirty():
            number = (base + offset) >> PAGE_BITS
            data = buffer.page(offset)
            old = self._state.pages.get(number)
            if (bytes(old) if old is not None else bytes(PAGE_BYTES)) != data:
                self._state.set_page(number, data)

    def _restore(self) -> None:
        """Undo everything since the last sync: dirty pages and registers back from the state."""
        for base, buffer in self._regions():
            for offset in buffer.take_dirty():
                page = self._state.pages.get((base + offset) >> PAGE_BITS)
                buffer.write(offset, bytes(page) if page is not None else bytes(PAGE_BYTES))
        self._reload()

    def _before_clean(self) -> None:
        """Before Q := Q*: S's changed pages go to the state, RAM's buffer becomes zero."""
        if self._s is not None:
            self._take_pages(S_BASE, self._s)
        if self._ram is not None:
            self._ram.zero()

    def _reload(self) -> None:
        """Registers and fields from the state's shadow page into Unicorn; a new dirty-page epoch."""
        self._read_fields()
        self._write_registers(self._regs)
        self._protect()

    # --- the public interface (run and run_until_halt: the window driver) --------------------
    def state(self) -> MachineState:
        """The state, brought up to date (dirty pages, registers, fields)."""
        self._sync()
        return self._state

    def root(self) -> bytes:
        """The machine root of the current state (only dirty pages are re-hashed)."""
        return self.state().root()

    # --- execution -----------------------------------------------------------------------------
    def _execute(self, n: int) -> int:
        """Up to n steps of a RUNNING machine; stops right after a yield or fault. Returns steps taken."""
        ensure_fault_handler()
        start = self._retired
        try:
            while self._retired - start < n and self.status == STATUS_RUNNING:
                self._segment(n - (self._retired - start))
        except Trap as fault:
            self._fault(fault)
        except PreimageMissing as missing:
            self._host_error = missing       # the ECALL is not retired: the driver syncs and raises
            return self._retired - start
        halted = self.status != STATUS_RUNNING
        return self._retired - start + halted

    def _fetchable(self, pc: int) -> bool:
        """The reference's fetch check (emulator.isa.core.fetchable)."""
        return fetchable(pc, self._text_start, self._text_end)

    def _start(self, pc: int, count: int = 0) -> int:
        """emu_start from pc; returns Unicorn's error number (0 when it stopped cleanly)."""
        self._interrupt = None
        try:
            self._uc.emu_start(pc, UNTIL, 0, count)
        except UcError as exc:
            return int(exc.errno)
        return 0

    def _segment(self, budget: int) -> None:
        """One emu_start of at most budget instructions from self.pc, and what stopped it."""
        if not self._fetchable(self.pc):
            raise Trap(CAUSE_FETCH, self.pc)
        self._counter.arm(budget)
        error = self._start(self.pc)
        s = self._counter.state
        reason = s.stop_reason
        if reason == STOP_NONE and (error or self._interrupt is not None):
            self._stopped(error, budget)
            return
        # A stop before a block wins over an exception Unicorn still raises for the block's first
        # instruction (an exception-only block): none of that block ran.
        if reason == STOP_MISALIGNED:
            self._replay_and_fault(self._retired + s.count - 1, Trap(CAUSE_MISALIGNED_TARGET, s.stop_addr))
        self._retired += s.count
        self.pc = s.stop_addr if reason != STOP_NONE else self._uc.reg_read(UC_RISCV_REG_PC)
        if reason == STOP_LIMIT:
            self._tail(s.stop_addr, s.stop_size, budget - s.count)
        elif reason == STOP_HAZARD:
            self._hazard(s.stop_addr, s.stop_size, budget - s.count)
        elif reason == STOP_NONE and self.pc != UNTIL:   # at UNTIL the next fetch check faults
            raise SwapvmError(f"unicorn stopped without a reason at pc {self.pc:#x}")

    def _tail(self, pc: int, size: int, count: int) -> None:
        """Run `count` instructions (fewer than the block at pc holds) in Unicorn's count mode."""
        if count <= 0:
            return
        self._uc.ctl_remove_cache(pc, pc + max(size, 4))   # retranslate the block with the counter
        self._counter.arm(NO_LIMIT, checks=False)
        error = self._start(pc, count)
        if error or self._interrupt is not None:
            self._stopped(error, count)
            return
        self._retired += count
        self.pc = self._uc.reg_read(UC_RISCV_REG_PC)

    def _hazard(self, pc: int, size: int, budget: int) -> None:
        """The block at pc holds (or is followed by) a word that is not RV64IM: run up to it, fault there."""
        first = (pc - self._text_start) >> 2
        k = 0
        while first + k < len(self._hazard_words) and not self._hazard_words[first + k]:
            k += 1
        if k > 0 and 4 * k >= size:
            self._counter.state.skip_hazard = pc          # the block ends before it: run it as usual
            return
        self._tail(pc, size, min(k, budget))
        if self.status == STATUS_RUNNING and k < budget and self.pc == pc + 4 * k:
            raise Trap(CAUSE_ILLEGAL, self._word(self.pc))

    def _word(self, pc: int) -> int:
        """The 32-bit word of ROM at pc."""
        return int.from_bytes(self._rom[pc - ROM_BASE : pc - ROM_BASE + 4], "little")

    def _stopped(self, error: int, budget: int) -> None:
        """Unicorn stopped on an interrupt or a memory error inside a block: finish that step."""
        s = self._counter.state
        pc = self._uc.reg_read(UC_RISCV_REG_PC)
        if error in FETCH_ERRORS:
            if pc % 4:      # a jump to a pc that is not 4-aligned, outside text: the jump faults
                self._replay_and_fault(self._retired + s.count - 1, Trap(CAUSE_MISALIGNED_TARGET, pc))
            self._retired += s.count       # the next segment's fetch check faults (if steps remain)
            self.pc = pc
            return
        if self._interrupt is not None:
            pc -= 4                 # Unicorn reports the pc after an instruction that raised an exception
        completed = s.block_count + (pc - s.block_addr) // 4
        self._retired += completed
        self.pc = pc
        if completed >= budget:
            return                  # an exception-only tail of a block, one step past the budget
        if self._interrupt is not None:
            self._on_trap(self._interrupt, pc)
            return
        word = self._word(pc) if self._fetchable(pc) else 0
        if error == UC_ERR_INSN_INVALID and word == EBREAK_WORD:
            raise Trap(CAUSE_BREAKPOINT, pc)           # Unicorn stops on EBREAK with "invalid instruction"
        access = memory_access(word, self._uc.reg_read(UC_RISCV_REG_X0 + rs1(word)))
        if access is None or error not in (*LOAD_ERRORS, *STORE_ERRORS):
            raise SwapvmError(f"unicorn error {error} at {pc:#x} (word {word:#010x}): not a reference fault")
        address, size, is_store = access
        if not is_store:
            raise Trap(CAUSE_LOAD, address)
        if any(base <= a < base + buffer.size for a in (address, address + size - 1)
               for base, buffer in self._regions()):
            # Unicorn may have written the bytes before the region end: undo by replaying.
            self._replay_and_fault(self._retired, Trap(CAUSE_STORE, address))
        raise Trap(CAUSE_STORE, address)

    def _on_trap(self, intno: int, pc: int) -> None:
        """ECALL or EBREAK at pc (spec §2.4); a write continues, everything else halts."""
        if intno == INTR_BREAKPOINT:
            raise Trap(CAUSE_BREAKPOINT, pc)
        if intno == INTR_ILLEGAL:
            raise Trap(CAUSE_ILLEGAL, self._word(pc))
        if intno not in INTR_ECALLS:
            raise SwapvmError(f"unicorn raised exception {intno} at pc {pc:#x}, unknown to the reference")
        reg = self._uc.reg_read
        number = host_call(reg(UC_RISCV_REG_X0 + A7), lambda: reg(UC_RISCV_REG_X0 + A0))
        if number == ECALL_YIELD:
            self.status = STATUS_YIELDED
            return
        if number == ECALL_PREIMAGE:
            regs = self._read_registers()
            self._oracle_read(regs)
            self._uc.reg_write(UC_RISCV_REG_X0 + A0, regs[A0])
            self._uc.reg_write(UC_RISCV_REG_X0 + A0 + 1, regs[A0 + 1])
        else:
            self._debug_write()
        self._retired += 1
        self.pc = pc + 4

    def _region_bounds(self) -> tuple[int, int, int, int, int]:
        """The bounds Unicorn's memory is mapped with."""
        return self._text_start, self._text_end, self._rom_end, self._ram_size, self._s_size

    def _memory_read(self, addr: int, n: int) -> bytes:
        """Bytes of Unicorn's memory."""
        return bytes(self._uc.mem_read(addr, n))

    def _memory_write(self, addr: int, data: bytes) -> None:
        """Store into Unicorn's memory (RAM or S: the page is tracked dirty like a guest store)."""
        self._uc.mem_write(addr, data)

    def _on_interrupt(self, uc: Uc, intno: int, user_data: object) -> None:
        """UC_HOOK_INTR: remember the exception and stop (handled outside the callback)."""
        self._interrupt = intno
        uc.emu_stop()

    def _debug_write(self) -> None:
        """Hand write(a0, a1, a2) to the output callback; no state effect."""
        if self.output is None or self._quiet:
            return
        fd, buf, length = (self._uc.reg_read(UC_RISCV_REG_X0 + r) for r in (A0, A0 + 1, A0 + 2))
        try:
            data = debug_bytes(buf, length, lambda addr, n: bytes(self._uc.mem_read(addr, n)))
        except UcError:
            data = b""
        self.output(fd, data)

    def _replay_and_fault(self, retired: int, fault: Trap) -> None:
        """Go back to the last sync, re-run exactly `retired` instructions, then raise fault there."""
        self._restore()
        self._quiet = True
        try:
            while self._retired < retired:
                self._segment(retired - self._retired)
        finally:
            self._quiet = False
        raise fault
