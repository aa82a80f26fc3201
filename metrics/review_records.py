"""Management-review decisions and actions (9.3.3) recorded in the dashboard, as the pack reports them.

Records are versioned by the writer (`store.writer.record_review_item`, `update_review_action`): a new
status is a new version, and the current version of a decision or action is the one not replaced.
Definitions: METRICS.md, "Management review records".
"""

from __future__ import annotations

import datetime as dt

import duckdb
import pandas as pd

from store.db import query, table_exists

from .periods import parse_quarter

__all__ = ["review_records"]

_COLUMNS = [
    "record_key",
    "kind",
    "text",
    "owner",
    "due_date",
    "status",
    "closed_date",
    "overdue",
    "held_on",
    "recorded_at",
    "recorded_by",
    "versions",
]


def review_records(
    con: duckdb.DuckDBPyConnection, *, quarter: str, as_of: dt.date | None = None
) -> pd.DataFrame:
    """One row per decision or action of the management review about `quarter`, in its current version.

    Decisions first, then actions, each in the order recorded. `overdue` (actions only) = not closed and
    due before `as_of` (default: the quarter's last day); pass a later quarter's end to judge the actions
    of an earlier review, as 9.3.2 a) asks. `versions` counts the record's versions (status updates + 1).
    """
    if not table_exists(con, "review_records"):
        return pd.DataFrame(columns=_COLUMNS)
    q = parse_quarter(quarter)
    return query(
        con,
        """
        with current as (
            select *, count(*) over (partition by record_key) as versions
            from review_records where quarter = $quarter
            qualify replaced_by is null
        )
        select record_key, kind, text, owner, due_date, status, closed_date,
               case when kind = 'action' then status <> 'closed' and coalesce(due_date < $as_of, false) end
                   as overdue,
               held_on, recorded_at, recorded_by, versions
        from current
        order by kind = 'action', record_key
        """,
        quarter=str(q),
        as_of=as_of or q.end,
    )
