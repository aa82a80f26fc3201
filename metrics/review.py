"""The management review summary, in the order of ISO/IEC 42001 9.3.2 (a)-(e).

Built only from the other metrics, so the screen, the pack and `aims summary --json` say the same. Each
figure carries the previous quarter's value and a delta; where the previous quarter has no data for that
dataset, `comparison` is False and the delta is None ("no comparison", never 0). The figures and sections
are in `review_parts` and `review_sections`.
"""

from __future__ import annotations

import datetime as dt

import duckdb
from pydantic import BaseModel

from store.db import scalar, table_exists

from . import review_sections as sections_of
from .periods import parse_quarter
from .review_parts import Figure, ReviewSection, compare

__all__ = ["Figure", "ReviewSection", "ReviewSummary", "compare", "data_coverage", "review_summary"]


class ReviewSummary(BaseModel):
    quarter: str
    as_of: dt.date
    previous_quarter: str
    scope: str
    system: str | None
    unit: str | None
    sections: list[ReviewSection]

    def section(self, code: str) -> ReviewSection:
        return next(s for s in self.sections if s.code == code)


_PRESENCE = {
    "controls": "select count(*) from imports where dataset = 'controls' and outcome = 'loaded' and as_of <= $d",
    "risks": "select count(*) from imports where dataset = 'risks' and outcome = 'loaded' and as_of <= $d",
    "incidents": "select count(*) from incidents where replaced_by is null and detected_date <= $d",
    "findings": "select count(*) from findings where replaced_by is null and raised_date <= $d",
    "audits": "select count(*) from audits where replaced_by is null and coalesce(planned_date, done_date) <= $d",
    "monitoring": "select count(*) from monitoring where replaced_by is null and observed_at < $d::date + 1",
    "objectives": "select count(*) from objectives where replaced_by is null and $d::date is not null",
}


def data_coverage(con: duckdb.DuckDBPyConnection, *, as_of: dt.date) -> dict[str, bool]:
    """Whether each dataset has data describing a date on or before `as_of` (for "no comparison")."""
    out = {}
    for dataset, sql in _PRESENCE.items():
        out[dataset] = table_exists(con, dataset) and bool(scalar(con, sql, d=as_of))
    return out


def review_summary(
    con: duckdb.DuckDBPyConnection,
    *,
    quarter: str,
    scope: str = "organisation",
    system: str | None = None,
    unit: str | None = None,
) -> ReviewSummary:
    """The 9.3.2 inputs for one quarter, in meeting order: (a) previous actions, (b)(c) changes, (d)
    performance (nonconformities, monitoring and measurement, audits), (e) opportunities."""
    from .settings import settings_at

    q = parse_quarter(quarter)
    prev = q.previous()
    prev_has = data_coverage(con, as_of=prev.end)
    settings = settings_at(con, as_of=q.end)
    sections = [
        sections_of._previous_actions(con, q, q.end),
        sections_of._changes(con, q, q.end, scope, system, unit, prev_has),
        *sections_of._performance(con, q, q.end, prev, scope, system, unit, prev_has, settings),
        sections_of._opportunities(con, q.end, scope, system, unit),
    ]
    return ReviewSummary(
        quarter=str(q),
        as_of=q.end,
        previous_quarter=str(prev),
        scope=scope,
        system=system,
        unit=unit,
        sections=sections,
    )
