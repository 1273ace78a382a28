"""The fast pure-Python engine: each instruction is predecoded once into a closure, cached by pc.

It is the optimized twin of the spec step (emulator.step): same states, same roots, checked by
differential tests. Registers live in a Python list while running and are written back to the
shadow page when a run ends; memory is the MachineState's own pages (dirty pages marked).
"""

from __future__ import annotations

import struct
import time
from collections.abc import Callable

from emulator.isa import Trap, decode
from emulator.isa.core import (
    MASK64,
    OPCODE_AUIPC,
    OPCODE_BRANCH,
    OPCODE_JAL,
    OPCODE_JALR,
    OPCODE_LOAD,
    OPCODE_LUI,
    OPCODE_OP,
    OPCODE_OP_32,
    OPCODE_OP_IMM,
    OPCODE_OP_IMM_32,
    OPCODE_STORE,
    add64,
    decode_key,
    div_signed,
    div_unsigned,
    funct3,
    imm_b,
    imm_i,
    imm_j,
    imm_s,
    imm_u,
    mul64,
    mulh,
    mulhsu,
    mulhu,
    rd,
    regions,
    rem_signed,
    rem_unsigned,
    rs1,
    rs2,
    sext,
    signed,
    sll64,
    sra64,
    srl64,
    sub64,
)
from emulator.isa.word import sll32, sra32, srl32
from emulator.layout import (
    CAUSE_ABORT,
    CAUSE_BREAKPOINT,
    CAUSE_ECALL,
    CAUSE_FETCH,
    CAUSE_ILLEGAL,
    CAUSE_LOAD,
    CAUSE_MISALIGNED_TARGET,
    CAUSE_STORE,
    ECALL_ABORT,
    ECALL_WRITE,
    ECALL_YIELD,
    PAGE_BYTES,
    ROM_BASE,
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
    STATUS_YIELDED,
    TOP_BASE,
)
from emulator.state import MachineState
from emulator.step import steps_to_clean
from emulator.template import Q_PAGE_END, Template

Op = Callable[[], int]
Binary = Callable[[int, int], int]
SCRATCH = 32                      # writes to x0 land here; regs[0] stays 0


class _Yield(Exception):
    """Raised by the ECALL closure when the guest yields."""


def _slt(a: int, b: int) -> int:
    """signed(a) < signed(b)."""
    return int(signed(a) < signed(b))


def _sltu(a: int, b: int) -> int:
    """a < b (unsigned)."""
    return int(a < b)


