"""Findings, actions and audit-programme metrics on the tiny tables of `metrics_support_records`.

Days to close: F-1 80, F-2 96, F-3 108. F-2 is raised 364 days after F-1 on clause 8.2 (a repeat); F-4
366 days after F-3 on A.6.2.6 (not a repeat); F-7 follows F-2 on 8.2 within a year (a repeat). F-6 is
closed without a closing date and F-8 has no raised date: the file's as-of date (30 September) bounds both.
"""

from __future__ import annotations

from collections.abc import Iterator

import duckdb
import pytest
from metrics_support_records import AS_OF, D, loaded_store, records

from metrics.findings import (
    audit_programme,
    audit_summary,
    findings_rows,
    findings_summary,
    nonconformity_trend,
    overdue_actions,
)


@pytest.fixture(scope="module")
def con(tmp_path_factory) -> Iterator[duckdb.DuckDBPyConnection]:
    con = loaded_store(tmp_path_factory.mktemp("findings"), "findings", "audits")
    yield con
    con.close()


def _types(major=0, minor=0, observation=0, opportunity=0, unclassified=0) -> dict[str, int]:
    return {
        "major_nonconformity": major,
        "minor_nonconformity": minor,
        "observation": observation,
        "opportunity": opportunity,
        "unclassified": unclassified,
    }


# fmt: off
SUMMARY_CASES = [
    # (as_of, system, expected fields)
    pytest.param(AS_OF, None, dict(
        raised=8, open=4, open_nonconformities=2, open_by_type=_types(major=1, minor=1, opportunity=1, unclassified=1),
        overdue=1, closed_late=1, mean_days_to_close=pytest.approx(284 / 3), repeat_nonconformities=2,
        effectiveness_pending=1,
    ), id="as-of"),
    pytest.param(D(2026, 8, 31), None, dict(
        raised=7, open=4, open_by_type=_types(major=1, minor=1, observation=1, opportunity=1),
    ), id="closed-without-date-is-open-before-the-file-date"),
    pytest.param(D(2026, 3, 31), None, dict(
        raised=4, open=2, open_nonconformities=2, open_by_type=_types(major=1, minor=1), overdue=0, closed_late=0,
        mean_days_to_close=94.0, repeat_nonconformities=1, effectiveness_pending=0,
    ), id="due-on-the-as-of-date-is-not-overdue"),
    pytest.param(D(2026, 4, 1), None, dict(overdue=1, closed_late=0), id="overdue-the-day-after"),
    pytest.param(D(2026, 4, 15), None, dict(open=1, overdue=0, closed_late=1, effectiveness_pending=1),
                 id="closed-late"),
    pytest.param(D(2025, 3, 31), None, dict(
        raised=2, open=1, closed_late=0, mean_days_to_close=80.0, repeat_nonconformities=0,
    ), id="closed-on-the-due-date-is-not-late"),
    pytest.param(D(2024, 12, 31), None, dict(
        raised=0, open=0, open_by_type=_types(), overdue=0, mean_days_to_close=None,
    ), id="nothing-raised-yet"),
    pytest.param(AS_OF, "Credit scoring", dict(scope="organisation", raised=8, open=4),
                 id="findings-are-organisation-wide"),
]

ROWS = ["finding_id", "open", "overdue", "days_overdue", "closed_late", "repeat_nonconformity"]
ROW_CASES = [
    pytest.param(AS_OF, [
        ("F-1", False, False, None, False, False), ("F-3", False, False, None, False, False),
        ("F-2", False, False, None, True, True), ("F-4", True, True, 15, False, False),
        ("F-5", True, False, None, False, False), ("F-6", False, False, None, False, False),
        ("F-7", True, False, None, False, True), ("F-8", True, False, None, False, False),
    ], id="as-of"),
    pytest.param(D(2026, 1, 9), [
        ("F-1", False, False, None, False, False), ("F-3", False, False, None, False, False),
        ("F-2", True, False, None, False, True),
    ], id="raised-on-the-as-of-date"),
]

OVERDUE_CASES = [
    # (as_of, [(finding, due date, days overdue, source row)])
    pytest.param(AS_OF, [("F-4", D(2026, 9, 15), 15, 5)], id="as-of"),
    pytest.param(D(2026, 10, 1), [("F-4", D(2026, 9, 15), 16, 5), ("F-5", D(2026, 9, 30), 1, 6)],
                 id="due-date-passed"),
    pytest.param(D(2026, 4, 15), [], id="closed-on-the-day"),
]

