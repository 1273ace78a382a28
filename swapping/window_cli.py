"""`swapvm window SOURCE --block K`: one AB window of a chain under step control, for debugging.

A runs the blocks before K (its S_K, the state the window starts from); AB then runs block K's window
on the guest image with the flags of `swapvm riscv run` (stop, info lines naming the guest function,
snapshots, proofs), and the report gives where the guest stopped and the S root it left.
"""

from __future__ import annotations

import argparse
import sys
from pathlib import Path
from typing import TYPE_CHECKING

from emulator.cli import add_step_control_arguments, step_control
from emulator.cliargs import (
    add_json_option,
    emit_json,
    existing_path,
    json_to_stdout,
    log2_window,
    non_negative,
    output_dir,
)
from emulator.errors import SwapvmError

if TYPE_CHECKING:
    from emulator.oracle import PreimageOracle

ENGINES = ("unicorn", "fast", "reference")
DEFAULT_LOG2_WINDOW = 34   # replay's measuring window (spec §5.1)


def register(subparsers: argparse._SubParsersAction) -> None:
    """Add `swapvm window`."""
    parser = subparsers.add_parser("window", help="one AB window of a chain's block K under step control")
    parser.add_argument("source", type=existing_path, help="a BlockchainTests file, TOML description or S0")
    parser.add_argument("--block", type=non_negative, required=True, metavar="K",
                        help="the window index of the block (its position in the inbox, from 0)")
    parser.add_argument("--test", help="the test of a fixture file holding several")
    parser.add_argument("--log2-window", type=log2_window, default=DEFAULT_LOG2_WINDOW,
                        help=f"a: the window is 2^a steps (default {DEFAULT_LOG2_WINDOW})")
    parser.add_argument("--backend", default="unicorn", choices=ENGINES, help="AB engine (default unicorn)")
    add_version_arguments(parser)
    add_step_control_arguments(parser)
    add_json_option(parser, "the result")
    parser.set_defaults(func=run)


def add_version_arguments(parser: argparse.ArgumentParser) -> None:
    """--s-version and --store of a one-chain command: the S format and, for version 2, the preimage store."""
    from fastvm.sfiles import DEFAULT_S_VERSION, S_VERSIONS

    parser.add_argument("--s-version", type=int, choices=S_VERSIONS, default=DEFAULT_S_VERSION,
                        help=f"the S format of the chain built from SOURCE (default {DEFAULT_S_VERSION}; "
                             "an S file keeps its own)")
    parser.add_argument("--store", type=output_dir, metavar="DIR",
                        help="version 2: the folder of the preimage store (an S file's default: its folder; "
                             "else in memory)")


def state_before(source: str, test: str | None, block: int, s_size: int, s_version: int = 1,
                 store_dir: Path | None = None) -> tuple[bytes, PreimageOracle | None]:
    """encode(S_K), A applied to the blocks before window K of SOURCE's one chain, and the oracle block
    K's window reads: on S version 2 the block's witness (A records it), never the world."""
    from fastvm.codec import encode
    from fastvm.machine import Machine
    from fastvm.state_v2 import EssentialStateV2
    from swapping.source import chain_store, load_sources

    preimages = chain_store(source, s_version, store_dir)
    chains = load_sources(source, test, s_size, None, s_version, preimages)[0]
    if len(chains) != 1:
        names = ", ".join(name for name, _ in chains[:5])
        raise SwapvmError(f"{source} holds {len(chains)} chains ({names}, …): pick one with --test")
    _, state = chains[0]
    if block >= state.pending:
        last = state.pending - 1
        raise SwapvmError(f"--block {block} outside the chain's {state.pending} pending blocks (0..{last})")
    if isinstance(state, EssentialStateV2):
        from emulator.oracle import DictOracle
        from fastvm.codec_v2 import encode_v2
        from fastvm.export_v2 import ExporterV2

        assert preimages is not None
        exporter = ExporterV2(preimages)
        for _ in range(block):
            state, _info, _witness = exporter.export(state)
        _after, _info, witness = exporter.export(state)
        return encode_v2(state), DictOracle(witness.preimages().values())
    machine = Machine(s_size=s_size)
    for _ in range(block):
        state, _info = machine.step(state)  # type: ignore[arg-type]
    return encode(state), None


def exit_label(fields: dict) -> str:
    """The guest's exit code by name when it yielded (guest/include/evm.h), else ""."""
    from swapping.guest_forks import EXIT_NAMES

    return EXIT_NAMES.get(fields["a0"], "not a guest exit code") if fields["status"] == "yielded" else ""


def run(args: argparse.Namespace) -> int:
    """Run the window under step control; print where the guest stopped. Exit 1 on a fault."""
    from emulator.machine import describe, make_machine
    from emulator.stepcontrol import StepControl, run_controlled
    from emulator.symbols import Symbols
    from fastvm.sroot import RootCache
    from swapping.guest_image import guest_image
    from swapping.window import read_s_image

    image = guest_image()
    before, oracle = state_before(args.source, args.test, args.block, image.s_size, args.s_version,
                                  args.store)
    template = image.template(args.log2_window)
    machine = make_machine(args.backend, template, template.initial_state(before), oracle=oracle)
    control = step_control(args) or StepControl()
    say = (lambda line: print(line, file=sys.stderr)) if json_to_stdout(args) else print
    window = 1 << args.log2_window
    steps = run_controlled(machine, control, window - 1, Symbols.from_elf(image.elf), say)
    state = machine.state()
    fields = describe(state)
    after = read_s_image(state, image.s_size)
    report = {"block": args.block, "status": fields["status"], "cause": fields["cause"],
              "exit_code": fields["a0"], "exit": exit_label(fields), "steps": steps, "pc": fields["pc"],
              "function": Symbols.from_elf(image.elf).function_at(int(fields["pc"])),
              "s_root_before": RootCache().root(before).hex(),
              "s_image_root": RootCache().root(after).hex() if after else None,
              "events": control.events}
    emit_json(report, args.json)
    if not json_to_stdout(args):
        for key, value in report.items():
            if key != "events":
                print(f"{key:>14}: {value:#x}" if key == "pc" else f"{key:>14}: {value}")
    return 1 if report["status"] == "faulted" else 0
