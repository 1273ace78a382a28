"""Replay: the commuting diagram on fixture blocks, planted corruption, kill-and-resume, and Dask."""

from __future__ import annotations

import json
import os
import signal
import subprocess
import sys
import time
from dataclasses import replace
from pathlib import Path

import pytest

from fastvm.codec import encode
from fastvm.fixtures import initial_state, load_file
from fastvm.machine import Machine
from fastvm.sroot import RootCache
from swapping.guest_image import GuestImage, guest_image
from swapping.replay import ReplayReport, replay
from swapping.store import Store
from swapping.window import run_window

ROOT = Path(__file__).resolve().parents[2]
FIXTURES = ROOT.parent / "shared" / "fixtures" / "ethereum-tests" / "BlockchainTests"
# Small fixtures with accepted and rejected blocks, transfers, contract calls and withdrawals.
DIAGRAM_FIXTURES = (
    "InvalidBlocks/bcEIP3675/timestampPerBlock.json",
    "ValidBlocks/bcExample/optionsTest.json",
    "ValidBlocks/bcStateTests/SuicidesMixingCoinbase.json",
    "InvalidBlocks/bc4895-withdrawals/accountInteractions.json",
)
WINDOW = 26   # fits every block of these fixtures (measured: < 2^25 steps each)


@pytest.fixture(scope="module")
def image() -> GuestImage:
    """The main guest, built once for the module."""
    return guest_image()


def chain_of(relative: str) -> tuple[str, object]:
    """(name, S0) of the first test of a fixture file."""
    test = load_file(FIXTURES / relative)[0]
    return test.name, initial_state(test)


def new_store(path: Path) -> Store:
    """A store keyed by the real S root."""
    return Store(path, RootCache().root)


@pytest.mark.parametrize("relative", DIAGRAM_FIXTURES)
def test_the_diagram_commutes_on_fixture_blocks(relative: str, image: GuestImage) -> None:
    """A then encode == attach Q*, run exactly 2^a steps on AB, detach — for every block of the test."""
    _, state = chain_of(relative)
    template = image.template(WINDOW)
    machine = Machine(s_size=image.s_size)
    while state.pending:
        before = encode(state)
        state, info = machine.step(state)
        result = run_window(image.elf, image.ram_size, image.s_size, WINDOW, before)
        assert result.status == "yielded", result
        assert result.s_image == info.image
        assert result.machine_root == template.window_root(result.s_root)
        assert result.s_root == RootCache().root(info.image)


def test_an_empty_inbox_is_a_no_op_on_both_machines(image: GuestImage) -> None:
    """With the cursor at the end, A returns S exactly and AB leaves the S window unchanged."""
    _, state = chain_of(DIAGRAM_FIXTURES[1])
    done = replace(state, cursor=len(state.inbox))
    after, info = Machine(s_size=image.s_size).step(done)
    assert after == done and not info.applied
    result = run_window(image.elf, image.ram_size, image.s_size, WINDOW, encode(done))
    assert result.status == "yielded"
    assert result.s_image == encode(done)


def run_replay(store: Store, image: GuestImage, relative: str, **kwargs: object) -> ReplayReport:
    """Replay the first test of one fixture file."""
    return replay([chain_of(relative)], store, image, **kwargs)


def verdicts(report: ReplayReport) -> list[tuple]:
    """What must be identical between two runs of the same replay."""
    return [(r.index, r.outcome, r.s_root_a, r.s_root_ab, r.ab_steps, r.verdict) for r in report.blocks]


def test_replay_matches_and_measures_the_window(tmp_path: Path, image: GuestImage) -> None:
    report = run_replay(new_store(tmp_path), image, DIAGRAM_FIXTURES[0], workers=1)
    assert report.ok and len(report.blocks) == 6
    assert {r.outcome.split()[0] for r in report.blocks} == {"accepted", "rejected"}
    most = max(r.ab_steps for r in report.blocks)
    assert 2 ** (report.log2_window - 1) <= most < 2**report.log2_window


def test_a_too_small_window_is_reported_as_an_overrun(tmp_path: Path, image: GuestImage) -> None:
    report = run_replay(new_store(tmp_path), image, DIAGRAM_FIXTURES[1], log2_window=16, workers=1)
    assert report.blocks and all(r.verdict == "overrun" for r in report.blocks)
    assert not report.ok


def test_a_block_that_overruns_the_measuring_window_is_measured_in_the_largest(
    tmp_path: Path, image: GuestImage, monkeypatch: pytest.MonkeyPatch
) -> None:
    """Without --log2-window, an overrun of the usual window is run again in the largest one."""
    from swapping import replay as replay_module

    monkeypatch.setattr(replay_module, "MEASURE_LOG2_WINDOW", 16)   # every block overruns 2^16
    monkeypatch.setattr(replay_module, "MEASURE_LOG2_WINDOW_MAX", WINDOW)
    report = run_replay(new_store(tmp_path), image, DIAGRAM_FIXTURES[1], workers=1)
    assert report.ok and report.blocks
    most = max(r.ab_steps for r in report.blocks)
    assert 16 < report.log2_window == most.bit_length() <= WINDOW
    monkeypatch.setattr(replay_module, "MEASURE_LOG2_WINDOW_MAX", 17)   # still too small: a stays unknown
    small = run_replay(new_store(tmp_path / "small"), image, DIAGRAM_FIXTURES[1], workers=1)
    assert not small.ok and small.log2_window == 17
    assert all(r.verdict == "overrun" and "2^17" in r.detail for r in small.blocks)


