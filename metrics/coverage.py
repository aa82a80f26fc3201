"""Coverage of clauses and Annex A controls: implementation rate, weighted score, SoA completeness.

Rules (domain rules, "Controls and clauses"): implementation rate = implemented / applicable;
weighted score = (implemented + 0.5 x partially implemented) / applicable; not-applicable controls leave
the denominator; not assessed, planned and not implemented count as not implemented. An Annex A control
missing from the Statement of Applicability in force counts as applicable and not assessed. Evidence is
stale when its date is missing or older than the evidence age limit (a setting) on the as-of date; the
"fresh" rate counts implemented requirements with stale evidence as not implemented.

Which rows are in force, the leaf subclauses and the no-data case: `metrics._coverage_sql`. Definitions:
METRICS.md, "Coverage".
"""

from __future__ import annotations

import datetime as dt
from typing import Literal

import duckdb
import pandas as pd
from pydantic import BaseModel

from store.db import query, rows

from ._coverage_sql import COUNTS, RATES, STATE, state_params
from .settings import settings_at

__all__ = [
    "STATUSES",
    "AnnexASummary",
    "ClauseSummary",
    "SoaCompleteness",
    "annex_a_rows",
    "annex_a_summary",
    "clause_summary",
    "coverage_by_group",
    "soa_completeness",
]

STATUSES = ("implemented", "partially_implemented", "planned", "not_implemented", "not_assessed")

# One row per requirement in force at $as_of for the chosen scope: the latest snapshot of each scope with
# as-of <= $as_of; a scope-specific assessment overrides the organisation's.
IN_FORCE = """
with live as (
    select import_id, scope, as_of, file_name from imports
    where dataset = 'controls' and outcome = 'loaded' and superseded_by is null
      and as_of <= $as_of and (valid_to is null or valid_to > $as_of)
      and scope in ('organisation', $scope)
),
assessed as (
    select c.*, l.scope, l.as_of, l.file_name from controls c join live l using (import_id)
    qualify row_number() over (partition by c.requirement_id order by (l.scope = 'organisation')) = 1
)
"""


class AnnexASummary(BaseModel):
    """Annex A coverage at one as-of date and scope."""

    as_of: dt.date
    scope: str
    controls: int  # catalog controls (38)
    assessed: int  # controls with a row in the SoA in force
    applicable: int
    counts: dict[str, int]  # STATUSES plus not_applicable
    implementation_rate: float | None
    weighted_score: float | None
    without_justification: int
    sources: list[str]
    stale_evidence: int = 0  # applicable implemented or partial controls with missing or stale evidence
    implementation_rate_fresh: float | None = None  # implemented with fresh evidence / applicable


def annex_a_rows(
    con: duckdb.DuckDBPyConnection, *, as_of: dt.date, scope: str = "organisation"
) -> pd.DataFrame:
    """One row per Annex A control: its status in force, applicability, justification and source row."""
    return query(
        con,
        IN_FORCE
        + """
        select k.id as control_id, k.parent as objective_id, k.title,
               coalesce(a.applicable, true) as applicable,
               case when a.requirement_id is null then 'not_assessed'
                    when not a.applicable then 'not_applicable'
                    else a.status end as status,
               a.status_raw, a.justification, a.owner, a.evidence, a.evidence_date,
               a.file_name, a.sheet, a.row_no, a.as_of as assessed_as_of, a.scope as assessed_scope
        from catalog k left join assessed a on a.requirement_id = k.id
        where k.kind = 'control'
        order by k.ord
        """,
        as_of=as_of,
        scope=scope,
    )


# One row: the Annex A counts at $as_of for $scope over every catalog control ($months: evidence age limit).
_ANNEX_A_COUNTS = (
    IN_FORCE
    + """,
per_control as (
    select k.id, a.requirement_id is not null as assessed, coalesce(a.applicable, true) as applicable,
           coalesce(a.status, 'not_assessed') as status, a.justification, a.file_name,
           coalesce(a.applicable and a.status in ('implemented', 'partially_implemented')
                    and (a.evidence_date is null
                         or a.evidence_date < cast($as_of - to_months($months) as date)), false)
               as evidence_stale
    from catalog k left join assessed a on a.requirement_id = k.id where k.kind = 'control'
),
counted as (
    select count(*) as controls,
           count(*) filter (where assessed) as assessed,
           count(*) filter (where applicable) as applicable,
           count(*) filter (where applicable and status = 'implemented') as implemented,
           count(*) filter (where applicable and status = 'partially_implemented') as partially_implemented,
           count(*) filter (where applicable and status = 'planned') as planned,
           count(*) filter (where applicable and status = 'not_implemented') as not_implemented,
           count(*) filter (where applicable and status = 'not_assessed') as not_assessed,
           count(*) filter (where not applicable) as not_applicable,
           count(*) filter (where justification is null) as without_justification,
           count(*) filter (where evidence_stale) as stale_evidence,
           count(*) filter (where applicable and status = 'implemented' and not evidence_stale)
               as implemented_fresh,
           coalesce(list_sort(list(distinct file_name) filter (where file_name is not null)), []) as sources
    from per_control
)
select *, """
    + RATES
    + " from counted"
)


