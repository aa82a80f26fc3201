"""AI risks: the heatmap, the register in force with bands and appetite, and inherent-to-residual movement.

Score = likelihood x impact (1-25), the one formula of the stored score, the heatmap cells and every
count. Bands and the risk appetite are settings in force on the as-of date. A risk without a residual
rating is rated by its inherent score (`rated_score`), left out of the residual heatmap and counted as
`unrated_residual`. Which register is in force and how the system and unit filters work:
`metrics._risk_sql`. Definitions: METRICS.md, "Risks".
"""

from __future__ import annotations

import datetime as dt
from typing import Literal

import duckdb
import pandas as pd
from pydantic import BaseModel

from store.db import query, rows

from ._risk_sql import BANDS, REGISTER, band_params, register_params, used
from .settings import settings_at

__all__ = ["RATINGS", "RiskSummary", "heatmap", "risk_movement", "risk_register", "risk_summary", "top_risks"]

RATINGS = ("inherent", "residual")


def _params(
    con: duckdb.DuckDBPyConnection, as_of: dt.date, system: str | None, unit: str | None
) -> dict[str, object]:
    settings = settings_at(con, as_of=as_of)
    return {
        **register_params({"current": as_of}, system=system, unit=unit),
        **band_params(settings),
        "appetite": settings.risk_appetite,
        "as_of": as_of,
    }


def _query(con: duckdb.DuckDBPyConnection, sql: str, params: dict[str, object]) -> pd.DataFrame:
    return query(con, sql, **used(sql, params))


def _rows(con: duckdb.DuckDBPyConnection, sql: str, params: dict[str, object]) -> list[dict[str, object]]:
    return rows(con, sql, **used(sql, params))


def _lists(frame: pd.DataFrame, *columns: str) -> pd.DataFrame:
    """DuckDB lists arrive as arrays; pages and tests want plain lists."""
    for column in columns:
        frame[column] = frame[column].map(list)
    return frame


# One row per cell of the grid: the risks placed there by their inherent or residual rating ($rating).
_HEATMAP = (
    REGISTER
    + ", "
    + BANDS
    + """,
grid as (
    select cast(l.range as integer) as likelihood, cast(i.range as integer) as impact
    from range(1, 6) l cross join range(1, 6) i
),
placed as (
    select risk_id,
           case when $rating = 'inherent' then likelihood else residual_likelihood end as likelihood,
           case when $rating = 'inherent' then impact else residual_impact end as impact
    from register where period = 'current'
)
select g.likelihood, g.impact, g.likelihood * g.impact as score, b.band,
       count(p.risk_id) as count,
       coalesce(list(p.risk_id order by p.risk_id) filter (where p.risk_id is not null), []) as risk_ids
from grid g
join bands b on g.likelihood * g.impact between b.lo and b.hi
left join placed p on p.likelihood = g.likelihood and p.impact = g.impact
group by g.likelihood, g.impact, b.band
order by g.likelihood, g.impact
"""
)


def heatmap(
    con: duckdb.DuckDBPyConnection,
    *,
    as_of: dt.date,
    rating: Literal["inherent", "residual"] = "inherent",
    system: str | None = None,
    unit: str | None = None,
) -> pd.DataFrame:
    """One row per cell of the 5 x 5 grid (likelihood, then impact, ascending): the risks rated there.

    Columns: likelihood, impact, score (likelihood x impact), band, count, risk_ids. Always 25 rows; the
    residual grid leaves out risks without a residual rating.
    """
    if rating not in RATINGS:
        raise ValueError(f"rating must be one of {', '.join(RATINGS)}, not {rating!r}")
    frame = _query(con, _HEATMAP, {"rating": rating, **_params(con, as_of, system, unit)})
    return _lists(frame, "risk_ids")


class RiskSummary(BaseModel):
    """The register in force at one as-of date, for one AI system or business unit (or all)."""

    as_of: dt.date
    system: str | None
    unit: str | None
    appetite: int  # the highest score accepted (setting risk_appetite)
    total: int
    inherent_cells: dict[str, int]  # "<likelihood>x<impact>" -> risks, non-empty cells only
    residual_cells: dict[str, int]  # risks with a residual rating only
    by_band_inherent: dict[str, int]  # every band, lowest first
    by_band_residual: dict[str, int]  # risks with a residual rating only
    unrated_residual: int  # risks without a residual rating
    above_appetite: int  # rated score (residual, else inherent) above the appetite
    above_appetite_untreated: int  # of which no treatment is recorded
    without_linked_control: int
    sources: list[str]  # register files in force


# One row: the counts of the register in force, its non-empty cells and its bands (lists of structs).
_SUMMARY = (
    REGISTER
    + ", "
    + BANDS
    + """,
now as (select * from register where period = 'current'),
cells as (
    select 'inherent' as rating, likelihood as l, impact as i, count(*) as n from now group by likelihood, impact
    union all
    select 'residual', residual_likelihood, residual_impact, count(*) from now
    where residual_score is not null group by residual_likelihood, residual_impact
),
banded as (
    select b.band, b.lo,
           count(r.risk_id) filter (where r.score between b.lo and b.hi) as inherent,
           count(r.risk_id) filter (where r.residual_score between b.lo and b.hi) as residual
    from bands b left join now r on true
    group by b.band, b.lo
)
select count(*) as total,
       count(*) filter (where residual_score is null) as unrated_residual,
       count(*) filter (where rated_score > $appetite) as above_appetite,
       count(*) filter (where rated_score > $appetite and treatment is null) as above_appetite_untreated,
       count(*) filter (where len(linked_controls) = 0) as without_linked_control,
       coalesce(list_sort(list(distinct file_name)), []) as sources,
       (select coalesce(list({'cell': l || 'x' || i, 'n': n} order by l, i), []) from cells
        where rating = 'inherent') as inherent_cells,
       (select coalesce(list({'cell': l || 'x' || i, 'n': n} order by l, i), []) from cells
        where rating = 'residual') as residual_cells,
       (select list({'band': band, 'inherent': inherent, 'residual': residual} order by lo) from banded) as bands
from now
"""
)