@pytest.mark.parametrize("field", ["balance", "storage"])
def test_a_wrong_but_well_formed_next_state_is_a_mismatch_naming_the_field(
    field: str, tmp_path: Path, image: GuestImage
) -> None:
    """Plant a valid S_t+1 with one balance or storage slot changed; AB's check names exactly that."""
    store = new_store(tmp_path)
    honest = run_replay(store, image, DIAGRAM_FIXTURES[1], workers=1)
    row = honest.blocks[0]
    from fastvm.codec import decode

    good = decode(store.get_state(bytes.fromhex(row.s_root_a)), image.s_size)
    index = next(i for i, a in enumerate(good.accounts) if (a.storage if field == "storage" else a.balance))
    account = good.accounts[index]
    if field == "balance":
        account = replace(account, balance=account.balance + 1)
    else:
        (key, value), *rest = account.storage
        account = replace(account, storage=((key, value + 1), *rest))
    planted = replace(good, accounts=good.accounts[:index] + (account,) + good.accounts[index + 1 :])
    planted_root = store.put_state(encode(planted))
    record = store.get_record("a", row.s_root_before)
    store.put_record("a", row.s_root_before, {**record, "next": planted_root.hex()})

    report = run_replay(store, image, DIAGRAM_FIXTURES[1], workers=1)
    bad = report.blocks[0]
    assert bad.verdict == "mismatch"
    assert f"0x{account.address.hex()}" in bad.detail and field in bad.detail
    assert bad.differences == [bad.detail]   # exactly one field or slot differs, and it is named
    assert report.to_json()["blocks"][0]["differences"] == bad.differences
    assert report.counts["ab_reused"] >= 1   # AB's result was not recomputed to find it


def finished_records(folder: Path) -> list[Path]:
    """The whole records in a folder (a kill may leave a `.tmp-*.json` being written, which is not one)."""
    return [p for p in folder.glob("*.json") if not p.name.startswith(".tmp-")] if folder.exists() else []


@pytest.mark.parametrize("s_version", ["1", "2"])
def test_resume_after_kill_finishes_with_identical_results(tmp_path: Path, image: GuestImage,
                                                          s_version: str) -> None:
    """kill -9 a real replay mid-run; the rerun reuses all finished work and reports the same (on S
    version 2 the preimage store, the witnesses and the records survive the kill alike)."""
    fixture = str(FIXTURES / DIAGRAM_FIXTURES[0])
    store_dir = tmp_path / "store"
    # The pure-Python engine makes each window take long enough that the kill lands mid-run every
    # time (Unicorn finishes this chain's windows within a few polls); the results are engine-free.
    command = [sys.executable, "-m", "swapping.cli", "replay", fixture, "--store", str(store_dir),
               "--workers", "1", "--backend", "fast", "--s-version", s_version, "--quiet", "--json"]
    victim = subprocess.Popen([*command, str(tmp_path / "killed.json")], cwd=ROOT)
    ab_records = store_dir / "records" / "ab"
    # Generous: under load the subprocess may first have to import py-evm and build the guest image.
    deadline = time.monotonic() + 600
    while time.monotonic() < deadline and victim.poll() is None:
        if finished_records(ab_records):
            break
        time.sleep(0.02)
    assert victim.poll() is None, "the replay finished before it could be killed"
    os.kill(victim.pid, signal.SIGKILL)
    victim.wait()
    done_before = len(finished_records(ab_records))
    assert 1 <= done_before < 6, f"killed after {done_before} of 6 AB windows"

    subprocess.run([*command, str(tmp_path / "resumed.json")], cwd=ROOT, check=True)
    resumed = json.loads((tmp_path / "resumed.json").read_text())
    expected = {"a_run": 0, "a_reused": 6, "ab_run": 6 - done_before, "ab_reused": done_before}
    assert resumed["counts"] == expected

    from swapping.cli import main

    assert main(["replay", fixture, "--store", str(tmp_path / "fresh"), "--workers", "1", "--s-version",
                 s_version, "--quiet", "--json", str(tmp_path / "fresh.json")]) == 0
    fresh = json.loads((tmp_path / "fresh.json").read_text())
    keys = ("index", "outcome", "s_root_a", "s_root_ab", "ab_steps", "verdict")
    assert [tuple(b[k] for k in keys) for b in resumed["blocks"]] == [tuple(b[k] for k in keys)
                                                                      for b in fresh["blocks"]]
    assert not list(store_dir.rglob(".tmp-*")), "a half-written file was left behind"


def test_the_dask_path_gives_the_same_report_as_the_pool(tmp_path: Path, image: GuestImage) -> None:
    distributed = pytest.importorskip("distributed")
    pool = run_replay(new_store(tmp_path / "pool"), image, DIAGRAM_FIXTURES[2], workers=2)
    with distributed.LocalCluster(
        n_workers=2, threads_per_worker=1, processes=True, host="127.0.0.1", dashboard_address=None
    ) as cluster:
        dask = run_replay(
            new_store(tmp_path / "dask"), image, DIAGRAM_FIXTURES[2], scheduler=cluster.scheduler_address
        )
    assert verdicts(dask) == verdicts(pool)
    assert dask.ok and dask.log2_window == pool.log2_window
