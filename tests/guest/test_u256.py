"""uint256 (guest/src/u256.c) against Python integers.

A native driver (guest/tests/evm/u256_driver.c), built with the host compiler under
AddressSanitizer and UndefinedBehaviorSanitizer, answers one operation a line; every answer is
checked against the EVM's definition written here over Python's unbounded integers.
"""

from __future__ import annotations

import shutil
import subprocess
from collections.abc import Callable, Iterator
from pathlib import Path

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

ROOT = Path(__file__).resolve().parents[2]
GUEST = ROOT / "guest"
M = 1 << 256
MASK = M - 1


def signed(x: int) -> int:
    """Two's complement reading of a 256-bit word."""
    return x - M if x >> 255 else x


def sdiv(a: int, b: int) -> int:
    """EVM SDIV: truncating signed division, 0 for b = 0."""
    sa, sb = signed(a), signed(b)
    if sb == 0:
        return 0
    q = abs(sa) // abs(sb)
    return (-q if (sa < 0) != (sb < 0) else q) & MASK


def smod(a: int, b: int) -> int:
    """EVM SMOD: remainder with the sign of the dividend, 0 for b = 0."""
    sa, sb = signed(a), signed(b)
    if sb == 0:
        return 0
    r = abs(sa) % abs(sb)
    return (-r if sa < 0 else r) & MASK


def signextend(b: int, x: int) -> int:
    """EVM SIGNEXTEND(b, x): extend the sign bit of byte b (0 = least significant)."""
    if b >= 31:
        return x
    bit = 8 * b + 7
    low = x & ((1 << (bit + 1)) - 1)
    return (low | (MASK ^ ((1 << (bit + 1)) - 1))) if (x >> bit) & 1 else low


def sar(s: int, x: int) -> int:
    """EVM SAR: arithmetic right shift rounding toward minus infinity."""
    return (signed(x) >> min(s, 256)) & MASK


ORACLE: dict[str, Callable[[int, int, int], int]] = {
    "add": lambda a, b, c: (a + b) & MASK,
    "sub": lambda a, b, c: (a - b) & MASK,
    "mul": lambda a, b, c: (a * b) & MASK,
    "div": lambda a, b, c: a // b if b else 0,
    "sdiv": lambda a, b, c: sdiv(a, b),
    "mod": lambda a, b, c: a % b if b else 0,
    "smod": lambda a, b, c: smod(a, b),
    "addmod": lambda a, b, c: (a + b) % c if c else 0,
    "mulmod": lambda a, b, c: (a * b) % c if c else 0,
    "exp": lambda a, b, c: pow(a, b, M),
    "signextend": lambda a, b, c: signextend(a, b),
    "byte": lambda a, b, c: (b >> (8 * (31 - a))) & 0xFF if a < 32 else 0,
    "shl": lambda a, b, c: (b << a) & MASK if a < 256 else 0,
    "shr": lambda a, b, c: b >> a if a < 256 else 0,
    "sar": lambda a, b, c: sar(a, b),
    "lt": lambda a, b, c: int(a < b),
    "gt": lambda a, b, c: int(a > b),
    "slt": lambda a, b, c: int(signed(a) < signed(b)),
    "sgt": lambda a, b, c: int(signed(a) > signed(b)),
    "eq": lambda a, b, c: int(a == b),
    "iszero": lambda a, b, c: int(a == 0),
    "and": lambda a, b, c: a & b,
    "or": lambda a, b, c: a | b,
    "xor": lambda a, b, c: a ^ b,
    "not": lambda a, b, c: a ^ MASK,
    "neg": lambda a, b, c: -a & MASK,
    "bytelen": lambda a, b, c: (a.bit_length() + 7) // 8,
    "alias": lambda a, b, c: (a * a) % b if b else 0,
}

EDGES = [0, 1, 2, 3, 7, 31, 32, 255, 256, 2**63, 2**64 - 1, 2**64, 2**128 - 1, 2**128, 2**192 + 5,
         2**255 - 1, 2**255, 2**255 + 1, MASK - 1, MASK]


