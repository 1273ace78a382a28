"""Witnesses in the `debug_executionWitness` form: round trips, strict import, and the CLI around them."""

from __future__ import annotations

import json
from pathlib import Path

import pytest

from emulator.errors import SwapvmError
from emulator.merkle import keccak
from fastvm.cli import write_state
from fastvm.fixtures import initial_state, load_file
from fastvm.preimages import MissingPreimage, PreimageStore
from fastvm.witness import RecordingMachine, Witness, replay
from fastvm.witness_json import (
    import_witness,
    load_witness,
    save_witness,
    witness_from_json,
    witness_to_json,
)
from fastvm.workloads import workload
from swapping.cli import main

FIXTURES = Path(__file__).resolve().parents[3] / "shared" / "fixtures" / "ethereum-tests" / "BlockchainTests"
CONTRACT_TEST = FIXTURES / "ValidBlocks" / "bcStateTests" / "SuicidesMixingCoinbase.json"


@pytest.fixture(scope="module")
def recorded() -> tuple:
    """An ERC-20 block (code, storage, several accounts): S before it, S' and its witness."""
    state = workload("erc20", 40, 1, 6)
    after, _info, witness = RecordingMachine(PreimageStore()).export(state)
    return state, after, witness


def test_the_json_has_the_four_arrays_of_hex_strings(recorded: tuple) -> None:
    _state, _after, witness = recorded
    data = witness_to_json(witness)
    assert list(data) == ["state", "codes", "keys", "headers"]
    assert all(isinstance(x, str) and x.startswith("0x") for items in data.values() for x in items)
    assert witness.codes and witness.keys and witness.headers and witness.state


def test_a_witness_round_trips_through_json_and_a_file(recorded: tuple, tmp_path: Path) -> None:
    _state, _after, witness = recorded
    assert witness_from_json(json.loads(json.dumps(witness_to_json(witness)))) == witness
    save_witness(tmp_path / "w.json", witness)
    assert load_witness(tmp_path / "w.json") == witness


def test_an_imported_witness_is_an_oracle_the_block_runs_on(recorded: tuple, tmp_path: Path) -> None:
    state, after, witness = recorded
    store = PreimageStore(tmp_path / "p.sqlite")
    assert import_witness(store, witness) == witness.entries
    assert all(store[keccak(v)] == v for v in (*witness.state, *witness.codes, *witness.headers))
    again, _ = replay(state, dict(store.entries_on_disk()))
    assert again.outcome == after.outcome


