"""Machine snapshots: a MachineState plus its template identity, in a file named by the machine root.

Layout: MAGIC, template identity (32), root (32), u32 page count, (u32 page number, 4096 bytes)
ascending, then keccak of everything before it (32). Loading checks all of it, and the root.
"""

from __future__ import annotations

import struct
from pathlib import Path

from emulator import merkle
from emulator.errors import SwapvmError
from emulator.layout import PAGE_BYTES
from emulator.state import PAGE_COUNT, MachineState
from emulator.template import Template

MAGIC = b"SWAPVM-SNAP\x01"
SUFFIX = ".snap"
HEADER = len(MAGIC) + 32 + 32 + 4
ENTRY = 4 + PAGE_BYTES


class SnapshotError(SwapvmError):
    """A snapshot file is missing, truncated, corrupt, or belongs to another machine."""


def encode_snapshot(state: MachineState, template: Template) -> bytes:
    """The file content for a state (only non-zero pages are stored)."""
    pages = state.nonzero_pages()
    body = [MAGIC, template.identity(), state.root(), struct.pack("<I", len(pages))]
    body.extend(struct.pack("<I", number) + data for number, data in pages.items())
    blob = b"".join(body)
    return blob + merkle.keccak(blob)


def save_snapshot(directory: Path, state: MachineState, template: Template) -> Path:
    """Write the snapshot as <root hex>.snap in directory (atomically) and return its path."""
    directory.mkdir(parents=True, exist_ok=True)
    path = directory / f"{state.root().hex()}{SUFFIX}"
    temporary = path.with_suffix(".tmp")
    temporary.write_bytes(encode_snapshot(state, template))
    temporary.replace(path)
    return path


def decode_snapshot(blob: bytes, template: Template | None = None, what: str = "snapshot") -> MachineState:
    """The state in a snapshot's bytes; every inconsistency is a SnapshotError naming it."""
    if len(blob) < HEADER + 32:
        raise SnapshotError(f"{what}: truncated ({len(blob)} bytes, header needs {HEADER + 32})")
    if not blob.startswith(MAGIC):
        raise SnapshotError(f"{what}: not a swapvm snapshot (bad magic)")
    content, checksum = blob[:-32], blob[-32:]
    identity = blob[len(MAGIC) : len(MAGIC) + 32]
    root = blob[len(MAGIC) + 32 : len(MAGIC) + 64]
    count = struct.unpack("<I", blob[HEADER - 4 : HEADER])[0]
    if len(content) != HEADER + count * ENTRY:
        raise SnapshotError(f"{what}: truncated or padded: {count} pages need {HEADER + count * ENTRY + 32} "
                            f"bytes, the file has {len(blob)}")
    if merkle.keccak(content) != checksum:
        raise SnapshotError(f"{what}: checksum mismatch (the file is corrupt)")
    if template is not None and identity != template.identity():
        raise SnapshotError(f"{what}: made for template {identity.hex()}, not {template.identity().hex()}")
    pages: dict[int, bytes] = {}
    previous = -1
    for k in range(count):
        offset = HEADER + k * ENTRY
        number = struct.unpack("<I", content[offset : offset + 4])[0]
        if number <= previous or number >= PAGE_COUNT:
            raise SnapshotError(f"{what}: page number {number:#x} out of order or outside the address space")
        pages[number] = content[offset + 4 : offset + ENTRY]
        previous = number
    state = MachineState(pages)
    if state.root() != root:
        raise SnapshotError(f"{what}: pages hash to {state.root().hex()}, not the recorded root {root.hex()}")
    return state


def load_snapshot(path: Path, template: Template | None = None) -> MachineState:
    """Read a snapshot file; its name, if it is <root>.snap, must match the content's root."""
    try:
        blob = path.read_bytes()
    except OSError as exc:
        raise SnapshotError(f"cannot read snapshot {path}: {exc.strerror}") from None
    state = decode_snapshot(blob, template, str(path))
    if path.suffix == SUFFIX and path.stem != state.root().hex():
        raise SnapshotError(f"{path}: named {path.stem} but holds the state with root {state.root().hex()}")
    return state
