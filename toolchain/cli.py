"""`swapvm build-guest`: build the bundled guest images and check them against toolchain/images.lock."""

from __future__ import annotations

import argparse
from pathlib import Path

from emulator.cliargs import output_dir


def register(subparsers: argparse._SubParsersAction) -> None:
    """Add `swapvm build-guest [NAME ...] [--out DIR] [--check] [--lock]`."""
    parser = subparsers.add_parser("build-guest", help="build guest images with the pinned zig toolchain")
    parser.add_argument("names", nargs="*", help="images to build (default: all locked examples)")
    parser.add_argument("--out", type=output_dir, default="build/images",
                        help="output directory (default build/images)")
    parser.add_argument("--check", action="store_true", help="exit 1 unless the bytes match images.lock")
    parser.add_argument("--lock", action="store_true", help="record the built hashes in images.lock")
    parser.set_defaults(func=run)


def run(args: argparse.Namespace) -> int:
    """Build, print one line per image (name, sha256, path), then check (exit 1 on a difference) or lock."""
    from toolchain.build import build_all, bundled, check_against_lock, read_lock, sha256_file, write_lock

    specs = bundled()
    names = args.names or [n for n, s in specs.items() if s.locked]
    built = build_all(Path(args.out), names)
    hashes = {name: sha256_file(path) for name, path in built.items()}
    for name, path in built.items():
        print(f"{name:12} {hashes[name]}  {path}")
    if args.lock:
        locked = read_lock()
        locked.update({n: h for n, h in hashes.items() if specs[n].locked})
        write_lock(locked)
        print(f"recorded {len(hashes)} hashes in toolchain/images.lock")
    if args.check:
        differing = check_against_lock(built)
        if differing:
            print(f"images differ from toolchain/images.lock: {', '.join(differing)}")
            return 1
        print("all images match toolchain/images.lock")
    return 0
