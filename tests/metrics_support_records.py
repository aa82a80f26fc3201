"""Tiny record files for the metrics tests (incidents, monitoring, objectives, findings, audits).

Each table below is written as a CSV file in a temporary folder and loaded through the real loaders
(`store.writer.load_file`), so the metrics are tested on rows exactly as the loaders store them. The
expected figures in the tests are worked out by hand from these rows; the comments say what each row is
there for.
"""

from __future__ import annotations

import csv
import datetime as dt
import math
from pathlib import Path
from typing import Any

import duckdb
import numpy as np
import pandas as pd

from loaders.pipeline import LoadOptions
from store.writer import load_file, open_store

AS_OF = dt.date(2026, 9, 30)
D = dt.date

# fmt: off
SYSTEMS = (
    ("System ID", "System name", "Business unit"),
    ("AIS-1", "Credit scoring", "Retail"),
    ("AIS-2", "Support bot", "Service"),
)

INCIDENTS = (
    ("Incident ID", "AI system", "Date detected", "Date resolved", "Date closed", "Severity", "Status",
     "Category", "Serious incident", "Awareness date", "Deadline class", "Reported to authority"),
    ("I-1", "Credit scoring", "2026-07-01", "2026-07-11", "", "High", "Resolved", "Drift", "No", "", "", ""),
    # another spelling of the same system
    ("I-2", "CREDIT  SCORING", "2026-07-15", "2026-08-14", "2026-08-20", "Critical", "Closed", "Drift", "No",
     "", "", ""),
    # no resolution or closure date: the status decides (open / closed)
    ("I-3", "Support bot", "2026-08-01", "", "", "Medium", "Investigating", "Drift", "No", "", "", ""),
    ("I-4", "Support bot", "2026-09-01", "", "", "Low", "Closed", "Privacy", "No", "", "", ""),
    # resolved after the quarter end: open at it
    ("I-5", "Support bot", "2026-06-20", "2026-10-05", "", "Low", "Resolved", "Privacy", "No", "", "", ""),
    # named by the inventory id; detected on the quarter's last day
    ("I-6", "AIS-1", "2026-09-30", "", "", "High", "Open", "Drift", "No", "", "", ""),
    # a system the inventory does not know; closed without a resolution date
    ("I-7", "Legacy bot", "2025-12-01", "", "2026-07-10", "Medium", "Closed", "Privacy", "No", "", "", ""),
    # serious: reported on the deadline day (met)
    ("I-8", "Credit scoring", "2026-07-20", "2026-07-25", "", "Critical", "Resolved", "Safety", "Yes",
     "2026-07-21", "15 days", "2026-08-05"),
    # serious, not reported, deadline 2026-10-06 (pending at the quarter end)
    ("I-9", "Support bot", "2026-09-25", "", "", "High", "Open", "Safety", "Yes", "2026-09-26", "Death", ""),
    # serious, reported a day after a 2-day deadline (missed)
    ("I-10", "Credit scoring", "2026-08-10", "2026-08-11", "", "Critical", "Resolved", "Safety", "Yes",
     "2026-08-10", "Widespread", "2026-08-13"),
    # serious, never reported, deadline long passed (missed)
    ("I-11", "Support bot", "2026-04-02", "2026-05-01", "", "High", "Resolved", "Safety", "Yes", "2026-04-03",
     "General", ""),
    # serious without awareness date or deadline class (outcome unknown); no category
    ("I-12", "Credit scoring", "2026-02-10", "", "2026-02-20", "Medium", "Closed", "", "Yes", "", "", ""),
)

