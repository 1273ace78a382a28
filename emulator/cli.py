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
    int_range,
    json_to_stdout,
    log2_window,
    non_negative,
    output_dir,
    output_file,
    positive,
)
from emulator.errors import SwapvmError
from emulator.layout import (
    DEFAULT_LOG2_WINDOW,
    DEFAULT_RAM_SIZE,
    DEFAULT_S_SIZE,
    FD_HINT,
    LEAF_BYTES,
    SHADOW_PC,
    SHADOW_ROM_END,
    SHADOW_TVAL,
    STATUS_NAMES,
)

if TYPE_CHECKING:
    from emulator.state import MachineState
    from emulator.template import Template

BACKEND_CHOICES = ("reference", "fast", "unicorn", "lockstep")
HEX_FIELDS = ("pc", "tval", "text_start", "text_end", "rom_end")


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
    add_step_control_arguments(run)
    _preimage_argument(run)
    run.add_argument("--keep-hints", action="store_true",
                     help="add the preimages the guest hints (ECALL 64 on fd 3) to --preimages DIR, each "
                          "under its own keccak256 (a later window can then read them)")
    run.set_defaults(func=cmd_run)

    gdb = commands.add_parser("gdb", help="serve a GDB remote stub for gdb-multiarch (target remote :PORT)")
    _image_arguments(gdb)
    gdb.add_argument("--port", type=int_range(0, 65535), required=True,
                     help="TCP port on 127.0.0.1 (0: any free one, printed)")
    gdb.add_argument("--backend", choices=BACKEND_CHOICES[:3], default="reference", help="engine")
    _preimage_argument(gdb, "a key it lacks stops the machine at its ECALL, with the key in GDB's console")
    gdb.set_defaults(func=cmd_gdb)

    prove = commands.add_parser("prove", help="a one-step proof of step N (0-based: state N -> N+1)")
    _image_arguments(prove)
    prove.add_argument("--step", type=non_negative, required=True, help="the step to prove")
    prove.add_argument("--out", type=output_file, required=True,
                       help="proof file (.json, or binary otherwise; an existing file is overwritten)")
    _preimage_argument(prove)
    prove.set_defaults(func=cmd_prove)

    verify = commands.add_parser("verify", help="check a step proof against an image's Q* or a given Q* root")
    verify.add_argument("proof", type=input_file, help="proof file (JSON or binary)")
    against = verify.add_mutually_exclusive_group(required=True)
    against.add_argument("--image", type=input_file,
                         help="hold the proof against the Q* of this image (with the parameters below)")
    against.add_argument("--qstar", type=root_hex, metavar="ROOT", help="hold the proof against this Q* root")
    _param_arguments(verify)
    add_json_option(verify, "the result")
    _preimage_argument(verify, "preimages the proof does not carry are taken from DIR")
    verify.set_defaults(func=cmd_verify)


def _preimage_argument(parser: argparse.ArgumentParser, extra: str = "") -> None:
    """--preimages DIR: the preimage oracle of ECALL 1001 (one file per key, named by its hex)."""
    detail = f"; {extra}" if extra else ""
    parser.add_argument("--preimages", type=preimage_dir, metavar="DIR", default=None,
                        help=f"preimage oracle: one file per preimage, named by its keccak256 in hex, or a "
                             f"store folder holding preimages.sqlite (an S version 2's){detail}")


def preimage_dir(text: str) -> Any:
    """An argparse type: the oracle of an existing directory (its preimages.sqlite, else its files)."""
    from emulator.oracle import DirectoryOracle, StoreOracle

    try:
        if (Path(text) / StoreOracle.FILE).is_file():
            return StoreOracle(Path(text))
        return DirectoryOracle(Path(text))
    except SwapvmError as exc:
        raise argparse.ArgumentTypeError(str(exc)) from None


def root_hex(text: str) -> bytes:
    """An argparse type: a 32-byte root as 64 hex digits (0x optional)."""
    digits = text[2:] if text.lower().startswith("0x") else text
    try:
        root = bytes.fromhex(digits)
    except ValueError:
        root = b""
    if len(root) != 32:
        raise argparse.ArgumentTypeError(f"{text!r} is not a 32-byte root (64 hex digits)")
    return root


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
        hexadecimal = key in HEX_FIELDS and isinstance(value, int)
        print(f"{key:>11}: {value:#x}" if hexadecimal else f"{key:>11}: {value}")


