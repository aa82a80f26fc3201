"""Whole-process timing and peak memory of commands, measured from a fresh parent process, and the
machine they ran on."""

from __future__ import annotations

import json
import os
import platform
import statistics
import subprocess
import sys
from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path

_WRAPPER = r"""
import json, resource, subprocess, sys, time
cmd = json.loads(sys.argv[1])
t = time.perf_counter()
proc = subprocess.run(cmd, capture_output=True, text=True)
elapsed = time.perf_counter() - t
peak_kib = resource.getrusage(resource.RUSAGE_CHILDREN).ru_maxrss
print(json.dumps({"seconds": elapsed, "peak_mib": peak_kib / 1024, "rc": proc.returncode,
                  "out": proc.stdout[-20000:], "err": proc.stderr[-4000:]}))
"""


@dataclass
class Run:
    seconds: float  # median
    peak_mib: float  # largest
    out: str = ""  # the last run's output (its end)
    err: str = ""


def _once(cmd: list[str], before: Callable[[], None] | None, expect_rc: int) -> dict:
    if before:
        before()
    done = subprocess.run([sys.executable, "-c", _WRAPPER, json.dumps(cmd)], capture_output=True, text=True)
    result = json.loads(done.stdout)
    if result["rc"] != expect_rc:
        raise RuntimeError(f"{' '.join(cmd)} exited {result['rc']}:\n{result['out']}\n{result['err']}")
    return result


def interleaved(
    commands: list[tuple[list[str], Callable[[], None] | None, int]], *, repeat: int = 3
) -> list[Run]:
    """Run each command `repeat` times, taking turns (A B A B ...), so that a noisy neighbour slows
    every side alike; the median time and the largest peak memory of each."""
    results: list[list[dict]] = [[] for _ in commands]
    for _ in range(repeat):
        for i, (cmd, before, expect_rc) in enumerate(commands):
            results[i].append(_once(cmd, before, expect_rc))
    return [
        Run(
            statistics.median(r["seconds"] for r in runs),
            max(r["peak_mib"] for r in runs),
            runs[-1]["out"],
            runs[-1]["err"],
        )
        for runs in results
    ]


def machine() -> str:
    """CPU, cores, memory, load and versions, for the record."""
    import duckdb

    cpu = next(
        (
            line.split(":", 1)[1].strip()
            for line in Path("/proc/cpuinfo").read_text().splitlines()
            if line.startswith("model name")
        ),
        platform.processor() or "unknown CPU",
    )
    memory = next(
        (
            int(line.split()[1]) / 2**20
            for line in Path("/proc/meminfo").read_text().splitlines()
            if line.startswith("MemTotal")
        ),
        0.0,
    )
    load = ", ".join(f"{x:.1f}" for x in os.getloadavg())
    return (
        f"{cpu}, {os.cpu_count()} cores, {memory:.0f} GiB RAM, load average {load}; "
        f"Python {platform.python_version()}, DuckDB {duckdb.__version__}, {platform.system()} {platform.release()}"
    )
