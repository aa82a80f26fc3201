"""The risk register in force, filtered by AI system or business unit (shared SQL, not a metric itself).

`REGISTER` yields one row per (period, risk) for the periods bound as `$periods` / `$days`:

- the registers in force on a period's day are, per import scope, the live risk import with
  as-of <= day < valid_to (the organisation's register and any register loaded for a narrower scope);
- a risk id held by several of those registers counts once: the newest register (as-of, then import)
  speaks for it;
- a risk's AI system is matched to the current inventory (`systems` rows not replaced) by name or id,
  case- and space-insensitively, as the loaders store it (`ai_system_key`); the business unit is the
  inventory's. With `$system` or `$unit` given, only risks of a registered system that matches stay: a
  risk naming no system, or an unregistered one, is only in the unfiltered view;
- `rated_score` is the residual score, else the inherent score (a risk without a residual rating).

`BANDS` yields one row per risk band (`band`, `lo`, `hi`, inclusive score range) from `band_params`.
"""

from __future__ import annotations

import datetime as dt
import re
from typing import Any

from .settings import Settings

REGISTER = """
with periods as (select unnest($periods) as period, unnest($days) as day),
live_register as (
    select p.period, i.import_id, i.scope, i.as_of, i.file_name
    from periods p join imports i on i.as_of <= p.day and (i.valid_to is null or i.valid_to > p.day)
    where i.dataset = 'risks' and i.outcome = 'loaded' and i.superseded_by is null
),
in_force as (
    select l.period, r.*, l.scope, l.as_of as register_as_of, l.file_name
    from risks r join live_register l on l.import_id = r.import_id
    qualify row_number() over (partition by l.period, r.risk_id order by l.as_of desc, l.import_id desc) = 1
),
inventory as (
    select s.name_key, s.system_key, s.name as system_name, s.business_unit,
           lower(regexp_replace(s.system_id, '\\s+', '', 'g')) as id_key
    from systems s where s.replaced_by is null
),
matched as (
    select f.*, i.system_key, i.system_name, i.business_unit, i.name_key, i.id_key
    from in_force f left join inventory i on f.ai_system_key in (i.name_key, i.id_key)
    qualify row_number() over (partition by f.period, f.risk_id order by f.ai_system_key = i.name_key desc) = 1
),
register as (
    select * exclude (name_key, id_key), system_key is not null as registered,
           coalesce(residual_score, score) as rated_score
    from matched
    where (cast($system as varchar) is null
           or lower(regexp_replace(cast($system as varchar), '\\s+', '', 'g')) in (name_key, id_key))
      and (cast($unit as varchar) is null
           or lower(regexp_replace(cast($unit as varchar), '\\s+', '', 'g'))
              = lower(regexp_replace(business_unit, '\\s+', '', 'g')))
)
"""

BANDS = """
bands as (select unnest($band_names) as band, unnest($band_lo) as lo, unnest($band_hi) as hi)
"""


def band_params(settings: Settings) -> dict[str, list[Any]]:
    """Bind values for `BANDS`, lowest band first."""
    ordered = sorted(settings.risk_bands.items(), key=lambda item: item[1][0])
    return {
        "band_names": [name for name, _ in ordered],
        "band_lo": [lo for _, (lo, _hi) in ordered],
        "band_hi": [hi for _, (_lo, hi) in ordered],
    }


def register_params(days: dict[str, dt.date], *, system: str | None, unit: str | None) -> dict[str, Any]:
    """Bind values for `REGISTER`: one period per entry of `days`."""
    return {"periods": list(days), "days": list(days.values()), "system": system, "unit": unit}


def used(sql: str, params: dict[str, Any]) -> dict[str, Any]:
    """The bind values a statement names (DuckDB refuses values a statement does not use)."""
    return {k: v for k, v in params.items() if re.search(rf"\${k}\b", sql)}