def cmd_run(args: argparse.Namespace) -> int:
    """Run an image; report status, cause, exit code, steps and root (or the first lockstep divergence)."""
    from emulator.machine import describe, lockstep, make_machine
    from emulator.oracle import Hints

    template = load_template(args.image, args)
    state = _start_state(template, args)
    if args.backend == "lockstep":
        backends = args.pair
        result = lockstep(template, state, backends, args.max_steps, args.every, args.preimages)
        report: dict[str, Any] = {"backends": ",".join(backends), "steps": result.steps}
        report.update(describe(result.state))
        if result.divergence is not None:
            report["divergence"] = result.divergence
            _print(report, args)
            return 1
        _print(report, args)
        return 0

    if args.keep_hints and args.preimages is None:
        raise SwapvmError("--keep-hints needs --preimages DIR: the store the hints are kept in")
    hints = Hints()
    quiet = json_to_stdout(args)

    def show(fd: int, data: bytes) -> None:
        """Guest debug output goes to stderr (unless --json -); hints (fd 3) are kept, never shown."""
        if fd == FD_HINT:
            hints.output(fd, data)
        elif not quiet:
            sys.stderr.write(data.decode("utf-8", "replace"))

    machine = make_machine(args.backend, template, state, show, args.preimages)
    control = step_control(args)
    if control is None:
        steps = machine.run_until_halt(args.max_steps)
    else:
        from emulator.stepcontrol import run_controlled
        from emulator.symbols import Symbols

        say = (lambda line: print(line, file=sys.stderr)) if json_to_stdout(args) else print
        symbols = Symbols.from_elf(args.image.read_bytes())
        steps = run_controlled(machine, control, args.max_steps, symbols, say)
    fields = describe(machine.state())
    report = {"status": fields["status"], "cause": fields["cause"], "exit_code": fields["a0"],
              "steps": steps, "pc": fields["pc"], "tval": fields["tval"], "root": fields["root"]}
    if control is not None and args.json:   # a terminal saw them as they happened
        report["events"] = control.events
    report["hints"] = len(hints.payloads)
    if args.keep_hints:
        hints.keep(args.preimages.add)
    if args.save_snapshot is not None:
        from emulator.snapshot import save_snapshot

        report["snapshot"] = str(save_snapshot(args.save_snapshot, machine.state(), template))
    _print(report, args)
    return 1 if report["status"] == "faulted" else 0


def add_step_control_arguments(parser: argparse.ArgumentParser) -> None:
    """--stop-at, --snapshot-at, --info-at, --proof-at and --out-dir (spec §2.11)."""
    parser.add_argument("--stop-at", type=non_negative, metavar="N", help="stop after N steps")
    parser.add_argument("--snapshot-at", type=schedule("--snapshot-at"), metavar="=N|%%K",
                        help="save a snapshot at step N, or every K steps (into --out-dir)")
    parser.add_argument("--info-at", type=schedule("--info-at"), metavar="=N|%%K",
                        help="print step, pc, the guest function and steps/s at step N or every K steps")
    parser.add_argument("--proof-at", type=schedule("--proof-at"), metavar="=N|%%K",
                        help="write the proof of step N (state N -> N+1) as --out-dir/proof-N.json")
    parser.add_argument("--out-dir", type=output_dir, default=Path("."), metavar="DIR",
                        help="where --snapshot-at and --proof-at write (default: the current folder)")


def schedule(flag: str) -> Any:
    """An argparse type for `=N` or `%K` that names its flag in the error."""
    from emulator.stepcontrol import Schedule

    def parse(text: str) -> Schedule:
        try:
            return Schedule.parse(text, flag)
        except SwapvmError as exc:
            raise argparse.ArgumentTypeError(str(exc)) from None

    return parse


def step_control(args: argparse.Namespace) -> Any:
    """The StepControl of run's flags, or None when none is given (the plain, fastest run)."""
    from emulator.stepcontrol import StepControl

    if args.stop_at is None and not (args.snapshot_at or args.info_at or args.proof_at):
        return None
    return StepControl(stop_at=args.stop_at, snapshot=args.snapshot_at, info=args.info_at,
                       proof=args.proof_at, out_dir=args.out_dir)


