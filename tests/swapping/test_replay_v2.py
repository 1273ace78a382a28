"""Replay on S version 2: A over the run's preimage store, workers given S_t and the block's witness only.

Each test replays the bundled example (3 blocks: transfers and a contract call) on version 2 into a
fresh store and checks one property: a resumed replay re-runs nothing A or the world builder did; a
task carries S_t's image and exactly the preimages of A's witness of its block, never the world or the
store; a damaged witness file, a damaged record, and a consistent record naming a witness that lacks
a preimage are each named in a warning and recomputed; and, once the guest runs version 2, AB's S'
equals A's for every block.
"""

from __future__ import annotations

import pickle
from pathlib import Path

import pytest

import swapping.replay as replay_module
from emulator.merkle import keccak
from emulator.symbols import Symbols
from fastvm import rlpx
from fastvm.codec_v2 import decode_v2
from fastvm.export_v2 import ExporterV2
from fastvm.preimages import PreimageStore
from fastvm.sfiles import open_preimages
from fastvm.sroot import RootCache
from fastvm.state_v2 import EssentialStateV2
from swapping.guest_image import GuestImage, guest_image
from swapping.replay import ReplayReport, replay
from swapping.source import load_sources
from swapping.store import Store
from swapping.sv2 import split_keys
from swapping.window import MissingInWitness

ROOT = Path(__file__).resolve().parents[2]
EXAMPLE = ROOT / "fastvm" / "examples" / "hello.toml"
WINDOW = 22   # the example's blocks fit in 2^21 steps on version 1


@pytest.fixture(scope="module")
def image() -> GuestImage:
    """The main guest, built once for the module."""
    return guest_image()


def guest_runs_v2(image: GuestImage) -> bool:
    """Whether the locked guest links the version 2 decoder (its v2 path, landed by wt-guest2)."""
    return any(name.startswith("s2_decode") for _, _, name in Symbols.from_elf(image.elf).entries)


class Run:
    """One replay store folder: the snapshot store, the preimage store and the example's S0 on version 2."""

    def __init__(self, folder: Path, image: GuestImage) -> None:
        self.folder, self.image = folder, image
        self.store = Store(folder, RootCache().root)
        self.preimages = open_preimages(folder)
        self.chains = load_sources(str(EXAMPLE), None, image.s_size, None, 2, self.preimages)[0]

    def replay(self, **kwargs: object) -> tuple[ReplayReport, list[str]]:
        """Replay the example; the report and the warnings given."""
        warnings: list[str] = []
        options: dict = {"workers": 1} | kwargs
        report = replay(self.chains, self.store, self.image, log2_window=WINDOW, preimages=self.preimages,
                        warn=warnings.append, **options)
        return report, warnings


def test_the_example_becomes_version_2_with_its_world_in_the_store(tmp_path: Path, image: GuestImage) -> None:
    """S0 is version 2; the store holds its world root and its inbox root; the image is small."""
    run = Run(tmp_path, image)
    [(_, s0)] = run.chains
    assert isinstance(s0, EssentialStateV2) and s0.inbox.length == 3
    report, warnings = run.replay()
    assert report.s_version == 2 and not warnings
    assert report.counts["a_run"] == 3
    assert all(row.witness for row in report.blocks)
    for row in report.blocks:
        after = decode_v2(run.store.get_state(bytes.fromhex(row.s_root_a)))
        assert after.cursor == row.index + 1


def test_a_resumed_replay_reruns_nothing_the_store_has(tmp_path: Path, image: GuestImage,
                                                       monkeypatch: pytest.MonkeyPatch) -> None:
    """The second replay reuses every A record and rebuilds no world: A's exporter and the world
    builder are made to fail, and the report is the same."""
    first, _ = Run(tmp_path, image).replay()

    def refuse(*_args: object, **_kwargs: object) -> None:
        raise AssertionError("the resumed replay re-ran work the store holds")

    monkeypatch.setattr(ExporterV2, "export", refuse)
    monkeypatch.setattr("fastvm.contentdb.store_world", refuse)
    again, warnings = Run(tmp_path, image).replay()
    assert again.counts["a_run"] == 0 and again.counts["a_reused"] == 3
    assert [r.s_root_a for r in again.blocks] == [r.s_root_a for r in first.blocks]
    assert [r.witness for r in again.blocks] == [r.witness for r in first.blocks]
    assert not [w for w in warnings if "a/" in w]


