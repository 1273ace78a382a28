"""Conformance of a machine (A, or AB through a stepper) on one BlockchainTests test: a pure function, so
tests can run in any pool."""

from __future__ import annotations

import time
from collections.abc import Callable, Sequence
from dataclasses import asdict, dataclass
from typing import Any, Protocol

from emulator.cliargs import block_label
from emulator.merkle import keccak
from fastvm.codec import encode
from fastvm.fixtures import FixtureTest, initial_state
from fastvm.inspect_state import account_difference_lines, summary_line
from fastvm.machine import Machine, StepInfo
from fastvm.state import Account, EssentialState, Reason, Status
from fastvm.world import state_root_of

# expectException names (informative, spec §4.6): prefix -> the reason codes A may give. The fixtures'
# invalid-transaction blocks commit to a transactions root without the invalid transaction, so A, which
# checks the body before executing, rejects them with body-mismatch.
_TX = frozenset({Reason.BODY_MISMATCH, Reason.TRANSACTION_INVALID})
EXCEPTION_REASONS: tuple[tuple[str, frozenset[Reason]], ...] = (
    ("TR_", _TX),
    ("SenderNotEOA", _TX),
    ("InvalidTimestampOlderParent", frozenset({Reason.HEADER_INVALID})),
    ("ExtraDataTooBig", frozenset({Reason.HEADER_INVALID})),
    ("InvalidGasLimit", frozenset({Reason.HEADER_INVALID})),
    ("1559BlockImportImpossible_BaseFeeWrong", frozenset({Reason.HEADER_INVALID})),
    ("PostParisUncleHashIsNotEmpty", frozenset({Reason.HEADER_INVALID})),
)
_SIDE_CHAINS = (
    "the test imports blocks of a side chain; S follows one linear chain and rejects blocks that do not "
    "extend its parent (spec §4.5)"
)


@dataclass(frozen=True, slots=True)
class Finding:
    """A check's verdict with every difference it found (one line each), for the report's JSON."""

    text: str
    differences: tuple[str, ...] = ()

    def __str__(self) -> str:
        """The verdict's one line."""
        return self.text


# A check of one transition on another machine: (image of S, image of S'[, the block's witness, on S
# version 2]) -> None if it agrees, else why not.
TransitionCheck = Callable[..., str | Finding | None]


class StepFailure(Exception):
    """The machine under test produced no S' for a block (a fault, an overrun, an unreadable S')."""


class Stepper(Protocol):
    """A machine under test: S -> (S', what the step did), like fastvm.machine.Machine (S of either
    version); a stepper on S version 2 may keep its last block's witness as `witness`."""

    def step(self, state: Any) -> tuple[Any, StepInfo]:
        """One step; raises StepFailure when there is no S'."""
        ...


FinalCheck = Callable[[Any], tuple[str, tuple[str, ...]]]   # final S -> (problem or "", differences)


@dataclass(frozen=True, slots=True)
class TestResult:
    """The verdict on one fixture test."""

    name: str
    path: str
    ok: bool
    reason: str
    expected_failure: bool
    blocks: int
    seconds: float
    reason_mismatches: tuple[str, ...] = ()  # rejected with a code other than the exception name maps to
    differences: tuple[str, ...] = ()  # a state that differs: every differing field, account and slot
    not_run: bool = False  # the report's field; a `cannot run` verdict is made before a test runs

    def to_json(self) -> dict:
        """The JSON object of the report."""
        data = asdict(self)
        data["reason_mismatches"] = list(self.reason_mismatches)
        data["differences"] = list(self.differences)
        return data


def expected_reasons(exception: str) -> frozenset[Reason] | None:
    """The reason codes a fixture's expectException allows, if the mapping knows every alternative."""
    allowed: set[Reason] = set()
    for alternative in exception.split("|"):
        match = [codes for prefix, codes in EXCEPTION_REASONS if alternative.startswith(prefix)]
        if not match:
            return None
        allowed |= match[0]
    return frozenset(allowed)


