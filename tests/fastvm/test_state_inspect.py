"""`swapvm state show` and `swapvm state diff`: every account and slot, the state root, exit codes."""

from __future__ import annotations

import json
from dataclasses import replace
from pathlib import Path

import pytest

from fastvm.codec import encode
from fastvm.fixtures import initial_state, load_file
from fastvm.machine import Machine
from fastvm.state import EssentialState
from swapping.cli import main

ROOT = Path(__file__).resolve().parents[2]
FIXTURE = ROOT.parent / "shared" / "fixtures" / "ethereum-tests" / "BlockchainTests" / "ValidBlocks" / \
    "bcExample" / "shanghaiExample.json"

pytestmark = pytest.mark.skipif(not FIXTURE.is_file(), reason="fixtures not present")


@pytest.fixture(scope="module")
def states() -> tuple[EssentialState, EssentialState]:
    """S0 of a fixture and S1 after its first block (accepted)."""
    s0 = initial_state(load_file(FIXTURE)[0])
    s1, info = Machine().step(s0)
    assert info.status.name == "ACCEPTED"
    return s0, s1


def write(path: Path, state: EssentialState) -> str:
    """An S file; its path as a string."""
    path.write_bytes(encode(state))
    return str(path)


def test_show_lists_every_account_and_the_world_state_root(tmp_path: Path, states, capsys) -> None:
    _, s1 = states
    assert main(["state", "show", write(tmp_path / "s1", s1), "--storage", "--json", "-"]) == 0
    shown = json.loads(capsys.readouterr().out)
    from fastvm import rlpx
    from fastvm.header import parse_header

    header_root = parse_header(rlpx.decode(s1.parent_header), s1.fork).bytes("state_root")
    assert shown["state_root"] == "0x" + header_root.hex()   # accepted: the world is the header's
    listed = {entry["address"]: entry for entry in shown["account_list"]}
    assert set(listed) == {"0x" + a.address.hex() for a in s1.accounts}
    for account in s1.accounts:
        entry = listed["0x" + account.address.hex()]
        assert (entry["nonce"], entry["balance"], entry["code_size"]) == (
            account.nonce, account.balance, len(account.code))
        assert entry["storage"] == {hex(k): hex(v) for k, v in account.storage}


def test_show_table_names_accounts(tmp_path: Path, states, capsys) -> None:
    s0, _ = states
    assert main(["state", "show", write(tmp_path / "s0", s0), "--accounts"]) == 0
    out = capsys.readouterr().out
    assert all("0x" + a.address.hex() in out for a in s0.accounts) and "state_root" in out


def test_diff_of_equal_states_exits_0(tmp_path: Path, states, capsys) -> None:
    s0, _ = states
    assert main(["state", "diff", write(tmp_path / "a", s0), write(tmp_path / "b", s0)]) == 0
    assert "equal" in capsys.readouterr().out


def test_diff_names_every_changed_account_field_and_slot(tmp_path: Path, states, capsys) -> None:
    s0, s1 = states
    account = s1.accounts[0]
    planted = replace(account, balance=account.balance + 5, storage=((7, 9), *account.storage))
    other = replace(s1, accounts=(planted, *s1.accounts[1:]))
    assert main(["state", "diff", write(tmp_path / "a", s1), write(tmp_path / "b", other),
                 "--json", str(tmp_path / "d.json")]) == 1
    out = capsys.readouterr().out
    address = "0x" + account.address.hex()
    table = [line.split() for line in out.splitlines()]
    assert table[0] == ["where", "what", "first", "second"]
    assert [address, "balance", str(account.balance), str(account.balance + 5)] in table
    assert [address, "slot", "0x7", "0x0", "0x9"] in table
    assert out.splitlines()[-1].startswith("2 differences")
    diff = json.loads((tmp_path / "d.json").read_text())
    assert not diff["equal"] and not diff["fields"]
    [changed] = diff["accounts"]
    assert changed["fields"] == {"balance": [account.balance, account.balance + 5]}
    assert changed["storage"] == [{"slot": "0x7", "first": "0x0", "second": "0x9"}]


def test_diff_names_header_and_cursor_fields(tmp_path: Path, states, capsys) -> None:
    s0, s1 = states
    assert main(["state", "diff", write(tmp_path / "a", s0), write(tmp_path / "b", s1), "--json", "-"]) == 1
    diff = json.loads(capsys.readouterr().out)
    names = {d["field"] for d in diff["fields"]}
    assert {"cursor", "parent_header.number", "parent_header.state_root", "outcome.status"} <= names


def test_diff_of_a_bad_file_is_one_line_exit_2(tmp_path: Path, states, capsys) -> None:
    s0, _ = states
    (tmp_path / "bad").write_bytes(b"\x01" * 20)
    assert main(["state", "diff", write(tmp_path / "a", s0), str(tmp_path / "bad")]) == 2
    err = capsys.readouterr().err.strip()
    assert "\n" not in err and "Traceback" not in err
