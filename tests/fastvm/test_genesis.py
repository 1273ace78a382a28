"""Real chain inputs: a geth-style genesis.json and `geth export`'s CHAIN.rlp, built from fixtures' own RLP.

The genesis header is rebuilt from the JSON (state root of the alloc, geth's defaults) and must hash to
the fixture's genesisRLP, so S0 from the pair equals S0 from the fixture byte for byte; replaying the
pair reaches the fixture's postState and lastblockhash. Every field swapvm would not follow is refused.
"""

from __future__ import annotations

import gzip
import json
from pathlib import Path
from typing import Any

import pytest
from geth_inputs import write_pair

from emulator.merkle import keccak
from fastvm.codec import decode, encode
from fastvm.fixtures import accounts_from_json, initial_state, load_file
from swapping.cli import main

ROOT = Path(__file__).resolve().parents[2]
SAMPLE = ROOT.parent / "shared" / "fixtures" / "ethereum-tests" / "BlockchainTests" / "ValidBlocks"
CANCUN = ROOT.parent / "shared" / "conformance" / "cancun" / "BlockchainTests" / "ValidBlocks"
PAIRS = [SAMPLE / "bcExample" / "shanghaiExample.json", SAMPLE / "bcExample" / "optionsTest.json",
         SAMPLE / "bcValidBlockTest" / "RecallSuicidedContract.json", SAMPLE / "bcEIP1559" / "transType.json",
         CANCUN / "bcExample" / "shanghaiExample.json"]
THREE_BLOCKS = SAMPLE / "bcValidBlockTest" / "RecallSuicidedContract.json"
GENESIS_TIME, SECOND_BLOCK_TIME = 0x54C98C81, 0x54C99451   # that test's genesis and block 2 timestamps


def first_test(path: Path) -> tuple[str, dict[str, Any]]:
    """The name and JSON body of a fixture file's first test."""
    if not path.exists():
        pytest.skip(f"no fixture {path} (the shared fixtures are not checked out)")
    return next(iter(json.loads(path.read_text()).items()))


@pytest.mark.parametrize("path", PAIRS, ids=lambda p: f"{p.parent.parent.parent.parent.name}/{p.stem}")
def test_s0_from_the_pair_is_s0_from_the_fixture(path: Path, tmp_path: Path) -> None:
    name, body = first_test(path)
    genesis, chain = write_pair(body, tmp_path)
    out = str(tmp_path / "s0")
    assert main(["state", "from-genesis", str(genesis), "--blocks", str(chain), "--s-version", "1",
                 "-o", out]) == 0
    fixture = next(test for test in load_file(path) if test.name == name)
    assert (tmp_path / "s0").read_bytes() == encode(initial_state(fixture))