def annex_a_summary(
    con: duckdb.DuckDBPyConnection, *, as_of: dt.date, scope: str = "organisation"
) -> AnnexASummary:
    """Annex A implementation rate and weighted score with their counts (one row in, one summary out).

    Every catalog control counts. When no SoA is in force for the scope at all, the counts show all 38 as
    not assessed but the rates are None: there is nothing to rate, and 0% would be a claim.
    """
    agg = rows(
        con,
        _ANNEX_A_COUNTS,
        as_of=as_of,
        scope=scope,
        months=settings_at(con, as_of=as_of).evidence_age_months,
    )[0]
    return AnnexASummary(
        as_of=as_of,
        scope=scope,
        controls=agg["controls"],
        assessed=agg["assessed"],
        applicable=agg["applicable"],
        counts={k: agg[k] for k in (*STATUSES, "not_applicable")},
        implementation_rate=agg["implementation_rate"] if agg["assessed"] else None,
        weighted_score=agg["weighted_score"] if agg["assessed"] else None,
        without_justification=agg["without_justification"],
        sources=agg["sources"],
        stale_evidence=agg["stale_evidence"],
        implementation_rate_fresh=agg["implementation_rate_fresh"] if agg["assessed"] else None,
    )


class ClauseSummary(BaseModel):
    """Coverage of the mandatory clauses 4-10 (their leaf subclauses) at one as-of date and scope."""

    as_of: dt.date
    scope: str
    requirements: int  # leaf subclauses in the catalog
    assessed: int  # leaf subclauses with a row in force (their own or a parent's)
    inherited: int  # of which the row is a parent subclause's
    applicable: int
    counts: dict[str, int]  # STATUSES; they add up to `applicable`
    implementation_rate: float | None
    weighted_score: float | None
    stale_evidence: int
    implementation_rate_fresh: float | None


def clause_summary(
    con: duckdb.DuckDBPyConnection, *, as_of: dt.date, scope: str = "organisation"
) -> ClauseSummary:
    """One summary over the 32 leaf subclauses of clauses 4-10: how far are the mandatory clauses implemented?"""
    agg = rows(
        con,
        STATE
        + f"""
        , counted as (
            select {COUNTS}, count(*) filter (where assessed and source_id <> id) as inherited
            from state where kind = 'subclause'
        )
        select *, {RATES} from counted
        """,
        **state_params({"current": as_of}, scope=scope, con=con),
    )[0]
    return ClauseSummary(
        as_of=as_of,
        scope=scope,
        requirements=agg["requirements"],
        assessed=agg["assessed"],
        inherited=agg["inherited"],
        applicable=agg["applicable"],
        counts={k: agg[k] for k in STATUSES},
        implementation_rate=agg["implementation_rate"],
        weighted_score=agg["weighted_score"],
        stale_evidence=agg["stale_evidence"],
        implementation_rate_fresh=agg["implementation_rate_fresh"],
    )


_GROUP_KINDS = {"clause": ("clause", "subclause"), "objective": ("objective", "control")}


def coverage_by_group(
    con: duckdb.DuckDBPyConnection,
    *,
    as_of: dt.date,
    scope: str = "organisation",
    level: Literal["clause", "objective"] = "objective",
) -> pd.DataFrame:
    """One row per clause (4-10) or Annex A objective (A.2-A.10), in catalog order: its counts and rates.

    Columns: id, title, requirements, applicable, the five status counts, not_applicable,
    implementation_rate, weighted_score, stale_evidence, implementation_rate_fresh.
    """
    if level not in _GROUP_KINDS:
        raise ValueError(f"level must be one of {', '.join(_GROUP_KINDS)}, not {level!r}")
    group_kind, member_kind = _GROUP_KINDS[level]
    return query(
        con,
        STATE
        + f"""
        , counted as (
            select group_id, {COUNTS} from state where kind = $member_kind group by group_id
        )
        select g.id, g.title, requirements, applicable, {", ".join(STATUSES)}, not_applicable,
               implementation_rate, weighted_score, stale_evidence, implementation_rate_fresh
        from catalog g join (select *, {RATES} from counted) c on c.group_id = g.id
        where g.kind = $group_kind
        order by g.ord
        """,
        group_kind=group_kind,
        member_kind=member_kind,
        **state_params({"current": as_of}, scope=scope, con=con),
    )


class SoaCompleteness(BaseModel):
    """Is the Statement of Applicability complete: a decision and a justification for every control?"""

    as_of: dt.date
    scope: str
    controls: int  # catalog controls (38)
    with_decision: int  # controls with a row (an applicability decision) in the SoA in force
    with_justification: int
    complete: bool
    missing_decision: list[str]  # control ids, in catalog order
    missing_justification: list[str]  # control ids, in catalog order (controls missing from the SoA too)


def soa_completeness(
    con: duckdb.DuckDBPyConnection, *, as_of: dt.date, scope: str = "organisation"
) -> SoaCompleteness:
    """One summary over the 38 Annex A controls: does each have an applicability decision and a
    justification in the SoA in force (6.1.3)?"""
    agg = rows(
        con,
        STATE
        + """
        select count(*) as controls,
               count(*) filter (where assessed) as with_decision,
               count(*) filter (where justification is not null) as with_justification,
               coalesce(list(id order by ord) filter (where not assessed), []) as missing_decision,
               coalesce(list(id order by ord) filter (where justification is null), [])
                   as missing_justification
        from state where kind = 'control'
        """,
        **state_params({"current": as_of}, scope=scope, con=con),
    )[0]
    return SoaCompleteness(
        as_of=as_of,
        scope=scope,
        complete=agg["controls"] == agg["with_decision"] == agg["with_justification"],
        **agg,
    )
