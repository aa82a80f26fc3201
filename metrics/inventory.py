"""What is loaded: one line per dataset, and the "data as of" stamp of a view."""

from __future__ import annotations

import datetime as dt

import duckdb
import pandas as pd

from store.db import query, scalar

__all__ = ["data_as_of", "loaded_datasets"]


def loaded_datasets(con: duckdb.DuckDBPyConnection, *, as_of: dt.date) -> pd.DataFrame:
    """One row per dataset with a loaded import on or before `as_of`: imports, rows, latest as-of, files.

    Rows count the imports' rows as loaded (a snapshot's superseded versions are not counted).
    """
    return query(
        con,
        """
        select dataset,
               count(*) as imports,
               sum(rows) filter (where superseded_by is null) as rows,
               max(as_of) as latest_as_of,
               max(loaded_at) as last_loaded_at,
               string_agg(distinct file_name, ', ' order by file_name) as files
        from imports
        where outcome = 'loaded' and as_of <= $as_of
        group by dataset
        order by dataset
        """,
        as_of=as_of,
    )


def data_as_of(con: duckdb.DuckDBPyConnection, *, as_of: dt.date) -> dt.date | None:
    """The newest as-of date of any loaded import on or before `as_of` (None when nothing is loaded)."""
    return scalar(
        con, "select max(as_of) from imports where outcome = 'loaded' and as_of <= $as_of", as_of=as_of
    )