def test_a_tampered_entry_is_rekeyed_so_the_run_misses_the_true_key(recorded: tuple) -> None:
    state, _after, witness = recorded
    victim = witness.state[len(witness.state) // 2]
    forged = bytearray(victim)
    forged[-1] ^= 1
    state_nodes = tuple(bytes(forged) if node == victim else node for node in witness.state)
    tampered = Witness(state_nodes, witness.codes, witness.keys, witness.headers)
    with pytest.raises(MissingPreimage) as raised:
        replay(state, tampered)
    assert raised.value.key == keccak(victim)


MALFORMED = [
    ([], "is not a JSON object"),
    ({"state": [], "codes": [], "extra": []}, "has a field 'extra'"),
    ({"codes": []}, "has no state array"),
    ({"state": "0x00", "codes": []}, "has no state array"),
    ({"state": ["c0"], "codes": []}, "state[0] is not a 0x-prefixed hex string"),
    ({"state": [7], "codes": []}, "state[0] is not a 0x-prefixed hex string"),
    ({"state": ["0xc"], "codes": []}, "state[0] is not a hex string of whole bytes"),
    ({"state": ["0xzz"], "codes": []}, "state[0] is not a hex string of whole bytes"),
    ({"state": ["0x80"], "codes": []}, "state[0] is not a trie node"),
    ({"state": ["0xc3010203"], "codes": []}, "state[0] is not a trie node"),
    ({"state": ["0xc2"], "codes": []}, "witness: state[0]"),
    ({"state": [], "codes": [], "keys": ["0x0102"]}, "keys[0] has 2 bytes"),
    ({"state": [], "codes": [], "headers": ["0xc0"]}, "headers[0] is not a block header"),
]


@pytest.mark.parametrize(("data", "message"), MALFORMED, ids=[m for _, m in MALFORMED])
def test_a_malformed_witness_is_one_line(data: object, message: str) -> None:
    with pytest.raises(SwapvmError, match=message.replace("(", r"\(").replace("[", r"\[")) as raised:
        witness_from_json(data)
    assert "\n" not in str(raised.value)


def test_a_witness_without_keys_or_headers_is_accepted() -> None:
    assert witness_from_json({"state": [], "codes": ["0x60"]}) == Witness((), (b"\x60",), (), ())


def test_the_cli_exports_runs_and_imports_a_witness(tmp_path: Path,
                                                    capsys: pytest.CaptureFixture[str]) -> None:
    test = next(t for t in load_file(CONTRACT_TEST))
    s0 = tmp_path / "s0.bin"
    write_state(str(s0), initial_state(test))
    out = tmp_path / "w.json"
    assert main(["fast", "witness", str(s0), "--block", "0", "-o", str(out), "--store", str(tmp_path / "st"),
                 "--json", str(tmp_path / "counts.json")]) == 0
    counts = json.loads((tmp_path / "counts.json").read_text())
    witness = load_witness(out)
    assert counts["entries"] == witness.entries and counts["status"] == "accepted"
    capsys.readouterr()
    assert main(["fast", "witness-run", str(s0), str(out), "--json", "-"]) == 0
    ran = json.loads(capsys.readouterr().out)
    after, _ = RecordingMachine(PreimageStore()).export(initial_state(test))[:2]
    assert ran["state_root"] == "0x" + after.outcome.state_root.hex() and ran["status"] == "accepted"
    assert main(["fast", "witness-import", str(out), "--store", str(tmp_path / "imported")]) == 0
    assert main(["fast", "witness", str(s0), "--block", str(len(test.blocks)), "-o", str(out)]) == 2
    assert "inbox holds" in capsys.readouterr().err
    data = json.loads(out.read_text())
    data["state"] = data["state"][1:]
    out.write_text(json.dumps(data))
    assert main(["fast", "witness-run", str(s0), str(out)]) == 2
    err = capsys.readouterr().err
    assert err.startswith("swapvm: error: missing preimage of 0x") and err.count("\n") == 1


def test_bench_witness_reports_both_timings_and_sizes(capsys: pytest.CaptureFixture[str]) -> None:
    fixture = FIXTURES / "ValidBlocks" / "bcValidBlockTest" / "SimpleTx.json"
    assert main(["bench", "witness", "--quick", "--workloads", "erc20", "--fixtures", str(fixture),
                 "--json", "-"]) == 0
    report = json.loads(capsys.readouterr().out)
    erc20 = report["workloads"]["erc20"]
    assert erc20["recording_ratio"] == pytest.approx(
        erc20["a_recording_s_per_block"] / erc20["a_plain_s_per_block"])
    assert erc20["witness_entries_per_block"] > 0 and erc20["store_bytes"] > 0
    assert report["fixtures"]["blocks"] >= 1 and report["fixtures"]["bytes"]["max"] > 0


def test_s_version_2_does_not_grow_with_the_world() -> None:
    """The largest S image of a version 2 chain is the same size (within a few bytes of header numbers)
    at 20 and at 2,000 accounts, and under spec §6.2's 10 KiB; the witness grows with the tries' depth."""
    from bench.witness import measure_workload

    small = measure_workload("transfers", 20, 1, 4)
    large = measure_workload("transfers", 2_000, 1, 4)
    assert abs(small["s_v2_image_bytes"] - large["s_v2_image_bytes"]) <= 16
    assert large["s_v2_image_bytes"] < 10 * 1024
    assert large["witness_bytes_per_block"] > small["witness_bytes_per_block"]
