"""Helpers shared by the benchmarks: timing in a fresh subprocess, medians, result files."""

from __future__ import annotations

import json
import statistics
import subprocess
import sys
from pathlib import Path

RESULTS = Path(__file__).parent / "results"
DATA = Path(__file__).parent / "data"

_RUNNER = r"""
import json, resource, sys, time
setup, stmt = sys.argv[1], sys.argv[2]
exec(setup)
start = time.perf_counter()
exec(stmt)
seconds = time.perf_counter() - start
# ru_maxrss survives exec (it would report the parent's peak): VmHWM is this process's own.
hwm = [l for l in open("/proc/self/status") if l.startswith("VmHWM")]
peak = int(hwm[0].split()[1]) / 1024 if hwm else resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024
print(json.dumps({"seconds": seconds, "max_rss_mb": peak}))
"""


def run_isolated(setup: str, stmt: str, python: str = sys.executable) -> dict[str, float]:
    """Time ``stmt`` (after ``setup``) in a new interpreter; report seconds and peak RSS."""
    out = subprocess.run([python, "-c", _RUNNER, setup, stmt], capture_output=True, text=True)
    if out.returncode != 0:
        raise RuntimeError(out.stderr[-2000:])
    result: dict[str, float] = json.loads(out.stdout.strip().splitlines()[-1])
    return result


def median_of(runs: list[dict[str, float]]) -> dict[str, float]:
    return {k: statistics.median(r[k] for r in runs) for k in runs[0]}


def save_results(name: str, payload: dict) -> Path:
    RESULTS.mkdir(parents=True, exist_ok=True)
    path = RESULTS / f"{name}.json"
    path.write_text(json.dumps(payload, indent=2) + "\n")
    return path
