"""The referee alone: its imports stay pure, it rejects malformed moves, equivocation and tampered proofs."""

from __future__ import annotations

import ast
import subprocess
import sys
from dataclasses import replace
from pathlib import Path

import pytest

from emulator.errors import SwapvmError
from emulator.proof import prove_step
from emulator.template import MachineParams, template_from_code
from swapping.dispute.disasm import disassemble
from swapping.dispute.lies import at_number, parse_lie
from swapping.dispute.referee import (
    Equivocation,
    MalformedMove,
    Move,
    ProofRejected,
    Referee,
    TemplateInfo,
    check_step,
)

ROOT = Path(__file__).resolve().parents[2]
ADDI_A0 = 0x00150513          # addi a0, a0, 1
YIELD = (0x05D00893, 0x00000073)   # li a7, 93; ecall
PARAMS = MachineParams(log2_window=4, ram_size=1 << 12, s_size=1 << 12)


def template():
    """A four-instruction machine with a 16-step window."""
    code = b"".join(w.to_bytes(4, "little") for w in (ADDI_A0, ADDI_A0, *YIELD))
    return template_from_code(code, PARAMS)


@pytest.mark.parametrize("module", ["referee", "audit"])
def test_referee_imports_only_pure_emulator_modules(module: str) -> None:
    """Statically: stdlib, emulator, the referee; at run time: no unicorn, py-evm, fastvm, other swapping."""
    tree = ast.parse((ROOT / "swapping" / "dispute" / f"{module}.py").read_text())
    names = {a.name for n in ast.walk(tree) if isinstance(n, ast.Import) for a in n.names}
    names |= {n.module for n in ast.walk(tree) if isinstance(n, ast.ImportFrom) and n.module}
    allowed = {"__future__", "collections.abc", "dataclasses", "typing", "swapping.dispute.referee"}
    assert all(name in allowed or name.startswith("emulator.") or name == "emulator" for name in names), names
    pure = ("swapping.dispute", "swapping.dispute.referee", f"swapping.dispute.{module}")
    probe = (
        f"import sys, swapping.dispute.{module}\n"
        "bad = [m for m in sys.modules if m.split('.')[0] in ('unicorn', 'evm', 'eth', 'fastvm', 'bench')"
        f" or (m.startswith('swapping.') and m not in {pure!r})"
        " or m in ('emulator.unicorn_engine', 'emulator.fast', 'emulator.machine')]\n"
        "print(','.join(bad))\n"
    )
    out = subprocess.run([sys.executable, "-c", probe], cwd=ROOT, capture_output=True, text=True, check=True)
    assert out.stdout.strip() == "", f"the referee pulls in {out.stdout.strip()}"


def referee_with_claims() -> tuple[Referee, bytes]:
    """A machine-mode referee over 2^3 steps, opened with two different final claims."""
    info = TemplateInfo.of(template())
    start = b"\x01" * 32
    referee = Referee(info, 3, False, start)
    referee.open({"proposer": b"\x02" * 32, "challenger": b"\x03" * 32})
    return referee, start


def test_a_move_for_the_wrong_positions_or_round_is_malformed() -> None:
    referee, start = referee_with_claims()
    with pytest.raises(MalformedMove, match="positions"):
        referee.submit(Move("proposer", 0, ((0, start), (3, b"\x04" * 32), (8, b"\x02" * 32))))
    with pytest.raises(MalformedMove, match="round 1"):
        referee.submit(Move("proposer", 1, ((0, start), (4, b"\x04" * 32), (8, b"\x02" * 32))))
    with pytest.raises(MalformedMove, match="32-byte"):
        referee.submit(Move("challenger", 0, ((0, start), (4, b"\x04" * 31), (8, b"\x03" * 32))))


def test_restating_a_claim_differently_is_equivocation() -> None:
    referee, start = referee_with_claims()
    with pytest.raises(Equivocation, match="position 8"):
        referee.submit(Move("challenger", 0, ((0, start), (4, b"\x04" * 32), (8, b"\x02" * 32))))


def test_agreement_moves_lo_and_disagreement_moves_hi() -> None:
    referee, start = referee_with_claims()
    mid = b"\x05" * 32
    referee.submit(Move("proposer", 0, ((0, start), (4, mid), (8, b"\x02" * 32))))
    referee.submit(Move("challenger", 0, ((0, start), (4, mid), (8, b"\x03" * 32))))
    assert referee.close_round() is True and (referee.lo, referee.hi) == (4, 8)
    referee.submit(Move("proposer", 1, ((4, mid), (6, b"\x06" * 32), (8, b"\x02" * 32))))
    referee.submit(Move("challenger", 1, ((4, mid), (6, b"\x07" * 32), (8, b"\x03" * 32))))
    assert referee.close_round() is False and (referee.lo, referee.hi) == (4, 6)


