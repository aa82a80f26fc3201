"""Tiny data for the metric tests, loaded through the real loaders.

`Files(con, folder)` writes a few rows to a CSV file in the test's folder and loads it with
`store.writer.load_file`, so every figure under test comes from rows the loaders accepted. Rows are
written as the user would type them ("Implemented", "N/A", "3", "2026-09-30"); a blank is `""`.
"""

from __future__ import annotations

import csv
import datetime as dt
import json
from collections.abc import Sequence
from pathlib import Path

import duckdb

from loaders.pipeline import LoadOptions
from store.writer import ImportRef, load_file

Q2 = dt.date(2026, 6, 30)
Q3 = dt.date(2026, 9, 30)

SOA_HEADER = ("Requirement ID", "Applicable", "Status", "Justification", "Evidence", "Evidence date")
RISK_HEADER = (
    "Risk ID",
    "Title",
    "AI system",
    "Likelihood",
    "Impact",
    "Residual likelihood",
    "Residual impact",
    "Treatment",
    "Status",
    "Next review",
    "Linked controls",
    "Risk owner",
)
SYSTEM_HEADER = ("System ID", "System name", "Business unit")


def control(
    requirement: str,
    status: str = "Implemented",
    *,
    applicable: str = "Yes",
    justification: str = "needed",
    evidence: str = "doc",
    evidence_date: str = "2026-09-01",
) -> tuple[str, ...]:
    """One SoA row; by default applicable, implemented, justified, with fresh evidence."""
    return (requirement, applicable, status, justification, evidence, evidence_date)


def excluded(requirement: str, justification: str = "out of scope") -> tuple[str, ...]:
    """One SoA row excluding an Annex A control."""
    return control(
        requirement, "N/A", applicable="No", justification=justification, evidence="", evidence_date=""
    )


def risk(
    risk_id: str,
    inherent: str,
    residual: str = "",
    *,
    system: str = "",
    treatment: str = "Mitigate",
    status: str = "Open",
    next_review: str = "2026-12-31",
    linked: str = "A.6.2.6",
) -> tuple[str, ...]:
    """One register row; ratings written "<likelihood>x<impact>" ("" for no residual rating)."""
    likelihood, impact = inherent.split("x")
    residual_likelihood, residual_impact = residual.split("x") if residual else ("", "")
    return (
        risk_id,
        f"Risk {risk_id}",
        system,
        likelihood,
        impact,
        residual_likelihood,
        residual_impact,
        treatment,
        status,
        next_review,
        linked,
        "Owner",
    )


class Files:
    """Writes tiny CSV files into `folder` and loads them into the store `con`."""

    def __init__(self, con: duckdb.DuckDBPyConnection, folder: Path) -> None:
        self.con, self.folder, self.count = con, folder, 0

    def load(
        self, header: Sequence[str], rows: Sequence[Sequence[str]], *, as_of: dt.date, scope: str, stem: str
    ) -> ImportRef:
        self.count += 1
        path = self.folder / f"{stem}_{self.count}.csv"
        with path.open("w", newline="", encoding="utf-8") as fh:
            writer = csv.writer(fh)
            writer.writerow(header)
            writer.writerows(rows)
        result = load_file(self.con, path, LoadOptions(as_of=as_of, scope=scope), user="test")
        assert result.outcome == "loaded", [m.text or m.code for m in result.problems]
        return result.imports[0]

    def soa(
        self, rows: Sequence[Sequence[str]], *, as_of: dt.date = Q3, scope: str = "organisation"
    ) -> ImportRef:
        return self.load(SOA_HEADER, rows, as_of=as_of, scope=scope, stem="soa")

    def risks(
        self, rows: Sequence[Sequence[str]], *, as_of: dt.date = Q3, scope: str = "organisation"
    ) -> ImportRef:
        return self.load(RISK_HEADER, rows, as_of=as_of, scope=scope, stem="risks")

    def systems(self, rows: Sequence[Sequence[str]], *, as_of: dt.date = Q2) -> ImportRef:
        return self.load(SYSTEM_HEADER, rows, as_of=as_of, scope="organisation", stem="systems")


def catalog_ids(con: duckdb.DuckDBPyConnection, kind: str) -> list[str]:
    """Catalog ids of one kind, in the standard's order."""
    return [
        row[0]
        for row in con.execute("select id from catalog where kind = $k order by ord", {"k": kind}).fetchall()
    ]


def setting_from(con: duckdb.DuckDBPyConnection, key: str, value: object, day: dt.date) -> None:
    """A setting version as if it had been recorded at the start of `day` (the writer stamps 'now')."""
    con.execute(
        "insert into settings values ($k, $v, $t, 'test', null)",
        {"k": key, "v": json.dumps(value), "t": dt.datetime.combine(day, dt.time())},
    )
