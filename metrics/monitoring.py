"""Model monitoring: health of each series, breach points and episodes, downsampled lines, control evidence.

Rules (domain rules, "Model monitoring"): a point breaches when its value is below its lower or above
its upper threshold (a p-value test carries a lower threshold, a distance an upper one); a point without
thresholds is not judged. The tool's own verdict is kept beside ours: `fail` against our "ok", or `pass`
against our breach, is a disagreement. A series is (AI system, metric, feature, model version); a breach
episode is a run of consecutive breaching points of one series. Definitions: METRICS.md, "Monitoring".

Times: a date `D` as a bound means the whole day, so "at or before D" is `observed_at < D + 1 day`.
"""

from __future__ import annotations

import datetime as dt

import duckdb
import pandas as pd
from pydantic import BaseModel

from store.db import query, rows

from .incidents import SCOPE_CTE, in_scope
from .periods import parse_quarter
from .settings import settings_at

__all__ = [
    "MonitoringSummary",
    "breach_episodes",
    "control_evidence",
    "health_matrix",
    "monitoring_summary",
    "series_points",
]

SERIES = "ai_system_key, metric, feature, model_version"

BREACHING = """case when lower_threshold is null and upper_threshold is null then null
    else coalesce(value < lower_threshold, false) or coalesce(value > upper_threshold, false) end"""

# One row per current monitoring point in scope, judged: `breaching` (ours), `tool_breaching`, `disagreement`.
_POINTS = f"""
with {SCOPE_CTE},
judged as not materialized (
    select m.*, {BREACHING} as breaching,
           case m.verdict when 'fail' then true when 'pass' then false end as tool_breaching
    from monitoring m
    where m.replaced_by is null and {in_scope("m.ai_system_key")}
),
pts as not materialized (
    select *, coalesce(breaching <> tool_breaching, false) as disagreement from judged
)
"""


# One row per series with a point before $until: its latest point, and whether its model version is
# current (no other version of the same system, metric and feature started after this one's last point).
_LATEST = f"""
, series as (
    select {SERIES}, max(observed_at) as last_observed_at, count(*) as points,
           min(observed_at) as first_observed_at
    from pts where observed_at < $until
    group by {SERIES}
),
last_points as (
    select p.*, s.points, s.first_observed_at, s.last_observed_at
    from pts p join series s
      on s.ai_system_key = p.ai_system_key and s.metric = p.metric and s.feature is not distinct from p.feature
     and s.model_version is not distinct from p.model_version and p.observed_at = s.last_observed_at
    qualify row_number() over (partition by p.ai_system_key, p.metric, p.feature, p.model_version
                               order by p.row_no desc, p.import_id desc) = 1
),
latest as (
    select l.* exclude (last_observed_at), not exists (
        select 1 from series f
        where f.ai_system_key = l.ai_system_key and f.metric = l.metric
          and f.feature is not distinct from l.feature and f.model_version is distinct from l.model_version
          and f.first_observed_at > l.last_observed_at) as current_version
    from last_points l
)
"""

# One row per breach episode among the points before $until that has a point in [$from, $until) (gaps and
# islands: within a series, the number of non-breaching points seen so far stays the same along a run of
# breaching points). Only series with a breaching point in the window are scanned.
_EPISODES = f"""
, breaching_series as (
    select distinct {SERIES} from pts where breaching and observed_at >= $from and observed_at < $until
),
series_pts as (
    select p.* from pts p semi join breaching_series b
      on b.ai_system_key = p.ai_system_key and b.metric = p.metric
     and b.feature is not distinct from p.feature and b.model_version is not distinct from p.model_version
    where p.observed_at < $until
),
runs as (
    select *, sum(case when breaching then 0 else 1 end) over (
                  partition by {SERIES} order by observed_at rows between unbounded preceding and current row
              ) as island
    from series_pts
),
ends as (select {SERIES}, max(observed_at) as series_last from series_pts group by {SERIES}),
episodes as (
    select r.ai_system_key, min(r.ai_system) as ai_system, r.metric, r.feature, r.model_version,
           min(r.observed_at) as "start", max(r.observed_at) as "end", count(*) as points,
           max(r.observed_at) - min(r.observed_at) as duration, min(r.value) as min_value,
           max(r.value) as max_value, max(r.observed_at) = any_value(e.series_last) as ongoing,
           arg_min(r.import_id, r.observed_at) as import_id, arg_min(r.row_no, r.observed_at) as row_no
    from runs r join ends e
      on e.ai_system_key = r.ai_system_key and e.metric = r.metric
     and e.feature is not distinct from r.feature and e.model_version is not distinct from r.model_version
    where r.breaching
    group by r.ai_system_key, r.metric, r.feature, r.model_version, r.island
)
"""


