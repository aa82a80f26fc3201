"""Drill-down to single requirements: their rows in force, and their history across snapshots.

A requirement is an Annex A control or a leaf subclause of clauses 4-10; which row is in force (scope
override, a parent subclause's row for a leaf without its own) is defined in `metrics._coverage_sql`.
Every row names its source: file, sheet, row number and import. Definitions: METRICS.md, "Coverage".
"""

from __future__ import annotations

import datetime as dt
from typing import Literal

import duckdb
import pandas as pd

from store.db import query

from ._coverage_sql import STATE, state_params

__all__ = ["requirement_history", "requirement_rows"]

_KINDS = ("control", "subclause")


def requirement_rows(
    con: duckdb.DuckDBPyConnection,
    *,
    as_of: dt.date,
    scope: str = "organisation",
    kind: Literal["control", "subclause"] = "control",
) -> pd.DataFrame:
    """One row per catalog control (or leaf subclause), in catalog order: its assessment in force.

    Columns: id, group_id (objective or clause), title, status, applicable, justification, owner,
    evidence, evidence_date, evidence_stale, last_reviewed, source_id (whose row it is: the requirement's
    own, or a parent subclause's), assessed_scope, assessed_as_of, file_name, sheet, row_no, import_id.
    No rows when no controls snapshot is in force on `as_of` for the scope.
    """
    if kind not in _KINDS:
        raise ValueError(f"kind must be one of {', '.join(_KINDS)}, not {kind!r}")
    return query(
        con,
        STATE
        + """
        select id, group_id, title, status, applicable, justification, owner, evidence, evidence_date,
               evidence_stale, last_reviewed, source_id, assessed_scope, assessed_as_of,
               file_name, sheet, row_no, import_id
        from state where kind = $kind and has_data
        order by ord
        """,
        kind=kind,
        **state_params({"current": as_of}, scope=scope, con=con),
    )


def requirement_history(
    con: duckdb.DuckDBPyConnection,
    *,
    requirement_id: str,
    scope: str = "organisation",
    as_of: dt.date | None = None,
) -> pd.DataFrame:
    """One row per live snapshot (of the organisation or `scope`) holding the requirement, oldest first;
    with `as_of`, only the snapshots dated on or before it (the history as it stood then).

    A leaf subclause is held by a snapshot through its own row, else its nearest parent subclause's
    (`source_id`). Superseded and removed imports are not history. Columns: as_of, valid_to, scope,
    status, applicable, justification, evidence, evidence_date, source_id, file_name, sheet, row_no,
    import_id.
    """
    return query(
        con,
        """
        with snapshot as (
            select import_id, as_of, valid_to, scope, file_name from imports
            where dataset = 'controls' and outcome = 'loaded' and superseded_by is null
              and scope in ('organisation', $scope) and ($as_of is null or as_of <= $as_of)
        ),
        source as (
            select a.id as source_id, length(a.id) as depth from catalog r join catalog a
              on a.id = r.id or (r.kind = 'subclause' and a.kind = 'subclause' and starts_with(r.id, a.id || '.'))
            where r.id = $requirement_id and r.kind in ('control', 'subclause')
        )
        select s.as_of, s.valid_to, s.scope,
               case when not c.applicable then 'not_applicable' else coalesce(c.status, 'not_assessed') end
                   as status,
               c.applicable, c.justification, c.evidence, c.evidence_date, c.requirement_id as source_id,
               s.file_name, c.sheet, c.row_no, c.import_id
        from snapshot s
        join controls c on c.import_id = s.import_id
        join source q on q.source_id = c.requirement_id
        qualify row_number() over (partition by c.import_id order by q.depth desc) = 1
        order by s.as_of, s.scope <> 'organisation', c.import_id
        """,
        requirement_id=requirement_id.strip(),
        scope=scope,
        as_of=as_of,
    )
