"""The Incidents page under AppTest on the demo organisation: every figure shown equals the incident
metrics computed on the same database, and the quarter, the AI-system filter and the URL change them."""

from __future__ import annotations

import datetime as dt
import shutil

import pandas as pd
import pytest
from page_support import array, change, chart, choose, expected, figures, filtered, frame, show, table

from loaders.pipeline import LoadOptions
from metrics.external import external_context
from metrics.incidents import (
    SEVERITIES,
    incident_rows,
    incident_summary,
    open_incident_ageing,
    serious_incidents,
)
from store.writer import load_file, open_store
from ui.incident_charts import by_system_bars

PAGE = "pages/incidents.py"


@pytest.fixture
def demo_copy(demo_db, tmp_path, monkeypatch):
    path = tmp_path / "aims.duckdb"
    shutil.copyfile(demo_db, path)
    monkeypatch.setenv("AIMS_DB", str(path))
    return path


def _shown_equal_summary(at, path, quarter, previous, system=None):
    now = expected(path, incident_summary, quarter=quarter, system=system)
    before = expected(path, incident_summary, quarter=previous, system=system)
    shown = figures(at)
    for label, field in [
        ("Incidents detected", "total"),
        ("Open at quarter end", "open"),
        ("Serious reported late", "serious_missed"),
    ]:
        value, delta = shown[label]
        assert value == str(getattr(now, field)), label
        assert change(delta) == getattr(now, field) - getattr(before, field), label
    value, delta = shown["Mean days to resolve"]
    assert value == f"{now.mean_days_to_resolve:.1f} days"
    assert change(delta) == pytest.approx(now.mean_days_to_resolve - before.mean_days_to_resolve, abs=0.05)
    return now


def test_headline_figures_and_charts_equal_the_metrics(demo_copy):
    at = show(frame(), PAGE)
    assert at.title[0].value == "Incidents — 2026-Q3"
    now = _shown_equal_summary(at, demo_copy, "2026-Q3", "2026-Q2")
    assert figures(at)["Incidents detected"] == ("11", "no change")  # the demo: 11 in Q3, 11 in Q2
    mix = chart(at, "severity_mix")["data"][0]
    assert dict(zip(mix["y"], array(mix["x"]), strict=True)) == now.by_severity
    ageing = expected(demo_copy, open_incident_ageing, as_of=dt.date(2026, 9, 30))
    bars = chart(at, "incident_ageing")["data"][0]
    assert sum(array(bars["x"])) == len(ageing) == now.open
    trend = chart(at, "incident_trend")
    assert [t["name"] for t in trend["data"]] == list(SEVERITIES)
    september = {t["name"]: array(t["y"])[-1] for t in trend["data"]}
    assert september == {"critical": 0, "high": 0, "medium": 1, "low": 0}


def test_serious_deadlines_are_labelled_with_symbols(demo_copy):
    at = show(frame(), PAGE)
    serious = expected(demo_copy, serious_incidents, as_of=dt.date(2026, 9, 30))
    shown = table(at, "Serious incidents: reporting deadlines")
    assert shown["incident_id"].tolist() == serious["incident_id"].tolist() == ["INC-025", "INC-049"]
    assert shown["outcome"].tolist() == ["✔ met", "✖ missed"]
    assert shown["deadline_date"].tolist() == serious["deadline_date"].tolist()


def test_rows_behind_a_figure_name_file_and_row(demo_copy):
    at = show(frame(), PAGE)
    at.selectbox(key="incident_behind").select("Open at quarter end").run()
    rows = table(at, "incident_behind")
    ageing = expected(demo_copy, open_incident_ageing, as_of=dt.date(2026, 9, 30))
    assert sorted(rows["incident_id"]) == sorted(ageing["incident_id"])
    assert set(rows["file_name"]) == {"incident_log_2026-09-30.csv"}
    assert sorted(rows["row_no"]) == sorted(ageing["row_no"])