def test_agreeing_final_claims_are_no_dispute() -> None:
    info = TemplateInfo.of(template())
    referee = Referee(info, 3, False, b"\x01" * 32)
    with pytest.raises(Exception, match="nothing to dispute"):
        referee.open({"proposer": b"\x02" * 32, "challenger": b"\x02" * 32})


def test_check_step_accepts_the_true_step_and_rejects_tampering() -> None:
    tpl = template()
    info = TemplateInfo.of(tpl)
    state = tpl.initial_state()
    pre = state.root()
    proof = prove_step(tpl, state)
    assert check_step(info, pre, proof.post_root, proof) == state.root()
    with pytest.raises(ProofRejected, match="not the claim"):
        check_step(info, pre, b"\x09" * 32, proof)
    with pytest.raises(ProofRejected, match="PostRootMismatch"):
        check_step(info, pre, b"\x09" * 32, replace(proof, post_root=b"\x09" * 32))
    index, value = proof.leaves[0]
    forged = replace(proof, leaves=((index, bytes([value[0] ^ 1]) + value[1:]), *proof.leaves[1:]))
    with pytest.raises(ProofRejected, match="PreRootMismatch"):
        check_step(info, pre, proof.post_root, forged)
    with pytest.raises(ProofRejected, match="not the agreed"):
        check_step(info, b"\x08" * 32, proof.post_root, proof)
    other = replace(info, qstar_root=b"\x0a" * 32)
    with pytest.raises(ProofRejected, match="QStarMismatch"):
        check_step(other, pre, proof.post_root, proof)


def test_template_info_refuses_bad_roots() -> None:
    with pytest.raises(Exception, match="qstar_root"):
        TemplateInfo(b"\x00" * 31, b"\x00" * 32, 10)


@pytest.mark.parametrize(
    ("text", "message"),
    [("step=3", "exactly one of block=K"), ("block=1,number=2", "exactly one of block=K"),
     ("number=x", "integer"), ("number=-2", "negative"), ("block=x", "integer"),
     ("block=1,kind=lie", "unknown kind"),
     ("block=1,block=2", "expected"), ("block=-1", "negative"), ("block=1,color=red", "expected"),
     ("block=1,step=2,round=3", "only applies")],
)
def test_malformed_lies_are_refused(text: str, message: str) -> None:
    with pytest.raises(Exception, match=message):
        parse_lie(text)


def test_lie_kind_defaults() -> None:
    assert parse_lie("block=2").kind == "s-root"
    assert parse_lie("block=2,step=7").kind == "step"
    assert parse_lie("block=2,step=0x10,kind=idle").step == 16


def test_a_lie_by_header_number_resolves_to_its_window_index() -> None:
    lie = parse_lie("number=8,step=5")
    assert (lie.number, lie.step, lie.kind) == (8, 5, "step")
    resolved = at_number(lie, [7, 8, 9])
    assert (resolved.block, resolved.number, resolved.describe()) == (1, None, "block=1,step=5,kind=step")
    assert at_number(parse_lie("block=2"), [7, 8, 9]) == parse_lie("block=2")
    with pytest.raises(SwapvmError, match=r"number=3: no block .* \(7\.\.9\)"):
        at_number(parse_lie("number=3"), [7, 8, 9])


@pytest.mark.parametrize(
    ("word", "pc", "text"),
    [(0x00150513, 0, "addi a0, a0, 1"), (0x02063883, 0, "ld a7, 32(a2)"), (0x40D686B3, 0, "sub a3, a3, a3"),
     (0x00000073, 0, "ecall"), (0x0000006F, 0x80000000, "jal zero, 0x80000000"),
     (0x02B50533, 0, "mul a0, a0, a1"), (0x4015D59B, 0, "sraiw a1, a1, 1"),
     (0xFFFFFFFF, 0, ".word 0xffffffff"),
     (0xFE050EE3, 0x100, "beq a0, zero, 0xfc")],
)
def test_disassembler(word: int, pc: int, text: str) -> None:
    assert disassemble(word, pc) == text
