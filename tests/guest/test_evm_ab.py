"""The guest image on machine AB: one window from Q* on S must leave machine A's S' in the S window.

The image is the main guest (toolchain/build.py, every C file of guest/src). The engine is Unicorn when
it is available, else the predecoded Python engine; the default run checks one block, `-m slow` a few
more fixture tests.
"""

from __future__ import annotations

import importlib.util
from pathlib import Path

import pytest
from cancun_blocks import chains

from emulator.image import template_from_image
from emulator.layout import S_BASE, SHADOW_STATUS
from emulator.machine import make_machine, shadow_field
from emulator.template import Template
from fastvm.builder import Tx, address_of, build_chain, genesis_header
from fastvm.codec import encode
from fastvm.fixtures import initial_state, load_file
from fastvm.machine import Machine
from fastvm.state import Account, EssentialState, Fork
from toolchain.build import ROOT, build_image, bundled

FIXTURES = ROOT.parent / "shared" / "fixtures" / "ethereum-tests" / "BlockchainTests"
CONFORMANCE = ROOT.parent / "shared" / "conformance" / "shanghai" / "BlockchainTests"
STATUS_YIELDED = 1
MORE = (
    "ValidBlocks/bcExample/shanghaiExample.json",
    "ValidBlocks/bcEIP1559/transType.json",
    "ValidBlocks/bcStateTests/logRevert.json",
    "GeneralStateTests/stStaticCall/static_CallEcrecover2.json",
)


def engine() -> str:
    """The fastest engine present."""
    return "unicorn" if importlib.util.find_spec("emulator.unicorn_engine") else "fast"


@pytest.fixture(scope="module")
def template(tmp_path_factory: pytest.TempPathFactory) -> Template:
    """The machine template of the main guest image."""
    elf = build_image(bundled()["guest"], tmp_path_factory.mktemp("guest") / "guest.elf")
    return template_from_image(elf)


def ab_step(template: Template, image: bytes) -> bytes:
    """One AB window on the image of S; the image left in the S window."""
    machine = make_machine(engine(), template, template.initial_state(image))
    machine.run_until_halt(1 << 34)
    state = machine.state()
    assert shadow_field(state, SHADOW_STATUS) == STATUS_YIELDED, "the guest did not yield"
    return state.read(S_BASE, 16 + state.read_u64(S_BASE + 8))


def check(template: Template, path: Path) -> None:
    """Every block of every test of one fixture file: AB's S' equals A's."""
    for test in load_file(path):
        machine = Machine()
        state = initial_state(test)
        image = encode(state)
        for index in range(len(test.blocks)):
            state, info = machine.step(state)
            assert ab_step(template, image) == info.image, f"{test.name} block {index + 1}"
            image = info.image


@pytest.mark.skipif(not FIXTURES.is_dir(), reason="fixtures not present")
def test_simple_transfer_on_ab(template: Template) -> None:
    check(template, FIXTURES / "ValidBlocks/bcValidBlockTest/SimpleTx.json")


@pytest.mark.skipif(not CONFORMANCE.is_dir(), reason="conformance fixtures not present")
def test_deepest_c_stack_on_ab(template: Template) -> None:
    """stBadOpcode's opc0FDiffPlaces (its d34 case recurses to the call depth limit): every EVM level
    costs the guest C stack, which must fit the runtime's 1 MiB. Sixteen inlined SWAPn temporaries once
    made interp_run's frame 816 bytes (336 before, 288 now) and AB faulted on d34."""
    check(template, CONFORMANCE / "GeneralStateTests/stBadOpcode/opc0FDiffPlaces.json")


@pytest.mark.parametrize("name", ["transient", "mcopy", "selfdestruct", "blob"])
def test_cancun_chain_on_ab(template: Template, name: str) -> None:
    """Each hand-built Cancun chain (cancun_blocks.py): AB's S' equals A's after every block."""
    state = chains()[name]
    machine = Machine()
    image = encode(state)
    for index in range(len(state.inbox)):
        state, info = machine.step(state)
        assert ab_step(template, image) == info.image, f"{name} block {index + 1}"
        image = info.image


@pytest.mark.slow
@pytest.mark.skipif(not FIXTURES.is_dir(), reason="fixtures not present")
@pytest.mark.parametrize("rel", MORE)
def test_fixture_on_ab(template: Template, rel: str) -> None:
    check(template, FIXTURES / rel)


KEY = bytes.fromhex("45a915e4d060149eb4365960e6a7a45f334393093061116b197e3240065ff2d8")
LOOP = bytes.fromhex("00000000000000000000000000000000000100b0")
# Loops that run until the gas is gone, each stressing one kind of heap use per unit of gas:
HEAVY = {
    # LOG0 with no data (391 gas an iteration): ~74k log entries
    "logs": "5b5f5fa05f56",
    # two SSTOREs of a warm dirty slot (~212 gas an iteration): journal entries
    "sstores": "5b60015f5560025f555f56",
    # STATICCALL of the identity precompile on 64 KiB of memory: precompile outputs
    "identity": "5b620100006000620100006000600462" + "0fffff" + "fa505f56",
}


@pytest.mark.slow
@pytest.mark.parametrize("name", sorted(HEAVY))
def test_gas_heavy_block_fits_on_ab(template: Template, name: str) -> None:
    """A 29 M-gas loop of cheap heap-using operations: AB must yield A's S' (no OOM fault)."""
    accounts = tuple(sorted([Account(address_of(KEY), balance=10**20),
                             Account(LOOP, code=bytes.fromhex(HEAVY[name]))], key=lambda a: a.address))
    genesis = EssentialState(1, Fork.SHANGHAI, genesis_header(Fork.SHANGHAI, accounts), accounts=accounts)
    state = build_chain(genesis, [[Tx(KEY, LOOP, gas=29_000_000)]])
    _after, info = Machine().step(state)
    assert info.gas_used > 28_000_000
    assert ab_step(template, encode(state)) == info.image