def risk_summary(
    con: duckdb.DuckDBPyConnection,
    *,
    as_of: dt.date,
    system: str | None = None,
    unit: str | None = None,
) -> RiskSummary:
    """One summary of the register in force: how many risks, where on the grid, in which band, and how
    many above the risk appetite?"""
    params = _params(con, as_of, system, unit)
    agg = _rows(con, _SUMMARY, params)[0]
    return RiskSummary(
        as_of=as_of,
        system=system,
        unit=unit,
        appetite=params["appetite"],
        total=agg["total"],
        inherent_cells={c["cell"]: c["n"] for c in agg["inherent_cells"]},
        residual_cells={c["cell"]: c["n"] for c in agg["residual_cells"]},
        by_band_inherent={b["band"]: b["inherent"] for b in agg["bands"]},
        by_band_residual={b["band"]: b["residual"] for b in agg["bands"]},
        unrated_residual=agg["unrated_residual"],
        above_appetite=agg["above_appetite"],
        above_appetite_untreated=agg["above_appetite_untreated"],
        without_linked_control=agg["without_linked_control"],
        sources=agg["sources"],
    )


_REGISTER_COLUMNS = """
risk_id, title, ai_system, registered, system_name, business_unit, category,
likelihood, impact, score, (select band from bands where score between lo and hi) as band,
residual_likelihood, residual_impact, residual_score,
(select band from bands where residual_score between lo and hi) as residual_band,
rated_score, rated_score > $appetite as above_appetite, linked_controls, owner, treatment, status,
next_review, coalesce(next_review < $as_of, false) as overdue_review,
scope, register_as_of, file_name, sheet, row_no, import_id
"""


def risk_register(
    con: duckdb.DuckDBPyConnection,
    *,
    as_of: dt.date,
    system: str | None = None,
    unit: str | None = None,
) -> pd.DataFrame:
    """One row per risk in the register in force, by risk id: ratings, bands, appetite, review, source.

    Columns: risk_id, title, ai_system, registered, system_name, business_unit, category, likelihood,
    impact, score, band, residual_likelihood, residual_impact, residual_score, residual_band, rated_score,
    above_appetite, linked_controls, owner, treatment, status, next_review, overdue_review, scope,
    register_as_of, file_name, sheet, row_no, import_id.
    """
    frame = _query(
        con,
        REGISTER
        + ", "
        + BANDS
        + f"select {_REGISTER_COLUMNS} from register where period = 'current' order by risk_id",
        _params(con, as_of, system, unit),
    )
    return _lists(frame, "linked_controls")


def top_risks(
    con: duckdb.DuckDBPyConnection,
    *,
    as_of: dt.date,
    n: int = 10,
    system: str | None = None,
    unit: str | None = None,
) -> pd.DataFrame:
    """One row per risk among the `n` highest-rated, by rated score (residual, else inherent) descending.

    Ties go to the higher inherent score, then the risk id. Columns as `risk_register`.
    """
    frame = _query(
        con,
        REGISTER
        + ", "
        + BANDS
        + f"""select {_REGISTER_COLUMNS} from register where period = 'current'
              order by rated_score desc, score desc, risk_id limit $n""",
        {"n": max(int(n), 0), **_params(con, as_of, system, unit)},
    )
    return _lists(frame, "linked_controls")


def risk_movement(
    con: duckdb.DuckDBPyConnection,
    *,
    as_of: dt.date,
    system: str | None = None,
    unit: str | None = None,
) -> pd.DataFrame:
    """One row per risk in force: from its inherent cell to its residual cell, and the score drop.

    Columns: risk_id, title, inherent_cell and residual_cell ("<likelihood>x<impact>"), score, band,
    residual_score, residual_band, score_drop (score - residual score; null without a residual rating),
    band_change (lower | same | higher; null without a residual rating). Largest drop first.
    """
    return _query(
        con,
        REGISTER
        + ", "
        + BANDS
        + """,
        banded as (
            select r.*, (select lo from bands where r.score between lo and hi) as band_lo,
                   (select lo from bands where r.residual_score between lo and hi) as residual_band_lo
            from register r where period = 'current'
        )
        select risk_id, title, likelihood || 'x' || impact as inherent_cell,
               residual_likelihood || 'x' || residual_impact as residual_cell,
               score, (select band from bands where lo = band_lo) as band,
               residual_score, (select band from bands where lo = residual_band_lo) as residual_band,
               score - residual_score as score_drop,
               case when residual_band_lo < band_lo then 'lower' when residual_band_lo > band_lo then 'higher'
                    when residual_band_lo = band_lo then 'same' end as band_change
        from banded
        order by score_drop desc nulls last, risk_id
        """,
        _params(con, as_of, system, unit),
    )
