"""Audit findings, nonconformities, actions (10.2, 9.3.3) and the audit programme (9.2).

Rules (domain rules, "Findings and actions"): open at D = raised on or before D and not closed on or
before D; overdue at D = not closed at D and due before D; closed late = closed after its due date; a
repeat nonconformity = a second nonconformity on the same clause or control within 12 months.

Where a date is missing, the file's as-of date bounds it: a finding without a raised date was raised by
the as-of date of its file, and one whose status is closed without a closing date was closed by then
(it counts as closed from that date on, but "closed late" and days to close are not judged for it).
Findings carry no AI system: they concern the management system as a whole. Definitions: METRICS.md,
"Findings, actions and audits".
"""

from __future__ import annotations

import datetime as dt

import duckdb
import pandas as pd
from pydantic import BaseModel

from store.db import query, rows

__all__ = [
    "FINDING_TYPES",
    "AuditSummary",
    "FindingsSummary",
    "audit_programme",
    "audit_summary",
    "findings_rows",
    "findings_summary",
    "nonconformity_trend",
    "overdue_actions",
]

FINDING_TYPES = ("major_nonconformity", "minor_nonconformity", "observation", "opportunity")

_FINDINGS = """
with fnd as (
    select f.*, m.file_name, coalesce(f.raised_date, m.as_of) as raised_on,
           coalesce(f.closed_date, case when f.status = 'closed' then m.as_of end) as closed_on,
           coalesce(f.finding_type in ('major_nonconformity', 'minor_nonconformity'), false) as is_nc
    from findings f join imports m using (import_id)
    where f.replaced_by is null
),
repeats as (
    select finding_id, lag(raised_on) over (partition by requirement_id order by raised_on, finding_id)
                       >= raised_on - interval 12 month as is_repeat
    from fnd where is_nc and requirement_id is not null
),
judged as (
    select f.*, coalesce(r.is_repeat, false) as is_repeat,
           f.closed_on is null or f.closed_on > $as_of as open,
           (f.closed_on is null or f.closed_on > $as_of) and coalesce(f.due_date < $as_of, false) as overdue,
           f.closed_date <= $as_of and f.closed_date > f.due_date as closed_late
    from fnd f left join repeats r using (finding_id)
    where f.raised_on <= $as_of
)
"""


class FindingsSummary(BaseModel):
    """Findings and actions at one as-of date (organisation-wide)."""

    as_of: dt.date
    scope: str  # always "organisation": findings carry no AI system
    raised: int
    open: int
    open_nonconformities: int
    open_by_type: dict[str, int]  # FINDING_TYPES plus "unclassified"
    overdue: int
    closed_late: int
    mean_days_to_close: float | None
    repeat_nonconformities: int
    effectiveness_pending: int


def findings_summary(
    con: duckdb.DuckDBPyConnection, *, as_of: dt.date, system: str | None = None, unit: str | None = None
) -> FindingsSummary:
    """One summary at `as_of`: open findings by type, overdue, closed late, days to close, repeats and
    nonconformities closed without verified effectiveness.

    Findings concern the management system, not one AI system: `system` and `unit` are accepted like
    every summary's filters, and the figures stay the organisation's (`scope`), as an organisation-wide
    control applies to every AI system.
    """
    types = ",\n".join(
        f"count(*) filter (where open and finding_type = '{t}') as open_{t}" for t in FINDING_TYPES
    )
    row = rows(
        con,
        _FINDINGS
        + f"""
        select count(*) as raised, count(*) filter (where open) as open,
               count(*) filter (where open and is_nc) as open_nonconformities, {types},
               count(*) filter (where open and finding_type is null) as open_unclassified,
               count(*) filter (where overdue) as overdue,
               count(*) filter (where closed_late) as closed_late,
               avg(closed_date - raised_date) filter (where closed_date <= $as_of) as mean_days_to_close,
               count(*) filter (where is_repeat) as repeat_nonconformities,
               count(*) filter (where is_nc and not open and effectiveness_verified is not true)
                   as effectiveness_pending
        from judged""",
        as_of=as_of,
    )[0]
    by_type = {t: row.pop(f"open_{t}") for t in (*FINDING_TYPES, "unclassified")}
    return FindingsSummary(as_of=as_of, scope="organisation", open_by_type=by_type, **row)


_ROW = """finding_id, source, finding_type, requirement_id, title, owner, status, raised_date, due_date,
    closed_date, effectiveness_verified, audit_id"""
_SOURCE = "file_name, sheet, row_no, import_id"


