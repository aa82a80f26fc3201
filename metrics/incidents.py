"""AI incidents: quarterly counts, open incidents and their age, recurring categories, serious incidents.

Rules (domain rules, "Incidents"): open at D = detected on or before D and not resolved or closed on or
before D, judged by the dates; the status decides only for a row with neither date. Days to resolve =
resolved date - detected date. A serious incident's deadline = awareness date + 15, 10 or 2 days; met =
reported to the authority on or before it. Only current versions of the records count. Definitions:
METRICS.md, "Incidents".

The scope rule for rows naming an AI system (`SCOPE_CTE`, `in_scope`) is shared with the monitoring and
objectives metrics: `$system` matches the row's AI-system key, or any name or id of the inventory system
it names; `$unit` keeps the rows whose AI system the inventory places in that business unit.
"""

from __future__ import annotations

import datetime as dt
from typing import Literal

import duckdb
import pandas as pd
from pydantic import BaseModel

from store.db import query, rows

from .periods import parse_quarter

__all__ = [
    "AGE_BUCKETS",
    "SEVERITIES",
    "IncidentSummary",
    "incident_rows",
    "incident_summary",
    "incidents_by_period",
    "open_incident_ageing",
    "recurring_categories",
    "serious_incidents",
]

SEVERITIES = ("critical", "high", "medium", "low")
STATUSES = ("open", "investigating", "mitigated", "resolved", "closed")
AGE_BUCKETS = ("0-7", "8-30", "31-90", ">90")

_NORM = "lower(regexp_replace({x}, '\\s+', '', 'g'))"

# One row per key by which a current inventory system can be named (its name's and its id's match form).
SCOPE_CTE = f"""
scope_inv as (
    select k, name_key, {_NORM.format(x="system_id")} as id_key, name, business_unit
    from (select *, unnest([name_key, {_NORM.format(x="system_id")}]) as k
          from systems where replaced_by is null)
    where k is not null
)"""


def in_scope(key: str) -> str:
    """SQL: whether the AI-system key `key` (an expression from code) passes the `$system`/`$unit` filters."""
    system = _NORM.format(x="$system")
    return f"""(($system is null or {key} = {system}
              or {key} in (select k from scope_inv where {system} in (name_key, id_key)))
            and ($unit is null or {key} in (select k from scope_inv
                 where lower(trim(business_unit)) = lower(trim($unit)))))"""


_INCIDENTS = f"""
with {SCOPE_CTE},
inc as (
    select i.*, m.file_name,
           coalesce((select any_value(s.name) from scope_inv s where s.k = i.ai_system_key),
                    min(i.ai_system) over (partition by i.ai_system_key)) as system_name
    from incidents i join imports m using (import_id)
    where i.replaced_by is null and {in_scope("i.ai_system_key")}
)
"""


def _open_at(d: str) -> str:
    """SQL: whether the incident is open at the date expression `d` (dates first, status as fallback)."""
    return f"""(detected_date <= {d} and case
        when resolved_date is null and closed_date is null then status not in ('resolved', 'closed')
        else not coalesce(resolved_date <= {d} or closed_date <= {d}, false) end)"""


def _status_at(d: str) -> str:
    return f"""case when closed_date <= {d} then 'closed' when resolved_date <= {d} then 'resolved'
        when (resolved_date is null and closed_date is null) or status not in ('resolved', 'closed')
        then status else 'open' end"""


def _serious_outcome(d: str) -> str:
    """SQL: met / missed / pending / unknown of a serious incident's report, judged at `d`."""
    reported = f"case when authority_reported_date <= {d} then authority_reported_date end"
    deadline = "awareness_date + deadline_days"
    return f"""case when awareness_date is null or deadline_days is null then 'unknown'
        when {reported} <= {deadline} then 'met'
        when {reported} is not null or {deadline} < {d} then 'missed'
        else 'pending' end"""


class IncidentSummary(BaseModel):
    """Incident figures of one quarter (counts by detected date; open and missed judged at its end)."""

    quarter: str
    start: dt.date
    end: dt.date
    total: int
    by_severity: dict[str, int]
    open: int
    resolved: int
    mean_days_to_resolve: float | None
    median_days_to_resolve: float | None
    serious: int
    serious_missed: int
    serious_pending: int