def _bounds(start: dt.date, end: dt.date) -> dict[str, dt.datetime]:
    """`$from` (start of `start`) and `$until` (exclusive: the day after `end`, or `end` itself if a time)."""
    if isinstance(end, dt.datetime):
        until = end + dt.timedelta(microseconds=1)
    else:
        until = dt.datetime.combine(end + dt.timedelta(days=1), dt.time())
    begin = start if isinstance(start, dt.datetime) else dt.datetime.combine(start, dt.time())
    return {"from": begin, "until": until}


def health_matrix(
    con: duckdb.DuckDBPyConnection, *, as_of: dt.date, system: str | None = None, unit: str | None = None
) -> pd.DataFrame:
    """One row per series (AI system x metric x feature x model version): its latest point at or before
    `as_of`, thresholds, our breach state, the tool's verdict and whether the two disagree.

    `state` is breach, ok or no threshold; `current_version` is false for a model version that a later
    version of the same system, metric and feature replaced. The latest point's source: file_name, sheet,
    row_no, import_id.
    """
    return query(
        con,
        _POINTS
        + _LATEST
        + """
        select l.ai_system, l.ai_system_key, l.metric, l.feature, l.model_version, l.observed_at, l.value,
               l.lower_threshold, l.upper_threshold, l.breaching,
               case when l.breaching then 'breach' when not l.breaching then 'ok' else 'no threshold' end
                   as state,
               l.verdict, l.test_name, l.disagreement, l.current_version, l.points, l.first_observed_at,
               i.file_name, i.sheet, l.row_no, l.import_id
        from latest l join imports i on i.import_id = l.import_id
        order by l.ai_system_key, l.metric, l.feature nulls first, l.current_version desc, l.model_version""",
        until=_bounds(as_of, as_of)["until"],
        system=system,
        unit=unit,
    )


def breach_episodes(
    con: duckdb.DuckDBPyConnection,
    *,
    start: dt.date,
    end: dt.date,
    system: str | None = None,
    unit: str | None = None,
) -> pd.DataFrame:
    """One row per breach episode with a point between `start` and `end` (whole days).

    Episodes are found among the points up to `end`, so one that began before `start` keeps its true
    start; `ongoing` says the series' last point up to `end` still breaches. Duration = end - start. The
    source of its first point: file_name, sheet, row_no, import_id.
    """
    return query(
        con,
        _POINTS
        + _EPISODES
        + """
        select e.* exclude (import_id, row_no), i.file_name, i.sheet, e.row_no, e.import_id
        from episodes e join imports i on i.import_id = e.import_id
        where e."end" >= $from
        order by e."start", e.ai_system_key, e.metric, e.feature, e.model_version""",
        **_bounds(start, end),
        system=system,
        unit=unit,
    )


class MonitoringSummary(BaseModel):
    """Monitoring figures of one quarter."""

    quarter: str
    points: int  # points observed in the quarter
    breach_points: int  # breaching points observed in the quarter
    breach_episodes: int  # episodes with at least one point in the quarter
    disagreements: int  # points in the quarter where the tool's verdict and ours differ
    series: int  # current-version series with a point at or before the quarter end
    series_breaching_at_latest: int  # of those, the ones whose latest point breaches


def monitoring_summary(
    con: duckdb.DuckDBPyConnection, *, quarter: str, system: str | None = None, unit: str | None = None
) -> MonitoringSummary:
    """One summary per quarter: breach points, breach episodes and series breaching at the quarter end."""
    q = parse_quarter(quarter)
    # An episode with a point in the quarter is counted at its first breaching point in the quarter:
    # one with no breaching point just before it in the quarter (the same count as `breach_episodes`).
    row = rows(
        con,
        _POINTS
        + _LATEST
        + f"""
        , in_quarter as (
            select breaching, disagreement,
                   coalesce(lag(breaching) over (partition by {SERIES} order by observed_at), false) as after_breach
            from pts where observed_at >= $from and observed_at < $until
        )
        select (select count(*) from in_quarter) as points,
               (select count(*) from in_quarter where breaching) as breach_points,
               (select count(*) from in_quarter where breaching and not after_breach) as breach_episodes,
               (select count(*) from in_quarter where disagreement) as disagreements,
               (select count(*) from latest where current_version) as series,
               (select count(*) from latest where current_version and breaching) as series_breaching_at_latest""",
        **_bounds(q.start, q.end),
        system=system,
        unit=unit,
    )[0]
    return MonitoringSummary(quarter=str(q), **row)


