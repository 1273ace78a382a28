"""Snapshots: save/load by root; corrupt, truncated, renamed or foreign files are refused precisely."""

from __future__ import annotations

from pathlib import Path

import pytest
from emu_harness import make
from rvasm import i, li, s, yield_

from emulator.errors import SwapvmError
from emulator.layout import RAM_BASE
from emulator.machine import make_machine
from emulator.snapshot import SnapshotError, load_snapshot, save_snapshot
from emulator.state import MachineState
from emulator.template import Template


def running_machine() -> tuple[Template, MachineState]:
    """A template and its state after a guest wrote RAM and yielded."""
    words = [*li(5, RAM_BASE + 0x3000), *li(6, 0x1234), s("sd", 6, 5, 0), i("addi", 7, 0, 1)]
    template = make([*words, *yield_()])
    machine = make_machine("fast", template, template.initial_state(b"snapshot S"))
    machine.run_until_halt(100)
    return template, machine.state()


def test_round_trip_is_named_by_root(tmp_path: Path) -> None:
    template, state = running_machine()
    path = save_snapshot(tmp_path, state, template)
    assert path.name == f"{state.root().hex()}.snap"
    loaded = load_snapshot(path, template)
    assert loaded.root() == state.root()
    assert loaded.nonzero_pages() == state.nonzero_pages()


def corrupt(path: Path, offset: int) -> None:
    """Flip one byte of a file."""
    blob = bytearray(path.read_bytes())
    blob[offset] ^= 0xFF
    path.write_bytes(bytes(blob))


@pytest.mark.parametrize(("offset", "message"), [(0, "magic"), (200, "checksum"), (-1, "checksum")])
def test_corrupt_bytes_are_detected(tmp_path: Path, offset: int, message: str) -> None:
    template, state = running_machine()
    path = save_snapshot(tmp_path, state, template)
    corrupt(path, offset)
    with pytest.raises(SnapshotError, match=message):
        load_snapshot(path, template)


@pytest.mark.parametrize("keep", [0, 10, 100, 5000])
def test_truncated_files_are_detected(tmp_path: Path, keep: int) -> None:
    template, state = running_machine()
    path = save_snapshot(tmp_path, state, template)
    path.write_bytes(path.read_bytes()[:keep])
    with pytest.raises(SnapshotError, match="truncated"):
        load_snapshot(path, template)


def test_renamed_file_is_detected(tmp_path: Path) -> None:
    template, state = running_machine()
    path = save_snapshot(tmp_path, state, template)
    other = tmp_path / f"{'ab' * 32}.snap"
    path.rename(other)
    with pytest.raises(SnapshotError, match="named"):
        load_snapshot(other, template)


def test_foreign_template_is_refused(tmp_path: Path) -> None:
    template, state = running_machine()
    path = save_snapshot(tmp_path, state, template)
    with pytest.raises(SnapshotError, match="template"):
        load_snapshot(path, make(yield_(1)))


def test_missing_file_is_a_user_error(tmp_path: Path) -> None:
    with pytest.raises(SwapvmError, match="cannot read"):
        load_snapshot(tmp_path / "nope.snap")