TREND_CASES = [
    # (as_of, quarters, [(quarter, end, raised, closed, open)])
    pytest.param(AS_OF, 6, [
        ("2025-Q2", D(2025, 6, 30), 0, 1, 0), ("2025-Q3", D(2025, 9, 30), 0, 0, 0),
        ("2025-Q4", D(2025, 12, 31), 0, 0, 0), ("2026-Q1", D(2026, 3, 31), 2, 0, 2),
        ("2026-Q2", D(2026, 6, 30), 0, 1, 1), ("2026-Q3", D(2026, 9, 30), 1, 0, 2),
    ], id="six-quarters-with-empty-ones"),
    pytest.param(D(2026, 8, 15), 2, [("2026-Q2", D(2026, 6, 30), 0, 1, 1), ("2026-Q3", D(2026, 8, 15), 1, 0, 2)],
                 id="last-quarter-cut-at-as-of"),
    pytest.param(D(2025, 3, 31), 1, [("2025-Q1", D(2025, 3, 31), 2, 1, 1)], id="closed-on-the-quarter-end"),
]

PROGRAMME_CASES = [
    pytest.param(AS_OF, [
        ("A-1", D(2026, 3, 10), "done"), ("A-2", D(2026, 5, 12), "done_late"),
        ("A-6", None, "overdue"),    # done after the as-of date: not yet done then
        ("A-3", None, "overdue"), ("A-5", None, "planned"), ("A-4", None, "planned"),
    ], id="as-of"),
    pytest.param(D(2026, 10, 5), [
        ("A-1", D(2026, 3, 10), "done"), ("A-2", D(2026, 5, 12), "done_late"), ("A-6", D(2026, 10, 5), "done_late"),
        ("A-3", None, "overdue"), ("A-5", None, "overdue"), ("A-4", None, "planned"),
    ], id="later"),
]

AUDIT_SUMMARY_CASES = [
    pytest.param(AS_OF, dict(audits=6, planned=5, done=2, done_late=1, overdue=2, upcoming=2), id="as-of"),
    pytest.param(D(2026, 10, 5), dict(audits=6, planned=5, done=3, done_late=2, overdue=2, upcoming=1), id="later"),
    pytest.param(D(2026, 3, 9), dict(audits=6, planned=0, done=0, done_late=0, overdue=0, upcoming=6),
                 id="before-the-first"),
]
# fmt: on


@pytest.mark.parametrize(("as_of", "system", "expected"), SUMMARY_CASES)
def test_findings_summary(con, as_of, system, expected):
    summary = findings_summary(con, as_of=as_of, system=system).model_dump()
    assert {k: summary[k] for k in expected} == expected


def test_findings_summary_on_an_empty_store(store):
    summary = findings_summary(store, as_of=AS_OF)
    assert (summary.raised, summary.open, summary.mean_days_to_close) == (0, 0, None)


@pytest.mark.parametrize(("as_of", "expected"), ROW_CASES)
def test_findings_rows(con, as_of, expected):
    assert records(findings_rows(con, as_of=as_of), ROWS) == expected


def test_findings_rows_trace_to_the_source_row(con):
    frame = findings_rows(con, as_of=AS_OF)
    assert records(frame.head(3), ["finding_id", "file_name", "row_no"]) == [
        ("F-1", "findings.csv", 2),
        ("F-3", "findings.csv", 4),
        ("F-2", "findings.csv", 3),
    ]


@pytest.mark.parametrize(("as_of", "expected"), OVERDUE_CASES)
def test_overdue_actions(con, as_of, expected):
    frame = overdue_actions(con, as_of=as_of)
    assert records(frame, ["finding_id", "due_date", "days_overdue", "row_no"]) == expected


@pytest.mark.parametrize(("as_of", "quarters", "expected"), TREND_CASES)
def test_nonconformity_trend(con, as_of, quarters, expected):
    frame = nonconformity_trend(con, as_of=as_of, quarters=quarters)
    assert records(frame, ["quarter", "quarter_end", "raised", "closed", "open"]) == expected


def test_nonconformity_trend_on_an_empty_store(store):
    frame = nonconformity_trend(store, as_of=AS_OF, quarters=2)
    assert records(frame, ["quarter", "raised", "closed", "open"]) == [
        ("2026-Q2", 0, 0, 0),
        ("2026-Q3", 0, 0, 0),
    ]


@pytest.mark.parametrize(("as_of", "expected"), PROGRAMME_CASES)
def test_audit_programme(con, as_of, expected):
    assert records(audit_programme(con, as_of=as_of), ["audit_id", "done_date", "status"]) == expected


@pytest.mark.parametrize(("as_of", "expected"), AUDIT_SUMMARY_CASES)
def test_audit_summary(con, as_of, expected):
    assert audit_summary(con, as_of=as_of).model_dump() == {"as_of": as_of, **expected}
