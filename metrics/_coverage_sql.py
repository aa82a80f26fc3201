"""The requirement state every coverage figure is built on (shared SQL, not a metric itself).

`STATE` yields one row per (period, requirement): per period a date (`day`) and an evidence age limit
(`months`), per requirement one catalog Annex A control or one *leaf* subclause of clauses 4-10 (a
subclause with children, like 6.1 or 9.2, is not a requirement of its own: its children are).

Which row is in force for a requirement on a period's day, for scope `$scope`:
1. the snapshots in force on that day: per scope, the live import with as-of <= day < valid_to;
2. a row of the scope's own snapshot wins over the organisation's (the override rule);
3. a leaf subclause without a row of its own takes the row of its nearest assessed parent subclause
   (a file that assesses only 9.2 has assessed 9.2.1 and 9.2.2 with it); `source_id` says whose row it is.
   The scope comes first, then the nearest parent.

When no controls snapshot is in force for the period (neither the scope's nor the organisation's),
`has_data` is false and `applicable` and `status` are null: nothing to measure, so counts are zero and
rates are null. Otherwise a requirement without a row counts as applicable and not assessed.

Evidence is stale for an applicable, implemented or partially implemented requirement whose evidence date
is missing or falls before `day` minus the evidence age limit in months; evidence dated exactly on that
boundary is still fresh. For other requirements `evidence_stale` is false (not judged).
"""

from __future__ import annotations

import datetime as dt
from typing import Any

import duckdb

from .settings import settings_at

STATE = """
with periods as (select unnest($periods) as period, unnest($days) as day, unnest($months) as months),
live as (
    select p.period, i.import_id, i.scope, i.as_of, i.file_name
    from periods p join imports i on i.as_of <= p.day and (i.valid_to is null or i.valid_to > p.day)
    where i.dataset = 'controls' and i.outcome = 'loaded' and i.superseded_by is null
      and i.scope in ('organisation', $scope)
),
requirement as (
    select k.id, k.kind, k.title, k.ord,
           case when k.kind = 'control' then k.parent else split_part(k.id, '.', 1) end as group_id
    from catalog k
    where k.kind = 'control'
       or (k.kind = 'subclause' and not exists (select 1 from catalog c where c.parent = k.id))
),
lineage as (
    select r.id, a.id as source_id, length(r.id) - length(a.id) as distance
    from requirement r join catalog a
      on a.id = r.id or (r.kind = 'subclause' and a.kind = 'subclause' and starts_with(r.id, a.id || '.'))
),
chosen as (
    select l.period, g.id, c.*, l.scope, l.as_of as assessed_as_of, l.file_name
    from lineage g
    join controls c on c.requirement_id = g.source_id
    join live l on l.import_id = c.import_id
    qualify row_number() over (partition by l.period, g.id order by (l.scope = 'organisation'), g.distance) = 1
),
period_data as (
    select p.period, p.day, cast(p.day - to_months(p.months) as date) as fresh_from,
           exists (select 1 from live l where l.period = p.period) as has_data
    from periods p
),
state as (
    select p.period, p.day, p.has_data, r.id, r.kind, r.title, r.ord, r.group_id,
           a.requirement_id as source_id, p.has_data and a.requirement_id is not null as assessed,
           case when p.has_data then coalesce(a.applicable, true) end as applicable,
           case when not p.has_data then null
                when a.requirement_id is null then 'not_assessed'
                when not a.applicable then 'not_applicable'
                else coalesce(a.status, 'not_assessed') end as status,
           a.status_raw, a.justification, a.owner, a.evidence, a.evidence_date, a.last_reviewed,
           coalesce(a.applicable and a.status in ('implemented', 'partially_implemented')
                    and (a.evidence_date is null or a.evidence_date < p.fresh_from), false) as evidence_stale,
           a.scope as assessed_scope, a.assessed_as_of, a.file_name, a.sheet, a.row_no, a.import_id
    from period_data p
    cross join requirement r
    left join chosen a on a.period = p.period and a.id = r.id
)
"""

# Counts over `state` rows (use inside a select with a group by, or over one period).
COUNTS = """
count(*) as requirements,
count(*) filter (where assessed) as assessed,
count(*) filter (where applicable) as applicable,
count(*) filter (where status = 'implemented') as implemented,
count(*) filter (where status = 'partially_implemented') as partially_implemented,
count(*) filter (where status = 'planned') as planned,
count(*) filter (where status = 'not_implemented') as not_implemented,
count(*) filter (where status = 'not_assessed') as not_assessed,
count(*) filter (where status = 'not_applicable') as not_applicable,
count(*) filter (where evidence_stale) as stale_evidence,
count(*) filter (where status = 'implemented' and not evidence_stale) as implemented_fresh
"""

# The rates from those counts: null (not zero) without an applicable requirement.
RATES = """
implemented / nullif(applicable, 0) as implementation_rate,
(implemented + 0.5 * partially_implemented) / nullif(applicable, 0) as weighted_score,
implemented_fresh / nullif(applicable, 0) as implementation_rate_fresh
"""


def state_params(days: dict[str, dt.date], *, scope: str, con: duckdb.DuckDBPyConnection) -> dict[str, Any]:
    """Bind values for `STATE`: one period per entry of `days` (name -> day), each with the evidence age
    limit in force on its day, read from the settings through `con`."""
    return {
        "periods": list(days),
        "days": list(days.values()),
        "months": [settings_at(con, as_of=day).evidence_age_months for day in days.values()],
        "scope": scope,
    }
