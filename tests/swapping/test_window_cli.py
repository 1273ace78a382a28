"""`swapvm window`: one block's AB window under step control leaves A's S' and names where it stopped."""

from __future__ import annotations

import json
from pathlib import Path

from fastvm.codec import encode
from fastvm.describe import state_from_description_file
from fastvm.machine import Machine
from fastvm.sroot import RootCache
from swapping.cli import main

ROOT = Path(__file__).resolve().parents[2]
EXAMPLE = ROOT / "fastvm" / "examples" / "hello.toml"


def test_a_window_leaves_a_s_prime_and_names_the_yield(capsys, tmp_path: Path) -> None:
    state = state_from_description_file(EXAMPLE)
    machine = Machine()
    state, _ = machine.step(state)
    before = encode(state)
    _, info = machine.step(state)
    assert main(["window", str(EXAMPLE), "--block", "1", "--s-version", "1",
                 "--info-at", "%100000", "--json", "-"]) == 0
    report = json.loads(capsys.readouterr().out)
    assert report["status"] == "yielded" and report["function"].startswith("rt_yield")
    assert report["s_root_before"] == RootCache().root(before).hex()
    assert report["s_image_root"] == RootCache().root(info.image).hex()   # AB's S' is A's
    infos = [e for e in report["events"] if e["event"] == "info"]
    assert infos and all(e["step"] % 100_000 == 0 and e["function"] for e in infos)


def test_a_window_stops_and_proves_where_asked(capsys, tmp_path: Path) -> None:
    assert main(["window", str(EXAMPLE), "--block", "0", "--stop-at", "5000", "--proof-at", "=4999",
                 "--out-dir", str(tmp_path), "--json", "-"]) == 0
    report = json.loads(capsys.readouterr().out)
    assert (report["status"], report["steps"]) == ("running", 5000)
    [proof] = [e for e in report["events"] if e["event"] == "proof"]
    assert Path(proof["path"]).is_file() and proof["pre_root"] != proof["post_root"]


def test_a_block_outside_the_chain_is_one_line_exit_2(capsys) -> None:
    assert main(["window", str(EXAMPLE), "--block", "3"]) == 2
    err = capsys.readouterr().err
    assert "--block 3 outside" in err and err.count("\n") == 1
