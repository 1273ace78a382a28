"""A GDB remote stub over any engine: break at guest functions, step, read and write registers and memory.

Speaks the GDB remote serial protocol (packets `$data#checksum`) on one TCP connection, as
cartesi-machine's `--gdb` and the zkVM debuggers do, so `gdb-multiarch IMAGE -ex 'target remote :P'`
debugs the guest. The machine is the truth: the stub keeps no registers of its own; a register or
memory write edits a copy of the state and restarts the engine on it. Breakpoints are the stub's
(no bytes of ROM are patched), so a step proof of the debugged state is the undebugged machine's.

Registers, as GDB's RISC-V target numbers them: x0…x31 (0–31), pc (32), 64 bits little-endian.
Stop replies: `S05` (a breakpoint or a step), `W<code>` when the guest yields (the exit code is a0),
and a signal for a fault: SIGILL for an illegal instruction, SIGTRAP for EBREAK, SIGSEGV for fetch,
load and store faults, SIGBUS for a misaligned target, SIGSYS for an unknown ECALL, SIGABRT for abort.
"""

from __future__ import annotations

import socket
from collections.abc import Callable

from emulator.layout import (
    CAUSE_ABORT,
    CAUSE_BREAKPOINT,
    CAUSE_FETCH,
    CAUSE_ILLEGAL,
    CAUSE_LOAD,
    CAUSE_MISALIGNED_TARGET,
    CAUSE_STORE,
    SHADOW_BASE,
    SHADOW_CAUSE,
    SHADOW_CLOCK,
    SHADOW_PC,
    SHADOW_STATUS,
    SHADOW_X,
    STATUS_FAULTED,
    STATUS_YIELDED,
)
from emulator.machine import Machine, is_running, make_machine, shadow_field
from emulator.oracle import PreimageMissing, PreimageOracle
from emulator.state import MachineState
from emulator.template import Template
from emulator.window import read_shadow

ADDRESS_SPACE = 1 << 32
REGISTERS = 33   # x0..x31, pc
CHUNK_STEPS = 1 << 16   # a continue without breakpoints runs this many steps between checks for ^C
SIGSYS, SIGABRT, SIGTRAP = 31, 6, 5
SIGNALS = {CAUSE_ILLEGAL: 4, CAUSE_BREAKPOINT: SIGTRAP, CAUSE_FETCH: 11, CAUSE_LOAD: 11, CAUSE_STORE: 11,
           CAUSE_MISALIGNED_TARGET: 7, CAUSE_ABORT: SIGABRT}

TARGET_XML = (
    '<?xml version="1.0"?><!DOCTYPE target SYSTEM "gdb-target.dtd"><target version="1.0">'
    "<architecture>riscv:rv64</architecture><feature name=\"org.gnu.gdb.riscv.cpu\">"
    + "".join(f'<reg name="x{i}" bitsize="64" regnum="{i}" type="int"/>' for i in range(32))
    + '<reg name="pc" bitsize="64" regnum="32" type="code_ptr"/></feature></target>'
)


def checksum(data: bytes) -> bytes:
    """The packet checksum: the sum of the bytes mod 256 in two hex digits."""
    return f"{sum(data) % 256:02x}".encode()


def frame(payload: str) -> bytes:
    """A packet on the wire."""
    data = payload.encode("latin-1")
    return b"$" + data + b"#" + checksum(data)


def _u64_hex(value: int) -> str:
    """A register as GDB sends it: 8 bytes little-endian in hex."""
    return value.to_bytes(8, "little").hex()


