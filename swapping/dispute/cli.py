"""`swapvm dispute SOURCE --lie block=K[,step=N][,kind=...]`: replay SOURCE, then honest party vs liar."""

from __future__ import annotations

import argparse
import json
from collections.abc import Callable
from typing import TYPE_CHECKING, Any

from emulator.cliargs import add_json_option, block_label, emit_json, existing_path, jobs, json_to_stdout
from emulator.errors import SwapvmError
from swapping.replay_cli import add_chain_options

if TYPE_CHECKING:
    from emulator.proof import StepProof


def register(subparsers: argparse._SubParsersAction) -> None:
    """Add `swapvm dispute`."""
    parser = subparsers.add_parser(
        "dispute", help="replay a chain, then bisect an honest party against a liar down to one AB step"
    )
    parser.add_argument("source", type=existing_path,
                        help="BlockchainTests file or directory, TOML description, or S0 file")
    parser.add_argument("--lie", required=True, metavar="block=K|number=N[,step=S][,kind=KIND][,round=R]",
                        help="the liar's lie, in the block of window index K or header number N; "
                             "kinds: s-root (default), clean, step (default with step=), "
                             "idle, fault-claim, fault-hide, equivocate")
    parser.add_argument("--liar", default="challenger", choices=("proposer", "challenger"),
                        help="which role lies (default challenger)")
    add_chain_options(parser)
    parser.add_argument("--workers", type=jobs, help="local worker processes for the replay, 1..256")
    parser.add_argument("--onchain", action="store_true",
                        help="the referee checks the final proofs with the deployed EVM step verifier")
    add_json_option(parser, "the transcript")
    parser.set_defaults(func=run)
    audit = subparsers.add_parser(
        "dispute-audit", help="re-judge a dispute transcript (JSON) with the referee alone"
    )
    audit.add_argument("transcript", help="a transcript written by `swapvm dispute --json` (- for stdin)")
    audit.set_defaults(func=run_audit)


def run_audit(args: argparse.Namespace) -> int:
    """Re-judge; exit 0 when the verdict equals the recorded one, 1 when it differs, 2 on a bad file."""
    import sys
    from pathlib import Path

    from swapping.dispute.audit import audit

    try:
        text = sys.stdin.read() if args.transcript == "-" else Path(args.transcript).read_text()
        data = json.loads(text)
    except OSError as exc:
        raise SwapvmError(f"cannot read {args.transcript}: {exc.strerror}") from None
    except json.JSONDecodeError as exc:
        raise SwapvmError(f"{args.transcript} is not JSON: {exc.msg} at line {exc.lineno}") from None
    verdict = audit(data).to_json()
    recorded = data.get("verdict") if isinstance(data, dict) else None
    same = recorded is not None and {k: recorded.get(k) for k in ("winner", "losers")} == {
        k: verdict[k] for k in ("winner", "losers")
    }
    print(f"audit: {verdict['winner'] or 'nobody'} wins; {verdict['reason']}")
    print("the recorded verdict " + ("agrees" if same else f"DIFFERS: {recorded}"))
    return 0 if same else 1


def run(args: argparse.Namespace) -> int:
    """Replay, play, print; exit 0 when the honest party wins, 1 otherwise."""
    from swapping.dispute.chain_source import replayed_chain
    from swapping.dispute.game import chain_game
    from swapping.dispute.lies import at_number, parse_lie

    lie = parse_lie(args.lie)  # before any work: a bad --lie is refused at once
    gas: list[int] = []
    verifier = onchain_verifier(gas) if args.onchain else None
    chain = replayed_chain(args.source, args.store, args.test, args.log2_window, args.workers, args.s_version)
    lie = at_number(lie, chain.numbers)
    result = chain_game(chain.template, chain.s_images, lie, args.liar, args.backend, verifier,
                        window_oracles=chain.oracles)
    data = result.transcript.to_json()
    if data.get("final") is not None:
        name_disputed_step(data["final"]["step"], chain.elf)
    if args.onchain:
        data["onchain_gas"] = gas
    data["chain"] = {"name": chain.name, "blocks": chain.blocks, "lie": lie.describe(),
                     "s_version": chain.report.s_version,
                     "replay_ok": chain.report.ok, "numbers": chain.numbers}
    data["honest_won"] = result.honest_won
    emit_json(data, args.json, indent=1)
    if not json_to_stdout(args):
        print_game(data)
    return 0 if result.honest_won else 1


