"""Random EVM programs on S version 2: the native guest with A's witness alone leaves A's S', byte for byte.

The programs of tests/guest/test_evm_differential.py (every opcode with its arguments pushed, biased
toward existing accounts, precompiles and edge values: calls of every kind, EXTCODESIZE/COPY/HASH,
BALANCE, CREATE and CREATE2, SELFDESTRUCT, storage) in a block calling the contract twice; A's
(S', witness) by ExporterV2, then the native guest (sanitizers) with the witness's preimages as its
whole oracle: a key outside the witness would stop it (exit 90), so every example also checks that
the guest reads only what py-evm reads (spec §6.6).
"""

from __future__ import annotations

from pathlib import Path

import pytest
from evm_native import guest_run
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st
from test_evm_differential import CANCUN_OPS, CONTRACT, KEY, genesis, programs

from fastvm.builder import Tx, build_chain
from fastvm.codec_v2 import encode_v2
from fastvm.export_v2 import ExporterV2, to_version_2
from fastvm.preimages import PreimageStore
from fastvm.state import Fork

VALUES = st.sampled_from([0, 1, 10**6])


def check_v2(code: bytes, calldata: bytes, value: int, work: Path, fork: Fork) -> None:
    """A on version 2 and the native guest on A's witness leave the same S' image."""
    call = Tx(KEY, CONTRACT, value=value, gas=400_000, data=calldata)
    state = build_chain(genesis(code, fork), [[call, call]])
    store = PreimageStore()
    before = to_version_2(state, store)
    after, _info, witness = ExporterV2(store).export(before)
    result, image = guest_run(encode_v2(before), work, witness.preimages().values())
    assert (result, image) == (0, encode_v2(after)), f"code {code.hex()}"


@settings(max_examples=20, deadline=None, derandomize=True,
          suppress_health_check=[HealthCheck.function_scoped_fixture])
@given(code=programs(), calldata=st.binary(max_size=40), value=VALUES)
def test_random_shanghai_program_on_the_witness(tmp_path: Path, code: bytes, calldata: bytes, value: int) -> None:
    check_v2(code, calldata, value, tmp_path, Fork.SHANGHAI)


@settings(max_examples=20, deadline=None, derandomize=True,
          suppress_health_check=[HealthCheck.function_scoped_fixture])
@given(code=programs(CANCUN_OPS), calldata=st.binary(max_size=40), value=VALUES)
def test_random_cancun_program_on_the_witness(tmp_path: Path, code: bytes, calldata: bytes, value: int) -> None:
    check_v2(code, calldata, value, tmp_path, Fork.CANCUN)


@pytest.mark.slow
@settings(max_examples=400, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture])
@given(code=programs(CANCUN_OPS), calldata=st.binary(max_size=40), value=VALUES,
       fork=st.sampled_from([Fork.SHANGHAI, Fork.CANCUN]))
def test_many_random_programs_on_the_witness(tmp_path: Path, code: bytes, calldata: bytes, value: int,
                                             fork: Fork) -> None:
    """Cancun's opcodes under Shanghai are undefined: the frame halts there, as on A."""
    check_v2(code, calldata, value, tmp_path, fork)
