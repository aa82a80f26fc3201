"""Consistency checks across datasets: contradictions between what the files say.

One row per contradiction found at the as-of date:
1. `na_control_relied_on`: a control marked not applicable while a risk in force lists it as a linked
   control (its treatment relies on it);
2. `high_risk_without_impact_assessment`: an AI system with a high or critical risk (residual rating, else
   inherent, banded with the settings of the day) and no impact assessment in the 12 months before (A.5);
3. `recurring_category_rated_low`: an incident category with at least 3 incidents detected in the 12
   months before, while every risk of that category in force is in the low band;
4. `breaching_metric_on_implemented_control`: a monitoring series breaching at its latest point, whose
   metric is linked (settings) to a control marked implemented.
"""

from __future__ import annotations

import datetime as dt

import duckdb
import pandas as pd

from store.db import query, table_exists

from .coverage import IN_FORCE
from .settings import settings_at

__all__ = ["consistency_checks"]

_RISKS_IN_FORCE = """
risk_live as (
    select import_id from imports
    where dataset = 'risks' and outcome = 'loaded' and superseded_by is null
      and as_of <= $as_of and (valid_to is null or valid_to > $as_of)
),
risk_rows as (select r.* from risks r join risk_live using (import_id))
"""


def _band_case(bands: dict[str, list[int]], column: str) -> str:
    parts = " ".join(
        f"when {column} between {int(lo)} and {int(hi)} then '{name}'"
        for name, (lo, hi) in bands.items()
        if name.isidentifier()
    )
    return f"(case {parts} end)"


def consistency_checks(
    con: duckdb.DuckDBPyConnection, *, as_of: dt.date, scope: str = "organisation"
) -> pd.DataFrame:
    """One row per contradiction at `as_of`: check, subject, detail, and the ids involved."""
    columns = ["check", "subject", "detail", "refs"]
    if not table_exists(con, "risks"):
        return pd.DataFrame(columns=columns)
    settings = settings_at(con, as_of=as_of)
    band = _band_case(settings.risk_bands, "coalesce(residual_score, score)")
    links = [
        {"metric": metric, "control_id": control}
        for metric, controls in settings.metric_control_links.items()
        for control in controls
    ]
    sql = (
        IN_FORCE
        + ", "
        + _RISKS_IN_FORCE
        + f""",
        banded as (select *, {band} as band from risk_rows),
        systems_now as (select * from systems where replaced_by is null),
        incidents_now as (select * from incidents where replaced_by is null),
        links as (select unnest($links, recursive := true)),
        last_at as (
            select ai_system_key, metric, feature, model_version, max(observed_at) as observed_at
            from monitoring where replaced_by is null and observed_at < ($as_of::date + 1)
            group by all
        ),
        latest as (
            select m.ai_system, m.metric, m.feature, m.model_version, m.value, m.lower_threshold,
                   m.upper_threshold
            from monitoring m join last_at l
              on m.ai_system_key = l.ai_system_key and m.metric = l.metric
             and m.feature is not distinct from l.feature and m.model_version is not distinct from l.model_version
             and m.observed_at = l.observed_at
            where m.replaced_by is null
        )
        select 'na_control_relied_on' as "check", c as subject,
               'not applicable in the SoA, but risk ' || r.risk_id || ' relies on it' as detail,
               [r.risk_id, c] as refs
        from banded r, unnest(r.linked_controls) as u(c)
        join assessed a on a.requirement_id = c and not a.applicable
        union all
        select 'high_risk_without_impact_assessment', s.name,
               'high or critical risks (' || string_agg(r.risk_id, ', ' order by r.risk_id)
               || ') and no impact assessment since ' || strftime($as_of::date - interval 12 month, '%Y-%m-%d'),
               list(r.risk_id order by r.risk_id)
        from banded r join systems_now s on s.name_key = r.ai_system_key
        where r.band in ('high', 'critical')
          and (s.last_impact_assessment is null or s.last_impact_assessment < $as_of::date - interval 12 month)
        group by s.name
        union all
        select 'recurring_category_rated_low', i.category,
               count(*) || ' incidents in 12 months, but its risks are rated low', list(distinct i.incident_id)
        from incidents_now i
        where i.detected_date <= $as_of and i.detected_date > $as_of::date - interval 12 month
          and i.category is not null
          and exists (select 1 from banded r where lower(r.category) = lower(i.category))
          and not exists (select 1 from banded r where lower(r.category) = lower(i.category) and r.band <> 'low')
        group by i.category having count(*) >= 3
        union all
        select distinct 'breaching_metric_on_implemented_control', l.ai_system || ' · ' || l.metric,
               'breaching at its latest point, linked to ' || k.control_id || ' marked implemented',
               [l.metric, k.control_id]
        from latest l join links k on l.metric = k.metric or starts_with(l.metric, k.metric || '_')
        join assessed a on a.requirement_id = k.control_id and a.applicable and a.status = 'implemented'
        where l.value < l.lower_threshold or l.value > l.upper_threshold
        order by 1, 2
        """
    )
    return query(con, sql, as_of=as_of, scope=scope, links=links or [{"metric": "", "control_id": ""}])
