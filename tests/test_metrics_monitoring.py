"""Monitoring metrics on the tiny series of `metrics_support_records` (series A-F, worked out by hand).

A: p-value, lower 0.05, 1-7 July: ok, B, B, ok, B, ok (= threshold), B. B: distance, upper 0.1, 1-3 July:
ok, B (tool: pass), ok (= threshold; tool: fail). C: 29 June-2 July: ok, B, B, ok. D: no threshold (tool:
fail). E: v1 1-2 July ok, B; v2 3-4 July ok, ok. F: two-sided, 1-3 July: above, below, ok.
"""

from __future__ import annotations

import json
import time
from collections.abc import Iterator

import duckdb
import pytest
from metrics_support_records import D, loaded_store, records

from metrics.monitoring import (
    breach_episodes,
    control_evidence,
    health_matrix,
    monitoring_summary,
    series_points,
)


@pytest.fixture(scope="module")
def con(tmp_path_factory) -> Iterator[duckdb.DuckDBPyConnection]:
    con = loaded_store(tmp_path_factory.mktemp("monitoring"), "monitoring")
    yield con
    con.close()


# fmt: off
HEALTH = ["ai_system_key", "metric", "feature", "model_version", "observed_at", "value", "breaching", "state",
          "verdict", "disagreement", "current_version"]
HEALTH_AT_7_JULY = [
    ("creditscoring", "accuracy", None, "v2", D(2026, 7, 4), 0.86, False, "ok", None, False, True),
    ("creditscoring", "accuracy", None, "v1", D(2026, 7, 2), 0.70, True, "breach", None, False, False),
    ("creditscoring", "ks_pvalue", "income", "v1", D(2026, 7, 7), 0.02, True, "breach", "warning", False, True),
    ("creditscoring", "wasserstein", "income", "v1", D(2026, 7, 3), 0.10, False, "ok", "fail", True, True),
    ("fraudradar", "score", None, None, D(2026, 7, 3), 0.5, False, "ok", None, False, True),
    ("supportbot", "accuracy", None, None, D(2026, 7, 2), 0.90, False, "ok", None, False, True),
    ("supportbot", "latency_ms", None, None, D(2026, 7, 1), 900.0, None, "no threshold", "fail", False, True),
]

HEALTH_CASES = [
    # (as_of, system, unit, [(key, metric, version, value, state, disagreement, current_version)])
    pytest.param(D(2026, 7, 2), None, None, [
        ("creditscoring", "accuracy", "v1", 0.70, "breach", False, True),
        ("creditscoring", "ks_pvalue", "v1", 0.04, "breach", False, True),
        ("creditscoring", "wasserstein", "v1", 0.15, "breach", True, True),
        ("fraudradar", "score", None, 0.1, "breach", False, True),
        ("supportbot", "accuracy", None, 0.90, "ok", False, True),
        ("supportbot", "latency_ms", None, 900.0, "no threshold", False, True),
    ], id="earlier-as-of-before-the-new-version"),
    pytest.param(D(2026, 6, 30), None, None, [("supportbot", "accuracy", None, 0.75, "breach", False, True)],
                 id="past-quarter-end"),
    pytest.param(D(2026, 7, 7), None, "Service", [
        ("supportbot", "accuracy", None, 0.90, "ok", False, True),
        ("supportbot", "latency_ms", None, 900.0, "no threshold", False, True),
    ], id="business-unit"),
    pytest.param(D(2026, 7, 7), "fraud  RADAR", None, [("fraudradar", "score", None, 0.5, "ok", False, True)],
                 id="system-outside-the-inventory"),
    pytest.param(D(2026, 6, 1), None, None, [], id="no-points-yet"),
]

DIRECTION_CASES = [
    pytest.param(D(2026, 7, 2), "ks_pvalue", (0.04, "breach"), id="p-value-below-lower"),
    pytest.param(D(2026, 7, 6), "ks_pvalue", (0.05, "ok"), id="p-value-at-lower"),
    pytest.param(D(2026, 7, 4), "ks_pvalue", (0.20, "ok"), id="p-value-above-lower"),
    pytest.param(D(2026, 7, 2), "wasserstein", (0.15, "breach"), id="distance-above-upper"),
    pytest.param(D(2026, 7, 3), "wasserstein", (0.10, "ok"), id="distance-at-upper"),
    pytest.param(D(2026, 7, 1), "wasserstein", (0.05, "ok"), id="distance-below-upper"),
    pytest.param(D(2026, 7, 1), "score", (0.9, "breach"), id="two-sided-above"),
    pytest.param(D(2026, 7, 2), "score", (0.1, "breach"), id="two-sided-below"),
    pytest.param(D(2026, 7, 1), "latency_ms", (900.0, "no threshold"), id="no-threshold"),
]
# fmt: on


