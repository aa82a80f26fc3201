"""Deterministic benchmark data: monitoring CSVs of N rows and a monitoring xlsx sheet."""

from __future__ import annotations

import datetime as dt
from pathlib import Path

import duckdb

HEADER = [
    "timestamp",
    "ai_system",
    "model_version",
    "metric",
    "feature",
    "value",
    "lower_threshold",
    "upper_threshold",
]


def monitoring_csv(path: Path, rows: int) -> Path:
    """`rows` monitoring points: 4 systems x 5 metrics x 10 features, one point per minute per series."""
    if path.exists():
        return path
    path.parent.mkdir(parents=True, exist_ok=True)
    with duckdb.connect() as con:
        con.execute(
            f"""
            copy (
              select strftime(timestamp '2025-01-01' + to_minutes(cast(i // 200 as bigint)), '%Y-%m-%d %H:%M:%S')
                         as "timestamp",
                     'system-' || (i % 4) as ai_system,
                     'v' || (1 + (i // 1000000)) as model_version,
                     ['accuracy', 'psi', 'latency_ms', 'f1', 'recall'][1 + (i // 4) % 5] as metric,
                     'feature_' || ((i // 20) % 10) as feature,
                     round(((hash(i) % 10000) / 10000.0), 4) as value,
                     0.05 as lower_threshold,
                     0.95 as upper_threshold
              from range({int(rows)}) t(i)
            ) to '{path}' (header, delimiter ',')
            """
        )
    return path


def european_csv(path: Path, rows: int) -> Path:
    """`monitoring_csv`'s points as a European export writes them: `;` between cells, decimal commas."""
    return _rewritten(path, rows, "timestamp", ";", decimal_comma=True)


def epoch_csv(path: Path, rows: int) -> Path:
    """`monitoring_csv`'s points timed in epoch milliseconds (`1735689600000`, as several tools export
    them): the generic path's."""
    return _rewritten(path, rows, "cast(epoch_ms(timestamp::timestamp) as varchar)", ",", decimal_comma=False)


def _rewritten(path: Path, rows: int, timestamp: str, delimiter: str, *, decimal_comma: bool) -> Path:
    if path.exists():
        return path
    source = monitoring_csv(path.with_name(f"monitoring_{rows // 1_000_000}M.csv"), rows)
    number = (lambda c: f"replace(cast({c} as varchar), '.', ',') as {c}") if decimal_comma else (lambda c: c)
    with duckdb.connect() as con:
        con.execute(
            f"""
            copy (
              select {timestamp} as "timestamp", ai_system, model_version, metric, feature,
                     {number("value")}, {number("lower_threshold")}, {number("upper_threshold")}
              from read_csv($src, all_varchar = true)
            ) to '{path}' (header, delimiter '{delimiter}')
            """,
            {"src": str(source)},
        )
    return path


def monitoring_xlsx(path: Path, rows: int) -> Path:
    """One sheet of `rows` monitoring points, written with xlsxwriter in constant-memory mode."""
    if path.exists():
        return path
    import xlsxwriter

    path.parent.mkdir(parents=True, exist_ok=True)
    book = xlsxwriter.Workbook(str(path), {"constant_memory": True})
    sheet = book.add_worksheet("Monitoring")
    date_format = book.add_format({"num_format": "yyyy-mm-dd hh:mm"})
    sheet.write_row(0, 0, HEADER)
    start = dt.datetime(2025, 1, 1)
    metrics = ["accuracy", "psi", "latency_ms", "f1", "recall"]
    for i in range(rows):
        sheet.write_datetime(i + 1, 0, start + dt.timedelta(minutes=i // 200), date_format)
        sheet.write_row(
            i + 1,
            1,
            [
                f"system-{i % 4}",
                "v1",
                metrics[(i // 4) % 5],
                f"feature_{(i // 20) % 10}",
                ((i * 7919) % 10000) / 10000,
                0.05,
                0.95,
            ],
        )
    book.close()
    return path