# One row per point, or per time bucket of a line longer than $max_points (the line's time span cut
# into $max_points equal buckets; a short line's bucket is the point's own time).
_DOWNSAMPLED = f"""
, line as (
    select *, count(*) over s as n, epoch_us(min(observed_at) over s) as t0,
           epoch_us(max(observed_at) over s) as t1
    from pts
    where lower(metric) = lower($metric) and ($feature is null or feature = $feature)
      and ($model_version is null or model_version = $model_version)
      and observed_at >= $from and observed_at < $until
    window s as (partition by {SERIES})
),
bucketed as (
    select *, case when n <= $max_points then epoch_us(observed_at)
                   else cast(floor((epoch_us(observed_at) - t0) / (t1 - t0 + 1) * $max_points) as bigint)
              end as bucket
    from line
)
select min(ai_system) as ai_system, {SERIES}, min(observed_at) as observed_at, avg(value) as value,
       min(value) as value_min, max(value) as value_max, count(*) as points,
       count(*) filter (where breaching) as breach_points, bool_or(breaching) as breaching,
       arg_max(lower_threshold, observed_at) as lower_threshold,
       arg_max(upper_threshold, observed_at) as upper_threshold
from bucketed
group by {SERIES}, bucket
order by {SERIES}, observed_at
"""


def series_points(
    con: duckdb.DuckDBPyConnection,
    *,
    system: str,
    metric: str,
    feature: str | None = None,
    model_version: str | None = None,
    start: dt.date,
    end: dt.date,
    max_points: int = 2000,
) -> pd.DataFrame:
    """One row per point, or per time bucket, of each line (series) of a metric between `start` and `end`.

    A line with more than `max_points` points is cut into `max_points` equal time buckets; a bucket row
    carries the mean (`value`), `value_min`, `value_max`, `points` and `breach_points`, so breaches
    stay visible. `feature` and `model_version` left out mean every feature and version (one line each).
    """
    if max_points < 1:
        raise ValueError("max_points must be at least 1")
    return query(
        con,
        _POINTS + _DOWNSAMPLED,
        system=system,
        unit=None,
        metric=metric,
        feature=feature,
        model_version=model_version,
        max_points=max_points,
        **_bounds(start, end),
    )


def control_evidence(
    con: duckdb.DuckDBPyConnection, *, as_of: dt.date, system: str | None = None, unit: str | None = None
) -> pd.DataFrame:
    """One row per Annex A control x linked series: the series' breach state at `as_of`.

    Links come from the setting `metric_control_links` in force at `as_of`: a link names a metric, or a
    prefix followed by `_` (`psi` covers `psi_income`), case-insensitively; only current model versions
    count. A link that no series
    matches gives one row with state `no data`, so a control without monitoring evidence shows.
    """
    links = settings_at(con, as_of=as_of).metric_control_links
    return query(
        con,
        _POINTS
        + _LATEST
        + """
        , links as (select unnest($prefixes::varchar[]) as link, unnest($controls::varchar[][]) as controls),
        control_links as (select link, unnest(controls) as control_id from links)
        select c.control_id, k.title as control_title, c.link, l.ai_system, l.ai_system_key, l.metric,
               l.feature, l.model_version, l.observed_at, l.value, l.lower_threshold, l.upper_threshold,
               l.breaching,
               case when l.metric is null then 'no data' when l.breaching then 'breach'
                    when not l.breaching then 'ok' else 'no threshold' end as state
        from control_links c
        left join catalog k on k.id = c.control_id
        left join latest l on l.current_version
             and (lower(l.metric) = lower(c.link) or starts_with(lower(l.metric), lower(c.link) || '_'))
        order by coalesce(k.ord, 9999), c.control_id, c.link, l.ai_system_key, l.metric, l.feature""",
        prefixes=list(links),
        controls=[list(v) for v in links.values()],
        until=_bounds(as_of, as_of)["until"],
        system=system,
        unit=unit,
    )
