"""Run the real ``tarifflab`` command in a subprocess, as a user would (exit codes and stderr included)."""

from __future__ import annotations

import os
import subprocess
import sys
from pathlib import Path


def run_cli(*args: str, reference: Path | None = None) -> subprocess.CompletedProcess[str]:
    """``python -m tarifflab ARGS``; ``reference`` points TARIFFLAB_REFERENCE_DATA elsewhere (e.g. empty)."""
    env = None if reference is None else {**os.environ, "TARIFFLAB_REFERENCE_DATA": str(reference)}
    return subprocess.run(
        [sys.executable, "-m", "tarifflab", *args], capture_output=True, text=True, check=False, env=env
    )
