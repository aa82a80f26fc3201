"""`make bench`: ingest speed and memory against baselines measured in the same run.

Targets (exit status 1 when one is missed):
- a 5M-row monitoring CSV through `aims load` (whole process: reading, validation, hashing, keeping the
  original, versioning) within 1.5x DuckDB's own `create table ... as select * from read_csv(...)`, peak
  memory under 1 GiB;
- a 200k-row xlsx sheet through `aims load` at least 10x faster than pandas reading it with openpyxl;
- the 1M points timed in epoch milliseconds, which the generic path reads: peak memory under 1 GiB
  (DuckDB's memory is capped for loads, `store.db.limit_memory`).

- the quarterly pack (`aims export`) under 5 s for the demo and for 50,000 incidents and 5,000 risks;
- every page under AppTest on 5M monitoring points, 50,000 incidents and 5,000 risks: cold under 2 s,
  warm under 0.3 s (skipped with --quick).

Also shown: the 1M-row file; the same file with three dirty cells (refused, each named by its row,
read the same bulk way); the same points as a European export (`;`, decimal commas, read the bulk way).
Every pair of commands runs in turns, so a busy machine slows both alike.
"""

from __future__ import annotations

import argparse
import re
import shutil
import sys
from dataclasses import dataclass
from pathlib import Path

from . import datagen
from .measure import Run, interleaved, machine

ROOT = Path(__file__).resolve().parents[1]
OUT = ROOT / "bench" / "out"
AIMS = str(Path(sys.executable).with_name("aims"))
GIB = 1024


@dataclass
class Row:
    case: str
    baseline: Run
    ours: Run
    ratio: float  # ours / baseline (time), or baseline / ours for a speed-up
    target: str
    ok: bool | None  # None: shown, no target


def _fresh(db: Path):
    def clean() -> None:
        for p in (db, Path(str(db) + ".wal")):
            p.unlink(missing_ok=True)
        shutil.rmtree(str(db) + ".files", ignore_errors=True)

    return clean


def _anchor(csv: Path):
    db = OUT / "anchor.duckdb"
    code = (
        "import duckdb, sys; c = duckdb.connect(sys.argv[1]); "
        "c.execute('create table t as select * from read_csv(?)', [sys.argv[2]]); c.close()"
    )
    return [sys.executable, "-c", code, str(db), str(csv)], _fresh(db), 0


def _load(path: Path, expect_rc: int = 0, *extra: str):
    db = OUT / "aims.duckdb"
    cmd = [
        AIMS,
        "load",
        str(path),
        "--db",
        str(db),
        "--dataset",
        "monitoring",
        "--as-of",
        "2026-09-30",
        *extra,
    ]
    return cmd, _fresh(db), expect_rc


def _openpyxl(path: Path):
    code = "import pandas as pd, sys; pd.read_excel(sys.argv[1], engine='openpyxl')"
    return [sys.executable, "-c", code, str(path)], None, 0