class GdbSession:
    """The protocol state of one debugging session over an engine."""

    def __init__(self, template: Template, state: MachineState, backend: str = "reference",
                 interrupted: Callable[[], bool] = lambda: False,
                 oracle: PreimageOracle | None = None) -> None:
        self.template = template
        self.backend = backend
        self.oracle = oracle
        self.machine: Machine = make_machine(backend, template, state, oracle=oracle)
        self.console: list[str] = []   # lines for GDB's console ('O' packets), sent before the next reply
        self.breakpoints: set[int] = set()
        self.interrupted = interrupted
        self._start_clock = shadow_field(state, SHADOW_CLOCK)

    @property
    def steps(self) -> int:
        """Steps run in this session, by the machine's clock (a step stopped by a host error is not one)."""
        return shadow_field(self._state(), SHADOW_CLOCK) - self._start_clock

    # --- the machine ------------------------------------------------------------------------
    def _state(self) -> MachineState:
        """The engine's current state."""
        return self.machine.state()

    def _edit(self, change: Callable[[MachineState], None]) -> None:
        """Apply a change to a copy of the state and continue on an engine started from it."""
        state = self._state().copy()
        change(state)
        self.machine = make_machine(self.backend, self.template, state, oracle=self.oracle)

    def register(self, number: int) -> int:
        """x0…x31 or pc."""
        if number == 32:
            return shadow_field(self._state(), SHADOW_PC)
        return 0 if number == 0 else shadow_field(self._state(), SHADOW_X + 8 * number)

    def set_register(self, number: int, value: int) -> None:
        """Write x1…x31 or pc (x0 stays 0)."""
        if number == 0:
            return
        offset = SHADOW_PC if number == 32 else SHADOW_X + 8 * number
        self._edit(lambda state: state.write_u64(SHADOW_BASE + offset, value & (1 << 64) - 1))

    def stop_reply(self) -> str:
        """Why the machine is stopped, as GDB expects it."""
        state = self._state()
        status = shadow_field(state, SHADOW_STATUS)
        if status == STATUS_YIELDED:
            return f"W{self.register(10) & 0xFF:02x}"
        if status == STATUS_FAULTED:
            cause = shadow_field(state, SHADOW_CAUSE)
            signal = SIGNALS.get(cause, SIGSYS)
            return f"S{signal:02x}"
        return f"S{SIGTRAP:02x}"

    def resume(self, single: bool) -> str:
        """Step once, or continue until a breakpoint's pc, a halt or an interrupt; the stop reply."""
        if not is_running(self._state()):
            return self.stop_reply()
        try:
            self.machine.run_until_halt(1)
            while not single and is_running(self._state()) and not self.interrupted():
                if self.breakpoints:
                    if self.register(32) in self.breakpoints:
                        break
                    self.machine.run_until_halt(1)
                else:
                    self.machine.run_until_halt(CHUNK_STEPS)
        except PreimageMissing as missing:
            # A host error, not a machine state (spec §2.4): stop at the ECALL, unretired, and say why.
            self._resync()
            self.console.append(f"swapvm: {missing}\n")
        return self.stop_reply()

    def _resync(self) -> None:
        """After a host error, continue on an engine started from the state the engine kept."""
        self.machine = make_machine(self.backend, self.template, self._state(), oracle=self.oracle)

    # --- packets ----------------------------------------------------------------------------
    def handle(self, packet: str) -> str | None:
        """The reply to one packet (None: the session ends)."""
        kind, body = packet[:1], packet[1:]
        if packet.startswith("qSupported"):
            return "PacketSize=4000;qXfer:features:read+;swbreak+;QStartNoAckMode+"
        if packet.startswith("qXfer:features:read:target.xml:"):
            offset, length = (int(x, 16) for x in packet.rsplit(":", 1)[1].split(","))
            chunk = TARGET_XML[offset:offset + length]
            return ("l" if offset + length >= len(TARGET_XML) else "m") + chunk
        simple = {"?": self.stop_reply, "g": self._read_all, "c": lambda: self.resume(False),
                  "s": lambda: self.resume(True), "qAttached": lambda: "1", "qC": lambda: "QC1",
                  "qfThreadInfo": lambda: "m1", "qsThreadInfo": lambda: "l", "QStartNoAckMode": lambda: "OK",
                  "D": lambda: "OK", "qSymbol::": lambda: "OK", "!": lambda: "OK"}
        if packet in simple:
            return simple[packet]()
        if kind in ("k",) or packet.startswith("vKill"):
            return None
        handlers = {"p": self._read_one, "P": self._write_one, "G": self._write_all, "m": self._read_memory,
                    "M": self._write_memory, "Z": self._breakpoint, "z": self._breakpoint,
                    "H": lambda _: "OK", "T": lambda _: "OK"}
        if kind in handlers:
            try:
                return handlers[kind](body if kind not in "Zz" else packet)
            except (ValueError, IndexError):
                return "E01"
        return ""   # unsupported: GDB falls back to what it knows

    def _read_all(self) -> str:
        shadow = read_shadow(self._state())   # one read of the page, not one per register
        return "".join(_u64_hex(v) for v in [0, *shadow.regs[1:32], shadow.pc])

    def _write_all(self, body: str) -> str:
        values = [int.from_bytes(bytes.fromhex(body[16 * i:16 * i + 16]), "little") for i in range(REGISTERS)]

        def change(state: MachineState) -> None:
            for i, value in enumerate(values[1:32], start=1):
                state.write_u64(SHADOW_BASE + SHADOW_X + 8 * i, value)
            state.write_u64(SHADOW_BASE + SHADOW_PC, values[32])

        self._edit(change)
        return "OK"

    def _read_one(self, body: str) -> str:
        number = int(body, 16)
        return _u64_hex(self.register(number)) if number < REGISTERS else "E00"

    def _write_one(self, body: str) -> str:
        number, value = body.split("=")
        if int(number, 16) >= REGISTERS:
            return "E00"
        self.set_register(int(number, 16), int.from_bytes(bytes.fromhex(value), "little"))
        return "OK"

    def _span(self, text: str) -> tuple[int, int]:
        """`addr,len` checked against the 32-bit address space."""
        addr, length = (int(x, 16) for x in text.split(","))
        if addr + length > ADDRESS_SPACE:
            raise ValueError("outside the address space")
        return addr, length

    def _read_memory(self, body: str) -> str:
        addr, length = self._span(body)
        return self._state().read(addr, length).hex()

    def _write_memory(self, body: str) -> str:
        span, data = body.split(":")
        addr, length = self._span(span)
        payload = bytes.fromhex(data)
        if len(payload) != length:
            return "E01"
        self._edit(lambda state: state.write(addr, payload))
        return "OK"

    def _breakpoint(self, packet: str) -> str:
        kind, addr, _size = packet[1:].split(",")
        if kind not in ("0", "1"):
            return ""
        if packet[0] == "Z":
            self.breakpoints.add(int(addr, 16))
        else:
            self.breakpoints.discard(int(addr, 16))
        return "OK"


