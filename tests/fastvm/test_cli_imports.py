"""The command-line modules of machine A import cheaply: no py-evm until a handler runs."""

from __future__ import annotations

import subprocess
import sys

import pytest


@pytest.mark.parametrize(
    "module", ["fastvm.cli", "swapping.commands", "swapping.conformance", "bench.fast", "swapping.trace_cli"]
)
def test_cli_module_does_not_import_py_evm(module: str) -> None:
    code = f"import sys, {module}; print('eth' in sys.modules or 'rlp' in sys.modules)"
    result = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, check=True)
    assert result.stdout.strip() == "False"