def _dirty(clean: Path) -> tuple[Path, list[int]]:
    """The clean file with a decimal comma, a bad date and text in a number, early, middle and late."""
    path = OUT / f"{clean.stem}_dirty.csv"
    lines = clean.read_bytes().split(b"\n")
    rows = [3, len(lines) // 2, len(lines) - 10]
    lines[rows[0] - 1] = re.sub(rb",0\.05,", b',"0,05",', lines[rows[0] - 1], count=1)
    lines[rows[1] - 1] = b"2025-02-30" + lines[rows[1] - 1][10:]
    lines[rows[2] - 1] = re.sub(rb",0\.95$", b",n/a", lines[rows[2] - 1])
    path.write_bytes(b"\n".join(lines))
    return path, rows


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(prog="python -m bench")
    parser.add_argument("--quick", action="store_true", help="no 5M-row run")
    parser.add_argument("--repeat", type=int, default=3, help="runs of each command (median time)")
    args = parser.parse_args(argv)
    OUT.mkdir(parents=True, exist_ok=True)
    print(f"machine: {machine()}\n", flush=True)
    rows: list[Row] = []

    for n in [1_000_000] if args.quick else [1_000_000, 5_000_000]:
        csv = datagen.monitoring_csv(OUT / f"monitoring_{n // 1_000_000}M.csv", n)
        base, ours = interleaved([_anchor(csv), _load(csv)], repeat=args.repeat)
        ratio = ours.seconds / base.seconds
        if n < 5_000_000:
            rows.append(
                Row(f"monitoring CSV {n:,} rows: aims load / DuckDB read_csv", base, ours, ratio, "-", None)
            )
        else:
            ok = ratio <= 1.5 and ours.peak_mib < GIB
            rows.append(
                Row(
                    f"monitoring CSV {n:,} rows: aims load / DuckDB read_csv",
                    base,
                    ours,
                    ratio,
                    "<= 1.5x, < 1 GiB",
                    ok,
                )
            )

    clean = OUT / "monitoring_1M.csv"
    dirty, bad_rows = _dirty(clean)
    base, ours = interleaved([_anchor(clean), _load(dirty, expect_rc=1)], repeat=args.repeat)
    named = all(re.search(rf"\b{row}\b", ours.out) for row in bad_rows) and "refused" in ours.out
    rows.append(
        Row(
            "same, 3 dirty cells: refused, rows named (no slow path)",
            base,
            ours,
            ours.seconds / base.seconds,
            f"rows {', '.join(map(str, bad_rows))} named",
            named,
        )
    )

    european = datagen.european_csv(OUT / "monitoring_1M_european.csv", 1_000_000)
    base, ours = interleaved([_anchor(european), _load(european)], repeat=args.repeat)
    rows.append(
        Row(
            "same, a European export (';', decimal commas)",
            base,
            ours,
            ours.seconds / base.seconds,
            "-",
            None,
        )
    )

    epoch = datagen.epoch_csv(OUT / "monitoring_1M_epoch.csv", 1_000_000)
    base, ours = interleaved([_anchor(epoch), _load(epoch)], repeat=max(1, args.repeat - 1))
    rows.append(
        Row(
            "same, epoch-millisecond times (the generic path, memory capped)",
            base,
            ours,
            ours.seconds / base.seconds,
            "< 1 GiB",
            ours.peak_mib < GIB,
        )
    )

    xlsx = datagen.monitoring_xlsx(OUT / "monitoring_200k.xlsx", 200_000)
    base, ours = interleaved([_openpyxl(xlsx), _load(xlsx)], repeat=max(1, args.repeat - 1))
    speedup = base.seconds / ours.seconds
    rows.append(
        Row(
            "xlsx 200,000 rows: pandas+openpyxl read / aims load",
            base,
            ours,
            speedup,
            ">= 10x faster",
            speedup >= 10,
        )
    )

    _print(rows)
    others = _other_targets(args)
    return 0 if all(r.ok is not False for r in rows) and all(o[-1] for o in others) else 1


def _other_targets(args) -> list[tuple[str, float, float, str, bool]]:
    """The pack's export time and the pages' cold and warm timings (bench.export_bench, bench.pages_bench)."""
    from . import export_bench, pages_bench

    found = list(export_bench.run())
    if not args.quick:
        found += pages_bench.run()
    print()
    print(f"| {'case':<58} | {'seconds':>7} | {'peak MiB':>8} | {'target':<8} | result |")
    print(f"|{'-' * 60}|{'-' * 9}|{'-' * 10}|{'-' * 10}|--------|")
    for case, seconds, peak, target, met in found:
        print(f"| {case:<58} | {seconds:>7.2f} | {peak:>8.0f} | {target:<8} | {'ok' if met else 'MISSED'} |")
    return found


def _print(rows: list[Row]) -> None:
    header = ["case", "baseline s", "ours s", "ratio", "peak MiB (base / ours)", "target", "result"]
    cells = [
        [
            r.case,
            f"{r.baseline.seconds:.2f}",
            f"{r.ours.seconds:.2f}",
            f"{r.ratio:.2f}",
            f"{r.baseline.peak_mib:.0f} / {r.ours.peak_mib:.0f}",
            r.target,
            "-" if r.ok is None else ("ok" if r.ok else "MISSED"),
        ]
        for r in rows
    ]
    widths = [max(len(h), *(len(c[i]) for c in cells)) for i, h in enumerate(header)]
    line = lambda values: "| " + " | ".join(v.ljust(w) for v, w in zip(values, widths, strict=True)) + " |"  # noqa: E731
    print(line(header))
    print("|" + "|".join("-" * (w + 2) for w in widths) + "|")
    for c in cells:
        print(line(c))


if __name__ == "__main__":
    sys.exit(main())
