"""The guest image on machine AB: one window from Q* on S must leave machine A's S' in the S window.

The image is the main guest (toolchain/build.py, every C file of guest/src). The engine is Unicorn when
it is available, else the predecoded Python engine; the default run checks one block, `-m slow` a few
more fixture tests.
"""

from __future__ import annotations

import importlib.util
from pathlib import Path

import pytest

from emulator.image import template_from_image
from emulator.layout import S_BASE, SHADOW_STATUS
from emulator.machine import make_machine, shadow_field
from emulator.template import Template
from fastvm.codec import encode
from fastvm.fixtures import initial_state, load_file
from fastvm.machine import Machine
from toolchain.build import ROOT, build_image, bundled

FIXTURES = ROOT.parent / "shared" / "fixtures" / "ethereum-tests" / "BlockchainTests"
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


@pytest.mark.slow
@pytest.mark.skipif(not FIXTURES.is_dir(), reason="fixtures not present")
@pytest.mark.parametrize("rel", MORE)
def test_fixture_on_ab(template: Template, rel: str) -> None:
    check(template, FIXTURES / rel)