def test_health_matrix_latest_point_of_every_series(con):
    assert records(health_matrix(con, as_of=D(2026, 7, 7)), HEALTH) == HEALTH_AT_7_JULY


@pytest.mark.parametrize(("as_of", "system", "unit", "expected"), HEALTH_CASES)
def test_health_matrix_at_a_date(con, as_of, system, unit, expected):
    frame = health_matrix(con, as_of=as_of, system=system, unit=unit)
    columns = [
        "ai_system_key",
        "metric",
        "model_version",
        "value",
        "state",
        "disagreement",
        "current_version",
    ]
    assert records(frame, columns) == expected


@pytest.mark.parametrize(("as_of", "metric", "expected"), DIRECTION_CASES)
def test_breach_is_direction_aware(con, as_of, metric, expected):
    frame = health_matrix(con, as_of=as_of)
    assert records(frame[frame.metric == metric], ["value", "state"]) == [expected]


# fmt: off
EPISODE = ["ai_system_key", "metric", "model_version", "start", "end", "points", "ongoing"]
EPISODE_CASES = [
    pytest.param(D(2026, 7, 1), D(2026, 7, 7), [
        ("supportbot", "accuracy", None, D(2026, 6, 30), D(2026, 7, 1), 2, False),  # began before the window
        ("fraudradar", "score", None, D(2026, 7, 1), D(2026, 7, 2), 2, False),      # above, then below
        ("creditscoring", "accuracy", "v1", D(2026, 7, 2), D(2026, 7, 2), 1, True),
        ("creditscoring", "ks_pvalue", "v1", D(2026, 7, 2), D(2026, 7, 3), 2, False),
        ("creditscoring", "wasserstein", "v1", D(2026, 7, 2), D(2026, 7, 2), 1, False),
        ("creditscoring", "ks_pvalue", "v1", D(2026, 7, 5), D(2026, 7, 5), 1, False),
        ("creditscoring", "ks_pvalue", "v1", D(2026, 7, 7), D(2026, 7, 7), 1, True),
    ], id="split-by-non-breaching-points"),
    pytest.param(D(2026, 7, 6), D(2026, 7, 7), [
        ("creditscoring", "ks_pvalue", "v1", D(2026, 7, 7), D(2026, 7, 7), 1, True),
    ], id="window-keeps-episodes-reaching-it"),
    pytest.param(D(2026, 7, 4), D(2026, 7, 5), [
        ("creditscoring", "ks_pvalue", "v1", D(2026, 7, 5), D(2026, 7, 5), 1, True),
    ], id="judged-with-points-up-to-the-end-only"),
    pytest.param(D(2026, 6, 30), D(2026, 6, 30), [
        ("supportbot", "accuracy", None, D(2026, 6, 30), D(2026, 6, 30), 1, True),
    ], id="single-day"),
    pytest.param(D(2026, 8, 1), D(2026, 8, 31), [], id="empty-window"),
]

SUMMARY = ["points", "breach_points", "breach_episodes", "disagreements", "series", "series_breaching_at_latest"]
SUMMARY_CASES = [
    pytest.param("2026-Q3", None, None, (20, 9, 7, 2, 6, 1), id="quarter"),
    pytest.param("2026-Q2", None, None, (2, 1, 1, 0, 1, 1), id="past-quarter-judged-at-its-end"),
    pytest.param("2026-Q1", None, None, (0, 0, 0, 0, 0, 0), id="empty-quarter"),
    pytest.param("2026-Q3", "Credit scoring", None, (14, 6, 5, 2, 3, 1), id="system"),
    pytest.param("2026-Q3", None, "Service", (3, 1, 1, 0, 2, 0), id="business-unit"),
]
# fmt: on


@pytest.mark.parametrize(("start", "end", "expected"), EPISODE_CASES)
def test_breach_episodes(con, start, end, expected):
    assert records(breach_episodes(con, start=start, end=end), EPISODE) == expected


