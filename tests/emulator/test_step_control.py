"""Step control: stop at N, snapshots, info lines naming the guest function, proofs at chosen steps."""

from __future__ import annotations

import json
from pathlib import Path

import pytest

from emulator.errors import SwapvmError
from emulator.image import template_from_image
from emulator.machine import ReferenceMachine, make_machine
from emulator.proof import StepProof, verify
from emulator.snapshot import load_snapshot
from emulator.stepcontrol import Schedule, StepControl, run_controlled
from emulator.symbols import Symbols

build = pytest.importorskip("toolchain.build", reason="the toolchain is not available")


@pytest.fixture(scope="module")
def hello() -> Path:
    """The bundled hello image (yields 42)."""
    return build.example_image("hello")


@pytest.mark.parametrize(("text", "at", "every"), [("=0", 0, None), ("=17", 17, None), ("%5", None, 5),
                                                   ("%0x10", None, 16)])
def test_schedules_parse(text: str, at: int | None, every: int | None) -> None:
    assert Schedule.parse(text, "--info-at") == Schedule(every=every, at=at)


@pytest.mark.parametrize("text", ["", "5", "%0", "=-1", "%x", "=", "@3"])
def test_bad_schedules_are_one_line_errors(text: str) -> None:
    with pytest.raises(SwapvmError, match="--snapshot-at"):
        Schedule.parse(text, "--snapshot-at")


def test_every_schedule_hits_multiples_and_next_after() -> None:
    every = Schedule(every=4)
    assert [s for s in range(13) if every.hits(s)] == [0, 4, 8, 12]
    assert (every.next_after(0), every.next_after(5), Schedule(at=3).next_after(3)) == (4, 8, None)


@pytest.mark.parametrize("engine", ["reference", "fast", "unicorn"])
def test_stop_snapshot_info_and_proof_on_every_engine(engine: str, hello: Path, tmp_path: Path) -> None:
    template = template_from_image(hello)
    total = ReferenceMachine(template, template.initial_state()).run_until_halt(10**6)
    stop = total // 2
    control = StepControl(stop_at=stop, snapshot=Schedule(at=3), info=Schedule(every=10),
                          proof=Schedule(at=5), out_dir=tmp_path)
    lines: list[str] = []
    machine = make_machine(engine, template, template.initial_state())
    assert run_controlled(machine, control, 10**6, Symbols.from_elf(hello.read_bytes()), lines.append) == stop

    reference = ReferenceMachine(template, template.initial_state())
    reference.run(stop)
    assert machine.root() == reference.root()   # stopped exactly at N, the same state as the definition

    [snapshot] = [e for e in control.events if e["event"] == "snapshot"]
    at3 = ReferenceMachine(template, template.initial_state())
    at3.run(3)
    assert load_snapshot(Path(snapshot["path"]), template).root() == at3.root()

    [proof_event] = [e for e in control.events if e["event"] == "proof"]
    proof = StepProof.from_json(json.loads(Path(proof_event["path"]).read_text()))
    at5 = ReferenceMachine(template, template.initial_state())
    at5.run(5)
    assert proof.pre_root == at5.root()
    at5.run(1)
    assert verify(proof, template) == at5.root()

    infos = [e for e in control.events if e["event"] == "info"]
    assert [e["step"] for e in infos] == list(range(0, stop + 1, 10))
    assert infos[0]["function"].startswith("_start")   # the entry point, named from the symbol table
    assert len(lines) == len(control.events)


def test_a_run_that_halts_before_the_stop_ends_at_the_halt(hello: Path, tmp_path: Path) -> None:
    template = template_from_image(hello)
    total = ReferenceMachine(template, template.initial_state()).run_until_halt(10**6)
    control = StepControl(stop_at=total + 100, info=Schedule(every=total + 50))
    machine = make_machine("fast", template, template.initial_state())
    assert run_controlled(machine, control, 10**6, Symbols.from_elf(b""), lambda _: None) == total


def test_line_tables_name_the_source_of_a_pc_and_keep_the_code(hello: Path, tmp_path: Path) -> None:
    """A line-table build has the plain build's loaded bytes; main's first instruction is in hello.c."""
    from emulator.symbols import SourceLines

    lined = build.build_image(build.bundled()["hello"], tmp_path / "hello-lines.elf", line_tables=True)
    assert template_from_image(lined).identity() == template_from_image(hello).identity()
    main = next(start for start, _, name in Symbols.from_elf(hello.read_bytes()).entries if name == "main")
    where = SourceLines.from_elf(lined.read_bytes()).line_at(main)
    assert where is not None and where.startswith("guest/examples/hello.c:")
    assert SourceLines.from_elf(hello.read_bytes()).line_at(main) is None   # the plain build has no table


def test_no_instruction_after_a_lined_one_is_named_line_0() -> None:
    """DWARF's line 0 (code no line owns, e.g. merged by the optimiser) takes the place before it in its
    sequence: the main guest's table then names a real line for every instruction after its first."""
    from emulator.symbols import SourceLines
    from swapping.guest_image import guest_image, guest_line_tables

    lines = SourceLines.from_elf(guest_line_tables(guest_image()))
    assert lines.rows, "the main guest's line-table build carries no table"
    seen_line = False
    for _, name, line in lines.rows:
        if not name:            # a sequence ends
            seen_line = False
            continue
        assert line > 0 or not seen_line
        seen_line = seen_line or line > 0
