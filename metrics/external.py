"""Public AI incidents (AIID, AIAAIC, OECD AIM) as context for the organisation's own incidents.

They are never counted with the incident register: they answer "has this kind of failure happened
elsewhere?". The catalogues and the organisation name categories differently, so both are put on the
loader's small vocabulary of canonical categories (`match_category`: `Model drift` and AIID's
"7.3. Lack of capability or robustness" become `model_drift` and `incorrect_output`). Definitions:
METRICS.md, "External incidents".
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Sequence

import duckdb
import pandas as pd

from loaders.datasets.external_incidents import match_category
from store.db import query, table_exists

__all__ = ["EXTERNAL_COLUMNS", "external_context"]

EXTERNAL_COLUMNS = (
    "source",
    "external_id",
    "title",
    "dated",
    "incident_date",
    "date_text",
    "our_category",
    "match_category",
    "category",
    "sector",
    "country",
    "deployer",
    "developer",
    "harms",
    "url",
    "file_name",
    "sheet",
    "row_no",
    "import_id",
)

# One row per current external record dated on or before $as_of that matches one of our categories
# (`$ours`, in the caller's order, with their canonical forms `$canon`); the first match names it.
_CONTEXT = """
with wanted as (
    select unnest($ours::varchar[]) as ours, unnest($canon::varchar[]) as canon,
           unnest(range(len($ours::varchar[]))) as pos
),
ext as (
    select e.*, m.file_name, coalesce(e.incident_date, make_date(e.year_start, 1, 1)) as dated
    from external_incidents e join imports m using (import_id)
    where e.replaced_by is null
),
matched as (
    select e.*, w.ours as our_category
    from ext e left join wanted w
      on e.match_category = w.canon
      or contains(lower(e.title), lower(trim(w.ours)))
      or contains(lower(coalesce(e.category, '')), lower(trim(w.ours)))
    where e.dated <= $as_of and ($all or w.ours is not null)
    qualify row_number() over (partition by e.source, e.external_id order by w.pos nulls last) = 1
)
select {columns}
from matched
order by dated desc, source, external_id
limit $limit
"""


def external_context(
    con: duckdb.DuckDBPyConnection,
    *,
    as_of: dt.date,
    categories: Sequence[str] | None = None,
    limit: int = 20,
) -> pd.DataFrame:
    """One row per public AI incident like ours: the most recent `limit` records dated on or before
    `as_of` whose category or title matches one of `categories` (our incident categories).

    A record matches a category when both have the same canonical category, or when its title or its
    catalogue classification contains the category's words; `our_category` names the first category
    (in the order given) it matches. `dated` is the incident date, else 1 January of its start year; an
    undated record is left out. `categories=None` lists the most recent records whatever their category;
    an empty list, or no catalogue loaded, gives no rows.
    """
    if limit < 1:
        raise ValueError("limit must be at least 1")
    ours = [c for c in categories or () if c and c.strip()]
    if not table_exists(con, "external_incidents") or (categories is not None and not ours):
        return pd.DataFrame(columns=list(EXTERNAL_COLUMNS))
    return query(
        con,
        _CONTEXT.format(columns=", ".join(EXTERNAL_COLUMNS)),
        ours=ours,
        canon=[match_category(c) for c in ours],
        all=categories is None,
        as_of=as_of,
        limit=limit,
    )
