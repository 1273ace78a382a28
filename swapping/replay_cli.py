"""`swapvm replay SOURCE`: A over every block, every transition double-checked on AB, one report."""

from __future__ import annotations

import argparse
import sys
from pathlib import Path

from emulator.cliargs import (
    STDOUT,
    add_json_option,
    existing_path,
    input_file,
    jobs,
    log2_window,
    output_dir,
    plot_file,
    scheduler_address,
)
from emulator.errors import SwapvmError
from fastvm.cli import add_range_options, check_range
from fastvm.sfiles import DEFAULT_S_VERSION, S_VERSIONS

DEFAULT_STORE = ".swapvm-store"
ENGINES = ("unicorn", "fast", "reference")


def add_chain_options(parser: argparse.ArgumentParser) -> None:
    """The options replay and dispute share: --test, --log2-window, --store, --backend."""
    parser.add_argument("--test", help="only this test of a fixture file")
    parser.add_argument("--log2-window", type=log2_window,
                        help="a: the window is 2^a steps (default: measured)")
    parser.add_argument("--store", type=output_dir, default=DEFAULT_STORE,
                        help="snapshot store folder (resumable; created if missing)")
    parser.add_argument("--backend", default="unicorn", choices=ENGINES, help="AB engine (default unicorn)")
    parser.add_argument("--s-version", type=int, choices=S_VERSIONS, default=DEFAULT_S_VERSION,
                        help=f"S format of the chains built from SOURCE (default {DEFAULT_S_VERSION}; "
                             "2: the world and inbox in STORE/preimages.sqlite, spec §6); an S file keeps "
                             "its own")


def register(subparsers: argparse._SubParsersAction) -> None:
    """Add `swapvm replay`."""
    parser = subparsers.add_parser("replay", help="run A over a chain and double-check every block on AB")
    parser.add_argument("source", type=existing_path,
                        help="a BlockchainTests file or directory, or an encoded S0 file")
    add_chain_options(parser)
    where = parser.add_mutually_exclusive_group()
    where.add_argument("--workers", type=jobs, help="local worker processes, 1..256 (default: one per core)")
    where.add_argument("--scheduler", type=scheduler_address,
                       help="address of an existing Dask scheduler, e.g. tcp://HOST:8786")
    parser.add_argument("--blocks", type=input_file, metavar="CHAIN.rlp",
                        help="with a genesis.json SOURCE: its blocks, as `geth export` writes them")
    add_range_options(parser)
    add_json_option(parser)
    parser.add_argument("--plot", metavar="FILE.png", type=plot_file,
                        help="plot A vs AB time and steps per block (.png, .pdf or .svg)")
    parser.add_argument("--quiet", action="store_true",
                        help="no table, and a progress line at most every 10 s instead of progress bars")
    parser.set_defaults(func=run)


def run(args: argparse.Namespace) -> int:
    """Replay, print and write the report; exit 1 if any block did not match."""
    from fastvm.sfiles import open_preimages
    from fastvm.sroot import RootCache
    from swapping.expectations import judge_chains
    from swapping.guest_forks import require_guest_forks
    from swapping.guest_image import guest_image
    from swapping.replay import replay
    from swapping.report import print_table, progress_bars, progress_lines, write_json, write_plot
    from swapping.source import ChainFile, load_sources
    from swapping.store import Store

    check_range(args)
    if args.blocks is None and (args.first is not None or args.last is not None):
        raise SwapvmError("--from and --to need --blocks CHAIN.rlp")
    chain_file = ChainFile(args.blocks, args.first, args.last) if args.blocks else None
    image = guest_image()
    store = Store(Path(args.store), RootCache().root)
    preimages = open_preimages(Path(args.store))
    chains, expectations = load_sources(args.source, args.test, image.s_size, chain_file, args.s_version,
                                        preimages)
    require_guest_forks(chains)
    show = not args.quiet and args.json != STDOUT
    bars = not args.quiet and sys.stderr.isatty()   # otherwise a progress line at most every 10 s
    with progress_bars(bars) as progress:
        report = replay(
            chains, store, image,
            log2_window=args.log2_window, workers=args.workers, scheduler=args.scheduler,
            progress=progress if bars else progress_lines(), backend=args.backend, preimages=preimages,
        )
    judge_chains(report, chains, expectations, store)
    if show:
        print_table(report)
    if args.json:
        write_json(report, args.json)
    if args.plot:
        write_plot(report, args.plot)
    return 0 if report.ok else 1
