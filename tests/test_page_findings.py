"""The Findings and actions page under AppTest on the demo organisation: the figures, the trend and the
tables equal the findings and audit metrics computed on the same database."""

from __future__ import annotations

import datetime as dt
import shutil

import pytest
from page_support import array, change, chart, choose, expected, figures, filtered, frame, show, table

from metrics.findings import (
    audit_programme,
    audit_summary,
    findings_rows,
    findings_summary,
    nonconformity_trend,
    overdue_actions,
)

PAGE = "pages/findings.py"
END = {"2026-Q3": dt.date(2026, 9, 30), "2026-Q2": dt.date(2026, 6, 30), "2025-Q4": dt.date(2025, 12, 31)}
END["2025-Q3"] = dt.date(2025, 9, 30)
LABELS = {
    "Open findings": "open",
    "Open nonconformities": "open_nonconformities",
    "Overdue actions": "overdue",
    "Closed late": "closed_late",
    "Effectiveness checks pending": "effectiveness_pending",
}


@pytest.fixture
def demo_copy(demo_db, tmp_path, monkeypatch):
    path = tmp_path / "aims.duckdb"
    shutil.copyfile(demo_db, path)
    monkeypatch.setenv("AIMS_DB", str(path))
    return path


def _shown_equal_summary(at, path, quarter, previous):
    now = expected(path, findings_summary, as_of=END[quarter])
    before = expected(path, findings_summary, as_of=END[previous])
    shown = figures(at)
    for label, field in LABELS.items():
        value, previous_value = getattr(now, field), getattr(before, field)
        assert shown[label][0] == str(value), label
        assert change(shown[label][1]) == value - previous_value, label
    assert shown["Mean days to close"][0] == f"{now.mean_days_to_close:.1f} days"
    audits = expected(path, audit_summary, as_of=END[quarter])
    assert shown["Audits planned to date"][0] == str(audits.planned)
    assert shown["Audits done"][0] == str(audits.done)
    assert shown["Audits overdue"][0] == str(audits.overdue)
    return now


def test_headline_figures_equal_the_metrics(demo_copy):
    at = show(frame(), PAGE)
    assert at.title[0].value == "Findings and actions — 2026-Q3"
    _shown_equal_summary(at, demo_copy, "2026-Q3", "2026-Q2")
    assert figures(at)["Overdue actions"] == ("5", "+3")


def test_overdue_actions_and_rows_behind_a_figure(demo_copy):
    at = show(frame(), PAGE)
    overdue = expected(demo_copy, overdue_actions, as_of=END["2026-Q3"])
    shown = table(at, "Overdue actions")
    assert shown["finding_id"].tolist() == overdue["finding_id"].tolist()
    assert shown["days_overdue"].tolist() == overdue["days_overdue"].tolist() == [183, 61, 30, 15, 10]
    at.selectbox(key="findings_behind").select("Closed late").run()
    behind = table(at, "findings_behind")
    rows = expected(demo_copy, findings_rows, as_of=END["2026-Q3"])
    assert sorted(behind["finding_id"]) == sorted(rows[rows["closed_late"]]["finding_id"])
    assert set(behind["sheet"]) == {"Findings"} and behind["row_no"].notna().all()


def test_rows_behind_each_figure_add_up_to_it(demo_copy):
    at = show(frame(), PAGE)
    now = expected(demo_copy, findings_summary, as_of=END["2026-Q3"])
    for label, field in LABELS.items():
        at.selectbox(key="findings_behind").select(label).run()
        assert len(table(at, "findings_behind")) == getattr(now, field), label
    at.selectbox(key="findings_behind").select("Mean days to close").run()
    closed = table(at, "findings_behind")
    days = (closed["closed_date"] - closed["raised_date"]).dt.days
    assert days.mean() == pytest.approx(now.mean_days_to_close)
    histogram = chart(at, "days_to_close")["data"][0]
    assert sorted(array(histogram["x"])) == sorted(days)


def test_nonconformity_trend_and_audit_programme(demo_copy):
    at = show(frame(), PAGE)
    trend = expected(demo_copy, nonconformity_trend, as_of=END["2026-Q3"])
    traces = {t["name"]: array(t["y"]) for t in chart(at, "nc_trend")["data"]}
    assert traces["raised"] == trend["raised"].tolist()
    assert traces["closed"] == trend["closed"].tolist()
    assert traces["open at quarter end"] == trend["open"].tolist() == [1, 2, 2, 3, 3, 4]
    audits = expected(demo_copy, audit_programme, as_of=END["2026-Q3"])
    shown = table(at, "Audit programme (9.2)")
    assert shown["audit_id"].tolist() == audits["audit_id"].tolist()
    assert shown["status"].tolist()[-2:] == ["✖ overdue", "◷ planned"]


def test_quarter_chosen_in_the_sidebar_changes_the_figures(demo_copy):
    at = show(frame(), PAGE)
    before = figures(at)
    show(choose(at, quarter="2025-Q4"), PAGE)
    assert at.title[0].value == "Findings and actions — 2025-Q4"
    _shown_equal_summary(at, demo_copy, "2025-Q4", "2025-Q3")
    assert figures(at) != before


def test_url_quarter_restores_the_view(demo_copy):
    at = show(frame(quarter="2025-Q4"), PAGE)
    assert at.title[0].value == "Findings and actions — 2025-Q4"
    _shown_equal_summary(at, demo_copy, "2025-Q4", "2025-Q3")


def test_system_filter_leaves_findings_as_they_are(demo_copy):
    at = filtered(show(frame(), PAGE), system="Credit scoring")
    _shown_equal_summary(at, demo_copy, "2026-Q3", "2026-Q2")
    assert any("leave them as is" in c.value for c in at.caption)


def test_first_quarter_has_no_comparison(demo_copy):
    at = show(frame(quarter="2025-Q2"), PAGE)
    assert {delta for _, delta in figures(at).values()} == {"no comparison"}


def test_without_findings_the_page_says_what_to_load(tmp_path, monkeypatch):
    monkeypatch.setenv("AIMS_DB", str(tmp_path / "empty.duckdb"))
    at = show(frame(), PAGE)
    assert [i.value for i in at.info] == [
        "No findings, actions or audits are loaded: load an audit findings file on the Data page."
    ]
