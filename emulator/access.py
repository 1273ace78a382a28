"""State accesses: the one step function runs over direct, recording or replay access (spec §2.6).

* DirectAccess executes on a MachineState.
* RecordingAccess executes on a MachineState and remembers every leaf touched, with its value
  before the step, so that the step proof can be emitted afterwards.
* ReplayAccess is the verifier: it holds only the pre-root and the proof; reads are served from
  proven leaves (an unproven leaf makes it stuck), writes update them, and the post-root is
  recomputed from the same siblings.

The preimage oracle (ECALL 1001, emulator.oracle) is environment, not state: direct access asks the
engine's oracle, recording access also remembers each preimage the step read, and replay access
serves the preimages the proof carries (each checked against its key) and is stuck without one.
"""

from __future__ import annotations

from collections.abc import Callable, Sequence

from emulator import merkle
from emulator.errors import SwapvmError
from emulator.layout import (
    LEAF_BITS,
    LEAF_BYTES,
    SHADOW_BASE,
    SHADOW_X,
    TREE_HEIGHT,
    WINDOW_HEIGHT,
)
from emulator.merkle import keccak
from emulator.oracle import PreimageOracle, lookup
from emulator.state import MachineState
from emulator.template import Q_PAGE_END


# --- the errors a verifier can reject a proof with -----------------------------------------------
class ProofError(SwapvmError):
    """A step proof is rejected."""


class PreRootMismatch(ProofError):
    """The proven leaves and siblings do not hash to the claimed pre-root."""


class PostRootMismatch(ProofError):
    """Replaying the step does not give the claimed post-root."""


class StuckError(ProofError):
    """The step touched a leaf the proof does not carry: the verifier cannot continue."""


class UnusedLeafError(ProofError):
    """The proof carries a leaf the step never touched."""


class LeafOrderError(ProofError):
    """The proof's leaves are not sorted by index or repeat an index."""


class SiblingCountError(ProofError):
    """The proof carries too many or too few sibling hashes."""


class MalformedProofError(ProofError):
    """The proof's encoding is broken (bad hex, lengths, magic, fields)."""


class PreimageHashMismatch(ProofError):
    """A preimage the proof carries does not hash to the key it is listed under."""


class PreimageNotLoaded(StuckError):
    """The step reads a preimage the verifier's oracle does not hold: stuck."""


class UnusedPreimageError(ProofError):
    """The proof carries a preimage the step never reads."""


def check_preimages(preimages: Sequence[tuple[bytes, bytes]]) -> dict[bytes, bytes]:
    """The proof's preimages as a dict, each checked: keccak256(data) == key, keys ascending and unique."""
    keys = [key for key, _ in preimages]
    if any(after <= before for before, after in zip(keys, keys[1:], strict=False)):
        raise MalformedProofError("the preimages are not sorted by key or repeat a key")
    for key, data in preimages:
        if keccak(bytes(data)) != key:
            raise PreimageHashMismatch(
                f"preimage mismatch: the preimage listed under 0x{key.hex()} does not hash to its key"
            )
    return {bytes(key): bytes(data) for key, data in preimages}


def leaf_span(addr: int, n: int) -> range:
    """Indices of the leaves an access of n bytes at addr touches."""
    return range(addr >> LEAF_BITS, ((addr + n - 1) >> LEAF_BITS) + 1)


class StateAccess:
    """What the step may do to the machine: read bytes, write bytes, clean Q, emit debug output."""

    def read(self, addr: int, n: int) -> bytes:
        """n bytes at addr."""
        raise NotImplementedError

    def write(self, addr: int, data: bytes) -> None:
        """Store data at addr."""
        raise NotImplementedError

    def clean(self) -> None:
        """Replace the Q subtree by Q* (node (25, 0) := Q* root)."""
        raise NotImplementedError

    def debug_write(self) -> None:
        """ECALL write: the host may show write(a0, a1, a2); no state effect, no proof content."""

    def preimage(self, key: bytes) -> bytes:
        """ECALL 1001: the oracle's preimage of key (not state; a missing key is a host error)."""
        raise NotImplementedError


MAX_DEBUG_WRITE = 1 << 16


