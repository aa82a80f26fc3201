"""The ISO/IEC 42001 catalog (clauses, subclauses, Annex A objectives and controls) from `data/catalog.csv`."""

from __future__ import annotations

import csv
from functools import cache
from pathlib import Path

import duckdb

__all__ = ["CATALOG_CSV", "catalog_rows", "ensure_catalog"]

CATALOG_CSV = Path(__file__).resolve().parents[1] / "data" / "catalog.csv"


@cache
def catalog_rows() -> tuple[dict[str, str], ...]:
    """One row per catalog node: id, kind (clause|subclause|objective|control), parent, title."""
    with CATALOG_CSV.open(encoding="utf-8", newline="") as fh:
        return tuple(dict(r) for r in csv.DictReader(fh))


def ensure_catalog(con: duckdb.DuckDBPyConnection) -> None:
    """Make the catalog available as temporary table `aims_catalog` in a connection."""
    exists = con.execute(
        "select count(*) from duckdb_tables() where table_name = 'aims_catalog' and temporary"
    ).fetchone()[0]
    if not exists:
        con.execute(
            "create temp table aims_catalog as select * from read_csv($p, header = true, all_varchar = true)",
            {"p": str(CATALOG_CSV)},
        )
