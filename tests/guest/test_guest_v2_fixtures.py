"""AB on S version 2 equals A on S version 2, with A's witness of each block as AB's only oracle.

For each sampled fixture test: S version 2 and its preimage store from the fixture (initial_state, then
to_version_2 into a store of the test's own), then for every block A's (S', witness) (ExporterV2) and
AB's window on the same S with the witness's preimages as the oracle: AB's S' image is byte-equal to
A's, and every key AB asked for is in the witness (spec §6.3's witness property). The default run takes
every 4th file of the quick Shanghai sample (its first test) and every 4th case of the Cancun sample
of test_conformance_cancun_sample.py; `-m slow` takes the rest: every test of the quick sample (403)
and the whole Cancun sample.
"""

from __future__ import annotations

import json
from pathlib import Path

import pytest
from v2_ab import run_chain

from fastvm.fixtures import initial_state, load_file, parse_test
from fastvm.preimages import PreimageStore
from swapping.guest_image import GuestImage, guest_image
from toolchain.build import ROOT

QUICK = sorted((ROOT.parent / "shared" / "fixtures" / "ethereum-tests" / "BlockchainTests").rglob("*.json"))
CANCUN_SAMPLE = ROOT / "tests" / "swapping" / "test_conformance_cancun_sample.py"
STRIDE = 4
FAST_ENGINE = ("balanceNonConst", "access_list", "CREATE_EContract_ThenCALLToNonExistentAcc")


def _cancun_cases() -> list:
    """(file, test name) of the Cancun sample tests/swapping/test_conformance_cancun_sample.py runs."""
    import importlib.util

    spec = importlib.util.spec_from_file_location("cancun_sample", CANCUN_SAMPLE)
    assert spec and spec.loader
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    return [case.values[:2] for case in module.CASES]  # (file, name); the third value is the S version


CANCUN = _cancun_cases()


@pytest.fixture(scope="module")
def image() -> GuestImage:
    """The main guest image, built once."""
    return guest_image()


def quick_case(path: Path, image: GuestImage, tmp_path: Path, backend: str = "unicorn", every: bool = False) -> None:
    """Every block of the file's first test (every test, if `every`) on A and AB over version 2."""
    tests = load_file(path)
    for index, test in enumerate(tests if every else tests[:1]):
        store = PreimageStore(tmp_path / f"preimages{index}.sqlite")
        assert run_chain(image, initial_state(test), store, test.name, backend) == len(test.blocks)


def cancun_case(path: Path, name: str, image: GuestImage, tmp_path: Path) -> None:
    """Every block of one Cancun test on A and AB over version 2."""
    test = parse_test(name, json.loads(path.read_text())[name], str(path))
    store = PreimageStore(tmp_path / "preimages.sqlite")
    assert run_chain(image, initial_state(test), store, path.stem) == len(test.blocks)


def test_the_samples_are_present() -> None:
    assert len(QUICK) >= 250, "expected the quick fixture sample under ../shared/fixtures"
    assert len(CANCUN) >= 70, "expected the Cancun set under ../shared/conformance"


@pytest.mark.parametrize("path", QUICK[::STRIDE], ids=lambda p: p.stem)
def test_quick_sample_ab_equals_a_on_the_witness(path: Path, image: GuestImage, tmp_path: Path) -> None:
    quick_case(path, image, tmp_path)


@pytest.mark.parametrize(("path", "name"), CANCUN[::STRIDE], ids=lambda v: getattr(v, "stem", ""))
def test_cancun_sample_ab_equals_a_on_the_witness(path: Path, name: str, image: GuestImage,
                                                  tmp_path: Path) -> None:
    cancun_case(path, name, image, tmp_path)


@pytest.mark.parametrize("stem", FAST_ENGINE)
def test_the_fast_engine_agrees(stem: str, image: GuestImage, tmp_path: Path) -> None:
    path = next(p for p in QUICK if p.stem == stem)
    quick_case(path, image, tmp_path, backend="fast")


@pytest.mark.slow
@pytest.mark.parametrize("path", QUICK, ids=lambda p: p.stem)
def test_quick_set_ab_equals_a_on_the_witness(path: Path, image: GuestImage, tmp_path: Path) -> None:
    quick_case(path, image, tmp_path, every=True)


@pytest.mark.slow
@pytest.mark.parametrize(("path", "name"), [c for i, c in enumerate(CANCUN) if i % STRIDE],
                         ids=lambda v: getattr(v, "stem", ""))
def test_cancun_set_ab_equals_a_on_the_witness(path: Path, name: str, image: GuestImage, tmp_path: Path) -> None:
    cancun_case(path, name, image, tmp_path)