def findings_rows(con: duckdb.DuckDBPyConnection, *, as_of: dt.date) -> pd.DataFrame:
    """One row per finding raised by `as_of`: its state at `as_of` (open, overdue and days overdue,
    closed late, repeat) and its source file, sheet and row."""
    return query(
        con,
        _FINDINGS
        + f"""
        select {_ROW}, open, overdue, case when overdue then $as_of - due_date end as days_overdue,
               coalesce(closed_late, false) as closed_late, is_nc as nonconformity,
               is_repeat as repeat_nonconformity, {_SOURCE}
        from judged order by raised_on, finding_id""",
        as_of=as_of,
    )


def overdue_actions(con: duckdb.DuckDBPyConnection, *, as_of: dt.date) -> pd.DataFrame:
    """One row per finding or action overdue at `as_of` (not closed, due before it): days overdue and
    source row, most overdue first."""
    return query(
        con,
        _FINDINGS
        + f"""
        select {_ROW}, $as_of - due_date as days_overdue, {_SOURCE}
        from judged where overdue order by days_overdue desc, finding_id""",
        as_of=as_of,
    )


def nonconformity_trend(con: duckdb.DuckDBPyConnection, *, as_of: dt.date, quarters: int = 6) -> pd.DataFrame:
    """One row per quarter, the last `quarters` up to the one holding `as_of`: nonconformities raised and
    closed in it and open at its end (the last quarter is cut at `as_of`)."""
    if quarters < 1:
        raise ValueError("quarters must be at least 1")
    return query(
        con,
        """
        with fnd as (
            select coalesce(f.raised_date, m.as_of) as raised_on,
                   coalesce(f.closed_date, case when f.status = 'closed' then m.as_of end) as closed_on
            from findings f join imports m using (import_id)
            where f.replaced_by is null and f.finding_type in ('major_nonconformity', 'minor_nonconformity')
        ),
        qs as (
            select cast(q as date) as quarter_start,
                   least(cast(q + interval 3 month - interval 1 day as date), $as_of) as quarter_end
            from (select unnest(generate_series(date_trunc('quarter', $as_of) - to_months(3 * ($n - 1)),
                                                date_trunc('quarter', $as_of), interval 3 month)) as q)
        )
        select strftime(quarter_start, '%Y') || '-Q' || quarter(quarter_start) as quarter, quarter_start,
               quarter_end,
               count(raised_on) filter (where raised_on between quarter_start and quarter_end) as raised,
               count(raised_on) filter (where closed_on between quarter_start and quarter_end) as closed,
               count(raised_on) filter (where raised_on <= quarter_end
                                          and (closed_on is null or closed_on > quarter_end)) as open
        from qs left join fnd on true
        group by quarter_start, quarter_end order by quarter_start""",
        as_of=as_of,
        n=quarters,
    )


_AUDITS = """
with aud as (
    select a.*, m.file_name,
           case when a.done_date <= $as_of and (a.planned_date is null or a.done_date <= a.planned_date)
                then 'done'
                when a.done_date <= $as_of then 'done_late'
                when a.planned_date < $as_of then 'overdue'
                else 'planned' end as status
    from audits a join imports m using (import_id)
    where a.replaced_by is null
)
"""


def audit_programme(con: duckdb.DuckDBPyConnection, *, as_of: dt.date) -> pd.DataFrame:
    """One row per audit of the programme: planned and done dates and its status at `as_of`: done,
    done_late (done after the planned date), overdue (planned before `as_of`, not done) or planned."""
    return query(
        con,
        _AUDITS
        + """
        select audit_id, audit_scope, audit_type, auditor, planned_date,
               case when done_date <= $as_of then done_date end as done_date, status,
               file_name, sheet, row_no, import_id
        from aud order by coalesce(planned_date, done_date), audit_id""",
        as_of=as_of,
    )


class AuditSummary(BaseModel):
    """The audit programme at one as-of date."""

    as_of: dt.date
    audits: int  # in the programme
    planned: int  # planned on or before as_of
    done: int  # done on or before as_of (on time or late)
    done_late: int
    overdue: int
    upcoming: int  # not done, planned after as_of (or without a date)


def audit_summary(con: duckdb.DuckDBPyConnection, *, as_of: dt.date) -> AuditSummary:
    """One summary at `as_of`: audits planned and done up to it, done late, overdue and upcoming."""
    row = rows(
        con,
        _AUDITS
        + """
        select count(*) as audits, count(*) filter (where planned_date <= $as_of) as planned,
               count(*) filter (where status in ('done', 'done_late')) as done,
               count(*) filter (where status = 'done_late') as done_late,
               count(*) filter (where status = 'overdue') as overdue,
               count(*) filter (where status = 'planned') as upcoming
        from aud""",
        as_of=as_of,
    )[0]
    return AuditSummary(as_of=as_of, **row)
