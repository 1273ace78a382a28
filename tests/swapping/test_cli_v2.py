"""The commands on S version 2: an S file and its preimage store (by default in the S file's folder).

State builders write version 2 with the store beside the S file; `state show`, `fast run`, `window`,
`trace` and `replay` read it; a missing store or one without S's world is one line naming what is
missing (exit 2); a fixture that crosses a fork time, refused on version 1, replays on version 2 with
its postState and lastblockhash matched.
"""

from __future__ import annotations

import json
import shutil
from pathlib import Path

import pytest

from fastvm.codec_v2 import decode_v2
from fastvm.witness import state_root_of_header
from swapping.cli import main

ROOT = Path(__file__).resolve().parents[2]
EXAMPLE = ROOT / "fastvm" / "examples" / "hello.toml"
GENESIS = ROOT / "fastvm" / "examples" / "chain" / "genesis.json"
CHAIN = ROOT / "fastvm" / "examples" / "chain" / "chain.rlp"
CROSSING = (ROOT.parent / "shared" / "conformance" / "cancun" / "BlockchainTests" / "GeneralStateTests"
            / "Pyspecs" / "cancun" / "eip4844_blobs" / "point_evaluation_precompile_during_fork.json")


def swapvm(*args: object) -> int:
    """Run one command in-process."""
    return main([str(arg) for arg in args])


@pytest.fixture
def s0(tmp_path: Path) -> Path:
    """The example's S0 on version 2, its store beside it."""
    path = tmp_path / "s" / "s0.bin"
    path.parent.mkdir()
    assert swapvm("state", "from-description", EXAMPLE, "--s-version", 2, "-o", path) == 0
    return path


def test_a_builder_writes_version_2_with_its_store_beside_it(s0: Path, capsys: pytest.CaptureFixture) -> None:
    """The S file is version 2 and `state show` reads it with the store beside it."""
    assert (s0.parent / "preimages.sqlite").is_file()
    state = decode_v2(s0.read_bytes())
    capsys.readouterr()
    assert swapvm("state", "show", s0, "--json", "-") == 0
    shown = json.loads(capsys.readouterr().out)
    assert shown["version"] == 2 and shown["inbox"] == 3 and shown["cursor"] == 0
    assert shown["state_root"] == "0x" + state_root_of_header(state.parent_header).hex()


def test_fast_run_on_version_2_ends_where_replay_does(s0: Path, tmp_path: Path,
                                                      capsys: pytest.CaptureFixture) -> None:
    """A alone over the store (fast run) and phase A of a replay of the same S file end on one S root."""
    capsys.readouterr()
    assert swapvm("fast", "run", s0, "--json", "-") == 0
    run = json.loads(capsys.readouterr().out)
    swapvm("replay", s0, "--store", tmp_path / "replay", "--log2-window", 22, "--workers", 1, "--json",
           tmp_path / "r.json", "--quiet")
    report = json.loads((tmp_path / "r.json").read_text())
    assert report["s_version"] == 2
    assert "0x" + report["blocks"][-1]["s_root_a"] == run["final_s_root"]


def test_an_s_file_without_its_store_is_one_line_exit_2(s0: Path, tmp_path: Path,
                                                        capsys: pytest.CaptureFixture) -> None:
    """Copied away from its store: every command refuses it in one line naming the store file."""
    alone = tmp_path / "alone" / "s0.bin"
    alone.parent.mkdir()
    shutil.copy(s0, alone)
    for command in (("state", "show", alone), ("fast", "run", alone),
                    ("window", alone, "--block", 0, "--log2-window", 22),
                    ("trace", alone, "--block", 0)):
        capsys.readouterr()
        assert swapvm(*command) == 2, command
        err = capsys.readouterr().err.strip()
        assert len(err.splitlines()) == 1 and "preimages.sqlite" in err, (command, err)


def test_a_store_without_the_world_names_the_missing_key(s0: Path, tmp_path: Path,
                                                         capsys: pytest.CaptureFixture) -> None:
    """A store of another chain: the one line names S's world root, the first key it lacks."""
    other = tmp_path / "other"
    other.mkdir()
    assert swapvm("state", "from-genesis", GENESIS, "--blocks", CHAIN, "--s-version", 2,
                  "-o", other / "g.bin") == 0
    root = state_root_of_header(decode_v2(s0.read_bytes()).parent_header)
    for command in (("state", "show", s0, "--store", other), ("fast", "run", s0, "--store", other)):
        capsys.readouterr()
        assert swapvm(*command) == 2
        err = capsys.readouterr().err.strip()
        assert err.splitlines() == [f"swapvm: error: missing preimage of 0x{root.hex()}: the oracle must be "
                                    "given it"], err


