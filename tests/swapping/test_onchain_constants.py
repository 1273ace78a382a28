"""The contract's constants are the machine's: each one parsed from StepVerifier.vy equals emulator's."""

from __future__ import annotations

import ast
import operator
import re

import pytest

import emulator.isa.core as isa_core
import emulator.layout as layout
import emulator.proof as proof
from swapping.onchain.build import SOURCE

CONSTANT = re.compile(r"^(?P<name>[A-Z][A-Z0-9_]*): constant\(uint256\) = (?P<expr>[^#\n]+)", re.MULTILINE)
OPERATORS = {ast.LShift: operator.lshift, ast.Add: operator.add, ast.Sub: operator.sub,
             ast.Mult: operator.mul}


def evaluate(node: ast.expr, known: dict[str, int]) -> int:
    """The value of a constant expression: integers, earlier constants, << + - * and parentheses."""
    if isinstance(node, ast.Constant) and isinstance(node.value, int):
        return node.value
    if isinstance(node, ast.Name):
        return known[node.id]
    if isinstance(node, ast.BinOp) and type(node.op) in OPERATORS:
        return OPERATORS[type(node.op)](evaluate(node.left, known), evaluate(node.right, known))
    raise ValueError(f"unsupported constant expression {ast.dump(node)}")


def contract_constants() -> dict[str, int]:
    """Every uint256 constant of the contract source, evaluated in order."""
    known: dict[str, int] = {}
    for match in CONSTANT.finditer(SOURCE.read_text()):
        known[match["name"]] = evaluate(ast.parse(match["expr"].strip(), mode="eval").body, known)
    return known


def named(module: object, names: list[str]) -> dict[str, int]:
    """name -> value of the given module attributes."""
    return {name: getattr(module, name) for name in names}


UNMIRRORED = ("SHADOW_BASE", "SHADOW_X", "CAUSE_NONE")     # the contract addresses these as 0
LAYOUT_NAMES = [name for name in dir(layout) if name.startswith(("SHADOW_", "STATUS_", "CAUSE_", "ECALL_"))
                and isinstance(getattr(layout, name), int) and name not in UNMIRRORED]
BASES = ["RAM_BASE", "S_BASE", "ROM_BASE", "TOP_BASE", "TREE_HEIGHT", "WINDOW_HEIGHT"]
# name in the contract -> its value in the Python machine
EXPECTED: dict[str, int] = {
    **named(layout, [*BASES, *LAYOUT_NAMES]),
    **named(isa_core, [name for name in dir(isa_core) if name.startswith("OPCODE_")]),
    "LEAF_COUNT": 1 << layout.TREE_HEIGHT,
    "MAGIC": int.from_bytes(proof.MAGIC, "big"),
    "MASK64": isa_core.MASK64,
    "A0": 10,
    "A7": 17,
}


@pytest.mark.parametrize("name", sorted(EXPECTED))
def test_the_contract_constant_equals_the_machines(name: str) -> None:
    constants = contract_constants()
    assert name in constants, f"StepVerifier.vy lacks {name}"
    assert constants[name] == EXPECTED[name], f"{name} = {constants[name]:#x}, not {EXPECTED[name]:#x}"


def test_every_layout_name_the_contract_uses_is_checked() -> None:
    shared = set(contract_constants()) & {name for name in dir(layout) if name.isupper()}
    assert shared <= set(EXPECTED), f"unchecked: {sorted(shared - set(EXPECTED))}"