def test_replaying_the_pair_reaches_the_fixtures_roots(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    _, body = first_test(THREE_BLOCKS)
    genesis, chain = write_pair(body, tmp_path)
    report, store = tmp_path / "report.json", tmp_path / "store"
    argv = ["replay", str(genesis), "--blocks", str(chain), "--store", str(store), "--workers", "1",
            "--s-version", "1", "--json", str(report)]
    assert main(argv) == 0
    data = json.loads(report.read_text())
    assert [(row["index"], row["number"], row["verdict"]) for row in data["blocks"]] == [
        (0, 1, "match"), (1, 2, "match"), (2, 3, "match")]
    final = decode((store / "states" / f"{data['blocks'][-1]['s_root_a']}.s").read_bytes())
    assert final.accounts == accounts_from_json(body["postState"], "postState")
    assert "0x" + keccak(final.parent_header).hex() == body["lastblockhash"]
    assert "genesis: no postState or lastblockhash to check" in capsys.readouterr().out


def test_from_and_to_pick_blocks_by_header_number(tmp_path: Path) -> None:
    _, body = first_test(THREE_BLOCKS)
    genesis, chain = write_pair(body, tmp_path)
    report = tmp_path / "report.json"
    argv = ["replay", str(genesis), "--blocks", str(chain), "--from", "2", "--to", "2", "--store",
            str(tmp_path / "store"), "--workers", "1", "--json", str(report)]
    assert main(argv) == 0
    rows = json.loads(report.read_text())["blocks"]
    assert [(row["index"], row["number"], row["verdict"]) for row in rows] == [(1, 2, "match")]


def test_append_adds_the_blocks_of_a_gzipped_export(tmp_path: Path) -> None:
    name, body = first_test(THREE_BLOCKS)
    genesis, chain = write_pair(body, tmp_path)
    packed = tmp_path / "chain.rlp.gz"
    packed.write_bytes(gzip.compress(chain.read_bytes()))
    empty, full = tmp_path / "empty.s", tmp_path / "full.s"
    assert main(["state", "from-genesis", str(genesis), "--s-version", "1", "-o", str(empty)]) == 0
    assert decode(empty.read_bytes()).inbox == ()
    assert main(["state", "append", str(empty), str(packed), "--to", "2", "-o", str(full)]) == 0
    assert main(["state", "append", str(full), str(chain), "-o", str(full)]) == 0   # 1, 2 already there
    fixture = next(test for test in load_file(THREE_BLOCKS) if test.name == name)
    assert full.read_bytes() == encode(initial_state(fixture))


REFUSALS = [
    ({"config": {"shanghaiTime": GENESIS_TIME + 1}},
     f"config.shanghaiTime: Shanghai starts {GENESIS_TIME + 1}, after the genesis timestamp {GENESIS_TIME}"),
    ({"config": {"shanghaiTime": None}}, "config.shanghaiTime: Shanghai starts never"),
    ({"config": {"londonBlock": 5}}, "config.londonBlock: 5: a pre-Shanghai fork would be active"),
    ({"config": {"osakaTime": 0}}, "config.osakaTime: a fork swapvm does not implement"),
    ({"config": {"cancunTime": 2 * GENESIS_TIME, "blobSchedule": {"cancun": {"target": 4, "max": 8,
                                                                 "baseFeeUpdateFraction": 3338477}}}},
     "config.blobSchedule.cancun: {'target': 4"),
    ({"config": {"blobSchedule": {"osaka": {"target": 6, "max": 9, "baseFeeUpdateFraction": 5007716}}}},
     "config.blobSchedule.osaka"),
    ({"config": {"clique": {"period": 5}}}, "config.clique: not a field swapvm implements"),
    ({"config": {"terminalTotalDifficulty": 100}},
     "config.terminalTotalDifficulty: the chain starts with proof"),
    ({"config": {"depositContractAddress": "0x" + "42" * 20}}, "config.depositContractAddress"),
    ({"config": {"daoForkSupport": True, "daoForkBlock": 0}}, "config.daoForkSupport"),
    ({"config": {"chainId": 0}}, "config.chainId: missing or 0"),
    ({"config": {"pragueTime": 0}}, "skip a fork"),
    ({"number": "0x1"}, "genesis: number: a genesis after block 0"),
    ({"stateRoot": "0x" + "00" * 32}, "genesis: stateRoot: not a genesis field swapvm implements"),
    ({"extraData": "0x43"}, "block 0 of the file is not this genesis"),
    ({"alloc": {"0x" + "11" * 20: {"balance": "0x1", "colour": "red"}}}, "alloc.0x" + "11" * 20 + ".colour"),
    ({"config": {"cancunTime": SECOND_BLOCK_TIME}},
     f"block 2 (timestamp {SECOND_BLOCK_TIME}) is past config.cancunTime = {SECOND_BLOCK_TIME}: the chain "
     "switches from Shanghai mid-chain"),
]


@pytest.mark.parametrize(("edit", "message"), REFUSALS, ids=[m.split(":")[0] for _, m in REFUSALS])
def test_what_swapvm_would_not_follow_is_refused_by_name(
    edit: dict[str, Any], message: str, tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    _, body = first_test(THREE_BLOCKS)
    genesis, chain = write_pair(body, tmp_path, edit)
    out = str(tmp_path / "s")
    assert main(["state", "from-genesis", str(genesis), "--blocks", str(chain), "--s-version", "1",
                 "-o", out]) == 2
    err = capsys.readouterr().err
    assert message in err and err.count("\n") == 1 and not (tmp_path / "s").exists()


def test_a_later_fork_past_the_last_block_is_noted(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    _, body = first_test(THREE_BLOCKS)
    genesis, chain = write_pair(body, tmp_path, {"config": {"cancunTime": 2 * GENESIS_TIME}})
    out = str(tmp_path / "s")
    assert main(["state", "from-genesis", str(genesis), "--blocks", str(chain), "--s-version", "1",
                 "-o", out]) == 0
    expected = f"note: config.cancunTime = {2 * GENESIS_TIME}: blocks from that time on cannot be appended"
    assert expected in capsys.readouterr().out


@pytest.mark.parametrize(("argv", "message"), [
    (["replay", "GENESIS"], "is a genesis: give its blocks with --blocks CHAIN.rlp"),
    (["replay", "GENESIS", "--from", "2"], "--from and --to need --blocks"),
    (["replay", "GENESIS", "--blocks", "CHAIN", "--from", "3", "--to", "2"], "--from 3 is after --to 2"),
    (["replay", "GENESIS", "--blocks", "CHAIN", "--from", "9"], "--from 9: no block numbered 9 or later"),
    (["replay", "GENESIS", "--blocks", "GENESIS"], "chain: "),
    (["state", "append", "GENESIS", "CHAIN", "-o", "OUT"], "S: "),
])
def test_bad_chain_inputs_are_one_line_and_exit_2(
    argv: list[str], message: str, tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    _, body = first_test(THREE_BLOCKS)
    genesis, chain = write_pair(body, tmp_path)
    names = {"GENESIS": str(genesis), "CHAIN": str(chain), "OUT": str(tmp_path / "out")}
    store = ["--store", str(tmp_path / "st")] if argv[0] == "replay" else []
    argv = [names.get(word, word) for word in argv] + store
    assert main(argv) == 2
    err = capsys.readouterr().err
    assert message in err and err.count("\n") == 1, err
