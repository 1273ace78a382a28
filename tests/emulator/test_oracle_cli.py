"""`swapvm riscv run|prove|verify --preimages DIR` on the oracle_read example (spec §2.4, §2.9)."""

from __future__ import annotations

import json
import random
from pathlib import Path

import pytest

from emulator.image import template_from_image
from emulator.isa.system import ECALL_WORD
from emulator.layout import ECALL_PREIMAGE, S_BASE, SHADOW_PC, SHADOW_X
from emulator.machine import lockstep, make_machine
from emulator.merkle import keccak
from emulator.oracle import DictOracle, DirectoryOracle
from emulator.template import MachineParams, Template
from swapping.cli import main

build = pytest.importorskip("toolchain.build", reason="the toolchain is not available")
PREIMAGE = bytes(random.Random(7).randrange(256) for _ in range(300))
FNV_OFFSET, FNV_PRIME = 0xCBF29CE484222325, 0x100000001B3


@pytest.fixture(scope="module")
def image() -> Path:
    """The bundled oracle_read image."""
    return build.example_image("oracle_read")


@pytest.fixture
def store(tmp_path: Path) -> tuple[Path, Path]:
    """(a preimage directory holding PREIMAGE, an S file holding its key)."""
    folder = tmp_path / "preimages"
    folder.mkdir()
    DirectoryOracle(folder).add(PREIMAGE)
    s_file = tmp_path / "key.bin"
    s_file.write_bytes(keccak(PREIMAGE))
    return folder, s_file


def fnv(data: bytes) -> int:
    """FNV-1a 64, as the example computes it."""
    h = FNV_OFFSET
    for byte in data:
        h = ((h ^ byte) * FNV_PRIME) & ((1 << 64) - 1)
    return h


def run_json(capsys: pytest.CaptureFixture[str], argv: list[str]) -> tuple[int, dict[str, object]]:
    """Exit code and the JSON object printed."""
    code = main(argv)
    return code, json.loads(capsys.readouterr().out)


def test_run_reads_the_whole_preimage_on_every_engine(
    capsys: pytest.CaptureFixture[str], image: Path, store: tuple[Path, Path]
) -> None:
    folder, s_file = store
    roots = set()
    for engine in ("reference", "fast", "unicorn"):
        code, report = run_json(capsys, ["riscv", "run", str(image), "--s-file", str(s_file),
                                         "--preimages", str(folder), "--backend", engine, "--json", "-"])
        assert (code, report["status"], report["exit_code"]) == (0, "yielded", 0)
        roots.add(report["root"])
    assert len(roots) == 1
    template = build_template(image)
    machine = make_machine("fast", template, template.initial_state(keccak(PREIMAGE)),
                           oracle=DirectoryOracle(folder))
    machine.run_until_halt(10_000_000)
    s = machine.state()
    assert s.read_u64(S_BASE + 32) == len(PREIMAGE)
    assert s.read_u64(S_BASE + 40) == fnv(PREIMAGE)
    assert machine.root().hex() in roots


def build_template(image: Path) -> Template:
    """The image's template with the CLI's default parameters."""
    return template_from_image(image, MachineParams())


def test_a_missing_key_is_one_line_and_exit_2(
    capsys: pytest.CaptureFixture[str], image: Path, store: tuple[Path, Path], tmp_path: Path
) -> None:
    _, s_file = store
    empty = tmp_path / "empty"
    empty.mkdir()
    for argv in (["riscv", "run", str(image)], ["riscv", "prove", str(image), "--step", "100000",
                                                "--out", str(tmp_path / "p.json")]):
        code = main([*argv, "--s-file", str(s_file), "--preimages", str(empty)])
        err = capsys.readouterr().err.strip()
        assert code == 2
        key = keccak(PREIMAGE).hex()
        assert err.splitlines() == [f"swapvm: error: preimage oracle: no preimage for key 0x{key}"]


