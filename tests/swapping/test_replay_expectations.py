"""`swapvm replay` of a fixture checks its postState (or postStateHash) and lastblockhash, and says so."""

from __future__ import annotations

import json
from pathlib import Path

import pytest

from swapping.cli import main

ROOT = Path(__file__).resolve().parents[2]
FIXTURE = ROOT.parent / "shared" / "fixtures" / "ethereum-tests" / "BlockchainTests" / "ValidBlocks" \
    / "bcExample" / "shanghaiExample.json"


@pytest.fixture(scope="module")
def store(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """One store for the module: the edits below leave S0 as it is, so AB's windows are reused."""
    return tmp_path_factory.mktemp("store")


def replay_variant(tmp_path: Path, store: Path, edit: dict | None = None,
                   drop: str | None = None) -> tuple[int, dict, str]:
    """Replay the fixture with its body edited; exit code, JSON report and printed text."""
    name, body = next(iter(json.loads(FIXTURE.read_text()).items()))
    body = {k: v for k, v in {**body, **(edit or {})}.items() if k != drop}
    source = tmp_path / "variant.json"
    source.write_text(json.dumps({name: body}))
    report = tmp_path / "report.json"
    code = main(["replay", str(source), "--store", str(store), "--workers", "1", "--s-version", "1",
                 "--json", str(report)])
    return code, json.loads(report.read_text()), name


def test_a_faithful_fixture_matches_its_post_state_and_last_hash(
    tmp_path: Path, store: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    code, report, name = replay_variant(tmp_path, store)
    assert code == 0 and report["ok"]
    assert report["fixture_checks"][name] == {"post_state": "match", "last_block_hash": "match"}
    assert f"fixture {name}: postState match; lastblockhash match" in capsys.readouterr().out


def test_a_wrong_lastblockhash_is_not_a_match(tmp_path: Path, store: Path,
                                              capsys: pytest.CaptureFixture[str]) -> None:
    code, report, name = replay_variant(tmp_path, store, {"lastblockhash": "0x" + "11" * 32})
    assert code == 1 and not report["ok"]
    assert [row["verdict"] for row in report["blocks"]] == ["match"]   # A and AB agree; the fixture does not
    assert report["fixture_checks"][name]["last_block_hash"].startswith("differs: the last block is 0x")
    assert "lastblockhash 0x" + "11" * 32 in capsys.readouterr().out


def test_a_wrong_post_state_names_the_account(tmp_path: Path, store: Path) -> None:
    name, body = next(iter(json.loads(FIXTURE.read_text()).items()))
    post = body["postState"]
    address = sorted(post)[0]
    post = {**post, address: {**post[address], "nonce": hex(int(post[address]["nonce"], 16) + 1)}}
    code, report, _ = replay_variant(tmp_path, store, {"postState": post})
    assert code == 1
    verdict = report["fixture_checks"][name]["post_state"]
    expected = int(post[address]["nonce"], 16)
    assert verdict == f"differs: account {address.lower()}: nonce A {expected - 1} vs the fixture {expected}"


def test_post_state_hash_is_checked_when_there_is_no_post_state(tmp_path: Path, store: Path) -> None:
    from fastvm.fixtures import accounts_from_json
    from fastvm.world import state_root_of

    _, body = next(iter(json.loads(FIXTURE.read_text()).items()))
    root = state_root_of(accounts_from_json(body["postState"], "postState"))
    code, report, name = replay_variant(tmp_path, store, {"postStateHash": "0x" + root.hex()},
                                        drop="postState")
    assert code == 0 and report["fixture_checks"][name]["post_state"] == "match (postStateHash)"
    code, report, name = replay_variant(tmp_path, store, {"postStateHash": "0x" + "22" * 32},
                                        drop="postState")
    verdict = report["fixture_checks"][name]["post_state"]
    assert code == 1 and "is not postStateHash 0x" + "22" * 32 in verdict


def test_a_description_says_there_was_nothing_to_check(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    example = ROOT / "fastvm" / "examples" / "hello.toml"
    report = tmp_path / "r.json"
    store = str(tmp_path / "store")
    assert main(["replay", str(example), "--store", store, "--workers", "1", "--s-version", "1",
                 "--json", str(report)]) == 0
    assert set(json.loads(report.read_text())["fixture_checks"]["hello"].values()) == {"not a fixture"}
    out = capsys.readouterr().out
    assert "hello: no postState or lastblockhash to check (the source is not a fixture)" in out