def test_a_worker_receives_s_t_and_the_block_witness_never_the_world(
    tmp_path: Path, image: GuestImage, monkeypatch: pytest.MonkeyPatch
) -> None:
    """Every task is S_t's image (version 2, under 10 KiB) and the preimages of A's witness of block t,
    exactly; no argument is a store or a path, and the task pickles without the world."""
    run = Run(tmp_path, image)
    seen: list[tuple] = []
    real = replay_module.run_tasks

    def capture(fn, tasks, *rest):  # noqa: ANN001, ANN002, ANN202 - run_tasks' signature
        seen.extend(tasks)
        return real(fn, tasks, *rest)

    monkeypatch.setattr(replay_module, "run_tasks", capture)
    report, _ = run.replay()
    assert len(seen) == 3
    check = PreimageStore(tmp_path / "preimages.sqlite")
    world = set(check.keys_on_disk())
    for root_hex, args in seen:
        elf, _ram, _s, _a, s_image, _backend, witness = args
        assert elf == image.elf
        state = decode_v2(s_image)
        assert len(s_image) < 10 * 1024   # spec §6.2: S holds no world, whatever its size
        assert all(isinstance(arg, (bytes, int, str)) for arg in args)
        # A's witness of the block, recorded afresh over a copy of the store: exactly the task's preimages.
        _after, _info, expected = ExporterV2(check).export(state)
        sent = {keccak(value) for value in rlpx.decode(witness)}  # type: ignore[union-attr]
        assert sent == set(expected.preimages())
        assert sent < world   # the store holds more than the block's witness: the world stayed home
        row = next(r for r in report.blocks if r.s_root_before == root_hex)
        assert set(split_keys(run.store.get_witness(row.witness))) == sent
        assert len(pickle.dumps(args)) < len(elf) + len(s_image) + len(witness) + 4096


def test_a_damaged_witness_file_is_named_and_recomputed(tmp_path: Path, image: GuestImage) -> None:
    """A witness key list that no longer hashes to its digest: a warning names the record; A re-runs."""
    first, _ = Run(tmp_path, image).replay()
    store = Store(tmp_path, RootCache().root)
    path = store.witness_path(first.blocks[1].witness)
    data = bytearray(path.read_bytes())
    data[5] ^= 1
    path.write_bytes(bytes(data))
    again, warnings = Run(tmp_path, image).replay()
    assert again.counts["a_run"] == 1
    assert any("witness" in w and "not trusted" in w for w in warnings)
    assert [r.s_root_a for r in again.blocks] == [r.s_root_a for r in first.blocks]


def test_a_damaged_record_is_named_and_recomputed(tmp_path: Path, image: GuestImage) -> None:
    """An edited gas figure in an A record: named, recomputed, and the report is a fresh replay's."""
    first, _ = Run(tmp_path, image).replay()
    store = Store(tmp_path, RootCache().root)
    key = first.blocks[0].s_root_before
    record = store.get_record("a", key)
    assert record is not None
    store.put_record("a", key, record | {"gas_used": record["gas_used"] + 1})
    again, warnings = Run(tmp_path, image).replay()
    assert again.counts["a_run"] == 1
    assert any(f"a/{key}" in w for w in warnings)
    assert [r.gas_used for r in again.blocks] == [r.gas_used for r in first.blocks]


