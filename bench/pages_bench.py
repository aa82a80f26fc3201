"""Page timings under AppTest on a large organisation: cold (caches empty) and warm (cached), per page.

The large organisation is the demo plus 5,000,000 generated monitoring points, 50,000 incidents and 5,000
risks, all loaded through `aims load` (the real loaders). Targets: warm under 0.3 s and cold under 2 s per
page. Each measurement runs in its own process, so no page starts with another page's cache.

`run()` returns rows `(case, seconds, peak MiB, target, met)`; `python -m bench.pages_bench` prints them.
"""

from __future__ import annotations

import json
import shutil
import subprocess
import sys
from pathlib import Path

from . import datagen
from .export_bench import incidents_csv, risks_csv

ROOT = Path(__file__).resolve().parents[1]
OUT = ROOT / "bench" / "out"
AIMS = str(Path(sys.executable).with_name("aims"))
PAGES = {
    "Overview": None,
    "Management review": "pages/review.py",
    "Clause coverage": "pages/coverage.py",
    "Risks": "pages/risks.py",
    "Incidents": "pages/incidents.py",
    "Model monitoring": "pages/monitoring.py",
    "Findings and actions": "pages/findings.py",
    "Data": "pages/data.py",
}
COLD, WARM = 2.0, 0.3

_PROBE = r"""
import json, os, resource, sys, time
from streamlit.testing.v1 import AppTest
import streamlit as st
app, page = sys.argv[1], sys.argv[2] or None
at = AppTest.from_file(app, default_timeout=600)
at.run()                                    # the frame and the Overview; fills the filter defaults
if page:
    st.cache_data.clear()                   # the page starts cold, like a first visit
    at.switch_page(page)
t = time.perf_counter(); at.run(); cold = time.perf_counter() - t
if not page:                                # the Overview's own cold run was the first one: time it again
    st.cache_data.clear(); t = time.perf_counter(); at.run(); cold = time.perf_counter() - t
warm = []
for _ in range(3):
    t = time.perf_counter(); at.run(); warm.append(time.perf_counter() - t)
assert not at.exception, at.exception
print(json.dumps({"cold": cold, "warm": sorted(warm)[1],
                  "peak_mib": resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024}))
"""


def large_db() -> Path:
    """Build (once) the large organisation's database through the real loaders."""
    db = OUT / "pages_large.duckdb"
    if db.exists():
        return db
    tmp = OUT / "pages_large.building.duckdb"
    for p in (tmp, Path(str(tmp) + ".wal")):
        p.unlink(missing_ok=True)
    shutil.rmtree(str(tmp) + ".files", ignore_errors=True)
    steps = [
        [AIMS, "demo", "--db", str(tmp)],
        [AIMS, "load", str(incidents_csv(OUT / "bench_incidents_2026-09-30.csv")), "--db", str(tmp)],
        [AIMS, "load", str(risks_csv(OUT / "bench_risks_2026-09-30.csv")), "--db", str(tmp)],
        [
            AIMS,
            "load",
            str(datagen.monitoring_csv(OUT / "monitoring_5M.csv", 5_000_000)),
            "--db",
            str(tmp),
            "--dataset",
            "monitoring",
            "--as-of",
            "2026-09-30",
        ],
    ]
    for cmd in steps:
        done = subprocess.run(cmd, capture_output=True, text=True)
        if done.returncode != 0:
            raise RuntimeError(f"{' '.join(cmd)} failed:\n{done.stdout[-2000:]}\n{done.stderr[-2000:]}")
    tmp.rename(db)
    files = Path(str(tmp) + ".files")
    if files.exists():
        files.rename(str(db) + ".files")
    return db


def run() -> list[tuple[str, float, float, str, bool]]:
    db = large_db()
    rows = []
    env = {**__import__("os").environ, "AIMS_DB": str(db)}
    for name, page in PAGES.items():
        done = subprocess.run(
            [sys.executable, "-c", _PROBE, str(ROOT / "app.py"), page or ""],
            capture_output=True,
            text=True,
            env=env,
            cwd=ROOT,
        )
        if done.returncode != 0:
            raise RuntimeError(f"{name}: {done.stderr[-3000:]}")
        result = json.loads(done.stdout.strip().splitlines()[-1])
        rows.append(
            (
                f"page {name}: cold (caches empty)",
                result["cold"],
                result["peak_mib"],
                f"< {COLD:g} s",
                result["cold"] < COLD,
            )
        )
        rows.append(
            (
                f"page {name}: warm (cached)",
                result["warm"],
                result["peak_mib"],
                f"< {WARM:g} s",
                result["warm"] < WARM,
            )
        )
    return rows


if __name__ == "__main__":
    ok = True
    for case, seconds, peak, target, met in run():
        print(f"{case:<52} {seconds:>7.2f} s {peak:>7.0f} MiB  {target:<8} {'ok' if met else 'MISSED'}")
        ok &= met
    sys.exit(0 if ok else 1)
