"""Instructions per get, put and delete of the guest's partial trie over the preimage oracle, by trie size.

For each size a secure trie (keys keccak256 of the index, account-sized values) is built in Python
(bench/mpt_probe.build_secure_trie); for each operation kind (get, update, insert, delete) a batch
of existing (or, for inserts, new) keys is run through py-trie over a recording database, whose
reads are the batch's witness. The native trie driver (guest/tests/mpt, plain -O2) gets only the
witness in its oracle table, opens the trie at its root, runs the batch and computes the root, under
valgrind's callgrind: x86 instructions counted inside the run, minus the host table's own answer to
the oracle reads (ECALLs on AB), minus an empty run, per operation. The guest's answers and root
must equal py-trie's. keccak-f permutations per operation (from callgrind's call counts) carry over
to AB, where one costs 6,239 instructions (docs/benchmarks.md, guest). With --ab the same batches
also run on machine AB (Unicorn) as an image of the driver whose preimage oracle holds the
witness: AB instructions per operation, net of a batch that only computes the unchanged root.
"""

from __future__ import annotations

import argparse
import random
import re
import shutil
import subprocess
import tempfile
from collections.abc import Sequence
from pathlib import Path
from typing import Any

import rlp
from eth_hash.auto import keccak

from bench.guest_probe import frame, parse_responses
from bench.mpt_probe import (
    OP_MPT_RUN,
    OP_ORACLE_PUT,
    STEP_DELETE,
    STEP_GET,
    STEP_PUT,
    STEP_ROOT,
    RecordingDB,
    Step,
    ab_batch,
    build_ab_image,
    build_driver,
    build_secure_trie,
    parse_run,
    preimages_arg,
    steps_arg,
)
from bench.output import emit_json, goal_verdict
from emulator.errors import SwapvmError

KINDS = ("get", "update", "insert", "delete")
PER_OP = ("keccakf", "oracle_reads", "oracle_bytes", "ecalls", "decoded", "hashed")
EMPTY_STORAGE = keccak(b"\x80")
EMPTY_CODE = keccak(b"")


def add_arguments(parser: argparse.ArgumentParser) -> None:
    """Options of `swapvm bench mpt`."""
    parser.add_argument("--keys", default="1000,100000", help="trie sizes (default 1000,100000)")
    parser.add_argument("--batch", type=int, default=100, help="operations per measured batch (default 100)")
    parser.add_argument("--ab", action="store_true", help="also run the batches on AB (ECALL 1001)")


def account(i: int) -> bytes:
    """An account-shaped value (nonce, balance, empty storage root and code hash): ~76 bytes."""
    return rlp.encode([1 + i % 7, 10**18 + i, EMPTY_STORAGE, EMPTY_CODE])


def batch_steps(kind: str, keys: Sequence[bytes], n: int, count: int, rng: random.Random) -> list[Step]:
    """`count` operations of one kind: on existing keys drawn at random, or (insert) on new keys."""
    if kind == "insert":
        return [(STEP_PUT, keccak((n + i).to_bytes(8, "big")), account(n + i)) for i in range(count)]
    chosen = rng.sample(range(n), count)
    if kind == "get":
        return [(STEP_GET, keys[i], b"") for i in chosen]
    if kind == "update":
        return [(STEP_PUT, keys[i], account(i + 1)) for i in chosen]
    return [(STEP_DELETE, keys[i], b"") for i in chosen]


def client_run(db: dict[bytes, bytes], root: bytes, steps: Sequence[Step]) -> tuple[list[object], set[bytes]]:
    """py-trie's answers for the steps (as the driver gives them) and the pre-state nodes it read."""
    from trie import HexaryTrie

    rec = RecordingDB(db)
    t = HexaryTrie(rec, root_hash=root)
    answers: list[object] = []
    for kind, key, value in steps:
        if kind == STEP_GET:
            answers.append(t.get(key) or None)
        elif kind == STEP_PUT:
            t.set(key, value)
        elif kind == STEP_DELETE:
            t.delete(key)
            answers.append(True)
        else:
            answers.append(t.root_hash)
    return answers, {k for k in rec.reads if k in db}


def callgrind(exe: Path, requests: bytes, work: Path) -> tuple[bytes, dict[str, int]]:
    """Run the driver under callgrind, counting inside op_mpt_run: its stdout, the instructions in
    it, in the host's rt_preimage_read, and the calls of keccakf1600."""
    out_file = work / "callgrind.out"
    done = subprocess.run(
        ["valgrind", "--tool=callgrind", f"--callgrind-out-file={out_file}", "--toggle-collect=op_mpt_run",
         str(exe)], input=requests, capture_output=True, check=False)
    if done.returncode != 0:
        raise SwapvmError(f"the trie driver failed under callgrind: {done.stderr.decode()[-400:]}")
    annotate = subprocess.run(["callgrind_annotate", "--inclusive=yes", "--threshold=100", str(out_file)],
                              capture_output=True, text=True, check=True).stdout
    figures = {"total": 0, "host": 0, "keccakf": 0}
    for line in annotate.splitlines():
        m = re.match(r"\s*([\d,]+) .*:(op_mpt_run|rt_preimage_read) ", line)
        if m:
            figures["total" if m.group(2) == "op_mpt_run" else "host"] = int(m.group(1).replace(",", ""))
    figures["keccakf"] = keccakf_calls(out_file.read_text())
    return done.stdout, figures