class Connection:
    """Packets over one socket: acknowledgements (until no-ack mode), checksums, ^C."""

    def __init__(self, sock: socket.socket) -> None:
        self.sock = sock
        self.buffer = b""
        self.acks = True

    def interrupted(self) -> bool:
        """Whether GDB sent ^C (0x03) while the machine ran."""
        self.sock.setblocking(False)
        try:
            data = self.sock.recv(4096)
        except BlockingIOError:
            data = b""
        finally:
            self.sock.setblocking(True)
        self.buffer += data
        if b"\x03" in self.buffer:
            self.buffer = self.buffer.replace(b"\x03", b"", 1)
            return True
        return False

    def receive(self) -> str | None:
        """The next packet's payload (None when GDB hung up)."""
        while True:
            self.buffer = self.buffer.lstrip(b"+-\x03")
            start = self.buffer.find(b"$")
            end = self.buffer.find(b"#", start + 1) if start >= 0 else -1
            if start >= 0 and end >= 0 and len(self.buffer) >= end + 3:
                data, sent = self.buffer[start + 1:end], self.buffer[end + 1:end + 3]
                self.buffer = self.buffer[end + 3:]
                if self.acks:
                    self.sock.sendall(b"+" if checksum(data) == sent.lower() else b"-")
                if checksum(data) == sent.lower() or not self.acks:
                    return data.decode("latin-1")
                continue
            chunk = self.sock.recv(4096)
            if not chunk:
                return None
            self.buffer += chunk

    def send(self, payload: str) -> None:
        """One reply packet."""
        self.sock.sendall(frame(payload))


def serve(template: Template, state: MachineState, backend: str, port: int,
          ready: Callable[[int], None] = lambda port: None, oracle: PreimageOracle | None = None) -> int:
    """Wait for one GDB on 127.0.0.1:port, debug until it detaches or kills; returns the steps run."""
    with socket.create_server(("127.0.0.1", port)) as server:
        ready(server.getsockname()[1])
        sock, _ = server.accept()
    with sock:
        connection = Connection(sock)
        session = GdbSession(template, state, backend, connection.interrupted, oracle)
        while (packet := connection.receive()) is not None:
            reply = session.handle(packet)
            if reply is None:
                break
            for line in session.console:
                connection.send("O" + line.encode().hex())
            session.console.clear()
            connection.send(reply)
            if packet == "QStartNoAckMode":
                connection.acks = False
            if packet == "D":
                break
    return session.steps