def test_series_and_episodes_name_their_source_row(con):
    """The latest point of a series, and the first point of an episode, by file and row (header = row 1)."""
    health = health_matrix(con, as_of=D(2026, 7, 7))
    assert records(health, ["metric", "model_version", "file_name", "sheet", "row_no"]) == [
        ("accuracy", "v2", "monitoring.csv", None, 20),
        ("accuracy", "v1", "monitoring.csv", None, 18),
        ("ks_pvalue", "v1", "monitoring.csv", None, 8),
        ("wasserstein", "v1", "monitoring.csv", None, 11),
        ("score", None, "monitoring.csv", None, 23),
        ("accuracy", None, "monitoring.csv", None, 15),
        ("latency_ms", None, "monitoring.csv", None, 16),
    ]
    episodes = breach_episodes(con, start=D(2026, 7, 1), end=D(2026, 7, 7))
    assert records(episodes, ["metric", "start", "row_no"]) == [
        ("accuracy", D(2026, 6, 30), 13),
        ("score", D(2026, 7, 1), 21),
        ("accuracy", D(2026, 7, 2), 18),
        ("ks_pvalue", D(2026, 7, 2), 3),
        ("wasserstein", D(2026, 7, 2), 10),
        ("ks_pvalue", D(2026, 7, 5), 6),
        ("ks_pvalue", D(2026, 7, 7), 8),
    ]
    assert set(episodes["file_name"]) == {"monitoring.csv"}


def test_breach_episode_duration_and_extremes(con):
    frame = breach_episodes(con, start=D(2026, 7, 1), end=D(2026, 7, 7), system="Credit scoring")
    first = frame[frame.metric == "ks_pvalue"].head(1)
    assert records(first, ["points", "min_value", "max_value"]) == [(2, 0.01, 0.04)]
    assert first["duration"].iloc[0].days == 1
    assert len(frame) == 5


@pytest.mark.parametrize(("quarter", "system", "unit", "expected"), SUMMARY_CASES)
def test_monitoring_summary(con, quarter, system, unit, expected):
    summary = monitoring_summary(con, quarter=quarter, system=system, unit=unit)
    assert tuple(getattr(summary, name) for name in SUMMARY) == expected


# fmt: off
POINT = ["model_version", "observed_at", "value", "value_min", "value_max", "points", "breach_points"]
KS_VALUES = (0.30, 0.04, 0.01, 0.20, 0.03, 0.05, 0.02)
POINT_CASES = [
    # (metric, model_version, max_points, rows)
    pytest.param("ks_pvalue", None, 3, [
        ("v1", D(2026, 7, 1), pytest.approx(0.35 / 3), 0.01, 0.30, 3, 2),
        ("v1", D(2026, 7, 4), pytest.approx(0.115), 0.03, 0.20, 2, 1),
        ("v1", D(2026, 7, 6), pytest.approx(0.035), 0.02, 0.05, 2, 1),
    ], id="buckets-keep-breaches-visible"),
    pytest.param("KS_PVALUE", None, 7, [
        ("v1", D(2026, 7, day), v, v, v, 1, int(v < 0.05)) for day, v in enumerate(KS_VALUES, start=1)
    ], id="few-points-come-back-as-they-are"),
    pytest.param("accuracy", None, 2000, [
        ("v1", D(2026, 7, 1), 0.90, 0.90, 0.90, 1, 0), ("v1", D(2026, 7, 2), 0.70, 0.70, 0.70, 1, 1),
        ("v2", D(2026, 7, 3), 0.88, 0.88, 0.88, 1, 0), ("v2", D(2026, 7, 4), 0.86, 0.86, 0.86, 1, 0),
    ], id="one-line-per-version"),
    pytest.param("accuracy", "v2", 1, [("v2", D(2026, 7, 3), pytest.approx(0.87), 0.86, 0.88, 2, 0)],
                 id="one-version-one-bucket"),
]
# fmt: on


@pytest.mark.parametrize(("metric", "model_version", "max_points", "expected"), POINT_CASES)
def test_series_points(con, metric, model_version, max_points, expected):
    frame = series_points(
        con,
        system="Credit scoring",
        metric=metric,
        model_version=model_version,
        start=D(2026, 7, 1),
        end=D(2026, 7, 7),
        max_points=max_points,
    )
    assert records(frame, POINT) == expected


