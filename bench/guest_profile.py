"""Where a guest window's instructions go: an exact per-function profile over the image's symbols.

The window runs to its yield on the predecoded Python engine (`emulator/fast.py`, exact and
deterministic) with its closure table replaced by a counting one: every executed instruction is
one lookup, so each pc's count is exact. A shadow call stack (a JAL/JALR writing `ra` is a call,
`jalr x0, 0(ra)` a return) gives inclusive counts; a function's time is counted once while it is
on the stack (recursion is not double-counted). Tail calls stay attributed to their caller's frame.
"""

from __future__ import annotations

import bisect
import io
from collections import Counter
from collections.abc import Callable
from typing import TYPE_CHECKING

from emulator.layout import ROM_BASE

if TYPE_CHECKING:
    from emulator.oracle import PreimageOracle
    from swapping.guest_image import GuestImage

CALL, RET = 1, 2


def function_table(elf: bytes) -> tuple[list[int], list[str]]:
    """Start addresses (sorted) and names of the image's functions (`.symtab` FUNC symbols)."""
    from elftools.elf.elffile import ELFFile

    symtab = ELFFile(io.BytesIO(elf)).get_section_by_name(".symtab")
    funcs = sorted(
        (s["st_value"], s.name) for s in symtab.iter_symbols() if s["st_info"]["type"] == "STT_FUNC"
    )
    return [a for a, _ in funcs], [n for _, n in funcs]


def branch_kinds(rom: bytes) -> dict[int, int]:
    """CALL or RET per pc of the text whose word is a call (rd = ra) or a plain return."""
    kinds = {}
    for off in range(0, len(rom) - 3, 4):
        word = int.from_bytes(rom[off : off + 4], "little")
        opcode, rd, rs1 = word & 0x7F, (word >> 7) & 31, (word >> 15) & 31
        if opcode in (0x6F, 0x67) and rd == 1:
            kinds[ROM_BASE + off] = CALL
        elif opcode == 0x67 and rd == 0 and rs1 == 1 and word >> 20 == 0:
            kinds[ROM_BASE + off] = RET
    return kinds


class CountingOps(dict):
    """The fast engine's pc -> closure table, counting every successful lookup (one per step)."""

    def __init__(self, kinds: dict[int, int], func_of: Callable[[int], int]) -> None:
        super().__init__()
        self.kinds, self.func_of = kinds, func_of
        self.counts: Counter[int] = Counter()
        self.steps, self.prev = 0, -1
        self.stack: list[tuple[int, int]] = []      # (function, step at entry)
        self.active: Counter[int] = Counter()       # function -> frames on the stack
        self.inclusive: Counter[int] = Counter()

    def __getitem__(self, pc: int) -> object:
        """The closure at pc; counts the step and follows calls and returns."""
        op = dict.__getitem__(self, pc)
        self.steps += 1
        self.counts[pc] += 1
        kind = self.kinds.get(self.prev)
        if kind == CALL:
            func = self.func_of(pc)
            self.stack.append((func, self.steps))
            self.active[func] += 1
        elif kind == RET and self.stack:
            self._pop()
        self.prev = pc
        return op

    def _pop(self) -> None:
        """Close the innermost frame: its span counts for its function unless it is also outer."""
        func, start = self.stack.pop()
        self.active[func] -= 1
        if not self.active[func]:
            self.inclusive[func] += self.steps - start

    def finish(self) -> None:
        """Close the frames still open at the yield."""
        while self.stack:
            self._pop()


def profile_window(image: GuestImage, s_image: bytes, top: int = 15,
                   oracle: PreimageOracle | None = None) -> dict:
    """The exact profile of one window of `image` (a GuestImage) over S image `s_image` (and its oracle)."""
    from emulator.image import load_image
    from emulator.machine import make_machine

    starts, names = function_table(image.elf)

    def func_of(pc: int) -> int:
        return bisect.bisect_right(starts, pc) - 1

    template = image.template(32)
    machine = make_machine("fast", template, template.initial_state(s_image), oracle=oracle)
    ops = CountingOps(branch_kinds(load_image(image.elf).rom), func_of)
    machine.ops = ops
    steps = machine.run_until_halt((1 << 32) - 1)
    ops.finish()
    own: Counter[int] = Counter()
    for pc, n in ops.counts.items():
        own[func_of(pc)] += n

    def rows(counter: Counter[int]) -> list[dict]:
        return [{"function": names[f] if f >= 0 else "?", "instructions": n, "share": n / steps}
                for f, n in counter.most_common(top)]

    return {"steps": steps, "self": rows(own), "inclusive": rows(ops.inclusive)}


def print_profile(name: str, prof: dict) -> None:
    """One chain's profile as two tables (own and inclusive instructions)."""
    print(f"\n{name}: {prof['steps']:,} instructions to the yield")
    head = f"{'instructions':>13} {'share':>6}"
    print(f"  {'own':<30} {head}   {'inclusive':<30} {head}")
    for own, inc in zip(prof["self"], prof["inclusive"], strict=False):
        print(f"  {own['function']:<30} {own['instructions']:>13,} {own['share']:>6.1%}"
              f"   {inc['function']:<30} {inc['instructions']:>13,} {inc['share']:>6.1%}")
