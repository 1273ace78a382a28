"""Hints (ECALL 64 on fd 3, spec §2.4): only fd 3 is kept, each payload under its own keccak256."""

from __future__ import annotations

from emulator.layout import FD_DEBUG, FD_HINT
from emulator.merkle import keccak
from emulator.oracle import DictOracle, Hints


def test_hints_keep_fd_3_only_each_under_its_own_hash() -> None:
    hints = Hints()
    hints.output(FD_DEBUG, b"a line for a person\n")
    hints.output(FD_HINT, b"node one")
    hints.output(FD_HINT, b"node two")
    oracle = DictOracle()
    assert hints.keep(oracle.add) == 2 and hints.payloads == []
    assert oracle.preimages == {keccak(b"node one"): b"node one", keccak(b"node two"): b"node two"}
    assert hints.keep(oracle.add) == 0
