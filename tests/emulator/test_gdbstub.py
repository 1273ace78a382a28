"""The GDB stub: the protocol on every engine against the reference step, and real gdb-multiarch on it."""

from __future__ import annotations

import re
import shutil
import subprocess
import threading
from pathlib import Path

import pytest
from emu_harness import make
from oracle_programs import DST, SMALL_PREIMAGE, Read, oracle_of, read_words, s_with_keys
from rvasm import ECALL, li

from emulator.gdbstub import GdbSession, checksum, frame, serve
from emulator.image import template_from_image
from emulator.layout import SHADOW_BASE, SHADOW_PC
from emulator.machine import ReferenceMachine
from emulator.merkle import keccak
from emulator.state import MachineState
from emulator.symbols import Symbols
from emulator.template import Template

build = pytest.importorskip("toolchain.build", reason="the toolchain is not available")
ENGINES = ("reference", "fast", "unicorn")


@pytest.fixture(scope="module")
def hello() -> Path:
    """The bundled hello image (yields 42)."""
    return build.example_image("hello")


def address_of(image: Path, name: str) -> int:
    """A function's address from the image's symbols."""
    symbols = Symbols.from_elf(image.read_bytes())
    return next(start for start, _, symbol in symbols.entries if symbol == name)


def test_packets_are_framed_with_their_checksum() -> None:
    assert frame("OK") == b"$OK#9a" and checksum(b"") == b"00"


@pytest.mark.parametrize("engine", ENGINES)
def test_break_step_registers_and_continue_follow_the_reference(engine: str, hello: Path) -> None:
    template = template_from_image(hello)
    session = GdbSession(template, template.initial_state(), engine)
    main = address_of(hello, "main")
    assert session.handle(f"Z0,{main:x},4") == "OK"
    assert session.handle("c") == "S05" and session.register(32) == main
    reference = ReferenceMachine(template, template.initial_state())
    reference.run(session.steps)
    assert session.machine.root() == reference.root()   # stopped at main after the same steps
    registers = bytes.fromhex(session.handle("g"))
    assert int.from_bytes(registers[32 * 8:], "little") == main
    assert session.handle("s") == "S05" and session.register(32) != main
    assert session.handle(f"z0,{main:x},4") == "OK"
    assert session.handle("c") == "W2a"   # hello yields 42


@pytest.mark.parametrize("engine", ENGINES)
def test_writes_change_the_machine(engine: str, hello: Path) -> None:
    template = template_from_image(hello)
    session = GdbSession(template, template.initial_state(), engine)
    assert session.handle("P5=efbeadde00000000") == "OK" and session.register(5) == 0xDEADBEEF
    assert session.handle("P0=0100000000000000") == "OK" and session.register(0) == 0
    assert session.handle("M20000000,4:01020304") == "OK"
    assert session.handle("m20000000,4") == "01020304"
    state = session.machine.state()
    assert state.read(0x2000_0000, 4) == b"\x01\x02\x03\x04"
    entry = template.initial_state().read_u64(SHADOW_BASE + SHADOW_PC)
    assert state.read_u64(SHADOW_BASE + SHADOW_PC) == entry


def test_bad_packets_get_errors_not_exceptions(hello: Path) -> None:
    template = template_from_image(hello)
    session = GdbSession(template, template.initial_state())
    assert session.handle("mffffffff,10") == "E01"
    assert session.handle("pzz") == "E01"
    assert session.handle("p40") == "E00"
    assert session.handle("vCont?") == ""
    assert session.handle("k") is None


GDB_SCRIPT = """set architecture riscv:rv64
target remote 127.0.0.1:{port}
break main
continue
stepi
info registers pc
print $sp
continue
"""


@pytest.mark.skipif(shutil.which("gdb-multiarch") is None, reason="gdb-multiarch is not installed")
@pytest.mark.parametrize("engine", ["reference", "unicorn"])
def test_gdb_multiarch_breaks_steps_reads_and_continues(engine: str, hello: Path, tmp_path: Path) -> None:
    template = template_from_image(hello)
    ports: list[int] = []
    ready = threading.Event()

    def on_ready(port: int) -> None:
        ports.append(port)
        ready.set()

    server = threading.Thread(target=serve, args=(template, template.initial_state(), engine, 0, on_ready),
                              daemon=True)
    server.start()
    assert ready.wait(30)
    script = tmp_path / "script.gdb"
    script.write_text(GDB_SCRIPT.format(port=ports[0]))
    done = subprocess.run(["gdb-multiarch", "-nx", "-batch", "-x", str(script), str(hello)],
                          capture_output=True, text=True, timeout=120, check=False)
    out = done.stdout + done.stderr
    main = address_of(hello, "main")
    where = re.search(r"Breakpoint 1 at (0x[0-9a-f]+)", out)
    assert where and main <= int(where.group(1), 16) < main + 0x100, out   # after main's prologue
    stopped = int(where.group(1), 16)
    assert re.search(rf"Breakpoint 1, 0x0*{stopped:x} in main \(\)", out), out
    pc = re.search(r"^pc\s+(0x[0-9a-f]+)", out, re.MULTILINE)
    assert pc and int(pc.group(1), 16) != stopped, out   # stepi moved on by one instruction
    assert re.search(r"\$1 = \(void \*\) 0x[0-9a-f]+", out), out   # a register read
    assert "exited with code 052" in out, out   # continue to the yield: exit code 42
    server.join(30)
    assert not server.is_alive()


def oracle_program() -> tuple[Template, MachineState, Read]:
    """A program that reads 8 bytes of SMALL_PREIMAGE through ECALL 1001, then yields its a0 (= 8)."""
    s_bytes, (key_addr,) = s_with_keys((SMALL_PREIMAGE,))
    read = Read(key_addr, 0, DST, 8)
    template = make([*read_words(read), *yield_from_a0()])
    return template, template.initial_state(s_bytes), read


def yield_from_a0() -> list[int]:
    """ECALL 93 with a0 as it is (the read's n)."""
    return [*li(17, 93), ECALL]


@pytest.mark.parametrize("engine", ENGINES)
def test_a_session_reads_the_oracle_it_is_given(engine: str) -> None:
    template, state, _ = oracle_program()
    session = GdbSession(template, state, engine, oracle=oracle_of((SMALL_PREIMAGE,)))
    assert session.handle("c") == "W08" and not session.console
    assert session.machine.state().read(DST, 8) == SMALL_PREIMAGE[:8]


@pytest.mark.parametrize("engine", ENGINES)
def test_a_missing_preimage_stops_at_the_ecall_and_names_the_key(engine: str) -> None:
    template, state, read = oracle_program()
    ecall_pc = state.read_u64(SHADOW_BASE + SHADOW_PC) + 4 * (len(read_words(read)) - 1)
    session = GdbSession(template, state, engine, oracle=oracle_of(()))
    assert session.handle("c") == "S05"
    assert session.register(32) == ecall_pc          # the ECALL is not retired
    key = keccak(SMALL_PREIMAGE).hex()
    assert session.console == [f"swapvm: preimage oracle: no preimage for key 0x{key}\n"]
    assert session.steps == len(read_words(read)) - 1
    session.oracle = oracle_of((SMALL_PREIMAGE,))    # as if the user restarted with --preimages
    session.console.clear()
    session._resync()
    assert session.handle("c") == "W08"
