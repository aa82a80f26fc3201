"""The import log, as users see it on the Data page and in the pack's sources sheet."""

from __future__ import annotations

import duckdb
import pandas as pd

from store.db import query, table_exists

__all__ = ["import_log", "import_messages"]


def import_log(con: duckdb.DuckDBPyConnection) -> pd.DataFrame:
    """One row per import (loaded, refused or removed), newest first, with hash, user and counts."""
    if not table_exists(con, "imports"):
        return pd.DataFrame()
    return query(
        con,
        """
        select import_id, dataset, file_name, sheet, as_of, as_of_source, scope, rows, problems, warnings,
               outcome, superseded_by, loaded_at, loaded_by, removed_at, removed_by, sha256
        from imports order by import_id desc
        """,
    )


def import_messages(con: duckdb.DuckDBPyConnection, *, import_id: int) -> pd.DataFrame:
    """One row per problem or warning of one import, in file order."""
    return query(
        con,
        """
        select severity, code, sheet, row_no, column_name, value, expected, message
        from import_messages where import_id = $id order by row_no nulls first, severity, code
        """,
        id=import_id,
    )
