"""The replay store trusts nothing it reads: damaged, foreign and planted records are named and recomputed.

Each test runs a real replay into a store, damages the store the way an attacker or a crash could
(an edited figure, an outcome digit, a renamed field, a truncated file, a consistent pair of records
taken from another chain), and replays again: the report must equal a fresh replay's, with a one-line
warning naming the record, and the work must have been redone rather than reused.
"""

from __future__ import annotations

import json
from pathlib import Path

import pytest

from fastvm.fixtures import initial_state, load_file
from fastvm.sroot import RootCache
from swapping.guest_image import GuestImage, guest_image
from swapping.replay import ReplayReport, _ab_key, replay
from swapping.store import Store

ROOT = Path(__file__).resolve().parents[2]
FIXTURES = ROOT.parent / "shared" / "fixtures" / "ethereum-tests" / "BlockchainTests"
CHAIN = "ValidBlocks/bcExample/optionsTest.json"
OTHER = "InvalidBlocks/bcEIP3675/timestampPerBlock.json"
WINDOW = 26   # fits every block of these fixtures

pytestmark = pytest.mark.skipif(not FIXTURES.is_dir(), reason="fixtures not present")


@pytest.fixture(scope="module")
def image() -> GuestImage:
    """The main guest, built once for the module."""
    return guest_image()


def run(store: Store, image: GuestImage, relative: str = CHAIN) -> tuple[ReplayReport, list[str]]:
    """Replay the first test of a fixture file; the report and the warnings given."""
    test = load_file(FIXTURES / relative)[0]
    warnings: list[str] = []
    report = replay([(test.name, initial_state(test))], store, image, log2_window=WINDOW, workers=1,
                    warn=warnings.append)
    return report, warnings


def summary(report: ReplayReport) -> list[tuple]:
    """What a replay reports per block."""
    return [(r.index, r.number, r.gas_used, r.outcome, r.s_root_a, r.s_root_ab, r.ab_steps, r.verdict)
            for r in report.blocks]


def edit(store: Store, kind: str, key: str, change: dict) -> None:
    """Rewrite one record with some fields changed (a key mapped to None is removed)."""
    record = store.get_record(kind, key)
    assert record is not None
    record.update(change)
    store.put_record(kind, key, {k: v for k, v in record.items() if v is not None})


@pytest.fixture(scope="module")
def honest(image: GuestImage, tmp_path_factory: pytest.TempPathFactory) -> ReplayReport:
    """A fresh replay of CHAIN: the truth every damaged store must come back to."""
    report, warnings = run(Store(tmp_path_factory.mktemp("fresh"), RootCache().root), image)
    assert report.ok and not warnings
    return report


def accepted_row(report: ReplayReport) -> int:
    """The index of a row whose block was accepted with gas."""
    return next(i for i, r in enumerate(report.blocks) if r.outcome == "accepted" and r.gas_used)


A_DAMAGES = ("gas_used", "outcome", "number", "renamed-field", "input", "next-missing")


@pytest.mark.parametrize("damage", A_DAMAGES)
def test_a_damaged_a_record_is_named_and_recomputed(damage: str, tmp_path: Path, image: GuestImage,
                                                    honest: ReplayReport) -> None:
    store = Store(tmp_path, RootCache().root)
    run(store, image)
    row = honest.blocks[accepted_row(honest)]
    key = row.s_root_before
    change = {
        "gas_used": {"gas_used": row.gas_used + 1},
        "outcome": {"outcome": "rejected (malformed)"},
        "number": {"number": (row.number or 0) + 5},
        "renamed-field": {"gas_used": None, "gas_usd": row.gas_used},
        "input": {"input": "00" * 32},
        "next-missing": {"next": "ab" * 32},
    }[damage]
    edit(store, "a", key, change)
    report, warnings = run(store, image)
    assert summary(report) == summary(honest)
    assert report.counts["a_run"] == 1
    assert len(warnings) == 1 and f"a/{key}" in warnings[0] and "\n" not in warnings[0]
    assert report.warnings == warnings


