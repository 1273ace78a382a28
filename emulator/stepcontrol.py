"""Step control for a run: stop, snapshot, report and prove at chosen steps (as Cannon's `run` does).

A *schedule* is `=N` (at step N only) or `%K` (at every multiple of K: K, 2K, …); steps count from the
start of the run. The driver runs the engine to the next scheduled step, acts, and goes on, so one run
can stop at N, write snapshots and one-step proofs, and print progress lines naming the guest function.
"""

from __future__ import annotations

import json
import time
from collections.abc import Callable
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from emulator.errors import SwapvmError
from emulator.layout import SHADOW_PC
from emulator.machine import Machine, is_running, shadow_field
from emulator.symbols import Symbols


@dataclass(frozen=True, slots=True)
class Schedule:
    """`=N` or `%K`: the steps at which an action happens."""

    every: int | None = None
    at: int | None = None

    @classmethod
    def parse(cls, text: str, what: str) -> Schedule:
        """Read `=N` or `%K` (N >= 0, K >= 1); a one-line error names the flag otherwise."""
        kind, number = text[:1], text[1:]
        try:
            value = int(number, 0)
        except ValueError:
            value = -1
        if kind == "=" and value >= 0:
            return cls(at=value)
        if kind == "%" and value >= 1:
            return cls(every=value)
        raise SwapvmError(f"{what} {text!r}: expected =N (a step) or %K (every K steps, K >= 1)")

    def next_after(self, step: int) -> int | None:
        """The first scheduled step strictly after `step` (None if there is none)."""
        if self.at is not None:
            return self.at if self.at > step else None
        assert self.every is not None
        return (step // self.every + 1) * self.every

    def hits(self, step: int) -> bool:
        """Whether an action is due at this step."""
        return step == self.at if self.at is not None else step % self.every == 0  # type: ignore[operator]


@dataclass
class StepControl:
    """What to do during a run: stop, snapshots, progress lines and proofs, each on its schedule."""

    stop_at: int | None = None
    snapshot: Schedule | None = None
    info: Schedule | None = None
    proof: Schedule | None = None
    out_dir: Path = Path(".")
    events: list[dict[str, Any]] = field(default_factory=list)

    def next_stop(self, step: int, limit: int) -> int:
        """The next step after `step` at which the driver must pause: a scheduled one, or the limit."""
        due = [schedule.next_after(step) for schedule in (self.snapshot, self.info, self.proof) if schedule]
        return min([limit, *(d for d in due if d is not None)])


def run_controlled(machine: Machine, control: StepControl, max_steps: int, symbols: Symbols,
                   say: Callable[[str], None]) -> int:
    """Run until halt, the stop or max_steps, acting at every scheduled step; returns the steps done.

    A proof at step N proves the step from the state after N steps to the state after N + 1, like
    `swapvm riscv prove --step N`; it is taken on a copy, so the run itself goes on unchanged."""
    limit = min(max_steps, control.stop_at) if control.stop_at is not None else max_steps
    done, started = 0, time.perf_counter()
    _act(machine, control, 0, symbols, say, started)
    while done < limit and is_running(machine.state()):
        target = control.next_stop(done, limit)
        done += machine.run_until_halt(target - done)
        if done == target or not is_running(machine.state()):
            _act(machine, control, done, symbols, say, started)
        if done < target:   # halted before the target
            break
    return done


def _act(machine: Machine, control: StepControl, step: int, symbols: Symbols, say: Callable[[str], None],
         started: float) -> None:
    """The actions due at one step."""
    state = machine.state()
    if control.snapshot or control.proof:
        control.out_dir.mkdir(parents=True, exist_ok=True)
    if control.info is not None and control.info.hits(step):
        pc = shadow_field(state, SHADOW_PC)
        elapsed = time.perf_counter() - started
        rate = step / elapsed if elapsed > 0 else 0.0
        event = {"event": "info", "step": step, "pc": pc, "function": symbols.function_at(pc),
                 "steps_per_second": round(rate)}
        control.events.append(event)
        say(f"step {step:,}  pc {pc:#x}  {event['function'] or '?'}  {rate:,.0f} steps/s")
    if control.snapshot is not None and control.snapshot.hits(step):
        from emulator.snapshot import save_snapshot

        path = save_snapshot(control.out_dir, state, machine.template)
        control.events.append({"event": "snapshot", "step": step, "path": str(path)})
        say(f"step {step:,}: snapshot {path}")
    if control.proof is not None and control.proof.hits(step):
        from emulator.proof import prove_step

        proof = prove_step(machine.template, state.copy(), getattr(machine, "oracle", None))
        path = control.out_dir / f"proof-{step}.json"
        path.write_text(json.dumps(proof.to_json(), indent=1) + "\n")
        control.events.append({"event": "proof", "step": step, "path": str(path),
                               "pre_root": proof.pre_root.hex(), "post_root": proof.post_root.hex()})
        say(f"step {step:,}: proof of step {step} -> {step + 1} in {path}")
