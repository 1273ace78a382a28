"""The fast pure-Python engine: each instruction is predecoded once into a closure, cached by pc.

It is the optimized twin of the spec step (emulator.step): same states, same roots. The closures
are built from the instruction table (emulator.isa): an instruction's format says which operands it
takes, its `operation`, `width` and `signed` what it does. The hottest operations are also inlined
as source expressions (no call per step); tests/emulator/test_fast_copies.py checks every closure
against the table's semantics on every instruction with boundary and random operands. The run
loop, faults, the clean and the shadow page are the shared window driver (emulator.window).
Registers live in a Python list while running and are written back to the shadow page when a run
ends; memory is the MachineState's own pages (dirty pages marked).
"""

from __future__ import annotations

import struct
import time
from collections.abc import Callable

from emulator.access import debug_bytes
from emulator.isa import Instruction, Trap, lookup
from emulator.isa.core import (
    FORMAT_B,
    FORMAT_I,
    FORMAT_OFFSET,
    FORMAT_R,
    FORMAT_S,
    FORMAT_SHIFT,
    FORMAT_U,
    IMMEDIATES,
    MASK64,
    Operation,
    add64,
    fetchable,
    imm_b,
    imm_i,
    imm_j,
    imm_s,
    imm_u,
    inside,
    rd,
    regions,
    rs1,
    rs2,
    sext,
)
from emulator.isa.system import A0, A7, host_call
from emulator.layout import (
    CAUSE_BREAKPOINT,
    CAUSE_FETCH,
    CAUSE_ILLEGAL,
    CAUSE_LOAD,
    CAUSE_MISALIGNED_TARGET,
    CAUSE_STORE,
    ECALL_PREIMAGE,
    ECALL_YIELD,
    PAGE_BYTES,
    STATUS_YIELDED,
)
from emulator.oracle import PreimageMissing, PreimageOracle
from emulator.state import MachineState
from emulator.template import Template
from emulator.window import WindowDriver, read_shadow, write_shadow

Op = Callable[[], int]
SCRATCH = 32                      # writes to x0 land here; regs[0] stays 0
SIGN = 1 << 63


class _Yield(Exception):
    """Raised by the ECALL closure when the guest yields."""


# Hot operations as source expressions over regs[s1], regs[s2] and imm, by mnemonic: copies of the
# table's operations for speed (no call per step), compiled into closure factories once at import.
INLINE_ALU_SOURCE: dict[str, str] = {
    "add": "(regs[s1] + regs[s2]) & MASK64",
    "sub": "(regs[s1] - regs[s2]) & MASK64",
    "sll": "(regs[s1] << (regs[s2] & 63)) & MASK64",
    "sltu": "int(regs[s1] < regs[s2])",
    "xor": "regs[s1] ^ regs[s2]",
    "srl": "regs[s1] >> (regs[s2] & 63)",
    "or": "regs[s1] | regs[s2]",
    "and": "regs[s1] & regs[s2]",
    "mul": "(regs[s1] * regs[s2]) & MASK64",
    "addi": "(regs[s1] + imm) & MASK64",
    "sltiu": "int(regs[s1] < imm)",
    "xori": "regs[s1] ^ imm",
    "ori": "regs[s1] | imm",
    "andi": "regs[s1] & imm",
    "slli": "(regs[s1] << imm) & MASK64",
    "srli": "regs[s1] >> imm",
}
INLINE_BRANCH_SOURCE: dict[str, str] = {   # taken condition (signed order via the sign flip)
    "beq": "regs[s1] == regs[s2]",
    "bne": "regs[s1] != regs[s2]",
    "blt": "(regs[s1] ^ SIGN) < (regs[s2] ^ SIGN)",
    "bge": "(regs[s1] ^ SIGN) >= (regs[s2] ^ SIGN)",
    "bltu": "regs[s1] < regs[s2]",
    "bgeu": "regs[s1] >= regs[s2]",
}


def _compile_factory(source: str) -> Callable[..., Op]:
    """Build a closure factory from generated source (names: MASK64, SIGN)."""
    namespace: dict[str, object] = {"MASK64": MASK64, "SIGN": SIGN}
    exec(source, namespace)
    factory = namespace["make"]
    assert callable(factory)
    return factory


