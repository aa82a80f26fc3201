"""Settings with documented defaults: targets, risk bands and appetite, evidence age, metric-to-control links.

Settings are versioned in the `settings` table; the value in force at an as-of date is the newest version
whose `valid_from` is on or before that date, else the default. So a past quarter is always computed with
the settings of its day.
"""

from __future__ import annotations

import datetime as dt
import json
from typing import Any

import duckdb
import pandas as pd
from pydantic import BaseModel, Field, ValidationError, model_validator

from store.db import query, table_exists

__all__ = ["DEFAULTS", "Settings", "parse_setting", "settings_at", "settings_history"]


class Settings(BaseModel):
    """Every setting with its default (documented in METRICS.md)."""

    implementation_rate_target: float = Field(
        0.8, ge=0, le=1, description="Annex A implementation rate target"
    )
    weighted_score_target: float = Field(0.85, ge=0, le=1, description="Annex A weighted score target")
    clause_rate_target: float = Field(0.9, ge=0, le=1, description="clause implementation rate target")
    evidence_age_months: int = Field(12, ge=1, le=120, description="evidence older than this is stale")
    risk_bands: dict[str, list[int]] = Field(
        default_factory=lambda: {"low": [1, 4], "medium": [5, 9], "high": [10, 16], "critical": [17, 25]},
        description="score ranges (likelihood x impact, inclusive) of each band",
    )
    risk_appetite: int = Field(
        9, ge=1, le=25, description="highest residual score accepted without treatment"
    )
    metric_control_links: dict[str, list[str]] = Field(
        default_factory=lambda: {
            "accuracy": ["A.6.2.4", "A.6.2.6"],
            "psi": ["A.6.2.6", "A.7.4"],
            "drift": ["A.6.2.6", "A.7.4"],
            "latency_ms": ["A.6.2.6"],
        },
        description="monitoring metric name (or prefix) -> Annex A controls it evidences",
    )

    @model_validator(mode="after")
    def _bands_cover_scores(self) -> Settings:
        covered = sorted(s for lo, hi in self.risk_bands.values() for s in range(lo, hi + 1))
        if covered != list(range(1, 26)):
            raise ValueError("risk_bands must cover every score 1-25 exactly once")
        return self


DEFAULTS = Settings()


def parse_setting(key: str, text: str) -> Any:
    """Check one `aims settings set KEY VALUE` against the model; returns the value to store."""
    if key not in Settings.model_fields:
        raise ValueError(f"unknown setting {key!r}; settings: {', '.join(Settings.model_fields)}")
    try:
        value = json.loads(text)
    except json.JSONDecodeError:
        value = text
    try:
        checked = Settings.model_validate({**DEFAULTS.model_dump(), key: value})
    except ValidationError as exc:
        raise ValueError(f"invalid value for {key}: {exc.errors()[0]['msg']}") from None
    return checked.model_dump()[key]


def settings_at(con: duckdb.DuckDBPyConnection, *, as_of: dt.date) -> Settings:
    """The settings in force at the end of `as_of`."""
    if not table_exists(con, "settings"):
        return DEFAULTS
    latest = query(
        con,
        """select key, value from settings where valid_from < $until
           qualify row_number() over (partition by key order by valid_from desc) = 1""",
        until=dt.datetime.combine(as_of + dt.timedelta(days=1), dt.time()),
    )
    values = {
        row.key: json.loads(row.value) for row in latest.itertuples() if row.key in Settings.model_fields
    }
    return Settings.model_validate({**DEFAULTS.model_dump(), **values})


def settings_history(con: duckdb.DuckDBPyConnection) -> pd.DataFrame:
    """One row per recorded setting version, newest first."""
    if not table_exists(con, "settings"):
        return pd.DataFrame(columns=["key", "value", "valid_from", "set_by", "note"])
    return query(
        con, "select key, value, valid_from, set_by, note from settings order by valid_from desc, key"
    )