def test_window_and_trace_take_version_2(s0: Path, capsys: pytest.CaptureFixture) -> None:
    """`window` runs block 1's window with its witness as the oracle; `trace` traces A on the witness,
    line for line as A's trace of the same block on version 1."""
    capsys.readouterr()
    assert swapvm("window", s0, "--block", 1, "--log2-window", 22, "--json", "-") == 0
    window = json.loads(capsys.readouterr().out)
    assert window["status"] == "yielded"
    swapvm("trace", s0, "--block", 1, "--json", "-")
    on_v2 = json.loads(capsys.readouterr().out)
    assert swapvm("trace", EXAMPLE, "--block", 1, "--json", "-") == 0
    on_v1 = json.loads(capsys.readouterr().out)
    assert on_v2["lines"]["a"] == on_v1["lines"]["a"] > 0
    assert on_v2["transactions"]["a"] == on_v1["transactions"]["a"]


@pytest.mark.skipif(not CROSSING.is_file(), reason="the Cancun conformance set is not present")
def test_a_fixture_crossing_a_fork_time_replays_on_version_2(tmp_path: Path,
                                                             capsys: pytest.CaptureFixture) -> None:
    """ShanghaiToCancunAtTime15k: refused on version 1 (one line naming version 2's schedule); on version 2
    A crosses the fork and meets the fixture's postState and lastblockhash."""
    capsys.readouterr()
    assert swapvm("replay", CROSSING, "--s-version", 1, "--store", tmp_path / "v1", "--quiet") == 2
    assert "version 2 a fork schedule" in capsys.readouterr().err
    swapvm("replay", CROSSING, "--s-version", 2, "--store", tmp_path / "v2", "--log2-window", 22,
           "--workers", 1, "--quiet", "--json", tmp_path / "r.json")
    report = json.loads((tmp_path / "r.json").read_text())
    [checks] = report["fixture_checks"].values()
    assert checks["post_state"].startswith("match") and checks["last_block_hash"] == "match"
    assert [row["outcome"] for row in report["blocks"]] == ["accepted"] * 16


def test_from_genesis_on_version_2_starts_where_version_1_does(tmp_path: Path,
                                                               capsys: pytest.CaptureFixture) -> None:
    """`state from-genesis --from 2` on version 2 applies the blocks before block 2 with A on version 2:
    the same parent header, ancestors and cursor as on version 1, with the world only in the store."""
    from fastvm.codec import decode

    assert swapvm("state", "from-genesis", GENESIS, "--blocks", CHAIN, "--from", 2, "--s-version", 1,
                  "-o", tmp_path / "v1.bin") == 0
    assert swapvm("state", "from-genesis", GENESIS, "--blocks", CHAIN, "--from", 2, "--s-version", 2,
                  "-o", tmp_path / "v2.bin") == 0
    v1, v2 = decode((tmp_path / "v1.bin").read_bytes()), decode_v2((tmp_path / "v2.bin").read_bytes())
    assert v2.parent_header == v1.parent_header and v2.ancestor_hashes == v1.ancestor_hashes
    assert v2.cursor == v1.cursor
    assert v2.cursor > 0 and v2.inbox.length == len(v1.inbox)
    assert (tmp_path / "preimages.sqlite").is_file()


def test_riscv_run_reads_the_store_folder_as_its_oracle(s0: Path, tmp_path: Path,
                                                         capsys: pytest.CaptureFixture) -> None:
    """`riscv run GUEST --s-file S --preimages DIR` takes a store folder (its preimages.sqlite) as the
    oracle: the guest yields block 0 applied; an empty folder stops the host naming S's inbox root."""
    from swapping.guest_image import guest_image

    image = guest_image()
    elf = tmp_path / "guest.elf"
    elf.write_bytes(image.elf)
    params = ["--log2-window", 22, "--ram-size", image.ram_size, "--s-size", image.s_size]
    capsys.readouterr()
    assert swapvm("riscv", "run", elf, "--s-file", s0, "--preimages", s0.parent, *params, "--json", "-") == 0
    result = json.loads(capsys.readouterr().out)
    assert result["status"] == "yielded" and result["exit_code"] == 0
    empty = tmp_path / "empty"
    empty.mkdir()
    assert swapvm("riscv", "run", elf, "--s-file", s0, "--preimages", empty, *params) == 2
    inbox_root = decode_v2(s0.read_bytes()).inbox.root
    assert capsys.readouterr().err.strip().endswith(f"no preimage for key 0x{inbox_root.hex()}")