MONITORING = (
    ("Timestamp", "AI system", "Model version", "Metric", "Feature", "Value", "Lower threshold",
     "Upper threshold", "Verdict", "Test name"),
    # A: a p-value (breaches below its lower threshold); non-breaching points split the episodes
    ("2026-07-01", "Credit scoring", "v1", "ks_pvalue", "income", "0.30", "0.05", "", "", ""),
    ("2026-07-02", "Credit scoring", "v1", "ks_pvalue", "income", "0.04", "0.05", "", "", ""),
    ("2026-07-03", "Credit scoring", "v1", "ks_pvalue", "income", "0.01", "0.05", "", "", ""),
    ("2026-07-04", "Credit scoring", "v1", "ks_pvalue", "income", "0.20", "0.05", "", "", ""),
    ("2026-07-05", "Credit scoring", "v1", "ks_pvalue", "income", "0.03", "0.05", "", "", ""),
    ("2026-07-06", "Credit scoring", "v1", "ks_pvalue", "income", "0.05", "0.05", "", "", ""),
    ("2026-07-07", "Credit scoring", "v1", "ks_pvalue", "income", "0.02", "0.05", "", "Warning", "ks"),
    # B: a distance (breaches above its upper threshold); the tool disagrees twice
    ("2026-07-01", "Credit scoring", "v1", "wasserstein", "income", "0.05", "", "0.1", "Pass", "wd"),
    ("2026-07-02", "Credit scoring", "v1", "wasserstein", "income", "0.15", "", "0.1", "Pass", "wd"),
    ("2026-07-03", "Credit scoring", "v1", "wasserstein", "income", "0.10", "", "0.1", "Fail", "wd"),
    # C: an episode across the quarter boundary
    ("2026-06-29", "Support bot", "", "accuracy", "", "0.85", "0.8", "", "", ""),
    ("2026-06-30", "Support bot", "", "accuracy", "", "0.75", "0.8", "", "", ""),
    ("2026-07-01", "Support bot", "", "accuracy", "", "0.70", "0.8", "", "", ""),
    ("2026-07-02", "Support bot", "", "accuracy", "", "0.90", "0.8", "", "", ""),
    # D: no threshold: not judged, so the tool's fail is no disagreement
    ("2026-07-01", "Support bot", "", "latency_ms", "", "900", "", "", "Fail", "latency"),
    # E: model version v1 replaced by v2
    ("2026-07-01", "Credit scoring", "v1", "accuracy", "", "0.90", "0.8", "", "", ""),
    ("2026-07-02", "Credit scoring", "v1", "accuracy", "", "0.70", "0.8", "", "", ""),
    ("2026-07-03", "Credit scoring", "v2", "accuracy", "", "0.88", "0.8", "", "", ""),
    ("2026-07-04", "Credit scoring", "v2", "accuracy", "", "0.86", "0.8", "", "", ""),
    # F: two-sided thresholds, breached above then below (one episode); a system outside the inventory
    ("2026-07-01", "Fraud radar", "", "score", "", "0.9", "0.2", "0.8", "", ""),
    ("2026-07-02", "Fraud radar", "", "score", "", "0.1", "0.2", "0.8", "", ""),
    ("2026-07-03", "Fraud radar", "", "score", "", "0.5", "0.2", "0.8", "", ""),
)

OBJECTIVES = (
    ("Objective ID", "Objective", "Measure", "Target", "Direction", "Unit", "Due date", "Current value",
     "AI system"),
    ("O-1", "Credit accuracy at 0.85 or above", "accuracy", "0.85", "at least", "ratio", "2026-12-31", "",
     "Credit scoring"),
    ("O-2", "No input drift", "ks_pvalue", "0.05", ">=", "p", "2026-07-05", "", "Credit scoring"),
    # organisation-wide, measured by a metric: any system in scope
    ("O-3", "Accuracy of every system at 0.8", "accuracy", "0.8", "at least", "ratio", "2026-06-30", "", ""),
    ("O-4", "Staff trained", "manual", "95", "at least", "%", "2026-06-30", "88", ""),
    # equal to an at-most target: on track
    ("O-5", "Complaint backlog", "manual", "10", "at most", "tickets", "2026-12-31", "10", "Support bot"),
    ("O-6", "Fast answers", "latency_ms", "1000", "<=", "ms", "", "", "Support bot"),
    # a metric without points: the file's value
    ("O-7", "Few overrides", "override_rate", "5", "at most", "%", "2026-12-31", "3", "Credit scoring"),
    ("O-8", "Tracked only", "manual", "", "", "", "2026-01-31", "5", ""),
)

