"""Machine AB in conformance runs: a per-transition check (S' on AB byte-equal to A's) or a stepper alone.

On S version 2 the guest reads the world and the inbox through the preimage oracle: the check gives it
only A's witness of the block; the stepper alone gives it the test's store (pre-state world and inbox,
never A's run), to which the preimages the guest hints after each block are added."""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

from emulator.oracle import Hints, PreimageMissing, PreimageOracle
from fastvm.codec import StateDecodeError, decode, encode
from fastvm.codec_v2 import decode_v2, encode_v2
from fastvm.conformance import Finding, StepFailure
from fastvm.inspect_state import summary_line
from fastvm.machine import StepInfo
from fastvm.preimages import PreimageStore
from fastvm.witness import Witness, state_root_of_header
from swapping.diff import mismatch_differences
from swapping.guest_forks import EXIT_APPLIED, EXIT_IDLE, exit_name
from swapping.guest_image import GuestImage
from swapping.window import WindowResult, run_window

TransitionCheck = Callable[..., str | Finding | None]   # (S, S'[, witness]) -> None or why not

# The window of a conformance check (spec §5.1): a block that fits yields early, so a generous cap
# costs nothing; only a guest that never yields runs to it. The public set's largest block,
# CALLBlake2f_MaxRounds (4.29 G gas: 2^32 - 1 BLAKE2F rounds), takes about 1.09 * 10^12 steps,
# 1.2% below 2^40: 2^41 leaves room for a slower guest.
CHECK_LOG2_WINDOW = 41


def _window(
    image: GuestImage, log2_window: int, backend: str, before: bytes, oracle: PreimageOracle | None = None,
    hints: Hints | None = None,
) -> tuple[WindowResult, str | None]:
    """One AB window on the image of S, and why it left no S' (None when the guest yielded); the
    guest's hints go to `hints` when given (else they are dropped).

    A key the oracle lacks stops the host with PreimageMissing (the oracle's supplier's fault, never a
    machine state); the callers name it."""
    result = run_window(image.elf, image.ram_size, image.s_size, log2_window, before, backend, oracle,
                        hints.output if hints is not None else None)
    if result.status == "faulted":
        return result, f"AB faulted: {result.cause} (tval {result.tval:#x}) after {result.steps} steps"
    if result.status != "yielded":
        return result, f"AB did not yield within 2^{log2_window} steps"
    if result.exit_code not in (EXIT_APPLIED, EXIT_IDLE):
        return result, f"the guest yielded {exit_name(result.exit_code)} and left S unchanged"
    return result, None


def ab_transition_check(
    image: GuestImage, log2_window: int = CHECK_LOG2_WINDOW, backend: str = "unicorn"
) -> TransitionCheck:
    """A check (image of S, A's image of S'[, A's witness of the block]) -> None when AB's window leaves
    exactly A's S', else why not. With a witness (S version 2) it is AB's whole oracle: the preimages A
    read for the block, the inbox nodes on its path included, and nothing else."""

    def check(before: bytes, after: bytes, witness: Witness | None = None) -> str | Finding | None:
        oracle = witness.preimages() if witness is not None else None
        try:
            result, failure = _window(image, log2_window, backend, before, oracle)
        except PreimageMissing as missing:   # A's witness lacks a key the guest read
            return f"AB stopped: {missing}"
        if failure:
            return failure
        if result.s_image != after:
            differences = tuple(mismatch_differences(after, result.s_image, image.s_size))
            return Finding(f"AB's S' differs from A's: {summary_line(differences)}", differences)
        return None

    return check


class ABStepper:
    """Machine AB as a stepper for conformance on its own: S' is the guest's, decoded with A's codec.

    `swapvm conformance evm --machines ab` compares AB's verdicts and final state with the fixture
    directly, without A: the way to check AB on blocks whose A run (py-evm) takes hours."""

    oracle: PreimageOracle | None = None
    hints: Hints | None = None
    version = 1

    def __init__(self, image: GuestImage, log2_window: int = CHECK_LOG2_WINDOW, backend: str = "unicorn"):
        self.image = image
        self.log2_window = log2_window
        self.backend = backend

    def step(self, state: Any) -> tuple[Any, StepInfo]:
        """One AB window on S; raise StepFailure if the guest faults, overruns or leaves no valid S'."""
        before = encode(state) if self.version == 1 else encode_v2(state)
        try:
            result, failure = _window(self.image, self.log2_window, self.backend, before, self.oracle,
                                      self.hints)
        except PreimageMissing as missing:
            raise self.missing(state, missing) from missing
        self.keep_hints()
        if failure:
            raise StepFailure(failure)
        try:
            after = decode(result.s_image) if self.version == 1 else decode_v2(result.s_image)
        except StateDecodeError as exc:
            raise StepFailure(f"AB's S' does not decode as S version {self.version}: {exc}") from exc
        return after, _info(after.outcome, result)


    def missing(self, state: Any, missing: PreimageMissing) -> StepFailure:
        """The failure of a step whose oracle lacks a key the guest read."""
        return StepFailure(f"AB stopped: {missing}")

    def keep_hints(self) -> None:
        """After a window: nothing to keep (version 1 has no oracle)."""


class ABStepperV2(ABStepper):
    """Machine AB alone on S version 2: the oracle is the test's store (its pre-state world and inbox,
    never A's run), S' is the guest's, decoded with A's version 2 codec.

    After each window the preimages the guest hinted (every trie node its new roots hash, the code it
    created: spec §6.7) join the store, each under its own keccak256, so the store holds the whole
    world at every root the guest reaches and a later block reads the nodes an earlier one created.
    A key the store lacks is then a failure: of the pre-state world, or of the guest's hints."""

    version = 2
    world_in_store = True   # the hints put every node of each new root in the store (spec §6.7)

    def __init__(self, image: GuestImage, oracle: PreimageStore, log2_window: int = CHECK_LOG2_WINDOW,
                 backend: str = "unicorn"):
        super().__init__(image, log2_window, backend)
        self.oracle: PreimageStore = oracle   # the test's store, which the hints join
        self.hints = Hints()
        self.hinted = 0                      # preimages hinted over the test's blocks (a count)
        self.pre_root: bytes | None = None   # the world's root in the store (the test's pre-state)

    def step(self, state: Any) -> tuple[Any, StepInfo]:
        """ABStepper's step, noting the pre-state's root at the first block."""
        if self.pre_root is None:
            self.pre_root = state_root_of_header(state.parent_header)
        return super().step(state)

    def keep_hints(self) -> None:
        """Add the window's hints to the store, before the next block reads it."""
        self.hinted += self.hints.keep(self.oracle.put)

    def missing(self, state: Any, missing: PreimageMissing) -> StepFailure:
        """A failure naming where the key should have come from: the pre-state world or the hints."""
        if state_root_of_header(state.parent_header) == self.pre_root:
            return StepFailure(f"AB stopped: {missing}")
        return StepFailure(f"AB stopped: {missing} (an earlier block changed the world, and the guest's "
                           "hints of it lack this key)")


def _info(outcome, result: WindowResult) -> StepInfo:  # noqa: ANN001 - an Outcome
    """The step info of one AB window (AB reports no block number or transaction count)."""
    return StepInfo(True, None, outcome.status, outcome.reason, "", outcome.gas_used, 0, result.seconds, 0.0,
                    result.s_image)
