"""`swapvm riscv run|prove|verify` on the bundled example images; bad input exits 2 with one line."""

from __future__ import annotations

import json
from pathlib import Path

import pytest

from emulator import machine as machine_module
from emulator.machine import ReferenceMachine, lockstep
from emulator.template import Template
from swapping.cli import main

build = pytest.importorskip("toolchain.build", reason="the toolchain is not available")


@pytest.fixture(scope="module")
def hello() -> Path:
    """The bundled hello image (yields 42)."""
    return build.example_image("hello")


def run_json(capsys: pytest.CaptureFixture[str], argv: list[str]) -> tuple[int, dict[str, object]]:
    """Exit code and the JSON object printed."""
    code = main(argv)
    return code, json.loads(capsys.readouterr().out)


@pytest.mark.parametrize("engine", ["reference", "fast"])
def test_run_reports_yield_exit_code_steps_and_root(
    capsys: pytest.CaptureFixture[str], hello: Path, engine: str
) -> None:
    code, report = run_json(capsys, ["riscv", "run", str(hello), "--backend", engine, "--json", "-"])
    assert code == 0
    assert (report["status"], report["cause"], report["exit_code"]) == ("yielded", "none", 42)
    assert isinstance(report["steps"], int) and report["steps"] > 0
    _, other = run_json(capsys, ["riscv", "run", str(hello), "--backend", "fast", "--json", "-"])
    assert report["root"] == other["root"]


def test_max_steps_stops_a_running_machine(capsys: pytest.CaptureFixture[str], hello: Path) -> None:
    code, report = run_json(capsys, ["riscv", "run", str(hello), "--max-steps", "10", "--json", "-"])
    assert code == 0
    assert (report["status"], report["steps"]) == ("running", 10)


def test_fault_image_reports_its_fault(capsys: pytest.CaptureFixture[str]) -> None:
    code, report = run_json(capsys, ["riscv", "run", str(build.example_image("fault")), "--json", "-"])
    assert code == 1   # a fault is a negative verdict
    assert report["status"] == "faulted"
    assert report["cause"] != "none"


def test_lockstep_agrees(capsys: pytest.CaptureFixture[str], hello: Path) -> None:
    argv = ["riscv", "run", str(hello), "--backend", "lockstep", "--pair", "reference,fast", "--every", "7",
            "--json", "-"]
    code, report = run_json(capsys, argv)
    assert code == 0
    assert "divergence" not in report
    assert report["status"] == "yielded"


class BrokenMachine(ReferenceMachine):
    """A reference machine that corrupts x5 after step 20: lockstep must catch it."""

    def run_until_halt(self, max_steps: int) -> int:
        """Step, then corrupt x5 once the clock passes 20."""
        done = super().run_until_halt(max_steps)
        if self.state().read_u64(0x108) > 20:
            self.state().write_u64(8 * 5, 0xBAD)
        return done


def test_lockstep_reports_the_first_divergence(monkeypatch: pytest.MonkeyPatch, hello: Path) -> None:
    from emulator.image import template_from_image

    template: Template = template_from_image(hello)
    real = machine_module.make_machine

    def fake(name: str, tpl: Template, state: object, output: object = None, oracle: object = None) -> object:
        """The broken engine for "broken", the real ones otherwise."""
        return BrokenMachine(tpl, state) if name == "broken" else real(name, tpl, state)  # type: ignore[arg-type]

    monkeypatch.setattr(machine_module, "make_machine", fake)
    result = lockstep(template, template.initial_state(), ("fast", "broken"), 1000, 5)
    assert result.divergence is not None
    assert result.divergence["between_steps"] == [20, 25]
    assert result.divergence["fields"]["x5"][1] == 0xBAD


@pytest.mark.parametrize("suffix", [".json", ".bin"])
def test_prove_then_verify(
    capsys: pytest.CaptureFixture[str], tmp_path: Path, hello: Path, suffix: str
) -> None:
    out = tmp_path / f"proof{suffix}"
    assert main(["riscv", "prove", str(hello), "--step", "57", "--out", str(out)]) == 0
    capsys.readouterr()
    code, report = run_json(capsys, ["riscv", "verify", str(out), "--image", str(hello), "--json", "-"])
    assert code == 0 and report["valid"] is True
    qstar = report["qstar"]
    code, report = run_json(capsys, ["riscv", "verify", str(out), "--qstar", str(qstar), "--json", "-"])
    assert code == 0 and report["valid"] is True and report["qstar_from"] == "--qstar"
    code, report = run_json(capsys, ["riscv", "verify", str(out), "--qstar", "ab" * 32, "--json", "-"])
    assert code == 1 and report["valid"] is False and report["rejection"].startswith("QStarMismatch")


def test_verify_says_what_it_checked(capsys: pytest.CaptureFixture[str], tmp_path: Path, hello: Path) -> None:
    """Pre- and post-root, the Q* and where it came from, the clock and parameters of the shadow leaves."""
    from emulator.image import template_from_image

    out = tmp_path / "proof.bin"
    assert main(["riscv", "prove", str(hello), "--step", "57", "--out", str(out)]) == 0
    capsys.readouterr()
    code, report = run_json(capsys, ["riscv", "verify", str(out), "--image", str(hello), "--json", "-"])
    template = template_from_image(hello)
    expected_fields = {"clock": 57, "status": "running", "log2_window": template.params.log2_window}
    assert code == 0 and {key: report[key] for key in expected_fields} == expected_fields
    assert report["qstar"] == template.qstar_root().hex() and report["qstar_from"] == f"image {hello}"
    assert report["text_start"] < report["pc"] < report["text_end"]
    from emulator.proof import StepProof

    proven = {index for index, _ in StepProof.from_bytes(out.read_bytes()).leaves}
    # leaf 10 (rom_end, ram_size, s_size) is proven only for a load or a store
    assert (report["ram_size"] == "not in the proof") == (10 not in proven)
    if 10 in proven:
        assert report["ram_size"] == template.params.ram_size
    assert len(report["pre_root"]) == len(report["post_root"]) == 64 and "note" not in report
    argv = ["riscv", "verify", str(out), "--image", str(hello), "--log2-window", "20", "--json", "-"]
    code, report = run_json(capsys, argv)
    a = template.params.log2_window
    assert code == 1 and report["note"] == f"the proof's step runs with log2_window {a} (the command's 20)"


