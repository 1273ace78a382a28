"""`swapvm trace`: the guest's EIP-3155 trace equals machine A's on known blocks, and a divergence
planted in a guest build (ADD one gas dearer) is named by its opcode, pc, depth and transaction."""

from __future__ import annotations

import json
from pathlib import Path

import pytest

from fastvm.eip3155 import TraceStep, TxTrace
from swapping.cli import main
from swapping.source import load_chains
from swapping.trace import first_divergence, trace_both
from swapping.trace_guest import RecordParser, trace_image

ROOT = Path(__file__).resolve().parents[2]
ADD_CHAIN = ROOT / "tests" / "swapping" / "trace" / "add.toml"
HELLO = ROOT / "fastvm" / "examples" / "hello.toml"
FIXTURES = ROOT.parent / "shared" / "fixtures" / "ethereum-tests" / "BlockchainTests"
# refunds, reverted logs, a precompile under STATICCALL, a self-destructed contract
FIXTURE_SAMPLE = (
    "GeneralStateTests/stSStoreTest/sstoreGas.json",
    "GeneralStateTests/stStaticCall/static_CallEcrecover2.json",
    "ValidBlocks/bcValidBlockTest/RecallSuicidedContract.json",
)


def only_chain(source: Path) -> tuple[str, object]:
    """The single chain of a source."""
    [chain] = load_chains(str(source))
    return chain


def test_the_guest_traces_the_example_chain_line_for_line_as_a() -> None:
    name, s0 = only_chain(ADD_CHAIN)
    report = trace_both(name, s0, 0, trace_image())
    assert report.divergence is None
    assert len(report.a) == 5 and [len(t.steps) for t in report.a] == [len(t.steps) for t in report.ab]
    # equal in every field, gasCost and error presence included, not only the compared ones
    for a_tx, ab_tx in zip(report.a, report.ab, strict=True):
        assert [s.to_json() | {"error": bool(s.error)} for s in a_tx.steps] == [
            s.to_json() | {"error": bool(s.error)} for s in ab_tx.steps
        ]
        assert a_tx.summary == ab_tx.summary


@pytest.mark.skipif(not FIXTURES.is_dir(), reason=f"the fixture set is not at {FIXTURES}")
@pytest.mark.parametrize("relative", FIXTURE_SAMPLE)
def test_the_guest_trace_equals_a_on_fixture_blocks(relative: str) -> None:
    name, s0 = load_chains(str(FIXTURES / relative))[0]
    image = trace_image()
    lines = 0
    for index in range(len(s0.inbox)):
        report = trace_both(name, s0, index, image)
        assert report.divergence is None, report.divergence
        lines += sum(len(t.steps) for t in report.ab)
    assert lines > 0  # the sample's blocks run code


def test_the_planted_divergence_is_named_by_opcode_pc_depth_and_transaction() -> None:
    name, s0 = only_chain(ADD_CHAIN)
    report = trace_both(name, s0, 0, trace_image("guest-trace-plant-add"))
    d = report.divergence
    assert d is not None and d.tx == 0 and d.fields == ("gas",)
    assert isinstance(d.a, TraceStep) and isinstance(d.ab, TraceStep) and d.a.gas - d.ab.gas == 1
    assert d.previous is not None and (d.previous.op_name, d.previous.pc, d.previous.depth) == ("ADD", 4, 1)


def test_tx_compares_one_transaction_and_finds_the_add_at_depth_2() -> None:
    name, s0 = only_chain(ADD_CHAIN)
    report = trace_both(name, s0, 0, trace_image("guest-trace-plant-add"), only_tx=2)
    d = report.divergence
    assert d is not None and d.tx == 2
    assert d.previous is not None and (d.previous.op_name, d.previous.pc, d.previous.depth) == ("ADD", 4, 2)


def test_the_readme_example_names_add_and_writes_both_states(
    tmp_path: Path, capsys: pytest.CaptureFixture
) -> None:
    """The README's worked example: hello.toml block 0 (number 1) on the planted build, then state diff."""
    plant = ["--image", "guest-trace-plant-add"]
    argv = ["trace", str(HELLO), "--block", "0", *plant, "--states", str(tmp_path)]
    assert main(argv) == 1
    out = capsys.readouterr().out
    assert out.startswith("hello block 0 (number 1): 2 transactions, A 9 lines, AB 9 lines\n")
    assert "first difference: transaction 1, line 4, pc 6 PUSH1, depth 1: gas differs" in out
    assert "the difference arose in ADD (transaction 1, pc 5, depth 1)" in out
    assert main(["state", "diff", str(tmp_path / "a.bin"), str(tmp_path / "ab.bin")]) == 1
    assert "gas_mismatch" in capsys.readouterr().out  # AB's S' rejects the block: its gas differs


