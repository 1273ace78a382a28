"""Auditing transcripts: the referee alone re-derives every recorded verdict; tampering changes it."""

from __future__ import annotations

import json
from typing import Any

import pytest
from test_dispute_machine import A, example, start

from emulator.errors import SwapvmError
from swapping.cli import main
from swapping.dispute.audit import audit
from swapping.dispute.game import machine_game
from swapping.dispute.lies import LieSpec


def transcript(spec: LieSpec, liar: str = "challenger") -> dict[str, Any]:
    """A hello-example game's transcript after a JSON round trip."""
    result = machine_game(example("hello"), start("hello"), A, spec, liar=liar)
    return json.loads(json.dumps(result.transcript.to_json()))


@pytest.mark.parametrize(
    ("spec", "liar"),
    [(LieSpec("step", 0, 40), "challenger"), (LieSpec("idle", 0), "proposer"),
     (LieSpec("clean", 0), "challenger"), (LieSpec("equivocate", 0, 40, round=4), "proposer"),
     (LieSpec("equivocate", 0, 40, round=A), "challenger")],
)
def test_audit_reaches_the_recorded_verdict(spec: LieSpec, liar: str) -> None:
    data = transcript(spec, liar)
    verdict = audit(data)
    assert (verdict.winner, list(verdict.losers)) == (data["verdict"]["winner"], data["verdict"]["losers"])
    assert verdict.winner != liar


def test_swapped_proofs_leave_nobody_backed() -> None:
    data = transcript(LieSpec("step", 0, 40))
    proofs = data["final"]["proofs"]
    first, second = proofs["proposer"]["proof"], proofs["challenger"]["proof"]
    proofs["proposer"]["proof"], proofs["challenger"]["proof"] = second, first
    assert audit(data).winner is None


def test_a_rewritten_claim_is_caught() -> None:
    """Changing the liar's root at an agreed midpoint redirects the bisection: the proofs no longer fit."""
    data = transcript(LieSpec("step", 0, 700))
    agreed = next(r for r in data["rounds"] if r["agreed"])
    claims = agreed["moves"]["challenger"]
    claims[1][1] = "ab" * 32
    assert audit(data).winner != data["verdict"]["winner"]


@pytest.mark.parametrize(
    ("edit", "message"),
    [(lambda d: d.pop("template"), "'template'"), (lambda d: d.update(mode="tree"), "unknown mode"),
     (lambda d: d["rounds"][0]["moves"].pop("challenger"), "no move of challenger"),
     (lambda d: d["rounds"][1]["moves"]["proposer"][0].__setitem__(1, "zz" * 32), "64 hex digits"),
     (lambda d: d["opening"].__setitem__("proposer", "00"), "64 hex digits")],
)
def test_malformed_transcripts_are_refused(edit: Any, message: str) -> None:
    data = transcript(LieSpec("step", 0, 40))
    edit(data)
    with pytest.raises(SwapvmError, match=message):
        audit(data)


def test_the_audit_command(tmp_path: Any, capsys: pytest.CaptureFixture[str]) -> None:
    """`swapvm dispute-audit FILE`: 0 when the verdict agrees, 1 when a tampered file's differs, 2 on junk."""
    path = tmp_path / "game.json"
    data = transcript(LieSpec("step", 0, 40))
    path.write_text(json.dumps(data))
    assert main(["dispute-audit", str(path)]) == 0
    data["verdict"]["winner"] = "challenger"
    path.write_text(json.dumps(data))
    assert main(["dispute-audit", str(path)]) == 1
    path.write_text("{")
    assert main(["dispute-audit", str(path)]) == 2
    assert "not JSON" in capsys.readouterr().err
