"""Coverage of clauses and Annex A controls: implementation rate, weighted score, SoA completeness.

Rules (domain rules, "Controls and clauses"): implementation rate = implemented / applicable;
weighted score = (implemented + 0.5 x partially implemented) / applicable; not-applicable controls leave
the denominator; not assessed, planned and not implemented count as not implemented. An Annex A control
missing from the Statement of Applicability in force counts as applicable and not assessed.
"""

from __future__ import annotations

import datetime as dt

import duckdb
import pandas as pd
from pydantic import BaseModel

from store.db import query

__all__ = ["AnnexASummary", "STATUSES", "annex_a_rows", "annex_a_summary"]

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


def annex_a_summary(
    con: duckdb.DuckDBPyConnection, *, as_of: dt.date, scope: str = "organisation"
) -> AnnexASummary:
    """Annex A implementation rate and weighted score with their counts (one row in, one summary out)."""
    agg = query(
        con,
        IN_FORCE
        + """,
        per_control as (
            select k.id, a.requirement_id is not null as assessed, coalesce(a.applicable, true) as applicable,
                   coalesce(a.status, 'not_assessed') as status, a.justification, a.file_name
            from catalog k left join assessed a on a.requirement_id = k.id where k.kind = 'control'
        )
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
               coalesce(list_sort(list(distinct file_name) filter (where file_name is not null)), []) as sources
        from per_control
        """,
        as_of=as_of,
        scope=scope,
    ).iloc[0]
    counts = {k: int(agg[k]) for k in (*STATUSES, "not_applicable")}
    applicable = int(agg["applicable"])
    rate = counts["implemented"] / applicable if applicable else None
    weighted = (
        (counts["implemented"] + 0.5 * counts["partially_implemented"]) / applicable if applicable else None
    )
    return AnnexASummary(
        as_of=as_of,
        scope=scope,
        controls=int(agg["controls"]),
        assessed=int(agg["assessed"]),
        applicable=applicable,
        counts=counts,
        implementation_rate=rate,
        weighted_score=weighted,
        without_justification=int(agg["without_justification"]),
        sources=list(agg["sources"]),
    )