def test_json_report_of_agreeing_traces(capsys: pytest.CaptureFixture) -> None:
    assert main(["trace", str(HELLO), "--block", "0", "--json", "-"]) == 0
    data = json.loads(capsys.readouterr().out)
    assert data["agree"] and data["difference"] is None and data["block"] == {"index": 0, "number": 1}
    assert data["lines"]["a"] == data["lines"]["ab"] == 9 and data["transactions"] == {"a": 2, "ab": 2}


def test_json_report_of_the_planted_divergence(tmp_path: Path) -> None:
    out = tmp_path / "d.json"
    assert (
        main(
            ["trace", str(ADD_CHAIN), "--block", "0", "--image", "guest-trace-plant-add", "--json", str(out)]
        )
        == 1
    )
    difference = json.loads(out.read_text())["difference"]
    assert difference["previous"]["opName"] == "ADD" and difference["fields"] == ["gas"]
    assert int(difference["a"]["gas"], 16) - int(difference["ab"]["gas"], 16) == 1


def test_record_parser_derives_gas_cost_and_errors() -> None:
    parser = RecordParser(tuple(f"OP{i}" for i in range(256)))
    line = {"memSize": 0, "stack": [], "refund": 0}
    for record in (
        {"pc": 0, "op": 241, "gas": "0x100", "depth": 1} | line,
        {"pc": 0, "op": 86, "gas": "0x40", "depth": 2} | line,
        {"end": 2, "depth": 2, "gas": "0x0"},
        {"pc": 1, "op": 0, "gas": "0x80", "depth": 1} | line,
        {"end": 0, "depth": 1, "gas": "0x80"},
        {"tx": 1, "pass": True, "gasUsed": "0x5208", "output": "0x"},
    ):
        parser.feed(record)
    [tx] = parser.result()
    assert [(s.gas_cost, s.error) for s in tx.steps] == [(0x80, ""), (0x40, "exceptional halt"), (0, "")]
    assert tx.summary is not None and tx.summary.gas_used == 21_000


def test_a_missing_line_is_a_difference() -> None:
    step = TraceStep(0, 0, 10, 0, 0, (), 1, 0, "STOP")
    d = first_divergence([TxTrace([step])], [TxTrace([])])
    assert d is not None and d.fields == ("line",) and d.a == step and d.ab is None


@pytest.mark.parametrize(
    ("argv", "message"),
    [
        (["trace", "nowhere.toml", "--block", "0"], "nowhere.toml does not exist"),
        (["trace", str(HELLO), "--block", "x"], "'x' is not an integer"),
        (["trace", str(HELLO), "--block", "-1"], "-1 must be at least 0"),
        (["trace", str(HELLO), "--number", "7"], "--number 7: no block of the inbox has that header number"),
        (["trace", str(HELLO), "--block", "3"], "--block 3: the inbox has 3 blocks"),
        (["trace", str(HELLO), "--block", "0", "--number", "1"], "not allowed with argument"),
        (["trace", str(HELLO)], "one of the arguments --block --number is required"),
        (["trace", str(HELLO), "--block", "0", "--tx", "5"], "--tx 5: block 0 has 2 transactions"),
        (["trace", str(HELLO), "--block", "0", "--image", "guest"], "invalid choice: 'guest'"),
    ],
)
def test_bad_input_is_one_line_and_exit_2(
    argv: list[str], message: str, capsys: pytest.CaptureFixture
) -> None:
    assert main(argv) == 2
    err = capsys.readouterr().err
    assert message in err and err.count("\n") == 1


@pytest.mark.slow
@pytest.mark.skipif(not FIXTURES.is_dir(), reason=f"the fixture set is not at {FIXTURES}")
def test_the_guest_trace_equals_a_on_every_quick_fixture_block() -> None:
    """Every block of the first test of every quick fixture file (269 files: 91 s on one core)."""
    from fastvm.fixtures import fixture_files

    image = trace_image()
    differing = []
    for file in fixture_files([FIXTURES]):
        for name, s0 in load_chains(str(file))[:1]:
            for index in range(len(s0.inbox)):
                report = trace_both(name, s0, index, image)
                if report.divergence is not None:
                    differing.append(f"{file.name} {name} block {index}: {report.divergence.to_json()}")
    assert not differing, differing[:3]


CANCUN_BEACON = (ROOT.parent / "shared" / "conformance" / "cancun" / "BlockchainTests" / "GeneralStateTests"
                 / "Pyspecs" / "cancun" / "eip4788_beacon_root" / "tx_to_beacon_root_contract.json")


@pytest.mark.skipif(not CANCUN_BEACON.is_file(), reason=f"the Cancun set is not at {CANCUN_BEACON}")
def test_the_beacon_root_system_call_is_in_no_transaction_trace() -> None:
    """A Cancun block runs EIP-4788's contract before its transaction, on both machines: neither traces it."""
    name, s0 = load_chains(str(CANCUN_BEACON))[0]
    report = trace_both(name, s0, 0, trace_image())
    assert report.divergence is None, report.divergence
    [a_tx] = report.a
    assert a_tx.steps and a_tx.steps[0].pc == 0 and a_tx.steps[0].depth == 1   # the transaction's own code
