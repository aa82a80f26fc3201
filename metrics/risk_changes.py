"""How the risk register moved since the previous quarter, risk by risk.

Both quarters are read as of their last day, with the same register and filter rules
(`metrics._risk_sql`). Definitions: METRICS.md, "Risks".
"""

from __future__ import annotations

import duckdb
import pandas as pd

from store.db import query

from ._risk_sql import REGISTER, register_params, used
from .periods import parse_quarter

__all__ = ["MOVEMENTS", "quarter_movement"]

MOVEMENTS = ("new", "removed", "up", "down", "moved", "unchanged", "no_comparison")

_SQL = (
    REGISTER
    + """,
cell as (
    select period, risk_id, title, rated_score, likelihood || 'x' || impact as cell,
           residual_likelihood || 'x' || residual_impact as residual_cell
    from register
),
previous_data as (select count(*) > 0 as has_data from live_register where period = 'previous')
select coalesce(c.risk_id, p.risk_id) as risk_id, coalesce(c.title, p.title) as title,
       p.cell as previous_cell, p.residual_cell as previous_residual_cell, p.rated_score as previous_rated_score,
       c.cell, c.residual_cell, c.rated_score,
       case when not (select has_data from previous_data) then 'no_comparison'
            when p.risk_id is null then 'new'
            when c.risk_id is null then 'removed'
            when c.rated_score > p.rated_score then 'up'
            when c.rated_score < p.rated_score then 'down'
            when c.cell is distinct from p.cell or c.residual_cell is distinct from p.residual_cell then 'moved'
            else 'unchanged' end as movement
from (select * from cell where period = 'current') c
full join (select * from cell where period = 'previous') p on p.risk_id = c.risk_id
order by risk_id
"""
)


def quarter_movement(
    con: duckdb.DuckDBPyConnection,
    *,
    quarter: str,
    system: str | None = None,
    unit: str | None = None,
) -> pd.DataFrame:
    """One row per risk in the register at the end of `quarter` or of the quarter before, by risk id.

    Columns: risk_id, title, previous_cell, previous_residual_cell, previous_rated_score, cell,
    residual_cell, rated_score ("<likelihood>x<impact>"; rated score = residual, else inherent) and
    movement (one of `MOVEMENTS`): up or down by rated score; moved when the rated score is the same but
    a cell changed; 'no_comparison' for every row when no register is in force at the previous quarter's
    end.
    """
    current = parse_quarter(quarter)
    days = {"current": current.end, "previous": current.previous().end}
    return query(con, _SQL, **used(_SQL, register_params(days, system=system, unit=unit)))