def debug_bytes(buf: int, length: int, read: Callable[[int, int], bytes]) -> bytes:
    """The bytes an ECALL write(fd, buf, length) shows: at most 64 KiB, none past 4 GiB (outside the step)."""
    length = min(length, MAX_DEBUG_WRITE)
    return read(buf, length) if buf + length <= 1 << 32 else b""


def _debug_bytes(state: MachineState) -> tuple[int, bytes]:
    """The (fd, buffer) an ECALL write names, read straight from the state."""
    def reg(i: int) -> int:
        """Register i of the shadow page."""
        return state.read_u64(SHADOW_BASE + SHADOW_X + 8 * i)

    return reg(10), debug_bytes(reg(11), reg(12), state.read)


def install_qstar(state: MachineState, qstar_pages: dict[int, bytes]) -> None:
    """The clean (spec §2.3): drop every page of Q and install Q*'s non-zero pages."""
    state.clear_pages(0, Q_PAGE_END)
    for number, data in qstar_pages.items():
        state.set_page(number, data)


class DirectAccess(StateAccess):
    """Plain execution on a MachineState; the clean installs the template's Q* pages."""

    def __init__(
        self,
        state: MachineState,
        qstar_pages: dict[int, bytes],
        output: Callable[[int, bytes], None] | None = None,
        oracle: PreimageOracle | None = None,
    ) -> None:
        """Execute on state; qstar_pages are the non-zero Q pages after a clean; oracle serves ECALL 1001."""
        self.state = state
        self.qstar_pages = qstar_pages
        self.output = output
        self.oracle = oracle

    def read(self, addr: int, n: int) -> bytes:
        """n bytes of the state."""
        return self.state.read(addr, n)

    def write(self, addr: int, data: bytes) -> None:
        """Store into the state."""
        self.state.write(addr, data)

    def clean(self) -> None:
        """Drop every Q page and install Q*."""
        install_qstar(self.state, self.qstar_pages)

    def debug_write(self) -> None:
        """Hand the buffer of an ECALL write to the output callback, if any."""
        if self.output is not None:
            self.output(*_debug_bytes(self.state))

    def preimage(self, key: bytes) -> bytes:
        """The oracle's preimage; PreimageMissing (nothing changed yet) if it lacks the key."""
        return lookup(self.oracle, key)


class RecordingAccess(DirectAccess):
    """Direct execution that records every leaf touched (value before the step) and the pre-state siblings."""

    def __init__(
        self, state: MachineState, qstar_pages: dict[int, bytes], oracle: PreimageOracle | None = None
    ) -> None:
        """Record on state (which the step mutates)."""
        super().__init__(state, qstar_pages, None, oracle)
        self.pre_root = state.root()
        self.touched: dict[int, bytes] = {}
        self.preimages: dict[bytes, bytes] = {}
        self.siblings: list[bytes] | None = None
        self.cleaned = False

    def _touch(self, addr: int, n: int) -> None:
        """Remember the pre-step value of every leaf an access covers."""
        for index in leaf_span(addr, n):
            if index not in self.touched:
                self.touched[index] = self.state.leaf(index)

    def read(self, addr: int, n: int) -> bytes:
        """Read and record."""
        self._touch(addr, n)
        return super().read(addr, n)

    def write(self, addr: int, data: bytes) -> None:
        """Record, then write."""
        self._touch(addr, len(data))
        super().write(addr, data)

    def preimage(self, key: bytes) -> bytes:
        """Ask the oracle and remember the preimage for the proof."""
        data = super().preimage(key)
        self.preimages[bytes(key)] = data
        return data

    def clean(self) -> None:
        """Take the siblings before Q changes wholesale (they are off the touched paths), then clean."""
        self.siblings = self.state.multiproof(set(self.touched))
        self.cleaned = True
        super().clean()

    def finish(self) -> tuple[list[tuple[int, bytes]], list[bytes]]:
        """The sorted (index, pre-value) leaves and the canonical siblings of this step."""
        if self.siblings is None:
            # Writes only changed touched leaves, so every sibling still holds its pre-step value.
            self.siblings = self.state.multiproof(set(self.touched))
        return sorted(self.touched.items()), self.siblings


