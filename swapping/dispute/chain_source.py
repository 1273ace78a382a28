"""A chain to dispute: SOURCE replayed (A's snapshots in the store, every block checked on AB)."""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path

from emulator.errors import SwapvmError
from emulator.oracle import PreimageOracle
from emulator.template import Template
from swapping.replay import ReplayReport


@dataclass
class ReplayedChain:
    """One chain after replay: its name, the S images S_0 … S_n, the template at the window a, the report."""

    name: str
    s_images: list[bytes]
    template: Template
    report: ReplayReport
    elf: bytes = b""   # the guest image, for its symbols (the disputed pc's function)
    oracles: list[PreimageOracle | None] | None = None   # S version 2: block t's witness, by window t

    @property
    def blocks(self) -> int:
        """n: blocks in the inbox."""
        return len(self.s_images) - 1

    @property
    def numbers(self) -> list[int | None]:
        """The header number of each block by window index (None for a block whose header does not decode)."""
        return [row.number for row in self.report.blocks if row.chain == self.name]


def replayed_chain(
    source: str, store_dir: str | Path, test: str | None = None, log2_window: int | None = None,
    workers: int | None = None, s_version: int = 1,
) -> ReplayedChain:
    """Replay SOURCE (reusing the store) and return its single chain's snapshots and template.

    On S version 2 the chain also carries, per block, the oracle of its witness (read from the store)."""
    from fastvm.sfiles import open_preimages
    from fastvm.sroot import RootCache
    from swapping.guest_forks import require_guest_forks
    from swapping.guest_image import guest_image
    from swapping.replay import check_window_size, replay
    from swapping.source import load_sources
    from swapping.store import Store

    check_window_size(log2_window)
    image = guest_image()
    preimages = open_preimages(Path(store_dir))
    chains = load_sources(source, test, image.s_size, None, s_version, preimages)[0]
    require_guest_forks(chains)
    if len(chains) != 1:
        names = ", ".join(name for name, _ in chains[:5])
        raise SwapvmError(f"{source} holds {len(chains)} chains ({names}, …): pick one with --test")
    store = Store(Path(store_dir), RootCache().root)
    report = replay(chains, store, image, log2_window=log2_window, workers=workers, preimages=preimages)
    name = chains[0][0]
    rows = [row for row in report.blocks if row.chain == name]
    if not rows:
        raise SwapvmError(f"{source}: chain {name} has no blocks to dispute")
    roots = [rows[0].s_root_before] + [row.s_root_a for row in rows]
    images = [store.get_state(bytes.fromhex(root)) for root in roots]
    oracles = None
    if any(row.witness for row in rows):
        from swapping.replay_v2 import V2Run
        from swapping.sv2 import witness_oracle

        run = V2Run(store, preimages, {})
        oracles = [witness_oracle(run.witness_bytes(row.witness)) for row in rows]
    return ReplayedChain(name, images, image.template(report.log2_window), report, image.elf, oracles)