def cmd_gdb(args: argparse.Namespace) -> int:
    """Serve one GDB session on 127.0.0.1:PORT over the chosen engine until GDB detaches or kills."""
    from emulator.gdbstub import serve

    template = load_template(args.image, args)
    state = template.initial_state(_s_bytes(args))

    def ready(port: int) -> None:
        print(f"waiting for GDB on 127.0.0.1:{port} (gdb-multiarch {args.image} -ex 'target remote :{port}')",
              flush=True)

    try:
        steps = serve(template, state, args.backend, args.port, ready, args.preimages)
    except OSError as exc:
        raise SwapvmError(f"cannot serve on port {args.port}: {exc.strerror or exc}") from None
    print(f"GDB session ended after {steps:,} steps")
    return 0


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
    FastMachine(template, state, oracle=args.preimages).run(args.step)
    proof = prove_step(template, state, args.preimages)
    if args.out.suffix == ".json":
        args.out.write_text(json.dumps(proof.to_json(), indent=1) + "\n")
    else:
        args.out.write_bytes(proof.to_bytes())
    print(f"step {args.step}: {proof.pre_root.hex()} -> {proof.post_root.hex()} "
          f"({len(proof.leaves)} leaves, {len(proof.siblings)} siblings, {len(proof.preimages)} preimages, "
          f"{len(proof.to_bytes())} bytes) "
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
    """Check a proof by replay: exit 0 with what it checked, 1 when the proof is rejected, 2 on bad input."""
    from emulator.proof import MalformedProofError, ProofError, verify

    proof = read_proof(args.proof)
    if args.image is not None:
        template = load_template(args.image, args)
        qstar, source = template.qstar_root(), f"image {args.image}"
    else:
        qstar, source = args.qstar, "--qstar"
    report: dict[str, Any] = {"valid": False, "pre_root": proof.pre_root.hex(),
                              "post_root": proof.post_root.hex(), "qstar": qstar.hex(), "qstar_from": source,
                              **shadow_fields(proof)}
    if args.image is not None:
        differing = [f"{name} {report[name]} (the command's {getattr(args, name)})"
                     for name in ("log2_window", "ram_size", "s_size")
                     if isinstance(report[name], int) and report[name] != getattr(args, name)]
        if differing:   # the image's Q* depends on them: name the likely cause of a Q* mismatch
            report["note"] = "the proof's step runs with " + ", ".join(differing)
    try:
        verify(proof, qstar, args.preimages)
    except MalformedProofError:
        raise
    except ProofError as exc:
        report.update(valid=False, rejection=f"{type(exc).__name__}: {exc}")
        _print(report, args)
        return 1
    report["valid"] = True
    _print(report, args)
    return 0



# The machine fields a proof's shadow-page leaves carry (spec §2.2): leaf -> the u64 fields, in order.
SHADOW_LEAF_FIELDS = {
    SHADOW_PC // LEAF_BYTES: ("pc", "clock", "status", None),
    SHADOW_TVAL // LEAF_BYTES: (None, "log2_window", "text_start", "text_end"),
    SHADOW_ROM_END // LEAF_BYTES: ("rom_end", "ram_size", "s_size", None),
}


def shadow_fields(proof: Any) -> dict[str, int | str]:
    """The step's clock and the machine parameters, read from the pre-values of the shadow leaves.

    They are bound to the pre-root like every proven leaf; a field whose leaf the step does not touch
    (ram_size, s_size and rom_end are read by loads and stores only) is "not in the proof"."""
    values = dict(proof.leaves)
    fields: dict[str, int | str] = {}
    for leaf, names in SHADOW_LEAF_FIELDS.items():
        for slot, name in enumerate(names):
            if name is None:
                continue
            if leaf in values:
                fields[name] = int.from_bytes(values[leaf][8 * slot: 8 * slot + 8], "little")
            else:
                fields[name] = "not in the proof"
    status = fields.get("status")
    if isinstance(status, int):
        fields["status"] = STATUS_NAMES.get(status, f"unknown({status})")
    return fields
