"""What changed since last quarter, for the Overview: one list a board can read in a minute."""

from __future__ import annotations

import duckdb
import pandas as pd

from .coverage_changes import coverage_changes
from .findings import overdue_actions
from .incidents import serious_incidents
from .monitoring import breach_episodes
from .periods import parse_quarter
from .risk_changes import quarter_movement
from .settings import settings_at

__all__ = ["what_changed"]

COLUMNS = ["area", "change", "subject", "detail"]


def _band(score: float | None, bands: dict[str, list[int]]) -> str | None:
    if score is None or score != score:
        return None
    return next((name for name, (lo, hi) in bands.items() if lo <= score <= hi), None)


def what_changed(
    con: duckdb.DuckDBPyConnection,
    *,
    quarter: str,
    scope: str = "organisation",
    system: str | None = None,
    unit: str | None = None,
) -> pd.DataFrame:
    """One row per notable change in the quarter: regressed controls, new or raised high/critical risks,
    serious incidents detected, breach episodes that started, and actions overdue at the quarter end."""
    q = parse_quarter(quarter)
    bands = settings_at(con, as_of=q.end).risk_bands
    out: list[dict] = []
    changes = coverage_changes(con, quarter=str(q), scope=scope)
    for r in changes[(changes["change"] == "regressed") & (changes["kind"] == "control")].itertuples():
        out.append(
            {
                "area": "Controls",
                "change": "regressed",
                "subject": r.id,
                "detail": f"{r.previous_status} → {r.status}",
            }
        )
    movement = quarter_movement(con, quarter=str(q), system=system, unit=unit)
    for r in movement[movement["movement"].isin(["new", "up"])].itertuples():
        band = _band(r.rated_score, bands)
        if band in ("high", "critical"):
            out.append(
                {
                    "area": "Risks",
                    "change": "new" if r.movement == "new" else "raised",
                    "subject": r.risk_id,
                    "detail": f"{band} ({r.rated_score:g}): {r.title or ''}",
                }
            )
    serious = serious_incidents(con, as_of=q.end, system=system, unit=unit)
    detected = serious[(serious["detected_date"] >= pd.Timestamp(q.start))] if not serious.empty else serious
    for r in detected.itertuples():
        out.append(
            {
                "area": "Incidents",
                "change": "serious incident",
                "subject": r.incident_id,
                "detail": f"{r.severity}, reporting {r.outcome}: {r.title or ''}",
            }
        )
    episodes = breach_episodes(con, start=q.start, end=q.end, system=system, unit=unit)
    started = episodes[episodes["start"] >= pd.Timestamp(q.start)] if not episodes.empty else episodes
    for r in started.itertuples():
        feature = f" · {r.feature}" if isinstance(r.feature, str) and r.feature else ""
        out.append(
            {
                "area": "Monitoring",
                "change": "new breach",
                "subject": f"{r.ai_system} · {r.metric}{feature}",
                "detail": f"{r.points} points from {r.start:%Y-%m-%d}" + (" (ongoing)" if r.ongoing else ""),
            }
        )
    for r in overdue_actions(con, as_of=q.end).itertuples():
        out.append(
            {
                "area": "Actions",
                "change": "overdue",
                "subject": r.finding_id,
                "detail": f"{r.days_overdue} days overdue: {r.title or ''}",
            }
        )
    return pd.DataFrame(out, columns=COLUMNS)