def incident_summary(
    con: duckdb.DuckDBPyConnection, *, quarter: str, system: str | None = None, unit: str | None = None
) -> IncidentSummary:
    """One summary per quarter: incidents detected, open at its end, days to resolve, serious and missed."""
    q = parse_quarter(quarter)
    in_q = "detected_date between $start and $end"
    severities = ",\n".join(
        f"count(*) filter (where {in_q} and severity = '{s}') as sev_{s}" for s in SEVERITIES
    )
    row = rows(
        con,
        _INCIDENTS
        + f"""
        select count(*) filter (where {in_q}) as total, {severities},
               count(*) filter (where {_open_at("$end")}) as open,
               count(*) filter (where resolved_date between $start and $end) as resolved,
               avg(resolved_date - detected_date) filter (where resolved_date between $start and $end)
                   as mean_days_to_resolve,
               median(resolved_date - detected_date) filter (where resolved_date between $start and $end)
                   as median_days_to_resolve,
               count(*) filter (where serious and {in_q}) as serious,
               count(*) filter (where serious and {in_q} and {_serious_outcome("$end")} = 'missed')
                   as serious_missed,
               count(*) filter (where serious and {in_q} and {_serious_outcome("$end")} = 'pending')
                   as serious_pending
        from inc""",
        start=q.start,
        end=q.end,
        system=system,
        unit=unit,
    )[0]
    by_severity = {s: row.pop(f"sev_{s}") for s in SEVERITIES}
    return IncidentSummary(quarter=str(q), start=q.start, end=q.end, by_severity=by_severity, **row)


_GROUPS = {
    "severity": ("severity", SEVERITIES),
    "status": (_status_at("least(p.period_end, $as_of)"), STATUSES),
    "category": ("coalesce(i.category, '(none)')", ()),
    "ai_system": ("coalesce(i.system_name, '(none)')", ()),
}


# One row per period x group (dense: every period from the first incident's to the one holding $as_of,
# every group); `{group}` is the group expression, chosen from `_GROUPS` in code.
_BY_PERIOD = """
, periods as (
    select cast(p as date) as period_start,
           cast(p + to_months($months) - interval 1 day as date) as period_end
    from (select unnest(generate_series(date_trunc($grain, first), date_trunc($grain, $as_of),
                                        to_months($months))) as p
          from (select min(detected_date) as first from inc where detected_date <= $as_of))
),
counted as (
    select p.period_start, {group} as grp, count(*) as n
    from periods p join inc i on i.detected_date between p.period_start and least(p.period_end, $as_of)
    group by all
),
groups as (select unnest($vocabulary::varchar[]) as grp union select grp from counted)
select case when $grain = 'month' then strftime(p.period_start, '%Y-%m')
            else strftime(p.period_start, '%Y') || '-Q' || quarter(p.period_start) end as period,
       p.period_start, p.period_end, g.grp as "group", coalesce(c.n, 0) as count
from periods p cross join groups g
left join counted c on c.period_start = p.period_start and c.grp = g.grp
order by p.period_start, coalesce(list_position($vocabulary::varchar[], g.grp), 99), g.grp
"""


def incidents_by_period(
    con: duckdb.DuckDBPyConnection,
    *,
    as_of: dt.date,
    grain: Literal["month", "quarter"],
    by: Literal["severity", "status", "category", "ai_system"],
    system: str | None = None,
    unit: str | None = None,
) -> pd.DataFrame:
    """One row per period x group: incidents detected in the period (up to `as_of`), zeros included.

    Periods run from the first incident's period to the period of `as_of`. By status, an incident
    counts under its status at the period end (or at `as_of` for the last period).
    """
    if grain not in ("month", "quarter") or by not in _GROUPS:
        raise ValueError(f"grain must be month or quarter and by one of {', '.join(_GROUPS)}")
    expr, vocabulary = _GROUPS[by]
    return query(
        con,
        _INCIDENTS + _BY_PERIOD.format(group=expr),
        as_of=as_of,
        grain=grain,
        months=1 if grain == "month" else 3,
        vocabulary=list(vocabulary),
        system=system,
        unit=unit,
    )


