"""Gas of the on-chain step verifier per step kind: `python -m swapping.onchain.bench [--samples N] [--json]`.

A step's kind is read off its proof alone: "clean" (the window's last step), "idle" (not RUNNING),
"fault:<cause>" (the instruction faulted), "preimage_read" (ECALL 1001), otherwise the
instruction's mnemonic. The bench proves steps of the real guest on a fixture block's window
(sampled clocks, the yield, an idle tick, the clean) and preimage reads of the oracle_read example
over a 24 KiB preimage (contract code's size), and verifies each on chain; a preimage read's part
is loaded into the oracle contract first, in its own transaction (its gas is reported apart).
"""

from __future__ import annotations

import argparse
import json
import random
import statistics
from collections import defaultdict
from collections.abc import Iterable
from pathlib import Path

from emulator.access import ReplayAccess
from emulator.isa import Cpu, decode
from emulator.layout import (
    CAUSE_NAMES,
    ECALL_PREIMAGE,
    SHADOW_CAUSE,
    SHADOW_CLOCK,
    SHADOW_LOG2_WINDOW,
    SHADOW_PC,
    SHADOW_STATUS,
    SHADOW_X,
    STATUS_FAULTED,
    STATUS_RUNNING,
)
from emulator.proof import StepProof
from emulator.step import step
from emulator.template import Template
from swapping.onchain.verifier import default_verifier, verify_on_chain

FIXTURE = Path(__file__).resolve().parents[3] / "shared" / "fixtures" / "ethereum-tests" / "BlockchainTests"
DEFAULT_FIXTURE = FIXTURE / "ValidBlocks" / "bcExample" / "optionsTest.json"


def step_kind(proof: StepProof, qstar_root: bytes) -> str:
    """The kind of step a (valid) proof proves, from its leaves alone."""
    before = Cpu(ReplayAccess(proof.pre_root, proof.leaves, proof.siblings, qstar_root))
    clock, log2_window = before.field(SHADOW_CLOCK), before.field(SHADOW_LOG2_WINDOW)
    if log2_window < 64 and clock == (1 << log2_window) - 1:
        return "clean"
    if before.field(SHADOW_STATUS) != STATUS_RUNNING:
        return "idle"
    replay = ReplayAccess(proof.pre_root, proof.leaves, proof.siblings, qstar_root, dict(proof.preimages))
    step(replay)
    after = Cpu(replay)
    if after.field(SHADOW_STATUS) == STATUS_FAULTED:
        return "fault:" + CAUSE_NAMES[after.field(SHADOW_CAUSE)]
    pc = before.field(SHADOW_PC)
    semantics = decode(int.from_bytes(before.access.read(pc, 4), "little"))
    if semantics is not None and semantics.__name__ == "ecall" and before.x(17) == ECALL_PREIMAGE:
        return "preimage_read"
    return semantics.__name__.rstrip("_") if semantics is not None else "?"


def gas_by_kind(proofs: Iterable[StepProof], template_info: Template | bytes) -> dict[str, list[int]]:
    """Transaction gas of verifying each proof on chain, grouped by step kind."""
    qstar = template_info.qstar_root() if isinstance(template_info, Template) else template_info
    table: dict[str, list[int]] = defaultdict(list)
    for proof in proofs:
        table[step_kind(proof, qstar)].append(verify_on_chain(proof, qstar)[1])
    return dict(table)


def summarize(table: dict[str, list[int]]) -> dict[str, dict[str, int]]:
    """count, min, median and max gas per kind, kinds sorted by their max gas (highest first)."""
    rows = {
        kind: {"count": len(g), "min": min(g), "median": int(statistics.median(g)), "max": max(g)}
        for kind, g in table.items()
    }
    return dict(sorted(rows.items(), key=lambda item: -item[1]["max"]))


