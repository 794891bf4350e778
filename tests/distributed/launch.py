"""Start a script under torchrun with N ranks on 127.0.0.1 (gloo), bounded by a timeout."""

from __future__ import annotations

import os
import socket
import subprocess
import sys
from pathlib import Path

SRC = Path(__file__).resolve().parents[2] / "src"


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        port: int = s.getsockname()[1]
        return port


def torchrun(script: Path | str, *args: str, ranks: int = 2, timeout: float = 60.0,
             extra: tuple[str, ...] = ()) -> subprocess.CompletedProcess[str]:
    """Run ``script`` (a file, or a module with ``extra=("-m",)``) on ``ranks`` processes."""
    env = dict(os.environ, PYTHONPATH=os.pathsep.join([str(SRC), os.environ.get("PYTHONPATH", "")]),
               OMP_NUM_THREADS="1")
    command = [sys.executable, "-m", "torch.distributed.run", "--nproc_per_node", str(ranks),
               "--master_addr", "127.0.0.1", "--master_port", str(free_port()), *extra,
               str(script), *args]
    done = subprocess.run(command, env=env, capture_output=True, text=True, timeout=timeout)
    if done.returncode != 0:
        raise AssertionError(f"torchrun failed ({done.returncode}):\n{done.stdout}\n{done.stderr}")
    return done
