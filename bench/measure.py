"""Whole-process timing and peak memory of a command, measured from a fresh parent process."""

from __future__ import annotations

import json
import statistics
import subprocess
import sys
from dataclasses import dataclass

_WRAPPER = r"""
import json, resource, subprocess, sys, time
cmd = json.loads(sys.argv[1])
t = time.perf_counter()
proc = subprocess.run(cmd, capture_output=True, text=True)
elapsed = time.perf_counter() - t
peak_kib = resource.getrusage(resource.RUSAGE_CHILDREN).ru_maxrss
print(json.dumps({"seconds": elapsed, "peak_mib": peak_kib / 1024, "rc": proc.returncode,
                  "out": proc.stdout[-2000:], "err": proc.stderr[-2000:]}))
"""


@dataclass
class Run:
    seconds: float
    peak_mib: float


def run(cmd: list[str], *, repeat: int = 3, before=None) -> Run:
    """Median time and the largest peak memory over `repeat` runs; `before()` runs before each one."""
    times, peaks = [], []
    for _ in range(repeat):
        if before:
            before()
        out = subprocess.run(
            [sys.executable, "-c", _WRAPPER, json.dumps(cmd)], capture_output=True, text=True
        )
        result = json.loads(out.stdout)
        if result["rc"] != 0:
            raise RuntimeError(f"{' '.join(cmd)} failed:\n{result['out']}\n{result['err']}")
        times.append(result["seconds"])
        peaks.append(result["peak_mib"])
    return Run(statistics.median(times), max(peaks))
