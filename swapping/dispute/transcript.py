"""The record of one game: every round's interval and claims, the final step, the proofs and the verdict."""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any


@dataclass
class RoundRecord:
    """One bisection round: the interval, both parties' roots at its midpoint, and which way it went."""

    number: int
    level: int
    lo: int
    mid: int
    hi: int
    claims: dict[str, str]
    agreed: bool
    seconds: float
    moves: dict[str, list[list[int | str]]] = field(default_factory=dict)   # each move as sent

    def to_json(self) -> dict[str, Any]:
        """A JSON-ready dict."""
        return dict(self.__dict__)


@dataclass
class Transcript:
    """Everything the referee saw, in order, as JSON-ready data."""

    mode: str                                   # "chain" or "machine"
    template: dict[str, Any]
    log2_steps: int
    log2_window: int
    start: str
    opening: dict[str, str]
    parties: dict[str, str]                     # party -> "honest" or the lie it tells
    rounds: list[RoundRecord] = field(default_factory=list)
    final: dict[str, Any] | None = None
    verdict: dict[str, Any] | None = None
    seconds: float = 0.0
    ab_steps: int = 0                           # steps the parties' engines advanced (idle ticks: O(1))

    def to_json(self) -> dict[str, Any]:
        """The whole transcript as one JSON object."""
        data = dict(self.__dict__)
        data["rounds"] = [r.to_json() for r in self.rounds]
        return data