INLINE_ALU: dict[str, Callable[..., Op]] = {
    mnemonic: _compile_factory(
        "def make(regs, d, s1, s2, imm, nxt):\n"
        "    def op():\n"
        f"        regs[d] = {expression}\n"
        "        return nxt\n"
        "    return op\n"
    )
    for mnemonic, expression in INLINE_ALU_SOURCE.items()
}
INLINE_BRANCH: dict[str, Callable[..., Op]] = {
    mnemonic: _compile_factory(
        "def make(regs, s1, s2, target, nxt):\n"
        "    def op():\n"
        f"        return target if {expression} else nxt\n"
        "    return op\n"
    )
    for mnemonic, expression in INLINE_BRANCH_SOURCE.items()
}
UNSIGNED_FORMATS = {1: "<B", 2: "<H", 4: "<I", 8: "<Q"}
SIGNED_FORMATS = {1: "<b", 2: "<h", 4: "<i", 8: "<q"}


class FastMachine(WindowDriver):
    """Machine AB as predecoded closures; the same observable behaviour as ReferenceMachine."""

    def __init__(
        self,
        template: Template,
        state: MachineState,
        output: Callable[[int, bytes], None] | None = None,
        oracle: PreimageOracle | None = None,
    ) -> None:
        """Run template's machine from state (mutated in place); oracle serves ECALL 1001."""
        self.template = template
        self._state = state
        self.output = output
        self.oracle = oracle
        self.regs = [0] * 33
        self.ops: dict[int, Op] = {}
        self._bounds: tuple[int, ...] = ()
        self._load()

    # --- shadow page <-> engine ---------------------------------------------------------------------
    def _load(self) -> None:
        """Take registers and fields from the shadow page; recompile if the region bounds changed."""
        shadow = read_shadow(self._state)
        self.regs[:] = [0, *shadow.regs[1:], 0]
        self._take_fields(shadow)
        if shadow.bounds() != self._bounds:
            self._bounds = shadow.bounds()
            self.ops = {}

    _begin = _reload = _load

    def _end(self) -> None:
        """Write registers and fields back into the shadow page."""
        write_shadow(self._state, self.regs, self._fields())

    def state(self) -> MachineState:
        """The live state (the shadow page is current between runs)."""
        return self._state

    def root(self) -> bytes:
        """The machine root."""
        return self._state.root()

    # --- the hot loop --------------------------------------------------------------------------------
    def _execute(self, n: int) -> int:
        """Execute up to n instructions; stop after one that yields or faults. Returns steps taken."""
        ops, pc, start = self.ops, self.pc, 0
        while True:
            try:
                for i in range(start, n):  # noqa: B007 -- i counts the steps done when one raises
                    pc = ops[pc]()
                self.pc = pc
                return n
            except KeyError:
                try:
                    ops[pc] = self._compile(pc)
                except Trap as trap:
                    self.pc = pc
                    self._fault(trap)
                    return i + 1
                start = i
            except Trap as trap:
                self.pc = pc
                self._fault(trap)
                return i + 1
            except _Yield:
                self.pc = pc
                self.status = STATUS_YIELDED
                return i + 1
            except PreimageMissing as missing:
                self.pc = pc             # the step is not taken: the window driver keeps the state
                self._host_error = missing
                return i

    # --- predecoding ---------------------------------------------------------------------------------
    def _compile(self, pc: int) -> Op:
        """Fetch and decode the instruction at pc into a closure; fetch faults and illegal words raise."""
        if not fetchable(pc, self._bounds[0], self._bounds[1]):
            raise Trap(CAUSE_FETCH, pc)
        word = int.from_bytes(self._state.read(pc, 4), "little")
        entry = lookup(word)
        if entry is None:
            raise Trap(CAUSE_ILLEGAL, word)
        return self._closure(entry, word, pc)

    def _closure(self, entry: Instruction, word: int, pc: int) -> Op:
        """The closure for one legal word at pc, from its table entry."""
        fmt, nxt = entry.format, pc + 4
        if fmt == FORMAT_R:
            return self._alu_op(entry, rd(word), rs1(word), rs2(word), None, nxt)
        if fmt in (FORMAT_I, FORMAT_SHIFT):
            return self._alu_op(entry, rd(word), rs1(word), 0, IMMEDIATES[fmt](word), nxt)
        if fmt == FORMAT_U:
            assert entry.operation is not None
            return self._constant(rd(word), entry.operation(pc, imm_u(word)), nxt)
        if fmt == FORMAT_B:
            return self._branch(entry, rs1(word), rs2(word), add64(pc, imm_b(word)), nxt)
        if fmt == FORMAT_OFFSET and entry.width:
            return self._load_op(rd(word), rs1(word), imm_i(word), entry.width, entry.signed, nxt)
        if fmt == FORMAT_S:
            return self._store_op(rs1(word), rs2(word), imm_s(word), entry.width, nxt)
        return self._special(entry.mnemonic, word, pc)

    def _special(self, mnemonic: str, word: int, pc: int) -> Op:
        """JAL, JALR, ECALL, EBREAK, FENCE and FENCE.I."""
        nxt = pc + 4
        if mnemonic == "jal":
            return self._jal(rd(word), add64(pc, imm_j(word)), nxt)
        if mnemonic == "jalr":
            return self._jalr(rd(word), rs1(word), imm_i(word), nxt)
        if mnemonic == "ecall":
            return self._ecall(pc)
        if mnemonic == "ebreak":
            return self._raise(Trap(CAUSE_BREAKPOINT, pc))
        return lambda: nxt   # FENCE, FENCE.I

    def _alu_op(self, entry: Instruction, d: int, s1: int, s2: int, imm: int | None, nxt: int) -> Op:
        """rd = operation(rs1, rs2 or imm): inlined for the common operations, a call otherwise."""
        regs, d = self.regs, d or SCRATCH
        if entry.mnemonic in INLINE_ALU:
            return INLINE_ALU[entry.mnemonic](regs, d, s1, s2, imm or 0, nxt)
        fn: Operation | None = entry.operation
        assert fn is not None
        if imm is None:
            def binary() -> int:
                """Any other register-register instruction."""
                regs[d] = fn(regs[s1], regs[s2])
                return nxt
            return binary

        def immediate() -> int:
            """Any other register-immediate instruction."""
            regs[d] = fn(regs[s1], imm)
            return nxt
        return immediate

    def _constant(self, d: int, value: int, nxt: int) -> Op:
        """rd = a value known at decode time (LUI, AUIPC)."""
        regs, d = self.regs, d or SCRATCH

        def constant() -> int:
            """LUI / AUIPC."""
            regs[d] = value
            return nxt
        return constant

    def _branch(self, entry: Instruction, s1: int, s2: int, target: int, nxt: int) -> Op:
        """pc = target if the branch is taken on rs1, rs2, else pc + 4; a misaligned target faults."""
        regs = self.regs
        if target % 4 == 0:
            return INLINE_BRANCH[entry.mnemonic](regs, s1, s2, target, nxt)
        taken = entry.operation
        assert taken is not None

        def misaligned_branch() -> int:
            """A branch whose taken target faults."""
            if taken(regs[s1], regs[s2]):
                raise Trap(CAUSE_MISALIGNED_TARGET, target)
            return nxt
        return misaligned_branch

    def _jal(self, d: int, target: int, nxt: int) -> Op:
        """rd = pc + 4; pc = target."""
        if target % 4:
            return self._raise(Trap(CAUSE_MISALIGNED_TARGET, target))
        regs, d = self.regs, d or SCRATCH

        def jal() -> int:
            """JAL."""
            regs[d] = nxt
            return target
        return jal

    def _jalr(self, d: int, s1: int, imm: int, nxt: int) -> Op:
        """rd = pc + 4; pc = (rs1 + imm) & ~1, faulting if that is not 4-aligned."""
        regs, d = self.regs, d or SCRATCH

        def jalr() -> int:
            """JALR."""
            target = ((regs[s1] + imm) & MASK64) & ~1
            if target & 3:
                raise Trap(CAUSE_MISALIGNED_TARGET, target)
            regs[d] = nxt
            return target
        return jalr

    def _raise(self, trap: Trap) -> Op:
        """A closure that always faults (EBREAK, a JAL to a misaligned target)."""
        def fault() -> int:
            """Raise a fresh copy of the trap."""
            raise Trap(trap.cause, trap.tval)
        return fault

    def _ecall(self, pc: int) -> Op:
        """The host call selected by a7 (spec §2.4, emulator.isa.system.host_call)."""
        regs = self.regs

        def ecall() -> int:
            """ECALL."""
            number = host_call(regs[A7], lambda: regs[A0])
            if number == ECALL_YIELD:
                raise _Yield
            if number == ECALL_PREIMAGE:
                self._oracle_read(regs)
                return pc + 4
            if self.output is not None:
                self.output(regs[A0], debug_bytes(regs[A0 + 1], regs[A0 + 2], self._state.read))
            return pc + 4
        return ecall

    # --- memory ----------------------------------------------------------------------------------------
    def _region_bounds(self) -> tuple[int, int, int, int, int]:
        """The bounds the closures were compiled for."""
        text_start, text_end, rom_end, ram_size, s_size = self._bounds
        return text_start, text_end, rom_end, ram_size, s_size

    def _memory_read(self, addr: int, n: int) -> bytes:
        """Bytes of the state (the fast engine's memory is the state's own pages)."""
        return self._state.read(addr, n)

    def _memory_write(self, addr: int, data: bytes) -> None:
        """Store into the state (pages marked dirty)."""
        self._state.write(addr, data)

    def _regions(self, writable: bool) -> list[tuple[int, int]]:
        """The (base, end) regions a load (RAM, S, ROM) or store (RAM, S) may touch."""
        _, _, rom_end, ram_size, s_size = self._bounds
        return regions(ram_size, s_size, rom_end, writable)

    def _allowed(self, addr: int, n: int, writable: bool) -> bool:
        """Every byte of the access lies in an allowed region (the exact rule of spec §2.1)."""
        return inside(addr, n, self._regions(writable))

    def _load_op(self, d: int, s1: int, imm: int, n: int, signed_: bool, nxt: int) -> Op:
        """rd = the n bytes at rs1 + imm (sign- or zero-extended); inside one region and page: inline."""
        regs, d, get = self.regs, d or SCRATCH, self._state.pages.get
        (lo1, hi1), (lo2, hi2), (lo3, hi3) = ((lo, hi - n) for lo, hi in self._regions(False))
        unpack = struct.Struct((SIGNED_FORMATS if signed_ else UNSIGNED_FORMATS)[n]).unpack_from
        last, slow = PAGE_BYTES - n, self._slow_load

        def load() -> int:
            """A load."""
            addr = (regs[s1] + imm) & MASK64
            offset = addr & 4095
            if offset <= last and (lo1 <= addr <= hi1 or lo2 <= addr <= hi2 or lo3 <= addr <= hi3):
                page = get(addr >> 12)
                regs[d] = unpack(page, offset)[0] & MASK64 if page is not None else 0
            else:
                regs[d] = slow(addr, n, signed_)
            return nxt
        return load

    def _slow_load(self, addr: int, n: int, signed_: bool) -> int:
        """A load that crosses a page or lies outside the common case: exact check, then read."""
        if not self._allowed(addr, n, False):
            raise Trap(CAUSE_LOAD, addr)
        value = int.from_bytes(self._state.read(addr, n), "little")
        return sext(value, 8 * n) if signed_ else value

    def _store_op(self, s1: int, s2: int, imm: int, n: int, nxt: int) -> Op:
        """The low n bytes of rs2 to rs1 + imm; inside one region and page: inline."""
        regs, pages, mark = self.regs, self._state.pages, self._state.dirty.add
        get = pages.get
        (lo1, hi1), (lo2, hi2) = ((lo, hi - n) for lo, hi in self._regions(True))
        pack = struct.Struct(UNSIGNED_FORMATS[n]).pack_into
        mask, last, slow = (1 << (8 * n)) - 1, PAGE_BYTES - n, self._slow_store

        def store() -> int:
            """A store."""
            addr = (regs[s1] + imm) & MASK64
            offset = addr & 4095
            if offset <= last and (lo1 <= addr <= hi1 or lo2 <= addr <= hi2):
                number = addr >> 12
                page = get(number)
                if page is None:
                    page = pages[number] = bytearray(PAGE_BYTES)
                pack(page, offset, regs[s2] & mask)
                mark(number)
            else:
                slow(addr, n, regs[s2] & mask)
            return nxt
        return store

    def _slow_store(self, addr: int, n: int, value: int) -> None:
        """A store that crosses a page or lies outside the common case: exact check, then write."""
        if not self._allowed(addr, n, True):
            raise Trap(CAUSE_STORE, addr)
        self._state.write(addr, value.to_bytes(n, "little"))


def measure_steps_per_s(template: Template, steps: int, s_bytes: bytes = b"") -> float:
    """Steps per second of the fast engine running `steps` steps of template from a fresh state."""
    machine = FastMachine(template, template.initial_state(s_bytes))
    started = time.perf_counter()
    machine.run(steps)
    return steps / (time.perf_counter() - started)