def name_disputed_step(step: dict[str, Any], elf: bytes) -> None:
    """Add the guest function and source line of the disputed step's pc (for people, from the symbols
    and from a line-table build of the same guest, whose loaded bytes are checked to be the image's)."""
    from emulator.symbols import SourceLines, Symbols
    from swapping.guest_image import GuestImage, guest_line_tables

    step["function"] = Symbols.from_elf(elf).function_at(step["pc"])
    lines = guest_line_tables(GuestImage(elf, 0, 0)) if elf else b""
    step["source_line"] = SourceLines.from_elf(lines).line_at(step["pc"]) if lines else None


def onchain_verifier(gas: list[int]) -> Callable[[StepProof, bytes], bytes]:
    """A step verifier that calls the deployed EVM contract and notes the gas of every accepted proof."""
    try:
        from swapping.onchain import verify_on_chain
    except ImportError as exc:
        raise SwapvmError(f"--onchain: the on-chain verifier is not available ({exc})") from None

    def verify(proof: StepProof, qstar_root: bytes) -> bytes:
        """Post-root from the contract (a rejection is a ProofError, as the replay verifier's)."""
        post, used = verify_on_chain(proof, qstar_root)
        gas.append(used)
        return post

    return verify


def _header_number(numbers: list[int | None], block: int) -> int | None:
    """The header number of window `block`, None past the inbox (A's no-op windows) or when unknown."""
    return numbers[block] if block < len(numbers) else None


def _number(numbers: list[int | None], block: int) -> str:
    """The header number column of a table: "-" where there is none."""
    number = _header_number(numbers, block)
    return "-" if number is None else str(number)


def _short(root: str | None) -> str:
    """The first hex digits of a root."""
    return root[:12] if root else "-"


def print_game(data: dict[str, Any]) -> None:
    """The rounds, the disputed step and instruction, the proofs and the verdict, as tables."""
    from rich.table import Table

    from swapping.console import console as wide_console

    console = wide_console()
    a = data["log2_window"]
    chain = data["chain"]
    console.print(f"dispute on {chain['name']}: {chain['blocks']} blocks, a = {a}, "
                  f"{data['log2_steps']} rounds expected; lie {chain['lie']}")
    console.print(", ".join(f"{name}: {role}" for name, role in data["parties"].items()))
    if not chain["replay_ok"]:
        console.print("warning: the replay found blocks where AB differs from A; the party that claims "
                      "A's snapshots is not honest about AB there and can lose")
    table = Table(title="rounds")
    for column in ("round", "level", "block", "number", "step", "proposer", "challenger", "agree", "s"):
        numeric = column in ("round", "block", "number", "step", "s")
        table.add_column(column, justify="right" if numeric else "left", no_wrap=True)
    for r in data["rounds"]:
        mid = r["mid"]
        table.add_row(str(r["number"]), str(r["level"]), str(mid >> a), _number(chain["numbers"], mid >> a),
                      f"{mid & ((1 << a) - 1):,}",
                      _short(r["claims"].get("proposer")), _short(r["claims"].get("challenger")),
                      "yes" if r["agreed"] else "no", f"{r['seconds']:.3f}")
    console.print(table)
    final = data["final"]
    if final is not None:
        step = final["step"]
        word = f"{step['word']:08x}" if step["word"] is not None else "-"
        where = block_label(step["block"], _header_number(chain["numbers"], step["block"]))
        console.print(
            f"disputed step: {where} step {step['step']:,} (position {step['position']:,}): "
            f"pc {step['pc']:#x} ({step.get('function') or 'no symbol'}, "
            f"{step.get('source_line') or 'no line'}) [{word}] {step['instruction']}, status {step['status']}"
            + (", the clean" if step["cleans"] else "")
        )
        for name, proof in final["proofs"].items():
            size = f"{proof['bytes']} bytes, {proof['leaves']} leaves"
            console.print(f"  {name}'s proof ({size}): {proof['outcome']}")
    verdict = data["verdict"]
    console.print(f"verdict: {verdict['winner'] or 'nobody'} wins; {verdict['reason']}")
    if "onchain_gas" in data:
        figures = ", ".join(f"{g:,}" for g in data["onchain_gas"])
        console.print(f"on-chain verifier: gas {figures} (accepted proofs)")
    rounds, seconds = len(data["rounds"]), data["seconds"]
    console.print(f"{rounds} rounds in {seconds:.2f} s; honest party won: {data['honest_won']}")
