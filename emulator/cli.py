"""`swapvm riscv run|prove|verify`: run an image on machine AB, prove one step, check a step proof.

Imports stay cheap: engines, images and proofs are imported inside the handlers.
"""

from __future__ import annotations

import argparse
import json
import sys
from pathlib import Path
from typing import TYPE_CHECKING, Any

from emulator.cliargs import (
    add_json_option,
    emit_json,
    input_file,
    json_to_stdout,
    log2_window,
    non_negative,
    output_dir,
    output_file,
    positive,
)
from emulator.errors import SwapvmError
from emulator.layout import DEFAULT_LOG2_WINDOW, DEFAULT_RAM_SIZE, DEFAULT_S_SIZE

if TYPE_CHECKING:
    from emulator.state import MachineState
    from emulator.template import Template

BACKEND_CHOICES = ("reference", "fast", "unicorn", "lockstep")


def register(subparsers: argparse._SubParsersAction[argparse.ArgumentParser]) -> None:
    """Add the `riscv` command group."""
    riscv = subparsers.add_parser("riscv", help="run, prove and verify RV64IM images on machine AB")
    commands = riscv.add_subparsers(dest="riscv_command", required=True)

    run = commands.add_parser("run", help="run an image until yield, fault or --max-steps")
    _image_arguments(run)
    run.add_argument("--backend", choices=BACKEND_CHOICES, default="fast",
                     help="engine (lockstep: --pair engines compared every --every steps)")
    run.add_argument("--max-steps", type=positive, default=100_000_000, help="step budget")
    run.add_argument("--every", type=positive, default=1, help="lockstep: compare roots every K steps")
    run.add_argument("--pair", type=engine_pair, default=("reference", "unicorn"),
                     help="lockstep: two engines, e.g. fast,unicorn")
    add_json_option(run, "the result")
    run.add_argument("--from-snapshot", type=input_file, help="start from this snapshot instead of Q* + S")
    run.add_argument("--save-snapshot", type=output_dir, metavar="DIR",
                     help="save the end as DIR/<root>.snap")
    run.set_defaults(func=cmd_run)

    prove = commands.add_parser("prove", help="a one-step proof of step N (0-based: state N -> N+1)")
    _image_arguments(prove)
    prove.add_argument("--step", type=non_negative, required=True, help="the step to prove")
    prove.add_argument("--out", type=output_file, required=True,
                       help="proof file (.json, or binary otherwise; an existing file is overwritten)")
    prove.set_defaults(func=cmd_prove)

    verify = commands.add_parser("verify", help="check a step proof with the replay access alone")
    verify.add_argument("proof", type=input_file, help="proof file (JSON or binary)")
    verify.add_argument("--image", type=input_file,
                        help="take Q* from this image (otherwise the proof's own Q*)")
    _param_arguments(verify)
    add_json_option(verify, "the result")
    verify.set_defaults(func=cmd_verify)


def engine_pair(text: str) -> tuple[str, str]:
    """An argparse type: two engines for lockstep, e.g. `fast,unicorn`."""
    names = tuple(name.strip() for name in text.split(","))
    engines = BACKEND_CHOICES[:3]
    if len(names) != 2 or any(name not in engines for name in names):
        raise argparse.ArgumentTypeError(f"{text!r}: expected two of {', '.join(engines)}, comma-separated")
    return names[0], names[1]


def _param_arguments(parser: argparse.ArgumentParser) -> None:
    """The machine parameters."""
    parser.add_argument("--log2-window", type=log2_window, default=DEFAULT_LOG2_WINDOW, help="window: 2^A")
    parser.add_argument("--ram-size", type=non_negative, default=DEFAULT_RAM_SIZE, help="RAM bytes")
    parser.add_argument("--s-size", type=non_negative, default=DEFAULT_S_SIZE, help="accessible S bytes")


def _image_arguments(parser: argparse.ArgumentParser) -> None:
    """The image, its parameters and an optional S."""
    parser.add_argument("image", type=input_file, help="RV64IM ELF image")
    parser.add_argument("--s-file", type=input_file, help="bytes to place at the start of the S window")
    _param_arguments(parser)


def load_template(path: Path, args: argparse.Namespace) -> Template:
    """The machine template of an ELF image with the command's parameters."""
    from emulator.image import template_from_image
    from emulator.template import MachineParams

    return template_from_image(path, MachineParams(args.log2_window, args.ram_size, args.s_size))


def _s_bytes(args: argparse.Namespace) -> bytes:
    """The S bytes of --s-file, or none."""
    if args.s_file is None:
        return b""
    try:
        return Path(args.s_file).read_bytes()
    except OSError as exc:
        raise SwapvmError(f"cannot read {args.s_file}: {exc.strerror}") from None


