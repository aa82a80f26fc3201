"""How long `aims export` takes: the demo's latest quarter, and a large organisation (target under 5 s).

The large organisation is the demo plus a generated incident log of 50,000 incidents and a risk register
of 5,000 risks (both as of 2026-09-30, so the register replaces the demo's for 2026-Q3). Each export is
timed as a whole process (`aims export`, start-up included), median of three runs.

`run()` returns one row per case: (case, seconds, peak MiB, target, met). `python -m bench.export_bench`
prints them.
"""

from __future__ import annotations

import shutil
import subprocess
import sys
from pathlib import Path

import duckdb

from .measure import interleaved

ROOT = Path(__file__).resolve().parents[1]
OUT = ROOT / "bench" / "out"
AIMS = str(Path(sys.executable).with_name("aims"))
TARGET_SECONDS = 5.0

Row = tuple[str, float, float, str, bool]


def incidents_csv(path: Path, rows: int = 50_000) -> Path:
    """`rows` incidents spread over 2024-01-01 to 2026-09-30; most resolved, some still open."""
    if path.exists():
        return path
    path.parent.mkdir(parents=True, exist_ok=True)
    with duckdb.connect() as con:
        con.execute(
            f"""
            copy (
              select 'BINC-' || lpad(cast(i as varchar), 6, '0') as "Incident ID",
                     'Model output outside tolerance on segment ' || (i % 97) as "Title",
                     ['Credit scoring', 'Claims triage', 'Customer chatbot', 'Fraud detection'][1 + i % 4]
                         as "AI system",
                     strftime(date '2024-01-01' + cast(i * 1004 // {rows} as integer), '%Y-%m-%d')
                         as "Date detected",
                     case when i % 10 <> 0 then strftime(date '2024-01-01' + cast(i * 1004 // {rows} as integer)
                                                         + cast((i * 7) % 45 as integer), '%Y-%m-%d') end as "Date resolved",
                     ['Critical', 'High', 'Medium', 'Low', 'Low', 'Medium'][1 + i % 6] as "Severity",
                     case when i % 10 = 0 then 'Investigating' else 'Resolved' end as "Status",
                     ['Model drift', 'Data quality', 'Privacy', 'Availability', 'Bias / fairness'][1 + i % 5]
                         as "Category",
                     'Upstream data change ' || (i % 13) as "Root cause"
              from range({int(rows)}) t(i)
            ) to '{path}' (header, delimiter ',')
            """
        )
    return path


def risks_csv(path: Path, rows: int = 5_000) -> Path:
    """A register of `rows` risks with inherent and residual ratings, owners and linked controls."""
    if path.exists():
        return path
    path.parent.mkdir(parents=True, exist_ok=True)
    with duckdb.connect() as con:
        con.execute(
            f"""
            copy (
              select 'BR-' || lpad(cast(i as varchar), 5, '0') as "Risk ID",
                     'Generated risk ' || i || ' of an AI system' as "Risk title",
                     ['Credit scoring', 'Claims triage', 'Customer chatbot', 'Fraud detection'][1 + i % 4]
                         as "AI system",
                     ['Governance', 'Security', 'Bias and fairness', 'Robustness'][1 + i % 4] as "Category",
                     1 + i % 5 as "Likelihood", 1 + (i // 5) % 5 as "Impact",
                     1 + (i % 5) // 2 as "Residual likelihood", 1 + ((i // 5) % 5) // 2 as "Residual impact",
                     'Owner ' || (i % 40) as "Risk owner", 'Mitigate' as "Treatment", 'Open' as "Status",
                     strftime(date '2026-09-01' + cast(i % 120 as integer), '%Y-%m-%d') as "Next review",
                     'A.6.2.6; A.7.4' as "Linked controls"
              from range({int(rows)}) t(i)
            ) to '{path}' (header, delimiter ',')
            """
        )
    return path


def _load(db: Path, *files: Path) -> None:
    for p in (db, Path(str(db) + ".wal")):
        p.unlink(missing_ok=True)
    shutil.rmtree(str(db) + ".files", ignore_errors=True)
    subprocess.run([AIMS, "demo", "--db", str(db)], check=True, capture_output=True)
    for f in files:
        subprocess.run(
            [AIMS, "load", str(f), "--db", str(db), "--as-of", "2026-09-30"], check=True, capture_output=True
        )


def _export(db: Path, name: str) -> Row:
    out = OUT / f"{db.stem}_2026-Q3.xlsx"
    (took,) = interleaved(
        [([AIMS, "export", "--db", str(db), "--quarter", "2026-Q3", "--out", str(out)], None, 0)]
    )
    ok = took.seconds < TARGET_SECONDS
    return (name, took.seconds, took.peak_mib, f"< {TARGET_SECONDS:.0f} s", ok)


def run() -> list[Row]:
    """Build both databases, then time the export of 2026-Q3 from each."""
    OUT.mkdir(parents=True, exist_ok=True)
    demo = OUT / "export_demo.duckdb"
    large = OUT / "export_large.duckdb"
    _load(demo)
    _load(large, incidents_csv(OUT / "incidents_50k.csv"), risks_csv(OUT / "risks_5k.csv"))
    return [
        _export(demo, "aims export 2026-Q3, demo organisation"),
        _export(large, "aims export 2026-Q3, 50,000 incidents + 5,000 risks"),
    ]


def main() -> int:
    rows = run()
    print(f"{'case':<58} {'seconds':>8} {'peak MiB':>9}  target")
    for name, seconds, peak, target, ok in rows:
        print(f"{name:<58} {seconds:>8.2f} {peak:>9.0f}  {target} {'ok' if ok else 'MISSED'}")
    return 0 if all(r[-1] for r in rows) else 1


if __name__ == "__main__":
    sys.exit(main())