def test_verify_needs_an_image_or_a_qstar(
    capsys: pytest.CaptureFixture[str], tmp_path: Path, hello: Path
) -> None:
    out = tmp_path / "proof.bin"
    main(["riscv", "prove", str(hello), "--step", "3", "--out", str(out)])
    capsys.readouterr()
    assert main(["riscv", "verify", str(out)]) == 2
    assert "one of the arguments --image --qstar is required" in capsys.readouterr().err


def test_tampered_proof_is_rejected_with_exit_1(
    capsys: pytest.CaptureFixture[str], tmp_path: Path, hello: Path
) -> None:
    out = tmp_path / "proof.json"
    main(["riscv", "prove", str(hello), "--step", "3", "--out", str(out)])
    capsys.readouterr()
    obj = json.loads(out.read_text())
    obj["post_root"] = "00" * 32
    out.write_text(json.dumps(obj))
    assert main(["riscv", "verify", str(out), "--image", str(hello)]) == 1
    captured = capsys.readouterr()
    assert captured.err == "" and "valid: False" in captured.out and "PostRootMismatch" in captured.out


@pytest.mark.parametrize("content", [b"", b"{not json", b"\x7fELF garbage", b"SVMSP\x01\x00"])
def test_malformed_proof_files_exit_2(
    capsys: pytest.CaptureFixture[str], tmp_path: Path, content: bytes
) -> None:
    out = tmp_path / "proof"
    out.write_bytes(content)
    assert main(["riscv", "verify", str(out), "--qstar", "00" * 32]) == 2
    err = capsys.readouterr().err
    assert err.startswith("swapvm: error:") and "proof" in err and err.count("\n") == 1


def test_bad_image_exits_2(capsys: pytest.CaptureFixture[str], tmp_path: Path) -> None:
    bogus = tmp_path / "bogus.elf"
    bogus.write_bytes(b"not an elf")
    assert main(["riscv", "run", str(bogus)]) == 2
    assert main(["riscv", "run", str(tmp_path / "missing.elf")]) == 2
    assert capsys.readouterr().err.count("swapvm: error:") == 2


def test_save_and_resume_from_snapshot(
    capsys: pytest.CaptureFixture[str], tmp_path: Path, hello: Path
) -> None:
    argv = ["riscv", "run", str(hello), "--max-steps", "50", "--save-snapshot", str(tmp_path), "--json", "-"]
    code, first = run_json(capsys, argv)
    assert code == 0 and first["steps"] == 50
    snapshot = Path(str(first["snapshot"]))
    assert snapshot.name == f"{first['root']}.snap"
    resume = ["riscv", "run", str(hello), "--from-snapshot", str(snapshot), "--json", "-"]
    _, resumed = run_json(capsys, resume)
    _, straight = run_json(capsys, ["riscv", "run", str(hello), "--json", "-"])
    assert resumed["steps"] == straight["steps"] - 50
    assert resumed["root"] == straight["root"]


def test_snapshot_of_another_image_is_refused(
    capsys: pytest.CaptureFixture[str], tmp_path: Path, hello: Path
) -> None:
    main(["riscv", "run", str(hello), "--max-steps", "5", "--save-snapshot", str(tmp_path), "--json", "-"])
    snapshot = next(tmp_path.glob("*.snap"))
    capsys.readouterr()
    fault = str(build.example_image("fault"))
    assert main(["riscv", "run", fault, "--from-snapshot", str(snapshot)]) == 2
    assert "template" in capsys.readouterr().err


def test_run_with_step_control_stops_reports_and_proves(capsys: pytest.CaptureFixture[str], hello: Path,
                                                        tmp_path: Path) -> None:
    """--stop-at, --info-at, --snapshot-at and --proof-at in one run; the proof verifies against the image."""
    code, report = run_json(capsys, ["riscv", "run", str(hello), "--stop-at", "30", "--info-at", "%10",
                                     "--snapshot-at", "=12", "--proof-at", "=7", "--out-dir", str(tmp_path),
                                     "--json", "-"])
    assert code == 0 and (report["status"], report["steps"]) == ("running", 30)
    events = report["events"]
    assert [e["step"] for e in events if e["event"] == "info"] == [0, 10, 20, 30]
    assert all(e["function"] for e in events if e["event"] == "info")
    [proof] = [e for e in events if e["event"] == "proof"]
    assert main(["riscv", "verify", proof["path"], "--image", str(hello)]) == 0
    assert proof["post_root"] in capsys.readouterr().out
    [snapshot] = [e for e in events if e["event"] == "snapshot"]
    _, resumed = run_json(capsys, ["riscv", "run", str(hello), "--from-snapshot", snapshot["path"],
                                   "--stop-at", "18", "--json", "-"])
    assert resumed["root"] == report["root"]   # 12 + 18 steps = the 30 of the first run