def _print(report: dict[str, Any], args: argparse.Namespace) -> None:
    """Aligned key: value lines (unless --json -), and the JSON object where --json says."""
    emit_json(report, args.json, indent=None)
    if json_to_stdout(args):
        return
    for key, value in report.items():
        print(f"{key:>10}: {value:#x}" if key in ("pc", "tval") else f"{key:>10}: {value}")


def cmd_run(args: argparse.Namespace) -> int:
    """Run an image; report status, cause, exit code, steps and root (or the first lockstep divergence)."""
    from emulator.machine import describe, lockstep, make_machine

    template = load_template(args.image, args)
    state = _start_state(template, args)
    if args.backend == "lockstep":
        backends = args.pair
        result = lockstep(template, state, backends, args.max_steps, args.every)
        report: dict[str, Any] = {"backends": ",".join(backends), "steps": result.steps}
        report.update(describe(result.state))
        if result.divergence is not None:
            report["divergence"] = result.divergence
            _print(report, args)
            return 1
        _print(report, args)
        return 0

    def show(fd: int, data: bytes) -> None:
        """Guest debug output goes to stderr."""
        sys.stderr.write(data.decode("utf-8", "replace"))

    machine = make_machine(args.backend, template, state, None if json_to_stdout(args) else show)
    steps = machine.run_until_halt(args.max_steps)
    fields = describe(machine.state())
    report = {"status": fields["status"], "cause": fields["cause"], "exit_code": fields["a0"],
              "steps": steps, "pc": fields["pc"], "tval": fields["tval"], "root": fields["root"]}
    if args.save_snapshot is not None:
        from emulator.snapshot import save_snapshot

        report["snapshot"] = str(save_snapshot(args.save_snapshot, machine.state(), template))
    _print(report, args)
    return 1 if report["status"] == "faulted" else 0


def _start_state(template: Template, args: argparse.Namespace) -> MachineState:
    """Q* + S (from --s-file), or the state of --from-snapshot (which must belong to this template)."""
    if args.from_snapshot is None:
        return template.initial_state(_s_bytes(args))
    if args.s_file is not None:
        raise SwapvmError("--from-snapshot and --s-file exclude each other")
    from emulator.snapshot import load_snapshot

    return load_snapshot(args.from_snapshot, template)


def cmd_prove(args: argparse.Namespace) -> int:
    """Run to step N with the fast engine, then record step N's proof."""
    from emulator.fast import FastMachine
    from emulator.proof import prove_step

    template = load_template(args.image, args)
    state = template.initial_state(_s_bytes(args))
    FastMachine(template, state).run(args.step)
    proof = prove_step(template, state)
    if args.out.suffix == ".json":
        args.out.write_text(json.dumps(proof.to_json(), indent=1) + "\n")
    else:
        args.out.write_bytes(proof.to_bytes())
    print(f"step {args.step}: {proof.pre_root.hex()} -> {proof.post_root.hex()} "
          f"({len(proof.leaves)} leaves, {len(proof.siblings)} siblings, {len(proof.to_bytes())} bytes) "
          f"written to {args.out}")
    return 0


def read_proof(path: Path) -> Any:
    """A step proof from a JSON or binary file."""
    from emulator.proof import MalformedProofError, StepProof

    try:
        blob = path.read_bytes()
    except OSError as exc:
        raise SwapvmError(f"cannot read {path}: {exc.strerror}") from None
    if blob.lstrip().startswith(b"{"):
        try:
            return StepProof.from_json(json.loads(blob))
        except (json.JSONDecodeError, UnicodeDecodeError) as exc:
            raise MalformedProofError(f"{path}: not valid JSON ({exc})") from None
    return StepProof.from_bytes(blob)


def cmd_verify(args: argparse.Namespace) -> int:
    """Check a proof by replay: exit 0 with the post-root, 1 when the proof is rejected, 2 on bad input."""
    from emulator.proof import MalformedProofError, ProofError, verify

    proof = read_proof(args.proof)
    if args.image is not None:
        template_info: Any = load_template(args.image, args)
        source = f"image {args.image}"
    elif proof.qstar_root is not None:
        template_info, source = proof.qstar_root, "the proof's own Q* (not checked against an image)"
    else:
        raise SwapvmError("the proof carries no Q* root: pass --image")
    report: dict[str, Any] = {"pre_root": proof.pre_root.hex(), "qstar_from": source}
    try:
        post = verify(proof, template_info)
    except MalformedProofError:
        raise
    except ProofError as exc:
        report.update(valid=False, rejection=f"{type(exc).__name__}: {exc}")
        _print(report, args)
        return 1
    report.update(valid=True, post_root=post.hex())
    _print(report, args)
    return 0
