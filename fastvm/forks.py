"""The py-evm classes behind each fork code, adapted for machine A (imported lazily: py-evm is heavy)."""

from __future__ import annotations

import re
from collections.abc import Iterable
from functools import cache
from typing import Any

from fastvm.state import Fork

FORK_NAMES = {Fork.SHANGHAI: "Shanghai", Fork.CANCUN: "Cancun", Fork.PRAGUE: "Prague"}
MAX_BLOB_GAS = {Fork.CANCUN: 786_432, Fork.PRAGUE: 1_179_648}
GAS_PER_BLOB = 131_072   # EIP-4844: 2^17 per blob
BLOB_TX_TYPE = 3


def blob_gas_of(transaction: Any) -> int:
    """EIP-4844's blob gas of a transaction: GAS_PER_BLOB per versioned hash (0 but for type 3)."""
    if getattr(transaction, "type_id", None) != BLOB_TX_TYPE:
        return 0
    return GAS_PER_BLOB * len(transaction.blob_versioned_hashes)


# A fixture network that switches forks by timestamp, e.g. ShanghaiToCancunAtTime15k.
TRANSITION = re.compile(r"(?P<old>[A-Za-z]+?)To(?P<new>[A-Za-z]+)AtTime(?P<thousands>\d+)k")


def fork_from_name(name: str) -> Fork:
    """The fork code of a fixture network name (Shanghai, Cancun, Prague); a transition network is
    refused with its schedule named (S version 1 holds one fork per chain, spec §4.5; fork_schedule
    gives S version 2's schedule)."""
    for fork, label in FORK_NAMES.items():
        if label.lower() == name.lower():
            return fork
    from emulator.errors import SwapvmError

    switch = TRANSITION.fullmatch(name)
    if switch:
        raise SwapvmError(
            f"network {name!r} switches from {switch['old']} to {switch['new']} at timestamp "
            f"{int(switch['thousands']) * 1000:,}: S version 1 holds one fork per chain (spec §4.5), "
            "version 2 a fork schedule (spec §6.2)"
        )
    raise SwapvmError(f"network {name!r} is not supported (Shanghai, Cancun or Prague)")


def fork_schedule(name: str) -> tuple[tuple[Fork, int], ...]:
    """The fork schedule (fork, activation timestamp) of a fixture network: one fork from time 0, or a
    transition network's two forks, e.g. ShanghaiToCancunAtTime15k -> ((SHANGHAI, 0), (CANCUN, 15000))."""
    switch = TRANSITION.fullmatch(name)
    if switch is None:
        return ((fork_from_name(name), 0),)
    known = {label.lower(): fork for fork, label in FORK_NAMES.items()}
    old, new = known.get(switch["old"].lower()), known.get(switch["new"].lower())
    if old is None or new is None or new <= old:
        from emulator.errors import SwapvmError

        raise SwapvmError(f"network {name!r} is not supported (a transition between two of Shanghai, Cancun "
                          "and Prague, in that order)")
    return ((old, 0), (new, int(switch["thousands"]) * 1000))


def use_coincurve() -> None:
    """Make py-evm recover signatures with coincurve (its fast backend), never the pure-Python one."""
    import os

    from eth_keys.backends.coincurve import is_coincurve_available

    if not is_coincurve_available():
        from emulator.errors import SwapvmError

        raise SwapvmError("coincurve is not installed: pip install coincurve (py-evm's signature backend)")
    os.environ["ECC_BACKEND_CLASS"] = "eth_keys.backends.CoinCurveECCBackend"


def require_rust_blake2b() -> None:
    """Make sure py-evm's BLAKE2F runs on blake2b-py (Rust), not its pure-Python fallback.

    The fallback takes days on the public set's 2^32-round call (CALLBlake2f_MaxRounds); py-evm
    picks it silently when the package is missing."""
    from eth.precompiles import blake2

    if blake2.blake2b_compress.__module__.startswith("eth."):
        from emulator.errors import SwapvmError

        raise SwapvmError("blake2b-py is not installed: pip install blake2b-py (py-evm's BLAKE2F backend)")


def base_vm_class(fork: Fork) -> type:
    """py-evm's own VM class of the fork."""
    use_coincurve()
    require_rust_blake2b()
    if fork == Fork.SHANGHAI:
        from eth.vm.forks.shanghai import ShanghaiVM

        return ShanghaiVM
    if fork == Fork.CANCUN:
        from eth.vm.forks.cancun import CancunVM

        return CancunVM
    from eth.vm.forks.prague import PragueVM

    return PragueVM


def excess_blob_gas(fork: Fork, parent_header: Any) -> int:
    """EIP-4844's excess blob gas of a child of parent_header (Cancun and later)."""
    if fork == Fork.CANCUN:
        from eth.vm.forks.cancun.headers import calc_excess_blob_gas_cancun

        return calc_excess_blob_gas_cancun(parent_header)
    from eth.vm.forks.prague.headers import calc_excess_blob_gas_prague

    return calc_excess_blob_gas_prague(parent_header)


@cache
def machine_vm_class(fork: Fork, live_budget: int | None = None) -> type:
    """The fork's VM changed for A: BLOCKHASH from S, a write-tracking state, no post-import checks.

    A checks the imported block itself, in the documented order (spec §4.6), so py-evm's own
    whole-block validation after execution is switched off; the state records every address and
    slot it writes so that A can rebuild the complete world state without scanning the trie, and
    checks the transaction rules py-evm leaves to a node's pool (fastvm/txrules.py); where py-evm
    departs from Ethereum, A is corrected (fastvm/corrections.py); it counts the block's live bytes
    against `live_budget` (default LIVE_BUDGET: spec §4.9, reason 9; fastvm/live.py).
    """
    from fastvm.corrections import beacon_roots_call, corrected_state_class
    from fastvm.live import LIVE_BUDGET, live_state_class
    from fastvm.tracking import tracking_state_class
    from fastvm.txrules import spec_rules_state_class

    base = base_vm_class(fork)
    tracked = corrected_state_class(tracking_state_class(base._state_class))
    state_class = live_state_class(spec_rules_state_class(tracked, fork >= Fork.PRAGUE),
                                   LIVE_BUDGET if live_budget is None else live_budget)

    class MachineVM(base):  # type: ignore[misc, valid-type]
        """py-evm VM for one block of machine A."""

        _state_class = state_class
        ancestry: tuple[bytes, ...] = ()

        @property
        def previous_hashes(self) -> Iterable[bytes]:
            """The 256 most recent hashes, newest first, from S (not from a chain database)."""
            return self.ancestry

        def validate_block(self, block: Any) -> None:
            """Skipped: A performs the block checks itself (spec §4.6)."""

        def block_preprocessing(self, block: Any) -> None:
            """Cancun: EIP-4788 as execution-specs makes it (fastvm/corrections.py); other forks: py-evm's."""
            if fork == Fork.CANCUN:
                beacon_roots_call(self.state, block.header)
            else:
                super().block_preprocessing(block)

    MachineVM.__name__ = f"Machine{base.__name__}"
    return MachineVM