_ROW_COLUMNS = """incident_id, title, ai_system, ai_system_key, system_name, severity, status, category,
    detected_date, resolved_date, closed_date, serious"""
_SOURCE = "file_name, sheet, row_no, import_id"


def open_incident_ageing(
    con: duckdb.DuckDBPyConnection, *, as_of: dt.date, system: str | None = None, unit: str | None = None
) -> pd.DataFrame:
    """One row per incident open at `as_of`: its age in days and age bucket (0-7, 8-30, 31-90, >90)."""
    return query(
        con,
        _INCIDENTS
        + f"""
        select {_ROW_COLUMNS}, $as_of - detected_date as age_days,
               case when $as_of - detected_date <= 7 then '0-7' when $as_of - detected_date <= 30 then '8-30'
                    when $as_of - detected_date <= 90 then '31-90' else '>90' end as age_bucket,
               {_SOURCE}
        from inc where {_open_at("$as_of")}
        order by age_days desc, incident_id""",
        as_of=as_of,
        system=system,
        unit=unit,
    )


def recurring_categories(
    con: duckdb.DuckDBPyConnection,
    *,
    as_of: dt.date,
    window_days: int = 365,
    min_count: int = 3,
    system: str | None = None,
    unit: str | None = None,
) -> pd.DataFrame:
    """One row per category with at least `min_count` incidents detected in the `window_days` to `as_of`.

    The window is (as_of - window_days, as_of]: `window_days` days ending with `as_of`.
    """
    return query(
        con,
        _INCIDENTS
        + """
        select category, count(*) as count, min(detected_date) as first_detected,
               max(detected_date) as last_detected,
               list_sort(list(distinct system_name) filter (where system_name is not null)) as ai_systems,
               list_sort(list(incident_id)) as incident_ids
        from inc
        where category is not null and detected_date <= $as_of and detected_date > $as_of - $window_days
        group by category having count(*) >= $min_count
        order by count desc, category""",
        as_of=as_of,
        window_days=window_days,
        min_count=min_count,
        system=system,
        unit=unit,
    )


def serious_incidents(
    con: duckdb.DuckDBPyConnection, *, as_of: dt.date, system: str | None = None, unit: str | None = None
) -> pd.DataFrame:
    """One row per serious incident detected by `as_of`: its reporting deadline and outcome at `as_of`.

    Outcome: met (reported on or before awareness + deadline days), missed (reported later, or not
    reported and the deadline passed), pending (not reported, deadline not passed), unknown (no
    awareness date or deadline class). A report dated after `as_of` is not yet made at `as_of`.
    """
    return query(
        con,
        _INCIDENTS
        + f"""
        select incident_id, title, ai_system, ai_system_key, system_name, severity, detected_date,
               awareness_date, deadline_class, deadline_days, awareness_date + deadline_days as deadline_date,
               authority_reported_date as reported_date, {_serious_outcome("$as_of")} as outcome, {_SOURCE}
        from inc where serious and detected_date <= $as_of
        order by detected_date, incident_id""",
        as_of=as_of,
        system=system,
        unit=unit,
    )


def incident_rows(
    con: duckdb.DuckDBPyConnection, *, as_of: dt.date, system: str | None = None, unit: str | None = None
) -> pd.DataFrame:
    """One row per incident detected by `as_of`: its state at `as_of` and its source file, sheet and row."""
    return query(
        con,
        _INCIDENTS
        + f"""
        select {_ROW_COLUMNS}, root_cause, linked_to, reported_date, {_open_at("$as_of")} as open,
               {_status_at("$as_of")} as status_at_as_of,
               case when resolved_date <= $as_of then resolved_date - detected_date end as days_to_resolve,
               {_SOURCE}
        from inc where detected_date <= $as_of
        order by detected_date, incident_id""",
        as_of=as_of,
        system=system,
        unit=unit,
    )