class Driver:
    """A running u256 driver process, queried one line at a time."""

    def __init__(self, exe: Path) -> None:
        self.proc = subprocess.Popen([str(exe)], stdin=subprocess.PIPE, stdout=subprocess.PIPE, text=True)

    def __call__(self, op: str, a: int, b: int = 0, c: int = 0) -> int:
        """Ask the driver for op(a, b, c)."""
        assert self.proc.stdin and self.proc.stdout
        self.proc.stdin.write(f"{op} {a:064x} {b:064x} {c:064x}\n")
        self.proc.stdin.flush()
        line = self.proc.stdout.readline()
        assert line, f"driver died on {op} {a:#x} {b:#x} {c:#x}"
        return int(line, 16)

    def close(self) -> None:
        """End the process and require a clean exit (sanitizer reports fail the test)."""
        assert self.proc.stdin
        self.proc.stdin.close()
        assert self.proc.wait(timeout=30) == 0


@pytest.fixture(scope="module")
def u256(tmp_path_factory: pytest.TempPathFactory) -> Iterator[Driver]:
    """Build the sanitized native driver and run it for the module."""
    cc = shutil.which("gcc") or shutil.which("cc")
    if cc is None:
        pytest.skip("no host C compiler")
    exe = tmp_path_factory.mktemp("u256") / "u256_driver"
    subprocess.run(
        [cc, "-std=c11", "-O1", "-g", "-Wall", "-Wextra", "-Werror", "-fsanitize=address,undefined",
         "-fno-sanitize-recover=all", f"-I{GUEST / 'include'}", str(GUEST / "tests/evm/u256_driver.c"),
         str(GUEST / "src/u256.c"), "-o", str(exe)],
        check=True,
    )
    drv = Driver(exe)
    yield drv
    drv.close()


@pytest.mark.parametrize("op", sorted(ORACLE))
def test_edge_values(u256: Driver, op: str) -> None:
    for a in EDGES:
        for b in EDGES:
            for c in (0, 1, 7, 2**255, MASK):
                assert u256(op, a, b, c) == ORACLE[op](a, b, c), (op, hex(a), hex(b), hex(c))


def test_named_edge_cases(u256: Driver) -> None:
    int_min = 1 << 255
    assert u256("sdiv", int_min, MASK) == int_min  # SDIV(-2^255, -1) overflows back to -2^255
    assert u256("div", 5, 0) == 0 and u256("mod", 5, 0) == 0 and u256("smod", MASK, 0) == 0
    assert u256("mulmod", MASK, MASK, 12345) == (MASK * MASK) % 12345
    assert u256("addmod", MASK, MASK, MASK - 1) == (2 * MASK) % (MASK - 1)


# Words biased toward the shapes that break limb code: few significant limbs, runs of ones.
words = st.one_of(
    st.integers(0, MASK),
    st.integers(0, 2**64),
    st.sampled_from(EDGES),
    st.builds(lambda k, x: (x << (64 * k)) & MASK, st.integers(0, 3), st.integers(0, 2**64 - 1)),
    st.builds(lambda a, b: ((1 << a) - 1) ^ ((1 << b) - 1), st.integers(0, 256), st.integers(0, 256)),
)
small = st.integers(0, 300)


@settings(max_examples=400, deadline=None)
@given(op=st.sampled_from(sorted(ORACLE)), a=words, b=words, c=words)
def test_fuzz_all_ops(u256: Driver, op: str, a: int, b: int, c: int) -> None:
    assert u256(op, a, b, c) == ORACLE[op](a, b, c)


@settings(max_examples=300, deadline=None)
@given(op=st.sampled_from(["signextend", "byte", "shl", "shr", "sar"]), a=small, b=words)
def test_fuzz_small_first_operand(u256: Driver, op: str, a: int, b: int) -> None:
    assert u256(op, a, b) == ORACLE[op](a, b, 0)


@settings(max_examples=300, deadline=None)
@given(op=st.sampled_from(["div", "mod", "sdiv", "smod", "addmod", "mulmod"]), a=words, b=words, c=words)
def test_fuzz_division_shapes(u256: Driver, op: str, a: int, b: int, c: int) -> None:
    # divisors whose top digit is small exercise normalization and the add-back step of Knuth D
    assert u256(op, a, b >> (c % 256), c >> (b % 256)) == ORACLE[op](a, b >> (c % 256), c >> (b % 256))
