"""Incident metrics on the tiny incident register of `metrics_support_records` (worked out by hand).

Quarter 2026-Q3 in short: detected I-1, I-2, I-3, I-4, I-6, I-8, I-9, I-10; open at its end I-3, I-5,
I-6, I-9; resolved in it I-1 (10 days), I-2 (30), I-8 (5), I-10 (1).
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterator

import duckdb
import pytest
from metrics_support_records import AS_OF, D, loaded_store, records

from metrics.incidents import (
    AGE_BUCKETS,
    incident_rows,
    incident_summary,
    incidents_by_period,
    open_incident_ageing,
    recurring_categories,
    serious_incidents,
)


@pytest.fixture(scope="module")
def con(tmp_path_factory) -> Iterator[duckdb.DuckDBPyConnection]:
    con = loaded_store(tmp_path_factory.mktemp("incidents"), "incidents")
    yield con
    con.close()


ZERO = {"critical": 0, "high": 0, "medium": 0, "low": 0}

# fmt: off
SUMMARY_CASES = [
    # (quarter, system, unit, expected fields)
    pytest.param("2026-Q3", None, None, dict(
        total=8, by_severity={"critical": 3, "high": 3, "medium": 1, "low": 1}, open=4, resolved=4,
        mean_days_to_resolve=11.5, median_days_to_resolve=7.5, serious=3, serious_missed=1, serious_pending=1,
    ), id="quarter"),
    pytest.param("2026-Q2", None, None, dict(
        total=2, by_severity={**ZERO, "high": 1, "low": 1}, open=2, resolved=1, mean_days_to_resolve=29.0,
        median_days_to_resolve=29.0, serious=1, serious_missed=1, serious_pending=0,
    ), id="past-quarter-judged-at-its-end"),
    pytest.param("2026-Q1", None, None, dict(
        total=1, by_severity={**ZERO, "medium": 1}, open=1, resolved=0, mean_days_to_resolve=None,
        median_days_to_resolve=None, serious=1, serious_missed=0, serious_pending=0,
    ), id="serious-without-deadline-is-not-missed"),
    pytest.param("2025-Q1", None, None, dict(
        total=0, by_severity=ZERO, open=0, resolved=0, mean_days_to_resolve=None, median_days_to_resolve=None,
        serious=0, serious_missed=0, serious_pending=0,
    ), id="empty-quarter"),
    pytest.param("2026-Q3", "Credit scoring", None, dict(
        total=5, by_severity={"critical": 3, "high": 2, "medium": 0, "low": 0}, open=1, resolved=4, serious=2,
        serious_missed=1, serious_pending=0,
    ), id="system-by-name-matches-spellings-and-id"),
    pytest.param("2026-Q3", "AIS-1", None, dict(total=5, open=1), id="system-by-inventory-id"),
    pytest.param("2026-Q3", "creditscoring", None, dict(total=5, open=1), id="system-by-key"),
    pytest.param("2026-Q3", None, "service", dict(
        total=3, by_severity={**ZERO, "high": 1, "medium": 1, "low": 1}, open=3, resolved=0, serious=1,
        serious_pending=1, mean_days_to_resolve=None,
    ), id="business-unit"),
    pytest.param("2025-Q4", "Legacy bot", None, dict(total=1, open=1), id="system-unknown-to-inventory"),
    pytest.param("2025-Q4", None, "Retail", dict(total=0, open=0), id="unit-leaves-out-unregistered"),
]
# fmt: on


@pytest.mark.parametrize(("quarter", "system", "unit", "expected"), SUMMARY_CASES)
def test_incident_summary(con, quarter, system, unit, expected):
    summary = incident_summary(con, quarter=quarter, system=system, unit=unit).model_dump()
    assert {k: summary[k] for k in expected} == expected


def test_incident_summary_on_an_empty_store(store):
    summary = incident_summary(store, quarter="2026-Q3")
    assert summary.by_severity == ZERO
    assert (summary.total, summary.open, summary.mean_days_to_resolve) == (0, 0, None)
    assert (summary.start, summary.end) == (D(2026, 7, 1), D(2026, 9, 30))


def _nonzero(frame) -> list[tuple]:
    return [r for r in records(frame, ["period", "group", "count"]) if r[2]]


# fmt: off
PERIOD_CASES = [
    # (as_of, grain, by, rows in all, the rows with a count)
    pytest.param(AS_OF, "quarter", "severity", 16, [
        ("2025-Q4", "medium", 1), ("2026-Q1", "medium", 1), ("2026-Q2", "high", 1), ("2026-Q2", "low", 1),
        ("2026-Q3", "critical", 3), ("2026-Q3", "high", 3), ("2026-Q3", "medium", 1), ("2026-Q3", "low", 1),
    ], id="severity-by-quarter"),
    pytest.param(D(2026, 8, 31), "month", "status", 45, [
        ("2025-12", "open", 1), ("2026-02", "closed", 1), ("2026-04", "open", 1), ("2026-06", "open", 1),
        ("2026-07", "open", 1), ("2026-07", "resolved", 2), ("2026-08", "investigating", 1),
        ("2026-08", "resolved", 1),
    ], id="status-at-each-month-end"),
    pytest.param(AS_OF, "quarter", "category", 16, [
        ("2025-Q4", "Privacy", 1), ("2026-Q1", "(none)", 1), ("2026-Q2", "Privacy", 1), ("2026-Q2", "Safety", 1),
        ("2026-Q3", "Drift", 4), ("2026-Q3", "Privacy", 1), ("2026-Q3", "Safety", 3),
    ], id="category"),
    pytest.param(AS_OF, "quarter", "ai_system", 12, [
        ("2025-Q4", "Legacy bot", 1), ("2026-Q1", "Credit scoring", 1), ("2026-Q2", "Support bot", 2),
        ("2026-Q3", "Credit scoring", 5), ("2026-Q3", "Support bot", 3),
    ], id="ai-system-by-inventory-name"),
    pytest.param(D(2025, 11, 30), "month", "severity", 0, [], id="nothing-detected-yet"),
]
# fmt: on


@pytest.mark.parametrize(("as_of", "grain", "by", "rows", "nonzero"), PERIOD_CASES)
def test_incidents_by_period(con, as_of, grain, by, rows, nonzero):
    frame = incidents_by_period(con, as_of=as_of, grain=grain, by=by)
    assert len(frame) == rows
    assert _nonzero(frame) == nonzero


def test_incidents_by_period_periods_and_filters(con):
    frame = incidents_by_period(con, as_of=AS_OF, grain="quarter", by="severity", unit="Service")
    assert records(frame.drop_duplicates("period"), ["period", "period_start", "period_end"]) == [
        ("2026-Q2", D(2026, 4, 1), D(2026, 6, 30)),
        ("2026-Q3", D(2026, 7, 1), D(2026, 9, 30)),
    ]
    assert _nonzero(frame) == [
        ("2026-Q2", "high", 1),
        ("2026-Q2", "low", 1),
        ("2026-Q3", "high", 1),
        ("2026-Q3", "medium", 1),
        ("2026-Q3", "low", 1),
    ]


@pytest.mark.parametrize(("grain", "by"), [("week", "severity"), ("month", "owner")])
def test_incidents_by_period_refuses_unknown_choices(con, grain, by):
    with pytest.raises(ValueError):
        incidents_by_period(con, as_of=AS_OF, grain=grain, by=by)


# fmt: off
AGEING_CASES = [
    pytest.param(AS_OF, [("I-5", 102, ">90"), ("I-3", 60, "31-90"), ("I-9", 5, "0-7"), ("I-6", 0, "0-7")],
                 id="quarter-end"),
    pytest.param(D(2026, 6, 30), [("I-7", 211, ">90"), ("I-5", 10, "8-30")], id="past-date"),
    pytest.param(D(2026, 10, 4), [("I-5", 106, ">90"), ("I-3", 64, "31-90"), ("I-9", 9, "8-30"), ("I-6", 4, "0-7")],
                 id="day-before-resolution"),
    pytest.param(D(2026, 10, 5), [("I-3", 65, "31-90"), ("I-9", 10, "8-30"), ("I-6", 5, "0-7")],
                 id="resolved-on-the-day"),
    pytest.param(D(2025, 11, 30), [], id="none-open"),
]
# fmt: on


@pytest.mark.parametrize(("as_of", "expected"), AGEING_CASES)
def test_open_incident_ageing(con, as_of, expected):
    frame = open_incident_ageing(con, as_of=as_of)
    assert records(frame, ["incident_id", "age_days", "age_bucket"]) == expected


@pytest.mark.parametrize(
    ("as_of", "bucket"),
    [
        (D(2026, 10, 7), "0-7"),
        (D(2026, 10, 8), "8-30"),
        (D(2026, 10, 30), "8-30"),
        (D(2026, 10, 31), "31-90"),
        (D(2026, 12, 29), "31-90"),
        (D(2026, 12, 30), ">90"),
    ],
)
def test_age_bucket_edges(con, as_of, bucket):
    frame = open_incident_ageing(con, as_of=as_of, system="AIS-1")  # I-6, detected 2026-09-30
    assert records(frame, ["incident_id", "age_days", "age_bucket"]) == [
        ("I-6", (as_of - D(2026, 9, 30)).days, bucket)
    ]
    assert bucket in AGE_BUCKETS


RECURRING_CASES = [
    pytest.param(365, 3, [("Drift", 4), ("Safety", 4), ("Privacy", 3)], id="year"),
    pytest.param(365, 4, [("Drift", 4), ("Safety", 4)], id="min-count"),
    pytest.param(91, 3, [("Drift", 3), ("Safety", 3)], id="window-excludes-its-first-day"),
    pytest.param(92, 3, [("Drift", 4), ("Safety", 3)], id="window-includes-a-day-more"),
    pytest.param(30, 3, [], id="none-recurring"),
]


@pytest.mark.parametrize(("window_days", "min_count", "expected"), RECURRING_CASES)
def test_recurring_categories(con, window_days, min_count, expected):
    frame = recurring_categories(con, as_of=AS_OF, window_days=window_days, min_count=min_count)
    assert records(frame, ["category", "count"]) == expected


def test_recurring_categories_lists_incidents_and_systems(con):
    frame = recurring_categories(con, as_of=AS_OF)
    assert records(
        frame.head(1), ["category", "first_detected", "last_detected", "ai_systems", "incident_ids"]
    ) == [
        (
            "Drift",
            D(2026, 7, 1),
            D(2026, 9, 30),
            ["Credit scoring", "Support bot"],
            ["I-1", "I-2", "I-3", "I-6"],
        )
    ]


# fmt: off
SERIOUS_CASES = [
    pytest.param(AS_OF, [
        ("I-12", None, None, None, "unknown"),
        ("I-11", "general", 15, D(2026, 4, 18), "missed"),
        ("I-8", "general", 15, D(2026, 8, 5), "met"),           # reported on the deadline day
        ("I-10", "widespread", 2, D(2026, 8, 12), "missed"),    # reported a day late
        ("I-9", "death", 10, D(2026, 10, 6), "pending"),
    ], id="quarter-end"),
    pytest.param(D(2026, 8, 4), [
        ("I-12", None, None, None, "unknown"),
        ("I-11", "general", 15, D(2026, 4, 18), "missed"),
        ("I-8", "general", 15, D(2026, 8, 5), "pending"),
    ], id="report-after-as-of-not-yet-made"),
]
# fmt: on


@pytest.mark.parametrize(("as_of", "expected"), SERIOUS_CASES)
def test_serious_incidents(con, as_of, expected):
    frame = serious_incidents(con, as_of=as_of)
    assert (
        records(frame, ["incident_id", "deadline_class", "deadline_days", "deadline_date", "outcome"])
        == expected
    )


@pytest.mark.parametrize(
    ("as_of", "outcome"),
    [(D(2026, 10, 6), "pending"), (D(2026, 10, 7), "missed")],
    ids=["deadline-day-still-pending", "day-after-missed"],
)
def test_serious_incident_deadline_passes(con, as_of, outcome):
    frame = serious_incidents(con, as_of=as_of, unit="Service")
    assert records(frame, ["incident_id", "awareness_date", "reported_date", "outcome"])[-1] == (
        "I-9",
        D(2026, 9, 26),
        None,
        outcome,
    )


def test_incident_rows_trace_to_the_source_row(con):
    frame = incident_rows(con, as_of=AS_OF)
    ids = ["I-7", "I-12", "I-11", "I-5", "I-1", "I-2", "I-8", "I-3", "I-10", "I-4", "I-9", "I-6"]
    assert records(frame, "incident_id") == ids
    assert set(records(frame, "file_name")) == {"incidents.csv"}
    assert records(frame.head(2), ["incident_id", "row_no", "sheet"]) == [
        ("I-7", 8, None),
        ("I-12", 13, None),
    ]
    by_id = {
        r[0]: r[1:] for r in records(frame, ["incident_id", "open", "status_at_as_of", "days_to_resolve"])
    }
    assert by_id["I-2"] == (False, "closed", 30)
    assert by_id["I-3"] == (True, "investigating", None)
    assert by_id["I-4"] == (False, "closed", None)
    assert by_id["I-5"] == (True, "open", None)


@pytest.mark.parametrize(
    ("as_of", "system", "expected"),
    [
        (
            D(2026, 7, 9),
            None,
            [("I-7", True), ("I-12", False), ("I-11", False), ("I-5", True), ("I-1", True)],
        ),
        (
            D(2026, 7, 10),
            None,
            [("I-7", False), ("I-12", False), ("I-11", False), ("I-5", True), ("I-1", True)],
        ),
        (
            AS_OF,
            "support  BOT",
            [("I-11", False), ("I-5", True), ("I-3", True), ("I-4", False), ("I-9", True)],
        ),
    ],
    ids=["before-closure", "closed-on-the-day", "system-name-any-case-and-spacing"],
)
def test_incident_rows_open_at_as_of(con, as_of, system, expected):
    assert records(incident_rows(con, as_of=as_of, system=system), ["incident_id", "open"]) == expected


def test_incident_rows_on_an_empty_store(store):
    assert incident_rows(store, as_of=dt.date(2026, 9, 30)).empty