FINDINGS = (
    ("Finding ID", "Source", "Type", "Clause or control", "Title", "Raised", "Due", "Closed", "Status",
     "Effectiveness verified"),
    # closed on its due date: not late
    ("F-1", "Internal audit", "Minor NC", "8.2", "Risk assessment", "2025-01-10", "2025-03-31", "2025-03-31",
     "Closed", "Yes"),
    # 364 days after F-1 on the same clause: a repeat; closed late; effectiveness not verified
    ("F-2", "Internal audit", "Minor NC", "8.2", "Risk assessment again", "2026-01-09", "2026-03-31",
     "2026-04-15", "Closed", "No"),
    ("F-3", "External audit", "Major NC", "A.6.2.6", "Monitoring", "2025-02-01", "2025-05-31", "2025-05-20",
     "Closed", "Yes"),
    # 366 days after F-3 on the same control: not a repeat
    ("F-4", "External audit", "Major NC", "A.6.2.6", "Monitoring again", "2026-02-02", "2026-09-15", "",
     "In progress", ""),
    # due on the as-of date: not yet overdue
    ("F-5", "Management review", "OFI", "9.3", "Review inputs", "2026-06-30", "2026-09-30", "", "Open", ""),
    # closed without a closing date: closed by the file's as-of date
    ("F-6", "Internal audit", "Observation", "7.5", "Records", "2026-07-15", "", "", "Closed", ""),
    ("F-7", "Incident", "Minor NC", "8.2", "Risk assessment a third time", "2026-08-01", "2026-10-31", "",
     "Open", ""),
    # no type and no raised date: raised by the file's as-of date
    ("F-8", "Other", "", "", "Unclassified", "", "", "", "Open", ""),
)

AUDITS = (
    ("Audit ID", "Scope", "Planned date", "Done date", "Auditor", "Type"),
    ("A-1", "Clauses 4-7", "2026-03-10", "2026-03-10", "J. Doe", "Internal"),
    ("A-2", "Clauses 8-10", "2026-05-10", "2026-05-12", "J. Doe", "Internal"),
    ("A-3", "Annex A.6", "2026-09-10", "", "J. Doe", "Internal"),
    ("A-4", "Surveillance", "2026-11-20", "", "Certification body", "External"),
    ("A-5", "Annex A.7", "2026-09-30", "", "J. Doe", "Internal"),
    ("A-6", "Suppliers", "2026-06-01", "2026-10-05", "J. Doe", "Internal"),
)
# fmt: on


def write_csv(folder: Path, name: str, table: tuple[tuple[str, ...], ...]) -> Path:
    """Write a header row and data rows as a UTF-8 CSV file."""
    path = folder / name
    with path.open("w", newline="", encoding="utf-8") as out:
        csv.writer(out).writerows(table)
    return path


def load_table(
    con: duckdb.DuckDBPyConnection,
    folder: Path,
    dataset: str,
    table: tuple[tuple[str, ...], ...],
    *,
    as_of: dt.date = AS_OF,
) -> None:
    """Load one table through the real loaders; fail the test if the file is refused."""
    result = load_file(
        con,
        write_csv(folder, f"{dataset}.csv", table),
        LoadOptions(dataset=dataset, as_of=as_of),
        user="test",
    )
    assert result.outcome == "loaded", [m.text or m.code for m in result.problems]


def plain(value: Any) -> Any:
    """A DataFrame cell as a plain Python value: dates as `date` (or `datetime` with a time), no NaN."""
    if isinstance(value, np.ndarray | list | tuple):
        return [plain(v) for v in value]
    if value is None or value is pd.NaT or value is pd.NA:
        return None
    if isinstance(value, float | np.floating) and math.isnan(value):
        return None
    if isinstance(value, pd.Timestamp):
        return value.date() if value == value.normalize() else value.to_pydatetime()
    if isinstance(value, pd.Timedelta):
        return value.to_pytimedelta()
    return value.item() if isinstance(value, np.generic) else value


def records(frame: pd.DataFrame, columns: list[str] | str) -> list[tuple]:
    """The chosen columns of every row, as tuples of plain values (one column gives bare values)."""
    names = [columns] if isinstance(columns, str) else columns
    out = [tuple(plain(v) for v in row) for row in frame[names].itertuples(index=False, name=None)]
    return [r[0] for r in out] if isinstance(columns, str) else out


TABLES = {
    "systems": SYSTEMS,
    "incidents": INCIDENTS,
    "monitoring": MONITORING,
    "objectives": OBJECTIVES,
    "findings": FINDINGS,
    "audits": AUDITS,
}


def loaded_store(folder: Path, *datasets: str) -> duckdb.DuckDBPyConnection:
    """A fresh store in `folder` with the inventory and the named tables above loaded."""
    con = open_store(folder / "aims.duckdb", wait=1)
    for dataset in ("systems", *datasets):
        load_table(con, folder, dataset, TABLES[dataset])
    return con
