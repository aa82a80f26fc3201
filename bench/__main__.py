"""`make bench`: ingest speed and memory against baselines measured in the same run.

Targets (exit status 1 when one is missed):
- a 5M-row monitoring CSV through `aims load` (whole process: reading, validation, hashing, keeping the
  original, versioning) within 1.5x DuckDB's own `create table ... as select * from read_csv(...)`, peak
  memory under 1 GiB;
- a 200k-row xlsx sheet through `aims load` at least 10x faster than pandas reading it with openpyxl.
"""

from __future__ import annotations

import argparse
import shutil
import sys
from pathlib import Path

from . import datagen
from .measure import Run, run

ROOT = Path(__file__).resolve().parents[1]
OUT = ROOT / "bench" / "out"
AIMS = str(Path(sys.executable).with_name("aims"))


def _fresh(db: Path):
    def clean() -> None:
        for p in (db, Path(str(db) + ".wal")):
            p.unlink(missing_ok=True)
        shutil.rmtree(str(db) + ".files", ignore_errors=True)

    return clean


def anchor(csv: Path) -> Run:
    db = OUT / "anchor.duckdb"
    code = (
        "import duckdb, sys; c = duckdb.connect(sys.argv[1]); "
        "c.execute('create table t as select * from read_csv(?)', [sys.argv[2]]); c.close()"
    )
    return run([sys.executable, "-c", code, str(db), str(csv)], before=_fresh(db))


def aims_load(path: Path) -> Run:
    db = OUT / "aims.duckdb"
    cmd = [AIMS, "load", str(path), "--db", str(db), "--dataset", "monitoring", "--as-of", "2026-09-30"]
    return run(cmd, before=_fresh(db))


def openpyxl_read(path: Path) -> Run:
    code = "import pandas as pd, sys; pd.read_excel(sys.argv[1], engine='openpyxl')"
    return run([sys.executable, "-c", code, str(path)], repeat=1)


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(prog="python -m bench")
    parser.add_argument("--quick", action="store_true", help="1M rows only, no 5M run")
    args = parser.parse_args(argv)
    OUT.mkdir(parents=True, exist_ok=True)
    rows: list[tuple[str, Run, Run, float, str, bool]] = []

    sizes = [1_000_000] if args.quick else [1_000_000, 5_000_000]
    for n in sizes:
        csv = datagen.monitoring_csv(OUT / f"monitoring_{n // 1_000_000}M.csv", n)
        base, ours = anchor(csv), aims_load(csv)
        ratio = ours.seconds / base.seconds
        ok = ratio <= 1.5 and (n < 5_000_000 or ours.peak_mib < 1024)
        rows.append(
            (
                f"monitoring CSV {n:,} rows: aims load vs DuckDB read_csv",
                base,
                ours,
                ratio,
                "<= 1.5x" + (", < 1 GiB" if n >= 5_000_000 else ""),
                ok,
            )
        )

    xlsx = datagen.monitoring_xlsx(OUT / "monitoring_200k.xlsx", 200_000)
    base, ours = openpyxl_read(xlsx), aims_load(xlsx)
    speedup = base.seconds / ours.seconds
    rows.append(
        (
            "xlsx 200,000 rows: aims load vs pandas+openpyxl read",
            base,
            ours,
            speedup,
            ">= 10x faster",
            speedup >= 10,
        )
    )

    print(f"{'case':<62} {'baseline s':>10} {'ours s':>8} {'ratio':>7} {'peak MiB':>9}  target")
    for name, b, o, ratio, target, ok in rows:
        print(
            f"{name:<62} {b.seconds:>10.2f} {o.seconds:>8.2f} {ratio:>7.2f} {o.peak_mib:>9.0f}  "
            f"{target} {'ok' if ok else 'MISSED'}"
        )
    return 0 if all(r[-1] for r in rows) else 1


if __name__ == "__main__":
    sys.exit(main())