def test_rows_behind_each_figure_add_up_to_it(demo_copy):
    at = show(frame(quarter="2026-Q2"), PAGE)
    now = expected(demo_copy, incident_summary, quarter="2026-Q2")
    counts = {"Incidents detected": now.total, "Open at quarter end": now.open, "Serious reported late": 1}
    for label, count in counts.items():
        at.selectbox(key="incident_behind").select(label).run()
        assert len(table(at, "incident_behind")) == count, label
    assert now.serious_missed == 1
    at.selectbox(key="incident_behind").select("Mean days to resolve").run()
    resolved = table(at, "incident_behind")
    assert len(resolved) == now.resolved
    assert resolved["days_to_resolve"].mean() == pytest.approx(now.mean_days_to_resolve)


def test_quarter_chosen_in_the_sidebar_changes_the_figures(demo_copy):
    at = show(frame(), PAGE)
    before = figures(at)
    show(choose(at, quarter="2025-Q4"), PAGE)
    assert at.title[0].value == "Incidents — 2025-Q4"
    _shown_equal_summary(at, demo_copy, "2025-Q4", "2025-Q3")
    assert figures(at) != before
    rows = expected(demo_copy, incident_rows, as_of=dt.date(2025, 12, 31))
    assert table(at, "All incidents to date")["incident_id"].tolist() == rows["incident_id"].tolist()


def test_system_filter_narrows_the_incidents(demo_copy):
    at = filtered(show(frame(), PAGE), system="Credit scoring")
    now = _shown_equal_summary(at, demo_copy, "2026-Q3", "2026-Q2", system="Credit scoring")
    everyone = expected(demo_copy, incident_summary, quarter="2026-Q3")
    assert now.total < everyone.total
    assert set(table(at, "All incidents to date")["system_name"]) == {"Credit scoring"}


def test_url_quarter_restores_the_view(demo_copy):
    at = show(frame(quarter="2025-Q4"), PAGE)
    assert at.title[0].value == "Incidents — 2025-Q4"
    _shown_equal_summary(at, demo_copy, "2025-Q4", "2025-Q3")


def test_first_quarter_has_no_comparison(demo_copy):
    at = show(frame(quarter="2025-Q2"), PAGE)
    assert {delta for _, delta in figures(at).values()} == {"no comparison"}


def test_external_incidents_like_our_recurring_categories(demo_copy, tmp_path):
    catalogue = tmp_path / "aiid.csv"
    catalogue.write_text(
        "Incident database,External ID,Title,Incident date,Category\n"
        "AIID,901,Lender's model drifted after a data pipeline change,2026-06-01,\n"
        "AIID,902,Robot vacuum in a collision,2026-06-02,7.1 Unsafe behaviour\n",
        encoding="utf-8",
    )
    con = open_store(demo_copy)
    assert load_file(con, catalogue, LoadOptions(dataset="external_incidents")).outcome == "loaded"
    con.close()
    at = show(frame(), PAGE)
    shown = table(at, "External incidents like ours")
    assert shown["external_id"].tolist() == ["901"]
    assert shown["our_category"].tolist() == ["Model drift"]
    recurring = table(at, "Recurring categories")
    context = expected(
        demo_copy, external_context, as_of=dt.date(2026, 9, 30), categories=tuple(recurring["category"])
    )
    assert shown["title"].tolist() == context["title"].tolist()


def test_without_an_incident_log_the_page_says_what_to_load(tmp_path, monkeypatch):
    monkeypatch.setenv("AIMS_DB", str(tmp_path / "empty.duckdb"))
    at = show(frame(), PAGE)
    assert [i.value for i in at.info] == ["No incident log is loaded: load one on the Data page."]
    assert len(at.metric) == 0


def test_names_from_files_are_shown_not_applied_in_charts():
    counts = pd.DataFrame({"period": ["2026-Q3"], "group": ['<a href="x">Bot</a>'], "count": [2]})
    assert by_system_bars(counts, "2026-Q3").data[0].y == ('&lt;a href="x"&gt;Bot&lt;/a&gt;',)