def run_test(
    test: FixtureTest,
    checks: Sequence[TransitionCheck] = (),
    verify: bool = False,
    machine: Stepper | None = None,
    label: str = "A",
) -> TestResult:
    """Run a machine (A unless given) over every block of a test; a crash is a failed test with its reason.

    The machine's verdicts and final state are compared with the fixture; `checks` compare each
    transition with another machine (AB must leave A's S')."""
    start = time.perf_counter()
    try:
        return _run_test(test, checks, machine or Machine(verify=verify), label, start)
    except Exception as exc:  # noqa: BLE001 - a crash must be reported per test, not end the whole run
        reason = f"internal error: {type(exc).__name__}: {exc}"
        seconds = time.perf_counter() - start
        return TestResult(test.name, test.path, False, reason, False, len(test.blocks), seconds)


def _run_test(test: FixtureTest, checks: Sequence[TransitionCheck], machine: Stepper, label: str,
              start: float) -> TestResult:
    """Run the machine over every block of a test on S version 1."""
    state = initial_state(test)
    image = encode(state) if checks else b""   # every block is checked, the first one too

    def final(state: EssentialState) -> tuple[str, tuple[str, ...]]:
        return _final_problem(test, state.accounts, keccak(state.parent_header), label)

    return run_blocks(test, state, image, checks, machine, label, final, start)


def run_blocks(test: FixtureTest, state: Any, image: bytes, checks: Sequence[TransitionCheck],
               machine: Stepper, label: str, final: FinalCheck, start: float) -> TestResult:
    """Run the machine over every block of a test from S (of either version, `image` its encoding when
    checks need it); compare accept/reject per block, then the final state (`final`)."""
    problem = ""
    differences: tuple[str, ...] = ()
    mismatches: list[str] = []
    for index, expect_valid in enumerate(test.expect_valid):
        before = image
        try:
            state, info = machine.step(state)
        except StepFailure as failure:
            problem = problem or f"{block_label(index, None)}: {failure}"
            break
        where = block_label(index, info.number)
        image = info.image
        accepted = info.status == Status.ACCEPTED
        if accepted != expect_valid and not problem:
            detail = f": {info.detail}" if info.detail else ""
            got = "accepted it" if accepted else f"rejected it ({info.reason.label}{detail})"
            want = "valid" if expect_valid else f"invalid ({test.expect_exception[index]})"
            problem = f"{where}: expected {want}, {label} {got}"
        allowed = expected_reasons(test.expect_exception[index]) if not expect_valid else None
        if not accepted and allowed is not None and info.reason not in allowed:
            mismatches.append(f"{where}: {test.expect_exception[index]} -> {info.reason.label}")
        witness = getattr(machine, "witness", None)
        for check in checks:
            verdict = check(before, image) if witness is None else check(before, image, witness)
            if verdict and not problem:
                problem = f"{where}: {verdict}"
                differences = verdict.differences if isinstance(verdict, Finding) else ()
    if not problem:
        problem, differences = final(state)
    # The only expected failures are by design; py-evm's own departures from Ethereum are corrected
    # in A instead (fastvm/corrections.py).
    known = _SIDE_CHAINS if test.side_chains else ""
    expected_failure = bool(known)
    reason = problem or "ok"
    if expected_failure and problem:
        reason = f"expected failure: {known} [{problem}]"
    return TestResult(
        test.name,
        test.path,
        not problem,
        reason,
        expected_failure and bool(problem),
        len(test.blocks),
        time.perf_counter() - start,
        tuple(mismatches),
        differences,
    )


def _final_problem(test: FixtureTest, accounts: tuple[Account, ...], last_hash: bytes,
                   label: str) -> tuple[str, tuple[str, ...]]:
    """What is wrong with the final state ("" if it matches postState and lastblockhash), and every
    differing account field and slot."""
    if test.post is not None and accounts != test.post:
        differences = tuple(account_difference_lines(accounts, test.post, (label, "the fixture")))
        return f"post-state differs: {summary_line(differences)}", differences
    if (
        test.post is None
        and test.post_state_hash is not None
        and state_root_of(accounts) != test.post_state_hash
    ):
        return "post-state root differs from postStateHash", ()
    if last_hash != test.last_block_hash:
        return f"last block hash 0x{last_hash.hex()[:16]}… differs from lastblockhash", ()
    return "", ()