def guest_proofs(
    samples: int, seed: int = 1, fixture: Path = DEFAULT_FIXTURE
) -> tuple[Template, list[StepProof]]:
    """Proofs of `samples` random steps of the guest on a fixture's first block, plus yield, idle, clean."""
    from emulator.machine import make_machine
    from emulator.proof import prove_step
    from fastvm.codec import encode
    from fastvm.fixtures import initial_state, load_file
    from swapping.guest_image import guest_image

    template = guest_image().template(25)
    s0 = encode(initial_state(load_file(fixture)[0]))
    machine = make_machine("unicorn", template, template.initial_state(s0))
    halted = machine.run_until_halt((1 << 25) - 1)
    rng = random.Random(seed)
    clocks = sorted({*(rng.randrange(halted) for _ in range(samples)), halted - 1, halted, (1 << 25) - 1})
    proofs, done = [], 0
    machine = make_machine("unicorn", template, template.initial_state(s0))
    for clock in clocks:
        machine.run(clock - done)
        done = clock
        proofs.append(prove_step(template, machine.state()))
    return template, proofs


ORACLE_PREIMAGE_BYTES = 24 * 1024


def oracle_proofs(samples: int, seed: int = 1) -> tuple[Template, list[StepProof]]:
    """Proofs of the first `samples` preimage reads of oracle_read over a 24 KiB preimage."""
    from emulator.fast import FastMachine
    from emulator.image import template_from_image
    from emulator.isa.system import ECALL_WORD
    from emulator.merkle import keccak
    from emulator.oracle import DictOracle
    from emulator.proof import prove_step
    from emulator.template import MachineParams
    from toolchain.build import example_image

    rng = random.Random(seed)
    preimage = bytes(rng.randrange(256) for _ in range(ORACLE_PREIMAGE_BYTES))
    oracle = DictOracle([preimage])
    template = template_from_image(example_image("oracle_read"), MachineParams(log2_window=25))
    machine = FastMachine(template, template.initial_state(keccak(preimage)), oracle=oracle)
    proofs: list[StepProof] = []
    while len(proofs) < samples and machine.run_until_halt(1):
        state = machine.state()
        pc = state.read_u64(SHADOW_PC)
        word = int.from_bytes(state.read(pc, 4), "little")
        if word == ECALL_WORD and state.read_u64(SHADOW_X + 8 * 17) == ECALL_PREIMAGE:
            proofs.append(prove_step(template, state.copy(), oracle))
    return template, proofs


def main(argv: list[str] | None = None) -> int:
    """Print the gas table of sampled guest steps (text or JSON)."""
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--samples", type=int, default=200, help="random guest steps (default 200)")
    parser.add_argument("--oracle-samples", type=int, default=40,
                        help="preimage reads of the oracle_read example (default 40)")
    parser.add_argument("--json", action="store_true", help="JSON output")
    args = parser.parse_args(argv)
    template, proofs = guest_proofs(args.samples)
    table = gas_by_kind(proofs, template)
    oracle_template, reads = oracle_proofs(args.oracle_samples)
    loads = [gas for proof in reads for gas in default_verifier().load_preimages(proof)]
    for kind, gas in gas_by_kind(reads, oracle_template).items():
        table.setdefault(kind, []).extend(gas)
    rows = summarize(table)
    every = [g for gas in table.values() for g in gas]
    if args.json:
        print(json.dumps({"steps": len(every), "verify_gas_max": max(every),
                          "verify_gas_median": int(statistics.median(every)), "kinds": rows,
                          "preimage_load_gas_max": max(loads, default=0),
                          "preimage_bytes": ORACLE_PREIMAGE_BYTES}, indent=2))
        return 0
    print(f"{len(every)} steps: max {max(every):,} gas, median {int(statistics.median(every)):,} gas")
    if loads:
        print(f"loading a part of a {ORACLE_PREIMAGE_BYTES:,}-byte preimage into the oracle contract "
              f"(its own transaction): max {max(loads):,} gas")
    print(f"{'kind':<28}{'count':>7}{'min':>10}{'median':>10}{'max':>10}")
    for kind, row in rows.items():
        print(f"{kind:<28}{row['count']:>7}{row['min']:>10,}{row['median']:>10,}{row['max']:>10,}")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
