"""Replay on S version 2 (spec §5.1, §6.5): phase A over the run's preimage store, witnesses for AB.

Phase A runs every block with ExporterV2 over the preimage store kept in the replay's store folder
(`preimages.sqlite`), which holds the world at every S_t: a resumed replay reuses every checked
record and re-runs nothing. Each record `a/<root(S_t)>` names S_t+1 and the block's witness by the
digest of its key list (`witnesses/<digest>.keys`); the witness's preimages stay in the store. Phase
AB (swapping/replay.py) sends each worker S_t's image and the witness's preimages as bytes.
"""

from __future__ import annotations

from dataclasses import dataclass

from emulator.errors import SwapvmError
from fastvm.codec_v2 import encode_v2
from fastvm.preimages import PreimageStore
from fastvm.state_v2 import EssentialStateV2
from swapping.records import Warn, outcome_label, read_checked
from swapping.records_v2 import check_a_record_v2
from swapping.store import Store
from swapping.sv2 import gather_witness, witness_keys
from swapping.window import MissingInWitness, WindowResult


@dataclass
class V2Run:
    """What phase A on version 2 shares with phase AB: the stores, and each S_t by its root."""

    store: Store
    preimages: PreimageStore
    states: dict[str, EssentialStateV2]

    def witness_bytes(self, digest: str) -> bytes:
        """The task bytes of a stored witness: its preimages, read from the store."""
        return gather_witness(self.store.get_witness(digest), self.preimages)

    def record(self, state: EssentialStateV2) -> tuple[dict, EssentialStateV2, bytes]:
        """Run A on S_t with the exporter, store S_t+1 and the witness, write the record."""
        from fastvm.export_v2 import ExporterV2

        key = self.store.put_state(encode_v2(state)).hex()
        after, info, witness = ExporterV2(self.preimages).export(state)
        preimages = witness.preimages()
        digest = self.store.put_witness(witness_keys(preimages.values()))
        next_root = self.store.put_state(encode_v2(after))
        assert info is not None   # only pending blocks are run
        record = {
            "input": key,
            "next": next_root.hex(),
            "index": state.cursor,
            "number": info.number,
            "gas_used": info.gas_used,
            "outcome": outcome_label(after.outcome),
            "seconds": info.seconds,
            "witness": digest,
        }
        self.store.put_record("a", key, record)
        self.states[next_root.hex()] = after
        return record, after, next_root


def run_a_v2(run: V2Run, s0: EssentialStateV2, counts: dict[str, int], progress, warn: Warn,  # noqa: ANN001
             s_size: int) -> list[dict]:
    """Phase A on version 2: a record per block (reused when it checks), in inbox order."""
    state = s0
    root = run.store.put_state(encode_v2(s0)).hex()
    run.states[root] = s0
    records = []
    total = s0.pending
    for done in range(total):

        def check(record: dict, key: str = root, before: EssentialStateV2 = state) -> EssentialStateV2:
            """The record against S_t, the S_t+1 it names and its witness."""
            return check_a_record_v2(record, key, before, run.store, run.preimages, s_size)[0]

        found = read_checked(run.store, "a", root, check, warn)
        if found is not None:
            record, state = found
            run.states[record["next"]] = state
            counts["a_reused"] += 1
        else:
            record, state, _ = run.record(state)
            counts["a_run"] += 1
        records.append(record)
        root = record["next"]
        progress("A", done + 1, total)
    return records


def rewitness(run: V2Run, root_hex: str, missing: MissingInWitness, rows: list,
              machine: tuple, warn: Warn) -> tuple[WindowResult, str]:
    """A worker lacked a preimage of block t's witness: A records the block again and AB runs on that.

    The stored witness was damaged or planted (its key list checks, so it was consistent but short);
    the world is in the store, so A's step is all that is redone. A key still missing then is a
    break of the witness property (spec §6.3): one line naming it."""
    from swapping.window import window_task

    state = run.states[root_hex]
    warn(f"store {run.store.root}: the witness of S_t {root_hex[:16]}… lacks the preimage "
         f"0x{missing.key.hex()}; A records the block again")
    record, _after, _root = run.record(state)
    for row in rows:
        if row.s_root_before == root_hex:
            row.witness, row.s_root_a = record["witness"], record["next"]
            row.gas_used, row.outcome, row.number = record["gas_used"], record["outcome"], record["number"]
    image, log2_window, backend = machine
    result = window_task(image.elf, image.ram_size, image.s_size, log2_window, encode_v2(state), backend,
                         run.witness_bytes(record["witness"]))
    if isinstance(result, MissingInWitness):
        raise SwapvmError(f"block {state.cursor}: the guest reads 0x{result.key.hex()}, which A's witness "
                          "of the block lacks (the witness property, spec §6.3, fails)")
    return result, record["witness"]
