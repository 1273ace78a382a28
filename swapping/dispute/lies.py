"""Lies a dishonest party tells: where its story first leaves the truth, and the wrong root it claims there.

A liar's claims equal the truth before its lie position L; at L it claims a plausible wrong state (a
real machine state, tampered the way the kind says); after L every claim is a deterministic fake
derived from the truth. So the bisection against an honest party always ends at the step L-1 → L.

Kinds: `s-root` (level 1: a wrong S root for a block: the block claimed to change nothing), `clean`
(the last step of a window: the clean claimed to wipe S too; in a machine game, to not happen),
`step` (a wrong result inside a window), `idle` (a wrong tick after the guest yielded),
`fault-claim` (a running instruction claimed to fault), `fault-hide` (a faulting instruction claimed
to retire), `equivocate` (a step lie, then a restated claim that contradicts an earlier one).
"""

from __future__ import annotations

from dataclasses import dataclass, replace

from emulator import merkle
from emulator.errors import SwapvmError
from emulator.layout import (
    CAUSE_ILLEGAL,
    SHADOW_BASE,
    SHADOW_CAUSE,
    SHADOW_CLOCK,
    SHADOW_PC,
    SHADOW_STATUS,
    SHADOW_TVAL,
    SHADOW_X,
    STATUS_FAULTED,
    STATUS_RUNNING,
    WINDOW_HEIGHT,
)
from emulator.state import MachineState
from emulator.template import Template
from swapping.dispute.disasm import writes_rd

LIE_KINDS = ("s-root", "clean", "step", "idle", "fault-claim", "fault-hide", "equivocate")
A0 = 10
FAKE_TAG = b"swapvm-dispute-lie"


@dataclass(frozen=True)
class LieSpec:
    """A lie as the user states it: kind, block (window index) and optionally the step inside it."""

    kind: str
    block: int = 0
    step: int | None = None
    round: int | None = None        # equivocate: the round at which the restatement happens
    number: int | None = None       # the block by header number instead: resolved to `block` by at_number

    def describe(self) -> str:
        """block=K,step=N,kind=... as on the command line."""
        parts = [f"block={self.block}"] + ([f"step={self.step}"] if self.step is not None else [])
        parts += [f"kind={self.kind}"] + ([f"round={self.round}"] if self.round is not None else [])
        return ",".join(parts)


LIE_USAGE = "block=K|number=N[,step=S][,kind=KIND][,round=R]"


def parse_lie(text: str) -> LieSpec:
    """Parse `block=K|number=N[,step=S][,kind=KIND][,round=R]`; kind: s-root by default, step with a step.

    block=K names the block by window index (its position in the inbox, from 0), number=N by its header
    number; the CLI resolves N to K once the chain is replayed (at_number)."""
    fields: dict[str, str] = {}
    for part in text.split(","):
        key, sep, value = part.strip().partition("=")
        if not sep or key not in ("block", "number", "step", "kind", "round") or key in fields:
            raise SwapvmError(f"--lie {text!r}: expected {LIE_USAGE}, got {part!r}")
        fields[key] = value.strip()
    if ("block" in fields) == ("number" in fields):
        which = "block=K (window index) and number=N (header number)"
        raise SwapvmError(f"--lie {text!r}: give exactly one of {which}")
    numbers: dict[str, int] = {}
    for key in ("block", "number", "step", "round"):
        if key in fields:
            try:
                numbers[key] = int(fields[key], 0)
            except ValueError:
                raise SwapvmError(f"--lie {text!r}: {key} must be an integer, got {fields[key]!r}") from None
            if numbers[key] < 0:
                raise SwapvmError(f"--lie {text!r}: {key} must not be negative")
    kind = fields.get("kind", "step" if "step" in numbers else "s-root")
    if kind not in LIE_KINDS:
        raise SwapvmError(f"--lie {text!r}: unknown kind {kind!r}; choose one of {', '.join(LIE_KINDS)}")
    if "round" in numbers and kind != "equivocate":
        raise SwapvmError(f"--lie {text!r}: round=R only applies to kind=equivocate")
    block = numbers.get("block", 0)
    return LieSpec(kind, block, numbers.get("step"), numbers.get("round"), numbers.get("number"))


