"""libFuzzer runs of the guest's decoders (guest/tests/fuzz): RLP and the S codec never crash
under ASan/UBSan on any input, and what they accept re-encodes to the same bytes.

The default run is short (a fixed number of inputs from a seed corpus of fixture images); the
slow run (`-m slow`) fuzzes each target for two minutes. Needs clang (skipped without it).
"""

from __future__ import annotations

import hashlib
import subprocess
from pathlib import Path

import pytest
from core_driver import GUEST, build_libfuzzer

from fastvm.codec import encode

TARGETS = {
    "rlp": ["rlp.c", "bytes.c"],
    "mpt": ["rlp.c", "bytes.c", "keccak.c", "trie.c", "oracle.c", "mpt.c", "../host/preimages_host.c"],
    "scodec": ["rlp.c", "bytes.c", "keccak.c", "trie.c", "scodec/header.c", "scodec/decode.c",
               "scodec/encode.c", "scodec/world_root.c"],
}


# The longest input per target: an S image needs room; an op sequence of the trie (3-4 bytes an op) is
# plenty at 4 KiB.
MAX_LEN = {"rlp": 40000, "scodec": 40000, "mpt": 4096}
# Inputs of the default run: the trie target checks its whole map's root after every op, so each of
# its inputs costs far more than a decoder's; its slow run and random_main.c sample it further.
BRIEF_RUNS = {"rlp": 30000, "scodec": 30000, "mpt": 3000}


def build_fuzzer(name: str, out_dir: Path) -> Path:
    """Compile one target with libFuzzer, ASan and UBSan."""
    return build_libfuzzer(GUEST / "tests" / "fuzz" / f"fuzz_{name}.c",
                           [GUEST / "src" / s for s in TARGETS[name]], out_dir / f"fuzz_{name}")


def seed_corpus(name: str, out_dir: Path) -> Path:
    """Seeds: fixture S images (and, for RLP, their payloads)."""
    from test_scodec import fixture_states

    corpus = out_dir / f"corpus_{name}"
    corpus.mkdir(exist_ok=True)
    for s in fixture_states():
        image = encode(s)
        seed = image[16:] if name == "rlp" else image
        (corpus / hashlib.sha256(seed).hexdigest()[:16]).write_bytes(seed)
    return corpus


def run_fuzzer(name: str, tmp: Path, *flags: str) -> None:
    """Fuzz one target; a crash, sanitizer report or failed invariant fails the test."""
    exe = build_fuzzer(name, tmp)
    corpus = seed_corpus(name, tmp)
    # libFuzzer's RSS limit reads the peak RSS, which a process started from a large pytest process can
    # inherit: inside the whole suite the trie target was stopped at "2328 MB" (the suite's own peak) while
    # it peaks at 128 MB alone. A high limit still stops a runaway allocation.
    command = [str(exe), *flags, f"-max_len={MAX_LEN[name]}", "-rss_limit_mb=16384", str(corpus)]
    result = subprocess.run(command, capture_output=True, text=True, cwd=tmp)
    assert result.returncode == 0, result.stderr[-3000:]


@pytest.mark.parametrize("name", sorted(TARGETS))
def test_fuzz_briefly(name: str, tmp_path: Path) -> None:
    run_fuzzer(name, tmp_path, f"-runs={BRIEF_RUNS[name]}", "-seed=1")


@pytest.mark.slow
@pytest.mark.parametrize("name", sorted(TARGETS))
def test_fuzz_for_two_minutes(name: str, tmp_path: Path) -> None:
    run_fuzzer(name, tmp_path, "-max_total_time=120")