class ReplayAccess(StateAccess):
    """The verifier: serves reads from proven leaves, applies writes to them, recomputes the roots."""

    def __init__(
        self,
        pre_root: bytes,
        leaves: Sequence[tuple[int, bytes]],
        siblings: Sequence[bytes],
        qstar_root: bytes,
        preimages: dict[bytes, bytes] | None = None,
        oracle: PreimageOracle | None = None,
    ) -> None:
        """Check the leaves and siblings against pre_root; raise a ProofError if they do not fit.

        preimages are the proof's, already checked against their keys (check_preimages); oracle is
        the verifier's own store, asked for a key the proof does not carry.
        """
        indices = [index for index, _ in leaves]
        for before, after in zip(indices, indices[1:], strict=False):
            if after <= before:
                kind = "duplicate" if after == before else "unsorted"
                raise LeafOrderError(f"{kind} leaf index {after} after {before}")
        if not leaves:
            raise MalformedProofError("the proof carries no leaves")
        for index, value in leaves:
            if not 0 <= index < 1 << TREE_HEIGHT or len(value) != LEAF_BYTES:
                raise MalformedProofError(f"leaf {index} is not a 32-byte leaf of the machine tree")
        if any(len(h) != 32 for h in siblings):
            raise MalformedProofError("every sibling must be a 32-byte hash")
        self.values = {index: bytes(value) for index, value in leaves}
        self.siblings = list(siblings)
        self.qstar_root = qstar_root
        self.used: set[int] = set()
        self.cleaned = False
        self.preimages = preimages or {}
        self.preimages_used: set[bytes] = set()
        self.oracle = oracle
        root = self._root(self.values, None)
        if root != pre_root:
            raise PreRootMismatch(
                f"leaves and siblings hash to {root.hex()}, not the pre-root {pre_root.hex()}"
            )

    def _root(self, values: dict[int, bytes], qstar: bytes | None) -> bytes:
        """The root from values and the siblings, with Q overridden by qstar after a clean."""
        overrides = {(WINDOW_HEIGHT, 0): qstar} if qstar is not None else None
        try:
            return merkle.root_from_proof(values, self.siblings, overrides)
        except merkle.SiblingCountError as exc:
            raise SiblingCountError(str(exc)) from None

    def _need(self, addr: int, n: int) -> range:
        """The leaves an access covers; stuck if any is unproven."""
        span = leaf_span(addr, n)
        for index in span:
            if index not in self.values:
                address = index << LEAF_BITS
                raise StuckError(f"the step touches leaf {index} (address {address:#x}), not in the proof")
            self.used.add(index)
        return span

    def read(self, addr: int, n: int) -> bytes:
        """Bytes from the proven leaves."""
        span = self._need(addr, n)
        blob = b"".join(self.values[i] for i in span)
        offset = addr - (span.start << LEAF_BITS)
        return blob[offset : offset + n]

    def write(self, addr: int, data: bytes) -> None:
        """Update the proven leaves."""
        span = self._need(addr, len(data))
        blob = bytearray(b"".join(self.values[i] for i in span))
        offset = addr - (span.start << LEAF_BITS)
        blob[offset : offset + len(data)] = data
        for k, index in enumerate(span):
            self.values[index] = bytes(blob[k * LEAF_BYTES : (k + 1) * LEAF_BYTES])

    def clean(self) -> None:
        """Remember that node (25, 0) becomes the template's Q* root."""
        self.cleaned = True

    def preimage(self, key: bytes) -> bytes:
        """A preimage the proof carries, or the verifier's oracle holds; stuck (PreimageNotLoaded) without."""
        data = self.preimages.get(bytes(key))
        if data is not None:
            self.preimages_used.add(bytes(key))
            return data
        data = self.oracle.get(key) if self.oracle is not None else None
        if data is None or keccak(data) != key:
            raise PreimageNotLoaded(f"preimage not loaded: the step reads the preimage of 0x{key.hex()}")
        return data

    def post_root(self) -> bytes:
        """The root after the step; rejects leaves the step did not touch."""
        unused = sorted(set(self.values) - self.used)
        if unused:
            raise UnusedLeafError(f"the proof carries leaf {unused[0]} that the step never touches")
        idle = sorted(set(self.preimages) - self.preimages_used)
        if idle:
            key = idle[0].hex()
            raise UnusedPreimageError(f"unused preimage: the step never reads the preimage of 0x{key}")
        return self._root(self.values, self.qstar_root if self.cleaned else None)
