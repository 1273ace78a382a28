"""Running A over an inbox: every snapshot S_0 … S_n, named by its S root, and a per-block report."""

from __future__ import annotations

import json
from collections.abc import Callable
from pathlib import Path

from emulator.errors import SwapvmError
from emulator.layout import DEFAULT_S_SIZE
from fastvm.codec import encode
from fastvm.codec_v2 import encode_v2
from fastvm.machine import Machine, StepInfo
from fastvm.preimages import PreimageStore
from fastvm.sroot import RootCache
from fastvm.state import EssentialState
from fastvm.state_v2 import EssentialStateV2


def _save(out: Path | None, image: bytes, root: bytes) -> None:
    """Write one snapshot as <root hex>.bin (content-addressed, so rewriting is harmless)."""
    if out is None:
        return
    try:
        (out / f"{root.hex()}.bin").write_bytes(image)
    except OSError as exc:
        raise SwapvmError(f"cannot write a snapshot into {out}: {exc.strerror}") from exc


def run_blocks(
    state: EssentialState, limit: int | None = None, out: Path | None = None, s_size: int = DEFAULT_S_SIZE
) -> dict:
    """Apply up to `limit` inbox blocks (all if None); return the report as a JSON-ready dict."""
    return _run_steps(state, Machine(s_size).step, encode(state), limit, out)


def run_blocks_v2(state: EssentialStateV2, store: PreimageStore, limit: int | None = None,
                  out: Path | None = None) -> dict:
    """As run_blocks on S version 2: A over the preimage store (which gains each accepted block's world)."""
    from fastvm.export_v2 import ExporterV2

    exporter = ExporterV2(store)

    def step(before: EssentialStateV2) -> tuple[EssentialStateV2, StepInfo]:
        """One block; the witness is not kept."""
        after, info, _witness = exporter.export(before)
        assert info is not None   # only pending blocks are run
        return after, info

    return _run_steps(state, step, encode_v2(state), limit, out)


def _run_steps(state, step: Callable, image: bytes, limit: int | None, out: Path | None) -> dict:  # noqa: ANN001
    """Apply up to `limit` inbox blocks with `step` (S -> (S', info)), from S whose image is given."""
    if limit is not None and limit < 0:
        raise SwapvmError("--blocks must not be negative")
    if out is not None:
        out.mkdir(parents=True, exist_ok=True)
    roots_of = RootCache()
    root = roots_of.root(image)
    _save(out, image, root)
    rows = []
    roots = ["0x" + root.hex()]
    count = state.pending if limit is None else min(limit, state.pending)
    total_gas = total_seconds = 0.0
    for _ in range(count):
        index = state.cursor
        state, info = step(state)
        root = roots_of.root(info.image)
        _save(out, info.image, root)
        roots.append("0x" + root.hex())
        total_gas += info.gas_used
        total_seconds += info.seconds
        rows.append(
            {
                "index": index,
                "number": info.number,
                "gas_used": info.gas_used,
                "transactions": info.transactions,
                "status": info.status.name.lower(),
                "reason": info.reason.label if info.reason else "",
                "detail": info.detail,
                "seconds": round(info.seconds, 6),
                "s_root": roots[-1],
            }
        )
    report = {
        "initial_s_root": roots[0],
        "final_s_root": roots[-1],
        "blocks": rows,
        "gas_used": int(total_gas),
        "a_seconds": round(total_seconds, 6),
        "mgas_per_s": (total_gas / 1e6 / total_seconds) if total_seconds else 0.0,
    }
    if out is not None:
        (out / "blocks.json").write_text(json.dumps(report, indent=2) + "\n")
    return report
