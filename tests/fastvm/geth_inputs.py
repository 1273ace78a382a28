"""Turn a BlockchainTests test into what real tools exchange: a geth-style genesis.json and CHAIN.rlp.

The chain file is the test's own RLP (genesisRLP, then every block's rlp), which real clients wrote.
"""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

from fastvm.genesis import REQUIRED_BLOCK_FORKS

HEADER_FIELDS = ("coinbase", "difficulty", "extraData", "gasLimit", "gasUsed", "mixHash", "nonce", "number",
                 "parentHash", "timestamp", "baseFeePerGas", "blobGasUsed", "excessBlobGas")
FORK_TIMES = {"Shanghai": ("shanghaiTime",), "Cancun": ("shanghaiTime", "cancunTime"),
              "Prague": ("shanghaiTime", "cancunTime", "pragueTime")}


def genesis_of(body: dict[str, Any]) -> dict[str, Any]:
    """The geth genesis of a test: chain id 1, every fork up to the test's network at 0, its pre-state."""
    config: dict[str, Any] = {"chainId": 1, **dict.fromkeys(REQUIRED_BLOCK_FORKS, 0),
                              "terminalTotalDifficulty": 0}
    config.update(dict.fromkeys(FORK_TIMES[body["network"]], 0))
    header = body["genesisBlockHeader"]
    return {"config": config, "alloc": body["pre"], **{k: header[k] for k in HEADER_FIELDS if k in header}}


def chain_of(body: dict[str, Any]) -> bytes:
    """The test's blocks as one `geth export` file: block 0 (the genesis) first."""
    encoded = [body["genesisRLP"], *(block["rlp"] for block in body["blocks"])]
    return b"".join(bytes.fromhex(rlp[2:]) for rlp in encoded)


def write_pair(body: dict[str, Any], folder: Path, edit: dict[str, Any] | None = None) -> tuple[Path, Path]:
    """genesis.json (with top-level edits; a "config" edit updates the config) and chain.rlp in folder."""
    genesis = genesis_of(body)
    for key, value in (edit or {}).items():
        if key == "config":   # a None value removes that config key
            genesis["config"].update(value)
            genesis["config"] = {k: v for k, v in genesis["config"].items() if v is not None}
        else:
            genesis[key] = value
    genesis_path, chain_path = folder / "genesis.json", folder / "chain.rlp"
    genesis_path.write_text(json.dumps(genesis))
    chain_path.write_bytes(chain_of(body))
    return genesis_path, chain_path
