"""What changed in Annex A coverage since the previous quarter, control by control and per objective.

Both quarters are read as of their last day with the same scope rules (`metrics._coverage_sql`).
Definitions: METRICS.md, "Coverage".
"""

from __future__ import annotations

import duckdb
import pandas as pd

from store.db import query

from ._coverage_sql import COUNTS, RATES, STATE, state_params
from .periods import parse_quarter

__all__ = ["CHANGES", "STATUS_ORDER", "coverage_changes"]

# Best first; a control missing from the SoA in force is not assessed.
STATUS_ORDER = ("implemented", "partially_implemented", "planned", "not_implemented", "not_assessed")
CHANGES = ("improved", "regressed", "unchanged", "new", "scope_change", "no_comparison")

_SQL = (
    STATE
    + f""",
ranked as (
    select *, list_position($order, status) as rank from state where kind = 'control'
),
controls_now as (
    select c.id, 'control' as kind, c.group_id, c.ord, p.status as previous_status, c.status,
           null::double as previous_rate, null::double as rate,
           case when not p.has_data or not c.has_data then 'no_comparison'
                when not p.assessed and c.assessed then 'new'
                when (p.status = 'not_applicable') <> (c.status = 'not_applicable') then 'scope_change'
                when c.rank < p.rank then 'improved'
                when c.rank > p.rank then 'regressed'
                else 'unchanged' end as change
    from ranked c join ranked p on p.id = c.id and p.period = 'previous'
    where c.period = 'current'
),
by_objective as (
    select period, group_id, bool_or(has_data) as has_data, bool_or(assessed) as assessed, {COUNTS}
    from state where kind = 'control' group by period, group_id
),
objective_rates as (select *, {RATES} from by_objective),
objectives_now as (
    select c.group_id as id, 'objective' as kind, c.group_id, k.ord, null as previous_status, null as status,
           p.implementation_rate as previous_rate, c.implementation_rate as rate,
           case when not p.has_data or not c.has_data then 'no_comparison'
                when not p.assessed and c.assessed then 'new'
                when (p.implementation_rate is null) <> (c.implementation_rate is null) then 'scope_change'
                when c.implementation_rate > p.implementation_rate then 'improved'
                when c.implementation_rate < p.implementation_rate then 'regressed'
                else 'unchanged' end as change
    from objective_rates c
    join objective_rates p on p.group_id = c.group_id and p.period = 'previous'
    join catalog k on k.id = c.group_id
    where c.period = 'current'
)
select id, kind, group_id as objective_id, previous_status, status, previous_rate, rate, change
from (select * from controls_now union all by name select * from objectives_now)
order by (select ord from catalog where id = group_id), kind = 'control', ord
"""
)


def coverage_changes(
    con: duckdb.DuckDBPyConnection, *, quarter: str, scope: str = "organisation"
) -> pd.DataFrame:
    """One row per Annex A objective followed by its controls: status or rate then and now, and the change.

    Columns: id, kind (objective | control), objective_id, previous_status and status (controls),
    previous_rate and rate (objectives: implementation rate), change (one of `CHANGES`).
    """
    current = parse_quarter(quarter)
    days = {"current": current.end, "previous": current.previous().end}
    return query(con, _SQL, order=list(STATUS_ORDER), **state_params(days, scope=scope, con=con))