def test_series_points_window_and_feature(con):
    window = dict(system="Credit scoring", metric="ks_pvalue")
    frame = series_points(con, **window, feature="income", start=D(2026, 7, 3), end=D(2026, 7, 4))
    assert records(frame, ["feature", "value"]) == [("income", 0.01), ("income", 0.20)]
    assert series_points(con, **window, feature="age", start=D(2026, 7, 1), end=D(2026, 7, 7)).empty


def test_series_points_downsamples_a_million_points_in_sql(store):
    store.execute(
        """insert into monitoring_points (import_id, row_no, observed_at, ai_system, metric, value, lower_threshold)
           select 1, i + 2, timestamp '2026-01-01' + to_seconds(i * 30), 'Big model', 'accuracy',
                  case when i = 654321 then 0.1 else 0.9 end, 0.8
           from range(1000000) t(i)"""
    )
    started = time.perf_counter()
    frame = series_points(
        store, system="Big model", metric="accuracy", start=D(2026, 1, 1), end=D(2026, 12, 31)
    )
    elapsed = time.perf_counter() - started
    assert 1000 < len(frame) <= 2000
    assert int(frame["points"].sum()) == 1_000_000
    breaches = frame[frame.breach_points > 0]
    assert records(breaches, ["breach_points", "value_min", "value_max"]) == [(1, 0.1, 0.9)]
    assert elapsed < 5, f"{elapsed:.1f} s"


# fmt: off
CONTROL = ["control_id", "link", "ai_system_key", "metric", "model_version", "state"]
DEFAULT_LINKS_AT_7_JULY = [
    ("A.6.2.4", "accuracy", "creditscoring", "accuracy", "v2", "ok"),   # the current version only
    ("A.6.2.4", "accuracy", "supportbot", "accuracy", None, "ok"),
    ("A.6.2.6", "accuracy", "creditscoring", "accuracy", "v2", "ok"),
    ("A.6.2.6", "accuracy", "supportbot", "accuracy", None, "ok"),
    ("A.6.2.6", "drift", None, None, None, "no data"),
    ("A.6.2.6", "latency_ms", "supportbot", "latency_ms", None, "no threshold"),
    ("A.6.2.6", "psi", None, None, None, "no data"),
    ("A.7.4", "drift", None, None, None, "no data"),
    ("A.7.4", "psi", None, None, None, "no data"),
]
SETTING_CASES = [
    pytest.param(D(2026, 7, 7), [
        ("A.6.2.4", "accuracy_top", None, None, None, "no data"),
        ("A.6.2.6", "ks", "creditscoring", "ks_pvalue", "v1", "breach"),        # a prefix followed by _
        ("A.7.4", "WASSERSTEIN", "creditscoring", "wasserstein", "v1", "ok"),   # any case
    ], id="links-in-force-at-the-date"),
    pytest.param(D(2026, 6, 30), [
        ("A.6.2.4", "accuracy", "supportbot", "accuracy", None, "breach"),
        ("A.6.2.6", "accuracy", "supportbot", "accuracy", None, "breach"),
        ("A.6.2.6", "drift", None, None, None, "no data"),
        ("A.6.2.6", "latency_ms", None, None, None, "no data"),
        ("A.6.2.6", "psi", None, None, None, "no data"),
        ("A.7.4", "drift", None, None, None, "no data"),
        ("A.7.4", "psi", None, None, None, "no data"),
    ], id="defaults-before-the-change"),
]
# fmt: on


def test_control_evidence_with_the_default_links(con):
    frame = control_evidence(con, as_of=D(2026, 7, 7))
    assert records(frame, CONTROL) == DEFAULT_LINKS_AT_7_JULY
    assert records(frame.head(1), "control_title") == ["AI system verification and validation"]


@pytest.mark.parametrize(("as_of", "expected"), SETTING_CASES)
def test_control_evidence_follows_the_settings_of_the_day(tmp_path, as_of, expected):
    con = loaded_store(tmp_path, "monitoring")
    try:
        links = {"ks": ["A.6.2.6"], "WASSERSTEIN": ["A.7.4"], "accuracy_top": ["A.6.2.4"]}
        con.execute(
            "insert into settings values ('metric_control_links', $v, timestamp '2026-07-01', 'test', null)",
            {"v": json.dumps(links)},
        )
        assert records(control_evidence(con, as_of=as_of), CONTROL) == expected
    finally:
        con.close()