def keccakf_calls(profile: str) -> int:
    """Calls of keccakf1600 in a callgrind profile (names are compressed to ids after first use)."""
    names: dict[str, str] = {}
    calls, target = 0, ""
    for line in profile.splitlines():
        m = re.match(r"c?fn=\((\d+)\)(?: (.*))?", line)
        if m:
            if m.group(2):
                names[m.group(1)] = m.group(2)
            if line.startswith("cfn="):
                target = names.get(m.group(1), "")
            continue
        if line.startswith("calls=") and target == "keccakf1600":
            calls += int(line[6:].split()[0])
    return calls


def measure(exe: Path, db: dict[bytes, bytes], root: bytes, steps: list[Step], work: Path,
            elf: Path | None) -> dict[str, Any]:
    """One batch on the guest with only its witness in the oracle; the guest must answer as py-trie.
    With an AB image, the batch runs on AB too (its steps in `ab_steps`)."""
    steps = [*steps, (STEP_ROOT, b"", b"")]
    want, witness = client_run(db, root, steps)
    ab_steps = 0
    if elf is not None:
        responses, ab_steps = ab_batch(elf, [(OP_MPT_RUN, steps_arg(root, steps))], [db[k] for k in witness])
        if responses[0][0] != 0 or parse_run(responses[0][1], steps).answers != want:
            raise SwapvmError("the guest's trie on AB disagrees with py-trie")
    requests = frame(OP_ORACLE_PUT, preimages_arg([(k, db[k]) for k in sorted(witness)]))
    requests += frame(OP_MPT_RUN, steps_arg(root, steps))
    stdout, figures = callgrind(exe, requests, work)
    responses = parse_responses(stdout)
    if len(responses) != 2 or responses[1][0] != 0:
        raise SwapvmError("the trie driver refused the batch")
    got = parse_run(responses[1][1], steps)
    if got.answers != want:
        raise SwapvmError("the guest's trie disagrees with py-trie")
    return {"ab_steps": ab_steps, "witness_nodes": len(witness),
            "witness_bytes": sum(len(db[k]) for k in witness),
            "instructions": figures["total"] - figures["host"], "keccakf": figures["keccakf"],
            "oracle_reads": got.oracle_reads, "oracle_bytes": got.oracle_bytes, "ecalls": got.oracle_calls,
            "decoded": got.decoded, "hashed": got.hashed}


def run(args: argparse.Namespace) -> int:
    """Measure every size and kind; print the table, write the JSON."""
    if shutil.which("valgrind") is None or shutil.which("callgrind_annotate") is None:
        raise SwapvmError("swapvm bench mpt needs valgrind (callgrind) on PATH")
    try:
        sizes = [int(s) for s in args.keys.split(",")]
    except ValueError:
        raise SwapvmError(f"--keys: comma-separated integers expected, got {args.keys!r}") from None
    if any(n < 2 for n in sizes) or args.batch < 1 or any(args.batch > n for n in sizes):
        raise SwapvmError("--keys: sizes of at least 2 and at least --batch")
    rows = []
    with tempfile.TemporaryDirectory(prefix="swapvm-bench-mpt-") as tmp:
        work = Path(tmp)
        exe = build_driver(work, sanitize=False)
        elf = build_ab_image(work) if args.ab else None
        for n in sizes:
            keys = [keccak(i.to_bytes(8, "big")) for i in range(n)]
            root, db = build_secure_trie([(k, account(i)) for i, k in enumerate(keys)])
            empty = measure(exe, db, root, [], work, elf)
            for kind in KINDS:
                for count in sorted({1, args.batch}):
                    steps = batch_steps(kind, keys, n, count, random.Random(f"{n}-{kind}-{count}"))
                    m = measure(exe, db, root, steps, work, elf)
                    per = {f: m[f] / count for f in PER_OP}
                    ab = (m["ab_steps"] - empty["ab_steps"]) / count if elf else None
                    rows.append({"keys": n, "kind": kind, "batch": count,
                                 "instructions_per_op": (m["instructions"] - empty["instructions"]) / count,
                                 "ab_instructions_per_op": ab, **per,
                                 "witness_nodes": m["witness_nodes"], "witness_bytes": m["witness_bytes"]})
            del db
    report = {"benchmark": "mpt", "unit": "x86-64 instructions (callgrind), guest code only; AB instructions",
              "rows": rows}
    if not emit_json(report, args):
        print_table(rows)
    return goal_verdict([], args)


def print_table(rows: list[dict[str, Any]]) -> None:
    """One line per size, kind and batch size."""
    print(f"{'keys':>9} {'op':>7} {'batch':>5} {'x86/op':>10} {'AB/op':>10} {'keccak-f':>8} {'reads':>6} "
          f"{'bytes':>7} {'ecalls':>7} {'hashed':>6} {'witness':>8}")
    for r in rows:
        ab = "-" if r["ab_instructions_per_op"] is None else f"{r['ab_instructions_per_op']:,.0f}"
        print(f"{r['keys']:>9,} {r['kind']:>7} {r['batch']:>5} {r['instructions_per_op']:>10,.0f} {ab:>10} "
              f"{r['keccakf']:>8.1f} {r['oracle_reads']:>6.2f} {r['oracle_bytes']:>7,.0f} "
              f"{r['ecalls']:>7.1f} {r['hashed']:>6.2f} {r['witness_nodes']:>8,}")
