"""Machine AB as a per-transition check for conformance runs: S' on AB must be byte-equal to A's."""

from __future__ import annotations

from collections.abc import Callable

from swapping.diff import describe_mismatch
from swapping.guest_image import GuestImage
from swapping.window import run_window

TransitionCheck = Callable[[bytes, bytes], str | None]

# The window of a conformance check (spec §5.1): a block that fits yields early, so a generous cap
# costs nothing; the public set's largest blocks (250 M gas, e.g. 50,000 SHA-256 calls of 50 kB)
# need about 2^37 steps, and only a guest that never yields runs to the cap.
CHECK_LOG2_WINDOW = 40


def ab_transition_check(
    image: GuestImage, log2_window: int = CHECK_LOG2_WINDOW, backend: str = "unicorn"
) -> TransitionCheck:
    """A check (image of S, A's image of S') -> None when AB's window leaves exactly A's S', else why not."""

    def check(before: bytes, after: bytes) -> str | None:
        result = run_window(image.elf, image.ram_size, image.s_size, log2_window, before, backend)
        if result.status == "faulted":
            return f"AB faulted: {result.cause} (tval {result.tval:#x}) after {result.steps} steps"
        if result.status != "yielded":
            return f"AB did not yield within 2^{log2_window} steps"
        if result.s_image != after:
            return f"AB's S' differs from A's: {describe_mismatch(after, result.s_image, image.s_size)}"
        return None

    return check