def at_number(lie: LieSpec, numbers: list[int | None]) -> LieSpec:
    """The lie with number=N resolved to the window index of the block whose header number is N."""
    if lie.number is None:
        return lie
    if lie.number not in numbers:
        known = [n for n in numbers if n is not None]
        span = f"{known[0]}..{known[-1]}" if known else "none"
        raise SwapvmError(f"--lie number={lie.number}: no block of the chain has that header number ({span})")
    return replace(lie, block=numbers.index(lie.number), number=None)


def _field(state: MachineState, offset: int) -> int:
    """A u64 of the shadow page."""
    return state.read_u64(SHADOW_BASE + offset)


def _set(state: MachineState, offset: int, value: int) -> None:
    """Write a u64 of the shadow page."""
    state.write_u64(SHADOW_BASE + offset, value)


def fake_root(true_root: bytes) -> bytes:
    """A liar's claim after its lie: deterministic, never the truth."""
    return merkle.keccak(FAKE_TAG + true_root)


def flip_payload_byte(image: bytes) -> bytes:
    """An S image with its first payload byte changed: a wrong S of the same size."""
    data = bytearray(image.ljust(17, b"\0"))
    data[16] ^= 1
    return bytes(data)


def tampered_state(kind: str, pre: MachineState, post: MachineState, template: Template) -> MachineState:
    """The wrong state a liar of this kind claims after one step from pre (post is the true result)."""
    running = _field(pre, SHADOW_STATUS) == STATUS_RUNNING
    pc = _field(pre, SHADOW_PC)
    word = int.from_bytes(pre.read(pc, 4), "little") if running and pc + 4 <= 1 << 32 else 0
    if kind in ("step", "equivocate"):
        fake = post.copy()
        rd = writes_rd(word) if running else 0
        if rd:
            offset = SHADOW_X + 8 * rd
            _set(fake, offset, _field(post, offset) ^ 1)
        else:
            _set(fake, SHADOW_X + 8 * A0, _field(post, SHADOW_X + 8 * A0) ^ 1)
        return fake
    if kind == "idle":
        if running:
            raise SwapvmError("an idle lie needs a step after the guest yielded or faulted")
        fake = post.copy()
        if _field(post, SHADOW_CLOCK) == 0:
            raise SwapvmError("an idle lie cannot sit on the clean; use kind=clean")
        _set(fake, SHADOW_CLOCK, _field(post, SHADOW_CLOCK) + 1)      # two ticks for one
        return fake
    if kind in ("fault-claim", "fault-hide", "clean"):
        fake = pre.copy()
        _set(fake, SHADOW_CLOCK, _field(pre, SHADOW_CLOCK) + 1)
        if kind == "fault-claim":
            if not running:
                raise SwapvmError("a fault-claim lie needs a step while the guest runs")
            _set(fake, SHADOW_STATUS, STATUS_FAULTED)
            _set(fake, SHADOW_CAUSE, CAUSE_ILLEGAL)
            _set(fake, SHADOW_TVAL, word)
        elif kind == "fault-hide":
            if not running or _field(post, SHADOW_STATUS) != STATUS_FAULTED:
                raise SwapvmError("a fault-hide lie needs the step at which the guest faults")
            _set(fake, SHADOW_PC, pc + 4)
        elif _field(post, SHADOW_CLOCK) or _field(pre, SHADOW_CLOCK) + 1 != 1 << template.params.log2_window:
            raise SwapvmError("a clean lie needs the last step of a window")
        return fake
    raise SwapvmError(f"a {kind} lie cannot be told inside a window")


def boundary_lie(kind: str, before: bytes, after: bytes) -> bytes:
    """The wrong S root claimed at a block boundary, from the true S images before and after the window."""
    if kind == "clean":
        return merkle.PRISTINE[WINDOW_HEIGHT]            # "the clean wiped S as well"
    if kind == "s-root" and merkle.window_root(before) != merkle.window_root(after):
        return merkle.window_root(before)                 # "the block changed nothing"
    return merkle.window_root(flip_payload_byte(after))   # a wrong S otherwise


@dataclass(frozen=True)
class Lie:
    """A planned lie: the kind, the first wrong position L, and the root claimed there."""

    kind: str
    position: int
    root: bytes
    round: int | None = None