# Register-register and register-immediate semantics by decode key, as functions of two u64 values.
BINARY: dict[tuple[int, ...], Binary] = {
    (OPCODE_OP, 0, 0): add64, (OPCODE_OP, 0, 0x20): sub64, (OPCODE_OP, 1, 0): sll64,
    (OPCODE_OP, 2, 0): _slt, (OPCODE_OP, 3, 0): _sltu, (OPCODE_OP, 4, 0): int.__xor__,
    (OPCODE_OP, 5, 0): srl64, (OPCODE_OP, 5, 0x20): sra64, (OPCODE_OP, 6, 0): int.__or__,
    (OPCODE_OP, 7, 0): int.__and__,
    (OPCODE_OP, 0, 1): mul64, (OPCODE_OP, 1, 1): mulh, (OPCODE_OP, 2, 1): mulhsu, (OPCODE_OP, 3, 1): mulhu,
    (OPCODE_OP, 4, 1): lambda a, b: div_signed(a, b, 64),
    (OPCODE_OP, 5, 1): lambda a, b: div_unsigned(a, b, 64),
    (OPCODE_OP, 6, 1): lambda a, b: rem_signed(a, b, 64),
    (OPCODE_OP, 7, 1): lambda a, b: rem_unsigned(a, b, 64),
    (OPCODE_OP_32, 0, 0): lambda a, b: sext(a + b, 32), (OPCODE_OP_32, 0, 0x20): lambda a, b: sext(a - b, 32),
    (OPCODE_OP_32, 1, 0): sll32, (OPCODE_OP_32, 5, 0): srl32, (OPCODE_OP_32, 5, 0x20): sra32,
    (OPCODE_OP_32, 0, 1): lambda a, b: sext(a * b, 32),
    (OPCODE_OP_32, 4, 1): lambda a, b: div_signed(a, b, 32),
    (OPCODE_OP_32, 5, 1): lambda a, b: div_unsigned(a, b, 32),
    (OPCODE_OP_32, 6, 1): lambda a, b: rem_signed(a, b, 32),
    (OPCODE_OP_32, 7, 1): lambda a, b: rem_unsigned(a, b, 32),
    (OPCODE_OP_IMM, 0): add64, (OPCODE_OP_IMM, 2): _slt, (OPCODE_OP_IMM, 3): _sltu,
    (OPCODE_OP_IMM, 4): int.__xor__, (OPCODE_OP_IMM, 6): int.__or__, (OPCODE_OP_IMM, 7): int.__and__,
    (OPCODE_OP_IMM, 1, 0): sll64, (OPCODE_OP_IMM, 5, 0): srl64, (OPCODE_OP_IMM, 5, 0x10): sra64,
    (OPCODE_OP_IMM_32, 0): lambda a, b: sext(a + b, 32),
    (OPCODE_OP_IMM_32, 1, 0): sll32, (OPCODE_OP_IMM_32, 5, 0): srl32, (OPCODE_OP_IMM_32, 5, 0x20): sra32,
}
BRANCHES: dict[int, Binary] = {
    0: int.__eq__, 1: int.__ne__, 4: lambda a, b: signed(a) < signed(b),
    5: lambda a, b: signed(a) >= signed(b), 6: int.__lt__, 7: int.__ge__,
}
SIGN = 1 << 63
# Hot operations as source expressions over regs[s1], regs[s2] and imm; compiled into closure
# factories once at import so that each closure does its work without a further call.
INLINE_ALU_SOURCE: dict[tuple[int, ...], str] = {
    (OPCODE_OP, 0, 0): "(regs[s1] + regs[s2]) & MASK64",
    (OPCODE_OP, 0, 0x20): "(regs[s1] - regs[s2]) & MASK64",
    (OPCODE_OP, 1, 0): "(regs[s1] << (regs[s2] & 63)) & MASK64",
    (OPCODE_OP, 3, 0): "int(regs[s1] < regs[s2])",
    (OPCODE_OP, 4, 0): "regs[s1] ^ regs[s2]",
    (OPCODE_OP, 5, 0): "regs[s1] >> (regs[s2] & 63)",
    (OPCODE_OP, 6, 0): "regs[s1] | regs[s2]",
    (OPCODE_OP, 7, 0): "regs[s1] & regs[s2]",
    (OPCODE_OP, 0, 1): "(regs[s1] * regs[s2]) & MASK64",
    (OPCODE_OP_IMM, 0): "(regs[s1] + imm) & MASK64",
    (OPCODE_OP_IMM, 3): "int(regs[s1] < imm)",
    (OPCODE_OP_IMM, 4): "regs[s1] ^ imm",
    (OPCODE_OP_IMM, 6): "regs[s1] | imm",
    (OPCODE_OP_IMM, 7): "regs[s1] & imm",
    (OPCODE_OP_IMM, 1, 0): "(regs[s1] << imm) & MASK64",
    (OPCODE_OP_IMM, 5, 0): "regs[s1] >> imm",
}
INLINE_BRANCH_SOURCE: dict[int, str] = {   # funct3 -> taken condition (signed order via the sign flip)
    0: "regs[s1] == regs[s2]",
    1: "regs[s1] != regs[s2]",
    4: "(regs[s1] ^ SIGN) < (regs[s2] ^ SIGN)",
    5: "(regs[s1] ^ SIGN) >= (regs[s2] ^ SIGN)",
    6: "regs[s1] < regs[s2]",
    7: "regs[s1] >= regs[s2]",
}


def _compile_factory(source: str) -> Callable[..., Op]:
    """Build a closure factory from generated source (names: MASK64, SIGN)."""
    namespace: dict[str, object] = {"MASK64": MASK64, "SIGN": SIGN}
    exec(source, namespace)
    factory = namespace["make"]
    assert callable(factory)
    return factory


INLINE_ALU: dict[tuple[int, ...], Callable[..., Op]] = {
    key: _compile_factory(
        "def make(regs, d, s1, s2, imm, nxt):\n"
        "    def op():\n"
        f"        regs[d] = {expression}\n"
        "        return nxt\n"
        "    return op\n"
    )
    for key, expression in INLINE_ALU_SOURCE.items()
}
INLINE_BRANCH: dict[int, Callable[..., Op]] = {
    condition: _compile_factory(
        "def make(regs, s1, s2, target, nxt):\n"
        "    def op():\n"
        f"        return target if {expression} else nxt\n"
        "    return op\n"
    )
    for condition, expression in INLINE_BRANCH_SOURCE.items()
}
UNSIGNED_FORMATS = {1: "<B", 2: "<H", 4: "<I", 8: "<Q"}
SIGNED_FORMATS = {1: "<b", 2: "<h", 4: "<i", 8: "<q"}
LOAD_SIZES = {  # funct3 -> (bytes, sign-extend)
    0: (1, True), 1: (2, True), 2: (4, True), 3: (8, False), 4: (1, False), 5: (2, False), 6: (4, False),
}