def test_an_unparsable_record_is_named_and_recomputed(tmp_path: Path, image: GuestImage,
                                                      honest: ReplayReport) -> None:
    store = Store(tmp_path, RootCache().root)
    run(store, image)
    key = honest.blocks[0].s_root_before
    path = store.record_path("a", key)
    path.write_bytes(path.read_bytes()[:-9])
    report, warnings = run(store, image)
    assert summary(report) == summary(honest)
    assert len(warnings) == 1 and key in warnings[0]


@pytest.mark.parametrize("damage", ["s_root", "steps", "status", "machine_root", "missing-field"])
def test_a_damaged_ab_record_is_named_and_recomputed(damage: str, tmp_path: Path, image: GuestImage,
                                                     honest: ReplayReport) -> None:
    store = Store(tmp_path, RootCache().root)
    run(store, image)
    row = honest.blocks[accepted_row(honest)]
    key = _ab_key(image, WINDOW, row.s_root_before)
    change = {
        "s_root": {"s_root": honest.blocks[0].s_root_before},
        "steps": {"steps": 1 << WINDOW},
        "status": {"status": "faulted"},
        "machine_root": {"machine_root": "11" * 32},
        "missing-field": {"tval": None},
    }[damage]
    edit(store, "ab", key, change)
    report, warnings = run(store, image)
    assert summary(report) == summary(honest)
    assert report.counts["ab_run"] == 1
    assert len(warnings) == 1 and f"ab/{key}" in warnings[0]


def test_a_consistent_foreign_pair_is_not_a_match(tmp_path: Path, image: GuestImage,
                                                  honest: ReplayReport) -> None:
    """Records of another chain planted under this chain's keys, each naming that chain's real S'.

    The planted a and ab records agree with each other and name images that exist and hash right, so a
    store that trusted its records would report "match" with the other chain's S'. Both are refused
    as not being successors of this chain's S_t, and the transition is computed again."""
    store = Store(tmp_path, RootCache().root)
    run(store, image)
    other, _ = run(store, image, OTHER)
    mine, theirs = honest.blocks[0], other.blocks[0]
    planted_a = store.get_record("a", theirs.s_root_before)
    planted_ab = store.get_record("ab", _ab_key(image, WINDOW, theirs.s_root_before))
    assert planted_a and planted_ab
    mine_ab = _ab_key(image, WINDOW, mine.s_root_before)
    store.put_record("a", mine.s_root_before, {**planted_a, "input": mine.s_root_before})
    store.put_record("ab", mine_ab, {**planted_ab, "input": mine_ab})
    report, warnings = run(store, image)
    assert summary(report) == summary(honest)
    assert report.blocks[0].s_root_a != theirs.s_root_a
    assert len(warnings) == 2 and all("successor" in w for w in warnings)


def test_a_corrupt_snapshot_is_healed_when_recomputed(tmp_path: Path, image: GuestImage,
                                                      honest: ReplayReport) -> None:
    """A truncated S_t+1 file makes its A record untrusted; A recomputes it and the file is rewritten."""
    store = Store(tmp_path, RootCache().root)
    run(store, image)
    victim = store.state_path(bytes.fromhex(honest.blocks[1].s_root_a))
    victim.write_bytes(victim.read_bytes()[:-7])
    report, warnings = run(store, image)
    assert summary(report) == summary(honest)
    assert warnings and "corrupt" in warnings[0]
    assert store.get_state(bytes.fromhex(honest.blocks[1].s_root_a))   # hashes to its name again
    again, none = run(store, image)
    assert summary(again) == summary(honest) and not none


def test_records_name_their_input(tmp_path: Path, image: GuestImage) -> None:
    """Every record carries the key of the input it was computed from (what a copied record betrays)."""
    store = Store(tmp_path, RootCache().root)
    run(store, image)
    for path in (tmp_path / "records").rglob("*.json"):
        assert json.loads(path.read_text())["input"] == path.stem