def test_an_absent_preimage_directory_is_refused(capsys: pytest.CaptureFixture[str], image: Path,
                                                 tmp_path: Path) -> None:
    code = main(["riscv", "run", str(image), "--preimages", str(tmp_path / "nope")])
    assert code == 2
    assert "does not exist" in capsys.readouterr().err


def first_oracle_step(image: Path, folder: Path) -> int:
    """The number of steps before the first ECALL 1001."""
    template = build_template(image)
    machine = make_machine("fast", template, template.initial_state(keccak(PREIMAGE)),
                           oracle=DirectoryOracle(folder))
    for step in range(1_000_000):
        state = machine.state()
        pc = state.read_u64(SHADOW_PC)
        a7 = state.read_u64(SHADOW_X + 8 * 17)
        if state.read_u64(pc) & 0xFFFF_FFFF == ECALL_WORD and a7 == ECALL_PREIMAGE:
            return step
        machine.run(1)
    raise AssertionError("no preimage read")


def test_prove_and_verify_an_oracle_step(
    capsys: pytest.CaptureFixture[str], image: Path, store: tuple[Path, Path], tmp_path: Path
) -> None:
    folder, s_file = store
    step = first_oracle_step(image, folder)
    proof_file = tmp_path / "p.json"
    assert main(["riscv", "prove", str(image), "--s-file", str(s_file), "--preimages", str(folder),
                 "--step", str(step), "--out", str(proof_file)]) == 0
    assert "1 preimages" in capsys.readouterr().out
    obj = json.loads(proof_file.read_text())
    assert obj["version"] == 2 and obj["preimages"] == [[keccak(PREIMAGE).hex(), PREIMAGE.hex()]]
    verify = ["riscv", "verify", str(proof_file), "--image", str(image), "--json", "-"]
    code, report = run_json(capsys, verify)
    assert (code, report["valid"]) == (0, True)
    bare = tmp_path / "bare.json"
    bare.write_text(json.dumps({**obj, "preimages": []}))
    code, report = run_json(capsys, ["riscv", "verify", str(bare), "--image", str(image), "--json", "-"])
    assert code == 1 and str(report["rejection"]).startswith("PreimageNotLoaded")
    code, report = run_json(capsys, ["riscv", "verify", str(bare), "--image", str(image), "--preimages",
                                     str(folder), "--json", "-"])
    assert (code, report["valid"]) == (0, True)


def test_a_preimage_file_that_does_not_hash_to_its_name_is_refused(
    capsys: pytest.CaptureFixture[str], image: Path, store: tuple[Path, Path]
) -> None:
    folder, s_file = store
    (folder / keccak(PREIMAGE).hex()).write_bytes(PREIMAGE + b"!")
    code = main(["riscv", "run", str(image), "--s-file", str(s_file), "--preimages", str(folder)])
    err = capsys.readouterr().err.strip().splitlines()
    assert code == 2 and len(err) == 1 and "does not hash to its name" in err[0]


@pytest.mark.parametrize(("length", "every"), [(0, 1), (1, 1), (31, 1), (32, 1), (33, 1), (300, 1),
                                               (24 * 1024, 997)])
def test_the_example_runs_in_lockstep_on_all_engines(image: Path, length: int, every: int) -> None:
    """oracle_read's reads at every alignment, the last chunk and past the end: the same root on every
    engine after every `every` steps; the bytes it hashed are the preimage's."""
    data = bytes(random.Random(length).randrange(256) for _ in range(length))
    template = build_template(image)
    result = lockstep(template, template.initial_state(keccak(data)), ("reference", "fast", "unicorn"),
                      10_000_000, every, DictOracle([data]))
    assert result.divergence is None, result.divergence
    assert result.state.read_u64(S_BASE + 32) == length
    assert result.state.read_u64(S_BASE + 40) == fnv(data)
    assert result.state.read_u64(S_BASE + 48) >= length // 32 + 2      # pieces never exceed a leaf
