"""The Overview and Management review pages under AppTest on the demo organisation: figures equal the
metrics, presentation mode walks the agenda, a recorded action shows up next quarter as input (a)."""

from __future__ import annotations

import shutil
from pathlib import Path

import duckdb
import pytest
from streamlit.testing.v1 import AppTest

from metrics.review import review_summary
from metrics.whats_new import what_changed
from store import db
from ui.figures import figure_value

APP = str(Path(__file__).resolve().parents[1] / "app.py")


@pytest.fixture
def demo_copy(demo_db, tmp_path, monkeypatch):
    path = tmp_path / "aims.duckdb"
    shutil.copyfile(demo_db, path)
    monkeypatch.setenv("AIMS_DB", str(path))
    return path


def _app(quarter: str | None = None) -> AppTest:
    at = AppTest.from_file(APP, default_timeout=60)
    if quarter:
        at.query_params["quarter"] = quarter
    at.run()
    assert not at.exception
    return at


def _expected(path: Path, quarter: str):
    with db.opened(path) as con:
        return review_summary(con, quarter=quarter), what_changed(con, quarter=quarter)


def test_overview_headlines_equal_the_review_figures(demo_copy):
    at = _app()
    review, changes = _expected(demo_copy, "2026-Q3")
    d2 = {f.key: f for f in review.section("d2").figures}
    shown = {m.label: (m.value, m.delta) for m in at.metric}
    assert at.title[0].value == "Overview — 2026-Q3"
    assert shown["Annex A implementation rate"] == ("80.6%", "+8.3 pts")  # 29/36 vs 26/36
    assert shown["Overdue actions"] == ("5", "+3")
    assert shown["Series breaching now"][0] == figure_value(d2["monitoring.series_breaching_at_latest"])
    table = next(
        d.value for d in at.dataframe if list(d.value.columns) == ["area", "change", "subject", "detail"]
    )
    assert table.values.tolist() == changes.values.tolist()
    assert {"regressed", "overdue", "new breach"} <= set(table["change"])


def test_first_quarter_says_no_comparison(demo_copy):
    at = _app("2025-Q2")
    shown = {m.label: (m.value, m.delta) for m in at.metric}
    assert shown["Annex A implementation rate"] == ("38.9%", "no comparison")  # 14/36, nothing before it


def test_review_sections_in_9_3_2_order_and_presentation_mode(demo_copy):
    at = _app()
    at.switch_page("pages/review.py").run()
    assert not at.exception
    headings = [m.value for m in at.markdown if m.value.startswith("###")]
    assert [h.split(")")[0][4:] for h in headings] == ["a", "b, c", "d", "d", "d", "e"]
    review, _ = _expected(demo_copy, "2026-Q3")
    shown = {m.label: m.value for m in at.metric}
    overdue = next(f for f in review.section("d1").figures if f.key == "findings.overdue")
    assert shown["Overdue actions"] == figure_value(overdue) == "5"
    at.toggle(key="presenting").set_value(True).run()
    assert at.markdown[0].value.startswith("## a)")
    at.button(key="agenda_next").click().run()
    assert at.markdown[0].value.startswith("## b, c)")
    at.button(key="agenda_previous").click().run()
    assert at.markdown[0].value.startswith("## a)")


def test_recorded_action_is_next_quarters_input_a(demo_copy):
    review, _ = _expected(demo_copy, "2026-Q3")
    before = next(f.value for f in review.section("a").figures if f.key == "review.actions")
    at = _app("2026-Q2")
    at.switch_page("pages/review.py").run()
    at.text_area(key="record_text").input("Retrain the credit scoring model on 2026 data")
    at.text_input(key="record_owner").input("Head of ML")
    next(b for b in at.button if b.label == "Record").click().run()
    assert not at.exception
    with duckdb.connect(str(demo_copy)) as con:
        rows = con.execute("select quarter, kind, text, owner, status from review_records").fetchall()
    assert rows == [
        ("2026-Q2", "action", "Retrain the credit scoring model on 2026 data", "Head of ML", "open")
    ]
    later = _app("2026-Q3")
    later.switch_page("pages/review.py").run()
    after = {m.label: m.value for m in later.metric}["Actions from previous reviews"]
    assert int(after) == int(before) + 1
    section_a = later.dataframe[0].value
    assert "Retrain the credit scoring model on 2026 data" in section_a["text"].tolist()
