"""libFuzzer run of the precompiles and secp256k1 recovery (guest/tests/crypto/fuzz_precompiles.c):
no input faults under ASan/UBSan and the result contract holds (status, gas ≤ limit, failures
consume all gas with empty output). Seeds are valid calls of every precompile, so mutations
reach deep paths (curve checks, pairing, modexp). A short run by default, two minutes with
-m slow. Needs clang (skipped without it)."""

from __future__ import annotations

import shutil
import subprocess
from pathlib import Path

import coincurve
import pytest
from crypto_driver import CRYPTO_SRC, CRYPTO_TESTS, HASH_SOURCES, be32
from py_ecc import optimized_bn128 as bn
from test_crypto_bn254 import enc_g1, enc_g2, g1, g2
from test_crypto_modexp import call_input

from toolchain.build import ROOT


def build_fuzzer(out_dir: Path) -> Path:
    """Compile the target with libFuzzer, ASan and UBSan over the crypto and hash sources."""
    clang = shutil.which("clang")
    if clang is None:
        pytest.skip("clang (libFuzzer) is not installed")
    exe = out_dir / "fuzz_precompiles"
    sources = [CRYPTO_TESTS / "fuzz_precompiles.c", ROOT / "guest" / "host" / "rt_host.c"]
    sources += sorted(CRYPTO_SRC.glob("*.c")) + [ROOT / "guest" / "src" / s for s in HASH_SOURCES]
    subprocess.run(
        [clang, "-std=c11", "-g", "-O1", "-Wall", "-Wextra", "-Werror",
         "-fsanitize=fuzzer,address,undefined", "-fno-sanitize-recover=all",
         f"-I{ROOT / 'guest' / 'include'}", *map(str, sources), "-o", str(exe)],
        check=True,
    )
    return exe


def seed_corpus(out_dir: Path) -> Path:
    """One valid call of each precompile (gas prefix 2^24 - 1) and a valid recovery."""
    corpus = out_dir / "corpus"
    corpus.mkdir(exist_ok=True)
    h = bytes(range(32))
    sig = coincurve.PrivateKey(b"\x05" * 32).sign_recoverable(h, hasher=None)
    p, q = enc_g1(g1(3)), enc_g2(g2(4))
    calls = {
        1: h + be32(27 + sig[64]) + sig[:64],
        2: b"abc",
        3: b"abc",
        4: b"abc",
        5: call_input(b"\x03", b"\x05", b"\x07\x09"),
        6: p + enc_g1(g1(5)),
        7: p + be32(12345),
        8: p + q + enc_g1(bn.neg(g1(12))) + enc_g2(bn.G2),
        9: (12).to_bytes(4, "big") + bytes(208) + b"\x01",
    }
    for addr, data in calls.items():
        (corpus / f"seed{addr}").write_bytes(bytes([addr, 0xFF, 0xFF, 0xFF]) + data)
    (corpus / "recover").write_bytes(h + sig[:64] + bytes([sig[64]]))
    return corpus


def run_fuzzer(tmp: Path, *flags: str) -> None:
    """Fuzz; a crash, sanitizer report or failed RT_ASSERT fails the test."""
    exe = build_fuzzer(tmp)
    corpus = seed_corpus(tmp)
    result = subprocess.run([str(exe), *flags, "-max_len=1200", str(corpus)], capture_output=True,
                            text=True, cwd=tmp)
    assert result.returncode == 0, result.stderr[-3000:]


def test_fuzz_precompiles_briefly(tmp_path: Path) -> None:
    """A short deterministic run."""
    run_fuzzer(tmp_path, "-runs=1500", "-seed=1")


@pytest.mark.slow
def test_fuzz_precompiles_for_two_minutes(tmp_path: Path) -> None:
    """A longer run."""
    run_fuzzer(tmp_path, "-max_total_time=120")