def test_a_consistent_record_naming_a_short_witness_is_recorded_again(
    tmp_path: Path, image: GuestImage, monkeypatch: pytest.MonkeyPatch
) -> None:
    """A planted witness (a key list that hashes to its new digest, recorded in the A record) lacks one
    preimage of the block: the record checks, the worker stops naming the key, the replay warns and has A
    record the block again; the row then names A's true witness. The worker here is the real window task
    behind a gate that asks for every preimage of A's witness first (as the guest reads them)."""
    first, _ = Run(tmp_path, image).replay()
    store = Store(tmp_path, RootCache().root)
    row = first.blocks[1]
    keys = split_keys(store.get_witness(row.witness))
    dropped = keys[len(keys) // 2]
    planted = store.put_witness(b"".join(k for k in keys if k != dropped))
    record = store.get_record("a", row.s_root_before)
    assert record is not None
    store.put_record("a", row.s_root_before, record | {"witness": planted})
    for path in (tmp_path / "records" / "ab").iterdir():   # AB must run again
        path.unlink()
    true_keys = set(keys)
    real = replay_module.window_task

    def gated(*args):  # noqa: ANN002, ANN202 - window_task's arguments
        held = {keccak(value) for value in rlpx.decode(args[6])}  # type: ignore[union-attr]
        missing = sorted(true_keys - held) if decode_v2(args[4]).cursor == row.index else []
        return MissingInWitness(missing[0]) if missing else real(*args)

    monkeypatch.setattr(replay_module, "window_task", gated)
    again, warnings = Run(tmp_path, image).replay()
    assert any(f"lacks the preimage 0x{dropped.hex()}" in w for w in warnings)
    assert again.blocks[1].witness == row.witness
    assert [r.s_root_a for r in again.blocks] == [r.s_root_a for r in first.blocks]


def test_ab_matches_a_on_version_2(tmp_path: Path, image: GuestImage) -> None:
    """The commuting diagram on version 2: AB's S' (the guest reading the world through the witness)
    equals A's for every block."""
    if not guest_runs_v2(image):
        pytest.skip("the locked guest does not decode S version 2 yet (no s2_decode; wt-guest2 lands it)")
    report, _ = Run(tmp_path, image).replay()
    assert [row.verdict for row in report.blocks] == ["match"] * 3, [row.detail for row in report.blocks]


def test_dask_workers_get_the_same_tasks_and_results_as_the_pool(tmp_path: Path, image: GuestImage) -> None:
    """On a Dask cluster each task carries its S_t and its witness (only the shared guest image is
    scattered): the report equals the 2-worker pool's, S roots and witnesses included."""
    distributed = pytest.importorskip("distributed")
    pool, _ = Run(tmp_path / "pool", image).replay(workers=2)
    with distributed.LocalCluster(n_workers=2, threads_per_worker=1, processes=True, host="127.0.0.1",
                                  dashboard_address=None) as cluster:
        dask, _ = Run(tmp_path / "dask", image).replay(scheduler=cluster.scheduler_address)
    def fields(report: ReplayReport) -> list[tuple]:
        """What both runs must agree on, per block."""
        return [(r.s_root_a, r.witness, r.s_root_ab, r.ab_status, r.ab_steps, r.verdict)
                for r in report.blocks]

    assert fields(dask) == fields(pool)


def test_a_tampered_preimage_in_a_task_stops_the_worker_naming_its_key(tmp_path: Path,
                                                                      image: GuestImage) -> None:
    """One byte changed in one preimage of a task's witness: the worker's oracle keys it by its own hash,
    so the guest's read of the original key finds nothing and the window returns that key, not a result."""
    from swapping.replay_v2 import V2Run
    from swapping.sv2 import pack_witness
    from swapping.window import window_task

    if not guest_runs_v2(image):
        pytest.skip("the locked guest does not decode S version 2 yet (no s2_decode; wt-guest2 lands it)")
    run = Run(tmp_path, image)
    report, _ = run.replay()
    row = report.blocks[1]
    values = rlpx.decode(V2Run(run.store, run.preimages, {}).witness_bytes(row.witness))
    assert isinstance(values, list)
    s_image = run.store.get_state(bytes.fromhex(row.s_root_before))
    honest = window_task(image.elf, image.ram_size, image.s_size, WINDOW, s_image, "unicorn",
                         pack_witness(values))  # type: ignore[arg-type]
    assert not isinstance(honest, MissingInWitness) and honest.s_root.hex() == row.s_root_a
    for index in (0, len(values) - 1):
        tampered = list(values)
        tampered[index] = bytes([tampered[index][0] ^ 1]) + tampered[index][1:]  # type: ignore[index]
        result = window_task(image.elf, image.ram_size, image.s_size, WINDOW, s_image, "unicorn",
                             pack_witness(tampered))  # type: ignore[arg-type]
        assert isinstance(result, MissingInWitness) and result.key == keccak(values[index])  # type: ignore[arg-type]


def test_a_planted_ab_record_naming_another_s_prime_is_recomputed(tmp_path: Path, image: GuestImage) -> None:
    """Block 0's AB record rewritten to name block 2's S' (a version 2 image of the same chain, hashing to
    its name, with a consistent machine root): it is no successor of S_0, so it is named and recomputed,
    and block 0 still matches."""
    from swapping.replay import _ab_key
    from swapping.window import window_root_of

    first, _ = Run(tmp_path, image).replay()
    store = Store(tmp_path, RootCache().root)
    mine, theirs = first.blocks[0], first.blocks[2]
    key = _ab_key(image, WINDOW, mine.s_root_before)
    record = store.get_record("ab", key)
    assert record is not None
    window_root = window_root_of(image.elf, image.ram_size, image.s_size, WINDOW)
    store.put_record("ab", key, record | {"s_root": theirs.s_root_a, "s_image_root": theirs.s_root_a,
                                          "machine_root": window_root(bytes.fromhex(theirs.s_root_a)).hex()})
    again, warnings = Run(tmp_path, image).replay()
    assert any(f"ab/{key}" in w and "not a successor" in w for w in warnings)
    assert again.counts["ab_run"] >= 1 and again.blocks[0].verdict == "match"
    assert again.blocks[0].s_root_ab == mine.s_root_a
