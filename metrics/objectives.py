"""AI objectives (6.2): each objective's latest value against its target, and whether it is overdue.

An objective measured by a monitoring metric takes its value from the monitoring points; one measured
`manual` (or whose metric has no points yet) takes the current value given in its file. On track:
at_least -> value >= target, at_most -> value <= target. Definitions: METRICS.md, "Objectives".
"""

from __future__ import annotations

import datetime as dt

import duckdb
import pandas as pd

from store.db import query

from .incidents import SCOPE_CTE, in_scope

__all__ = ["objectives_status"]

_STATUS = f"""
with {SCOPE_CTE},
obj as (
    select o.*, m.file_name, m.as_of as file_as_of
    from objectives o join imports m using (import_id)
    where o.replaced_by is null and (o.ai_system_key is null or {in_scope("o.ai_system_key")})
),
measured as (
    select o.objective_id, p.observed_at, p.value
    from obj o join monitoring p
      on o.measure <> 'manual' and lower(trim(p.metric)) = lower(trim(o.measure))
     and (o.ai_system_key is null or p.ai_system_key = o.ai_system_key)
    where p.replaced_by is null and p.observed_at < $until and {in_scope("p.ai_system_key")}
    qualify rank() over (partition by o.objective_id order by p.observed_at desc) = 1
),
latest as (
    select objective_id, max(observed_at) as observed_at, min(value) as lowest, max(value) as highest,
           count(*) as series
    from measured group by objective_id
),
valued as (
    select o.*, l.series,
           case when l.objective_id is null then o.current_value
                when o.direction = 'at_most' then l.highest else l.lowest end as value,
           case when l.objective_id is not null then 'monitoring'
                when o.current_value is not null then 'file' end as value_source,
           case when l.objective_id is not null then cast(l.observed_at as date)
                when o.current_value is not null then o.file_as_of end as value_as_of
    from obj o left join latest l using (objective_id)
),
judged as (
    select *, case direction when 'at_least' then value >= target when 'at_most' then value <= target
              end as on_track
    from valued
)
"""


def objectives_status(
    con: duckdb.DuckDBPyConnection, *, as_of: dt.date, system: str | None = None, unit: str | None = None
) -> pd.DataFrame:
    """One row per objective: its latest value at `as_of`, target, direction, on track and overdue.

    The value of a metric-measured objective is the latest point at or before `as_of` of that metric
    for the objective's AI system (for an organisation-wide objective, any system in the filters'
    scope); where several series share that latest time (features, parallel versions), the worst for
    the direction counts. Overdue = due before `as_of` and not on track (no value is not on track).
    Organisation-wide objectives stay under a system or unit filter, as they apply to every system.
    """
    return query(
        con,
        _STATUS
        + """
        select objective_id, objective, measure, ai_system, ai_system_key, value, value_source, value_as_of,
               series as series_at_latest, target, direction, unit, owner, due_date, on_track,
               case when due_date is not null then due_date < $as_of and not coalesce(on_track, false)
               end as overdue,
               file_name, sheet, row_no, import_id
        from judged
        order by objective_id""",
        as_of=as_of,
        until=dt.datetime.combine(as_of + dt.timedelta(days=1), dt.time()),
        system=system,
        unit=unit,
    )
