"""`swapvm bench trie-heap` on a tiny world: every kind of read is measured, AB's S' equal to A's."""

from __future__ import annotations

import argparse
import json
from pathlib import Path

from bench import trie_heap


def test_tiny_run_reports_each_read(tmp_path: Path) -> None:
    parser = argparse.ArgumentParser()
    trie_heap.add_arguments(parser)
    args = parser.parse_args(["--accounts", "40", "--slots", "40", "--codes", "8", "--code-bytes", "300",
                              "--reads", "8"])
    args.json = str(tmp_path / "trie_heap.json")
    assert trie_heap.run(args) == 0
    reads = json.loads(Path(args.json).read_text())["reads"]
    assert set(reads) == {"accounts", "slots", "codes"}
    for name, r in reads.items():
        assert r["items"] == 8 and r["heap_peak_per_item"] > 0 and r["gas_per_item"] > 2_000, name
    assert reads["codes"]["code_bytes_per_item"] == 300      # each code read once, whole
    assert reads["accounts"]["code_bytes_per_item"] == reads["slots"]["code_bytes_per_item"] == 0
