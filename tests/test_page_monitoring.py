"""The Model monitoring page under AppTest on the demo organisation: the figures, the health matrix, the
chosen series and the tables equal the monitoring metrics computed on the same database."""

from __future__ import annotations

import datetime as dt
import shutil

import pytest
from page_support import array, change, chart, choose, expected, figures, filtered, frame, show, table

from metrics.monitoring import breach_episodes, health_matrix, monitoring_summary, series_points
from metrics.objectives import objectives_status

PAGE = "pages/monitoring.py"
Q3 = (dt.date(2026, 7, 1), dt.date(2026, 9, 30))


@pytest.fixture
def demo_copy(demo_db, tmp_path, monkeypatch):
    path = tmp_path / "aims.duckdb"
    shutil.copyfile(demo_db, path)
    monkeypatch.setenv("AIMS_DB", str(path))
    return path


def _shown_equal_summary(at, path, quarter, previous):
    now = expected(path, monitoring_summary, quarter=quarter)
    before = expected(path, monitoring_summary, quarter=previous)
    shown = figures(at)
    for label, field in [
        ("Breach points", "breach_points"),
        ("Breach episodes", "breach_episodes"),
        ("Series breaching now", "series_breaching_at_latest"),
        ("Tool disagrees", "disagreements"),
    ]:
        value, previous_value = getattr(now, field), getattr(before, field)
        assert shown[label][0] == f"{value:,}", label
        assert change(shown[label][1]) == value - previous_value, label
    return now


def test_headline_figures_equal_the_metrics(demo_copy):
    at = show(frame(), PAGE)
    assert at.title[0].value == "Model monitoring — 2026-Q3"
    now = _shown_equal_summary(at, demo_copy, "2026-Q3", "2026-Q2")
    assert figures(at)["Series breaching now"][0] == "2" == str(now.series_breaching_at_latest)
    behind = table(at, "monitoring_behind")  # "Series breaching now" is the first choice
    assert len(behind) == now.series_breaching_at_latest
    assert sorted(behind["metric"]) == ["accuracy", "psi"]


def test_health_matrix_labels_every_state(demo_copy):
    at = show(frame(), PAGE)
    health = expected(demo_copy, health_matrix, as_of=Q3[1])
    current = health[health["current_version"]]
    heat = chart(at, "health_matrix")["data"][0]
    cells = {
        (system, column): text
        for system, texts in zip(heat["y"], heat["text"], strict=True)
        for column, text in zip(heat["x"], texts, strict=True)
        if text
    }
    assert len(cells) == len(current) == 14
    breaching = {k for k, text in cells.items() if text.startswith("✖ breach")}
    assert breaching == {("Credit scoring", "accuracy"), ("Credit scoring", "psi · income")}
    assert all(text.startswith(("✔ ok", "✖ breach", "– no threshold")) for text in cells.values())
    assert cells[("Customer chatbot", "latency_ms")] == "✔ ok<br>1,447"


def _series_trace(at):
    spec = chart(at, "series_chart")
    line = next(t for t in spec["data"] if t.get("mode") == "lines" and "threshold" not in t["name"])
    return spec["layout"]["title"]["text"], array(line["y"])


def test_choosing_another_series_changes_the_chart(demo_copy):
    at = show(frame(), PAGE)
    title, values = _series_trace(at)
    assert title == "Credit scoring · accuracy"  # the first series breaching now
    accuracy = expected(
        demo_copy, series_points, system="Credit scoring", metric="accuracy", start=Q3[0], end=Q3[1]
    )
    assert values == pytest.approx(accuracy["value"].tolist())

    at.selectbox(key="series_metric").select("psi").run()
    at.selectbox(key="series_feature").select("income").run()
    title, values = _series_trace(at)
    assert title == "Credit scoring · psi · income"
    income = expected(
        demo_copy,
        series_points,
        system="Credit scoring",
        metric="psi",
        feature="income",
        start=Q3[0],
        end=Q3[1],
    )
    assert values == pytest.approx(income["value"].tolist())
    breaches = next(t for t in chart(at, "series_chart")["data"] if t["name"].startswith("✖ breach"))
    assert len(array(breaches["y"])) == int(income["breaching"].sum()) == 92

    at.selectbox(key="series_system").select("Customer chatbot").run()
    assert at.selectbox(key="series_metric").value == "psi"  # still offered: kept
    assert at.selectbox(key="series_feature").value == "intent"  # income is not offered: the first feature
    assert _series_trace(at)[0] == "Customer chatbot · psi · intent"


def test_breaches_objectives_and_evidence_tables(demo_copy):
    at = show(frame(), PAGE)
    episodes = expected(demo_copy, breach_episodes, start=Q3[0], end=Q3[1])
    shown = table(at, "Breaches this quarter")
    assert shown["start"].tolist() == episodes["start"].tolist()
    assert shown["ongoing"].tolist() == ["✖ ongoing", "ended", "ended", "✖ ongoing"]
    assert shown["days"].tolist() == [91.0, 0.0, 2.0, 84.0]
    # each episode names the file and row of its first point (a demo monitoring file, header = row 1)
    assert shown[["file_name", "row_no"]].values.tolist() == episodes[["file_name", "row_no"]].values.tolist()
    assert all(name.startswith("monitoring_") for name in shown["file_name"]) and shown["row_no"].min() >= 2
    objectives = expected(demo_copy, objectives_status, as_of=Q3[1])
    shown = table(at, "AI objectives (6.2)")
    assert shown["objective_id"].tolist() == objectives["objective_id"].tolist()
    labels = {True: "✔ on track", False: "✖ off track"}
    assert shown["on_track"].tolist() == [labels[v] for v in objectives["on_track"]]
    evidence = table(at, "Controls evidenced by monitoring")
    assert {"✔ ok", "✖ breach", "? no data"} == set(evidence["state"])


def test_quarter_chosen_in_the_sidebar_changes_the_figures(demo_copy):
    at = show(frame(), PAGE)
    before = figures(at)
    show(choose(at, quarter="2026-Q1"), PAGE)
    assert at.title[0].value == "Model monitoring — 2026-Q1"
    _shown_equal_summary(at, demo_copy, "2026-Q1", "2025-Q4")
    assert figures(at) != before


def test_system_filter_narrows_the_series(demo_copy):
    at = filtered(show(frame(), PAGE), system="Credit scoring")
    now = expected(demo_copy, monitoring_summary, quarter="2026-Q3", system="Credit scoring")
    assert figures(at)["Breach points"][0] == f"{now.breach_points:,}"
    assert chart(at, "health_matrix")["data"][0]["y"] == ["Credit scoring"]
    assert at.selectbox(key="series_system").options == ["Credit scoring"]


def test_url_quarter_restores_the_view(demo_copy):
    at = show(frame(quarter="2025-Q4"), PAGE)
    assert at.title[0].value == "Model monitoring — 2025-Q4"
    _shown_equal_summary(at, demo_copy, "2025-Q4", "2025-Q3")


def test_first_quarter_has_no_comparison(demo_copy):
    at = show(frame(quarter="2025-Q2"), PAGE)
    assert {delta for _, delta in figures(at).values()} == {"no comparison"}


def test_without_monitoring_results_the_page_says_what_to_load(tmp_path, monkeypatch):
    monkeypatch.setenv("AIMS_DB", str(tmp_path / "empty.duckdb"))
    at = show(frame(), PAGE)
    assert [i.value for i in at.info] == [
        "No monitoring results are loaded: load a monitoring export on the Data page."
    ]
