"""The guest's heap per cold read on S version 2: what the partial trie adds per account, slot and code.

A world of --accounts accounts (random addresses, so the state trie is as deep as a real one of that
size) holds three contracts, each looping over its calldata: BALANCE of the addresses given (accounts
read), SLOAD of the keys given from a contract holding --slots slots, EXTCODESIZE of the contracts
given (--codes of them, --code-bytes each). One transaction per block calls one of them with K items,
for K = 0 and K = --reads; AB runs it with A's witness as its only oracle (S' equal to A's), and the
figure is (heap high-water at K - at 0) / K, beside the trie nodes and code bytes A's witness holds per
item and the gas per item (EIP-2929's cold cost plus the loop), and the live-byte count per item
(A's, equal to the guest's) with its margin over the heap (count / heap: at least 1 if the rule's
weights cover what the guest holds). Spec §4.9, "S version 2's heap".
"""

from __future__ import annotations

import argparse
import tempfile
from pathlib import Path
from typing import TYPE_CHECKING

from bench.output import emit_json
from emulator.cliargs import positive
from emulator.errors import SwapvmError

if TYPE_CHECKING:
    from fastvm.state import EssentialState

# PUSH0; loop: JUMPDEST DUP1 CALLDATASIZE GT ISZERO PUSH1 end JUMPI DUP1 CALLDATALOAD <op> POP
# PUSH1 32 ADD PUSH1 loop JUMP; end: JUMPDEST STOP
LOOP = "5f5b80361115601357" "8035{op}50" "602001" "600156" "5b00"
OPS = {"accounts": "31", "slots": "54", "codes": "3b"}   # BALANCE, SLOAD, EXTCODESIZE
GAS = 30_000_000


def add_arguments(parser: argparse.ArgumentParser) -> None:
    """Options of `swapvm bench trie-heap`."""
    options = (
        ("--accounts", 10_000, "accounts in the world"),
        ("--slots", 10_000, "slots of the storage read"),
        ("--codes", 400, "contracts whose code is read"),
        ("--code-bytes", 1_000, "bytes of each such code"),
        ("--reads", 300, "items read by the measured block"),
    )
    for flag, default, what in options:
        parser.add_argument(flag, type=positive, default=default, help=f"{what} (default {default:,})")


def address(tag: bytes, i: int) -> bytes:
    """A deterministic address of no structure (a trie key like any other)."""
    from emulator.merkle import keccak

    return keccak(tag + i.to_bytes(8, "big"))[:20]


def world(args: argparse.Namespace) -> tuple[EssentialState, dict[str, list[bytes]], dict[str, bytes]]:
    """S0 on Shanghai with the accounts, the storage and the code contracts; the items each loop reads."""
    from fastvm.builder import address_of, genesis_header
    from fastvm.state import Account, EssentialState, Fork

    people = [Account(address(b"acct", i), balance=1 + i) for i in range(args.accounts)]
    code = bytes(range(1, 256)) * (args.code_bytes // 255 + 1)
    coded = [Account(address(b"code", i), code=code[: args.code_bytes - 3] + i.to_bytes(3, "big"))
             for i in range(args.codes)]   # distinct codes: each is read once
    storage = tuple((i * 7919 + 1, i + 1) for i in range(args.slots))
    loops = {name: address(b"loop", n) for n, name in enumerate(OPS)}
    contracts = [Account(loops[name], code=bytes.fromhex(LOOP.format(op=op)),
                         storage=storage if name == "slots" else ()) for name, op in OPS.items()]
    sender = Account(address_of(SENDER_KEY), balance=10**24)
    accounts = tuple(sorted([sender, *people, *coded, *contracts], key=lambda a: a.address))
    items = {   # each as the 32-byte word the loop reads
        "accounts": [bytes(12) + a.address for a in people],
        "slots": [key.to_bytes(32, "big") for key, _ in storage],
        "codes": [bytes(12) + a.address for a in coded],
    }
    state = EssentialState(1, Fork.SHANGHAI, genesis_header(Fork.SHANGHAI, accounts, gas_limit=2 * GAS),
                           accounts=accounts)
    return state, items, loops


SENDER_KEY = b"\x01" * 32


def measure(state: EssentialState, loop: bytes, items: list[bytes], work: Path) -> dict:
    """One block calling `loop` with `items` (32-byte words) as calldata: AB's heap and A's witness."""
    from emulator.oracle import DictOracle
    from fastvm.builder import Tx, build_chain
    from fastvm.codec_v2 import encode_v2
    from fastvm.export_v2 import ExporterV2, to_version_2
    from fastvm.preimages import PreimageStore
    from swapping.guest_image import guest_image
    from swapping.heap_probe import measure_heap

    chain = build_chain(state, [[Tx(SENDER_KEY, loop, gas=GAS, data=b"".join(items))]])
    store = PreimageStore(work / f"preimages{len(items)}.sqlite")
    before = to_version_2(chain, store)
    exporter = ExporterV2(store)
    after, info, witness = exporter.export(before)
    run = measure_heap(guest_image(), encode_v2(before), oracle=DictOracle(witness.preimages().values()))
    same = run.s_image == encode_v2(after) and run.live_total == exporter.machine.live_total
    if run.status != "yielded" or not same:
        raise SwapvmError(f"AB's run on {len(items)} items: {run.status} {run.cause}, or S' or the live "
                          f"count differs from A's")
    return {"heap_peak": run.heap_peak, "live": run.live_total, "gas": info.gas_used if info else 0,
            "nodes": len(witness.state),
            "node_bytes": sum(map(len, witness.state)), "code_bytes": sum(map(len, witness.codes))}


def collect(args: argparse.Namespace) -> dict:
    """Per kind of read: the measured block at 0 and at --reads items, and the differences per item."""
    state, items, loops = world(args)
    report = {"command": f"swapvm bench trie-heap --accounts {args.accounts} --slots {args.slots} --codes "
                         f"{args.codes} --code-bytes {args.code_bytes} --reads {args.reads}", "reads": {}}
    reads = min(args.reads, args.codes)
    with tempfile.TemporaryDirectory(prefix="trie_heap_") as work:
        for name in OPS:
            k = reads if name == "codes" else args.reads
            step = max(1, len(items[name]) // k)
            zero = measure(state, loops[name], [], Path(work))
            many = measure(state, loops[name], items[name][::step][:k], Path(work))
            report["reads"][name] = {
                "items": k,
                **{f"{key}_per_item": (many[key] - zero[key]) / k for key in many},
            }
    return report


def run(args: argparse.Namespace) -> int:
    """Run the benchmark; print a table (or JSON) and optionally write the JSON."""
    report = collect(args)
    if emit_json(report, args):
        return 0
    print(f"{'read':<10} {'items':>6} {'heap B/item':>12} {'gas/item':>9} {'B/gas':>6} {'nodes/item':>11}"
          f" {'node B/item':>12} {'code B/item':>12} {'count B/item':>13} {'margin':>7}")
    for name, r in report["reads"].items():
        print(f"{name:<10} {r['items']:>6} {r['heap_peak_per_item']:>12,.0f} {r['gas_per_item']:>9,.0f}"
              f" {r['heap_peak_per_item'] / r['gas_per_item']:>6.2f} {r['nodes_per_item']:>11.2f}"
              f" {r['node_bytes_per_item']:>12,.0f} {r['code_bytes_per_item']:>12,.0f}"
              f" {r['live_per_item']:>13,.0f} {r['live_per_item'] / r['heap_peak_per_item']:>7.2f}")
    return 0