class FastMachine:
    """Machine AB as predecoded closures; the same observable behaviour as ReferenceMachine."""

    def __init__(
        self, template: Template, state: MachineState, output: Callable[[int, bytes], None] | None = None
    ) -> None:
        """Run template's machine from state (mutated in place)."""
        self.template = template
        self._state = state
        self.output = output
        self.regs = [0] * 33
        self.ops: dict[int, Op] = {}
        self._bounds: tuple[int, ...] = ()
        self._load()

    # --- shadow page <-> engine ---------------------------------------------------------------------
    def _load(self) -> None:
        """Take registers and fields from the shadow page; recompile if the region bounds changed."""
        shadow = self._state.read(SHADOW_BASE, 0x158)
        fields = [int.from_bytes(shadow[k : k + 8], "little") for k in range(0, 0x158, 8)]
        self.regs[:] = [0, *fields[1:32], 0]
        self.pc = fields[SHADOW_PC // 8]
        self.clock = fields[SHADOW_CLOCK // 8]
        self.status = fields[SHADOW_STATUS // 8]
        self.log2_window = fields[SHADOW_LOG2_WINDOW // 8]
        bounds = tuple(fields[k // 8] for k in (
            SHADOW_TEXT_START, SHADOW_TEXT_END, SHADOW_ROM_END, SHADOW_RAM_SIZE, SHADOW_S_SIZE
        ))
        if bounds != self._bounds:
            self._bounds = bounds
            self.ops = {}

    def _store(self) -> None:
        """Write registers and the changing fields back into the shadow page."""
        regs = b"".join((v & MASK64).to_bytes(8, "little") for v in self.regs[:32])
        self._state.write(SHADOW_BASE + SHADOW_X + 8, regs[8:])
        tail = b"".join(v.to_bytes(8, "little") for v in (self.pc, self.clock, self.status))
        self._state.write(SHADOW_BASE + SHADOW_PC, tail)

    def _fault(self, trap: Trap) -> None:
        """FAULTED with the trap's cause and tval (written straight to the shadow page)."""
        self.status = STATUS_FAULTED
        self._state.write_u64(SHADOW_BASE + SHADOW_CAUSE, trap.cause)
        self._state.write_u64(SHADOW_BASE + SHADOW_TVAL, trap.tval)

    def _clean(self) -> None:
        """Q := Q*, then reload the engine from the new shadow page."""
        self._state.clear_pages(0, Q_PAGE_END)
        for number, data in self.template.qstar_pages().items():
            self._state.set_page(number, data)
        self._load()

    # --- the public interface ----------------------------------------------------------------------
    def run(self, steps: int) -> int:
        """Exactly `steps` steps; idle stretches and the rest of a window are O(1)."""
        self._load()
        done = 0
        while done < steps:
            to_clean = steps_to_clean(self.clock, self.log2_window)
            chunk = steps - done if to_clean is None else min(steps - done, to_clean)
            if self.status == STATUS_RUNNING:
                self._execute(chunk)
            self.clock = (self.clock + chunk) & MASK64
            done += chunk
            if chunk == to_clean:
                self._clean()
        self._store()
        return done

    def run_until_halt(self, max_steps: int) -> int:
        """Run until right after the step that yields or faults, or max_steps."""
        self._load()
        done = 0
        while done < max_steps and self.status == STATUS_RUNNING:
            to_clean = steps_to_clean(self.clock, self.log2_window)
            chunk = max_steps - done if to_clean is None else min(max_steps - done, to_clean)
            executed = self._execute(chunk)
            self.clock = (self.clock + executed) & MASK64
            done += executed
            if executed == to_clean:
                self._clean()
        self._store()
        return done

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

    # --- predecoding ---------------------------------------------------------------------------------
    def _compile(self, pc: int) -> Op:
        """Fetch and decode the instruction at pc into a closure; fetch faults and illegal words raise."""
        text_start, text_end = self._bounds[0], self._bounds[1]
        if pc % 4 or not max(text_start, ROM_BASE) <= pc <= min(text_end, TOP_BASE) - 4:
            raise Trap(CAUSE_FETCH, pc)
        word = int.from_bytes(self._state.read(pc, 4), "little")
        if decode(word) is None:
            raise Trap(CAUSE_ILLEGAL, word)
        return self._closure(word, pc)

    def _closure(self, word: int, pc: int) -> Op:
        """The closure for one legal word at pc."""
        op, key, nxt = word & 0x7F, decode_key(word), pc + 4
        if op in (OPCODE_OP, OPCODE_OP_32):
            return self._register_op(key, rd(word), rs1(word), rs2(word), nxt)
        if op in (OPCODE_OP_IMM, OPCODE_OP_IMM_32):
            shifts = funct3(word) in (1, 5)
            operand = (word >> 20) & 63 if shifts else imm_i(word)
            return self._immediate_op(key, rd(word), rs1(word), operand, nxt)
        if op == OPCODE_LUI:
            return self._constant(rd(word), imm_u(word), nxt)
        if op == OPCODE_AUIPC:
            return self._constant(rd(word), add64(pc, imm_u(word)), nxt)
        if op == OPCODE_LOAD:
            size, signed_ = LOAD_SIZES[funct3(word)]
            return self._load_op(rd(word), rs1(word), imm_i(word), size, signed_, nxt)
        if op == OPCODE_STORE:
            return self._store_op(rs1(word), rs2(word), imm_s(word), 1 << funct3(word), nxt)
        if op == OPCODE_BRANCH:
            return self._branch(funct3(word), rs1(word), rs2(word), add64(pc, imm_b(word)), nxt)
        if op == OPCODE_JAL:
            return self._jal(rd(word), add64(pc, imm_j(word)), nxt)
        if op == OPCODE_JALR:
            return self._jalr(rd(word), rs1(word), imm_i(word), nxt)
        if word == 0x0000_0073:
            return self._ecall(pc)
        if word == 0x0010_0073:
            return self._raise(Trap(CAUSE_BREAKPOINT, pc))
        return lambda: nxt   # FENCE, FENCE.I

    def _register_op(self, key: tuple[int, ...], d: int, s1: int, s2: int, nxt: int) -> Op:
        """rd = op(rs1, rs2): inlined for the common operations, through BINARY otherwise."""
        regs, d = self.regs, d or SCRATCH
        if key in INLINE_ALU:
            return INLINE_ALU[key](regs, d, s1, s2, 0, nxt)
        fn = BINARY[key]

        def binary() -> int:
            """Any other register-register instruction."""
            regs[d] = fn(regs[s1], regs[s2])
            return nxt
        return binary

    def _immediate_op(self, key: tuple[int, ...], d: int, s1: int, imm: int, nxt: int) -> Op:
        """rd = op(rs1, imm): inlined for the common operations, through BINARY otherwise."""
        regs, d = self.regs, d or SCRATCH
        if key in INLINE_ALU:
            return INLINE_ALU[key](regs, d, s1, 0, imm, nxt)
        fn = BINARY[key]

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

    def _branch(self, condition: int, s1: int, s2: int, target: int, nxt: int) -> Op:
        """pc = target if condition (funct3) holds on rs1, rs2, else pc + 4; a misaligned target faults."""
        regs = self.regs
        if target % 4 == 0:
            return INLINE_BRANCH[condition](regs, s1, s2, target, nxt)
        taken = BRANCHES[condition]

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
        """The host call selected by a7 (spec §2.4)."""
        regs = self.regs

        def ecall() -> int:
            """ECALL."""
            number = regs[17]
            if number == ECALL_YIELD:
                raise _Yield
            if number == ECALL_WRITE:
                if self.output is not None:
                    self._debug_write()
                return pc + 4
            if number == ECALL_ABORT:
                raise Trap(CAUSE_ABORT, regs[10])
            raise Trap(CAUSE_ECALL, number)
        return ecall

    def _debug_write(self) -> None:
        """Hand write(a0, a1, a2) to the output callback (outside the step semantics)."""
        fd, buf, length = self.regs[10], self.regs[11], min(self.regs[12], 1 << 16)
        data = self._state.read(buf, length) if buf + length <= 1 << 32 else b""
        if self.output is not None:
            self.output(fd, data)

    # --- memory ----------------------------------------------------------------------------------------
    def _regions(self, writable: bool) -> list[tuple[int, int]]:
        """The (base, end) regions a load (RAM, S, ROM) or store (RAM, S) may touch."""
        _, _, rom_end, ram_size, s_size = self._bounds
        return regions(ram_size, s_size, rom_end, writable)

    def _allowed(self, addr: int, n: int, writable: bool) -> bool:
        """Every byte of the access lies in an allowed region (the exact rule of spec §2.1)."""
        regions = self._regions(writable)
        return all(any(lo <= a < hi for lo, hi in regions) for a in range(addr, addr + n))

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
