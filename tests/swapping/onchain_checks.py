"""Checks shared by the on-chain differential tests: both verifiers agree on a proof and on its tamperings."""

from __future__ import annotations

import dataclasses
import random
from collections.abc import Callable

from emulator.layout import LEAF_BITS, RAM_BASE, ROM_BASE, S_BASE, TOP_BASE
from emulator.proof import StepProof
from emulator.state import MachineState
from emulator.template import Template
from swapping.onchain.differential import Outcome, chain_outcome, python_outcome

GAS_GOAL = 300_000
POST_ROOT_AT = 6 + 1 + 32          # magic, flags, pre-root: the post-root's first byte
# Leaves a drifted step could touch where the reference does not: the window edges and their neighbours.
EDGES = (RAM_BASE, S_BASE, ROM_BASE, TOP_BASE)
EDGE_LEAVES = sorted({(edge >> LEAF_BITS) + d for edge in EDGES for d in (-1, 0)})


def flip_random_bit(data: bytes, rng: random.Random, start: int = 0, end: int | None = None) -> bytes:
    """data with one random bit flipped in data[start:end]."""
    at = rng.randrange(start, len(data) if end is None else end)
    return data[:at] + bytes([data[at] ^ (1 << rng.randrange(8))]) + data[at + 1 :]


def reproof(pre: MachineState, proof: StepProof, indices: set[int]) -> StepProof:
    """The same claim, honestly proven for another leaf set of the pre-state."""
    leaves = tuple((index, pre.leaf(index)) for index in sorted(indices))
    return dataclasses.replace(proof, leaves=leaves, siblings=tuple(pre.multiproof(indices)))


def without_a_leaf(pre: MachineState, proof: StepProof, rng: random.Random) -> bytes:
    """The proof minus one of its leaves (siblings recomputed): the step gets stuck there.

    Every step reads leaves 8 and 9 (status, clock, log2_window), so at least one leaf is left.
    """
    indices = {index for index, _ in proof.leaves}
    indices.discard(rng.choice(sorted(indices)))
    return reproof(pre, proof, indices).to_bytes()


def with_an_edge_leaf(pre: MachineState, proof: StepProof, rng: random.Random) -> bytes:
    """The proof plus a leaf at a window edge that it lacks (siblings recomputed): an unused leaf.

    A verifier whose step wrongly touches that leaf (a region not clipped to its window) accepts it.
    """
    indices = {index for index, _ in proof.leaves}
    extra = rng.choice([index for index in EDGE_LEAVES if index not in indices])
    return reproof(pre, proof, indices | {extra}).to_bytes()


TAMPERS: dict[str, Callable[[MachineState, StepProof, random.Random], bytes]] = {
    "a random bit": lambda _, p, rng: flip_random_bit(p.to_bytes(), rng),
    "the claimed post-root": lambda _, p, rng: flip_random_bit(p.to_bytes(), rng, POST_ROOT_AT,
                                                               POST_ROOT_AT + 32),
    "a missing leaf": without_a_leaf,
    "an extra edge leaf": with_an_edge_leaf,
}


def assert_alike(data: bytes, template: Template) -> Outcome:
    """Both verifiers give the same outcome on the binary proof (same post-root or same rejection)."""
    chain = chain_outcome(data, template)
    python = python_outcome(data, template)
    assert python == chain, f"python: {python.kind} {python.message} | chain: {chain.kind} {chain.message}"
    return chain


def check_alike(pre: MachineState, proof: StepProof, template: Template, rng: random.Random | None) -> None:
    """Both verifiers accept the honest proof with its post-root within the gas goal; with rng, one
    random tampering of it is rejected by both alike."""
    honest = assert_alike(proof.to_bytes(), template)
    assert honest.post_root == proof.post_root, honest.message
    assert honest.gas_used <= GAS_GOAL
    if rng is not None:
        name = rng.choice(sorted(TAMPERS))
        data = TAMPERS[name](pre, proof, rng)
        assert assert_alike(data, template).kind is not None, f"{name} was accepted"
