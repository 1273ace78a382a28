"""The native build of the guest (AddressSanitizer, UBSan) runs S version 2 steps too, on A's witness alone.

The runner (guest/tests/evm/run_block_host.c) fills the host's oracle table (guest/host/preimages_host.c)
from the witness's preimages; its S' must equal A's byte for byte. A missing preimage exits 90.
"""

from __future__ import annotations

import subprocess
from pathlib import Path

import pytest
from evm_native import guest_run, native_runner, preimages_file

from fastvm.codec_v2 import encode_v2
from fastvm.export_v2 import ExporterV2, to_version_2
from fastvm.fixtures import initial_state, load_file
from fastvm.preimages import PreimageStore
from toolchain.build import ROOT

QUICK = sorted((ROOT.parent / "shared" / "fixtures" / "ethereum-tests" / "BlockchainTests").rglob("*.json"))
PREIMAGES_HOST_MISSING_EXIT = 90   # guest/host/preimages_host.h
STRIDE = 27


@pytest.mark.parametrize("path", QUICK[::STRIDE], ids=lambda p: p.stem)
def test_native_v2_step_equals_a_on_the_witness(path: Path, tmp_path: Path) -> None:
    test = load_file(path)[0]
    store = PreimageStore(tmp_path / "preimages.sqlite")
    state = to_version_2(initial_state(test), store)
    exporter = ExporterV2(store)
    for index in range(len(test.blocks)):
        after, _info, witness = exporter.export(state)
        code, image = guest_run(encode_v2(state), tmp_path, witness.preimages().values())
        assert (code, image) == (0, encode_v2(after)), f"block {index}"
        state = after


def test_native_v2_step_stops_on_a_missing_preimage(tmp_path: Path) -> None:
    test = load_file(QUICK[0])[0]
    store = PreimageStore(tmp_path / "preimages.sqlite")
    state = to_version_2(initial_state(test), store)
    _after, _info, witness = ExporterV2(store).export(state)
    oracle = preimages_file([v for k, v in witness.preimages().items() if k != state.inbox.root], tmp_path / "p")
    (tmp_path / "in").write_bytes(encode_v2(state))
    done = subprocess.run([str(native_runner()), str(tmp_path / "in"), str(tmp_path / "out"), str(oracle)],
                          capture_output=True, text=True, timeout=600, check=False)
    assert done.returncode == PREIMAGES_HOST_MISSING_EXIT
    assert state.inbox.root.hex() in done.stderr
